// SPDX-License-Identifier: GPL-2.0-only
/*
 * resolve.c - OOH_SPML_IOC_RESOLVE (include/ooh/spml_uio.h): logged
 * frames to the tracked process's virtual pages, from the process's side.
 *
 * The kernel's reverse map (rmap_walk(), the interval trees) is not
 * exported to modules, so the tracked mm's VMAs are indexed here, once
 * per call, under the mmap read lock: one entry per (VMA, key), the key
 * being the VMA's file mapping and each anon_vma on its anon_vma_chain
 * (a VMA of a forked process chains to its parent's anon_vmas too), in a
 * hash table of the keys with a chain of entries each.  A logged frame's
 * folio names its key in folio->mapping (an anon_vma with
 * PAGE_MAPPING_ANON, or an address_space) and its page offset in
 * folio->index; each index entry with that key gives one candidate
 * address, vm_start + (offset - vm_pgoff) pages, kept only if the page
 * tables map that very frame there.  Pointers are compared, never
 * dereferenced: the folio is held (folio_try_get()) while it is looked at
 * and the VMAs under the mmap lock.  Cost: O(VMAs) for the index plus
 * O(1) per frame and per candidate, nothing per tracked page.
 *
 * Most logged frames are not the process's (kernel memory, page tables,
 * other processes' pages: 90% of them in a Boehm GC run).  Their key is
 * read first without a reference, and a frame whose key no index entry
 * has is dropped there.  That read is what the held folio's check would
 * give: a folio's mapping changes only when it is freed and allocated
 * again, or (anon, folio_move_anon_rmap()) to another anon_vma of the
 * same VMA, which the index holds too.  A frame that becomes the
 * process's after the read was written after SYNC's rearm, so that write
 * is in the next interval.
 *
 * What a frame that no tracked page maps any more loses is covered by the
 * MMU notifier (tracker.c): the mapping went away through munmap,
 * MADV_DONTNEED, COW, migration, swap-out, THP split or collapse, or KSM
 * merge, each of which reports the virtual page.
 */
#include "ooh_pml.h"
#include <linux/hash.h>
#include <linux/rmap.h>

#define RKEY_END	U32_MAX
#define RKEY_CACHE_BITS	3
#define RKEY_CACHE	(1u << RKEY_CACHE_BITS)

struct rkey {
	unsigned long key;	/* anon_vma or address_space pointer */
	struct vm_area_struct *vma;
	u32 next;		/* the next entry with this key, or RKEY_END */
};

/*
 * A tracker's RESOLVE buffers, kept from call to call (under its
 * sync_lock) and grown as needed: the kernel zeroes every allocation
 * (Debian's init_on_alloc), and a fresh output buffer sized for the worst
 * case, 4 addresses per frame, cost more than the frames' resolution.
 */
struct resolve_bufs {
	u64 *gpa, *va;
	struct rkey *idx;
	u32 *slot;
	u32 gpa_cap, va_cap, idx_cap, slot_cap;	/* in elements */
};

struct resolver {
	struct mm_struct *mm;
	struct resolve_bufs *b;
	u32 nr_idx;
	unsigned int slot_bits;	/* the hash of the keys: 1 << slot_bits */
	u32 nr_va, max_va;
	struct ooh_spml_resolve *rq;
	/* idx_find()'s answers by hash of the key (0: none yet) */
	unsigned long ckey[RKEY_CACHE];
	u32 cidx[RKEY_CACHE];
	struct boot_sections secs;	/* resolve_page()'s lookups */
};

/*
 * Make *@buf (*@cap elements of @size bytes) hold @n elements, at least
 * doubling it; the first @keep elements are kept.  0 or -ENOMEM.
 */
static int buf_reserve(void *buf, u32 *cap, u32 n, size_t size, u32 keep)
{
	void **p = buf, *q;
	u32 c;

	if (n <= *cap)
		return 0;
	c = max3(n, *cap > U32_MAX / 2 ? U32_MAX : 2 * *cap, 256u);
	q = kvmalloc_array(c, size, GFP_KERNEL);
	if (!q)
		return -ENOMEM;
	if (keep)
		memcpy(q, *p, keep * size);
	kvfree(*p);
	*p = q;
	*cap = c;
	return 0;
}

/*
 * Free *@buf if it holds over 64Ki elements and this call used less than
 * an eighth of them: one large interval does not pin megabytes for the
 * tracker's lifetime.
 */
static void buf_trim(void *buf, u32 *cap, u32 used)
{
	void **p = buf;

	if (*cap > (1u << 16) && used < *cap / 8) {
		kvfree(*p);
		*p = NULL;
		*cap = 0;
	}
}

static int idx_add(struct resolver *r, unsigned long key,
		   struct vm_area_struct *vma)
{
	struct resolve_bufs *b = r->b;

