/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * uffd.c - the userfaultfd backends.
 *
 * uffd-wp (synchronous): ranges are registered in MISSING|WP mode
 * (Documentation/admin-guide/mm/userfaultfd.rst).  A handler thread takes
 * each write-protect fault, records the page and removes the protection
 * (UFFDIO_WRITEPROTECT mode 0, which wakes the writer).  Missing pages are
 * resolved with a zero page: write-protected for a read fault (so the
 * next write faults), recorded as dirty for a write fault.  This works on
 * Linux >= 5.7, including Debian 12's 6.1 guest kernel.
 *
 * pagemap-scan (asynchronous): UFFD_FEATURE_WP_ASYNC (Linux 6.7) lets the
 * kernel resolve write-protect faults itself by clearing the PTE's uffd-wp
 * bit; PAGEMAP_SCAN with PM_SCAN_WP_MATCHING reports pages whose bit is
 * clear (PAGE_IS_WRITTEN) and re-protects them in the same page-table walk,
 * so no write can fall between collection and re-arming.
 * UFFD_FEATURE_WP_UNPOPULATED makes never-touched pages count too.
 * The sync mode uses it as well where the kernel has it (6.4+), instead of
 * MISSING mode, and then also takes REMOVE events (MADV_DONTNEED).
 *
 * Both request UNMAP and REMAP events: a tracked range that is unmapped
 * (munmap, mmap MAP_FIXED over it) loses its registration, so it is marked
 * to be re-registered and reported whole at the next fetch; an mremap()
 * destination is reported whole.  Writes the kernel makes into tracked
 * memory (read(2) into a buffer) fault like user writes (no
 * UFFD_USER_MODE_ONLY), so both report them.
 *
 * Ranges a userfaultfd cannot register (private file mappings in sync
 * mode) are never silently dropped: every present page of them is
 * reported at each fetch.
 *
 * Another process is tracked through a userfaultfd created inside it
 * (remote.c): a userfaultfd acts on the mm of the process that created it.
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"
#include "uapi-compat.h"

struct uffd_range {
	uint64_t start, end;
	bool registered;	/* false: reported whole every fetch */
	bool lost;		/* unmapped or remapped since the last fetch */
};

struct uffd_state {
	bool async;		/* pagemap-scan */
	bool markers;		/* sync with WP_UNPOPULATED: no MISSING mode */
	int uffd;
	int pagemap_fd;
	int stop_pipe[2];
	pthread_t thread;
	bool thread_started;
	pthread_mutex_t lock;	/* protects everything below */
	struct uffd_range *r;
	size_t nr, cap;
	struct __ooh_pageset dirty;	/* pages faulted this interval (sync),
					 * and report_all()'s pages */
	struct __ooh_range *whole;	/* ranges to report whole */
	size_t nr_whole, cap_whole;
	uint64_t faults;
	void *zero;		/* one zero page for UFFDIO_COPY */
	int error;		/* handler failure, reported by collect */
	bool ksm;		/* KSM seen active in the process (sync) */
};

static int uffd_open(pid_t pid, uint64_t features, uint64_t *got)
{
	struct uffdio_api api = { .api = UFFD_API, .features = features };
	int fd;

	if (pid && pid != getpid()) {
		fd = __ooh_remote_userfaultfd(pid, O_CLOEXEC | O_NONBLOCK);
		if (fd < 0)
			return fd;
	} else {
		fd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	}
	if (fd < 0) {
		if (errno == EPERM)
			return __ooh_err(EPERM, "userfaultfd not permitted "
					 "(vm.unprivileged_userfaultfd=0 and no "
					 "CAP_SYS_PTRACE)");
		return __ooh_err(errno == ENOSYS ? EOPNOTSUPP : errno,
				 "userfaultfd: %s", strerror(errno));
	}
	if (ioctl(fd, UFFDIO_API, &api)) {
		int e = errno;

		close(fd);
		return __ooh_err(e == EINVAL ? EOPNOTSUPP : e,
				 "UFFDIO_API with features %#llx: %s",
				 (unsigned long long)features, strerror(e));
	}
	if (got)
		*got = api.features;
	return fd;
}

