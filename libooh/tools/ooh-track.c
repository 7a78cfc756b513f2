/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ooh-track - print the pages a process writes, interval by interval,
 * through any libooh backend.
 *
 *   ooh-track [--backend B] [--interval MS] [--count N] [--json] [-v]
 *             [--record FILE [--maps] [--force]] (-p PID | -- CMD [ARG...])
 *
 * With -p the process's whole address space is tracked (backends with
 * OOH_CAP_OTHER | OOH_CAP_WHOLE_MM: softdirty, spml, epml).  With -- CMD
 * the command is started stopped, tracked, then let run; ooh-track exits
 * with its status when it ends.  --json prints one JSON object per
 * interval (JSON lines, through libyajl).  --record writes every interval
 * to a gzip trace (ooh_record(3), ooh-trace(5)) that ooh-trace(1) reports
 * and replays; --maps adds /proc/PID/maps snapshots, --force replaces an
 * existing FILE.
 *
 * SIGINT (Ctrl-C), SIGTERM and SIGHUP end tracking as the end of the
 * process does: the signal goes on to the command ooh-track started (not
 * a second time when the terminal sent it to the whole foreground process
 * group), the last interval is fetched and printed, the --record trace is
 * closed, the --serve socket removed, the summary printed, and ooh-track
 * exits with 128 + the signal's number.  On stderr ooh-track names the
 * backend and pid at the start and prints a summary at the end (--json:
 * "start" and "summary" objects on stdout, around the intervals).
 *
 * --serve SOCKET (with -p PID) makes ooh-track a tracker daemon for
 * clients that do not live from one interval to the next, such as CRIU
 * between pre-dumps: it tracks PID from its start and listens on the unix
 * stream socket SOCKET (created; an existing path is an error); the
 * protocol is <ooh/serve.h>.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>

#include "ooh.h"
#include "ooh/serve.h"
#include "tool.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: ooh-track [--backend B] [--interval MS] [--count N] "
		"[--json] [-v] [-o FILE] [--no-inherit]\n                 [--record FILE [--maps] [--force]] "
		"(-p PID | -- CMD [ARG...])\n"
		"       ooh-track [--backend B] --serve SOCKET -p PID   "
		"(tracker daemon: FETCH/STOP)\n"
		"       ooh-track --list-backends [--json]   (each backend, its "
		"caps, whether it works here)\n"
		"backends: auto");
	for (const char *const *b = ooh_backends(); *b; b++)
		fprintf(f, " %s", *b);
	fputc('\n', f);
}

/* OOH_CAP_* names, in bit order (ooh_caps(3)) */
static const char *const cap_names[] = {
	"self", "other", "kernel-writes", "whole-mm", "new-mappings",
	"threads", "remap", "pinned-writes", "shared-writers",
};

/* One JSON object { NAME: { ... } } on its own line. */
static void json_line_end(yajl_gen g)
{
	const unsigned char *buf;
	size_t len;

	yajl_gen_get_buf(g, &buf, &len);
	fwrite(buf, 1, len, stdout);
	fputc('\n', stdout);
	yajl_gen_clear(g);
	yajl_gen_reset(g, NULL);
}

#define JKEY(g, s) yajl_gen_string(g, (const unsigned char *)(s), strlen(s))

/* A JSON number with @decimals digits after the point (yajl_gen_double()
 * prints 17 significant digits: 103.89584599994122982). */
static void json_fixed(yajl_gen g, double v, int decimals)
{
	char num[48];
	int n = snprintf(num, sizeof(num), "%.*f", decimals, v);

	yajl_gen_number(g, num, (size_t)n);
}

/*
 * --list-backends: one line per compiled-in backend, "NAME ok caps=A,B,..."
 * (the caps of a tracker opened on it) or "NAME unsupported: REASON"
 * (ooh_backend_probe(3)); with --json one object per backend: {"backend",
 * "ok", "caps": [...] or "reason"}.  Exit 0 even if none works.
 */
static int list_backends(bool json)
{
	yajl_gen g = json ? yajl_gen_alloc(NULL) : NULL;

	for (const char *const *b = ooh_backends(); *b; b++) {
		struct ooh_tracker *t;
		unsigned int caps = 0;
		char why[512] = "";
		int err = ooh_backend_probe(*b);

		if (!err)
			err = ooh_open(*b, &t);
		if (err) {
			snprintf(why, sizeof(why), "%s%s%s", strerror(-err),
				 *ooh_last_error() ? ": " : "", ooh_last_error());
		} else {
			caps = ooh_caps(t);
			ooh_close(t);
		}
		if (g) {
			yajl_gen_map_open(g);
			JKEY(g, "backend"); JKEY(g, *b);
			JKEY(g, "ok"); yajl_gen_bool(g, !err);
			if (err) {
				JKEY(g, "reason"); JKEY(g, why);
			} else {
				JKEY(g, "caps");
				yajl_gen_array_open(g);
				for (size_t i = 0; i < sizeof(cap_names) / sizeof(cap_names[0]); i++)
					if (caps & (1u << i))
						JKEY(g, cap_names[i]);
				yajl_gen_array_close(g);
			}
			yajl_gen_map_close(g);
			json_line_end(g);
			continue;
		}
		if (err) {
			printf("%s unsupported: %s\n", *b, why);
			continue;
		}
		printf("%s ok caps=", *b);
		for (unsigned int i = 0, n = 0; i < sizeof(cap_names) / sizeof(cap_names[0]); i++)
			if (caps & (1u << i))
				printf("%s%s", n++ ? "," : "", cap_names[i]);
		putchar('\n');
	}
	if (g)
		yajl_gen_free(g);
	return 0;
}

