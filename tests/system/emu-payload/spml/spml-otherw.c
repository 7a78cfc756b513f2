// SPDX-License-Identifier: GPL-2.0-only
/*
 * spml-otherw - "every writer counts": a frame the
 * tracked process maps and that another process writes, before or after
 * the tracked process's own write in the same interval, must be reported.
 *
 *   spml-otherw BACKEND MEMORY ORDER PAGES ROUNDS
 *     MEMORY  shared-anon  MAP_SHARED|MAP_ANONYMOUS, inherited by the writer
 *             shared-file  MAP_SHARED of a file in /tmp, mapped by both
 *             private      the tracked process's private anonymous memory,
 *                          written by the other process with
 *                          process_vm_writev(2)
 *     ORDER   other-first  the other process writes first, then the
 *                          tracked one (the frame's EPT dirty flag is set
 *                          by the other write: the tracked write is not
 *                          logged again, so the first entry must reach
 *                          the tracker)
 *             tracked-first the opposite order (the control)
 *
 * The tracked process is this one (pid 0); the writer is a child with its
 * own mm.  Every round writes three random page sets: BOTH (the writer and
 * the tracked process, in ORDER), OTHER (the writer only) and SELF (the
 * tracked process only); the fetch must report all three (reported is a
 * superset).  Pages are written once before tracking, so each is mapped
 * in both processes and the reverse map can find its frame.
 * Last line: "otherw: backend=B memory=M order=O rounds=R missed=N
 * (both=.. other=.. self=..) overflows=V"; exit 0 iff missed=0.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ooh.h"
#include "spmlt.h"

enum { SET_BOTH = 1, SET_OTHER = 2, SET_SELF = 4 };

/* The writer: reads "page count" messages, writes, answers one byte. */
struct msg {
	uint32_t n;
	uint32_t stamp;
	uint32_t page[];
};

static void writer(int in, int out, char *base, pid_t parent, bool pvw)
{
	uint32_t hdr[2], *pages = NULL;
	char c = 'k';

	for (;;) {
		if (read(in, hdr, sizeof(hdr)) != sizeof(hdr))
			_exit(0);
		pages = realloc(pages, (hdr[0] + 1) * sizeof(*pages));
		if (!pages || read(in, pages, hdr[0] * sizeof(*pages)) !=
		    (ssize_t)(hdr[0] * sizeof(*pages)))
			_exit(1);
		for (uint32_t i = 0; i < hdr[0]; i++) {
			char *p = base + (size_t)pages[i] * PG + 64;
			uint32_t v = hdr[1] ^ pages[i];

			if (pvw) {
				struct iovec l = { &v, sizeof(v) };
				struct iovec r = { p, sizeof(v) };

				if (process_vm_writev(parent, &l, 1, &r, 1, 0) !=
				    sizeof(v))
					_exit(3);
			} else {
				memcpy(p, &v, sizeof(v));
			}
		}
		if (write(out, &c, 1) != 1)
			_exit(1);
	}
}

static void other_write(int to, int from, const uint32_t *pages, uint32_t n,
			uint32_t stamp)
{
	uint32_t hdr[2] = { n, stamp };
	char c;

	if (write(to, hdr, sizeof(hdr)) != sizeof(hdr) ||
	    write(to, pages, n * sizeof(*pages)) != (ssize_t)(n * sizeof(*pages)) ||
	    read(from, &c, 1) != 1)
		die("writer", EPIPE);
}

static void self_write(char *base, const uint32_t *pages, uint32_t n,
		       uint32_t stamp)
{
	for (uint32_t i = 0; i < n; i++)
		*(volatile uint32_t *)(base + (size_t)pages[i] * PG + 128) =
			stamp + pages[i];
}

