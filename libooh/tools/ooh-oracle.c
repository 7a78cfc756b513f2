/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ooh-oracle - correctness oracle for libooh backends: writes a known set
 * of pages per round, fetches, and checks reported >= written.
 *
 * Model: fetch k is numbered from 1.  A write records f0 = fetches finished
 * before it started and s1 = fetches started before it ended; it must be
 * reported by one of fetches f0+1 .. s1+1 (a write racing with a fetch may
 * land in that fetch or the next, never later and never nowhere).  In
 * single-threaded rounds this is simply "round k's writes are in fetch k".
 *
 * Last line: "oracle: backend=B rounds=N missed=M extra=E overflows=O
 * seed=S" (S replays the run: --seed S).
 * Exit 0 if missed == 0, 1 if not, 77 if the case is unsupported by the
 * backend, 2 on usage or setup errors.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <malloc.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ooh.h"
#include "tool.h"

#define PG OOH_PAGE_SIZE

#ifndef UFFDIO_MOVE	/* Linux 6.8, include/uapi/linux/userfaultfd.h */
#define UFFD_FEATURE_MOVE			(1 << 16)
#define UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES	((__u64)1 << 1)
struct uffdio_move {
	__u64 dst, src, len, mode;
	__s64 move;
};
#define UFFDIO_MOVE	_IOWR(UFFDIO, 0x05, struct uffdio_move)
#endif

struct wlog {			/* one write */
	uint32_t page;
	uint32_t f0, s1;
};

static struct {
	const char *backend;
	unsigned int rounds, pages, seed;
	bool verbose;
	unsigned int caps;
	unsigned int drop;	/* self-test: forget every Nth reported page */
	const char *record;	/* --record FILE: ooh_record() the fetches */
} opt = { "auto", 12, 4096, 1, false, 0, 0, NULL };

static struct oracle {
	struct ooh_tracker *t;
	char *base;			/* region start */
	size_t npages;
	_Atomic uint32_t started, finished;
	uint8_t **reported;		/* per fetch: bitmap of pages */
	unsigned int nfetch;
	struct wlog *log;
	size_t nlog, caplog;
	pthread_mutex_t loglock;
	uint64_t extra, overflows;
	bool last_all;
	/* the moving cases: pages holding data, the block they move into */
	uint8_t *present;
	uint32_t hole, hole_len;	/* hole_len 0: none */
	int uffd;
	/* fetch-last: the next fetch is ooh_fetch_last(); its round's pages */
	bool fetch_last;
	uint8_t *last_set;
	unsigned int after_last, after_last_all;
} o;

static uint64_t rng_state;
static const char *ran_backend;	/* the backend that ran ("auto" resolved) */

static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)rng_state;
}

static void die(const char *what, int err)
{
	fprintf(stderr, "ooh-oracle: %s: %s%s%s\n", what, strerror(err),
		*ooh_last_error() ? ": " : "", ooh_last_error());
	exit(2);
}

static void log_write(uint32_t page, uint32_t f0, uint32_t s1)
{
	pthread_mutex_lock(&o.loglock);
	if (o.nlog == o.caplog) {
		o.caplog = o.caplog ? 2 * o.caplog : 65536;
		o.log = realloc(o.log, o.caplog * sizeof(*o.log));
		if (!o.log)
			die("log", ENOMEM);
	}
	o.log[o.nlog++] = (struct wlog){ page, f0, s1 };
	pthread_mutex_unlock(&o.loglock);
}

/* A user-space write to page p, logged with its fetch window. */
static void write_page(uint32_t p, uint8_t val)
{
	uint32_t f0 = atomic_load(&o.finished);

	if (o.present)
		o.present[p / 8] |= 1u << (p % 8);

	((volatile char *)o.base)[(size_t)p * PG + (rnd() % PG)] = (char)val;
	log_write(p, f0, atomic_load(&o.started));
}

