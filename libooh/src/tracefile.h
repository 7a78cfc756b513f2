/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tracefile.h - reading and writing <ooh/trace.h> traces (record.c writes, trace-read.c reads).
 * Internal to libooh and its tools (linked statically): ooh-trace(1) uses
 * the reader, ooh_record() the writer, the "trace" backend both.
 */
#ifndef OOH_TRACEFILE_H
#define OOH_TRACEFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ooh/trace.h>

struct ooh_tracker;

/* One record as read back; pointers are owned by the reader and valid
 * until the next __ooh_trace_next(). */
struct __ooh_trace_event {
	uint32_t type;			/* enum ooh_trace_type */
	uint64_t offset;		/* uncompressed byte offset of the record */
	struct ooh_trace_range range;	/* RANGE, UNTRACK */
	struct ooh_trace_interval iv;	/* INTERVAL */
	const uint64_t *pages;		/* INTERVAL: addresses, ascending */
	const char *maps;		/* MAPS: text, NUL-terminated */
	size_t maps_len;
	uint64_t maps_t_ns;
};

struct __ooh_trace_reader;

/*
 * __ooh_trace_open - open @path and check its header.  Returns 0, or
 * -errno with a one-line reason naming the byte offset in @err (bad magic
 * or version: -EPROTO; short header: -ENODATA; open: the errno).
 */
int __ooh_trace_open(const char *path, struct __ooh_trace_reader **out,
		     struct ooh_trace_hdr *hdr, char *err, size_t errlen);

/*
 * __ooh_trace_next - read the next record.  Returns 1 with *ev filled, 0
 * at the clean end of the trace (gzip trailer checked), -ENODATA if the
 * file ends early (truncated: inside a record, or after the last complete
 * record without the gzip trailer), -EPROTO if it is corrupt (record CRC,
 * bad length or encoding, deflate or gzip CRC error), -ENOMEM; on error
 * @err says what and where (uncompressed offset, and the compressed file
 * offset zlib reached).
 */
int __ooh_trace_next(struct __ooh_trace_reader *r, struct __ooh_trace_event *ev,
		     char *err, size_t errlen);

void __ooh_trace_close(struct __ooh_trace_reader *r);

/* Recorder hooks called by core.c (no-ops when @t is not recording). */
void __ooh_record_range(struct ooh_tracker *t, uint32_t type, uint64_t start,
			uint64_t end);
int __ooh_record_interval(struct ooh_tracker *t, uint64_t t_fetch_ns,
			  uint64_t fetch_ns, const uint64_t *pages, size_t nr,
			  unsigned int flags, uint64_t lost);
void __ooh_record_close(struct ooh_tracker *t);

#endif /* OOH_TRACEFILE_H */
