// SPDX-License-Identifier: GPL-2.0-only
/*
 * ooh_spml_hostile.c - test module for tests/system/spml.test: issues
 * malformed and hostile HVMOP_spml calls (include/ooh/spml.h) from the
 * domU kernel and checks that Xen rejects each with the documented errno,
 * then that a well-formed sequence still works (Xen and the domain keep
 * running).  Load it only while no ooh_spml tracker exists: it registers a
 * ring for vCPU 0 and arms PML itself.
 *
 * Parameters:
 *   granted=0|1   0: HVM_PARAM_SPML is not set for this domain, every
 *                 well-formed call that sets logging up must fail with
 *                 -EPERM, the releasing ones (get_stats, tracking off,
 *                 disarm, unregister) find nothing held; 1: granted
 *                 (`xen-pml enable` in dom0), run the hostile cases.
 *   shinfo_var=A  address of the kernel variable HYPERVISOR_shared_info
 *                 (from /proc/kallsyms; not exported to modules) to test
 *                 the shared-info frame, a Xen page mapped into the guest
 *                 physmap; 0 skips that case.
 *   max_frames=N  the domain's ring-frame cap in this boot (Xen's
 *                 spml_max_frames=): if N < 513, a ring
 *                 of OOH_SPML_MAX_ENTRIES (513 frames) must get -ENOSPC
 *                 before Xen takes any frame; 0 skips that case.
 *
 * Output (kernel log), one line per case, then a summary:
 *   ooh_spml_hostile: case NAME: rc=R expected=E ok|BAD
 *   ooh_spml_hostile: summary granted=G pass=P fail=F
 * All calls run on vCPU 0 (work_on_cpu), as the ring ops act on the
 * calling vCPU.  A frame Xen may still map is never freed (leaked with a
 * warning instead) if unregistering it fails.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>

#include <xen/xen.h>
#include <xen/page.h>
#include <asm/xen/hypercall.h>

#include <ooh/barrier.h>
#include <ooh/spml.h>

static bool granted;
module_param(granted, bool, 0444);
MODULE_PARM_DESC(granted, "HVM_PARAM_SPML is set for this domain");
static unsigned long shinfo_var;
module_param(shinfo_var, ulong, 0444);
MODULE_PARM_DESC(shinfo_var, "address of HYPERVISOR_shared_info (kallsyms)");
static unsigned int max_frames;
module_param(max_frames, uint, 0444);
MODULE_PARM_DESC(max_frames, "Xen's spml_max_frames= in this boot (0: skip)");

#define RING_NR		8192u	/* entries of our test ring */
#define RING_FRAMES	(1 + RING_NR / OOH_RING_ENTRIES_PER_PAGE)
#define DIRTY_PAGES	64u	/* pages we write per interval */

static int npass, nfail;

static void expect(const char *name, long rc, long want)
{
	bool ok = rc == want;

	pr_info("case %s: rc=%ld expected=%ld %s\n", name, rc, want,
		ok ? "ok" : "BAD");
	if (ok)
		npass++;
	else
		nfail++;
}

static void check(const char *name, bool ok, const char *detail)
{
	pr_info("case %s: %s %s\n", name, detail, ok ? "ok" : "BAD");
	if (ok)
		npass++;
	else
		nfail++;
}

static void op_init(struct ooh_spml_hvm_op *op, u32 cmd)
{
	memset(op, 0, sizeof(*op));
	op->version = OOH_SPML_INTERFACE_VERSION;
	op->cmd = cmd;
	op->domain = DOMID_SELF;
}

static long call(struct ooh_spml_hvm_op *op)
{
	return HYPERVISOR_hvm_op(HVMOP_spml, op);
}

static long simple(u32 cmd)
{
	struct ooh_spml_hvm_op op;

	op_init(&op, cmd);
	return call(&op);
}

static long reg(u64 *gfns, u32 nr_frames, u32 nr_entries)
{
	struct ooh_spml_hvm_op op;

	op_init(&op, OOH_SPML_OP_register_ring);
	op.u.ring.frame_list = (u64)(unsigned long)gfns;
	op.u.ring.nr_frames = nr_frames;
	op.u.ring.nr_entries = nr_entries;
	return call(&op);
}

