// SPDX-License-Identifier: GPL-2.0-only
/*
 * epml.c - Extended PML (bochs-epml/EPML.md): detection and MSR checks,
 * GVA+GPA entries, guest toggles without VM exits, disabled state, the
 * buffer-full virtual interrupt with the filling write logged, overflow,
 * page-walk and large-page entries, interaction with ordinary PML, bad
 * buffer addresses (EPT violation, restartable) and per-use translation of
 * the buffer address.
 */
#include "tests.h"
#include "vmx.h"
#include <ooh/epml.h>

#define VEC		0x5e

extern u8 guest_isr[];
#define EBUF_GPA	(BUF_GPA + PAGE_SIZE)	/* 1 page, EPT A/D preset */
#define RO_GPA		(BUF_GPA + 2 * PAGE_SIZE)
#define REMAP_GPA	(BUF_GPA + 3 * PAGE_SIZE)

static struct ooh_epml_entry *const ebuf = (void *)EBUF_GPA;
static u64 *const pml = (u64 *)BUF_GPA;
static u64 gvas[16];

/* What the guest does (read by guest code, written by the host). */
static struct job {
	u64 ctl_on;		/* guest WRMSR IA32_EPML_CTL before (0: none) */
	bool disable_after;	/* guest WRMSR IA32_EPML_CTL := 0 after */
	bool sti;		/* writes with RFLAGS.IF = 1 */
	u64 n;			/* pages to write (gvas[]) */
	/* the interrupt handler fills these */
	u64 irqs, irq_vector, irq_index;
	u64 irq_seen[16];	/* value of each page when the irq arrived */
} job;

void guest_irq(void);
void guest_irq(void)
{
	job.irqs++;
	job.irq_index = rdmsr(OOH_MSR_IA32_EPML_INDEX);
	for (u64 i = 0; i < job.n; i++)
		job.irq_seen[i] = *(volatile u64 *)gvas[i];
	/* drain: the host has a copy of the entries via irq_index */
	wrmsr(OOH_MSR_IA32_EPML_INDEX, 0);
}

static u64 guest_epml(u64 unused0, u64 unused1, u64 unused2)
{
	if (job.ctl_on)
		wrmsr(OOH_MSR_IA32_EPML_CTL, job.ctl_on);
	if (job.sti)
		asm volatile("sti; nop" ::: "memory");
	guest_write((u64)gvas, job.n, 0);
	if (job.sti)
		asm volatile("cli" ::: "memory");
	if (job.disable_after)
		wrmsr(OOH_MSR_IA32_EPML_CTL, 0);
	return rdmsr(OOH_MSR_IA32_EPML_INDEX);
}

static bool entry_is(const struct ooh_epml_entry *e, u64 gva, u64 gpa, u64 flags)
{
	return e->gva == (gva | flags) && e->gpa == gpa;
}

/* Host-side reset between checks: EPT armed, buffer zeroed, MSRs set. */
static void prepare(u64 base, u64 index, u64 ctl)
{
	zero_data_pages();
	memset((void *)EBUF_GPA, 0, PAGE_SIZE);
	memset(pml, 0, PAGE_SIZE);
	memset(&job, 0, sizeof(job));
	ept_rearm(false);
	vapic_reset();
	wrmsr(OOH_MSR_IA32_EPML_CTL, 0);
	wrmsr(OOH_MSR_IA32_EPML_BASE, base);
	wrmsr(OOH_MSR_IA32_EPML_INDEX, index);
	wrmsr(OOH_MSR_IA32_EPML_CTL, ctl);
}

static void setup(u32 proc2)
{
	vmcs_setup(proc2, true);
	msr_passthrough(OOH_MSR_IA32_EPML_CTL);
	msr_passthrough(OOH_MSR_IA32_EPML_BASE);
	msr_passthrough(OOH_MSR_IA32_EPML_INDEX);
	set_idt_entry(idt, VEC, guest_isr);
}