static struct ooh_tracker *tracker;	/* closed on failure: a --record
					 * trace gets its gzip trailer */

/* The first SIGINT, SIGTERM or SIGHUP taken, and whether the terminal sent
 * it (to the whole foreground process group, the command included). */
static volatile sig_atomic_t stop_sig, stop_from_tty;

static void on_stop_signal(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (!stop_sig) {
		stop_from_tty = si->si_code == SI_KERNEL;
		stop_sig = sig;
	}
}

/*
 * Catch the stop signals.  SA_RESTART: libooh's own system calls restart;
 * the waits (sigtimedwait(), poll()) are never restarted and return EINTR.
 */
static void catch_stop_signals(void)
{
	struct sigaction sa = { .sa_sigaction = on_stop_signal,
				.sa_flags = SA_SIGINFO | SA_RESTART };
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };

	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}

/* Is @pid a kernel thread (PF_KTHREAD in /proc/PID/stat's flags)? */
static bool is_kthread(pid_t pid)
{
	char path[64], buf[512], *p;
	unsigned long flags;
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	if (!p || !(p = strrchr(buf, ')')))
		return false;
	/* after "pid (comm)": state is field 3, flags field 9; p ends on the
	 * space before field 9 */
	for (i = 3; i <= 9 && p; i++)
		p = strchr(p + 1, ' ');
	return p && sscanf(p, " %lu", &flags) == 1 && (flags & 0x00200000);
}

static int fail(const char *what, int err)
{
	if (*ooh_last_error())
		fprintf(stderr, "ooh-track: %s: %s\n", what, ooh_last_error());
	else
		fprintf(stderr, "ooh-track: %s: %s\n", what, strerror(err));
	ooh_close(tracker);
	tracker = NULL;
	return 1;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/*
 * The tracked processes are watched with ptrace(2).  PTRACE_SEIZE with
 * PTRACE_O_TRACEEXIT stops each at its exit before its address space is
 * torn down (PTRACE_EVENT_EXIT comes before exit_mm() in do_exit()), so
 * the interval in which it exits is fetched like every other one;
 * PTRACE_O_TRACEEXEC stops it when exec gives it a new address space,
 * which gets a new tracker (the old one is gone with its pages).  Unless
 * --no-inherit, PTRACE_O_TRACEFORK and PTRACE_O_TRACEVFORK attach every
 * process they fork, at any depth, each with its own tracker (a vfork
 * child shares its parent's address space, and its tracker, until it
 * execs).  The watcher forwards every signal, lets group-stops happen
 * (PTRACE_LISTEN) and keeps a process untraced while ooh_track() runs
 * (uffd-wp and pagemap-scan seize it themselves, remote.c).  Only
 * processes are followed, not threads: a thread's writes are its
 * process's (OOH_CAP_THREADS), and a process whose main thread exits
 * before the others ends its tracking there.
 */
struct proc {
	pid_t pid;
	struct ooh_tracker *t;	/* NULL: none (a vfork child before its
				 * exec, or tracking it failed) */
	char comm[16];
	unsigned int execs;	/* execs seen: names its --record file */
	bool seized;		/* PTRACE_SEIZE held */
	bool at_exit;		/* stopped in PTRACE_EVENT_EXIT */
	bool gone;		/* exited or killed; status holds how */
	bool forked;		/* its parent's fork event was seen */
	bool init_stop;		/* in its first stop, not yet let run */
	bool started;		/* let run after its first stop */
	bool vfork;		/* shares its vfork parent's mm */
	int status;
	/* fetched at its exit (not procs[0]), reported with the interval */
	bool have_last;
	struct ooh_dirty last;	/* .pages malloc'd */
	uint64_t fetch_ns;
	unsigned long long total;
};

static struct proc *procs;	/* [0]: the command or -p PID */
static size_t nr_procs;
static bool follow = true;	/* --no-inherit clears it */
static const char *track_backend, *track_record;
static unsigned int track_rec_flags;

static long ptrace_opts(void)
{
	return PTRACE_O_TRACEEXIT | PTRACE_O_TRACEEXEC |
	       (follow ? PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK : 0);
}

static ssize_t proc_find(pid_t pid)
{
	for (size_t i = 0; i < nr_procs; i++)
		if (procs[i].pid == pid && !procs[i].gone)
			return (ssize_t)i;
	return -1;
}

static void proc_comm(struct proc *p)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", p->pid);
	f = fopen(path, "re");
	if (!f || !fgets(p->comm, sizeof(p->comm), f))
		snprintf(p->comm, sizeof(p->comm), "?");
	p->comm[strcspn(p->comm, "\n")] = '\0';
	if (f)
		fclose(f);
}

/* A new entry for @pid, seized already (auto-attached); its index. */
static size_t proc_add(pid_t pid)
{
	procs = realloc(procs, (nr_procs + 1) * sizeof(*procs));
	if (!procs) {
		fprintf(stderr, "ooh-track: out of memory\n");
		exit(1);
	}
	memset(&procs[nr_procs], 0, sizeof(procs[0]));
	procs[nr_procs].pid = pid;
	procs[nr_procs].seized = true;
	return nr_procs++;
}

/*
 * A tracker for @p's address space as it is now (the process is stopped):
 * its own --record file, FILE.PID, or FILE.PID.N after its Nth exec.  A
 * failure is a warning: the process is still watched, its children too.
 */
