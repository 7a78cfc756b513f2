// SPDX-License-Identifier: GPL-2.0-only
/*
 * spml.c - the SPML producer of ooh_pml.ko (design: ooh_pml.h): one Xen
 * ring per vCPU registered from that vCPU, VIRQ_SPML, and the move of
 * Xen's entries into the trackers' rings.  The Xen rings exist in EPML
 * mode too (superpage write faults, Xen's own writes, disarm).  Their
 * lifetime (setup, arming, hotplug) is tracker.c's; the hypercalls are
 * xen.c's.
 */
#include "ooh_pml.h"

static unsigned int xen_ring_entries = 8192;
module_param(xen_ring_entries, uint, 0444);
MODULE_PARM_DESC(xen_ring_entries,
		 "entries of each per-vCPU ring shared with Xen (power of two)");


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
		/*
		 * Xen's tracking state is a hint for its statistics, never a
		 * filter: every GPA goes to the ring either way, and every
		 * ring entry to every tracker.  It stays on while the ring
		 * exists, so a context switch costs no hypercall.
		 */
		c->tracking = !spml_set_tracking(true);
	}
}

void spml_unregister_on_cpu(void *data)
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

void spml_free_cpu(unsigned int cpu)
{
	struct spml_cpu *c = per_cpu_ptr(&spml_cpus, cpu);

	if (c->irq >= 0)
		unbind_from_irqhandler(c->irq, c);
	c->irq = -1;
	vfree(c->xr);
	c->xr = NULL;
}

/*
 * Allocate, register (on @cpu: Xen takes the calling vCPU's ring) and bind
 * the Xen ring of @cpu.  Process context, CPU hotplug excluded.  On
 * failure the caller frees the CPU.
 */
int spml_setup_cpu(unsigned int cpu)
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
	return 0;
}
