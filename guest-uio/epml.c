// SPDX-License-Identifier: GPL-2.0-only
/*
 * epml.c - the EPML path of ooh_pml.ko (design: ooh_pml.h; the CPU side is
 * bochs-epml/EPML.md): each vCPU's EPML buffer, its MSRs (6F0H-6F2H,
 * include/ooh/epml.h) and buffer-full IRQ, and the drain of the buffer
 * into the trackers' rings.
 */
#include "ooh_pml.h"

/*
 * 64 pages: 16384 entries, as many frames as one rearm can list
 * (OOH_SPML_REARM_MAX_GFNS).  The buffer-full interrupt has not been seen
 * to save an interval that fills the buffer: each such interval set OVF
 * (rl_full_ovf in xen_stats), probably because the interrupt's own first
 * writes of the interval find the buffer full (EPML.md 6), and was then
 * reported whole.  With 16 pages that happened from 4096 frames written
 * per interval on (ooh-bench, 256 MB at 10%).
 */
unsigned int epml_size = 6;
module_param(epml_size, uint, 0444);
MODULE_PARM_DESC(epml_size,
		 "EPML buffer per vCPU: 2^epml_size pages, 256 entries each (0-9)");

/*
 * Negative control: each SYNC leaves the last tracked user page it would
 * list off the rearm list (the writer's last first-write before the fetch,
 * usually the page a test checks), so its next write is not logged.
 */
static bool test_rearm_skip;
module_param(test_rearm_skip, bool, 0600);
MODULE_PARM_DESC(test_rearm_skip,
		 "test only: one tracked frame per SYNC stays dirty (misses writes)");

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

/*
 * The number of page tables that map the 4 KiB page @page: the page's own
 * PTE mappings, plus the PMD mappings of its folio when it is part of a
 * THP.  Read without locks: a frame mapped again after this read is
 * written through the new mapping, which EPML logs again.  6.12 dropped
 * page_mapcount(); the folio counters are inline there.
 */
static int epml_page_mapcount(struct page *page)
{
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 12, 0)
	return page_mapcount(page);
#else
	struct folio *folio = page_folio(page);

	if (!folio_test_large(folio))
		return folio_mapcount(folio);
	return atomic_read(&page->_mapcount) + 1 + folio_entire_mapcount(folio);
#endif
}

/*
 * May the frame of @e be mapped more than once in this interval (a memfd
 * or MAP_SHARED file mapped twice, a mirrored ring buffer, a page shared
 * after fork)?  EPML logs the GVA of the first write only: a later write
 * through another mapping of the frame sets no new dirty flag, so the
 * tracker must also get the GPA, which RESOLVE turns into every mapping.
 * The drain may run before the other mapping exists (a context switch
 * between the first write and the page fault that maps the frame again,
 * then a write there), so a file or shmem frame counts as aliased
 * whatever its map count says now: spml.test 47 missed such a write once
 * in 40 rounds.  An anonymous frame gets another mapping in the same mm
 * only through paths the MMU notifier reports (fork's write-protect,
 * mremap, KSM).
 * @s: the drain's section lookups.  A frame of online boot memory needs no
 * pfn_valid(), whose RCU-sched section and subsection lookups took a third
 * of epml_deliver()'s samples (ooh-bench, 64 MB, 10%).  The drain runs with
 * interrupts off, so a section it found online cannot have its memmap
 * freed before it returns (memory hot-remove waits for an RCU grace
 * period).
 */
static bool epml_frame_aliased(const struct ooh_epml_entry *e,
			       struct boot_sections *s)
{
	unsigned long pfn = (e->gpa & OOH_EPML_E_ADDR_MASK) >> PAGE_SHIFT;
	struct page *page;

	if (!boot_section_of(s, pfn) && !pfn_valid(pfn))
		return true;
	page = pfn_to_page(pfn);
	return !PageAnon(page) || epml_page_mapcount(page) > 1;
}

/* The same entry for a tracker of another mm: by GPA only. */
static u64 epml_to_gpa(const struct ooh_epml_entry *e)
{
	u64 gpa = e->gpa & OOH_EPML_E_ADDR_MASK;

	if (e->gva & OOH_EPML_E_LARGE)
		return (gpa & ~((2ull << 20) - 1)) | OOH_ENTRY_2M;
	return gpa;
}

