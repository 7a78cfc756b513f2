/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * test_ring - the ring protocol of include/ooh/ring.h between a producer
 * thread and libooh's consumer, in shared memory:
 *  - 2M entries through a 512-entry ring, consumer racing the producer:
 *    every entry arrives once, in order (GVA entries carry a sequence);
 *  - overflow: a full ring drops, counts lost, sets the sticky flag; the
 *    consumer reports OOH_FETCH_ALL once, then exact again;
 *  - hostile cons (ahead of prod, far behind) gives "no space", never an
 *    out-of-bounds write; corrupt headers are refused with -EPROTO.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "ooh_test.h"

#include "../../libooh/src/internal.h"
#include "ooh/barrier.h"
#include "ooh/ring.h"

#define NR 512
#define TOTAL (2u << 20)

static struct ooh_ring_hdr *hdr;
static struct ooh_ring_producer prod;
static _Atomic int producer_done;

/* Producer: entries are GVAs (page = sequence number + 1), in bursts. */
static void *producer(void *arg)
{
	uint64_t seq = 0, batch[64];

	while (seq < TOTAL) {
		uint32_t n = 0;

		while (n < 64 && seq + n < TOTAL) {
			batch[n] = ((seq + n + 1) << 12) | OOH_ENTRY_GVA;
			n++;
		}
		/* Wait for space: this test wants no drops. */
		while (ooh_ring_space(&prod) < n)
			;
		CHECK(ooh_ring_produce(&prod, batch, n) == n, "short produce");
		seq += n;
	}
	atomic_store(&producer_done, 1);
	return NULL;
}

static void test_concurrent(void)
{
	struct __ooh_pageset out = { 0 };
	uint64_t expect = 1, lost;
	unsigned int flags = 0;
	pthread_t th;

	ooh_ring_init(&prod, hdr, NR, OOH_RING_F_GVA, 0);
	pthread_create(&th, NULL, producer, NULL);
	for (;;) {
		int done = atomic_load(&producer_done);
		long n = __ooh_ring_consume(hdr, NULL, NULL, NULL, &out, &flags, &lost);

		CHECK(n >= 0, "consume failed: %ld", n);
		for (size_t i = 0; i < out.nr; i++, expect++)
			if (out.v[i] >> 12 != expect) {
				CHECK(0, "entry %zu: got %llu want %llu", i,
				      (unsigned long long)(out.v[i] >> 12),
				      (unsigned long long)expect);
				goto out;
			}
		out.nr = 0;
		if (done && n == 0)
			break;
	}
out:
	pthread_join(th, NULL);
	CHECK(expect == TOTAL + 1, "received %llu of %u entries",
	      (unsigned long long)(expect - 1), TOTAL);
	CHECK(!(flags & OOH_FETCH_ALL), "overflow reported without drops");
	__ooh_pageset_free(&out);
	printf("concurrent: %u entries through a %u-entry ring\n", TOTAL, NR);
}

static void test_overflow(void)
{
	struct __ooh_pageset out = { 0 };
	uint64_t e[NR + 100], lost = 0;
	unsigned int flags = 0;

	ooh_ring_init(&prod, hdr, NR, OOH_RING_F_GVA, 0);
	for (int i = 0; i < NR + 100; i++)
		e[i] = ((uint64_t)(i + 1) << 12) | OOH_ENTRY_GVA;
	CHECK(ooh_ring_produce(&prod, e, NR + 100) == NR, "wrong fill");
	CHECK(hdr->lost == 100, "lost %llu", (unsigned long long)hdr->lost);
	CHECK(hdr->flags & OOH_RING_F_OVERFLOW, "no overflow flag");
	CHECK(__ooh_ring_consume(hdr, NULL, NULL, NULL, &out, &flags, &lost) == NR,
	      "consume count");
	CHECK(flags & OOH_FETCH_ALL, "overflow not reported");
	CHECK(lost == 100, "lost not reported");
	/* The filling write is logged: the last entry that fit is there. */
	CHECK(out.nr == NR && out.v[NR - 1] == (uint64_t)NR << 12,
	      "last entry missing");
	/* Next interval exact again. */
	flags = 0;
	out.nr = 0;
	CHECK(ooh_ring_produce(&prod, e, 10) == 10, "produce after overflow");
	CHECK(__ooh_ring_consume(hdr, NULL, NULL, NULL, &out, &flags, &lost) == 10, "n");
	CHECK(!(flags & OOH_FETCH_ALL), "overflow flag not cleared");
	__ooh_pageset_free(&out);
	printf("overflow: 100 dropped, flagged once, then exact\n");
}

