/* SPDX-License-Identifier: LGPL-2.1-only */
/*
 * xc_spml.h - libxenctrl-style wrappers for Shadow PML (SPML).
 *
 * Built against Debian's installed libxenctrl (xc_domctl(), xc_hvm_param_*)
 * because the stock library knows nothing about SPML.  ABI: Xen's
 * public/domctl.h (struct xen_domctl_spml_op) and public/hvm/spml.h of
 * xen-patches/0001, through their checked mirror ooh/spml.h (Debian's
 * installed Xen headers lack them).
 *
 * Conventions as xenctrl.h: every function returns 0 on success or -1 with
 * errno set (the hypervisor's -E* code, see the error list in ooh/spml.h;
 * ENOSYS when the hypervisor lacks the SPML patch) and never logs.
 */
#ifndef XC_SPML_H
#define XC_SPML_H

#include <stdbool.h>
#include <stdint.h>
#include <xenctrl.h>
#include <ooh/spml.h>

/**
 * Read a domain's SPML state: HVM_PARAM_SPML, the PML users mask
 * (OOH_SPML_USER_*), vCPU count, rings registered and arm/rearm/disarm
 * counters (XEN_DOMCTL_SPML_get_domain).
 *
 * @parm xch a handle to an open hypervisor interface
 * @parm domid the domain
 * @parm info filled on success
 * @return 0 on success, -1 on failure (errno: ESRCH no such domain,
 *         EOPNOTSUPP not an HVM/VMX domain, ENOSYS no SPML in Xen)
 */
int xc_spml_get_domain_info(xc_interface *xch, uint32_t domid,
                            struct ooh_spml_domain_info *info);

/**
 * Read one vCPU's SPML ring state and counters (XEN_DOMCTL_SPML_get_vcpu).
 * Counters are monotonic, in events or 4 KiB GPAs.
 *
 * @parm xch a handle to an open hypervisor interface
 * @parm domid the domain
 * @parm vcpu the vCPU id (0 .. max_vcpus - 1)
 * @parm st filled on success
 * @return 0 on success, -1 on failure (errno ESRCH: no such vCPU)
 */
int xc_spml_get_vcpu_info(xc_interface *xch, uint32_t domid, uint32_t vcpu,
                          struct ooh_spml_vcpu_stats *st);

/**
 * Disarm SPML for a domain from the toolstack: every vCPU is flushed, each
 * registered ring gets OOH_RING_F_DISARMED and its VIRQ_SPML, PML is
 * switched off unless Xen's own log-dirty still needs it.
 *
 * @parm xch a handle to an open hypervisor interface
 * @parm domid the domain (not the caller's own)
 * @return 0 on success, -1 on failure (errno ENOENT: not armed)
 */
int xc_spml_force_disarm(xc_interface *xch, uint32_t domid);

/**
 * Flush every vCPU's PML buffer into its ring now (the domain is paused
 * for the duration, as for a log-dirty harvest).
 *
 * @parm xch a handle to an open hypervisor interface
 * @parm domid the domain (not the caller's own)
 * @return 0 on success, -1 on failure
 */
int xc_spml_drain(xc_interface *xch, uint32_t domid);

/**
 * Grant or revoke SPML for a domain (HVM_PARAM_SPML, toolstack only).
 * Revoking while armed force-disarms, and later guest calls fail with
 * EPERM.
 *
 * @parm xch a handle to an open hypervisor interface
 * @parm domid the domain
 * @parm enable true to grant
 * @return 0 on success, -1 on failure (errno EINVAL: Xen without
 *         HVM_PARAM_SPML, i.e. not patched)
 */
int xc_spml_set_enabled(xc_interface *xch, uint32_t domid, bool enable);

/**
 * Read HVM_PARAM_SPML.
 *
 * @parm xch a handle to an open hypervisor interface
 * @parm domid the domain
 * @parm enabled set to the grant state on success
 * @return 0 on success, -1 on failure
 */
int xc_spml_get_enabled(xc_interface *xch, uint32_t domid, bool *enabled);

/**
 * Give or take the EPML MSRs to/from a domain (HVM_PARAM_EPML, toolstack
 * only; bochs-epml/EPML.md 11.1).  Taking them while SPML is armed
 * without PML (OOH_SPML_ARM_NO_PML) revokes SPML as xc_spml_set_enabled()
 * does, so trackers fail instead of missing writes.
 *
 * @parm xch a handle to an open hypervisor interface
 * @parm domid the domain
 * @parm enable true to pass the MSRs through
 * @return 0 on success, -1 on failure (errno EOPNOTSUPP: no EPML CPU or
 *         no HAP; EINVAL: Xen without HVM_PARAM_EPML)
 */
int xc_epml_set_enabled(xc_interface *xch, uint32_t domid, bool enable);

#endif /* XC_SPML_H */