static int fetch(void)
{
	struct ooh_dirty d;
	uint8_t *bm;
	int n;

	atomic_fetch_add(&o.started, 1);
	n = o.fetch_last ? ooh_fetch_last(o.t, &d) : ooh_fetch(o.t, &d);
	if (n < 0)
		die(o.fetch_last ? "ooh_fetch_last" : "ooh_fetch", -n);
	o.fetch_last = false;
	bm = calloc(o.npages / 8 + 1, 1);
	o.reported = realloc(o.reported, (o.nfetch + 1) * sizeof(*o.reported));
	for (size_t i = 0; i < d.nr_pages; i++) {
		uint64_t a = d.pages[i];

		if (i && d.pages[i - 1] >= a) {
			fprintf(stderr, "ooh-oracle: fetch result not sorted "
				"and unique at %zu\n", i);
			exit(1);
		}
		if (a < (uintptr_t)o.base ||
		    a >= (uintptr_t)o.base + o.npages * PG)
			continue;
		a = (a - (uintptr_t)o.base) / PG;
		if (opt.drop && i % opt.drop == 0)
			continue;	/* the oracle must notice this */
		bm[a / 8] |= 1u << (a % 8);
	}
	o.reported[o.nfetch++] = bm;
	o.last_all = d.flags & OOH_FETCH_ALL;
	if (o.last_all)
		o.overflows++;
	atomic_fetch_add(&o.finished, 1);
	return (int)d.nr_pages;
}

static bool was_reported(unsigned int fetch_no, uint32_t p)
{
	return fetch_no >= 1 && fetch_no <= o.nfetch &&
	       (o.reported[fetch_no - 1][p / 8] & (1u << (p % 8)));
}

/* Check writes of the finished rounds; returns missed; counts extra. */
static uint64_t check(unsigned int fetch_no, bool count_extra)
{
	uint64_t missed = 0;
	uint8_t *written = calloc(o.npages / 8 + 1, 1);
	size_t keep = 0;

	pthread_mutex_lock(&o.loglock);		/* writer threads append */
	for (size_t i = 0; i < o.nlog; i++) {
		struct wlog *w = &o.log[i];
		bool ok = false;

		if (w->s1 + 1 > fetch_no) {	/* window still open */
			o.log[keep++] = *w;
			continue;
		}
		for (uint32_t f = w->f0 + 1; f <= w->s1 + 1 && !ok; f++)
			ok = was_reported(f, w->page);
		if (!ok) {
			if (missed < 10)
				fprintf(stderr, "ooh-oracle: MISSED page %u "
					"(written between fetch %u and %u)\n",
					w->page, w->f0, w->s1 + 1);
			missed++;
		}
		if (w->s1 + 1 == fetch_no)
			written[w->page / 8] |= 1u << (w->page % 8);
	}
	o.nlog = keep;
	pthread_mutex_unlock(&o.loglock);
	if (count_extra)
		for (uint32_t p = 0; p < o.npages; p++)
			if (was_reported(fetch_no, p) &&
			    !(written[p / 8] & (1u << (p % 8))))
				o.extra++;
	free(written);
	return missed;
}

/* Pick a random subset of pages with probability pct/100. */
static void write_random(unsigned int pct, uint8_t val)
{
	for (uint32_t p = 0; p < o.npages; p++) {
		if (p - o.hole < o.hole_len)
			continue;	/* unmapped, or owned by a userfaultfd */
		if (pct >= 100 || rnd() % 1000 < pct * 10)
			write_page(p, val);
	}
}

static unsigned int round_pct(unsigned int r)
{
	static const unsigned int pct[] = { 1, 10, 100 };

	return pct[r % 3];
}

/* ---- cases ---------------------------------------------------------- */

struct ocase {
	const char *name;
	unsigned int needs;	/* OOH_CAP_* */
	bool ring_only;
	size_t align;
	void (*round)(unsigned int r);
	/* after ooh_track(), before the first fetch: 0, or 77 (skip) */
	int (*setup)(const char **why);
};

static void round_random(unsigned int r)
{
	write_random(round_pct(r), (uint8_t)r);
}

