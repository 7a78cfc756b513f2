/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * test_ksm - a page KSM merges while it is tracked is still reported when
 * it is written, on every backend that tracks the calling process here.
 * ksmd replaces the PTE with one to the shared KSM page, without the
 * uffd-wp bit (pagemap bit 57 goes from 1 to 0), so the write that breaks
 * the KSM COW does not fault.
 *
 * Needs root and /sys/kernel/mm/ksm: runs ksmd fast for the test and puts
 * its settings back.  Usage: test_ksm [BACKEND...] (default: every one
 * that tracks the calling process here).  Exit 0 pass, 1 fail, 77 skip (no
 * KSM, not root, no backend, or ksmd merged nothing within 30 s).
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "ooh.h"
#include "ooh_test.h"

#define NPAGES	256
#define KSM	"/sys/kernel/mm/ksm/"

static long ksm_get(const char *name)
{
	char path[128];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), KSM "%s", name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

static int ksm_set(const char *name, long v)
{
	char path[128];
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), KSM "%s", name);
	f = fopen(path, "w");
	if (!f)
		return -1;
	ret = fprintf(f, "%ld\n", v) < 0;
	return fclose(f) || ret ? -1 : 0;
}

/* this process's pages KSM merged now (/proc/self/ksm_merging_pages) */
static long merging(void)
{
	FILE *f = fopen("/proc/self/ksm_merging_pages", "r");
	long v = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

static int wait_merged(long want)
{
	for (int i = 0; i < 300; i++) {
		if (merging() >= want)
			return 0;
		usleep(100000);
	}
	return -1;
}

/* 0 pass, 1 fail, 77 ksmd merged nothing */
static int run(const char *be)
{
	struct ooh_tracker *t;
	struct ooh_dirty d;
	unsigned int miss = 0;
	char *buf;

	buf = mmap(NULL, NPAGES * PG, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		return 1;
	memset(buf, 0x5a, NPAGES * PG);	/* identical pages: mergeable */
	if (ooh_open(be, &t) || ooh_track(t, 0, buf, NPAGES * PG) ||
	    ooh_fetch(t, &d) < 0) {
		printf("FAIL: %s: open/track/fetch: %s\n", be, ooh_last_error());
		return 1;
	}
	/* merged while tracked, after the protection was installed */
	if (madvise(buf, NPAGES * PG, MADV_MERGEABLE) ||
	    wait_merged(NPAGES / 2)) {
		printf("SKIP %s: ksmd merged %ld pages within 30 s\n", be,
		       merging());
		ooh_close(t);
		munmap(buf, NPAGES * PG);
		return 77;
	}
	for (unsigned int i = 0; i < NPAGES; i++)
		buf[i * PG] = (char)i;
	if (ooh_fetch(t, &d) < 0) {
		printf("FAIL: %s: fetch: %s\n", be, ooh_last_error());
		ooh_close(t);
		return 1;
	}
	for (unsigned int i = 0; i < NPAGES; i++) {
		uint64_t a = (uintptr_t)buf + i * PG;
		size_t k;

		for (k = 0; k < d.nr_pages && d.pages[k] != a; k++)
			;
		miss += k == d.nr_pages;
	}
	printf("%s %s: %u of %u pages written after a KSM merge not "
	       "reported\n", miss ? "FAIL" : "PASS", be, miss, NPAGES);
	ooh_close(t);
	munmap(buf, NPAGES * PG);
	return miss ? 1 : 0;
}

static long run0, scan0, sleep0;

/* ksmd as it was, also when the runner's timeout stops the test */
static void ksm_restore(void)
{
	ksm_set("run", run0);
	ksm_set("pages_to_scan", scan0);
	ksm_set("sleep_millisecs", sleep0);
}

static void on_signal(int sig)
{
	ksm_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

int main(int argc, char **argv)
{
	const char *const *all = ooh_backends();
	int ran = 0, failed = 0;

	run0 = ksm_get("run");
	scan0 = ksm_get("pages_to_scan");
	sleep0 = ksm_get("sleep_millisecs");

	setvbuf(stdout, NULL, _IONBF, 0);
	if (run0 < 0 || scan0 < 0 || sleep0 < 0 || merging() < 0) {
		printf("SKIP: no KSM here (%s)\n", KSM);
		return 77;
	}
	atexit(ksm_restore);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	if (ksm_set("pages_to_scan", 4096) || ksm_set("sleep_millisecs", 1) ||
	    ksm_set("run", 1)) {
		printf("SKIP: cannot drive ksmd (%s): %s\n", KSM,
		       strerror(errno));
		return 77;
	}
	for (size_t i = 0; all[i]; i++) {
		bool named = argc < 2;
		int r;

		for (int k = 1; k < argc; k++)
			named |= !strcmp(argv[k], all[i]);
		if (!named || !ooh_test_tracks_self(all[i]))
			continue;
		r = run(all[i]);
		if (r == 77)
			continue;
		failed |= r;
		ran++;
	}
	if (!ran) {
		printf("SKIP: no backend ran\n");
		return 77;
	}
	return failed;
}
