/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * test_ranges - ooh_track() refuses ranges the process has not mapped, and
 * a refused call leaves memory as it was:
 *  - half-unmapped range, 1 TiB from a real buffer, an unmapped address,
 *    a range at NULL: -EINVAL naming the first unmapped address, on every
 *    backend that works here (before: the uffd backends returned 0; the
 *    mprotect backend returned -EINVAL but left the mapped head read-only,
 *    so the next store killed the process);
 *  - after each refusal the buffer is still writable (checked in a child,
 *    so a SIGSEGV is a failure, not a crash of the test);
 *  - a wrapping length says "wraps", not "not page-aligned";
 *  - ooh_last_error() is not cut at 255 bytes.
 * Exits 77 if no backend works here.
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

/* a store to every page of [m, m + n pages) survives (in a child) */
static int writable(char *m, size_t n)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		for (size_t i = 0; i < n; i++)
			m[i * PG] = 1;
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return 0;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static void refused(const char *be, void *addr, size_t len, const char *what,
		    char *buf, size_t n)
{
	struct ooh_tracker *t;
	int ret;

	if (ooh_open(be, &t)) {
		CHECK(0, "open %s", be);
		return;
	}
	ret = ooh_track(t, 0, addr, len);
	CHECK(ret == -EINVAL, "%s: %s: ooh_track returned %d, not -EINVAL",
	      be, what, ret);
	if (ret == -EINVAL)
		CHECK(strstr(ooh_last_error(), "not mapped") != NULL,
		      "%s: %s: reason", be, what);
	ooh_close(t);
	CHECK(writable(buf, n), "%s: %s: buffer no longer writable", be, what);
}

int main(void)
{
	static const char *const be[] = { "mprotect", "uffd-wp",
					  "pagemap-scan" };
	struct ooh_tracker *t;
	char name[600];
	int works = 0;
	char *m = mmap(NULL, 8 * PG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *hole = mmap(NULL, PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);

	if (m == MAP_FAILED || hole == MAP_FAILED) {
		printf("FAIL: setup: mmap: %s\n", strerror(errno));
		return 1;
	}
	munmap(m + 4 * PG, 4 * PG);	/* m: 4 pages mapped, then a hole */
	munmap(hole, PG);		/* an address nothing maps */

	for (int i = 0; i < 3; i++) {
		if (ooh_backend_probe(be[i])) {
			printf("%s: not available here: %s\n", be[i],
			       ooh_last_error());
			continue;
		}
		works++;
		refused(be[i], m, 8 * PG, "half-unmapped range", m, 4);
		refused(be[i], m, 1ul << 40, "1 TiB from a 4-page buffer", m, 4);
		refused(be[i], hole, PG, "unmapped address", m, 4);
		refused(be[i], NULL, 16 * PG, "range at NULL", m, 4);
		printf("%s: unmapped ranges refused, memory unchanged\n", be[i]);
	}
	if (!works) {
		printf("SKIP: none of mprotect, uffd-wp, pagemap-scan works here\n");
		return 77;
	}

	if (ooh_open(be[0], &t) == 0) {
		int ret = ooh_track(t, 0, m, (size_t)-(long)PG);

		CHECK(ret == -EINVAL && strstr(ooh_last_error(), "wraps"),
		      "wrapping length: %d", ret);
		ooh_close(t);
	}
	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	CHECK(ooh_open(name, &t) == -ENOENT, "long unknown name");
	CHECK(strlen(ooh_last_error()) > sizeof(name), "error cut at %zu bytes",
	      strlen(ooh_last_error()));
	return ooh_test_result();
}
