/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * internal.h - libooh internals: backend operations, page sets, helpers.
 * Nothing here is exported (-fvisibility=hidden; libooh.map lists ooh_*).
 */
#ifndef OOH_INTERNAL_H
#define OOH_INTERNAL_H

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "ooh.h"

#define __ooh_public __attribute__((visibility("default")))
#define OOH_PAGE_MASK (~(uint64_t)(OOH_PAGE_SIZE - 1))

/*
 * A multiplicative (Fibonacci) hash of @k for open-addressing tables:
 * mask the result with the table's size minus one.
 */
static inline uint64_t __ooh_hash_u64(uint64_t k)
{
	return (k * 0x9e3779b97f4a7c15ull) >> 17;
}

/* A growable array of page addresses (unsorted until __ooh_pageset_sort). */
struct __ooh_pageset {
	uint64_t *v;
	size_t nr, cap;
};

/* Double @s's capacity (1024 at first).  0, or -ENOMEM with @s as it was. */
int __ooh_pageset_grow(struct __ooh_pageset *s);
/* Room for @n more pages in @s.  0, or -ENOMEM with @s as it was. */
int __ooh_pageset_reserve(struct __ooh_pageset *s, size_t n);

/*
 * Append @e as it is, flag bits included (ring entries for RESOLVE).
 * Inline: a fetch appends each ring entry and each resolved page, and
 * under Bochs, where guest time counts instructions, a call per entry
 * was a third of libooh's own share of a fetch.
 */
static inline int __ooh_pageset_add_entry(struct __ooh_pageset *s, uint64_t e)
{
	if (s->nr == s->cap && __ooh_pageset_grow(s))
		return -ENOMEM;
	s->v[s->nr++] = e;
	return 0;
}

/* Append the page that holds address @page. */
static inline int __ooh_pageset_add(struct __ooh_pageset *s, uint64_t page)
{
	return __ooh_pageset_add_entry(s, page & OOH_PAGE_MASK);
}

int __ooh_pageset_add_range(struct __ooh_pageset *s, uint64_t start,
			    uint64_t end);
void __ooh_pageset_sort_unique(struct __ooh_pageset *s);
void __ooh_pageset_free(struct __ooh_pageset *s);

/* A tracked virtual range [start, end), page-aligned. */
struct __ooh_range {
	uint64_t start, end;
	bool fresh;		/* added since the last fetch: report all */
};

struct ooh_tracker;

/*
 * Backend operations.  All return 0 or -errno and set the thread's error
 * string with __ooh_err() on failure.
 *  probe    - can this backend work here at all (no tracker needed)
 *  init     - allocate backend state (t->priv)
 *  track    - start tracking one range of t->pid (whole mm: start=end=0)
 *  untrack  - stop tracking one range
 *  collect  - append pages written since the last collect to @out and
 *             re-arm (t->fetch_last: it may leave the re-arm out if its
 *             next collect then sets OOH_FETCH_ALL); set *flags |=
 *             OOH_FETCH_ALL if information was lost
 *  stop     - stop tracking everything (tracker stays usable)
 *  fini     - free backend state
 */
struct __ooh_backend {
	const char *name;
	unsigned int caps;
	bool pin_bufs;		/* write-protect backend: ooh_fetch() adds the
				 * process's io_uring registered buffers
				 * (__ooh_uring_buffers()) at every fetch */
	bool mm_gone;		/* collect fails with -ESRCH once the tracked
				 * address space is torn down (exit, exec: the
				 * module's MMU notifier .release), so
				 * ooh_fetch() reads /proc/PID/maps only then,
				 * to say which */
	int (*probe)(void);
	int (*init)(struct ooh_tracker *t);
	int (*track)(struct ooh_tracker *t, struct __ooh_range *r);
	int (*untrack)(struct ooh_tracker *t, struct __ooh_range *r);
	int (*collect)(struct ooh_tracker *t, struct __ooh_pageset *out,
		       unsigned int *flags);
	void (*stop)(struct ooh_tracker *t);
	void (*fini)(struct ooh_tracker *t);
};

struct ooh_tracker {
	const struct __ooh_backend *be;
	pid_t pid;		/* tracked process (resolved, never 0) */
	bool self;		/* pid == getpid() */
	bool tracking;
	bool whole_mm;		/* ooh_track(t, pid, NULL, 0) */
	struct __ooh_range *ranges;
	size_t nr_ranges, cap_ranges;
	struct __ooh_pageset result;	/* returned by ooh_fetch() */
	struct ooh_stats stats;
	uint64_t lost;		/* set by ring backends for ooh_dirty.lost */
	uint64_t mm_sig;	/* another pid: its [vdso]/[stack] starts at
				 * ooh_track() (changed: it exec'd) */
	void *priv;		/* backend state */
	struct __ooh_recorder *rec;	/* ooh_record() (record.c), or NULL */
	int rec_err;		/* -errno of a failed trace write, reported
				 * once by the next ooh_fetch() */
	bool all_next;		/* a fetch failed once its backend may have
				 * consumed or re-armed: the next fetch
				 * reports every page (OOH_FETCH_ALL) */
	bool fetch_last;	/* in ooh_fetch_last(): collect may leave
				 * the re-arm out */
};

