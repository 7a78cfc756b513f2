/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ooh_test.h - the C tests' side (tests/unit, tests/native) of the one
 * test vocabulary every test here speaks (shell tests: emu-lib.sh's
 * pass/fail/finish; guest tests: spmlt-lib.sh; the bare-metal CPU tests:
 * tests/cpu/lib): "FAIL: what" per failed check ("PASS: what" where a
 * test lists its passes, "SKIP: reason"), a last line "Test result:
 * PASS|FAIL|SKIP ...", and exit 0 (pass), 1 (fail) or OOH_TEST_SKIP (77);
 * tests/run goes by the exit status.
 *
 *   CHECK(cond, fmt, ...)   count a failure, print what failed and
 *                           libooh's last error
 *   ooh_test_result()       print the "Test result:" line, return the
 *                           exit status
 *   ooh_test_tracks_self(b) backend b works here and tracks the calling
 *                           process (OOH_CAP_SELF: not a ring harness)
 *   ooh_test_map(n)         n zeroed anonymous pages, or exit 1
 *   PG                      the page size libooh counts in
 */
#ifndef OOH_TEST_H
#define OOH_TEST_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "ooh.h"

#define PG		OOH_PAGE_SIZE
#define OOH_TEST_SKIP	77

static int failures;

#define CHECK(c, ...) do {						\
	if (!(c)) {							\
		failures++;						\
		printf("FAIL: %s:%d: ", __FILE__, __LINE__);		\
		printf(__VA_ARGS__);					\
		printf(" [%s]\n", ooh_last_error());			\
	}								\
} while (0)

static inline int ooh_test_result(void)
{
	if (failures)
		printf("Test result: FAIL (%d checks failed)\n", failures);
	else
		printf("Test result: PASS\n");
	return failures ? 1 : 0;
}

/* @n zeroed private anonymous pages; a failed mmap fails the test */
static inline char *ooh_test_map(size_t n)
{
	char *m = mmap(NULL, n * PG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED) {
		printf("FAIL: setup: mmap of %zu pages: %s\n", n, strerror(errno));
		exit(1);
	}
	return m;
}

static inline bool ooh_test_tracks_self(const char *backend)
{
	struct ooh_tracker *t;
	bool self;

	if (ooh_backend_probe(backend) || ooh_open(backend, &t))
		return false;
	self = ooh_caps(t) & OOH_CAP_SELF;
	ooh_close(t);
	return self;
}

#endif /* OOH_TEST_H */
