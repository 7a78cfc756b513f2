// SPDX-License-Identifier: GPL-2.0-only
/*
 * ooh-ckpt-writer - the checkpoint workload: a process that
 * dirties random pages at a set rate and, after a CRIU restore, checks
 * its own memory.
 *
 *   ooh-ckpt-writer [--pages N] [--burst N] [--tick-us N]
 *                   [--phase-bursts K] --ready FILE --out FILE
 *
 * Memory: a private anonymous region of N pages (default 2048, 8 MiB) at
 * the fixed GVA 0x10000000 (below every other mapping, so the lowest page
 * of any dirty set CRIU sees is one of its pages: CRIU_FAULT=139 drops
 * that page), and a generation array, one uint32_t per page, in a mapping
 * of its own.  Page i always holds 512 copies of the 64-bit key
 * (i << 32 | gen[i]).  Every --tick-us microseconds (default 10000) the
 * writer picks --burst random pages (default 20, xorshift64 with a fixed
 * seed), increments their generation and rewrites them.  The generator
 * starts again from its seed when tracking starts (SIGUSR2), so the
 * tracked bursts of every run write the same pages in the same order,
 * however many bursts ran before: a dump's cost depends on how its pages
 * fall into runs, not only on how many there are.
 *
 * The self-check follows CRIU's zdtm static/mem-touch: the expected
 * content of every page follows from the process's own state (gen[]),
 * which is dumped and restored with it.  A dump that misses a dirty page
 * of the region restores an older generation of that page; one that
 * misses a page of gen[] restores an older generation number.  Either
 * way page i no longer holds key(i, gen[i]).  The check runs between
 * bursts, so a freeze in the middle of a burst is completed after the
 * restore before anything is compared.
 *
 * --phase-bursts K (default 0: bursts never stop) makes the dirty set of
 * each tracked interval the same for every tracker: the writer then
 * bursts only when told to, so how long a checkpoint or a write fault
 * takes changes neither which pages it writes nor how many.
 *
 * Signals:
 *   SIGUSR2  tracking starts now: later bursts are timed as "tracked".
 *            With --phase-bursts K, the first one stops the bursts
 *            after the current one, and each later one runs K bursts
 *            (one per tick); at each stop the writer appends
 *            "idle N" to --ready, N = 0, 1, ... (phases done), and
 *            waits for the next signal, waking once per tick.
 *   SIGUSR1  check every page, write one line to --out, exit 0 (ok) or
 *            1 (stale pages):
 *     verify=ok|BAD pages=N stale=K first_stale=I writes=W
 *     untracked_bursts=A untracked_us_med=X tracked_bursts=B
 *     tracked_us_med=Y
 *   X and Y are the median CLOCK_MONOTONIC time of one burst (in the
 *   guest: guest time) before and after SIGUSR2; a burst that spans a
 *   freeze is an outlier the median ignores.
 * On start it writes "up pid=PID" to --ready.  Errors: one line on
 * stderr, exit 2.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define REGION_GVA	0x10000000ul
#define PAGE_WORDS	(4096 / sizeof(uint64_t))
#define MAX_BURSTS	(1u << 16)	/* timed bursts kept per phase */
#define RNG_SEED	0x9e3779b97f4a7c15ull

static volatile sig_atomic_t tracked, check, usr2;

static void on_usr2(int sig) { tracked = 1; usr2++; }
static void on_usr1(int sig) { check = 1; }

static void die(const char *what)
{
	fprintf(stderr, "ooh-ckpt-writer: %s: %s\n", what, strerror(errno));
	exit(2);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

static void fill(uint64_t *page, uint64_t key)
{
	for (size_t j = 0; j < PAGE_WORDS; j++)
		page[j] = key;
}

/* append "idle N" to FILE: phase N is done, the writer waits */
static void report_idle(const char *file, long nr)
{
	FILE *f = fopen(file, "a");

	if (!f || fprintf(f, "idle %ld\n", nr) < 0 || fclose(f))
		die(file);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* median of the first n entries of v (sorted in place), in microseconds */
static double median_us(uint32_t *v, uint32_t n)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_u32);
	return v[n / 2] / 1000.0;
}

