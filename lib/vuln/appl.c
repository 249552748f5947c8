/*
 * vuln/appl.c: the applicability encoding (see vuln_int.h for the model).
 *
 * Layout, little-endian:
 *   u8 version (1), u32 nnodes,
 *   per node: u8 op, u8 flags, u32 parent, u32 nleaves, then its leaves;
 *   per leaf: u8 flags, then seven strings (vendor, product, version, update, start, end,
 *   text), each u16 length, the bytes, and a NUL (so decoding points into the blob).
 * Decoding checks everything a damaged database could break: counts against the limits and
 * the bytes left, parent < index, ops and the terminating NULs; a record that fails is
 * reported, never half-evaluated.
 *
 * Rejected: storing the feeds' JSON and re-parsing it at match time (ten times slower for
 * the Linux kernel's thousands of records) and one SQL row per CPE match (a record's AND/OR
 * structure would have to be rebuilt from rows).
 */
#include <stdlib.h>
#include <string.h>

#include "vuln/vuln_int.h"

#define APPL_FORMAT 1

int
vouch_appl_add_node(vouch_appl *a, uint8_t op, uint8_t flags, uint32_t parent, uint32_t *idx)
{
	if (a->nnodes >= VULN_MAX_NODES || (a->nnodes > 0 && parent >= a->nnodes) ||
	    (a->nnodes == 0 && parent != UINT32_MAX)) {
		return VOUCH_E_LIMIT;
	}
	if (a->nnodes == a->capn) {
		size_t nc = a->capn ? a->capn * 2 : 16;
		vouch_appl_node *n = realloc(a->nodes, nc * sizeof(*n));

		if (n == NULL) {
			return VOUCH_E_NOMEM;
		}
		a->nodes = n;
		a->capn = nc;
	}
	a->nodes[a->nnodes] = (vouch_appl_node){op, flags, parent, (uint32_t)a->nleaves, 0};
	if (idx != NULL) {
		*idx = (uint32_t)a->nnodes;
	}
	a->nnodes++;
	return VOUCH_OK;
}

int
vouch_appl_add_leaf(vouch_appl *a, const vouch_appl_leaf *l)
{
	if (a->nnodes == 0) {
		return VOUCH_E_INTERNAL;
	}
	if (a->nleaves >= VULN_MAX_LEAVES) {
		return VOUCH_E_LIMIT;
	}
	if (a->nleaves == a->capl) {
		size_t nc = a->capl ? a->capl * 2 : 32;
		vouch_appl_leaf *n = realloc(a->leaves, nc * sizeof(*n));

		if (n == NULL) {
			return VOUCH_E_NOMEM;
		}
		a->leaves = n;
		a->capl = nc;
	}
	/* leaves are added to the last node, so they are contiguous per node */
	a->leaves[a->nleaves++] = *l;
	a->nodes[a->nnodes - 1].nleaves++;
	return VOUCH_OK;
}

void
vouch_appl_reset(vouch_appl *a)
{
	a->nnodes = 0;
	a->nleaves = 0;
}

void
vouch_appl_free(vouch_appl *a)
{
	free(a->nodes);
	free(a->leaves);
	memset(a, 0, sizeof(*a));
}

/* ---- encoding ---------------------------------------------------------------------- */

typedef struct wbuf {
	uint8_t *p;
	size_t n, cap;
	int err;
} wbuf;

static void
put(wbuf *w, const void *p, size_t n)
{
	if (w->err != 0) {
		return;
	}
	if (w->cap - w->n < n) {
		size_t nc = w->cap ? w->cap : 256;
		uint8_t *np;

		while (nc - w->n < n) {
			nc *= 2;
		}
		np = realloc(w->p, nc);
		if (np == NULL) {
			w->err = VOUCH_E_NOMEM;
			return;
		}
		w->p = np;
		w->cap = nc;
	}
	memcpy(w->p + w->n, p, n);
	w->n += n;
}

static void
put_u8(wbuf *w, uint8_t v)
{
	put(w, &v, 1);
}

static void
put_u32(wbuf *w, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};

	put(w, b, 4);
}

static void
put_str(wbuf *w, const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;
	uint8_t b[2];

	if (n > VULN_MAX_STR) {
		w->err = VOUCH_E_LIMIT;
		return;
	}
	b[0] = (uint8_t)n;
	b[1] = (uint8_t)(n >> 8);
	put(w, b, 2);
	put(w, s != NULL ? s : "", n);
	put_u8(w, 0);
}

