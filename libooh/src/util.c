/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * util.c - page sets, /proc/PID/pagemap and /proc/PID/maps helpers.
 */
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

int __ooh_pageset_grow(struct __ooh_pageset *s)
{
	size_t cap = s->cap ? 2 * s->cap : 1024;
	uint64_t *v = realloc(s->v, cap * sizeof(*v));

	if (!v)
		return __ooh_err(ENOMEM, "out of memory (%zu pages)", cap);
	s->v = v;
	s->cap = cap;
	return 0;
}

int __ooh_pageset_reserve(struct __ooh_pageset *s, size_t n)
{
	while (s->cap - s->nr < n)
		if (__ooh_pageset_grow(s))
			return -ENOMEM;
	return 0;
}

int __ooh_pageset_add_range(struct __ooh_pageset *s, uint64_t start,
			    uint64_t end)
{
	for (uint64_t a = start & OOH_PAGE_MASK; a < end; a += OOH_PAGE_SIZE)
		if (__ooh_pageset_add(s, a))
			return -ENOMEM;
	return 0;
}

/* The lowest and highest of @n values, and the OR of all of them. */
static void span_of(const uint64_t *v, size_t n, uint64_t *min, uint64_t *max,
		    uint64_t *or)
{
	*min = UINT64_MAX;
	*max = 0;
	*or = 0;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < *min)
			*min = v[i];
		if (v[i] > *max)
			*max = v[i];
		*or |= v[i];
	}
}

/*
 * LSD radix sort of @n values on their bits from @shift up, as offsets
 * from @min (the lowest, @max the highest), 8 bits per pass; the passes
 * move the values between @v and @tmp, and the function returns the one
 * that holds the result.  O(n + 256) per pass, no comparisons.
 */
