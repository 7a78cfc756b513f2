// SPDX-License-Identifier: GPL-2.0-only
/*
 * spml-xenw - writes that no guest CPU store makes must still be
 * reported.  The tracked process (this one) never stores to its tracked
 * pages while tracking; every round, other agents write random page sets
 * of them:
 *
 *   dio   pread(2) with O_DIRECT from the xen-blkfront disk DISK: dom0's
 *         blkback writes the page through a writable grant mapping (the
 *         test domain's backend has persistent grants off, so no guest
 *         CPU copies the data), and Xen marks the frame dirty at the grant
 *         unmap (grant_table.c, gnttab_mark_dirty())
 *   hcall a hypercall output: xen_version(XENVER_extraversion) issued from
 *         this process's context by the test module ooh_hcall.ko
 *         (/dev/ooh-hcall; Linux's privcmd refuses arbitrary hypercalls in
 *         a domU), written by Xen with copy_to_guest() -> __hvm_copy() ->
 *         paging_mark_pfn_dirty()
 *   ufix  io_uring IORING_OP_READ_FIXED with O_DIRECT from DISK into a
 *         registered (long-term pinned) buffer: blkback again, through the
 *         kernel's pin, no fault in this process (libooh OOH_CAP_PINNED_WRITES)
 *   ufixt io_uring READ_FIXED from a tmpfs file into the same registered
 *         buffer: the guest kernel copies through its own mapping
 *
 * Every written page must be reported (reported is a superset).  Pages are
 * touched before tracking so that each is mapped and the reverse map can
 * find its frame; the buffer is mlock()ed (a hypercall output must be
 * present).  Last line:
 *   "xenw: backend=B rounds=R missed=N (dio=.. hcall=.. ufix=.. ufixt=..)
 *    written=W reported=P untouched-reported=U overflows=V"
 * exit 0 iff missed=0 and at least one round was exact (not "everything
 * dirty") and left some untouched page unreported (the test is not
 * vacuous); 1 if a write was missed; 2 on a setup error.
 *
 *   spml-xenw BACKEND DISK PAGES ROUNDS
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include <liburing.h>
#include <linux/types.h>

#include "ooh.h"
#include "spmlt.h"
#include "hostile/ooh_hcall.h"

#define QD 32u

enum { S_NONE, S_DIO, S_HCALL, S_UFIX, S_UFIXT, S_NR };
static const char *const set_name[S_NR] = {
	"untouched", "dio", "hcall", "ufix", "ufixt",
};

static int hcall_fd = -1;

/* Xen writes 16 bytes (xen_extraversion_t) at @dst with copy_to_guest. */
static void hcall_write(void *dst)
{
	if (ioctl(hcall_fd, OOH_HCALL_EXTRAVERSION, (unsigned long)dst) < 0)
		die("OOH_HCALL_EXTRAVERSION (xen_version)", errno);
}

/* READ_FIXED of one page into @dst for each of @n pages; waits for all. */
static void uring_reads(struct io_uring *ring, int fd_index, char *base,
			const uint32_t *pages, uint32_t n, uint32_t nr_blocks)
{
	for (uint32_t i = 0; i < n; i += QD) {
		uint32_t k = n - i < QD ? n - i : QD;

		for (uint32_t j = 0; j < k; j++) {
			struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

			if (!sqe)
				die("io_uring_get_sqe", EBUSY);
			io_uring_prep_read_fixed(sqe, fd_index,
						 base + (size_t)pages[i + j] * PG, PG,
						 (off_t)(rnd() % nr_blocks) * PG, 0);
			sqe->flags |= IOSQE_FIXED_FILE;
		}
		if (io_uring_submit_and_wait(ring, k) < 0)
			die("io_uring_submit_and_wait", errno);
		for (uint32_t j = 0; j < k; j++) {
			struct io_uring_cqe *cqe;
			int rc = io_uring_wait_cqe(ring, &cqe);

			if (rc < 0)
				die("io_uring_wait_cqe", -rc);
			if (cqe->res != (int)PG)
				die("READ_FIXED", cqe->res < 0 ? -cqe->res : EIO);
			io_uring_cqe_seen(ring, cqe);
		}
	}
}

