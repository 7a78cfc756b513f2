/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ooh-trace - report and replay OoH dirty-page traces (ooh-trace(5),
 * written by ooh-track --record / ooh_record(3)).
 *
 *   ooh-trace [--json] [--summary] [--top N] [--plot OUT.png [--force]] FILE
 *   ooh-trace replay FILE -- CMD [ARG...]
 *
 * The report gives, per interval, the dirty pages and dirty rate and the
 * write working-set size (WSS: distinct pages written) over sliding
 * windows of 1, 10 and 60 intervals, then a summary and the hottest
 * regions (by mapping when the trace has /proc/PID/maps snapshots, else
 * by tracked range).  --json prints one JSON document (libyajl), --plot
 * draws the dirty rate and the WSS over time with gnuplot.  replay runs
 * CMD with OOH_TRACE=FILE and GC_OOH_BACKEND=trace, so a libooh consumer
 * opening the "trace" backend (Boehm's OOH_VDB, ooh-oracle --backend
 * trace) gets the recorded intervals, one per ooh_fetch().
 *
 * Exit status: 0; 1 if the trace is truncated or corrupt (the statistics
 * of its complete records are printed first, the error names the byte
 * offset) or cannot be read; 2 on usage errors; replay: CMD's status.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>

#include "ooh.h"
#include "tool.h"

#define MIB (1024.0 * 1024.0)
static const unsigned int windows[] = { 1, 10, 60 };
#define NR_WIN 3
#define MAX_WIN 60

/* page -> number of intervals in a window that wrote it */
struct counts {
	uint64_t *key;		/* page number + 1 (0: empty slot) */
	uint32_t *val;
	size_t cap, used;
	uint64_t live;		/* keys with val > 0: the window's WSS */
};

static uint32_t *counts_slot(struct counts *c, uint64_t page)
{
	uint64_t k = page + 1;
	size_t i;

	if (2 * (c->used + 1) > c->cap) {
		struct counts n = { .cap = c->cap ? 2 * c->cap : 1024,
				    .live = c->live };

		n.key = calloc(n.cap, sizeof(*n.key));
		n.val = calloc(n.cap, sizeof(*n.val));
		if (!n.key || !n.val) {
			fprintf(stderr, "ooh-trace: out of memory\n");
			exit(1);
		}
		for (size_t j = 0; j < c->cap; j++) {
			if (!c->key[j])
				continue;
			i = (c->key[j] * 0x9e3779b97f4a7c15ull) & (n.cap - 1);
			while (n.key[i])
				i = (i + 1) & (n.cap - 1);
			n.key[i] = c->key[j];
			n.val[i] = c->val[j];
			n.used++;
		}
		free(c->key);
		free(c->val);
		*c = n;
	}
	i = (k * 0x9e3779b97f4a7c15ull) & (c->cap - 1);
	while (c->key[i] && c->key[i] != k)
		i = (i + 1) & (c->cap - 1);
	if (!c->key[i]) {
		c->key[i] = k;
		c->used++;
	}
	return &c->val[i];
}

struct region {
	uint64_t start, end;
	char name[128];
	uint64_t dirty;		/* dirty pages summed over intervals */
};

static struct {
	bool json, summary_only, force;
	unsigned int top;
	const char *plot;
} opt = { .top = 10 };

static struct report {
	struct ooh_trace_hdr hdr;
	/* last MAX_WIN intervals' pages, for the sliding windows */
	uint64_t *hist[MAX_WIN];
	size_t hist_nr[MAX_WIN];
	struct counts win[NR_WIN];
	struct counts all;
	uint64_t intervals, dirty_sum, len_sum_ns, overflows, lost;
	double max_rate;
	uint64_t max_wss[NR_WIN];
	uint64_t t_end_ns;
	struct region *vmas;	/* latest maps snapshot, or tracked ranges */
	size_t nr_vmas, cap_vmas;
	bool have_maps;
	struct region *regions;	/* hot-region totals */
	size_t nr_regions, cap_regions;
	FILE *plot_data;
	/* --plot: time origin (start of the first interval), the y scales
	 * (maxima over the intervals that are neither the first nor an
	 * overflow) and the intervals to mark (first, overflow) */
	double plot_t0, plot_max_rate, plot_max_wss;
	struct { double start, end; bool overflow; } *marks;
	size_t nr_marks;
	yajl_gen g;
} R;

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p) {
		fprintf(stderr, "ooh-trace: out of memory\n");
		exit(1);
	}
	return p;
}