static void set_gvas(unsigned int first, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		gvas[i] = data_gva(first + i);
}

static void test_msrs(void)
{
	const u64 ctl = OOH_EPML_CTL(1, VEC, 2);
	u64 v;

	report(wrmsr_safe(OOH_MSR_IA32_EPML_CTL, OOH_EPML_CTL(1, 15, 0)) == 13,
	       "epml: WRMSR CTL with EN and vector < 16 -> #GP");
	report(wrmsr_safe(OOH_MSR_IA32_EPML_CTL, 1ull << 1) == 13 &&
	       wrmsr_safe(OOH_MSR_IA32_EPML_CTL, 1ull << 20) == 13,
	       "epml: WRMSR CTL with reserved bits -> #GP");
	report(wrmsr_safe(OOH_MSR_IA32_EPML_CTL, OOH_EPML_CTL(0, 0, 10)) == 13,
	       "epml: WRMSR CTL with SIZE > 9 -> #GP");
	report(wrmsr_safe(OOH_MSR_IA32_EPML_BASE, EBUF_GPA + 8) == 13 &&
	       wrmsr_safe(OOH_MSR_IA32_EPML_BASE, 1ull << 52) == 13,
	       "epml: WRMSR BASE unaligned or beyond MAXPHYADDR -> #GP");
	report(wrmsr_safe(OOH_MSR_IA32_EPML_INDEX, 1ull << 40) == 13,
	       "epml: WRMSR INDEX with reserved bits -> #GP");
	report(wrmsr_safe(OOH_MSR_IA32_EPML_CTL, ctl) == 0 &&
	       rdmsr_safe(OOH_MSR_IA32_EPML_CTL, &v) == 0 && v == ctl &&
	       wrmsr_safe(OOH_MSR_IA32_EPML_BASE, EBUF_GPA) == 0 &&
	       rdmsr(OOH_MSR_IA32_EPML_BASE) == EBUF_GPA &&
	       wrmsr_safe(OOH_MSR_IA32_EPML_INDEX, OOH_EPML_INDEX_OVF | 7) == 0 &&
	       rdmsr(OOH_MSR_IA32_EPML_INDEX) == (OOH_EPML_INDEX_OVF | 7),
	       "epml: valid CTL/BASE/INDEX values read back");
	wrmsr(OOH_MSR_IA32_EPML_CTL, 0);
	wrmsr(OOH_MSR_IA32_EPML_INDEX, 0);
}

