// SPDX-License-Identifier: GPL-2.0-only
/*
 * ooh_hello - smallest guest module: proves that modules built against
 * linux-headers-$KVER (scripts/guest-kdir) load in the emulated host's domU.
 */
#include <linux/init.h>
#include <linux/module.h>

static int __init ooh_hello_init(void)
{
	pr_info("ooh_hello: loaded\n");
	return 0;
}

static void __exit ooh_hello_exit(void)
{
}

module_init(ooh_hello_init);
module_exit(ooh_hello_exit);
MODULE_DESCRIPTION("OoH emulated-host system test module");
MODULE_LICENSE("GPL");
