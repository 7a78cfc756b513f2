/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * test_api - libooh's public API contract:
 *  - errors: unknown backend, unaligned/overlapping ranges, untracking an
 *    unknown range, fetch before track, bad pid, softdirty refused with a
 *    reason on a kernel without CONFIG_MEM_SOFT_DIRTY;
 *  - results sorted and unique, "fresh every interval" (a page written
 *    once is reported once, not again);
 *  - tracking another process (a child writing a known page set) with
 *    every backend that advertises OOH_CAP_OTHER and works here.
 * A failed setup step (mmap, pipe, fork) or ooh_open of a backend that
 * ooh_backend_probe() says works is a failure; if no backend works here
 * at all the test exits 77 (skip), never a silent pass.
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


/* map N zeroed private anonymous pages; a failure fails the test (exit 1) */
static char *map_pages(size_t n)
{
	char *m = mmap(NULL, n * PG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED) {
		printf("FAIL setup: mmap of %zu pages: %s\n", n, strerror(errno));
		exit(1);
	}
	return m;
}

static void test_errors(const char *backend)
{
	struct ooh_tracker *t;
	struct ooh_dirty d;
	char *m = map_pages(16);
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

static void test_fresh(const char *backend)
{
	struct ooh_tracker *t;
	struct ooh_dirty d;
	size_t n = 64;
	char *m = map_pages(n);

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

/* A child writes pages 0, 2, 4, ... of its buffer on request. */
static void test_other(const char *backend)
{
	size_t n = 256;
	char *m = map_pages(n);
	int go[2], done[2];
	struct ooh_tracker *t;
	struct ooh_dirty d;
	size_t hit = 0;
	char c = 0;
	pid_t pid;

	memset(m, 0, n * PG);
	if (ooh_backend_probe(backend)) {
		printf("%s: other process: not available here: %s\n", backend,
		       ooh_last_error());
		munmap(m, n * PG);
		return;
	}
	if (pipe(go) || pipe(done)) {
		printf("FAIL setup: pipe: %s\n", strerror(errno));
		exit(1);
	}
	pid = fork();
	if (pid < 0) {
		printf("FAIL setup: fork: %s\n", strerror(errno));
		exit(1);
	}
	if (pid == 0) {
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		for (size_t i = 0; i < n; i += 2)
			m[i * PG] = 1;
		if (write(done[1], &c, 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	if (ooh_open(backend, &t) != 0) {
		CHECK(0, "open %s", backend);
	} else {
		CHECK(ooh_track(t, pid, m, n * PG) == 0, "%s track child",
		      backend);
		ooh_fetch(t, &d);
		CHECK(write(go[1], &c, 1) == 1 && read(done[0], &c, 1) == 1,
		      "child");
		CHECK(ooh_fetch(t, &d) >= 0, "%s fetch child", backend);
		for (size_t i = 0; i < d.nr_pages; i++)
			if (d.pages[i] >= (uintptr_t)m &&
			    d.pages[i] < (uintptr_t)m + n * PG &&
			    ((d.pages[i] - (uintptr_t)m) / PG) % 2 == 0)
				hit++;
		CHECK(hit == n / 2, "%s: child wrote %zu pages, %zu reported",
		      backend, n / 2, hit);
		printf("%s: other process: %zu/%zu written pages reported\n",
		       backend, hit, n / 2);
		ooh_close(t);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	munmap(m, n * PG);
}

int main(void)
{
	static const char *const be[] = { "uffd-wp", "pagemap-scan",
					  "mprotect", "ring-loopback" };

	const char *first = NULL;	/* the error checks' backend */

	for (int i = 3; i >= 0; i--)
		if (ooh_backend_probe(be[i]) == 0)
			first = be[i];
	if (!first) {
		printf("SKIP: none of uffd-wp, pagemap-scan, mprotect, "
		       "ring-loopback works here\n");
		return 77;
	}
	test_errors(first);
	for (int i = 0; i < 4; i++) {
		if (ooh_backend_probe(be[i])) {
			printf("%s: not available here: %s\n", be[i],
			       ooh_last_error());
			continue;
		}
		test_fresh(be[i]);
	}
	test_other("uffd-wp");
	test_other("pagemap-scan");
	return ooh_test_result();
}
