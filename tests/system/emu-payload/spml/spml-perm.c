// SPDX-License-Identifier: GPL-2.0-only
/*
 * spml-perm - the guest module's TRACK permission model, straight
 * through the ioctl (include/ooh/spml_uio.h):
 *  - a second tracker on the same process: EBUSY;
 *  - TRACK of another root process after dropping to uid 65534 (the fd
 *    opened as root, so only the module's own check stands): EPERM;
 *  - TRACK of itself after the drop: allowed;
 *  - lifetime: SYNC of a tracker whose process exec'd
 *    or exited fails with ESRCH (before the module's MMU notifier
 *    .release it returned 0 with nothing logged, forever); a new TRACK
 *    of the exec'd pid works (a fresh start on its new address space);
 *  - a setuid exec of the target while TRACK runs (the module's
 *    test_track_delay_ms holds TRACK between its rights check and taking
 *    the mm): the unprivileged tracker must not get the setuid process's
 *    address space.  The module does both under the target's
 *    cred_guard_mutex, which exec takes too, so the exec waits, the
 *    tracker gets the old mm and the exec releases it: SYNC fails with
 *    ESRCH (without the mutex the tracker got the setuid process's mm);
 *  - UIO open after pid reuse: the TRACK caller exits
 *    while a child keeps its fd (and so the tracker); a new process given
 *    the same pid number (ns_last_pid) must not open /dev/uioN: EACCES
 *    (before, the module compared tgid numbers and let it in).
 *   spml-perm DEVICE   (/dev/ooh-spml or /dev/ooh-epml); exit 0 if all hold
 *   spml-perm --suid-sleep   (the setuid copy's mode: sleep 30 s)
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ooh/barrier.h"
#include "ooh/spml_uio.h"

static unsigned int nr_vcpus;

static unsigned int uio_index;

static int track(int fd, pid_t pid)
{
	struct ooh_spml_track tr = { .pid = (unsigned int)pid, .nr_entries = 1024 };

	if (ioctl(fd, OOH_SPML_IOC_TRACK, &tr))
		return -errno;
	nr_vcpus = tr.nr_vcpus;
	uio_index = tr.uio_index;
	return 0;
}

static int sync_(int fd)
{
	uint64_t fence[256];
	struct ooh_spml_sync s = {
		.fence_addr = (uintptr_t)fence, .nr_vcpus = nr_vcpus,
	};

	if (nr_vcpus > 256)
		return -E2BIG;
	return ioctl(fd, OOH_SPML_IOC_SYNC, &s) ? -errno : 0;
}

/* A child that execs `sleep 30` when told (a byte on *go) */
static pid_t exec_child(int *go)
{
	int p[2];
	pid_t pid;
	char c;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(p[1]);
		if (read(p[0], &c, 1) == 1)
			execlp("sleep", "sleep", "30", (char *)NULL);
		_exit(127);
	}
	close(p[0]);
	*go = p[1];
	return pid;
}

/* Wait (up to 10 s) until /proc/PID/comm reads @comm. */
static int wait_comm(pid_t pid, const char *comm)
{
	char path[64], buf[32];

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	for (int i = 0; i < 1000; i++) {
		FILE *f = fopen(path, "r");

		if (f) {
			int ok = fgets(buf, sizeof(buf), f) &&
				 !strncmp(buf, comm, strlen(comm));

			fclose(f);
			if (ok)
				return 0;
		}
		usleep(10000);
	}
	return -1;
}

/* exec and exit of the tracked process: ESRCH, then a fresh TRACK works */
static int lifetime(const char *dev)
{
	int e = open(dev, O_RDWR), f = open(dev, O_RDWR), fails = 0, go = -1, rc;
	pid_t pid;

	if (e < 0 || f < 0) {
		printf("FAIL: open %s: %s\n", dev, strerror(errno));
		return 1;
	}
	pid = exec_child(&go);
	if (pid < 0) {
		printf("FAIL: fork: %s\n", strerror(errno));
		return 1;
	}
	rc = track(e, pid);
	if (!rc)
		rc = sync_(e);
	printf("%s: track + SYNC of a child: %d\n", rc ? "FAIL" : "PASS", rc);
	fails += rc != 0;
	if (write(go, "x", 1) != 1 || wait_comm(pid, "sleep")) {
		printf("FAIL: the child did not exec sleep\n");
		fails++;
	}
	rc = sync_(e);
	printf("%s: SYNC after the tracked process exec'd: %d (want -ESRCH)\n",
	       rc == -ESRCH ? "PASS" : "FAIL", rc);
	fails += rc != -ESRCH;
	rc = track(f, pid);
	if (!rc)
		rc = sync_(f);
	printf("%s: a new TRACK of the exec'd pid + SYNC: %d\n",
	       rc ? "FAIL" : "PASS", rc);
	fails += rc != 0;
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	rc = sync_(f);
	printf("%s: SYNC after the tracked process exited: %d (want -ESRCH)\n",
	       rc == -ESRCH ? "PASS" : "FAIL", rc);
	fails += rc != -ESRCH;
	close(go);
	close(e);
	close(f);
	return fails;
}

