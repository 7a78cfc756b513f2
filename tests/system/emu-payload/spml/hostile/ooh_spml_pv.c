// SPDX-License-Identifier: GPL-2.0-only
/*
 * ooh_spml_pv.c - test module for tests/system/spml.test, loaded in dom0,
 * a PV domain: every Shadow PML entry point a PV kernel can reach must
 * refuse without touching HVM state (a PV domain's struct arch_domain
 * holds its PV member where HVM state would be).
 *
 *  - HVMOP_spml, every sub-op and a few malformed calls, for DOMID_SELF
 *    and for another domain: -EOPNOTSUPP (public/hvm/spml.h, "not an HVM
 *    domain"), whatever the arguments.
 *  - The EPML MSRs (include/ooh/epml.h): not emulated for PV, so RDMSR and
 *    WRMSR fault (#GP, caught by the *_safe accessors).
 *
 * Parameters:
 *   other=DOMID   a second domain to name in the calls (0: skip those)
 *
 * Output (kernel log), one line per case, then a summary:
 *   ooh_spml_pv: case NAME: rc=R expected=E ok|BAD
 *   ooh_spml_pv: summary pass=P fail=F
 * The module stays loaded (unload it with rmmod); it holds nothing.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include <xen/xen.h>
#include <asm/msr.h>
#include <asm/xen/hypercall.h>

#include <ooh/epml.h>
#include <ooh/spml.h>

static unsigned int other;
module_param(other, uint, 0444);
MODULE_PARM_DESC(other, "another domain's id to name in the calls (0: skip)");

static int npass, nfail;

static void expect(const char *name, u32 arg, long rc, long want)
{
	bool ok = rc == want;

	pr_info("case %s %u: rc=%ld expected=%ld %s\n", name, arg, rc, want,
		ok ? "ok" : "BAD");
	if (ok)
		npass++;
	else
		nfail++;
}

static long spml_call(u32 version, u32 cmd, u16 domain)
{
	struct ooh_spml_hvm_op op;

	memset(&op, 0, sizeof(op));
	op.version = version;
	op.cmd = cmd;
	op.domain = domain;
	if (cmd == OOH_SPML_OP_set_tracking)
		op.u.tracking.on = 1;
	return HYPERVISOR_hvm_op(HVMOP_spml, &op);
}

static void run_hvmop(void)
{
	u32 cmd;

	for (cmd = OOH_SPML_OP_register_ring; cmd <= OOH_SPML_OP_get_stats;
	     cmd++) {
		expect("self cmd", cmd,
		       spml_call(OOH_SPML_INTERFACE_VERSION, cmd, DOMID_SELF),
		       -EOPNOTSUPP);
		if (other)
			expect("other-domain cmd", cmd,
			       spml_call(OOH_SPML_INTERFACE_VERSION, cmd, other),
			       -EOPNOTSUPP);
	}
	expect("unknown cmd", 0,
	       spml_call(OOH_SPML_INTERFACE_VERSION, 0, DOMID_SELF),
	       -EOPNOTSUPP);
	expect("unknown cmd", 99,
	       spml_call(OOH_SPML_INTERFACE_VERSION, 99, DOMID_SELF),
	       -EOPNOTSUPP);
	expect("bad version get_stats", 2,
	       spml_call(2, OOH_SPML_OP_get_stats, DOMID_SELF), -EOPNOTSUPP);
}

static void run_msrs(void)
{
	static const u32 msrs[] = {
		OOH_MSR_IA32_EPML_CTL, OOH_MSR_IA32_EPML_BASE,
		OOH_MSR_IA32_EPML_INDEX,
	};
	unsigned int i;
	u64 val;

	for (i = 0; i < ARRAY_SIZE(msrs); i++) {
		/* rc 0 would mean the MSR exists for a PV domain */
		expect("rdmsr faults", msrs[i], !!rdmsrl_safe(msrs[i], &val),
		       1);
		expect("wrmsr faults", msrs[i], !!wrmsrl_safe(msrs[i], 0), 1);
	}
}

static int __init pv_init(void)
{
	if (!xen_pv_domain()) {
		pr_info("not a PV domain\n");
		return -ENODEV;
	}
	run_hvmop();
	run_msrs();
	pr_info("summary pass=%d fail=%d\n", npass, nfail);
	return 0;
}

static void __exit pv_exit(void)
{
}

module_init(pv_init);
module_exit(pv_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("OoH test: Shadow PML and EPML entry points from a PV kernel");
