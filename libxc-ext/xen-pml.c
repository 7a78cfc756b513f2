/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xen-pml - inspect and control Shadow PML (SPML) from dom0.
 *
 * Modelled on tools/misc/xenpm.c (sub-command table, usage on stderr) and
 * tools/misc/xen-vmtrace.c.  Uses libxc-ext's xc_spml_* wrappers
 * (XEN_DOMCTL_spml_op, HVM_PARAM_SPML from ooh/spml.h), libxenstore for
 * domain names and libyajl for --json.  See xen-pml(8).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define __XEN_TOOLS__ 1
#include <xenctrl.h>
#include <xenstore.h>
#include <xentoollog.h>
#include <yajl/yajl_gen.h>

#include "xc_spml.h"

#define MAX_DOMS 1024

static const char *prog = "xen-pml";
static xc_interface *xch;
static struct xs_handle *xsh;
static bool opt_json;

static void fail(const char *what)
{
    int e = errno;

    if ( e == ENOSYS )
        fprintf(stderr, "%s: %s: hypervisor without SPML support (%s)\n",
                prog, what, strerror(e));
    else
        fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(e));
    exit(1);
}

static void usage_to(FILE *f);

/* Bad command line: the usage on stderr, exit 2 (as xenpm). */
static void usage(void)
{
    usage_to(stderr);
    exit(2);
}

/* Domain name from xenstore (/local/domain/ID/name); NULL if none. */
static char *dom_name(uint32_t domid)
{
    char path[64];
    unsigned int len;

    if ( !xsh )
        return NULL;
    snprintf(path, sizeof(path), "/local/domain/%u/name", domid);
    return xs_read(xsh, XBT_NULL, path, &len);
}

/* DOMAIN (name or number) -> domid; exits with one line if unknown. */
static uint32_t parse_domain(const char *arg)
{
    char *end;
    unsigned long id = strtoul(arg, &end, 0);
    xc_domaininfo_t info[MAX_DOMS];
    int i, n;

    if ( *arg && !*end && id < DOMID_FIRST_RESERVED )
        return id;

    n = xc_domain_getinfolist(xch, 0, MAX_DOMS, info);
    if ( n < 0 )
        fail("listing domains");
    for ( i = 0; i < n; i++ )
    {
        char *name = dom_name(info[i].domain);
        bool match = name && !strcmp(name, arg);

        free(name);
        if ( match )
            return info[i].domain;
    }
    fprintf(stderr, "%s: no domain named '%s'%s\n", prog, arg,
            xsh ? "" : " (xenstore unavailable: use a domain id)");
    exit(1);
}

/*
 * DOMAIN -> domid of an existing HVM or PVH domain; exits with one line
 * otherwise.  Shadow PML and EPML live in Xen's HVM state: Xen refuses
 * them for a PV domain (-EOPNOTSUPP, or -EINVAL for the params), which
 * would read as a hypervisor without the OoH patches.
 */
static uint32_t parse_hvm_domain(const char *arg, unsigned int *max_vcpu_id)
{
    uint32_t domid = parse_domain(arg);
    xc_domaininfo_t info;

    if ( xc_domain_getinfolist(xch, domid, 1, &info) != 1 ||
         info.domain != domid )
    {
        fprintf(stderr, "%s: no domain %u\n", prog, domid);
        exit(1);
    }
    if ( !(info.flags & XEN_DOMINF_hvm_guest) )
    {
        fprintf(stderr, "%s: domain %u is a PV domain: SPML and EPML need "
                "an HVM or PVH domain\n", prog, domid);
        exit(1);
    }
    if ( max_vcpu_id )
        *max_vcpu_id = info.max_vcpu_id;
    return domid;
}

static const char *users_str(uint32_t u, char *buf, size_t len)
{
    snprintf(buf, len, "%s%s%s%s",
             u & OOH_SPML_USER_LOGDIRTY ? "logdirty," : "",
             u & OOH_SPML_USER_VRAM ? "vram," : "",
             u & OOH_SPML_USER_SPML ? "spml," : "",
             u ? "" : "none");
    if ( u )
        buf[strlen(buf) - 1] = '\0';
    return buf;
}

/* yajl helpers */
static void jstr(yajl_gen g, const char *s)
{
    yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}
