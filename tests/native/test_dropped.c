/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * test_dropped - a page written and then dropped from the page table
 * before the fetch (MADV_DONTNEED, MADV_PAGEOUT) is reported.
 * MAP_SHARED file mappings on the test's own directory (ext4 or
 * overlay here: uffd-wp cannot register them, so libooh falls back) and on
 * /dev/shm (tmpfs: registered, REMOVE events), and private anonymous
 * memory, on uffd-wp and pagemap-scan: a fallback that reported only
 * present pages, or a REMOVE event only what was present at the fetch,
 * would miss every dropped page.  Exits 77 if neither backend
 * works here.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ooh.h"
#include "ooh_test.h"

#define NPG 16

static char *map(const char *kind, const char *dir)
{
	char path[512];
	char *m;
	int fd;

	if (!dir)
		return mmap(NULL, NPG * PG, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	snprintf(path, sizeof(path), "%s/ooh-dropped.XXXXXX", dir);
	fd = mkstemp(path);
	if (fd < 0 || ftruncate(fd, NPG * PG)) {
		printf("FAIL: setup: %s file in %s: %s\n", kind, dir, strerror(errno));
		exit(1);
	}
	unlink(path);
	m = mmap(NULL, NPG * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	return m;
}

static void one(const char *be, const char *kind, const char *dir, int advice,
		const char *aname)
{
	struct ooh_tracker *t;
	struct ooh_dirty d;
	char *m = map(kind, dir);
	int ret, seen = 0;

	if (m == MAP_FAILED) {
		printf("FAIL: setup: mmap %s: %s\n", kind, strerror(errno));
		exit(1);
	}
	memset(m, 1, NPG * PG);
	if (ooh_open(be, &t)) {
		printf("FAIL: %s: open: %s\n", be, ooh_last_error());
		failures++;
		return;
	}
	ret = ooh_track(t, 0, m, NPG * PG);
	if (!ret)
		ret = ooh_fetch(t, &d);
	if (ret < 0) {
		printf("FAIL: %s %s: track/fetch: %d %s\n", be, kind, ret,
		       ooh_last_error());
		failures++;
		goto out;
	}
	for (int i = 0; i < 4; i++)
		m[i * PG] = 2;
	if (madvise(m, 4 * PG, advice)) {
		printf("%s %s %s: madvise unsupported here (%s), not tested\n",
		       be, kind, aname, strerror(errno));
		goto out;
	}
	ret = ooh_fetch(t, &d);
	if (ret < 0) {
		printf("FAIL: %s %s: fetch: %s\n", be, kind, ooh_last_error());
		failures++;
		goto out;
	}
	for (size_t i = 0; i < d.nr_pages; i++)
		if (d.pages[i] >= (uintptr_t)m && d.pages[i] < (uintptr_t)m + 4 * PG)
			seen++;
	if (seen != 4 && !(d.flags & OOH_FETCH_ALL)) {
		printf("FAIL: %s %s %s: %d of 4 written-then-dropped pages reported\n",
		       be, kind, aname, seen);
		failures++;
	} else {
		printf("%s %s %s: 4 of 4 written-then-dropped pages reported\n",
		       be, kind, aname);
	}
out:
	ooh_close(t);
	munmap(m, NPG * PG);
}

int main(void)
{
	static const char *const be[] = { "uffd-wp", "pagemap-scan" };
	char cwd[400];
	int works = 0;

	if (!getcwd(cwd, sizeof(cwd)))
		strcpy(cwd, ".");
	for (int i = 0; i < 2; i++) {
		if (ooh_backend_probe(be[i])) {
			printf("%s: not available here: %s\n", be[i], ooh_last_error());
			continue;
		}
		works++;
		one(be[i], "shared-file", cwd, MADV_DONTNEED, "MADV_DONTNEED");
		one(be[i], "shared-file", cwd, MADV_PAGEOUT, "MADV_PAGEOUT");
		one(be[i], "shared-shm", "/dev/shm", MADV_DONTNEED, "MADV_DONTNEED");
		one(be[i], "private-anon", NULL, MADV_DONTNEED, "MADV_DONTNEED");
	}
	if (!works) {
		printf("SKIP: neither uffd-wp nor pagemap-scan works here\n");
		return 77;
	}
	return ooh_test_result();
}
