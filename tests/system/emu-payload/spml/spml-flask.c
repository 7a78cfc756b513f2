// SPDX-License-Identifier: GPL-2.0-only
/*
 * spml-flask - dom0 half of guest test 12-spml-flask:
 * FLASK's mode and the guest_spml boolean (xen-patches/0008,
 * tools/flask/policy/modules/guest_features.te) through libxenctrl's
 * xc_flask_* calls, as flask-getenforce and flask-set-bool do.
 *
 * Usage: spml-flask getenforce       prints "enforcing=0|1"
 *        spml-flask setbool NAME 0|1  sets and commits NAME, prints
 *                                     "NAME=V"
 * Exit 0, or one error line (errno from libxenctrl: e.g. ENOSYS when Xen
 * runs without FLASK) and exit 1.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenctrl.h>

int main(int argc, char **argv)
{
	xc_interface *xch;
	int rc = 1, v;

	if (!(argc == 2 && !strcmp(argv[1], "getenforce")) &&
	    !(argc == 4 && !strcmp(argv[1], "setbool"))) {
		fprintf(stderr, "usage: spml-flask getenforce | setbool NAME 0|1\n");
		return 2;
	}
	xch = xc_interface_open(NULL, NULL, 0);
	if (!xch) {
		fprintf(stderr, "spml-flask: xc_interface_open: %s\n", strerror(errno));
		return 1;
	}
	if (argc == 2) {
		v = xc_flask_getenforce(xch);
		if (v < 0)
			fprintf(stderr, "spml-flask: getenforce: %s\n", strerror(errno));
		else {
			printf("enforcing=%d\n", v);
			rc = 0;
		}
	} else {
		v = atoi(argv[3]);
		if (xc_flask_setbool(xch, argv[2], v, 1))
			fprintf(stderr, "spml-flask: setbool %s %d: %s\n", argv[2], v,
				strerror(errno));
		else {
			printf("%s=%d\n", argv[2], v);
			rc = 0;
		}
	}
	xc_interface_close(xch);
	return rc;
}
