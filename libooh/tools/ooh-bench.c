/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ooh-bench - libooh microbenchmark: for each backend that works here,
 * regions of 1k/16k/256k pages with 1%/10%/100% of the pages dirtied per
 * round, measure
 *   fetch  collect + re-arm time of one ooh_fetch() (median of rounds)
 *   write  writer cost per dirtied page: time of the round's first writes
 *          divided by the pages written (the same loop untracked beside it)
 *   first  the same for the interval right after tracking starts, which
 *          the rounds leave out: its writes also pay what arming left to
 *          do lazily (under Xen, an EPT recalculation per 2 MiB region
 *          touched and the split of each superpage first written)
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

#define PG OOH_PAGE_SIZE

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

/* Write one byte into each of the @nd pages @idx lists; returns ns. */
static double dirty(char *m, const size_t *idx, size_t nd, int val)
{
	double t0 = now_ns();

	for (size_t i = 0; i < nd; i++)
		((volatile char *)m)[idx[i] * PG + (idx[i] * 64) % PG] = (char)val;
	return now_ns() - t0;
}

/*
 * The pages a round writes: every (100 / pct)-th page in order (strided),
 * or as many pages drawn without repetition in random order (random,
 * fixed seed so that every backend gets the same pages).  Returns how
 * many.
 */
static size_t pick_pages(size_t *idx, size_t pages, unsigned int pct,
			 bool random)
{
	size_t nd = 0;

	if (!pct)
		return 0;
	if (!random) {
		for (size_t p = 0; p < pages; p += 100 / pct)
			idx[nd++] = p;
		return nd;
	}
	nd = (pages + 100 / pct - 1) / (100 / pct);
	unsigned int seed = 1;

	for (size_t p = 0; p < pages; p++)
		idx[p] = p;
	for (size_t i = 0; i < nd; i++) {	/* partial Fisher-Yates */
		size_t j = i + (size_t)rand_r(&seed) % (pages - i);
		size_t x = idx[i];

		idx[i] = idx[j];
		idx[j] = x;
	}
	return nd;
}

/*
 * Xen's counters of this domain (the module's xen_stats): rearms by list,
 * of the whole p2m, ns in rearms (the "domain" line,
 * OOH_SPML_OP_get_domain_stats), and, summed over the vCPU lines
 * (OOH_SPML_OP_get_stats), the VM exits SPML causes by reason: HVMOP_spml
 * calls, PML-full exits, log-dirty write faults.  All 0 where there is no
 * such line (no module, Linux).
 */
struct xen_counters {
	unsigned long long lists, fulls, ns;
	unsigned long long hvmops, pml_full, faults;
};

/* Add the number after " @key " in @line to *@v. */
static void add_field(const char *line, const char *key, unsigned long long *v)
{
	const char *k = strstr(line, key);

	if (k)
		*v += strtoull(k + strlen(key), NULL, 10);
}

static void xen_counters_read(struct xen_counters *x)
{
	FILE *f = fopen("/sys/class/misc/ooh-spml/xen_stats", "r");
	char line[512];

	memset(x, 0, sizeof(*x));
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "vcpu ", 5)) {
			add_field(line, " hvmops ", &x->hvmops);
			add_field(line, " pml_full ", &x->pml_full);
			add_field(line, " faults ", &x->faults);
			continue;
		}
		if (strncmp(line, "domain ", 7))
			continue;
		add_field(line, " rearm_lists ", &x->lists);
		add_field(line, " rearm_fulls ", &x->fulls);
		add_field(line, " rearm_ns ", &x->ns);
	}
	fclose(f);
}

/*
 * The old collection path, kept to compare (spml and epml only): libooh's
 * pagemap pass instead of the module's resolver, and Xen's whole-p2m
 * rearm instead of the list (ooh_pml's rearm_full).  Returns false if the
 * module's switch cannot be set.
 */
static bool set_old_path(bool old)
{
	FILE *f = fopen("/sys/module/ooh_pml/parameters/rearm_full", "w");
	bool ok;

	if (old)
		setenv("OOH_COLLECT", "pagemap", 1);
	else
		unsetenv("OOH_COLLECT");
	if (!f)
		return !old;
	ok = fputs(old ? "1\n" : "0\n", f) >= 0;
	return !fclose(f) && ok;
}

static bool is_uio_backend(const char *b)
{
	return !strcmp(b, "spml") || !strcmp(b, "epml");
}

