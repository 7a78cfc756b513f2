/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * err.c - the bottom layer every other file calls: the calling thread's
 * error string (ooh_last_error()) and the clock libooh times with.
 */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "internal.h"

/* long enough for "auto"'s reason per backend (never cut at 255) */
static __thread char last_error[2048];

int __ooh_err(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	return -err;
}

__ooh_public const char *ooh_last_error(void)
{
	return last_error;
}

/* Every public entry that can fail starts with a clean error string, so a
 * reason never outlives the call that set it (as liburing's errno). */
void __ooh_clear_error(void)
{
	last_error[0] = '\0';
}

uint64_t __ooh_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}