static void add_vma(uint64_t start, uint64_t end, const char *name)
{
	struct region *v;

	if (R.nr_vmas == R.cap_vmas) {
		R.cap_vmas = R.cap_vmas ? 2 * R.cap_vmas : 64;
		R.vmas = xrealloc(R.vmas, R.cap_vmas * sizeof(*R.vmas));
	}
	v = &R.vmas[R.nr_vmas++];
	*v = (struct region){ .start = start, .end = end };
	snprintf(v->name, sizeof(v->name), "%s", name);
}

/* A /proc/PID/maps snapshot replaces the region map. */
static void load_maps(const char *text)
{
	const char *line = text;

	R.nr_vmas = 0;
	R.have_maps = true;
	while (*line) {
		unsigned long long s, e;
		char perms[8], path[256] = "";
		int n = 0;

		if (sscanf(line, "%llx-%llx %7s %*s %*s %*s%n", &s, &e, perms,
			   &n) >= 3 && n) {
			while (line[n] == ' ' || line[n] == '\t')
				n++;
			const char *nl = strchr(line + n, '\n');
			size_t l = nl ? (size_t)(nl - line - n) :
				   strlen(line + n);

			if (l >= sizeof(path))
				l = sizeof(path) - 1;
			memcpy(path, line + n, l);
			path[l] = 0;
			add_vma(s, e, *path ? path : "[anon]");
		}
		line = strchr(line, '\n');
		if (!line)
			break;
		line++;
	}
}

static void hit_region(uint64_t page)
{
	const struct region *v = NULL;
	struct region *r;
	size_t lo = 0, hi = R.nr_vmas;

	while (lo < hi) {	/* maps are sorted; ranges too (below) */
		size_t mid = (lo + hi) / 2;

		if (page < R.vmas[mid].start)
			hi = mid;
		else if (page >= R.vmas[mid].end && R.vmas[mid].end)
			lo = mid + 1;
		else {
			v = &R.vmas[mid];
			break;
		}
	}
	for (size_t i = R.nr_regions; i-- > 0;) {
		r = &R.regions[i];
		if (v ? r->start == v->start && r->end == v->end &&
			    !strcmp(r->name, v->name) :
			!strcmp(r->name, "[outside]")) {
			r->dirty++;
			return;
		}
	}
	if (R.nr_regions == R.cap_regions) {
		R.cap_regions = R.cap_regions ? 2 * R.cap_regions : 64;
		R.regions = xrealloc(R.regions,
				     R.cap_regions * sizeof(*R.regions));
	}
	r = &R.regions[R.nr_regions++];
	if (v)
		*r = *v;
	else
		*r = (struct region){ .name = "[outside]" };
	r->dirty = 1;
}