static long tracking(u32 on, u32 pad)
{
	struct ooh_spml_hvm_op op;

	op_init(&op, OOH_SPML_OP_set_tracking);
	op.u.tracking.on = on;
	op.u.tracking.pad = pad;
	return call(&op);
}

static long rearm_list(u64 list, u32 nr, u32 flags)
{
	struct ooh_spml_hvm_op op;

	op_init(&op, OOH_SPML_OP_rearm);
	op.u.rearm.gfn_list = list;
	op.u.rearm.nr = nr;
	op.u.rearm.flags = flags;
	return call(&op);
}

/*
 * A rearm list by guest-physical address (OOH_SPML_REARM_LIST_GPA): Xen
 * takes only a page-aligned address with the list flag, and pages of
 * ordinary RAM of ours.
 */
static void rearm_list_gpa_cases(u64 ring_gfn)
{
	const u32 gpa = OOH_SPML_REARM_LIST | OOH_SPML_REARM_LIST_GPA;
	u64 *pg = (u64 *)get_zeroed_page(GFP_KERNEL);
	u64 at;

	if (!pg) {
		check("rearm LIST_GPA cases", false, "no memory");
		return;
	}
	pg[0] = ring_gfn;
	at = (u64)virt_to_gfn(pg) << PAGE_SHIFT;
	expect("rearm LIST_GPA without LIST",
	       rearm_list(at, 0, OOH_SPML_REARM_LIST_GPA), -EINVAL);
	expect("rearm LIST_GPA, list not page aligned",
	       rearm_list(at + 8, 1, gpa), -EINVAL);
	expect("rearm LIST_GPA, list at gfn 1<<40 (no RAM)",
	       rearm_list(1ull << 52, 1, gpa), -EFAULT);
	expect("rearm LIST_GPA, list on the APIC page (MMIO)",
	       rearm_list(0xfee00000ull, 1, gpa), -EFAULT);
	expect("rearm LIST_GPA, list over the last gfn",
	       rearm_list(~0ull << PAGE_SHIFT, 1, gpa), -EFAULT);
	expect("rearm LIST_GPA (valid: one gfn of our ring)",
	       rearm_list(at, 1, gpa), 0);
	free_page((unsigned long)pg);
}

static long arm_flags(u32 flags)
{
	struct ooh_spml_hvm_op op;

	op_init(&op, OOH_SPML_OP_arm);
	op.u.arm.flags = flags;
	return call(&op);
}

static long stats(struct ooh_spml_vcpu_stats *st)
{
	struct ooh_spml_hvm_op op;
	long rc;

	op_init(&op, OOH_SPML_OP_get_stats);
	rc = call(&op);
	if (!rc)
		*st = op.u.stats;
	return rc;
}

struct ctx {
	struct ooh_ring_hdr *ring;	/* vzalloc, RING_NR entries */
	u64 *gfns;			/* RING_FRAMES */
	u8 *buf;			/* DIRTY_PAGES pages we write */
	bool leak;			/* Xen may still map the ring */
};

static void dirty(struct ctx *c, u8 val)
{
	unsigned int i;

	for (i = 0; i < DIRTY_PAGES; i++)
		WRITE_ONCE(c->buf[i * PAGE_SIZE + (val * 8) % PAGE_SIZE], val);
}

/*
 * Param not granted: every call that sets logging up is refused with
 * -EPERM; the releasing ones stay allowed (so a revoked guest can drop its
 * rings) and find nothing to release.
 */
