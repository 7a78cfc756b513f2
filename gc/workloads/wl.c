// SPDX-License-Identifier: GPL-2.0-only
/* wl.c - harness of the Boehm GC workloads, see wl.h. */
#include "wl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ooh.h>

/* OOH_VDB builds export these (gc/patches); stock builds do not. */
extern const char *GC_get_ooh_backend(void) __attribute__((weak));
extern int GC_get_ooh_stats(struct ooh_stats *st) __attribute__((weak));

static uint64_t t_start, t_end, stw_start;
static uint64_t *pauses;	/* ns, libc heap: not a GC root */
static size_t nr_pauses, cap_pauses;
static GC_word gc_no_start;
static int bounce;		/* read(2) through a bounce buffer */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

void wl_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("error: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

/* Runs with the allocation lock held: no GC allocation here. */
static void on_event(GC_EventType ev)
{
	uint64_t t;

	if (ev == GC_EVENT_PRE_STOP_WORLD) {
		stw_start = now_ns();
	} else if (ev == GC_EVENT_POST_START_WORLD && stw_start) {
		t = now_ns() - stw_start;
		stw_start = 0;
		if (nr_pauses == cap_pauses) {
			size_t n = cap_pauses ? 2 * cap_pauses : 4096;
			uint64_t *p = realloc(pauses, n * sizeof(*p));

			if (!p)
				return;	/* drop the sample, never fail the GC */
			pauses = p;
			cap_pauses = n;
		}
		pauses[nr_pauses++] = t;
	}
}

static const char *vdb_name(const struct wl *w)
{
	const char *b;

	if (!w->incremental)
		return "none";
	if (!GC_is_incremental_mode())
		return "off";	/* GC_enable_incremental() refused */
	if (GC_get_ooh_backend && (b = GC_get_ooh_backend()))
		return b;
	/* Boehm's own: soft-dirty protects nothing, mprotect the heap. */
	return GC_incremental_protection_needs() == GC_PROTECTS_NONE ?
	       "boehm-softdirty" : "boehm-mprotect";
}

void wl_start(struct wl *w, int argc, char **argv, const char *name)
{
	int i;

	memset(w, 0, sizeof(*w));
	w->name = name;
	w->size = "medium";
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--mode") && i + 1 < argc) {
			a = argv[++i];
			if (!strcmp(a, "inc"))
				w->incremental = 1;
			else if (strcmp(a, "full"))
				wl_die("--mode must be full or inc, not '%s'", a);
		} else if (!strcmp(a, "--input") && i + 1 < argc) {
			w->input = argv[++i];
		} else if (!strcmp(a, "--size") && i + 1 < argc) {
			w->size = argv[++i];
		} else {
			wl_die("usage: %s [--mode full|inc] [--input PATH] [--size S]",
			       argv[0]);
		}
	}
	GC_INIT();
	if (w->incremental)
		GC_enable_incremental();
	bounce = w->incremental && GC_is_incremental_mode() &&
		 (GC_incremental_protection_needs() & GC_PROTECTS_PTRFREE_HEAP);
	GC_set_on_collection_event(on_event);
	gc_no_start = GC_get_gc_no();
	t_start = now_ns();
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * One "ooh:" line with the libooh tracker's statistics (ooh_stats(3)):
 * where the collector's dirty-bit time went, step by step.  Times in
 * ms of CLOCK_MONOTONIC.  Nothing when libooh does not supply the bits.
 */
static void print_ooh_stats(const struct wl *w)
{
	struct ooh_stats st;

	if (!w->incremental || !GC_get_ooh_stats || GC_get_ooh_stats(&st))
		return;
	printf("ooh: workload=%s vdb=%s fetches=%llu pages=%llu "
	       "fetch_ms=%.3f sync_ms=%.3f resolve_ms=%.3f "
	       "frames=%llu candidates=%llu drops=%llu fallbacks=%llu "
	       "overflows=%llu faults=%llu lost=%llu\n",
	       w->name, vdb_name(w), (unsigned long long)st.fetches,
	       (unsigned long long)st.pages_reported, st.fetch_ns / 1e6,
	       st.sync_ns / 1e6, st.resolve_ns / 1e6,
	       (unsigned long long)st.resolved_frames,
	       (unsigned long long)st.resolve_candidates,
	       (unsigned long long)st.resolve_drops,
	       (unsigned long long)st.resolve_fallbacks,
	       (unsigned long long)st.overflows,
	       (unsigned long long)st.faults, (unsigned long long)st.lost);
}