static void test_entries(void)
{
	int r;
	bool ok = true;

	/* Guest enables, writes 3 pages, disables, writes a 4th. */
	setup(0);
	prepare(EBUF_GPA, 0, 0);
	set_gvas(0, 4);
	job.ctl_on = OOH_EPML_CTL(1, VEC, 0);
	job.disable_after = true;
	job.n = 3;
	r = guest_call(guest_epml, 0, 0, 0);
	report(r == EXIT_VMCALL,
	       "epml: guest WRMSR toggles of IA32_EPML_CTL cause no VM exit (exit %d)", r);
	report(guest_regs.rax == 3, "epml: INDEX counts 3 entries (%lu)", guest_regs.rax);
	for (int i = 0; i < 3; i++)
		ok &= entry_is(&ebuf[i], data_gva(i), gva_to_gpa(i),
			       OOH_EPML_E_VALID | OOH_EPML_E_GVA);
	report(ok, "epml: entries hold GVA|VALID|GVA and GPA of each first write "
	       "(%lx/%lx %lx/%lx %lx/%lx)", ebuf[0].gva, ebuf[0].gpa,
	       ebuf[1].gva, ebuf[1].gpa, ebuf[2].gva, ebuf[2].gpa);

	/* Disabled: nothing logged, INDEX unchanged. */
	gvas[0] = data_gva(3);
	job.ctl_on = 0;
	job.n = 1;
	r = guest_call(guest_epml, 0, 0, 0);
	report(r == EXIT_VMCALL && guest_regs.rax == 3 && ebuf[3].gva == 0 &&
	       ept_dirty(gva_to_gpa(3)),
	       "epml: with EN = 0 a first write is not logged (index %lu)",
	       guest_regs.rax);

	/* Enabled by the host before VM entry: MSR values persist. */
	prepare(EBUF_GPA, 0, OOH_EPML_CTL(1, VEC, 0));
	set_gvas(20, 2);
	job.n = 2;
	r = guest_call(guest_epml, 0, 0, 0);
	report(r == EXIT_VMCALL && guest_regs.rax == 2 &&
	       entry_is(&ebuf[1], data_gva(21), gva_to_gpa(21),
			OOH_EPML_E_VALID | OOH_EPML_E_GVA) &&
	       rdmsr(OOH_MSR_IA32_EPML_INDEX) == 2,
	       "epml: host-programmed MSRs persist across VM entry and exit");
	/* Read, then write, the same page in one run. */
	gvas[0] = data_gva(22);
	job.n = 1;
	r = guest_call(guest_read, (u64)gvas, 1, 0);
	r = r == EXIT_VMCALL ? guest_call(guest_epml, 0, 0, 0) : r;
	report(r == EXIT_VMCALL && guest_regs.rax == 3 &&
	       entry_is(&ebuf[2], data_gva(22), gva_to_gpa(22),
			OOH_EPML_E_VALID | OOH_EPML_E_GVA),
	       "epml: a first write after a read of the page is logged (index %lu)",
	       guest_regs.rax);
	set_gvas(20, 2);
	job.n = 2;
	/* Rewrite: already dirty, not logged again. */
	r = guest_call(guest_epml, 0, 0, 0);
	report(r == EXIT_VMCALL && guest_regs.rax == 3,
	       "epml: rewriting dirty pages logs nothing (index %lu)", guest_regs.rax);
	wrmsr(OOH_MSR_IA32_EPML_CTL, 0);
}

static void test_full(void)
{
	u64 ctl = OOH_EPML_CTL(1, VEC, 0), cap = OOH_EPML_CAPACITY(0);
	bool ok;
	int r;

	/* INDEX = cap - 6: the 6th write fills the buffer. */
	setup(0);
	prepare(EBUF_GPA, cap - 6, ctl);
	set_gvas(30, 10);
	job.n = 10;
	job.sti = true;
	r = guest_call(guest_epml, 0, 0, 0);
	report(r == EXIT_VMCALL, "epml: buffer full raises no VM exit (exit %d)", r);
	report(job.irqs == 1 && job.irq_index == cap,
	       "epml: one interrupt, INDEX = capacity %lu when it arrives (irqs %lu, index %lu)",
	       cap, job.irqs, job.irq_index);
	report(entry_is(&ebuf[cap - 1], data_gva(35), gva_to_gpa(35),
			OOH_EPML_E_VALID | OOH_EPML_E_GVA),
	       "epml: the write that filled the buffer is logged in the last entry (%lx/%lx)",
	       ebuf[cap - 1].gva, ebuf[cap - 1].gpa);
	ok = true;
	for (int i = 0; i < 10; i++)
		ok &= (job.irq_seen[i] != 0) == (i <= 5);
	report(ok, "epml: interrupt delivered right after the filling write, before the next one");
	report(guest_regs.rax == 4 &&
	       entry_is(&ebuf[0], data_gva(36), gva_to_gpa(36),
			OOH_EPML_E_VALID | OOH_EPML_E_GVA) &&
	       entry_is(&ebuf[3], data_gva(39), gva_to_gpa(39),
			OOH_EPML_E_VALID | OOH_EPML_E_GVA),
	       "epml: after the handler's drain logging restarts at entry 0 (index %lu)",
	       guest_regs.rax);
	r = (int)(vmread(GUEST_INTR_STATUS) >> 8);
	report(r == VEC, "epml: the interrupt was delivered with the guest's vector (SVI %x)", r);

	/* Interrupts masked: the buffer fills, later events set OVF. */
	prepare(EBUF_GPA, cap - 2, ctl);
	set_gvas(40, 4);
	job.n = 4;
	r = guest_call(guest_epml, 0, 0, 0);
	report(r == EXIT_VMCALL && job.irqs == 0 &&
	       guest_regs.rax == (OOH_EPML_INDEX_OVF | cap) &&
	       entry_is(&ebuf[cap - 1], data_gva(41), gva_to_gpa(41),
			OOH_EPML_E_VALID | OOH_EPML_E_GVA),
	       "epml: full with IF = 0: filling write logged, later ones set OVF (index %lx)",
	       guest_regs.rax);
	r = (int)(vmread(GUEST_INTR_STATUS) & 0xff);
	report(r == VEC && ((*(u32 *)&vapic_page[0x200 + (VEC / 32) * 16] >> (VEC % 32)) & 1),
	       "epml: the notification is pending in RVI/VIRR (RVI %x)", r);
	wrmsr(OOH_MSR_IA32_EPML_CTL, 0);
	vapic_reset();
}