static unsigned long parse(const char *opt, const char *s, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || !v || v > max) {
		fprintf(stderr, "ooh-ckpt-writer: --%s '%s': not a count in 1..%lu\n",
			opt, s, max);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pages", required_argument, NULL, 'p' },
		{ "burst", required_argument, NULL, 'b' },
		{ "tick-us", required_argument, NULL, 't' },
		{ "phase-bursts", required_argument, NULL, 'k' },
		{ "ready", required_argument, NULL, 'r' },
		{ "out", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 }
	};
	unsigned long n = 2048, burst = 20, tick_us = 10000, phase_bursts = 0, left = 0;
	sig_atomic_t seen = 0;
	const char *ready = NULL, *out = NULL;
	uint32_t *gen, *lat[2], nlat[2] = { 0, 0 };
	uint64_t rng = RNG_SEED, writes = 0, stale = 0, first = 0;
	bool reseeded = false;
	char *region;
	FILE *f;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'p': n = parse("pages", optarg, 1ul << 20); break;
		case 'b': burst = parse("burst", optarg, 1ul << 20); break;
		case 't': tick_us = parse("tick-us", optarg, 10000000); break;
		case 'k': phase_bursts = parse("phase-bursts", optarg, 1ul << 20); break;
		case 'r': ready = optarg; break;
		case 'o': out = optarg; break;
		default:
			fprintf(stderr, "usage: ooh-ckpt-writer [--pages N] [--burst N] "
				"[--tick-us N] [--phase-bursts K] --ready FILE --out FILE\n");
			return 2;
		}
	}
	if (!ready || !out || optind != argc) {
		fprintf(stderr, "ooh-ckpt-writer: --ready FILE and --out FILE are needed, "
			"nothing else\n");
		return 2;
	}
	region = mmap((void *)REGION_GVA, n * 4096, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (region == MAP_FAILED)
		die("mmap of the region at 0x10000000");
	if (region != (char *)REGION_GVA) {
		errno = EEXIST;
		die("mmap of the region at 0x10000000");
	}
	gen = mmap(NULL, n * sizeof(*gen), PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	lat[0] = malloc(MAX_BURSTS * sizeof(uint32_t));
	lat[1] = malloc(MAX_BURSTS * sizeof(uint32_t));
	if (gen == MAP_FAILED || !lat[0] || !lat[1])
		die("allocating the generation array");
	for (unsigned long i = 0; i < n; i++)
		fill((uint64_t *)(region + i * 4096), (uint64_t)i << 32);
	signal(SIGUSR1, on_usr1);
	signal(SIGUSR2, on_usr2);
	f = fopen(ready, "w");
	if (!f || fprintf(f, "up pid=%d\n", getpid()) < 0 || fclose(f))
		die(ready);

	while (!check) {
		struct timespec ts = { tick_us / 1000000, (tick_us % 1000000) * 1000 };
		int phase = tracked;
		uint64_t t0;

		if (tracked && !reseeded) {
			rng = RNG_SEED;
			reseeded = true;
		}
		if (phase_bursts && tracked && !left) {
			if (seen != usr2) {
				/* one phase per SIGUSR2; the first has none */
				seen = usr2;
				left = seen > 1 ? phase_bursts : 0;
				if (!left)
					report_idle(ready, 0);
			}
			if (!left) {
				nanosleep(&ts, NULL);
				continue;
			}
		}
		t0 = now_ns();
		for (unsigned long k = 0; k < burst; k++) {
			unsigned long i;

			rng ^= rng << 13;
			rng ^= rng >> 7;
			rng ^= rng << 17;
			i = rng % n;
			gen[i]++;
			fill((uint64_t *)(region + i * 4096), (uint64_t)i << 32 | gen[i]);
			writes++;
		}
		if (nlat[phase] < MAX_BURSTS)
			lat[phase][nlat[phase]++] = (uint32_t)(now_ns() - t0);
		if (left && !--left)
			report_idle(ready, seen - 1);
		nanosleep(&ts, NULL);
	}

	for (unsigned long i = 0; i < n; i++) {
		const uint64_t *page = (const uint64_t *)(region + i * 4096);
		uint64_t key = (uint64_t)i << 32 | gen[i];

		for (size_t j = 0; j < PAGE_WORDS; j++) {
			if (page[j] != key) {
				if (!stale++)
					first = i;
				break;
			}
		}
	}
	f = fopen(out, "w");
	if (!f)
		die(out);
	fprintf(f, "verify=%s pages=%lu stale=%llu first_stale=%llu writes=%llu "
		"untracked_bursts=%u untracked_us_med=%.1f tracked_bursts=%u tracked_us_med=%.1f\n",
		stale ? "BAD" : "ok", n, (unsigned long long)stale,
		(unsigned long long)first, (unsigned long long)writes,
		nlat[0], median_us(lat[0], nlat[0]), nlat[1], median_us(lat[1], nlat[1]));
	if (fclose(f))
		die(out);
	return stale ? 1 : 0;
}
