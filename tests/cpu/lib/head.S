/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * head.S - multiboot (v1) entry for the bare-metal CPU tests: 32-bit
 * protected mode from the loader, identity-mapped long mode (4 GiB in 2 MiB
 * pages), then setup_cpu() and test_main() in lib.c.  Also the exception
 * stubs, vmx_run() (VM entry/exit glue) and the guest-side stubs.
 */
#include "asm.h"

#define MB_MAGIC	0x1badb002
#define MB_FLAGS	((1 << 1) | (1 << 16))	/* memory info, load fields */

	.section .multiboot, "a"
	.align 4
mb_header:
	.long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)
	.long mb_header, _start, _edata, _end, entry32

	.section .text.entry, "ax"
	.code32
	.globl entry32
entry32:
	cli
	movl	$boot_stack_top, %esp
	/* Zero .bss (the loader does it too; be independent of it). */
	movl	$_edata, %edi
	movl	$_end, %ecx
	subl	%edi, %ecx
	xorl	%eax, %eax
	cld
	rep stosb
	/* PML4[0] -> PDPT, PDPT[0..3] -> 4 PDs of 2 MiB pages: 0-4 GiB. */
	movl	$boot_pdpt, %eax
	orl	$0x7, %eax
	movl	%eax, boot_pml4
	movl	$boot_pd, %edi
	movl	$0x87, %eax		/* P | RW | US | PS */
	xorl	%edx, %edx
	movl	$2048, %ecx
1:	movl	%eax, (%edi)
	movl	%edx, 4(%edi)
	addl	$0x200000, %eax
	adcl	$0, %edx
	addl	$8, %edi
	loop	1b
	movl	$boot_pdpt, %edi
	movl	$boot_pd, %eax
	orl	$0x7, %eax
	movl	$4, %ecx
2:	movl	%eax, (%edi)
	addl	$0x1000, %eax
	addl	$8, %edi
	loop	2b
	/* CR4.PAE, CR3, EFER.LME, CR0.PG: long mode. */
	movl	%cr4, %eax
	orl	$(1 << 5), %eax
	movl	%eax, %cr4
	movl	$boot_pml4, %eax
	movl	%eax, %cr3
	movl	$0xc0000080, %ecx
	rdmsr
	orl	$(1 << 8), %eax
	wrmsr
	movl	%cr0, %eax
	orl	$0x80000021, %eax	/* PG | NE | PE */
	movl	%eax, %cr0
	lgdt	gdt_desc
	ljmp	$SEL_CODE, $entry64

	.code64
entry64:
	movl	$SEL_DATA, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%eax, %fs
	movl	%eax, %gs
	movq	$boot_stack_top, %rsp
	call	setup_cpu
	call	test_main_wrapper
3:	cli
	hlt
	jmp	3b

/* Exception stubs: vector and error code (0 if none) on the stack. */
	.macro	EXC vec
	.align	16
exc_\vec:
	.if	!(\vec == 8 || (\vec >= 10 && \vec <= 14) || \vec == 17 || \vec == 21 || \vec == 29 || \vec == 30)
	pushq	$0
	.endif
	pushq	$\vec
	jmp	exc_common
	.endm

	.globl	exc_stubs
	.align	16
exc_stubs:
	.irp	v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	EXC	\v
	.endr

exc_common:
	pushq	%rax
	pushq	%rcx
	pushq	%rdx
	pushq	%rbx
	pushq	%rbp
	pushq	%rsi
	pushq	%rdi
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsp, %rdi
	call	exception_handler
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rdi
	popq	%rsi
	popq	%rbp
	popq	%rbx
	popq	%rdx
	popq	%rcx
	popq	%rax
	addq	$16, %rsp
	iretq

/*
 * int vmx_run(struct guest_regs *g, int launched)
 * Loads the guest GPRs from *g, VMLAUNCH (launched == 0) or VMRESUME, and
 * on VM exit stores the guest GPRs back.  Returns 0 after a VM exit, 1 if
 * the instruction failed (RFLAGS.CF/ZF; read VM_INSTRUCTION_ERROR).
 */
	.globl	vmx_run
