// SPDX-License-Identifier: GPL-2.0-only
/*
 * pml.c - stock Intel PML (SDM vol. 3C 29.3.6): GPA logging on EPT D 0->1,
 * index decrement, no entry for reads or already-dirty pages, PML-full VM
 * exit 62 before the access, restart after the index is reset.
 */
#include "tests.h"
#include "vmx.h"

static u64 *const pml = (u64 *)BUF_GPA;
static u64 gvas[16];

static void set_gvas(unsigned int first, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		gvas[i] = data_gva(first + i);
}

void test_pml(void)
{
	int r;
	u64 idx;

	if (!((vmx_caps.proc2 >> 32) & PROC2_PML) ||
	    !(vmx_caps.ept_vpid & (1ull << 21))) {
		report_skip("pml: CPU has no PML or no EPT A/D");
		return;
	}
	vmcs_setup(PROC2_PML, false);
	memset(pml, 0, PAGE_SIZE);
	vmwrite(PML_ADDRESS, BUF_GPA);
	vmwrite(GUEST_PML_INDEX, 511);
	zero_data_pages();
	ept_rearm(false);

	/* 1. Three first writes: three GPAs, index 511 -> 508. */
	set_gvas(0, 3);
	r = guest_call(guest_write, (u64)gvas, 3, 0);
	report(r == EXIT_VMCALL, "pml: guest ran to VMCALL (exit %d)", r);
	idx = vmread(GUEST_PML_INDEX);
	report(idx == 508, "pml: index decremented per logged page (511 -> %lu)", idx);
	report(pml[511] == gva_to_gpa(0) && pml[510] == gva_to_gpa(1) &&
	       pml[509] == gva_to_gpa(2),
	       "pml: entries are the written GPAs in order (%lx %lx %lx)",
	       pml[511], pml[510], pml[509]);
	report(pml[508] == 0, "pml: nothing logged beyond the writes");
	report(gva_to_gpa(0) != data_gva(0) && ept_dirty(gva_to_gpa(0)),
	       "pml: entries are GPAs (GVA %lx -> GPA %lx), EPT D set",
	       data_gva(0), gva_to_gpa(0));

	/* 2. Rewrites and reads log nothing. */
	set_gvas(0, 4);
	r = guest_call(guest_write, (u64)gvas, 3, 0);
	r = r == EXIT_VMCALL ? guest_call(guest_read, (u64)gvas, 4, 0) : r;
	idx = vmread(GUEST_PML_INDEX);
	report(r == EXIT_VMCALL && idx == 508,
	       "pml: rewrites of dirty pages and reads log nothing (index %lu)", idx);
	report(!ept_dirty(gva_to_gpa(3)), "pml: a read leaves EPT D clear");
	/* The page read above (translation cached) is then written. */
	set_gvas(3, 1);
	r = guest_call(guest_write, (u64)gvas, 1, 0);
	idx = vmread(GUEST_PML_INDEX);
	report(r == EXIT_VMCALL && idx == 507 && pml[508] == gva_to_gpa(3),
	       "pml: a first write after a read is logged (index %lu, %lx)", idx, pml[508]);

	/* 3. PML full: index 1 leaves room for 2 entries; the third first
	 *    write exits with reason 62 before the access. */
	ept_rearm(false);
	memset(pml, 0, PAGE_SIZE);
	vmwrite(GUEST_PML_INDEX, 1);
	guest_progress = 0;
	set_gvas(10, 4);
	r = guest_call(guest_write, (u64)gvas, 4, 0);
	idx = vmread(GUEST_PML_INDEX);
	report(r == EXIT_PML_FULL, "pml: PML-full VM exit (exit %d, expected 62)", r);
	report(pml[1] == gva_to_gpa(10) && pml[0] == gva_to_gpa(11),
	       "pml: entries 1 and 0 logged before the exit (%lx %lx)", pml[1], pml[0]);
	report(idx == 0xffff, "pml: index wrapped to 0xffff on the exit (%lx)", idx);
	report(guest_progress == 2 && !ept_dirty(gva_to_gpa(12)) &&
	       *(u64 *)gva_to_gpa(12) == 0,
	       "pml: the access that found the log full was not performed "
	       "(progress %lu)", guest_progress);

	/* 4. Reset the index and resume: the write restarts and is logged. */
	vmwrite(GUEST_PML_INDEX, 511);
	r = guest_resume();
	idx = vmread(GUEST_PML_INDEX);
	report(r == EXIT_VMCALL && guest_progress == 4 &&
	       pml[511] == gva_to_gpa(12) && pml[510] == gva_to_gpa(13) && idx == 509,
	       "pml: after the index reset the access restarts and is logged "
	       "(exit %d, %lx %lx, index %lu)", r, pml[511], pml[510], idx);
}
