// SPDX-License-Identifier: GPL-2.0-only
/*
 * spml-pvctl - the toolstack's Shadow PML paths on a PV domain, from dom0
 * (tests/system/spml.test): XEN_DOMCTL_spml_op (get_domain, get_vcpu,
 * drain, force_disarm) and HVM_PARAM_SPML / HVM_PARAM_EPML on a PV domain
 * (dom0 itself) through the libxc-ext wrappers.  Every call must fail:
 * the domctl with EOPNOTSUPP, or EACCES where FLASK denies dom0 the
 * domctl on itself; the params with EINVAL (HVMOP_set/get_param refuse a
 * non-HVM domain).  Xen must survive.
 *
 * Usage: spml-pvctl DOMID   Prints "case NAME: errno=E ok|BAD" per call
 * and "summary pass=P fail=F"; exit 0 if every call failed as expected.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenctrl.h>

#include "xc_spml.h"

static int npass, nfail;

static void expect(const char *name, int rc, int e, int want, int alt)
{
	bool ok = rc == -1 && (e == want || (alt && e == alt));

	printf("case %s: rc=%d errno=%s %s\n", name, rc, rc ? strerror(e) :
	       "none", ok ? "ok" : "BAD");
	if (ok)
		npass++;
	else
		nfail++;
}

int main(int argc, char **argv)
{
	struct ooh_spml_domain_info di;
	struct ooh_spml_vcpu_stats st;
	xc_interface *xch;
	uint32_t dom;
	bool on;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: spml-pvctl DOMID\n");
		return 2;
	}
	dom = strtoul(argv[1], NULL, 0);
	xch = xc_interface_open(NULL, NULL, 0);
	if (!xch) {
		printf("summary pass=0 fail=1 (xc_interface_open: %s)\n",
		       strerror(errno));
		return 1;
	}
	rc = xc_spml_get_domain_info(xch, dom, &di);
	expect("domctl get_domain", rc, errno, EOPNOTSUPP, EACCES);
	rc = xc_spml_get_vcpu_info(xch, dom, 0, &st);
	expect("domctl get_vcpu", rc, errno, EOPNOTSUPP, EACCES);
	rc = xc_spml_drain(xch, dom);
	expect("domctl drain", rc, errno, EOPNOTSUPP, EACCES);
	rc = xc_spml_force_disarm(xch, dom);
	expect("domctl force_disarm", rc, errno, EOPNOTSUPP, EACCES);
	rc = xc_spml_set_enabled(xch, dom, true);
	expect("param SPML set 1", rc, errno, EINVAL, 0);
	rc = xc_spml_set_enabled(xch, dom, false);
	expect("param SPML set 0", rc, errno, EINVAL, 0);
	rc = xc_spml_get_enabled(xch, dom, &on);
	expect("param SPML get", rc, errno, EINVAL, 0);
	rc = xc_epml_set_enabled(xch, dom, true);
	expect("param EPML set 1", rc, errno, EINVAL, 0);
	rc = xc_epml_set_enabled(xch, dom, false);
	expect("param EPML set 0", rc, errno, EINVAL, 0);
	xc_interface_close(xch);
	printf("summary pass=%d fail=%d\n", npass, nfail);
	return nfail != 0;
}