static void jkv_u(yajl_gen g, const char *k, uint64_t v)
{
    char num[24];

    jstr(g, k);
    snprintf(num, sizeof(num), "%" PRIu64, v);
    yajl_gen_number(g, num, strlen(num));
}
static void jkv_b(yajl_gen g, const char *k, bool v)
{
    jstr(g, k);
    yajl_gen_bool(g, v);
}

/* Print one domain; returns 0, or -1 (errno) if its SPML state is unreadable. */
static int status_domain(uint32_t domid, unsigned int max_vcpu_id, yajl_gen g)
{
    struct ooh_spml_domain_info di;
    struct ooh_spml_vcpu_stats st;
    char *name = dom_name(domid);
    char ubuf[64];
    unsigned int v;

    if ( xc_spml_get_domain_info(xch, domid, &di) )
    {
        free(name);
        return -1;
    }

    if ( g )
    {
        yajl_gen_map_open(g);
        jkv_u(g, "domid", domid);
        jstr(g, "name");
        if ( name )
            jstr(g, name);
        else
            yajl_gen_null(g);
        jkv_b(g, "enabled", di.param == OOH_SPML_PARAM_ENABLED);
        jkv_b(g, "armed", di.users & OOH_SPML_USER_SPML);
        jkv_b(g, "epml", di.epml_param);
        jkv_b(g, "armed_no_pml", di.arm_flags & OOH_SPML_ARM_NO_PML);
        jstr(g, "pml_users");
        yajl_gen_array_open(g);
        if ( di.users & OOH_SPML_USER_LOGDIRTY ) jstr(g, "logdirty");
        if ( di.users & OOH_SPML_USER_VRAM ) jstr(g, "vram");
        if ( di.users & OOH_SPML_USER_SPML ) jstr(g, "spml");
        yajl_gen_array_close(g);
        jkv_u(g, "max_vcpus", di.max_vcpus);
        jkv_u(g, "rings", di.nr_rings);
        jkv_u(g, "arms", di.arms);
        jkv_u(g, "rearms", di.rearms);
        jkv_u(g, "disarms", di.disarms);
        jkv_u(g, "forced_disarms", di.forced);
        jkv_u(g, "xen_writes_dropped", di.xen_writes_dropped);
        jkv_u(g, "rearm_lists", di.rearm_lists);
        jkv_u(g, "rearm_fulls", di.rearm_fulls);
        jkv_u(g, "rearm_frames", di.rearm_frames);
        jkv_u(g, "rearm_ns", di.rearm_ns);
        jkv_u(g, "rearm_audits", di.rearm_audits);
        jkv_u(g, "rearm_audit_dirty", di.rearm_audit_dirty);
        jstr(g, "vcpus");
        yajl_gen_array_open(g);
    }
    else
    {
        printf("domain %u (%s): spml %s, %s, epml %s, pml users %s, "
               "rings %u/%u, arms %" PRIu64 " rearms %" PRIu64
               " disarms %" PRIu64 " forced %" PRIu64
               " xen-writes-dropped %" PRIu64 "\n",
               domid, name ? name : "?",
               di.param == OOH_SPML_PARAM_ENABLED ? "enabled" : "disabled",
               !(di.users & OOH_SPML_USER_SPML) ? "not armed" :
               di.arm_flags & OOH_SPML_ARM_NO_PML ? "armed (no PML)" :
               "armed",
               di.epml_param ? "on" : "off",
               users_str(di.users, ubuf, sizeof(ubuf)),
               di.nr_rings, di.max_vcpus, di.arms, di.rearms, di.disarms,
               di.forced, di.xen_writes_dropped);
        printf("  rearms by list %" PRIu64 " (%" PRIu64 " frames), whole p2m %"
               PRIu64 ", %" PRIu64 " ns in rearms; audits %" PRIu64
               ", entries left written %" PRIu64 "\n",
               di.rearm_lists, di.rearm_frames, di.rearm_fulls, di.rearm_ns,
               di.rearm_audits, di.rearm_audit_dirty);
        printf("  %-4s %-5s %-5s %8s %10s %10s %10s %10s %10s %8s %8s %8s "
               "%8s %8s %10s %8s %8s\n", "vcpu", "ring", "track", "entries",
               "prod", "cons", "logged", "ringed", "untracked", "lost", "faults",
               "pmlfull", "flushes", "virqs", "exits", "xenw", "hvmops");
    }
    free(name);

    for ( v = 0; v <= max_vcpu_id && v < di.max_vcpus; v++ )
    {
        if ( xc_spml_get_vcpu_info(xch, domid, v, &st) )
        {
            if ( errno == ESRCH )
                continue;
            return -1;
        }
        if ( g )
        {
            yajl_gen_map_open(g);
            jkv_u(g, "vcpu", st.vcpu);
            jkv_b(g, "registered", st.state & OOH_SPML_VCPU_REGISTERED);
            jkv_b(g, "tracking", st.state & OOH_SPML_VCPU_TRACKING);
            jkv_u(g, "ring_entries", st.nr_entries);
            jkv_u(g, "prod", st.prod);
            jkv_u(g, "cons", st.cons);
            jkv_u(g, "logged", st.logged);
            jkv_u(g, "ringed", st.ringed);
            jkv_u(g, "untracked", st.untracked);
            jkv_u(g, "lost", st.lost);
            jkv_u(g, "faults", st.faults);
            jkv_u(g, "pml_full_exits", st.pml_full_exits);
            jkv_u(g, "flushes", st.flushes);
            jkv_u(g, "virqs", st.virqs);
            jkv_u(g, "exits", st.exits);
            jkv_u(g, "xen_writes", st.xen_writes);
            jkv_u(g, "hvmops", st.hvmops);
            yajl_gen_map_close(g);
        }
        else
            printf("  %-4u %-5s %-5s %8u %10" PRIu64 " %10" PRIu64
                   " %10" PRIu64 " %10" PRIu64 " %10" PRIu64 " %8" PRIu64
                   " %8" PRIu64 " %8" PRIu64 " %8" PRIu64 " %8" PRIu64
                   " %10" PRIu64 " %8" PRIu64 " %8u\n",
                   st.vcpu,
                   st.state & OOH_SPML_VCPU_REGISTERED ? "yes" : "no",
                   st.state & OOH_SPML_VCPU_TRACKING ? "yes" : "no",
                   st.nr_entries, st.prod, st.cons, st.logged, st.ringed,
                   st.untracked, st.lost, st.faults, st.pml_full_exits,
                   st.flushes, st.virqs, st.exits, st.xen_writes, st.hvmops);
    }

    if ( g )
    {
        yajl_gen_array_close(g);
        yajl_gen_map_close(g);
    }
    return 0;
}

