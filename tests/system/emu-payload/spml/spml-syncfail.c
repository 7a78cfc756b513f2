// SPDX-License-Identifier: GPL-2.0-only
/*
 * spml-syncfail - a SYNC that fails after the guest module took the rings'
 * overflow bits and re-armed (include/ooh/spml_uio.h) loses no interval:
 * the next SYNC reports OOH_RING_F_OVERFLOW, and the one after it is exact
 * again.  The failures are real inputs, no injection: a fence array at an
 * unmapped address (the module's copy_to_user of the fences), and the
 * SYNC argument itself in a read-only page (the ioctl's copy-back).
 *
 * Usage: spml-syncfail DEVICE   (/dev/ooh-spml or /dev/ooh-epml)
 * Each case: TRACK the calling process with 512-entry rings; case
 * "overflow" first writes 2048 pages so a ring overflows; then the failing
 * SYNC (EFAULT expected), the next SYNC (overflow expected), one more
 * SYNC (no overflow expected).  Prints PASS/FAIL per check; exit 0, 1, or
 * 77 if DEVICE is missing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <ooh/ring.h>
#include <ooh/spml_uio.h>

#include "spmlt.h"

#define NPAGES	2048

static int failed;

static void check(int ok, const char *dev, const char *what)
{
	printf("%s: %s: %s\n", ok ? "PASS" : "FAIL", dev, what);
	failed |= !ok;
}

static void *rings;		/* the tracker's UIO map 0 */
static uint64_t ring_bytes;

/* SYNC; on success consume every ring up to its fence (the consumer's
 * half of ooh/ring.h: store-release cons), so only new entries remain */
static int sync_once(int fd, uint64_t *fence, uint32_t nr, uint32_t *flags)
{
	struct ooh_spml_sync s = {
		.fence_addr = (uintptr_t)fence, .nr_vcpus = nr,
	};
	int rc = ioctl(fd, OOH_SPML_IOC_SYNC, &s);

	*flags = s.flags;
	if (rc)
		return -errno;
	for (uint32_t v = 0; v < nr; v++) {
		struct ooh_ring_hdr *h = (void *)((char *)rings +
						  v * ring_bytes);

		__atomic_store_n(&h->cons, fence[v], __ATOMIC_RELEASE);
	}
	return 0;
}

static void run_case(const char *dev, char *buf, int overflow, int ro_arg)
{
	struct ooh_spml_track tr = { .pid = getpid(), .nr_entries = 512 };
	uint64_t fence[64];
	struct ooh_spml_sync *ro;
	uint32_t flags;
	char what[160];
	int fd, uio, rc;

	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0 || ioctl(fd, OOH_SPML_IOC_TRACK, &tr) ||
	    tr.nr_vcpus > 64) {
		check(0, dev, "open and TRACK");
		if (fd >= 0)
			close(fd);
		return;
	}
	snprintf(what, sizeof(what), "/dev/uio%u", tr.uio_index);
	uio = open(what, O_RDWR | O_CLOEXEC);
	rings = uio < 0 ? MAP_FAILED : mmap(NULL, tr.map_bytes,
					    PROT_READ | PROT_WRITE, MAP_SHARED,
					    uio, 0);
	if (rings == MAP_FAILED) {
		check(0, dev, "map the rings");
		close(fd);
		return;
	}
	ring_bytes = tr.ring_bytes;
	/* start clean: the first interval holds every armed page */
	sync_once(fd, fence, tr.nr_vcpus, &flags);
	sync_once(fd, fence, tr.nr_vcpus, &flags);

	for (unsigned int i = 0; i < (overflow ? NPAGES : 16); i++)
		((volatile char *)buf)[i * PG] += 1;

	if (ro_arg) {
		ro = mmap(NULL, PG, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		*ro = (struct ooh_spml_sync){ .fence_addr = (uintptr_t)fence,
					      .nr_vcpus = tr.nr_vcpus };
		mprotect(ro, PG, PROT_READ);
		rc = ioctl(fd, OOH_SPML_IOC_SYNC, ro) ? -errno : 0;
		munmap(ro, PG);
	} else {
		rc = sync_once(fd, (uint64_t *)8, tr.nr_vcpus, &flags);
	}
	snprintf(what, sizeof(what), "%s%s: the SYNC fails with EFAULT "
		 "(rc %d)", overflow ? "overflow, " : "",
		 ro_arg ? "read-only argument" : "unmapped fence array", rc);
	check(rc == -EFAULT, dev, what);

	rc = sync_once(fd, fence, tr.nr_vcpus, &flags);
	snprintf(what, sizeof(what), "%s%s: the next SYNC reports an overflow "
		 "(rc %d flags %#x)", overflow ? "overflow, " : "",
		 ro_arg ? "read-only argument" : "unmapped fence array", rc,
		 flags);
	check(rc == 0 && (flags & OOH_RING_F_OVERFLOW), dev, what);

	((volatile char *)buf)[0] += 1;
	rc = sync_once(fd, fence, tr.nr_vcpus, &flags);
	snprintf(what, sizeof(what), "%s%s: the SYNC after that is exact "
		 "(rc %d flags %#x)", overflow ? "overflow, " : "",
		 ro_arg ? "read-only argument" : "unmapped fence array", rc,
		 flags);
	check(rc == 0 && !(flags & OOH_RING_F_OVERFLOW), dev, what);
	munmap(rings, tr.map_bytes);
	close(uio);
	close(fd);
}

int main(int argc, char **argv)
{
	char *buf;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc != 2) {
		fprintf(stderr, "usage: spml-syncfail DEVICE\n");
		return 2;
	}
	if (access(argv[1], F_OK)) {
		printf("SKIP: %s: %s\n", argv[1], strerror(errno));
		return 77;
	}
	buf = mmap(NULL, NPAGES * PG, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (buf == MAP_FAILED)
		return 1;
	for (int overflow = 0; overflow < 2; overflow++)
		for (int ro_arg = 0; ro_arg < 2; ro_arg++)
			run_case(argv[1], buf, overflow, ro_arg);
	return failed;
}
