// SPDX-License-Identifier: GPL-2.0-only
/*
 * spml-vram - dom0 half of guest test 42-spml-vram: one
 * XEN_DMOP_track_dirty_vram call, as a device model (QEMU's stdvga) makes
 * it for its framebuffer (xendevicemodel.h: "get the dirty bitmap since
 * the last call, set up dirty tracking ... up to the next call").  The
 * first call on a new range reports every frame dirty.
 *
 * Usage: spml-vram DOMID FIRST_PFN NR   (NR 0 stops the tracking)
 * Prints "dirty=B..." (one 0/1 per frame of the range) and exits 0, or
 * one error line (errno from libxendevicemodel) and exits 1.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xendevicemodel.h>

int main(int argc, char **argv)
{
	xendevicemodel_handle *dm;
	unsigned long bitmap[64] = { 0 };
	unsigned long domid, nr;
	uint64_t pfn;

	if (argc != 4) {
		fprintf(stderr, "usage: spml-vram DOMID FIRST_PFN NR\n");
		return 2;
	}
	domid = strtoul(argv[1], NULL, 0);
	pfn = strtoull(argv[2], NULL, 0);
	nr = strtoul(argv[3], NULL, 0);
	if (nr > 64 * 8 * sizeof(long)) {
		fprintf(stderr, "spml-vram: NR %lu > %zu\n", nr, 64 * 8 * sizeof(long));
		return 2;
	}
	dm = xendevicemodel_open(NULL, 0);
	if (!dm) {
		fprintf(stderr, "spml-vram: xendevicemodel_open: %s\n", strerror(errno));
		return 1;
	}
	if (xendevicemodel_track_dirty_vram(dm, (domid_t)domid, pfn, (uint32_t)nr,
					    bitmap)) {
		fprintf(stderr, "spml-vram: track_dirty_vram(d%lu, %#llx, %lu): %s\n",
			domid, (unsigned long long)pfn, nr, strerror(errno));
		xendevicemodel_close(dm);
		return 1;
	}
	printf("dirty=");
	for (unsigned long i = 0; i < nr; i++)
		putchar(bitmap[i / (8 * sizeof(long))] >> (i % (8 * sizeof(long))) & 1 ? '1' : '0');
	putchar('\n');
	xendevicemodel_close(dm);
	return 0;
}
