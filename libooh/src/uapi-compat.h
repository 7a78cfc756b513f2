/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * uapi-compat.h - userfaultfd and PAGEMAP_SCAN definitions newer than
 * Debian 12's linux-libc-dev (6.1).  Values from Linux's
 * include/uapi/linux/userfaultfd.h and include/uapi/linux/fs.h (6.7+);
 * whether the running kernel has them is decided at run time.
 */
#ifndef OOH_UAPI_COMPAT_H
#define OOH_UAPI_COMPAT_H

#include <linux/fs.h>
#include <linux/userfaultfd.h>
#include <stdint.h>
#include <sys/ioctl.h>

#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY		1
#endif
#ifndef UFFD_FEATURE_WP_UNPOPULATED
#define UFFD_FEATURE_WP_UNPOPULATED	(1 << 13)	/* Linux 6.4 */
#endif
#ifndef UFFD_FEATURE_WP_ASYNC
#define UFFD_FEATURE_WP_ASYNC		(1 << 15)	/* Linux 6.7 */
#endif

#ifndef PAGEMAP_SCAN				/* Linux 6.7 */
#define PAGEMAP_SCAN	_IOWR('f', 16, struct pm_scan_arg)

#define PAGE_IS_WPALLOWED	(1 << 0)
#define PAGE_IS_WRITTEN		(1 << 1)
#define PAGE_IS_FILE		(1 << 2)
#define PAGE_IS_PRESENT		(1 << 3)
#define PAGE_IS_SWAPPED		(1 << 4)
#define PAGE_IS_PFNZERO		(1 << 5)
#define PAGE_IS_HUGE		(1 << 6)
#define PAGE_IS_SOFT_DIRTY	(1 << 7)

struct page_region {
	uint64_t start;
	uint64_t end;		/* exclusive */
	uint64_t categories;
};

#define PM_SCAN_WP_MATCHING	(1 << 0)	/* write-protect matched pages */
#define PM_SCAN_CHECK_WPASYNC	(1 << 1)	/* fail on a non-WP-async VMA */

struct pm_scan_arg {
	uint64_t size;
	uint64_t flags;
	uint64_t start;
	uint64_t end;
	uint64_t walk_end;	/* OUT: where the walk stopped */
	uint64_t vec;
	uint64_t vec_len;
	uint64_t max_pages;
	uint64_t category_inverted;
	uint64_t category_mask;
	uint64_t category_anyof_mask;
	uint64_t return_mask;
};
#endif

#endif /* OOH_UAPI_COMPAT_H */