static uint64_t *lsd_sort(uint64_t *v, uint64_t *tmp, size_t n, uint64_t min,
			  uint64_t max, unsigned int shift)
{
	uint32_t cnt[256];	/* 1 KiB: glibc's memset stays off rep stosb */

	for (; shift < 64 && ((max - min) >> shift); shift += 8) {
		uint64_t *t;

		memset(cnt, 0, sizeof(cnt));
		for (size_t i = 0; i < n; i++)
			cnt[((v[i] - min) >> shift) & 255]++;
		for (uint32_t i = 0, sum = 0; i < 256; i++) {
			uint32_t c = cnt[i];

			cnt[i] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			tmp[cnt[((v[i] - min) >> shift) & 255]++] = v[i];
		t = v;
		v = tmp;
		tmp = t;
	}
	return v;
}

/* Words of a bitmap of the pages from @min to @max. */
static size_t bitmap_words(uint64_t min, uint64_t max)
{
	return (size_t)(((max - min) >> OOH_PAGE_SHIFT >> 6) + 1);
}

/*
 * Sort @n page-aligned addresses in @v, @min the lowest and @max the
 * highest, through a bitmap of their span in @bits (at least
 * bitmap_words() words, any contents), in place.  A value seen before is
 * written again after itself, so @v stays @n long and sorted; the
 * caller's unique pass drops the copies.  O(n + span / 64): for a dense
 * set, such as the pages one interval wrote in a heap, cheaper than the
 * two or three LSD passes of its span (about 14 instructions a value
 * each, where the bitmap costs about 13 in all).
 */
static void bitmap_sort(uint64_t *v, size_t n, uint64_t min, uint64_t max,
			uint64_t *bits)
{
	size_t words = bitmap_words(min, max), j = 0;

	for (size_t w = 0; w < words; w++)
		bits[w] = 0;	/* no memset: Bochs counts rep stosb by bytes */
	for (size_t i = 0; i < n; i++) {
		uint64_t p = (v[i] - min) >> OOH_PAGE_SHIFT;

		bits[p >> 6] |= 1ull << (p & 63);
	}
	for (size_t w = 0; w < words; w++)
		for (uint64_t b = bits[w]; b; b &= b - 1)
			v[j++] = min + (((uint64_t)w << 6 |
					 (uint64_t)__builtin_ctzll(b)) <<
					OOH_PAGE_SHIFT);
	for (; j < n; j++)
		v[j] = v[j - 1];
}

/*
 * Sort @n values in @v, @tmp as scratch of @n; returns the one that holds
 * the result.  Page addresses whose bitmap fits in @n words go through
 * bitmap_sort(), anything else through lsd_sort().
 */
static uint64_t *part_sort(uint64_t *v, uint64_t *tmp, size_t n, uint64_t min,
			   uint64_t max, unsigned int shift)
{
	if (shift == OOH_PAGE_SHIFT && bitmap_words(min, max) <= n) {
		bitmap_sort(v, n, min, max, tmp);
		return v;
	}
	return lsd_sort(v, tmp, n, min, max, shift);
}

/*
 * Radix sort of @n page addresses (values with bits below the page sort
 * on those bits too); returns @v or @tmp, whichever holds the result.
 * A set within 256 MiB is one part; a wider one is first split on the
 * top 8 bits of its span (one MSD pass), so that a fetch's heap and
 * stack pages, 2^33 pages apart, are sorted each on its own span.  Each
 * part goes through part_sort(): a bitmap when dense, else LSD passes
 * (one within 1 MiB, two within 256 MiB).  Under
 * Bochs, guest time counts every byte of a memset or memcpy above 2 KiB
 * (rep stosb/movsb) and every compare call of qsort: 2 ms of guest time
 * for the 500 pages of one interval, where the LSD passes took a fifth.
 */
static uint64_t *radix_sort(uint64_t *v, uint64_t *tmp, size_t n)
{
	uint64_t min, max, low, bmin, bmax, bor;
	uint32_t cnt[257];
	unsigned int shift, top;

	span_of(v, n, &min, &max, &low);
	shift = low & ~OOH_PAGE_MASK ? 0 : OOH_PAGE_SHIFT;
	if ((max - min) >> shift >> 16 == 0)
		return part_sort(v, tmp, n, min, max, shift);
	/* MSD: the part of each value is its offset's top 8 bits */
	top = 63 - __builtin_clzll((max - min) >> shift) + shift;
	top = top >= 7 ? top - 7 : 0;
	memset(cnt, 0, sizeof(cnt));
	for (size_t i = 0; i < n; i++)
		cnt[((v[i] - min) >> top) + 1]++;
	for (uint32_t i = 1; i <= 256; i++)
		cnt[i] += cnt[i - 1];
	for (size_t i = 0; i < n; i++)
		tmp[cnt[(v[i] - min) >> top]++] = v[i];
	/* part i is now tmp[cnt[i - 1], cnt[i]), cnt[-1] being 0 */
	for (uint32_t i = 0, s = 0; i < 256; s = cnt[i++]) {
		size_t m = cnt[i] - s;
		uint64_t *r;

		if (m < 2)
			continue;
		span_of(tmp + s, m, &bmin, &bmax, &bor);
		r = part_sort(tmp + s, v + s, m, bmin, bmax, shift);
		if (r != tmp + s)
			memcpy(tmp + s, r, m * sizeof(*r));
	}
	return tmp;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* A 2 MiB region of region_sort_unique(): its base >> 21, its pages. */
struct region {
	uint64_t base;
	uint64_t bits[512 / 64];
};

#define REGION_END UINT32_MAX

/*
 * Sort and deduplicate @s when its values are page addresses in at most
 * @s->nr / 8 regions of 2 MiB (a fetch's result: heap, stack, a mapped
 * file): each region gets a 512-bit bitmap, found by a hash of its base,
 * the regions are sorted by base (qsort: there are few), and their bits
 * read out in order.
 * About 45 instructions a value, where radix_sort() took about 72
 * (callgrind, 900 pages: 850 in 8 MiB, a heap's and a stack's few; the
 * span twice, the MSD count and scatter, then a bitmap per part).
 * Returns false with @s unchanged for anything else (a value with bits
 * below the page, more regions), which radix_sort() then sorts; -ENOMEM
 * is such a false too.
 */
static bool region_sort_unique(struct __ooh_pageset *s)
{
	size_t n = s->nr, max = n / 8 < (1u << 21) ? n / 8 : (1u << 21);
	size_t nr = 0, j = 0;
	unsigned int bits = 4;
	struct region *r, *last = NULL;
	uint64_t *key;
	uint32_t *slot;
	bool ok = false;

	while ((1ul << bits) < 2 * max)
		bits++;
	r = malloc(max * sizeof(*r));
	key = malloc(max * sizeof(*key));
	slot = malloc(sizeof(*slot) << bits);
	if (!r || !key || !slot)
		goto out;
	for (size_t h = 0; h < 1ul << bits; h++)
		slot[h] = REGION_END;	/* no memset: Bochs counts its bytes */
	for (size_t i = 0; i < n; i++) {
		uint64_t v = s->v[i], base = v >> 21, p = (v >> OOH_PAGE_SHIFT) & 511;
		size_t h;

		if (v & ~OOH_PAGE_MASK)
			goto out;
		/* runs of one region (a burst of writes) skip the hash */
		if (last && last->base == base) {
			last->bits[p >> 6] |= 1ull << (p & 63);
			continue;
		}
		h = (size_t)__ooh_hash_u64(base) & ((1ul << bits) - 1);
		while (slot[h] != REGION_END && r[slot[h]].base != base)
			h = (h + 1) & ((1ul << bits) - 1);
		if (slot[h] == REGION_END) {
			if (nr == max)
				goto out;
			r[nr].base = base;
			for (unsigned int w = 0; w < 512 / 64; w++)
				r[nr].bits[w] = 0;
			slot[h] = (uint32_t)nr++;
		}
		last = &r[slot[h]];
		last->bits[p >> 6] |= 1ull << (p & 63);
	}
	/* the regions by base: base < 2^43, index < 2^21 in the low bits */
	for (size_t i = 0; i < nr; i++)
		key[i] = r[i].base << 21 | i;
	qsort(key, nr, sizeof(*key), cmp_u64);
	for (size_t i = 0; i < nr; i++) {
		const struct region *g = &r[key[i] & ((1u << 21) - 1)];

		for (unsigned int w = 0; w < 512 / 64; w++)
			for (uint64_t b = g->bits[w]; b; b &= b - 1)
				s->v[j++] = g->base << 21 |
					    (uint64_t)(w * 64 + __builtin_ctzll(b)) << OOH_PAGE_SHIFT;
	}
	s->nr = j;
	ok = true;
out:
	free(r);
	free(key);
	free(slot);
	return ok;
}

void __ooh_pageset_sort_unique(struct __ooh_pageset *s)
{
	size_t j = 0;
	uint64_t *tmp, *sorted;

	if (s->nr < 2)
		return;
	if (s->nr >= 64 && s->nr <= UINT32_MAX && region_sort_unique(s))
		return;
	/* below 32 entries the bucket pass costs more than comparisons */
	tmp = s->nr >= 32 && s->nr <= UINT32_MAX ?
	      malloc(s->cap * sizeof(*tmp)) : NULL;
	if (tmp) {
		sorted = radix_sort(s->v, tmp, s->nr);
		free(sorted == tmp ? s->v : tmp);
		s->v = sorted;		/* the same capacity */
	} else {
		qsort(s->v, s->nr, sizeof(*s->v), cmp_u64);
	}
	for (size_t i = 1; i < s->nr; i++)
		if (s->v[i] != s->v[j])
			s->v[++j] = s->v[i];
	s->nr = j + 1;
}

void __ooh_pageset_free(struct __ooh_pageset *s)
{
	free(s->v);
	*s = (struct __ooh_pageset){ 0 };
}

int __ooh_pagemap_open(pid_t pid)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return __ooh_err(errno == ENOENT ? ESRCH : errno,
				 "cannot open %s: %s", path, strerror(errno));
	return fd;
}

int __ooh_pagemap_read(int fd, uint64_t start, uint64_t end, uint64_t *buf)
{
	size_t want = (end - start) / OOH_PAGE_SIZE * sizeof(uint64_t);
	off_t off = start / OOH_PAGE_SIZE * sizeof(uint64_t);
	size_t got = 0;

	while (got < want) {
		ssize_t n = pread(fd, (char *)buf + got, want - got, off + got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return __ooh_err(errno, "pagemap read: %s",
					 strerror(errno));
		if (n == 0) {	/* past the end of the address space */
			memset((char *)buf + got, 0, want - got);
			break;
		}
		got += n;
	}
	return 0;
}

#define PM_CHUNK 4096	/* pages per pagemap read (32 KiB buffer) */

int __ooh_add_mapped(uint64_t va, const uint64_t *pm, size_t nr, void *arg)
{
	for (size_t i = 0; i < nr; i++)
		if ((pm[i] & (PM_PRESENT | PM_SWAPPED)) &&
		    __ooh_pageset_add(arg, va + i * OOH_PAGE_SIZE))
			return -ENOMEM;
	return 0;
}

int __ooh_pagemap_walk_ranges(pid_t pid, const struct __ooh_range *rs,
			      size_t nr, bool only_fresh, __ooh_pagemap_fn fn,
			      void *arg)
{
	uint64_t *buf;
	int fd, ret = 0;
	size_t i;

	/* Every fetch asks for the fresh ranges: usually there are none. */
	for (i = 0; only_fresh && i < nr && !rs[i].fresh; i++)
		;
	if (only_fresh && i == nr)
		return 0;
	buf = malloc(PM_CHUNK * sizeof(*buf));
	fd = __ooh_pagemap_open(pid);
	if (!buf || fd < 0) {
		ret = fd < 0 ? fd : __ooh_err(ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; !ret && i < nr; i++) {
		if (only_fresh && !rs[i].fresh)
			continue;
		for (uint64_t a = rs[i].start; !ret && a < rs[i].end;) {
			uint64_t e = rs[i].end - a > PM_CHUNK * OOH_PAGE_SIZE ?
				     a + PM_CHUNK * OOH_PAGE_SIZE : rs[i].end;

			ret = __ooh_pagemap_read(fd, a, e, buf);
			if (!ret)
				ret = fn(a, buf, (e - a) / OOH_PAGE_SIZE, arg);
			a = e;
		}
	}
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return ret;
}

int __ooh_pagemap_walk(struct ooh_tracker *t, bool only_fresh,
		       __ooh_pagemap_fn fn, void *arg)
{
	struct __ooh_range *owned = NULL;
	size_t nr;
	int ret;

	if (t->nr_ranges != 1 || t->ranges[0].start != t->ranges[0].end)
		return __ooh_pagemap_walk_ranges(t->pid, t->ranges,
						 t->nr_ranges, only_fresh,
						 fn, arg);
	/* Whole mm: its private writable mappings as they are now. */
	if (only_fresh && !t->ranges[0].fresh)
		return 0;
	ret = __ooh_writable_ranges(t->pid, &owned, &nr, NULL);
	if (!ret)
		ret = __ooh_pagemap_walk_ranges(t->pid, owned, nr, false, fn,
						arg);
	free(owned);
	return ret;
}

int __ooh_for_each_vma(pid_t pid,
		       int (*fn)(const struct __ooh_vma *vma, void *arg),
		       void *arg)
{
	char path[64], line[512];
	FILE *f;
	int ret = 0;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "re");
	if (!f)
		return __ooh_err(errno == ENOENT ? ESRCH : errno,
				 "cannot open %s: %s", path, strerror(errno));
	while (!ret && fgets(line, sizeof(line), f)) {
		struct __ooh_vma v = { 0 };
		char perms[8] = "", dev[16];
		unsigned long long off;
		int pos = 0;

		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s %llx %15s %lu %n",
			   &v.start, &v.end, perms, &off, dev, &v.inode,
			   &pos) < 6)
			continue;
		v.read = perms[0] == 'r';
		v.write = perms[1] == 'w';
		v.shared = perms[3] == 's';
		if (pos > 0) {
			snprintf(v.path, sizeof(v.path), "%s", line + pos);
			v.path[strcspn(v.path, "\n")] = '\0';
		}
		ret = fn(&v, arg);
	}
	fclose(f);
	return ret > 0 ? 0 : ret;
}

