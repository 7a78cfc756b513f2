// SPDX-License-Identifier: GPL-2.0-only
/*
 * spml-modeswitch - spml right after epml, on pages epml left written.
 *
 * Armed for EPML, Xen keeps a written page's EPT entry log-dirty with the
 * dirty flag (D) set until a rearm clears it.  The last EPML tracker's
 * close disarms with its last writes unfetched: those entries stay
 * log-dirty with D set, and the disarm turns log-dirty back to ram_rw
 * lazily (by recalculation at the next access of each 2 MiB region).  If
 * nothing touches the region before spml arms with PML (a lazy change
 * back to log-dirty), the entry's first resolution finds log-dirty ->
 * log-dirty; unless it clears D then, PML never logs the page's next
 * write (xen-patches/0010, resolve_misconfig()).
 *
 * Each round: an epml tracker on a 2 MiB-aligned region of transparent
 * huge pages (each a whole 2 MiB guest-physical region, so no other
 * memory resolves its EPT leaf table), one fetch, a write to every page,
 * close; then, touching nothing, an spml tracker on the same region, one
 * fetch (the first reports everything), a write to every page, a fetch
 * that must report every page.
 *
 * Usage: spml-modeswitch [MIB [ROUNDS]]   (default 16 MiB, 4 rounds)
 * Exit 0 pass, 1 pages missed, 2 error, 77 a backend unavailable.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ooh.h"
#include "spmlt.h"

#define HUGE	(2ul << 20)

static void write_all(volatile char *m, size_t pages, unsigned int v)
{
	for (size_t i = 0; i < pages; i++)
		m[i * OOH_PAGE_SIZE] = (char)(v + i);
}

/* Pages of [m, m + pages * OOH_PAGE_SIZE) in @d. */
static size_t in_region(const struct ooh_dirty *d, const char *m, size_t pages)
{
	size_t n = 0;

	for (size_t k = 0; k < d->nr_pages; k++)
		n += d->pages[k] >= (uintptr_t)m &&
		     d->pages[k] < (uintptr_t)m + pages * OOH_PAGE_SIZE;
	return n;
}

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 16;
	unsigned int rounds = argc > 2 ? (unsigned int)atoi(argv[2]) : 4;
	size_t len = mib << 20, pages = len / OOH_PAGE_SIZE, missed = 0;
	struct ooh_tracker *t;
	struct ooh_dirty d;
	char *raw, *m;

	if (!mib || !rounds) {
		fprintf(stderr, "usage: spml-modeswitch [MIB [ROUNDS]]\n");
		return 2;
	}
	if (ooh_backend_probe("epml") || ooh_backend_probe("spml")) {
		printf("SKIP: spml-modeswitch needs epml and spml: %s\n", ooh_last_error());
		return 77;
	}
	raw = mmap(NULL, len + HUGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED)
		die("mmap", errno);
	m = (char *)(((uintptr_t)raw + HUGE - 1) & ~(HUGE - 1));
	if (madvise(m, len, MADV_HUGEPAGE))
		die("madvise(MADV_HUGEPAGE)", errno);
	write_all(m, pages, 0);

	for (unsigned int r = 0; r < rounds; r++) {
		size_t got;

		if (ooh_open("epml", &t) || ooh_track(t, 0, m, len) || ooh_fetch(t, &d) < 0)
			die("epml tracker", errno);
		write_all(m, pages, 2 * r + 1);
		ooh_close(t);		/* the last writes stay unfetched */

		if (ooh_open("spml", &t) || ooh_track(t, 0, m, len) || ooh_fetch(t, &d) < 0)
			die("spml tracker", errno);
		write_all(m, pages, 2 * r + 2);
		if (ooh_fetch(t, &d) < 0)
			die("spml fetch", errno);
		got = in_region(&d, m, pages);
		printf("round %u: spml after epml reported %zu of %zu written pages%s\n",
		       r, got, pages, d.flags & OOH_FETCH_ALL ? " (everything: overflow)" : "");
		missed += pages - got;
		ooh_close(t);
	}
	printf("modeswitch: rounds=%u pages=%zu missed=%zu\n", rounds, pages, missed);
	return missed ? 1 : 0;
}