/* This CPU's list misses a frame: the next rearm resets the whole p2m. */
static void epml_rl_incomplete(struct spml_cpu *c, u8 why)
{
	if (!c->rl_ovf)
		c->rl_why = why;
	c->rl_ovf = true;
}

/*
 * Remember the frame of entry @e for the rearm list of @c (interrupts off,
 * on @c's CPU).  @to: the tracker of the mm running here (for the
 * negative control only).
 */
static void epml_rl_add(struct spml_cpu *c, const struct ooh_epml_entry *e,
			struct spml_tracker *to)
{
	if (e->gva & OOH_EPML_E_LARGE) {
		epml_rl_incomplete(c, RL_FULL_LARGE);	/* a 2 MiB EPT leaf */
		return;
	}
	if (!c->rl || c->rl_nr >= OOH_SPML_REARM_MAX_GFNS) {
		epml_rl_incomplete(c, RL_FULL_CAP);
		return;
	}
	if (to && (e->gva & OOH_EPML_E_GVA) &&
	    (e->gva & OOH_EPML_E_ADDR_MASK) < TASK_SIZE_MAX) {
		c->rl_user = c->rl_nr;
		c->rl_has_user = true;
	}
	c->rl[c->rl_nr++] = (e->gpa & OOH_EPML_E_ADDR_MASK) >> PAGE_SHIFT;
}

/* Entries [from, to) of this CPU's buffer to the rearm list and trackers. */
static void epml_deliver(struct spml_cpu *c, struct spml_tracker *to,
			 const struct ooh_epml_entry *e, u64 from, u64 n)
{
	struct boot_sections secs = BOOT_SECTIONS_INIT;
	struct spml_tracker *t;
	u64 batch[32], i;
	unsigned int k;

	for (i = from; i < n; i++)
		if (e[i].gva & OOH_EPML_E_VALID)
			epml_rl_add(c, &e[i], to);
	list_for_each_entry_rcu(t, &trackers, node) {
		bool notify = false;

		for (i = from, k = 0; i < n; i++) {
			u64 ent;

			if (!(e[i].gva & OOH_EPML_E_VALID))
				continue;
			ent = t == to ? epml_to_ring(&e[i]) : epml_to_gpa(&e[i]);
			batch[k++] = ent;
			/* a GVA entry of an aliased frame: its GPA too */
			if ((ent & OOH_ENTRY_GVA) &&
			    epml_frame_aliased(&e[i], &secs))
				batch[k++] = epml_to_gpa(&e[i]);
			if (k >= ARRAY_SIZE(batch) - 1) {
				notify |= tracker_produce(t, batch, k);
				k = 0;
			}
		}
		if (k)
			notify |= tracker_produce(t, batch, k);
		if (notify)
			tracker_notify(t);
	}
}

/*
 * Move the EPML buffer of this CPU to the trackers and restart it: to @to
 * (the tracker whose mm ran here while they were logged, or NULL) as
 * epml_to_ring() entries, to every other tracker by GPA (its reverse map
 * keeps the frames its process maps; a frame first written by another
 * context is not logged again in this interval).  Interrupts off.
 * Logging stays on: the drain's own first writes (the rings, the rearm
 * list) are logged too, behind the entries being read, so it reads INDEX
 * again until it stops moving and only then writes it back to 0; between
 * that last read and the write nothing stores to memory.  Every EPT dirty
 * flag this CPU sets thus has its entry (but the buffer's own, EPML.md
 * 5.1), which the rearm by list relies on.
 */
