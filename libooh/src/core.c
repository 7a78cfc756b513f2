/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * core.c - tracker life cycle, backend selection, result assembly.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "tracefile.h"

/* The one list of backends: ooh_backends() order, and "auto"'s candidates
 * (best first) marked by .in_auto. */
static const struct {
	const struct __ooh_backend *be;
	bool in_auto;
} backends[] = {
	{ &__ooh_be_epml, true },
	{ &__ooh_be_spml, true },
	{ &__ooh_be_pagemap_scan, true },
	{ &__ooh_be_uffd_wp, true },
	{ &__ooh_be_softdirty, true },
	{ &__ooh_be_mprotect, false },	/* self only, no kernel writes */
	{ &__ooh_be_ring_loopback, false },	/* a test of the ring path */
	{ &__ooh_be_trace, false },	/* replays $OOH_TRACE */
};
#define NR_BACKENDS (sizeof(backends) / sizeof(backends[0]))

static const char *backend_names[NR_BACKENDS + 1];	/* NULL-terminated */
static pthread_once_t names_once = PTHREAD_ONCE_INIT;

static void fill_names(void)
{
	for (size_t i = 0; i < NR_BACKENDS; i++)
		backend_names[i] = backends[i].be->name;
}

__ooh_public int ooh_major_version(void)
{
	return OOH_VERSION_MAJOR;
}

__ooh_public int ooh_minor_version(void)
{
	return OOH_VERSION_MINOR;
}

__ooh_public bool ooh_check_version(int major, int minor)
{
	return OOH_VERSION_MAJOR > major ||
	       (OOH_VERSION_MAJOR == major && OOH_VERSION_MINOR >= minor);
}

__ooh_public const char *const *ooh_backends(void)
{
	pthread_once(&names_once, fill_names);
	return backend_names;
}

static const struct __ooh_backend *find_backend(const char *name)
{
	for (size_t i = 0; i < NR_BACKENDS; i++)
		if (!strcmp(backends[i].be->name, name))
			return backends[i].be;
	return NULL;
}

__ooh_public int ooh_backend_probe(const char *name)
{
	const struct __ooh_backend *be;

	__ooh_clear_error();
	if (!name)
		return __ooh_err(EINVAL, "no backend name");
	be = find_backend(name);
	if (!be)
		return __ooh_err(ENOENT, "unknown backend '%s'", name);
	return be->probe();
}

__ooh_public int ooh_open(const char *name, struct ooh_tracker **out)
{
	const struct __ooh_backend *be = NULL;
	struct ooh_tracker *t;
	int ret;

	__ooh_clear_error();
	*out = NULL;
	if (!name || !strcmp(name, "auto")) {
		char why[1536] = "";	/* each reason is cut at 200 bytes */

		for (size_t i = 0; i < NR_BACKENDS && !be; i++) {
			if (!backends[i].in_auto)
				continue;
			if (backends[i].be->probe() == 0)
				be = backends[i].be;
			else
				snprintf(why + strlen(why),
					 sizeof(why) - strlen(why), "%s%s: %.200s",
					 i ? "; " : "", backends[i].be->name,
					 ooh_last_error());
		}
		if (!be)
			return __ooh_err(EOPNOTSUPP, "no backend works here (%s)",
					 why);
		__ooh_clear_error();	/* the skipped backends' reasons are not ours */
	} else {
		be = find_backend(name);
		if (!be)
			return __ooh_err(ENOENT, "unknown backend '%s'", name);
		ret = be->probe();
		if (ret)
			return ret;
	}

	t = calloc(1, sizeof(*t));
	if (!t)
		return __ooh_err(ENOMEM, "out of memory");
	t->be = be;
	ret = be->init ? be->init(t) : 0;
	if (ret) {
		free(t);
		return ret;
	}
	*out = t;
	return 0;
}

__ooh_public const char *ooh_backend_name(const struct ooh_tracker *t)
{
	return t->be->name;
}

