// SPDX-License-Identifier: GPL-2.0-only
/*
 * spml-perm - the guest module's TRACK permission model (issue 12 items 4
 * and 10), straight through the ioctl (include/ooh/spml_uio.h):
 *  - a second tracker on the same process: EBUSY;
 *  - TRACK of another root process after dropping to uid 65534 (the fd
 *    opened as root, so only the module's own check stands): EPERM;
 *  - TRACK of itself after the drop: allowed.
 *   spml-perm DEVICE   (/dev/ooh-spml or /dev/ooh-epml); exit 0 if all hold
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ooh/barrier.h"
#include "ooh/spml_uio.h"

static int track(int fd, pid_t pid)
{
	struct ooh_spml_track tr = { .pid = (unsigned int)pid, .nr_entries = 1024 };

	return ioctl(fd, OOH_SPML_IOC_TRACK, &tr) ? -errno : 0;
}

int main(int argc, char **argv)
{
	const char *dev = argc > 1 ? argv[1] : OOH_SPML_DEV;
	int a = open(dev, O_RDWR), b = open(dev, O_RDWR), c = open(dev, O_RDWR);
	int d = open(dev, O_RDWR), fails = 0, rc;
	pid_t victim;

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
	printf("spml-perm %s: %s\n", dev, fails ? "FAILED" : "ok");
	return fails ? 1 : 0;
}
