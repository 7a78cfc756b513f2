/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef CPU_TEST_PML_TESTS_H
#define CPU_TEST_PML_TESTS_H

#include "lib.h"

void test_pml(void);
void test_epml(void);

/* Guest helpers (guest.c): run inside the VM. */
extern volatile u64 guest_progress;
/* Write one qword to each of @n GVAs in @gvas, in order. */
u64 guest_write(u64 gvas, u64 n, u64 unused);
/* Read one qword from each of @n GVAs. */
u64 guest_read(u64 gvas, u64 n, u64 unused);
/* Drop to CPL 3 and write the @n GVAs there; ends with VMCALL at CPL 3. */
u64 guest_to_user(u64 gvas, u64 n, u64 unused);
/* Zero the data pages (host side, no EPT involved). */
void zero_data_pages(void);

#endif
