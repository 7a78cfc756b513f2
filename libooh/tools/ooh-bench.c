/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ooh-bench - libooh microbenchmark: for each backend that works here,
 * regions of 1k/16k/256k pages with 1%/10%/100% of the pages dirtied per
 * round, measure
 *   fetch  collect + re-arm time of one ooh_fetch() (median of rounds)
 *   write  writer cost per dirtied page: time of the round's first writes
 *          divided by the pages written, minus the same loop untracked
 * Prints a markdown table (and CSV with --csv).  Wall-clock times
 * (CLOCK_MONOTONIC) on this machine; compare ratios, not absolutes.
 *
 *   ooh-bench [--rounds N] [--max-pages N] [--csv] [BACKEND...]
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "ooh.h"
#include "tool.h"

#define PG 4096ul

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_d);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Write one byte into every stride-th page; returns ns. */
static double dirty(char *m, size_t pages, size_t stride, int val)
{
	double t0 = now_ns();

	for (size_t p = 0; p < pages; p += stride)
		((volatile char *)m)[p * PG + (p * 64) % PG] = (char)val;
	return now_ns() - t0;
}

static const char usage[] =
	"usage: ooh-bench [--rounds N] [--max-pages N] [--csv] [BACKEND...]\n"
	"  libooh microbenchmark (ooh-bench(1)): per backend that works here,\n"
	"  regions of 1024, 16384 and 262144 pages (up to --max-pages, default\n"
	"  262144), 1%, 10% and 100% of them written per round; prints the\n"
	"  median ooh_fetch() time and the writer's cost per written page.\n"
	"  --rounds N     rounds per cell, 1..1000 (default 5)\n"
	"  --max-pages N  skip regions larger than N pages\n"
	"  --csv          CSV instead of a markdown table\n"
	"  BACKEND...     only these backends (default: every one, ooh_backends(3))\n";

