/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * softdirty.c - Linux soft-dirty bits (Documentation/admin-guide/mm/
 * soft-dirty.rst): writing "4" to /proc/PID/clear_refs clears the bits and
 * write-protects the PTEs; the next write sets bit 55 of the page's
 * /proc/PID/pagemap entry.  New mappings (VM_SOFTDIRTY) report all pages.
 *
 * A kernel without CONFIG_MEM_SOFT_DIRTY (like this project's build host)
 * accepts the "4" silently and never sets bit 55; the probe detects that
 * in a child process and refuses the backend instead of reporting empty
 * sets.
 *
 * Collection reads pagemap, then clears: a write between the two would be
 * lost, so another process is stopped (SIGSTOP, every thread observed in
 * state 't'/'T') for the read-and-clear; a process tracking itself must
 * not write tracked memory from other threads during ooh_fetch() (Boehm
 * GC calls it with the world stopped, as its own SOFT_VDB does).
 */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

static int clear_refs(pid_t pid)
{
	char path[64];
	int fd, ret = 0;

	snprintf(path, sizeof(path), "/proc/%d/clear_refs", pid);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return __ooh_err(errno == EACCES ? EPERM : errno, "%s: %s",
				 path, strerror(errno));
	if (write(fd, "4", 1) != 1)
		ret = __ooh_err(errno, "%s: %s", path, strerror(errno));
	close(fd);
	return ret;
}

/* In a child, so the caller's own soft-dirty state is untouched. */
static int sd_probe(void)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return __ooh_err(errno, "fork: %s", strerror(errno));
	if (pid == 0) {
		volatile char *p = mmap(NULL, OOH_PAGE_SIZE,
					PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		uint64_t e;
		int fd;

		if (p == MAP_FAILED)
			_exit(2);
		p[0] = 1;
		fd = open("/proc/self/pagemap", O_RDONLY);
		if (fd < 0 || clear_refs(getpid()))
			_exit(2);
		if (pread(fd, &e, 8, (uintptr_t)p / OOH_PAGE_SIZE * 8) != 8 ||
		    (e & PM_SOFT_DIRTY))
			_exit(3);	/* bit not cleared */
		p[0] = 2;
		if (pread(fd, &e, 8, (uintptr_t)p / OOH_PAGE_SIZE * 8) != 8 ||
		    !(e & PM_SOFT_DIRTY))
			_exit(3);	/* bit never set */
		_exit(0);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 3)
		return __ooh_err(EOPNOTSUPP, "kernel lacks CONFIG_MEM_SOFT_DIRTY "
				 "(clear_refs accepts \"4\" but pagemap bit 55 "
				 "does not follow writes)");
	return __ooh_err(EOPNOTSUPP, "soft-dirty probe failed (no "
			 "/proc/PID/clear_refs or pagemap?)");
}

static bool all_threads_stopped(pid_t pid)
{
	char path[320], buf[512];
	struct dirent *d;
	bool stopped = true;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	dir = opendir(path);
	if (!dir)
		return true;	/* gone: nothing writes */
	while (stopped && (d = readdir(dir))) {
		char *p;
		int fd;
		ssize_t n;

		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/stat", pid,
			 d->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		p = strrchr(buf, ')');
		if (p && p[1] == ' ' && p[2] != 'T' && p[2] != 't' &&
		    p[2] != 'Z' && p[2] != 'X')
			stopped = false;
	}
	closedir(dir);
	return stopped;
}

static int freeze(pid_t pid)
{
	if (kill(pid, SIGSTOP))
		return __ooh_err(errno == ESRCH ? ESRCH : EPERM,
				 "cannot stop pid %d: %s", pid, strerror(errno));
	for (int i = 0; !all_threads_stopped(pid); i++) {
		struct timespec ts = { 0, 100000 };

		if (i > 100000) {
			kill(pid, SIGCONT);
			return __ooh_err(ETIMEDOUT, "pid %d did not stop", pid);
		}
		nanosleep(&ts, NULL);
	}
	return 0;
}

static int sd_track(struct ooh_tracker *t, struct __ooh_range *r)
{
	/* Pages of a new range are reported by the core (fresh). */
	return t->nr_ranges == 0 ? clear_refs(t->pid) : 0;
}

static int add_soft_dirty(uint64_t va, const uint64_t *pm, size_t nr,
			  void *arg)
{
	for (size_t i = 0; i < nr; i++)
		if ((pm[i] & PM_SOFT_DIRTY) &&
		    __ooh_pageset_add(arg, va + i * OOH_PAGE_SIZE))
			return -ENOMEM;
	return 0;
}

static int sd_collect(struct ooh_tracker *t, struct __ooh_pageset *out,
		      unsigned int *flags)
{
	int ret = t->self ? 0 : freeze(t->pid);

	if (!ret)
		ret = __ooh_pagemap_walk(t, false, add_soft_dirty, out);
	if (!ret)
		ret = clear_refs(t->pid);
	if (!t->self)
		kill(t->pid, SIGCONT);
	return ret;
}

const struct __ooh_backend __ooh_be_softdirty = {
	.name = "softdirty",
	.pin_bufs = true,
	.caps = OOH_CAP_SELF | OOH_CAP_OTHER | OOH_CAP_KERNEL_WRITES |
		OOH_CAP_WHOLE_MM | OOH_CAP_NEW_MAPPINGS | OOH_CAP_THREADS |
		OOH_CAP_REMAP,
	.probe = sd_probe, .track = sd_track, .collect = sd_collect,
};