/* Call fn for DOMAIN, or for every HVM domain but dom0 without one. */
static int for_domains(int argc, char **argv,
                       int (*fn)(uint32_t, unsigned int, yajl_gen),
                       yajl_gen g, const char *what)
{
    xc_domaininfo_t info[MAX_DOMS];
    int i, n, done = 0;
    char msg[96];

    if ( argc > 1 )
        usage();
    if ( argc == 1 )
    {
        unsigned int max_vcpu_id;
        uint32_t domid = parse_hvm_domain(argv[0], &max_vcpu_id);

        if ( fn(domid, max_vcpu_id, g) )
        {
            snprintf(msg, sizeof(msg), "%s domain %u", what, domid);
            fail(msg);
        }
        return 0;
    }

    n = xc_domain_getinfolist(xch, 0, MAX_DOMS, info);
    if ( n < 0 )
        fail("listing domains");
    for ( i = 0; i < n; i++ )
    {
        if ( !(info[i].flags & XEN_DOMINF_hvm_guest) )
            continue;
        if ( fn(info[i].domain, info[i].max_vcpu_id, g) )
        {
            snprintf(msg, sizeof(msg), "%s domain %u", what, info[i].domain);
            fail(msg);
        }
        done++;
    }
    if ( !done && !g )
        printf("no HVM/PVH domains\n");
    return 0;
}

