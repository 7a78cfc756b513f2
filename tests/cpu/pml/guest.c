// SPDX-License-Identifier: GPL-2.0-only
/* guest.c - code the test guests run (same address space as the host). */
#include "tests.h"
#include "vmx.h"
#include "asm.h"

volatile u64 guest_progress;

u64 guest_write(u64 gvas, u64 n, u64 unused)
{
	const u64 *a = (const u64 *)gvas;

	for (u64 i = 0; i < n; i++) {
		*(volatile u64 *)a[i] = 0x5a5a0000 + i + 1;
		guest_progress = i + 1;
	}
	return n;
}

u64 guest_read(u64 gvas, u64 n, u64 unused)
{
	const u64 *a = (const u64 *)gvas;
	u64 sum = 0;

	for (u64 i = 0; i < n; i++)
		sum += *(volatile u64 *)a[i];
	return sum;
}

static u8 user_stack[4096] ALIGNED(16);

static void __attribute__((noreturn, used)) user_main(u64 gvas, u64 n)
{
	guest_write(gvas, n, 0);
	asm volatile("vmcall");
	for (;;)
		;
}

u64 guest_to_user(u64 gvas, u64 n, u64 unused)
{
	/* IRETQ to CPL 3 at user_main(gvas, n); it ends the run with VMCALL. */
	asm volatile("pushq %[ss]; pushq %[rsp]; pushq $2; pushq %[cs]; "
		     "pushq %[rip]; iretq"
		     : : [ss] "i"(SEL_UDATA), [cs] "i"(SEL_UCODE),
		       [rsp] "r"(user_stack + sizeof(user_stack) - 8),
		       [rip] "r"(user_main), "D"(gvas), "S"(n)
		     : "memory");
	__builtin_unreachable();
}

void zero_data_pages(void)
{
	memset((void *)DATA_GPA, 0, (DATA_PAGES) * PAGE_SIZE);
	memset((void *)LARGE_GPA, 0, 0x200000);
}
