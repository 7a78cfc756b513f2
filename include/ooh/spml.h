/* SPDX-License-Identifier: MIT */
/*
 * ooh/spml.h - Shadow PML (SPML) hypervisor interface: the HVMOP sub-op a
 * guest kernel uses to share Intel PML logs with its userspace, the domctl
 * the toolstack uses to inspect and force-disarm it, the HVM parameter that
 * grants it and the per-vCPU VIRQ that signals it.
 *
 * Xen's own definition is its public ABI, added by the xen-patches/ series:
 * xen/include/public/hvm/spml.h (struct xen_hvm_spml_op, the sub-ops and
 * counters) and xen/include/public/domctl.h (struct xen_domctl_spml_op).
 * This header mirrors it under ooh_ names for the sides that cannot
 * include Xen's patched public headers: the guest module (guest-uio/)
 * and libxc-ext/ (xc_spml_*, xen-pml), built against unpatched Linux and
 * Debian Xen headers.  A mirror never hides a difference: when Xen's
 * headers are included first, the end of this file checks every number
 * (#error) and every field offset and size (_Static_assert) against
 * them; tests/unit/spml-xen-patches.test compiles that check against the
 * series.  The ring the log is copied into is struct ooh_ring_hdr from
 * ooh/ring.h (carried by the series as xen/include/ooh/ring.h).
 *
 * Layout rules (as Xen's public headers): fixed-width fields, explicit
 * padding that callers must zero, 64-bit fields 8-byte aligned, no
 * pointers (guest addresses travel as ooh_u64), so 32- and 64-bit callers
 * share one layout and Xen needs no compat translation.
 *
 * Background: Intel SDM vol. 3C 29.3.6 (Page-Modification Logging); Xen
 * 4.17 vmx_vcpu_flush_pml_buffer() (xen/arch/x86/hvm/vmx/vmcs.c); OoH
 * paper (Bitchebe & Tchana, SC22) section 4 ("Shadow PML").
 */
#ifndef OOH_SPML_H
#define OOH_SPML_H

#include "ring.h"

#if defined(__KERNEL__)
typedef __u16 ooh_u16;
#else
typedef uint16_t ooh_u16;
#endif

/* ------------------------------------------------------------------ */
/* Numbers claimed in Xen's name spaces (also #defined by the patch in  */
/* xen/include/public/{hvm/hvm_op.h,hvm/params.h,xen.h,domctl.h}).      */
/* ------------------------------------------------------------------ */

/*
 * Each number is defined here unless Xen's header already did; then it
 * must be the same (a differing one is an error, never silently kept).
 */
#ifndef HVMOP_spml
#define HVMOP_spml		26	/* hvm_op(HVMOP_spml, struct
					 * ooh_spml_hvm_op *) */
#elif HVMOP_spml != 26
#error "HVMOP_spml differs from Xen's public/hvm/hvm_op.h"
#endif
#ifndef HVM_PARAM_SPML
#define HVM_PARAM_SPML		39	/* toolstack-only, see below */
#elif HVM_PARAM_SPML != 39
#error "HVM_PARAM_SPML differs from Xen's public/hvm/params.h"
#endif
#ifndef HVM_PARAM_EPML
#define HVM_PARAM_EPML		40	/* toolstack-only: EPML MSRs passed
					 * through (bochs-epml/EPML.md 11.1) */
#elif HVM_PARAM_EPML != 40
#error "HVM_PARAM_EPML differs from Xen's public/hvm/params.h"
#endif
#ifndef VIRQ_SPML
#define VIRQ_SPML		14	/* per-vCPU (not global) */
#elif VIRQ_SPML != 14
#error "VIRQ_SPML differs from Xen's public/xen.h"
#endif
#ifndef XEN_DOMCTL_spml_op
#define XEN_DOMCTL_spml_op	87	/* struct ooh_spml_domctl in
					 * xen_domctl.u */
#elif XEN_DOMCTL_spml_op != 87
#error "XEN_DOMCTL_spml_op differs from Xen's public/domctl.h"
#endif

#define OOH_SPML_INTERFACE_VERSION 0x00000001u

