/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tool-stdout.h - the libooh tools' check of standard output at exit, as
 * coreutils' close_stdout(): output that could not be written (a full
 * disk, /dev/full, a closed pipe) is an error, one line on stderr and
 * exit status 1, never a silent success.  Each tool calls
 * tool_check_stdout_at_exit(its name) first thing in main().
 */
#ifndef OOH_TOOL_STDOUT_H
#define OOH_TOOL_STDOUT_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

#endif /* OOH_TOOL_STDOUT_H */
