/* SPDX-License-Identifier: MIT */
/*
 * ooh/barrier.h - memory ordering for OoH rings.
 *
 * Every access to a ring index that another agent (Xen, the emulated CPU,
 * the guest module, libooh) writes goes through these helpers, modelled on
 * liburing's barrier.h.  The pairing rule:
 *
 *   producer: write entries ...; ooh_smp_store_release(&hdr->prod, p);
 *   consumer: p = ooh_smp_load_acquire(&hdr->prod); read entries ...;
 *             ooh_smp_store_release(&hdr->cons, c);
 *   producer: c = ooh_smp_load_acquire(&hdr->cons);  (entries may be reused)
 *
 * Userspace uses C11 atomics.  Kernel and Xen code include this header with
 * __KERNEL__ / __XEN__ defined and get their own primitives (smp_load_acquire
 * and smp_store_release in Linux; Xen's smp_rmb/smp_wmb pairs around
 * ACCESS_ONCE-style accessors).
 */
#ifndef OOH_BARRIER_H
#define OOH_BARRIER_H

#if defined(__KERNEL__)
#include <asm/barrier.h>
#define ooh_smp_load_acquire(p)		smp_load_acquire(p)
#define ooh_smp_store_release(p, v)	smp_store_release(p, v)
#define OOH_READ_ONCE(x)		READ_ONCE(x)
#define OOH_WRITE_ONCE(x, v)		WRITE_ONCE(x, v)
#define ooh_atomic_fetch_and(p, v)	__atomic_fetch_and(p, v, __ATOMIC_ACQ_REL)
#define ooh_atomic_fetch_or(p, v)	__atomic_fetch_or(p, v, __ATOMIC_ACQ_REL)
#elif defined(__XEN__)
#include <xen/lib.h>
#include <asm/system.h>
#define OOH_READ_ONCE(x)		ACCESS_ONCE(x)
#define OOH_WRITE_ONCE(x, v)		(ACCESS_ONCE(x) = (v))
#define ooh_smp_load_acquire(p) ({                       \
	typeof(*(p)) ___v = ACCESS_ONCE(*(p));           \
	smp_rmb();                                       \
	___v; })
#define ooh_smp_store_release(p, v) do {                 \
	smp_wmb();                                       \
	ACCESS_ONCE(*(p)) = (v);                         \
} while (0)
#define ooh_atomic_fetch_and(p, v)	__atomic_fetch_and(p, v, __ATOMIC_ACQ_REL)
#define ooh_atomic_fetch_or(p, v)	__atomic_fetch_or(p, v, __ATOMIC_ACQ_REL)
#else
#include <stdatomic.h>
/* Single-copy-atomic accesses with no ordering (flags, statistics). */
#define OOH_READ_ONCE(x) \
	atomic_load_explicit((_Atomic __typeof__(x) *)&(x), memory_order_relaxed)
#define OOH_WRITE_ONCE(x, v) \
	atomic_store_explicit((_Atomic __typeof__(x) *)&(x), (v), \
			      memory_order_relaxed)
/* Acquire: later loads cannot move before this load. */
#define ooh_smp_load_acquire(p) \
	atomic_load_explicit((_Atomic __typeof__(*(p)) *)(p), \
			     memory_order_acquire)
/* Release: earlier stores are visible before this store. */
#define ooh_smp_store_release(p, v) \
	atomic_store_explicit((_Atomic __typeof__(*(p)) *)(p), (v), \
			      memory_order_release)
/* Atomic read-modify-write on ring flags (consumer clears sticky bits). */
#define ooh_atomic_fetch_and(p, v) \
	atomic_fetch_and_explicit((_Atomic __typeof__(*(p)) *)(p), (v), \
				  memory_order_acq_rel)
#define ooh_atomic_fetch_or(p, v) \
	atomic_fetch_or_explicit((_Atomic __typeof__(*(p)) *)(p), (v), \
				 memory_order_acq_rel)
#endif

#endif /* OOH_BARRIER_H */