static int sig_vma(const struct __ooh_vma *vma, void *arg)
{
	uint64_t *sig = arg;

	if (!strcmp(vma->path, "[vdso]") || !strcmp(vma->path, "[stack]"))
		*sig = *sig * 1000003u ^ vma->start;
	return 0;
}

struct wr_ctx {
	struct __ooh_range *v;
	size_t nr, cap;
	uint64_t sig;
};

static int add_writable(const struct __ooh_vma *vma, void *arg)
{
	struct wr_ctx *c = arg;

	sig_vma(vma, &c->sig);
	/* [vsyscall], [vvar] etc. cannot be written by the process. */
	if (!vma->write || vma->shared || !strcmp(vma->path, "[vsyscall]"))
		return 0;
	if (c->nr == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 64;
		struct __ooh_range *v = realloc(c->v, cap * sizeof(*v));

		if (!v)
			return __ooh_err(ENOMEM, "out of memory");
		c->v = v;
		c->cap = cap;
	}
	c->v[c->nr++] = (struct __ooh_range){ vma->start, vma->end, true };
	return 0;
}

int __ooh_writable_ranges(pid_t pid, struct __ooh_range **out, size_t *nr,
			  uint64_t *sig)
{
	struct wr_ctx c = { .sig = 1 };
	int ret = __ooh_for_each_vma(pid, add_writable, &c);

	if (ret) {
		free(c.v);
		return ret;
	}
	*out = c.v;
	*nr = c.nr;
	if (sig)
		*sig = c.sig;
	return 0;
}

