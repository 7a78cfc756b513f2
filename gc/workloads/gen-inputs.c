// SPDX-License-Identifier: GPL-2.0-only
/*
 * gc-gen-inputs - deterministic inputs for the GC workloads.
 *
 *   gc-gen-inputs --size small|medium|large --out DIR
 *
 * Writes into DIR (normally $OOH_CACHE/gc-inputs/<size>):
 *   histogram.img     "OOHIMG1\n", u32 width, u32 height, BGR bytes
 *   word_count.txt    text of Zipf-like words
 *   string_match.txt  lines of words with the four Phoenix keys mixed in
 *   kmeans.pts        "OOHKM1\n", u32 n, u32 dim, u32 k, i32 coords
 *   pca.mat           "OOHPCA1\n", u32 rows, u32 cols, i32 values
 * and next to each "<file>.expect": "key value" lines with the results the
 * workload must reproduce, counted by the generator while it writes.
 * The PRNG is xorshift64 with a fixed seed per file (wl.h), so the same
 * size always produces byte-identical files.  A file whose ".expect"
 * exists with the same parameters (its first line) is not regenerated.
 * Sizes follow the Phoenix suite's small/medium/large idea, scaled so
 * that medium runs in about a second natively and small in a few seconds
 * of guest time (the quick guest matrix of scripts/compare).
 */
#include "rng.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct sizes {
	const char *name;
	uint32_t img_w, img_h;		/* histogram */
	uint64_t wc_bytes;		/* word_count */
	uint64_t sm_bytes;		/* string_match */
	uint32_t km_n, km_dim, km_k;	/* kmeans */
	uint32_t pca_rows, pca_cols;	/* pca */
};

static const struct sizes sizes[] = {
	{ "small",  1024, 1024,  1ull << 20,   2ull << 20,
	  5000, 4, 16,  128, 512 },
	{ "medium", 6144, 4096, 24ull << 20,  24ull << 20,
	  100000, 4, 16,  512, 2048 },
	{ "large", 16384, 8192, 300ull << 20, 300ull << 20,
	  2000000, 4, 16, 1024, 4096 },
};

static const char *outdir;
/* Parameters of the file being generated, first line of its .expect. */
static char params[256];

static void die(const char *what)
{
	fprintf(stderr, "gc-gen-inputs: %s: %s\n", what, strerror(errno));
	exit(1);
}

static FILE *create(const char *name, char *path, size_t len)
{
	FILE *f;

	snprintf(path, len, "%s/%s.tmp", outdir, name);
	f = fopen(path, "we");
	if (!f)
		die(path);
	return f;
}

/* Move NAME.tmp into place, then write NAME.expect (marks completion). */
static FILE *finish(FILE *f, const char *name)
{
	char tmp[4096], dst[4096];

	if (fclose(f))
		die(name);
	snprintf(tmp, sizeof(tmp), "%s/%s.tmp", outdir, name);
	snprintf(dst, sizeof(dst), "%s/%s", outdir, name);
	if (rename(tmp, dst))
		die(dst);
	snprintf(dst, sizeof(dst), "%s/%s.expect.tmp", outdir, name);
	f = fopen(dst, "we");
	if (!f)
		die(dst);
	fputs(params, f);
	return f;
}

static void finish_expect(FILE *f, const char *name)
{
	char tmp[4096], dst[4096];

	if (fclose(f))
		die(name);
	snprintf(tmp, sizeof(tmp), "%s/%s.expect.tmp", outdir, name);
	snprintf(dst, sizeof(dst), "%s/%s.expect", outdir, name);
	if (rename(tmp, dst))
		die(dst);
}

/* Does NAME exist, complete, generated with the same parameters? */
static int done(const char *name)
{
	char p[4096], line[256];
	FILE *f;
	int same;

	snprintf(p, sizeof(p), "%s/%s.expect", outdir, name);
	f = fopen(p, "re");
	if (!f)
		return 0;
	same = fgets(line, sizeof(line), f) && !strcmp(line, params);
	fclose(f);
	return same;
}

static void put_u32(FILE *f, uint32_t v)
{
	fwrite(&v, 4, 1, f);
}