/* Which features does this kernel offer (UFFDIO_API with features 0)? */
static int uffd_features(uint64_t *features)
{
	int fd = uffd_open(0, 0, features);

	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

#define SYNC_FEATURES (UFFD_FEATURE_PAGEFAULT_FLAG_WP | \
		       UFFD_FEATURE_EVENT_UNMAP | UFFD_FEATURE_EVENT_REMAP)
#define ASYNC_FEATURES (UFFD_FEATURE_WP_ASYNC | UFFD_FEATURE_WP_UNPOPULATED | \
			UFFD_FEATURE_EVENT_UNMAP | UFFD_FEATURE_EVENT_REMAP)

static int probe_sync(void)
{
	uint64_t f;
	int ret = uffd_features(&f);

	if (ret)
		return ret;
	if ((f & SYNC_FEATURES) != SYNC_FEATURES)
		return __ooh_err(EOPNOTSUPP, "kernel lacks userfaultfd "
				 "write-protect (Linux >= 5.7, "
				 "CONFIG_HAVE_ARCH_USERFAULTFD_WP)");
	return 0;
}

static int probe_async(void)
{
	struct pm_scan_arg arg = { .size = sizeof(arg) };
	uint64_t f;
	int ret = uffd_features(&f), fd;

	if (ret)
		return ret;
	if ((f & ASYNC_FEATURES) != ASYNC_FEATURES)
		return __ooh_err(EOPNOTSUPP, "kernel lacks "
				 "UFFD_FEATURE_WP_ASYNC/WP_UNPOPULATED "
				 "(Linux >= 6.7)");
	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return __ooh_err(errno, "/proc/self/pagemap: %s",
				 strerror(errno));
	/* An empty scan: ENOTTY if the kernel has no PAGEMAP_SCAN. */
	ret = ioctl(fd, PAGEMAP_SCAN, &arg);
	ret = ret < 0 ? errno : 0;
	close(fd);
	if (ret == ENOTTY)
		return __ooh_err(EOPNOTSUPP, "kernel lacks the PAGEMAP_SCAN "
				 "ioctl (Linux >= 6.7)");
	return 0;
}

static int uffd_wp(int uffd, uint64_t start, uint64_t end, bool protect)
{
	struct uffdio_writeprotect wp = {
		.range = { .start = start, .len = end - start },
		.mode = protect ? UFFDIO_WRITEPROTECT_MODE_WP : 0,
	};

	/*
	 * -EAGAIN: a non-cooperative event (unmap, remap, remove) is queued
	 * and not yet read; callers must let the handler thread read it
	 * (never spin here holding s->lock).
	 */
	return ioctl(uffd, UFFDIO_WRITEPROTECT, &wp) ? -errno : 0;
}

/* Register [start,end) and write-protect it.  Returns 0 or -errno. */
static int uffd_register(struct uffd_state *s, uint64_t start, uint64_t end)
{
	struct uffdio_register reg = {
		.range = { .start = start, .len = end - start },
		.mode = UFFDIO_REGISTER_MODE_WP |
			(s->async || s->markers ? 0 :
			 UFFDIO_REGISTER_MODE_MISSING),
	};

	if (ioctl(s->uffd, UFFDIO_REGISTER, &reg))
		return -errno;
	return uffd_wp(s->uffd, start, end, true);
}

/* Caller holds s->lock.  Queue [start,end) to be reported whole. */
static void report_whole(struct uffd_state *s, uint64_t start, uint64_t end)
{
	if (s->nr_whole == s->cap_whole) {
		size_t cap = s->cap_whole ? 2 * s->cap_whole : 16;
		struct __ooh_range *w = realloc(s->whole, cap * sizeof(*w));

		if (!w) {
			s->error = ENOMEM;
			return;
		}
		s->whole = w;
		s->cap_whole = cap;
	}
	s->whole[s->nr_whole++] = (struct __ooh_range){ start, end, false };
}

