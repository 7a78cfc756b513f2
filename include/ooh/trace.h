/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ooh/trace.h - the OoH dirty-page trace format, version 1 (ooh-trace(5)).
 *
 * Written by ooh_record() (ooh-track --record), read by ooh-trace(1) and
 * by libooh's "trace" backend.  A trace is a sequence of gzip members
 * (RFC 1952 allows concatenation; zcat, gzip -t and zlib's gzread() read
 * the members as one stream).  Its uncompressed content is one struct
 * ooh_trace_hdr followed by records:
 *
 *   struct ooh_trace_rec   type and payload length
 *   payload                @len bytes, layout by type (below)
 *   uint32_t crc           zlib crc32() of the record header and payload
 *
 * Every integer is little-endian (the byte order of the x86-64 hosts and
 * guests OoH runs on).  The writer ends a gzip member after the header
 * records and after every interval record, so the file is a complete
 * gzip file after each interval: a recorder killed at any moment (even by
 * SIGKILL) loses at most the interval being written, gzip -t accepts what
 * it left, and readers read it up to its last complete interval.  A file
 * cut inside a member is readable up to its last complete record.  Readers skip record types they do not know (the
 * CRC still covers them) and refuse a header whose version they do not
 * know.  A record longer than OOH_TRACE_MAX_REC is corrupt.
 */
#ifndef OOH_TRACE_H
#define OOH_TRACE_H

#include <stdint.h>

#define OOH_TRACE_MAGIC		"OOHTRACE"	/* 8 bytes, no NUL */
#define OOH_TRACE_VERSION	1u
#define OOH_TRACE_MAX_REC	(1u << 30)

/* At uncompressed offset 0. */
struct ooh_trace_hdr {
	char magic[8];		/* OOH_TRACE_MAGIC */
	uint32_t version;	/* OOH_TRACE_VERSION */
	uint32_t hdr_size;	/* sizeof(struct ooh_trace_hdr): records start
				 * here (a later version may grow the header) */
	uint32_t page_size;	/* bytes, 4096 */
	uint32_t reserved0;
	uint64_t start_realtime_ns; /* CLOCK_REALTIME at ooh_record() */
	char backend[32];	/* recording backend's name, NUL-terminated */
	uint64_t reserved[4];	/* 0 */
};

enum ooh_trace_type {
	OOH_TRACE_RANGE = 1,	/* struct ooh_trace_range: tracking added */
	OOH_TRACE_UNTRACK = 2,	/* struct ooh_trace_range: tracking removed */
	OOH_TRACE_INTERVAL = 3,	/* struct ooh_trace_interval + pages */
	OOH_TRACE_MAPS = 4,	/* struct ooh_trace_maps + /proc/PID/maps text */
};

struct ooh_trace_rec {
	uint32_t type;		/* enum ooh_trace_type */
	uint32_t len;		/* payload bytes after this header */
};

/*
 * A tracked range [start, end), page-aligned, of process @pid; start ==
 * end == 0 is the whole address space (a backend with
 * OOH_CAP_NEW_MAPPINGS).  Ranges are recorded in ooh_track() order.
 */
struct ooh_trace_range {
	uint64_t start, end;
	int32_t pid;
	uint32_t reserved;
};

/*
 * One ooh_fetch(): times in nanoseconds of CLOCK_MONOTONIC relative to
 * ooh_record().  Followed by @nr_pages page numbers (address >> 12),
 * ascending, as unsigned LEB128: the first page number, then each
 * difference from the previous one (>= 1).
 */
struct ooh_trace_interval {
	uint64_t t_ns;		/* end of the interval: when the fetch began */
	uint64_t len_ns;	/* since the previous fetch (or ooh_record()) */
	uint64_t fetch_ns;	/* time the fetch took */
	uint64_t lost;		/* ooh_dirty.lost */
	uint64_t nr_pages;
	uint32_t flags;		/* ooh_dirty.flags (OOH_FETCH_ALL) */
	uint32_t reserved;
};

/* /proc/PID/maps of the tracked process, recorded with OOH_RECORD_MAPS
 * before the first interval, whenever ranges were added and whenever the
 * text changed since the last one (read at each interval); followed by
 * the text (payload length minus this struct, no NUL). */
struct ooh_trace_maps {
	uint64_t t_ns;
};

#endif /* OOH_TRACE_H */
