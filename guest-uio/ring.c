// SPDX-License-Identifier: GPL-2.0-only
/*
 * ring.c - the state the producers (spml.c, epml.c) and the tracker
 * lifetime (tracker.c) share in ooh_pml.ko (design: ooh_pml.h): the
 * per-vCPU state, the list of trackers, the hotplug count, and producing
 * into the trackers' rings (include/ooh/ring.h) with the wakeup of their
 * consumers.  It calls no other file of the module, so the producers
 * depend on it and tracker.c on them, without a circle.
 */
#include "ooh_pml.h"

DEFINE_PER_CPU(struct spml_cpu, spml_cpus);
LIST_HEAD(trackers);			/* writers hold tracker.c's spml_lock */
/* vCPUs that came online or went offline while trackers existed */
atomic_t hotplugs = ATOMIC_INIT(0);

/* Producing into the trackers' rings (this CPU, interrupts off) */

static void tracker_notify_work(struct irq_work *w)
{
	struct spml_tracker *t = container_of(w, struct spml_tracker,
					      notify_work);

	if (t->uio_registered)
		uio_event_notify(&t->uio);
}

/*
 * Wake @t's consumer (read()/poll() on its UIO device).  Callers include
 * the sched_switch probe, which runs with the runqueue lock held: a wakeup
 * there could need that very lock.  So the wakeup runs from irq_work, in
 * interrupt context once the caller has let interrupts in again.
 */
void tracker_notify(struct spml_tracker *t)
{
	irq_work_queue(&t->notify_work);
}

struct ooh_ring_producer *tracker_prod(struct spml_tracker *t,
					      unsigned int cpu)
{
	return cpu < t->nr_vcpus ? &t->prod[cpu] : NULL;
}

/*
 * Append @n entries to @t's ring for this CPU; notify when the ring
 * crosses the consumer's threshold.  Returns true if it did.
 */
bool tracker_produce(struct spml_tracker *t, const u64 *ent, u64 n)
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
void trackers_flag(u32 flag)
{
	struct spml_tracker *t;

	list_for_each_entry_rcu(t, &trackers, node) {
		struct ooh_ring_producer *p = tracker_prod(t, smp_processor_id());

		if (p)
			ooh_atomic_fetch_or(&p->hdr->flags, flag);
		tracker_notify(t);
	}
}

/* Set up @t's wakeup (tracker_notify()) before @t joins the list. */
void tracker_notify_init(struct spml_tracker *t)
{
	init_irq_work(&t->notify_work, tracker_notify_work);
}