/*
 * Caller holds s->lock.  Every page of [start,end) that lies in a tracked
 * range is dirty, present or not: a page written and then dropped from
 * the page table (MADV_DONTNEED, MADV_PAGEOUT, reclaim of a MAP_SHARED
 * file page) changed in the file or became zero, yet is not present at
 * the fetch, so "present pages" would miss it.
 */
static void report_all(struct uffd_state *s, uint64_t start, uint64_t end)
{
	for (size_t i = 0; i < s->nr; i++) {
		uint64_t a = start > s->r[i].start ? start : s->r[i].start;
		uint64_t b = end < s->r[i].end ? end : s->r[i].end;

		if (a < b && __ooh_pageset_add_range(&s->dirty, a, b))
			s->error = ENOMEM;
	}
}

/* Resolve one page fault (sync mode).  Caller holds s->lock. */
static int handle_fault(struct uffd_state *s, const struct uffd_msg *m)
{
	uint64_t page = m->arg.pagefault.address & OOH_PAGE_MASK;
	uint64_t fl = m->arg.pagefault.flags;

	s->faults++;
	if (fl & UFFD_PAGEFAULT_FLAG_WP) {
		if (__ooh_pageset_add(&s->dirty, page))
			return -ENOMEM;
		return uffd_wp(s->uffd, page, page + OOH_PAGE_SIZE, false);
	}
	/* Missing page: install a zero page. */
	struct uffdio_copy cp = {
		.dst = page, .src = (uintptr_t)s->zero, .len = OOH_PAGE_SIZE,
		.mode = (fl & UFFD_PAGEFAULT_FLAG_WRITE) ? 0 :
			UFFDIO_COPY_MODE_WP,
	};
	if ((fl & UFFD_PAGEFAULT_FLAG_WRITE) &&
	    __ooh_pageset_add(&s->dirty, page))
		return -ENOMEM;
	if (ioctl(s->uffd, UFFDIO_COPY, &cp) == 0)
		return 0;
	if (errno == EEXIST) {	/* raced with another fault: just wake */
		struct uffdio_range wr = { .start = page, .len = OOH_PAGE_SIZE };

		return ioctl(s->uffd, UFFDIO_WAKE, &wr) ? -errno : 0;
	}
	return -errno;		/* -EAGAIN: retried by the handler loop */
}

static void handle_event(struct uffd_state *s, const struct uffd_msg *m)
{
	switch (m->event) {
	case UFFD_EVENT_UNMAP:
		for (size_t i = 0; i < s->nr; i++)
			if (m->arg.remove.start < s->r[i].end &&
			    s->r[i].start < m->arg.remove.end)
				s->r[i].lost = true;
		break;
	case UFFD_EVENT_REMOVE:
		/*
		 * MADV_DONTNEED/REMOVE, delivered before the zap: zaps drop
		 * uffd-wp markers, so later first writes there do not
		 * fault, and a page written before the zap is gone from the
		 * page table (changed on disk for a MAP_SHARED file, zero
		 * for anonymous memory) without being present at the fetch.
		 * Report every page of the range at the next fetch; its
		 * re-protect installs markers again.
		 */
		report_all(s, m->arg.remove.start, m->arg.remove.end);
		break;
	case UFFD_EVENT_REMAP:
		for (size_t i = 0; i < s->nr; i++)
			if (m->arg.remap.from < s->r[i].end &&
			    s->r[i].start < m->arg.remap.from + m->arg.remap.len)
				s->r[i].lost = true;
		report_whole(s, m->arg.remap.to,
			     m->arg.remap.to + m->arg.remap.len);
		break;
	}
}

