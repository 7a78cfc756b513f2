// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * trace.c - dirty-page traces (<ooh/trace.h>, ooh-trace(5)): the recorder
 * behind ooh_record(), the reader ooh-trace(1) uses, and the "trace"
 * backend that replays a recorded trace through the libooh API.
 *
 * The file is gzip members written and read with zlib (gzdopen(),
 * gzwrite(), gzflush(Z_FINISH) after the header and after every interval:
 * one member each, so the file is complete after every interval; gzread()
 * reads the members as one stream).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "internal.h"
#include "tracefile.h"

_Static_assert(sizeof(struct ooh_trace_hdr) == 96, "trace header layout");
_Static_assert(sizeof(struct ooh_trace_rec) == 8, "record header layout");
_Static_assert(sizeof(struct ooh_trace_range) == 24, "range layout");
_Static_assert(sizeof(struct ooh_trace_interval) == 48, "interval layout");
_Static_assert(sizeof(struct ooh_trace_maps) == 8, "maps layout");

/* A byte buffer that grows. */
struct buf {
	unsigned char *p;
	size_t len, cap;
};

static int buf_reserve(struct buf *b, size_t more)
{
	if (b->len + more > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		unsigned char *p;

		while (cap < b->len + more)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p)
			return -ENOMEM;
		b->p = p;
		b->cap = cap;
	}
	return 0;
}

static int buf_put(struct buf *b, const void *p, size_t n)
{
	if (buf_reserve(b, n))
		return -ENOMEM;
	memcpy(b->p + b->len, p, n);
	b->len += n;
	return 0;
}

static int buf_uleb(struct buf *b, uint64_t v)
{
	unsigned char tmp[10];
	size_t n = 0;

	do {
		tmp[n] = v & 0x7f;
		v >>= 7;
		if (v)
			tmp[n] |= 0x80;
		n++;
	} while (v);
	return buf_put(b, tmp, n);
}

/* ------------------------------------------------------------------ */
/* Recorder                                                            */
/* ------------------------------------------------------------------ */

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

/* ------------------------------------------------------------------ */
/* Reader                                                              */
/* ------------------------------------------------------------------ */

struct __ooh_trace_reader {
	gzFile gz;
	char *path;
	uint64_t off;		/* uncompressed bytes consumed */
	uint64_t end;		/* where a short read stopped */
	struct buf b;		/* the current record */
	uint64_t *pages;
	size_t cap_pages;
	char *maps;
};

/*
 * Read exactly @n bytes.  Returns 1, 0 at a clean end before any byte,
 * -ENODATA (ends early), -EPROTO (deflate or gzip check error), -EIO.
 */
static int rd_exact(struct __ooh_trace_reader *r, void *p, size_t n,
		    uint64_t rec_off, char *err, size_t errlen)
{
	size_t got = 0;
	int zerr, k;
	const char *msg;

	while (got < n) {
		k = gzread(r->gz, (char *)p + got, (unsigned int)(n - got));
		if (k > 0) {
			got += (size_t)k;
			continue;
		}
		r->end = r->off + got;
		msg = gzerror(r->gz, &zerr);
		/* end of data: with a good trailer (Z_OK) or without one */
		if ((k == 0 && zerr == Z_OK) || zerr == Z_BUF_ERROR) {
			bool boundary = !got && rec_off == r->off;

			if (boundary && zerr == Z_OK)
				return 0;
			if (boundary)
				snprintf(err, errlen, "%s: truncated after "
					 "the last complete record (byte "
					 "%llu): no gzip trailer", r->path,
					 (unsigned long long)r->off);
			else
				snprintf(err, errlen, "%s: truncated: the "
					 "record at byte %llu ends at byte "
					 "%llu", r->path,
					 (unsigned long long)rec_off,
					 (unsigned long long)r->end);
			return -ENODATA;
		}
		if (zerr == Z_ERRNO) {
			snprintf(err, errlen, "%s: read error after byte "
				 "%llu: %s", r->path,
				 (unsigned long long)(r->off + got),
				 strerror(errno));
			return -EIO;
		}
		snprintf(err, errlen, "%s: corrupt compressed data after "
			 "byte %llu of the trace (file offset %lld): %s",
			 r->path, (unsigned long long)(r->off + got),
			 (long long)gzoffset(r->gz), msg);
		return -EPROTO;
	}
	r->off += n;
	return 1;
}