static void proc_open_tracker(struct proc *p)
{
	char path[PATH_MAX];
	int ret;

	proc_comm(p);
	ret = ooh_open(track_backend, &p->t);
	if (!ret)
		ret = ooh_track(p->t, p->pid, NULL, 0);
	if (!ret && track_record) {
		if (p->execs)
			snprintf(path, sizeof(path), "%s.%d.%u", track_record,
				 p->pid, p->execs);
		else
			snprintf(path, sizeof(path), "%s.%d", track_record, p->pid);
		if (ooh_record(p->t, path, track_rec_flags))
			fprintf(stderr, "ooh-track: warning: --record of pid %d "
				"(%s): %s\n", p->pid, p->comm, ooh_last_error());
	}
	if (ret) {
		fprintf(stderr, "ooh-track: warning: pid %d (%s) is not "
			"tracked: %s\n", p->pid, p->comm, *ooh_last_error() ?
			ooh_last_error() : strerror(-ret));
		ooh_close(p->t);
		p->t = NULL;
	}
}

/*
 * Seize @p's process, which is group-stopped or about to stop on a
 * pending SIGSTOP, and let it run (SIGCONT).  0 or -errno.
 */
static int proc_seize_stopped(struct proc *p)
{
	int st;

	if (ptrace(PTRACE_SEIZE, p->pid, 0, (void *)ptrace_opts()))
		return -errno;
	p->seized = true;
	/* A seized group-stopped task re-traps at once (PTRACE_EVENT_STOP);
	 * one still on its way there reports the SIGSTOP, suppressed here. */
	while (waitpid(p->pid, &st, __WALL) < 0)
		if (errno != EINTR)
			return -errno;
	kill(p->pid, SIGCONT);
	if (WIFSTOPPED(st))
		ptrace(PTRACE_CONT, p->pid, 0, 0);
	else
		p->gone = true, p->seized = false, p->status = st;
	return 0;
}

/*
 * @p has an address space to track and is in a ptrace event stop (its
 * first stop as an auto-attached child, or an exec).  Turn that into a
 * SIGSTOP signal-delivery stop and detach delivering the SIGSTOP, so that
 * it is group-stopped, untraced, before any more user code runs: the
 * backend may attach (uffd-wp and pagemap-scan seize it themselves).
 * Then give it a tracker, seize it again and let it run.
 */
static void proc_retrack(struct proc *p)
{
	int ret, st;

	{
		kill(p->pid, SIGSTOP);
		ptrace(PTRACE_CONT, p->pid, 0, 0);
		for (;;) {
			if (waitpid(p->pid, &st, __WALL) < 0) {
				if (errno == EINTR)
					continue;
				p->gone = true, p->seized = false;
				return;
			}
			if (WIFEXITED(st) || WIFSIGNALED(st)) {
				p->gone = true, p->seized = false, p->status = st;
				return;
			}
			if (WIFSTOPPED(st) && !(st >> 16) && WSTOPSIG(st) == SIGSTOP)
				break;
			/* anything else on the way: deliver it, go on */
			ptrace(PTRACE_CONT, p->pid, 0, (void *)(long)
			       ((st >> 16) ? 0 : WSTOPSIG(st)));
		}
	}
	ptrace(PTRACE_DETACH, p->pid, 0, (void *)(long)SIGSTOP);
	p->seized = false;
	proc_open_tracker(p);
	ret = proc_seize_stopped(p);
	if (ret) {
		fprintf(stderr, "ooh-track: warning: cannot watch pid %d (%s) "
			"again: %s: its exit interval and children are not "
			"reported\n", p->pid, p->comm, strerror(-ret));
		kill(p->pid, SIGCONT);
	}
}

/* A new child is in its first stop and its parent's fork event was seen. */
static void proc_start(struct proc *p)
{
	p->init_stop = false;
	p->started = true;
	if (p->vfork) {		/* the parent's mm: its tracker sees it */
		proc_comm(p);
		ptrace(PTRACE_CONT, p->pid, 0, 0);
	} else {
		proc_retrack(p);
	}
}

/* @p (not procs[0]) stopped at its exit: fetch it now, then let it go. */
static void proc_exit_fetch(struct proc *p)
{
	struct ooh_stats s0, s1;
	struct ooh_dirty d;

	if (p->t) {
		ooh_stats(p->t, &s0);
		if (ooh_fetch(p->t, &d) >= 0) {
			ooh_stats(p->t, &s1);
			p->last = d;
			p->last.pages = malloc(d.nr_pages * sizeof(d.pages[0]) + 1);
			if (p->last.pages)
				memcpy(p->last.pages, d.pages,
				       d.nr_pages * sizeof(d.pages[0]));
			else
				p->last.nr_pages = 0, p->last.flags |= OOH_FETCH_ALL;
			p->fetch_ns = s1.fetch_ns - s0.fetch_ns;
			p->have_last = true;
		}
		ooh_close(p->t);
		p->t = NULL;
	}
	p->at_exit = true;
	ptrace(PTRACE_DETACH, p->pid, 0, 0);
	p->seized = false;
	p->gone = true;		/* exiting; not our child to wait for */
}