/* SPML's SYNC fence: consume only up to the interval's end. */
static void test_fence(void)
{
	struct __ooh_pageset out = { 0 };
	uint64_t e[20], lost, fence;
	unsigned int flags = 0;

	ooh_ring_init(&prod, hdr, NR, OOH_RING_F_GVA, 0);
	for (int i = 0; i < 20; i++)
		e[i] = ((uint64_t)(i + 1) << 12) | OOH_ENTRY_GVA;
	ooh_ring_produce(&prod, e, 12);
	fence = 12;
	ooh_ring_produce(&prod, e + 12, 8);	/* next interval's entries */
	CHECK(__ooh_ring_consume(hdr, NULL, NULL, &fence, &out, &flags, &lost) == 12,
	      "fenced consume");
	CHECK(hdr->cons == 12, "cons %llu", (unsigned long long)hdr->cons);
	fence = 20;
	CHECK(__ooh_ring_consume(hdr, NULL, NULL, &fence, &out, &flags, &lost) == 8,
	      "second interval");
	fence = 100;				/* beyond prod: up to prod */
	CHECK(__ooh_ring_consume(hdr, NULL, NULL, &fence, &out, &flags, &lost) == 0,
	      "fence past prod");
	/* With a fence the producer owns the sticky overflow bit. */
	hdr->flags |= OOH_RING_F_OVERFLOW;
	flags = 0;
	CHECK(__ooh_ring_consume(hdr, NULL, NULL, &fence, &out, &flags, &lost) == 0 &&
	      !(flags & OOH_FETCH_ALL), "fenced consume ignores overflow");
	CHECK(hdr->flags & OOH_RING_F_OVERFLOW, "fenced consume kept the bit");
	hdr->flags |= OOH_RING_F_DISARMED;
	CHECK(__ooh_ring_consume(hdr, NULL, NULL, &fence, &out, &flags, &lost) == 0 &&
	      (flags & OOH_FETCH_ALL), "fenced consume reports disarm");
	hdr->flags &= ~(OOH_RING_F_OVERFLOW | OOH_RING_F_DISARMED);
	__ooh_pageset_free(&out);
	printf("fence: entries after the fence stay for the next interval\n");
}

/*
 * The RESOLVE path: GPA entries go to @gpas as entries, not pages.  An
 * EPML LARGE entry (OOH_ENTRY_2M: the EPT dirty flag of a 2 MiB leaf
 * covers 512 frames) that lost its flag would be resolved as one frame,
 * and writes to the other 511 would be missed.  GVA entries are pages.
 */