/*
 * __ooh_fault - fault injection for tests, as CRIU's CRIU_FAULT: true the
 * first time @point is reached when the environment variable OOH_FAULT
 * names it (a comma-separated list), false otherwise and ever after.
 * Points: "fetch-collected" (core.c, after the backend's collect),
 * "uio-synced" (uio.c, after OOH_SPML_IOC_SYNC), "uio-ring" (uio.c,
 * after the first ring was consumed).  "resolve-drop" (uio.c: the middle
 * page of each OOH_SPML_IOC_RESOLVE answer is dropped) is true every time: the
 * resolver's negative control, which must make a correctness test fail.
 */
bool __ooh_fault(const char *point);

/*
 * __ooh_ksm_active - has KSM scanned or merged pages of @pid, or may it
 * (/proc/PID/ksm_stat: rmap items, merging pages, a mergeable VMA;
 * /proc/PID/ksm_merging_pages before Linux 6.1)?  False without KSM.
 */
bool __ooh_ksm_active(pid_t pid);

/*
 * __ooh_mergeable_ranges - @pid's VMAs KSM may merge (VmFlags "mg" in
 * /proc/PID/smaps), as a malloc'd array the caller frees.  0 or -errno.
 */
int __ooh_mergeable_ranges(pid_t pid, struct __ooh_range **out, size_t *nr);

/*
 * __ooh_uring_buffers - the buffers registered with any io_uring instance
 * @pid holds (UserBufs of /proc/PID/fdinfo/N for each fd whose link is
 * "anon_inode:[io_uring]"), as [start, end) byte ranges in a malloc'd
 * array the caller frees.  The kernel pins them and writes into them
 * with no page-table write fault (READ_FIXED): a write-protect backend
 * reports them whole while they are registered.  0 or -errno.
 */
int __ooh_uring_buffers(pid_t pid, struct __ooh_range **out, size_t *nr);

/*
 * __ooh_mm_sig - a signature of @pid's address space that exec(2)
 * changes: the start addresses of its [vdso] and [stack] mappings (both
 * randomised per exec; with ASLR off an exec of the same binary can keep
 * them, so this is best effort).  0 if the maps cannot be read, 1 if
 * neither mapping exists (a zombie's empty maps).
 */
uint64_t __ooh_mm_sig(pid_t pid);