/* One ptrace report @st of @pid. */
static void watch_event(pid_t pid, int st)
{
	ssize_t i = proc_find(pid);
	unsigned long msg;
	struct proc *p;
	int sig;

	if (i < 0) {
		/* a new child's first stop, before its parent's fork event */
		if (!WIFSTOPPED(st))
			return;
		i = (ssize_t)proc_add(pid);
		procs[i].init_stop = true;
		return;
	}
	p = &procs[i];
	if (WIFEXITED(st) || WIFSIGNALED(st)) {
		p->gone = true;
		p->seized = false;
		p->status = st;
		return;
	}
	if (!WIFSTOPPED(st))
		return;
	sig = WSTOPSIG(st);
	switch (st >> 16) {
	case PTRACE_EVENT_FORK:
	case PTRACE_EVENT_VFORK:
		if (!ptrace(PTRACE_GETEVENTMSG, pid, 0, &msg)) {
			ssize_t k = proc_find((pid_t)msg);

			if (k < 0)
				k = (ssize_t)proc_add((pid_t)msg);
			procs[k].forked = true;
			procs[k].vfork = (st >> 16) == PTRACE_EVENT_VFORK;
			if (procs[k].init_stop)
				proc_start(&procs[k]);
		}
		ptrace(PTRACE_CONT, pid, 0, 0);
		break;
	case PTRACE_EVENT_EXEC:
		/* the old address space and its tracker are gone */
		ooh_close(p->t);
		p->t = NULL;
		p->vfork = false;
		p->execs++;
		proc_retrack(p);
		p = &procs[i];
		if (i == 0)
			tracker = p->t;
		break;
	case PTRACE_EVENT_EXIT:
		if (i == 0)
			p->at_exit = true;	/* the main loop fetches it */
		else
			proc_exit_fetch(p);
		break;
	case PTRACE_EVENT_STOP:
		if (i != 0 && !p->started) {	/* its first stop */
			p->init_stop = true;
			if (p->forked)
				proc_start(p);
			break;
		}
		/* a group-stop stays one; any other trap resumes */
		if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN ||
		    sig == SIGTTOU)
			ptrace(PTRACE_LISTEN, pid, 0, 0);
		else
			ptrace(PTRACE_CONT, pid, 0, 0);
		break;
	default:		/* signal-delivery-stop: deliver it */
		ptrace(PTRACE_CONT, pid, 0, (void *)(long)sig);
		break;
	}
}

/* Handle every pending ptrace report without blocking. */
static void watch_poll(void)
{
	int st;

	while (procs[0].seized && !procs[0].gone && !procs[0].at_exit) {
		pid_t r = waitpid(-1, &st, WNOHANG | __WALL);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == ECHILD) {	/* reaped elsewhere */
			procs[0].gone = true;
			return;
		}
		if (r <= 0)
			return;
		watch_event(r, st);
	}
}

/* Wait up to @ms milliseconds for the exit of procs[0], handling reports. */
static void watch_sleep(unsigned long ms)
{
	double end = now_ms() + (double)ms;
	sigset_t chld;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	for (;;) {
		double left;
		struct timespec ts;

		watch_poll();
		left = end - now_ms();
		if (procs[0].gone || procs[0].at_exit || left <= 0 || stop_sig)
			return;
		ts.tv_sec = (time_t)(left / 1e3);
		ts.tv_nsec = (long)((left - ts.tv_sec * 1e3) * 1e6);
		sigtimedwait(&chld, NULL, &ts);
	}
}

/*
 * Let @p go: detach (from the exit stop, or after interrupting it; a
 * signal it was about to take is delivered).  Safe if never seized.
 */
static void watch_stop(struct proc *p)
{
	int st, sig = 0;

	if (!p->seized || p->gone)
		return;
	if (!p->at_exit) {
		ptrace(PTRACE_INTERRUPT, p->pid, 0, 0);
		for (;;) {
			if (waitpid(p->pid, &st, __WALL) < 0) {
				if (errno == EINTR)
					continue;
				p->gone = true;
				return;
			}
			if (WIFEXITED(st) || WIFSIGNALED(st)) {
				p->gone = true;
				p->status = st;
				return;
			}
			if (WIFSTOPPED(st)) {
				if (!(st >> 16))
					sig = WSTOPSIG(st);
				break;
			}
		}
	}
	ptrace(PTRACE_DETACH, p->pid, 0, (void *)(long)sig);
	p->seized = false;
}

/* Watch procs[0]: @stopped, it is group-stopped and is to be let run. */
static int proc_watch_root(struct proc *p, bool stopped)
{
	sigset_t chld;

	/* SIGCHLD (blocked) wakes watch_sleep()'s sigtimedwait() */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	if (stopped)
		return proc_seize_stopped(p);
	if (ptrace(PTRACE_SEIZE, p->pid, 0, (void *)ptrace_opts()))
		return -errno;
	p->seized = true;
	return 0;
}

/* One interval of every tracked process. */
struct interval {
	unsigned long n;
	double t_ms;
	size_t nr_pages;	/* sum over the processes */
	bool all;		/* a process's fetch was OOH_FETCH_ALL */
	struct iv_proc {
		size_t proc;	/* index into procs */
		struct ooh_dirty d;
		uint64_t fetch_ns;
		bool at_exit;
	} *p;
	size_t nr;
};

static void iv_add(struct interval *iv, size_t i, const struct ooh_dirty *d,
		   uint64_t fetch_ns, bool at_exit)
{
	iv->p = realloc(iv->p, (iv->nr + 1) * sizeof(*iv->p));
	if (!iv->p) {
		fprintf(stderr, "ooh-track: out of memory\n");
		exit(1);
	}
	iv->p[iv->nr++] = (struct iv_proc){ i, *d, fetch_ns, at_exit };
	iv->nr_pages += d->nr_pages;
	iv->all |= !!(d->flags & OOH_FETCH_ALL);
	procs[i].total += d->nr_pages;
}

/*
 * Fetch every live tracker, and take the fetches made at exits since the
 * last interval.  0, or -errno of procs[0]'s fetch (-ESRCH: its address
 * space went away unwatched).  Another process's failed fetch is a
 * warning, and that process is no longer tracked.
 */