__ooh_public unsigned int ooh_caps(const struct ooh_tracker *t)
{
	return t->be->caps;
}

/* ooh_stop() without touching ooh_last_error(): a failed ooh_track()
 * undoes its ranges and keeps the reason it failed. */
static void stop_tracking(struct ooh_tracker *t)
{
	if (t->be->stop)
		t->be->stop(t);
	for (size_t i = 0; i < t->nr_ranges; i++)
		__ooh_record_range(t, OOH_TRACE_UNTRACK, t->ranges[i].start,
				   t->ranges[i].end);
	t->nr_ranges = 0;
	t->whole_mm = false;
	t->tracking = false;
	t->all_next = false;	/* a new ooh_track() reports its ranges whole */
}

static int check_pid(struct ooh_tracker *t, pid_t pid)
{
	pid_t self = getpid();
	char path[64];
	int fd;

	if (pid == 0)
		pid = self;
	if (pid < 0)
		return __ooh_err(EINVAL, "invalid pid %d", pid);
	if (t->nr_ranges || t->whole_mm) {
		if (pid != t->pid)
			return __ooh_err(EINVAL, "tracker already tracks pid %d",
					 t->pid);
		return 0;
	}
	if (kill(pid, 0) && errno == ESRCH)
		return __ooh_err(ESRCH, "no process with pid %d", pid);
	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == EACCES || errno == EPERM)
			return __ooh_err(EPERM, "no permission to trace pid %d",
					 pid);
		return __ooh_err(errno == ENOENT ? ESRCH : errno,
				 "cannot open %s: %s", path, strerror(errno));
	}
	close(fd);
	if (pid != self && !(t->be->caps & OOH_CAP_OTHER))
		return __ooh_err(EOPNOTSUPP,
				 "backend %s can only track the calling process",
				 t->be->name);
	if (pid == self && !(t->be->caps & OOH_CAP_SELF))
		return __ooh_err(EOPNOTSUPP,
				 "backend %s cannot track the calling process",
				 t->be->name);
	t->pid = pid;
	t->self = pid == self;
	t->mm_sig = t->self ? 0 : __ooh_mm_sig(pid);
	return 0;
}

/* Is @pid a zombie (state Z in /proc/PID/stat), or gone? */
static bool exited(pid_t pid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return true;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return true;
	buf[n] = 0;
	p = strrchr(buf, ')');	/* the command name may hold anything */
	return !p || p[1] != ' ' || p[2] == 'Z' || p[2] == 'X';
}

/*
 * Another process's address space, @sig (__ooh_mm_sig()), checked against
 * the one ooh_track() took: an exec'd target keeps its pid but not its
 * address space, and a backend's errors then (-ESRCH, -ENOMEM) or its
 * silence would mislead.  0, or -ESRCH with "exited" or "exec'd" in
 * ooh_last_error().
 */
static int check_mm_sig(struct ooh_tracker *t, uint64_t sig)
{
	if (t->self || !t->mm_sig)
		return 0;
	/*
	 * 1: no [vdso]/[stack] left: a zombie, or a process inside exec(2)
	 * whose new address space has neither yet; 0: no maps
	 */
	if (sig <= 1 && (sig == 1 || (kill(t->pid, 0) && errno == ESRCH)) &&
	    exited(t->pid))
		return __ooh_err(ESRCH, "process %d exited", t->pid);
	if (sig == 1 || (sig > 1 && sig != t->mm_sig))
		return __ooh_err(ESRCH, "process %d exec'd: the tracked "
				 "address space is gone (track it again)",
				 t->pid);
	return 0;
}

/* check_mm_sig() of the address space now (a /proc/PID/maps read) */
static int check_mm(struct ooh_tracker *t)
{
	return t->self || !t->mm_sig ? 0 : check_mm_sig(t, __ooh_mm_sig(t->pid));
}