/* Error reporting (err.c): set the thread's error string, return -err. */
int __ooh_err(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

uint64_t __ooh_now_ns(void);

/*
 * Pagemap helpers (Documentation/admin-guide/mm/pagemap.rst): one 64-bit
 * entry per virtual page; bit 63 present, 62 swapped, 55 soft-dirty,
 * 54-0 PFN (zero unless CAP_SYS_ADMIN).
 */
#define PM_PRESENT	(1ull << 63)
#define PM_SWAPPED	(1ull << 62)
#define PM_UFFD_WP	(1ull << 57)
#define PM_SOFT_DIRTY	(1ull << 55)
#define PM_PFN_MASK	((1ull << 55) - 1)

int __ooh_pagemap_open(pid_t pid);
/* Read entries for [start, end) into buf (nr = (end-start)/page). */
int __ooh_pagemap_read(int fd, uint64_t start, uint64_t end, uint64_t *buf);
/* __ooh_pagemap_fn: append every present or swapped page (@arg: pageset). */
int __ooh_add_mapped(uint64_t va, const uint64_t *pm, size_t nr, void *arg);

/*
 * Walk /proc/PID/pagemap over the tracker's ranges (the whole address
 * space's private writable mappings when tracking the whole mm; with
 * @only_fresh, ranges added since the last fetch only), calling @fn with
 * chunks of up to 4096 entries: fn(first virtual page, entries, count).
 * Stops and returns the first non-zero value of @fn.
 */
typedef int (*__ooh_pagemap_fn)(uint64_t va, const uint64_t *pm, size_t nr,
				void *arg);
int __ooh_pagemap_walk(struct ooh_tracker *t, bool only_fresh,
		       __ooh_pagemap_fn fn, void *arg);
/* The same over explicit ranges of process @pid. */
int __ooh_pagemap_walk_ranges(pid_t pid, const struct __ooh_range *rs,
			      size_t nr, bool only_fresh, __ooh_pagemap_fn fn,
			      void *arg);

/* /proc/PID/maps walk: calls fn for each mapping; stops on non-zero. */
struct __ooh_vma {
	uint64_t start, end;
	bool read, write, shared;
	unsigned long inode;
	char path[256];
};
int __ooh_for_each_vma(pid_t pid,
		       int (*fn)(const struct __ooh_vma *vma, void *arg),
		       void *arg);

/*
 * __ooh_range_mapped - check that [start, end) of process @pid is mapped
 * end to end (one or more adjacent VMAs of /proc/PID/maps).  Returns 0,
 * -EINVAL with the first unmapped address in ooh_last_error(), or
 * -ESRCH/-errno if the maps cannot be read.
 */
int __ooh_range_mapped(pid_t pid, uint64_t start, uint64_t end);

/*
 * Whole-mm ranges: private writable mappings (what a process can dirty),
 * in a malloc'd array the caller frees.  @sig, if not NULL, gets the
 * __ooh_mm_sig() of the same read of /proc/@pid/maps.  0 or -errno.
 */
int __ooh_writable_ranges(pid_t pid, struct __ooh_range **out, size_t *nr,
			  uint64_t *sig);

/*
 * Reverse map GPA -> virtual pages of the tracked ranges (rmap.c): built
 * from one pass over /proc/PID/pagemap (PFN field = guest frame number
 * inside a guest), looked up through an open-addressing hash.
 */
struct __ooh_rmap;
/*
 * With @changed non-NULL, also keep a virtual page -> GFN snapshot and
 * append to @changed every present page that was absent from @prev's
 * snapshot or mapped another frame (PML logs a GPA once per interval, so
 * a page first written through another mapping is not logged again).
 */
int __ooh_rmap_build(struct ooh_tracker *t, const struct __ooh_rmap *prev,
		     struct __ooh_pageset *changed, struct __ooh_rmap **out);
/* Append every virtual page mapping frame @gfn (count frames if 2M). */
int __ooh_rmap_lookup(const struct __ooh_rmap *m, uint64_t gfn,
		      uint64_t nr_frames, struct __ooh_pageset *out);
void __ooh_rmap_free(struct __ooh_rmap *m);

/*
 * Ring consumer (ring.c): consume every published entry of @hdr, turning
 * GPA entries into virtual pages through @m, or, without @m, appending
 * them (vCPU bits cleared) to @gpas for OOH_SPML_IOC_RESOLVE (both NULL:
 * the ring holds only GVA entries), and GVA entries into pages directly;
 * with @fence,
 * only entries before index *fence (a producer-given interval end).  Sets
 * OOH_FETCH_ALL in *flags if the producer flagged disarm, or overflow.
 * Without @fence the consumer owns the sticky OOH_RING_F_OVERFLOW bit:
 * it reports and clears it after consuming.  With @fence the producer
 * owns it (snapshots and clears it when it takes the fence, e.g.
 * OOH_SPML_IOC_SYNC's flags): the bit is neither read nor cleared here,
 * since a drop after the fence belongs to the next interval.
 * Returns entries consumed or -errno (-EPROTO: corrupt header).
 */
struct ooh_ring_hdr;
long __ooh_ring_consume(struct ooh_ring_hdr *hdr, const struct __ooh_rmap *m,
			struct __ooh_pageset *gpas, const uint64_t *fence,
			struct __ooh_pageset *out, unsigned int *flags,
			uint64_t *lost);

/*
 * A userfaultfd created inside process @pid (its mm), returned as a
 * descriptor of the caller (remote.c).  -errno on failure.
 */
int __ooh_remote_userfaultfd(pid_t pid, int flags);

/* Backends */
extern const struct __ooh_backend __ooh_be_pagemap_scan;
extern const struct __ooh_backend __ooh_be_uffd_wp;
extern const struct __ooh_backend __ooh_be_softdirty;
extern const struct __ooh_backend __ooh_be_mprotect;
extern const struct __ooh_backend __ooh_be_ring_loopback;
extern const struct __ooh_backend __ooh_be_spml;
extern const struct __ooh_backend __ooh_be_epml;
extern const struct __ooh_backend __ooh_be_trace;

/*
 * The consumer of the guest module's UIO rings (uio.c), shared by the
 * spml backend (/dev/ooh-spml) and the epml backend (epml.c,
 * /dev/ooh-epml): include/ooh/spml_uio.h.
 */
int __ooh_uio_probe(const char *dev, const char *needs);
int __ooh_uio_init(struct ooh_tracker *t, const char *dev);
int __ooh_uio_track(struct ooh_tracker *t, struct __ooh_range *r);
int __ooh_uio_collect(struct ooh_tracker *t, struct __ooh_pageset *out,
		      unsigned int *flags);
void __ooh_uio_stop(struct ooh_tracker *t);
void __ooh_uio_fini(struct ooh_tracker *t);

/*
 * spml.c and epml.c: the same module, rings and consumer.  SHARED_WRITERS:
 * PML logs every store to a frame whoever makes it, and the module hands
 * entries of every context to every tracker (tests/system/spml.test 25).
 * PINNED_WRITES: stores through pins are CPU stores PML logs; Xen queues
 * the frames it writes itself (hypercall outputs, backends' grant unmaps
 * and copies) for the rings, xen-patches/0011 (spml.test 26).
 */
#define OOH_UIO_CAPS (OOH_CAP_SELF | OOH_CAP_OTHER | OOH_CAP_KERNEL_WRITES | \
		      OOH_CAP_WHOLE_MM | OOH_CAP_NEW_MAPPINGS | OOH_CAP_THREADS | \
		      OOH_CAP_REMAP | OOH_CAP_SHARED_WRITERS | \
		      OOH_CAP_PINNED_WRITES)


/* Reset ooh_last_error() (every public entry does, first). */
void __ooh_clear_error(void);

#endif /* OOH_INTERNAL_H */
