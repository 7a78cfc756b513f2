/* SPDX-License-Identifier: GPL-2.0-only */
/* rng.h - the deterministic PRNG shared by gc-gen-inputs and the workloads. */
#ifndef OOH_GC_RNG_H
#define OOH_GC_RNG_H

#include <stdint.h>

/* xorshift64 (Marsaglia 2003); @s must be non-zero. */
static inline uint64_t wl_rand(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

#endif /* OOH_GC_RNG_H */