void epml_drain(struct spml_cpu *c, struct spml_tracker *to)
{
	const struct ooh_epml_entry *e;
	u64 idx, n, done = 0, cap = OOH_EPML_CAPACITY(epml_size);

	if (!c->epml_buf)
		return;
	e = page_address(c->epml_buf);
	for (;;) {
		if (rdmsrl_safe(OOH_MSR_IA32_EPML_INDEX, &idx))
			idx = OOH_EPML_INDEX_OVF;	/* revoked: nothing is known */
		n = min(idx & OOH_EPML_INDEX_MASK, cap);
		if (n > done)
			epml_deliver(c, to, e, done, n);
		if (n <= done || (idx & OOH_EPML_INDEX_OVF))
			break;
		done = n;
	}
	if (done || (idx & OOH_EPML_INDEX_OVF))
		wrmsrl_safe(OOH_MSR_IA32_EPML_INDEX, 0);
	c->epml_entries += max(n, done);
	c->epml_hwm = max_t(u32, c->epml_hwm, max(n, done));
	if (idx & OOH_EPML_INDEX_OVF) {
		/* entries of this interval were not logged, whoever wrote */
		c->epml_ovf++;
		epml_rl_incomplete(c, RL_FULL_OVF);
		trackers_flag(OOH_RING_F_OVERFLOW);
	}
}

/* Logging on/off for this CPU (EPML.md 3.1: WRMSR, no VM exit). */
void epml_switch(struct spml_cpu *c, bool on)
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

/* IPI: EPML MSRs of this CPU off (no tracker may log any more). */
void epml_off_on_cpu(void *data)
{
	struct spml_cpu *c = this_cpu_ptr(&spml_cpus);

	if (!c->epml_buf)
		return;
	epml_switch(c, false);
	wrmsrl_safe(OOH_MSR_IA32_EPML_INDEX, 0);
	wrmsrl_safe(OOH_MSR_IA32_EPML_BASE, 0);
}

/* An empty, complete rearm list for @c: the next take lists from here. */
static void epml_rl_restart(struct spml_cpu *c)
{
	c->rl_nr = 0;
	c->rl_ovf = false;
	c->rl_why = 0;
	c->rl_has_user = false;
}

/*
 * IPI before Xen's arm (ooh_xen_setup()), interrupts off: this CPU logs
 * from now on, and its rearm list is complete from here.  Every frame
 * written after the arm sets a new EPT dirty flag, hence has an entry and
 * a list slot, so the first rearm can go by list.  With logging switched
 * on only once a tracker attached, a frame written between the arm and
 * that switch had neither, and the first rearm had to reset the whole p2m
 * (a walk of guest memory inside the tracker's first fetch).
 */
void epml_on_before_arm(void *data)
{
	struct spml_cpu *c = this_cpu_ptr(&spml_cpus);

	if (!c->epml_buf)
		return;
	epml_rl_restart(c);
	epml_switch(c, true);
}

void epml_free_cpu(unsigned int cpu)
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
	vfree(c->rl);
	c->rl = NULL;
	c->rl_nr = 0;
	c->epml_on = false;
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
	c->rl = vmalloc_node(OOH_SPML_REARM_MAX_GFNS * sizeof(u64),
			     cpu_to_node(cpu));
	if (!c->epml_buf || !c->rl)
		return -ENOMEM;
	c->rl_nr = 0;
	c->rl_ovf = true;	/* drains before this one were not listed */
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

/* IPI: program this CPU's buffer (EN stays 0). */
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
}

/* EPML buffer, IRQ and MSRs of @cpu (process context). */
int epml_setup_one(unsigned int cpu)
{
	struct epml_arg a = { 0 };
	int rc = epml_setup_cpu(cpu);

	if (rc)
		return rc;
	smp_call_function_single(cpu, epml_program_on_cpu, &a, 1);
	return a.rc;
}

/* Xen's HVM CPUID leaf base + 4, EAX bit 31 (EPML.md 2, ooh/epml.h). */
bool epml_probe(void)
{
	u32 base = xen_cpuid_base();

	return base && (cpuid_eax(base + 4) & OOH_XEN_HVM_CPUID_EPML);
}

/* ------------------------------------------------------------------ */
/* Rearm by list (xen-patches: OOH_SPML_OP_rearm with u.rearm)         */
/* ------------------------------------------------------------------ */

/*
 * Without PML Xen sees no entry: the frames whose EPT dirty flag EPML set
 * are known only here, from the drained entries' GPAs.  Each SYNC takes
 * every CPU's list (epml_rl_take() in its IPI), hands them to the rearm,
 * which resets those frames only, and starts new lists.  A frame drained
 * on a CPU after its take stays dirty over this rearm: its entry is in the
 * next interval already, and the next SYNC lists it.  Whatever cannot be
 * listed (an overflow, a 2 MiB entry, a vCPU that came or went, a failed
 * rearm) makes the rearm reset the whole p2m.
 */