struct mapped_ctx {
	uint64_t next, end;	/* covered up to next */
};

static int cover(const struct __ooh_vma *vma, void *arg)
{
	struct mapped_ctx *c = arg;

	if (vma->end <= c->next)
		return 0;
	if (vma->start > c->next)
		return 1;			/* a hole at c->next */
	c->next = vma->end;
	return c->next >= c->end;		/* 1: covered, stop */
}

int __ooh_range_mapped(pid_t pid, uint64_t start, uint64_t end)
{
	struct mapped_ctx c = { .next = start, .end = end };
	int ret = __ooh_for_each_vma(pid, cover, &c);

	if (ret)
		return ret;
	if (c.next < end)
		return __ooh_err(EINVAL, "range %#llx-%#llx is not mapped in "
				 "process %d (nothing mapped at %#llx)",
				 (unsigned long long)start,
				 (unsigned long long)end, pid,
				 (unsigned long long)c.next);
	return 0;
}

uint64_t __ooh_mm_sig(pid_t pid)
{
	uint64_t sig = 1;

	return __ooh_for_each_vma(pid, sig_vma, &sig) ? 0 : sig;
}

bool __ooh_fault(const char *point)
{
	static const char *const points[] = {
		"fetch-collected", "uio-synced", "uio-ring", "resolve-drop",
	};
	const unsigned int every = 1u << 3;	/* "resolve-drop" */
	static unsigned int fired;
	const char *env = getenv("OOH_FAULT");
	size_t len = strlen(point);
	unsigned int bit = 0;

	if (!env)
		return false;
	for (size_t i = 0; i < sizeof(points) / sizeof(points[0]); i++)
		if (!strcmp(points[i], point))
			bit = 1u << i;
	for (const char *p = env; bit && *p; p += strcspn(p, ","), p += !!*p)
		if (!strncmp(p, point, len) && (p[len] == ',' || !p[len]))
			return (bit & every) ||
			       !(__atomic_fetch_or(&fired, bit,
						   __ATOMIC_RELAXED) & bit);
	return false;
}

