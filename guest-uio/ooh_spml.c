// SPDX-License-Identifier: GPL-2.0-only
/*
 * ooh_spml.c - OoH Shadow PML guest module (Linux 6.1, Xen PVH/HVM guest).
 *
 * Modelled on drivers/uio/uio_hv_generic.c: rings shared with userspace
 * through UIO, notifications through UIO read()/poll().
 *
 * Xen side (HVMOP_spml, include/ooh/spml.h): the module owns one "Xen
 * ring" per vCPU, registered from that vCPU, and arms PML for the domain
 * while at least one tracker exists.  Xen appends the GPAs that PML logged
 * while the vCPU was "tracking".  A sched_switch tracepoint probe tells Xen
 * when a tracked mm switches in or out (Xen flushes the PML buffer first),
 * so the module knows whose context logged each entry.  Attribution is a
 * hint, never a filter (a frame's EPT dirty flag stays set for the rest
 * of the interval once anyone wrote it, so a later write by the tracked
 * process is not logged again): every entry of a vCPU's Xen ring goes to
 * every tracker's ring for that vCPU, including entries logged while no
 * tracked process ran (Xen keeps them too, xen-patches/0012), and each
 * tracker's reverse map keeps the frames its process maps.  A new tracker
 * attaches at once (IPI) on every vCPU where its process is running, not
 * at its next context switch.  Frames Xen writes itself (hypercall
 * outputs, dom0 backends' grant mappings and copies: no CPU store of this
 * guest, so no PML entry) reach a Xen ring at the next drain
 * (xen-patches/0013); every SYNC drains, in both modes.  CPU hotplug
 * (a cpuhp state): a vCPU that comes online while trackers exist gets its
 * ring before any task runs there, one that goes offline releases it; the
 * interval of a hotplug is reported as overflow ("everything dirty").
 * Moves
 * run only on the owning CPU with interrupts off (switch probe, VIRQ_SPML
 * handler, IPI from SYNC), so they never race.
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
 * (upstream would frown): Debian's 6.1 kernel does not export
 * __tracepoint_sched_switch to modules (Module.symvers has no entry), so
 * register_trace_sched_switch() cannot be linked; preempt notifiers
 * (preempt_notifier_register(), exported) hook only the *calling* task,
 * while a tracker may follow another process, and would miss the task's
 * threads created later.  An in-tree version would use the tracepoint
 * directly (or a sched hook of its own).  The EPML buffer-full vector is
 * allocated from x86_vector_domain for the same reason: the guest needs a
 * per-CPU vector that Xen's emulated CPU raises, and 6.1 offers modules no
 * API for a raw per-CPU vector.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/file.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/irqdomain.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/rculist.h>
#include <linux/sched/coredump.h>
#include <linux/sched/mm.h>
#include <linux/cred.h>
#include <linux/capability.h>
#include <linux/slab.h>
#include <linux/tracepoint.h>
#include <linux/uio_driver.h>
#include <linux/vmalloc.h>

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

static unsigned int xen_ring_entries = 8192;
module_param(xen_ring_entries, uint, 0444);
MODULE_PARM_DESC(xen_ring_entries,
		 "entries of each per-vCPU ring shared with Xen (power of two)");
static unsigned int epml_size = 4;
module_param(epml_size, uint, 0444);
MODULE_PARM_DESC(epml_size,
		 "EPML buffer per vCPU: 2^epml_size pages, 256 entries each (0-9)");

struct spml_tracker;

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
};

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
};

static DEFINE_PER_CPU(struct spml_cpu, spml_cpus);
static LIST_HEAD(trackers);		/* writers hold spml_lock */
static DEFINE_MUTEX(spml_lock);
static unsigned int nr_trackers;
static bool xen_armed, probe_registered;
/*
 * Xen rings set up (spml_xen_setup() to spml_xen_teardown()); written
 * under cpus_read_lock(), so CPU hotplug callbacks (cpus_write_lock())
 * see it stable.  They never take spml_lock: tracker_create() holds it
 * around cpus_read_lock().
 */
static bool xen_up;
static enum cpuhp_state spml_hp_state;
/* vCPUs that came online or went offline while trackers existed */
static atomic_t hotplugs = ATOMIC_INIT(0);
static bool mode_epml;			/* mode of the current trackers */
static bool epml_available;		/* XEN_HVM_CPUID_EPML */
static struct miscdevice epml_misc;
static struct tracepoint *tp_sched_switch;
static struct miscdevice spml_misc;

/* ------------------------------------------------------------------ */
/* Hypercalls                                                          */
/* ------------------------------------------------------------------ */

static int spml_hvmop(u32 cmd, struct ooh_spml_hvm_op *op)
{
	op->version = OOH_SPML_INTERFACE_VERSION;
	op->cmd = cmd;
	op->domain = DOMID_SELF;
	return HYPERVISOR_hvm_op(HVMOP_spml, op);
}

static int spml_simple(u32 cmd)
{
	struct ooh_spml_hvm_op op = { 0 };

	return spml_hvmop(cmd, &op);
}

static int spml_set_tracking(bool on)
{
	struct ooh_spml_hvm_op op = { .u.tracking.on = on };

	return spml_hvmop(OOH_SPML_OP_set_tracking, &op);
}

/* ------------------------------------------------------------------ */
/* Moving entries from the Xen ring to the tracker's ring (this CPU,   */
/* interrupts off)                                                     */
/* ------------------------------------------------------------------ */

static void tracker_notify(struct spml_tracker *t)
{
	if (t->uio_registered)
		uio_event_notify(&t->uio);
}

static struct ooh_ring_producer *tracker_prod(struct spml_tracker *t,
					      unsigned int cpu)
{
	return cpu < t->nr_vcpus ? &t->prod[cpu] : NULL;
}

/*
 * Append @n entries to @t's ring for this CPU; notify when the ring
 * crosses the consumer's threshold.  Returns true if it did.
 */
static bool tracker_produce(struct spml_tracker *t, const u64 *ent, u64 n)
{
	struct ooh_ring_producer *p = tracker_prod(t, smp_processor_id());
	u64 before;
	u32 thr;

	if (!p || !n)
		return false;
	thr = READ_ONCE(p->hdr->threshold);
	before = p->prod - READ_ONCE(p->hdr->cons);
	ooh_ring_produce(p, ent, n);
	return thr && before < thr && p->prod - READ_ONCE(p->hdr->cons) >= thr;
}