int
vouch_appl_encode(const vouch_appl *a, uint8_t **out, size_t *len)
{
	wbuf w = {0};

	put_u8(&w, APPL_FORMAT);
	put_u32(&w, (uint32_t)a->nnodes);
	for (size_t i = 0; i < a->nnodes; i++) {
		const vouch_appl_node *nd = &a->nodes[i];

		put_u8(&w, nd->op);
		put_u8(&w, nd->flags);
		put_u32(&w, nd->parent);
		put_u32(&w, nd->nleaves);
		for (uint32_t k = 0; k < nd->nleaves; k++) {
			const vouch_appl_leaf *l = &a->leaves[nd->first_leaf + k];

			put_u8(&w, l->flags);
			put_str(&w, l->vendor);
			put_str(&w, l->product);
			put_str(&w, l->version);
			put_str(&w, l->update);
			put_str(&w, l->start);
			put_str(&w, l->end);
			put_str(&w, l->text);
		}
	}
	if (w.err != 0) {
		free(w.p);
		return w.err;
	}
	*out = w.p;
	*len = w.n;
	return VOUCH_OK;
}

/* ---- decoding ---------------------------------------------------------------------- */

static int
get_str(vouch_rd *r, const char **s)
{
	uint16_t n;
	const uint8_t *p;

	if (vouch_rd_u16le(r, &n) != VOUCH_OK || n > VULN_MAX_STR ||
	    vouch_rd_view(r, (size_t)n + 1, &p) != VOUCH_OK || p[n] != 0) {
		return VOUCH_E_MALFORMED;
	}
	*s = (const char *)p;
	return VOUCH_OK;
}

int
vouch_appl_decode(vouch_appl *a, const uint8_t *blob, size_t len)
{
	vouch_rd r;
	uint8_t ver;
	uint32_t nn;
	int rc;

	vouch_appl_reset(a);
	vouch_rd_init(&r, blob, len);
	if (vouch_rd_u8(&r, &ver) != VOUCH_OK || ver != APPL_FORMAT ||
	    vouch_rd_u32le(&r, &nn) != VOUCH_OK || nn == 0 || nn > VULN_MAX_NODES ||
	    nn > vouch_rd_left(&r) / 10) {
		return VOUCH_E_MALFORMED;
	}
	for (uint32_t i = 0; i < nn; i++) {
		uint8_t op, fl;
		uint32_t parent, nl;

		if (vouch_rd_u8(&r, &op) != VOUCH_OK || vouch_rd_u8(&r, &fl) != VOUCH_OK ||
		    vouch_rd_u32le(&r, &parent) != VOUCH_OK || vouch_rd_u32le(&r, &nl) != VOUCH_OK ||
		    op > APPL_GROUP || (i == 0 ? parent != UINT32_MAX : parent >= i) ||
		    nl > vouch_rd_left(&r) / 22) {
			return VOUCH_E_MALFORMED;
		}
		if ((rc = vouch_appl_add_node(a, op, fl, parent, NULL)) != VOUCH_OK) {
			return rc == VOUCH_E_NOMEM ? rc : VOUCH_E_MALFORMED;
		}
		for (uint32_t k = 0; k < nl; k++) {
			vouch_appl_leaf l;

			if (vouch_rd_u8(&r, &l.flags) != VOUCH_OK || get_str(&r, &l.vendor) != VOUCH_OK ||
			    get_str(&r, &l.product) != VOUCH_OK || get_str(&r, &l.version) != VOUCH_OK ||
			    get_str(&r, &l.update) != VOUCH_OK || get_str(&r, &l.start) != VOUCH_OK ||
			    get_str(&r, &l.end) != VOUCH_OK || get_str(&r, &l.text) != VOUCH_OK) {
				return VOUCH_E_MALFORMED;
			}
			if ((rc = vouch_appl_add_leaf(a, &l)) != VOUCH_OK) {
				return rc == VOUCH_E_NOMEM ? rc : VOUCH_E_MALFORMED;
			}
		}
	}
	return vouch_rd_left(&r) == 0 ? VOUCH_OK : VOUCH_E_MALFORMED;
}
