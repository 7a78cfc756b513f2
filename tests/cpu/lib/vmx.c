// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmx.c - VMXON, VMCS, EPT and guest set-up for the CPU tests (SDM vol. 3C
 * chapters 24-29).  The guest runs the test kernel's own code in 64-bit
 * mode at CPL 0; see vmx.h for the guest-physical memory map.
 */
#include "vmx.h"
#include "asm.h"

struct vmx_caps vmx_caps;
struct guest_regs guest_regs;

static u8 vmxon_region[4096] ALIGNED(4096);
static u8 vmcs_region[4096] ALIGNED(4096);
u8 vapic_page[4096] ALIGNED(4096);
u8 msr_bitmap[4096] ALIGNED(4096);

static u64 ept_pml4[512] ALIGNED(4096);
static u64 ept_pdpt[512] ALIGNED(4096);
u64 ept_pd[512] ALIGNED(4096);
u64 ept_pt_data[512] ALIGNED(4096);
u64 ept_pt_buf[512] ALIGNED(4096);

static u64 guest_pml4[512] ALIGNED(4096);
static u64 guest_pdpt[512] ALIGNED(4096);
static u64 guest_pd[512] ALIGNED(4096);
static u8 guest_stack[16384] ALIGNED(16);

extern u64 boot_pdpt[512];
extern u64 gdt_tss[2];
extern u8 guest_entry[];

#define EPT_RWX		0x7ull
#define EPT_WB		(6ull << 3)
#define EPT_PS		(1ull << 7)
#define EPT_A		(1ull << 8)
#define EPT_D		(1ull << 9)

static bool launched;

u64 vmread(u64 field)
{
	u64 v;

	asm volatile("vmread %1, %0" : "=r"(v) : "r"(field) : "cc");
	return v;
}

void vmwrite(u64 field, u64 val)
{
	u8 fail;

	asm volatile("vmwrite %1, %2; setna %0" : "=q"(fail)
		     : "r"(val), "r"(field) : "cc");
	if (fail)
		panic("VMWRITE %lx := %lx failed (error %lu)", field, val,
		      vmread(VM_INSTR_ERROR));
}

static u32 adjust(u32 msr, u32 want, const char *what)
{
	u64 cap = rdmsr(msr);
	u32 v = (want | (u32)cap) & (u32)(cap >> 32);

	if ((v & want) != want)
		panic("%s: wanted %x, allowed-1 %x", what, want,
		      (u32)(cap >> 32));
	return v;
}

bool vmx_on(void)
{
	u32 a, b, c, d;
	u64 fc, pa;
	u8 fail;

	cpuid(1, 0, &a, &b, &c, &d);
	if (!(c & (1u << 5)))
		return false;
	fc = rdmsr(0x3a);
	if (!(fc & 1))
		wrmsr(0x3a, fc | 5);	/* lock, VMX outside SMX */
	else if (!(fc & 4))
		return false;

	vmx_caps.basic = rdmsr(MSR_VMX_BASIC);
	vmx_caps.proc2 = rdmsr(MSR_VMX_PROCBASED_CTLS2);
	vmx_caps.ept_vpid = rdmsr(MSR_VMX_EPT_VPID_CAP);

	write_cr(0, (read_cr(0) | rdmsr(0x486)) & rdmsr(0x487));
	write_cr(4, ((read_cr(4) | (1u << 13)) | rdmsr(0x488)) & rdmsr(0x489));

	*(u32 *)vmxon_region = (u32)vmx_caps.basic & 0x7fffffff;
	pa = (u64)vmxon_region;
	asm volatile("vmxon %1; setna %0" : "=q"(fail) : "m"(pa) : "cc", "memory");
	if (fail)
		panic("VMXON failed");
	return true;
}

void invept(void)
{
	struct { u64 eptp, rsvd; } desc = { 0, 0 };

	asm volatile("invept %0, %1" : : "m"(desc), "r"(2ul) : "cc", "memory");
}

static void ept_build(void)
{
	memset(ept_pml4, 0, sizeof(ept_pml4));
	memset(ept_pdpt, 0, sizeof(ept_pdpt));
	ept_pml4[0] = (u64)ept_pdpt | EPT_RWX | EPT_A;
	ept_pdpt[0] = (u64)ept_pd | EPT_RWX | EPT_A;
	for (u64 i = 0; i < 512; i++)
		ept_pd[i] = (i << 21) | EPT_RWX | EPT_WB | EPT_PS | EPT_A | EPT_D;
	for (u64 i = 0; i < 512; i++) {
		ept_pt_data[i] = (DATA_GPA + i * PAGE_SIZE) | EPT_RWX | EPT_WB;
		ept_pt_buf[i] = (BUF_GPA + i * PAGE_SIZE) | EPT_RWX | EPT_WB |
				EPT_A | EPT_D;
	}
	ept_pd[DATA_GPA >> 21] = (u64)ept_pt_data | EPT_RWX | EPT_A;
	ept_pd[BUF_GPA >> 21] = (u64)ept_pt_buf | EPT_RWX | EPT_A;
	ept_pd[LARGE_GPA >> 21] &= ~(EPT_A | EPT_D);
}