static int cmp_vma(const void *a, const void *b)
{
	const struct region *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

#define KEY(s) yajl_gen_string(R.g, (const unsigned char *)(s), strlen(s))

/*
 * --plot data: each interval as two points, (start, value) and (end,
 * value), so that a line through them draws the value over the interval it
 * belongs to (the trace's t_ns is the interval's end, its fetch).  Times
 * in seconds since the first interval started.
 */
static void plot_interval(const struct ooh_trace_event *ev, double rate,
			  const uint64_t *wss)
{
	double end = ev->iv.t_ns / 1e9, start = end - ev->iv.len_ns / 1e9;
	double w[NR_WIN];
	bool first = R.intervals == 1, ovf = ev->iv.flags & OOH_FETCH_ALL;

	if (first)
		R.plot_t0 = start;
	start -= R.plot_t0;
	end -= R.plot_t0;
	for (unsigned int i = 0; i < NR_WIN; i++)
		w[i] = wss[i] * 4096.0 / MIB;
	for (int k = 0; k < 2; k++)
		fprintf(R.plot_data, "%.6f %.3f %.3f %.3f %.3f\n", k ? end : start,
			rate, w[0], w[1], w[2]);
	if (first || ovf) {
		R.marks = xrealloc(R.marks, (R.nr_marks + 1) * sizeof(*R.marks));
		R.marks[R.nr_marks].start = start;
		R.marks[R.nr_marks].end = end;
		R.marks[R.nr_marks++].overflow = ovf;
		return;		/* not in the scales */
	}
	if (rate > R.plot_max_rate)
		R.plot_max_rate = rate;
	for (unsigned int i = 0; i < NR_WIN; i++)
		if (w[i] > R.plot_max_wss)
			R.plot_max_wss = w[i];
}

static void interval(const struct ooh_trace_event *ev)
{
	unsigned int slot = R.intervals % MAX_WIN;
	uint64_t wss[NR_WIN];
	double rate;

	/* the interval leaving each window */
	for (unsigned int w = 0; w < NR_WIN; w++) {
		if (R.intervals < windows[w])
			continue;
		unsigned int old = (R.intervals - windows[w]) % MAX_WIN;

		for (size_t i = 0; i < R.hist_nr[old]; i++) {
			uint32_t *c = counts_slot(&R.win[w],
						  R.hist[old][i] >> 12);

			if (--*c == 0)
				R.win[w].live--;
		}
	}
	R.hist[slot] = xrealloc(R.hist[slot],
				ev->iv.nr_pages * sizeof(uint64_t));
	memcpy(R.hist[slot], ev->pages, ev->iv.nr_pages * sizeof(uint64_t));
	R.hist_nr[slot] = ev->iv.nr_pages;
	for (size_t i = 0; i < ev->iv.nr_pages; i++) {
		uint64_t pg = ev->pages[i] >> 12;

		for (unsigned int w = 0; w < NR_WIN; w++)
			if ((*counts_slot(&R.win[w], pg))++ == 0)
				R.win[w].live++;
		if ((*counts_slot(&R.all, pg))++ == 0)
			R.all.live++;
		hit_region(ev->pages[i]);
	}
	for (unsigned int w = 0; w < NR_WIN; w++) {
		wss[w] = R.win[w].live;
		if (wss[w] > R.max_wss[w])
			R.max_wss[w] = wss[w];
	}
	R.intervals++;
	R.dirty_sum += ev->iv.nr_pages;
	R.len_sum_ns += ev->iv.len_ns;
	R.lost += ev->iv.lost;
	R.t_end_ns = ev->iv.t_ns;
	if (ev->iv.flags & OOH_FETCH_ALL)
		R.overflows++;
	rate = ev->iv.len_ns ? ev->iv.nr_pages * 4096.0 / MIB /
			       (ev->iv.len_ns / 1e9) : 0;
	if (rate > R.max_rate)
		R.max_rate = rate;
	if (R.plot_data)
		plot_interval(ev, rate, wss);
	if (opt.summary_only)
		return;
	if (R.g) {
		yajl_gen_map_open(R.g);
		KEY("interval"); yajl_gen_integer(R.g, (long long)R.intervals);
		KEY("t_ms"); yajl_gen_double(R.g, ev->iv.t_ns / 1e6);
		KEY("len_ms"); yajl_gen_double(R.g, ev->iv.len_ns / 1e6);
		KEY("fetch_us"); yajl_gen_double(R.g, ev->iv.fetch_ns / 1e3);
		KEY("dirty_pages");
		yajl_gen_integer(R.g, (long long)ev->iv.nr_pages);
		KEY("dirty_mib_s"); yajl_gen_double(R.g, rate);
		KEY("wss_1"); yajl_gen_integer(R.g, (long long)wss[0]);
		KEY("wss_10"); yajl_gen_integer(R.g, (long long)wss[1]);
		KEY("wss_60"); yajl_gen_integer(R.g, (long long)wss[2]);
		KEY("all_dirty");
		yajl_gen_bool(R.g, ev->iv.flags & OOH_FETCH_ALL);
		KEY("lost"); yajl_gen_integer(R.g, (long long)ev->iv.lost);
		yajl_gen_map_close(R.g);
		return;
	}
	if (R.intervals == 1)
		printf("%9s %10s %9s %10s %10s %8s %8s %8s\n", "interval",
		       "t_ms", "len_ms", "dirty", "MiB/s", "wss1", "wss10",
		       "wss60");
	printf("%9llu %10.1f %9.1f %10llu %10.1f %8llu %8llu %8llu%s\n",
	       (unsigned long long)R.intervals, ev->iv.t_ns / 1e6,
	       ev->iv.len_ns / 1e6, (unsigned long long)ev->iv.nr_pages,
	       rate, (unsigned long long)wss[0], (unsigned long long)wss[1],
	       (unsigned long long)wss[2],
	       ev->iv.flags & OOH_FETCH_ALL ? " overflow" : "");
}

static int cmp_region(const void *a, const void *b)
{
	const struct region *x = a, *y = b;

	return x->dirty < y->dirty ? 1 : x->dirty > y->dirty ? -1 : 0;
}

static void summary(void)
{
	double mean_rate = R.len_sum_ns ? R.dirty_sum * 4096.0 / MIB /
					  (R.len_sum_ns / 1e9) : 0;
	size_t top = R.nr_regions < opt.top ? R.nr_regions : opt.top;

	qsort(R.regions, R.nr_regions, sizeof(*R.regions), cmp_region);
	if (R.g) {
		KEY("summary");
		yajl_gen_map_open(R.g);
		KEY("backend"); KEY(R.hdr.backend);
		KEY("intervals"); yajl_gen_integer(R.g, (long long)R.intervals);
		KEY("duration_ms"); yajl_gen_double(R.g, R.t_end_ns / 1e6);
		KEY("dirty_pages");
		yajl_gen_integer(R.g, (long long)R.dirty_sum);
		KEY("distinct_pages");
		yajl_gen_integer(R.g, (long long)R.all.live);
		KEY("mean_dirty_mib_s"); yajl_gen_double(R.g, mean_rate);
		KEY("max_dirty_mib_s"); yajl_gen_double(R.g, R.max_rate);
		for (unsigned int w = 0; w < NR_WIN; w++) {
			char k[32];

			snprintf(k, sizeof(k), "max_wss_%u", windows[w]);
			KEY(k);
			yajl_gen_integer(R.g, (long long)R.max_wss[w]);
		}
		KEY("overflows"); yajl_gen_integer(R.g, (long long)R.overflows);
		KEY("lost"); yajl_gen_integer(R.g, (long long)R.lost);
		yajl_gen_map_close(R.g);
		KEY("regions_by");
		KEY(R.have_maps ? "mapping" : "tracked range");
		KEY("hottest_regions");
		yajl_gen_array_open(R.g);
		for (size_t i = 0; i < top; i++) {
			char hex[40];

			yajl_gen_map_open(R.g);
			KEY("name"); KEY(R.regions[i].name);
			snprintf(hex, sizeof(hex), "0x%llx-0x%llx",
				 (unsigned long long)R.regions[i].start,
				 (unsigned long long)R.regions[i].end);
			KEY("range"); KEY(hex);
			KEY("dirty_pages");
			yajl_gen_integer(R.g, (long long)R.regions[i].dirty);
			yajl_gen_map_close(R.g);
		}
		yajl_gen_array_close(R.g);
		return;
	}
	printf("\ntrace: backend=%s intervals=%llu duration=%.1f ms\n",
	       R.hdr.backend, (unsigned long long)R.intervals,
	       R.t_end_ns / 1e6);
	printf("dirty: %llu pages in all (%llu distinct), %.1f pages per "
	       "interval, mean %.2f MiB/s, max %.2f MiB/s\n",
	       (unsigned long long)R.dirty_sum,
	       (unsigned long long)R.all.live,
	       R.intervals ? (double)R.dirty_sum / R.intervals : 0.0,
	       mean_rate, R.max_rate);
	printf("write working set, max over sliding windows: 1 interval "
	       "%llu pages (%.2f MiB), 10: %llu (%.2f MiB), 60: %llu "
	       "(%.2f MiB)\n",
	       (unsigned long long)R.max_wss[0], R.max_wss[0] * 4096 / MIB,
	       (unsigned long long)R.max_wss[1], R.max_wss[1] * 4096 / MIB,
	       (unsigned long long)R.max_wss[2], R.max_wss[2] * 4096 / MIB);
	printf("overflow intervals (all pages reported): %llu, lost ring "
	       "entries: %llu\n", (unsigned long long)R.overflows,
	       (unsigned long long)R.lost);
	printf("hottest regions (by %s; dirty pages summed over intervals):\n",
	       R.have_maps ? "mapping" : "tracked range, no --maps recorded");
	for (size_t i = 0; i < top; i++)
		printf("  %10llu  %012llx-%012llx  %s\n",
		       (unsigned long long)R.regions[i].dirty,
		       (unsigned long long)R.regions[i].start,
		       (unsigned long long)R.regions[i].end,
		       R.regions[i].name);
}

/* @s as a gnuplot single-quoted string ('' is a quote) on @f. */
static void gp_string(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputc('\'', f);
		fputc(*s, f);
	}
	fputc('\'', f);
}