	if (buf_reserve(&b->idx, &b->idx_cap, r->nr_idx + 1, sizeof(*b->idx),
			r->nr_idx))
		return -ENOMEM;
	b->idx[r->nr_idx].key = key;
	b->idx[r->nr_idx++].vma = vma;
	return 0;
}

/* The slot of @key in the hash table: its own, or the empty one it would
 * take (linear probing; the table is at most half full). */
static u32 *idx_slot(struct resolver *r, unsigned long key)
{
	u32 mask = (1u << r->slot_bits) - 1, h = hash_long(key, r->slot_bits);
	const u32 *slot = r->b->slot;

	while (slot[h] != RKEY_END && r->b->idx[slot[h]].key != key)
		h = (h + 1) & mask;
	return &r->b->slot[h];
}

/* The index of every VMA of @r->mm by file mapping and anon_vma. */
static int idx_build(struct resolver *r)
{
	struct vm_area_struct *vma;
	struct anon_vma_chain *avc;
	VMA_ITERATOR(vmi, r->mm, 0);
	int rc = 0;
	u32 i;

	for_each_vma(vmi, vma) {
		if (vma->vm_flags & (VM_IO | VM_PFNMAP))
			continue;
		if (vma->vm_file)
			rc = idx_add(r, (unsigned long)vma->vm_file->f_mapping, vma);
		list_for_each_entry(avc, &vma->anon_vma_chain, same_vma)
			if (!rc)
				rc = idx_add(r, (unsigned long)avc->anon_vma, vma);
		if (rc)
			return rc;
	}
	r->slot_bits = max(ilog2(max(r->nr_idx, 1u)) + 2, 4);
	if (buf_reserve(&r->b->slot, &r->b->slot_cap, 1u << r->slot_bits,
			sizeof(*r->b->slot), 0))
		return -ENOMEM;
	memset(r->b->slot, 0xff, sizeof(*r->b->slot) << r->slot_bits);
	for (i = 0; i < r->nr_idx; i++) {
		struct rkey *e = &r->b->idx[i];
		u32 *sl = idx_slot(r, e->key);

		e->next = *sl;		/* RKEY_END, or the key's chain */
		*sl = i;
	}
	r->rq->vmas = r->nr_idx;
	return 0;
}

/*
 * The first index entry with @key (not 0), or RKEY_END.  Answers are kept
 * in a small cache by hash of the key: resolve_pfn() looks a kept frame's
 * key up twice (before and after its reference), and a call's frames come
 * from a few keys, interleaved (a process's anon_vma, an image file's
 * mapping, another process's anon_vma), nearly all dropped: a CRIU dump's
 * fetch resolved 1698 frames, 11 of them the process's.  The index does
 * not change during a call.
 */
static u32 idx_find(struct resolver *r, unsigned long key)
{
	unsigned int c = hash_long(key, RKEY_CACHE_BITS);

	if (r->ckey[c] != key) {
		r->ckey[c] = key;
		r->cidx[c] = *idx_slot(r, key);
	}
	return r->cidx[c];
}

/*
 * The frame @mm maps at @va: a present PTE's, or the 4 KiB frame of a PMD
 * leaf (THP) that holds @va, with *@huge set (may be NULL); ULONG_MAX if
 * none (not present, hugetlb's PUD leaf).  A lockless page-table walk
 * with interrupts off, as GUP-fast: x86 frees page tables only after an
 * IPI or an RCU grace period.  Callers: RESOLVE, the MMU notifier.
 */
unsigned long tracker_pfn_at(struct mm_struct *mm, unsigned long va, bool *huge)
{
	unsigned long flags, pfn = ULONG_MAX;
	pgd_t *pgd;
	p4d_t *p4d;
	pud_t *pudp, pud;
	pmd_t *pmdp, pmd;
	pte_t pte;

	local_irq_save(flags);
	pgd = pgd_offset(mm, va);
	if (pgd_none(READ_ONCE(*pgd)))
		goto out;
	p4d = p4d_offset(pgd, va);
	if (p4d_none(READ_ONCE(*p4d)))
		goto out;
	pudp = pud_offset(p4d, va);
	pud = READ_ONCE(*pudp);
	if (pud_none(pud) || !pud_present(pud) || pud_leaf(pud))
		goto out;	/* a PUD leaf is hugetlb: not here */
	pmdp = pmd_offset(pudp, va);
	pmd = READ_ONCE(*pmdp);	/* one word on x86-64 */
	if (pmd_none(pmd) || !pmd_present(pmd))
		goto out;
	if (pmd_leaf(pmd)) {
		pfn = pmd_pfn(pmd) + ((va & ~PMD_MASK) >> PAGE_SHIFT);
		if (huge)
			*huge = true;
		goto out;
	}
	pte = ptep_get_lockless(pte_offset_kernel(&pmd, va));
	if (pte_present(pte))
		pfn = pte_pfn(pte);
	if (huge)
		*huge = false;
out:
	local_irq_restore(flags);
	return pfn;
}