/* Set @flag in every tracker's ring for this CPU and notify them. */
static void trackers_flag(u32 flag)
{
	struct spml_tracker *t;

	list_for_each_entry_rcu(t, &trackers, node) {
		struct ooh_ring_producer *p = tracker_prod(t, smp_processor_id());

		if (p)
			ooh_atomic_fetch_or(&p->hdr->flags, flag);
		tracker_notify(t);
	}
}

/*
 * Move everything Xen produced on this CPU so far to every tracker's ring
 * for this CPU (GPAs: each consumer's reverse map keeps its own frames).
 * Whose context logged them is not a filter: a frame written first by
 * another context keeps its EPT dirty flag for the rest of the interval,
 * so its entry is the only one a tracker of that frame gets.  Called
 * under RCU (the trackers list) with interrupts off.
 */
static void spml_move(struct spml_cpu *c)
{
	struct ooh_ring_hdr *xr = c->xr;
	struct spml_tracker *t;
	u64 *ent, prod, chunk, n;
	u32 flags, mask;

	if (!xr || !c->registered)
		return;
	ent = ooh_ring_entries(xr);
	mask = xr->nr_entries - 1;
	prod = ooh_smp_load_acquire(&xr->prod);	/* pairs with Xen's release */

	for (chunk = c->cons; chunk != prod; chunk += n) {
		n = min_t(u64, prod - chunk, mask + 1 - (chunk & mask));
		list_for_each_entry_rcu(t, &trackers, node)
			if (tracker_produce(t, &ent[chunk & mask], n))
				tracker_notify(t);
	}
	c->cons = prod;
	ooh_smp_store_release(&xr->cons, c->cons);	/* slots reusable */

	/*
	 * Use the value the atomic returns: an OVERFLOW Xen sets between a
	 * plain read and the clear would be lost.
	 */
	flags = ooh_atomic_fetch_and(&xr->flags, ~OOH_RING_F_OVERFLOW);
	if (flags & OOH_RING_F_OVERFLOW)
		/* Lost in Xen's ring: every tracker's interval is incomplete. */
		trackers_flag(OOH_RING_F_OVERFLOW);
	else if (flags & OOH_RING_F_DISARMED)
		list_for_each_entry_rcu(t, &trackers, node)
			tracker_notify(t);
}

/* ------------------------------------------------------------------ */
/* EPML buffer (this CPU, interrupts off)                              */
/* ------------------------------------------------------------------ */

/*
 * One EPML entry (EPML.md 3.4) as a ring entry: a user GVA is the tracked
 * process's page (EN is set only while its mm runs here); anything else
 * (kernel direct-map writes to its pages, page-walk updates, no GVA) goes
 * by GPA through the consumer's reverse map; LARGE: the EPT dirty flag
 * covers 2 MiB, so report the whole 2 MiB GPA range.
 */
static u64 epml_to_ring(const struct ooh_epml_entry *e)
{
	u64 gpa = e->gpa & OOH_EPML_E_ADDR_MASK;
	u64 gva = e->gva & OOH_EPML_E_ADDR_MASK;

	if (e->gva & OOH_EPML_E_LARGE)
		return (gpa & ~((2ull << 20) - 1)) | OOH_ENTRY_2M;
	if ((e->gva & OOH_EPML_E_GVA) && gva < TASK_SIZE_MAX)
		return gva | OOH_ENTRY_GVA;
	return gpa;
}

/* The same entry for a tracker of another mm: by GPA only. */
static u64 epml_to_gpa(const struct ooh_epml_entry *e)
{
	u64 gpa = e->gpa & OOH_EPML_E_ADDR_MASK;

	if (e->gva & OOH_EPML_E_LARGE)
		return (gpa & ~((2ull << 20) - 1)) | OOH_ENTRY_2M;
	return gpa;
}

/*
 * Move the EPML buffer of this CPU to the trackers and restart it: to @to
 * (the tracker whose mm ran here while they were logged, or NULL) as
 * epml_to_ring() entries, to every other tracker by GPA (its reverse map
 * keeps the frames its process maps; a frame first written by another
 * context is not logged again in this interval).  EN is cleared around
 * the drain so that no entry lands between reading INDEX and writing it
 * back to 0, then restored.
 */
static void epml_drain(struct spml_cpu *c, struct spml_tracker *to)
{
	struct ooh_epml_entry *e;
	struct spml_tracker *t;
	u64 idx, n, i, cap = OOH_EPML_CAPACITY(epml_size);
	u64 batch[32];
	unsigned int k;

	if (!c->epml_buf)
		return;
	if (c->epml_on)
		wrmsrl_safe(OOH_MSR_IA32_EPML_CTL, 0);
	if (rdmsrl_safe(OOH_MSR_IA32_EPML_INDEX, &idx))
		idx = OOH_EPML_INDEX_OVF;	/* revoked: nothing is known */
	n = min(idx & OOH_EPML_INDEX_MASK, cap);
	e = page_address(c->epml_buf);
	list_for_each_entry_rcu(t, &trackers, node) {
		bool notify = false;

		for (i = 0, k = 0; i < n; i++) {
			if (!(e[i].gva & OOH_EPML_E_VALID))
				continue;
			batch[k++] = t == to ? epml_to_ring(&e[i]) :
				     epml_to_gpa(&e[i]);
			if (k == ARRAY_SIZE(batch)) {
				notify |= tracker_produce(t, batch, k);
				k = 0;
			}
		}
		if (k)
			notify |= tracker_produce(t, batch, k);
		if (notify)
			tracker_notify(t);
	}
	c->epml_entries += n;
	if (idx & OOH_EPML_INDEX_OVF) {
		c->epml_ovf++;
		/* entries of this interval were not logged, whoever wrote */
		trackers_flag(OOH_RING_F_OVERFLOW);
	}
	if (n || (idx & OOH_EPML_INDEX_OVF))
		wrmsrl_safe(OOH_MSR_IA32_EPML_INDEX, 0);
	if (c->epml_on)
		wrmsrl_safe(OOH_MSR_IA32_EPML_CTL, c->epml_ctl);
}

/* Logging on/off for this CPU (EPML.md 3.1: WRMSR, no VM exit). */
static void epml_switch(struct spml_cpu *c, bool on)
{
	if (!c->epml_buf || c->epml_on == on)
		return;
	wrmsrl_safe(OOH_MSR_IA32_EPML_CTL, on ? c->epml_ctl : 0);
	c->epml_on = on;
}