static int fetch_all(struct interval *iv)
{
	for (size_t i = 0; i < nr_procs; i++) {
		struct proc *p = &procs[i];
		struct ooh_stats s0, s1;
		struct ooh_dirty d;
		int ret;

		if (p->have_last) {
			iv_add(iv, i, &p->last, p->fetch_ns, true);
			continue;
		}
		if (!p->t || (p->gone && i))
			continue;
		ooh_stats(p->t, &s0);
		ret = ooh_fetch(p->t, &d);
		if (ret == -ESRCH && i && p->seized)
			continue;	/* exec'd: its event brings a tracker */
		if (ret < 0 && i == 0)
			return ret;
		if (ret < 0) {
			fprintf(stderr, "ooh-track: warning: pid %d (%s): fetch: "
				"%s: no longer tracked\n", p->pid, p->comm,
				*ooh_last_error() ? ooh_last_error() :
				strerror(-ret));
			ooh_close(p->t);
			p->t = NULL;
			continue;
		}
		ooh_stats(p->t, &s1);
		iv_add(iv, i, &d, s1.fetch_ns - s0.fetch_ns, i == 0 && p->at_exit);
	}
	return 0;
}

static void interval_done(struct interval *iv)
{
	for (size_t k = 0; k < iv->nr; k++) {
		struct proc *p = &procs[iv->p[k].proc];

		if (p->have_last) {
			free(p->last.pages);
			p->have_last = false;
		}
	}
	free(iv->p);
}

static uint64_t iv_fetch_ns(const struct interval *iv)
{
	uint64_t ns = 0;

	for (size_t k = 0; k < iv->nr; k++)
		ns += iv->p[k].fetch_ns;
	return ns;
}

static void print_text(const struct interval *iv, bool verbose)
{
	bool at_exit = procs[0].at_exit;

	if (nr_procs == 1) {	/* one process, as ever */
		printf("interval %lu: %zu dirty pages%s%s (fetch %.1f us)\n",
		       iv->n, iv->nr_pages,
		       iv->all ? " [overflow: all pages reported]" : "",
		       at_exit ? " [at exit]" : "", iv_fetch_ns(iv) / 1e3);
		for (size_t k = 0; verbose && k < iv->nr; k++)
			for (size_t i = 0; i < iv->p[k].d.nr_pages; i++)
				printf("  0x%llx\n",
				       (unsigned long long)iv->p[k].d.pages[i]);
		return;
	}
	printf("interval %lu: %zu dirty pages in %zu processes%s%s (fetch %.1f us)\n",
	       iv->n, iv->nr_pages, iv->nr,
	       iv->all ? " [overflow: all pages reported]" : "",
	       at_exit ? " [at exit]" : "", iv_fetch_ns(iv) / 1e3);
	for (size_t k = 0; k < iv->nr; k++) {
		const struct iv_proc *e = &iv->p[k];
		const struct proc *p = &procs[e->proc];

		printf("  pid %d (%s): %zu dirty pages%s%s\n", p->pid, p->comm,
		       e->d.nr_pages, e->d.flags & OOH_FETCH_ALL ?
		       " [overflow: all pages reported]" : "",
		       e->at_exit ? " [at exit]" : "");
		for (size_t i = 0; verbose && i < e->d.nr_pages; i++)
			printf("    0x%llx\n", (unsigned long long)e->d.pages[i]);
	}
}

/* --json: {"start": {backend, pid, command, interval_ms}} */
static void print_start(yajl_gen g, struct ooh_tracker *t, pid_t pid,
			const char *cmd, unsigned long interval)
{
	yajl_gen_map_open(g);
	JKEY(g, "start");
	yajl_gen_map_open(g);
	JKEY(g, "backend"); JKEY(g, ooh_backend_name(t));
	JKEY(g, "pid"); yajl_gen_integer(g, pid);
	JKEY(g, "command");
	if (cmd)
		JKEY(g, cmd);
	else
		yajl_gen_null(g);
	JKEY(g, "interval_ms"); yajl_gen_integer(g, (long long)interval);
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
	json_line_end(g);
}

