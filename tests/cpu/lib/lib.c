// SPDX-License-Identifier: GPL-2.0-only
/*
 * lib.c - console, results, exception handling and CPU setup for the
 * bare-metal CPU tests.  Output goes to port 0xe9 (Bochs "port_e9_hack").
 */
#include "lib.h"
#include "asm.h"

static unsigned int nr_pass, nr_fail, nr_skip;

void *memset(void *s, int c, size_t n)
{
	u8 *p = s;

	while (n--)
		*p++ = (u8)c;
	return s;
}

void *memcpy(void *d, const void *s, size_t n)
{
	u8 *p = d;
	const u8 *q = s;

	while (n--)
		*p++ = *q++;
	return d;
}

static void putc(char c)
{
	outb(0xe9, (u8)c);
}

static void puts(const char *s)
{
	while (*s)
		putc(*s++);
}

static void putnum(u64 v, unsigned int base, int width, char pad, bool neg)
{
	char buf[24];
	int i = 0;

	do {
		buf[i++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (neg)
		buf[i++] = '-';
	while (i < width)
		buf[i++] = pad;
	while (i)
		putc(buf[--i]);
}

/* %s %c %d %u %x %p with l/ll and 0-padded width; enough for test output. */
void vprintk(const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		int width = 0, lng = 0;
		char pad = ' ';

		if (*fmt != '%') {
			putc(*fmt);
			continue;
		}
		fmt++;
		if (*fmt == '0')
			pad = '0';
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l') {
			lng++;
			fmt++;
		}
		switch (*fmt) {
		case 's':
			puts(va_arg(ap, const char *));
			break;
		case 'c':
			putc((char)va_arg(ap, int));
			break;
		case 'd': {
			long long v = lng ? va_arg(ap, long long) : va_arg(ap, int);

			putnum(v < 0 ? -(u64)v : (u64)v, 10, width, pad, v < 0);
			break;
		}
		case 'u':
			putnum(lng ? va_arg(ap, u64) : va_arg(ap, unsigned int),
			       10, width, pad, false);
			break;
		case 'x':
			putnum(lng ? va_arg(ap, u64) : va_arg(ap, unsigned int),
			       16, width, pad, false);
			break;
		case 'p':
			puts("0x");
			putnum((u64)va_arg(ap, void *), 16, width, pad, false);
			break;
		case '%':
			putc('%');
			break;
		default:
			putc('?');
		}
	}
}

void printk(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
}

bool report(bool cond, const char *fmt, ...)
{
	va_list ap;

	puts(cond ? "PASS: " : "FAIL: ");
	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
	putc('\n');
	if (cond)
		nr_pass++;
	else
		nr_fail++;
	return cond;
}

void report_skip(const char *fmt, ...)
{
	va_list ap;

	puts("SKIP: ");
	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
	putc('\n');
	nr_skip++;
}

void shutdown(void)
{
	/* Bochs: the "Shutdown" string on port 0x8900 ends the simulation. */
	for (const char *s = "Shutdown"; *s; s++)
		outb(0x8900, (u8)*s);
	for (;;)
		asm volatile("cli; hlt");
}

void panic(const char *fmt, ...)
{
	va_list ap;

	puts("ERROR: ");
	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
	printk("\nTest result: ERROR (%u passed, %u failed, %u skipped before the error)\n",
	       nr_pass, nr_fail, nr_skip);
	shutdown();
}

/* Called by head.S after test_main() returns. */
void test_main_wrapper(void);
void test_main_wrapper(void)
{
	test_main();
	printk("Test result: %s (%u passed, %u failed, %u skipped)\n",
	       nr_fail ? "FAIL" : nr_pass ? "PASS" : "SKIP",
	       nr_pass, nr_fail, nr_skip);
	shutdown();
}

/* #GP-safe MSR access: the handler resumes at fixup_rip. */
static volatile u64 fixup_rip;
static volatile int fixup_vector;

int rdmsr_safe(u32 idx, u64 *v)
{
	u32 lo = 0, hi = 0;

	fixup_vector = 0;
	asm volatile("leaq 1f(%%rip), %%rax; movq %%rax, %[fx]; rdmsr; 1:"
		     : "=a"(lo), "=d"(hi), [fx] "=m"(fixup_rip) : "c"(idx)
		     : "memory");
	fixup_rip = 0;
	*v = ((u64)hi << 32) | lo;
	return fixup_vector;
}

int wrmsr_safe(u32 idx, u64 v)
{
	fixup_vector = 0;
	asm volatile("leaq 1f(%%rip), %%r8; movq %%r8, %[fx]; wrmsr; 1:"
		     : [fx] "=m"(fixup_rip)
		     : "c"(idx), "a"((u32)v), "d"((u32)(v >> 32))
		     : "r8", "memory");
	fixup_rip = 0;
	return fixup_vector;
}

void exception_handler(struct exc_frame *f);
void exception_handler(struct exc_frame *f)
{
	if (fixup_rip) {
		fixup_vector = (int)f->vector;
		f->rip = fixup_rip;
		fixup_rip = 0;
		return;
	}
	panic("unexpected exception %lu error %lx at rip %lx (cr2 %lx)",
	      f->vector, f->error, f->rip, read_cr(2));
}

struct idt_entry idt[256] ALIGNED(16);
extern u8 exc_stubs[];
extern u64 gdt_tss[2];

static struct {
	u32 rsvd0;
	u64 rsp[3];
	u64 rsvd1;
	u64 ist[7];
	u64 rsvd2;
	u16 rsvd3, iomap;
} __attribute__((packed)) tss ALIGNED(16);

void set_idt_entry(struct idt_entry *t, int vec, void *handler)
{
	u64 a = (u64)handler;

	t[vec].off0 = (u16)a;
	t[vec].sel = SEL_CODE;
	t[vec].ist = 0;
	t[vec].type = 0x8e;	/* present, DPL0, 64-bit interrupt gate */
	t[vec].off1 = (u16)(a >> 16);
	t[vec].off2 = (u32)(a >> 32);
	t[vec].rsvd = 0;
}

void setup_cpu(void);
void setup_cpu(void)
{
	u64 base = (u64)&tss, limit = sizeof(tss) - 1;
	struct { u16 limit; u64 base; } __attribute__((packed)) idtr;

	/* Mask the legacy PICs: nothing may interrupt the tests. */
	outb(0x21, 0xff);
	outb(0xa1, 0xff);

	tss.iomap = sizeof(tss);
	gdt_tss[0] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
		     (0x89ull << 40) | (((limit >> 16) & 0xf) << 48) |
		     (((base >> 24) & 0xff) << 56);
	gdt_tss[1] = base >> 32;
	asm volatile("ltr %w0" : : "r"(SEL_TSS));

	for (int v = 0; v < 32; v++)
		set_idt_entry(idt, v, exc_stubs + 16 * v);
	idtr.limit = sizeof(idt) - 1;
	idtr.base = (u64)idt;
	asm volatile("lidt %0" : : "m"(idtr));

	/* CR0.NE/MP, CR4.OSFXSR/OSXMMEXCPT: what VMX and the compiler want. */
	write_cr(0, read_cr(0) | (1u << 5) | (1u << 1) | (1u << 16));
	write_cr(4, read_cr(4) | (1u << 9) | (1u << 10));
	printk("cpu-tests: long mode up\n");
}