static const char usage[] =
	"usage: ooh-bench [--rounds N] [--max-pages N] [--pattern P] [--path P]\n"
	"                 [--csv] [BACKEND...]\n"
	"  libooh microbenchmark (ooh-bench(1)): per backend that works here,\n"
	"  regions of 1024, 16384, 65536 and 262144 pages (up to --max-pages,\n"
	"  default 262144), 0%, 1%, 10% and 100% of them written per round;\n"
	"  prints the median ooh_fetch() time and the writer's cost per written\n"
	"  page (spml/epml: also Xen's rearms by list or whole, and their time).\n"
	"  --rounds N     rounds per cell, 1..1000 (default 5)\n"
	"  --max-pages N  skip regions larger than N pages\n"
	"  --pattern P    strided, random or both (default strided)\n"
	"  --path P       spml/epml collection path: new (the module's resolver,\n"
	"                 Xen's rearm by list), old (libooh's pagemap pass,\n"
	"                 Xen's whole-p2m rearm; needs root) or both (default new)\n"
	"  --csv          CSV instead of a markdown table\n"
	"  BACKEND...     only these backends (default: every one, ooh_backends(3))\n";

struct cell {
	const char *backend;
	size_t pages;
	unsigned int pct;
	bool random, old;
};

/* ooh_fetch(3); 0, or 1 after one error line naming @backend. */
static int bench_fetch(struct ooh_tracker *t, struct ooh_dirty *d,
		       const char *backend)
{
	if (ooh_fetch(t, d) >= 0)
		return 0;
	fprintf(stderr, "ooh-bench: %s: fetch: %s\n", backend, ooh_last_error());
	return 1;
}

