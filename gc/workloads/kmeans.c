// SPDX-License-Identifier: GPL-2.0-only
/*
 * gc-kmeans - Phoenix "kmeans" on the Boehm heap: Lloyd's k-means over
 * integer points until no point changes cluster.
 *
 * Each point is a GC object holding a pointer to its coordinates (atomic)
 * and to the cluster it belongs to; every iteration allocates new cluster
 * objects and one member-list node per point (the previous iteration's
 * become garbage) and rewrites the owner pointer of the points that move,
 * so the mutator dirties pages spread over the whole point set.
 * Verified: the result is a fixed point (every point is in the cluster
 * of its nearest centroid, each centroid is the integer mean of its
 * members), and the point count and coordinate sum match kmeans.pts.expect.
 */
#include "wl.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define MAX_ITER 200

struct cluster;

struct point {
	int32_t *x;		/* dim coordinates, GC_MALLOC_ATOMIC */
	struct cluster *owner;
};

struct member {
	struct member *next;
	struct point *p;
};

struct cluster {
	int32_t *centre;	/* dim coordinates, atomic */
	struct member *members;
	uint64_t n;
};

static uint32_t dim, k;

static uint64_t dist2(const int32_t *a, const int32_t *b)
{
	uint64_t s = 0;
	uint32_t d;

	for (d = 0; d < dim; d++) {
		int64_t v = (int64_t)a[d] - b[d];

		s += (uint64_t)(v * v);
	}
	return s;
}

static uint32_t nearest(struct cluster **cl, const int32_t *x)
{
	uint64_t best = UINT64_MAX, d;
	uint32_t c, bc = 0;

	for (c = 0; c < k; c++) {
		d = dist2(cl[c]->centre, x);
		if (d < best) {
			best = d;
			bc = c;
		}
	}
	return bc;
}

/* New clusters whose centres are the means of the old clusters' members. */
static struct cluster **recentre(struct cluster **old)
{
	struct cluster **cl = GC_MALLOC(k * sizeof(*cl));
	int64_t *sum = GC_MALLOC_ATOMIC(dim * sizeof(*sum));
	uint32_t c, d;

	for (c = 0; c < k; c++) {
		struct member *m;

		cl[c] = GC_MALLOC(sizeof(**cl));
		cl[c]->centre = GC_MALLOC_ATOMIC(dim * sizeof(int32_t));
		memset(sum, 0, dim * sizeof(*sum));
		for (m = old[c]->members; m; m = m->next)
			for (d = 0; d < dim; d++)
				sum[d] += m->p->x[d];
		for (d = 0; d < dim; d++)
			cl[c]->centre[d] = old[c]->n ?
				(int32_t)(sum[d] / (int64_t)old[c]->n) :
				old[c]->centre[d];
	}
	return cl;
}

int main(int argc, char **argv)
{
	struct wl w;
	struct point **pts;
	struct cluster **cl;
	unsigned char hdr[20];
	uint64_t n, i, sum = 0, iter, moved = 1;
	uint32_t c, d;
	int fd, ok;

	wl_start(&w, argc, argv, "kmeans");
	fd = wl_open(w.input);
	if (read(fd, hdr, 20) != 20 || memcmp(hdr, "OOHKM1\n", 7))
		wl_die("%s: not an OOHKM1 file", w.input);
	/* header: 7 magic bytes then u32 n, dim, k (unaligned) */
	memcpy(&c, hdr + 7, 4);
	n = c;
	memcpy(&dim, hdr + 11, 4);
	memcpy(&k, hdr + 15, 4);
	if (lseek(fd, 19, SEEK_SET) != 19 || !n || !dim || !k || k > n)
		wl_die("%s: bad header", w.input);

	pts = GC_MALLOC(n * sizeof(*pts));
	for (i = 0; i < n; i++) {
		pts[i] = GC_MALLOC(sizeof(**pts));
		pts[i]->x = GC_MALLOC_ATOMIC(dim * sizeof(int32_t));
		if (wl_read(fd, pts[i]->x, dim * 4) != dim * 4)
			wl_die("%s: short file", w.input);
	}
	close(fd);

	/* initial centres: k points spread over the input */
	cl = GC_MALLOC(k * sizeof(*cl));
	for (c = 0; c < k; c++) {
		cl[c] = GC_MALLOC(sizeof(**cl));
		cl[c]->centre = GC_MALLOC_ATOMIC(dim * sizeof(int32_t));
		memcpy(cl[c]->centre, pts[c * n / k]->x, dim * sizeof(int32_t));
	}
	for (iter = 0; moved && iter < MAX_ITER; iter++) {
		moved = 0;
		for (i = 0; i < n; i++) {
			struct cluster *to = cl[nearest(cl, pts[i]->x)];
			struct member *m = GC_MALLOC(sizeof(*m));

			/* compare by centre: the cluster objects are new */
			if (!pts[i]->owner ||
			    memcmp(pts[i]->owner->centre, to->centre,
				   dim * sizeof(int32_t)))
				moved++;
			pts[i]->owner = to;
			m->p = pts[i];
			m->next = to->members;
			to->members = m;
			to->n++;
		}
		if (moved)
			cl = recentre(cl);
	}
	wl_stop(&w);

	/* fixed point: owners are the nearest, centres are the means */
	ok = iter < MAX_ITER;
	for (i = 0; i < n && ok; i++) {
		if (cl[nearest(cl, pts[i]->x)] != pts[i]->owner &&
		    dist2(cl[nearest(cl, pts[i]->x)]->centre, pts[i]->x) !=
		    dist2(pts[i]->owner->centre, pts[i]->x))
			ok = 0;
		for (d = 0; d < dim; d++)
			sum += (uint64_t)(int64_t)pts[i]->x[d];
	}
	if (ok) {
		struct cluster **again = recentre(cl);

		for (c = 0; c < k && ok; c++)
			ok = !memcmp(again[c]->centre, cl[c]->centre,
				     dim * sizeof(int32_t));
	}
	ok = ok && n == wl_expect(&w, "points") &&
	     sum == wl_expect(&w, "coord_sum");
	if (!ok)
		fprintf(stderr, "kmeans: not a fixed point or wrong input sum"
			" (%llu iterations)\n", (unsigned long long)iter);
	wl_finish(&w, ok);
}
