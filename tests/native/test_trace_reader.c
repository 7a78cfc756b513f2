/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * test_trace_reader - the public trace reader (ooh_trace_open(3)) reads
 * back what ooh_record(3) wrote, and says why it stops:
 *  - a trace of two intervals on the mprotect backend (self only, no
 *    privilege): the header names the backend, the RANGE record is the
 *    tracked range, each INTERVAL record lists exactly the pages written
 *    in it, then 0 (clean end);
 *  - the same file cut short: every record before the cut, then -ENODATA;
 *    a file that is not a trace: -EPROTO; a missing one: -ENOENT; NULL
 *    arguments: -EINVAL; each with a reason in ooh_last_error().
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ooh.h"
#include "ooh_test.h"

#define NR 8

/* read @path to its end: records, intervals and the last return value */
static int read_all(const char *path, int *nr_rec, int *nr_iv)
{
	struct ooh_trace_reader *r;
	struct ooh_trace_event ev;
	int ret;

	*nr_rec = *nr_iv = 0;
	ret = ooh_trace_open(path, &r, NULL);
	if (ret < 0)
		return ret;
	while ((ret = ooh_trace_next(r, &ev)) > 0) {
		(*nr_rec)++;
		*nr_iv += ev.type == OOH_TRACE_INTERVAL;
	}
	ooh_trace_close(r);
	return ret;
}

int main(void)
{
	char dir[] = "/tmp/ooh-trace-reader-XXXXXX", path[64], cut[64], bad[64];
	static const int want[2][2] = { { 1, 5 }, { 2, 6 } };
	struct ooh_trace_reader *r;
	struct ooh_trace_event ev;
	struct ooh_trace_hdr h;
	struct ooh_tracker *t;
	struct ooh_dirty d;
	int ret, rec, iv, n = 0, fd;
	struct stat st;
	char *m, *buf;

	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/t.gz", dir);
	snprintf(cut, sizeof(cut), "%s/cut.gz", dir);
	snprintf(bad, sizeof(bad), "%s/bad.gz", dir);
	m = ooh_test_map(NR);
	if (ooh_open("mprotect", &t) < 0) {
		printf("SKIP: mprotect backend: %s\n", ooh_last_error());
		return OOH_TEST_SKIP;
	}
	CHECK(ooh_track(t, 0, m, NR * PG) == 0, "ooh_track");
	CHECK(ooh_record(t, path, 0) == 0, "ooh_record");
	CHECK(ooh_fetch(t, &d) >= 0, "first fetch (every page)");
	for (int k = 0; k < 2; k++) {
		m[want[k][0] * PG] = 1;
		m[want[k][1] * PG] = 1;
		CHECK(ooh_fetch(t, &d) == 2, "fetch %d: 2 pages", k + 1);
	}
	ooh_close(t);		/* writes the gzip trailer */

	CHECK(ooh_trace_open(path, &r, &h) == 0, "ooh_trace_open");
	CHECK(!strcmp(h.backend, "mprotect"), "header backend %s", h.backend);
	while ((ret = ooh_trace_next(r, &ev)) > 0) {
		if (ev.type == OOH_TRACE_RANGE)
			CHECK(ev.range.start == (uintptr_t)m &&
			      ev.range.end == (uintptr_t)m + NR * PG,
			      "range %#llx-%#llx",
			      (unsigned long long)ev.range.start,
			      (unsigned long long)ev.range.end);
		if (ev.type != OOH_TRACE_INTERVAL)
			continue;
		if (n >= 1 && n <= 2) {	/* interval 0: every page */
			const int *w = want[n - 1];

			CHECK(ev.iv.nr_pages == 2 &&
			      ev.pages[0] == (uintptr_t)m + w[0] * PG &&
			      ev.pages[1] == (uintptr_t)m + w[1] * PG,
			      "interval %d: pages %d and %d (%llu pages)", n,
			      w[0], w[1], (unsigned long long)ev.iv.nr_pages);
		}
		n++;
	}
	CHECK(ret == 0, "clean end: %d", ret);
	CHECK(n == 3, "3 intervals, read %d", n);
	ooh_trace_close(r);

	/* cut: the first half of the file */
	buf = malloc(1 << 20);
	if (!buf)
		return 1;
	fd = open(path, O_RDONLY);
	CHECK(fd >= 0 && !fstat(fd, &st) && st.st_size < (1 << 20),
	      "read the trace");
	if (fd >= 0 && read(fd, buf, st.st_size) == st.st_size) {
		int o = open(cut, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		CHECK(o >= 0 && write(o, buf, st.st_size / 2) == st.st_size / 2,
		      "write the cut copy");
		close(o);
	}
	if (fd >= 0)
		close(fd);
	ret = read_all(cut, &rec, &iv);
	CHECK(ret == -ENODATA && *ooh_last_error(),
	      "cut trace: -ENODATA after %d records (%d): %s", rec, ret,
	      ooh_last_error());
	CHECK(iv < 3, "cut trace: fewer intervals (%d)", iv);

	/* longer than a header, so the magic is what refuses it */
	memset(buf, 'x', 4096);
	fd = open(bad, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0 && write(fd, buf, 4096) == 4096, "write a non-trace");
	close(fd);
	ret = read_all(bad, &rec, &iv);
	CHECK(ret == -EPROTO && *ooh_last_error(),
	      "non-trace: -EPROTO (%d): %s", ret, ooh_last_error());
	ret = read_all("/nonexistent/t.gz", &rec, &iv);
	CHECK(ret == -ENOENT && strstr(ooh_last_error(), "/nonexistent"),
	      "missing file: -ENOENT naming it (%d): %s", ret, ooh_last_error());
	CHECK(ooh_trace_open(NULL, &r, NULL) == -EINVAL, "NULL path");
	CHECK(ooh_trace_open(path, NULL, NULL) == -EINVAL, "NULL reader");
	CHECK(ooh_trace_next(NULL, &ev) == -EINVAL, "NULL reader to next");
	ooh_trace_close(NULL);

	unlink(path);
	unlink(cut);
	unlink(bad);
	rmdir(dir);
	free(buf);
	return ooh_test_result();
}