static void run_ungranted(struct ctx *c)
{
	struct ooh_spml_vcpu_stats st;
	long rc;

	expect("ungranted get_stats (allowed, zeros)", stats(&st), 0);
	expect("ungranted get_stats: no ring", st.nr_entries, 0);
	rc = reg(c->gfns, RING_FRAMES, RING_NR);
	expect("ungranted register_ring", rc, -EPERM);
	if (!rc && simple(OOH_SPML_OP_unregister_ring))
		c->leak = true;
	rc = simple(OOH_SPML_OP_arm);
	expect("ungranted arm", rc, -EPERM);
	if (!rc)
		simple(OOH_SPML_OP_disarm);
	expect("ungranted rearm", simple(OOH_SPML_OP_rearm), -EPERM);
	expect("ungranted drain", simple(OOH_SPML_OP_drain), -EPERM);
	expect("ungranted set_tracking", tracking(1, 0), -EPERM);
	expect("ungranted arm no-PML", arm_flags(OOH_SPML_ARM_NO_PML),
	       -EPERM);
	expect("ungranted tracking off (allowed)", tracking(0, 0), 0);
	expect("ungranted disarm (nothing armed)",
	       simple(OOH_SPML_OP_disarm), -ENOENT);
	expect("ungranted unregister_ring (none)",
	       simple(OOH_SPML_OP_unregister_ring), -ENOENT);
}

/* One interval with our ring registered and tracking on: cons = @cons. */
static void interval(struct ctx *c, const char *name, u64 cons, bool valid)
{
	struct ooh_spml_vcpu_stats a, b;
	char detail[160];
	u64 lost0 = READ_ONCE(c->ring->lost);

	ooh_atomic_fetch_and(&c->ring->flags, ~OOH_RING_F_OVERFLOW);
	WRITE_ONCE(c->ring->cons, cons);
	if (stats(&a) || simple(OOH_SPML_OP_rearm)) {
		check(name, false, "get_stats/rearm failed");
		return;
	}
	dirty(c, (u8)cons);
	if (simple(OOH_SPML_OP_drain) || stats(&b)) {
		check(name, false, "drain/get_stats failed");
		return;
	}
	snprintf(detail, sizeof(detail),
		 "cons=%#llx prod=%llu ringed+%llu lost+%llu hdr.lost=%llu flags=%#x",
		 cons, b.prod, b.ringed - a.ringed, b.lost - a.lost,
		 READ_ONCE(c->ring->lost), READ_ONCE(c->ring->flags));
	if (valid)
		check(name, b.ringed - a.ringed >= DIRTY_PAGES &&
		      b.lost == a.lost && b.prod == READ_ONCE(c->ring->prod),
		      detail);
	else
		check(name, b.lost - a.lost >= DIRTY_PAGES &&
		      b.ringed == a.ringed && b.prod == a.prod &&
		      READ_ONCE(c->ring->lost) > lost0 &&
		      (READ_ONCE(c->ring->flags) & OOH_RING_F_OVERFLOW),
		      detail);
}

