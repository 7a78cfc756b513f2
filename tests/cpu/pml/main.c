// SPDX-License-Identifier: GPL-2.0-only
/*
 * tests/cpu/pml - stock PML (SDM vol. 3C 29.3.6) and EPML
 * (bochs-epml/EPML.md) in one boot: a 64-bit guest writes chosen pages and
 * the host checks every log entry, the indices, the notifications and the
 * VM exits.  EPML checks SKIP on a CPU without IA32_VMX_EPT_VPID_CAP[31].
 */
#include "lib.h"
#include "vmx.h"
#include "tests.h"

void test_main(void)
{
	printk("cpu-tests: PML and EPML (bochs-epml/EPML.md)\n");
	if (!vmx_on()) {
		report_skip("vmx: CPU has no VMX");
		return;
	}
	printk("vmx: basic %lx proc2 %lx ept_vpid_cap %lx\n", vmx_caps.basic,
	       vmx_caps.proc2, vmx_caps.ept_vpid);
	test_pml();
	test_epml();
}
