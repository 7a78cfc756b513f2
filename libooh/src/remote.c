/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * remote.c - a userfaultfd bound to another process's mm.
 *
 * A userfaultfd acts on the mm of the process that created it, so libooh
 * makes the tracked process create one: it seizes the process with ptrace,
 * runs userfaultfd(2) in its main thread at a `syscall` instruction found
 * in its vDSO (no code is patched), takes the new descriptor with
 * pidfd_getfd(2) (Linux 5.6, PTRACE_MODE_ATTACH), closes the target's copy
 * the same way and detaches.  CRIU's lazy-pages daemon receives a
 * userfaultfd from its restorer in the same spirit.  x86-64 only.
 *
 * The process must not notice: a signal it is sent meanwhile is neither
 * lost nor handled at the injected instruction.  While libooh's system
 * calls run, its signal mask blocks every signal (PTRACE_SETSIGMASK, as
 * CRIU's compel does around parasite code), so they stay pending; a
 * signal dequeued before the stop is delivered on the spot (ptrace(2),
 * "Signal injection and suppression").  The vDSO is looked up only once
 * the process is stopped: a process stopped by ptrace is never inside
 * exec(2), so its maps name the vDSO of the mm the descriptor binds to.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

struct find_vdso {
	uint64_t start, end;
};

static int vdso_cb(const struct __ooh_vma *v, void *arg)
{
	struct find_vdso *f = arg;

	if (!strcmp(v->path, "[vdso]")) {
		f->start = v->start;
		f->end = v->end;
		return 1;
	}
	return 0;
}

/* Address of a 0x0f 0x05 (syscall) byte pair in the target's vDSO. */
static int find_syscall_insn(pid_t pid, uint64_t *addr)
{
	struct find_vdso f = { 0 };
	unsigned char buf[16384];
	char path[64];
	ssize_t n;
	int fd, ret;

	ret = __ooh_for_each_vma(pid, vdso_cb, &f);
	if (ret)
		return ret;
	if (!f.start)
		return __ooh_err(EOPNOTSUPP, "pid %d has no vDSO", pid);
	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return __ooh_err(errno == EACCES ? EPERM : errno, "%s: %s",
				 path, strerror(errno));
	n = pread(fd, buf, f.end - f.start < sizeof(buf) ?
		  f.end - f.start : sizeof(buf), f.start);
	close(fd);
	for (ssize_t i = 0; i + 1 < n; i++) {
		if (buf[i] == 0x0f && buf[i + 1] == 0x05) {
			*addr = f.start + i;
			return 0;
		}
	}
	return __ooh_err(EOPNOTSUPP, "no syscall instruction in the vDSO of "
			 "pid %d", pid);
}

/*
 * Run one system call in the stopped tracee, all its signals blocked;
 * returns its result.  A tracee seized in group-stop reports a pending
 * stop before it executes anything, so the step is retried until rip
 * moved past the instruction.
 */
static long remote_syscall(pid_t pid, const struct user_regs_struct *saved,
			   uint64_t insn, long nr, long a0, long a1)
{
	struct user_regs_struct r;
	int st;

	for (int tries = 0; tries < 4; tries++) {
		r = *saved;
		r.rax = nr;
		r.orig_rax = -1;	/* no syscall-restart processing */
		r.rdi = a0;
		r.rsi = a1;
		r.rip = insn;
		if (ptrace(PTRACE_SETREGS, pid, 0, &r) ||
		    ptrace(PTRACE_SINGLESTEP, pid, 0, 0))
			return -errno;
		if (waitpid(pid, &st, __WALL) < 0)
			return -errno;
		if (!WIFSTOPPED(st) || ptrace(PTRACE_GETREGS, pid, 0, &r))
			return -ESRCH;
		if (r.rip == insn + 2)
			return (long)r.rax;
	}
	return -EAGAIN;
}

/*
 * Stop the seized @pid in a ptrace stop of its own (PTRACE_EVENT_STOP).
 * A signal-delivery-stop on the way is a signal the process dequeued: it
 * is delivered (PTRACE_CONT with the signal) and the wait goes on, since
 * the interrupt stays pending.  Returns 0 or -errno (-ESRCH: it died).
 */
static int stop_tracee(pid_t pid)
{
	int st;

	if (ptrace(PTRACE_INTERRUPT, pid, 0, 0))
		return -errno;
	for (;;) {
		if (waitpid(pid, &st, __WALL) < 0)
			return -errno;
		if (!WIFSTOPPED(st))
			return -ESRCH;
		if (st >> 16 == PTRACE_EVENT_STOP)
			return 0;
		/* signal-delivery-stop: let the process have its signal */
		if (ptrace(PTRACE_CONT, pid, 0, (void *)(long)WSTOPSIG(st)))
			return -errno;
	}
}

/* TracerPid of /proc/@pid/status: 0 if untraced, -1 if unknown. */
static pid_t tracer_of(pid_t pid)
{
	char path[64], line[256];
	pid_t tracer = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "TracerPid: %d", &tracer) == 1)
			break;
	fclose(f);
	return tracer;
}

