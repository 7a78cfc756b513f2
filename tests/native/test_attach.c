/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * test_attach [BACKEND...] - attaching to another process (ooh_track of a
 * pid: libooh runs userfaultfd(2) in it under ptrace, libooh/src/remote.c)
 * is invisible to that process and works at any moment of its life:
 *
 * 1. signals: while a sender queues 3000 real-time signals at the
 *    process (queued, never merged: signal(7)), libooh attaches to it 150
 *    times.  Its handler must count every one of them: a signal that
 *    arrives while libooh steps its injected instruction must not be
 *    suppressed, nor handled at that instruction.
 * 2. exec: attaching right after fork(2), while the child is on its way
 *    through execve(2), either tracks (the next fetches give pages or
 *    -ESRCH "exec'd") or fails with ESRCH; never "has no vDSO", EAGAIN or
 *    another error, 100 times.
 *
 * Default backends: uffd-wp and pagemap-scan, those of them that work
 * here (exit 77 if none); named ones must work.
 */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ooh_test.h"

#define NR_SIGNALS	3000
#define NR_ATTACHES	150
#define NR_EXECS	100

static volatile sig_atomic_t got;

static void on_rt(int sig)
{
	got++;
}

/* The target: counts SIGRTMIN, writes its count to @out on SIGTERM. */
static void target(int ready, int out)
{
	struct sigaction sa = { .sa_handler = on_rt, .sa_flags = SA_RESTART };
	sigset_t term;
	char *m = ooh_test_map(16);
	int n;

	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigprocmask(SIG_BLOCK, &term, NULL);
	sigaction(SIGRTMIN, &sa, NULL);
	if (write(ready, "r", 1) != 1)
		_exit(1);
	for (unsigned i = 0;; i++) {
		struct timespec ts = { 0, 0 };

		m[(i % 16) * PG] = (char)i;
		if (sigtimedwait(&term, NULL, &ts) == SIGTERM)
			break;
		usleep(100);
	}
	/* the sender is done: every queued signal is in by now */
	usleep(100000);
	n = got;
	if (write(out, &n, sizeof(n)) != sizeof(n))
		_exit(1);
	_exit(0);
}

static void signals(const char *be)
{
	int ready[2], out[2], n = -1, bad = 0;
	pid_t pid, sender;
	char c;

	if (pipe(ready) || pipe(out))
		exit(1);
	pid = fork();
	if (pid == 0)
		target(ready[1], out[1]);
	if (read(ready[0], &c, 1) != 1)
		exit(1);
	sender = fork();
	if (sender == 0) {
		union sigval v = { 0 };

		for (int i = 0; i < NR_SIGNALS;) {
			if (sigqueue(pid, SIGRTMIN, v) == 0)
				i++;
			else if (errno != EAGAIN)
				_exit(1);
			usleep(20);
		}
		_exit(0);
	}
	for (int i = 0; i < NR_ATTACHES; i++) {
		struct ooh_tracker *t;

		if (ooh_open(be, &t) || ooh_track(t, pid, NULL, 0)) {
			if (!bad++)
				CHECK(0, "%s: attach %d to pid %d", be, i, pid);
		}
		ooh_close(t);
	}
	int st;

	waitpid(sender, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "%s: the sender queued %d signals", be, NR_SIGNALS);
	kill(pid, SIGTERM);
	if (read(out[0], &n, sizeof(n)) != sizeof(n))
		n = -1;
	waitpid(pid, NULL, 0);
	CHECK(n == NR_SIGNALS, "%s: the target handled %d of %d signals "
	      "during %d attaches", be, n, NR_SIGNALS, NR_ATTACHES);
	if (n == NR_SIGNALS)
		printf("PASS: %s: %d signals handled during %d attaches\n", be,
		       n, NR_ATTACHES);
	close(ready[0]); close(ready[1]); close(out[0]); close(out[1]);
}

static void execs(const char *be)
{
	int tracked = 0, esrch = 0, before = failures;

	for (int i = 0; i < NR_EXECS; i++) {
		struct ooh_tracker *t;
		struct ooh_dirty d;
		pid_t pid = fork();
		int ret;

		if (pid == 0) {
			execl("/bin/sleep", "sleep", "5", (char *)NULL);
			_exit(127);
		}
		if (ooh_open(be, &t)) {
			CHECK(0, "%s: open", be);
			break;
		}
		ret = ooh_track(t, pid, NULL, 0);
		if (ret == -ESRCH) {
			esrch++;
		} else if (ret) {
			CHECK(0, "%s: attach to pid %d in exec: %d", be, pid,
			      ret);
		} else {
			tracked++;
			ret = ooh_fetch(t, &d);
			CHECK(ret >= 0 || (ret == -ESRCH &&
					   strstr(ooh_last_error(), "exec'd")),
			      "%s: fetch after an attach in exec: %d", be, ret);
		}
		ooh_close(t);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		if (failures - before > 3)
			break;
	}
	if (failures == before)
		printf("PASS: %s: %d attaches in exec: %d tracked, %d ESRCH\n",
		       be, NR_EXECS, tracked, esrch);
}

int main(int argc, char **argv)
{
	static const char *const def[] = { "uffd-wp", "pagemap-scan" };
	int works = 0;

	for (int i = 1; i < argc; i++) {
		CHECK(!ooh_backend_probe(argv[i]), "%s works here", argv[i]);
		if (failures)
			continue;
		works++;
		signals(argv[i]);
		execs(argv[i]);
	}
	for (int i = 0; argc == 1 && i < 2; i++) {
		if (ooh_backend_probe(def[i]))
			continue;
		works++;
		signals(def[i]);
		execs(def[i]);
	}
	if (!works && !failures) {
		printf("SKIP: neither uffd-wp nor pagemap-scan works here\n");
		printf("Test result: SKIP\n");
		return OOH_TEST_SKIP;
	}
	return ooh_test_result();
}