void ept_rearm(bool walk)
{
	for (unsigned int i = 0; i < 512; i++)
		ept_pt_data[i] &= ~(EPT_A | EPT_D);
	if (!walk)
		ept_pt_data[511] |= EPT_A | EPT_D;
	ept_pd[LARGE_GPA >> 21] &= ~(EPT_A | EPT_D);
	invept();
}

bool ept_dirty(u64 gpa)
{
	u64 e = ept_pd[(gpa >> 21) & 511];

	if (!(e & EPT_PS))
		e = ((u64 *)(e & ~0xfffull))[(gpa >> 12) & 511];
	return e & EPT_D;
}

static void guest_pt_build(void)
{
	u64 *pt = (u64 *)GUEST_PT_GPA;

	memset(guest_pml4, 0, sizeof(guest_pml4));
	memset(guest_pdpt, 0, sizeof(guest_pdpt));
	memset(guest_pd, 0, sizeof(guest_pd));
	guest_pml4[0] = (u64)boot_pdpt | 7;
	guest_pml4[GVA_BASE >> 39] = (u64)guest_pdpt | 7;
	guest_pdpt[0] = (u64)guest_pd | 7;
	guest_pd[0] = GUEST_PT_GPA | 7;
	memset(pt, 0, PAGE_SIZE);
	for (unsigned int i = 0; i < DATA_PAGES; i++)
		pt[i] = gva_to_gpa(i) | 7;
}

void msr_passthrough(u32 msr)
{
	u32 base = msr >= 0xc0000000 ? 0x400 : 0;
	u32 bit = msr & 0x1fff;

	msr_bitmap[base + bit / 8] &= (u8)~(1u << (bit % 8));
	msr_bitmap[0x800 + base + bit / 8] &= (u8)~(1u << (bit % 8));
}

void vapic_reset(void)
{
	memset(vapic_page, 0, sizeof(vapic_page));
	vmwrite(GUEST_INTR_STATUS, 0);
}

/* Guest CS/SS/DS/ES/FS/GS: 64-bit kernel (CPL 0) flat segments. */
static void guest_kernel_segments(void)
{
	vmwrite(GUEST_CS_SEL, SEL_CODE);
	vmwrite(GUEST_CS_AR, 0xa09b);
	vmwrite(GUEST_CS_LIMIT, 0xffffffff);
	vmwrite(GUEST_CS_BASE, 0);
	for (u64 f = 0; f < 6; f++) {
		if (f == 1)
			continue;
		vmwrite(GUEST_ES_SEL + 2 * f, SEL_DATA);
		vmwrite(GUEST_ES_AR + 2 * f, 0xc093);
		vmwrite(GUEST_ES_LIMIT + 2 * f, 0xffffffff);
		vmwrite(GUEST_ES_BASE + 2 * f, 0);
	}
}

