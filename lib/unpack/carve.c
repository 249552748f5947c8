/*
 * unpack/carve.c: the signature scanner that finds containers at any offset.
 *
 * Every format declares its signatures (bytes + their offset from the region start) in its
 * vouch_fmt. At first use they are indexed by their first byte; the scanner then looks at
 * each input byte once, and only positions whose byte starts some signature are compared in
 * full. It runs inside the engine's single pass over a file's bytes, chunk by chunk, keeping
 * the last bytes of the previous chunk so a signature split across two chunks is still seen.
 * Hits are only candidates: the format's probe() decides. A hostile blob full of signatures
 * is bounded by limits.max_carve_candidates.
 * Rejected: vectorscan here (a dependency for ~30 short literals; the byte table is within
 * a small factor of memory bandwidth); it is planned for the indicator analysers.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "unpack/engine.h"

#define MAX_SIGS 256
#define MAX_SIG_LEN 16

typedef struct sig {
	const uint8_t *bytes;
	uint8_t len;
	uint16_t at;
	const vouch_fmt *fmt;
} sig;

static sig sigs[MAX_SIGS];
static size_t nsigs;
/* first byte -> index range into sigs (sorted by first byte) */
static uint16_t first_lo[256], first_hi[256];
/* bit (b0 << 8 | b1) set when some signature starts with bytes b0 b1: a cheap filter */
static uint8_t pair[65536 / 8];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static int
sig_cmp(const void *a, const void *b)
{
	const sig *x = a, *y = b;
	return (int)x->bytes[0] - (int)y->bytes[0];
}

static void
build(void)
{
	for (size_t i = 0; vouch_fmt_table[i] != NULL; i++) {
		const vouch_fmt *f = vouch_fmt_table[i];
		if (f->whole_only) {
			continue; /* tried at offset 0 only, by vouch_carve_at_start() */
		}
		for (size_t k = 0; k < VOUCH_ARRAY_LEN(f->magic) && f->magic[k].len > 0; k++) {
			if (nsigs == MAX_SIGS || f->magic[k].len > MAX_SIG_LEN) {
				continue;
			}
			sigs[nsigs++] = (sig){(const uint8_t *)f->magic[k].bytes, f->magic[k].len,
					      f->magic[k].at, f};
		}
	}
	/* stable enough: formats with the same first byte keep table order via mergesort-like
	 * insertion below (qsort is not stable, so sort by (byte, original index)) */
	for (size_t i = 1; i < nsigs; i++) {
		sig t = sigs[i];
		size_t j = i;
		while (j > 0 && sigs[j - 1].bytes[0] > t.bytes[0]) {
			sigs[j] = sigs[j - 1];
			j--;
		}
		sigs[j] = t;
	}
	(void)sig_cmp;
	for (size_t i = 0; i < nsigs; i++) {
		uint8_t b = sigs[i].bytes[0];
		if (first_hi[b] == 0) {
			first_lo[b] = (uint16_t)i;
		}
		first_hi[b] = (uint16_t)(i + 1);
		unsigned k = (unsigned)b << 8 | (sigs[i].len > 1 ? sigs[i].bytes[1] : 0);
		if (sigs[i].len > 1) {
			pair[k >> 3] |= (uint8_t)(1u << (k & 7));
		} else {
			for (unsigned x = 0; x < 256; x++) { /* one-byte signature: any follower */
				unsigned kk = (unsigned)b << 8 | x;
				pair[kk >> 3] |= (uint8_t)(1u << (kk & 7));
			}
		}
	}
}

void
vouch_carver_init(vouch_carver *c, size_t max_hits)
{
	pthread_once(&once, build);
	memset(c, 0, sizeof(*c));
	c->max = max_hits;
}

void
vouch_carver_fini(vouch_carver *c)
{
	free(c->hits);
	memset(c, 0, sizeof(*c));
}

static void
add_hit(vouch_carver *c, uint64_t pos, const sig *s)
{
	if (pos < s->at) {
		return; /* the region would start before the file */
	}
	if (c->nhits == c->max) {
		c->overflow = true;
		return;
	}
	if (c->nhits == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 64;
		vouch_hit *h = realloc(c->hits, ncap * sizeof(*h));
		if (h == NULL) {
			c->overflow = true;
			return;
		}
		c->hits = h;
		c->cap = ncap;
	}
	c->hits[c->nhits++] = (vouch_hit){pos - s->at, s->fmt};
}

