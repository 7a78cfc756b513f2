/* SPDX-License-Identifier: MIT */
/*
 * ooh/ring.h - the OoH dirty-page ring: one layout for every producer
 * (Xen SPML flush path, the EPML-capable emulated CPU via the guest module,
 * libooh's loopback producer) and every consumer (libooh).
 *
 * Memory layout (all little-endian, fixed width):
 *
 *   offset 0                : struct ooh_ring_hdr, padded to one 4 KiB page
 *   offset OOH_RING_HDR_SIZE: uint64_t entries[nr_entries]
 *
 * A ring of N entries therefore spans 1 + N / 512 pages of 4 KiB.  The ring
 * is shared: the guest module allocates it, Xen maps its frames (SPML), the
 * tracker mmap()s it through UIO.
 *
 * Indices are free-running 64-bit counters; the slot of index i is
 * entries[i & (nr_entries - 1)].  The ring is empty when prod == cons and
 * full when prod - cons == nr_entries.  A producer never blocks and never
 * overwrites unconsumed entries: when the ring is full it increments `lost`
 * and sets OOH_RING_F_OVERFLOW (sticky), then raises its notification.
 *
 * Ordering (ooh/barrier.h): the producer writes entries, then
 * store-release(prod); the consumer load-acquire(prod), reads entries,
 * then store-release(cons).  The producer load-acquires cons and MUST treat
 * it as hostile: a value with prod - cons > nr_entries (or cons > prod) is
 * treated as "ring full" and counted as lost, never used as an index.
 *
 * Overflow protocol ("no missed write"): a consumer that finds
 * OOH_RING_F_OVERFLOW set (it clears the bit with an atomic fetch-and) must
 * report "every tracked page dirty" for the interval.  An overflow that
 * happens after the clear stays set for the next interval, so a drop is
 * always reported in the interval that consumed the entries around it or
 * the next one.  `lost` is a monotonic count for statistics.
 */
#ifndef OOH_RING_H
#define OOH_RING_H

#if defined(__KERNEL__)
#include <linux/types.h>
typedef __u64 ooh_u64;
typedef __u32 ooh_u32;
#elif defined(__XEN__)
#include <xen/types.h>
typedef uint64_t ooh_u64;
typedef uint32_t ooh_u32;
#else
#include <stdint.h>
typedef uint64_t ooh_u64;
typedef uint32_t ooh_u32;
#endif

#include "barrier.h"	/* the reference producer's ordering */

#define OOH_RING_MAGIC		0x52486f4fu	/* "OoHR" little-endian */
#define OOH_RING_VERSION	1u
#define OOH_RING_HDR_SIZE	4096u		/* bytes; entries start here */
#define OOH_RING_ENTRIES_PER_PAGE 512u		/* 4096 / sizeof(ooh_u64) */
#define OOH_RING_MIN_ENTRIES	512u		/* one page of entries */
#define OOH_RING_MAX_ENTRIES	(1u << 20)	/* 8 MiB of entries */

/* ooh_ring_hdr.flags: format bits (set once by the ring's owner). */
#define OOH_RING_F_GPA		(1u << 0)	/* producer logs GPAs (SPML) */
#define OOH_RING_F_GVA		(1u << 1)	/* producer may log GVAs (EPML) */
/* ooh_ring_hdr.flags: state bits (producer sets, consumer clears). */
#define OOH_RING_F_OVERFLOW	(1u << 8)	/* sticky: entries were dropped */
#define OOH_RING_F_DISARMED	(1u << 9)	/* producer stopped (e.g. Xen
						 * force-disarm): the interval
						 * is incomplete */

/*
 * One ring entry: a 4 KiB-aligned address in bits 63:12 plus flags in
 * bits 11:0.  Without OOH_ENTRY_GVA the address is a guest-physical
 * address (GFN << 12, as in an Intel PML log entry, SDM vol. 3C 29.3.6).
 */
#define OOH_ENTRY_ADDR_MASK	(~(ooh_u64)0xfff)
#define OOH_ENTRY_GVA		(1u << 0)	/* address is a guest-virtual
						 * address of the tracked
						 * process (EPML) */
#define OOH_ENTRY_2M		(1u << 1)	/* covers the 2 MiB-aligned
						 * region containing addr: an
						 * EPML entry for a write
						 * through a 2 MiB mapping
						 * (the guest module's EPML
						 * ring); SPML never sets it */
#define OOH_ENTRY_VCPU_SHIFT	4		/* bits 11:4: vCPU id modulo 256
						 * (diagnostics only) */
#define OOH_ENTRY_VCPU_MASK	0xff0u