static void *handler_thread(void *arg)
{
	struct uffd_state *s = arg;
	struct uffd_msg msgs[64], retry[256];
	size_t nretry = 0;

	for (;;) {
		struct pollfd p[2] = {
			{ .fd = s->uffd, .events = POLLIN },
			{ .fd = s->stop_pipe[0], .events = POLLIN },
		};
		ssize_t n;
		size_t keep = 0;

		/* Faults that met -EAGAIN are retried every millisecond. */
		if (poll(p, 2, nretry ? 1 : -1) < 0 && errno != EINTR)
			break;
		if (p[1].revents)
			break;
		/*
		 * Reading completes queued events, which clears -EAGAIN.  Read
		 * under s->lock: madvise(MADV_DONTNEED) returns once its
		 * REMOVE event is read, and the process may then write the
		 * zapped page (no marker, no fault) and fetch; the fetch must
		 * find the event handled, not merely read.
		 */
		pthread_mutex_lock(&s->lock);
		n = read(s->uffd, msgs, sizeof(msgs));
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			pthread_mutex_unlock(&s->lock);
			break;
		}
		n = n < 0 ? 0 : n / (ssize_t)sizeof(msgs[0]);
		for (ssize_t i = 0; i < n; i++)
			if (msgs[i].event != UFFD_EVENT_PAGEFAULT)
				handle_event(s, &msgs[i]);
		for (size_t i = 0; i < nretry; i++) {
			int ret = handle_fault(s, &retry[i]);

			if (ret == -EAGAIN)
				retry[keep++] = retry[i];
			else if (ret && !s->error)
				s->error = -ret;
		}
		nretry = keep;
		for (ssize_t i = 0; i < n; i++) {
			int ret;

			if (msgs[i].event != UFFD_EVENT_PAGEFAULT)
				continue;
			ret = handle_fault(s, &msgs[i]);
			if (ret == -EAGAIN && nretry < 256)
				retry[nretry++] = msgs[i];
			else if (ret && !s->error)
				s->error = -ret;
		}
		pthread_mutex_unlock(&s->lock);
	}
	return NULL;
}