static void test_walk_large(void)
{
	u64 ctl = OOH_EPML_CTL(1, VEC, 0);
	int r;

	setup(0);
	prepare(EBUF_GPA, 0, ctl);
	ept_rearm(true);
	set_gvas(50, 1);
	job.n = 1;
	r = guest_call(guest_epml, 0, 0, 0);
	report(r == EXIT_VMCALL && guest_regs.rax == 2 &&
	       entry_is(&ebuf[0], 0, GUEST_PT_GPA, OOH_EPML_E_VALID | OOH_EPML_E_WALK) &&
	       entry_is(&ebuf[1], data_gva(50), gva_to_gpa(50),
			OOH_EPML_E_VALID | OOH_EPML_E_GVA),
	       "epml: guest page-walk update logged as WALK without GVA, then the data page "
	       "(%lx/%lx %lx/%lx)", ebuf[0].gva, ebuf[0].gpa, ebuf[1].gva, ebuf[1].gpa);

	prepare(EBUF_GPA, 0, ctl);
	gvas[0] = LARGE_GPA + 0x3000;
	gvas[1] = LARGE_GPA + 0x5000;
	job.n = 2;
	r = guest_call(guest_epml, 0, 0, 0);
	report(r == EXIT_VMCALL && guest_regs.rax == 1 &&
	       entry_is(&ebuf[0], LARGE_GPA + 0x3000, LARGE_GPA + 0x3000,
			OOH_EPML_E_VALID | OOH_EPML_E_GVA | OOH_EPML_E_LARGE),
	       "epml: write to a 2 MiB EPT page logged once with LARGE (index %lu, %lx/%lx)",
	       guest_regs.rax, ebuf[0].gva, ebuf[0].gpa);
	wrmsr(OOH_MSR_IA32_EPML_CTL, 0);
}

static void test_user(void)
{
	u64 ctl = OOH_EPML_CTL(1, VEC, 0), f = OOH_EPML_E_VALID | OOH_EPML_E_GVA;
	int r;

	setup(0);
	prepare(EBUF_GPA, 0, ctl);
	set_gvas(100, 2);
	r = guest_call(guest_to_user, (u64)gvas, 2, 0);
	report(r == EXIT_VMCALL && (vmread(GUEST_CS_SEL) & 3) == 3 &&
	       rdmsr(OOH_MSR_IA32_EPML_INDEX) == 2 &&
	       entry_is(&ebuf[0], data_gva(100), gva_to_gpa(100), f | OOH_EPML_E_USER) &&
	       entry_is(&ebuf[1], data_gva(101), gva_to_gpa(101), f | OOH_EPML_E_USER),
	       "epml: writes at CPL 3 carry USER (%lx/%lx)", ebuf[0].gva, ebuf[0].gpa);
	/* Same pages from CPL 0 after re-arming: GVA without USER. */
	prepare(EBUF_GPA, 0, ctl);
	set_gvas(100, 1);
	job.n = 1;
	r = guest_call(guest_epml, 0, 0, 0);
	report(r == EXIT_VMCALL && entry_is(&ebuf[0], data_gva(100), gva_to_gpa(100), f),
	       "epml: a CPL 0 write to the same user page has no USER (%lx)", ebuf[0].gva);
	wrmsr(OOH_MSR_IA32_EPML_CTL, 0);
}

