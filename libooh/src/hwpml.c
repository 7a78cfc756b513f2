/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hwpml.c - the spml and epml backends: rings filled by Xen (SPML) or by
 * the EPML-capable CPU, shared through the guest UIO module.  Until the
 * guest module is present these backends refuse at probe time with the
 * reason; they never return an empty set as success.
 */
#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* Is a UIO device named @name present (/sys/class/uio/uioN/name)? */
static bool uio_present(const char *name)
{
	DIR *d = opendir("/sys/class/uio");
	struct dirent *e;
	bool found = false;

	while (d && !found && (e = readdir(d))) {
		char path[300], buf[64] = "";
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/class/uio/%s/name", e->d_name);
		f = fopen(path, "re");
		if (f && fgets(buf, sizeof(buf), f))
			found = !strncmp(buf, name, strlen(name));
		if (f)
			fclose(f);
	}
	if (d)
		closedir(d);
	return found;
}

static int spml_probe(void)
{
	if (!uio_present("ooh-spml"))
		return __ooh_err(EOPNOTSUPP, "no OoH SPML device (needs the "
				 "ooh_uio guest module in a Xen HVM/PVH guest "
				 "granted SPML)");
	return __ooh_err(EOPNOTSUPP, "spml backend not built in this libooh");
}

static int epml_probe(void)
{
	if (!uio_present("ooh-epml"))
		return __ooh_err(EOPNOTSUPP, "no OoH EPML device (needs an "
				 "EPML-capable CPU and the ooh_uio guest module)");
	return __ooh_err(EOPNOTSUPP, "epml backend not built in this libooh");
}

const struct __ooh_backend __ooh_be_spml = {
	.name = "spml", .caps = OOH_CAP_SELF | OOH_CAP_OTHER,
	.probe = spml_probe,
};

const struct __ooh_backend __ooh_be_epml = {
	.name = "epml", .caps = OOH_CAP_SELF | OOH_CAP_OTHER,
	.probe = epml_probe,
};
