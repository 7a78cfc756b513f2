/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * wl.h - shared harness of the Boehm GC workloads (gc/workloads/).
 *
 * Every workload is one program linked against a libgc build (stock or
 * OOH_VDB).  The harness parses the common options, sets the collector
 * mode, measures pauses with the collector's own collection events and
 * prints one result line:
 *
 *   result: workload=W size=S mode=M vdb=V total_ms=T gc_count=N
 *           pauses=P pause_med_us=.. pause_p95_us=.. pause_max_us=..
 *           pause_total_ms=.. heap_mb=.. verify=ok|FAIL
 *
 * Options: --mode full|inc   full: non-incremental (default);
 *                            inc: GC_enable_incremental(), whose VDB is
 *                            Boehm's default (stock build) or libooh's
 *                            GC_OOH_BACKEND (OOH_VDB build)
 *          --input PATH      input file (from gc-gen-inputs)
 *          --size S          size label for the result line / GCBench
 *
 * A pause is a stop-the-world interval, GC_EVENT_PRE_STOP_WORLD to
 * GC_EVENT_POST_START_WORLD (alloc.c GC_stopped_mark; this includes
 * GC_read_dirty, i.e. the VDB collect + re-arm).  Times are
 * CLOCK_MONOTONIC.  Exit status: 0 verified, 1 wrong result, 2 usage or
 * input error.
 */
#ifndef OOH_GC_WL_H
#define OOH_GC_WL_H

#include <stddef.h>
#include <stdint.h>

/* the stock and OOH_VDB libgc builds have threads; the CHECKSUMS build
 * (gc-<workload>-checksums, -DOOH_WL_NO_THREADS) has none */
#if !defined(GC_THREADS) && !defined(OOH_WL_NO_THREADS)
#define GC_THREADS
#endif
#include <gc.h>

#include "rng.h"

struct wl {
	const char *name;	/* workload name */
	const char *input;	/* --input, or NULL */
	const char *size;	/* --size label ("medium" default) */
	int incremental;	/* --mode inc */
};

/* Parse options, GC_INIT(), select the mode, start the clock. */
void wl_start(struct wl *w, int argc, char **argv, const char *name);

/* Stop the clock (before verifying the result). */
void wl_stop(struct wl *w);

/* Stop the clock if not yet stopped, print the result line, exit (0 if ok, else 1). */
void wl_finish(struct wl *w, int ok) __attribute__((noreturn));

/* Print a message and exit 2 (bad input, usage). */
void wl_die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/*
 * Read up to @len bytes of @fd into the GC object @dst.  Uses a bounce
 * buffer when the VDB write-protects pointer-free heap pages (a read(2)
 * into such a page would fail with EFAULT, see Boehm's os_dep.c).
 * Returns bytes read (0 at end of file).
 */
size_t wl_read(int fd, void *dst, size_t len);

/* Open @path for reading, or wl_die(). */
int wl_open(const char *path);

/*
 * Expected values written by gc-gen-inputs next to the input
 * ("<input>.expect", lines "key value").  wl_expect() returns the value
 * of @key or wl_die()s if it is missing.
 */
uint64_t wl_expect(const struct wl *w, const char *key);

#endif /* OOH_GC_WL_H */