static void test_conditions(void)
{
	u64 ctl = OOH_EPML_CTL(1, VEC, 0), cap = OOH_EPML_CAPACITY(0);
	u64 f = OOH_EPML_E_VALID | OOH_EPML_E_GVA;
	int r;

	/* EPT A/D flags off (EPTP bit 6): EPML does nothing. */
	setup(0);
	vmwrite(EPT_POINTER, vmread(EPT_POINTER) & ~(1ull << 6));
	prepare(EBUF_GPA, 0, ctl);
	set_gvas(110, 2);
	job.n = 2;
	r = guest_call(guest_epml, 0, 0, 0);
	report(r == EXIT_VMCALL && guest_regs.rax == 0 && ebuf[0].gva == 0,
	       "epml: with EPT A/D flags off nothing is logged (index %lu)", guest_regs.rax);

	/* No virtual-interrupt delivery: no notification, then OVF. */
	vmcs_setup(0, false);
	msr_passthrough(OOH_MSR_IA32_EPML_CTL);
	msr_passthrough(OOH_MSR_IA32_EPML_BASE);
	msr_passthrough(OOH_MSR_IA32_EPML_INDEX);
	prepare(EBUF_GPA, cap - 1, ctl);
	set_gvas(112, 2);
	job.n = 2;
	job.sti = true;
	r = guest_call(guest_epml, 0, 0, 0);
	report(r == EXIT_VMCALL && job.irqs == 0 &&
	       guest_regs.rax == (OOH_EPML_INDEX_OVF | cap) &&
	       entry_is(&ebuf[cap - 1], data_gva(112), gva_to_gpa(112), f),
	       "epml: without virtual-interrupt delivery: filling entry logged, no "
	       "interrupt, then OVF (index %lx)", guest_regs.rax);

	/* SIZE = 1 (two pages, 512 entries) whose second page EPT maps to an
	 * unrelated host frame: entries 255 and 256 land in different frames. */
	setup(0);
	memset((void *)(BUF_GPA + 4 * PAGE_SIZE), 0, PAGE_SIZE);
	memset((void *)(ALT_HPA + 5 * PAGE_SIZE), 0, PAGE_SIZE);
	ept_pt_buf[5] = (ept_pt_buf[5] & 0xfff) | (ALT_HPA + 5 * PAGE_SIZE);
	invept();
	prepare(BUF_GPA + 4 * PAGE_SIZE, 255, OOH_EPML_CTL(1, VEC, 1));
	set_gvas(114, 2);
	job.n = 2;
	r = guest_call(guest_epml, 0, 0, 0);
	report(r == EXIT_VMCALL && guest_regs.rax == 257 &&
	       entry_is((void *)(BUF_GPA + 4 * PAGE_SIZE + 255 * 16), data_gva(114),
			gva_to_gpa(114), f) &&
	       entry_is((void *)(ALT_HPA + 5 * PAGE_SIZE), data_gva(115),
			gva_to_gpa(115), f),
	       "epml: a 2-page buffer is translated page by page (index %lu)",
	       guest_regs.rax);
	ept_pt_buf[5] = (ept_pt_buf[5] & 0xfff) | (BUF_GPA + 5 * PAGE_SIZE);
	invept();
	wrmsr(OOH_MSR_IA32_EPML_CTL, 0);
}

