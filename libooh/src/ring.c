/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ring.c - consumer side of include/ooh/ring.h and the GPA -> virtual page
 * reverse map used by the spml, epml and ring-loopback backends.
 *
 * Inside a guest, the PFN field of /proc/PID/pagemap is the guest frame
 * number (GFN) that Intel PML logs as a GPA (SDM vol. 3C 29.3.6), so one
 * pass over pagemap for the tracked ranges gives GFN -> virtual page.  The
 * map is an open-addressing hash (linear probing, several virtual pages
 * may share a GFN), built once per fetch: O(pages tracked + entries), never
 * a search per entry.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "ooh/barrier.h"
#include "ooh/ring.h"

/* Open-addressing multimap u64 -> u64 (linear probing, key + 1 stored). */
struct u64map {
	struct { uint64_t key1, val; } *slot;
	uint64_t mask;
	size_t nr;
};

static inline uint64_t hash_u64(uint64_t k)
{
	return (k * 0x9e3779b97f4a7c15ull) >> 17;
}

static int map_insert(struct u64map *m, uint64_t key, uint64_t val)
{
	if ((m->nr + 1) * 2 > m->mask + 1) {
		struct u64map big = { .mask = m->mask ? 2 * m->mask + 1 : 4095 };

		big.slot = calloc(big.mask + 1, sizeof(*big.slot));
		if (!big.slot)
			return __ooh_err(ENOMEM, "out of memory");
		for (uint64_t i = 0; m->slot && i <= m->mask; i++)
			if (m->slot[i].key1)
				map_insert(&big, m->slot[i].key1 - 1,
					   m->slot[i].val);
		free(m->slot);
		*m = big;
	}
	for (uint64_t h = hash_u64(key);; h++) {
		if (!m->slot[h & m->mask].key1) {
			m->slot[h & m->mask].key1 = key + 1;
			m->slot[h & m->mask].val = val;
			m->nr++;
			return 0;
		}
	}
}

/* First value stored under @key, or -1. */
static uint64_t map_get(const struct u64map *m, uint64_t key)
{
	for (uint64_t h = hash_u64(key); m->nr; h++) {
		uint64_t k1 = m->slot[h & m->mask].key1;

		if (!k1)
			break;
		if (k1 == key + 1)
			return m->slot[h & m->mask].val;
	}
	return (uint64_t)-1;
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
	const struct u64map *g = &m->by_gfn;

	for (uint64_t f = gfn; g->nr && f < gfn + nr_frames; f++) {
		for (uint64_t h = hash_u64(f);; h++) {
			uint64_t k1 = g->slot[h & g->mask].key1;

			if (!k1)
				break;
			if (k1 == f + 1 &&
			    __ooh_pageset_add(out, g->slot[h & g->mask].val))
				return -ENOMEM;
		}
	}
	return 0;
}

void __ooh_rmap_free(struct __ooh_rmap *m)
{
	if (!m)
		return;
	free(m->by_gfn.slot);
	free(m->by_va.slot);
	free(m);
}

long __ooh_ring_consume(struct ooh_ring_hdr *hdr, const struct __ooh_rmap *m,
			const uint64_t *fence, struct __ooh_pageset *out,
			unsigned int *flags, uint64_t *lost)
{
	uint64_t *ent = ooh_ring_entries(hdr);
	uint32_t nr = OOH_READ_ONCE(hdr->nr_entries), f;
	uint64_t cons, prod;

	if (OOH_READ_ONCE(hdr->magic) != OOH_RING_MAGIC ||
	    OOH_READ_ONCE(hdr->version) != OOH_RING_VERSION ||
	    !ooh_ring_nr_valid(nr))
		return __ooh_err(EPROTO, "corrupt ring header");
	cons = OOH_READ_ONCE(hdr->cons);	/* only we write it */
	/* Pairs with the producer's store-release of prod: entries visible. */
	prod = ooh_smp_load_acquire(&hdr->prod);
	if (fence && *fence - cons <= prod - cons)
		prod = *fence;		/* later entries: next interval */
	if (prod - cons > nr)
		return __ooh_err(EPROTO, "ring prod %llu runs %llu entries "
				 "ahead of cons", (unsigned long long)prod,
				 (unsigned long long)(prod - cons));
	for (uint64_t i = cons; i != prod; i++) {
		uint64_t e = ent[i & (nr - 1)];
		uint64_t addr = e & OOH_ENTRY_ADDR_MASK;
		uint64_t frames = (e & OOH_ENTRY_2M) ? 512 : 1;
		int ret;

		if (e & OOH_ENTRY_2M)
			addr &= ~((2ull << 20) - 1);
		if (e & OOH_ENTRY_GVA)
			ret = __ooh_pageset_add_range(out, addr,
						      addr + frames * OOH_PAGE_SIZE);
		else
			ret = m ? __ooh_rmap_lookup(m, addr >> OOH_PAGE_SHIFT,
						    frames, out) : 0;
		if (ret)
			return ret;	/* cons not moved: nothing lost */
	}
	/* Pairs with the producer's load-acquire of cons: slots reusable. */
	ooh_smp_store_release(&hdr->cons, prod);
	if (fence) {
		/* The producer reported overflow at its fence. */
		f = OOH_READ_ONCE(hdr->flags) & OOH_RING_F_DISARMED;
	} else {
		/*
		 * Clear the sticky overflow bit only after consuming: a drop
		 * before this point is reported now, a later one stays set
		 * for next time.
		 */
		f = ooh_atomic_fetch_and(&hdr->flags, ~OOH_RING_F_OVERFLOW);
	}
	if (f & (OOH_RING_F_OVERFLOW | OOH_RING_F_DISARMED))
		*flags |= OOH_FETCH_ALL;
	*lost = OOH_READ_ONCE(hdr->lost);
	return (long)(prod - cons);
}