/* Is @prog an executable in $PATH? */
static bool in_path(const char *prog)
{
	const char *p = getenv("PATH");
	char dir[PATH_MAX];

	for (p = p ? p : "/usr/bin:/bin"; *p;) {
		size_t n = strcspn(p, ":");

		if (n && n + strlen(prog) + 2 <= sizeof(dir)) {
			snprintf(dir, sizeof(dir), "%.*s/%s", (int)n, p, prog);
			if (!access(dir, X_OK))
				return true;
		}
		p += n + (p[n] == ':');
	}
	return false;
}

/* "set yrange [0:MAX]": 10% headroom; autoscale when nothing counted */
static void gp_yrange(FILE *g, double max)
{
	if (max > 0)
		fprintf(g, "set yrange [0:%.6g]\n", max * 1.1);
	else
		fprintf(g, "set yrange [0:*]\n");
}

static int plot(const char *data, const char *path)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	bool any_ovf = false, any_first = false;
	FILE *g;

	signal(SIGPIPE, SIG_IGN);	/* a dead gnuplot: an error, not death */
	g = popen("exec gnuplot", "w");
	if (!g) {
		fprintf(stderr, "ooh-trace: gnuplot: %s\n", strerror(errno));
		return 1;
	}
	fprintf(g, "set terminal pngcairo noenhanced size 1100,750\nset output ");
	gp_string(g, opt.plot);
	fprintf(g, "\nset multiplot layout 2,1 title ");
	{
		char title[PATH_MAX + 128];

		snprintf(title, sizeof(title), "ooh-trace: %s (backend %s)", base,
			 R.hdr.backend);
		gp_string(g, title);
	}
	/* the same margins in both panels: their x axes line up; the keys
	 * sit right of the plots, never over a line */
	fprintf(g, "\nset lmargin at screen 0.08\nset rmargin at screen 0.74\n"
		"set key outside right top\nset grid\nset xrange [0:*]\n");
	for (size_t i = 0; i < R.nr_marks; i++) {
		fprintf(g, "set object %zu rectangle from %.6f, graph 0 to %.6f, "
			"graph 1 behind fillcolor rgb '%s' fillstyle solid 0.5 "
			"noborder\n", i + 1, R.marks[i].start, R.marks[i].end,
			R.marks[i].overflow ? "#f4b6b6" : "#d8d8d8");
		any_ovf |= R.marks[i].overflow;
		any_first |= !R.marks[i].overflow;
	}
	gp_yrange(g, R.plot_max_rate);
	fprintf(g, "set ylabel 'dirty rate (MiB/s)'\nplot ");
	gp_string(g, data);
	fprintf(g, " using 1:2 with lines linewidth 2 title 'dirty rate'%s%s\n",
		any_first ? ", NaN with boxes fillstyle solid 0.5 fillcolor rgb "
		"'#d8d8d8' title 'first interval (since tracking began)'" : "",
		any_ovf ? ", NaN with boxes fillstyle solid 0.5 fillcolor rgb "
		"'#f4b6b6' title 'overflow: every page reported'" : "");
	gp_yrange(g, R.plot_max_wss);
	fprintf(g, "set xlabel 'seconds since the first interval began "
		"(CLOCK_MONOTONIC of the recording system)'\n"
		"set ylabel 'write working set (MiB)'\nplot ");
	gp_string(g, data);
	fprintf(g, " using 1:3 with lines linewidth 2 title 'WSS 1 interval', "
		"'' using 1:4 with lines linewidth 2 title 'WSS 10 intervals', "
		"'' using 1:5 with lines linewidth 2 title 'WSS 60 intervals'\n"
		"unset multiplot\n");
	if (pclose(g)) {
		fprintf(stderr, "ooh-trace: gnuplot failed to write %s\n",
			opt.plot);
		return 1;
	}
	return 0;
}

