// SPDX-License-Identifier: GPL-2.0-only
/*
 * gc-gcbench - a GCBench-style binary-tree benchmark (after the classic
 * benchmark by Ellis, Kovac and Boehm), written for this project.
 *
 * Phases: build and drop a big "stretch" tree; build a long-lived tree
 * and a long-lived pointer-free array; then, for depths min..max in steps
 * of 2, build many short-lived trees both top-down (populate an allocated
 * root) and bottom-up (make children first), each check-summed and
 * dropped.  The long-lived structures must survive intact.  Sizes:
 * --size small|medium|large sets the maximum depth to 13|16|18 (medium
 * is the classic configuration; small is sized for the guest's quick
 * matrix, about 4 s of guest time).
 */
#include "wl.h"

#include <stdio.h>
#include <string.h>

struct tnode {
	struct tnode *l, *r;
	int64_t a, b;
};

static struct tnode *tnode(struct tnode *l, struct tnode *r)
{
	struct tnode *n = GC_MALLOC(sizeof(*n));

	if (!n)
		wl_die("out of memory");
	n->l = l;
	n->r = r;
	return n;
}

/* Nodes in a complete binary tree of depth d. */
static int64_t tree_size(int d)
{
	return ((int64_t)1 << (d + 1)) - 1;
}

static void populate(int d, struct tnode *n)
{
	if (d <= 0)
		return;
	n->l = tnode(NULL, NULL);
	n->r = tnode(NULL, NULL);
	populate(d - 1, n->l);
	populate(d - 1, n->r);
}

static struct tnode *make_tree(int d)
{
	return d <= 0 ? tnode(NULL, NULL) :
			tnode(make_tree(d - 1), make_tree(d - 1));
}

static int64_t count(const struct tnode *n)
{
	return n ? 1 + count(n->l) + count(n->r) : 0;
}

int main(int argc, char **argv)
{
	struct wl w;
	struct tnode *long_lived, *t;
	double *array;
	int max_depth, min_depth = 4, stretch, long_depth, d, ok = 1;
	int64_t i, iters, array_size;

	wl_start(&w, argc, argv, "gcbench");
	if (!strcmp(w.size, "small"))
		max_depth = 13;
	else if (!strcmp(w.size, "large"))
		max_depth = 18;
	else
		max_depth = 16;
	stretch = max_depth + 2;
	long_depth = max_depth;
	array_size = (int64_t)1 << (max_depth + 3);

	t = make_tree(stretch);
	ok &= count(t) == tree_size(stretch);
	t = NULL;

	long_lived = tnode(NULL, NULL);
	populate(long_depth, long_lived);
	array = GC_MALLOC_ATOMIC(array_size * sizeof(*array));
	for (i = 0; i < array_size / 2; i++)
		array[i] = 1.0 / (double)(i + 1);

	for (d = min_depth; d <= max_depth; d += 2) {
		iters = 2 * tree_size(stretch) / tree_size(d);
		for (i = 0; i < iters; i++) {
			t = tnode(NULL, NULL);
			populate(d, t);
			ok &= count(t) == tree_size(d);
			t = make_tree(d);
			ok &= count(t) == tree_size(d);
		}
	}
	wl_stop(&w);
	ok &= count(long_lived) == tree_size(long_depth);
	ok &= array[1000] == 1.0 / 1001.0;
	if (!ok)
		fprintf(stderr, "gcbench: a tree or the array was corrupted\n");
	wl_finish(&w, ok);
}