bool vmcs_setup(u32 proc2, bool vid)
{
	bool true_ctls = vmx_caps.basic & (1ull << 55);
	struct { u16 limit; u64 base; } __attribute__((packed)) gdtr, idtr;
	u64 tss_base, pa = (u64)vmcs_region;
	u32 pin, proc;
	u8 fail;

	ept_build();
	guest_pt_build();
	memset(msr_bitmap, 0xff, sizeof(msr_bitmap));
	memset(vapic_page, 0, sizeof(vapic_page));

	*(u32 *)vmcs_region = (u32)vmx_caps.basic & 0x7fffffff;
	asm volatile("vmclear %1; setna %0" : "=q"(fail) : "m"(pa) : "cc", "memory");
	if (fail)
		panic("VMCLEAR failed");
	asm volatile("vmptrld %1; setna %0" : "=q"(fail) : "m"(pa) : "cc", "memory");
	if (fail)
		panic("VMPTRLD failed");
	launched = false;

	pin = vid ? PIN_EXT_INTR : 0;
	proc = PROC_MSR_BITMAP | PROC_SECONDARY | (vid ? PROC_TPR_SHADOW : 0);
	proc2 |= PROC2_EPT | (vid ? PROC2_VID : 0);
	vmwrite(PIN_CTLS, adjust(true_ctls ? 0x48d : 0x481, pin, "pin"));
	vmwrite(PROC_CTLS, adjust(true_ctls ? 0x48e : 0x482, proc, "proc"));
	vmwrite(PROC_CTLS2, adjust(MSR_VMX_PROCBASED_CTLS2, proc2, "proc2"));
	vmwrite(EXIT_CTLS, adjust(true_ctls ? 0x48f : 0x483, EXIT_HOST_64, "exit"));
	vmwrite(ENTRY_CTLS, adjust(true_ctls ? 0x490 : 0x484, ENTRY_GUEST_64, "entry"));
	vmwrite(EXC_BITMAP, 0);
	vmwrite(MSR_BITMAP, (u64)msr_bitmap);
	/* EPT: WB, 4-level walk, A/D flags on (bit 6). */
	vmwrite(EPT_POINTER, (u64)ept_pml4 | 6 | (3 << 3) | (1 << 6));
	if (vid) {
		vmwrite(VAPIC_PAGE, (u64)vapic_page);
		vmwrite(TPR_THRESHOLD, 0);
		vmwrite(EOI_EXIT0, 0);
		vmwrite(EOI_EXIT1, 0);
		vmwrite(EOI_EXIT2, 0);
		vmwrite(EOI_EXIT3, 0);
		vmwrite(GUEST_INTR_STATUS, 0);
	}
	vmwrite(CR0_MASK, 0);
	vmwrite(CR4_MASK, 0);
	vmwrite(CR0_SHADOW, read_cr(0));
	vmwrite(CR4_SHADOW, read_cr(4));
	vmwrite(VMCS_LINK, ~0ull);

	asm volatile("sgdt %0" : "=m"(gdtr));
	asm volatile("sidt %0" : "=m"(idtr));
	tss_base = ((gdt_tss[0] >> 16) & 0xffffff) |
		   (((gdt_tss[0] >> 56) & 0xff) << 24) | (gdt_tss[1] << 32);

	/* Host state: this kernel. */
	vmwrite(HOST_CR0, read_cr(0));
	vmwrite(HOST_CR3, read_cr(3));
	vmwrite(HOST_CR4, read_cr(4));
	vmwrite(HOST_CS_SEL, SEL_CODE);
	vmwrite(HOST_SS_SEL, SEL_DATA);
	vmwrite(HOST_DS_SEL, SEL_DATA);
	vmwrite(HOST_ES_SEL, SEL_DATA);
	vmwrite(HOST_FS_SEL, SEL_DATA);
	vmwrite(HOST_GS_SEL, SEL_DATA);
	vmwrite(HOST_TR_SEL, SEL_TSS);
	vmwrite(HOST_FS_BASE, 0);
	vmwrite(HOST_GS_BASE, 0);
	vmwrite(HOST_TR_BASE, tss_base);
	vmwrite(HOST_GDTR_BASE, gdtr.base);
	vmwrite(HOST_IDTR_BASE, idtr.base);
	vmwrite(HOST_SYSENTER_CS, 0);
	vmwrite(HOST_SYSENTER_ESP, 0);
	vmwrite(HOST_SYSENTER_EIP, 0);

	/* Guest state: 64-bit, CPL 0, same descriptors, own page tables. */
	vmwrite(GUEST_CR0, read_cr(0));
	vmwrite(GUEST_CR3, (u64)guest_pml4);
	vmwrite(GUEST_CR4, read_cr(4));
	guest_kernel_segments();
	vmwrite(GUEST_LDTR_SEL, 0);
	vmwrite(GUEST_LDTR_AR, 0x10000);
	vmwrite(GUEST_LDTR_LIMIT, 0);
	vmwrite(GUEST_LDTR_BASE, 0);
	vmwrite(GUEST_TR_SEL, SEL_TSS);
	vmwrite(GUEST_TR_AR, 0x8b);
	vmwrite(GUEST_TR_LIMIT, 0x67);
	vmwrite(GUEST_TR_BASE, tss_base);
	vmwrite(GUEST_GDTR_BASE, gdtr.base);
	vmwrite(GUEST_GDTR_LIMIT, gdtr.limit);
	vmwrite(GUEST_IDTR_BASE, idtr.base);
	vmwrite(GUEST_IDTR_LIMIT, idtr.limit);
	vmwrite(GUEST_DR7, 0x400);
	vmwrite(GUEST_RFLAGS, 0x2);
	vmwrite(GUEST_INTERRUPTIBILITY, 0);
	vmwrite(GUEST_ACTIVITY, 0);
	vmwrite(GUEST_PENDING_DBG, 0);
	vmwrite(GUEST_SYSENTER_CS, 0);
	vmwrite(GUEST_SYSENTER_ESP, 0);
	vmwrite(GUEST_SYSENTER_EIP, 0);
	invept();
	return true;
}

int vmx_run(struct guest_regs *g, int launched);

int guest_resume(void)
{
	if (vmx_run(&guest_regs, launched)) {
		printk("VM entry failed: VM-instruction error %lu\n",
		       vmread(VM_INSTR_ERROR));
		return -1;
	}
	launched = true;
	return (int)(vmread(EXIT_REASON) & 0xffff);
}

int guest_call(void *fn, u64 a0, u64 a1, u64 a2)
{
	memset(&guest_regs, 0, sizeof(guest_regs));
	guest_regs.rax = (u64)fn;
	guest_regs.rdi = a0;
	guest_regs.rsi = a1;
	guest_regs.rdx = a2;
	vmwrite(GUEST_RIP, (u64)guest_entry);
	vmwrite(GUEST_RSP, (u64)(guest_stack + sizeof(guest_stack)));
	vmwrite(GUEST_RFLAGS, 0x2);
	guest_kernel_segments();
	return guest_resume();
}