/* Check every position of p[0..n) whose signature fits entirely in p. base = offset of p[0]. */
static void
scan(vouch_carver *c, const uint8_t *p, size_t n, uint64_t base, size_t first, size_t last)
{
	size_t end = VOUCH_MIN(last, n);

	/* hot loop: one 16-bit pair test per position; only pairs that start a signature
	 * (about 1 in 2000 positions of real binaries) go on to the full comparison */
	for (size_t i = first; i + 1 < end; i++) {
		unsigned k = (unsigned)p[i] << 8 | p[i + 1];
		if ((pair[k >> 3] & (1u << (k & 7))) == 0) {
			continue;
		}
		uint8_t b = p[i];
		for (size_t q = first_lo[b]; q < first_hi[b]; q++) {
			const sig *s = &sigs[q];
			if (i + s->len <= n && memcmp(p + i, s->bytes, s->len) == 0) {
				add_hit(c, base + i, s);
			}
		}
	}
	/* the last position of the range: its pair runs past the end; check it plainly */
	if (end > first && end == n) {
		size_t i = end - 1;
		uint8_t b = p[i];
		for (size_t q = first_lo[b]; q < first_hi[b]; q++) {
			const sig *s = &sigs[q];
			if (i + s->len <= n && memcmp(p + i, s->bytes, s->len) == 0) {
				add_hit(c, base + i, s);
			}
		}
	} else if (end > first && end < n) {
		size_t i = end - 1;
		unsigned k = (unsigned)p[i] << 8 | p[i + 1];
		if ((pair[k >> 3] & (1u << (k & 7))) != 0) {
			uint8_t b = p[i];
			for (size_t q = first_lo[b]; q < first_hi[b]; q++) {
				const sig *s = &sigs[q];
				if (i + s->len <= n && memcmp(p + i, s->bytes, s->len) == 0) {
					add_hit(c, base + i, s);
				}
			}
		}
	}
}

void
vouch_carver_feed(vouch_carver *c, const uint8_t *p, size_t n)
{
	if (n == 0 || c->overflow) {
		c->pos += n;
		return;
	}
	/* positions that started in the previous chunk's tail and run into this chunk */
	if (c->tail_len > 0) {
		uint8_t tmp[2 * MAX_SIG_LEN];
		size_t take = VOUCH_MIN(n, (size_t)MAX_SIG_LEN);
		memcpy(tmp, c->tail, c->tail_len);
		memcpy(tmp + c->tail_len, p, take);
		/* only positions inside the tail; those in p are scanned below */
		size_t tn = c->tail_len + take;
		for (size_t i = 0; i < c->tail_len; i++) {
			uint8_t b = tmp[i];
			for (size_t k = first_lo[b]; k < first_hi[b]; k++) {
				const sig *s = &sigs[k];
				/* a signature fully inside the old tail was found last time */
				if (i + s->len <= c->tail_len) {
					continue;
				}
				if (i + s->len <= tn && memcmp(tmp + i, s->bytes, s->len) == 0) {
					add_hit(c, c->pos - c->tail_len + i, s);
				}
			}
		}
	}
	/* positions in this chunk; those near the end whose signature would run past it are
	 * left for the next call (through the tail), except at the very end of the file */
	scan(c, p, n, c->pos, 0, n);
	size_t keep = VOUCH_MIN(n, (size_t)(MAX_SIG_LEN - 1));
	memcpy(c->tail, p + n - keep, keep);
	c->tail_len = keep;
	c->pos += n;
}

static int
hit_cmp(const void *a, const void *b)
{
	const vouch_hit *x = a, *y = b;
	if (x->start != y->start) {
		return x->start < y->start ? -1 : 1;
	}
	/* same start: the format listed first in the table wins */
	size_t ix = 0, iy = 0;
	for (size_t i = 0; vouch_fmt_table[i] != NULL; i++) {
		if (vouch_fmt_table[i] == x->fmt) {
			ix = i;
		}
		if (vouch_fmt_table[i] == y->fmt) {
			iy = i;
		}
	}
	return (ix > iy) - (ix < iy);
}

void
vouch_carver_sort(vouch_carver *c)
{
	size_t k = 0;

	if (c->nhits == 0) {
		return;
	}
	qsort(c->hits, c->nhits, sizeof(*c->hits), hit_cmp);
	for (size_t i = 0; i < c->nhits; i++) {
		if (k > 0 && c->hits[k - 1].start == c->hits[i].start &&
		    c->hits[k - 1].fmt == c->hits[i].fmt) {
			continue;
		}
		c->hits[k++] = c->hits[i];
	}
	c->nhits = k;
}

size_t
vouch_carve_at_start(const uint8_t *head, size_t n, const vouch_fmt **out, size_t max)
{
	size_t k = 0;

	pthread_once(&once, build);
	for (size_t i = 0; vouch_fmt_table[i] != NULL && k < max; i++) {
		const vouch_fmt *f = vouch_fmt_table[i];
		for (size_t m = 0; m < VOUCH_ARRAY_LEN(f->magic) && f->magic[m].len > 0; m++) {
			const vouch_magic *g = &f->magic[m];
			if ((size_t)g->at + g->len <= n &&
			    memcmp(head + g->at, g->bytes, g->len) == 0) {
				out[k++] = f;
				break;
			}
		}
	}
	return k;
}