static void round_fork(unsigned int r)
{
	int go[2];
	pid_t pid;
	char c;

	if (pipe(go))
		die("pipe", errno);
	pid = fork();
	if (pid < 0)
		die("fork", errno);
	if (pid == 0) {		/* child: write its own copies, then wait */
		for (uint32_t p = 0; p < o.npages; p += 3)
			o.base[(size_t)p * PG] = 'c';
		close(go[1]);
		if (read(go[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(go[0]);
	/* Parent writes while the child still shares the pages: COW. */
	write_random(round_pct(r), (uint8_t)r);
	close(go[1]);
	waitpid(pid, NULL, 0);
}

/*
 * A block of the region on a grid of 8 blocks, so that earlier rounds'
 * VMA splits never make a block straddle two mappings.
 */
static uint32_t random_block(uint32_t *len)
{
	*len = o.npages / 8;
	return (rnd() % 8) * *len;
}

static void round_mremap(unsigned int r)
{
	uint32_t len, from = random_block(&len), to = random_block(&len);
	char *a, *b;

	if (from == to)
		to = (to + len) % (8 * len);
	a = o.base + (size_t)from * PG;
	b = o.base + (size_t)to * PG;
	/* Move block a over block b, then map fresh memory at a. */
	if (mremap(a, len * PG, len * PG, MREMAP_MAYMOVE | MREMAP_FIXED,
		   b) == MAP_FAILED)
		die("mremap", errno);
	if (mmap(a, len * PG, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
		die("mmap", errno);
	write_random(round_pct(r), (uint8_t)r);
	for (uint32_t p = to; p < to + len; p += 3)	/* the moved block */
		write_page(p, (uint8_t)r);
}

static void round_reuse(unsigned int r)
{
	uint32_t len, at = random_block(&len);
	char *a = o.base + (size_t)at * PG;

	if (munmap(a, len * PG))
		die("munmap", errno);
	if (mmap(a, len * PG, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != a)
		die("mmap reuse", errno);
	write_random(round_pct(r), (uint8_t)r);
	for (uint32_t p = at; p < at + len; p += 2)	/* and the new block */
		write_page(p, (uint8_t)r);
}

static void round_dontneed(unsigned int r)
{
	uint32_t len, at = random_block(&len);

	if (madvise(o.base + (size_t)at * PG, len * PG, MADV_DONTNEED))
		die("madvise", errno);
	write_random(round_pct(r), (uint8_t)r);
	for (uint32_t p = at; p < at + len; p += 2)
		write_page(p, (uint8_t)r);
}

static void round_thp(unsigned int r)
{
	/* Single writes into huge pages, plus a split half way. */
	if (r == opt.rounds / 2)
		madvise(o.base + 2 * PG, 4 * PG, MADV_DONTNEED);
	write_random(round_pct(r), (uint8_t)r);
}

static void round_pipe(unsigned int r)
{
	int fd[2];
	char msg[64];
	uint32_t f0;

	if (pipe(fd))
		die("pipe", errno);
	memset(msg, 'k' + (int)(r % 8), sizeof(msg));
	for (uint32_t p = 0; p < o.npages; p++) {
		if (round_pct(r) < 100 && rnd() % 1000 >= round_pct(r) * 10)
			continue;
		f0 = atomic_load(&o.finished);
		if (write(fd[1], msg, sizeof(msg)) != sizeof(msg) ||
		    read(fd[0], o.base + (size_t)p * PG + (r * 64) % PG,
			 sizeof(msg)) != sizeof(msg))
			die("pipe read into tracked page", errno);
		log_write(p, f0, atomic_load(&o.started));
	}
	close(fd[0]);
	close(fd[1]);
}

#define NTHREADS 4
static _Atomic bool stop_writers;

static void *writer(void *arg)
{
	uint64_t s = (uintptr_t)arg * 0x9e3779b97f4a7c15ull + 1;

	while (!atomic_load(&stop_writers)) {
		uint32_t p, f0;

		s ^= s << 13, s ^= s >> 7, s ^= s << 17;
		p = (uint32_t)(s % o.npages);
		f0 = atomic_load(&o.finished);
		((volatile char *)o.base)[(size_t)p * PG + s % PG] = (char)s;
		log_write(p, f0, atomic_load(&o.started));
	}
	return NULL;
}

static pthread_t writers[NTHREADS];

static void round_threads(unsigned int r)
{
	/* Writers run through the whole case, racing with every fetch. */
	if (r == 0)
		for (uintptr_t i = 0; i < NTHREADS; i++)
			pthread_create(&writers[i], NULL, writer, (void *)(i + 1));
	usleep(2000);
	if (r == opt.rounds - 1) {
		atomic_store(&stop_writers, true);
		for (int i = 0; i < NTHREADS; i++)
			pthread_join(writers[i], NULL);
	}
}

static void round_overflow(unsigned int r)
{
	/* Even rounds write everything (more than the ring holds). */
	write_random(r % 2 ? 1 : 100, (uint8_t)r);
}

/*
 * The moving cases: a block's data moves into a hole without a write, as
 * a realloc() of a large block (mremap) or a compacting collector
 * (UFFDIO_MOVE) moves it.  The hole's pages now hold data they did not
 * hold, so a checkpointer must dump them again: each page that held data
 * is expected at this fetch as if written (soft-dirty marks moved PTEs
 * dirty, move_soft_dirty_pte(); the userfaultfd backends report an mremap
 * destination whole).  The source becomes the next hole.  The hole is
 * made before the first fetch, so the munmap that made it is not what
 * reports the destination.
 */
static void moved(uint32_t from, uint32_t to, uint32_t len)
{
	uint32_t f0 = atomic_load(&o.finished);

	for (uint32_t i = 0; i < len; i++) {
		uint32_t s = from + i, d = to + i;
		bool had = o.present[s / 8] & (1u << (s % 8));

		o.present[s / 8] &= ~(1u << (s % 8));
		o.present[d / 8] &= ~(1u << (d % 8));
		if (had) {
			o.present[d / 8] |= 1u << (d % 8);
			log_write(d, f0, atomic_load(&o.started));
		}
	}
	o.hole = from;
}

static uint32_t other_block(void)
{
	uint32_t len, b;

	do
		b = random_block(&len);
	while (b == o.hole);
	return b;
}

static void clear_present(uint32_t at, uint32_t len)
{
	for (uint32_t p = at; p < at + len; p++)
		o.present[p / 8] &= ~(1u << (p % 8));
}

/*
 * mremap(MREMAP_FIXED) into an unmapped hole: nothing at the destination
 * is unmapped, so only the source range is invalidated.  The hole is free
 * address space, where the kernel places the next mmap() of a fitting
 * size: malloc() stops using mmap() here (its large blocks would land in
 * the hole and be moved over), and each round checks the hole is free.
 */
static int setup_mremap_hole(const char **why)
{
	(void)why;
	mallopt(M_MMAP_MAX, 0);
	o.hole_len = o.npages / 8;
	o.hole = 0;
	if (munmap(o.base, (size_t)o.hole_len * PG))
		die("munmap", errno);
	clear_present(0, o.hole_len);
	return 0;
}

static void round_mremap_hole(unsigned int r)
{
	uint32_t from = other_block();
	unsigned char vec;

	for (uint32_t p = o.hole; p < o.hole + o.hole_len; p++)
		if (!mincore(o.base + (size_t)p * PG, PG, &vec))
			die("the mremap hole was mapped by someone else", EEXIST);

	if (mremap(o.base + (size_t)from * PG, (size_t)o.hole_len * PG,
		   (size_t)o.hole_len * PG, MREMAP_MAYMOVE | MREMAP_FIXED,
		   o.base + (size_t)o.hole * PG) == MAP_FAILED)
		die("mremap into a hole", errno);
	moved(from, o.hole, o.hole_len);
	write_random(round_pct(r), (uint8_t)r);
}

/* The hole of the uffd-move case: empty, registered with o.uffd. */
static int uffd_hole(uint32_t at, const char **why)
{
	struct uffdio_register reg = {
		.range = { (uintptr_t)o.base + (size_t)at * PG,
			   (size_t)o.hole_len * PG },
		.mode = UFFDIO_REGISTER_MODE_MISSING,
	};

	if (madvise(o.base + (size_t)at * PG, (size_t)o.hole_len * PG,
		    MADV_DONTNEED))
		die("madvise", errno);
	clear_present(at, o.hole_len);
	if (ioctl(o.uffd, UFFDIO_REGISTER, &reg)) {
		*why = "the range is the backend's userfaultfd's";
		return 77;
	}
	o.hole = at;
	return 0;
}

/* UFFDIO_MOVE (Linux 6.8) into an empty block registered with a
 * userfaultfd; the block is unregistered after the move, before the
 * fetch, as a collector does when its compaction ends. */
static int setup_uffd_move(const char **why)
{
	struct uffdio_api api = { .api = UFFD_API,
				  .features = UFFD_FEATURE_MOVE };

	o.uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (o.uffd < 0 || ioctl(o.uffd, UFFDIO_API, &api) ||
	    !(api.features & UFFD_FEATURE_MOVE)) {
		*why = "UFFDIO_MOVE (Linux 6.8)";
		return 77;
	}
	o.hole_len = o.npages / 8;
	return uffd_hole(0, why);
}

static void round_uffd_move(unsigned int r)
{
	uint32_t from = other_block(), to = o.hole;
	struct uffdio_move mv = {
		.dst = (uintptr_t)o.base + (size_t)to * PG,
		.src = (uintptr_t)o.base + (size_t)from * PG,
		.len = (size_t)o.hole_len * PG,
		.mode = UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES,
	};
	struct uffdio_range rg = { mv.dst, mv.len };
	const char *why;

	while (mv.len) {
		mv.move = 0;
		if (ioctl(o.uffd, UFFDIO_MOVE, &mv) && errno != EAGAIN)
			die("UFFDIO_MOVE", errno);
		if (mv.move > 0) {
			mv.dst += mv.move;
			mv.src += mv.move;
			mv.len -= mv.move;
		}
	}
	if (ioctl(o.uffd, UFFDIO_UNREGISTER, &rg))
		die("UFFDIO_UNREGISTER", errno);
	moved(from, to, o.hole_len);
	if (uffd_hole(from, &why))
		die("UFFDIO_REGISTER", errno);
	write_random(round_pct(r), (uint8_t)r);
}

/*
 * Every other fetch is ooh_fetch_last(), as a checkpointer's final dump;
 * the round after it writes the same pages again, which a rearm left out
 * keeps dirty (no new log entry), plus new ones: the fetch after must
 * still report them (spml, epml: OOH_FETCH_ALL, the module's debt).
 */
static void round_fetch_last(unsigned int r)
{
	size_t bytes = o.npages / 8 + 1;

	if (!o.last_set) {
		o.last_set = calloc(bytes, 1);
		if (!o.last_set)
			die("calloc", ENOMEM);
	}
	if (r % 2) {
		for (uint32_t p = 0; p < o.npages; p++)
			if (o.last_set[p / 8] & (1u << (p % 8)))
				write_page(p, (uint8_t)r);
		write_random(1, (uint8_t)r);
		o.after_last++;
		return;
	}
	memset(o.last_set, 0, bytes);
	for (uint32_t p = 0; p < o.npages; p++)
		if (rnd() % 100 < 10) {
			write_page(p, (uint8_t)r);
			o.last_set[p / 8] |= 1u << (p % 8);
		}
	o.fetch_last = true;
}

static const struct ocase cases[] = {
	{ "random", 0, false, PG, round_random, NULL },
	{ "fork", 0, false, PG, round_fork, NULL },
	{ "mremap", OOH_CAP_REMAP, false, PG, round_mremap, NULL },
	{ "munmap-reuse", OOH_CAP_REMAP, false, PG, round_reuse, NULL },
	{ "dontneed", OOH_CAP_REMAP, false, PG, round_dontneed, NULL },
	{ "thp", 0, false, 2ul << 20, round_thp, NULL },
	{ "pipe-read", OOH_CAP_KERNEL_WRITES, false, PG, round_pipe, NULL },
	{ "threads", OOH_CAP_THREADS, false, PG, round_threads, NULL },
	{ "mremap-hole", OOH_CAP_REMAP, false, PG, round_mremap_hole,
	  setup_mremap_hole },
	{ "uffd-move", OOH_CAP_REMAP, false, PG, round_uffd_move,
	  setup_uffd_move },
	{ "overflow", 0, true, PG, round_overflow, NULL },
	{ "fetch-last", 0, false, PG, round_fetch_last, NULL },
	{ NULL, 0, false, 0, NULL, NULL },
};

static bool is_ring_backend(const char *b)
{
	return !strcmp(b, "spml") || !strcmp(b, "epml") ||
	       !strcmp(b, "ring-loopback");
}

struct result {
	uint64_t missed, extra, overflows;
	unsigned int rounds;
};

/* Close the case's tracker and free its region and records. */
static void case_free(char *raw, size_t len)
{
	ooh_close(o.t);
	munmap(raw, len);
	for (unsigned int i = 0; i < o.nfetch; i++)
		free(o.reported[i]);
	free(o.reported);
	free(o.log);
	free(o.present);
	free(o.last_set);
	if (o.uffd > 0)
		close(o.uffd);
}

/* Run one case; returns 0 pass, 1 fail, 77 skip. */
static int run_case(const struct ocase *c, struct result *res)
{
	size_t len = (size_t)opt.pages * PG;
	uint64_t missed = 0;
	char *raw;
	int ret;

	memset(&o, 0, sizeof(o));
	o.uffd = -1;
	pthread_mutex_init(&o.loglock, NULL);
	atomic_store(&stop_writers, false);
	rng_state = opt.seed * 2654435761u + 7;
	ret = ooh_open(opt.backend, &o.t);
	if (ret == -EOPNOTSUPP) {
		fprintf(stderr, "ooh-oracle: backend %s: %s%s%s\n", opt.backend,
			strerror(-ret), *ooh_last_error() ? ": " : "",
			ooh_last_error());
		exit(TOOL_EXIT_UNAVAILABLE);
	}
	if (ret)
		die("ooh_open", -ret);
	ran_backend = ooh_backend_name(o.t);	/* what "auto" chose */
	opt.caps = ooh_caps(o.t);
	if ((opt.caps & c->needs) != c->needs ||
	    (c->ring_only && !is_ring_backend(ooh_backend_name(o.t)))) {
		printf("oracle: case %s: SKIP: backend %s lacks %s\n", c->name,
		       ooh_backend_name(o.t),
		       c->ring_only ? "a ring" :
		       c->needs & OOH_CAP_KERNEL_WRITES ? "kernel-write tracking" :
		       c->needs & OOH_CAP_REMAP ? "munmap/mremap tracking" :
		       "thread tracking");
		ooh_close(o.t);
		return 77;
	}
	/* Over-allocate to align, then track exactly opt.pages pages. */
	raw = mmap(NULL, len + c->align, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED)
		die("mmap", errno);
	o.base = (char *)(((uintptr_t)raw + c->align - 1) & ~(c->align - 1));
	o.npages = opt.pages;
	if (c->align > PG)
		madvise(o.base, len, MADV_HUGEPAGE);
	memset(o.base, 1, len);		/* populate before tracking */
	ret = ooh_track(o.t, 0, o.base, len);
	if (ret)
		die("ooh_track", -ret);
	if (opt.record && (ret = ooh_record(o.t, opt.record, OOH_RECORD_FORCE)))
		die("ooh_record", -ret);
	if (c->setup) {
		const char *why = "";

		o.present = malloc(o.npages / 8 + 1);
		if (!o.present)
			die("present", ENOMEM);
		memset(o.present, 0xff, o.npages / 8 + 1);	/* memset above */
		if (c->setup(&why) == 77) {
			printf("oracle: case %s: SKIP: %s\n", c->name, why);
			case_free(raw, len + c->align);
			return 77;
		}
	}
	fetch();			/* fetch 1 takes the fresh pages */
	o.nlog = 0;

	unsigned int fits = 0;	/* overflow case: big rounds that fitted */

	for (unsigned int r = 0; r < opt.rounds; r++) {
		uint64_t m, e0 = o.extra;
		int n;

		c->round(r);
		n = fetch();
		m = check(o.nfetch, c->round != round_threads);
		missed += m;
		if (c->round == round_fetch_last && r % 2 && o.last_all)
			o.after_last_all++;
		if (c->round == round_overflow) {
			bool big = r % 2 == 0;

			/*
			 * A big round that reports every page without the
			 * flag did not overflow: the ring holds it.  Not a
			 * miss (m counts real ones); the case is then not
			 * applicable at this ring size (below).
			 */
			if (big && !o.last_all)
				fits++;
			if (!big && o.last_all) {
				fprintf(stderr, "ooh-oracle: round %u after an "
					"overflow still reports overflow\n", r);
				missed++;
			}
		}
		if (opt.verbose)
			printf("round %u: reported=%d missed=%llu extra=%llu%s\n",
			       r + 1, n, (unsigned long long)m,
			       (unsigned long long)(o.extra - e0),
			       o.last_all ? " overflow" : "");
	}
	/* A last fetch closes the windows of racing writes. */
	fetch();
	missed += check(o.nfetch + 1, false);
	if (c->round == round_overflow && fits) {
		if (!o.overflows && !missed) {
			printf("oracle: case %s: SKIP: not applicable at this "
			       "ring size: %u-page rounds never overflowed "
			       "(0 missed)\n", c->name, opt.pages);
			case_free(raw, len + c->align);
			return 77;
		}
		printf("oracle: case %s: %u of %u big rounds fitted in the "
		       "ring (no overflow, 0 missed in them)\n", c->name, fits,
		       (opt.rounds + 1) / 2);
	}
	if (c->round == round_fetch_last)
		printf("oracle: case %s: %u of %u fetches after ooh_fetch_last() "
		       "reported every page (a rearm left out)\n", c->name,
		       o.after_last_all, o.after_last);
	res->missed += missed;
	res->extra += o.extra;
	res->overflows += o.overflows;
	res->rounds += opt.rounds;
	printf("oracle: case %s: backend=%s rounds=%u missed=%llu extra=%llu "
	       "overflows=%llu seed=%u\n", c->name, ooh_backend_name(o.t),
	       opt.rounds, (unsigned long long)missed,
	       (unsigned long long)o.extra, (unsigned long long)o.overflows,
	       opt.seed);
	case_free(raw, len + c->align);
	return missed ? 1 : 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: ooh-oracle [--backend B] [--rounds N] [--pages N] "
		"[--case NAME|all] [--seed S] [-v] [--self-test-drop N]\n"
		"                  [--record FILE (a trace of one case's fetches, "
		"ooh-trace(5))]\n"
		"cases:");
	for (int i = 0; cases[i].name; i++)
		fprintf(f, " %s", cases[i].name);
	fprintf(f, " all (every case but overflow)\n");
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "backend", required_argument, NULL, 'b' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "pages", required_argument, NULL, 'n' },
		{ "case", required_argument, NULL, 'c' },
		{ "seed", required_argument, NULL, 's' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "self-test-drop", required_argument, NULL, 'D' },
		{ "record", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cname = "random";
	struct result res = { 0 };
	int c, rc = 0, ran = 0;
	char *end;

	tool_check_stdout_at_exit("ooh-oracle");
	while ((c = getopt_long(argc, argv, "b:r:n:c:s:vh", lo, NULL)) != -1) {
		switch (c) {
		case 'b': opt.backend = optarg; break;
		case 'c': cname = optarg; break;
		case 'v': opt.verbose = true; break;
		case 'V': return tool_version("ooh-oracle");
		case 'h': usage(stdout); return 0;
		case 'D': opt.drop = atoi(optarg); break;
		case 'R': opt.record = optarg; break;
		case 'r': case 'n': case 's': {
			unsigned long v = strtoul(optarg, &end, 0);

			if (*end || !v || v > (1u << 24)) {
				fprintf(stderr, "ooh-oracle: bad number '%s' "
					"for --%s\n", optarg,
					c == 'r' ? "rounds" : c == 'n' ?
					"pages" : "seed");
				return 2;
			}
			if (c == 'r') opt.rounds = v;
			else if (c == 'n') opt.pages = v;
			else opt.seed = v;
			break;
		}
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc || opt.pages < 16 ||
	    (opt.record && !strcmp(cname, "all"))) {
		usage(stderr);
		return 2;
	}
	for (int i = 0; cases[i].name; i++) {
		bool all = !strcmp(cname, "all");

		if (all ? cases[i].ring_only : strcmp(cname, cases[i].name))
			continue;
		int r = run_case(&cases[i], &res);

		ran++;
		if (r == 1)
			rc = 1;
		else if (r == 77 && !all)
			rc = 77;
	}
	if (!ran) {
		fprintf(stderr, "ooh-oracle: unknown case '%s'\n", cname);
		usage(stderr);
		return 2;
	}
	printf("oracle: backend=%s rounds=%u missed=%llu extra=%llu "
	       "overflows=%llu seed=%u\n", ran_backend ? ran_backend : opt.backend,
	       res.rounds,
	       (unsigned long long)res.missed, (unsigned long long)res.extra,
	       (unsigned long long)res.overflows, opt.seed);
	return rc;
}