/*
 * HVM_PARAM_SPML: written by the toolstack only (a guest write of any HVM
 * param other than the few whitelisted ones fails with -EPERM, so a guest
 * cannot grant itself SPML).  Values:
 */
#define OOH_SPML_PARAM_DISABLED	0	/* every HVMOP_spml call: -EPERM */
#define OOH_SPML_PARAM_ENABLED	1	/* guest may use HVMOP_spml */
/*
 * Setting the param back to DISABLED while armed force-disarms the domain
 * (as XEN_DOMCTL_SPML_force_disarm): every registered ring gets
 * OOH_RING_F_DISARMED, its VIRQ is raised, and later HVMOP_spml calls
 * fail with -EPERM.
 */

/* ------------------------------------------------------------------ */
/* HVMOP_spml (guest kernel, CPL 0, domain == DOMID_SELF only)         */
/* ------------------------------------------------------------------ */

/*
 * Commands (ooh_spml_hvm_op.cmd).  "calling vCPU" means the vCPU that
 * issues the hypercall; a guest acts on another vCPU's ring by running the
 * call on that vCPU (smp_call_function_single in Linux).
 */
/*
 * Register the calling vCPU's ring (u.ring).  Xen validates every frame
 * (RAM, writable, not MMIO, not shared, not paged out), maps the frames
 * globally (flushes may run from any context, e.g. a toolstack harvest of
 * a paused vCPU), checks the header (magic, version, nr_entries equal to
 * u.ring.nr_entries) and sets hdr->vcpu.  Xen keeps its own copy of
 * nr_entries and never re-reads it from guest memory.
 */
#define OOH_SPML_OP_register_ring	1
/* Unregister and unmap the calling vCPU's ring (flushes it first). */
#define OOH_SPML_OP_unregister_ring	2
/*
 * Arm PML for the whole domain (the EPT and its dirty bits are shared, so
 * arming is per domain): every RAM page becomes log-dirty, the first write
 * to each is logged.  -EBUSY if already armed.  u.arm.flags
 * OOH_SPML_ARM_NO_PML (EPML, bochs-epml/EPML.md 11.1): turn the EPT A/D
 * flags on and clear the dirty flags without enabling PML, so the guest's
 * EPML logs first writes and no PML-full VM exit occurs; needs
 * HVM_PARAM_EPML (else -EOPNOTSUPP).  Rearm keeps the mode of the arm.
 * -EOPNOTSUPP while the domain has an ioreq server (a device model such as
 * QEMU writes guest memory through foreign mappings no log sees, and
 * reports them with XEN_DMOP_modified_memory only while migrating).
 */
#define OOH_SPML_OP_arm			3
/*
 * Start a new interval: flush every vCPU, then make every page written
 * since the last arm or rearm log-dirty again (EPT dirty flag clear), so
 * that the next write to it is logged.  -ENOENT if not armed.  The caller
 * should drain every vCPU before (see drain).  Xen resets only the frames
 * it knows were written (PML-logged, or made writable by Xen since the
 * last rearm), plus, armed with OOH_SPML_ARM_NO_PML, the frames of
 * u.rearm's list (EPML logs in the guest: Xen sees no entry).  Without
 * OOH_SPML_REARM_LIST in that mode, or when Xen cannot name every such
 * frame, it resets the whole p2m, as it does with OOH_SPML_REARM_FULL
 * (the old path, kept for side-by-side measurements).  With
 * OOH_SPML_REARM_DRAIN the rearm first moves the domain's queue of Xen's
 * own writes to the caller's ring, as drain does: an EPML guest, which has
 * no PML buffer to flush, then ends an interval with one hypercall.  If
 * an ioreq server was created since the arm or the last rearm, Xen
 * force-disarms (every ring gets OOH_RING_F_DISARMED) and returns
 * -EOPNOTSUPP.
 */
#define OOH_SPML_OP_rearm		4
/* Disarm: flush every vCPU, stop PML for SPML (Xen's own log-dirty user,
 * if any, keeps it on).  -ENOENT if not armed. */
