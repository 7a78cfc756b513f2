// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * record.c - the recorder behind ooh_record(): each fetch's dirty set as
 * one interval record of a dirty-page trace (<ooh/trace.h>, ooh-trace(5)).
 *
 * The file is gzip members written with zlib (gzdopen(), gzwrite(),
 * gzflush(Z_FINISH) after the header and after every interval: one member
 * each, so the file is complete after every interval).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "buf.h"
#include "internal.h"
#include "tracefile.h"

_Static_assert(sizeof(struct ooh_trace_hdr) == 96, "trace header layout");
_Static_assert(sizeof(struct ooh_trace_rec) == 8, "record header layout");
_Static_assert(sizeof(struct ooh_trace_range) == 24, "range layout");
_Static_assert(sizeof(struct ooh_trace_interval) == 48, "interval layout");
_Static_assert(sizeof(struct ooh_trace_maps) == 8, "maps layout");

struct __ooh_recorder {
	gzFile gz;
	uint64_t t0_ns;		/* CLOCK_MONOTONIC at ooh_record() */
	uint64_t last_ns;	/* start of the current interval */
	bool maps, maps_due;
	struct buf b;
	struct buf last_maps;	/* text of the last maps record written */
};

/* Append one record (header, payload in r->b after 8 bytes, CRC). */
static int rec_emit(struct __ooh_recorder *r, uint32_t type)
{
	struct ooh_trace_rec h = { .type = type,
				   .len = (uint32_t)(r->b.len - sizeof(h)) };
	uint32_t crc;

	memcpy(r->b.p, &h, sizeof(h));
	crc = (uint32_t)crc32(0L, r->b.p, (uInt)r->b.len);
	if (buf_put(&r->b, &crc, sizeof(crc)))
		return -ENOMEM;
	if (gzwrite(r->gz, r->b.p, (unsigned int)r->b.len) != (int)r->b.len)
		return -EIO;
	return 0;
}

static int rec_begin(struct __ooh_recorder *r)
{
	static const struct ooh_trace_rec zero;

	r->b.len = 0;
	return buf_put(&r->b, &zero, sizeof(zero));
}

/*
 * End the gzip member (the next write starts a new one): what is written
 * so far is a complete gzip file that survives a crash or a SIGKILL of
 * the recording process.
 */
static int rec_flush(struct __ooh_recorder *r)
{
	return gzflush(r->gz, Z_FINISH) == Z_OK ? 0 : -EIO;
}

static int write_range(struct __ooh_recorder *r, uint32_t type, pid_t pid,
		       uint64_t start, uint64_t end)
{
	struct ooh_trace_range rg = { .start = start, .end = end, .pid = pid };

	if (rec_begin(r) || buf_put(&r->b, &rg, sizeof(rg)))
		return -ENOMEM;
	return rec_emit(r, type);
}

/*
 * With OOH_RECORD_MAPS, read /proc/PID/maps at every interval and write a
 * maps record before the interval's when it differs from the last one
 * written (or when @force: the tracked ranges changed).  Backends that see
 * new mappings themselves (epml, spml whole-mm) never change their ranges,
 * so comparing the text is what keeps the attribution of ooh-trace's
 * "hottest regions" current as the process maps and unmaps memory.
 */