struct ooh_ring_hdr {
	ooh_u32 magic;		/* OOH_RING_MAGIC; owner writes once */
	ooh_u32 version;	/* OOH_RING_VERSION; owner writes once */
	ooh_u32 nr_entries;	/* power of two, MIN..MAX; owner writes once */
	ooh_u32 flags;		/* OOH_RING_F_*; see protocol above */
	ooh_u32 threshold;	/* entries; producer notifies when
				 * prod - cons reaches it (0: only on
				 * overflow); consumer writes */
	ooh_u32 vcpu;		/* vCPU this ring belongs to; owner writes */
	ooh_u64 lost;		/* entries dropped, monotonic; producer
				 * writes (relaxed) */
	ooh_u64 pad0[5];	/* keep prod on its own cache line */
	ooh_u64 prod;		/* next index the producer writes; producer
				 * store-release, consumer load-acquire */
	ooh_u64 pad1[7];
	ooh_u64 cons;		/* next index the consumer reads; consumer
				 * store-release, producer load-acquire and
				 * validates (hostile) */
	ooh_u64 pad2[7];
};

/* Ring bytes for nr entries (header page included). */
#define OOH_RING_BYTES(nr)	((ooh_u64)OOH_RING_HDR_SIZE + (ooh_u64)(nr) * 8u)

static inline ooh_u64 *ooh_ring_entries(struct ooh_ring_hdr *hdr)
{
	return (ooh_u64 *)((char *)hdr + OOH_RING_HDR_SIZE);
}

static inline int ooh_ring_nr_valid(ooh_u32 nr)
{
	return nr >= OOH_RING_MIN_ENTRIES && nr <= OOH_RING_MAX_ENTRIES &&
	       (nr & (nr - 1)) == 0;
}

/*
 * Reference producer.  The producer keeps its own trusted copies of the
 * ring size and of prod (never re-read from shared memory, which the
 * consumer could scribble on) and reads the consumer's cons once per call,
 * treating an impossible value as "no space".  Never blocks: entries that
 * do not fit are counted in `lost` and OOH_RING_F_OVERFLOW is set, which
 * makes the consumer report "everything dirty" (see the protocol above).
 */
struct ooh_ring_producer {
	struct ooh_ring_hdr *hdr;
	ooh_u64 *ent;
	ooh_u32 mask;		/* nr_entries - 1, trusted */
	ooh_u64 prod;		/* trusted copy of hdr->prod */
};

/* Initialise a ring of @nr entries (power of two) and its producer. */
static inline void ooh_ring_init(struct ooh_ring_producer *p,
				 struct ooh_ring_hdr *hdr, ooh_u32 nr,
				 ooh_u32 flags, ooh_u32 vcpu)
{
	hdr->magic = OOH_RING_MAGIC;
	hdr->version = OOH_RING_VERSION;
	hdr->nr_entries = nr;
	hdr->flags = flags;
	hdr->threshold = 0;
	hdr->vcpu = vcpu;
	hdr->lost = 0;
	hdr->prod = 0;
	hdr->cons = 0;
	p->hdr = hdr;
	p->ent = ooh_ring_entries(hdr);
	p->mask = nr - 1;
	p->prod = 0;
}

/* Free slots as seen now (0 if cons is out of range). */
static inline ooh_u32 ooh_ring_space(const struct ooh_ring_producer *p)
{
	/* Pairs with the consumer's store-release of cons. */
	ooh_u64 cons = ooh_smp_load_acquire(&p->hdr->cons);
	ooh_u64 used = p->prod - cons;

	return used > (ooh_u64)p->mask + 1 ? 0 : (ooh_u32)(p->mask + 1 - used);
}

/*
 * Append @n entries, publish them, and account for what did not fit.
 * Returns the number of entries appended.
 */
static inline ooh_u32 ooh_ring_produce(struct ooh_ring_producer *p,
				       const ooh_u64 *e, ooh_u32 n)
{
	ooh_u32 space = ooh_ring_space(p), k = n < space ? n : space, i;

	for (i = 0; i < k; i++)
		p->ent[(p->prod + i) & p->mask] = e[i];
	p->prod += k;
	/* Entries before prod: pairs with the consumer's load-acquire. */
	ooh_smp_store_release(&p->hdr->prod, p->prod);
	if (k < n) {
		OOH_WRITE_ONCE(p->hdr->lost, OOH_READ_ONCE(p->hdr->lost) + (n - k));
		ooh_atomic_fetch_or(&p->hdr->flags, OOH_RING_F_OVERFLOW);
	}
	return k;
}

#endif /* OOH_RING_H */