#define OOH_SPML_OP_disarm		5
/*
 * Set the calling vCPU's tracking state (u.tracking.on): Xen first
 * flushes the vCPU's PML buffer under the old state, then switches.
 * Every GPA flushed goes to the ring; those flushed while not tracking
 * are also counted as "untracked" (attribution is a hint, never a
 * filter: the EPT dirty flag of such a frame stays set for the rest of
 * the interval, so its later tracked writes are not logged again).
 * Called by the guest at context switch.
 */
#define OOH_SPML_OP_set_tracking	6
/* Flush the calling vCPU's PML buffer into its ring now. */
#define OOH_SPML_OP_drain		7
/* Return the calling vCPU's counters and ring state (u.stats, OUT). */
#define OOH_SPML_OP_get_stats		8
/* Return the domain's counters (u.domain, OUT), as the toolstack's
 * XEN_DOMCTL_SPML_get_domain; allowed without the grant. */
#define OOH_SPML_OP_get_domain_stats	9

/* u.ring for OOH_SPML_OP_register_ring */
struct ooh_spml_ring_reg {
	ooh_u64 frame_list;	/* IN: guest-virtual address of an array
				 * ooh_u64 gfn[nr_frames]; gfn[0] holds the
				 * ring header, gfn[1 + k] entries
				 * [512k, 512k + 511] */
	ooh_u32 nr_frames;	/* IN: must be 1 + nr_entries / 512 */
	ooh_u32 nr_entries;	/* IN: ooh_ring_nr_valid(), and
				 * <= OOH_SPML_MAX_ENTRIES */
};
#define OOH_SPML_MAX_ENTRIES	(1u << 18)	/* 2 MiB of entries per vCPU */
/*
 * Ring frames (header + entry pages) registered by all vCPUs of a domain
 * together: each costs Xen a page reference and a mapping slot, so a guest
 * cannot make Xen hold (or tear down) more.  128 MiB of rings: e.g. 128
 * vCPUs with 65536-entry rings, or 63 rings of OOH_SPML_MAX_ENTRIES.
 * The default: Xen's "spml_max_frames=N" boot option sets another cap.
 */
#define OOH_SPML_MAX_DOMAIN_FRAMES	32768u

/* u.arm for OOH_SPML_OP_arm (other bits and pad must be 0) */
struct ooh_spml_arm {
	ooh_u32 flags;		/* IN: OOH_SPML_ARM_* */
	ooh_u32 pad;		/* IN: must be 0 */
};
#define OOH_SPML_ARM_NO_PML	(1u << 0)	/* EPT A/D only, for EPML */

/* u.rearm for OOH_SPML_OP_rearm (other bits must be 0) */
struct ooh_spml_rearm {
	ooh_u64 gfn_list;	/* IN: guest-virtual address of ooh_u64
				 * gfn[nr]: with OOH_SPML_REARM_LIST, every
				 * GFN whose EPT dirty flag EPML logged since
				 * the last arm or rearm */
	ooh_u32 nr;		/* IN: <= OOH_SPML_REARM_MAX_GFNS */
	ooh_u32 flags;		/* IN: OOH_SPML_REARM_* */
};
#define OOH_SPML_REARM_LIST		(1u << 0)
#define OOH_SPML_REARM_FULL		(1u << 1)	/* the whole p2m (old path) */
#define OOH_SPML_REARM_DRAIN		(1u << 2)	/* drain Xen's writes first */
#define OOH_SPML_REARM_LIST_GPA		(1u << 3)	/* gfn_list is guest-physical:
							 * page aligned, contiguous
							 * RAM (one p2m lookup a
							 * page, no guest walk) */
#define OOH_SPML_REARM_MAX_GFNS		16384u

/* u.tracking for OOH_SPML_OP_set_tracking */
struct ooh_spml_tracking {
	ooh_u32 on;		/* IN: 0 or 1 */
	ooh_u32 pad;		/* IN: must be 0 */
};

/* ooh_spml_vcpu_stats.state */
#define OOH_SPML_VCPU_REGISTERED	(1u << 0)	/* a ring is mapped */
#define OOH_SPML_VCPU_TRACKING		(1u << 1)	/* set_tracking(1) */