static void gen_histogram(const struct sizes *s)
{
	static uint64_t bins[3][256];
	char path[4096];
	uint64_t r = 0x9e3779b97f4a7c15ull, n = (uint64_t)s->img_w * s->img_h, i;
	unsigned char px[3 * 4096];
	size_t fill = 0;
	FILE *f;
	int c, b;

	snprintf(params, sizeof(params), "params_v1_%ux%u 0\n", s->img_w, s->img_h);
	if (done("histogram.img"))
		return;
	f = create("histogram.img", path, sizeof(path));
	fputs("OOHIMG1\n", f);
	put_u32(f, s->img_w);
	put_u32(f, s->img_h);
	for (i = 0; i < n; i++) {
		uint64_t x = wl_rand(&r);
		uint32_t y = (uint32_t)(i / s->img_w), xx = (uint32_t)(i % s->img_w);
		/* a gradient plus noise: skewed, not uniform, histograms */
		px[fill + 0] = (unsigned char)((xx * 255 / s->img_w + (x & 31)) & 0xff);
		px[fill + 1] = (unsigned char)((y * 255 / s->img_h) ^ ((x >> 8) & 15));
		px[fill + 2] = (unsigned char)((x >> 16) % 200 + (x >> 40) % 56);
		for (c = 0; c < 3; c++)
			bins[c][px[fill + c]]++;
		fill += 3;
		if (fill == sizeof(px)) {
			fwrite(px, 1, fill, f);
			fill = 0;
		}
	}
	fwrite(px, 1, fill, f);
	f = finish(f, "histogram.img");
	fprintf(f, "pixels %llu\n", (unsigned long long)n);
	for (c = 0; c < 3; c++)
		for (b = 0; b < 256; b++)
			fprintf(f, "%c%d %llu\n", "bgr"[c], b,
				(unsigned long long)bins[c][b]);
	finish_expect(f, "histogram.img");
}

/* Word number i of the vocabulary: distinct for distinct i. */
static int vocab_word(uint32_t i, char *w)
{
	uint64_t x = (uint64_t)i * 2654435761u + 12345;
	int len = 0;

	/* prefix-free: a letter for the digit count, the base-26 digits
	 * of i, then 0-4 mixing letters; distinct i give distinct words */
	int nd = 0;
	uint32_t j = i;

	do {
		nd++;
		j /= 26;
	} while (j);
	w[len++] = 'a' + nd;
	do {
		w[len++] = 'a' + i % 26;
		i /= 26;
	} while (i);
	for (int k = (int)(x % 5); k > 0; k--) {
		w[len++] = 'a' + (x >> (8 * k)) % 26;
	}
	w[len] = 0;
	return len;
}

#define WC_VOCAB 60000u

static uint64_t fnv(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h;
}

struct wcnt { uint64_t n; uint32_t i; };

static int cmp_wcnt(const void *a, const void *b)
{
	const struct wcnt *x = a, *y = b;
	char wx[32], wy[32];

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	vocab_word(x->i, wx);
	vocab_word(y->i, wy);
	return strcmp(wx, wy);
}

static void gen_word_count(const struct sizes *s)
{
	struct wcnt *cnt = calloc(WC_VOCAB, sizeof(*cnt));
	uint64_t r = 0x2545f4914f6cdd1dull, bytes = 0, words = 0, distinct = 0;
	char path[4096], w[32];
	int col = 0, k;
	FILE *f;
	uint32_t i;

	snprintf(params, sizeof(params), "params_v1_%llu 0\n",
		 (unsigned long long)s->wc_bytes);
	if (done("word_count.txt"))
		return;
	if (!cnt)
		die("calloc");
	f = create("word_count.txt", path, sizeof(path));
	while (bytes < s->wc_bytes) {
		uint64_t a = wl_rand(&r) % WC_VOCAB, b = wl_rand(&r) % WC_VOCAB;
		uint64_t c = wl_rand(&r) % WC_VOCAB;
		uint32_t idx = (uint32_t)(a * b / WC_VOCAB * c / WC_VOCAB);
		int len = vocab_word(idx, w);

		/* capitalise some words: the counter lower-cases */
		if ((c & 7) == 0)
			w[0] -= 32;
		cnt[idx].n++;
		words++;
		fputs(w, f);
		bytes += len;
		col += len + 1;
		if (col > 72) {
			fputs((c & 1) ? ".\n" : "\n", f);
			bytes += 1 + (c & 1);
			col = 0;
		} else {
			fputc((c & 3) == 1 ? ',' : ' ', f);
			bytes++;
			if ((c & 3) == 1) {
				fputc(' ', f);
				bytes++;
			}
		}
	}
	fputc('\n', f);
	f = finish(f, "word_count.txt");
	for (i = 0; i < WC_VOCAB; i++) {
		cnt[i].i = i;
		distinct += cnt[i].n != 0;
	}
	qsort(cnt, WC_VOCAB, sizeof(*cnt), cmp_wcnt);
	fprintf(f, "words %llu\ndistinct %llu\n", (unsigned long long)words,
		(unsigned long long)distinct);
	for (k = 0; k < 10; k++) {
		vocab_word(cnt[k].i, w);
		fprintf(f, "top%d_count %llu\ntop%d_hash %llu\n", k + 1,
			(unsigned long long)cnt[k].n, k + 1,
			(unsigned long long)fnv(w));
	}
	finish_expect(f, "word_count.txt");
	free(cnt);
}

/* Phoenix string_match's keys. */
static const char *const sm_keys[4] = {
	"Helloworld", "howareyou", "ferrari", "whotheman"
};

