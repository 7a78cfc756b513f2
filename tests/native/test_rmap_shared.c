/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * test_rmap_shared - the GPA reverse map (libooh/src/rmap.c) with many
 * virtual pages on one frame, through the ring-loopback backend (the spml
 * consumer without a hypervisor): one memfd page mapped at NALIAS
 * addresses, next to NZERO read-only pages of anonymous memory that map
 * the shared zero page where the kernel uses it for read faults (Linux
 * does; some sandboxed hosts allocate a frame per page instead).
 *
 * One write through the first alias must report every alias (the frame is
 * the unit PML logs) and none of the zero-page pages.  Prints the time of
 * each fetch for the record (make bench measures speed, not this test).
 * Exit 0 pass, 1 fail, 77 skip (ring-loopback cannot run here: it needs
 * CAP_SYS_ADMIN for pagemap frame numbers and PAGEMAP_SCAN).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "ooh.h"
#include "ooh_test.h"

#define NALIAS	16384
#define NZERO	32768

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* pages of @d in [@a, @a + @n pages) */
static size_t count_in(const struct ooh_dirty *d, const char *a, size_t n)
{
	size_t c = 0;

	for (size_t k = 0; k < d->nr_pages; k++)
		c += d->pages[k] >= (uintptr_t)a && d->pages[k] < (uintptr_t)a + n * PG;
	return c;
}

int main(void)
{
	struct ooh_tracker *t;
	struct ooh_dirty d;
	volatile char sink = 0;
	char *alias, *zero;
	double t0;
	int fd, failed = 0;
	/* an O(k^2) regression fails here with ENOMEM, not by the OOM killer */
	struct rlimit as = { 2ul << 30, 2ul << 30 };

	if (setrlimit(RLIMIT_AS, &as))
		perror("setrlimit");
	if (ooh_open("ring-loopback", &t)) {
		printf("SKIP: ring-loopback: %s\n", ooh_last_error());
		return 77;
	}
	fd = memfd_create("ooh-rmap-shared", 0);
	if (fd < 0 || ftruncate(fd, PG)) {
		perror("memfd");
		return 1;
	}
	alias = mmap(NULL, NALIAS * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	zero = mmap(NULL, NZERO * PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (alias == MAP_FAILED || zero == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	/* 4 KiB zero-page PTEs: the huge zero page has 512 frames */
	madvise(zero, NZERO * PG, MADV_NOHUGEPAGE);
	for (size_t i = 0; i < NALIAS; i++) {
		if (mmap(alias + i * PG, PG, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_FIXED, fd, 0) == MAP_FAILED) {
			perror("mmap alias");
			return 1;
		}
		sink += alias[i * PG];		/* map it: one frame, NALIAS PTEs */
	}
	for (size_t i = 0; i < NZERO; i++)
		sink += zero[i * PG];		/* the shared zero page */
	if (ooh_track(t, 0, alias, NALIAS * PG) || ooh_track(t, 0, zero, NZERO * PG) ||
	    ooh_fetch(t, &d) < 0) {
		printf("FAIL: track/fetch: %s\n", ooh_last_error());
		return 1;
	}
	for (int round = 0; round < 3; round++) {
		alias[0] = (char)(round + 1);
		t0 = now_ms();
		if (ooh_fetch(t, &d) < 0) {
			printf("FAIL: fetch: %s\n", ooh_last_error());
			return 1;
		}
		size_t na = count_in(&d, alias, NALIAS), nz = count_in(&d, zero, NZERO);

		printf("round %d: %zu of %d aliases, %zu of %d zero-page pages reported, "
		       "fetch %.1f ms%s\n", round, na, NALIAS, nz, NZERO, now_ms() - t0,
		       d.flags & OOH_FETCH_ALL ? " (OOH_FETCH_ALL)" : "");
		if (d.flags & OOH_FETCH_ALL) {
			printf("FAIL: round %d: OOH_FETCH_ALL, the reverse map was not used\n", round);
			failed = 1;
		} else if (na != NALIAS || nz) {
			printf("FAIL: round %d: want %d aliases and 0 zero-page pages\n",
			       round, NALIAS);
			failed = 1;
		}
	}
	ooh_close(t);
	printf("%s\n", failed ? "FAIL" : "PASS: every alias of the written frame, no zero-page page");
	return failed;
}
