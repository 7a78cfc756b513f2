// SPDX-License-Identifier: GPL-2.0-only
/*
 * spml-iso - two SPML trackers at once (tests/system/spml.test, run in the
 * domU): a parent and a child process each track themselves through their
 * own /dev/ooh-spml tracker (include/ooh/spml_uio.h), then write their own
 * region concurrently, yielding often so that the guest switches between
 * them on the same vCPU.  Checks, from the raw ring entries:
 *   - each tracker reports every frame its process wrote (no miss);
 *   - each tracker's ring also carries the other process's frames: the
 *     module hands every logged GPA to every tracker (attribution is a
 *     hint, never a filter), and the consumer's reverse
 *     map keeps the frames its own process maps (the rings are therefore
 *     root-only, as are the PFNs of /proc/PID/pagemap the reverse map
 *     needs);
 *   - neither process can open the other's /dev/uioN (EACCES from the
 *     module's UIO open hook);
 *   - the child's SYNCs of its rounds ask to leave Xen's rearm out
 *     (OOH_SPML_SYNC_NO_REARM, as a last fetch does), which the module
 *     must refuse while the parent's tracker exists: neither side may
 *     miss a frame or see an overflow.
 * Usage: spml-iso [PAGES [ROUNDS]]; exit 0 pass, 1 fail, 77 SPML missing.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ooh/barrier.h>
#include <ooh/ring.h>
#include <ooh/spml_uio.h>

#include "spmlt.h"

static size_t pages = 256;
static int rounds = 4;

struct side {
	const char *name;
	int fd, ufd;
	struct ooh_spml_track t;
	char *map;
	uint8_t *region;
	uint64_t *frames;	/* gfn of each region page */
	uint64_t *seen;		/* every GPA entry reported, as gfns */
	size_t nseen, capseen;
	uint64_t missed, gva, overflows;
	uint32_t sync_flags;	/* IN flags of the rounds' SYNCs */
};

static int fail_setup(const char *what)
{
	int e = errno;

	printf("%s: %s\n", what, strerror(e));
	return e == EPERM || e == EOPNOTSUPP || e == ENOENT ? 77 : 1;
}