static int init_common(struct ooh_tracker *t, bool async)
{
	struct uffd_state *s = calloc(1, sizeof(*s));

	if (!s)
		return __ooh_err(ENOMEM, "out of memory");
	s->async = async;
	s->uffd = s->pagemap_fd = s->stop_pipe[0] = s->stop_pipe[1] = -1;
	pthread_mutex_init(&s->lock, NULL);
	s->zero = mmap(NULL, OOH_PAGE_SIZE, PROT_READ,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (s->zero == MAP_FAILED) {
		free(s);
		return __ooh_err(ENOMEM, "out of memory");
	}
	t->priv = s;
	return 0;
}

static int init_sync(struct ooh_tracker *t) { return init_common(t, false); }
static int init_async(struct ooh_tracker *t) { return init_common(t, true); }

/* First range of a tracking session: open the uffd, start the thread. */
static int start_session(struct ooh_tracker *t, struct uffd_state *s)
{
	sigset_t all, old;
	int ret;

	uint64_t avail = 0, want = s->async ? ASYNC_FEATURES : SYNC_FEATURES;

	/*
	 * Sync mode: with WP_UNPOPULATED (Linux 6.4) never-touched pages
	 * carry uffd-wp markers, so a first write is one write-protect fault
	 * instead of a MISSING fault plus a UFFDIO_COPY of a zero page.
	 */
	if (!s->async && !uffd_features(&avail) &&
	    (avail & UFFD_FEATURE_WP_UNPOPULATED) &&
	    !getenv("OOH_UFFD_NO_MARKERS"))
		want |= UFFD_FEATURE_WP_UNPOPULATED | UFFD_FEATURE_EVENT_REMOVE;
	s->markers = !s->async && (want & UFFD_FEATURE_WP_UNPOPULATED);
	ret = uffd_open(t->pid, want, NULL);
	if (ret < 0)
		return ret;
	s->uffd = ret;
	if (s->async) {
		ret = __ooh_pagemap_open(t->pid);
		if (ret < 0)
			goto err;
		s->pagemap_fd = ret;
	}
	if (pipe2(s->stop_pipe, O_CLOEXEC)) {
		ret = __ooh_err(errno, "pipe: %s", strerror(errno));
		goto err;
	}
	/* The handler must never take the tracked process's signals. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = pthread_create(&s->thread, NULL, handler_thread, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret) {
		ret = __ooh_err(ret, "pthread_create: %s", strerror(ret));
		goto err;
	}
	s->thread_started = true;
	return 0;
err:
	t->be->stop(t);
	return ret;
}

static int uffd_track(struct ooh_tracker *t, struct __ooh_range *r)
{
	struct uffd_state *s = t->priv;
	struct uffd_range *nr;
	int ret;

	if (!s->async && t->self && t->whole_mm)
		return __ooh_err(EOPNOTSUPP, "uffd-wp cannot track the whole "
				 "address space of the calling process (its "
				 "handler thread would fault on its own stack); "
				 "use pagemap-scan");
	if (s->uffd < 0) {
		ret = start_session(t, s);
		if (ret)
			return ret;
	}
	pthread_mutex_lock(&s->lock);
	if (s->nr == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 16;

		nr = realloc(s->r, cap * sizeof(*nr));
		if (!nr) {
			pthread_mutex_unlock(&s->lock);
			return __ooh_err(ENOMEM, "out of memory");
		}
		s->r = nr;
		s->cap = cap;
	}
	nr = &s->r[s->nr];
	*nr = (struct uffd_range){ .start = r->start, .end = r->end };
	ret = uffd_register(s, r->start, r->end);
	for (int tries = 0; ret == -EAGAIN && tries < 10000; tries++) {
		pthread_mutex_unlock(&s->lock);	/* let the handler read */
		usleep(100);
		pthread_mutex_lock(&s->lock);
		ret = uffd_register(s, r->start, r->end);
	}
	if (ret == 0) {
		nr->registered = true;
	} else if (ret != -EINVAL) {
		pthread_mutex_unlock(&s->lock);
		return __ooh_err(-ret, "UFFDIO_REGISTER %#llx-%#llx: %s",
				 (unsigned long long)r->start,
				 (unsigned long long)r->end, strerror(-ret));
	}
	/* -EINVAL: memory type a userfaultfd cannot register: whole. */
	s->nr++;
	pthread_mutex_unlock(&s->lock);
	return 0;
}

static int uffd_untrack(struct ooh_tracker *t, struct __ooh_range *r)
{
	struct uffd_state *s = t->priv;

	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; i < s->nr; i++) {
		if (s->r[i].start != r->start || s->r[i].end != r->end)
			continue;
		if (s->r[i].registered) {
			struct uffdio_range ur = {
				.start = r->start, .len = r->end - r->start,
			};

			uffd_wp(s->uffd, r->start, r->end, false);
			ioctl(s->uffd, UFFDIO_UNREGISTER, &ur);
		}
		s->r[i] = s->r[--s->nr];
		break;
	}
	pthread_mutex_unlock(&s->lock);
	return 0;
}

/*
 * Re-register a range that lost its registration (or never had one) and
 * report it whole.  Caller holds s->lock.
 */
static void rearm_lost(struct uffd_state *s, struct uffd_range *r)
{
	r->registered = uffd_register(s, r->start, r->end) == 0;
	r->lost = false;
	if (r->registered)
		report_whole(s, r->start, r->end);
	else		/* unwatched: every page, present or not, is dirty */
		report_all(s, r->start, r->end);
}

/* PAGEMAP_SCAN one registered range: written pages out, re-protected. */
static int scan_range(struct uffd_state *s, struct uffd_range *r,
		      struct __ooh_pageset *out)
{
	struct page_region vec[512];
	struct pm_scan_arg a = {
		.size = sizeof(a),
		.flags = PM_SCAN_WP_MATCHING | PM_SCAN_CHECK_WPASYNC,
		.start = r->start, .end = r->end,
		.vec = (uintptr_t)vec, .vec_len = 512,
		.category_mask = PAGE_IS_WRITTEN,
		.return_mask = PAGE_IS_WRITTEN,
	};

