/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * test_pageset - __ooh_pageset_sort_unique(), which every ooh_fetch()
 * runs on its result, against qsort + a plain unique pass:
 *  - sizes 0..5000 around the radix/qsort switch (32), and pass counts
 *    odd and even: pages within 1 MiB (one pass), 8 MiB (two), 1 GiB
 *    (three), the whole 47-bit user space, and both ends of u64;
 *  - sets in clusters far apart (a heap and a stack; four mappings
 *    with one cluster at the top of the span), which are split on the
 *    span's top bits before each cluster is sorted on its own;
 *  - duplicates (each value up to 4 times), in random order;
 *  - entries with bits below the page (__ooh_pageset_add_entry(): ring
 *    entries with their flags), sorted on those bits too;
 *  - from 64 values, pages in at most one 2 MiB region per 8 values go
 *    through the region bitmaps (region_sort_unique()): the 1 and 8 MiB
 *    spans, the heap and stack with 8 MiB each, and the top of u64.
 * A sort that loses, duplicates or misorders one value fails it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ooh_test.h"

#include "../../libooh/src/internal.h"

static uint64_t rng = 88172645463325252ull;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* One set of @n values: base + (random below @span), or one of @nc
 * clusters (base @cb[i], @cs bytes wide) when @nc; page-aligned unless
 * @low; about a quarter repeat an earlier value. */
static void set(size_t n, uint64_t base, uint64_t span, bool low,
		const uint64_t *cb, size_t nc, uint64_t cs)
{
	struct __ooh_pageset s = { 0 };
	uint64_t *ref = malloc((n + 1) * sizeof(*ref));
	size_t m = 0;

	CHECK(ref, "malloc");
	if (!ref)
		return;
	for (size_t i = 0; i < n; i++) {
		uint64_t v = i && next() % 4 == 0 ? ref[next() % i] :
			     nc ? cb[next() % nc] + next() % cs :
			     base + (span ? next() % span : 0);

		if (!low)
			v &= ~(uint64_t)(PG - 1);
		ref[i] = v;
		CHECK(!(low ? __ooh_pageset_add_entry(&s, v) :
			    __ooh_pageset_add(&s, v)), "add");
	}
	qsort(ref, n, sizeof(*ref), cmp);
	for (size_t i = 0; i < n; i++)
		if (!m || ref[i] != ref[m - 1])
			ref[m++] = ref[i];
	__ooh_pageset_sort_unique(&s);
	CHECK(s.nr == m, "n=%zu span=%#llx low=%d: %zu values, want %zu", n,
	      (unsigned long long)span, low, s.nr, m);
	for (size_t i = 0; s.nr == m && i < m; i++)
		if (s.v[i] != ref[i]) {
			CHECK(0, "n=%zu span=%#llx low=%d: [%zu] = %#llx, want %#llx",
			      n, (unsigned long long)span, low, i,
			      (unsigned long long)s.v[i],
			      (unsigned long long)ref[i]);
			break;
		}
	__ooh_pageset_free(&s);
	free(ref);
}

static void one(size_t n, uint64_t base, uint64_t span, bool low)
{
	set(n, base, span, low, NULL, 0, 0);
}

int main(void)
{
	static const size_t sizes[] = { 0, 1, 2, 31, 32, 33, 100, 511, 512,
					4095, 4096, 4097, 5000 };
	static const struct { uint64_t base, span; } sp[] = {
		{ 0x7f0000100000ull, 1ull << 20 },	/* one pass */
		{ 0x7f0000000000ull, 8ull << 20 },	/* two */
		{ 0x55550000000ull, 1ull << 30 },	/* three */
		{ 0, 1ull << 47 },			/* user space */
		{ 0, 0 },				/* all equal */
		{ UINT64_MAX - (1ull << 40), 1ull << 40 },
		{ 0, UINT64_MAX },
	};

	/* a heap and a stack; four mappings, the last at the very top */
	static const uint64_t heap_stack[] = { 0x555555554000ull,
					       0x7ffd00000000ull };
	static const uint64_t four[] = { 0x400000ull, 0x7f0000000000ull,
					 0x7f1000000000ull,
					 UINT64_MAX - (1ull << 23) + 1 };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		for (size_t k = 0; k < sizeof(sp) / sizeof(sp[0]); k++) {
			one(sizes[i], sp[k].base, sp[k].span, false);
			one(sizes[i], sp[k].base, sp[k].span, true);
		}
		for (int low = 0; low < 2; low++) {
			set(sizes[i], 0, 0, low, heap_stack, 2, 8ull << 20);
			set(sizes[i], 0, 0, low, heap_stack, 2, 1ull << 30);
			set(sizes[i], 0, 0, low, four, 4, 1ull << 23);
		}
	}
	return ooh_test_result();
}