/*
 * Per-vCPU counters: OUT of OOH_SPML_OP_get_stats and of
 * XEN_DOMCTL_SPML_get_vcpu.  All counters are monotonic since the domain
 * was created (registering a new ring does not reset them), in units of
 * events or GPAs (4 KiB guest frames).
 */
struct ooh_spml_vcpu_stats {
	ooh_u64 pml_full_exits;	/* OUT: VM exits "PML log full" (reason 62) */
	ooh_u64 flushes;	/* OUT: PML buffer flushes that found entries */
	ooh_u64 logged;		/* OUT: GPAs read from the PML buffer while
				 * SPML was armed */
	ooh_u64 ringed;		/* OUT: entries appended to the ring */
	ooh_u64 untracked;	/* OUT: GPAs logged while not tracking
				 * (still appended to the ring) */
	ooh_u64 lost;		/* OUT: GPAs dropped, ring full or cons
				 * invalid (same as the header's lost) */
	ooh_u64 faults;		/* OUT: log-dirty write faults recorded
				 * (a superpage's first write faults
				 * instead of being logged by PML): one
				 * 4 KiB entry each */
	ooh_u64 virqs;		/* OUT: VIRQ_SPML sent to this vCPU */
	ooh_u64 prod;		/* OUT: ring prod (Xen's copy) */
	ooh_u64 cons;		/* OUT: ring cons as last read (untrusted) */
	ooh_u32 nr_entries;	/* OUT: ring size, 0 if none registered */
	ooh_u32 state;		/* OUT: OOH_SPML_VCPU_* */
	ooh_u32 vcpu;		/* OUT: vCPU id */
	ooh_u32 hvmops;		/* OUT: HVMOP_spml calls of this vCPU once
				 * the domain had SPML state, but for
				 * get_stats and get_domain_stats (32
				 * bits, wraps; a Xen without the count
				 * gives 0).  The VM exits SPML causes are
				 * hvmops + pml_full_exits + faults; the
				 * EPML MSRs are passed through (no exit) */
	ooh_u64 exits;		/* OUT: VM exits of this vCPU (any reason)
				 * while SPML was armed */
	ooh_u64 xen_writes;	/* OUT: entries of the domain's queue moved
				 * to this ring: frames Xen wrote itself
				 * (no PML entry: hypercall outputs,
				 * backends' grant unmaps and copies) and
				 * entries of vCPUs without a ring */
};

/* ooh_spml_domain_info.users: who has PML/log-dirty enabled (coexistence) */
#define OOH_SPML_USER_LOGDIRTY	(1u << 0)	/* Xen log-dirty (migration) */
#define OOH_SPML_USER_VRAM	(1u << 1)	/* Xen VRAM tracking */
#define OOH_SPML_USER_SPML	(1u << 2)	/* SPML armed */

/* OUT of XEN_DOMCTL_SPML_get_domain and OOH_SPML_OP_get_domain_stats */
struct ooh_spml_domain_info {
	ooh_u32 param;		/* OUT: HVM_PARAM_SPML value */
	ooh_u32 users;		/* OUT: OOH_SPML_USER_* */
	ooh_u32 max_vcpus;	/* OUT: d->max_vcpus */
	ooh_u32 nr_rings;	/* OUT: vCPUs with a ring registered */
	ooh_u64 arms;		/* OUT: successful arm calls */
	ooh_u64 rearms;		/* OUT: successful rearm calls */
	ooh_u64 disarms;	/* OUT: disarms, guest or forced */
	ooh_u64 forced;		/* OUT: force-disarms (domctl or param) */
	ooh_u32 epml_param;	/* OUT: HVM_PARAM_EPML value (0: no EPML) */
	ooh_u32 arm_flags;	/* OUT: OOH_SPML_ARM_* of the current arm */
	ooh_u64 xen_writes_dropped; /* OUT: Xen-made writes not queued
				 * (queue full; the next flush flags its
				 * ring OOH_RING_F_OVERFLOW) */
	ooh_u64 rearm_lists;	/* OUT: rearms that reset listed frames only */
	ooh_u64 rearm_fulls;	/* OUT: rearms that reset the whole p2m */
	ooh_u64 rearm_frames;	/* OUT: frames the list rearms looked up */
	ooh_u64 rearm_ns;	/* OUT: time in rearms, p2m lock held (ns) */
	ooh_u64 rearm_audits;	/* OUT: list rearms audited by a p2m walk
				 * (Xen's "spml_rearm_audit") */
	ooh_u64 rearm_audit_dirty; /* OUT: entries the audits found still
				 * written: 0 unless a frame was missed */
};

