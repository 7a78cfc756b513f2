/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * test_api_fresh - ooh_fetch()'s results are sorted and unique, and "fresh
 * every interval": a page written once is reported once, not again; on
 * every one of uffd-wp, pagemap-scan, mprotect and ring-loopback that
 * works here (none: exit 77).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ooh.h"
#include "ooh_test.h"

static void test_fresh(const char *backend)
{
	struct ooh_tracker *t;
	struct ooh_dirty d;
	size_t n = 64;
	char *m = ooh_test_map(n);

	memset(m, 0, n * PG);
	if (ooh_open(backend, &t)) {
		CHECK(0, "open %s", backend);
		return;
	}
	CHECK(ooh_track(t, 0, m, n * PG) == 0, "%s track", backend);
	CHECK(ooh_fetch(t, &d) == (int)n, "%s first fetch: all fresh pages",
	      backend);
	m[5 * PG] = 1;
	m[3 * PG] = 1;
	m[40 * PG + 7] = 1;
	CHECK(ooh_fetch(t, &d) == 3, "%s: 3 pages written, %zu reported",
	      backend, d.nr_pages);
	CHECK(d.nr_pages == 3 && d.pages[0] == (uintptr_t)(m + 3 * PG) &&
	      d.pages[1] == (uintptr_t)(m + 5 * PG) &&
	      d.pages[2] == (uintptr_t)(m + 40 * PG), "%s: sorted set", backend);
	CHECK(ooh_fetch(t, &d) == 0, "%s: nothing written, %zu reported",
	      backend, d.nr_pages);
	ooh_close(t);
	munmap(m, n * PG);
}

int main(void)
{
	static const char *const be[] = { "uffd-wp", "pagemap-scan",
					  "mprotect", "ring-loopback" };
	int ran = 0;

	for (int i = 0; i < 4; i++) {
		if (ooh_backend_probe(be[i])) {
			printf("%s: not available here: %s\n", be[i],
			       ooh_last_error());
			continue;
		}
		test_fresh(be[i]);
		ran++;
	}
	if (!ran) {
		printf("SKIP: none of uffd-wp, pagemap-scan, mprotect, "
		       "ring-loopback works here\n");
		return OOH_TEST_SKIP;
	}
	return ooh_test_result();
}
