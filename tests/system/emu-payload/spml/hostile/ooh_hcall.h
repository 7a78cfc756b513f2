/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ooh_hcall.h - ioctl of the test module ooh_hcall.ko (ooh_hcall.c), shared
 * with its user spml-xenw.c: ioctl(fd, OOH_HCALL_EXTRAVERSION, addr) makes
 * Xen write the 16-byte xen_extraversion_t at user address addr.
 */
#ifndef OOH_HCALL_H
#define OOH_HCALL_H

#ifdef __KERNEL__
#include <linux/ioctl.h>
#include <linux/types.h>
#else
#include <stdint.h>
#include <sys/ioctl.h>
#endif

#define OOH_HCALL_DEV		"/dev/ooh-hcall"
#define OOH_HCALL_EXTRAVERSION	_IOW('O', 0x70, __u64)

#endif
