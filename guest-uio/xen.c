// SPDX-License-Identifier: GPL-2.0-only
/*
 * xen.c - the HVMOP_spml hypercalls of ooh_pml.ko (include/ooh/spml.h),
 * below both producers (spml.c, epml.c) and the tracker core.
 */
#include "ooh_pml.h"

int spml_hvmop(u32 cmd, struct ooh_spml_hvm_op *op)
{
	op->version = OOH_SPML_INTERFACE_VERSION;
	op->cmd = cmd;
	op->domain = DOMID_SELF;
	return HYPERVISOR_hvm_op(HVMOP_spml, op);
}

int spml_simple(u32 cmd)
{
	struct ooh_spml_hvm_op op = { 0 };

	return spml_hvmop(cmd, &op);
}

/*
 * The old rearm, kept to measure both side by side (ooh-bench --path):
 * Xen resets the whole p2m at every rearm instead of the frames written.
 */
bool rearm_full;
module_param(rearm_full, bool, 0644);
MODULE_PARM_DESC(rearm_full, "every rearm resets the whole p2m (the old path)");

static bool rearm_no_drain;	/* Xen without OOH_SPML_REARM_DRAIN */

/*
 * OOH_SPML_OP_rearm with @op's u.rearm plus OOH_SPML_REARM_DRAIN: Xen
 * first moves its queue of its own writes to the caller's ring, so the
 * caller needs no drain of its own (it takes its fence after this call).
 * A Xen without the flag (before xen-patches/0015) answers -EINVAL and
 * gets a drain first, from then on.  Both modes' rearms (spml_rearm(),
 * epml_rearm()).
 */
int spml_rearm_drain(struct ooh_spml_hvm_op *op)
{
	int rc;

	if (READ_ONCE(rearm_no_drain))
		spml_simple(OOH_SPML_OP_drain);
	else
		op->u.rearm.flags |= OOH_SPML_REARM_DRAIN;
	rc = spml_hvmop(OOH_SPML_OP_rearm, op);
	if (rc == -EINVAL && (op->u.rearm.flags & OOH_SPML_REARM_LIST_GPA))
		return rc;	/* the newer flag: the caller drops it first */
	if (rc == -EINVAL && (op->u.rearm.flags & OOH_SPML_REARM_DRAIN)) {
		WRITE_ONCE(rearm_no_drain, true);
		spml_simple(OOH_SPML_OP_drain);
		op->u.rearm.flags &= ~OOH_SPML_REARM_DRAIN;
		rc = spml_hvmop(OOH_SPML_OP_rearm, op);
	}
	return rc;
}

/*
 * A SYNC left the rearm out (OOH_SPML_SYNC_NO_REARM): the next rearm
 * resets the whole p2m, not the frames logged since this one.  Written
 * under spml_lock; cleared by a rearm that succeeds.
 */
static bool spml_rearm_need_full;

void spml_rearm_owe_full(void)
{
	WRITE_ONCE(spml_rearm_need_full, true);
}

bool spml_rearm_owed(void)
{
	return READ_ONCE(spml_rearm_need_full);
}

/*
 * OOH_SPML_OP_rearm for PML: Xen flushes every vCPU's PML buffer into its
 * ring and resets the frames it saw logged (spml_rearm_drain()), or the
 * whole p2m when a left-out rearm is owed.
 */
int spml_rearm(void)
{
	struct ooh_spml_hvm_op op = { 0 };
	bool full = READ_ONCE(spml_rearm_need_full);
	int rc;

	if (full || READ_ONCE(rearm_full))
		op.u.rearm.flags = OOH_SPML_REARM_FULL;
	rc = spml_rearm_drain(&op);
	if (rc == -EINVAL && op.u.rearm.flags) {
		/* a Xen whose rearm takes no u.rearm: its only path */
		op.u.rearm.flags = 0;
		rc = spml_hvmop(OOH_SPML_OP_rearm, &op);
	}
	if (!rc && full)
		WRITE_ONCE(spml_rearm_need_full, false);
	return rc;
}

int spml_set_tracking(bool on)
{
	struct ooh_spml_hvm_op op = { .u.tracking.on = on };

	return spml_hvmop(OOH_SPML_OP_set_tracking, &op);
}