/* Buffer-full notification (EPML.md 6): runs on the CPU whose buffer filled. */
static irqreturn_t epml_full_irq(int irq, void *dev_id)
{
	struct spml_cpu *c = this_cpu_ptr(&spml_cpus);

	c->epml_irqs++;
	rcu_read_lock();
	epml_drain(c, c->cur);
	rcu_read_unlock();
	return IRQ_HANDLED;
}

static struct spml_tracker *tracker_of(struct mm_struct *mm)
{
	struct spml_tracker *t;

	if (!mm)
		return NULL;
	list_for_each_entry_rcu(t, &trackers, node)
		if (t->mm == mm)
			return t;
	return NULL;
}

/* sched_switch probe: IRQs are off, the runqueue lock is held. */
static void spml_sched_switch(void *data, bool preempt,
			      struct task_struct *prev,
			      struct task_struct *next,
			      unsigned int prev_state)
{
	struct spml_cpu *c = this_cpu_ptr(&spml_cpus);
	struct spml_tracker *tn;

	if (!c->registered)
		return;
	rcu_read_lock();
	tn = tracker_of(next->mm);
	if (tn != c->cur && mode_epml) {
		/*
		 * No hypercall: Xen tracking stays on for superpage faults,
		 * EN stays on (every context is logged); the drain splits
		 * the buffer where the GVAs change meaning.
		 */
		epml_drain(c, c->cur);
		spml_move(c);
		c->cur = tn;
	} else if (tn != c->cur) {
		/* Xen flushes the PML buffer under the old state first. */
		if (tn || c->tracking) {
			spml_set_tracking(tn != NULL);
			c->tracking = tn != NULL;
		}
		spml_move(c);
		c->cur = tn;
	}
	rcu_read_unlock();
}

static irqreturn_t spml_virq(int irq, void *dev_id)
{
	struct spml_cpu *c = this_cpu_ptr(&spml_cpus);
	struct spml_tracker *t;

	rcu_read_lock();
	if (READ_ONCE(c->xr->flags) & OOH_RING_F_DISARMED) {
		/* Xen force-disarmed: every tracker's interval is void. */
		list_for_each_entry_rcu(t, &trackers, node) {
			unsigned int i;

			for (i = 0; i < t->nr_vcpus; i++)
				ooh_atomic_fetch_or(&t->prod[i].hdr->flags,
						    OOH_RING_F_DISARMED);
			tracker_notify(t);
		}
	}
	spml_move(c);
	rcu_read_unlock();
	return IRQ_HANDLED;
}

/* ------------------------------------------------------------------ */
/* Per-vCPU Xen rings                                                  */
/* ------------------------------------------------------------------ */

struct reg_arg {
	u64 *gfns;
	u32 nr_frames;
	int rc;
};

static void spml_register_on_cpu(void *data)
{
	struct reg_arg *a = data;
	struct spml_cpu *c = this_cpu_ptr(&spml_cpus);
	struct ooh_spml_hvm_op op = {
		.u.ring = {
			.frame_list = (u64)(unsigned long)a->gfns,
			.nr_frames = a->nr_frames,
			.nr_entries = c->xr->nr_entries,
		},
	};

	a->rc = spml_hvmop(OOH_SPML_OP_register_ring, &op);
	if (!a->rc) {
		c->registered = true;
		c->cons = 0;
		c->cur = NULL;
		c->tracking = false;
	}
}

static void spml_unregister_on_cpu(void *data)
{
	struct spml_cpu *c = this_cpu_ptr(&spml_cpus);

	if (!c->registered)
		return;
	if (c->tracking)
		spml_set_tracking(false);
	/* Xen flushes the PML buffer into the ring before it lets go of it. */
	spml_simple(OOH_SPML_OP_unregister_ring);
	spml_move(c);
	c->registered = false;
	c->tracking = false;
	c->cur = NULL;
}

static void spml_free_cpu(unsigned int cpu)
{
	struct spml_cpu *c = per_cpu_ptr(&spml_cpus, cpu);

	if (c->irq >= 0)
		unbind_from_irqhandler(c->irq, c);
	c->irq = -1;
	vfree(c->xr);
	c->xr = NULL;
}

/* IPI: EPML MSRs of this CPU off (no tracker may log any more). */
static void epml_off_on_cpu(void *data)
{
	struct spml_cpu *c = this_cpu_ptr(&spml_cpus);

	if (!c->epml_buf)
		return;
	epml_switch(c, false);
	wrmsrl_safe(OOH_MSR_IA32_EPML_INDEX, 0);
	wrmsrl_safe(OOH_MSR_IA32_EPML_BASE, 0);
}

static void epml_free_cpu(unsigned int cpu)
{
	struct spml_cpu *c = per_cpu_ptr(&spml_cpus, cpu);

	if (c->epml_irq >= 0) {
		free_irq(c->epml_irq, c);
		irq_dispose_mapping(c->epml_irq);
	}
	c->epml_irq = -1;
	if (c->epml_buf)
		__free_pages(c->epml_buf, epml_size);
	c->epml_buf = NULL;
	c->epml_on = false;
}

static void spml_xen_teardown(void)
{
	unsigned int cpu;

	cpus_read_lock();
	for_each_online_cpu(cpu)
		smp_call_function_single(cpu, epml_off_on_cpu, NULL, 1);
	if (xen_armed)
		spml_simple(OOH_SPML_OP_disarm);
	xen_armed = false;
	for_each_online_cpu(cpu)
		smp_call_function_single(cpu, spml_unregister_on_cpu, NULL, 1);
	for_each_possible_cpu(cpu) {
		spml_free_cpu(cpu);
		epml_free_cpu(cpu);
	}
	xen_up = false;
	cpus_read_unlock();
}

/*
 * EPML buffer and buffer-full IRQ of @cpu (process context).  The IRQ comes
 * from the x86 vector domain with its affinity fixed to @cpu before
 * activation, so its vector is a vector of @cpu's own table: the one
 * IA32_EPML_CTL.VECTOR names there (EPML.md 3.1, 6).
 */