bool __ooh_ksm_active(pid_t pid)
{
	char path[64], line[128];
	bool active = false;
	long v;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/ksm_stat", pid);
	f = fopen(path, "re");
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			char *sp = strchr(line, ' ');

			if (!sp)
				continue;
			if (!strncmp(line, "ksm_rmap_items ", 15) ||
			    !strncmp(line, "ksm_merging_pages ", 18))
				active |= sscanf(sp, "%ld", &v) == 1 && v > 0;
			else if (!strncmp(line, "ksm_merge_any:", 14) ||
				 !strncmp(line, "ksm_mergeable:", 14))
				active |= strstr(sp, "yes") != NULL;
		}
		fclose(f);
		return active;
	}
	snprintf(path, sizeof(path), "/proc/%d/ksm_merging_pages", pid);
	f = fopen(path, "re");
	if (!f)
		return false;	/* no CONFIG_KSM */
	active = fscanf(f, "%ld", &v) == 1 && v > 0;
	fclose(f);
	return active;
}

int __ooh_mergeable_ranges(pid_t pid, struct __ooh_range **out, size_t *nr)
{
	struct __ooh_range *v = NULL, *nv;
	char path[64], line[512];
	uint64_t start = 0, end = 0;
	size_t n = 0, cap = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps", pid);
	f = fopen(path, "re");
	if (!f)
		return __ooh_err(errno == ENOENT ? ESRCH : errno,
				 "cannot open %s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		uint64_t s, e;

		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " ", &s, &e) == 2) {
			start = s;
			end = e;
			continue;
		}
		if (strncmp(line, "VmFlags:", 8) || !strstr(line, " mg"))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				free(v);
				fclose(f);
				return __ooh_err(ENOMEM, "out of memory");
			}
			v = nv;
		}
		v[n++] = (struct __ooh_range){ start, end, false };
	}
	fclose(f);
	*out = v;
	*nr = n;
	return 0;
}

