/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * epml.c - the epml backend: Extended PML (OoH paper section 4.2,
 * bochs-epml/EPML.md), the CPU logging guest-virtual addresses into a
 * guest-owned buffer with no VM exit.  The guest module
 * (guest-uio/ooh_pml.ko) drains each vCPU's EPML buffer into the same
 * per-vCPU rings as SPML's and offers them on /dev/ooh-epml
 * (include/ooh/spml_uio.h, EPML.md 11.3).  The rings then carry the GVAs
 * the CPU logged for the tracked process (OOH_ENTRY_GVA, pages directly,
 * no reverse map) and GPAs for the rest (kernel direct-map writes,
 * OOH_ENTRY_2M for a LARGE entry, whose EPT dirty flag covers 2 MiB),
 * which become pages as SPML's do: the consumer is uio.c's.
 */
#include "internal.h"
#include "ooh/barrier.h"	/* ring.h, through spml_uio.h, needs it first */
#include "ooh/spml_uio.h"

static int epml_probe(void)
{
	return __ooh_uio_probe(OOH_EPML_DEV, "an EPML-capable CPU, Xen with "
			       "HVM_PARAM_EPML set for this domain and the "
			       "ooh_pml guest module");
}

static int epml_init(struct ooh_tracker *t)
{
	return __ooh_uio_init(t, OOH_EPML_DEV);
}

const struct __ooh_backend __ooh_be_epml = {
	.name = "epml",
	.caps = OOH_UIO_CAPS, .mm_gone = true,
	.probe = epml_probe, .init = epml_init, .track = __ooh_uio_track,
	.collect = __ooh_uio_collect, .stop = __ooh_uio_stop,
	.fini = __ooh_uio_fini,
};