static int cmd_status(int argc, char **argv)
{
    yajl_gen g = NULL;

    if ( opt_json )
    {
        const unsigned char *buf;
        size_t len;

        g = yajl_gen_alloc(NULL);
        if ( !g )
        {
            errno = ENOMEM;
            fail("yajl");
        }
        yajl_gen_config(g, yajl_gen_beautify, 1);
        yajl_gen_array_open(g);
        for_domains(argc, argv, status_domain, g, "reading SPML state of");
        yajl_gen_array_close(g);
        yajl_gen_get_buf(g, &buf, &len);
        fwrite(buf, 1, len, stdout);
        yajl_gen_free(g);
        return 0;
    }
    return for_domains(argc, argv, status_domain, NULL,
                       "reading SPML state of");
}

static int do_drain(uint32_t domid, unsigned int max_vcpu_id, yajl_gen g)
{
    return xc_spml_drain(xch, domid);
}

static int cmd_drain(int argc, char **argv)
{
    return for_domains(argc, argv, do_drain, NULL, "draining");
}

/* HVM_PARAM_SPML (@epml false) or HVM_PARAM_EPML (@epml true). */
static int cmd_enable_disable(int argc, char **argv, bool enable, bool epml)
{
    uint32_t domid;
    char msg[64];

    if ( argc != 1 )
        usage();
    domid = parse_hvm_domain(argv[0], NULL);
    if ( epml ? xc_epml_set_enabled(xch, domid, enable)
              : xc_spml_set_enabled(xch, domid, enable) )
    {
        snprintf(msg, sizeof(msg), "%s %s for domain %u",
                 enable ? "enabling" : "disabling", epml ? "EPML" : "SPML",
                 domid);
        if ( errno == EINVAL )
        {
            /* Xen 4.17 refuses an HVM param index it does not know. */
            fprintf(stderr, "%s: %s: %s (is this Xen built with the OoH "
                    "patches, xen-patches/?)\n", prog, msg, strerror(EINVAL));
            exit(1);
        }
        fail(msg);
    }
    return 0;
}

static int cmd_enable(int argc, char **argv)
{
    return cmd_enable_disable(argc, argv, true, false);
}

static int cmd_disable(int argc, char **argv)
{
    return cmd_enable_disable(argc, argv, false, false);
}

static int cmd_epml_enable(int argc, char **argv)
{
    return cmd_enable_disable(argc, argv, true, true);
}

static int cmd_epml_disable(int argc, char **argv)
{
    return cmd_enable_disable(argc, argv, false, true);
}

static int cmd_disarm(int argc, char **argv)
{
    uint32_t domid;
    char msg[64];

    if ( argc != 1 )
        usage();
    domid = parse_hvm_domain(argv[0], NULL);
    if ( xc_spml_force_disarm(xch, domid) )
    {
        snprintf(msg, sizeof(msg), "disarming domain %u", domid);
        if ( errno == ENOENT )
        {
            fprintf(stderr, "%s: %s: SPML is not armed\n", prog, msg);
            exit(1);
        }
        fail(msg);
    }
    return 0;
}

static int cmd_help(int argc, char **argv);

/*
 * The one table of commands (as xenpm's main_options[]): name, handler,
 * argument counts (checked before Xen is opened), whether --json applies,
 * and the help line(s) printed by usage and `help`.
 */
static const struct {
    const char *name;
    int (*fn)(int argc, char **argv);
    int min_args, max_args;
    bool json;
    const char *args, *help;
} cmds[] = {
    { "status", cmd_status, 0, 1, true, "[DOMAIN]",
      "SPML/EPML state per domain and per vCPU (every HVM or\n"
      "PVH domain without DOMAIN); --json: a JSON array" },
    { "enable", cmd_enable, 1, 1, false, "DOMAIN",
      "grant SPML (HVM_PARAM_SPML=1)" },
    { "disable", cmd_disable, 1, 1, false, "DOMAIN",
      "revoke SPML (force-disarms it if armed)" },
    { "drain", cmd_drain, 0, 1, false, "[DOMAIN]",
      "flush the PML buffers into the rings now" },
    { "disarm", cmd_disarm, 1, 1, false, "DOMAIN",
      "force-disarm SPML without revoking the grant" },
    { "epml-enable", cmd_epml_enable, 1, 1, false, "DOMAIN",
      "pass the EPML MSRs through (HVM_PARAM_EPML=1)" },
    { "epml-disable", cmd_epml_disable, 1, 1, false, "DOMAIN",
      "take the EPML MSRs back (revokes an EPML arm)" },
    { "help", cmd_help, 0, 1, false, "[COMMAND]",
      "this help, or one command's" },
};
#define NR_CMDS (sizeof(cmds) / sizeof(cmds[0]))