static int write_maps(struct ooh_tracker *t, uint64_t now, bool force)
{
	struct __ooh_recorder *r = t->rec;
	struct ooh_trace_maps m = { .t_ns = now - r->t0_ns };
	size_t off = sizeof(struct ooh_trace_rec) + sizeof(m), len;
	char path[64];
	ssize_t n;
	int fd;

	if (rec_begin(r) || buf_put(&r->b, &m, sizeof(m)))
		return -ENOMEM;
	snprintf(path, sizeof(path), "/proc/%d/maps", t->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;	/* gone: the fetch reports it */
	for (;;) {
		if (buf_reserve(&r->b, 65536)) {
			close(fd);
			return -ENOMEM;
		}
		n = read(fd, r->b.p + r->b.len, 65536);
		if (n <= 0)
			break;
		r->b.len += (size_t)n;
	}
	close(fd);
	len = r->b.len - off;
	if (!force && len == r->last_maps.len &&
	    !memcmp(r->b.p + off, r->last_maps.p, len))
		return 0;
	r->last_maps.len = 0;
	if (buf_put(&r->last_maps, r->b.p + off, len))
		return -ENOMEM;
	return rec_emit(r, OOH_TRACE_MAPS);
}

static void record_stop(struct ooh_tracker *t)
{
	struct __ooh_recorder *r = t->rec;

	if (!r)
		return;
	gzclose(r->gz);
	free(r->b.p);
	free(r->last_maps.p);
	free(r);
	t->rec = NULL;
}

void __ooh_record_close(struct ooh_tracker *t)
{
	record_stop(t);
}

/* A write failed: stop recording, report the error at the next fetch. */
static void record_fail(struct ooh_tracker *t, int err)
{
	if (!t->rec_err)
		t->rec_err = err;
	record_stop(t);
}

void __ooh_record_range(struct ooh_tracker *t, uint32_t type, uint64_t start,
			uint64_t end)
{
	int ret;

	if (!t->rec)
		return;
	ret = write_range(t->rec, type, t->pid, start, end);
	if (ret)
		record_fail(t, ret);
	else if (type == OOH_TRACE_RANGE)
		t->rec->maps_due = t->rec->maps;
}

int __ooh_record_interval(struct ooh_tracker *t, uint64_t t_fetch_ns,
			  uint64_t fetch_ns, const uint64_t *pages, size_t nr,
			  unsigned int flags, uint64_t lost)
{
	struct __ooh_recorder *r = t->rec;
	struct ooh_trace_interval iv = {
		.fetch_ns = fetch_ns, .lost = lost, .nr_pages = nr,
		.flags = flags,
	};
	uint64_t prev = 0;
	int ret = 0, err;

	if (r) {
		iv.t_ns = t_fetch_ns - r->t0_ns;
		iv.len_ns = t_fetch_ns - r->last_ns;
		r->last_ns = t_fetch_ns;
		if (r->maps) {
			ret = write_maps(t, t_fetch_ns, r->maps_due);
			r->maps_due = false;
		}
		if (!ret)
			ret = rec_begin(r) ? -ENOMEM :
			      buf_put(&r->b, &iv, sizeof(iv));
		for (size_t i = 0; !ret && i < nr; i++) {
			uint64_t pg = pages[i] >> OOH_PAGE_SHIFT;

			ret = buf_uleb(&r->b, i ? pg - prev : pg);
			prev = pg;
		}
		if (!ret)
			ret = rec_emit(r, OOH_TRACE_INTERVAL);
		if (!ret)
			ret = rec_flush(r);
		if (ret)
			record_fail(t, ret);
	}
	err = t->rec_err;
	t->rec_err = 0;
	if (err)
		return __ooh_err(-err, "recording stopped: writing the trace "
				 "failed: %s", strerror(-err));
	return 0;
}

__ooh_public int ooh_record(struct ooh_tracker *t, const char *path,
			    unsigned int flags)
{
	struct ooh_trace_hdr h = { .version = OOH_TRACE_VERSION,
				   .hdr_size = sizeof(h),
				   .page_size = OOH_PAGE_SIZE };
	struct __ooh_recorder *r;
	struct timespec ts;
	int fd, ret = 0;

	__ooh_clear_error();
	if (flags & ~(OOH_RECORD_FORCE | OOH_RECORD_MAPS))
		return __ooh_err(EINVAL, "unknown ooh_record() flags %#x",
				 flags);
	if (!path) {
		record_stop(t);
		return 0;
	}
	if (t->rec)
		return __ooh_err(EBUSY, "the tracker is already recording");
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC |
		  (flags & OOH_RECORD_FORCE ? O_TRUNC : O_EXCL), 0644);
	if (fd < 0) {
		if (errno == EEXIST)
			return __ooh_err(EEXIST, "%s exists (not replaced "
					 "without force)", path);
		return __ooh_err(errno, "cannot create %s: %s", path,
				 strerror(errno));
	}
	r = calloc(1, sizeof(*r));
	if (!r || !(r->gz = gzdopen(fd, "wb6"))) {
		free(r);
		close(fd);
		return __ooh_err(ENOMEM, "out of memory");
	}
	r->maps = flags & OOH_RECORD_MAPS;
	r->maps_due = r->maps;
	r->t0_ns = r->last_ns = __ooh_now_ns();
	memcpy(h.magic, OOH_TRACE_MAGIC, sizeof(h.magic));
	snprintf(h.backend, sizeof(h.backend), "%s", t->be->name);
	clock_gettime(CLOCK_REALTIME, &ts);
	h.start_realtime_ns = (uint64_t)ts.tv_sec * 1000000000ull +
			      (uint64_t)ts.tv_nsec;
	t->rec = r;
	if (gzwrite(r->gz, &h, sizeof(h)) != (int)sizeof(h))
		ret = -EIO;
	if (t->whole_mm && (t->be->caps & OOH_CAP_NEW_MAPPINGS))
		ret = ret ? ret : write_range(r, OOH_TRACE_RANGE, t->pid, 0, 0);
	else
		for (size_t i = 0; !ret && i < t->nr_ranges; i++)
			ret = write_range(r, OOH_TRACE_RANGE, t->pid,
					  t->ranges[i].start, t->ranges[i].end);
	if (!ret)
		ret = rec_flush(r);
	if (ret) {
		record_stop(t);
		unlink(path);
		return __ooh_err(-ret, "cannot write %s: %s", path,
				 strerror(-ret));
	}
	return 0;
}

