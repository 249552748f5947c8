/*
 * unpack/visitor.c: several visitors sharing the unpacker's one pass (vouch_visitor_chain).
 *
 * The chain is itself a visitor whose ud holds a copy of the member visitors. For each file
 * it keeps one small state (allocated at file_begin, freed at file_end) with each member's
 * own state and whether that member accepted the file: a member whose file_begin fails sees
 * nothing more of that file, the others carry on, exactly as the engine treats a single
 * visitor that refuses a file. Members are called in the order given, so a later visitor may
 * rely on an earlier one having seen the same bytes (not that any does today).
 */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "vouch/scan.h"

/* Visitors in one chain: the analysis, the identifier, and room for a few more; a chain is
 * built by our own code, never from input. */
#define CHAIN_MAX 16

typedef struct chain {
	size_t n;
	vouch_visitor v[CHAIN_MAX];
} chain;

typedef struct chain_file {
	void *st[CHAIN_MAX];
	bool on[CHAIN_MAX];
} chain_file;

static int
ch_begin(void *ud, const vouch_file *f, void **state)
{
	chain *c = ud;
	chain_file *cf = calloc(1, sizeof(*cf));
	int first_err = VOUCH_OK;
	bool any = false;

	*state = NULL;
	if (cf == NULL) {
		return VOUCH_E_NOMEM;
	}
	for (size_t i = 0; i < c->n; i++) {
		int rc = VOUCH_OK;
		if (c->v[i].file_begin != NULL) {
			rc = c->v[i].file_begin(c->v[i].ud, f, &cf->st[i]);
		}
		if (rc == VOUCH_OK) {
			cf->on[i] = true;
			any = true;
		} else if (first_err == VOUCH_OK) {
			first_err = rc;
		}
	}
	if (!any && c->n > 0) {
		free(cf);
		return first_err;
	}
	*state = cf;
	return VOUCH_OK;
}

static int
ch_data(void *ud, void *state, const uint8_t *p, size_t n, uint64_t offset)
{
	chain *c = ud;
	chain_file *cf = state;
	int first_err = VOUCH_OK;

	if (cf == NULL) {
		return VOUCH_OK;
	}
	for (size_t i = 0; i < c->n; i++) {
		if (cf->on[i] && c->v[i].file_data != NULL) {
			int rc = c->v[i].file_data(c->v[i].ud, cf->st[i], p, n, offset);
			if (rc != VOUCH_OK && first_err == VOUCH_OK) {
				first_err = rc;
			}
		}
	}
	return first_err;
}

static int
ch_end(void *ud, void *state, const vouch_file *f)
{
	chain *c = ud;
	chain_file *cf = state;
	int first_err = VOUCH_OK;

	if (cf == NULL) {
		return VOUCH_OK;
	}
	for (size_t i = 0; i < c->n; i++) {
		if (cf->on[i] && c->v[i].file_end != NULL) {
			int rc = c->v[i].file_end(c->v[i].ud, cf->st[i], f);
			if (rc != VOUCH_OK && first_err == VOUCH_OK) {
				first_err = rc;
			}
		}
	}
	free(cf);
	return first_err;
}

int
vouch_visitor_chain(const vouch_visitor *v, size_t n, vouch_visitor *out)
{
	chain *c;

	if (out == NULL || (v == NULL && n > 0) || n > CHAIN_MAX) {
		return VOUCH_E_USAGE;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		return VOUCH_E_NOMEM;
	}
	c->n = n;
	if (n > 0) {
		memcpy(c->v, v, n * sizeof(*v));
	}
	out->ud = c;
	out->file_begin = ch_begin;
	out->file_data = ch_data;
	out->file_end = ch_end;
	return VOUCH_OK;
}

void
vouch_visitor_chain_free(vouch_visitor *chain_v)
{
	if (chain_v == NULL) {
		return;
	}
	free(chain_v->ud);
	memset(chain_v, 0, sizeof(*chain_v));
}
