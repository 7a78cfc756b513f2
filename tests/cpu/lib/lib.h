/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lib.h - bare-metal test library (XTF / kvm-unit-tests style): console on
 * Bochs's port 0xe9, PASS:/FAIL:/SKIP: per check, a final "Test result:"
 * line, exception reporting, #GP-safe MSR access, shutdown.
 */
#ifndef CPU_TEST_LIB_H
#define CPU_TEST_LIB_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdarg.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

#define PAGE_SIZE	4096ul
#define ALIGNED(x)	__attribute__((aligned(x)))
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Console and results. */
void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vprintk(const char *fmt, va_list ap);
/* report(cond, fmt...): one PASS:/FAIL: line; returns cond. */
bool report(bool cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void report_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Abort the whole run: "Test result: ERROR" and shutdown. */
void __attribute__((noreturn)) panic(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
void __attribute__((noreturn)) shutdown(void);

/* The test's entry point: runs every check. */
void test_main(void);

/* Port I/O, MSRs, control registers. */
static inline void outb(u16 port, u8 v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline u64 rdmsr(u32 idx)
{
	u32 lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(idx));
	return ((u64)hi << 32) | lo;
}

static inline void wrmsr(u32 idx, u64 v)
{
	asm volatile("wrmsr" : : "c"(idx), "a"((u32)v), "d"((u32)(v >> 32))
		     : "memory");
}

/* RDMSR/WRMSR that return the exception vector taken (0: none). */
int rdmsr_safe(u32 idx, u64 *v);
int wrmsr_safe(u32 idx, u64 v);

#define read_cr(n) ({ u64 __v; asm volatile("mov %%cr" #n ", %0" : "=r"(__v)); __v; })
#define write_cr(n, v) asm volatile("mov %0, %%cr" #n : : "r"((u64)(v)) : "memory")

static inline void cpuid(u32 leaf, u32 sub, u32 *a, u32 *b, u32 *c, u32 *d)
{
	asm volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
		     : "a"(leaf), "c"(sub));
}

void *memset(void *s, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);

/* Descriptor tables (lib.c): the IDT is shared by host and guest. */
struct idt_entry {
	u16 off0, sel;
	u8 ist, type;
	u16 off1;
	u32 off2, rsvd;
};
extern struct idt_entry idt[256];
extern u8 gdt_desc[10];
void set_idt_entry(struct idt_entry *t, int vec, void *handler);

/* Exception frame built by head.S exc_common. */
struct exc_frame {
	u64 r15, r14, r13, r12, r11, r10, r9, r8;
	u64 rdi, rsi, rbp, rbx, rdx, rcx, rax;
	u64 vector, error;
	u64 rip, cs, rflags, rsp, ss;
};

#endif