static int emit(struct resolver *r, unsigned long va)
{
	struct resolve_bufs *b = r->b;

	if (r->nr_va == r->max_va) {
		r->rq->flags |= OOH_SPML_RESOLVE_F_ALL;
		return -ENOSPC;
	}
	if (buf_reserve(&b->va, &b->va_cap, r->nr_va + 1, sizeof(*b->va),
			r->nr_va))
		return -ENOMEM;
	b->va[r->nr_va++] = va;
	return 0;
}

/*
 * Is memory section @nr online boot memory without device memory?  Then
 * every frame of it has a struct page (early_section(): its memmap spans
 * the whole section, holes included).
 */
bool section_boot(unsigned long nr)
{
	struct mem_section *ms = nr < NR_MEM_SECTIONS ? __nr_to_section(nr) : NULL;

	return ms && online_section(ms) && early_section(ms) &&
	       !online_device_section(ms);
}

/*
 * pfn_to_online_page() for the frames of one call: a section present at
 * boot (early_section()), online and without device memory has a memmap
 * for its whole span, so any of its frames has a struct page (a hole's is
 * a reserved page that no folio key matches: a drop).  Such a section is
 * looked up once per run of frames without a reschedule (sections 0-63,
 * the first 8 GiB, in two bitmaps; a higher one while frames stay in
 * it), where pfn_to_online_page() checks the section and its subsection
 * map per frame, under RCU: a profile around RESOLVE had it at a third
 * of the call.  Memory hot-remove can offline the section during the call, as
 * it can between pfn_to_online_page() and its use; the folio reference
 * below is what holds the page.  Removing a boot section also frees its
 * memmap, which a stale answer would then read: the window is a run of
 * frames between reschedules (the whole call under preempt=full), where
 * pfn_to_online_page() has it between its check and the use.  The domUs
 * here never remove boot memory (Xen's balloon does not).
 */
static struct page *resolve_page(struct resolver *r, unsigned long pfn)
{
	return boot_section_of(&r->secs, pfn) ? pfn_to_page(pfn) :
						pfn_to_online_page(pfn);
}

/*
 * The index key of @folio's mapping, or 0 for a folio no process maps
 * writably in a VMA: none (slab, page tables, free, in flight), KSM
 * (never writable: a write copies, which the notifier reports) or
 * movable non-LRU (zsmalloc, balloon).
 */
static unsigned long folio_key(const struct folio *folio)
{
	unsigned long key = (unsigned long)READ_ONCE(folio->mapping);

	if ((key & PAGE_MAPPING_FLAGS) == PAGE_MAPPING_KSM ||
	    (key & PAGE_MAPPING_FLAGS) == PAGE_MAPPING_MOVABLE)
		return 0;
	return key & ~(unsigned long)PAGE_MAPPING_FLAGS;
}

/*
 * Is frame @pfn one that resolve_pfn() would drop without a reference, as
 * seen from a boot section already looked up (false: ask resolve_pfn())?
 * Nearly every frame of a call is dropped (a CRIU dump's fetch: 1820 of
 * 1838), so this is resolve_pfn()'s first test alone, inlined into the
 * call's loop: about 40 instructions a frame, half of resolve_pfn()'s
 * (objdump of tracker_resolve(), counted by hand).
 */
static __always_inline bool resolve_drop_fast(struct resolver *r,
					      unsigned long pfn)
{
	const struct page *page;
	unsigned long head;

	if (!boot_section_known(&r->secs, pfn))
		return false;
	page = pfn_to_page(pfn);
	head = READ_ONCE(page->compound_head);
	if (head & 1)
		return false;		/* a tail page: its folio is elsewhere */
	head = folio_key((const struct folio *)page);
	return !head || idx_find(r, head) == RKEY_END;
}