int main(int argc, char **argv)
{
	const char *backend, *memory, *order;
	uint32_t npages, rounds, *both, *other, *self, nb, no, ns;
	uint64_t missed[3] = { 0 }, overflows = 0;
	struct ooh_tracker *t;
	struct ooh_dirty d;
	int tow[2], fromw[2], ret;
	bool pvw, other_first;
	uint8_t *set;
	char *base;
	pid_t pid;

	if (argc != 6) {
		fprintf(stderr, "usage: spml-otherw BACKEND shared-anon|shared-file|"
			"private other-first|tracked-first PAGES ROUNDS\n");
		return 2;
	}
	backend = argv[1];
	memory = argv[2];
	order = argv[3];
	npages = strtoul(argv[4], NULL, 0);
	rounds = strtoul(argv[5], NULL, 0);
	pvw = !strcmp(memory, "private");
	other_first = !strcmp(order, "other-first");
	if (npages < 16 || !rounds ||
	    (!other_first && strcmp(order, "tracked-first")) ||
	    (!pvw && strcmp(memory, "shared-anon") && strcmp(memory, "shared-file"))) {
		fprintf(stderr, "spml-otherw: bad arguments\n");
		return 2;
	}
	rng ^= (uint64_t)getpid() << 20;

	if (!strcmp(memory, "shared-file")) {
		char path[] = "/tmp/spml-otherw.XXXXXX";
		int fd = mkstemp(path);

		if (fd < 0 || ftruncate(fd, (off_t)npages * PG))
			die("file", errno);
		unlink(path);
		base = mmap(NULL, (size_t)npages * PG, PROT_READ | PROT_WRITE,
			    MAP_SHARED, fd, 0);
		close(fd);
	} else {
		base = mmap(NULL, (size_t)npages * PG, PROT_READ | PROT_WRITE,
			    (pvw ? MAP_PRIVATE : MAP_SHARED) | MAP_ANONYMOUS, -1, 0);
	}
	if (base == MAP_FAILED)
		die("mmap", errno);
	/* no THP: the reverse map and the sets work in 4 KiB pages */
	madvise(base, (size_t)npages * PG, MADV_NOHUGEPAGE);
	memset(base, 1, (size_t)npages * PG);	/* mapped, own frames */

	if (pipe(tow) || pipe(fromw))
		die("pipe", errno);
	pid = fork();
	if (pid < 0)
		die("fork", errno);
	if (pid == 0) {
		close(tow[1]);
		close(fromw[0]);
		/* a private mapping is the parent's: write it from outside */
		writer(tow[0], fromw[1], base, getppid(), pvw);
	}
	close(tow[0]);
	close(fromw[1]);

	ret = ooh_open(backend, &t);
	if (ret)
		die("ooh_open", -ret);
	ret = ooh_track(t, 0, base, (size_t)npages * PG);
	if (ret)
		die("ooh_track", -ret);
	ret = ooh_fetch(t, &d);		/* start the first interval */
	if (ret < 0)
		die("ooh_fetch", -ret);

	both = calloc(npages, sizeof(*both));
	other = calloc(npages, sizeof(*other));
	self = calloc(npages, sizeof(*self));
	set = calloc(npages, 1);
	if (!both || !other || !self || !set)
		die("calloc", ENOMEM);

	for (uint32_t r = 1; r <= rounds; r++) {
		uint32_t stamp = rnd();
		uint64_t m[3] = { 0 };

		nb = no = ns = 0;
		memset(set, 0, npages);
		for (uint32_t p = 0; p < npages; p++) {
			switch (rnd() % 8) {
			case 0: case 1: set[p] = SET_BOTH; both[nb++] = p; break;
			case 2: set[p] = SET_OTHER; other[no++] = p; break;
			case 3: set[p] = SET_SELF; self[ns++] = p; break;
			}
		}
		if (other_first) {
			other_write(tow[1], fromw[0], both, nb, stamp);
			self_write(base, both, nb, stamp);
		} else {
			self_write(base, both, nb, stamp);
			other_write(tow[1], fromw[0], both, nb, stamp);
		}
		other_write(tow[1], fromw[0], other, no, stamp);
		self_write(base, self, ns, stamp);

		ret = ooh_fetch(t, &d);
		if (ret < 0)
			die("ooh_fetch", -ret);
		if (d.flags & OOH_FETCH_ALL) {
			overflows++;	/* "everything dirty": nothing missed */
			continue;
		}
		for (size_t i = 0; i < d.nr_pages; i++) {
			uint64_t a = d.pages[i];

			if (a >= (uintptr_t)base &&
			    a < (uintptr_t)base + (size_t)npages * PG)
				set[(a - (uintptr_t)base) / PG] = 0;
		}
		for (uint32_t p = 0; p < npages; p++) {
			if (set[p] == SET_BOTH) m[0]++;
			if (set[p] == SET_OTHER) m[1]++;
			if (set[p] == SET_SELF) m[2]++;
		}
		printf("round %u: written both=%u other=%u self=%u, reported %zu, "
		       "missed both=%" PRIu64 " other=%" PRIu64 " self=%" PRIu64 "\n",
		       r, nb, no, ns, d.nr_pages, m[0], m[1], m[2]);
		for (int k = 0; k < 3; k++)
			missed[k] += m[k];
	}
	close(tow[1]);
	waitpid(pid, NULL, 0);
	ooh_close(t);
	printf("otherw: backend=%s memory=%s order=%s rounds=%u missed=%" PRIu64
	       " (both=%" PRIu64 " other=%" PRIu64 " self=%" PRIu64 ") overflows=%"
	       PRIu64 "\n", backend, memory, order, rounds,
	       missed[0] + missed[1] + missed[2], missed[0], missed[1], missed[2],
	       overflows);
	return missed[0] + missed[1] + missed[2] ? 1 : 0;
}