static int report(const char *path)
{
	struct ooh_trace_reader *r;
	struct ooh_trace_event ev;
	char err[1024], data[] = "/tmp/ooh-trace-XXXXXX";
	int ret, rc = 0, fd = -1;

	ret = ooh_trace_open(path, &r, &R.hdr);
	if (ret) {
		fprintf(stderr, "ooh-trace: %s\n", ooh_last_error());
		return 1;
	}
	if (opt.plot) {
		fd = mkstemp(data);
		if (fd < 0 || !(R.plot_data = fdopen(fd, "w"))) {
			fprintf(stderr, "ooh-trace: %s: %s\n", data,
				strerror(errno));
			return 1;
		}
	}
	if (opt.json) {
		R.g = yajl_gen_alloc(NULL);
		yajl_gen_config(R.g, yajl_gen_beautify, 1);
		yajl_gen_map_open(R.g);
		KEY("file"); KEY(path);
		KEY("version"); yajl_gen_integer(R.g, R.hdr.version);
		KEY("backend"); KEY(R.hdr.backend);
		KEY("start_realtime_ns");
		yajl_gen_integer(R.g, (long long)R.hdr.start_realtime_ns);
		KEY("intervals");
		yajl_gen_array_open(R.g);
	}
	while ((ret = ooh_trace_next(r, &ev)) > 0) {
		if (ev.type == OOH_TRACE_INTERVAL) {
			interval(&ev);
		} else if (ev.type == OOH_TRACE_MAPS) {
			load_maps(ev.maps);
		} else if (ev.type == OOH_TRACE_RANGE && !R.have_maps) {
			add_vma(ev.range.start, ev.range.end,
				ev.range.start == ev.range.end ?
				"[whole address space]" : "[tracked range]");
			qsort(R.vmas, R.nr_vmas, sizeof(*R.vmas), cmp_vma);
		}
	}
	if (ret < 0) {
		snprintf(err, sizeof(err), "%s", ooh_last_error());
		rc = 1;
	}
	if (R.g) {
		const unsigned char *buf;
		size_t len;

		yajl_gen_array_close(R.g);
		summary();
		KEY("complete"); yajl_gen_bool(R.g, ret == 0);
		if (ret < 0) {
			KEY("error"); KEY(err);
		}
		yajl_gen_map_close(R.g);
		yajl_gen_get_buf(R.g, &buf, &len);
		fwrite(buf, 1, len, stdout);
		yajl_gen_free(R.g);
	} else {
		summary();
	}
	fflush(stdout);
	if (ret < 0)
		fprintf(stderr, "ooh-trace: %s (the statistics above cover "
			"the %llu complete intervals before it)\n", err,
			(unsigned long long)R.intervals);
	ooh_trace_close(r);
	if (R.plot_data) {
		fclose(R.plot_data);
		if (!R.intervals)
			fprintf(stderr, "ooh-trace: %s: no interval to plot, "
				"%s not written\n", path, opt.plot);
		if (!R.intervals || plot(data, path))
			rc = 1;
		unlink(data);
	}
	return rc;
}

