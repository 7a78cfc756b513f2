/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * spml.c - the spml backend: Intel PML logs shared by a patched Xen
 * (Shadow PML, OoH paper section 4.1) through the guest module
 * guest-uio/ooh_pml.ko on /dev/ooh-spml (include/ooh/spml_uio.h); the
 * consumer of its rings is uio.c's.
 */
#include "internal.h"
#include "ooh/barrier.h"	/* ring.h, through spml_uio.h, needs it first */
#include "ooh/spml_uio.h"

static int spml_probe(void)
{
	return __ooh_uio_probe(OOH_SPML_DEV, "the ooh_pml guest module in a Xen "
			 "guest granted SPML");
}

static int spml_init(struct ooh_tracker *t)
{
	return __ooh_uio_init(t, OOH_SPML_DEV);
}

const struct __ooh_backend __ooh_be_spml = {
	.name = "spml",
	.caps = OOH_UIO_CAPS, .mm_gone = true,
	.probe = spml_probe, .init = spml_init, .track = __ooh_uio_track,
	.collect = __ooh_uio_collect, .stop = __ooh_uio_stop, .fini = __ooh_uio_fini,
};
