// SPDX-License-Identifier: GPL-2.0-only
/*
 * spml-ioreq - dom0 half of guest test 28-spml-dm-writes: attach and
 * detach a device model the way QEMU does for an HVM guest, by creating
 * an ioreq server for the domain (XEN_DMOP_create_ioreq_server through
 * libxendevicemodel) and destroying it.  Xen must refuse to arm Shadow
 * PML / EPML while the server exists, and end a running tracker's
 * interval as incomplete when one is created (xen-patches/0013).
 *
 * Usage: spml-ioreq DOMID create       prints "created id=N"
 *        spml-ioreq DOMID destroy ID   prints "destroyed id=N"
 * Errors: one line on stderr, exit 1 (2: usage).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define __XEN_TOOLS__ 1	/* HVM_IOREQSRV_BUFIOREQ_OFF, as QEMU sees it */
#include <xendevicemodel.h>
#include <xen/hvm/hvm_op.h>

int main(int argc, char **argv)
{
	xendevicemodel_handle *dm;
	unsigned long domid;
	ioservid_t id = 0;
	int rc;

	if (!(argc == 3 && !strcmp(argv[2], "create")) &&
	    !(argc == 4 && !strcmp(argv[2], "destroy"))) {
		fprintf(stderr, "usage: spml-ioreq DOMID create | DOMID destroy ID\n");
		return 2;
	}
	domid = strtoul(argv[1], NULL, 0);
	dm = xendevicemodel_open(NULL, 0);
	if (!dm) {
		fprintf(stderr, "spml-ioreq: xendevicemodel_open: %s\n", strerror(errno));
		return 1;
	}
	if (argc == 3) {
		rc = xendevicemodel_create_ioreq_server(dm, (domid_t)domid,
							HVM_IOREQSRV_BUFIOREQ_OFF, &id);
	} else {
		id = (ioservid_t)strtoul(argv[3], NULL, 0);
		rc = xendevicemodel_destroy_ioreq_server(dm, (domid_t)domid, id);
	}
	if (rc) {
		fprintf(stderr, "spml-ioreq: %s ioreq server of d%lu: %s\n",
			argv[2], domid, strerror(errno));
		xendevicemodel_close(dm);
		return 1;
	}
	printf("%s id=%u\n", argc == 3 ? "created" : "destroyed", (unsigned int)id);
	xendevicemodel_close(dm);
	return 0;
}