static int epml_setup_cpu(unsigned int cpu)
{
	struct spml_cpu *c = per_cpu_ptr(&spml_cpus, cpu);
	struct irq_alloc_info info;
	struct irq_data *d;
	struct irq_cfg *cfg;
	int irq, rc;

	c->epml_buf = alloc_pages_node(cpu_to_node(cpu),
				       GFP_KERNEL | __GFP_ZERO, epml_size);
	if (!c->epml_buf)
		return -ENOMEM;
	memset(&info, 0, sizeof(info));
	info.mask = cpumask_of(cpu);
	irq = __irq_domain_alloc_irqs(x86_vector_domain, -1, 1,
				      cpu_to_node(cpu), &info, false, NULL);
	if (irq < 0)
		return irq;
	c->epml_irq = irq;
	irq_set_handler(irq, handle_edge_irq);
	irq_modify_status(irq, IRQ_NOREQUEST | IRQ_NOPROBE, 0);
	rc = irq_set_affinity(irq, cpumask_of(cpu));
	if (!rc)
		rc = request_irq(irq, epml_full_irq, IRQF_NOBALANCING,
				 "ooh-epml", c);
	if (rc) {
		irq_dispose_mapping(irq);
		c->epml_irq = -1;
		return rc;
	}
	d = irq_get_irq_data(irq);
	cfg = d ? irqd_cfg(d) : NULL;
	if (!cfg || cfg->vector < OOH_EPML_CTL_MIN_VECTOR ||
	    !cpumask_equal(irq_data_get_effective_affinity_mask(d),
			   cpumask_of(cpu))) {
		pr_warn("cpu%u: EPML IRQ %d has no vector on this CPU\n",
			cpu, irq);
		return -EIO;
	}
	c->epml_ctl = OOH_EPML_CTL(1, cfg->vector, epml_size);
	return 0;
}

struct epml_arg {
	int rc;
};

/* IPI: program this CPU's buffer (EN stays 0), Xen tracking on for faults. */
static void epml_program_on_cpu(void *data)
{
	struct epml_arg *a = data;
	struct spml_cpu *c = this_cpu_ptr(&spml_cpus);
	u64 gpa = (u64)pfn_to_gfn(page_to_pfn(c->epml_buf)) << PAGE_SHIFT;
	int rc;

	rc = wrmsrl_safe(OOH_MSR_IA32_EPML_CTL, 0);
	if (!rc)
		rc = wrmsrl_safe(OOH_MSR_IA32_EPML_BASE, gpa);
	if (!rc)
		rc = wrmsrl_safe(OOH_MSR_IA32_EPML_INDEX, 0);
	if (rc) {
		a->rc = -EOPNOTSUPP;	/* #GP: Xen does not pass them through */
		return;
	}
	c->epml_on = false;
	if (c->registered && !c->tracking && !spml_set_tracking(true))
		c->tracking = true;
}

/* EPML buffer, IRQ and MSRs of @cpu (process context). */
static int epml_setup_one(unsigned int cpu)
{
	struct epml_arg a = { 0 };
	int rc = epml_setup_cpu(cpu);

	if (rc)
		return rc;
	smp_call_function_single(cpu, epml_program_on_cpu, &a, 1);
	return a.rc;
}

/*
 * Allocate, register (on @cpu: Xen takes the calling vCPU's ring) and bind
 * the Xen ring of @cpu, then its EPML buffer in EPML mode.  Process
 * context, CPU hotplug excluded.  On failure the caller frees the CPU.
 */
static int spml_setup_one(unsigned int cpu)
{
	struct spml_cpu *c = per_cpu_ptr(&spml_cpus, cpu);
	u32 nr = xen_ring_entries;
	u32 nr_frames = 1 + nr / OOH_RING_ENTRIES_PER_PAGE;
	struct reg_arg a = { .nr_frames = nr_frames };
	struct ooh_ring_producer unused;
	unsigned int i;
	int rc;

	if (!ooh_ring_nr_valid(nr) || nr > OOH_SPML_MAX_ENTRIES)
		return -EINVAL;
	a.gfns = kcalloc(nr_frames, sizeof(u64), GFP_KERNEL);
	c->xr = vzalloc(OOH_RING_BYTES(nr));
	if (!a.gfns || !c->xr) {
		kfree(a.gfns);
		return -ENOMEM;
	}
	ooh_ring_init(&unused, c->xr, nr, OOH_RING_F_GPA, cpu);
	c->xr->threshold = nr / 2;
	for (i = 0; i < nr_frames; i++)
		a.gfns[i] = pfn_to_gfn(vmalloc_to_pfn((char *)c->xr +
						      i * PAGE_SIZE));
	smp_call_function_single(cpu, spml_register_on_cpu, &a, 1);
	kfree(a.gfns);
	rc = a.rc;
	if (rc) {
		pr_warn("cpu%u: registering the SPML ring: %d\n", cpu, rc);
		return rc;
	}
	rc = bind_virq_to_irqhandler(VIRQ_SPML, cpu, spml_virq,
				     IRQF_PERCPU | IRQF_NOBALANCING,
				     "ooh-spml", c);
	if (rc < 0) {
		pr_warn("cpu%u: binding VIRQ_SPML: %d\n", cpu, rc);
		return rc;
	}
	c->irq = rc;
	return mode_epml ? epml_setup_one(cpu) : 0;
}

/* Set up the Xen ring of every online vCPU (spml_setup_one()); arm. */
static int spml_xen_setup(void)
{
	unsigned int cpu;
	int rc = 0;

	cpus_read_lock();
	xen_up = true;		/* CPUs that come online get a ring too */
	for_each_online_cpu(cpu) {
		rc = spml_setup_one(cpu);
		if (rc)
			break;
	}
	if (!rc) {
		struct ooh_spml_hvm_op op = {
			.u.arm.flags = mode_epml ? OOH_SPML_ARM_NO_PML : 0,
		};

		rc = spml_hvmop(OOH_SPML_OP_arm, &op);
		if (rc == -EBUSY) {	/* left armed by a previous instance */
			spml_simple(OOH_SPML_OP_disarm);
			rc = spml_hvmop(OOH_SPML_OP_arm, &op);
		}
		if (!rc)
			xen_armed = true;
		else
			pr_warn("arming %s: %d\n", mode_epml ? "EPML" : "SPML",
				rc);
	}
	cpus_read_unlock();
	if (rc)
		spml_xen_teardown();
	return rc;
}