static int add_range(struct ooh_tracker *t, uint64_t start, uint64_t end)
{
	struct __ooh_range *r;
	int ret;

	if (t->nr_ranges == t->cap_ranges) {
		size_t cap = t->cap_ranges ? 2 * t->cap_ranges : 8;

		r = realloc(t->ranges, cap * sizeof(*r));
		if (!r)
			return __ooh_err(ENOMEM, "out of memory");
		t->ranges = r;
		t->cap_ranges = cap;
	}
	r = &t->ranges[t->nr_ranges];
	*r = (struct __ooh_range){ .start = start, .end = end, .fresh = true };
	ret = t->be->track(t, r);
	/*
	 * Another process may exec meanwhile: the ranges came from one
	 * address space and the backend's descriptor from another, so its
	 * error (-ENOMEM from UFFDIO_REGISTER) would mislead.
	 */
	if (ret && check_mm(t))
		return -ESRCH;
	if (ret)
		return ret;
	t->nr_ranges++;
	__ooh_record_range(t, OOH_TRACE_RANGE, start, end);
	return 0;
}

__ooh_public int ooh_track(struct ooh_tracker *t, pid_t pid, void *addr,
			   size_t len)
{
	uint64_t start = (uintptr_t)addr, end = start + len;
	int ret;

	__ooh_clear_error();
	if ((start | len) & (OOH_PAGE_SIZE - 1))
		return __ooh_err(EINVAL, "range %#llx+%#zx is not page-aligned",
				 (unsigned long long)start, len);
	if (end < start)
		return __ooh_err(EINVAL, "range %#llx+%#zx wraps around the end "
				 "of the address space",
				 (unsigned long long)start, len);
	if (t->whole_mm)
		return __ooh_err(EINVAL, "tracker already tracks the whole "
				 "address space");
	ret = check_pid(t, pid);
	if (ret)
		return ret;

	if (start == 0 && len == 0) {
		struct __ooh_range *rs;
		size_t nr;

		if (!(t->be->caps & OOH_CAP_WHOLE_MM))
			return __ooh_err(EOPNOTSUPP, "backend %s cannot track "
					 "a whole address space", t->be->name);
		if (t->nr_ranges)
			return __ooh_err(EINVAL, "tracker already tracks ranges");
		t->whole_mm = true;	/* backends may refuse in track() */
		if (t->be->caps & OOH_CAP_NEW_MAPPINGS) {
			ret = add_range(t, 0, 0);
		} else {
			ret = __ooh_writable_ranges(t->pid, &rs, &nr, NULL);
			for (size_t i = 0; !ret && i < nr; i++)
				ret = add_range(t, rs[i].start, rs[i].end);
			if (ret)
				stop_tracking(t);
			free(nr ? rs : NULL);
		}
		if (ret) {
			t->whole_mm = false;
			return ret;
		}
		t->tracking = true;
		return 0;
	}
	if (len == 0)
		return __ooh_err(EINVAL, "empty range");
	for (size_t i = 0; i < t->nr_ranges; i++)
		if (start < t->ranges[i].end && t->ranges[i].start < end)
			return __ooh_err(EINVAL, "range %#llx-%#llx overlaps a "
					 "tracked range",
					 (unsigned long long)start,
					 (unsigned long long)end);
	/*
	 * Refuse what the target has not mapped (unmapped, NULL, half
	 * unmapped, 1 TiB past a buffer) before any backend touches it: the
	 * uffd backends took the kernel's EINVAL for "unregistrable memory"
	 * and accepted it, mprotect protected the mapped head and failed.
	 */
	ret = __ooh_range_mapped(t->pid, start, end);
	if (ret)
		return ret;
	ret = add_range(t, start, end);
	if (ret)
		return ret;
	if (!t->tracking) {
		memset(&t->stats, 0, sizeof(t->stats));
		t->tracking = true;
	}
	return 0;
}

