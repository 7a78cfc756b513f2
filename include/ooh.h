/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ooh.h - the OoH Lib: one dirty-page tracking API over every backend.
 *
 * A tracker opens a backend, tracks one process (itself or another), and
 * repeatedly fetches the set of pages written since the previous fetch
 * ("fresh every interval").  The set is always a superset of the pages the
 * process wrote: when a backend loses information (ring overflow, a range
 * it could not protect) the fetch says so with OOH_FETCH_ALL and returns
 * every page that may have been written.
 *
 * Conventions (liburing style): functions return 0 or a positive count on
 * success and -errno on failure; nothing sets errno.  Addresses are virtual
 * addresses of the tracked process, page-aligned (4 KiB).
 *
 * Thread safety: different trackers may be used from different threads at
 * once.  One tracker is not locked: calls on it (ooh_track, ooh_fetch,
 * ooh_record, ...) must not run concurrently; serialise them as Boehm GC
 * does under its allocation lock.  ooh_last_error() is per thread and
 * describes the calling thread's last failed call; every public call that
 * can fail clears it first.  ooh_backends() and ooh_backend_probe() are
 * safe from any thread.  The tracked process's threads need no
 * coordination with the tracker (OOH_CAP_THREADS).
 *
 * Backends (see ooh_backends(3)):
 *   spml          Xen Shadow PML through the guest UIO module (OoH paper 4.1)
 *   epml          extended PML, GVA logging in the (emulated) CPU (paper 4.2)
 *   pagemap-scan  UFFD_FEATURE_WP_ASYNC + PAGEMAP_SCAN ioctl (Linux >= 6.7)
 *   uffd-wp       userfaultfd write-protect, synchronous fault handler
 *   softdirty     /proc/PID/clear_refs "4" + pagemap bit 55
 *   mprotect      PROT_READ + SIGSEGV handler (self only; Boehm's classic VDB)
 *   ring-loopback test backend: a producer thread feeds pagemap-scan results
 *                 as GPAs through an ooh_ring and the SPML consumer maps them
 *                 back (exercises the ring consumer and reverse map natively)
 *   trace         replays the trace named by $OOH_TRACE (ooh_record(),
 *                 ooh-trace replay): each fetch returns the next recorded
 *                 interval, moved to the caller's ranges
 */
#ifndef OOH_H
#define OOH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <ooh/trace.h>

#ifdef __cplusplus
extern "C" {
#endif

#define OOH_PAGE_SIZE	4096ul
#define OOH_PAGE_SHIFT	12

struct ooh_tracker;

/* Capabilities of a backend (ooh_caps()). */
#define OOH_CAP_SELF		(1u << 0) /* can track the calling process */
#define OOH_CAP_OTHER		(1u << 1) /* can track another process */
#define OOH_CAP_KERNEL_WRITES	(1u << 2) /* sees CPU stores the kernel makes
					   * into the process's mappings on
					   * its behalf: read(2),
					   * process_vm_writev(2), copy_to_user
					   * (ooh_caps(3)) */
#define OOH_CAP_WHOLE_MM	(1u << 3) /* can track the whole address space
					   * (ooh_track(t, pid, NULL, 0)) */
#define OOH_CAP_NEW_MAPPINGS	(1u << 4) /* the backend itself sees mappings
					   * created later; for the others,
					   * whole-mm tracking adds them at
					   * each fetch (reported whole) */
#define OOH_CAP_THREADS		(1u << 5) /* writes of every thread */
#define OOH_CAP_REMAP		(1u << 6) /* sees writes after munmap + mmap
					   * reuse or mremap inside a tracked
					   * range */
#define OOH_CAP_PINNED_WRITES	(1u << 7) /* sees writes through long-term
					   * pins and DMA (io_uring fixed
					   * buffers, O_DIRECT in flight at a
					   * fetch, writes by the hypervisor
					   * or a backend through grants): no
					   * page-table write fault happens.
					   * spml and epml only. */
#define OOH_CAP_SHARED_WRITERS	(1u << 8) /* sees writes other processes make
					   * through their own mappings of
					   * frames the process maps (shared
					   * memory, MAP_SHARED files) */

/*
 * ooh_open - open a tracker on a backend.
 * @backend: backend name (see above), "auto" or NULL for the best available
 *           one (epml, spml, pagemap-scan, uffd-wp, softdirty, in order).
 * @out:     receives the tracker.
 *
 * The backend is probed: a backend that cannot work on this machine is
 * refused here, never later with an empty result.
 * Returns 0 or, with *@out NULL (ooh_open(3)): -ENOENT (unknown backend
 * name), -EOPNOTSUPP (backend not supported by this kernel/hypervisor, or
 * none for "auto"; ooh_last_error() says why), -EPERM (UIO device not
 * accessible, userfaultfd not permitted), -EINVAL (ring-loopback: bad
 * OOH_LOOPBACK_ENTRIES), -EAGAIN/-ENOMEM (softdirty's probe cannot fork),
 * -ENOMEM.
 */
int ooh_open(const char *backend, struct ooh_tracker **out);

/* Backend name of an open tracker ("uffd-wp", ...), static.  Cannot fail. */
const char *ooh_backend_name(const struct ooh_tracker *t);

/* OOH_CAP_* bits of an open tracker's backend.  Cannot fail. */
unsigned int ooh_caps(const struct ooh_tracker *t);

/*
 * Human-readable reason for the last failure of any ooh_* call in this
 * thread (one line, no newline), or "" if none.  Cannot fail.
 */
const char *ooh_last_error(void);

/*
 * ooh_track - start tracking writes of process @pid to [addr, addr + len).
 * @pid:  0 or getpid() for the calling process, else another process the
 *        caller may ptrace (PTRACE_MODE_ATTACH).  All calls on one tracker
 *        must name the same process.
 * @addr: start, page-aligned; NULL with len 0 means the whole address space
 *        (only if OOH_CAP_WHOLE_MM; backends that protect ranges take every
 *        private writable mapping present now).
 * @len:  bytes, multiple of the page size.
 *
 * May be called several times to add ranges (e.g. Boehm GC adding a heap
 * section).  Pages of a new range count as dirty in the next fetch.
 * Returns 0, -EINVAL (alignment, empty, wrapping, overlapping or unmapped
 * range, mixed pids, ranges and whole mm mixed), -ESRCH (no such process),
 * -EPERM (may not trace @pid; userfaultfd not permitted), -EOPNOTSUPP (the
 * backend cannot track this process or range, e.g. another process with a
 * self-only backend), -EBUSY (mprotect: another mprotect tracker is
 * active), -ENOSPC (mprotect: over 1024 ranges), -EAGAIN (uffd: register
 * kept failing, no handler thread), -ENOMEM, or the -errno of a system
 * call the backend makes (ooh_track(3)).  A refused call changes nothing.
 */
int ooh_track(struct ooh_tracker *t, pid_t pid, void *addr, size_t len);

/*
 * ooh_untrack - stop tracking [addr, addr + len) (e.g. before munmap of a
 * heap section).  Returns 0 or -EINVAL if the range is not tracked
 * (matched exactly, never split).
 */
int ooh_untrack(struct ooh_tracker *t, void *addr, size_t len);

/* ooh_fetch() result flags */
#define OOH_FETCH_ALL	(1u << 0) /* information was lost (ring overflow,
				   * producer disarmed, the previous fetch
				   * failed); @pages holds every
				   * present or swapped page of the tracked
				   * ranges: treat all of them as dirty */

struct ooh_dirty {
	uint64_t *pages;	/* sorted, unique, page-aligned addresses;
				 * owned by the library, valid until the next
				 * ooh_fetch() or ooh_close() */
	size_t nr_pages;	/* entries in @pages */
	unsigned int flags;	/* OOH_FETCH_* */
	uint64_t lost;		/* entries the producer dropped (rings) */
	uint64_t __reserved[4];	/* 0; for later fields (ABI LIBOOH_1.0) */
};

/*
 * ooh_fetch - collect the pages written since the previous fetch (or since
 * ooh_track() for the first fetch) and re-arm tracking for the next
 * interval, atomically with respect to the tracked process's writes: a
 * write that races with the fetch is reported by this fetch or the next.
 * Returns the number of pages (>= 0) or -errno (ooh_fetch(3)): -EINVAL
 * (not tracking), -ESRCH (the process exited or exec'd), -ENODEV (the
 * producer went away, e.g. Xen disarmed SPML), -EPROTO (corrupt ring
 * header or replayed trace), -ENODATA (trace: no more intervals), -EPERM
 * (softdirty: may not stop the process or clear its refs; spml,
 * ring-loopback: pagemap hides frame numbers), -ETIMEDOUT (softdirty: the
 * process did not stop), -ENOMEM, -EIO (ooh_record()'s trace write failed;
 * the result is still in *d), or the -errno of a backend's system call.
 */
int ooh_fetch(struct ooh_tracker *t, struct ooh_dirty *d);

/*
 * ooh_fetch_last - ooh_fetch() for a caller that does not mean to fetch
 * again (a checkpoint's final dump, which then stops the tracker): the
 * same result, but the backend may leave the re-arm out.  spml and epml
 * leave out Xen's rearm of the logged frames when this is the domain's
 * only tracker (OOH_SPML_SYNC_NO_REARM, <ooh/spml_uio.h>); every other
 * backend re-arms as ooh_fetch() does.  Nothing is lost if the caller
 * fetches again all the same: that fetch reports OOH_FETCH_ALL.  Returns
 * what ooh_fetch() returns.  Since libooh 1.3.
 */
int ooh_fetch_last(struct ooh_tracker *t, struct ooh_dirty *d);

/* Statistics since ooh_track(); times in nanoseconds (CLOCK_MONOTONIC). */
struct ooh_stats {
	uint64_t fetches;	/* ooh_fetch() calls that succeeded */
	uint64_t pages_reported;/* sum of nr_pages over fetches */
	uint64_t fetch_ns;	/* time spent in ooh_fetch() */
	uint64_t fetch_ns_max;	/* longest single fetch */
	uint64_t overflows;	/* fetches that returned OOH_FETCH_ALL */
	uint64_t faults;	/* write faults handled (uffd-wp, mprotect) */
	uint64_t lost;		/* ring entries dropped by producers */
	/* spml, epml (since libooh 1.1): the module's resolution of logged
	 * frames to pages (OOH_COLLECT, ooh_fetch(3)) */
	uint64_t resolved_frames;	/* frames looked at */
	uint64_t resolve_candidates;	/* addresses checked against the
					 * page tables */
	uint64_t resolve_drops;		/* frames no tracked page maps */
	uint64_t resolve_fallbacks;	/* fetches it made OOH_FETCH_ALL */
	/* OOH_COLLECT=diff: pages only one of the two paths reported */
	uint64_t diff_pagemap_only;
	uint64_t diff_resolve_only;
	/* spml, epml (since libooh 1.1): time in the module's SYNC (drain,
	 * fence, Xen's rearm) and RESOLVE calls; the rest of fetch_ns is
	 * libooh's (rings, sort) */
	uint64_t sync_ns;
	uint64_t resolve_ns;
};

/* Fill @st.  Returns 0 (cannot fail). */
int ooh_stats(const struct ooh_tracker *t, struct ooh_stats *st);

/* ooh_record() flags */
#define OOH_RECORD_FORCE (1u << 0) /* replace an existing file */
#define OOH_RECORD_MAPS	 (1u << 1) /* also record /proc/PID/maps when the
				    * tracked ranges change */

/*
 * ooh_record - record what @t tracks and fetches into a trace file (the
 * format is in <ooh/trace.h> and ooh-trace(5); ooh-trace(1) reports it).
 * @path:  the file, created (mode 0644 less umask); NULL stops recording
 *         and closes the current trace.
 * @flags: OOH_RECORD_* .
 *
 * Ranges tracked so far are written now, later ones when ooh_track() adds
 * them; every ooh_fetch() appends one interval (its time, length, flags,
 * lost count and pages) and flushes it, so a crash loses at most the
 * interval being written.  ooh_close() writes the gzip trailer.  If a
 * write fails recording stops and the next ooh_fetch() returns that
 * -errno once, with its result still in *d.
 * Returns 0, -EEXIST (@path exists and OOH_RECORD_FORCE is not set: the
 * file is left as it was), -EBUSY (already recording), -EINVAL (unknown
 * flags), -ENOMEM, -EIO (writing the header or ranges failed; the file is
 * removed), or the -errno of open(2) creating the file.
 */
int ooh_record(struct ooh_tracker *t, const char *path, unsigned int flags);

/*
 * ooh_stop - stop tracking: remove write protection, unregister rings.
 * The tracker may track again afterwards.  Returns 0 (cannot fail: the
 * backends' stop operations return nothing).
 */
int ooh_stop(struct ooh_tracker *t);

/* ooh_close - stop if needed and free the tracker.  NULL is allowed.
 * Cannot fail. */
void ooh_close(struct ooh_tracker *t);

/*
 * ooh_backends - names of all compiled-in backends, NULL-terminated; with
 * ooh_backend_probe() a caller can list what works here.  Cannot fail.
 */
const char *const *ooh_backends(void);

/*
 * 0 if @backend (a name of ooh_backends(), not "auto", not NULL) works
 * here, else -errno (reason in ooh_last_error()): -EINVAL (@backend is
 * NULL), -ENOENT (unknown name),
 * -EOPNOTSUPP (not supported here), -EPERM (UIO device not accessible,
 * userfaultfd not permitted), -EAGAIN/-ENOMEM (softdirty cannot fork).
 */
int ooh_backend_probe(const char *backend);

/*
 * Version of the libooh these declarations came from (MAJOR.MINOR.PATCH,
 * the top-level VERSION file); ooh_major_version() and
 * ooh_minor_version() give the library's own, which may be newer when a
 * program runs against a later libooh.so of the same major version
 * (liburing's IO_URING_VERSION_MAJOR / io_uring_major_version()).
 * ooh_check_version(MAJOR, MINOR) is true if the running library is at
 * least MAJOR.MINOR.  Since libooh 1.1.  Cannot fail.
 */
#define OOH_VERSION_MAJOR	1
#define OOH_VERSION_MINOR	3
#define OOH_VERSION_PATCH	0
#define OOH_VERSION_CHECK(major, minor) \
	(OOH_VERSION_MAJOR > (major) || \
	 (OOH_VERSION_MAJOR == (major) && OOH_VERSION_MINOR >= (minor)))
int ooh_major_version(void);
int ooh_minor_version(void);
bool ooh_check_version(int major, int minor);

/*
 * Reading a dirty-page trace (ooh-trace(5), written by ooh_record()):
 * ooh_trace_open() checks the header, ooh_trace_next() returns one record
 * at a time, ooh_trace_close() frees the reader.  Since libooh 1.2.
 */
struct ooh_trace_reader;

/* One record of a trace; pointers are the reader's, valid until the next
 * ooh_trace_next() or ooh_trace_close(). */
struct ooh_trace_event {
	uint32_t type;			/* enum ooh_trace_type (<ooh/trace.h>);
					 * others: a later version's record */
	uint64_t offset;		/* uncompressed byte offset of the record */
	struct ooh_trace_range range;	/* OOH_TRACE_RANGE, OOH_TRACE_UNTRACK */
	struct ooh_trace_interval iv;	/* OOH_TRACE_INTERVAL */
	const uint64_t *pages;		/* OOH_TRACE_INTERVAL: iv.nr_pages
					 * page addresses, ascending */
	const char *maps;		/* OOH_TRACE_MAPS: /proc/PID/maps text,
					 * NUL-terminated */
	size_t maps_len;		/* bytes of @maps without the NUL */
	uint64_t maps_t_ns;		/* OOH_TRACE_MAPS: when it was read */
};

/*
 * ooh_trace_open - open the trace @path, read and check its header into
 * *@hdr (may be NULL), and return a reader in *@r.  0, or a negative errno
 * (ooh_last_error() names the file and the byte offset): -EPROTO bad magic
 * or unknown version, -ENODATA shorter than its header, -ENOMEM, or
 * open(2)'s errno.
 */
int ooh_trace_open(const char *path, struct ooh_trace_reader **r,
		   struct ooh_trace_hdr *hdr);
/*
 * ooh_trace_next - the next record into *@ev: 1, or 0 at the clean end of
 * the trace (gzip trailer checked), or a negative errno: -ENODATA the file
 * ends inside a record or without the gzip trailer (a recorder that was
 * killed: every record before is good), -EPROTO corrupt (record CRC,
 * length, encoding, deflate or gzip CRC), -ENOMEM.
 */
int ooh_trace_next(struct ooh_trace_reader *r, struct ooh_trace_event *ev);
/* ooh_trace_close - free @r (NULL: nothing).  Cannot fail. */
void ooh_trace_close(struct ooh_trace_reader *r);

#ifdef __cplusplus
}
#endif

#endif /* OOH_H */