void wl_finish(struct wl *w, int ok)
{
	uint64_t total, sum = 0;
	double med = 0, p95 = 0, max = 0;
	size_t i;

	wl_stop(w);
	total = t_end - t_start;
	GC_set_on_collection_event(0);
	if (nr_pauses) {
		qsort(pauses, nr_pauses, sizeof(*pauses), cmp_u64);
		for (i = 0; i < nr_pauses; i++)
			sum += pauses[i];
		med = nr_pauses % 2 ? pauses[nr_pauses / 2] :
		      (pauses[nr_pauses / 2 - 1] + pauses[nr_pauses / 2]) / 2.0;
		p95 = pauses[(size_t)((nr_pauses - 1) * 0.95 + 0.5)];
		max = pauses[nr_pauses - 1];
	}
	printf("result: workload=%s size=%s mode=%s vdb=%s total_ms=%.2f "
	       "gc_count=%lu pauses=%zu pause_med_us=%.1f pause_p95_us=%.1f "
	       "pause_max_us=%.1f pause_total_ms=%.2f heap_mb=%.1f verify=%s\n",
	       w->name, w->size, w->incremental ? "inc" : "full", vdb_name(w),
	       total / 1e6, (unsigned long)(GC_get_gc_no() - gc_no_start),
	       nr_pauses, med / 1e3, p95 / 1e3, max / 1e3, sum / 1e6,
	       GC_get_heap_size() / 1048576.0, ok ? "ok" : "FAIL");
	print_ooh_stats(w);
	fflush(stdout);
	exit(ok ? 0 : 1);
}

int wl_open(const char *path)
{
	int fd;

	if (!path)
		wl_die("--input PATH is required (see gc-gen-inputs)");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		wl_die("%s: %s", path, strerror(errno));
	return fd;
}

size_t wl_read(int fd, void *dst, size_t len)
{
	static char buf[1 << 16];
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		if (bounce) {
			size_t c = len - done < sizeof(buf) ? len - done : sizeof(buf);

			n = read(fd, buf, c);
			if (n > 0)
				memcpy((char *)dst + done, buf, n);
		} else {
			n = read(fd, (char *)dst + done, len - done);
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			wl_die("read: %s", strerror(errno));
		if (n == 0)
			break;
		done += n;
	}
	return done;
}

struct expect { char key[128]; uint64_t val; };
static struct expect *expects;	/* libc heap */
static size_t nr_expects;

uint64_t wl_expect(const struct wl *w, const char *key)
{
	char path[4096], k[128];
	unsigned long long v;
	size_t i, cap = 0;
	FILE *f;

	if (!expects) {
		snprintf(path, sizeof(path), "%s.expect", w->input);
		f = fopen(path, "re");
		if (!f)
			wl_die("%s: %s", path, strerror(errno));
		while (fscanf(f, "%127s %llu", k, &v) == 2) {
			if (nr_expects == cap) {
				cap = cap ? 2 * cap : 1024;
				expects = realloc(expects, cap * sizeof(*expects));
				if (!expects)
					wl_die("out of memory");
			}
			snprintf(expects[nr_expects].key, sizeof(expects->key),
				 "%s", k);
			expects[nr_expects++].val = v;
		}
		fclose(f);
	}
	for (i = 0; i < nr_expects; i++)
		if (!strcmp(expects[i].key, key))
			return expects[i].val;
	wl_die("%s.expect: no '%s'", w->input, key);
}

void wl_stop(struct wl *w)
{
	if (!t_end)
		t_end = now_ns();
}