__ooh_public int ooh_untrack(struct ooh_tracker *t, void *addr, size_t len)
{
	uint64_t start = (uintptr_t)addr, end = start + len;

	__ooh_clear_error();
	for (size_t i = 0; i < t->nr_ranges; i++) {
		struct __ooh_range *r = &t->ranges[i];

		if (r->start != start || r->end != end)
			continue;
		if (t->be->untrack)
			t->be->untrack(t, r);
		__ooh_record_range(t, OOH_TRACE_UNTRACK, start, end);
		t->ranges[i] = t->ranges[--t->nr_ranges];
		return 0;
	}
	return __ooh_err(EINVAL, "range %#llx-%#llx is not tracked",
			 (unsigned long long)start, (unsigned long long)end);
}

/* Every page that may hold data in the tracked ranges (OOH_FETCH_ALL). */
static int all_mapped(struct ooh_tracker *t, struct __ooh_pageset *out,
		      bool only_fresh)
{
	return __ooh_pagemap_walk(t, only_fresh, __ooh_add_mapped, out);
}

/*
 * The tracked process's io_uring registered buffers, whole: the kernel
 * writes into them through a long-term pin (READ_FIXED), which no
 * write-protect backend sees.  filter_ranges() keeps the tracked part.
 */
static int add_uring_buffers(struct ooh_tracker *t, struct __ooh_pageset *out)
{
	struct __ooh_range *b = NULL;
	size_t nr = 0;
	int ret = __ooh_uring_buffers(t->pid, &b, &nr);

	for (size_t i = 0; !ret && i < nr; i++)
		ret = __ooh_pageset_add_range(out, b[i].start, b[i].end);
	free(b);
	return ret == -ESRCH ? 0 : ret;	/* gone: the next fetch says so */
}

/* Keep only pages inside tracked ranges (ranges may be unsorted). */
static void filter_ranges(struct ooh_tracker *t, struct __ooh_pageset *s)
{
	size_t j = 0;

	if (t->nr_ranges == 1 && t->ranges[0].start == t->ranges[0].end)
		return;		/* whole address space */
	for (size_t i = 0; i < s->nr; i++) {
		for (size_t k = 0; k < t->nr_ranges; k++) {
			if (s->v[i] >= t->ranges[k].start &&
			    s->v[i] < t->ranges[k].end) {
				s->v[j++] = s->v[i];
				break;
			}
		}
	}
	s->nr = j;
}

/*
 * Whole-mm tracking on a backend that protects ranges: register writable
 * mappings that appeared (or grew) since the last fetch.  They are added
 * fresh, so every present page in them is reported this time.  The same
 * read of the maps checks the address space first (check_mm_sig()), for
 * a backend that does not see it go: one read per fetch, not two.
 */
static int refresh_whole_mm(struct ooh_tracker *t)
{
	struct __ooh_range *vma = NULL;
	size_t nr = 0;
	uint64_t sig;
	int ret = __ooh_writable_ranges(t->pid, &vma, &nr, &sig);

	if (ret && !t->be->mm_gone && check_mm(t))
		return -ESRCH;
	if (ret)
		return ret == -ESRCH ? 0 : ret;	/* gone: collect reports it */
	if (!t->be->mm_gone && check_mm_sig(t, sig)) {
		free(vma);
		return -ESRCH;
	}
	for (size_t i = 0; !ret && i < nr; i++) {
		uint64_t s = vma[i].start;

		while (!ret && s < vma[i].end) {
			uint64_t e = vma[i].end;
			bool covered = false;

			for (size_t k = 0; k < t->nr_ranges; k++) {
				const struct __ooh_range *r = &t->ranges[k];

				if (r->start <= s && s < r->end) {
					s = r->end;	/* skip covered part */
					covered = true;
					break;
				}
				if (s < r->start && r->start < e)
					e = r->start;	/* stop at next */
			}
			if (!covered && s < e) {
				ret = add_range(t, s, e);
				s = e;
			}
		}
	}
	free(vma);
	return ret == -ESRCH ? 0 : ret;	/* gone: collect reports it */
}