static int setup(struct side *s)
{
	char path[64];

	s->fd = open(OOH_SPML_DEV, O_RDWR | O_CLOEXEC);
	if (s->fd < 0)
		return fail_setup(OOH_SPML_DEV);
	s->t = (struct ooh_spml_track){ .pid = getpid(), .nr_entries = 16384 };
	if (ioctl(s->fd, OOH_SPML_IOC_TRACK, &s->t))
		return fail_setup("TRACK");
	snprintf(path, sizeof(path), "/dev/uio%u", s->t.uio_index);
	s->ufd = open(path, O_RDWR | O_CLOEXEC);
	if (s->ufd < 0)
		return fail_setup(path);
	s->map = mmap(NULL, s->t.map_bytes, PROT_READ | PROT_WRITE,
		      MAP_SHARED, s->ufd, 0);
	if (s->map == MAP_FAILED)
		return fail_setup("mmap rings");
	s->region = mmap(NULL, pages * PG, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (s->region == MAP_FAILED)
		return fail_setup("mmap region");
	memset(s->region, 1, pages * PG);
	s->frames = calloc(pages, sizeof(uint64_t));
	return s->frames ? 0 : 1;
}

static int read_frames(struct side *s)
{
	int pm = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	uint64_t e;

	if (pm < 0)
		return -1;
	for (size_t i = 0; i < pages; i++) {
		off_t off = ((uintptr_t)s->region / PG + i) * 8;

		if (pread(pm, &e, 8, off) != 8 || !(e & (1ull << 63))) {
			close(pm);
			return -1;
		}
		s->frames[i] = e & ((1ull << 55) - 1);
	}
	close(pm);
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* SYNC, then consume every ring up to its fence; returns gfns this round. */
static size_t fetch(struct side *s, uint64_t **out)
{
	uint64_t fence[64];
	struct ooh_spml_sync sy = { .flags = s->sync_flags,
				    .fence_addr = (uintptr_t)fence,
				    .nr_vcpus = s->t.nr_vcpus };
	size_t n = 0, cap = 1024;
	uint64_t *v = malloc(cap * 8);

	if (s->t.nr_vcpus > 64 || ioctl(s->fd, OOH_SPML_IOC_SYNC, &sy)) {
		printf("%s: SYNC: %s\n", s->name, strerror(errno));
		exit(1);
	}
	if (sy.flags & OOH_RING_F_OVERFLOW)
		s->overflows++;
	for (uint32_t c = 0; c < s->t.nr_vcpus; c++) {
		struct ooh_ring_hdr *h = (void *)(s->map + c * s->t.ring_bytes);
		uint64_t *ent = ooh_ring_entries(h);
		uint64_t cons = h->cons, mask = h->nr_entries - 1;

		for (; cons != fence[c]; cons++) {
			uint64_t e = ent[cons & mask];

			if (e & OOH_ENTRY_GVA) {
				s->gva++;
				continue;
			}
			if (n == cap)
				v = realloc(v, (cap *= 2) * 8);
			v[n++] = e >> 12;
		}
		ooh_smp_store_release(&h->cons, cons);
	}
	qsort(v, n, 8, cmp_u64);
	*out = v;
	return n;
}

static bool in(const uint64_t *v, size_t n, uint64_t x)
{
	return bsearch(&x, v, n, 8, cmp_u64) != NULL;
}

static void remember(struct side *s, const uint64_t *v, size_t n)
{
	if (s->nseen + n > s->capseen) {
		s->capseen = (s->nseen + n) * 2;
		s->seen = realloc(s->seen, s->capseen * 8);
	}
	memcpy(s->seen + s->nseen, v, n * 8);
	s->nseen += n;
}

static char *report_path(const char *name)
{
	static char p[2][64];
	int i = !strcmp(name, "child");

	snprintf(p[i], sizeof(p[i]), "/tmp/spml-iso.%d.%s", (int)getpgrp(), name);
	return p[i];
}

/* Writes its region ROUNDS times; writes a report to report_path(). */
static int worker(struct side *s, int go_r, int go_w, int peer_r, int peer_w)
{
	uint32_t peer_uio;
	char path[64];
	uint64_t *v;
	size_t n;
	int fd, rep, rc = setup(s);

	if (rc) {
		uint32_t bad = ~0u;

		(void)!write(peer_w, &bad, 4);
		return rc;
	}
	free((fetch(s, &v), v));	/* drop what setup wrote */
	if (write(peer_w, &s->t.uio_index, 4) != 4 ||
	    read(peer_r, &peer_uio, 4) != 4 || peer_uio == ~0u)
		return 1;
	snprintf(path, sizeof(path), "/dev/uio%u", peer_uio);
	fd = open(path, O_RDWR | O_CLOEXEC);
	printf("%s: tracker /dev/uio%u; open(peer %s): %s\n", s->name,
	       s->t.uio_index, path, fd < 0 ? strerror(errno) : "opened");
	if (fd >= 0 || errno != EACCES)
		rc = 1;
	if (fd >= 0)
		close(fd);

	/* Both start writing together. */
	(void)!write(go_w, "g", 1);
	(void)!read(go_r, path, 1);
	if (!strcmp(s->name, "child"))
		s->sync_flags = OOH_SPML_SYNC_NO_REARM;
	for (int r = 0; r < rounds; r++) {
		for (size_t i = 0; i < pages; i++) {
			s->region[i * PG + (r * 64) % PG] = (uint8_t)r;
			if (i % 8 == 7)
				sched_yield();
		}
		n = fetch(s, &v);
		if (read_frames(s))
			return 1;
		for (size_t i = 0; i < pages; i++)
			if (!in(v, n, s->frames[i]))
				s->missed++;
		remember(s, v, n);
		free(v);
	}
	printf("%s: %d rounds x %zu pages: missed %" PRIu64 ", %zu GPA entries, "
	       "%" PRIu64 " GVA entries, %" PRIu64 " overflows\n", s->name,
	       rounds, pages, s->missed, s->nseen, s->gva, s->overflows);
	if (s->missed || s->overflows)
		rc = 1;
	/* Report: our frames, then what our tracker saw. */
	rep = open(report_path(s->name), O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (rep < 0 || write(rep, &s->nseen, sizeof(s->nseen)) != sizeof(s->nseen) ||
	    write(rep, s->frames, pages * 8) != (ssize_t)(pages * 8))
		return 1;
	for (size_t off = 0; off < s->nseen * 8;) {
		ssize_t w = write(rep, (char *)s->seen + off, s->nseen * 8 - off);

		if (w <= 0)
			return 1;
		off += w;
	}
	close(rep);
	return rc;
}

static int read_all(int fd, void *buf, size_t len)
{
	for (size_t off = 0; off < len;) {
		ssize_t r = read(fd, (char *)buf + off, len - off);

		if (r <= 0)
			return -1;
		off += r;
	}
	return 0;
}

struct report {
	size_t nseen;
	uint64_t *frames, *seen;
};

static int get_report(const char *name, struct report *r)
{
	int fd = open(report_path(name), O_RDONLY | O_CLOEXEC);

	r->frames = calloc(pages, 8);
	if (fd < 0 || read_all(fd, &r->nseen, sizeof(r->nseen)) ||
	    read_all(fd, r->frames, pages * 8))
		return -1;
	r->seen = calloc(r->nseen + 1, 8);
	if (read_all(fd, r->seen, r->nseen * 8))
		return -1;
	close(fd);
	unlink(report_path(name));
	qsort(r->seen, r->nseen, 8, cmp_u64);
	return 0;
}

static size_t leaks(const struct report *a, const struct report *b)
{
	size_t n = 0;

	for (size_t i = 0; i < pages; i++)
		n += in(a->seen, a->nseen, b->frames[i]);
	return n;
}

int main(int argc, char **argv)
{
	int p2c[2], c2p[2], gp[2], gc[2];
	struct side s = { 0 };
	struct report a, b;
	int st, ret;
	pid_t pid;
	size_t ab, ba;

	if (argc > 1)
		pages = strtoul(argv[1], NULL, 0);
	if (argc > 2)
		rounds = atoi(argv[2]);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (pipe(p2c) || pipe(c2p) || pipe(gp) || pipe(gc))
		return 1;
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		s.name = "child";
		_exit(worker(&s, gc[0], gp[1], p2c[0], c2p[1]));
	}
	s.name = "parent";
	ret = worker(&s, gp[0], gc[1], c2p[0], p2c[1]);
	waitpid(pid, &st, 0);
	if (ret == 0 && WIFEXITED(st) && !WEXITSTATUS(st) &&
	    (get_report("parent", &a) || get_report("child", &b))) {
		printf("reading the reports failed\n");
		ret = 1;
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		int cs = WIFEXITED(st) ? WEXITSTATUS(st) : 1;

		printf("child exit status %d\n", cs);
		if (ret == 0 || ret == 77)
			ret = cs;
	}
	if (ret) {
		printf("%s\n", ret == 77 ? "SKIP: SPML not available" : "FAIL");
		return ret;
	}
	ab = leaks(&a, &b);
	ba = leaks(&b, &a);
	printf("parent's tracker reported %zu of the child's %zu frames; "
	       "child's tracker reported %zu of the parent's\n", ab, pages, ba);
	if (ab != pages || ba != pages) {
		printf("FAIL: a tracker's ring lacks frames the other process "
		       "wrote (every GPA goes to every tracker)\n");
		return 1;
	}
	printf("PASS: two trackers, each saw all its own pages (and, by GPA, "
	       "the other's), neither could open the other's UIO device\n");
	return 0;
}