static void test_with_pml(void)
{
	u64 ctl = OOH_EPML_CTL(1, VEC, 0), idx;
	int r;

	setup(PROC2_PML);
	vmwrite(PML_ADDRESS, BUF_GPA);
	vmwrite(GUEST_PML_INDEX, 511);
	prepare(EBUF_GPA, 0, ctl);
	/* The EPML buffer page starts clean: PML must log it, EPML must not. */
	ept_pt_buf[1] &= ~(3ull << 8);
	invept();
	set_gvas(60, 3);
	job.n = 3;
	r = guest_call(guest_epml, 0, 0, 0);
	idx = vmread(GUEST_PML_INDEX);
	report(r == EXIT_VMCALL && guest_regs.rax == 3 &&
	       entry_is(&ebuf[2], data_gva(62), gva_to_gpa(62),
			OOH_EPML_E_VALID | OOH_EPML_E_GVA),
	       "epml+pml: EPML logs every write with PML on (index %lu)", guest_regs.rax);
	report(idx == 507 && pml[511] == gva_to_gpa(60) && pml[510] == EBUF_GPA &&
	       pml[509] == gva_to_gpa(61) && pml[508] == gva_to_gpa(62),
	       "epml+pml: PML logs the same GPAs plus the EPML buffer page "
	       "(index %lu: %lx %lx %lx %lx)", idx, pml[511], pml[510], pml[509], pml[508]);

	/* PML full first: the access exits with 62, EPML logs nothing yet;
	 * after the restart both log it once. */
	prepare(EBUF_GPA, 0, ctl);
	vmwrite(GUEST_PML_INDEX, 0);
	set_gvas(70, 2);
	job.n = 2;
	r = guest_call(guest_epml, 0, 0, 0);
	report(r == EXIT_PML_FULL && rdmsr(OOH_MSR_IA32_EPML_INDEX) == 1 &&
	       ebuf[1].gva == 0,
	       "epml+pml: PML-full exit comes before EPML logs the access (exit %d, index %lu)",
	       r, rdmsr(OOH_MSR_IA32_EPML_INDEX));
	vmwrite(GUEST_PML_INDEX, 511);
	r = guest_resume();
	report(r == EXIT_VMCALL && guest_regs.rax == 2 &&
	       entry_is(&ebuf[1], data_gva(71), gva_to_gpa(71),
			OOH_EPML_E_VALID | OOH_EPML_E_GVA),
	       "epml+pml: the restarted access is logged once by EPML (index %lu)",
	       guest_regs.rax);
	wrmsr(OOH_MSR_IA32_EPML_CTL, 0);
}