static int replay(int argc, char **argv)
{
	struct ooh_trace_reader *r;
	struct ooh_trace_hdr h;
	char *abs;

	if (argc < 4 || strcmp(argv[3], "--") || argc < 5) {
		fprintf(stderr, "usage: ooh-trace replay FILE -- CMD [ARG...]\n");
		return 2;
	}
	if (ooh_trace_open(argv[2], &r, &h)) {
		fprintf(stderr, "ooh-trace: %s\n", ooh_last_error());
		return 1;
	}
	ooh_trace_close(r);
	abs = realpath(argv[2], NULL);
	if (!abs || setenv("OOH_TRACE", abs, 1) ||
	    setenv("GC_OOH_BACKEND", "trace", 1)) {
		fprintf(stderr, "ooh-trace: %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	execvp(argv[4], argv + 4);
	fprintf(stderr, "ooh-trace: %s: %s\n", argv[4], strerror(errno));
	return 127;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: ooh-trace [--json] [--summary] [--top N] "
		"[--plot OUT.png [--force]] FILE\n"
		"       ooh-trace replay FILE -- CMD [ARG...]\n");
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "summary", no_argument, NULL, 's' },
		{ "top", required_argument, NULL, 't' },
		{ "plot", required_argument, NULL, 'p' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct stat st;
	int c;

	tool_check_stdout_at_exit("ooh-trace");
	if (argc > 1 && !strcmp(argv[1], "replay"))
		return replay(argc, argv);
	while ((c = getopt_long(argc, argv, "jst:p:fh", lo, NULL)) != -1) {
		switch (c) {
		case 'j': opt.json = true; break;
		case 's': opt.summary_only = true; break;
		case 'p': opt.plot = optarg; break;
		case 'f': opt.force = true; break;
		case 'V': return tool_version("ooh-trace");
		case 'h': usage(stdout); return 0;
		case 't': {
			unsigned long long v;

			if (tool_parse_num(optarg, 1, UINT_MAX, &v)) {
				fprintf(stderr, "ooh-trace: bad --top '%s' (want "
					"1..%u)\n", optarg, UINT_MAX);
				return 2;
			}
			opt.top = (unsigned int)v;
			break;
		}
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "ooh-trace: %s\n", optind >= argc ?
			"give one trace FILE" : "one trace FILE at a time");
		usage(stderr);
		return 2;
	}
	if (opt.plot && strchr(opt.plot, '\n')) {
		fprintf(stderr, "ooh-trace: --plot: the file name has a newline\n");
		return 2;
	}
	if (opt.plot && !in_path("gnuplot")) {
		fprintf(stderr, "ooh-trace: --plot needs gnuplot, which is not "
			"in PATH (Debian: gnuplot-nox)\n");
		return 1;
	}
	if (opt.plot && !opt.force && !stat(opt.plot, &st)) {
		fprintf(stderr, "ooh-trace: %s exists (not replaced without "
			"--force)\n", opt.plot);
		return 1;
	}
	return report(argv[optind]);
}