int __ooh_remote_userfaultfd(pid_t pid, int flags)
{
	struct user_regs_struct saved;
	uint64_t insn, mask, all = ~0ULL;
	long tfd;
	int ret, pidfd, fd = -1;

	if (ptrace(PTRACE_SEIZE, pid, 0, 0)) {
		int e = errno;
		pid_t tracer = tracer_of(pid);

		if (e == EPERM && tracer > 0)
			return __ooh_err(EPERM, "pid %d is already traced by pid "
					 "%d (a debugger, or another tracker: "
					 "this backend attaches with ptrace to "
					 "open its userfaultfd in the process)",
					 pid, (int)tracer);
		return __ooh_err(e == ESRCH ? ESRCH : EPERM,
				 "ptrace(PTRACE_SEIZE, %d): %s", pid,
				 strerror(e));
	}
	ret = stop_tracee(pid);
	if (ret || ptrace(PTRACE_GETREGS, pid, 0, &saved)) {
		ret = ret ? -ret : errno;
		ret = __ooh_err(ret, "cannot stop pid %d: %s", pid,
				strerror(ret));
		goto detach;
	}
	ret = find_syscall_insn(pid, &insn);
	if (ret)
		goto detach;
	if (ptrace(PTRACE_GETSIGMASK, pid, sizeof(mask), &mask) ||
	    ptrace(PTRACE_SETSIGMASK, pid, sizeof(all), &all)) {
		ret = __ooh_err(errno, "signal mask of pid %d: %s", pid,
				strerror(errno));
		goto detach;
	}
	tfd = remote_syscall(pid, &saved, insn, SYS_userfaultfd,
			     flags & ~O_NONBLOCK, 0);
	if (tfd < 0) {
		ret = __ooh_err(-tfd == EPERM ? EPERM : (int)-tfd,
				"userfaultfd() in pid %d: %s", pid,
				strerror((int)-tfd));
		goto restore;
	}
	pidfd = syscall(SYS_pidfd_open, pid, 0);
	if (pidfd >= 0) {
		fd = syscall(SYS_pidfd_getfd, pidfd, (int)tfd, 0);
		ret = fd < 0 ? __ooh_err(errno, "pidfd_getfd: %s",
					 strerror(errno)) : 0;
		close(pidfd);
	} else {
		ret = __ooh_err(errno, "pidfd_open: %s", strerror(errno));
	}
	remote_syscall(pid, &saved, insn, SYS_close, tfd, 0);
restore:
	ptrace(PTRACE_SETREGS, pid, 0, &saved);
	ptrace(PTRACE_SETSIGMASK, pid, sizeof(mask), &mask);
detach:
	ptrace(PTRACE_DETACH, pid, 0, 0);
	if (ret)
		return ret;
	/* O_CLOEXEC is per descriptor: set ours; O_NONBLOCK on the file. */
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	if (flags & O_NONBLOCK)
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return fd;
}
