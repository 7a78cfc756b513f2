/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * spmlt.h - helpers shared by the SPML guest test programs: PG, the page
 * size they count in (libooh's OOH_PAGE_SIZE); for those that use libooh
 * (spml-otherw.c, spml-xenw.c), one-line fatal errors with libooh's
 * reason, and a xorshift64 generator (seeded by the caller, e.g. with its
 * pid).
 */
#ifndef SPMLT_H
#define SPMLT_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ooh.h"

#define PG	OOH_PAGE_SIZE

/* "PROGRAM: WHAT: strerror(ERR) [ooh_last_error()]", exit status 2. */
static inline void die(const char *what, int err)
{
	fprintf(stderr, "%s: %s: %s [%s]\n", program_invocation_short_name,
		what, strerror(err), ooh_last_error());
	exit(2);
}

static uint64_t rng = 88172645463325252ull;

/* xorshift64 (Marsaglia 2003); mix a seed into rng before the first call. */
static inline uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

#endif