static void test_bad_buffer(void)
{
	u64 ctl = OOH_EPML_CTL(1, VEC, 0), q, gpa;
	int r;

	setup(0);
	/* Buffer in unmapped guest-physical space. */
	prepare(UNMAPPED_GPA, 5, ctl);
	set_gvas(80, 1);
	job.n = 1;
	r = guest_call(guest_epml, 0, 0, 0);
	q = vmread(EXIT_QUAL);
	gpa = vmread(GUEST_PHYS_ADDR);
	report(r == EXIT_EPT_VIOLATION && gpa == UNMAPPED_GPA + 5 * 16 &&
	       (q & (1 << 1)) && !(q & (1 << 7)),
	       "epml: unmapped buffer -> EPT violation at the entry address, "
	       "data write, no linear address (exit %d, gpa %lx, qual %lx)", r, gpa, q);
	report(!ept_dirty(gva_to_gpa(80)) && *(u64 *)gva_to_gpa(80) == 0 &&
	       rdmsr(OOH_MSR_IA32_EPML_INDEX) == 5,
	       "epml: the access was not performed and INDEX is unchanged");
	wrmsr(OOH_MSR_IA32_EPML_BASE, EBUF_GPA);
	r = guest_resume();
	report(r == EXIT_VMCALL && guest_regs.rax == 6 &&
	       entry_is(&ebuf[5], data_gva(80), gva_to_gpa(80),
			OOH_EPML_E_VALID | OOH_EPML_E_GVA),
	       "epml: after the fix the access restarts and is logged (exit %d)", r);

	/* Buffer page mapped read-only by EPT. */
	prepare(RO_GPA, 0, ctl);
	ept_pt_buf[2] &= ~2ull;
	invept();
	set_gvas(81, 1);
	job.n = 1;
	r = guest_call(guest_epml, 0, 0, 0);
	q = vmread(EXIT_QUAL);
	gpa = vmread(GUEST_PHYS_ADDR);
	report(r == EXIT_EPT_VIOLATION && gpa == RO_GPA && (q & 2) && (q & 8) &&
	       !(q & 16),
	       "epml: read-only buffer -> EPT violation, write to a readable page "
	       "(exit %d, qual %lx)", r, q);
	ept_pt_buf[2] |= 2;
	invept();
	r = guest_resume();
	report(r == EXIT_VMCALL && guest_regs.rax == 1 &&
	       entry_is((void *)RO_GPA, data_gva(81), gva_to_gpa(81),
			OOH_EPML_E_VALID | OOH_EPML_E_GVA),
	       "epml: made writable, the access restarts and is logged (exit %d)", r);
	wrmsr(OOH_MSR_IA32_EPML_CTL, 0);
}

static void test_remap(void)
{
	u64 ctl = OOH_EPML_CTL(1, VEC, 0);
	struct ooh_epml_entry *old = (void *)REMAP_GPA, *alt = (void *)ALT_HPA;
	int r;

	setup(0);
	memset((void *)REMAP_GPA, 0, PAGE_SIZE);
	memset((void *)ALT_HPA, 0, PAGE_SIZE);
	prepare(REMAP_GPA, 0, ctl);
	set_gvas(90, 1);
	job.n = 1;
	r = guest_call(guest_epml, 0, 0, 0);
	/* The VMM moves the buffer's frame (as ballooning/migration would). */
	ept_pt_buf[3] = (ept_pt_buf[3] & 0xfff) | ALT_HPA;
	invept();
	gvas[0] = data_gva(91);
	r = r == EXIT_VMCALL ? guest_call(guest_epml, 0, 0, 0) : r;
	report(r == EXIT_VMCALL &&
	       entry_is(&old[0], data_gva(90), gva_to_gpa(90),
			OOH_EPML_E_VALID | OOH_EPML_E_GVA) && old[1].gva == 0 &&
	       entry_is(&alt[1], data_gva(91), gva_to_gpa(91),
			OOH_EPML_E_VALID | OOH_EPML_E_GVA),
	       "epml: the buffer GPA is translated at each use: after an EPT remap "
	       "entries land in the new frame");
	ept_pt_buf[3] = (ept_pt_buf[3] & 0xfff) | REMAP_GPA;
	invept();
	wrmsr(OOH_MSR_IA32_EPML_CTL, 0);
}

void test_epml(void)
{
	u64 v;
	int vec;

	if (!(vmx_caps.ept_vpid & OOH_VMX_EPT_VPID_CAP_EPML)) {
		vec = rdmsr_safe(OOH_MSR_IA32_EPML_CTL, &v);
		report(vec == 13,
		       "epml: without the capability bit the EPML MSRs raise #GP (vector %d)",
		       vec);
		report_skip("epml: IA32_VMX_EPT_VPID_CAP[31] clear, CPU has no EPML");
		return;
	}
	if (!((vmx_caps.proc2 >> 32) & PROC2_VID)) {
		report_skip("epml: no virtual-interrupt delivery");
		return;
	}
	test_msrs();
	test_entries();
	test_full();
	test_walk_large();
	test_user();
	test_conditions();
	test_with_pml();
	test_bad_buffer();
	test_remap();
}
