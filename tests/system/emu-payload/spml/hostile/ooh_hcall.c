// SPDX-License-Identifier: GPL-2.0-only
/*
 * ooh_hcall.c - test module for tests/system/spml.test (spml-xenw): a
 * hypercall whose output Xen writes into the calling process's buffer.
 *
 * Linux's privcmd refuses arbitrary hypercalls in an unprivileged domU
 * (IOCTL_PRIVCMD_HYPERCALL: EPERM), so this misc device does what privcmd
 * would: ioctl(fd, OOH_HCALL_EXTRAVERSION, addr) issues
 * xen_version(XENVER_extraversion, addr) from the caller's context through
 * privcmd_call() (user access allowed around the hypercall).  Xen translates
 * addr through the caller's page tables and writes the 16-byte
 * xen_extraversion_t with copy_to_guest() -> __hvm_copy(): a write by
 * Xen, not by a guest CPU store, so no PML entry; xen-patches/0011 hands
 * the frame to the SPML rings (paging_mark_pfn_dirty()).
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/uaccess.h>

#include <xen/xen.h>
#include <xen/interface/version.h>
#include <asm/xen/hypercall.h>

#include "ooh_hcall.h"

static long hcall_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	if (cmd != OOH_HCALL_EXTRAVERSION)
		return -ENOTTY;
	if (!access_ok((void __user *)arg, sizeof(struct xen_extraversion)))
		return -EFAULT;
	/* privcmd's own path: user access allowed around the hypercall */
	return privcmd_call(__HYPERVISOR_xen_version, XENVER_extraversion, arg,
			    0, 0, 0);
}

static const struct file_operations hcall_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = hcall_ioctl,
};

static struct miscdevice hcall_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "ooh-hcall",
	.fops = &hcall_fops,
	.mode = 0600,
};

static int __init hcall_init(void)
{
	if (!xen_domain())
		return -ENODEV;
	return misc_register(&hcall_misc);
}

static void __exit hcall_exit(void)
{
	misc_deregister(&hcall_misc);
}

module_init(hcall_init);
module_exit(hcall_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("OoH test: hypercall output into a user buffer");
