/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * test_api_other - tracking another process: a child writes a known page set,
 * uffd-wp and pagemap-scan (where they work here) report exactly it.
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

/* A child writes pages 0, 2, 4, ... of its buffer on request. */
static void test_other(const char *backend)
{
	size_t n = 256;
	char *m = ooh_test_map(n);
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
		printf("FAIL: setup: pipe: %s\n", strerror(errno));
		exit(1);
	}
	pid = fork();
	if (pid < 0) {
		printf("FAIL: setup: fork: %s\n", strerror(errno));
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
	if (ooh_backend_probe("uffd-wp") && ooh_backend_probe("pagemap-scan")) {
		printf("SKIP: neither uffd-wp nor pagemap-scan works here\n");
		return OOH_TEST_SKIP;
	}
	test_other("uffd-wp");
	test_other("pagemap-scan");
	return ooh_test_result();
}
