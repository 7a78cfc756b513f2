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

struct rmap_slot {
	uint64_t gfn_plus1;	/* 0: empty */
	uint64_t va;
};

struct __ooh_rmap {
	struct rmap_slot *slot;
	uint64_t mask;
	size_t nr;
};

static inline uint64_t hash_gfn(uint64_t gfn)
{
	return (gfn * 0x9e3779b97f4a7c15ull) >> 17;
}

static int rmap_insert(struct __ooh_rmap *m, uint64_t gfn, uint64_t va)
{
	if ((m->nr + 1) * 2 > m->mask + 1) {
		struct __ooh_rmap big = { .mask = m->mask ? 2 * m->mask + 1 : 4095 };

		big.slot = calloc(big.mask + 1, sizeof(*big.slot));
		if (!big.slot)
			return __ooh_err(ENOMEM, "out of memory");
		for (uint64_t i = 0; m->slot && i <= m->mask; i++)
			if (m->slot[i].gfn_plus1)
				rmap_insert(&big, m->slot[i].gfn_plus1 - 1,
					    m->slot[i].va);
		free(m->slot);
		*m = big;
	}
	for (uint64_t h = hash_gfn(gfn);; h++) {
		struct rmap_slot *s = &m->slot[h & m->mask];

		if (!s->gfn_plus1) {
			s->gfn_plus1 = gfn + 1;
			s->va = va;
			m->nr++;
			return 0;
		}
	}
}

int __ooh_rmap_build(struct ooh_tracker *t, struct __ooh_rmap **out)
{
	struct __ooh_range *rs = t->ranges, *owned = NULL;
	size_t nr = t->nr_ranges;
	struct __ooh_rmap *m;
	uint64_t *buf;
	bool any_pfn = false, any_present = false;
	int fd, ret = 0;

	*out = NULL;
	if (nr == 1 && rs[0].start == rs[0].end) {
		ret = __ooh_writable_ranges(t->pid, &owned, &nr);
		if (ret)
			return ret;
		rs = owned;
	}
	m = calloc(1, sizeof(*m));
	buf = malloc(4096 * sizeof(*buf));
	fd = __ooh_pagemap_open(t->pid);
	if (!m || !buf || fd < 0) {
		ret = fd < 0 ? fd : __ooh_err(ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; !ret && i < nr; i++) {
		for (uint64_t a = rs[i].start; !ret && a < rs[i].end;) {
			uint64_t e = rs[i].end - a > 4096 * OOH_PAGE_SIZE ?
				     a + 4096 * OOH_PAGE_SIZE : rs[i].end;

			ret = __ooh_pagemap_read(fd, a, e, buf);
			for (uint64_t k = 0; !ret && k < (e - a) >> 12; k++) {
				uint64_t pfn = buf[k] & PM_PFN_MASK;

				if (!(buf[k] & PM_PRESENT))
					continue;
				any_present = true;
				if (!pfn)
					continue;
				any_pfn = true;
				ret = rmap_insert(m, pfn, a + (k << 12));
			}
			a = e;
		}
	}
	if (!ret && any_present && !any_pfn)
		ret = __ooh_err(EPERM, "pagemap hides frame numbers: the GPA "
				"reverse map needs CAP_SYS_ADMIN");
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	free(owned);
	if (ret) {
		__ooh_rmap_free(m);
		return ret;
	}
	*out = m;
	return 0;
}

int __ooh_rmap_lookup(const struct __ooh_rmap *m, uint64_t gfn,
		      uint64_t nr_frames, struct __ooh_pageset *out)
{
	if (!m->nr)
		return 0;
	for (uint64_t f = gfn; f < gfn + nr_frames; f++) {
		for (uint64_t h = hash_gfn(f);; h++) {
			const struct rmap_slot *s = &m->slot[h & m->mask];

			if (!s->gfn_plus1)
				break;
			if (s->gfn_plus1 == f + 1 &&
			    __ooh_pageset_add(out, s->va))
				return -ENOMEM;
		}
	}
	return 0;
}

void __ooh_rmap_free(struct __ooh_rmap *m)
{
	if (!m)
		return;
	free(m->slot);
	free(m);
}

long __ooh_ring_consume(struct ooh_ring_hdr *hdr, const struct __ooh_rmap *m,
			struct __ooh_pageset *out, unsigned int *flags,
			uint64_t *lost)
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
	/*
	 * Clear the sticky overflow bit only after consuming: a drop before
	 * this point is reported now, a later one stays set for next time.
	 */
	f = ooh_atomic_fetch_and(&hdr->flags, ~OOH_RING_F_OVERFLOW);
	if (f & (OOH_RING_F_OVERFLOW | OOH_RING_F_DISARMED))
		*flags |= OOH_FETCH_ALL;
	*lost = OOH_READ_ONCE(hdr->lost);
	return (long)(prod - cons);
}
