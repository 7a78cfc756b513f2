// SPDX-License-Identifier: GPL-2.0-only
/*
 * spml-sparse - a large, sparsely written range taken away in one call
 * (MADV_DONTNEED, munmap + mmap MAP_FIXED at the same address): the
 * written pages must be reported, and not by reporting the interval
 * whole.  The range is 1 GiB (262144 pages, four times the tracker
 * ring's default 65536 entries) with NWRITTEN pages written 4 MiB apart.
 * A DONTNEED or munmap frees their frames, so the logged GPAs no longer
 * resolve to them: only the module's MMU notifier entries name them, one
 * per populated page (guest-uio/tracker.c mn_walk()).
 *
 * Rounds: "dontneed" (private anonymous), "munmap" (munmap, then the
 * range mapped again at the same address), "shared" (MAP_SHARED
 * anonymous + MADV_DONTNEED: a page written after the notifier ran
 * would survive in shmem, so the module reports such ranges page by page
 * and this round may come back as OOH_FETCH_ALL; only a missed page
 * fails it).
 *
 * Usage: spml-sparse BACKEND [ROUNDS] (default 3 of each).  One line per
 * round kind: "PASS|FAIL: KIND: missed M, whole-interval fetches A of R".
 * Exit 0 pass, 1 fail (a written page missed, or a private round came
 * back whole), 77 backend unavailable.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ooh.h"
#include "spmlt.h"

#define RANGE		(1ul << 30)
#define STRIDE		(4ul << 20)
#define NWRITTEN	(RANGE / STRIDE)

static size_t missed(const struct ooh_dirty *d, const char *base)
{
	size_t miss = 0;

	if (d->flags & OOH_FETCH_ALL)
		return 0;		/* everything is dirty */
	for (size_t i = 0; i < NWRITTEN; i++) {
		uintptr_t a = (uintptr_t)base + i * STRIDE;
		size_t k;

		for (k = 0; k < d->nr_pages && d->pages[k] != a; k++)
			;
		miss += k == d->nr_pages;
	}
	return miss;
}

static void write_pages(char *base, int r)
{
	for (size_t i = 0; i < NWRITTEN; i++)
		((volatile char *)base)[i * STRIDE] = (char)(r + 1);
}

static char *map_range(void *at, int shared)
{
	return mmap(at, RANGE, PROT_READ | PROT_WRITE,
		    (shared ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS |
		    MAP_NORESERVE | (at ? MAP_FIXED : 0), -1, 0);
}

int main(int argc, char **argv)
{
	static const char *const kinds[] = { "dontneed", "munmap", "shared" };
	int rounds = argc > 2 ? atoi(argv[2]) : 3, failed = 0;
	struct ooh_tracker *t;
	struct ooh_dirty d;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc < 2 || rounds < 1) {
		fprintf(stderr, "usage: spml-sparse BACKEND [ROUNDS]\n");
		return 2;
	}
	if (ooh_backend_probe(argv[1])) {
		printf("SKIP: %s: %s\n", argv[1], ooh_last_error());
		return 77;
	}
	for (int k = 0; k < 3; k++) {
		int shared = k == 2, whole = 0;
		size_t miss = 0;
		char *base = map_range(NULL, shared);

		if (base == MAP_FAILED) {
			printf("FAIL: %s: mmap 1 GiB: %s\n", kinds[k], strerror(errno));
			return 1;
		}
		if (ooh_open(argv[1], &t) || ooh_track(t, 0, base, RANGE) ||
		    ooh_fetch(t, &d) < 0) {
			printf("FAIL: %s: %s: open/track/fetch: %s\n", argv[1],
			       kinds[k], ooh_last_error());
			return 1;
		}
		for (int r = 0; r < rounds; r++) {
			write_pages(base, r);
			if (k == 1) {
				if (munmap(base, RANGE) || map_range(base, 0) != base) {
					printf("FAIL: munmap/mmap: %s\n", strerror(errno));
					return 1;
				}
			} else if (madvise(base, RANGE, MADV_DONTNEED)) {
				printf("FAIL: madvise: %s\n", strerror(errno));
				return 1;
			}
			if (ooh_fetch(t, &d) < 0) {
				printf("FAIL: %s: fetch: %s\n", kinds[k], ooh_last_error());
				return 1;
			}
			whole += !!(d.flags & OOH_FETCH_ALL);
			miss += missed(&d, base);
		}
		ooh_close(t);
		munmap(base, RANGE);
		int bad = miss || (!shared && whole);

		printf("%s: %s: %s: missed %zu of %zu written pages, whole-interval "
		       "fetches %d of %d\n", bad ? "FAIL" : "PASS", argv[1], kinds[k],
		       miss, (size_t)NWRITTEN * rounds, whole, rounds);
		failed |= bad;
	}
	return failed;
}