struct ooh_spml_hvm_op {
	ooh_u32 version;	/* IN: OOH_SPML_INTERFACE_VERSION */
	ooh_u32 cmd;		/* IN: OOH_SPML_OP_* */
	ooh_u16 domain;		/* IN: DOMID_SELF (0x7ff0) or own domid */
	ooh_u16 pad0;		/* IN: must be 0 */
	ooh_u32 pad1;		/* IN: must be 0 */
	union {
		struct ooh_spml_ring_reg ring;
		struct ooh_spml_tracking tracking;
		struct ooh_spml_arm arm;
		struct ooh_spml_rearm rearm;
		struct ooh_spml_vcpu_stats stats;
		struct ooh_spml_domain_info domain;
		ooh_u64 pad[16];	/* IN: unused bytes must be 0 */
	} u;
};

/* ------------------------------------------------------------------ */
/* XEN_DOMCTL_spml_op (toolstack; XSM_PRIV, FLASK domain2:spml_op)     */
/* ------------------------------------------------------------------ */

#ifdef XEN_DOMCTL_SPML_get_domain	/* Xen's domctl.h, with the series */
#define OOH_SPML_HAVE_XEN_DOMCTL 1
#if XEN_DOMCTL_SPML_get_domain != 1 || XEN_DOMCTL_SPML_get_vcpu != 2 || \
    XEN_DOMCTL_SPML_force_disarm != 3 || XEN_DOMCTL_SPML_drain != 4
#error "XEN_DOMCTL_SPML_* differ from Xen's public/domctl.h"
#endif
#else
#define XEN_DOMCTL_SPML_get_domain	1	/* OUT u.domain */
#define XEN_DOMCTL_SPML_get_vcpu	2	/* IN vcpu, OUT u.vcpu */
#define XEN_DOMCTL_SPML_force_disarm	3	/* disarm, mark rings
						 * OOH_RING_F_DISARMED */
#define XEN_DOMCTL_SPML_drain		4	/* pause the domain, flush
						 * every vCPU, unpause */
#endif

struct ooh_spml_domctl {
	ooh_u32 cmd;		/* IN: XEN_DOMCTL_SPML_* */
	ooh_u32 vcpu;		/* IN: vCPU id for get_vcpu, else 0 */
	ooh_u32 version;	/* IN: OOH_SPML_INTERFACE_VERSION */
	ooh_u32 pad;		/* IN: must be 0 */
	union {
		struct ooh_spml_domain_info domain;
		struct ooh_spml_vcpu_stats vcpu;
	} u;
};

/*
 * Errors (Xen returns -E*; libxc-ext returns -1 with errno = E*; the guest
 * module passes them up as -E*):
 *   EPERM       HVM_PARAM_SPML not enabled for the domain; XSM/FLASK
 *               denied; HVMOP_spml for another domain.
 *   EOPNOTSUPP  not an HVM domain (HVMOP_spml from a PV guest, the
 *               domctl on a PV domain); not a HAP (EPT) domain on VMX with
 *               PML; nested HVM enabled; a device is passed through;
 *               shadow paging.  Checked before anything else but the
 *               version, pads and cmd.  Also arm while the domain has an
 *               ioreq server, and rearm after one was created (the
 *               domain is then disarmed).
 *   EINVAL      bad version, non-zero pad, unknown cmd, nr_entries not a
 *               valid ring size, nr_frames != 1 + nr_entries / 512, a frame
 *               that is not writable guest RAM (MMIO, shared, grant, paged),
 *               a header whose magic/version/nr_entries do not match.
 *   EFAULT      frame_list or the op struct not readable/writable.
 *   EEXIST      register_ring: the calling vCPU already has a ring.
 *   ENOSPC      register_ring: the domain's rings would hold more than
 *               OOH_SPML_MAX_DOMAIN_FRAMES (spml_max_frames=) frames.
 *   ENOENT      unregister_ring with no ring; rearm/disarm when not armed.
 *   EBUSY       arm when already armed.
 *   ENOMEM      Xen could not allocate the mapping (or the arm/rearm
 *               bookkeeping of the VRAM frames, hap_spml_reset_logdirty()).
 *   ESRCH       domctl get_vcpu: no such vCPU; domctl drain and
 *               force_disarm: the domain is dying.
 *   ENOSYS      hypervisor without the SPML patch (HVMOP or domctl unknown).
 */

/* ------------------------------------------------------------------ */
/* The mirror against Xen's public headers, when they were included    */
/* first (tests/unit/spml-xen-patches.test does): any difference in a  */
/* number, a field offset or a size fails the build.                   */
/* ------------------------------------------------------------------ */
#ifdef __XEN_PUBLIC_HVM_SPML_H__
#if OOH_SPML_INTERFACE_VERSION != XEN_SPML_INTERFACE_VERSION || \
    OOH_SPML_PARAM_DISABLED != XEN_SPML_PARAM_DISABLED || \
    OOH_SPML_PARAM_ENABLED != XEN_SPML_PARAM_ENABLED
#error "ooh/spml.h: interface version or HVM_PARAM_SPML values differ from Xen's"
#endif
#if OOH_SPML_OP_register_ring != XEN_SPML_OP_register_ring || \
    OOH_SPML_OP_unregister_ring != XEN_SPML_OP_unregister_ring || \
    OOH_SPML_OP_arm != XEN_SPML_OP_arm || \
    OOH_SPML_OP_rearm != XEN_SPML_OP_rearm || \
    OOH_SPML_OP_disarm != XEN_SPML_OP_disarm || \
    OOH_SPML_OP_set_tracking != XEN_SPML_OP_set_tracking || \
    OOH_SPML_OP_drain != XEN_SPML_OP_drain || \
    OOH_SPML_OP_get_stats != XEN_SPML_OP_get_stats || \
    OOH_SPML_OP_get_domain_stats != XEN_SPML_OP_get_domain_stats
#error "ooh/spml.h: HVMOP_spml sub-op numbers differ from Xen's"
#endif
#if OOH_SPML_MAX_ENTRIES != XEN_SPML_MAX_ENTRIES || \
    OOH_SPML_MAX_DOMAIN_FRAMES != XEN_SPML_MAX_DOMAIN_FRAMES || \
    OOH_SPML_ARM_NO_PML != XEN_SPML_ARM_NO_PML || \
    OOH_SPML_REARM_LIST != XEN_SPML_REARM_LIST || \
    OOH_SPML_REARM_FULL != XEN_SPML_REARM_FULL || \
    OOH_SPML_REARM_DRAIN != XEN_SPML_REARM_DRAIN || \
    OOH_SPML_REARM_LIST_GPA != XEN_SPML_REARM_LIST_GPA || \
    OOH_SPML_REARM_MAX_GFNS != XEN_SPML_REARM_MAX_GFNS || \
    OOH_SPML_VCPU_REGISTERED != XEN_SPML_VCPU_REGISTERED || \
    OOH_SPML_VCPU_TRACKING != XEN_SPML_VCPU_TRACKING
#error "ooh/spml.h: limits or flags differ from Xen's"
#endif
/* same offset and size of field f in struct ooh_spml_<o> and xen_<x> */
#define OOH_SPML_SAME(o, x, f) \
	_Static_assert(__builtin_offsetof(struct o, f) == \
		       __builtin_offsetof(struct x, f) && \
		       sizeof(((struct o *)0)->f) == sizeof(((struct x *)0)->f), \
		       "ooh/spml.h: " #o "." #f " differs from Xen's " #x)
#define OOH_SPML_SIZE(o, x) \
	_Static_assert(sizeof(struct o) == sizeof(struct x), \
		       "ooh/spml.h: sizeof " #o " differs from Xen's " #x)
OOH_SPML_SAME(ooh_spml_ring_reg, xen_spml_ring_reg, frame_list);
OOH_SPML_SAME(ooh_spml_ring_reg, xen_spml_ring_reg, nr_frames);
OOH_SPML_SAME(ooh_spml_ring_reg, xen_spml_ring_reg, nr_entries);
OOH_SPML_SIZE(ooh_spml_ring_reg, xen_spml_ring_reg);
OOH_SPML_SAME(ooh_spml_arm, xen_spml_arm, flags);
OOH_SPML_SAME(ooh_spml_arm, xen_spml_arm, pad);
OOH_SPML_SIZE(ooh_spml_arm, xen_spml_arm);
OOH_SPML_SAME(ooh_spml_rearm, xen_spml_rearm, gfn_list);
OOH_SPML_SAME(ooh_spml_rearm, xen_spml_rearm, nr);
OOH_SPML_SAME(ooh_spml_rearm, xen_spml_rearm, flags);
OOH_SPML_SIZE(ooh_spml_rearm, xen_spml_rearm);
OOH_SPML_SAME(ooh_spml_tracking, xen_spml_tracking, on);
OOH_SPML_SAME(ooh_spml_tracking, xen_spml_tracking, pad);
OOH_SPML_SIZE(ooh_spml_tracking, xen_spml_tracking);
OOH_SPML_SAME(ooh_spml_vcpu_stats, xen_spml_vcpu_stats, pml_full_exits);
OOH_SPML_SAME(ooh_spml_vcpu_stats, xen_spml_vcpu_stats, flushes);
OOH_SPML_SAME(ooh_spml_vcpu_stats, xen_spml_vcpu_stats, logged);
OOH_SPML_SAME(ooh_spml_vcpu_stats, xen_spml_vcpu_stats, ringed);
OOH_SPML_SAME(ooh_spml_vcpu_stats, xen_spml_vcpu_stats, untracked);
OOH_SPML_SAME(ooh_spml_vcpu_stats, xen_spml_vcpu_stats, lost);
OOH_SPML_SAME(ooh_spml_vcpu_stats, xen_spml_vcpu_stats, faults);
OOH_SPML_SAME(ooh_spml_vcpu_stats, xen_spml_vcpu_stats, virqs);
OOH_SPML_SAME(ooh_spml_vcpu_stats, xen_spml_vcpu_stats, prod);
OOH_SPML_SAME(ooh_spml_vcpu_stats, xen_spml_vcpu_stats, cons);
OOH_SPML_SAME(ooh_spml_vcpu_stats, xen_spml_vcpu_stats, nr_entries);
OOH_SPML_SAME(ooh_spml_vcpu_stats, xen_spml_vcpu_stats, state);
OOH_SPML_SAME(ooh_spml_vcpu_stats, xen_spml_vcpu_stats, vcpu);
OOH_SPML_SAME(ooh_spml_vcpu_stats, xen_spml_vcpu_stats, exits);
OOH_SPML_SAME(ooh_spml_vcpu_stats, xen_spml_vcpu_stats, xen_writes);
OOH_SPML_SAME(ooh_spml_vcpu_stats, xen_spml_vcpu_stats, hvmops);
OOH_SPML_SIZE(ooh_spml_vcpu_stats, xen_spml_vcpu_stats);
OOH_SPML_SAME(ooh_spml_hvm_op, xen_hvm_spml_op, version);
OOH_SPML_SAME(ooh_spml_hvm_op, xen_hvm_spml_op, cmd);
OOH_SPML_SAME(ooh_spml_hvm_op, xen_hvm_spml_op, domain);
OOH_SPML_SAME(ooh_spml_hvm_op, xen_hvm_spml_op, pad0);
OOH_SPML_SAME(ooh_spml_hvm_op, xen_hvm_spml_op, pad1);
OOH_SPML_SAME(ooh_spml_hvm_op, xen_hvm_spml_op, u);
OOH_SPML_SAME(ooh_spml_hvm_op, xen_hvm_spml_op, u.ring);
OOH_SPML_SAME(ooh_spml_hvm_op, xen_hvm_spml_op, u.tracking);
OOH_SPML_SAME(ooh_spml_hvm_op, xen_hvm_spml_op, u.arm);
OOH_SPML_SAME(ooh_spml_hvm_op, xen_hvm_spml_op, u.rearm);
OOH_SPML_SAME(ooh_spml_hvm_op, xen_hvm_spml_op, u.stats);
OOH_SPML_SAME(ooh_spml_hvm_op, xen_hvm_spml_op, u.domain);
OOH_SPML_SIZE(ooh_spml_hvm_op, xen_hvm_spml_op);
#endif /* __XEN_PUBLIC_HVM_SPML_H__ */
#ifdef OOH_SPML_HAVE_XEN_DOMCTL
#if OOH_SPML_USER_LOGDIRTY != XEN_SPML_USER_LOGDIRTY || \
    OOH_SPML_USER_VRAM != XEN_SPML_USER_VRAM || \
    OOH_SPML_USER_SPML != XEN_SPML_USER_SPML
#error "ooh/spml.h: XEN_SPML_USER_* differ from Xen's public/domctl.h"
#endif
OOH_SPML_SAME(ooh_spml_domain_info, xen_spml_domain_info, param);
OOH_SPML_SAME(ooh_spml_domain_info, xen_spml_domain_info, users);
OOH_SPML_SAME(ooh_spml_domain_info, xen_spml_domain_info, max_vcpus);
OOH_SPML_SAME(ooh_spml_domain_info, xen_spml_domain_info, nr_rings);
OOH_SPML_SAME(ooh_spml_domain_info, xen_spml_domain_info, arms);
OOH_SPML_SAME(ooh_spml_domain_info, xen_spml_domain_info, rearms);
OOH_SPML_SAME(ooh_spml_domain_info, xen_spml_domain_info, disarms);
OOH_SPML_SAME(ooh_spml_domain_info, xen_spml_domain_info, forced);
OOH_SPML_SAME(ooh_spml_domain_info, xen_spml_domain_info, epml_param);
OOH_SPML_SAME(ooh_spml_domain_info, xen_spml_domain_info, arm_flags);
OOH_SPML_SAME(ooh_spml_domain_info, xen_spml_domain_info, xen_writes_dropped);
OOH_SPML_SAME(ooh_spml_domain_info, xen_spml_domain_info, rearm_lists);
OOH_SPML_SAME(ooh_spml_domain_info, xen_spml_domain_info, rearm_fulls);
OOH_SPML_SAME(ooh_spml_domain_info, xen_spml_domain_info, rearm_frames);
OOH_SPML_SAME(ooh_spml_domain_info, xen_spml_domain_info, rearm_ns);
OOH_SPML_SAME(ooh_spml_domain_info, xen_spml_domain_info, rearm_audits);
OOH_SPML_SAME(ooh_spml_domain_info, xen_spml_domain_info, rearm_audit_dirty);
OOH_SPML_SIZE(ooh_spml_domain_info, xen_spml_domain_info);
OOH_SPML_SAME(ooh_spml_domctl, xen_domctl_spml_op, cmd);
OOH_SPML_SAME(ooh_spml_domctl, xen_domctl_spml_op, vcpu);
OOH_SPML_SAME(ooh_spml_domctl, xen_domctl_spml_op, version);
OOH_SPML_SAME(ooh_spml_domctl, xen_domctl_spml_op, pad);
OOH_SPML_SAME(ooh_spml_domctl, xen_domctl_spml_op, u.domain);
OOH_SPML_SAME(ooh_spml_domctl, xen_domctl_spml_op, u.vcpu);
OOH_SPML_SIZE(ooh_spml_domctl, xen_domctl_spml_op);
_Static_assert(sizeof(struct ooh_spml_domctl) <= sizeof(((struct xen_domctl *)0)->u),
	       "ooh/spml.h: struct ooh_spml_domctl does not fit xen_domctl.u");
#endif /* OOH_SPML_HAVE_XEN_DOMCTL */

#endif /* OOH_SPML_H */
