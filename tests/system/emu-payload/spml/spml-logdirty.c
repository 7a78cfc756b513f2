// SPDX-License-Identifier: GPL-2.0-only
/*
 * spml-logdirty - drive Xen's own log-dirty mode on a domain the way the
 * live-migration sender does (tools/libs/guest/xg_sr_save.c:
 * enable_logdirty(), then XEN_DOMCTL_SHADOW_OP_CLEAN rounds with a dirty
 * bitmap, then OFF), for tests/system/spml.test: it runs in dom0 while
 * SPML is armed in the domU, to show that both PML users coexist.
 *
 * Usage: spml-logdirty DOMID ROUNDS INTERVAL_MS
 * Prints one line per CLEAN round ("round N: dirty D (bitmap B) faults F")
 * and exits 0 if log-dirty could be enabled, harvested ROUNDS times and
 * switched off, and at least one round after the first saw dirty pages;
 * 1 otherwise (one error line, errno from libxenctrl).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define __XEN_TOOLS__ 1
#include <xenctrl.h>

static int bitmap_count(const unsigned long *b, unsigned long bits)
{
	unsigned long i, n = 0;

	for (i = 0; i < bits / (8 * sizeof(long)); i++)
		n += __builtin_popcountl(b[i]);
	return (int)n;
}

int main(int argc, char **argv)
{
	xc_interface *xch;
	xc_shadow_op_stats_t st;
	uint32_t domid;
	int rounds, ms, r, busy = 0, ret = 1;
	xen_pfn_t maxpfn = 0;
	unsigned long pages, bytes;
	DECLARE_HYPERCALL_BUFFER(unsigned long, bitmap);

	if (argc != 4) {
		fprintf(stderr, "usage: spml-logdirty DOMID ROUNDS INTERVAL_MS\n");
		return 2;
	}
	domid = strtoul(argv[1], NULL, 0);
	rounds = atoi(argv[2]);
	ms = atoi(argv[3]);
	xch = xc_interface_open(NULL, NULL, 0);
	if (!xch) {
		perror("spml-logdirty: xc_interface_open");
		return 1;
	}
	if (xc_domain_maximum_gpfn(xch, domid, &maxpfn) < 0) {
		perror("spml-logdirty: xc_domain_maximum_gpfn");
		goto out;
	}
	pages = maxpfn + 1;
	bytes = ((pages + 63) / 64) * 8;
	bitmap = xc_hypercall_buffer_alloc_pages(xch, bitmap,
						 (bytes + 4095) / 4096);
	if (!bitmap) {
		perror("spml-logdirty: bitmap");
		goto out;
	}
	if (xc_shadow_control(xch, domid, XEN_DOMCTL_SHADOW_OP_ENABLE_LOGDIRTY,
			      NULL, 0) < 0) {
		fprintf(stderr, "spml-logdirty: enabling log-dirty on domain "
			"%u: %s\n", domid, strerror(errno));
		goto free;
	}
	printf("log-dirty enabled on domain %u (%lu pfns)\n", domid, pages);
	for (r = 0; r < rounds; r++) {
		struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

		nanosleep(&ts, NULL);
		memset(bitmap, 0, bytes);
		if (xc_logdirty_control(xch, domid, XEN_DOMCTL_SHADOW_OP_CLEAN,
					HYPERCALL_BUFFER(bitmap), pages, 0,
					&st) < 0) {
			fprintf(stderr, "spml-logdirty: CLEAN round %d: %s\n",
				r, strerror(errno));
			goto off;
		}
		printf("round %d: dirty %u (bitmap %d) faults %u\n", r,
		       st.dirty_count, bitmap_count(bitmap, pages),
		       st.fault_count);
		if (r > 0 && st.dirty_count)
			busy++;
	}
	ret = busy ? 0 : 1;
	if (!busy)
		fprintf(stderr, "spml-logdirty: no dirty page after the first "
			"round: Xen's log-dirty saw no writes\n");
off:
	if (xc_shadow_control(xch, domid, XEN_DOMCTL_SHADOW_OP_OFF, NULL, 0) < 0) {
		fprintf(stderr, "spml-logdirty: disabling log-dirty: %s\n",
			strerror(errno));
		ret = 1;
	} else {
		printf("log-dirty off\n");
	}
free:
	xc_hypercall_buffer_free_pages(xch, bitmap, (bytes + 4095) / 4096);
out:
	xc_interface_close(xch);
	return ret;
}