/* IPI to self (IRQs off) from the offline callback: let go of this CPU. */
static void spml_offline_on_cpu(void *data)
{
	struct spml_cpu *c = this_cpu_ptr(&spml_cpus);

	if (mode_epml && c->epml_buf) {
		epml_drain(c, c->cur);	/* to the trackers, as at a switch */
		epml_off_on_cpu(NULL);
	}
	spml_unregister_on_cpu(NULL);
}

/*
 * CPU hotplug (CPUHP_AP_ONLINE_DYN, run on @cpu itself, process context).
 * A vCPU that comes online while trackers exist gets its Xen ring (and
 * EPML buffer) before any task runs there; if that fails it stays offline
 * (an error aborts the onlining), since an EPML vCPU without a buffer
 * would log nothing.  Until its ring exists, Xen hands what the vCPU logs
 * to the domain's queue (xen-patches/0014), which the next drain of any
 * vCPU moves to a ring; EPML logs nothing there before EN is set.  The
 * interval in which a vCPU comes or goes is therefore "everything dirty"
 * for every tracker (SYNC reports OOH_RING_F_OVERFLOW once per tracker);
 * the intervals after it are exact on every online vCPU.
 */
static int spml_cpu_online(unsigned int cpu)
{
	int rc;

	if (!xen_up)
		return 0;
	atomic_inc(&hotplugs);
	rc = spml_setup_one(cpu);
	if (rc) {
		pr_warn("cpu%u: no SPML/EPML ring, keeping it offline: %d\n",
			cpu, rc);
		smp_call_function_single(cpu, spml_offline_on_cpu, NULL, 1);
		spml_free_cpu(cpu);
		epml_free_cpu(cpu);
		return rc;
	}
	if (mode_epml) {
		rcu_read_lock();
		if (!list_empty(&trackers))
			epml_switch(this_cpu_ptr(&spml_cpus), true);
		rcu_read_unlock();
	}
	return 0;
}

/*
 * A vCPU going offline (no task runs there any more): its entries go to
 * the trackers, its Xen ring is unregistered (Xen flushes the PML buffer
 * into it first) and freed.  What it logs after that, on its way down
 * (an interrupt handler's store), Xen keeps in its PML buffer or hands to
 * the domain's queue, possibly after the next SYNC; EPML does not log it
 * at all.  Hence, as for onlining, that interval is "everything dirty".
 */
static int spml_cpu_offline(unsigned int cpu)
{
	if (!xen_up)
		return 0;
	atomic_inc(&hotplugs);
	smp_call_function_single(cpu, spml_offline_on_cpu, NULL, 1);
	spml_free_cpu(cpu);
	epml_free_cpu(cpu);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Tracker lifetime                                                    */
/* ------------------------------------------------------------------ */

static void tp_find(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "sched_switch"))
		tp_sched_switch = tp;
}

/* MMU notifier: invalidated ranges of the tracked mm are dirty (GVAs). */
static int spml_mn_invalidate_start(struct mmu_notifier *mn,
				    const struct mmu_notifier_range *r)
{
	struct spml_tracker *t = container_of(mn, struct spml_tracker, mn);
	struct ooh_ring_producer *p;
	unsigned long flags, va;
	u64 e;

	switch (r->event) {
	case MMU_NOTIFY_PROTECTION_VMA:	/* same pages, no data change */
	case MMU_NOTIFY_PROTECTION_PAGE:
	case MMU_NOTIFY_SOFT_DIRTY:
		return 0;
	default:
		break;
	}

	local_irq_save(flags);		/* serialise with moves on this CPU */
	p = tracker_prod(t, smp_processor_id());
	if (p) {
		if ((r->end - r->start) >> PAGE_SHIFT > ooh_ring_space(p)) {
			/* Does not fit: the whole interval is dirty. */
			ooh_atomic_fetch_or(&p->hdr->flags,
					    OOH_RING_F_OVERFLOW);
		} else {
			for (va = r->start & PAGE_MASK; va < r->end;
			     va += PAGE_SIZE) {
				e = (u64)va | OOH_ENTRY_GVA;
				ooh_ring_produce(p, &e, 1);
			}
		}
	}
	local_irq_restore(flags);
	return 0;
}

/*
 * The tracked address space is torn down: the process exited, or exec
 * replaced it (exec_mmap() drops the old mm).  Nothing of it can be written
 * any more, and the process's next address space is not this tracker's:
 * SYNC fails with ESRCH from now on, never a silent empty interval.  A new
 * TRACK of the same pid follows the new address space (a fresh start).
 */
static void spml_mn_release(struct mmu_notifier *mn, struct mm_struct *mm)
{
	struct spml_tracker *t = container_of(mn, struct spml_tracker, mn);

	WRITE_ONCE(t->mm_gone, true);
}

static const struct mmu_notifier_ops spml_mn_ops = {
	.invalidate_range_start = spml_mn_invalidate_start,
	.release = spml_mn_release,
};

static int spml_uio_open(struct uio_info *info, struct inode *inode)
{
	struct spml_tracker *t = info->priv;

	/*
	 * Only the tracker's own process may map its rings.  Compared as
	 * struct pid, held since TRACK: a pid number can be reused after the
	 * owner exits while an inherited fd keeps the tracker (issue 12 item
	 * 10), a held struct pid cannot.
	 */
	return task_tgid(current) == t->owner ? 0 : -EACCES;
}

static int spml_uio_mmap(struct uio_info *info, struct vm_area_struct *vma)
{
	struct spml_tracker *t = info->priv;

	if (vma->vm_pgoff != 0 ||	/* map 0 only */
	    vma->vm_end - vma->vm_start > t->nr_vcpus * t->ring_bytes)
		return -EINVAL;
	return remap_vmalloc_range(vma, t->rings, 0);
}

static void tracker_free(struct spml_tracker *t)
{
	if (t->mn_registered)
		mmu_notifier_unregister(&t->mn, t->mm);
	if (t->uio_registered)
		uio_unregister_device(&t->uio);
	if (t->mm)
		mmdrop(t->mm);
	put_pid(t->owner);
	kfree(t->prod);
	vfree(t->rings);
	kfree(t);
}

/*
 * IPI after a new tracker @data is listed: if the task running here right
 * now belongs to its mm, do what the sched_switch probe does when such a
 * task switches in.  The tracked process is usually running already when
 * TRACK returns (it tracks itself, or runs on another vCPU), and without
 * this its writes stayed untracked until its next context switch on each
 * vCPU: missed writes, seen with 2 vCPUs where nothing switched it out.
 */