	while (a.start < r->end) {
		long n = ioctl(s->pagemap_fd, PAGEMAP_SCAN, &a);

		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			if (errno == EPERM) {	/* a VMA without WP_ASYNC */
				rearm_lost(s, r);
				return 0;
			}
			return __ooh_err(errno, "PAGEMAP_SCAN: %s",
					 strerror(errno));
		}
		for (long i = 0; i < n; i++)
			if (__ooh_pageset_add_range(out, vec[i].start,
						    vec[i].end))
				return -ENOMEM;
		if (a.walk_end <= a.start)
			break;
		a.start = a.walk_end;
	}
	return 0;
}

/* pagemap callback of report_ksm(): the pages it reports */
struct ksm_ctx {
	struct __ooh_pageset *out;
	const struct __ooh_range *mg;	/* mergeable VMAs, address order */
	size_t nmg;
};

static int add_ksm_exposed(uint64_t va, const uint64_t *pm, size_t nr,
			   void *arg)
{
	struct ksm_ctx *c = arg;
	size_t k = 0;

	for (size_t i = 0; i < nr; i++) {
		uint64_t a = va + i * OOH_PAGE_SIZE;

		while (k < c->nmg && c->mg[k].end <= a)
			k++;
		if (!(pm[i] & PM_PRESENT))
			continue;
		/* in a mergeable VMA, or lost its uffd-wp bit elsewhere */
		if ((k < c->nmg && c->mg[k].start <= a) ||
		    !(pm[i] & PM_UFFD_WP))
			if (__ooh_pageset_add(c->out, a))
				return -ENOMEM;
	}
	return 0;
}

/*
 * Sync mode, caller holds s->lock, before the re-protect.  ksmd replaces a
 * merged page's PTE without its uffd-wp bit, so the write that breaks the
 * KSM COW does not fault.  Once KSM is seen in the process, one pagemap
 * pass over the registered ranges reports every present page of a
 * mergeable VMA (a merge and a write can both fall between any check and
 * the re-protect) and every present page that lost its bit elsewhere (a
 * VMA made unmergeable after a merge).  Nothing extra while KSM leaves the
 * process alone.
 */
static int report_ksm(struct ooh_tracker *t, struct uffd_state *s,
		      struct __ooh_pageset *out)
{
	struct ksm_ctx c = { .out = out };
	struct __ooh_range *mg = NULL;
	int ret;

	if (!s->ksm && !(s->ksm = __ooh_ksm_active(t->pid)))
		return 0;
	ret = __ooh_mergeable_ranges(t->pid, &mg, &c.nmg);
	c.mg = mg;
	for (size_t i = 0; !ret && i < s->nr; i++) {
		struct __ooh_range r = { s->r[i].start, s->r[i].end, false };

		if (s->r[i].registered)
			ret = __ooh_pagemap_walk_ranges(t->pid, &r, 1, false,
							add_ksm_exposed, &c);
	}
	free(mg);
	return ret;
}

