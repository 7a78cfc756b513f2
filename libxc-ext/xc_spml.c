/* SPDX-License-Identifier: LGPL-2.1-only */
/*
 * xc_spml.c - XEN_DOMCTL_spml_op and HVM_PARAM_SPML wrappers, written like
 * tools/libs/ctrl/xc_vmtrace.c: a zero-initialised domctl with designated
 * initialisers, issued through xc_domctl() (which bounces the struct and
 * sets XEN_DOMCTL_INTERFACE_VERSION).  The SPML struct travels in the
 * xen_domctl union (its size is checked below), since Debian's public
 * headers predate it.
 */
#define __XEN_TOOLS__ 1
#include <errno.h>
#include <string.h>
#include <xenctrl.h>
#include <xen/domctl.h>

#include "xc_spml.h"

_Static_assert(sizeof(struct ooh_spml_domctl) <=
               sizeof(((struct xen_domctl *)0)->u),
               "ooh_spml_domctl must fit in xen_domctl.u");

static int spml_domctl(xc_interface *xch, uint32_t domid,
                       struct ooh_spml_domctl *op)
{
    struct xen_domctl domctl = {
        .cmd = XEN_DOMCTL_spml_op,
        .domain = domid,
    };
    int rc;

    memcpy(&domctl.u, op, sizeof(*op));
    rc = xc_domctl(xch, &domctl);
    if ( rc == 0 )
        memcpy(op, &domctl.u, sizeof(*op));
    return rc;
}

int xc_spml_get_domain_info(xc_interface *xch, uint32_t domid,
                            struct ooh_spml_domain_info *info)
{
    struct ooh_spml_domctl op = {
        .cmd = XEN_DOMCTL_SPML_get_domain,
        .version = OOH_SPML_INTERFACE_VERSION,
    };

    if ( spml_domctl(xch, domid, &op) )
        return -1;
    *info = op.u.domain;
    return 0;
}

int xc_spml_get_vcpu_info(xc_interface *xch, uint32_t domid, uint32_t vcpu,
                          struct ooh_spml_vcpu_stats *st)
{
    struct ooh_spml_domctl op = {
        .cmd = XEN_DOMCTL_SPML_get_vcpu,
        .vcpu = vcpu,
        .version = OOH_SPML_INTERFACE_VERSION,
    };

    if ( spml_domctl(xch, domid, &op) )
        return -1;
    *st = op.u.vcpu;
    return 0;
}

int xc_spml_force_disarm(xc_interface *xch, uint32_t domid)
{
    struct ooh_spml_domctl op = {
        .cmd = XEN_DOMCTL_SPML_force_disarm,
        .version = OOH_SPML_INTERFACE_VERSION,
    };

    return spml_domctl(xch, domid, &op);
}

int xc_spml_drain(xc_interface *xch, uint32_t domid)
{
    struct ooh_spml_domctl op = {
        .cmd = XEN_DOMCTL_SPML_drain,
        .version = OOH_SPML_INTERFACE_VERSION,
    };

    return spml_domctl(xch, domid, &op);
}

int xc_spml_set_enabled(xc_interface *xch, uint32_t domid, bool enable)
{
    return xc_hvm_param_set(xch, domid, HVM_PARAM_SPML,
                            enable ? OOH_SPML_PARAM_ENABLED
                                   : OOH_SPML_PARAM_DISABLED);
}

int xc_epml_set_enabled(xc_interface *xch, uint32_t domid, bool enable)
{
    return xc_hvm_param_set(xch, domid, HVM_PARAM_EPML, enable);
}

int xc_spml_get_enabled(xc_interface *xch, uint32_t domid, bool *enabled)
{
    uint64_t v = 0;

    if ( xc_hvm_param_get(xch, domid, HVM_PARAM_SPML, &v) )
        return -1;
    *enabled = v == OOH_SPML_PARAM_ENABLED;
    return 0;
}
