/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * test_uring_fixed - writes the kernel makes through an io_uring
 * registered buffer (IORING_OP_READ_FIXED: a long-term pin, no page-table
 * write fault) are reported, on every backend that tracks the calling
 * process here: the write-protect backends report a registered buffer
 * whole at every fetch while it is registered (ooh_caps(3)).
 *
 * Rounds: register the buffer, READ_FIXED a file into all of it, fetch:
 * every page reported; again with other data; after unregistering,
 * nothing but what the process wrote itself.  Exit 0 pass, 1 fail, 77 if
 * no backend could run it (none works here, or no io_uring).
 */
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ooh.h"
#include "ooh_test.h"

#define NPAGES	64

static unsigned int missing(const struct ooh_dirty *d, const char *buf)
{
	unsigned int miss = 0;

	for (unsigned int i = 0; i < NPAGES; i++) {
		uint64_t a = (uintptr_t)buf + i * PG;
		size_t k;

		for (k = 0; k < d->nr_pages && d->pages[k] != a; k++)
			;
		miss += k == d->nr_pages;
	}
	return miss;
}

static int read_fixed(struct io_uring *r, int fd, char *buf)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(r);
	struct io_uring_cqe *cqe;
	int res;

	io_uring_prep_read_fixed(sqe, fd, buf, NPAGES * PG, 0, 0);
	if (io_uring_submit(r) != 1 || io_uring_wait_cqe(r, &cqe))
		return -EIO;
	res = cqe->res;
	io_uring_cqe_seen(r, cqe);
	return res == (int)(NPAGES * PG) ? 0 : (res < 0 ? res : -EIO);
}

/* 0 pass, 1 fail, 77 no io_uring or the buffer cannot be registered */
static int run(const char *be, int file)
{
	struct iovec iov;
	struct io_uring r;
	struct ooh_tracker *t;
	struct ooh_dirty d;
	int failed = 0;
	char *buf;

	buf = mmap(NULL, NPAGES * PG, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		return 1;
	memset(buf, 0, NPAGES * PG);
	if (io_uring_queue_init(4, &r, 0))
		return 77;
	iov = (struct iovec){ buf, NPAGES * PG };
	if (ooh_open(be, &t) || ooh_track(t, 0, buf, NPAGES * PG) ||
	    ooh_fetch(t, &d) < 0) {
		printf("FAIL: %s: open/track/fetch: %s\n", be, ooh_last_error());
		return 1;
	}
	failed = io_uring_register_buffers(&r, &iov, 1);
	if (failed) {
		/* mprotect: the buffer is read-only until its first write */
		printf("SKIP %s: io_uring_register_buffers: %s\n", be,
		       strerror(-failed));
		ooh_close(t);
		io_uring_queue_exit(&r);
		return 77;
	}
	for (int round = 1; round <= 2; round++) {
		unsigned int miss;

		if (read_fixed(&r, file, buf) || ooh_fetch(t, &d) < 0) {
			printf("FAIL: %s: round %d: READ_FIXED or fetch: %s\n",
			       be, round, ooh_last_error());
			failed = 1;
			continue;
		}
		miss = missing(&d, buf);
		printf("%s %s: round %d: %u of %u pages READ_FIXED into the "
		       "registered buffer not reported\n", miss ? "FAIL" : "PASS",
		       be, round, miss, NPAGES);
		failed |= miss != 0;
	}
	io_uring_unregister_buffers(&r);
	buf[0] = 1;
	if (ooh_fetch(t, &d) < 0 || d.nr_pages < 1 || d.nr_pages >= NPAGES ||
	    (d.flags & OOH_FETCH_ALL)) {
		printf("FAIL: %s: after unregistering: %zu pages reported, want "
		       "only the one written\n", be, d.nr_pages);
		failed = 1;
	}
	ooh_close(t);
	io_uring_queue_exit(&r);
	munmap(buf, NPAGES * PG);
	return failed;
}

int main(void)
{
	const char *const *all = ooh_backends();
	char path[] = "/tmp/ooh-uring-XXXXXX";
	int ran = 0, failed = 0, file;
	char *data;

	setvbuf(stdout, NULL, _IONBF, 0);
	file = mkstemp(path);
	data = malloc(NPAGES * PG);
	if (file < 0 || !data)
		return 1;
	unlink(path);
	memset(data, 0x42, NPAGES * PG);
	if (write(file, data, NPAGES * PG) != (ssize_t)(NPAGES * PG))
		return 1;
	for (size_t i = 0; all[i]; i++) {
		int r;

		if (!ooh_test_tracks_self(all[i]))
			continue;
		r = run(all[i], file);
		if (r == 77)
			continue;
		failed |= r;
		ran++;
	}
	if (!ran) {
		printf("SKIP: no backend tracks the calling process here\n");
		return 77;
	}
	return failed;
}
