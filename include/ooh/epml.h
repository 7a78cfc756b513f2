/* SPDX-License-Identifier: MIT */
/*
 * ooh/epml.h - Extended Page-Modification Logging (EPML) encodings shared by
 * the Bochs CPU extension (bochs-epml/), the Xen patches, the guest module
 * and the bare-metal CPU tests (tests/cpu/).
 *
 * The specification is bochs-epml/EPML.md; section numbers below refer to
 * it.  MSR indices and the capability bit are provisional (unassigned in the
 * Intel SDM vol. 4, 2024).  Header only, no dependencies beyond fixed-width
 * integer types.
 */
#ifndef OOH_EPML_H
#define OOH_EPML_H

#if defined(__KERNEL__)
#include <linux/types.h>
typedef __u64 ooh_epml_u64;
#elif defined(__XEN__)
#include <xen/types.h>
typedef uint64_t ooh_epml_u64;
#else
#include <stdint.h>
typedef uint64_t ooh_epml_u64;
#endif

/* Detection (EPML.md section 2). */
#define OOH_MSR_IA32_VMX_EPT_VPID_CAP	0x48cu
#define OOH_VMX_EPT_VPID_CAP_AD		(1ull << 21)	/* EPT A/D flags */
#define OOH_VMX_EPT_VPID_CAP_EPML	(1ull << 31)	/* EPML supported */
/*
 * Xen: bit of EAX in the HVM-specific CPUID leaf (Xen base leaf + 4) that
 * tells the guest the EPML MSRs are passed through and EPT A/D is on.
 */
#define OOH_XEN_HVM_CPUID_EPML		(1u << 31)

/* MSRs (section 3).  WRMSR to them is not serializing. */
#define OOH_MSR_IA32_EPML_CTL		0x6f0u
#define OOH_MSR_IA32_EPML_BASE		0x6f1u
#define OOH_MSR_IA32_EPML_INDEX		0x6f2u

/* IA32_EPML_CTL (section 3.1). */
#define OOH_EPML_CTL_EN			(1ull << 0)
#define OOH_EPML_CTL_VECTOR_SHIFT	8
#define OOH_EPML_CTL_VECTOR_MASK	(0xffull << 8)
#define OOH_EPML_CTL_SIZE_SHIFT		16		/* log2 of 4 KiB pages */
#define OOH_EPML_CTL_SIZE_MASK		(0xfull << 16)
#define OOH_EPML_CTL_SIZE_MAX		9u		/* 512 pages, 2 MiB */
#define OOH_EPML_CTL_RESERVED		(~0xfff01ull)	/* bits 63:20, 7:1 */
#define OOH_EPML_CTL_MIN_VECTOR		16u

/* Build a CTL value: enable, vector 16..255, size log2(pages) 0..9. */
#define OOH_EPML_CTL(en, vector, size)					\
	(((en) ? OOH_EPML_CTL_EN : 0) |					\
	 ((ooh_epml_u64)(vector) << OOH_EPML_CTL_VECTOR_SHIFT) |		\
	 ((ooh_epml_u64)(size) << OOH_EPML_CTL_SIZE_SHIFT))

/* IA32_EPML_BASE (section 3.2): 4 KiB-aligned GPA, bits 11:0 reserved. */
#define OOH_EPML_BASE_RESERVED_LOW	0xfffull

/* IA32_EPML_INDEX (section 3.3). */
#define OOH_EPML_INDEX_MASK		0xffffffffull	/* entries logged */
#define OOH_EPML_INDEX_OVF		(1ull << 63)	/* sticky overflow */
#define OOH_EPML_INDEX_RESERVED		(0x7fffffffull << 32)

/* Buffer geometry. */
#define OOH_EPML_ENTRY_SIZE		16u		/* bytes */
#define OOH_EPML_ENTRIES_PER_PAGE	256u
/* Capacity in entries for a CTL.SIZE value. */
#define OOH_EPML_CAPACITY(size)		(OOH_EPML_ENTRIES_PER_PAGE << (size))

/* One buffer entry (section 3.4). */
struct ooh_epml_entry {
	ooh_epml_u64 gva;	/* GVA page | OOH_EPML_E_* flags */
	ooh_epml_u64 gpa;	/* GPA page; bits 11:0 are 0 */
};

#define OOH_EPML_E_VALID		(1u << 0)	/* written by the CPU */
#define OOH_EPML_E_GVA			(1u << 1)	/* gva bits 63:12 valid */
#define OOH_EPML_E_WALK			(1u << 2)	/* guest paging-structure
							 * update; no GVA */
#define OOH_EPML_E_USER			(1u << 3)	/* CPL was 3 */
#define OOH_EPML_E_LARGE		(1u << 4)	/* EPT leaf is 2M/1G */
#define OOH_EPML_E_FLAGS_MASK		0xfffull
#define OOH_EPML_E_ADDR_MASK		(~(ooh_epml_u64)0xfff)

#endif /* OOH_EPML_H */
