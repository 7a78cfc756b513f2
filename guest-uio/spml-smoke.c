// SPDX-License-Identifier: GPL-2.0-only
/*
 * spml-smoke - end-to-end check of SPML inside a Xen PVH/HVM domU: track
 * ourselves through /dev/ooh-spml (ooh/spml_uio.h), write a known set of
 * pages per round, SYNC, and compare the GPAs in our rings (converted with
 * /proc/self/pagemap) with the pages written.  Prints per round: written,
 * reported, missed; exit 0 if no round missed a page, 77 if SPML is not
 * available (module not loaded, not granted), 1 otherwise.
 * Usage: spml-smoke [PAGES [ROUNDS]]
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <ooh/barrier.h>
#include <ooh/ring.h>
#include <ooh/spml_uio.h>

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	size_t pages = argc > 1 ? strtoul(argv[1], NULL, 0) : 256;
	int rounds = argc > 2 ? atoi(argv[2]) : 5;
	long psz = sysconf(_SC_PAGESIZE);
	struct ooh_spml_track t = { .pid = getpid(), .nr_entries = 8192 };
	char path[64];
	int fd, ufd, pm, r, bad = 0;
	uint8_t *buf, *base;
	uint64_t *fence, *gpas, *pfn;
	size_t ngpa, cap = 1 << 20;

	fd = open(OOH_SPML_DEV, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		printf("SKIP: %s: %s\n", OOH_SPML_DEV, strerror(errno));
		return 77;
	}
	if (ioctl(fd, OOH_SPML_IOC_TRACK, &t)) {
		int e = errno;

		printf("%s: TRACK: %s\n", e == EPERM || e == EOPNOTSUPP ?
		       "SKIP" : "FAIL", strerror(e));
		return e == EPERM || e == EOPNOTSUPP ? 77 : 1;
	}
	printf("tracker: /dev/uio%u, %u vCPU rings of %u entries, map %" PRIu64
	       " bytes\n", t.uio_index, t.nr_vcpus, t.nr_entries, t.map_bytes);
	snprintf(path, sizeof(path), "/dev/uio%u", t.uio_index);
	ufd = open(path, O_RDWR | O_CLOEXEC);
	if (ufd < 0) {
		printf("FAIL: open %s: %s\n", path, strerror(errno));
		return 1;
	}
	base = mmap(NULL, t.map_bytes, PROT_READ | PROT_WRITE, MAP_SHARED,
		    ufd, 0);
	if (base == MAP_FAILED) {
		printf("FAIL: mmap %s: %s\n", path, strerror(errno));
		return 1;
	}
	pm = open("/proc/self/pagemap", O_RDONLY);
	buf = mmap(NULL, pages * psz, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	fence = calloc(t.nr_vcpus, 8);
	gpas = malloc(cap * 8);
	pfn = malloc(pages * 8);
	if (pm < 0 || buf == MAP_FAILED || !fence || !gpas || !pfn) {
		printf("FAIL: setup: %s\n", strerror(errno));
		return 1;
	}
	memset(buf, 1, pages * psz);

	for (r = 0; r <= rounds; r++) {
		struct ooh_spml_sync s = { .fence_addr = (uintptr_t)fence,
					   .nr_vcpus = t.nr_vcpus };
		size_t i, written = 0, reported = 0, missed = 0;
		int overflow = 0;
		unsigned int v;

		/* round 0 only opens the first interval */
		for (i = 0; r && i < pages; i++)
			if ((i + r) % 3 != 0) {
				buf[i * psz + (r % 64)] = (uint8_t)r;
				written++;
			}
		if (ioctl(fd, OOH_SPML_IOC_SYNC, &s)) {
			printf("FAIL: round %d: SYNC: %s\n", r, strerror(errno));
			return 1;
		}
		ngpa = 0;
		overflow = !!(s.flags & OOH_RING_F_OVERFLOW);
		for (v = 0; v < t.nr_vcpus; v++) {
			struct ooh_ring_hdr *h =
				(void *)(base + v * t.ring_bytes);
			uint64_t *e = ooh_ring_entries(h);
			uint64_t c = h->cons, p = fence[v];

			if (h->flags & OOH_RING_F_DISARMED) {
				printf("FAIL: round %d: ring %u disarmed\n",
				       r, v);
				return 1;
			}
			for (; c != p; c++) {
				uint64_t x = e[c & (h->nr_entries - 1)];

				if (ngpa < cap)
					gpas[ngpa++] = x & OOH_ENTRY_GVA ?
						(x & OOH_ENTRY_ADDR_MASK) |
						1 : x & OOH_ENTRY_ADDR_MASK;
			}
			ooh_smp_store_release(&h->cons, c);
		}
		qsort(gpas, ngpa, 8, cmp_u64);
		if (pread(pm, pfn, pages * 8, (uintptr_t)buf / psz * 8) !=
		    (ssize_t)(pages * 8)) {
			printf("FAIL: pagemap: %s\n", strerror(errno));
			return 1;
		}
		for (i = 0; r && i < pages; i++) {
			uint64_t gpa = (pfn[i] & ((1ull << 55) - 1)) * psz;
			uint64_t gva = ((uintptr_t)buf + i * psz) | 1;
			int hit = bsearch(&gpa, gpas, ngpa, 8, cmp_u64) ||
				  bsearch(&gva, gpas, ngpa, 8, cmp_u64);

			if (hit)
				reported++;
			else if ((i + r) % 3 != 0 && !overflow)
				missed++;
		}
		printf("round %d: written %zu, entries %zu, reported %zu of "
		       "buffer, missed %zu%s\n", r, written, ngpa, reported,
		       missed, overflow ? " (overflow: all dirty)" : "");
		if (missed)
			bad = 1;
	}
	printf("%s: %d rounds, %zu pages\n", bad ? "FAIL" : "PASS", rounds,
	       pages);
	return bad;
}
