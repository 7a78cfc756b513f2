// SPDX-License-Identifier: GPL-2.0-only
/*
 * gc-pca - Phoenix "pca" on the Boehm heap: the mean of every row of an
 * integer matrix and the covariance matrix of the rows.
 *
 * The matrix is a GC table of row objects (each a GC object pointing at
 * its atomic values); the covariance is computed one row task at a time:
 * each task allocates a centred copy of its row (garbage after the task)
 * and a result row object linked into the covariance table.  Verified:
 * the element sum and sum of squares match pca.mat.expect, the matrix is
 * exactly symmetric, and 64 pseudo-random entries recomputed
 * independently (long double, different loop order) agree.
 */
#include "wl.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct row {
	int32_t *v;		/* cols values, atomic */
	double mean;
};

struct cov_row {
	double *c;		/* rows entries, atomic */
	struct row *src;
};

int main(int argc, char **argv)
{
	struct wl w;
	struct row **m;
	struct cov_row **cov;
	unsigned char hdr[16];
	uint32_t rows, cols, i, j, x;
	uint64_t sum = 0, sumsq = 0, seed = 42;
	int fd, ok, t;

	wl_start(&w, argc, argv, "pca");
	fd = wl_open(w.input);
	if (read(fd, hdr, 16) != 16 || memcmp(hdr, "OOHPCA1\n", 8))
		wl_die("%s: not an OOHPCA1 file", w.input);
	memcpy(&rows, hdr + 8, 4);
	memcpy(&cols, hdr + 12, 4);
	if (!rows || !cols)
		wl_die("%s: bad header", w.input);
	m = GC_MALLOC(rows * sizeof(*m));
	for (i = 0; i < rows; i++) {
		int64_t s = 0;

		m[i] = GC_MALLOC(sizeof(**m));
		m[i]->v = GC_MALLOC_ATOMIC(cols * sizeof(int32_t));
		if (wl_read(fd, m[i]->v, cols * 4) != cols * 4)
			wl_die("%s: short file", w.input);
		for (x = 0; x < cols; x++)
			s += m[i]->v[x];
		m[i]->mean = (double)s / cols;
	}
	close(fd);

	cov = GC_MALLOC(rows * sizeof(*cov));
	for (i = 0; i < rows; i++) {
		cov[i] = GC_MALLOC(sizeof(**cov));
		cov[i]->c = GC_MALLOC_ATOMIC(rows * sizeof(double));
		cov[i]->src = m[i];
	}
	for (i = 0; i < rows; i++) {
		/* task i: centred copy of row i, then the entries j >= i */
		double *ci = GC_MALLOC_ATOMIC(cols * sizeof(double));

		for (x = 0; x < cols; x++)
			ci[x] = m[i]->v[x] - m[i]->mean;
		for (j = i; j < rows; j++) {
			double s = 0, mj = m[j]->mean;
			const int32_t *vj = m[j]->v;

			for (x = 0; x < cols; x++)
				s += ci[x] * (vj[x] - mj);
			cov[i]->c[j] = cov[j]->c[i] = s / (cols - 1);
		}
	}
	wl_stop(&w);

	for (i = 0; i < rows; i++)
		for (x = 0; x < cols; x++) {
			sum += (uint64_t)m[i]->v[x];
			sumsq += (uint64_t)m[i]->v[x] * (uint64_t)m[i]->v[x];
		}
	ok = sum == wl_expect(&w, "sum") && sumsq == wl_expect(&w, "sumsq");
	for (i = 0; i < rows && ok; i++)
		for (j = 0; j < rows && ok; j++)
			ok = cov[i]->c[j] == cov[j]->c[i];
	for (t = 0; t < 64 && ok; t++) {
		long double s = 0, mi = 0, mj = 0;

		i = (uint32_t)(wl_rand(&seed) % rows);
		j = (uint32_t)(wl_rand(&seed) % rows);
		for (x = 0; x < cols; x++) {
			mi += m[i]->v[x];
			mj += m[j]->v[x];
		}
		mi /= cols;
		mj /= cols;
		for (x = cols; x-- > 0;)
			s += (m[i]->v[x] - mi) * (m[j]->v[x] - mj);
		s /= cols - 1;
		ok = fabsl(s - cov[i]->c[j]) <= 1e-6L * (1 + fabsl(s));
		if (!ok)
			fprintf(stderr, "pca: cov[%u][%u] = %g, expected %Lg\n",
				i, j, cov[i]->c[j], s);
	}
	wl_finish(&w, ok);
}
