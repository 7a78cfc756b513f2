// SPDX-License-Identifier: GPL-2.0-only
/*
 * spml-alias - one frame mapped at two addresses of the tracked process (a
 * memfd mapped twice, as a mirrored ring buffer is): a write through the
 * second mapping after one through the first, in the same interval, must
 * be reported at both addresses.  PML and EPML log the first write to a
 * frame only (the EPT dirty flag is then set); EPML logs it by GVA, so the
 * GVA alone would name the first mapping only.
 *
 * Usage: spml-alias BACKEND [ROUNDS]   (default 40 rounds of 16 pages:
 * round r writes page r % 16 through the first mapping, then through the
 * second, then fetches).  Exit 0 pass, 1 fail, 77 backend unavailable.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ooh.h"
#include "spmlt.h"

#define NPAGES	16

static int has(const struct ooh_dirty *d, const void *p)
{
	for (size_t k = 0; k < d->nr_pages; k++)
		if (d->pages[k] == (uintptr_t)p)
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	unsigned int rounds = argc > 2 ? atoi(argv[2]) : 40, r;
	unsigned int miss1 = 0, miss2 = 0;
	struct ooh_tracker *t;
	struct ooh_dirty d;
	char *a, *b;
	int fd;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc < 2) {
		fprintf(stderr, "usage: spml-alias BACKEND [ROUNDS]\n");
		return 2;
	}
	if (ooh_backend_probe(argv[1])) {
		printf("SKIP: %s: %s\n", argv[1], ooh_last_error());
		return 77;
	}
	fd = memfd_create("ooh-alias", 0);
	if (fd < 0 || ftruncate(fd, NPAGES * PG))
		return 1;
	a = mmap(NULL, NPAGES * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	b = mmap(NULL, NPAGES * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (a == MAP_FAILED || b == MAP_FAILED)
		return 1;
	memset(a, 1, NPAGES * PG);
	if (ooh_open(argv[1], &t) || ooh_track(t, 0, a, NPAGES * PG) ||
	    ooh_track(t, 0, b, NPAGES * PG) || ooh_fetch(t, &d) < 0) {
		printf("FAIL: %s: open/track/fetch: %s\n", argv[1],
		       ooh_last_error());
		return 1;
	}
	for (r = 0; r < rounds; r++) {
		unsigned int i = r % NPAGES;

		((volatile char *)a)[i * PG] = (char)r;
		((volatile char *)b)[i * PG + 8] = (char)r;
		if (ooh_fetch(t, &d) < 0) {
			printf("FAIL: %s: fetch: %s\n", argv[1], ooh_last_error());
			return 1;
		}
		miss1 += !has(&d, a + i * PG);
		miss2 += !has(&d, b + i * PG);
	}
	ooh_close(t);
	printf("%s: %s: %u rounds, first mapping missed %u, second mapping "
	       "missed %u\n", miss1 || miss2 ? "FAIL" : "PASS", argv[1],
	       rounds, miss1, miss2);
	return miss1 || miss2;
}