/* The tracked pages that map frame @pfn. */
static int resolve_pfn(struct resolver *r, unsigned long pfn)
{
	struct page *page = resolve_page(r, pfn);
	struct folio *folio;
	unsigned long key, off, va;
	bool found = false;
	int rc = 0;
	u32 i;

	r->rq->frames++;
	if (!page)
		goto drop;
	/* no reference yet: only to drop what is not the process's */
	folio = page_folio(page);
	key = folio_key(folio);
	if (!key || idx_find(r, key) == RKEY_END)
		goto drop;
	if (!folio_try_get(folio))
		goto drop;		/* free: its mappings are gone */
	if (unlikely(page_folio(page) != folio || folio_test_hugetlb(folio))) {
		/* split under us, or hugetlb (folio->index in huge pages) */
		folio_put(folio);
		r->rq->flags |= OOH_SPML_RESOLVE_F_ALL;
		return -EAGAIN;
	}
	key = folio_key(folio);
	off = folio->index + folio_page_idx(folio, page);
	for (i = key ? idx_find(r, key) : RKEY_END; !rc && i != RKEY_END;
	     i = r->b->idx[i].next) {
		struct vm_area_struct *vma = r->b->idx[i].vma;

		if (off < vma->vm_pgoff)
			continue;
		va = vma->vm_start + ((off - vma->vm_pgoff) << PAGE_SHIFT);
		if (va < vma->vm_start || va >= vma->vm_end)
			continue;
		r->rq->candidates++;
		if (tracker_pfn_at(r->mm, va, NULL) != pfn)
			continue;
		rc = emit(r, va);
		found = true;
	}
	folio_put(folio);
	if (found || rc)
		return rc;
drop:
	r->rq->drops++;
	return 0;
}

long tracker_resolve(struct spml_tracker *t, struct ooh_spml_resolve *rq)
{
	struct resolver r = { .mm = t->mm, .rq = rq, .max_va = rq->max_va,
			      .secs = BOOT_SECTIONS_INIT };
	struct resolve_bufs *b;
	u32 k, fast_drops = 0;
	long rc;

	if (rq->flags || rq->nr > OOH_SPML_RESOLVE_MAX ||
	    rq->max_va > OOH_SPML_RESOLVE_MAX * 4)
		return -EINVAL;
	rq->nr_va = rq->frames = rq->candidates = rq->drops = rq->vmas = 0;
	if (!t->rbufs)
		t->rbufs = kzalloc(sizeof(*t->rbufs), GFP_KERNEL);
	b = r.b = t->rbufs;
	if (!b)
		return -ENOMEM;
	if (READ_ONCE(t->mm_gone) || !mmget_not_zero(t->mm))
		return -ESRCH;
	rc = -ENOMEM;
	if (buf_reserve(&b->gpa, &b->gpa_cap, rq->nr, sizeof(*b->gpa), 0))
		goto out;
	rc = -EFAULT;
	/* before the mmap lock: a fault on the caller's buffer takes it */
	if (copy_from_user(b->gpa, u64_to_user_ptr(rq->gpa_addr),
			   (size_t)rq->nr * sizeof(*b->gpa)))
		goto out;
	rc = mmap_read_lock_killable(r.mm);
	if (rc)
		goto out;
	rc = idx_build(&r);
	for (k = 0; !rc && k < rq->nr; k++) {
		u64 e = b->gpa[k], base, n, f;

		if (likely(!(e & (OOH_ENTRY_GVA | OOH_ENTRY_2M))) &&
		    resolve_drop_fast(&r, e >> PAGE_SHIFT)) {
			fast_drops++;
			goto next;
		}
		if (e & OOH_ENTRY_GVA)
			continue;
		base = (e & OOH_ENTRY_ADDR_MASK) >> PAGE_SHIFT;
		n = 1;
		if (e & OOH_ENTRY_2M) {
			base &= ~(u64)(PTRS_PER_PMD - 1);
			n = PTRS_PER_PMD;
		}
		for (f = 0; !rc && f < n; f++)
			rc = resolve_pfn(&r, base + f);
next:
		/*
		 * A section may go offline while this CPU runs something
		 * else: look sections up again after a reschedule here (a
		 * preemption elsewhere, under preempt=full, is not seen:
		 * there the answers hold for the call, see resolve_page())
		 */
		if (!(k & 63) && cond_resched())
			r.secs = BOOT_SECTIONS_INIT;
	}
	mmap_read_unlock(r.mm);
	rq->frames += fast_drops;
	rq->drops += fast_drops;
	if (rc == -ENOSPC || rc == -EAGAIN)
		rc = 0;		/* reported as OOH_SPML_RESOLVE_F_ALL */
	if (!rc) {
		rq->nr_va = r.nr_va;
		if (copy_to_user(u64_to_user_ptr(rq->va_addr), b->va,
				 (size_t)r.nr_va * sizeof(*b->va)))
			rc = -EFAULT;
	}
out:
	mmput(r.mm);
	buf_trim(&b->gpa, &b->gpa_cap, rq->nr);
	buf_trim(&b->va, &b->va_cap, r.nr_va);
	return rc;
}

void tracker_resolve_free(struct spml_tracker *t)
{
	struct resolve_bufs *b = t->rbufs;

	if (!b)
		return;
	kvfree(b->gpa);
	kvfree(b->va);
	kvfree(b->idx);
	kvfree(b->slot);
	kfree(b);
	t->rbufs = NULL;
}
