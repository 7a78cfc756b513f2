// SPDX-License-Identifier: GPL-2.0-only
/*
 * tracker.c - tracker lifetime of ooh_pml.ko (design: ooh_pml.h): TRACK
 * creates a tracker with its per-vCPU rings (include/ooh/ring.h) in a UIO
 * map (include/ooh/spml_uio.h), SYNC fences an interval, close destroys
 * it; the sched_switch probe says which tracker's mm runs on each vCPU;
 * the MMU notifier reports invalidated ranges; /dev/ooh-spml and
 * /dev/ooh-epml; module init and exit.
 */
#include "ooh_pml.h"

static DEFINE_MUTEX(spml_lock);		/* trackers' writers */
static unsigned int nr_trackers;
static bool probe_registered;
static enum cpuhp_state spml_hp_state;
bool mode_epml;				/* mode of the current trackers */
static bool epml_available;		/* XEN_HVM_CPUID_EPML */
static struct miscdevice epml_misc;
static struct tracepoint *tp_sched_switch;
static struct miscdevice spml_misc;

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

/*
 * sched_switch probe, EPML mode only: IRQs are off, the runqueue lock is
 * held.  EN stays on (every context is logged); the drain splits the
 * buffer where the GVAs change meaning.  SPML needs no probe: its entries
 * are GPAs, which mean the same in every context.
 */
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
	if (tn != c->cur) {
		epml_drain(c, c->cur);
		spml_move(c);
		c->cur = tn;
	}
	rcu_read_unlock();
}

/* ------------------------------------------------------------------ */
/* Per-vCPU lifetime: the producers' state, arming, CPU hotplug        */
/* ------------------------------------------------------------------ */

static bool xen_armed;
/*
 * Xen rings set up (ooh_xen_setup() to ooh_xen_teardown()); written
 * under cpus_read_lock(), so CPU hotplug callbacks (cpus_write_lock())
 * see it stable.  They never take spml_lock: tracker_create() holds it
 * around cpus_read_lock().
 */
static bool xen_up;

/*
 * The producers of @cpu: its Xen ring (spml.c), then in EPML mode its
 * EPML buffer (epml.c).  On failure the caller frees the CPU.
 */
static int ooh_setup_cpu(unsigned int cpu)
{
	int rc = spml_setup_cpu(cpu);

	return rc ? rc : mode_epml ? epml_setup_one(cpu) : 0;
}

static void ooh_xen_teardown(void)
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

