// SPDX-License-Identifier: GPL-2.0-only
/*
 * spml-poll - a consumer thread blocked in poll() and read() on its UIO
 * device (include/ooh/spml_uio.h: a supported way to wait) while the
 * tracked writer fills and overflows its 512-entry rings.  The guest
 * module's notifications come from the sched_switch probe, under the
 * runqueue lock; a wakeup made right there could take that lock again and
 * hang the vCPU.  Passing means: every round finishes, the poller was
 * woken, and the process exits (a hang is caught by the guest test's
 * timeout, or by emu-host when the whole domU stops).
 *
 * Usage: spml-poll DEVICE [ROUNDS]   (/dev/ooh-spml or /dev/ooh-epml;
 * default 200 rounds of 1024 pages, each ending with a sleep that switches
 * the writer out, then a SYNC).  Exit 0 pass, 1 fail, 77 no DEVICE.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <ooh/ring.h>
#include <ooh/spml_uio.h>

#include "spmlt.h"

#define NPAGES	1024

static int uio_fd;
static volatile int stop;
static unsigned long wakeups;

static void *poller(void *arg)
{
	struct pollfd p = { .fd = uio_fd, .events = POLLIN };
	uint32_t count;

	while (!stop) {
		int rc = poll(&p, 1, 100);

		if (rc > 0 && read(uio_fd, &count, sizeof(count)) ==
		    sizeof(count))
			wakeups++;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct ooh_spml_track tr = { .nr_entries = 512, .threshold = 1 };
	unsigned int rounds = argc > 2 ? atoi(argv[2]) : 200, r, i;
	unsigned int overflows = 0;
	uint64_t fence[64];
	char path[64], *buf;
	pthread_t th;
	int fd;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc < 2) {
		fprintf(stderr, "usage: spml-poll DEVICE [ROUNDS]\n");
		return 2;
	}
	if (access(argv[1], F_OK)) {
		printf("SKIP: %s: %s\n", argv[1], strerror(errno));
		return 77;
	}
	buf = mmap(NULL, NPAGES * PG, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	tr.pid = getpid();
	fd = open(argv[1], O_RDWR | O_CLOEXEC);
	if (buf == MAP_FAILED || fd < 0 ||
	    ioctl(fd, OOH_SPML_IOC_TRACK, &tr) || tr.nr_vcpus > 64) {
		printf("FAIL: %s: TRACK: %s\n", argv[1], strerror(errno));
		return 1;
	}
	snprintf(path, sizeof(path), "/dev/uio%u", tr.uio_index);
	uio_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (uio_fd < 0 || pthread_create(&th, NULL, poller, NULL)) {
		printf("FAIL: %s: %s: %s\n", argv[1], path, strerror(errno));
		return 1;
	}
	for (r = 0; r < rounds; r++) {
		struct ooh_spml_sync s = {
			.fence_addr = (uintptr_t)fence,
			.nr_vcpus = tr.nr_vcpus,
		};

		for (i = 0; i < NPAGES; i++)
			((volatile char *)buf)[i * PG] += 1;
		usleep(1000);	/* switch out with the poller asleep */
		if (ioctl(fd, OOH_SPML_IOC_SYNC, &s)) {
			printf("FAIL: %s: SYNC round %u: %s\n", argv[1], r,
			       strerror(errno));
			return 1;
		}
		overflows += !!(s.flags & OOH_RING_F_OVERFLOW);
	}
	stop = 1;
	pthread_join(th, NULL);
	printf("%s: %u rounds, %u reported an overflow, poller woken %lu "
	       "times\n", argv[1], rounds, overflows, wakeups);
	if (!wakeups) {
		printf("FAIL: %s: the poller was never woken\n", argv[1]);
		return 1;
	}
	printf("PASS: %s: no hang with a poller on the UIO device\n", argv[1]);
	return 0;
}