/* --json: one interval, every process's part in "processes" */
static void print_json(yajl_gen g, const struct interval *iv, bool verbose)
{
	unsigned long long lost = 0;
	char hex[32];

	for (size_t k = 0; k < iv->nr; k++)
		lost += iv->p[k].d.lost;
	yajl_gen_map_open(g);
	JKEY(g, "interval"); yajl_gen_integer(g, (long long)iv->n);
	JKEY(g, "t_ms"); json_fixed(g, iv->t_ms, 3);
	JKEY(g, "dirty_pages"); yajl_gen_integer(g, (long long)iv->nr_pages);
	JKEY(g, "all_dirty"); yajl_gen_bool(g, iv->all);
	JKEY(g, "lost"); yajl_gen_integer(g, (long long)lost);
	JKEY(g, "fetch_us"); json_fixed(g, iv_fetch_ns(iv) / 1e3, 1);
	JKEY(g, "at_exit"); yajl_gen_bool(g, procs[0].at_exit);
	if (verbose) {
		JKEY(g, "pages");
		yajl_gen_array_open(g);
		for (size_t k = 0; k < iv->nr; k++)
			for (size_t i = 0; i < iv->p[k].d.nr_pages; i++) {
				snprintf(hex, sizeof(hex), "0x%llx",
					 (unsigned long long)iv->p[k].d.pages[i]);
				JKEY(g, hex);
			}
		yajl_gen_array_close(g);
	}
	JKEY(g, "processes");
	yajl_gen_array_open(g);
	for (size_t k = 0; k < iv->nr; k++) {
		const struct iv_proc *e = &iv->p[k];

		yajl_gen_map_open(g);
		JKEY(g, "pid"); yajl_gen_integer(g, procs[e->proc].pid);
		JKEY(g, "comm"); JKEY(g, procs[e->proc].comm);
		JKEY(g, "dirty_pages"); yajl_gen_integer(g, (long long)e->d.nr_pages);
		JKEY(g, "all_dirty"); yajl_gen_bool(g, e->d.flags & OOH_FETCH_ALL);
		JKEY(g, "at_exit"); yajl_gen_bool(g, e->at_exit);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	json_line_end(g);
}

/* --json: {"summary": {intervals, dirty_pages, overflows, signal}} */
static void print_summary(yajl_gen g, unsigned long nr_iv,
			  unsigned long long nr_dirty, unsigned long nr_all)
{
	yajl_gen_map_open(g);
	JKEY(g, "summary");
	yajl_gen_map_open(g);
	JKEY(g, "intervals"); yajl_gen_integer(g, (long long)nr_iv);
	JKEY(g, "dirty_pages"); yajl_gen_integer(g, (long long)nr_dirty);
	JKEY(g, "overflows"); yajl_gen_integer(g, (long long)nr_all);
	JKEY(g, "signal");
	if (stop_sig)
		yajl_gen_integer(g, stop_sig);
	else
		yajl_gen_null(g);
	JKEY(g, "processes");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < nr_procs; i++) {
		yajl_gen_map_open(g);
		JKEY(g, "pid"); yajl_gen_integer(g, procs[i].pid);
		JKEY(g, "comm"); JKEY(g, procs[i].comm);
		JKEY(g, "dirty_pages"); yajl_gen_integer(g, (long long)procs[i].total);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
	json_line_end(g);
}

/*
 * Write all bytes of the @n buffers @iov to @fd, in one writev() when the
 * socket takes them (a FETCH answer's header and pages: the client,
 * woken by a first write, would otherwise run and block again before
 * the second); @iov is used up.  0 or -errno.
 */
static int writev_all(int fd, struct iovec *iov, int n)
{
	for (;;) {
		ssize_t w;

		while (n && !iov->iov_len)
			iov++, n--;
		if (!n)
			return 0;
		w = writev(fd, iov, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		for (; n && (size_t)w >= iov->iov_len; iov++, n--)
			w -= (ssize_t)iov->iov_len;
		if (n) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
}

static int write_all(int fd, const void *p, size_t len)
{
	struct iovec iov = { .iov_base = (void *)p, .iov_len = len };

	return writev_all(fd, &iov, 1);
}

/*
 * --serve -v: one line per FETCH on stderr, the fetch's share of
 * ooh_stats(3) (microseconds; sync and resolve are spml/epml's module
 * calls, the rest of fetch is libooh's own work), and serve_us, from the
 * accepted connection to the answer's first write (after it the client
 * runs, and may preempt the daemon).  Printed after the answer, so the
 * client does not wait for it.
 */
static void serve_stats(const struct ooh_stats *a, const struct ooh_stats *b,
			const struct ooh_dirty *d, double serve_ms)
{
	fprintf(stderr, "ooh-track: FETCH nr=%zu flags=%u fetch_us=%llu "
		"sync_us=%llu resolve_us=%llu frames=%llu candidates=%llu "
		"drops=%llu serve_us=%.0f\n", d->nr_pages, d->flags,
		(unsigned long long)(b->fetch_ns - a->fetch_ns) / 1000,
		(unsigned long long)(b->sync_ns - a->sync_ns) / 1000,
		(unsigned long long)(b->resolve_ns - a->resolve_ns) / 1000,
		(unsigned long long)(b->resolved_frames - a->resolved_frames),
		(unsigned long long)(b->resolve_candidates - a->resolve_candidates),
		(unsigned long long)(b->resolve_drops - a->resolve_drops),
		serve_ms * 1e3);
}

/* Answer one connection, accepted at @t_accept (now_ms()); 1 after STOP. */
static int serve_one(struct ooh_tracker *t, int fd, bool verbose,
		     double t_accept)
{
	char cmd[OOH_SERVE_CMD_MAX], hdr[96];
	struct iovec iov[2];
	struct ooh_stats s0, s1;
	struct ooh_dirty d;
	double t_answer;
	size_t len = 0;
	bool last;
	ssize_t n;
	int ret;

	while (len < sizeof(cmd) - 1 && !memchr(cmd, '\n', len)) {
		n = read(fd, cmd + len, sizeof(cmd) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	cmd[len] = '\0';
	if (!strcmp(cmd, OOH_SERVE_STOP)) {
		write_all(fd, OOH_SERVE_OK, strlen(OOH_SERVE_OK));
		return 1;
	}
	last = !strcmp(cmd, OOH_SERVE_FETCH_LAST);
	if (!last && strcmp(cmd, OOH_SERVE_FETCH)) {
		static const char bad[] = OOH_SERVE_ERR
			"unknown command (FETCH, FETCH LAST or STOP)\n";

		write_all(fd, bad, strlen(bad));
		return 0;
	}
	ooh_stats(t, &s0);
	ret = last ? ooh_fetch_last(t, &d) : ooh_fetch(t, &d);
	if (ret < 0) {
		snprintf(hdr, sizeof(hdr), OOH_SERVE_ERR "fetch: %s\n",
			 *ooh_last_error() ? ooh_last_error() : strerror(-ret));
		write_all(fd, hdr, strlen(hdr));
		return 0;
	}
	snprintf(hdr, sizeof(hdr), OOH_SERVE_FETCH_OK,
		 (unsigned long long)d.nr_pages, d.flags,
		 (unsigned long long)d.lost);
	t_answer = now_ms();
	iov[0] = (struct iovec){ .iov_base = hdr, .iov_len = strlen(hdr) };
	iov[1] = (struct iovec){ .iov_base = d.pages,
				 .iov_len = d.nr_pages * sizeof(d.pages[0]) };
	writev_all(fd, iov, 2);
	if (verbose) {
		ooh_stats(t, &s1);
		serve_stats(&s0, &s1, &d, t_answer - t_accept);
	}
	return 0;
}

/* --serve: the daemon loop (see the header comment). */
static int serve(struct ooh_tracker *t, pid_t pid, const char *path,
		 bool verbose)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int ls, stop = 0;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "ooh-track: --serve: socket path too long: %s\n", path);
		return 1;
	}
	strcpy(sa.sun_path, path);
	ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(ls, 4)) {
		fprintf(stderr, "ooh-track: --serve %s: %s\n", path, strerror(errno));
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	printf(OOH_SERVE_READY "%s\n", path);
	fflush(stdout);
	while (!stop && !stop_sig) {
		struct pollfd pf = { .fd = ls, .events = POLLIN };
		int fd;

		if (kill(pid, 0) && errno == ESRCH)
			break;
		if (poll(&pf, 1, 200) <= 0)
			continue;
		fd = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		stop = serve_one(t, fd, verbose, now_ms());
		close(fd);
	}
	close(ls);
	/* the socket goes last: its end tells clients the tracker is closed */
	ooh_close(t);
	unlink(path);
	return stop_sig ? 128 + stop_sig : 0;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "backend", required_argument, NULL, 'b' },
		{ "interval", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, 'c' },
		{ "pid", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "record", required_argument, NULL, 'r' },
		{ "maps", no_argument, NULL, 'M' },
		{ "force", no_argument, NULL, 'F' },
		{ "list-backends", no_argument, NULL, 'L' },
		{ "serve", required_argument, NULL, 'S' },
		{ "output", required_argument, NULL, 'o' },
		{ "no-inherit", no_argument, NULL, 'I' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *backend = "auto", *record = NULL, *sock = NULL, *output = NULL;
	unsigned int rec_flags = 0;
	unsigned long interval = 1000, count = 0;
	bool json = false, verbose = false, list = false;
	struct ooh_tracker *t;
	pid_t pid = 0, child = 0;
	int c, ret, status = 0, cmd_out = -1;
	unsigned long nr_iv = 0, nr_all = 0;
	unsigned long long nr_dirty = 0;
	yajl_gen g = NULL;
	double t0;

	tool_check_stdout_at_exit("ooh-track");
	while ((c = getopt_long(argc, argv, "+b:i:c:p:r:o:jvh", lo, NULL)) != -1) {
		switch (c) {
		case 'b': backend = optarg; break;
		case 'o': output = optarg; break;
		case 'I': follow = false; break;
		case 'j': json = true; break;
		case 'v': verbose = true; break;
		case 'r': record = optarg; break;
		case 'S': sock = optarg; break;
		case 'M': rec_flags |= OOH_RECORD_MAPS; break;
		case 'F': rec_flags |= OOH_RECORD_FORCE; break;
		case 'V': return tool_version("ooh-track");
		case 'h': usage(stdout); return 0;
		case 'L':
			list = true;
			break;
		case 'i': case 'c': case 'p': {
			/* interval: up to a day in ms; pid: a pid_t */
			unsigned long long v, max = c == 'i' ? 86400000ull :
				c == 'c' ? ULONG_MAX : INT_MAX;

			if (tool_parse_num(optarg, 1, max, &v)) {
				fprintf(stderr, "ooh-track: bad %s '%s' (want "
					"1..%llu)\n", c == 'i' ? "interval" :
					c == 'c' ? "count" : "pid", optarg, max);
				return 2;
			}
			if (c == 'i') interval = v;
			else if (c == 'c') count = v;
			else pid = v;
			break;
		}
		default: usage(stderr); return 2;
		}
	}
	if (list) {
		if (optind != argc || argc != 2 + json) {
			fprintf(stderr, "ooh-track: --list-backends takes no other "
				"argument but --json\n");
			return 2;
		}
		return list_backends(json);
	}
	if ((pid && optind < argc) || (!pid && optind >= argc) ||
	    (rec_flags && !record) || (sock && (!pid || record || json))) {
		fprintf(stderr, "ooh-track: %s\n",
			pid && optind < argc ? "-p PID and a command exclude each other" :
			!pid && optind >= argc ? "give -p PID or -- COMMAND" :
			rec_flags && !record ? "--maps and --force need --record FILE" :
			!pid ? "--serve needs -p PID" :
			"--serve excludes --record and --json");
		usage(stderr);
		return 2;
	}
	/*
	 * Our stdout: -o FILE, the command keeping the original one; with
	 * --json and no -o, the command's stdout goes to stderr, so that
	 * stdout carries JSON lines only.
	 */
	if (output || (json && !pid)) {
		fflush(stdout);
		cmd_out = fcntl(output ? STDOUT_FILENO : STDERR_FILENO,
				F_DUPFD_CLOEXEC, 3);
		if (cmd_out < 0)
			return fail("dup", errno);
	}
	if (output) {
		int fd = open(output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);

		if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0) {
			fprintf(stderr, "ooh-track: -o %s: %s\n", output, strerror(errno));
			return 1;
		}
		close(fd);
	}
	catch_stop_signals();
	track_backend = backend;
	track_record = record;
	track_rec_flags = rec_flags;
	ret = ooh_open(backend, &t);
	if (ret)
		return ret == -EOPNOTSUPP ? (fail(backend, -ret), TOOL_EXIT_UNAVAILABLE) :
		       fail(backend, -ret);
	tracker = t;
	/* Before the command starts: an existing file stops nothing. */
	if (record && (ret = ooh_record(t, record, rec_flags)))
		return fail("--record", -ret);
	if (!pid) {
		/* Start the command stopped so no write escapes tracking. */
		child = fork();
		if (child < 0)
			return fail("fork", errno);
		if (child == 0) {
			/* Stop right after exec: the new mm is tracked. */
			if (cmd_out >= 0)
				dup2(cmd_out, STDOUT_FILENO);
			ptrace(PTRACE_TRACEME, 0, 0, 0);
			execvp(argv[optind], argv + optind);
			fprintf(stderr, "ooh-track: %s: %s\n", argv[optind],
				strerror(errno));
			_exit(127);
		}
		if (waitpid(child, &status, 0) != child)
			return fail(argv[optind], ECHILD);
		/* exec failed: the child said why; its status is ours (127) */
		if (WIFEXITED(status))
			return WEXITSTATUS(status);
		if (!WIFSTOPPED(status))
			return fail(argv[optind], ECHILD);
		/* Leave it group-stopped, untraced, before any user code. */
		ptrace(PTRACE_DETACH, child, 0, SIGSTOP);
		waitpid(child, &status, WUNTRACED);
		pid = child;
	}
	ret = ooh_track(t, pid, NULL, 0);
	if (ret) {
		if (child)
			kill(child, SIGKILL);
		if (!child && is_kthread(pid)) {
			fprintf(stderr, "ooh-track: pid %d is a kernel thread: "
				"it has no address space to track\n", pid);
			return 1;
		}
		return fail("cannot track", -ret);
	}
	if (sock) {
		if (child)
			kill(child, SIGCONT);
		return serve(t, pid, sock, verbose);
	}
	proc_add(pid);
	procs[0].seized = false;
	procs[0].t = t;
	procs[0].started = procs[0].forked = true;
	proc_comm(&procs[0]);
	ret = proc_watch_root(&procs[0], child != 0);
	if (ret && child) {
		kill(child, SIGKILL);
		return fail("ptrace(PTRACE_SEIZE)", -ret);
	}
	if (ret)
		fprintf(stderr, "ooh-track: warning: cannot watch %d's exit "
			"(ptrace: %s): writes of its last interval are not "
			"reported, its children are not followed\n", (int)pid,
			strerror(-ret));
	fprintf(stderr, "ooh-track: tracking pid %d (%s) with backend %s%s\n",
		(int)pid, child ? argv[optind] : "-p", ooh_backend_name(t),
		follow ? ", and the processes it forks" : "");
	if (json) {
		g = yajl_gen_alloc(NULL);
		print_start(g, t, pid, child ? argv[optind] : NULL, interval);
	}
	t0 = now_ms();
	for (unsigned long n = 1; !count || n <= count; n++) {
		struct interval iv = { .n = n };
		bool last = false;

		watch_sleep(interval);
		if (stop_sig) {
			/*
			 * The command gets the signal (from the terminal it
			 * already has it) and a moment to exit; its exit stop
			 * then gives this interval at_exit.
			 */
			if (child && !stop_from_tty)
				kill(child, stop_sig);
			for (double end = now_ms() + 1000; child && !procs[0].gone &&
			     !procs[0].at_exit && now_ms() < end;) {
				watch_poll();
				usleep(10000);
			}
			last = true;
		}
		if (!procs[0].seized && kill(pid, 0) && errno == ESRCH)
			procs[0].gone = true;
		if (procs[0].gone)
			break;
		ret = fetch_all(&iv);
		if (ret == -ESRCH) {	/* exec'd, unwatched: a new mm */
			fprintf(stderr, "ooh-track: tracking ended: %s\n",
				*ooh_last_error() ? ooh_last_error() :
				strerror(ESRCH));
			break;
		}
		if (ret < 0) {
			for (size_t i = 0; i < nr_procs; i++)
				watch_stop(&procs[i]);
			tracker = procs[0].t;
			return fail("fetch", -ret);
		}
		iv.t_ms = now_ms() - t0;
		nr_iv++;
		nr_dirty += iv.nr_pages;
		nr_all += iv.all;
		if (json)
			print_json(g, &iv, verbose);
		else
			print_text(&iv, verbose);
		interval_done(&iv);
		fflush(stdout);
		if (procs[0].at_exit || last)
			break;
	}
	for (size_t i = 0; i < nr_procs; i++) {
		watch_stop(&procs[i]);
		ooh_close(procs[i].t);	/* a --record trace is complete now */
		procs[i].t = NULL;
	}
	tracker = NULL;
	if (procs[0].gone)
		status = procs[0].status;
	/*
	 * Reap the command.  After a stop signal it gets a moment: it may
	 * ignore the signal and live on, untracked.
	 */
	for (double end = now_ms() + 1000; child && !WIFEXITED(status) &&
	     !WIFSIGNALED(status);) {
		pid_t r = waitpid(child, &status, stop_sig ? WNOHANG : 0);

		if (r < 0 && errno != EINTR)
			break;
		if (r == 0 && now_ms() > end)
			break;
		if (r == 0)
			usleep(10000);
	}
	fprintf(stderr, "ooh-track: %lu intervals, %llu dirty pages in all, "
		"%lu reported whole (overflow)%s%s", nr_iv, nr_dirty, nr_all,
		stop_sig ? ", stopped by " : "",
		stop_sig ? strsignal(stop_sig) : "");
	if (nr_procs > 1) {
		fprintf(stderr, "; %zu processes:\n", nr_procs);
		for (size_t i = 0; i < nr_procs; i++)
			fprintf(stderr, "ooh-track:   pid %d (%s): %llu dirty pages\n",
				procs[i].pid, procs[i].comm, procs[i].total);
	} else {
		fputc('\n', stderr);
	}
	if (g) {
		print_summary(g, nr_iv, nr_dirty, nr_all);
		yajl_gen_free(g);
	}
	if (stop_sig)
		return 128 + stop_sig;
	if (child)
		return WIFEXITED(status) ? WEXITSTATUS(status) :
		       128 + WTERMSIG(status);
	return 0;
}