vmx_run:
	pushq	%rbx
	pushq	%rbp
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	pushq	%rdi
	movq	$VMCS_HOST_RSP, %rax
	vmwrite	%rsp, %rax
	movq	$VMCS_HOST_RIP, %rax
	leaq	vmx_exit_point(%rip), %rbx
	vmwrite	%rbx, %rax
	movl	%esi, %r8d
	movq	%rdi, %rax
	movq	GR_RBX(%rax), %rbx
	movq	GR_RCX(%rax), %rcx
	movq	GR_RDX(%rax), %rdx
	movq	GR_RBP(%rax), %rbp
	movq	GR_RSI(%rax), %rsi
	movq	GR_RDI(%rax), %rdi
	movq	GR_R9(%rax), %r9
	movq	GR_R10(%rax), %r10
	movq	GR_R11(%rax), %r11
	movq	GR_R12(%rax), %r12
	movq	GR_R13(%rax), %r13
	movq	GR_R14(%rax), %r14
	movq	GR_R15(%rax), %r15
	testl	%r8d, %r8d
	movq	GR_R8(%rax), %r8
	movq	GR_RAX(%rax), %rax
	jnz	1f
	vmlaunch
	jmp	2f
1:	vmresume
2:	/* VM entry failed: nothing of the guest was loaded. */
	popq	%rdi
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbp
	popq	%rbx
	movl	$1, %eax
	ret

vmx_exit_point:
	xchgq	%rdi, (%rsp)		/* rdi = g, stack slot = guest rdi */
	movq	%rax, GR_RAX(%rdi)
	movq	%rbx, GR_RBX(%rdi)
	movq	%rcx, GR_RCX(%rdi)
	movq	%rdx, GR_RDX(%rdi)
	movq	%rbp, GR_RBP(%rdi)
	movq	%rsi, GR_RSI(%rdi)
	movq	%r8, GR_R8(%rdi)
	movq	%r9, GR_R9(%rdi)
	movq	%r10, GR_R10(%rdi)
	movq	%r11, GR_R11(%rdi)
	movq	%r12, GR_R12(%rdi)
	movq	%r13, GR_R13(%rdi)
	movq	%r14, GR_R14(%rdi)
	movq	%r15, GR_R15(%rdi)
	popq	%rax
	movq	%rax, GR_RDI(%rdi)
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbp
	popq	%rbx
	xorl	%eax, %eax
	ret

/*
 * Guest side.  guest_entry: call *%rax(%rdi, %rsi, %rdx), then VMCALL with
 * the return value in %rax.  guest_isr: the EPML notification handler,
 * calls guest_irq(vector) and returns with IRETQ (no EOI: the host resets
 * the virtual-APIC state between runs).
 */
	.globl	guest_entry
guest_entry:
	call	*%rax
	vmcall
	ud2

	.globl	guest_isr
	.align	16
guest_isr:
	pushq	%rax
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	cld
	call	guest_irq
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rax
	iretq

	.data
	.align	16
gdt:
	.quad	0
	.quad	0x00af9a000000ffff	/* SEL_CODE: 64-bit code */
	.quad	0x00cf92000000ffff	/* SEL_DATA */
	.globl	gdt_tss
gdt_tss:
	.quad	0, 0			/* SEL_TSS: filled by setup_cpu() */
	.quad	0x00affa000000ffff	/* SEL_UCODE: 64-bit code, DPL 3 */
	.quad	0x00cff2000000ffff	/* SEL_UDATA: data, DPL 3 */
gdt_end:
	.globl	gdt_desc
gdt_desc:
	.word	gdt_end - gdt - 1
	.quad	gdt

	.section .bss.pagetables, "aw", @nobits
	.align	4096
boot_pml4:	.skip	4096
boot_pdpt:	.skip	4096
boot_pd:	.skip	4 * 4096
	.globl	boot_pml4, boot_pdpt
	.align	16
boot_stack:	.skip	16384
boot_stack_top:
