/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ooh_pml.h - internal interface of the OoH guest module ooh_pml.ko
 * (Linux 6.12, builds on 6.1 too; Xen PVH/HVM guest), which offers PML to userspace in two
 * modes: SPML (/dev/ooh-spml, Xen copies PML's GPAs into per-vCPU rings)
 * and EPML (/dev/ooh-epml, the emulated CPU logs GVAs into a per-vCPU
 * buffer); MODULE_ALIAS("ooh_spml") answers modprobe of that name too.
 * Files, by job, in layers (a file calls only the files below it; the
 * two producers never call each other):
 *   tracker.c  tracker lifetime (TRACK, SYNC, close), its rings' UIO
 *              mmap, the per-vCPU lifetime of the producers (setup,
 *              arming Xen, CPU hotplug), the sched_switch probe that
 *              attributes contexts, the MMU notifier, the misc devices,
 *              module init/exit
 *   spml.c     producer: the per-vCPU Xen rings, VIRQ_SPML, their move
 *              into the trackers' rings
 *   epml.c     producer: the per-vCPU EPML buffer, its MSRs and
 *              buffer-full IRQ, the drain into the trackers' rings, the
 *              rearm list
 *   resolve.c  RESOLVE: logged frames to the tracked process's pages
 *   ring.c     what the producers and tracker.c share: the per-vCPU
 *              state, the trackers list, producing into a tracker's ring
 *              and waking its consumer
 *   xen.c      the HVMOP_spml hypercalls
 *
 * Design (both modes):
 *
 * Modelled on drivers/uio/uio_hv_generic.c: rings shared with userspace
 * through UIO, notifications through UIO read()/poll().
 *
 * Xen side (HVMOP_spml, include/ooh/spml.h): the module owns one "Xen
 * ring" per vCPU, registered from that vCPU, and arms PML for the domain
 * while at least one tracker exists.  Xen appends every GPA that PML logs
 * to the vCPU's ring, whatever context ran: a frame's EPT dirty flag stays
 * set for the rest of the interval once anyone wrote it, so a later write
 * by the tracked process is not logged again, and dropping the first
 * writer's entry would lose it (xen-patches/0006).  Every entry of a
 * vCPU's Xen ring therefore goes to every tracker's ring for that vCPU,
 * and resolution keeps the frames each tracker's process maps.  GPAs mean
 * the same in every context, so SPML needs no context-switch hook: the
 * vCPU's "tracking" state in Xen (a statistics hint) is set once, when
 * its ring is registered, and a switch costs no hypercall.  Frames Xen
 * writes itself (hypercall outputs, dom0 backends' grant mappings and
 * copies: no CPU store of this guest, so no PML entry) reach a Xen ring at
 * the next drain (xen-patches/0011); every SYNC drains, in both modes.
 * CPU hotplug (a cpuhp state): a vCPU that comes online while trackers
 * exist gets its ring before any task runs there, one that goes offline
 * releases it; the interval of a hotplug is reported as overflow
 * ("everything dirty").  Moves run only on the owning CPU with interrupts
 * off (EPML's switch probe, VIRQ_SPML handler, IPI from SYNC), so they
 * never race.
 *
 * Userspace side (include/ooh/spml_uio.h): /dev/ooh-spml creates a tracker
 * per open file; each tracker gets its own UIO device whose map 0 holds
 * its per-vCPU rings.  An MMU notifier on the tracked mm reports
 * invalidated ranges as dirty (GVA entries).
 *
 * EPML mode (bochs-epml/EPML.md section 11.2), /dev/ooh-epml, same ioctls
 * and ring layout, UIO name "ooh-epml"; offered when Xen's CPUID leaf
 * (base + 4) has XEN_HVM_CPUID_EPML.  The CPU itself logs {GVA, GPA} of
 * each first write into a per-vCPU EPML buffer (MSRs 6F0H-6F2H, passed
 * through by Xen): IA32_EPML_CTL.EN stays set on every vCPU while any
 * tracker exists, whatever runs (a frame first written by an untracked
 * context must still be logged, see above); the switch probe drains the
 * buffer when a tracked mm switches in or out (entries logged while a
 * tracked mm ran go to its tracker by GVA, every other tracker gets their
 * GPA; entries of other contexts go to every tracker by GPA), and so do
 * the buffer-full interrupt (a vector of this CPU allocated from the x86
 * vector domain, one IRQ per CPU) and SYNC.  Xen is armed with OOH_SPML_ARM_NO_PML: EPT dirty
 * flags are cleared per interval but PML stays off, so logging takes no
 * VM exit.  The Xen rings stay registered (tracking on) for superpage
 * write faults, which the EPT dirty flag never sees, and for disarm.
 * One mode at a time: trackers of the other mode get EBUSY.
 *
 * Why the sched_switch tracepoint is found with for_each_kernel_tracepoint()
 * (upstream would frown): Debian's kernels (6.1 and 6.12 alike) do not
 * export __tracepoint_sched_switch to modules (no Module.symvers entry), so
 * register_trace_sched_switch() cannot be linked; preempt notifiers
 * (preempt_notifier_register(), exported) hook only the *calling* task,
 * while a tracker may follow another process, and would miss the task's
 * threads created later.  An in-tree version would use the tracepoint
 * directly (or a sched hook of its own).  The EPML buffer-full vector is
 * allocated from x86_vector_domain for the same reason: the guest needs a
 * per-CPU vector that Xen's emulated CPU raises, and neither 6.1 nor 6.12
 * offers modules an API for a raw per-CPU vector.
 */
#ifndef OOH_PML_H
#define OOH_PML_H

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/delay.h>
#include <linux/file.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/irqdomain.h>
#include <linux/irq_work.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/rculist.h>
#include <linux/sched/coredump.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/cred.h>
#include <linux/capability.h>
#include <linux/slab.h>
#include <linux/tracepoint.h>
#include <linux/uio_driver.h>
#include <linux/vmalloc.h>
#include <linux/version.h>

#include <xen/xen.h>
#include <xen/events.h>
#include <xen/page.h>
#include <asm/xen/hypercall.h>
#include <asm/xen/hypervisor.h>
#include <asm/hw_irq.h>
#include <asm/irqdomain.h>
#include <asm/msr.h>

#include <ooh/barrier.h>
#include <ooh/spml.h>
#include <ooh/spml_uio.h>
#include <ooh/epml.h>

struct spml_tracker;

/* spml_cpu.rl_why */
enum { RL_FULL_LARGE = 1, RL_FULL_CAP, RL_FULL_OVF };

/* Per-vCPU state of the Xen ring (one per online CPU). */
struct spml_cpu {
	struct ooh_ring_hdr *xr;	/* vmalloc'd, registered with Xen */
	u64 cons;			/* our consumer index into xr */
	bool registered;
	bool tracking;			/* last set_tracking() value */
	struct spml_tracker *cur;	/* tracker running here, or NULL */
	int irq;			/* VIRQ_SPML, or -1 */
	/* EPML mode */
	struct page *epml_buf;		/* 2^epml_size pages, or NULL */
	int epml_irq;			/* buffer-full IRQ of this CPU, or -1 */
	u64 epml_ctl;			/* CTL value while a tracked mm runs */
	bool epml_on;			/* CTL.EN set in the MSR now */
	u64 epml_entries, epml_ovf, epml_irqs;	/* statistics */
	/*
	 * GFNs of the entries drained here since the last SYNC took them: the
	 * frames whose EPT dirty flag is set, which Xen's rearm resets by
	 * list (epml_rearm()).  rl_ovf: one could not be listed (buffer
	 * overflow, a 2 MiB entry, the list full), so the rearm resets all.
	 */
	u64 *rl;
	u32 rl_nr;
	bool rl_ovf;
	/*
	 * The most entries the buffer held at a drain since the last take:
	 * the CPU's entry stores set the EPT dirty flags of the buffer pages
	 * up to there only (EPML.md 5.1), so the take lists those pages, not
	 * the whole buffer.
	 */
	u32 epml_hwm;
	/*
	 * Rearms whose list this CPU could not give, which then reset the
	 * whole p2m, by the first reason of the interval: a 2 MiB entry, the
	 * list full (OOH_SPML_REARM_MAX_GFNS), the EPML buffer overflowed.
	 */
	u8 rl_why;			/* RL_FULL_*, while rl_ovf */
	u64 rl_full_large, rl_full_cap, rl_full_ovf;
	u32 rl_user;			/* index of the last tracked user
					 * page listed (test_rearm_skip) */
	bool rl_has_user;
	/* MMU notifier statistics: invalidated ranges, ranges reported by a
	 * page-table walk (populated entries only), entries the walks gave */
	u64 mn_ranges, mn_walks, mn_walk_entries;
};

struct resolve_bufs;			/* resolve.c */

struct spml_tracker {
	struct list_head node;		/* trackers, RCU */
	struct mm_struct *mm;		/* mmgrab()'d */
	pid_t tgid;			/* tracked process */
	struct pid *owner;		/* the TRACK caller's tgid pid: only
					 * it may open the UIO device */
	void *rings;			/* vmalloc_user: nr_vcpus rings */
	u64 ring_bytes;
	u32 nr_entries, nr_vcpus;
	struct ooh_ring_producer *prod;	/* per vCPU, used on that CPU only */
	struct uio_info uio;
	bool uio_registered;
	struct mmu_notifier mn;
	bool mn_registered;
	bool mm_gone;			/* MMU notifier .release: exit or exec */
	int hotplugs_seen;		/* hotplugs at the last SYNC */
	struct irq_work notify_work;	/* tracker_notify(): the wakeup */
	struct mutex sync_lock;		/* one SYNC at a time */
	bool rearm_skipped;		/* its last SYNC left Xen's rearm out
					 * (OOH_SPML_SYNC_NO_REARM): the next
					 * one reports an overflow */
	bool all_next;			/* a SYNC failed after taking the
					 * rings' overflow bits or re-arming:
					 * the next one reports an overflow */
	struct resolve_bufs *rbufs;	/* RESOLVE's, under sync_lock */
	/* MMU notifier: frames of move-shaped clears until their end */
	spinlock_t mn_lock;
	struct {
		const struct mmu_notifier_range *r;	/* NULL: free */
		u64 e;				/* GPA entry, or 0 */
	} mn_moves[16];
};

/* tracker.c */
extern bool mode_epml;			/* mode of the current trackers */

/* ring.c: shared state, producing into the trackers' rings */
DECLARE_PER_CPU(struct spml_cpu, spml_cpus);
extern struct list_head trackers;	/* RCU readers; writers hold spml_lock */
extern atomic_t hotplugs;		/* vCPUs that came or went while tracking */
void tracker_notify_init(struct spml_tracker *t);
void tracker_notify(struct spml_tracker *t);
struct ooh_ring_producer *tracker_prod(struct spml_tracker *t, unsigned int cpu);
bool tracker_produce(struct spml_tracker *t, const u64 *ent, u64 n);
void trackers_flag(u32 flag);

/* resolve.c: OOH_SPML_IOC_RESOLVE, logged frames to @t's pages */
long tracker_resolve(struct spml_tracker *t, struct ooh_spml_resolve *rq);
unsigned long tracker_pfn_at(struct mm_struct *mm, unsigned long va, bool *huge);
void tracker_resolve_free(struct spml_tracker *t);
bool section_boot(unsigned long nr);

/*
 * The memory sections a run of frames (one RESOLVE between reschedules,
 * one EPML drain) found to be online boot memory (section_boot()): sections
 * 0-63, the first 8 GiB, in two bitmaps, and the higher one last looked at.
 * Start from BOOT_SECTIONS_INIT.
 */
struct boot_sections {
	u64 seen, boot;
	unsigned long nr;	/* a higher section last looked at */
	bool nr_boot;		/* it is online boot memory */
};
#define BOOT_SECTIONS_INIT	((struct boot_sections){ .nr = ULONG_MAX })

/* Is @pfn in online boot memory (so it has a struct page)?  Cached in @s. */
static inline bool boot_section_of(struct boot_sections *s, unsigned long pfn)
{
	unsigned long nr = pfn_to_section_nr(pfn);

	if (nr < 64) {
		u64 bit = 1ull << nr;

		if (!(s->seen & bit)) {
			s->seen |= bit;
			if (section_boot(nr))
				s->boot |= bit;
		}
		return s->boot & bit;
	}
	if (nr != s->nr) {
		s->nr = nr;
		s->nr_boot = section_boot(nr);
	}
	return s->nr_boot;
}

/*
 * Is @pfn in a boot section that @s has already found online (no
 * lookup: false for a section not looked at yet, or above 63)?
 */
static inline bool boot_section_known(const struct boot_sections *s,
				      unsigned long pfn)
{
	unsigned long nr = pfn_to_section_nr(pfn);

	return nr < 64 && (s->boot & (1ull << nr));
}

/* xen.c: HVMOP_spml */
int spml_hvmop(u32 cmd, struct ooh_spml_hvm_op *op);
int spml_simple(u32 cmd);
extern bool rearm_full;
int spml_rearm_drain(struct ooh_spml_hvm_op *op);
int spml_rearm(void);
void spml_rearm_owe_full(void);
bool spml_rearm_owed(void);
int spml_set_tracking(bool on);

/* spml.c: the Xen ring producer */
void spml_move(struct spml_cpu *c);
int spml_setup_cpu(unsigned int cpu);
void spml_unregister_on_cpu(void *data);
void spml_free_cpu(unsigned int cpu);

/* epml.c */
/* The GFNs one SYNC hands to Xen's rearm (epml_rl_take(), epml_rearm()). */
struct epml_rearm {
	u64 *gfn;			/* OOH_SPML_REARM_MAX_GFNS slots */
	bool gfn_phys;			/* physically contiguous: the rearm
					 * passes its GPA (LIST_GPA) */
	u32 nr;
	bool full;			/* a CPU's list was incomplete */
	int hotplugs;			/* hotplugs before the first take */
};
extern unsigned int epml_size;		/* buffer: 2^epml_size pages per vCPU */
void epml_drain(struct spml_cpu *c, struct spml_tracker *to);
void epml_switch(struct spml_cpu *c, bool on);
void epml_off_on_cpu(void *data);
void epml_on_before_arm(void *data);
void epml_lists_from_arm(void);
void epml_rearm_owe_full(void);
bool epml_rearm_owed(void);
void epml_free_cpu(unsigned int cpu);
int epml_setup_one(unsigned int cpu);
bool epml_probe(void);
struct epml_rearm *epml_rearm_begin(void);
void epml_rl_take(struct spml_cpu *c, struct epml_rearm *r);
int epml_rearm(struct epml_rearm *r);
void epml_rearm_end(struct epml_rearm *r);
void epml_rearm_free(void);

#endif /* OOH_PML_H */
