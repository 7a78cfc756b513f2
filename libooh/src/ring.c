/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ring.c - consumer side of include/ooh/ring.h for the spml, epml and
 * ring-loopback backends: entries up to a fence into pages, GPA entries
 * through the reverse map (rmap.c).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "ooh/barrier.h"
#include "ooh/ring.h"

/* The first address and frame count an entry covers (2 MiB aligned). */
static uint64_t entry_span(uint64_t e, uint64_t *frames)
{
	*frames = (e & OOH_ENTRY_2M) ? 512 : 1;
	return (e & OOH_ENTRY_ADDR_MASK) &
	       ((e & OOH_ENTRY_2M) ? ~((2ull << 20) - 1) : ~0ull);
}

long __ooh_ring_consume(struct ooh_ring_hdr *hdr, const struct __ooh_rmap *m,
			struct __ooh_pageset *gpas, const uint64_t *fence,
			struct __ooh_pageset *out, unsigned int *flags,
			uint64_t *lost)
{
	uint64_t *ent = ooh_ring_entries(hdr);
	uint32_t nr = OOH_READ_ONCE(hdr->nr_entries), f;
	struct __ooh_pageset g = { 0 };	/* GPA entries for @m */
	struct __ooh_pageset *gpa;
	uint64_t cons, prod;
	int ret = 0;

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
	/*
	 * GPA entries go to @m's lookup below (once per distinct entry) or
	 * to RESOLVE (OOH_SPML_IOC_RESOLVE), with OOH_ENTRY_2M and without
	 * the vCPU.  Guest time counts this loop's instructions, and a fetch
	 * has thousands of entries: room for every entry is made first, so
	 * that the loop stores through two cursors (the pagesets' counters
	 * would otherwise be reloaded after each store, which may alias
	 * them; a CRIU dump's profile had 17 instructions an entry).
	 */
	gpa = m ? &g : gpas;
	if (__ooh_pageset_reserve(out, prod - cons) ||
	    (gpa && __ooh_pageset_reserve(gpa, prod - cons)))
		ret = -ENOMEM;
	for (uint64_t i = cons; !ret && i != prod; i++) {
		uint64_t *ov = out->v + out->nr, *gv = gpa ? gpa->v + gpa->nr : NULL;
		uint64_t e = 0, frames, addr;

		for (; i != prod; i++) {
			e = ent[i & (nr - 1)];
			if (!(e & OOH_ENTRY_GVA)) {
				if (gv)
					*gv++ = e & ~(uint64_t)OOH_ENTRY_VCPU_MASK;
			} else if (!(e & OOH_ENTRY_2M)) {
				*ov++ = e & OOH_ENTRY_ADDR_MASK;
			} else {
				break;
			}
		}
		out->nr = (size_t)(ov - out->v);
		if (gv)
			gpa->nr = (size_t)(gv - gpa->v);
		if (i == prod)
			break;
		/* a 2 MiB GVA entry: its 512 pages, then room again */
		addr = entry_span(e, &frames);
		ret = __ooh_pageset_add_range(out, addr,
					      addr + frames * OOH_PAGE_SIZE);
		if (!ret)
			ret = __ooh_pageset_reserve(out, prod - i);
	}
	/*
	 * A frame k pages map, logged j times in the interval, costs one
	 * lookup of k pages, not j: a shared frame (the zero page, a memfd
	 * mapped many times) is logged by every CPU and every interval.
	 */
	__ooh_pageset_sort_unique(&g);
	for (size_t i = 0; !ret && i < g.nr; i++) {
		uint64_t frames, addr = entry_span(g.v[i], &frames);

		ret = __ooh_rmap_lookup(m, addr >> OOH_PAGE_SHIFT, frames, out);
	}
	__ooh_pageset_free(&g);
	if (ret)
		return ret;	/* cons not moved: nothing lost */
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
