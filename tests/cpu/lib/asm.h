/* SPDX-License-Identifier: GPL-2.0-only */
/* asm.h - constants shared by head.S and the C side of the CPU tests. */
#ifndef CPU_TEST_ASM_H
#define CPU_TEST_ASM_H

#define SEL_CODE	0x08
#define SEL_DATA	0x10
#define SEL_TSS		0x18
#define SEL_UCODE	0x2b	/* RPL 3 */
#define SEL_UDATA	0x33	/* RPL 3 */

#define VMCS_HOST_RSP	0x6c14
#define VMCS_HOST_RIP	0x6c16

/* struct guest_regs offsets (lib.h) */
#define GR_RAX	0
#define GR_RBX	8
#define GR_RCX	16
#define GR_RDX	24
#define GR_RBP	32
#define GR_RSI	40
#define GR_RDI	48
#define GR_R8	56
#define GR_R9	64
#define GR_R10	72
#define GR_R11	80
#define GR_R12	88
#define GR_R13	96
#define GR_R14	104
#define GR_R15	112

#endif
