// SPDX-License-Identifier: GPL-2.0-only
/*
 * gc-histogram - Phoenix "histogram" on the Boehm heap: R, G and B
 * histograms (256 bins each) of a 24-bit image.
 *
 * As in Phoenix's map-reduce version, the image is split into map tasks
 * (row blocks); each map task emits one key-value node per non-empty bin
 * into an intermediate table of 768 per-key lists, and reduce sums each
 * list.  Pixel data is pointer-free (GC_MALLOC_ATOMIC) and stays live like
 * Phoenix's mapped input; task descriptors and key-value nodes are
 * pointer-bearing objects, so marking has real work.  Verified against the
 * counts gc-gen-inputs wrote in histogram.img.expect.
 */
#include "wl.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define ROWS_PER_TASK 16

struct kv {
	struct kv *next;
	uint64_t count;
};

struct task {
	struct task *next;
	unsigned char *pix;	/* GC_MALLOC_ATOMIC, 3 * width * rows bytes */
	size_t len;
	struct kv **emitted;	/* this task's contribution, for reduce */
};

int main(int argc, char **argv)
{
	struct wl w;
	struct task *tasks = NULL, **tail = &tasks, *t;
	struct kv **inter;	/* 768 intermediate lists */
	uint64_t *result, width, height, pixels = 0;
	unsigned char hdr[16];
	int fd, ok = 1;
	size_t i;

	wl_start(&w, argc, argv, "histogram");
	fd = wl_open(w.input);
	if (read(fd, hdr, 16) != 16 || memcmp(hdr, "OOHIMG1\n", 8))
		wl_die("%s: not an OOHIMG1 file", w.input);
	width = *(uint32_t *)(hdr + 8);
	height = *(uint32_t *)(hdr + 12);

	/* Load: one pointer-free buffer per map task, linked tasks. */
	for (i = 0; i < height; i += ROWS_PER_TASK) {
		size_t rows = height - i < ROWS_PER_TASK ? height - i : ROWS_PER_TASK;

		t = GC_MALLOC(sizeof(*t));
		t->len = 3 * width * rows;
		t->pix = GC_MALLOC_ATOMIC(t->len);
		if (!t || !t->pix)
			wl_die("out of memory");
		if (wl_read(fd, t->pix, t->len) != t->len)
			wl_die("%s: short file", w.input);
		*tail = t;
		tail = &t->next;
	}
	close(fd);

	/* Map: count locally, emit a kv node per non-empty bin. */
	inter = GC_MALLOC(768 * sizeof(*inter));
	for (t = tasks; t; t = t->next) {
		uint32_t local[768];
		int b;

		memset(local, 0, sizeof(local));
		for (i = 0; i < t->len; i += 3) {
			local[t->pix[i]]++;
			local[256 + t->pix[i + 1]]++;
			local[512 + t->pix[i + 2]]++;
		}
		t->emitted = GC_MALLOC(768 * sizeof(*t->emitted));
		for (b = 0; b < 768; b++) {
			struct kv *kv;

			if (!local[b])
				continue;
			kv = GC_MALLOC(sizeof(*kv));
			kv->count = local[b];
			kv->next = inter[b];
			inter[b] = kv;
			t->emitted[b] = kv;
		}
	}

	/* Reduce: sum each key's list. */
	result = GC_MALLOC_ATOMIC(768 * sizeof(*result));
	for (i = 0; i < 768; i++) {
		struct kv *kv;

		result[i] = 0;
		for (kv = inter[i]; kv; kv = kv->next)
			result[i] += kv->count;
	}
	wl_stop(&w);
	for (i = 0; i < 256; i++)
		pixels += result[i];

	ok = pixels == wl_expect(&w, "pixels") && pixels == width * height;
	for (i = 0; i < 768 && ok; i++) {
		char key[8];

		snprintf(key, sizeof(key), "%c%zu", "bgr"[i / 256], i % 256);
		if (result[i] != wl_expect(&w, key)) {
			fprintf(stderr, "histogram: bin %s = %llu, expected %llu\n",
				key, (unsigned long long)result[i],
				(unsigned long long)wl_expect(&w, key));
			ok = 0;
		}
	}
	wl_finish(&w, ok);
}