static void spml_attach_on_cpu(void *data)
{
	struct spml_cpu *c = this_cpu_ptr(&spml_cpus);
	struct spml_tracker *t = data;

	if (!c->registered)
		return;
	if (mode_epml) {		/* Xen tracking is already on */
		if (!c->cur && tracker_of(current->mm) == t) {
			epml_drain(c, NULL);
			spml_move(c);
			c->cur = t;
		}
		epml_switch(c, true);	/* on while any tracker exists */
		return;
	}
	if (c->cur || tracker_of(current->mm) != t)
		return;
	spml_set_tracking(true);	/* flushes under the old state */
	c->tracking = true;
	spml_move(c);		/* logged before: not t's */
	c->cur = t;
}

/*
 * IPI after tracker @data left the list: forget it as this CPU's current
 * tracker; what was logged so far goes to the remaining trackers.
 */
static void spml_detach_on_cpu(void *data)
{
	struct spml_cpu *c = this_cpu_ptr(&spml_cpus);

	if (mode_epml) {		/* Xen tracking stays on */
		if (c->cur == data) {
			epml_drain(c, NULL);	/* @data is off the list */
			spml_move(c);
			c->cur = NULL;
		}
		if (list_empty(&trackers))
			epml_switch(c, false);
		return;
	}
	if (c->cur != data)
		return;
	if (c->tracking)
		spml_set_tracking(false);
	c->tracking = false;
	spml_move(c);
	c->cur = NULL;
}

/* Called with spml_lock held. */
static void tracker_destroy(struct spml_tracker *t)
{
	unsigned int cpu;

	list_del_rcu(&t->node);
	synchronize_rcu();	/* no new attribution to t (tracker_of) */
	/* No CPU may still attribute entries to t. */
	for_each_online_cpu(cpu)
		smp_call_function_single(cpu, spml_detach_on_cpu, t, 1);
	if (--nr_trackers == 0) {
		if (probe_registered) {
			tracepoint_probe_unregister(tp_sched_switch,
						    spml_sched_switch, NULL);
			tracepoint_synchronize_unregister();
			probe_registered = false;
		}
		spml_xen_teardown();
	}
	tracker_free(t);
}

/*
 * May the caller track @task?  Its own process always; another one only
 * with the rights PTRACE_MODE_ATTACH_REALCREDS asks for.  ptrace_may_access()
 * is not exported to modules, so this repeats its credential and
 * dumpability checks (kernel/ptrace.c __ptrace_may_access()): the caller's
 * real uid/gid match the target's real, effective and saved ids and the
 * target is dumpable, or the caller has CAP_SYS_PTRACE.  The LSM hook
 * (e.g. Yama's ptrace_scope) is not consulted.
 */
static bool spml_may_track(struct task_struct *task)
{
	const struct cred *cred = current_cred(), *tcred;
	bool ok;

	if (same_thread_group(task, current))
		return true;
	if (capable(CAP_SYS_PTRACE))
		return true;
	rcu_read_lock();
	tcred = __task_cred(task);
	ok = uid_eq(cred->uid, tcred->euid) && uid_eq(cred->uid, tcred->suid) &&
	     uid_eq(cred->uid, tcred->uid) && gid_eq(cred->gid, tcred->egid) &&
	     gid_eq(cred->gid, tcred->sgid) && gid_eq(cred->gid, tcred->gid);
	rcu_read_unlock();
	if (!ok)
		return false;
	task_lock(task);
	ok = task->mm && get_dumpable(task->mm) == SUID_DUMP_USER;
	task_unlock(task);
	return ok;
}

static int tracker_create(struct file *f, struct ooh_spml_track *req,
			  bool epml)
{
	struct spml_tracker *t;
	struct task_struct *task;
	unsigned int i;
	u32 nr = req->nr_entries ? req->nr_entries : 65536;
	int rc;

	if (req->pad || !ooh_ring_nr_valid(nr))
		return -EINVAL;

	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	rcu_read_lock();	/* find_vpid() needs it */
	task = get_pid_task(find_vpid(req->pid), PIDTYPE_TGID);
	rcu_read_unlock();
	if (!task) {
		kfree(t);
		return -ESRCH;
	}
	if (!spml_may_track(task)) {
		put_task_struct(task);
		kfree(t);
		return -EPERM;
	}
	t->mm = get_task_mm(task);
	t->tgid = task->tgid;
	put_task_struct(task);
	if (!t->mm) {
		kfree(t);
		return -ESRCH;
	}
	mmgrab(t->mm);		/* t->mm stays valid as a key */
	t->owner = get_pid(task_tgid(current));
	t->nr_entries = nr;
	t->nr_vcpus = nr_cpu_ids;	/* rings indexed by CPU id */
	t->ring_bytes = OOH_RING_BYTES(nr);

	rc = -ENOMEM;
	t->rings = vmalloc_user(t->nr_vcpus * t->ring_bytes);
	t->prod = kcalloc(t->nr_vcpus, sizeof(*t->prod), GFP_KERNEL);
	if (!t->rings || !t->prod)
		goto fail_mm;
	for (i = 0; i < t->nr_vcpus; i++) {
		ooh_ring_init(&t->prod[i],
			      (void *)((char *)t->rings + i * t->ring_bytes),
			      nr, OOH_RING_F_GPA | OOH_RING_F_GVA, i);
		t->prod[i].hdr->threshold = req->threshold;
	}

	t->mn.ops = &spml_mn_ops;
	rc = mmu_notifier_register(&t->mn, t->mm);
	if (rc)
		goto fail_mm;
	t->mn_registered = true;
	mmput(t->mm);		/* keep only the mmgrab() reference */

	t->uio.name = epml ? OOH_EPML_UIO_NAME : OOH_SPML_UIO_NAME;
	t->uio.version = "1";
	t->uio.irq = UIO_IRQ_CUSTOM;	/* events come from VIRQ_SPML */
	t->uio.mem[0].name = "rings";
	/*
	 * Not the vmalloc address: UIO prints mem[].addr in the
	 * world-readable maps/map0/addr, which would leak a kernel pointer
	 * (issue 12 item 10).  Our own .mmap (remap_vmalloc_range) never
	 * needs it; UIO only needs a non-zero size to offer the map.
	 */
	t->uio.mem[0].addr = 0;
	t->uio.mem[0].size = t->nr_vcpus * t->ring_bytes;
	t->uio.mem[0].memtype = UIO_MEM_VIRTUAL;
	t->uio.mmap = spml_uio_mmap;
	t->uio.open = spml_uio_open;
	t->uio.priv = t;

	mutex_lock(&spml_lock);
	rc = -EBUSY;			/* one mode at a time */
	if (nr_trackers && mode_epml != epml)
		goto fail_locked;
	/*
	 * One tracker per mm: the switch probe attributes a context to one
	 * tracker (tracker_of() takes the first match), so a second one on
	 * the same mm would see nothing of its own process's GVA entries.
	 */
	if (tracker_of(t->mm))
		goto fail_locked;
	/* One tracker per file: a second TRACK on it (even a concurrent one)
	 * would leak the first and keep Xen armed. */
	if (f->private_data)
		goto fail_locked;
	if (nr_trackers == 0) {
		mode_epml = epml;
		rc = spml_xen_setup();
		if (rc)
			goto fail_locked;
	}
	if (!probe_registered) {
		rc = tracepoint_probe_register(tp_sched_switch,
					       spml_sched_switch, NULL);
		if (rc) {
			if (nr_trackers == 0)
				spml_xen_teardown();
			goto fail_locked;
		}
		probe_registered = true;
	}
	rc = uio_register_device(epml ? epml_misc.this_device :
				 spml_misc.this_device, &t->uio);
	if (rc) {
		if (nr_trackers == 0) {
			tracepoint_probe_unregister(tp_sched_switch,
						    spml_sched_switch, NULL);
			tracepoint_synchronize_unregister();
			probe_registered = false;
			spml_xen_teardown();
		}
		goto fail_locked;
	}
	t->uio_registered = true;
	t->hotplugs_seen = atomic_read(&hotplugs);
	list_add_tail_rcu(&t->node, &trackers);
	nr_trackers++;
	f->private_data = t;
	/* the tracked process may be running right now on any vCPU */
	on_each_cpu(spml_attach_on_cpu, t, 1);
	mutex_unlock(&spml_lock);

	req->uio_index = t->uio.uio_dev->minor;
	req->nr_vcpus = t->nr_vcpus;
	req->ring_bytes = t->ring_bytes;
	req->map_bytes = t->nr_vcpus * t->ring_bytes;
	req->nr_entries = nr;
	return 0;

fail_locked:
	mutex_unlock(&spml_lock);
	tracker_free(t);
	return rc;
fail_mm:
	mmput(t->mm);
	tracker_free(t);
	return rc;
}