#define EPML_RL_BYTES	(OOH_SPML_REARM_MAX_GFNS * sizeof(u64))
static DEFINE_MUTEX(epml_rearm_lock);	/* one list in flight */
static struct epml_rearm epml_rl;
static bool epml_rl_need_full = true;	/* the last rearm did not run */
static bool epml_rl_unsupported;	/* Xen without u.rearm: -EINVAL */
static bool epml_rl_gpa_unsupported;	/* Xen without LIST_GPA: -EINVAL */
static int epml_rl_hotplugs;		/* hotplugs at the last rearm */

/*
 * After epml_on_before_arm() on every online CPU, before the arm: the
 * lists of the first interval are complete (no earlier rearm needed).
 */
void epml_lists_from_arm(void)
{
	mutex_lock(&epml_rearm_lock);
	epml_rl_need_full = false;
	epml_rl_hotplugs = atomic_read(&hotplugs);
	mutex_unlock(&epml_rearm_lock);
}

/*
 * A SYNC left the rearm out (OOH_SPML_SYNC_NO_REARM): the lists no longer
 * hold every dirty frame, so the next rearm resets the whole p2m.
 */
void epml_rearm_owe_full(void)
{
	mutex_lock(&epml_rearm_lock);
	epml_rl_need_full = true;
	mutex_unlock(&epml_rearm_lock);
}

/* Does the next rearm reset the whole p2m (a left-out or failed one)? */
bool epml_rearm_owed(void)
{
	bool owed;

	mutex_lock(&epml_rearm_lock);
	owed = epml_rl_need_full;
	mutex_unlock(&epml_rearm_lock);
	return owed;
}

/* Under cpus_read_lock(), before the SYNC IPIs. */
struct epml_rearm *epml_rearm_begin(void)
{
	struct epml_rearm *r = &epml_rl;

	mutex_lock(&epml_rearm_lock);
	if (!r->gfn) {
		/* physically contiguous if it can be: see epml_rearm() */
		r->gfn = alloc_pages_exact(EPML_RL_BYTES,
					   GFP_KERNEL | __GFP_NOWARN);
		r->gfn_phys = r->gfn;
		if (!r->gfn)
			r->gfn = vmalloc(EPML_RL_BYTES);
	}
	r->nr = 0;
	r->full = !r->gfn;
	r->hotplugs = atomic_read(&hotplugs);
	return r;
}

void epml_rearm_end(struct epml_rearm *r)
{
	mutex_unlock(&epml_rearm_lock);
}

/* Module exit: the list epml_rearm_begin() allocated once. */
void epml_rearm_free(void)
{
	if (epml_rl.gfn_phys)
		free_pages_exact(epml_rl.gfn, EPML_RL_BYTES);
	else
		vfree(epml_rl.gfn);
	epml_rl.gfn = NULL;
}

/*
 * The buffer pages of @c whose EPT dirty flags its entry stores may have
 * set since the last take: those up to the high-water mark, and always
 * the first, where the entries of the take's own first writes go (the
 * drain restarted INDEX at 0).  A page the CPU wrote and the list misses
 * is no tracked page, but Xen's audit would count it.
 */
static u32 epml_buf_pages(const struct spml_cpu *c)
{
	if (!c->epml_buf)
		return 0;
	return clamp_t(u32, DIV_ROUND_UP(c->epml_hwm, OOH_EPML_ENTRIES_PER_PAGE),
		       1, 1u << epml_size);
}

/*
 * On @c's CPU, interrupts off: move its list to @r, with the frames of
 * its EPML buffer that its entries filled: the CPU's own writes of entries
 * set their EPT dirty flags and are never logged (EPML.md 5.1).
 */
