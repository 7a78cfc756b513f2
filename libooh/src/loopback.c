/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * loopback.c - "ring-loopback": the SPML data path without a hypervisor.
 *
 * A producer thread plays Xen's PML flush: on each fetch it collects the
 * written pages with an inner pagemap-scan tracker, turns each virtual
 * page into its GPA (PFN from /proc/self/pagemap, CAP_SYS_ADMIN) and
 * appends the entries to an include/ooh/ring.h ring in shared memory in
 * PML-sized batches of 512, never blocking (a full ring drops, counts
 * `lost` and sets the overflow flag).  The consumer is the same code the
 * spml backend runs: ring consumer plus GFN -> virtual page reverse map.
 * OOH_LOOPBACK_ENTRIES (power of two, >= 512; default 65536) sets the ring
 * size, so tests can force an overflow deterministically.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"
#include "ooh/barrier.h"
#include "ooh/ring.h"

#define PML_BATCH 512	/* entries per PML-full flush (SDM 29.3.6) */

struct lb_state {
	struct ooh_tracker *inner;
	struct ooh_ring_hdr *hdr;
	size_t ring_bytes;
	struct ooh_ring_producer prod;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool request, done, quit, started;
	int error;
	char errmsg[256];
};

static int lb_probe(void)
{
	return ooh_backend_probe("pagemap-scan");
}

/* Producer side of one flush: inner fetch, VA -> GPA, append. */
static int lb_flush(struct lb_state *s, pid_t pid)
{
	struct ooh_dirty d;
	uint64_t batch[PML_BATCH], e;
	uint32_t nb = 0;
	int n = ooh_fetch(s->inner, &d), fd;

	if (n < 0)
		return n;
	if (d.flags & OOH_FETCH_ALL)
		ooh_atomic_fetch_or(&s->hdr->flags, OOH_RING_F_OVERFLOW);
	fd = __ooh_pagemap_open(pid);
	if (fd < 0)
		return fd;
	for (size_t i = 0; i < d.nr_pages; i++) {
		if (pread(fd, &e, 8, d.pages[i] / OOH_PAGE_SIZE * 8) != 8)
			e = PM_SWAPPED;
		if (!(e & (PM_PRESENT | PM_SWAPPED)))
			continue;	/* unmapped now: holds no data */
		if (!(e & PM_PRESENT) || !(e & PM_PFN_MASK)) {
			/* Written, then swapped out: no frame to log as a
			 * GPA, so the interval is lossy. */
			ooh_atomic_fetch_or(&s->hdr->flags, OOH_RING_F_OVERFLOW);
			continue;
		}
		batch[nb++] = (e & PM_PFN_MASK) << OOH_PAGE_SHIFT;
		if (nb == PML_BATCH) {
			ooh_ring_produce(&s->prod, batch, nb);
			nb = 0;
		}
	}
	if (nb)
		ooh_ring_produce(&s->prod, batch, nb);
	close(fd);
	return 0;
}