int __ooh_trace_open(const char *path, struct __ooh_trace_reader **out,
		     struct ooh_trace_hdr *hdr, char *err, size_t errlen)
{
	struct __ooh_trace_reader *r;
	unsigned char skip[256];
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(ret));
		return -ret;
	}
	r = calloc(1, sizeof(*r));
	if (!r || !(r->path = strdup(path)) || !(r->gz = gzdopen(fd, "rb"))) {
		if (r)
			free(r->path);
		free(r);
		close(fd);
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	ret = rd_exact(r, hdr, sizeof(*hdr), 0, err, errlen);
	if (ret == 0 || ret == -ENODATA) {
		snprintf(err, errlen, "%s: not an OoH trace: %s at byte %llu "
			 "(a trace starts with a %zu-byte header)", path,
			 r->end ? "it ends" : "empty",
			 (unsigned long long)r->end, sizeof(*hdr));
		ret = -ENODATA;
	} else if (ret > 0 && gzdirect(r->gz)) {
		snprintf(err, errlen, "%s: not an OoH trace: not gzip "
			 "data (byte 0)", path);
		ret = -EPROTO;
	} else if (ret > 0 && memcmp(hdr->magic, OOH_TRACE_MAGIC, 8)) {
		snprintf(err, errlen, "%s: not an OoH trace: bad magic at "
			 "byte 0", path);
		ret = -EPROTO;
	} else if (ret > 0 && hdr->version != OOH_TRACE_VERSION) {
		snprintf(err, errlen, "%s: trace version %u at byte 8 is not "
			 "supported (this reader knows version %u)", path,
			 hdr->version, OOH_TRACE_VERSION);
		ret = -EPROTO;
	} else if (ret > 0 && (hdr->hdr_size < sizeof(*hdr) ||
			       hdr->hdr_size > sizeof(*hdr) + sizeof(skip) ||
			       hdr->page_size != OOH_PAGE_SIZE)) {
		snprintf(err, errlen, "%s: corrupt header at byte 12: size "
			 "%u, page size %u", path, hdr->hdr_size,
			 hdr->page_size);
		ret = -EPROTO;
	} else if (ret > 0 && hdr->hdr_size > sizeof(*hdr)) {
		ret = rd_exact(r, skip, hdr->hdr_size - sizeof(*hdr), 0, err,
			       errlen);
	}
	if (ret < 0) {
		__ooh_trace_close(r);
		return ret;
	}
	hdr->backend[sizeof(hdr->backend) - 1] = 0;
	*out = r;
	return 0;
}

static int corrupt(struct __ooh_trace_reader *r, uint64_t at, char *err,
		   size_t errlen, const char *what)
{
	snprintf(err, errlen, "%s: corrupt record at byte %llu: %s", r->path,
		 (unsigned long long)at, what);
	return -EPROTO;
}

static int decode_interval(struct __ooh_trace_reader *r,
			   struct __ooh_trace_event *ev, const unsigned char *p,
			   size_t len, char *err, size_t errlen)
{
	size_t pos = sizeof(ev->iv);
	uint64_t pg = 0;

	if (len < sizeof(ev->iv))
		return corrupt(r, ev->offset, err, errlen, "short interval");
	memcpy(&ev->iv, p, sizeof(ev->iv));
	/* Each page takes at least one byte. */
	if (ev->iv.nr_pages > len - pos)
		return corrupt(r, ev->offset, err, errlen,
			       "page count exceeds the record");
	if (ev->iv.nr_pages > r->cap_pages) {
		uint64_t *np = realloc(r->pages, ev->iv.nr_pages * sizeof(*np));

		if (!np) {
			snprintf(err, errlen, "%s: out of memory", r->path);
			return -ENOMEM;
		}
		r->pages = np;
		r->cap_pages = ev->iv.nr_pages;
	}
	for (uint64_t i = 0; i < ev->iv.nr_pages; i++) {
		uint64_t v = 0;
		unsigned int shift = 0;

		for (;;) {
			if (pos >= len || shift > 63)
				return corrupt(r, ev->offset, err, errlen,
					       "bad page encoding");
			v |= (uint64_t)(p[pos] & 0x7f) << shift;
			shift += 7;
			if (!(p[pos++] & 0x80))
				break;
		}
		if (i && !v)
			return corrupt(r, ev->offset, err, errlen,
				       "pages not ascending");
		pg = i ? pg + v : v;
		if (pg > (UINT64_MAX >> OOH_PAGE_SHIFT))
			return corrupt(r, ev->offset, err, errlen,
				       "page address out of range");
		r->pages[i] = pg << OOH_PAGE_SHIFT;
	}
	if (pos != len)
		return corrupt(r, ev->offset, err, errlen,
			       "bytes after the last page");
	ev->pages = r->pages;
	return 1;
}

