// SPDX-License-Identifier: GPL-2.0-only
/*
 * spml-dmop - dom0 half of guest test 28-spml-dm-writes: report guest
 * frames as written by the device model, as QEMU does after its DMA into
 * guest memory while it migrates (emulated IDE/AHCI, e1000, VGA; at other
 * times QEMU reports nothing, hence spml-ioreq): XEN_DMOP_modified_memory
 * through libxendevicemodel.  No guest CPU store happens, so no PML or
 * EPML entry: the frames must reach the SPML rings through Xen's queue of
 * its own writes (xen-patches/0011).
 *
 * Usage: spml-dmop DOMID FIRST_PFN NR   Prints "modified pfn=P nr=N";
 * errors: one line on stderr, exit 1 (2: usage).
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
	unsigned long domid, nr;
	uint64_t pfn;

	if (argc != 4) {
		fprintf(stderr, "usage: spml-dmop DOMID FIRST_PFN NR\n");
		return 2;
	}
	domid = strtoul(argv[1], NULL, 0);
	pfn = strtoull(argv[2], NULL, 0);
	nr = strtoul(argv[3], NULL, 0);
	dm = xendevicemodel_open(NULL, 0);
	if (!dm) {
		fprintf(stderr, "spml-dmop: xendevicemodel_open: %s\n", strerror(errno));
		return 1;
	}
	if (xendevicemodel_modified_memory(dm, (domid_t)domid, pfn, (uint32_t)nr)) {
		fprintf(stderr, "spml-dmop: modified_memory(d%lu, %#llx, %lu): %s\n",
			domid, (unsigned long long)pfn, nr, strerror(errno));
		xendevicemodel_close(dm);
		return 1;
	}
	printf("modified pfn=%llu nr=%lu\n", (unsigned long long)pfn, nr);
	xendevicemodel_close(dm);
	return 0;
}