static void *lb_thread(void *arg)
{
	struct ooh_tracker *t = arg;
	struct lb_state *s = t->priv;

	pthread_mutex_lock(&s->lock);
	for (;;) {
		while (!s->request && !s->quit)
			pthread_cond_wait(&s->cond, &s->lock);
		if (s->quit)
			break;
		s->request = false;
		pthread_mutex_unlock(&s->lock);
		int ret = lb_flush(s, t->pid);
		pthread_mutex_lock(&s->lock);
		if (ret) {
			s->error = -ret;
			snprintf(s->errmsg, sizeof(s->errmsg), "%s",
				 ooh_last_error());
		}
		s->done = true;
		pthread_cond_broadcast(&s->cond);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

static int lb_init(struct ooh_tracker *t)
{
	struct lb_state *s = calloc(1, sizeof(*s));
	const char *env = getenv("OOH_LOOPBACK_ENTRIES");
	unsigned long nr = env ? strtoul(env, NULL, 0) : 65536;
	int ret;

	if (!s)
		return __ooh_err(ENOMEM, "out of memory");
	if (!ooh_ring_nr_valid(nr)) {
		free(s);
		return __ooh_err(EINVAL, "OOH_LOOPBACK_ENTRIES=%s is not a power "
				 "of two in [%u, %u]", env, OOH_RING_MIN_ENTRIES,
				 OOH_RING_MAX_ENTRIES);
	}
	ret = ooh_open("pagemap-scan", &s->inner);
	if (ret) {
		free(s);
		return ret;
	}
	s->ring_bytes = OOH_RING_BYTES(nr);
	s->hdr = mmap(NULL, s->ring_bytes, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (s->hdr == MAP_FAILED) {
		ooh_close(s->inner);
		free(s);
		return __ooh_err(ENOMEM, "cannot map a %lu-entry ring", nr);
	}
	ooh_ring_init(&s->prod, s->hdr, nr, OOH_RING_F_GPA, 0);
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	t->priv = s;
	return 0;
}

static int lb_track(struct ooh_tracker *t, struct __ooh_range *r)
{
	struct lb_state *s = t->priv;
	int ret = ooh_track(s->inner, 0, (void *)(uintptr_t)r->start,
			    r->end - r->start);

	if (ret)
		return ret;
	if (!s->started) {
		ret = pthread_create(&s->thread, NULL, lb_thread, t);
		if (ret)
			return __ooh_err(ret, "pthread_create: %s",
					 strerror(ret));
		s->started = true;
	}
	return 0;
}

static int lb_untrack(struct ooh_tracker *t, struct __ooh_range *r)
{
	struct lb_state *s = t->priv;

	return ooh_untrack(s->inner, (void *)(uintptr_t)r->start,
			   r->end - r->start);
}

static int lb_collect(struct ooh_tracker *t, struct __ooh_pageset *out,
		      unsigned int *flags)
{
	struct lb_state *s = t->priv;
	struct __ooh_rmap *m;
	long n;
	int ret;

	/* "Drain now": ask the producer to flush and wait for it. */
	pthread_mutex_lock(&s->lock);
	s->request = true;
	s->done = false;
	pthread_cond_broadcast(&s->cond);
	while (!s->done)
		pthread_cond_wait(&s->cond, &s->lock);
	ret = s->error;
	s->error = 0;
	pthread_mutex_unlock(&s->lock);
	if (ret)
		return __ooh_err(ret, "ring producer: %s", s->errmsg);

	ret = __ooh_rmap_build(t, NULL, NULL, &m);
	if (ret)
		return ret;
	n = __ooh_ring_consume(s->hdr, m, NULL, NULL, out, flags, &t->lost);
	__ooh_rmap_free(m);
	return n < 0 ? (int)n : 0;
}

static void lb_stop(struct ooh_tracker *t)
{
	struct lb_state *s = t->priv;

	if (s->started) {
		pthread_mutex_lock(&s->lock);
		s->quit = true;
		pthread_cond_broadcast(&s->cond);
		pthread_mutex_unlock(&s->lock);
		pthread_join(s->thread, NULL);
		s->started = s->quit = false;
	}
	ooh_stop(s->inner);
}

static void lb_fini(struct ooh_tracker *t)
{
	struct lb_state *s = t->priv;

	ooh_close(s->inner);
	munmap(s->hdr, s->ring_bytes);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->cond);
	free(s);
}

const struct __ooh_backend __ooh_be_ring_loopback = {
	.name = "ring-loopback",
	.pin_bufs = true,
	.caps = OOH_CAP_SELF | OOH_CAP_KERNEL_WRITES | OOH_CAP_THREADS |
		OOH_CAP_REMAP,
	.probe = lb_probe, .init = lb_init, .track = lb_track,
	.untrack = lb_untrack, .collect = lb_collect, .stop = lb_stop,
	.fini = lb_fini,
};
