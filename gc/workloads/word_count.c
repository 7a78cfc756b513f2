// SPDX-License-Identifier: GPL-2.0-only
/*
 * gc-word_count - Phoenix "word_count" on the Boehm heap: count the
 * occurrences of every word of a text and report the most frequent ones.
 *
 * Map tasks (64 KiB text chunks) count words into their own chained hash
 * tables (bucket arrays and entries are GC objects, words are
 * GC_MALLOC_ATOMIC strings); reduce merges the task tables into one global
 * table, dropping the task tables (garbage), and the top 10 come from a
 * GC-allocated list sorted by merge sort.  Verified against
 * word_count.txt.expect (word total, distinct words, top-10 counts and
 * word hashes).
 */
#include "wl.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define CHUNK		(64 * 1024)
#define TASK_BUCKETS	4096
#define GLOBAL_BUCKETS	(1 << 16)

struct entry {
	struct entry *next;	/* hash chain */
	char *word;		/* GC_MALLOC_ATOMIC, NUL-terminated */
	uint64_t hash;
	uint64_t count;
};

struct table {
	struct entry **b;
	size_t nb;
	size_t n;
};

static uint64_t fnv(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ull;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

static struct table *table_new(size_t nb)
{
	struct table *t = GC_MALLOC(sizeof(*t));

	t->b = GC_MALLOC(nb * sizeof(*t->b));
	if (!t || !t->b)
		wl_die("out of memory");
	t->nb = nb;
	return t;
}

static struct entry *table_add(struct table *t, const char *w, size_t len,
			       uint64_t h, uint64_t count, char *owned)
{
	struct entry *e, **slot = &t->b[h & (t->nb - 1)];

	for (e = *slot; e; e = e->next)
		if (e->hash == h && !strncmp(e->word, w, len) && !e->word[len]) {
			e->count += count;
			return e;
		}
	e = GC_MALLOC(sizeof(*e));
	if (!owned) {
		owned = GC_MALLOC_ATOMIC(len + 1);
		memcpy(owned, w, len);
		owned[len] = 0;
	}
	e->word = owned;
	e->hash = h;
	e->count = count;
	e->next = *slot;
	*slot = e;
	t->n++;
	return e;
}

/* List node for the final sort. */
struct node {
	struct node *next;
	struct entry *e;
};

static int before(const struct entry *a, const struct entry *b)
{
	if (a->count != b->count)
		return a->count > b->count;
	return strcmp(a->word, b->word) < 0;
}

static struct node *merge_sort(struct node *l)
{
	struct node *a = NULL, *b = NULL, *n, head, *tail = &head;
	int flip = 0;

	if (!l || !l->next)
		return l;
	while (l) {
		n = l->next;
		if (flip ^= 1) {
			l->next = a;
			a = l;
		} else {
			l->next = b;
			b = l;
		}
		l = n;
	}
	a = merge_sort(a);
	b = merge_sort(b);
	while (a && b) {
		if (before(a->e, b->e)) {
			tail->next = a;
			a = a->next;
		} else {
			tail->next = b;
			b = b->next;
		}
		tail = tail->next;
	}
	tail->next = a ? a : b;
	return head.next;
}

int main(int argc, char **argv)
{
	struct wl w;
	struct table *global, *task;
	struct node *list = NULL, *n;
	uint64_t words = 0;
	char *chunk, carry[256];
	size_t carry_len = 0, got, i;
	int fd, ok, k;

	wl_start(&w, argc, argv, "word_count");
	fd = wl_open(w.input);
	global = table_new(GLOBAL_BUCKETS);
	for (;;) {
		size_t start, len;

		/* each map task gets a fresh chunk buffer (atomic) */
		chunk = GC_MALLOC_ATOMIC(CHUNK + sizeof(carry));
		memcpy(chunk, carry, carry_len);
		got = wl_read(fd, chunk + carry_len, CHUNK);
		len = carry_len + got;
		carry_len = 0;
		if (got) {
			/* keep a word cut at the chunk end for the next task */
			size_t e = len;

			while (e > 0 && isalpha((unsigned char)chunk[e - 1]))
				e--;
			if (len - e < sizeof(carry)) {
				carry_len = len - e;
				memcpy(carry, chunk + e, carry_len);
				len = e;
			}
		}
		/* map */
		task = table_new(TASK_BUCKETS);
		for (i = 0; i < len;) {
			while (i < len && !isalpha((unsigned char)chunk[i]))
				i++;
			start = i;
			while (i < len && isalpha((unsigned char)chunk[i])) {
				chunk[i] = (char)tolower((unsigned char)chunk[i]);
				i++;
			}
			if (i > start) {
				table_add(task, chunk + start, i - start,
					  fnv(chunk + start, i - start), 1, NULL);
				words++;
			}
		}
		/* reduce into the global table; the task table becomes garbage */
		for (i = 0; i < task->nb; i++) {
			struct entry *e;

			for (e = task->b[i]; e; e = e->next)
				table_add(global, e->word, strlen(e->word),
					  e->hash, e->count, e->word);
		}
		if (!got)
			break;
	}
	close(fd);

	for (i = 0; i < global->nb; i++) {
		struct entry *e;

		for (e = global->b[i]; e; e = e->next) {
			n = GC_MALLOC(sizeof(*n));
			n->e = e;
			n->next = list;
			list = n;
		}
	}
	list = merge_sort(list);
	wl_stop(&w);

	ok = words == wl_expect(&w, "words") &&
	     global->n == wl_expect(&w, "distinct");
	if (!ok)
		fprintf(stderr, "word_count: %llu words, %zu distinct\n",
			(unsigned long long)words, global->n);
	for (k = 1, n = list; k <= 10 && n && ok; k++, n = n->next) {
		char key[32];

		snprintf(key, sizeof(key), "top%d_count", k);
		ok = n->e->count == wl_expect(&w, key);
		snprintf(key, sizeof(key), "top%d_hash", k);
		ok = ok && fnv(n->e->word, strlen(n->e->word)) == wl_expect(&w, key);
		if (!ok)
			fprintf(stderr, "word_count: top %d is '%s' x%llu\n", k,
				n->e->word, (unsigned long long)n->e->count);
	}
	wl_finish(&w, ok);
}