static void run_granted(struct ctx *c)
{
	struct ooh_spml_hvm_op op;
	struct ooh_spml_vcpu_stats st;
	u64 bad[RING_FRAMES], prod;
	long rc;
	bool registered = false, armed = false;

	/* Malformed operation structs. */
	op_init(&op, OOH_SPML_OP_get_stats);
	op.version = OOH_SPML_INTERFACE_VERSION + 1;
	expect("bad version", call(&op), -EINVAL);
	op_init(&op, OOH_SPML_OP_get_stats);
	op.pad0 = 1;
	expect("pad0 not zero", call(&op), -EINVAL);
	op_init(&op, OOH_SPML_OP_get_stats);
	op.pad1 = 1;
	expect("pad1 not zero", call(&op), -EINVAL);
	op_init(&op, OOH_SPML_OP_drain);
	op.u.pad[15] = 1;
	expect("union pad not zero", call(&op), -EINVAL);
	op_init(&op, 99);
	expect("unknown cmd", call(&op), -EINVAL);
	op_init(&op, OOH_SPML_OP_get_stats);
	op.domain = 0;		/* dom0, not us */
	expect("other domain", call(&op), -EPERM);
	expect("op struct unreadable",
	       HYPERVISOR_hvm_op(HVMOP_spml, (void *)0x10), -EFAULT);

	/* Sizes. */
	expect("nr_entries not a power of two", reg(c->gfns, 2, 1000), -EINVAL);
	expect("nr_entries 1<<30 (huge)", reg(c->gfns, 1 + (1u << 21), 1u << 30),
	       -EINVAL);
	expect("nr_entries > OOH_SPML_MAX_ENTRIES",
	       reg(c->gfns, 1 + (OOH_SPML_MAX_ENTRIES * 2) / 512,
		   OOH_SPML_MAX_ENTRIES * 2), -EINVAL);
	expect("nr_frames mismatch", reg(c->gfns, RING_FRAMES + 3, RING_NR),
	       -EINVAL);
	expect("nr_frames 0xffffffff", reg(c->gfns, 0xffffffffu, RING_NR),
	       -EINVAL);
	expect("frame_list NULL", reg(NULL, RING_FRAMES, RING_NR), -EFAULT);
	expect("frame_list non-canonical",
	       reg((u64 *)0xdead000000000000ul, RING_FRAMES, RING_NR), -EFAULT);

	/* The domain's frame cap: refused before any frame is taken. */
	if (max_frames && max_frames < 1 + OOH_SPML_MAX_ENTRIES / 512) {
		u32 n = 1 + OOH_SPML_MAX_ENTRIES / 512, i;
		u64 *big = kmalloc_array(n, sizeof(*big), GFP_KERNEL);

		if (big) {
			for (i = 0; i < n; i++)
				big[i] = c->gfns[0];
			expect("ring over the domain's frame cap (ENOSPC)",
			       reg(big, n, OOH_SPML_MAX_ENTRIES), -ENOSPC);
			kfree(big);
		} else {
			check("ring over the domain's frame cap", false, "no memory");
		}
	}

	/* Frames that are not ordinary writable RAM of ours. */
	memcpy(bad, c->gfns, sizeof(bad));
	bad[0] = 1ull << 40;
	expect("gfn 1<<40 (no RAM there)", reg(bad, RING_FRAMES, RING_NR),
	       -EINVAL);
	memcpy(bad, c->gfns, sizeof(bad));
	bad[RING_FRAMES - 1] = ~0ull;
	expect("last gfn ~0", reg(bad, RING_FRAMES, RING_NR), -EINVAL);
	memcpy(bad, c->gfns, sizeof(bad));
	bad[0] = 0xfee00;	/* local APIC page: MMIO, not RAM */
	expect("MMIO frame 0xfee00 (APIC)", reg(bad, RING_FRAMES, RING_NR),
	       -EINVAL);
	memcpy(bad, c->gfns, sizeof(bad));
	bad[1] = 0xfec00;	/* IO-APIC page */
	expect("MMIO frame 0xfec00 (IO-APIC) in the entries",
	       reg(bad, RING_FRAMES, RING_NR), -EINVAL);
	if (shinfo_var) {
		void *shinfo = *(void **)shinfo_var;

		memcpy(bad, c->gfns, sizeof(bad));
		bad[0] = virt_to_gfn(shinfo);
		pr_info("shared_info at %px gfn %#llx\n", shinfo, bad[0]);
		expect("shared_info frame (Xen page)",
		       reg(bad, RING_FRAMES, RING_NR), -EINVAL);
	}

	/* Header checks (good frames, bad contents). */
	WRITE_ONCE(c->ring->magic, 0);
	expect("ring header bad magic", reg(c->gfns, RING_FRAMES, RING_NR),
	       -EINVAL);
	WRITE_ONCE(c->ring->magic, OOH_RING_MAGIC);
	WRITE_ONCE(c->ring->nr_entries, RING_NR * 2);
	expect("ring header nr_entries mismatch",
	       reg(c->gfns, RING_FRAMES, RING_NR), -EINVAL);
	WRITE_ONCE(c->ring->nr_entries, RING_NR);

	/* State machine misuse. */
	expect("unregister without ring", simple(OOH_SPML_OP_unregister_ring),
	       -ENOENT);
	expect("set_tracking(1) without ring", tracking(1, 0), -ENOENT);
	expect("rearm when not armed", simple(OOH_SPML_OP_rearm), -ENOENT);
	expect("disarm when not armed", simple(OOH_SPML_OP_disarm), -ENOENT);
	expect("arm with an unknown flag", arm_flags(1u << 1), -EINVAL);
	op_init(&op, OOH_SPML_OP_arm);
	op.u.arm.pad = 1;
	expect("arm pad not zero", call(&op), -EINVAL);

	rc = reg(c->gfns, RING_FRAMES, RING_NR);
	expect("register_ring (valid)", rc, 0);
	registered = !rc;
	expect("register_ring twice", reg(c->gfns, RING_FRAMES, RING_NR),
	       -EEXIST);
	expect("set_tracking on=2", tracking(2, 0), -EINVAL);
	expect("set_tracking pad", tracking(1, 1), -EINVAL);
	rc = simple(OOH_SPML_OP_arm);
	expect("arm", rc, 0);
	armed = !rc;
	expect("arm twice", simple(OOH_SPML_OP_arm), -EBUSY);
	if (armed)
		rearm_list_gpa_cases(c->gfns[0]);

	if (registered && armed && !tracking(1, 0)) {
		prod = READ_ONCE(c->ring->prod);
		interval(c, "valid cons (baseline)", prod, true);
		prod = READ_ONCE(c->ring->prod);
		interval(c, "cons ahead of prod", prod + 4096, false);
		interval(c, "cons too far behind", prod - 2 * RING_NR, false);
		/*
		 * One ahead of prod.  (cons = ~0 is NOT invalid while prod is
		 * small: prod - cons wraps to prod + 1 <= nr_entries, a legal
		 * free-running state, and Xen rightly accepts it.)
		 */
		interval(c, "cons one ahead of prod", prod + 1, false);
		/* Consumer fixed: the ring works again. */
		interval(c, "valid cons again (recovered)", prod, true);
		tracking(0, 0);
	}

	if (armed) {
		expect("disarm", simple(OOH_SPML_OP_disarm), 0);
		expect("disarm twice", simple(OOH_SPML_OP_disarm), -ENOENT);
	}
	if (registered) {
		rc = simple(OOH_SPML_OP_unregister_ring);
		expect("unregister_ring", rc, 0);
		if (rc)
			c->leak = true;
		expect("unregister_ring twice",
		       simple(OOH_SPML_OP_unregister_ring), -ENOENT);
	}
	/* Xen still answers well-formed calls. */
	rc = stats(&st);
	expect("get_stats after all of the above", rc, 0);
	if (!rc)
		pr_info("vcpu %u: logged %llu ringed %llu lost %llu untracked %llu flushes %llu pml_full %llu virqs %llu state %#x\n",
			st.vcpu, st.logged, st.ringed, st.lost, st.untracked,
			st.flushes, st.pml_full_exits, st.virqs, st.state);
}