/* Write @val to the module parameter test_track_delay_ms; 0 or -1. */
static int set_track_delay(unsigned int val)
{
	FILE *f = fopen("/sys/module/ooh_pml/parameters/test_track_delay_ms", "w");

	if (!f)
		return -1;
	fprintf(f, "%u", val);
	return fclose(f) ? -1 : 0;
}

/* Copy this program to @path as a setuid-root executable; 0 or -1. */
static int make_suid_copy(const char *path)
{
	char buf[65536];
	int in = open("/proc/self/exe", O_RDONLY), out;
	ssize_t n;

	unlink(path);
	out = open(path, O_WRONLY | O_CREAT | O_EXCL, 0700);
	if (in < 0 || out < 0)
		return -1;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			return -1;
	close(in);
	if (n < 0 || fchown(out, 0, 0) || fchmod(out, 04755))
		return -1;
	return close(out);
}

/* The effective uid of @pid (from /proc/PID/status), or -1. */
static long euid_of(pid_t pid)
{
	char path[64], line[128];
	long r = -1, e;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Uid: %*d %ld", &e) == 1)
			r = e;
	fclose(f);
	return r;
}

static int setuid_exec(const char *dev)
{
	static const char suid[] = "/tmp/spml-perm-suid";
	int fd = open(dev, O_RDWR), p[2], r[2], st, fails = 0;
	pid_t target, tracker;
	char c;

	if (fd < 0 || make_suid_copy(suid) || set_track_delay(500) || pipe(p) || pipe(r)) {
		printf("FAIL: setuid exec: setup: %s\n", strerror(errno));
		return 1;
	}
	target = fork();
	if (target == 0) {	/* uid 65534, then a setuid-root exec */
		close(p[1]);
		/* dumpable again after the uid change, so trackable by uid 65534 */
		close(r[0]);
		if (setgid(65534) || setuid(65534) || prctl(PR_SET_DUMPABLE, 1) ||
		    write(r[1], "r", 1) != 1 || read(p[0], &c, 1) != 1)
			_exit(127);
		usleep(100 * 1000);	/* TRACK is in its delay now */
		execl(suid, suid, "--suid-sleep", (char *)NULL);
		_exit(127);
	}
	close(p[0]);
	close(r[1]);
	if (read(r[0], &c, 1) != 1) {	/* the target runs as uid 65534 */
		printf("FAIL: setuid exec: the target did not start\n");
		return 1;
	}
	close(r[0]);
	tracker = fork();
	if (tracker == 0) {	/* uid 65534: TRACK while the exec starts */
		int rc, rs = 1;
		long euid;

		if (setgid(65534) || setuid(65534) || write(p[1], "x", 1) != 1)
			_exit(2);
		rc = track(fd, target);
		if (wait_comm(target, "spml-perm-suid"))
			_exit(3);
		euid = euid_of(target);
		if (!rc)
			rs = sync_(fd) == -ESRCH;
		/*
		 * TRACK checks before the exec starts (100 ms): it must
		 * succeed, and its mm must be the one the exec then drops
		 */
		printf("%s: setuid exec during TRACK by uid 65534: TRACK %d, then the target "
		       "runs with euid %ld, SYNC %s (want TRACK 0, euid 0, SYNC -ESRCH)\n",
		       !rc && rs && euid == 0 ? "PASS" : "FAIL", rc, euid,
		       rc ? "not tried" : rs ? "-ESRCH: the old mm" :
		       "succeeded: the tracker follows the setuid process");
		_exit(!rc && rs && euid == 0 ? 0 : 1);
	}
	close(p[1]);
	waitpid(tracker, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		if (WIFEXITED(st) && WEXITSTATUS(st) > 1)
			printf("FAIL: setuid exec: the tracker child failed (%d)\n",
			       WEXITSTATUS(st));
		fails++;
	}
	set_track_delay(0);
	kill(target, SIGKILL);
	waitpid(target, NULL, 0);
	unlink(suid);
	close(fd);
	return fails;
}

/*
 * The owner (a child) TRACKs itself, forks a holder that inherits the fd,
 * tells us its pid and uio index, and exits.  We then fork until a new
 * process gets the owner's pid number (ns_last_pid = pid - 1) and let it
 * open /dev/uioN: it must get EACCES.  Returns the number of failures.
 */