int main(int argc, char **argv)
{
	uint64_t missed[S_NR] = { 0 }, written = 0, reported = 0, spurious = 0;
	uint64_t overflows = 0, exact_rounds = 0;
	uint32_t npages, rounds, nr_blocks, tmp_blocks = 64, *list[S_NR], cnt[S_NR];
	int dio_fd, tmp_fd, fds[2], ret;
	const char *backend, *disk;
	struct ooh_tracker *t;
	struct io_uring ring;
	struct ooh_dirty d;
	struct iovec iov;
	uint8_t *set;
	char *base;
	off_t size;

	if (argc != 5) {
		fprintf(stderr, "usage: spml-xenw BACKEND DISK PAGES ROUNDS\n");
		return 2;
	}
	backend = argv[1];
	disk = argv[2];
	npages = strtoul(argv[3], NULL, 0);
	rounds = strtoul(argv[4], NULL, 0);
	if (npages < 16 || npages > 65536 || !rounds) {
		fprintf(stderr, "spml-xenw: PAGES must be 16..65536, ROUNDS >= 1\n");
		return 2;
	}
	rng ^= (uint64_t)getpid() << 20;

	dio_fd = open(disk, O_RDONLY | O_DIRECT);
	if (dio_fd < 0)
		die(disk, errno);
	size = lseek(dio_fd, 0, SEEK_END);
	if (size < (off_t)PG)
		die("disk size", size < 0 ? errno : ENOSPC);
	nr_blocks = (uint32_t)(size / PG);
	hcall_fd = open(OOH_HCALL_DEV, O_RDWR);
	if (hcall_fd < 0)
		die(OOH_HCALL_DEV " (insmod ooh_hcall.ko)", errno);
	{
		char path[] = "/tmp/spml-xenw.XXXXXX";
		char page[PG];

		tmp_fd = mkstemp(path);
		if (tmp_fd < 0)
			die("mkstemp", errno);
		unlink(path);
		for (uint32_t b = 0; b < tmp_blocks; b++) {
			memset(page, (int)(b + 1), sizeof(page));
			if (write(tmp_fd, page, sizeof(page)) != sizeof(page))
				die("tmpfs file", errno);
		}
	}

	base = mmap(NULL, (size_t)npages * PG, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		die("mmap", errno);
	/* no THP: the reverse map and the sets work in 4 KiB pages */
	madvise(base, (size_t)npages * PG, MADV_NOHUGEPAGE);
	memset(base, 1, (size_t)npages * PG);
	if (mlock(base, (size_t)npages * PG))
		die("mlock", errno);

	ret = io_uring_queue_init(QD, &ring, 0);
	if (ret < 0)
		die("io_uring_queue_init", -ret);
	iov.iov_base = base;
	iov.iov_len = (size_t)npages * PG;
	ret = io_uring_register_buffers(&ring, &iov, 1);	/* FOLL_LONGTERM pin */
	if (ret < 0)
		die("io_uring_register_buffers", -ret);
	fds[0] = dio_fd;
	fds[1] = tmp_fd;
	ret = io_uring_register_files(&ring, fds, 2);
	if (ret < 0)
		die("io_uring_register_files", -ret);

	ret = ooh_open(backend, &t);
	if (ret)
		die("ooh_open", -ret);
	ret = ooh_track(t, 0, base, (size_t)npages * PG);
	if (ret)
		die("ooh_track", -ret);
	ret = ooh_fetch(t, &d);		/* start the first interval */
	if (ret < 0)
		die("ooh_fetch", -ret);

	set = calloc(npages, 1);
	for (int s = 0; s < S_NR; s++)
		list[s] = calloc(npages, sizeof(uint32_t));
	if (!set || !list[S_NR - 1])
		die("calloc", ENOMEM);

	for (uint32_t r = 1; r <= rounds; r++) {
		uint64_t m[S_NR] = { 0 }, spur = 0, wr = 0;

		memset(cnt, 0, sizeof(cnt));
		for (uint32_t p = 0; p < npages; p++) {
			uint32_t s = rnd() % 8;

			set[p] = s < S_NR ? (uint8_t)s : S_NONE;
			if (set[p] != S_NONE) {
				list[set[p]][cnt[set[p]]++] = p;
				wr++;
			}
		}
		for (uint32_t i = 0; i < cnt[S_DIO]; i++)
			if (pread(dio_fd, base + (size_t)list[S_DIO][i] * PG, PG,
				  (off_t)(rnd() % nr_blocks) * PG) != (ssize_t)PG)
				die("pread O_DIRECT", errno ? errno : EIO);
		for (uint32_t i = 0; i < cnt[S_HCALL]; i++)
			hcall_write(base + (size_t)list[S_HCALL][i] * PG + 256);
		uring_reads(&ring, 0, base, list[S_UFIX], cnt[S_UFIX], nr_blocks);
		uring_reads(&ring, 1, base, list[S_UFIXT], cnt[S_UFIXT], tmp_blocks);

		ret = ooh_fetch(t, &d);
		if (ret < 0)
			die("ooh_fetch", -ret);
		written += wr;
		if (d.flags & OOH_FETCH_ALL) {
			overflows++;	/* "everything dirty": nothing missed */
			printf("round %u: everything dirty (overflow)\n", r);
			continue;
		}
		for (size_t i = 0; i < d.nr_pages; i++) {
			uint64_t a = d.pages[i];

			if (a < (uintptr_t)base ||
			    a >= (uintptr_t)base + (size_t)npages * PG)
				continue;
			reported++;
			if (set[(a - (uintptr_t)base) / PG] == S_NONE)
				spur++;
			set[(a - (uintptr_t)base) / PG] = 0xff;
		}
		for (uint32_t p = 0; p < npages; p++)
			if (set[p] != S_NONE && set[p] != 0xff)
				m[set[p]]++;
		printf("round %u: written dio=%u hcall=%u ufix=%u ufixt=%u, "
		       "reported %zu (untouched %" PRIu64 "), missed dio=%" PRIu64
		       " hcall=%" PRIu64 " ufix=%" PRIu64 " ufixt=%" PRIu64 "\n",
		       r, cnt[S_DIO], cnt[S_HCALL], cnt[S_UFIX], cnt[S_UFIXT],
		       d.nr_pages, spur, m[S_DIO], m[S_HCALL], m[S_UFIX],
		       m[S_UFIXT]);
		for (int s = 1; s < S_NR; s++)
			missed[s] += m[s];
		spurious += spur;
		if (spur < npages - wr)
			exact_rounds++;
	}
	ooh_close(t);
	io_uring_queue_exit(&ring);

	uint64_t total = 0;

	for (int s = 1; s < S_NR; s++)
		total += missed[s];
	printf("xenw: backend=%s rounds=%u missed=%" PRIu64, backend, rounds, total);
	for (int s = 1; s < S_NR; s++)
		printf("%s%s=%" PRIu64, s == 1 ? " (" : " ", set_name[s], missed[s]);
	printf(") written=%" PRIu64 " reported=%" PRIu64 " untouched-reported=%"
	       PRIu64 " overflows=%" PRIu64 "\n", written, reported, spurious,
	       overflows);
	if (total)
		return 1;
	if (!exact_rounds) {
		fprintf(stderr, "spml-xenw: no exact round (every fetch reported "
			"everything): the test proved nothing\n");
		return 1;
	}
	return 0;
}