static long run_on_cpu0(void *data)
{
	struct ctx *c = data;

	if (granted)
		run_granted(c);
	else
		run_ungranted(c);
	return 0;
}

static int __init hostile_init(void)
{
	struct ooh_ring_producer unused;
	struct ctx c = { 0 };
	unsigned int i;

	if (!xen_hvm_domain())
		return -ENODEV;
	c.ring = vzalloc(OOH_RING_BYTES(RING_NR));
	c.gfns = kcalloc(RING_FRAMES, sizeof(u64), GFP_KERNEL);
	c.buf = vzalloc(DIRTY_PAGES * PAGE_SIZE);
	if (!c.ring || !c.gfns || !c.buf) {
		vfree(c.ring);
		kfree(c.gfns);
		vfree(c.buf);
		return -ENOMEM;
	}
	ooh_ring_init(&unused, c.ring, RING_NR, OOH_RING_F_GPA, 0);
	for (i = 0; i < RING_FRAMES; i++)
		c.gfns[i] = pfn_to_gfn(vmalloc_to_pfn((char *)c.ring +
						      i * PAGE_SIZE));

	work_on_cpu(0, run_on_cpu0, &c);

	pr_info("summary granted=%d pass=%d fail=%d\n", granted, npass, nfail);
	if (c.leak)
		pr_warn("ring left registered with Xen: not freeing it\n");
	else
		vfree(c.ring);
	kfree(c.gfns);
	vfree(c.buf);
	return 0;
}

static void __exit hostile_exit(void)
{
}

module_init(hostile_init);
module_exit(hostile_exit);
MODULE_DESCRIPTION("OoH SPML: hostile HVMOP_spml inputs (test only)");
MODULE_LICENSE("GPL");
