/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mprotect.c - the classic baseline: tracked ranges are PROT_READ, the
 * first write to a page raises SIGSEGV, the handler records the page and
 * makes it writable (Boehm GC's MPROTECT_VDB, Appel & Li 1991).
 *
 * Limits, advertised through the capabilities: the calling process only
 * (signals), no kernel writes (read(2) into a protected buffer fails with
 * EFAULT instead of faulting), no munmap/mmap reuse (a new mapping comes
 * back writable).  One mprotect tracker per process (the signal handler
 * is process-wide); a second ooh_track() gets -EBUSY.
 *
 * The application's own mprotect(PROT_WRITE) on a tracked range silently
 * removes our protection (it cannot be intercepted: Boehm's MPROTECT_VDB
 * documents the same limit).  It is detected instead: each fetch reads
 * /proc/self/maps before re-protecting, and every page that is writable
 * there but was not unprotected by our handler in this interval is
 * reported dirty (it may have been written without a fault).  The fetch's
 * re-protect then restores tracking for the next interval.
 *
 * Interval protocol without locks in the handler (async-signal-safe):
 * each range has two bitmaps indexed by the fetch epoch.  The handler
 * marks the page in bm[epoch], unprotects, re-reads the epoch and marks
 * bm[new epoch] too if a fetch started meanwhile (its write lands after
 * that fetch's re-protect).  A fetch bumps the epoch, re-protects, waits
 * for handlers that may have read the old epoch (in-flight counter,
 * sequentially consistent with the epoch store), then harvests bm[old].
 */
#include <signal.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"

#define MP_MAX_RANGES 1024

struct mp_range {
	uint64_t start, end;
	_Atomic uint64_t *bm[2];	/* one bit per page */
};

static struct {
	struct mp_range r[MP_MAX_RANGES];
	_Atomic size_t nr;		/* published ranges */
	_Atomic uint64_t epoch;
	_Atomic long inflight;
	_Atomic uint64_t faults;
	struct sigaction old;
	bool installed;
	struct ooh_tracker *owner;
} mp;

static void mp_segv(int sig, siginfo_t *si, void *uc)
{
	uint64_t a = (uintptr_t)si->si_addr & OOH_PAGE_MASK;
	size_t nr = atomic_load(&mp.nr);

	for (size_t i = 0; si->si_code == SEGV_ACCERR && i < nr; i++) {
		struct mp_range *r = &mp.r[i];
		uint64_t idx, e, e2;

		if (a < r->start || a >= r->end || !r->bm[0])
			continue;
		idx = (a - r->start) / OOH_PAGE_SIZE;
		atomic_fetch_add(&mp.inflight, 1);
		e = atomic_load(&mp.epoch);
		atomic_fetch_or(&r->bm[e & 1][idx / 64], 1ull << (idx % 64));
		mprotect((void *)(uintptr_t)a, OOH_PAGE_SIZE,
			 PROT_READ | PROT_WRITE);
		e2 = atomic_load(&mp.epoch);
		if (e2 != e)
			atomic_fetch_or(&r->bm[e2 & 1][idx / 64],
					1ull << (idx % 64));
		atomic_fetch_add(&mp.faults, 1);
		atomic_fetch_sub(&mp.inflight, 1);
		return;
	}
	/* Not ours: hand over to the previous disposition. */
	if (mp.old.sa_flags & SA_SIGINFO) {
		mp.old.sa_sigaction(sig, si, uc);
	} else if (mp.old.sa_handler == SIG_DFL ||
		   mp.old.sa_handler == SIG_IGN) {
		signal(SIGSEGV, SIG_DFL);	/* the fault repeats: core */
	} else {
		mp.old.sa_handler(sig);
	}
}

static int mp_probe(void)
{
	return 0;	/* mprotect and SIGSEGV exist everywhere */
}

static int mp_track(struct ooh_tracker *t, struct __ooh_range *r)
{
	size_t nr = atomic_load(&mp.nr), words;
	struct mp_range *m;

	if (mp.owner && mp.owner != t)
		return __ooh_err(EBUSY, "another mprotect tracker is active in "
				 "this process");
	if (nr == MP_MAX_RANGES)
		return __ooh_err(ENOSPC, "more than %d ranges", MP_MAX_RANGES);
	if (!mp.installed) {
		struct sigaction sa = { .sa_sigaction = mp_segv,
					.sa_flags = SA_SIGINFO | SA_RESTART |
						    SA_NODEFER };

		sigemptyset(&sa.sa_mask);
		if (sigaction(SIGSEGV, &sa, &mp.old))
			return __ooh_err(errno, "sigaction: %s",
					 strerror(errno));
		mp.installed = true;
	}
	mp.owner = t;
	m = &mp.r[nr];
	words = ((r->end - r->start) / OOH_PAGE_SIZE + 63) / 64;
	m->start = r->start;
	m->end = r->end;
	m->bm[0] = calloc(words, sizeof(uint64_t));
	m->bm[1] = calloc(words, sizeof(uint64_t));
	if (!m->bm[0] || !m->bm[1]) {
		free(m->bm[0]);
		free(m->bm[1]);
		m->bm[0] = m->bm[1] = NULL;
		return __ooh_err(ENOMEM, "out of memory");
	}
	atomic_store(&mp.nr, nr + 1);	/* publish before protecting */
	if (mprotect((void *)(uintptr_t)r->start, r->end - r->start,
		     PROT_READ)) {
		int e = errno;

		atomic_store(&mp.nr, nr);
		free(m->bm[0]);
		free(m->bm[1]);
		m->bm[0] = m->bm[1] = NULL;
		return __ooh_err(e == ENOMEM ? EINVAL : e,
				 "mprotect %#llx-%#llx: %s",
				 (unsigned long long)r->start,
				 (unsigned long long)r->end, strerror(e));
	}
	return 0;
}

static void mp_release(struct mp_range *m)
{
	mprotect((void *)(uintptr_t)m->start, m->end - m->start,
		 PROT_READ | PROT_WRITE);
	free(m->bm[0]);
	free(m->bm[1]);
	m->bm[0] = m->bm[1] = NULL;
}

static int mp_untrack(struct ooh_tracker *t, struct __ooh_range *r)
{
	size_t nr = atomic_load(&mp.nr);

	for (size_t i = 0; i < nr; i++) {
		if (mp.r[i].start != r->start || mp.r[i].end != r->end)
			continue;
		/* Unprotect first so no new fault can reference it. */
		mp_release(&mp.r[i]);
		while (atomic_load(&mp.inflight))
			sched_yield();
		mp.r[i] = mp.r[nr - 1];
		atomic_store(&mp.nr, nr - 1);
		return 0;
	}
	return 0;
}

struct writable_ctx {
	struct __ooh_pageset *out;
	size_t nr;
	uint64_t epoch;
};

/* A writable VMA: report its tracked pages our handler did not unprotect. */
static int foreign_writable(const struct __ooh_vma *vma, void *arg)
{
	struct writable_ctx *c = arg;

	if (!vma->write)
		return 0;
	for (size_t i = 0; i < c->nr; i++) {
		struct mp_range *m = &mp.r[i];
		uint64_t a = vma->start > m->start ? vma->start : m->start;
		uint64_t b = vma->end < m->end ? vma->end : m->end;

		for (; a < b; a += OOH_PAGE_SIZE) {
			uint64_t idx = (a - m->start) / OOH_PAGE_SIZE;

			if (atomic_load(&m->bm[c->epoch & 1][idx / 64]) &
			    (1ull << (idx % 64)))
				continue;
			if (__ooh_pageset_add(c->out, a))
				return -ENOMEM;
		}
	}
	return 0;
}

static int mp_collect(struct ooh_tracker *t, struct __ooh_pageset *out,
		      unsigned int *flags)
{
	size_t nr = atomic_load(&mp.nr);
	struct writable_ctx wc = { out, nr, atomic_load(&mp.epoch) };
	uint64_t old;
	int ret;

	/*
	 * Before the re-protect: pages the application made writable itself
	 * (the handler sets its bit before unprotecting, so a page writable
	 * here without its bit was not unprotected by us).
	 */
	ret = __ooh_for_each_vma(getpid(), foreign_writable, &wc);
	if (ret)
		return ret;
	old = atomic_fetch_add(&mp.epoch, 1);

	for (size_t i = 0; i < nr; i++)
		if (mprotect((void *)(uintptr_t)mp.r[i].start,
			     mp.r[i].end - mp.r[i].start, PROT_READ))
			return __ooh_err(errno, "mprotect: %s (tracked range "
					 "unmapped?)", strerror(errno));
	while (atomic_load(&mp.inflight))
		sched_yield();
	for (size_t i = 0; i < nr; i++) {
		struct mp_range *m = &mp.r[i];
		size_t words = ((m->end - m->start) / OOH_PAGE_SIZE + 63) / 64;

		for (size_t w = 0; w < words; w++) {
			uint64_t bits = atomic_exchange(&m->bm[old & 1][w], 0);

			while (bits) {
				int b = __builtin_ctzll(bits);

				bits &= bits - 1;
				if (__ooh_pageset_add(out, m->start +
						      (w * 64 + b) * OOH_PAGE_SIZE))
					return -ENOMEM;
			}
		}
	}
	t->stats.faults = atomic_load(&mp.faults);
	return 0;
}

static void mp_stop(struct ooh_tracker *t)
{
	size_t nr = atomic_load(&mp.nr);

	if (mp.owner != t)
		return;
	for (size_t i = 0; i < nr; i++)
		mp_release(&mp.r[i]);
	while (atomic_load(&mp.inflight))
		sched_yield();
	atomic_store(&mp.nr, 0);
	mp.owner = NULL;
	/* The handler stays installed: it forwards foreign faults. */
}

const struct __ooh_backend __ooh_be_mprotect = {
	.name = "mprotect",
	.pin_bufs = true,
	.caps = OOH_CAP_SELF | OOH_CAP_THREADS,
	.probe = mp_probe, .track = mp_track, .untrack = mp_untrack,
	.collect = mp_collect, .stop = mp_stop,
};
