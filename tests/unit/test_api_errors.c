/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * test_api_errors - libooh's errors: unknown backend, unaligned/overlapping
 * ranges, untracking an unknown range, fetch before track, bad pid,
 * softdirty refused with a reason on a kernel without
 * CONFIG_MEM_SOFT_DIRTY (on the first of uffd-wp, pagemap-scan,
 * mprotect, ring-loopback that works here; none: exit 77).
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

/* the first of these backends that works here, or NULL */
static const char *working_backend(void)
{
	static const char *const be[] = { "uffd-wp", "pagemap-scan",
					  "mprotect", "ring-loopback" };

	for (int i = 0; i < 4; i++)
		if (ooh_backend_probe(be[i]) == 0)
			return be[i];
	return NULL;
}

static void test_errors(const char *backend)
{
	struct ooh_tracker *t;
	struct ooh_dirty d;
	char *m = ooh_test_map(16);
	int ret;

	CHECK(ooh_open("no-such-backend", &t) == -ENOENT, "unknown backend");
	CHECK(ooh_backend_probe(NULL) == -EINVAL, "probe of a NULL name");
	CHECK(ooh_backend_probe("auto") == -ENOENT, "probe of \"auto\"");
	/* a successful call leaves no reason behind (the previous one's) */
	if (ooh_open("auto", &t) == 0) {
		CHECK(ooh_last_error()[0] == '\0',
		      "ooh_open(auto) succeeded but left an error string");
		ooh_close(t);
	}
	ret = ooh_open("softdirty", &t);
	if (ret == 0) {
		printf("softdirty works on this kernel\n");
		ooh_close(t);
	} else {
		CHECK(ret == -EOPNOTSUPP && strstr(ooh_last_error(), "SOFT_DIRTY"),
		      "softdirty refusal: %d", ret);
	}
	if (ooh_open(backend, &t) != 0) {
		CHECK(0, "open %s", backend);
		munmap(m, 16 * PG);
		return;
	}
	CHECK(ooh_fetch(t, &d) == -EINVAL, "fetch before track");
	CHECK(ooh_track(t, 0, m + 1, PG) == -EINVAL, "unaligned start");
	CHECK(ooh_track(t, 0, m, 100) == -EINVAL, "unaligned length");
	CHECK(ooh_track(t, 999999, m, PG) == -ESRCH, "bad pid");
	CHECK(ooh_track(t, 0, m, 8 * PG) == 0, "track");
	CHECK(ooh_track(t, 0, m + 4 * PG, 8 * PG) == -EINVAL, "overlap");
	CHECK(ooh_track(t, 1, m + 8 * PG, PG) == -EINVAL, "second pid");
	CHECK(ooh_untrack(t, m + PG, PG) == -EINVAL, "untrack unknown");
	CHECK(ooh_untrack(t, m, 8 * PG) == 0, "untrack");
	ooh_close(t);
	munmap(m, 16 * PG);
}

int main(void)
{
	const char *b = working_backend();

	if (!b) {
		printf("SKIP: none of uffd-wp, pagemap-scan, mprotect, "
		       "ring-loopback works here\n");
		return OOH_TEST_SKIP;
	}
	test_errors(b);
	return ooh_test_result();
}
