/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rmap.c - the GPA -> virtual page reverse map of OOH_COLLECT=pagemap (and
 * of the ring-loopback backend).
 *
 * Inside a guest, the PFN field of /proc/PID/pagemap is the guest frame
 * number (GFN) that Intel PML logs as a GPA (SDM vol. 3C 29.3.6), so one
 * pass over pagemap for the tracked ranges gives GFN -> virtual page.  The
 * map is an open-addressing hash of distinct keys, each key heading a
 * chain of values (several virtual pages may share a GFN: the shared zero
 * page behind read-only heap, KSM pages, a memfd mapped twice), built
 * once per fetch: O(pages tracked + entries) however many virtual pages
 * share a frame, never a search per entry.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#define CHAIN_END UINT64_MAX

/*
 * Multimap u64 -> u64: open addressing (linear probing) over distinct
 * keys (key + 1 stored, 0 = empty slot); a key's values are a chain of
 * nodes, newest first.  Inserting a key's k-th value costs O(1), not the
 * O(k) probe a slot per value would cost.
 */
struct u64map {
	struct { uint64_t key1, head; } *slot;
	uint64_t mask;
	size_t nr;		/* distinct keys */
	struct { uint64_t val, next; } *node;
	size_t nr_node, cap_node;
};

/* The slot of @key, or the empty slot where it belongs. */
static uint64_t map_slot(const struct u64map *m, uint64_t key)
{
	uint64_t h = __ooh_hash_u64(key);

	while (m->slot[h & m->mask].key1 && m->slot[h & m->mask].key1 != key + 1)
		h++;
	return h & m->mask;
}

static int map_grow(struct u64map *m)
{
	struct u64map big = { .mask = m->mask ? 2 * m->mask + 1 : 4095 };

	big.slot = calloc(big.mask + 1, sizeof(*big.slot));
	if (!big.slot)
		return __ooh_err(ENOMEM, "out of memory");
	for (uint64_t i = 0; m->slot && i <= m->mask; i++) {
		if (m->slot[i].key1)
			big.slot[map_slot(&big, m->slot[i].key1 - 1)] = m->slot[i];
	}
	free(m->slot);
	m->slot = big.slot;
	m->mask = big.mask;
	return 0;
}

static int map_insert(struct u64map *m, uint64_t key, uint64_t val)
{
	uint64_t i;

	if ((m->nr + 1) * 2 > m->mask + 1 && map_grow(m))
		return -ENOMEM;
	if (m->nr_node == m->cap_node) {
		size_t cap = m->cap_node ? 2 * m->cap_node : 4096;
		void *n = realloc(m->node, cap * sizeof(*m->node));

		if (!n)
			return __ooh_err(ENOMEM, "out of memory");
		m->node = n;
		m->cap_node = cap;
	}
	i = map_slot(m, key);
	if (!m->slot[i].key1) {
		m->slot[i].key1 = key + 1;
		m->slot[i].head = CHAIN_END;
		m->nr++;
	}
	m->node[m->nr_node].val = val;
	m->node[m->nr_node].next = m->slot[i].head;
	m->slot[i].head = m->nr_node++;
	return 0;
}

/* The chain head of @key, or CHAIN_END. */
static uint64_t map_head(const struct u64map *m, uint64_t key)
{
	uint64_t i;

	if (!m->nr)
		return CHAIN_END;
	i = map_slot(m, key);
	return m->slot[i].key1 ? m->slot[i].head : CHAIN_END;
}

/* The newest value stored under @key, or -1. */
static uint64_t map_get(const struct u64map *m, uint64_t key)
{
	uint64_t n = map_head(m, key);

	return n == CHAIN_END ? (uint64_t)-1 : m->node[n].val;
}

static void map_free(struct u64map *m)
{
	free(m->slot);
	free(m->node);
}

struct __ooh_rmap {
	struct u64map by_gfn;	/* GFN -> virtual page (several per GFN) */
	struct u64map by_va;	/* virtual page -> GFN (snapshot) */
};

struct rmap_walk {
	struct __ooh_rmap *m;
	const struct __ooh_rmap *prev;
	struct __ooh_pageset *changed;
	bool any_present, any_pfn;
};

static int rmap_add(uint64_t a, const uint64_t *pm, size_t nr, void *arg)
{
	struct rmap_walk *w = arg;
	int ret = 0;

	for (size_t k = 0; !ret && k < nr; k++) {
		uint64_t pfn = pm[k] & PM_PFN_MASK;
		uint64_t va = a + k * OOH_PAGE_SIZE;

		if (!(pm[k] & PM_PRESENT))
			continue;
		w->any_present = true;
		if (!pfn)
			continue;
		w->any_pfn = true;
		ret = map_insert(&w->m->by_gfn, pfn, va);
		if (ret || !w->changed)
			continue;
		ret = map_insert(&w->m->by_va, va, pfn);
		/* New here, or another frame than last time. */
		if (!ret && (!w->prev || map_get(&w->prev->by_va, va) != pfn))
			ret = __ooh_pageset_add(w->changed, va);
	}
	return ret;
}

int __ooh_rmap_build(struct ooh_tracker *t, const struct __ooh_rmap *prev,
		     struct __ooh_pageset *changed, struct __ooh_rmap **out)
{
	struct rmap_walk w = { .prev = prev, .changed = changed };
	int ret;

	*out = NULL;
	w.m = calloc(1, sizeof(*w.m));
	if (!w.m)
		return __ooh_err(ENOMEM, "out of memory");
	ret = __ooh_pagemap_walk(t, false, rmap_add, &w);
	if (!ret && w.any_present && !w.any_pfn)
		ret = __ooh_err(EPERM, "pagemap hides frame numbers: the GPA "
				"reverse map needs CAP_SYS_ADMIN");
	if (ret) {
		__ooh_rmap_free(w.m);
		return ret;
	}
	*out = w.m;
	return 0;
}

int __ooh_rmap_lookup(const struct __ooh_rmap *m, uint64_t gfn,
		      uint64_t nr_frames, struct __ooh_pageset *out)
{
	for (uint64_t f = gfn; f < gfn + nr_frames; f++) {
		for (uint64_t n = map_head(&m->by_gfn, f); n != CHAIN_END;
		     n = m->by_gfn.node[n].next) {
			if (__ooh_pageset_add(out, m->by_gfn.node[n].val))
				return -ENOMEM;
		}
	}
	return 0;
}

void __ooh_rmap_free(struct __ooh_rmap *m)
{
	if (!m)
		return;
	map_free(&m->by_gfn);
	map_free(&m->by_va);
	free(m);
}
