/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vmx.h - a minimal VMX environment for the CPU tests: VMXON, one VMCS, a
 * 64-bit guest that shares the test kernel's code, EPT with A/D flags.
 *
 * Guest-physical memory map (EPT, identity unless stated):
 *   0 - 1 GiB             2 MiB leaves, A/D preset (never logged)
 *   DATA_GPA  (16 MiB)    2 MiB of 4 KiB leaves, A/D cleared by ept_rearm():
 *                         data pages 0..510 and the guest page table (511)
 *   LARGE_GPA (18 MiB)    one 2 MiB leaf, A/D cleared by ept_rearm()
 *   BUF_GPA   (20 MiB)    2 MiB of 4 KiB leaves, A/D preset: PML page,
 *                         EPML buffers; ALT_HPA (22 MiB) is a remap target
 *   >= 1 GiB              not mapped (EPT violation)
 * Guest-linear: identity for the low 4 GiB (the host's tables), plus
 * GVA_BASE + i * 4 KiB -> data page (510 - i): GVA != GPA on purpose.
 */
#ifndef CPU_TEST_VMX_H
#define CPU_TEST_VMX_H

#include "lib.h"

#define DATA_GPA	0x1000000ul
#define DATA_PAGES	511u
#define GUEST_PT_GPA	(DATA_GPA + 511 * PAGE_SIZE)
#define LARGE_GPA	0x1200000ul
#define BUF_GPA		0x1400000ul
#define ALT_HPA		0x1600000ul
#define UNMAPPED_GPA	0x40000000ul
#define GVA_BASE	0x8000000000ul

#define data_gpa(i)	(DATA_GPA + (u64)(i) * PAGE_SIZE)
#define data_gva(i)	(GVA_BASE + (u64)(i) * PAGE_SIZE)
#define gva_to_gpa(i)	data_gpa(DATA_PAGES - 1 - (i))

/* VMCS field encodings (SDM vol. 3D appendix B). */
enum {
	GUEST_ES_SEL = 0x800, GUEST_CS_SEL = 0x802, GUEST_SS_SEL = 0x804,
	GUEST_DS_SEL = 0x806, GUEST_FS_SEL = 0x808, GUEST_GS_SEL = 0x80a,
	GUEST_LDTR_SEL = 0x80c, GUEST_TR_SEL = 0x80e,
	GUEST_INTR_STATUS = 0x810, GUEST_PML_INDEX = 0x812,
	HOST_ES_SEL = 0xc00, HOST_CS_SEL = 0xc02, HOST_SS_SEL = 0xc04,
	HOST_DS_SEL = 0xc06, HOST_FS_SEL = 0xc08, HOST_GS_SEL = 0xc0a,
	HOST_TR_SEL = 0xc0c,
	MSR_BITMAP = 0x2004, PML_ADDRESS = 0x200e, VAPIC_PAGE = 0x2012,
	EPT_POINTER = 0x201a,
	EOI_EXIT0 = 0x201c, EOI_EXIT1 = 0x201e, EOI_EXIT2 = 0x2020,
	EOI_EXIT3 = 0x2022,
	GUEST_PHYS_ADDR = 0x2400,
	VMCS_LINK = 0x2800, GUEST_PAT = 0x2804, GUEST_EFER = 0x2806,
	PIN_CTLS = 0x4000, PROC_CTLS = 0x4002, EXC_BITMAP = 0x4004,
	EXIT_CTLS = 0x400c, ENTRY_CTLS = 0x4012, ENTRY_INTR_INFO = 0x4016,
	TPR_THRESHOLD = 0x401c, PROC_CTLS2 = 0x401e,
	VM_INSTR_ERROR = 0x4400, EXIT_REASON = 0x4402,
	EXIT_INTR_INFO = 0x4404, IDT_VECTORING_INFO = 0x4408,
	EXIT_INSTR_LEN = 0x440c,
	GUEST_ES_LIMIT = 0x4800, GUEST_CS_LIMIT = 0x4802,
	GUEST_SS_LIMIT = 0x4804, GUEST_DS_LIMIT = 0x4806,
	GUEST_FS_LIMIT = 0x4808, GUEST_GS_LIMIT = 0x480a,
	GUEST_LDTR_LIMIT = 0x480c, GUEST_TR_LIMIT = 0x480e,
	GUEST_GDTR_LIMIT = 0x4810, GUEST_IDTR_LIMIT = 0x4812,
	GUEST_ES_AR = 0x4814, GUEST_CS_AR = 0x4816, GUEST_SS_AR = 0x4818,
	GUEST_DS_AR = 0x481a, GUEST_FS_AR = 0x481c, GUEST_GS_AR = 0x481e,
	GUEST_LDTR_AR = 0x4820, GUEST_TR_AR = 0x4822,
	GUEST_INTERRUPTIBILITY = 0x4824, GUEST_ACTIVITY = 0x4826,
	GUEST_SYSENTER_CS = 0x482a, HOST_SYSENTER_CS = 0x4c00,
	CR0_MASK = 0x6000, CR4_MASK = 0x6002, CR0_SHADOW = 0x6004,
	CR4_SHADOW = 0x6006,
	EXIT_QUAL = 0x6400, GUEST_LINEAR_ADDR = 0x640a,
	GUEST_CR0 = 0x6800, GUEST_CR3 = 0x6802, GUEST_CR4 = 0x6804,
	GUEST_ES_BASE = 0x6806, GUEST_CS_BASE = 0x6808,
	GUEST_SS_BASE = 0x680a, GUEST_DS_BASE = 0x680c,
	GUEST_FS_BASE = 0x680e, GUEST_GS_BASE = 0x6810,
	GUEST_LDTR_BASE = 0x6812, GUEST_TR_BASE = 0x6814,
	GUEST_GDTR_BASE = 0x6816, GUEST_IDTR_BASE = 0x6818,
	GUEST_DR7 = 0x681a, GUEST_RSP = 0x681c, GUEST_RIP = 0x681e,
	GUEST_RFLAGS = 0x6820, GUEST_PENDING_DBG = 0x6822,
	GUEST_SYSENTER_ESP = 0x6824, GUEST_SYSENTER_EIP = 0x6826,
	HOST_CR0 = 0x6c00, HOST_CR3 = 0x6c02, HOST_CR4 = 0x6c04,
	HOST_FS_BASE = 0x6c06, HOST_GS_BASE = 0x6c08, HOST_TR_BASE = 0x6c0a,
	HOST_GDTR_BASE = 0x6c0c, HOST_IDTR_BASE = 0x6c0e,
	HOST_SYSENTER_ESP = 0x6c10, HOST_SYSENTER_EIP = 0x6c12,
};

/* Exit reasons. */
#define EXIT_VMCALL		18
#define EXIT_ENTRY_FAIL_MSR	34
#define EXIT_EPT_VIOLATION	48
#define EXIT_EPT_MISCONFIG	49
#define EXIT_PML_FULL		62

/* Control bits used here. */
#define PIN_EXT_INTR		(1u << 0)
#define PROC_TPR_SHADOW		(1u << 21)
#define PROC_MSR_BITMAP		(1u << 28)
#define PROC_SECONDARY		(1u << 31)
#define PROC2_EPT		(1u << 1)
#define PROC2_VID		(1u << 9)
#define PROC2_PML		(1u << 17)
#define EXIT_HOST_64		(1u << 9)
#define ENTRY_GUEST_64		(1u << 9)

#define MSR_VMX_BASIC		0x480
#define MSR_VMX_PROCBASED_CTLS2	0x48b
#define MSR_VMX_EPT_VPID_CAP	0x48c

struct guest_regs {
	u64 rax, rbx, rcx, rdx, rbp, rsi, rdi;
	u64 r8, r9, r10, r11, r12, r13, r14, r15;
};

struct vmx_caps {
	u64 basic, proc2, ept_vpid;
};
extern struct vmx_caps vmx_caps;

/* EPT and guest structures the tests inspect or change. */
extern u64 ept_pt_data[512], ept_pt_buf[512], ept_pd[512];
extern u8 vapic_page[4096];
extern u8 msr_bitmap[4096];

u64 vmread(u64 field);
void vmwrite(u64 field, u64 val);

/* VMXON; false if the CPU has no VMX (the caller reports SKIP). */
bool vmx_on(void);
/* Fresh VMCS: EPT with A/D, secondary controls @proc2 (EPT added), VID
 * (and its prerequisites) if @vid. */
bool vmcs_setup(u32 proc2, bool vid);
/* Clear EPT A/D of the data pages, the large page and (if @walk) the guest
 * page-table page; INVEPT. */
void ept_rearm(bool walk);
void invept(void);
/* EPT dirty flag of the leaf mapping @gpa. */
bool ept_dirty(u64 gpa);
/* Let the guest read and write MSR @msr without VM exits. */
void msr_passthrough(u32 msr);

/* Run fn(a0, a1, a2) in the guest; returns the exit reason, or -1 when VM
 * entry failed.  A VMCALL exit means fn returned (its value in regs.rax). */
int guest_call(void *fn, u64 a0, u64 a1, u64 a2);
/* Resume the guest where it exited; same return as guest_call. */
int guest_resume(void);
extern struct guest_regs guest_regs;
/* Reset virtual-interrupt state (RVI/SVI, vIRR/vISR) after a run. */
void vapic_reset(void);

#endif
