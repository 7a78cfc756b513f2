/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * test_fetch_error - a failed ooh_fetch() loses nothing: the fetch after
 * it reports every tracked page (OOH_FETCH_ALL), and the one after that is
 * incremental again.  Each failure point of libooh's fetch is hit once by
 * fault injection (OOH_FAULT, internal.h): after the backend's collect
 * ("fetch-collected", every backend), after the module's SYNC and after
 * the first ring ("uio-synced", "uio-ring": spml and epml, in the guest).
 *
 * Usage: test_fetch_error [BACKEND...]   (default: every backend that
 * works here and tracks the calling process).  Each (backend, point) runs
 * in a child of its own, as a fault fires once per process.  Exit 0 pass,
 * 1 fail, 77 if no pair could run.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ooh.h"
#include "ooh_test.h"

#define NPAGES	 64
#define SKIP	 77

static const char *const points[] = {
	"fetch-collected", "uio-synced", "uio-ring",
};

static void touch(char *buf, unsigned int from, unsigned int to)
{
	for (unsigned int i = from; i < to; i++)
		((volatile char *)buf)[i * PG] += 1;
}

/* the pages [from, to) of buf that @d does not report */
static unsigned int missing(const struct ooh_dirty *d, char *buf,
			    unsigned int from, unsigned int to)
{
	unsigned int miss = 0;

	for (unsigned int i = from; i < to; i++) {
		uint64_t a = (uintptr_t)buf + i * PG;
		size_t k;

		for (k = 0; k < d->nr_pages && d->pages[k] != a; k++)
			;
		miss += k == d->nr_pages;
	}
	return miss;
}

/* in a child: 0 pass, 1 fail, SKIP: the fault point was not reached */
static int run(const char *be, const char *point)
{
	struct ooh_tracker *t;
	struct ooh_dirty d;
	char *buf;
	int ret;

	buf = mmap(NULL, NPAGES * PG, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		return 1;
	touch(buf, 0, NPAGES);
	if (ooh_open(be, &t) || ooh_track(t, 0, buf, NPAGES * PG)) {
		CHECK(0, "%s: open/track", be);
		return 1;
	}
	/* the first fetch reports the fresh range whole */
	ret = ooh_fetch(t, &d);
	CHECK(ret >= 0, "%s/%s: first fetch: %d", be, point, ret);

	setenv("OOH_FAULT", point, 1);
	touch(buf, 0, 32);
	ret = ooh_fetch(t, &d);
	if (ret >= 0) {
		ooh_close(t);
		return failures ? 1 : SKIP;	/* no such point on this path */
	}
	CHECK(ret == -EIO, "%s/%s: injected fault: fetch returned %d", be,
	      point, ret);

	touch(buf, 32, 48);
	ret = ooh_fetch(t, &d);
	CHECK(ret >= 0, "%s/%s: fetch after the failed one: %d", be, point,
	      ret);
	if (ret >= 0) {
		CHECK(d.flags & OOH_FETCH_ALL,
		      "%s/%s: fetch after the failed one lacks OOH_FETCH_ALL",
		      be, point);
		CHECK(!missing(&d, buf, 0, 48),
		      "%s/%s: %u of the 48 pages written across the failed "
		      "fetch not reported", be, point, missing(&d, buf, 0, 48));
	}

	touch(buf, 50, 51);
	ret = ooh_fetch(t, &d);
	CHECK(ret >= 0, "%s/%s: third fetch: %d", be, point, ret);
	if (ret >= 0) {
		CHECK(!(d.flags & OOH_FETCH_ALL),
		      "%s/%s: OOH_FETCH_ALL stuck after one full fetch", be,
		      point);
		CHECK(!missing(&d, buf, 50, 51), "%s/%s: page 50 missing", be,
		      point);
	}
	ooh_close(t);
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	const char *const *all = ooh_backends();
	unsigned int ran = 0, failed = 0;

	setvbuf(stdout, NULL, _IONBF, 0);
	for (size_t i = 0; argc > 1 ? (int)i < argc - 1 : all[i] != NULL; i++) {
		const char *be = argc > 1 ? argv[i + 1] : all[i];

		if (ooh_backend_probe(be)) {
			if (argc > 1) {
				printf("FAIL: %s: %s\n", be, ooh_last_error());
				failed++;
			}
			continue;
		}
		for (size_t p = 0; p < sizeof(points) / sizeof(points[0]); p++) {
			pid_t pid = fork();
			int st;

			if (pid == 0)
				_exit(run(be, points[p]));
			if (pid < 0 || waitpid(pid, &st, 0) != pid ||
			    !WIFEXITED(st)) {
				printf("FAIL: %s/%s: child died\n", be, points[p]);
				failed++;
				continue;
			}
			switch (WEXITSTATUS(st)) {
			case 0:
				printf("PASS %s/%s\n", be, points[p]);
				ran++;
				break;
			case SKIP:
				printf("SKIP %s/%s: not on this backend's path\n",
				       be, points[p]);
				break;
			default:
				failed++;
			}
		}
	}
	printf("%u passed, %u failed\n", ran, failed);
	if (failed)
		return 1;
	return ran ? 0 : SKIP;
}
