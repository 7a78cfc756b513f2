/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tracefile.h - reading and writing <ooh/trace.h> traces (record.c writes, trace-read.c reads).
 * Internal to libooh: ooh_trace_open(3) and the "trace" backend use the
 * reader (these forms leave the error text in a caller's buffer),
 * ooh_record() the writer.
 */
#ifndef OOH_TRACEFILE_H
#define OOH_TRACEFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ooh/trace.h>

struct ooh_tracker;

#include "ooh.h"	/* struct ooh_trace_reader, struct ooh_trace_event */

/*
 * __ooh_trace_open - open @path and check its header.  Returns 0, or
 * -errno with a one-line reason naming the byte offset in @err (bad magic
 * or version: -EPROTO; short header: -ENODATA; open: the errno).
 */
int __ooh_trace_open(const char *path, struct ooh_trace_reader **out,
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
int __ooh_trace_next(struct ooh_trace_reader *r, struct ooh_trace_event *ev,
		     char *err, size_t errlen);

/* A reader is freed with the public ooh_trace_close(). */

/* Recorder hooks called by core.c (no-ops when @t is not recording). */
void __ooh_record_range(struct ooh_tracker *t, uint32_t type, uint64_t start,
			uint64_t end);
int __ooh_record_interval(struct ooh_tracker *t, uint64_t t_fetch_ns,
			  uint64_t fetch_ns, const uint64_t *pages, size_t nr,
			  unsigned int flags, uint64_t lost);
void __ooh_record_close(struct ooh_tracker *t);

#endif /* OOH_TRACEFILE_H */
