// SPDX-License-Identifier: GPL-2.0-only
/*
 * gc-ooh-probe - list libooh's backends and whether each works here, one
 * line per backend: "NAME ok" or "NAME unsupported: REASON".  Used by
 * scripts/compare to pick the OOH_VDB configurations to run.
 * Exit status 0 (even if nothing works), 2 on usage errors.
 */
#include <stdio.h>
#include <string.h>

#include "ooh.h"

int main(int argc, char **argv)
{
	const char *const *b;
	int err;

	if (argc != 1) {
		fprintf(stderr, "usage: gc-ooh-probe\n");
		return 2;
	}
	for (b = ooh_backends(); *b; b++) {
		err = ooh_backend_probe(*b);
		if (!err)
			printf("%s ok\n", *b);
		else
			printf("%s unsupported: %s%s%s\n", *b, strerror(-err),
			       *ooh_last_error() ? ": " : "", ooh_last_error());
	}
	return 0;
}
