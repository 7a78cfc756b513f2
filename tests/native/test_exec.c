/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * test_exec [BACKEND...] - tracking another process that exec(2)s or
 * exits: the next fetch fails with -ESRCH and says "exec'd" (resp.
 * "exited", and not the other), never a misleading "No such process" for a live process,
 * -ENOMEM from UFFDIO_REGISTER, or an empty result.  Default backends:
 * uffd-wp and pagemap-scan, those of them that work here (exit 77 if
 * none); named ones must work.  The guest runs it on spml and epml
 * (spml.test 23, 47), whose module reports the torn-down address space
 * itself, so that libooh reads /proc/PID/maps only after that ESRCH.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ooh.h"

static int fails;

static void run(const char *be, int do_exec)
{
	struct ooh_tracker *t;
	struct ooh_dirty d;
	int go[2], ready[2], ret;
	char c = 0;
	pid_t pid;

	if (pipe(go) || pipe(ready))
		return;
	pid = fork();
	if (pid == 0) {
		char *m = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		m[0] = 1;
		if (write(ready[1], &m, sizeof(m)) != sizeof(m) ||
		    read(go[0], &c, 1) != 1)
			_exit(1);
		if (do_exec)
			execl("/bin/sleep", "sleep", "5", (char *)NULL);
		_exit(0);
	}
	char *addr;

	if (read(ready[0], &addr, sizeof(addr)) != sizeof(addr))
		return;
	if (ooh_open(be, &t) || ooh_track(t, pid, addr, 1 << 20) ||
	    ooh_fetch(t, &d) < 0) {
		printf("FAIL: %s: setup: %s\n", be, ooh_last_error());
		fails++;
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return;
	}
	if (write(go[1], &c, 1) != 1)
		return;
	if (do_exec)
		usleep(300000);		/* sleep(1) is running now */
	else
		waitpid(pid, NULL, 0);
	ret = ooh_fetch(t, &d);
	/* which one: a message naming both would not say */
	if (ret != -ESRCH ||
	    !strstr(ooh_last_error(), do_exec ? "exec'd" : "exited") ||
	    strstr(ooh_last_error(), do_exec ? "exited" : "exec'd")) {
		printf("FAIL: %s: fetch after %s: %d [%s]\n", be,
		       do_exec ? "exec" : "exit", ret, ooh_last_error());
		fails++;
	} else {
		printf("%s: after %s: %s\n", be, do_exec ? "exec" : "exit",
		       ooh_last_error());
	}
	ooh_close(t);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

int main(int argc, char **argv)
{
	static const char *const def[] = { "uffd-wp", "pagemap-scan" };
	int works = 0;

	for (int i = 1; i < argc; i++) {
		if (ooh_backend_probe(argv[i])) {
			printf("FAIL: %s: %s\n", argv[i], ooh_last_error());
			fails++;
			continue;
		}
		works++;
		run(argv[i], 1);
		run(argv[i], 0);
	}
	for (int i = 0; argc == 1 && i < 2; i++) {
		if (ooh_backend_probe(def[i]))
			continue;
		works++;
		run(def[i], 1);
		run(def[i], 0);
	}
	if (!works && !fails) {
		printf("SKIP: neither uffd-wp nor pagemap-scan works here\n");
		return 77;
	}
	printf("Test result: %s\n", fails ? "FAIL" : "PASS");
	return fails ? 1 : 0;
}