int main(int argc, char **argv)
{
	static const size_t sizes[] = { 1024, 16384, 262144 };
	static const unsigned int pcts[] = { 1, 10, 100 };
	const char *only[16];
	int nonly = 0, rounds = 5;
	size_t max_pages = 262144;
	bool csv = false, unavailable = false;

	static const struct option opts[] = {
		{ "rounds", required_argument, NULL, 'r' },
		{ "max-pages", required_argument, NULL, 'm' },
		{ "csv", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	tool_check_stdout_at_exit("ooh-bench");
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			rounds = (int)strtol(optarg, &end, 10);
			if (*end || end == optarg || rounds < 1 || rounds > 1000) {
				fprintf(stderr, "ooh-bench: --rounds '%s': must be 1..1000\n", optarg);
				return 2;
			}
			break;
		case 'm':
			max_pages = strtoul(optarg, &end, 0);
			if (*end || end == optarg || !max_pages) {
				fprintf(stderr, "ooh-bench: --max-pages '%s': not a page count\n", optarg);
				return 2;
			}
			break;
		case 'c':
			csv = true;
			break;
		case 'V': return tool_version("ooh-bench");
		case 'h':
			printf("%s", usage);
			return 0;
		default:	/* getopt_long printed the reason */
			fprintf(stderr, "%s", usage);
			return 2;
		}
	}
	for (int i = optind; i < argc; i++) {
		if (ooh_backend_probe(argv[i]) == -ENOENT) {
			fprintf(stderr, "ooh-bench: %s\n", ooh_last_error());
			return 2;
		}
		if (nonly == 16) {
			fprintf(stderr, "ooh-bench: at most 16 backends\n");
			return 2;
		}
		only[nonly++] = argv[i];
	}
	if (csv)
		printf("backend,pages,pct,dirtied,fetch_us,fetch_ns_per_tracked_page,"
		       "write_ns_per_page,untracked_write_ns_per_page,"
		       "resolve_frames_per_fetch,resolve_candidates_per_fetch,"
		       "resolve_drops_per_fetch,resolve_fallbacks\n");
	else
		printf("| backend | region pages | dirtied | fetch (us, median) | "
		       "fetch ns/tracked page | write ns/dirtied page "
		       "(untracked) |\n|---|---:|---:|---:|---:|---:|\n");
	for (const char *const *b = ooh_backends(); *b; b++) {
		bool want = !nonly;

		for (int i = 0; i < nonly; i++)
			want |= !strcmp(only[i], *b);
		if (!want)
			continue;
		if (ooh_backend_probe(*b)) {
			unavailable |= nonly > 0;	/* named, cannot run */
			if (csv)
				printf("%s,,,,,,,,,,,\n", *b);
			else
				printf("| %s | unsupported here: %s |||||\n", *b,
				       ooh_last_error());
			continue;
		}
		for (int si = 0; si < 3; si++) {
			size_t pages = sizes[si];

			if (pages > max_pages)
				continue;
			for (int pi = 0; pi < 3; pi++) {
				size_t stride = 100 / pcts[pi];
				size_t nd = (pages + stride - 1) / stride;
				double f[1000], w[1000], base[1000];
				struct ooh_stats st0, st1;
				struct ooh_tracker *t;
				struct ooh_dirty d;
				char *m = mmap(NULL, pages * PG,
					       PROT_READ | PROT_WRITE,
					       MAP_PRIVATE | MAP_ANONYMOUS |
					       MAP_POPULATE, -1, 0);

				if (m == MAP_FAILED) {
					perror("mmap");
					return 1;
				}
				/* Untracked baseline: page already written. */
				for (int r = 0; r < rounds; r++)
					base[r] = dirty(m, pages, stride, r) / nd;
				if (ooh_open(*b, &t) ||
				    ooh_track(t, 0, m, pages * PG)) {
					fprintf(stderr, "ooh-bench: %s: %s\n", *b,
						ooh_last_error());
					return 1;
				}
				ooh_fetch(t, &d);
				ooh_stats(t, &st0);
				for (int r = 0; r < rounds; r++) {
					double t0;

					w[r] = dirty(m, pages, stride, r + 1) / nd;
					t0 = now_ns();
					if (ooh_fetch(t, &d) < 0) {
						fprintf(stderr, "ooh-bench: %s: "
							"fetch: %s\n", *b,
							ooh_last_error());
						return 1;
					}
					f[r] = now_ns() - t0;
					if (d.nr_pages < nd) {
						fprintf(stderr, "ooh-bench: %s "
							"reported %zu of %zu "
							"pages\n", *b,
							d.nr_pages, nd);
						return 1;
					}
				}
				ooh_stats(t, &st1);
				ooh_close(t);
				munmap(m, pages * PG);
				double fm = median(f, rounds);
				double wm = median(w, rounds);
				double bm = median(base, rounds);

				if (csv)
					printf("%s,%zu,%u,%zu,%.1f,%.2f,%.1f,%.1f,"
					       "%.1f,%.1f,%.1f,%llu\n",
					       *b, pages, pcts[pi], nd, fm / 1e3,
					       fm / pages, wm, bm,
					       (double)(st1.resolved_frames - st0.resolved_frames) / rounds,
					       (double)(st1.resolve_candidates - st0.resolve_candidates) / rounds,
					       (double)(st1.resolve_drops - st0.resolve_drops) / rounds,
					       (unsigned long long)(st1.resolve_fallbacks - st0.resolve_fallbacks));
				else
					printf("| %s | %zu | %u%% (%zu) | %.1f | "
					       "%.2f | %.1f (%.1f) |\n", *b,
					       pages, pcts[pi], nd, fm / 1e3,
					       fm / pages, wm, bm);
				fflush(stdout);
			}
		}
	}
	if (unavailable) {
		fprintf(stderr, "ooh-bench: a backend named on the command line "
			"cannot run here (see the table)\n");
		return TOOL_EXIT_UNAVAILABLE;
	}
	return 0;
}
