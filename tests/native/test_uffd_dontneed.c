/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * test_uffd_dontneed - a write made after MADV_DONTNEED (or MADV_FREE) of
 * a page not yet written in the interval is in the very next fetch, on
 * every backend that tracks the calling process here.  MADV_DONTNEED
 * zaps the page's uffd-wp marker, so the write does not fault; uffd-wp
 * learns of the zap from a UFFD_EVENT_REMOVE that madvise() waits to be
 * read, not handled: the fetch must not overtake the handler.
 *
 * Usage: test_uffd_dontneed [ROUNDS]  (default 400 per backend and
 * advice).  Exit 0 pass, 1 fail (every late page is listed), 77 if no
 * backend works here.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ooh.h"
#include "ooh_test.h"

#define NPAGES	32

static int reported(const struct ooh_dirty *d, const void *page)
{
	for (size_t k = 0; k < d->nr_pages; k++)
		if (d->pages[k] == (uintptr_t)page)
			return 1;
	return 0;
}

static int run(const char *be, int advice, const char *aname,
	       unsigned int rounds)
{
	struct ooh_tracker *t;
	struct ooh_dirty d;
	unsigned int late = 0, r;
	char *buf;

	buf = mmap(NULL, NPAGES * PG, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		return 1;
	memset(buf, 1, NPAGES * PG);
	if (ooh_open(be, &t) || ooh_track(t, 0, buf, NPAGES * PG) ||
	    ooh_fetch(t, &d) < 0) {
		printf("FAIL: %s: open/track/fetch: %s\n", be, ooh_last_error());
		return 1;
	}
	for (r = 0; r < rounds; r++) {
		char *p = buf + (r % NPAGES) * PG;

		if (madvise(p, PG, advice)) {
			printf("FAIL: %s: madvise %s: %s\n", be, aname,
			       strerror(errno));
			ooh_close(t);
			return 1;
		}
		*(volatile char *)p = 2;
		if (ooh_fetch(t, &d) < 0) {
			printf("FAIL: %s: fetch: %s\n", be, ooh_last_error());
			ooh_close(t);
			return 1;
		}
		if (!reported(&d, p)) {
			if (late++ < 5)
				printf("FAIL: %s: %s round %u: the page written "
				       "after madvise is not in this fetch\n",
				       be, aname, r);
		}
	}
	ooh_close(t);
	munmap(buf, NPAGES * PG);
	printf("%s %s %s: %u of %u rounds late\n", late ? "FAIL" : "PASS", be,
	       aname, late, rounds);
	return late ? 1 : 0;
}

int main(int argc, char **argv)
{
	const char *const *all = ooh_backends();
	unsigned int rounds = argc > 1 ? atoi(argv[1]) : 400;
	int ran = 0, failed = 0;

	setvbuf(stdout, NULL, _IONBF, 0);
	for (size_t i = 0; all[i]; i++) {
		if (!ooh_test_tracks_self(all[i]))
			continue;
		failed |= run(all[i], MADV_DONTNEED, "MADV_DONTNEED", rounds);
		failed |= run(all[i], MADV_FREE, "MADV_FREE", rounds);
		ran++;
	}
	if (!ran) {
		printf("SKIP: no backend tracks the calling process here\n");
		return 77;
	}
	return failed;
}