/* append UserBufs' "N: 0xADDR/LEN" lines of one io_uring fdinfo */
static int uring_fdinfo(const char *path, struct __ooh_range **v, size_t *n,
			size_t *cap)
{
	char line[256];
	bool bufs = false;
	FILE *f = fopen(path, "re");

	if (!f)
		return 0;	/* closed meanwhile */
	while (fgets(line, sizeof(line), f)) {
		unsigned long long addr;
		unsigned int idx, len;

		if (!strncmp(line, "UserBufs:", 9)) {
			bufs = true;
			continue;
		}
		if (!bufs)
			continue;
		if (sscanf(line, " %u: 0x%llx/%u", &idx, &addr, &len) != 3)
			break;		/* the list ended */
		if (!len)
			continue;	/* a sparse slot */
		if (*n == *cap) {
			size_t c = *cap ? 2 * *cap : 8;
			struct __ooh_range *nv = realloc(*v, c * sizeof(**v));

			if (!nv) {
				fclose(f);
				return __ooh_err(ENOMEM, "out of memory");
			}
			*v = nv;
			*cap = c;
		}
		(*v)[(*n)++] = (struct __ooh_range){
			addr & OOH_PAGE_MASK, addr + len, false };
	}
	fclose(f);
	return 0;
}

int __ooh_uring_buffers(pid_t pid, struct __ooh_range **out, size_t *nr)
{
	struct __ooh_range *v = NULL;
	size_t n = 0, cap = 0;
	char path[300], link[64];
	struct dirent *de;
	int ret = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	d = opendir(path);
	if (!d)
		return __ooh_err(errno == ENOENT ? ESRCH : errno,
				 "cannot open %s: %s", path, strerror(errno));
	while (!ret && (de = readdir(d))) {
		ssize_t l;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fd/%s", pid, de->d_name);
		l = readlink(path, link, sizeof(link) - 1);
		if (l < 0)
			continue;
		link[l] = '\0';
		if (strcmp(link, "anon_inode:[io_uring]"))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fdinfo/%s", pid,
			 de->d_name);
		ret = uring_fdinfo(path, &v, &n, &cap);
	}
	closedir(d);
	if (ret) {
		free(v);
		return ret;
	}
	*out = v;
	*nr = n;
	return 0;
}