static void gen_string_match(const struct sizes *s)
{
	uint64_t r = 0xda942042e4dd58b5ull, bytes = 0, hits[4] = { 0 };
	char path[4096], w[16];
	int col = 0, k;
	FILE *f;

	snprintf(params, sizeof(params), "params_v1_%llu 0\n",
		 (unsigned long long)s->sm_bytes);
	if (done("string_match.txt"))
		return;
	f = create("string_match.txt", path, sizeof(path));
	while (bytes < s->sm_bytes) {
		uint64_t x = wl_rand(&r);
		int len;

		if (x % 97 == 0) {
			k = (int)((x >> 8) % 4);
			strcpy(w, sm_keys[k]);
			len = (int)strlen(w);
		} else {
			len = 3 + (int)((x >> 8) % 10);
			for (k = 0; k < len; k++)
				w[k] = 'a' + (char)((x >> (12 + 4 * k)) % 26);
			w[len] = 0;
		}
		for (k = 0; k < 4; k++)
			hits[k] += !strcmp(w, sm_keys[k]);
		fputs(w, f);
		col += len + 1;
		bytes += len + 1;
		fputc(col > 70 ? '\n' : ' ', f);
		if (col > 70)
			col = 0;
	}
	fputc('\n', f);
	f = finish(f, "string_match.txt");
	for (k = 0; k < 4; k++)
		fprintf(f, "key%d %llu\n", k, (unsigned long long)hits[k]);
	finish_expect(f, "string_match.txt");
}

static void gen_kmeans(const struct sizes *s)
{
	uint64_t r = 0x853c49e6748fea9bull, sum = 0;
	int32_t centers[64][16], v;
	char path[4096];
	uint32_t i, d, c;
	FILE *f;

	snprintf(params, sizeof(params), "params_v1_%u_%u_%u 0\n", s->km_n,
		 s->km_dim, s->km_k);
	if (done("kmeans.pts"))
		return;
	f = create("kmeans.pts", path, sizeof(path));
	fputs("OOHKM1\n", f);
	put_u32(f, s->km_n);
	put_u32(f, s->km_dim);
	put_u32(f, s->km_k);
	for (c = 0; c < s->km_k; c++)
		for (d = 0; d < s->km_dim; d++)
			centers[c][d] = (int32_t)(wl_rand(&r) % 10000);
	for (i = 0; i < s->km_n; i++) {
		c = (uint32_t)(wl_rand(&r) % s->km_k);
		for (d = 0; d < s->km_dim; d++) {
			v = centers[c][d] + (int32_t)(wl_rand(&r) % 1201) - 600;
			fwrite(&v, 4, 1, f);
			sum += (uint64_t)(int64_t)v;
		}
	}
	f = finish(f, "kmeans.pts");
	fprintf(f, "points %u\ncoord_sum %llu\n", s->km_n,
		(unsigned long long)sum);
	finish_expect(f, "kmeans.pts");
}

static void gen_pca(const struct sizes *s)
{
	uint64_t r = 0xbf58476d1ce4e5b9ull, sum = 0, sumsq = 0;
	char path[4096];
	uint32_t i, n = s->pca_rows * s->pca_cols;
	int32_t v;
	FILE *f;

	snprintf(params, sizeof(params), "params_v1_%ux%u 0\n", s->pca_rows,
		 s->pca_cols);
	if (done("pca.mat"))
		return;
	f = create("pca.mat", path, sizeof(path));
	fputs("OOHPCA1\n", f);
	put_u32(f, s->pca_rows);
	put_u32(f, s->pca_cols);
	for (i = 0; i < n; i++) {
		/* rows share a trend so the covariance is not diagonal */
		v = (int32_t)(wl_rand(&r) % 256) + (int32_t)((i % s->pca_cols) % 64);
		fwrite(&v, 4, 1, f);
		sum += v;
		sumsq += (uint64_t)v * v;
	}
	f = finish(f, "pca.mat");
	fprintf(f, "sum %llu\nsumsq %llu\n", (unsigned long long)sum,
		(unsigned long long)sumsq);
	finish_expect(f, "pca.mat");
}

int main(int argc, char **argv)
{
	const struct sizes *s = NULL;
	const char *size = NULL;
	size_t i;

	for (i = 1; i + 1 < (size_t)argc; i += 2) {
		if (!strcmp(argv[i], "--size"))
			size = argv[i + 1];
		else if (!strcmp(argv[i], "--out"))
			outdir = argv[i + 1];
	}
	for (i = 0; size && i < sizeof(sizes) / sizeof(sizes[0]); i++)
		if (!strcmp(sizes[i].name, size))
			s = &sizes[i];
	if (!s || !outdir || argc != 5) {
		fprintf(stderr, "usage: gc-gen-inputs --size small|medium|large --out DIR\n");
		return 2;
	}
	if (mkdir(outdir, 0755) && errno != EEXIST)
		die(outdir);
	gen_histogram(s);
	gen_word_count(s);
	gen_string_match(s);
	gen_kmeans(s);
	gen_pca(s);
	return 0;
}
