/* SPDX-License-Identifier: MIT */
/*
 * ooh/spml_uio.h - userspace interface of the OoH SPML guest module
 * (guest-uio/ooh_pml.ko), for libooh's spml backend.
 *
 * Discovery and control: the character device /dev/ooh-spml (misc device,
 * root only).  One open file = one tracker:
 *
 *   fd = open("/dev/ooh-spml", O_RDWR | O_CLOEXEC);
 *   struct ooh_spml_track t = { .pid = pid, .nr_entries = 65536 };
 *   ioctl(fd, OOH_SPML_IOC_TRACK, &t);     t.uio_index, t.nr_vcpus, ...
 *
 * TRACK creates a UIO device for this tracker only, /dev/uio<t.uio_index>
 * (name "ooh-spml", /sys/class/uio/uio<N>/name), whose single map 0 holds
 * t.nr_vcpus rings (ooh/ring.h), one per guest vCPU: the ring of vCPU v
 * starts at byte v * t.ring_bytes of the map, t.ring_bytes ==
 * OOH_RING_BYTES(t.nr_entries), t.map_bytes == nr_vcpus * ring_bytes.
 *
 *   ufd = open("/dev/uioN", O_RDWR | O_CLOEXEC);   only the tracker's own
 *                                                   process may open it
 *   base = mmap(NULL, t.map_bytes, PROT_READ | PROT_WRITE, MAP_SHARED,
 *               ufd, 0 * getpagesize());           UIO map 0
 *
 * Entries are GPAs (OOH_RING_F_GPA) of 4 KiB pages the tracked process
 * wrote, plus guest-virtual addresses (OOH_ENTRY_GVA) of pages of the
 * tracked mm that an MMU notifier saw invalidated (munmap, COW, migration,
 * THP split...): both must be reported dirty.  The consumer follows the
 * protocol of ooh/ring.h (load-acquire prod, read, store-release cons),
 * except that overflow is reported by SYNC (below), not read from the
 * rings' sticky flag.  OOH_RING_F_DISARMED set in
 * any ring means Xen stopped SPML (toolstack revoked it): the interval is
 * incomplete and the tracker must report an error.
 *
 * Notification: read(ufd, &u32, 4) blocks until an event and returns the
 * UIO event count; poll(ufd, POLLIN) works.  An event is raised when a
 * ring reaches its threshold (hdr->threshold, set by the consumer; 0 =
 * only on overflow/disarm), on overflow and on disarm.
 *
 * Fetch ("pages written since the previous fetch"):
 *   u64 fence[nr_vcpus];
 *   struct ooh_spml_sync s = { .fence_addr = (uintptr_t)fence,
 *                              .nr_vcpus = nr_vcpus };
 *   ioctl(fd, OOH_SPML_IOC_SYNC, &s);
 *     every vCPU's PML buffer is flushed and its entries moved into the
 *     tracker's rings, fence[v] is ring v's prod at that point, then PML
 *     is re-armed so the next write to any page is logged again;
 *     s.flags & OOH_RING_F_OVERFLOW: entries of this interval were
 *     dropped (report everything dirty).
 *   Consume ring v only up to fence[v] (entries beyond it belong to the
 *   next interval: consuming them now could miss a later write to the
 *   same page).  SYNC fails with EIO once Xen disarmed SPML, and with
 *   ESRCH once the tracked address space is gone (the process exited, or
 *   exec replaced its address space: MMU notifier .release); a new TRACK
 *   of the pid then follows its new address space.
 *
 * A frame is logged once per interval, by whichever context writes it
 * first: the consumer must turn each logged frame into every tracked page
 * that maps it, whoever wrote it.  RESOLVE (below) does that from the
 * tracked process's side; a consumer that keeps its own GPA -> page map
 * instead must also treat as dirty every page that was not mapped at the
 * previous fetch or maps another frame since.
 *
 * Closing fd (or the tracker exiting) destroys the tracker: UIO device
 * removed, tracking stopped; the last tracker also disarms Xen and
 * unregisters the per-vCPU Xen rings.
 */
#ifndef OOH_SPML_UIO_H
#define OOH_SPML_UIO_H

#if defined(__KERNEL__)
#include <linux/types.h>
#include <linux/ioctl.h>
#else
#include <stdint.h>
#include <sys/ioctl.h>
#endif
#include "ring.h"

#define OOH_SPML_DEV		"/dev/ooh-spml"
#define OOH_SPML_UIO_NAME	"ooh-spml"
/*
 * EPML (bochs-epml/EPML.md 11.2): the same module offers /dev/ooh-epml when
 * Xen advertises XEN_HVM_CPUID_EPML, with the same ioctls and structs; its
 * trackers' UIO devices are named "ooh-epml" and their rings carry user
 * GVAs (OOH_ENTRY_GVA) logged by the CPU plus GPAs for the rest.  Trackers
 * of both kinds cannot exist at once (TRACK fails with EBUSY).
 * /sys/class/misc/ooh-spml/xen_stats: one line per vCPU with Xen's
 * counters (struct ooh_spml_vcpu_stats) and the module's EPML counters.
 */
#define OOH_EPML_DEV		"/dev/ooh-epml"
#define OOH_EPML_UIO_NAME	"ooh-epml"

struct ooh_spml_track {
	ooh_u32 pid;		/* IN: process (tgid) to track */
	ooh_u32 nr_entries;	/* IN: entries per vCPU ring, power of two,
				 * OOH_RING_MIN..MAX_ENTRIES (0: 65536) */
	ooh_u32 threshold;	/* IN: initial hdr->threshold (entries) */
	ooh_u32 uio_index;	/* OUT: N of /dev/uioN */
	ooh_u32 nr_vcpus;	/* OUT: rings in map 0 */
	ooh_u32 pad;		/* IN: 0 */
	ooh_u64 ring_bytes;	/* OUT: bytes per ring in map 0 */
	ooh_u64 map_bytes;	/* OUT: size of map 0 */
};

