// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * trace-read.c - the dirty-page trace reader (<ooh/trace.h>, ooh-trace(5))
 * that ooh-trace(1) and the replay backend use: gzread() reads the gzip
 * members record.c writes as one stream.
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

struct ooh_trace_reader {
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
static int rd_exact(struct ooh_trace_reader *r, void *p, size_t n,
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

int __ooh_trace_open(const char *path, struct ooh_trace_reader **out,
		     struct ooh_trace_hdr *hdr, char *err, size_t errlen)
{
	struct ooh_trace_reader *r;
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
		ooh_trace_close(r);
		return ret;
	}
	hdr->backend[sizeof(hdr->backend) - 1] = 0;
	*out = r;
	return 0;
}

static int corrupt(struct ooh_trace_reader *r, uint64_t at, char *err,
		   size_t errlen, const char *what)
{
	snprintf(err, errlen, "%s: corrupt record at byte %llu: %s", r->path,
		 (unsigned long long)at, what);
	return -EPROTO;
}

static int decode_interval(struct ooh_trace_reader *r,
			   struct ooh_trace_event *ev, const unsigned char *p,
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

int __ooh_trace_next(struct ooh_trace_reader *r, struct ooh_trace_event *ev,
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

/* Also the public ooh_trace_close(3). */
__ooh_public void ooh_trace_close(struct ooh_trace_reader *r)
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
/* The public reader (include/ooh.h, ooh_trace_open(3))                */
/* ------------------------------------------------------------------ */

__ooh_public int ooh_trace_open(const char *path, struct ooh_trace_reader **r,
				struct ooh_trace_hdr *hdr)
{
	struct ooh_trace_hdr h;
	char err[512];
	int ret;

	__ooh_clear_error();
	if (!path || !r)
		return __ooh_err(EINVAL, "ooh_trace_open: NULL %s",
				 path ? "reader" : "path");
	ret = __ooh_trace_open(path, r, hdr ? hdr : &h, err, sizeof(err));
	return ret ? __ooh_err(-ret, "%s", err) : 0;
}

__ooh_public int ooh_trace_next(struct ooh_trace_reader *r,
				struct ooh_trace_event *ev)
{
	char err[512];
	int ret;

	__ooh_clear_error();
	if (!r || !ev)
		return __ooh_err(EINVAL, "ooh_trace_next: NULL %s",
				 r ? "event" : "reader");
	ret = __ooh_trace_next(r, ev, err, sizeof(err));
	return ret < 0 ? __ooh_err(-ret, "%s", err) : ret;
}