static int pid_reuse(const char *dev)
{
	int p[2], fails = 0, rc = -1, tries;
	unsigned int msg[2];
	pid_t owner, holder = -1, q;
	char path[32];

	if (pipe(p))
		return 1;
	owner = fork();
	if (owner == 0) {
		int fd = open(dev, O_RDWR);

		if (fd < 0 || track(fd, getpid()))
			_exit(1);
		holder = fork();
		if (holder == 0) {	/* keeps fd, so the tracker, alive */
			close(p[1]);
			pause();
			_exit(0);
		}
		msg[0] = (unsigned int)holder;
		msg[1] = uio_index;
		_exit(write(p[1], msg, sizeof(msg)) == sizeof(msg) ? 0 : 1);
	}
	close(p[1]);
	if (owner < 0 || read(p[0], msg, sizeof(msg)) != sizeof(msg)) {
		printf("FAIL: pid reuse: the owner did not start a tracker\n");
		close(p[0]);
		return 1;
	}
	close(p[0]);
	holder = (pid_t)msg[0];
	waitpid(owner, NULL, 0);	/* its pid number is free now */
	snprintf(path, sizeof(path), "/dev/uio%u", msg[1]);
	for (tries = 0; tries < 20; tries++) {
		FILE *f = fopen("/proc/sys/kernel/ns_last_pid", "w");
		int st;

		if (!f || fprintf(f, "%d", owner - 1) < 0 || fclose(f)) {
			printf("FAIL: pid reuse: ns_last_pid: %s\n", strerror(errno));
			fails++;
			break;
		}
		q = fork();
		if (q == 0) {
			if (getpid() != owner)
				_exit(100);
			int u = open(path, O_RDWR);

			_exit(u < 0 ? (errno == EACCES ? 0 : 2) : 1);
		}
		waitpid(q, &st, 0);
		rc = WIFEXITED(st) ? WEXITSTATUS(st) : 3;
		if (rc != 100)
			break;		/* another fork took the pid: again */
	}
	if (!fails) {
		printf("%s: open %s by a new process reusing the owner's pid %d: %s\n",
		       rc == 0 ? "PASS" : "FAIL", path, owner,
		       rc == 0 ? "EACCES" : rc == 1 ? "opened (want EACCES)" :
		       rc == 100 ? "pid never reused" : "other error");
		fails += rc != 0;
	}
	kill(holder, SIGKILL);	/* not our child: init reaps it */
	return fails;
}

int main(int argc, char **argv)
{
	const char *dev = argc > 1 ? argv[1] : OOH_SPML_DEV;
	int a, b, c, d, fails = 0, rc;
	pid_t victim;

	if (!strcmp(dev, "--suid-sleep")) {	/* setuid_exec()'s target */
		sleep(30);
		return 0;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);	/* children _exit() after printing */
	a = open(dev, O_RDWR), b = open(dev, O_RDWR), c = open(dev, O_RDWR);
	d = open(dev, O_RDWR);

	if (a < 0 || b < 0 || c < 0 || d < 0) {
		printf("FAIL: open %s: %s\n", dev, strerror(errno));
		return 1;
	}
	rc = track(a, getpid());
	printf("%s: first tracker on self: %d\n", rc ? "FAIL" : "PASS", rc);
	fails += rc != 0;
	rc = track(b, getpid());
	printf("%s: second tracker on the same process: %d (want -EBUSY)\n",
	       rc == -EBUSY ? "PASS" : "FAIL", rc);
	fails += rc != -EBUSY;
	rc = track(a, getpid());
	printf("%s: second TRACK on one fd: %d (want -EBUSY)\n",
	       rc == -EBUSY ? "PASS" : "FAIL", rc);
	fails += rc != -EBUSY;
	close(a);
	close(b);

	victim = fork();		/* another root process */
	if (victim == 0) {
		pause();
		_exit(0);
	}
	pid_t child = fork();
	if (child == 0) {
		int bad = 0;

		if (setgid(65534) || setuid(65534)) {
			printf("FAIL: setuid: %s\n", strerror(errno));
			_exit(1);
		}
		rc = track(c, victim);
		printf("%s: uid 65534 tracks a root process: %d (want -EPERM)\n",
		       rc == -EPERM ? "PASS" : "FAIL", rc);
		bad += rc != -EPERM;
		rc = track(d, getpid());
		printf("%s: uid 65534 tracks itself: %d\n",
		       rc == 0 ? "PASS" : "FAIL", rc);
		bad += rc != 0;
		_exit(bad);
	}
	int st;

	waitpid(child, &st, 0);
	fails += !WIFEXITED(st) || WEXITSTATUS(st);
	kill(victim, SIGKILL);
	waitpid(victim, NULL, 0);
	fails += lifetime(dev);
	fails += setuid_exec(dev);
	fails += pid_reuse(dev);
	printf("spml-perm %s: %s\n", dev, fails ? "FAILED" : "ok");
	return fails ? 1 : 0;
}
