// SPDX-License-Identifier: GPL-2.0-only
/*
 * gc-string_match - Phoenix "string_match" on the Boehm heap: "encrypt"
 * every word of a text with a simple keyed transform and compare it with
 * the encrypted forms of four keys (Phoenix's Helloworld, howareyou,
 * ferrari, whotheman).
 *
 * Every line is copied into its own GC_MALLOC_ATOMIC string and indexed by
 * a growing GC-allocated line table (pointers, live to the end); every
 * word's encrypted copy is a short-lived atomic object (garbage); each
 * match is a GC node pointing at its line.  Verified against the key
 * counts in string_match.txt.expect, and every match node is re-checked.
 */
#include "wl.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define CHUNK (256 * 1024)

static const char *const keys[4] = {
	"Helloworld", "howareyou", "ferrari", "whotheman"
};

struct match {
	struct match *next;
	char *line;		/* the GC line string it was found in */
	uint32_t off, len;
	int key;
};

static char *encrypt(const char *w, size_t len)
{
	char *e = GC_MALLOC_ATOMIC(len + 1);
	size_t i;

	for (i = 0; i < len; i++)
		e[i] = (char)(((unsigned char)w[i] + 7 * i + 3) ^ 0x5a);
	e[len] = 0;
	return e;
}

int main(int argc, char **argv)
{
	struct wl w;
	char *enc_keys[4], *buf, **lines;
	size_t keylen[4], nlines = 0, cap = 1024, fill = 0, got, i;
	struct match *matches = NULL, *m;
	uint64_t hits[4] = { 0 };
	int fd, k, ok;

	wl_start(&w, argc, argv, "string_match");
	fd = wl_open(w.input);
	for (k = 0; k < 4; k++) {
		keylen[k] = strlen(keys[k]);
		enc_keys[k] = encrypt(keys[k], keylen[k]);
	}
	lines = GC_MALLOC(cap * sizeof(*lines));
	buf = GC_MALLOC_ATOMIC(CHUNK);
	do {
		size_t start = 0;

		got = wl_read(fd, buf + fill, CHUNK - fill);
		fill += got;
		for (i = 0; i < fill; i++) {
			char *line;
			size_t len, p;

			if (buf[i] != '\n' && (got || i + 1 < fill))
				continue;
			len = i - start + (buf[i] != '\n');
			line = GC_MALLOC_ATOMIC(len + 1);
			memcpy(line, buf + start, len);
			line[len] = 0;
			if (nlines == cap) {
				char **n = GC_MALLOC(2 * cap * sizeof(*n));

				memcpy(n, lines, cap * sizeof(*n));
				lines = n;	/* old table: garbage */
				cap *= 2;
			}
			lines[nlines++] = line;
			start = i + 1;
			/* words of the line */
			for (p = 0; p < len;) {
				size_t ws;
				char *e;

				while (p < len && line[p] == ' ')
					p++;
				ws = p;
				while (p < len && line[p] != ' ')
					p++;
				if (p == ws)
					continue;
				e = encrypt(line + ws, p - ws);
				for (k = 0; k < 4; k++) {
					if (keylen[k] != p - ws ||
					    memcmp(e, enc_keys[k], keylen[k]))
						continue;
					m = GC_MALLOC(sizeof(*m));
					m->line = line;
					m->off = (uint32_t)ws;
					m->len = (uint32_t)(p - ws);
					m->key = k;
					m->next = matches;
					matches = m;
					hits[k]++;
				}
			}
		}
		/* move the unfinished line to the front of a fresh buffer */
		{
			char *nb = GC_MALLOC_ATOMIC(CHUNK);

			fill -= start;
			if (fill == CHUNK)
				wl_die("%s: line longer than %d bytes", w.input, CHUNK);
			memcpy(nb, buf + start, fill);
			buf = nb;
		}
	} while (got);
	close(fd);
	wl_stop(&w);

	ok = 1;
	for (k = 0; k < 4; k++) {
		char key[8];

		snprintf(key, sizeof(key), "key%d", k);
		if (hits[k] != wl_expect(&w, key)) {
			fprintf(stderr, "string_match: %s found %llu times\n",
				keys[k], (unsigned long long)hits[k]);
			ok = 0;
		}
	}
	for (m = matches; m && ok; m = m->next)
		ok = m->len == keylen[m->key] &&
		     !memcmp(m->line + m->off, keys[m->key], m->len);
	wl_finish(&w, ok);
}