/* One grid cell: prints its row; returns 0, or 1 after one error line. */
static int bench_cell(const struct cell *c, int rounds, bool csv)
{
	size_t pages = c->pages, nd;
	size_t *idx = malloc(pages * sizeof(*idx));
	double f[1000], w[1000], base[1000], first;
	struct ooh_stats st0, st1;
	struct xen_counters x0, x1;
	struct ooh_tracker *t;
	struct ooh_dirty d;
	char *m = mmap(NULL, pages * PG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	if (m == MAP_FAILED || !idx) {
		fprintf(stderr, "ooh-bench: %zu pages: %s\n", pages,
			strerror(errno));
		return 1;
	}
	nd = pick_pages(idx, pages, c->pct, c->random);
	/* Untracked baseline: pages already written. */
	for (int r = 0; r < rounds; r++)
		base[r] = nd ? dirty(m, idx, nd, r) / nd : 0;
	if (ooh_open(c->backend, &t) || ooh_track(t, 0, m, pages * PG)) {
		fprintf(stderr, "ooh-bench: %s: %s\n", c->backend,
			ooh_last_error());
		return 1;
	}
	ooh_fetch(t, &d);
	/* the first interval: arming's lazy work lands on its writes */
	first = nd ? dirty(m, idx, nd, rounds + 1) / nd : 0;
	if (bench_fetch(t, &d, c->backend))
		return 1;
	ooh_stats(t, &st0);
	xen_counters_read(&x0);
	for (int r = 0; r < rounds; r++) {
		double t0;

		w[r] = nd ? dirty(m, idx, nd, r + 1) / nd : 0;
		t0 = now_ns();
		if (bench_fetch(t, &d, c->backend))
			return 1;
		f[r] = now_ns() - t0;
		if (d.nr_pages < nd) {
			fprintf(stderr, "ooh-bench: %s reported %zu of %zu "
				"pages\n", c->backend, d.nr_pages, nd);
			return 1;
		}
	}
	xen_counters_read(&x1);
	ooh_stats(t, &st1);
	ooh_close(t);
	munmap(m, pages * PG);
	free(idx);

	double fm = median(f, rounds), wm = median(w, rounds);
	double bm = median(base, rounds);
	const char *pattern = c->random ? "random" : "strided";
	const char *path = c->old ? "old" : "new";
	unsigned long long lists = x1.lists - x0.lists, fulls = x1.fulls - x0.fulls;
	double rearm_us = (double)(x1.ns - x0.ns) / 1e3 / rounds;

	if (csv)
		printf("%s,%zu,%u,%s,%s,%zu,%.1f,%.2f,%.1f,%.1f,%.1f,%.1f,%.1f,"
		       "%llu,%llu,%llu,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f\n",
		       c->backend, pages, c->pct, pattern, path, nd, fm / 1e3,
		       fm / pages, wm, bm,
		       (double)(st1.resolved_frames - st0.resolved_frames) / rounds,
		       (double)(st1.resolve_candidates - st0.resolve_candidates) / rounds,
		       (double)(st1.resolve_drops - st0.resolve_drops) / rounds,
		       (unsigned long long)(st1.resolve_fallbacks - st0.resolve_fallbacks),
		       lists, fulls, rearm_us,
		       (double)(st1.sync_ns - st0.sync_ns) / 1e3 / rounds,
		       (double)(st1.resolve_ns - st0.resolve_ns) / 1e3 / rounds,
		       (double)(x1.hvmops - x0.hvmops) / rounds,
		       (double)(x1.pml_full - x0.pml_full) / rounds,
		       (double)(x1.faults - x0.faults) / rounds, first);
	else
		printf("| %s | %zu | %u%% (%zu) | %s | %s | %.1f | %.2f | "
		       "%.1f (%.1f) | %llu/%llu | %.1f |\n", c->backend, pages,
		       c->pct, nd, pattern, path, fm / 1e3, fm / pages, wm, bm,
		       lists, fulls, rearm_us);
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	static const size_t sizes[] = { 1024, 16384, 65536, 262144 };
	static const unsigned int pcts[] = { 0, 1, 10, 100 };
	const char *only[16];
	int nonly = 0, rounds = 5;
	size_t max_pages = 262144;
	bool csv = false, unavailable = false;
	int patterns = 1, paths = 1;	/* bit 0: strided / new, bit 1: random / old */

	static const struct option opts[] = {
		{ "rounds", required_argument, NULL, 'r' },
		{ "max-pages", required_argument, NULL, 'm' },
		{ "pattern", required_argument, NULL, 'p' },
		{ "path", required_argument, NULL, 'P' },
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
		case 'p':
		case 'P': {
			const char *one = c == 'p' ? "strided" : "new";
			const char *two = c == 'p' ? "random" : "old";
			int v = !strcmp(optarg, one) ? 1 : !strcmp(optarg, two) ? 2 :
				!strcmp(optarg, "both") ? 3 : 0;

			if (!v) {
				fprintf(stderr, "ooh-bench: --%s '%s': want %s, %s or both\n",
					c == 'p' ? "pattern" : "path", optarg, one, two);
				return 2;
			}
			*(c == 'p' ? &patterns : &paths) = v;
			break;
		}
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
		printf("backend,pages,pct,pattern,path,dirtied,fetch_us,"
		       "fetch_ns_per_tracked_page,write_ns_per_page,"
		       "untracked_write_ns_per_page,"
		       "resolve_frames_per_fetch,resolve_candidates_per_fetch,"
		       "resolve_drops_per_fetch,resolve_fallbacks,"
		       "xen_rearm_lists,xen_rearm_fulls,xen_rearm_us_per_fetch,"
		       "sync_us_per_fetch,resolve_us_per_fetch,"
		       "xen_hvmops_per_fetch,xen_pml_full_per_fetch,"
		       "xen_faults_per_fetch,first_write_ns_per_page\n");
	else
		printf("| backend | region pages | dirtied | pattern | path | "
		       "fetch (us, median) | fetch ns/tracked page | "
		       "write ns/dirtied page (untracked) | Xen rearms list/whole | "
		       "Xen rearm us/fetch |\n"
		       "|---|---:|---:|---|---|---:|---:|---:|---:|---:|\n");
	for (const char *const *b = ooh_backends(); *b; b++) {
		bool want = !nonly;

		for (int i = 0; i < nonly; i++)
			want |= !strcmp(only[i], *b);
		if (!want)
			continue;
		if (ooh_backend_probe(*b)) {
			unavailable |= nonly > 0;	/* named, cannot run */
			if (csv)
				printf("%s,,,,,,,,,,,,,,,,,,,,,,\n", *b);
			else
				printf("| %s | unsupported here: %s |||||||||\n", *b,
				       ooh_last_error());
			continue;
		}
		for (int pa = 0; pa < 2; pa++) {
			if (!(paths & (1 << pa)) || (pa && !is_uio_backend(*b)))
				continue;
			if (is_uio_backend(*b) && !set_old_path(pa)) {
				fprintf(stderr, "ooh-bench: --path old: cannot set "
					"ooh_pml's rearm_full (root needed)\n");
				return 1;
			}
			for (int si = 0; si < 4; si++)
				for (int pi = 0; pi < 4; pi++)
					for (int pt = 0; pt < 2; pt++) {
						struct cell cl = {
							*b, sizes[si], pcts[pi], pt, pa,
						};

						if (sizes[si] > max_pages ||
						    !(patterns & (1 << pt)) ||
						    (pt && !pcts[pi]))
							continue;
						if (bench_cell(&cl, rounds, csv)) {
							set_old_path(false);
							return 1;
						}
					}
			if (is_uio_backend(*b))
				set_old_path(false);
		}
	}
	if (unavailable) {
		fprintf(stderr, "ooh-bench: a backend named on the command line "
			"cannot run here (see the table)\n");
		return TOOL_EXIT_UNAVAILABLE;
	}
	return 0;
}