struct sync_arg {
	struct spml_tracker *t;
	u64 *fence;
	u32 flags;		/* OOH_RING_F_OVERFLOW seen at a fence */
};

/*
 * SYNC on one CPU: attribute what Xen logged here so far, take the fence
 * and the ring's sticky overflow bit.  Every producer of ring @cpu (the
 * move from Xen's ring, the MMU notifier) runs on @cpu with interrupts
 * off, so a drop is before this fence (this interval) or after it (still
 * set at the next SYNC): the interval after an overflow is exact.
 */
static void spml_sync_on_cpu(void *data)
{
	struct sync_arg *a = data;
	struct spml_cpu *c = this_cpu_ptr(&spml_cpus);
	unsigned int cpu = smp_processor_id();

	rcu_read_lock();
	if (mode_epml)
		epml_drain(c, c->cur);
	/*
	 * Tracking or not (untracked entries are this interval's too), and in
	 * EPML mode too: Xen queues the frames it writes itself (hypercall
	 * outputs, backends' grant unmaps and copies; no CPU store of this
	 * guest, so neither PML nor EPML logs them) and moves them to this
	 * vCPU's Xen ring at the drain (xen-patches/0013).
	 */
	if (c->registered)
		spml_simple(OOH_SPML_OP_drain);
	spml_move(c);
	rcu_read_unlock();
	if (cpu < a->t->nr_vcpus) {
		struct ooh_ring_producer *p = &a->t->prod[cpu];

		a->fence[cpu] = p->prod;
		if (ooh_atomic_fetch_and(&p->hdr->flags, ~OOH_RING_F_OVERFLOW) &
		    OOH_RING_F_OVERFLOW) {
			a->flags |= OOH_RING_F_OVERFLOW;
			/*
			 * The interval is "everything dirty": discard its
			 * entries for the consumer (which is inside this
			 * SYNC, not consuming) so that the ring has room for
			 * the next interval's entries right away.  A full
			 * ring here would drop them and flag the next
			 * interval too.
			 */
			ooh_smp_store_release(&p->hdr->cons, p->prod);
		}
	}
}

/*
 * Drain every vCPU into the tracker's rings, record each ring's prod (the
 * fence), then re-arm.  GPAs logged after a CPU's drain land after its
 * fence, i.e. in the next interval, so nothing written after the fence
 * can be lost by the re-arm.
 */
static int tracker_sync(struct spml_tracker *t, struct ooh_spml_sync *req)
{
	struct sync_arg a = { .t = t };
	unsigned int cpu, i;
	int rc, hp;

	if (req->flags || req->nr_vcpus < t->nr_vcpus)
		return -EINVAL;
	if (READ_ONCE(t->mm_gone))
		return -ESRCH;

	a.fence = kcalloc(t->nr_vcpus, sizeof(u64), GFP_KERNEL);
	if (!a.fence)
		return -ENOMEM;
	for (i = 0; i < t->nr_vcpus; i++)
		a.fence[i] = t->prod[i].prod;
	cpus_read_lock();
	/*
	 * A vCPU came or went since the last SYNC (spml_cpu_online()): read
	 * under the hotplug lock, so a completed hotplug is always seen.
	 */
	hp = atomic_read(&hotplugs);
	if (hp != t->hotplugs_seen) {
		t->hotplugs_seen = hp;
		a.flags |= OOH_RING_F_OVERFLOW;
	}
	for_each_online_cpu(cpu)
		smp_call_function_single(cpu, spml_sync_on_cpu, &a, 1);
	cpus_read_unlock();
	rc = spml_simple(OOH_SPML_OP_rearm);
	for (i = 0; i < t->nr_vcpus; i++)
		if (READ_ONCE(t->prod[i].hdr->flags) & OOH_RING_F_DISARMED)
			rc = -EIO;
	if (rc == -EPERM || rc == -ENOENT)
		rc = -EIO;	/* revoked or disarmed by the toolstack */
	if (!rc && copy_to_user(u64_to_user_ptr(req->fence_addr), a.fence,
				t->nr_vcpus * sizeof(u64)))
		rc = -EFAULT;
	req->flags = a.flags;
	kfree(a.fence);
	return rc;
}