/* Errors: EPERM (SPML not granted by the toolstack: `xen-pml enable`;
 * FLASK denied hvm:spml, e.g. the guest_spml boolean is off; or the caller
 * may not trace @pid: the rights of PTRACE_MODE_ATTACH_REALCREDS),
 * EOPNOTSUPP (no SPML in Xen / not a PVH or HVM guest), ESRCH (no such
 * pid), EBUSY (this fd already tracks, another tracker already tracks that
 * process, or the other mode's trackers exist), ENOSPC (the vCPUs' Xen
 * rings would exceed Xen's per-domain frame cap, OOH_SPML_MAX_DOMAIN_FRAMES
 * in ooh/spml.h), EINVAL (bad size or pad). */
#define OOH_SPML_IOC_TRACK	_IOWR('O', 0x40, struct ooh_spml_track)
struct ooh_spml_sync {
	ooh_u64 fence_addr;	/* IN: user address of ooh_u64[nr_vcpus];
				 * OUT there: per ring, the prod value that
				 * ends this interval */
	ooh_u32 nr_vcpus;	/* IN: >= ooh_spml_track.nr_vcpus */
	ooh_u32 flags;		/* IN: 0 or OOH_SPML_SYNC_NO_REARM.  OUT:
				 * OOH_RING_F_OVERFLOW if any ring dropped
				 * entries before its fence */
};
/*
 * IN: the caller does not mean to SYNC again (its last fetch): Xen's rearm
 * may be left out.  The module leaves it out only if this is the domain's
 * only tracker; then the frames logged so far stay dirty, so their next
 * writes are not logged: the next SYNC (this tracker's, or one created
 * meanwhile) rearms the whole p2m and reports OOH_RING_F_OVERFLOW.  A
 * module without it answers EINVAL: SYNC again without the flag.
 */
#define OOH_SPML_SYNC_NO_REARM	(1u << 0)

/* Drain + fence + re-arm (see above).  The module owns each ring's sticky
 * OOH_RING_F_OVERFLOW bit: it snapshots and clears it when it takes that
 * ring's fence (on the ring's CPU, serialised with every producer of the
 * ring), and reports it in .flags.  A drop before the fence makes this
 * interval "everything dirty"; a drop after it stays set for the next
 * SYNC, so the interval after an overflow is exact again.  The consumer
 * must not clear the bit itself.  When a ring overflowed, SYNC also
 * discards that ring's entries up to its fence on the consumer's behalf
 * (hdr->cons = fence: they are moot, and the ring must have room for the
 * next interval before the consumer gets to it), so there is nothing to
 * consume from it for this interval.  A SYNC that fails once it has taken
 * the overflow bits or re-armed (EIO, EFAULT) makes the next SYNC report
 * OOH_RING_F_OVERFLOW, so no interval is lost.  One SYNC runs at a time per
 * tracker.  Errors: EIO (Xen disarmed SPML), ENOENT (no TRACK yet), EINVAL
 * (nr_vcpus too small, an unknown IN flag), EFAULT (the argument or the fence
 * array not writable). */
#define OOH_SPML_IOC_SYNC	_IOWR('O', 0x41, struct ooh_spml_sync)

/*
 * RESOLVE: the virtual pages of the tracked process that map the frames
 * of @nr GPA ring entries (entries without OOH_ENTRY_GVA, OOH_ENTRY_2M
 * allowed), found from the process's side: its VMAs indexed by their file
 * mapping and by every anon_vma they chain to, each candidate address
 * checked against the page tables.  Costs O(entries + VMAs), not O(tracked
 * pages): the consumer needs no GPA -> page map of its own.  A frame no
 * tracked page maps any more (freed, kernel memory, another process's) is
 * dropped; the writes it took were reported by the MMU notifier when its
 * mapping went away.  A frame the module cannot classify (hugetlb), or an
 * output array too small, sets OOH_SPML_RESOLVE_F_ALL: report the interval
 * whole.  Call after SYNC, with the entries up to the fences.  Errors:
 * ENOENT (no TRACK yet), ESRCH (the tracked address space is gone),
 * EINVAL (nr over OOH_SPML_RESOLVE_MAX, flags not 0), EFAULT, ENOMEM.
 */
#define OOH_SPML_RESOLVE_MAX	(1u << 20)
#define OOH_SPML_RESOLVE_F_ALL	(1u << 0)
struct ooh_spml_resolve {
	ooh_u64 gpa_addr;	/* IN: user address of ooh_u64[nr] entries */
	ooh_u64 va_addr;	/* IN: user address of ooh_u64[max_va] */
	ooh_u32 nr;		/* IN: entries at gpa_addr */
	ooh_u32 max_va;		/* IN: room at va_addr */
	ooh_u32 nr_va;		/* OUT: page addresses written at va_addr */
	ooh_u32 flags;		/* IN: 0.  OUT: OOH_SPML_RESOLVE_F_ALL */
	ooh_u32 frames;		/* OUT: 4 KiB frames looked at */
	ooh_u32 candidates;	/* OUT: addresses computed from the index */
	ooh_u32 drops;		/* OUT: frames no tracked page maps */
	ooh_u32 vmas;		/* OUT: index entries (VMA x key) */
};
#define OOH_SPML_IOC_RESOLVE	_IOWR('O', 0x42, struct ooh_spml_resolve)

#endif /* OOH_SPML_UIO_H */