static void help_one(FILE *f, unsigned int i)
{
    const char *h = cmds[i].help, *nl;
    char head[64];

    snprintf(head, sizeof(head), "%s %s", cmds[i].name, cmds[i].args);
    fprintf(f, "  %-22s ", head);
    while ( (nl = strchr(h, '\n')) )
    {
        fprintf(f, "%.*s\n  %-22s ", (int)(nl - h), h, "");
        h = nl + 1;
    }
    fprintf(f, "%s\n", h);
}

static void usage_to(FILE *f)
{
    unsigned int i;

    fprintf(f, "Usage: %s [--json] <command> [--json] [args]\n"
            "       %s --help | help [COMMAND]\n"
            "Commands:\n", prog, prog);
    for ( i = 0; i < NR_CMDS; i++ )
        help_one(f, i);
    fprintf(f, "DOMAIN is a domain name or id.  See xen-pml(8).\n");
}

static int find_cmd(const char *name)
{
    unsigned int i;

    for ( i = 0; i < NR_CMDS; i++ )
        if ( !strcmp(name, cmds[i].name) )
            return i;
    return -1;
}

/* `help [COMMAND]`: on stdout, exit 0 (runs without Xen). */
static int cmd_help(int argc, char **argv)
{
    int i;

    if ( !argc )
    {
        usage_to(stdout);
        return 0;
    }
    i = find_cmd(argv[0]);
    if ( i < 0 )
    {
        fprintf(stderr, "%s: unknown command '%s'\n", prog, argv[0]);
        return 2;
    }
    help_one(stdout, i);
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "json", no_argument, NULL, 'j' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    unsigned int i;
    int c;

    while ( (c = getopt_long(argc, argv, "+jh", opts, NULL)) != -1 )
    {
        switch ( c )
        {
        case 'j':
            opt_json = true;
            break;
        case 'h':
            usage_to(stdout);
            return 0;
        case 'V':
            printf("%s %s\n", prog, OOH_VERSION_STRING);
            return 0;
        default:
            usage();
        }
    }
    argc -= optind;
    argv += optind;
    if ( argc < 1 )
    {
        fprintf(stderr, "%s: no command given\n", prog);
        usage();
    }

    /* --json may also follow the command ("xen-pml status --json ooh"). */
    for ( i = 1, c = 1; i < (unsigned int)argc; i++ )
    {
        if ( !strcmp(argv[i], "--json") || !strcmp(argv[i], "-j") )
            opt_json = true;
        else
            argv[c++] = argv[i];
    }
    argc = c;

    c = find_cmd(argv[0]);
    if ( c < 0 )
    {
        fprintf(stderr, "%s: unknown command '%s'\n", prog, argv[0]);
        usage();
    }
    i = c;
    if ( argc - 1 < cmds[i].min_args || argc - 1 > cmds[i].max_args )
    {
        fprintf(stderr, "%s: %s: %s\n", prog, cmds[i].name,
                argc - 1 < cmds[i].min_args ? "missing argument" :
                "too many arguments");
        usage();
    }
    if ( opt_json && !cmds[i].json )
    {
        fprintf(stderr, "%s: %s: --json applies to status only\n",
                prog, cmds[i].name);
        exit(2);
    }
    if ( cmds[i].fn == cmd_help )
        return cmd_help(argc - 1, argv + 1);

    /* Our own one-line errors only: keep libxc/xencall quiet below CRITICAL. */
    xch = xc_interface_open(
        (xentoollog_logger *)xtl_createlogger_stdiostream(stderr,
                                                          XTL_CRITICAL, 0),
        NULL, 0);
    if ( !xch )
        fail("opening the hypervisor interface (not in dom0? "
             "xen-privcmd loaded?)");
    xsh = xs_open(XS_OPEN_READONLY);   /* names only: optional */

    c = cmds[i].fn(argc - 1, argv + 1);

    if ( xsh )
        xs_close(xsh);
    xc_interface_close(xch);
    return c;
}