static int fetch(struct ooh_tracker *t, struct ooh_dirty *d, bool last)
{
	uint64_t t0 = __ooh_now_ns(), dt;
	unsigned int flags = 0;
	int ret;

	__ooh_clear_error();
	memset(d, 0, sizeof(*d));
	if (!t->tracking)
		return __ooh_err(EINVAL, "tracker is not tracking");
	t->result.nr = 0;
	/*
	 * A backend that sees the address space go (mm_gone) answers
	 * -ESRCH itself; the maps are read only then, to say why.  The
	 * check costs a /proc/PID/maps read, 2 ms of guest time per fetch
	 * under Bochs, more than the fetch's SYNC.
	 */
	if (t->whole_mm && !(t->be->caps & OOH_CAP_NEW_MAPPINGS))
		ret = refresh_whole_mm(t);	/* checks the mm too */
	else
		ret = t->be->mm_gone ? 0 : check_mm(t);
	if (ret)
		return ret;
	/*
	 * From here on a failure may have consumed the backend's log or
	 * re-armed it: whatever this interval held would be missing from the
	 * next fetch, so that one reports everything instead.
	 */
	t->fetch_last = last;
	ret = t->be->collect(t, &t->result, &flags);
	t->fetch_last = false;
	if (ret == -ESRCH) {	/* a backend that saw the mm go, or raced an exec */
		char why[256];

		/* keep the backend's reason unless the maps say more */
		snprintf(why, sizeof(why), "%s", ooh_last_error());
		if (!check_mm(t))
			__ooh_err(ESRCH, "%s", why);
	}
	if (!ret && __ooh_fault("fetch-collected"))
		ret = __ooh_err(EIO, "fault injected at fetch-collected");
	if (ret)
		goto failed;
	if (t->all_next)
		flags |= OOH_FETCH_ALL;
	if (flags & OOH_FETCH_ALL) {
		t->result.nr = 0;
		ret = all_mapped(t, &t->result, false);
	} else {
		ret = all_mapped(t, &t->result, true);
	}
	if (!ret && t->be->pin_bufs)
		ret = add_uring_buffers(t, &t->result);
	if (ret)
		goto failed;
	t->all_next = false;
	for (size_t i = 0; i < t->nr_ranges; i++)
		t->ranges[i].fresh = false;
	__ooh_pageset_sort_unique(&t->result);
	filter_ranges(t, &t->result);

	d->pages = t->result.v;
	d->nr_pages = t->result.nr;
	d->flags = flags;
	d->lost = t->lost;
	dt = __ooh_now_ns() - t0;
	t->stats.fetches++;
	t->stats.pages_reported += d->nr_pages;
	t->stats.fetch_ns += dt;
	if (dt > t->stats.fetch_ns_max)
		t->stats.fetch_ns_max = dt;
	if (flags & OOH_FETCH_ALL)
		t->stats.overflows++;
	t->stats.lost = t->lost;
	/* The result stays in *d if the trace write failed (ooh_record()). */
	ret = __ooh_record_interval(t, t0, dt, d->pages, d->nr_pages, flags,
				    d->lost);
	if (ret)
		return ret;
	return d->nr_pages > INT32_MAX ? INT32_MAX : (int)d->nr_pages;

failed:
	t->all_next = true;
	return ret;
}

__ooh_public int ooh_fetch(struct ooh_tracker *t, struct ooh_dirty *d)
{
	return fetch(t, d, false);
}

__ooh_public int ooh_fetch_last(struct ooh_tracker *t, struct ooh_dirty *d)
{
	return fetch(t, d, true);
}

__ooh_public int ooh_stats(const struct ooh_tracker *t, struct ooh_stats *st)
{
	*st = t->stats;
	return 0;
}

__ooh_public int ooh_stop(struct ooh_tracker *t)
{
	__ooh_clear_error();
	stop_tracking(t);
	return 0;
}

__ooh_public void ooh_close(struct ooh_tracker *t)
{
	if (!t)
		return;
	ooh_stop(t);
	__ooh_record_close(t);
	if (t->be->fini)
		t->be->fini(t);
	free(t->ranges);
	__ooh_pageset_free(&t->result);
	free(t);
}