void epml_rl_take(struct spml_cpu *c, struct epml_rearm *r)
{
	u32 nbuf = epml_buf_pages(c), i;

	if (READ_ONCE(test_rearm_skip) && c->rl_has_user && c->rl_nr)
		c->rl[c->rl_user] = c->rl[--c->rl_nr];
	if (!c->rl_ovf && r->gfn &&
	    c->rl_nr + nbuf > OOH_SPML_REARM_MAX_GFNS - r->nr)
		epml_rl_incomplete(c, RL_FULL_CAP);
	if (c->rl_ovf || !r->gfn)
		r->full = true;
	if (c->rl_ovf) {
		c->rl_full_large += c->rl_why == RL_FULL_LARGE;
		c->rl_full_cap += c->rl_why == RL_FULL_CAP;
		c->rl_full_ovf += c->rl_why == RL_FULL_OVF;
	}
	if (!r->full) {
		memcpy(r->gfn + r->nr, c->rl, c->rl_nr * sizeof(u64));
		r->nr += c->rl_nr;
		for (i = 0; i < nbuf; i++)
			r->gfn[r->nr++] =
				pfn_to_gfn(page_to_pfn(c->epml_buf) + i);
	}
	epml_rl_restart(c);
	c->epml_hwm = 0;
}

/*
 * The rearm of a SYNC whose IPIs took every CPU's list into @r, with
 * interrupts off (the caller takes this CPU's fence after it).  This CPU
 * drains and takes its list again, until its buffer stays empty, up to
 * the hypercall, so that on a 1-vCPU domain no frame is dirty and
 * unlisted when Xen resets (its audit counts 0).  The entries drained here
 * are the next interval's (the IPI attributed this CPU's interval).  The
 * one hypercall also moves Xen's queued writes to this CPU's Xen ring
 * (OOH_SPML_REARM_DRAIN); a Xen without that flag gets a drain first.
 */
int epml_rearm(struct epml_rearm *r)
{
	struct ooh_spml_hvm_op op = { 0 };
	struct spml_cpu *c;
	unsigned long flags;
	unsigned int loops = 0;
	u64 idx;
	int rc;

	local_irq_save(flags);
	c = this_cpu_ptr(&spml_cpus);
	rcu_read_lock();
	/* the take's own first writes (a new page of the list) log entries */
	do {
		epml_drain(c, c->cur);
		epml_rl_take(c, r);
	} while (++loops < 4 && c->epml_buf &&
		 !rdmsrl_safe(OOH_MSR_IA32_EPML_INDEX, &idx) &&
		 (idx & OOH_EPML_INDEX_MASK));
	rcu_read_unlock();
	if (READ_ONCE(rearm_full)) {
		op.u.rearm.flags = OOH_SPML_REARM_FULL;
	} else if (!r->full && !epml_rl_need_full && !epml_rl_unsupported &&
		   r->hotplugs == epml_rl_hotplugs) {
		op.u.rearm.gfn_list = (u64)(unsigned long)r->gfn;
		op.u.rearm.nr = r->nr;
		op.u.rearm.flags = OOH_SPML_REARM_LIST;
		/*
		 * By GPA where the list is contiguous: Xen then looks up its
		 * pages in the p2m instead of walking our page tables for
		 * each (xen-patches/0025; about 0.2 ms of a CRIU dump's
		 * rearm).  HVM: GFN = PFN.
		 */
		if (r->gfn_phys && !epml_rl_gpa_unsupported) {
			op.u.rearm.gfn_list = PFN_PHYS(pfn_to_gfn(virt_to_pfn(r->gfn)));
			op.u.rearm.flags |= OOH_SPML_REARM_LIST_GPA;
		}
	}
	rc = spml_rearm_drain(&op);
	if (rc == -EINVAL && (op.u.rearm.flags & OOH_SPML_REARM_LIST_GPA)) {
		/* a Xen without LIST_GPA: the linear address from now on */
		epml_rl_gpa_unsupported = true;
		op.u.rearm.gfn_list = (u64)(unsigned long)r->gfn;
		op.u.rearm.flags &= ~OOH_SPML_REARM_LIST_GPA;
		rc = spml_rearm_drain(&op);
	}
	if (rc == -EINVAL && op.u.rearm.flags) {
		/* a Xen whose rearm takes no list: the whole p2m each time */
		epml_rl_unsupported = true;
		memset(&op.u, 0, sizeof(op.u));
		rc = spml_hvmop(OOH_SPML_OP_rearm, &op);
	}
	local_irq_restore(flags);
	epml_rl_need_full = rc != 0;
	epml_rl_hotplugs = r->hotplugs;
	return rc;
}