int __ooh_trace_next(struct __ooh_trace_reader *r, struct __ooh_trace_event *ev,
		     char *err, size_t errlen)
{
	struct ooh_trace_rec h;
	uint32_t crc, want;
	unsigned char *p;
	int ret;

	memset(ev, 0, sizeof(*ev));
	ev->offset = r->off;
	ret = rd_exact(r, &h, sizeof(h), ev->offset, err, errlen);
	if (ret <= 0)
		return ret;
	if (h.len > OOH_TRACE_MAX_REC)
		return corrupt(r, ev->offset, err, errlen, "length too large");
	r->b.len = 0;
	if (buf_put(&r->b, &h, sizeof(h)) || buf_reserve(&r->b, h.len + 1)) {
		snprintf(err, errlen, "%s: out of memory", r->path);
		return -ENOMEM;
	}
	p = r->b.p + sizeof(h);
	/* Past the record header a short read is always -ENODATA, never 0. */
	ret = rd_exact(r, p, h.len, ev->offset, err, errlen);
	if (ret > 0)
		ret = rd_exact(r, &crc, sizeof(crc), ev->offset, err, errlen);
	if (ret < 0)
		return ret;
	want = (uint32_t)crc32(0L, r->b.p, (uInt)(sizeof(h) + h.len));
	if (crc != want)
		return corrupt(r, ev->offset, err, errlen, "CRC mismatch");
	ev->type = h.type;
	switch (h.type) {
	case OOH_TRACE_RANGE:
	case OOH_TRACE_UNTRACK:
		if (h.len != sizeof(ev->range))
			return corrupt(r, ev->offset, err, errlen,
				       "bad range length");
		memcpy(&ev->range, p, sizeof(ev->range));
		if ((ev->range.start | ev->range.end) & ~OOH_PAGE_MASK ||
		    ev->range.end < ev->range.start)
			return corrupt(r, ev->offset, err, errlen,
				       "bad range");
		return 1;
	case OOH_TRACE_INTERVAL:
		return decode_interval(r, ev, p, h.len, err, errlen);
	case OOH_TRACE_MAPS:
		if (h.len < sizeof(uint64_t))
			return corrupt(r, ev->offset, err, errlen,
				       "short maps record");
		memcpy(&ev->maps_t_ns, p, sizeof(uint64_t));
		p[h.len] = 0;
		ev->maps = (const char *)p + sizeof(uint64_t);
		ev->maps_len = h.len - sizeof(uint64_t);
		return 1;
	default:
		return 1;	/* a later version's record: skipped */
	}
}

void __ooh_trace_close(struct __ooh_trace_reader *r)
{
	if (!r)
		return;
	if (r->gz)
		gzclose(r->gz);
	free(r->path);
	free(r->b.p);
	free(r->pages);
	free(r);
}

/* ------------------------------------------------------------------ */
/* The "trace" backend: replay $OOH_TRACE                              */
/* ------------------------------------------------------------------ */

/*
 * Recorded range k is replayed onto the caller's k-th tracked range (both
 * in ooh_track() order): a page at offset o of recorded range k is
 * reported at offset o of the caller's range k, so a replay in another
 * process (other addresses, ASLR) sees the recorded pattern in its own
 * ranges.  A whole-address-space range on either side maps pages
 * unchanged.
 */
struct trace_state {
	struct __ooh_trace_reader *r;
	struct ooh_trace_range *rec;	/* recorded ranges, in order */
	size_t nr_rec, cap_rec;
	struct __ooh_range *mine;	/* the caller's, in order */
	size_t nr_mine, cap_mine;
	uint64_t intervals;
};

static int trace_open_env(struct __ooh_trace_reader **r, char *err,
			  size_t errlen)
{
	const char *path = getenv("OOH_TRACE");
	struct ooh_trace_hdr h;

	if (!path || !*path) {
		snprintf(err, errlen, "OOH_TRACE is not set (ooh-trace "
			 "replay FILE -- CMD sets it)");
		return -EOPNOTSUPP;
	}
	return __ooh_trace_open(path, r, &h, err, errlen);
}

static int trace_probe(void)
{
	struct __ooh_trace_reader *r;
	char err[512];
	int ret = trace_open_env(&r, err, sizeof(err));

	if (ret)
		return __ooh_err(EOPNOTSUPP, "%s", err);
	__ooh_trace_close(r);
	return 0;
}

static int trace_init(struct ooh_tracker *t)
{
	struct trace_state *s = calloc(1, sizeof(*s));
	char err[512];
	int ret;

	if (!s)
		return __ooh_err(ENOMEM, "out of memory");
	ret = trace_open_env(&s->r, err, sizeof(err));
	if (ret) {
		free(s);
		return __ooh_err(-ret, "%s", err);
	}
	t->priv = s;
	return 0;
}

