/*
 * tests/unit/harness_hits.c: a test-local driver for one pattern-driven analyser (keys), see
 * the header. It compiles the analyser's own patterns with vectorscan, scans each in-memory
 * file whole and hands the hits (VOUCH_AHIT_CTX bytes of context on each side, a match cut at
 * VOUCH_AHIT_MAX_LEN, like the driver's) to file(); findings go to the library's real
 * collection (analyze/common.c).
 * Rejected: computing hits with memmem on fixed strings (that would not test the
 * analyser's real vectorscan expressions, which the driver compiles).
 */
#include <hs/hs.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness_hits.h"
#include "base/base.h"

int
stub_open(stub_run *r, const vouch_analyzer *a, const char *key_registry)
{
	const char **exprs;
	unsigned *flags, *ids;
	hs_compile_error_t *err = NULL;
	hs_database_t *db = NULL;
	hs_scratch_t *scratch = NULL;

	memset(r, 0, sizeof(*r));
	r->a = a;
	r->opts.key_registry = key_registry;
	if (vouch_findings_new(&r->fs) != VOUCH_OK) {
		return -1;
	}
	r->ctx.sink = r->fs;
	r->ctx.opts = &r->opts;
	exprs = calloc(a->npatterns, sizeof(*exprs));
	flags = calloc(a->npatterns, sizeof(*flags));
	ids = calloc(a->npatterns, sizeof(*ids));
	for (size_t i = 0; i < a->npatterns; i++) {
		exprs[i] = a->patterns[i].expr;
		flags[i] = a->patterns[i].flags | HS_FLAG_SOM_LEFTMOST;
		ids[i] = (unsigned)i;
	}
	if (hs_compile_multi(exprs, flags, ids, (unsigned)a->npatterns, HS_MODE_BLOCK, NULL, &db,
			     &err) != HS_SUCCESS) {
		fprintf(stderr, "stub: pattern %d: %s\n", err ? err->expression : -1,
			err ? err->message : "?");
		hs_free_compile_error(err);
		free(exprs);
		free(flags);
		free(ids);
		return -1;
	}
	free(exprs);
	free(flags);
	free(ids);
	if (hs_alloc_scratch(db, &scratch) != HS_SUCCESS) {
		hs_free_database(db);
		return -1;
	}
	r->db = db;
	r->scratch = scratch;
	if (a->init(&r->ctx, &r->state) != VOUCH_OK) {
		return -1;
	}
	return 0;
}

typedef struct hitlist {
	vouch_ahit *v;
	size_t n, cap;
	const stub_run *r;
	const uint8_t *data;
	size_t len;
} hitlist;

static int
on_match(unsigned id, unsigned long long from, unsigned long long to, unsigned fl, void *ud)
{
	hitlist *h = ud;
	vouch_ahit *x;

	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 64;
		vouch_ahit *v = realloc(h->v, cap * sizeof(*v));
		if (v == NULL) {
			return 1;
		}
		h->v = v;
		h->cap = cap;
	}
	x = &h->v[h->n++];
	x->tag = h->r->a->patterns[id].tag;
	x->from = from;
	x->to = to;
	x->bytes = h->data + from;
	x->len = (size_t)VOUCH_MIN(to - from, (unsigned long long)VOUCH_AHIT_MAX_LEN);
	x->nbefore = (size_t)VOUCH_MIN(from, (unsigned long long)VOUCH_AHIT_CTX);
	x->before = h->data + from - x->nbefore;
	x->after = h->data + to;
	x->nafter = (size_t)VOUCH_MIN(h->len - to, (size_t)VOUCH_AHIT_CTX);
	return 0;
}

static int
cmp_hit(const void *a, const void *b)
{
	const vouch_ahit *x = a, *y = b;

	if (x->from != y->from) {
		return x->from < y->from ? -1 : 1;
	}
	return x->to < y->to ? -1 : x->to > y->to;
}

void
stub_file(stub_run *r, const char *path, const uint8_t *data, size_t len, bool hold,
	  const char *container)
{
	hitlist h = {.r = r, .data = data, .len = len};
	vouch_file f;
	vouch_afile af;
	static const uint8_t empty[1];

	if (data == NULL) {
		data = empty;
		h.data = empty;
	}
	hs_scan(r->db, (const char *)data, (unsigned)len, 0, r->scratch, on_match, &h);
	if (h.n > 0) {
		qsort(h.v, h.n, sizeof(*h.v), cmp_hit);
	}
	memset(&f, 0, sizeof(f));
	f.path = path;
	f.size = len;
	f.container = container;
	f.depth = 1;
	memset(&af, 0, sizeof(af));
	af.f = &f;
	af.data = hold ? data : NULL;
	af.len = hold ? len : 0;
	af.cut = !hold;
	r->last_nhits = h.n;
	r->a->file(&r->ctx, r->state, &af, h.v, h.n);
	free(h.v);
}

void
stub_finish(stub_run *r, const char *root, const uint8_t digest[32], const vouch_region *regions,
	    size_t nregions)
{
	vouch_file f;
	vouch_report rep;

	memset(&f, 0, sizeof(f));
	memset(&rep, 0, sizeof(rep));
	f.path = root;
	f.depth = 0;
	if (digest != NULL) {
		f.has_sha256 = true;
		memcpy(f.sha256, digest, 32);
	}
	rep.files = &f;
	rep.nfiles = 1;
	rep.regions = regions;
	rep.nregions = nregions;
	r->a->finish(&r->ctx, r->state, &rep);
}

void
stub_close(stub_run *r)
{
	if (r->a != NULL && r->state != NULL) {
		r->a->free(r->state);
	}
	hs_free_scratch(r->scratch);
	hs_free_database(r->db);
	vouch_findings_free(r->fs);
	memset(r, 0, sizeof(*r));
}

size_t
stub_count(stub_run *r, const char *id, const char *path)
{
	size_t n, k = 0;
	const vouch_finding *v = vouch_findings_list(r->fs, &n);

	for (size_t i = 0; i < n; i++) {
		if (strcmp(v[i].id, id) == 0 && (path == NULL || strcmp(v[i].path, path) == 0)) {
			k++;
		}
	}
	return k;
}

const vouch_finding *
stub_get(stub_run *r, const char *id, size_t nth)
{
	size_t n;
	const vouch_finding *v = vouch_findings_list(r->fs, &n);

	for (size_t i = 0; i < n; i++) {
		if (strcmp(v[i].id, id) == 0 && nth-- == 0) {
			return &v[i];
		}
	}
	return NULL;
}
