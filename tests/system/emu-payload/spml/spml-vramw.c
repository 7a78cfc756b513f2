// SPDX-License-Identifier: GPL-2.0-only
/*
 * spml-vramw - guest half of guest test 42-spml-vram:
 * one locked page of this process, tracked by a libooh backend (spml or
 * epml), whose guest frame dom0 watches with XEN_DMOP_track_dirty_vram
 * (tests/system/emu-payload/spml/spml-vram.c), as a device model watches
 * a stdvga framebuffer.  Every SPML/EPML fetch rearms the whole domain
 * (a domain-wide rw -> log-dirty type change); the VRAM frames written
 * since the device model's last look must stay dirty for it.
 *
 * Usage: spml-vramw BACKEND
 * Prints "pfn=N" (the page's guest frame, from /proc/self/pagemap), then
 * reads one command per line on stdin:
 *   w  write the page             -> "written"
 *   f  ooh_fetch() (drain, rearm) -> "fetched N reported=0|1 all=0|1"
 *   q  exit 0
 * Errors: one line on stderr, exit 2.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <sys/mman.h>
#include <unistd.h>

#include "spmlt.h"

int main(int argc, char **argv)
{
	struct ooh_tracker *t;
	struct ooh_dirty d;
	uint64_t ent, n = 0;
	char line[16];
	uint32_t stamp = 1;
	char *page;
	int fd, ret;

	if (argc != 2) {
		fprintf(stderr, "usage: spml-vramw BACKEND\n");
		return 2;
	}
	page = mmap(NULL, PG, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED)
		die("mmap", errno);
	memset(page, 1, PG);
	if (mlock(page, PG))	/* one frame for the whole run */
		die("mlock", errno);
	fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd < 0 || pread(fd, &ent, sizeof(ent),
			    (off_t)((uintptr_t)page / PG) * 8) != sizeof(ent))
		die("/proc/self/pagemap", errno ? errno : EIO);
	close(fd);
	if (!(ent >> 63) || !(ent & ((1ull << 55) - 1)))
		die("pagemap: page not present or PFN hidden (not root?)", EINVAL);

	ret = ooh_open(argv[1], &t);
	if (ret)
		die("ooh_open", -ret);
	ret = ooh_track(t, 0, page, PG);
	if (ret)
		die("ooh_track", -ret);
	ret = ooh_fetch(t, &d);		/* start the first interval */
	if (ret < 0)
		die("ooh_fetch", -ret);

	printf("pfn=%" PRIu64 "\n", ent & (((uint64_t)1 << 55) - 1));
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin)) {
		switch (line[0]) {
		case 'w':
			*(volatile uint32_t *)(page + 256) = stamp++;
			printf("written\n");
			break;
		case 'f': {
			int hit = 0;

			ret = ooh_fetch(t, &d);
			if (ret < 0)
				die("ooh_fetch", -ret);
			for (size_t i = 0; i < d.nr_pages; i++)
				if (d.pages[i] == (uintptr_t)page)
					hit = 1;
			printf("fetched %" PRIu64 " reported=%d all=%d\n", ++n, hit,
			       !!(d.flags & OOH_FETCH_ALL));
			break;
		}
		case 'q':
			ooh_close(t);
			return 0;
		default:
			fprintf(stderr, "spml-vramw: unknown command '%c'\n", line[0]);
			return 2;
		}
		fflush(stdout);
	}
	return 0;
}