static void test_gpa_entries(void)
{
	struct __ooh_pageset out = { 0 }, gpas = { 0 };
	uint64_t e[3], lost;
	unsigned int flags = 0;

	ooh_ring_init(&prod, hdr, NR, OOH_RING_F_GPA | OOH_RING_F_GVA, 0);
	e[0] = (0x40000000ull | OOH_ENTRY_2M) | (3u << OOH_ENTRY_VCPU_SHIFT);
	e[1] = 0x1234000ull | (1u << OOH_ENTRY_VCPU_SHIFT);
	e[2] = 0x7f0000005000ull | OOH_ENTRY_GVA;
	CHECK(ooh_ring_produce(&prod, e, 3) == 3, "produce");
	CHECK(__ooh_ring_consume(hdr, NULL, &gpas, NULL, &out, &flags, &lost) == 3,
	      "consume");
	CHECK(gpas.nr == 2 && gpas.v[0] == (0x40000000ull | OOH_ENTRY_2M) &&
	      gpas.v[1] == 0x1234000ull, "GPA entries %zu: %#llx %#llx (want the "
	      "2 MiB flag kept, the vCPU bits cleared)", gpas.nr,
	      gpas.nr ? (unsigned long long)gpas.v[0] : 0ull,
	      gpas.nr > 1 ? (unsigned long long)gpas.v[1] : 0ull);
	CHECK(out.nr == 1 && out.v[0] == 0x7f0000005000ull, "GVA page");
	/*
	 * A 2 MiB GVA entry between others (its 512 pages, then the
	 * entries after it), into sets that already hold some
	 */
	e[0] = 0x7f0000212000ull | OOH_ENTRY_GVA | OOH_ENTRY_2M;
	e[1] = 0x7f0000400000ull | OOH_ENTRY_GVA;
	e[2] = 0x5678000ull | (2u << OOH_ENTRY_VCPU_SHIFT);
	CHECK(ooh_ring_produce(&prod, e, 3) == 3, "produce");
	CHECK(__ooh_ring_consume(hdr, NULL, &gpas, NULL, &out, &flags, &lost) == 3,
	      "consume");
	CHECK(out.nr == 1 + 512 + 1, "GVA pages after a 2 MiB entry: %zu", out.nr);
	for (size_t i = 0; i < 512 && out.nr == 514; i++)
		CHECK(out.v[1 + i] == 0x7f0000200000ull + i * 4096,
		      "2 MiB page %zu: %#llx", i, (unsigned long long)out.v[1 + i]);
	CHECK(out.v[513] == 0x7f0000400000ull, "GVA page after the 2 MiB entry");
	CHECK(gpas.nr == 3 && gpas.v[2] == 0x5678000ull,
	      "GPA entry after a 2 MiB GVA entry");
	__ooh_pageset_free(&out);
	__ooh_pageset_free(&gpas);
	printf("gpa entries: kept whole for RESOLVE, 2 MiB flag included\n");
}

static void test_hostile(void)
{
	struct __ooh_pageset out = { 0 };
	uint64_t e = 1ull << 12, lost;
	unsigned int flags = 0;

	ooh_ring_init(&prod, hdr, NR, OOH_RING_F_GPA, 0);
	hdr->cons = 12345;		/* ahead of prod */
	CHECK(ooh_ring_space(&prod) == 0, "space with cons > prod");
	CHECK(ooh_ring_produce(&prod, &e, 1) == 0, "produced into bad ring");
	CHECK(hdr->flags & OOH_RING_F_OVERFLOW, "drop not flagged");
	hdr->cons = (uint64_t)-5000;	/* far behind */
	CHECK(ooh_ring_space(&prod) == 0, "space with cons far behind");
	hdr->cons = 0;
	hdr->nr_entries = 1000;		/* not a power of two */
	CHECK(__ooh_ring_consume(hdr, NULL, NULL, NULL, &out, &flags, &lost) == -EPROTO,
	      "bad size accepted");
	hdr->nr_entries = NR;
	hdr->magic = 0;
	CHECK(__ooh_ring_consume(hdr, NULL, NULL, NULL, &out, &flags, &lost) == -EPROTO,
	      "bad magic accepted");
	hdr->magic = OOH_RING_MAGIC;
	hdr->prod = NR + 1;		/* producer claims too much */
	CHECK(__ooh_ring_consume(hdr, NULL, NULL, NULL, &out, &flags, &lost) == -EPROTO,
	      "prod beyond size accepted");
	__ooh_pageset_free(&out);
	printf("hostile: bad cons/size/magic/prod refused\n");
}

int main(void)
{
	hdr = mmap(NULL, OOH_RING_BYTES(NR), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (hdr == MAP_FAILED)
		return 1;
	test_concurrent();
	test_overflow();
	test_fence();
	test_gpa_entries();
	test_hostile();
	return ooh_test_result();
}