/* Set up every online vCPU (ooh_setup_cpu()), then arm Xen. */
static int ooh_xen_setup(void)
{
	unsigned int cpu;
	int rc = 0;

	cpus_read_lock();
	xen_up = true;		/* CPUs that come online get a ring too */
	for_each_online_cpu(cpu) {
		rc = ooh_setup_cpu(cpu);
		if (rc)
			break;
	}
	if (!rc && mode_epml) {
		/* logging before the arm: the first rearm goes by list */
		on_each_cpu(epml_on_before_arm, NULL, 1);
		epml_lists_from_arm();
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
		ooh_xen_teardown();
	return rc;
}

/* Under spml_lock: does the next rearm reset the whole p2m? */
static bool rearm_owed(void)
{
	return mode_epml ? epml_rearm_owed() : spml_rearm_owed();
}

/* IPI to self (IRQs off) from the offline callback: let go of this CPU. */
static void ooh_offline_on_cpu(void *data)
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
 * to the domain's queue (xen-patches/0011), which the next drain of any
 * vCPU moves to a ring; EPML logs nothing there before EN is set.  The
 * interval in which a vCPU comes or goes is therefore "everything dirty"
 * for every tracker (SYNC reports OOH_RING_F_OVERFLOW once per tracker);
 * the intervals after it are exact on every online vCPU.
 */
static int ooh_cpu_online(unsigned int cpu)
{
	int rc;

	if (!xen_up)
		return 0;
	atomic_inc(&hotplugs);
	rc = ooh_setup_cpu(cpu);
	if (rc) {
		pr_warn("cpu%u: no SPML/EPML ring, keeping it offline: %d\n",
			cpu, rc);
		smp_call_function_single(cpu, ooh_offline_on_cpu, NULL, 1);
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
static int ooh_cpu_offline(unsigned int cpu)
{
	if (!xen_up)
		return 0;
	atomic_inc(&hotplugs);
	smp_call_function_single(cpu, ooh_offline_on_cpu, NULL, 1);
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

/*
 * Test only (tests/system/emu-payload/spml: the notifier's negative
 * control): drop every MMU notifier entry.  A tracker then misses the
 * pages a munmap, MADV_DONTNEED, COW or migration takes away.
 */
static bool test_drop_mn;
module_param(test_drop_mn, bool, 0600);

/*
 * Race test: TRACK sleeps this long between its rights check and taking
 * the mm, so a test can start a setuid exec of the target in between.
 */
static unsigned int test_track_delay_ms;
module_param(test_track_delay_ms, uint, 0600);
MODULE_PARM_DESC(test_track_delay_ms,
		 "test only: ms TRACK waits between the rights check and taking the mm");

/* Ranges up to this many pages get one GVA entry per 4 KiB page. */
#define MN_PER_PAGE_MAX	512

static void mn_gva(struct ooh_ring_producer *p, unsigned long va, bool huge,
		   u64 *n)
{
	u64 e = (u64)va | OOH_ENTRY_GVA | (huge ? OOH_ENTRY_2M : 0);

	ooh_ring_produce(p, &e, 1);	/* a full ring sets OVERFLOW */
	(*n)++;
}

/* Frame @pfn as a GPA entry; @huge: the 2 MiB of its PMD leaf. */
static u64 mn_frame_entry(unsigned long pfn, bool huge)
{
	u64 e = (u64)pfn << PAGE_SHIFT;

	return huge ? (e & ~(u64)(PMD_SIZE - 1)) | OOH_ENTRY_2M : e;
}

/* The frame mapped by a present PTE or PMD leaf, to the ring. */
static void mn_frame(struct ooh_ring_producer *p, unsigned long pfn, bool huge,
		     u64 *n)
{
	u64 e = mn_frame_entry(pfn, huge);

	ooh_ring_produce(p, &e, 1);
	(*n)++;
}

#define MN_W_GVA	(1u << 0)	/* a GVA entry per populated page */
#define MN_W_FRAMES	(1u << 1)	/* a GPA entry per present frame */

/*
 * Walk [@start, @end) of @mm.  MN_W_GVA: one GVA entry per populated (not
 * pte_none) PTE, one 2 MiB entry per populated PMD or PUD leaf (THP,
 * hugetlb, a migration or swap PMD).  MN_W_FRAMES: one GPA entry per
 * present PTE or PMD leaf, the frame it maps; a swap or migration entry
 * (data without a frame to name) sets OVERFLOW instead.  Empty tables are
 * skipped whole, so a sparse range costs its populated pages plus one
 * read per empty 2 MiB.  Runs with interrupts off and no page-table lock,
 * as GUP-fast does: x86 frees page tables only after an IPI or an RCU
 * grace period, both held off here.  Returns the number of entries.
 */
static u64 mn_walk(struct ooh_ring_producer *p, struct mm_struct *mm,
		   unsigned long start, unsigned long end, unsigned int what)
{
	unsigned long va = start, next;
	u64 n = 0;

	while (va < end) {
		pgd_t *pgd = pgd_offset(mm, va);
		p4d_t *p4d;
		pud_t *pudp, pud;
		pmd_t *pmdp, pmd;
		pte_t *ptep;

		next = pgd_addr_end(va, end);
		if (pgd_none(READ_ONCE(*pgd)))
			goto skip;
		p4d = p4d_offset(pgd, va);
		next = p4d_addr_end(va, end);
		if (p4d_none(READ_ONCE(*p4d)))
			goto skip;
		pudp = pud_offset(p4d, va);
		pud = READ_ONCE(*pudp);
		next = pud_addr_end(va, end);
		if (pud_none(pud))
			goto skip;
		if (pud_leaf(pud) || !pud_present(pud)) {
			for (; (what & MN_W_GVA) && va < next;
			     va = (va & PMD_MASK) + PMD_SIZE)
				mn_gva(p, va & PMD_MASK, true, &n);
			/* hugetlb: RESOLVE reports a fetch with its frame whole */
			if ((what & MN_W_FRAMES) && pud_present(pud))
				mn_frame(p, pud_pfn(pud), false, &n);
			else if (what & MN_W_FRAMES)
				ooh_atomic_fetch_or(&p->hdr->flags,
						    OOH_RING_F_OVERFLOW);
			va = next;
			continue;
		}
		pmdp = pmd_offset(pudp, va);
		pmd = READ_ONCE(*pmdp);	/* one word on x86-64 */
		next = pmd_addr_end(va, end);
		if (pmd_none(pmd))
			goto skip;
		if (pmd_leaf(pmd) || !pmd_present(pmd)) {
			if (what & MN_W_GVA)
				mn_gva(p, va & PMD_MASK, true, &n);
			if (!(what & MN_W_FRAMES))
				goto skip;
			if (pmd_present(pmd))
				mn_frame(p, pmd_pfn(pmd), true, &n);
			else
				ooh_atomic_fetch_or(&p->hdr->flags,
						    OOH_RING_F_OVERFLOW);
			goto skip;
		}
		ptep = pte_offset_kernel(&pmd, va);
		for (; va < next; va += PAGE_SIZE, ptep++) {
			pte_t pte = ptep_get_lockless(ptep);

			if (pte_none(pte))
				continue;
			if (what & MN_W_GVA)
				mn_gva(p, va, false, &n);
			if (!(what & MN_W_FRAMES))
				continue;
			if (pte_present(pte))
				mn_frame(p, pte_pfn(pte), false, &n);
			else
				ooh_atomic_fetch_or(&p->hdr->flags,
						    OOH_RING_F_OVERFLOW);
		}
		continue;
skip:
		va = next;
	}
	return n;
}

/*
 * May the range of @r be reported by mn_walk(), i.e. can no page of it be
 * faulted in and written between the walk and the zap without a later
 * fetch finding it?  A private page faulted in after the walk and zapped
 * goes back to what the walk saw (zero, or the file's data), and one the
 * zap missed is still mapped, so its logged frame resolves; a MAP_SHARED
 * page written after the walk keeps the data in the page cache once
 * zapped, and only a per-page entry reports it.  munmap and mremap
 * (MMU_NOTIFY_UNMAP) run with the VMAs detached or under the mmap write
 * lock, so nothing faults in there.  Otherwise the range's VMAs are
 * looked at under mmap_read_trylock() (the caller may hold the lock
 * already, or not at all, as truncate does): any shared VMA, or a lock
 * not taken, means no.
 */
static bool mn_may_walk(const struct mmu_notifier_range *r)
{
	struct vm_area_struct *vma;
	bool ok = true;

	if (r->event == MMU_NOTIFY_UNMAP)
		return true;
	if (!mmap_read_trylock(r->mm))
		return false;
	for (vma = find_vma(r->mm, r->start); ok && vma && vma->vm_start < r->end;
	     vma = find_vma(r->mm, vma->vm_end))
		ok = !(vma->vm_flags & (VM_SHARED | VM_MAYSHARE));
	mmap_read_unlock(r->mm);
	return ok;
}

/*
 * A clear of one page or of one aligned 2 MiB: the shape of UFFDIO_MOVE's
 * notifier call (move_pages_pte(), move_pages_huge_pmd()), which names the
 * source only.
 */
static bool mn_move_shape(const struct mmu_notifier_range *r)
{
	return r->event == MMU_NOTIFY_CLEAR &&
	       (r->end - r->start == PAGE_SIZE ||
		(r->end - r->start == PMD_SIZE && !(r->start & ~PMD_MASK)));
}

/*
 * Keep the frame a move-shaped clear may move until its end (interrupts
 * off).  A range with no free slot is found missing at its end.
 */
static void mn_move_start(struct spml_tracker *t,
			  const struct mmu_notifier_range *r)
{
	bool huge = false;
	unsigned long pfn = tracker_pfn_at(r->mm, r->start, &huge);
	u64 e = 0;
	int i;

	if (pfn != ULONG_MAX)
		e = mn_frame_entry(pfn, huge);
	spin_lock(&t->mn_lock);
	for (i = 0; i < ARRAY_SIZE(t->mn_moves); i++)
		if (!t->mn_moves[i].r) {
			t->mn_moves[i].r = r;
			t->mn_moves[i].e = e;
			break;
		}
	spin_unlock(&t->mn_lock);
}

/*
 * MMU notifier: the invalidated pages of the tracked mm are dirty (GVAs):
 * their frame goes away or changes (munmap, MADV_DONTNEED, COW, swap-out,
 * migration, THP split and collapse, KSM merge), so a write earlier in the
 * interval may no longer resolve from its logged frame.  Up to
 * MN_PER_PAGE_MAX pages: one entry per page.  Larger ranges: one entry per
 * populated page (mn_walk()) where that is exact (mn_may_walk()), else one
 * per page; what does not fit in the ring sets OVERFLOW (the interval is
 * reported whole).
 *
 * Two calls move data to an address they do not name, without a write
 * for the CPU to log: mremap() (MMU_NOTIFY_UNMAP on the source) and
 * UFFDIO_MOVE (a move-shaped MMU_NOTIFY_CLEAR on the source).  The data
 * keeps its frame, so the frame is reported too, as a GPA entry that
 * RESOLVE turns into its new address, wherever the move put it: an
 * unmap's frames at once (mremap holds the mmap write lock, so no RESOLVE
 * runs before the move is done; munmap's frames are freed, and RESOLVE
 * drops them), a clear's at its end (UFFDIO_MOVE holds the mmap read lock
 * or a VMA lock only, and a RESOLVE between the start and the move would
 * still find the frame at the source).  The ooh-oracle cases mremap-hole
 * and uffd-move miss the destination without these entries.
 */
static int spml_mn_invalidate_start(struct mmu_notifier *mn,
				    const struct mmu_notifier_range *r)
{
	struct spml_tracker *t = container_of(mn, struct spml_tracker, mn);
	unsigned long npages = (r->end - r->start) >> PAGE_SHIFT;
	bool unmap = r->event == MMU_NOTIFY_UNMAP, walk = false;
	struct ooh_ring_producer *p;
	struct spml_cpu *c;
	unsigned long flags, va;
	u64 e, n;

	switch (r->event) {
	case MMU_NOTIFY_PROTECTION_VMA:	/* same pages, no data change */
	case MMU_NOTIFY_PROTECTION_PAGE:
	case MMU_NOTIFY_SOFT_DIRTY:
		return 0;
	default:
		break;
	}
	if (READ_ONCE(test_drop_mn))
		return 0;
	if (npages > MN_PER_PAGE_MAX && mmu_notifier_range_blockable(r))
		walk = mn_may_walk(r);
	else if (npages > MN_PER_PAGE_MAX)
		walk = unmap;

	local_irq_save(flags);		/* serialise with moves on this CPU */
	c = this_cpu_ptr(&spml_cpus);
	p = tracker_prod(t, smp_processor_id());
	c->mn_ranges++;
	if (!p) {
		/* no ring for this CPU */
	} else if (walk) {
		n = mn_walk(p, r->mm, r->start & PAGE_MASK, r->end,
			    MN_W_GVA | (unmap ? MN_W_FRAMES : 0));
		c->mn_walks++;
		c->mn_walk_entries += n;
	} else if (npages > ooh_ring_space(p)) {
		/* Does not fit: the whole interval is dirty. */
		ooh_atomic_fetch_or(&p->hdr->flags, OOH_RING_F_OVERFLOW);
	} else {
		for (va = r->start & PAGE_MASK; va < r->end; va += PAGE_SIZE) {
			e = (u64)va | OOH_ENTRY_GVA;
			ooh_ring_produce(p, &e, 1);
		}
		if (unmap)
			mn_walk(p, r->mm, r->start & PAGE_MASK, r->end,
				MN_W_FRAMES);
	}
	if (mn_move_shape(r))
		mn_move_start(t, r);
	local_irq_restore(flags);
	return 0;
}

/* Is the frame of GPA entry @e mapped by any page table? */
static bool mn_frame_mapped(u64 e)
{
	struct page *page = pfn_to_online_page(e >> PAGE_SHIFT);

	return page && folio_mapped(page_folio(page));
}

/*
 * The end of a move-shaped clear: the frame it kept, now wherever the
 * move put it, goes to the ring; a range the start had no slot for sets
 * OVERFLOW (as does one that started before the tracker did).
 */
static void spml_mn_invalidate_end(struct mmu_notifier *mn,
				   const struct mmu_notifier_range *r)
{
	struct spml_tracker *t = container_of(mn, struct spml_tracker, mn);
	struct ooh_ring_producer *p;
	unsigned long flags;
	bool found = false;
	u64 e = 0;
	int i;

	if (!mn_move_shape(r) || READ_ONCE(test_drop_mn))
		return;
	local_irq_save(flags);
	spin_lock(&t->mn_lock);
	for (i = 0; i < ARRAY_SIZE(t->mn_moves); i++)
		if (t->mn_moves[i].r == r) {
			found = true;
			e = t->mn_moves[i].e;
			t->mn_moves[i].r = NULL;
			break;
		}
	spin_unlock(&t->mn_lock);
	/*
	 * A moved frame is mapped at its destination now.  One mapped
	 * nowhere was not moved: the old frame of a COW fault on a page
	 * only a pipe still holds (a write to a page CRIU's pre-dump spliced
	 * there, the common clear of one page), or a zapped one.  The read
	 * is racy, without a reference: a frame freed and mapped again
	 * since is sent, and RESOLVE drops it.
	 */
	if (e && !mn_frame_mapped(e))
		e = 0;
	p = tracker_prod(t, smp_processor_id());
	if (p && !found)
		ooh_atomic_fetch_or(&p->hdr->flags, OOH_RING_F_OVERFLOW);
	else if (p && e)
		ooh_ring_produce(p, &e, 1);
	local_irq_restore(flags);
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
	.invalidate_range_end = spml_mn_invalidate_end,
	.release = spml_mn_release,
};

static int spml_uio_open(struct uio_info *info, struct inode *inode)
{
	struct spml_tracker *t = info->priv;

	/*
	 * Only the tracker's own process may map its rings.  Compared as
	 * struct pid, held since TRACK: a pid number can be reused after the
	 * owner exits while an inherited fd keeps the tracker, a held struct
	 * pid cannot.
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
	irq_work_sync(&t->notify_work);	/* nothing queues it any more */
	if (t->mn_registered)
		mmu_notifier_unregister(&t->mn, t->mm);
	if (t->uio_registered)
		uio_unregister_device(&t->uio);
	if (t->mm)
		mmdrop(t->mm);
	put_pid(t->owner);
	tracker_resolve_free(t);
	kfree(t->prod);
	vfree(t->rings);
	kfree(t);
}

/*
 * EPML mode, IPI after a new tracker @data is listed: if the task running
 * here right now belongs to its mm, do what the sched_switch probe does
 * when such a task switches in.  The tracked process is usually running
 * already when TRACK returns (it tracks itself, or runs on another vCPU),
 * and without this its GVA entries would go to no tracker until its next
 * context switch on each vCPU, which a busy vCPU may not have for a long
 * time.
 */
static void epml_attach_on_cpu(void *data)
{
	struct spml_cpu *c = this_cpu_ptr(&spml_cpus);
	struct spml_tracker *t = data;

	if (!c->registered)
		return;
	if (!c->cur && tracker_of(current->mm) == t) {
		epml_drain(c, NULL);
		spml_move(c);
		c->cur = t;
	}
	epml_switch(c, true);	/* on while any tracker exists */
}

/*
 * EPML mode, IPI after tracker @data left the list: forget it as this
 * CPU's current tracker; what was logged so far goes to the remaining
 * trackers.
 */
static void epml_detach_on_cpu(void *data)
{
	struct spml_cpu *c = this_cpu_ptr(&spml_cpus);

	if (c->cur == data) {
		epml_drain(c, NULL);	/* @data is off the list */
		spml_move(c);
		c->cur = NULL;
	}
	if (list_empty(&trackers))
		epml_switch(c, false);
}

/* Called with spml_lock held. */
static void tracker_destroy(struct spml_tracker *t)
{
	unsigned int cpu;

	list_del_rcu(&t->node);
	synchronize_rcu();	/* no new attribution to t (tracker_of) */
	/* No CPU may still attribute entries to t. */
	if (mode_epml)
		for_each_online_cpu(cpu)
			smp_call_function_single(cpu, epml_detach_on_cpu, t, 1);
	if (--nr_trackers == 0) {
		if (probe_registered) {
			tracepoint_probe_unregister(tp_sched_switch,
						    spml_sched_switch, NULL);
			tracepoint_synchronize_unregister();
			probe_registered = false;
		}
		ooh_xen_teardown();
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
	mutex_init(&t->sync_lock);
	spin_lock_init(&t->mn_lock);
	tracker_notify_init(t);
	rcu_read_lock();	/* find_vpid() needs it */
	task = get_pid_task(find_vpid(req->pid), PIDTYPE_TGID);
	rcu_read_unlock();
	if (!task) {
		kfree(t);
		return -ESRCH;
	}
	/*
	 * As ptrace_attach(): the rights check and taking the mm happen
	 * under the target's cred_guard_mutex, so a setuid exec cannot change
	 * its credentials in between (the mm we take is the one the checked
	 * credentials own; an exec after this releases it: mm_gone).
	 */
	rc = mutex_lock_interruptible(&task->signal->cred_guard_mutex);
	if (rc) {
		put_task_struct(task);
		kfree(t);
		return rc;
	}
	if (!spml_may_track(task)) {
		mutex_unlock(&task->signal->cred_guard_mutex);
		put_task_struct(task);
		kfree(t);
		return -EPERM;
	}
	if (test_track_delay_ms)	/* an exec now waits for the mutex */
		msleep(test_track_delay_ms);
	t->mm = get_task_mm(task);
	mutex_unlock(&task->signal->cred_guard_mutex);
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
	 * world-readable maps/map0/addr, which would leak a kernel pointer.
	 * Our own .mmap (remap_vmalloc_range) never
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
		rc = ooh_xen_setup();
		if (rc)
			goto fail_locked;
	}
	if (epml && !probe_registered) {
		rc = tracepoint_probe_register(tp_sched_switch,
					       spml_sched_switch, NULL);
		if (rc) {
			if (nr_trackers == 0)
				ooh_xen_teardown();
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
			ooh_xen_teardown();
		}
		goto fail_locked;
	}
	t->uio_registered = true;
	t->hotplugs_seen = atomic_read(&hotplugs);
	/*
	 * A SYNC left the rearm out (sync_skip_end()) and no rearm has
	 * reset the whole p2m since: frames dirty from before are not
	 * logged when written, so this tracker's first interval is whole.
	 */
	if (nr_trackers && rearm_owed())
		t->all_next = true;
	list_add_tail_rcu(&t->node, &trackers);
	nr_trackers++;
	f->private_data = t;
	/* the tracked process may be running right now on any vCPU */
	if (mode_epml)
		on_each_cpu(epml_attach_on_cpu, t, 1);
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
	struct epml_rearm *rl;	/* EPML: the frames for Xen's rearm */
	int self;		/* the CPU that rearms */
	u64 *fence;
	u32 flags;		/* OOH_RING_F_OVERFLOW seen at a fence */
};

/*
 * The fence of this CPU's ring: move what Xen's ring holds, take the
 * ring's prod and its sticky overflow bit.  Every producer of ring @cpu
 * (the move from Xen's ring, the MMU notifier) runs on @cpu with
 * interrupts off, so a drop is before this fence (this interval) or after
 * it (still set at the next SYNC): the interval after an overflow is exact.
 */
static void spml_fence_here(struct sync_arg *a)
{
	struct spml_cpu *c = this_cpu_ptr(&spml_cpus);
	unsigned int cpu = smp_processor_id();

	rcu_read_lock();
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
 * SYNC on one CPU: attribute what was logged here so far, then the fence.
 * Under PML, the drain flushes this vCPU's PML buffer and moves the
 * domain's queue of the frames Xen wrote itself (hypercall outputs,
 * backends' grant unmaps and copies: no CPU store of this guest, so
 * neither PML nor EPML logs them; xen-patches/0011) to its Xen ring.
 * The rearming CPU (@a->self) needs neither: the rearm flushes every PML
 * buffer and moves that queue (OOH_SPML_REARM_DRAIN), and that CPU takes
 * its fence after it.  Under EPML there is no PML buffer.
 */
static void spml_sync_on_cpu(void *data)
{
	struct sync_arg *a = data;
	struct spml_cpu *c = this_cpu_ptr(&spml_cpus);

	if (a->rl) {
		rcu_read_lock();
		epml_drain(c, c->cur);
		epml_rl_take(c, a->rl);
		rcu_read_unlock();
	}
	if (smp_processor_id() == a->self)
		return;
	if (!a->rl && c->registered)
		spml_simple(OOH_SPML_OP_drain);
	spml_fence_here(a);
}

/*
 * Negative control: a SYNC that leaves the rearm out forgets what it owes
 * (no whole-p2m rearm next, no overflow), so writes to the frames it left
 * dirty go unreported.
 */
static bool test_skip_debt;
module_param(test_skip_debt, bool, 0600);
MODULE_PARM_DESC(test_skip_debt,
		 "test only: a SYNC without rearm owes nothing (misses writes)");

/*
 * May this SYNC (OOH_SPML_SYNC_NO_REARM) leave Xen's rearm out?  Only if
 * its tracker is the only one.  If so this returns true with spml_lock
 * held until sync_skip_end(): no tracker is created, and so no other
 * SYNC runs, between this decision and the debt it leaves.
 */
static bool sync_skip_begin(void)
{
	mutex_lock(&spml_lock);
	if (nr_trackers == 1)
		return true;
	mutex_unlock(&spml_lock);
	return false;
}

/*
 * After the fences of a SYNC that left the rearm out: the frames logged
 * so far stay dirty, so the next rearm resets the whole p2m, @t's next
 * SYNC reports an overflow, and a tracker created before that rearm
 * starts whole (tracker_create() reads the debt under spml_lock).
 */
static void sync_skip_end(struct spml_tracker *t)
{
	if (!READ_ONCE(test_skip_debt)) {
		if (mode_epml)
			epml_rearm_owe_full();
		else
			spml_rearm_owe_full();
		t->rearm_skipped = true;
	}
	mutex_unlock(&spml_lock);
}

/*
 * The part of a rearm a skipped one still does on the rearming CPU: Xen's
 * queued writes (and, under PML, this vCPU's PML buffer) go to its ring
 * before its fence.
 */
static void sync_drain_self(void)
{
	if (this_cpu_ptr(&spml_cpus)->registered)
		spml_simple(OOH_SPML_OP_drain);
}

/*
 * Drain every vCPU into the tracker's rings, record each ring's prod (the
 * fence), then re-arm (unless OOH_SPML_SYNC_NO_REARM may leave it out:
 * sync_skip_begin()).  GPAs logged after a CPU's drain land after its
 * fence, i.e. in the next interval, so nothing written after the fence
 * can be lost by the re-arm.
 */
static int tracker_sync(struct spml_tracker *t, struct ooh_spml_sync *req)
{
	struct sync_arg a = { .t = t };
	unsigned long irqs;
	unsigned int cpu, i;
	bool skip = false;
	int rc, hp;

	if ((req->flags & ~OOH_SPML_SYNC_NO_REARM) ||
	    req->nr_vcpus < t->nr_vcpus)
		return -EINVAL;
	if (READ_ONCE(t->mm_gone))
		return -ESRCH;

	a.fence = kcalloc(t->nr_vcpus, sizeof(u64), GFP_KERNEL);
	if (!a.fence)
		return -ENOMEM;
	for (i = 0; i < t->nr_vcpus; i++)
		a.fence[i] = t->prod[i].prod;
	/*
	 * Point of no return: the IPIs below clear the rings' overflow bits
	 * (and discard an overflowed interval), the rearm starts the next
	 * interval.  Until this SYNC's result reaches userspace
	 * (spml_ioctl()), the next SYNC reports an overflow: a failure from
	 * here on loses no interval.
	 */
	if (t->all_next || t->rearm_skipped)
		a.flags |= OOH_RING_F_OVERFLOW;
	t->all_next = true;
	t->rearm_skipped = false;
	if (req->flags & OOH_SPML_SYNC_NO_REARM)
		skip = sync_skip_begin();
	cpus_read_lock();
	if (mode_epml)
		a.rl = epml_rearm_begin();
	/*
	 * A vCPU came or went since the last SYNC (ooh_cpu_online()): read
	 * under the hotplug lock, so a completed hotplug is always seen.
	 */
	hp = atomic_read(&hotplugs);
	if (hp != t->hotplugs_seen) {
		t->hotplugs_seen = hp;
		a.flags |= OOH_RING_F_OVERFLOW;
	}
	a.self = get_cpu();
	for_each_online_cpu(cpu)
		smp_call_function_single(cpu, spml_sync_on_cpu, &a, 1);
	/*
	 * One hypercall for this CPU: the rearm flushes the PML buffers and
	 * moves Xen's queued writes to this CPU's Xen ring, and this CPU's
	 * fence comes after them.
	 */
	local_irq_save(irqs);
	if (skip) {
		sync_drain_self();
		rc = 0;
	} else {
		rc = a.rl ? epml_rearm(a.rl) : spml_rearm();
	}
	spml_fence_here(&a);
	local_irq_restore(irqs);
	put_cpu();
	if (a.rl)
		epml_rearm_end(a.rl);
	cpus_read_unlock();
	if (skip)
		sync_skip_end(t);
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
		mutex_lock(&t->sync_lock);
		rc = tracker_sync(t, &sreq);
		if (!rc && copy_to_user((void __user *)arg, &sreq,
					sizeof(sreq)))
			rc = -EFAULT;
		if (!rc)
			t->all_next = false;
		mutex_unlock(&t->sync_lock);
		return rc;
	}
	case OOH_SPML_IOC_RESOLVE: {
		struct ooh_spml_resolve rreq;

		if (!t)
			return -ENOENT;
		if (copy_from_user(&rreq, (void __user *)arg, sizeof(rreq)))
			return -EFAULT;
		mutex_lock(&t->sync_lock);
		rc = tracker_resolve(t, &rreq);
		mutex_unlock(&t->sync_lock);
		if (!rc && copy_to_user((void __user *)arg, &rreq, sizeof(rreq)))
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
		"epml_irqs %llu xen_writes %llu mn_ranges %llu mn_walks %llu "
		"mn_walk_entries %llu hvmops %u rl_full_large %llu "
		"rl_full_cap %llu rl_full_ovf %llu\n",
		smp_processor_id(), rc, st->exits, st->pml_full_exits,
		st->logged, st->ringed, st->faults, st->lost, c->epml_entries,
		c->epml_ovf, c->epml_irqs, st->xen_writes, c->mn_ranges,
		c->mn_walks, c->mn_walk_entries, st->hvmops, c->rl_full_large,
		c->rl_full_cap, c->rl_full_ovf);
}

static ssize_t xen_stats_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	struct stats_arg a = { .buf = buf };
	struct ooh_spml_hvm_op op = { 0 };
	const struct ooh_spml_domain_info *di = &op.u.domain;
	unsigned int cpu;
	int rc;

	/* the domain's rearms: by list or whole, and Xen's audit of them */
	rc = spml_hvmop(OOH_SPML_OP_get_domain_stats, &op);
	a.len = scnprintf(buf, PAGE_SIZE,
		"domain rc %d rearms %llu rearm_lists %llu rearm_fulls %llu "
		"rearm_frames %llu rearm_ns %llu rearm_audits %llu "
		"rearm_audit_dirty %llu\n", rc, di->rearms, di->rearm_lists,
		di->rearm_fulls, di->rearm_frames, di->rearm_ns,
		di->rearm_audits, di->rearm_audit_dirty);

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
				       ooh_cpu_online, ooh_cpu_offline);
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
	epml_rearm_free();
}

module_init(spml_init);
module_exit(spml_exit);
MODULE_DESCRIPTION("OoH: PML for guest processes (SPML through Xen, EPML from the CPU), rings through UIO");
MODULE_ALIAS("ooh_spml");
MODULE_LICENSE("GPL");
