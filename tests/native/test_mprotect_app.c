/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * test_mprotect_app - the mprotect backend and the application's own
 * mprotect(PROT_READ|PROT_WRITE) on a tracked range:
 * writes made after it, which raise no fault, are still reported (the
 * fetch compares /proc/self/maps), and the next interval is tracked again.
 * Without that comparison these writes would never be reported.
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "ooh.h"
#include "ooh_test.h"


static int reported(const struct ooh_dirty *d, const char *p)
{
	for (size_t i = 0; i < d->nr_pages; i++)
		if (d->pages[i] == (uintptr_t)p)
			return 1;
	return 0;
}

int main(void)
{
	struct ooh_tracker *t;
	struct ooh_dirty d;
	int fails = 0;
	char *m = mmap(NULL, 16 * PG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED || ooh_open("mprotect", &t) ||
	    ooh_track(t, 0, m, 16 * PG) || ooh_fetch(t, &d) < 0) {
		printf("FAIL: setup: %s\n", ooh_last_error());
		return 1;
	}
	m[1 * PG] = 1;				/* faults: ours */
	mprotect(m, 8 * PG, PROT_READ | PROT_WRITE);	/* the application's */
	m[2 * PG] = 1;				/* no fault */
	m[3 * PG] = 1;
	if (ooh_fetch(t, &d) < 0) {
		printf("FAIL: fetch: %s\n", ooh_last_error());
		return 1;
	}
	for (int p = 1; p <= 3; p++)
		if (!reported(&d, m + p * PG)) {
			printf("FAIL: page %d written after the application's "
			       "mprotect not reported (%zu reported)\n", p,
			       d.nr_pages);
			fails++;
		}
	printf("interval 1: %zu pages reported (the application's writable "
	       "range counts as dirty)\n", d.nr_pages);
	m[4 * PG] = 1;			/* re-protected by the fetch: faults */
	if (ooh_fetch(t, &d) < 0 || d.nr_pages != 1 || !reported(&d, m + 4 * PG)) {
		printf("FAIL: next interval: %zu pages reported, wanted page 4 "
		       "only\n", d.nr_pages);
		fails++;
	}
	ooh_close(t);
	printf("Test result: %s\n", fails ? "FAIL" : "PASS");
	return fails ? 1 : 0;
}
