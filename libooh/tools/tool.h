/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tool.h - helpers every libooh tool shares:
 *  - the check of standard output at exit, as coreutils' close_stdout():
 *    output that could not be written (a full disk, /dev/full, a closed
 *    pipe) is an error, one line on stderr and exit status 1, never a
 *    silent success.  Each tool calls tool_check_stdout_at_exit(its name)
 *    first thing in main();
 *  - tool_parse_num(): every number on a command line, with its range;
 *  - tool_version(): --version.
 */
#ifndef OOH_TOOL_H
#define OOH_TOOL_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "ooh.h"

static const char *tool_stdout_name;

static void tool_close_stdout(void)
{
	int e;

	errno = 0;
	if (fflush(stdout) == 0 && !ferror(stdout) && fclose(stdout) == 0)
		return;
	e = errno ? errno : EIO;
	fprintf(stderr, "%s: write error: %s\n", tool_stdout_name, strerror(e));
	_exit(1);
}

static inline void tool_check_stdout_at_exit(const char *name)
{
	tool_stdout_name = name;
	atexit(tool_close_stdout);
}

/*
 * tool_parse_num - @s as a decimal number in [@min, @max] into *@out.
 * Returns 0, or -1 for anything else: empty, a sign, trailing characters,
 * a value out of range or beyond unsigned long long (no silent wrap:
 * "-p 4294994954" is not pid 27658).
 */
static inline int tool_parse_num(const char *s, unsigned long long min,
				 unsigned long long max,
				 unsigned long long *out)
{
	unsigned long long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/*
 * The exit status of every tool when the backend asked for cannot work
 * here (ooh_open()/ooh_backend_probe() give -EOPNOTSUPP): sysexits.h's
 * EX_UNAVAILABLE, 69, as "service unavailable".
 */
#define TOOL_EXIT_UNAVAILABLE	EX_UNAVAILABLE

/*
 * tool_version - --version: "NAME MAJOR.MINOR.PATCH (libooh MAJOR.MINOR)",
 * the version this tool was built as, then the running library's.
 */
static inline int tool_version(const char *name)
{
	printf("%s %d.%d.%d (libooh %d.%d)\n", name, OOH_VERSION_MAJOR,
	       OOH_VERSION_MINOR, OOH_VERSION_PATCH, ooh_major_version(),
	       ooh_minor_version());
	return 0;
}

#endif /* OOH_TOOL_H */