/* One fops for both devices: the minor says which one was opened. */
static long spml_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	bool epml = epml_available &&
		    iminor(file_inode(f)) == epml_misc.minor;
	struct spml_tracker *t = f->private_data;
	struct ooh_spml_track req;
	int rc;

	switch (cmd) {
	case OOH_SPML_IOC_TRACK:
		if (t)
			return -EBUSY;
		if (copy_from_user(&req, (void __user *)arg, sizeof(req)))
			return -EFAULT;
		rc = tracker_create(f, &req, epml);
		if (rc)
			return rc;
		if (copy_to_user((void __user *)arg, &req, sizeof(req)))
			return -EFAULT;	/* tracker lives until close() */
		return 0;
	case OOH_SPML_IOC_SYNC: {
		struct ooh_spml_sync sreq;

		if (!t)
			return -ENOENT;
		if (copy_from_user(&sreq, (void __user *)arg, sizeof(sreq)))
			return -EFAULT;
		rc = tracker_sync(t, &sreq);
		if (!rc && copy_to_user((void __user *)arg, &sreq,
					sizeof(sreq)))
			rc = -EFAULT;
		return rc;
	}
	}
	return -ENOTTY;
}

static int spml_release(struct inode *inode, struct file *f)
{
	struct spml_tracker *t = f->private_data;

	if (t) {
		mutex_lock(&spml_lock);
		tracker_destroy(t);
		mutex_unlock(&spml_lock);
	}
	return 0;
}

static int spml_open(struct inode *inode, struct file *f)
{
	f->private_data = NULL;	/* misc_open() put &spml_misc there */
	return 0;
}

static const struct file_operations spml_fops = {
	.owner = THIS_MODULE,
	.open = spml_open,
	.unlocked_ioctl = spml_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.release = spml_release,
	.llseek = noop_llseek,
};

struct stats_arg {
	char *buf;
	int len;
};

/* IPI: this vCPU's Xen counters (OOH_SPML_OP_get_stats) and EPML counters. */
static void stats_on_cpu(void *data)
{
	struct stats_arg *a = data;
	struct spml_cpu *c = this_cpu_ptr(&spml_cpus);
	struct ooh_spml_hvm_op op = { 0 };
	const struct ooh_spml_vcpu_stats *st = &op.u.stats;
	int rc = spml_hvmop(OOH_SPML_OP_get_stats, &op);

	a->len += scnprintf(a->buf + a->len, PAGE_SIZE - a->len,
		"vcpu %u rc %d exits %llu pml_full %llu logged %llu ringed %llu "
		"faults %llu lost %llu epml_entries %llu epml_ovf %llu "
		"epml_irqs %llu xen_writes %llu\n",
		smp_processor_id(), rc, st->exits, st->pml_full_exits,
		st->logged, st->ringed, st->faults, st->lost, c->epml_entries,
		c->epml_ovf, c->epml_irqs, st->xen_writes);
}

static ssize_t xen_stats_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	struct stats_arg a = { .buf = buf };
	unsigned int cpu;

	cpus_read_lock();
	for_each_online_cpu(cpu)
		smp_call_function_single(cpu, stats_on_cpu, &a, 1);
	cpus_read_unlock();
	return a.len;
}
static DEVICE_ATTR_RO(xen_stats);

static struct attribute *spml_attrs[] = {
	&dev_attr_xen_stats.attr,
	NULL,
};
ATTRIBUTE_GROUPS(spml);

static struct miscdevice spml_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "ooh-spml",
	.fops = &spml_fops,
	.mode = 0600,
	.groups = spml_groups,
};

static struct miscdevice epml_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "ooh-epml",
	.fops = &spml_fops,
	.mode = 0600,
};

/* Xen's HVM CPUID leaf base + 4, EAX bit 31 (EPML.md 2, ooh/epml.h). */
static bool epml_probe(void)
{
	u32 base = xen_cpuid_base();

	return base && (cpuid_eax(base + 4) & OOH_XEN_HVM_CPUID_EPML);
}

static int __init spml_init(void)
{
	unsigned int cpu;
	int rc;

	if (!xen_hvm_domain())
		return -ENODEV;
	for_each_possible_cpu(cpu) {
		per_cpu_ptr(&spml_cpus, cpu)->irq = -1;
		per_cpu_ptr(&spml_cpus, cpu)->epml_irq = -1;
	}
	for_each_kernel_tracepoint(tp_find, NULL);
	if (!tp_sched_switch) {
		pr_err("sched_switch tracepoint not found\n");
		return -ENOENT;
	}
	rc = cpuhp_setup_state_nocalls(CPUHP_AP_ONLINE_DYN, "ooh/spml:online",
				       spml_cpu_online, spml_cpu_offline);
	if (rc < 0)
		return rc;
	spml_hp_state = rc;
	rc = misc_register(&spml_misc);
	if (rc) {
		cpuhp_remove_state_nocalls(spml_hp_state);
		return rc;
	}
	epml_available = epml_probe();
	if (epml_available) {
		rc = misc_register(&epml_misc);
		if (rc) {
			misc_deregister(&spml_misc);
			cpuhp_remove_state_nocalls(spml_hp_state);
			return rc;
		}
		if (epml_size > OOH_EPML_CTL_SIZE_MAX)
			epml_size = OOH_EPML_CTL_SIZE_MAX;
		pr_info("EPML available: /dev/ooh-epml, %u entries per vCPU\n",
			OOH_EPML_CAPACITY(epml_size));
	}
	return 0;
}

static void __exit spml_exit(void)
{
	/* Every tracker holds a reference on the module through its fd. */
	if (epml_available)
		misc_deregister(&epml_misc);
	misc_deregister(&spml_misc);
	cpuhp_remove_state_nocalls(spml_hp_state);
}

module_init(spml_init);
module_exit(spml_exit);
MODULE_DESCRIPTION("OoH Shadow PML: Xen PML logs to userspace through UIO");
MODULE_LICENSE("GPL");
