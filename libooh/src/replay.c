// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * replay.c - the "trace" backend: replays the dirty-page trace named by
 * $OOH_TRACE (trace-read.c) through the libooh API.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "internal.h"
#include "tracefile.h"

/*
 * Recorded range k is replayed onto the caller's k-th tracked range (both
 * in ooh_track() order): a page at offset o of recorded range k is
 * reported at offset o of the caller's range k, so a replay in another
 * process (other addresses, ASLR) sees the recorded pattern in its own
 * ranges.  A whole-address-space range on either side maps pages
 * unchanged.
 */
struct trace_state {
	struct ooh_trace_reader *r;
	struct ooh_trace_range *rec;	/* recorded ranges, in order */
	size_t nr_rec, cap_rec;
	struct __ooh_range *mine;	/* the caller's, in order */
	size_t nr_mine, cap_mine;
	uint64_t intervals;
};

static int trace_open_env(struct ooh_trace_reader **r, char *err,
			  size_t errlen)
{
	const char *path = getenv("OOH_TRACE");
	struct ooh_trace_hdr h;

	if (!path || !*path) {
		snprintf(err, errlen, "OOH_TRACE is not set (ooh-trace "
			 "replay FILE -- CMD sets it)");
		return -EOPNOTSUPP;
	}
	return __ooh_trace_open(path, r, &h, err, errlen);
}

static int trace_probe(void)
{
	struct ooh_trace_reader *r;
	char err[512];
	int ret = trace_open_env(&r, err, sizeof(err));

	if (ret)
		return __ooh_err(EOPNOTSUPP, "%s", err);
	ooh_trace_close(r);
	return 0;
}

static int trace_init(struct ooh_tracker *t)
{
	struct trace_state *s = calloc(1, sizeof(*s));
	char err[512];
	int ret;

	if (!s)
		return __ooh_err(ENOMEM, "out of memory");
	ret = trace_open_env(&s->r, err, sizeof(err));
	if (ret) {
		free(s);
		return __ooh_err(-ret, "%s", err);
	}
	t->priv = s;
	return 0;
}

static int grow(void **v, size_t *cap, size_t nr, size_t size)
{
	void *p;

	if (nr < *cap)
		return 0;
	p = realloc(*v, (*cap ? 2 * *cap : 8) * size);
	if (!p)
		return -ENOMEM;
	*v = p;
	*cap = *cap ? 2 * *cap : 8;
	return 0;
}

static int trace_track(struct ooh_tracker *t, struct __ooh_range *r)
{
	struct trace_state *s = t->priv;

	if (grow((void **)&s->mine, &s->cap_mine, s->nr_mine,
		 sizeof(*s->mine)))
		return __ooh_err(ENOMEM, "out of memory");
	s->mine[s->nr_mine++] = *r;
	return 0;
}

static int trace_untrack(struct ooh_tracker *t, struct __ooh_range *r)
{
	struct trace_state *s = t->priv;

	for (size_t i = 0; i < s->nr_mine; i++) {
		if (s->mine[i].start != r->start || s->mine[i].end != r->end)
			continue;
		memmove(&s->mine[i], &s->mine[i + 1],
			(s->nr_mine - i - 1) * sizeof(*s->mine));
		s->nr_mine--;
		break;
	}
	return 0;
}

static int replay_pages(struct trace_state *s, const uint64_t *pages,
			size_t nr, struct __ooh_pageset *out)
{
	for (size_t i = 0; i < nr; i++) {
		uint64_t p = pages[i], q = p;
		bool keep = s->nr_rec == 0;	/* no ranges recorded */

		for (size_t k = 0; k < s->nr_rec && !keep; k++) {
			const struct ooh_trace_range *rg = &s->rec[k];
			const struct __ooh_range *m;

			if (rg->start == rg->end) {	/* recorded whole mm */
				keep = true;
				break;
			}
			if (p < rg->start || p >= rg->end)
				continue;
			if (k >= s->nr_mine)
				break;
			m = &s->mine[k];
			if (m->start == m->end) {	/* replayed whole mm */
				keep = true;
				break;
			}
			q = m->start + (p - rg->start);
			keep = q < m->end;
			break;
		}
		if (keep && __ooh_pageset_add(out, q))
			return __ooh_err(ENOMEM, "out of memory");
	}
	return 0;
}

static int trace_collect(struct ooh_tracker *t, struct __ooh_pageset *out,
			 unsigned int *flags)
{
	struct trace_state *s = t->priv;
	struct ooh_trace_event ev;
	char err[512];
	int ret;

	for (;;) {
		ret = __ooh_trace_next(s->r, &ev, err, sizeof(err));
		if (ret == 0)
			return __ooh_err(ENODATA, "the trace ended after %llu "
					 "intervals",
					 (unsigned long long)s->intervals);
		if (ret < 0)
			return __ooh_err(-ret, "%s", err);
		if (ev.type == OOH_TRACE_RANGE) {
			if (grow((void **)&s->rec, &s->cap_rec, s->nr_rec,
				 sizeof(*s->rec)))
				return __ooh_err(ENOMEM, "out of memory");
			s->rec[s->nr_rec++] = ev.range;
		} else if (ev.type == OOH_TRACE_UNTRACK) {
			for (size_t i = 0; i < s->nr_rec; i++) {
				if (s->rec[i].start != ev.range.start ||
				    s->rec[i].end != ev.range.end)
					continue;
				memmove(&s->rec[i], &s->rec[i + 1],
					(s->nr_rec - i - 1) * sizeof(*s->rec));
				s->nr_rec--;
				break;
			}
		} else if (ev.type == OOH_TRACE_INTERVAL) {
			break;
		}
	}
	s->intervals++;
	*flags |= ev.iv.flags & OOH_FETCH_ALL;
	t->lost += ev.iv.lost;
	return replay_pages(s, ev.pages, ev.iv.nr_pages, out);
}

static void trace_stop(struct ooh_tracker *t)
{
	struct trace_state *s = t->priv;

	s->nr_mine = 0;
}

static void trace_fini(struct ooh_tracker *t)
{
	struct trace_state *s = t->priv;

	if (!s)
		return;
	ooh_trace_close(s->r);
	free(s->rec);
	free(s->mine);
	free(s);
	t->priv = NULL;
}

const struct __ooh_backend __ooh_be_trace = {
	.name = "trace",
	.caps = OOH_CAP_SELF | OOH_CAP_OTHER | OOH_CAP_WHOLE_MM |
		OOH_CAP_NEW_MAPPINGS | OOH_CAP_THREADS,
	.probe = trace_probe,
	.init = trace_init,
	.track = trace_track,
	.untrack = trace_untrack,
	.collect = trace_collect,
	.stop = trace_stop,
	.fini = trace_fini,
};