static int grow(void **v, size_t *cap, size_t nr, size_t size)
{
	void *p;

	if (nr < *cap)
		return 0;
	p = realloc(*v, (*cap ? 2 * *cap : 8) * size);
	if (!p)
		return -ENOMEM;
	*v = p;
	*cap = *cap ? 2 * *cap : 8;
	return 0;
}

static int trace_track(struct ooh_tracker *t, struct __ooh_range *r)
{
	struct trace_state *s = t->priv;

	if (grow((void **)&s->mine, &s->cap_mine, s->nr_mine,
		 sizeof(*s->mine)))
		return __ooh_err(ENOMEM, "out of memory");
	s->mine[s->nr_mine++] = *r;
	return 0;
}

static int trace_untrack(struct ooh_tracker *t, struct __ooh_range *r)
{
	struct trace_state *s = t->priv;

	for (size_t i = 0; i < s->nr_mine; i++) {
		if (s->mine[i].start != r->start || s->mine[i].end != r->end)
			continue;
		memmove(&s->mine[i], &s->mine[i + 1],
			(s->nr_mine - i - 1) * sizeof(*s->mine));
		s->nr_mine--;
		break;
	}
	return 0;
}

static int replay_pages(struct trace_state *s, const uint64_t *pages,
			size_t nr, struct __ooh_pageset *out)
{
	for (size_t i = 0; i < nr; i++) {
		uint64_t p = pages[i], q = p;
		bool keep = s->nr_rec == 0;	/* no ranges recorded */

		for (size_t k = 0; k < s->nr_rec && !keep; k++) {
			const struct ooh_trace_range *rg = &s->rec[k];
			const struct __ooh_range *m;

			if (rg->start == rg->end) {	/* recorded whole mm */
				keep = true;
				break;
			}
			if (p < rg->start || p >= rg->end)
				continue;
			if (k >= s->nr_mine)
				break;
			m = &s->mine[k];
			if (m->start == m->end) {	/* replayed whole mm */
				keep = true;
				break;
			}
			q = m->start + (p - rg->start);
			keep = q < m->end;
			break;
		}
		if (keep && __ooh_pageset_add(out, q))
			return __ooh_err(ENOMEM, "out of memory");
	}
	return 0;
}

static int trace_collect(struct ooh_tracker *t, struct __ooh_pageset *out,
			 unsigned int *flags)
{
	struct trace_state *s = t->priv;
	struct __ooh_trace_event ev;
	char err[512];
	int ret;

	for (;;) {
		ret = __ooh_trace_next(s->r, &ev, err, sizeof(err));
		if (ret == 0)
			return __ooh_err(ENODATA, "the trace ended after %llu "
					 "intervals",
					 (unsigned long long)s->intervals);
		if (ret < 0)
			return __ooh_err(-ret, "%s", err);
		if (ev.type == OOH_TRACE_RANGE) {
			if (grow((void **)&s->rec, &s->cap_rec, s->nr_rec,
				 sizeof(*s->rec)))
				return __ooh_err(ENOMEM, "out of memory");
			s->rec[s->nr_rec++] = ev.range;
		} else if (ev.type == OOH_TRACE_UNTRACK) {
			for (size_t i = 0; i < s->nr_rec; i++) {
				if (s->rec[i].start != ev.range.start ||
				    s->rec[i].end != ev.range.end)
					continue;
				memmove(&s->rec[i], &s->rec[i + 1],
					(s->nr_rec - i - 1) * sizeof(*s->rec));
				s->nr_rec--;
				break;
			}
		} else if (ev.type == OOH_TRACE_INTERVAL) {
			break;
		}
	}
	s->intervals++;
	*flags |= ev.iv.flags & OOH_FETCH_ALL;
	t->lost += ev.iv.lost;
	return replay_pages(s, ev.pages, ev.iv.nr_pages, out);
}

static void trace_stop(struct ooh_tracker *t)
{
	struct trace_state *s = t->priv;

	s->nr_mine = 0;
}

static void trace_fini(struct ooh_tracker *t)
{
	struct trace_state *s = t->priv;

	if (!s)
		return;
	__ooh_trace_close(s->r);
	free(s->rec);
	free(s->mine);
	free(s);
	t->priv = NULL;
}

const struct __ooh_backend __ooh_be_trace = {
	.name = "trace",
	.caps = OOH_CAP_SELF | OOH_CAP_OTHER | OOH_CAP_WHOLE_MM |
		OOH_CAP_NEW_MAPPINGS | OOH_CAP_THREADS,
	.probe = trace_probe,
	.init = trace_init,
	.track = trace_track,
	.untrack = trace_untrack,
	.collect = trace_collect,
	.stop = trace_stop,
	.fini = trace_fini,
};
