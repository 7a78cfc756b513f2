// SPDX-License-Identifier: GPL-2.0-only
/*
 * spml.c - the SPML path of ooh_pml.ko (design: ooh_pml.h): HVMOP_spml
 * hypercalls (include/ooh/spml.h), one Xen ring per vCPU registered from
 * that vCPU, VIRQ_SPML, arming Xen while trackers exist, and CPU hotplug.
 * The Xen rings exist in EPML mode too (superpage write faults, Xen's own
 * writes, disarm), so this file also sets up each vCPU's EPML buffer
 * through epml_setup_one().
 */
#include "ooh_pml.h"

static unsigned int xen_ring_entries = 8192;
module_param(xen_ring_entries, uint, 0444);
MODULE_PARM_DESC(xen_ring_entries,
		 "entries of each per-vCPU ring shared with Xen (power of two)");

static bool xen_armed;
/*
 * Xen rings set up (spml_xen_setup() to spml_xen_teardown()); written
 * under cpus_read_lock(), so CPU hotplug callbacks (cpus_write_lock())
 * see it stable.  They never take spml_lock: tracker_create() holds it
 * around cpus_read_lock().
 */
static bool xen_up;

/* ------------------------------------------------------------------ */
/* Hypercalls                                                          */
/* ------------------------------------------------------------------ */

int spml_hvmop(u32 cmd, struct ooh_spml_hvm_op *op)
{
	op->version = OOH_SPML_INTERFACE_VERSION;
	op->cmd = cmd;
	op->domain = DOMID_SELF;
	return HYPERVISOR_hvm_op(HVMOP_spml, op);
}

int spml_simple(u32 cmd)
{
	struct ooh_spml_hvm_op op = { 0 };

	return spml_hvmop(cmd, &op);
}

/*
 * The old rearm, kept to measure both side by side (ooh-bench --path):
 * Xen resets the whole p2m at every rearm instead of the frames written.
 */
bool rearm_full;
module_param(rearm_full, bool, 0644);
MODULE_PARM_DESC(rearm_full, "every rearm resets the whole p2m (the old path)");

/* OOH_SPML_OP_rearm for PML: Xen resets the frames it saw logged. */
int spml_rearm(void)
{
	struct ooh_spml_hvm_op op = { 0 };
	int rc;

	if (READ_ONCE(rearm_full))
		op.u.rearm.flags = OOH_SPML_REARM_FULL;
	rc = spml_hvmop(OOH_SPML_OP_rearm, &op);
	if (rc == -EINVAL && op.u.rearm.flags) {
		/* a Xen whose rearm takes no u.rearm: its only path */
		op.u.rearm.flags = 0;
		rc = spml_hvmop(OOH_SPML_OP_rearm, &op);
	}
	return rc;
}

int spml_set_tracking(bool on)
{
	struct ooh_spml_hvm_op op = { .u.tracking.on = on };

	return spml_hvmop(OOH_SPML_OP_set_tracking, &op);
}

/*
 * Move everything Xen produced on this CPU so far to every tracker's ring
 * for this CPU (GPAs: each consumer's reverse map keeps its own frames).
 * Whose context logged them is not a filter: a frame written first by
 * another context keeps its EPT dirty flag for the rest of the interval,
 * so its entry is the only one a tracker of that frame gets.  Called
 * under RCU (the trackers list) with interrupts off.
 */
void spml_move(struct spml_cpu *c)
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

void spml_xen_teardown(void)
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
int spml_xen_setup(void)
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
int spml_cpu_online(unsigned int cpu)
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
int spml_cpu_offline(unsigned int cpu)
{
	if (!xen_up)
		return 0;
	atomic_inc(&hotplugs);
	smp_call_function_single(cpu, spml_offline_on_cpu, NULL, 1);
	spml_free_cpu(cpu);
	epml_free_cpu(cpu);
	return 0;
}