static int uffd_collect(struct ooh_tracker *t, struct __ooh_pageset *out,
			unsigned int *flags)
{
	struct uffd_state *s = t->priv;
	int ret = 0;

	pthread_mutex_lock(&s->lock);
	if (s->error) {
		ret = __ooh_err(s->error, "userfaultfd handler failed: %s",
				strerror(s->error));
		goto out;
	}
	if (!s->async) {
		ret = report_ksm(t, s, out);
		if (ret)
			goto out;
	}
again:
	for (size_t i = 0; i < s->nr && !ret; i++) {
		struct uffd_range *r = &s->r[i];

		if (r->lost || !r->registered) {
			rearm_lost(s, r);
		} else if (s->async) {
			ret = scan_range(s, r, out);
		} else {
			/*
			 * Re-protect first, then take the set: a fault after
			 * the re-protect waits for s->lock and lands in the
			 * next interval's set (its write completes after the
			 * handler resolves it, i.e. after this fetch).
			 */
			ret = uffd_wp(s->uffd, r->start, r->end, true);
			if (ret == -EAGAIN) {
				/*
				 * An event waits for the handler: let it run,
				 * then re-protect everything again before the
				 * set is taken (the ordering argument above
				 * holds for the final pass).
				 */
				pthread_mutex_unlock(&s->lock);
				usleep(100);
				pthread_mutex_lock(&s->lock);
				ret = 0;
				goto again;
			}
			if (ret == -ENOENT || ret == -EINVAL) {
				rearm_lost(s, r);	/* partly unmapped */
				ret = 0;
			} else if (ret) {
				ret = __ooh_err(-ret, "UFFDIO_WRITEPROTECT: %s",
						strerror(-ret));
			}
		}
	}
	if (ret)
		goto out;
	for (size_t i = 0; i < s->dirty.nr; i++)
		if (__ooh_pageset_add(out, s->dirty.v[i])) {
			ret = -ENOMEM;
			goto out;
		}
	s->dirty.nr = 0;
	ret = __ooh_pagemap_walk_ranges(t->pid, s->whole, s->nr_whole, false,
					__ooh_add_mapped, out);
	s->nr_whole = 0;
	t->stats.faults = s->faults;
out:
	pthread_mutex_unlock(&s->lock);
	(void)flags;
	return ret;
}

static void uffd_stop(struct ooh_tracker *t)
{
	struct uffd_state *s = t->priv;

	if (s->thread_started) {
		if (write(s->stop_pipe[1], "x", 1) != 1)
			pthread_cancel(s->thread);
		pthread_join(s->thread, NULL);
		s->thread_started = false;
	}
	/* Closing the uffd unregisters and un-protects every range. */
	if (s->uffd >= 0)
		close(s->uffd);
	if (s->pagemap_fd >= 0)
		close(s->pagemap_fd);
	if (s->stop_pipe[0] >= 0) {
		close(s->stop_pipe[0]);
		close(s->stop_pipe[1]);
	}
	s->uffd = s->pagemap_fd = s->stop_pipe[0] = s->stop_pipe[1] = -1;
	s->nr = 0;
	s->dirty.nr = s->nr_whole = 0;
	s->error = 0;
}

static void uffd_fini(struct ooh_tracker *t)
{
	struct uffd_state *s = t->priv;

	free(s->r);
	__ooh_pageset_free(&s->dirty);
	free(s->whole);
	munmap(s->zero, OOH_PAGE_SIZE);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

#define UFFD_CAPS (OOH_CAP_SELF | OOH_CAP_OTHER | OOH_CAP_KERNEL_WRITES | \
		   OOH_CAP_THREADS | OOH_CAP_REMAP | OOH_CAP_WHOLE_MM)

const struct __ooh_backend __ooh_be_uffd_wp = {
	.name = "uffd-wp",
	.pin_bufs = true,
	/*
	 * Whole-mm tracking of the calling process is refused in track():
	 * the handler thread shares the mm and would fault on itself.
	 */
	.caps = UFFD_CAPS,
	.probe = probe_sync, .init = init_sync, .track = uffd_track,
	.untrack = uffd_untrack, .collect = uffd_collect, .stop = uffd_stop,
	.fini = uffd_fini,
};

const struct __ooh_backend __ooh_be_pagemap_scan = {
	.name = "pagemap-scan", .caps = UFFD_CAPS,
	.pin_bufs = true,
	.probe = probe_async, .init = init_async, .track = uffd_track,
	.untrack = uffd_untrack, .collect = uffd_collect, .stop = uffd_stop,
	.fini = uffd_fini,
};
