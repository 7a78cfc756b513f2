/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * uio.c - the consumer of the guest module's rings (guest-uio/ooh_pml.ko,
 * include/ooh/spml_uio.h) for the spml and epml backends (spml.c,
 * epml.c), which differ only in the device they open:
 *
 *   open the device, OOH_SPML_IOC_TRACK(pid) -> a UIO device of our own
 *   whose map 0 holds one ooh/ring.h ring per vCPU;
 *   fetch: OOH_SPML_IOC_SYNC (every vCPU's log drained into the rings,
 *   each ring's prod given as a fence, logging re-armed), then consume
 *   every ring up to its fence; GVA entries are pages, GPA entries become
 *   pages by OOH_SPML_IOC_RESOLVE (the default) or a pagemap pass.
 *
 * Also reported dirty, as spml_uio.h requires: GVA entries the module's
 * MMU notifier adds (munmap, COW, migration, THP split), and, on the
 * pagemap path, every page that is new or maps another frame than at the
 * previous fetch (a frame first written by another context is not logged
 * again for the tracked process).  An overflow (entries dropped before a
 * ring's fence, reported by SYNC, which owns the rings' sticky overflow
 * bit) reports every page for this interval only: a drop after the fence
 * is reported by the next SYNC.  OOH_RING_F_DISARMED (the toolstack
 * revoked SPML) fails the fetch with -ENODEV instead of returning a
 * silently incomplete set.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"
#include "ooh/barrier.h"
#include "ooh/spml_uio.h"

/*
 * How GPA entries become pages (OOH_COLLECT in the environment, read at
 * ooh_open()):
 *   resolve  the module resolves them from the tracked process's side
 *            (OOH_SPML_IOC_RESOLVE): O(entries + VMAs) per fetch
 *   pagemap  one pagemap pass over the tracked ranges per fetch (a GFN ->
 *            page hash), plus every page that is new or maps another frame
 *            than at the previous fetch: O(tracked pages)
 *   diff     both on the same interval, the union reported; the pages only
 *            one path found are counted in ooh_stats (diff_*_only)
 */
enum collect_mode { COLLECT_RESOLVE, COLLECT_PAGEMAP, COLLECT_DIFF };

struct uio_state {
	enum collect_mode mode;
	struct __ooh_pageset gpas;	/* this fetch's GPA entries */
	uint64_t *va;			/* RESOLVE output */
	size_t va_cap;
	const char *dev;		/* OOH_SPML_DEV or OOH_EPML_DEV */
	int ctl;			/* the device */
	int uio;			/* /dev/uioN */
	void *map;
	struct ooh_spml_track tr;
	uint64_t *fence;
	struct __ooh_rmap *prev;	/* snapshot of the previous fetch */
	bool no_rearm_unknown;		/* the module refused
					 * OOH_SPML_SYNC_NO_REARM (EINVAL) */
};

int __ooh_uio_probe(const char *dev, const char *needs)
{
	int fd = open(dev, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return __ooh_err(errno == EACCES ? EPERM : EOPNOTSUPP,
				 "no %s (%s): needs %s", dev, strerror(errno),
				 needs);
	close(fd);
	return 0;
}

/* OOH_COLLECT, see enum collect_mode; unset: resolve. */
static int collect_mode(enum collect_mode *mode)
{
	const char *e = getenv("OOH_COLLECT");

	if (!e || !*e || !strcmp(e, "resolve"))
		*mode = COLLECT_RESOLVE;
	else if (!strcmp(e, "pagemap"))
		*mode = COLLECT_PAGEMAP;
	else if (!strcmp(e, "diff"))
		*mode = COLLECT_DIFF;
	else
		return __ooh_err(EINVAL, "OOH_COLLECT=%s: want resolve, "
				 "pagemap or diff", e);
	return 0;
}

int __ooh_uio_init(struct ooh_tracker *t, const char *dev)
{
	struct uio_state *s = calloc(1, sizeof(*s));

	if (!s)
		return __ooh_err(ENOMEM, "out of memory");
	s->dev = dev;
	s->ctl = s->uio = -1;
	s->map = MAP_FAILED;
	t->priv = s;
	return collect_mode(&s->mode);
}

static int uio_start(struct ooh_tracker *t, struct uio_state *s)
{
	const char *env = getenv("OOH_SPML_ENTRIES");
	char path[64];

	s->ctl = open(s->dev, O_RDWR | O_CLOEXEC);
	if (s->ctl < 0)
		return __ooh_err(errno, "%s: %s", s->dev, strerror(errno));
	s->tr = (struct ooh_spml_track){
		.pid = t->pid,
		.nr_entries = env ? strtoul(env, NULL, 0) : 65536,
	};
	if (ioctl(s->ctl, OOH_SPML_IOC_TRACK, &s->tr)) {
		int e = errno;

		return __ooh_err(e, "%s: OOH_SPML_IOC_TRACK pid %d: %s%s",
				 s->dev, t->pid, strerror(e),
				 e == EPERM ? " (SPML not granted: xen-pml "
				 "enable DOMAIN in dom0)" : e == EBUSY ?
				 " (trackers of the other kind, spml/epml, "
				 "are open)" : e == EOPNOTSUPP ?
				 " (Xen refuses to arm: a device model, a "
				 "passed-through device or nested HVM)" : "");
	}
	snprintf(path, sizeof(path), "/dev/uio%u", s->tr.uio_index);
	s->uio = open(path, O_RDWR | O_CLOEXEC);
	if (s->uio < 0)
		return __ooh_err(errno, "%s: %s", path, strerror(errno));
	/* UIO map N is at offset N * page size. */
	s->map = mmap(NULL, s->tr.map_bytes, PROT_READ | PROT_WRITE,
		      MAP_SHARED, s->uio, 0);
	if (s->map == MAP_FAILED)
		return __ooh_err(errno, "mmap %s map 0 (%llu bytes): %s", path,
				 (unsigned long long)s->tr.map_bytes,
				 strerror(errno));
	s->fence = calloc(s->tr.nr_vcpus, sizeof(*s->fence));
	if (!s->fence)
		return __ooh_err(ENOMEM, "out of memory");
	return 0;
}

void __ooh_uio_stop(struct ooh_tracker *t)
{
	struct uio_state *s = t->priv;

	if (s->map != MAP_FAILED)
		munmap(s->map, s->tr.map_bytes);
	if (s->uio >= 0)
		close(s->uio);
	if (s->ctl >= 0)
		close(s->ctl);	/* destroys the tracker in the module */
	free(s->fence);
	__ooh_rmap_free(s->prev);
	*s = (struct uio_state){ .dev = s->dev, .ctl = -1, .uio = -1,
				  .map = MAP_FAILED };
}

int __ooh_uio_track(struct ooh_tracker *t, struct __ooh_range *r)
{
	struct uio_state *s = t->priv;
	int ret;

	if (s->ctl >= 0)
		return 0;	/* the whole process is tracked; ranges filter */
	ret = uio_start(t, s);
	if (ret)
		__ooh_uio_stop(t);
	return ret;
}

/*
 * The pages of the tracked process that map the frames of the GPA entries
 * @gpas, from the module (OOH_SPML_IOC_RESOLVE), into @out.
 */
static int uio_resolve(struct ooh_tracker *t, struct uio_state *s,
		       const struct __ooh_pageset *gpas,
		       struct __ooh_pageset *out, unsigned int *flags)
{
	for (size_t k = 0; k < gpas->nr;) {
		size_t n = gpas->nr - k < OOH_SPML_RESOLVE_MAX ?
			   gpas->nr - k : OOH_SPML_RESOLVE_MAX;
		size_t want = 4 * n + 4096;	/* a frame may map k times */
		struct ooh_spml_resolve rq = { 0 };
		uint32_t drop;
		uint64_t t0;

		if (s->va_cap < want) {
			uint64_t *v = realloc(s->va, want * sizeof(*v));

			if (!v)
				return __ooh_err(ENOMEM, "out of memory");
			s->va = v;
			s->va_cap = want;
		}
		rq.gpa_addr = (uintptr_t)(gpas->v + k);
		rq.va_addr = (uintptr_t)s->va;
		rq.nr = (uint32_t)n;
		rq.max_va = (uint32_t)want;
		t0 = __ooh_now_ns();
		if (ioctl(s->ctl, OOH_SPML_IOC_RESOLVE, &rq))
			return __ooh_err(errno, "OOH_SPML_IOC_RESOLVE: %s%s",
					 strerror(errno), errno == ENOTTY ?
					 " (ooh_pml.ko older than libooh: "
					 "OOH_COLLECT=pagemap)" : "");
		t->stats.resolve_ns += __ooh_now_ns() - t0;
		t->stats.resolved_frames += rq.frames;
		t->stats.resolve_candidates += rq.candidates;
		t->stats.resolve_drops += rq.drops;
		if (rq.flags & OOH_SPML_RESOLVE_F_ALL) {
			t->stats.resolve_fallbacks++;
			*flags |= OOH_FETCH_ALL;
		}
		/*
		 * "resolve-drop" loses the middle page of each answer: the
		 * first is often the tracker's own stack or heap, written
		 * right after the previous fetch, which no test checks
		 */
		drop = rq.nr_va && __ooh_fault("resolve-drop") ? rq.nr_va / 2 : UINT32_MAX;
		for (uint32_t i = 0; i < rq.nr_va; i++)
			if (i != drop && __ooh_pageset_add(out, s->va[i]))
				return -ENOMEM;
		k += n;
	}
	return 0;
}

/* Is @v in the sorted page set @s? */
static bool in_set(const struct __ooh_pageset *s, uint64_t v)
{
	size_t lo = 0, hi = s->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->v[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->nr && s->v[lo] == v;
}

/*
 * OOH_COLLECT=diff: the pagemap path's pages @old and the resolver's @new
 * (each without the GVA entries, which both share in @out): count what
 * only one found, then report the union.
 */
static int diff_merge(struct ooh_tracker *t, struct __ooh_pageset *old,
		      struct __ooh_pageset *new, struct __ooh_pageset *out)
{
	__ooh_pageset_sort_unique(out);
	__ooh_pageset_sort_unique(old);
	__ooh_pageset_sort_unique(new);
	for (size_t i = 0; i < old->nr; i++)
		t->stats.diff_pagemap_only += !in_set(out, old->v[i]) &&
					      !in_set(new, old->v[i]);
	for (size_t i = 0; i < new->nr; i++)
		t->stats.diff_resolve_only += !in_set(out, new->v[i]) &&
					      !in_set(old, new->v[i]);
	for (size_t i = 0; i < old->nr; i++)
		if (__ooh_pageset_add(out, old->v[i]))
			return -ENOMEM;
	for (size_t i = 0; i < new->nr; i++)
		if (__ooh_pageset_add(out, new->v[i]))
			return -ENOMEM;
	return 0;
}

int __ooh_uio_collect(struct ooh_tracker *t, struct __ooh_pageset *out,
			unsigned int *flags)
{
	struct uio_state *s = t->priv;
	struct ooh_spml_sync sync = {
		.fence_addr = (uintptr_t)s->fence,
		.nr_vcpus = s->tr.nr_vcpus,
	};
	struct __ooh_pageset old = { 0 }, new = { 0 };
	struct __ooh_pageset *gpas = NULL;
	struct __ooh_rmap *m = NULL;
	uint64_t lost = 0, t0 = __ooh_now_ns();
	int ret;

	/*
	 * ooh_fetch_last(): Xen's rearm may be left out; the module owes it
	 * then and reports the next SYNC as an overflow.  A module without
	 * the flag refuses it before doing anything (EINVAL): SYNC as usual.
	 */
	if (t->fetch_last && !s->no_rearm_unknown)
		sync.flags = OOH_SPML_SYNC_NO_REARM;
	ret = ioctl(s->ctl, OOH_SPML_IOC_SYNC, &sync);
	if (ret && errno == EINVAL && sync.flags) {
		s->no_rearm_unknown = true;
		sync.flags = 0;
		ret = ioctl(s->ctl, OOH_SPML_IOC_SYNC, &sync);
	}
	if (ret)
		return __ooh_err(errno == EIO ? ENODEV : errno,
				 "OOH_SPML_IOC_SYNC: %s%s", strerror(errno),
				 errno == EIO ? " (Xen disarmed SPML for this "
				 "domain: grant withdrawn or a device model "
				 "attached)" : errno == ESRCH ? " (the tracked "
				 "process exited or exec'd: its address space "
				 "is gone)" : "");
	t->stats.sync_ns += __ooh_now_ns() - t0;
	/*
	 * The module re-armed and cleared the rings' overflow bits: from
	 * here on an error loses this interval, which ooh_fetch() then
	 * reports whole at the next fetch.
	 */
	if (__ooh_fault("uio-synced"))
		return __ooh_err(EIO, "fault injected at uio-synced");
	if (s->mode != COLLECT_RESOLVE) {
		ret = __ooh_rmap_build(t, s->prev, s->mode == COLLECT_DIFF ?
				       &old : out, &m);
		if (ret)
			return ret;
	}
	if (s->mode != COLLECT_PAGEMAP) {
		s->gpas.nr = 0;
		gpas = &s->gpas;
	}
	if (sync.flags & OOH_RING_F_OVERFLOW)
		*flags |= OOH_FETCH_ALL;	/* dropped before the fence */
	t->lost = 0;
	for (uint32_t v = 0; v < s->tr.nr_vcpus; v++) {
		struct ooh_ring_hdr *h = (void *)((char *)s->map +
						  v * s->tr.ring_bytes);
		unsigned int f = 0;
		long n;

		if (OOH_READ_ONCE(h->flags) & OOH_RING_F_DISARMED) {
			ret = __ooh_err(ENODEV, "vCPU %u ring: Xen disarmed "
					"SPML (toolstack revoked it)", v);
			goto out;
		}
		n = __ooh_ring_consume(h, gpas ? NULL : m, gpas, &s->fence[v],
				       out, &f, &lost);
		if (n < 0) {
			ret = (int)n;
			goto out;
		}
		*flags |= f;
		t->lost += lost;
		if (__ooh_fault("uio-ring")) {
			ret = __ooh_err(EIO, "fault injected at uio-ring");
			goto out;
		}
	}
	ret = 0;
	if (gpas)
		ret = uio_resolve(t, s, gpas, s->mode == COLLECT_DIFF ? &new : out,
				  flags);
	/* diff: the pagemap path's lookups of the same entries */
	for (size_t i = 0; !ret && m && gpas && i < gpas->nr; i++) {
		uint64_t e = gpas->v[i], a = e & OOH_ENTRY_ADDR_MASK;

		if (e & OOH_ENTRY_2M)
			a &= ~((2ull << 20) - 1);
		ret = __ooh_rmap_lookup(m, a >> OOH_PAGE_SHIFT,
					(e & OOH_ENTRY_2M) ? 512 : 1, &old);
	}
	if (!ret && s->mode == COLLECT_DIFF)
		ret = diff_merge(t, &old, &new, out);
out:
	__ooh_pageset_free(&old);
	__ooh_pageset_free(&new);
	if (ret) {
		__ooh_rmap_free(m);
		return ret;
	}
	__ooh_rmap_free(s->prev);
	s->prev = m;
	return 0;
}

void __ooh_uio_fini(struct ooh_tracker *t)
{
	struct uio_state *s = t->priv;

	__ooh_pageset_free(&s->gpas);
	free(s->va);
	free(s);
}
