/*
 * sbom/vex.c: an analyst's VEX document (CycloneDX vulnerabilities[].analysis, or OpenVEX)
 * read into statements (vouch_vex_read), and applied to vulnerability matches
 * (vouch_vex_apply) so a report can show what was suppressed and why.
 *
 * A statement is: vulnerability ids (the id and its aliases), the products it names (bom-refs,
 * purls, CPEs; none = every component with that vulnerability), a state and a detail text.
 *   CycloneDX (1.4+): vulnerabilities[] with id, references[].id (aliases), analysis.state /
 *     justification / detail / response, affects[].ref (a bom-ref, a BOM-Link
 *     "urn:cdx:...#bom-ref" whose fragment is the bom-ref, or a purl). States: not_affected
 *     and false_positive -> NOT_AFFECTED, resolved and resolved_with_pedigree -> FIXED,
 *     exploitable -> AFFECTED, in_triage -> UNDER_INVESTIGATION. A vulnerability without
 *     analysis is a listing, not a statement, and is skipped.
 *   OpenVEX (0.0.x, 0.2.0): statements[] with vulnerability (object: name, @id, aliases;
 *     or a string), products[] (objects: @id, identifiers.purl / cpe23 / cpe22, and
 *     subcomponents[] which, when present, are what the statement is about; or strings),
 *     status (not_affected, affected, fixed, under_investigation), justification,
 *     impact_statement, action_statement, status_notes.
 * An unknown state or status is VOUCH_E_MALFORMED (an analyst's typo must not silently
 * suppress nothing, or something). Precedence: OpenVEX says later statements override earlier
 * ones; we order statements by their time (statement, else document timestamp) and then
 * document order, and the last one that applies to a match wins.
 * Matching a product to a component: equal to its bom-ref; a purl equal to its purl once
 * qualifiers and subpath are dropped, or naming no version and equal to its purl's name; a
 * CPE 2.3 whose every field equals the component's (case-insensitively) or is "*".
 * Vulnerability ids compare case-insensitively against the match's id and aliases.
 * Cost: statement ids are sorted once; each match looks its ids up by binary search.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbom/sbom_int.h"

typedef struct vex_stmt {
	const char **prod;
	size_t nprod; /* 0: every component */
	vouch_vex_state state;
	const char *detail;
	int64_t ts;
	size_t order;
} vex_stmt;

typedef struct vex_key {
	const char *id; /* lower case */
	size_t st;
} vex_key;

struct vouch_vex_doc {
	vouch_arena *a;
	vex_stmt *st;
	size_t nst;
	vex_key *keys;
	size_t nkeys, capkeys;
	int64_t doc_ts;
};

typedef struct vctx {
	vouch_vex_doc *d;
	char *err;
	size_t errlen;
	int rc;
	size_t cap;
} vctx;

#define VFAIL(c, code, ...) ((c)->rc == VOUCH_OK ? ((c)->rc = vouch_sbom_errf((c)->err, (c)->errlen, code, __VA_ARGS__)) : (c)->rc)

static const char *
vdup(vctx *c, const char *s)
{
	char *d = vouch_arena_strndup(c->d->a, s, strlen(s));

	if (d == NULL) {
		VFAIL(c, VOUCH_E_NOMEM, "out of memory reading the VEX document");
	}
	return d;
}

static char *
lower_dup(vctx *c, const char *s)
{
	char *d = vouch_arena_strndup(c->d->a, s, strlen(s));

	if (d == NULL) {
		VFAIL(c, VOUCH_E_NOMEM, "out of memory reading the VEX document");
		return NULL;
	}
	for (char *p = d; *p; p++) {
		if (*p >= 'A' && *p <= 'Z') {
			*p = (char)(*p + 32);
		}
	}
	return d;
}

static const char *
str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* A new statement; NULL on failure (recorded). */
static vex_stmt *
new_stmt(vctx *c)
{
	if (c->d->nst == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		vex_stmt *n = realloc(c->d->st, cap * sizeof(*n));

		if (n == NULL) {
			VFAIL(c, VOUCH_E_NOMEM, "out of memory");
			return NULL;
		}
		c->d->st = n;
		c->cap = cap;
	}
	memset(&c->d->st[c->d->nst], 0, sizeof(vex_stmt));
	c->d->st[c->d->nst].order = c->d->nst;
	c->d->st[c->d->nst].ts = c->d->doc_ts;
	return &c->d->st[c->d->nst++];
}

static void
add_key(vctx *c, const char *id, size_t st)
{
	vouch_vex_doc *d = c->d;
	const char *l;

	if (id == NULL || id[0] == '\0') {
		return;
	}
	l = lower_dup(c, id);
	if (l == NULL) {
		return;
	}
	if (d->nkeys == d->capkeys) {
		size_t cap = d->capkeys ? d->capkeys * 2 : 32;
		vex_key *n = realloc(d->keys, cap * sizeof(*n));

		if (n == NULL) {
			VFAIL(c, VOUCH_E_NOMEM, "out of memory");
			return;
		}
		d->keys = n;
		d->capkeys = cap;
	}
	d->keys[d->nkeys++] = (vex_key){l, st};
}

/* Products: collected into a temporary array, then copied into the arena. */
typedef struct plist {
	const char **p;
	size_t n, cap;
} plist;

static void
padd(vctx *c, plist *l, const char *s)
{
	if (s == NULL || s[0] == '\0') {
		return;
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		const char **n = realloc(l->p, cap * sizeof(*n));

		if (n == NULL) {
			VFAIL(c, VOUCH_E_NOMEM, "out of memory");
			return;
		}
		l->p = n;
		l->cap = cap;
	}
	l->p[l->n++] = vdup(c, s);
}

static void
pfinish(vctx *c, plist *l, vex_stmt *s)
{
	if (l->n > 0) {
		const char **a = vouch_arena_alloc(c->d->a, l->n * sizeof(*a));

		if (a == NULL) {
			VFAIL(c, VOUCH_E_NOMEM, "out of memory");
		} else {
			memcpy(a, l->p, l->n * sizeof(*a));
			s->prod = a;
			s->nprod = l->n;
		}
	}
	free(l->p);
}

static const char *
make_detail(vctx *c, const char *state, const char *just, const char *text)
{
	char *s = vouch_arena_printf(c->d->a, "%s%s%s%s%s%s", state, just ? " (" : "",
				     just ? just : "", just ? ")" : "", text ? ": " : "",
				     text ? text : "");

	if (s == NULL) {
		VFAIL(c, VOUCH_E_NOMEM, "out of memory");
	}
	return s;
}

static void
stmt_time(vex_stmt *s, const char *t1, const char *t2)
{
	int64_t t;

	if (t1 != NULL && vouch_sbom_time_parse(t1, &t)) {
		s->ts = t;
	} else if (t2 != NULL && vouch_sbom_time_parse(t2, &t)) {
		s->ts = t;
	}
}

/* ---- CycloneDX ---- */

static void
read_cdx(vctx *c, const json_t *root)
{
	const json_t *vulns = json_object_get(root, "vulnerabilities"), *v;
	size_t i, nanalysis = 0;

	if (!json_is_array(vulns)) {
		VFAIL(c, VOUCH_E_MALFORMED, "CycloneDX document without vulnerabilities[]: not VEX");
		return;
	}
	json_array_foreach(vulns, i, v) {
		const json_t *an = json_object_get(v, "analysis"), *refs, *aff, *x;
		const char *id = str(v, "id"), *state, *just, *detail;
		vouch_vex_state vs;
		vex_stmt *s;
		plist pl = {0};
		size_t k;

		if (c->rc != VOUCH_OK) {
			return;
		}
		if (!json_is_object(an)) {
			continue;
		}
		nanalysis++;
		state = str(an, "state");
		if (id == NULL) {
			VFAIL(c, VOUCH_E_MALFORMED, "vulnerabilities[%zu]: no id", i);
			return;
		}
		if (state == NULL) {
			VFAIL(c, VOUCH_E_MALFORMED, "vulnerabilities[%zu] (%.64s): analysis has no state",
			      i, id);
			return;
		}
		if (strcmp(state, "not_affected") == 0 || strcmp(state, "false_positive") == 0) {
			vs = VOUCH_VEX_NOT_AFFECTED;
		} else if (strcmp(state, "resolved") == 0 ||
			   strcmp(state, "resolved_with_pedigree") == 0) {
			vs = VOUCH_VEX_FIXED;
		} else if (strcmp(state, "exploitable") == 0) {
			vs = VOUCH_VEX_AFFECTED;
		} else if (strcmp(state, "in_triage") == 0) {
			vs = VOUCH_VEX_UNDER_INVESTIGATION;
		} else {
			VFAIL(c, VOUCH_E_MALFORMED,
			      "vulnerabilities[%zu] (%.64s): unknown analysis.state \"%.40s\"", i, id,
			      state);
			return;
		}
		s = new_stmt(c);
		if (s == NULL) {
			return;
		}
		s->state = vs;
		just = str(an, "justification");
		detail = str(an, "detail");
		s->detail = make_detail(c, state, just, detail);
		stmt_time(s, str(an, "lastUpdated"), str(an, "firstIssued"));
		add_key(c, id, c->d->nst - 1);
		refs = json_object_get(v, "references");
		json_array_foreach(refs, k, x) {
			add_key(c, str(x, "id"), c->d->nst - 1);
		}
		aff = json_object_get(v, "affects");
		json_array_foreach(aff, k, x) {
			const char *ref = str(x, "ref");

			if (ref != NULL && strncmp(ref, "urn:cdx:", 8) == 0 && strchr(ref, '#')) {
				ref = strchr(ref, '#') + 1;
			}
			padd(c, &pl, ref);
		}
		pfinish(c, &pl, s);
	}
	if (c->rc == VOUCH_OK && nanalysis == 0) {
		VFAIL(c, VOUCH_E_MALFORMED,
		      "no vulnerabilities[] entry has an analysis: not a VEX document");
	}
}

/* ---- OpenVEX ---- */

static void
ovex_ids(vctx *c, const json_t *o, plist *pl)
{
	const json_t *ids = json_object_get(o, "identifiers");

	padd(c, pl, str(o, "@id"));
	if (json_is_object(ids)) {
		padd(c, pl, str(ids, "purl"));
		padd(c, pl, str(ids, "cpe23"));
		padd(c, pl, str(ids, "@cpe23"));
		padd(c, pl, str(ids, "cpe22"));
		padd(c, pl, str(ids, "@cpe22"));
	}
}

static void
ovex_products(vctx *c, const json_t *arr, plist *pl)
{
	const json_t *p, *sub, *x;
	size_t i, k;

	json_array_foreach(arr, i, p) {
		if (json_is_string(p)) {
			padd(c, pl, json_string_value(p));
			continue;
		}
		sub = json_object_get(p, "subcomponents");
		if (json_is_array(sub) && json_array_size(sub) > 0) {
			json_array_foreach(sub, k, x) {
				if (json_is_string(x)) {
					padd(c, pl, json_string_value(x));
				} else {
					ovex_ids(c, x, pl);
				}
			}
		} else {
			ovex_ids(c, p, pl);
		}
	}
}

static void
read_openvex(vctx *c, const json_t *root)
{
	const json_t *sts = json_object_get(root, "statements"), *x;
	size_t i;

	if (!json_is_array(sts)) {
		VFAIL(c, VOUCH_E_MALFORMED, "OpenVEX document without statements[]");
		return;
	}
	json_array_foreach(sts, i, x) {
		const json_t *vul = json_object_get(x, "vulnerability"), *al, *a, *sub;
		const char *status = str(x, "status"), *name = NULL, *text;
		vouch_vex_state vs;
		vex_stmt *s;
		plist pl = {0};
		size_t k;

		if (c->rc != VOUCH_OK) {
			return;
		}
		if (json_is_string(vul)) {
			name = json_string_value(vul);
		} else if (json_is_object(vul)) {
			name = str(vul, "name");
			if (name == NULL) {
				name = str(vul, "@id");
			}
		}
		if (name == NULL) {
			VFAIL(c, VOUCH_E_MALFORMED, "statements[%zu]: no vulnerability name", i);
			return;
		}
		if (status == NULL) {
			VFAIL(c, VOUCH_E_MALFORMED, "statements[%zu] (%.64s): no status", i, name);
			return;
		}
		if (strcmp(status, "not_affected") == 0) {
			vs = VOUCH_VEX_NOT_AFFECTED;
		} else if (strcmp(status, "affected") == 0) {
			vs = VOUCH_VEX_AFFECTED;
		} else if (strcmp(status, "fixed") == 0) {
			vs = VOUCH_VEX_FIXED;
		} else if (strcmp(status, "under_investigation") == 0) {
			vs = VOUCH_VEX_UNDER_INVESTIGATION;
		} else {
			VFAIL(c, VOUCH_E_MALFORMED, "statements[%zu] (%.64s): unknown status \"%.40s\"",
			      i, name, status);
			return;
		}
		s = new_stmt(c);
		if (s == NULL) {
			return;
		}
		s->state = vs;
		text = str(x, "impact_statement");
		if (text == NULL) {
			text = str(x, vs == VOUCH_VEX_AFFECTED ? "action_statement" : "status_notes");
		}
		if (text == NULL) {
			text = str(x, "status_notes");
		}
		s->detail = make_detail(c, status, str(x, "justification"), text);
		stmt_time(s, str(x, "last_updated"), str(x, "timestamp"));
		add_key(c, name, c->d->nst - 1);
		if (json_is_object(vul)) {
			add_key(c, str(vul, "@id"), c->d->nst - 1);
			al = json_object_get(vul, "aliases");
			json_array_foreach(al, k, a) {
				add_key(c, json_string_value(a), c->d->nst - 1);
			}
		}
		sub = json_object_get(x, "subcomponents"); /* 0.0.x: at statement level */
		if (json_is_array(sub) && json_array_size(sub) > 0) {
			ovex_products(c, sub, &pl);
		} else {
			ovex_products(c, json_object_get(x, "products"), &pl);
		}
		if (pl.n == 0 && c->rc == VOUCH_OK) {
			free(pl.p);
			VFAIL(c, VOUCH_E_MALFORMED, "statements[%zu] (%.64s): names no product", i,
			      name);
			return;
		}
		pfinish(c, &pl, s);
	}
}

static int
cmp_key(const void *x, const void *y)
{
	const vex_key *a = x, *b = y;
	int c = strcmp(a->id, b->id);

	return c != 0 ? c : (a->st > b->st) - (a->st < b->st);
}

int
vouch_vex_read(const char *json, size_t len, vouch_vex_doc **out, char *err, size_t errlen)
{
	json_t *root = NULL;
	vouch_vex_doc *d;
	vctx c = {.err = err, .errlen = errlen, .rc = VOUCH_OK};
	const char *ctx, *fmt;
	int rc;

	if (out == NULL) {
		return vouch_sbom_errf(err, errlen, VOUCH_E_USAGE, "no output");
	}
	if ((rc = vouch_sbomj_load(json, len, &root, err, errlen)) != VOUCH_OK) {
		return rc;
	}
	d = calloc(1, sizeof(*d));
	if (d == NULL ||
	    vouch_arena_new(&d->a, (uint64_t)len * VOUCH_SBOM_ARENA_FACTOR + VOUCH_SBOM_ARENA_MIN) !=
		    VOUCH_OK) {
		json_decref(root);
		vouch_vex_free(d);
		return vouch_sbom_errf(err, errlen, VOUCH_E_NOMEM, "out of memory");
	}
	c.d = d;
	ctx = str(root, "@context");
	fmt = str(root, "bomFormat");
	if (ctx != NULL && strncmp(ctx, "https://openvex.dev/ns", 22) == 0) {
		const char *ts = str(root, "timestamp");

		if (ts != NULL) {
			vouch_sbom_time_parse(ts, &d->doc_ts);
		}
		read_openvex(&c, root);
	} else if (fmt != NULL && strcmp(fmt, "CycloneDX") == 0) {
		const char *ts = str(json_object_get(root, "metadata"), "timestamp");

		if (ts != NULL) {
			vouch_sbom_time_parse(ts, &d->doc_ts);
		}
		read_cdx(&c, root);
	} else {
		VFAIL(&c, VOUCH_E_MALFORMED,
		      "neither OpenVEX (@context https://openvex.dev/ns...) nor CycloneDX VEX "
		      "(bomFormat CycloneDX with vulnerabilities[].analysis)");
	}
	json_decref(root);
	if (c.rc != VOUCH_OK) {
		vouch_vex_free(d);
		return c.rc;
	}
	if (d->nkeys > 1) {
		qsort(d->keys, d->nkeys, sizeof(*d->keys), cmp_key);
	}
	*out = d;
	return VOUCH_OK;
}

void
vouch_vex_free(vouch_vex_doc *d)
{
	if (d == NULL) {
		return;
	}
	vouch_arena_free(d->a);
	free(d->st);
	free(d->keys);
	free(d);
}

/* ---- applying ---- */

/* Length of a purl without qualifiers and subpath; *name: without the version either. */
static size_t
purl_base(const char *p, size_t *name)
{
	size_t n = strcspn(p, "?#");
	const char *at = memchr(p, '@', n);

	*name = at != NULL ? (size_t)(at - p) : n;
	return n;
}

static bool
purl_match(const char *prod, const char *purl)
{
	size_t pn, cn, pb = purl_base(prod, &pn), cb = purl_base(purl, &cn);

	if (pb == cb && strncmp(prod, purl, pb) == 0) {
		return true;
	}
	/* a product naming no version covers every version of the package */
	return pn == pb && pn == cn && strncmp(prod, purl, pn) == 0;
}

/* The next CPE 2.3 field from *s (colons escaped with a backslash do not end it). */
static size_t
cpe_field(const char **s, const char **start)
{
	const char *p = *s;

	*start = p;
	while (*p != '\0' && *p != ':') {
		if (*p == '\\' && p[1] != '\0') {
			p++;
		}
		p++;
	}
	*s = *p == ':' ? p + 1 : p;
	return (size_t)(p - *start);
}

static bool
cpe_match(const char *prod, const char *cpe)
{
	const char *a = prod, *b = cpe;

	if (strncmp(prod, "cpe:2.3:", 8) != 0 || strncmp(cpe, "cpe:2.3:", 8) != 0) {
		return vouch_sbom_ieq(prod, cpe);
	}
	a += 8;
	b += 8;
	for (int f = 0; f < 11; f++) {
		const char *fa, *fb;
		size_t la = cpe_field(&a, &fa), lb = cpe_field(&b, &fb);

		if (la == 1 && fa[0] == '*') {
			continue;
		}
		if (la != lb) {
			return false;
		}
		for (size_t i = 0; i < la; i++) {
			char x = fa[i] >= 'A' && fa[i] <= 'Z' ? (char)(fa[i] + 32) : fa[i];
			char y = fb[i] >= 'A' && fb[i] <= 'Z' ? (char)(fb[i] + 32) : fb[i];

			if (x != y) {
				return false;
			}
		}
	}
	return *a == '\0' && *b == '\0';
}

static bool
stmt_covers(const vex_stmt *s, const char *ref, const vouch_component *c)
{
	if (s->nprod == 0) {
		return true;
	}
	for (size_t i = 0; i < s->nprod; i++) {
		const char *p = s->prod[i];

		if (ref != NULL && strcmp(p, ref) == 0) {
			return true;
		}
		if (c == NULL) {
			continue;
		}
		if (strncmp(p, "pkg:", 4) == 0 && c->purl != NULL && purl_match(p, c->purl)) {
			return true;
		}
		if (strncmp(p, "cpe:", 4) == 0 && c->cpe != NULL && cpe_match(p, c->cpe)) {
			return true;
		}
	}
	return false;
}

/* Is statement a later than b (time, then document order)? */
static bool
later(const vex_stmt *a, const vex_stmt *b)
{
	return a->ts != b->ts ? a->ts > b->ts : a->order > b->order;
}

/* Look up id (any case) and consider each statement it names. */
static void
consider(const vouch_vex_doc *d, const char *id, size_t idlen, const char *ref,
	 const vouch_component *c, const vex_stmt **best, bool *used_any, bool *used)
{
	char buf[128];
	size_t lo = 0, hi = d->nkeys;

	if (idlen == 0 || idlen >= sizeof(buf)) {
		return; /* vulnerability ids are short; a longer one names no statement */
	}
	for (size_t i = 0; i < idlen; i++) {
		buf[i] = id[i] >= 'A' && id[i] <= 'Z' ? (char)(id[i] + 32) : id[i];
	}
	buf[idlen] = '\0';
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(d->keys[mid].id, buf) < 0) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	for (size_t k = lo; k < d->nkeys && strcmp(d->keys[k].id, buf) == 0; k++) {
		const vex_stmt *s = &d->st[d->keys[k].st];

		if (stmt_covers(s, ref, c)) {
			used[d->keys[k].st] = true;
			*used_any = true;
			if (*best == NULL || later(s, *best)) {
				*best = s;
			}
		}
	}
}

void
vouch_vex_apply(const vouch_vex_doc *d, vouch_vuln_match *m, size_t nm, const vouch_component *c,
		size_t nc, size_t *applied, size_t *unused)
{
	vouch_strmap byref = {0};
	bool *used = NULL, have_map = true;
	size_t napplied = 0, nunused = 0;

	if (applied != NULL) {
		*applied = 0;
	}
	if (unused != NULL) {
		*unused = 0;
	}
	if (d == NULL || (m == NULL && nm > 0)) {
		return;
	}
	used = calloc(d->nst + 1, sizeof(*used));
	if (used == NULL) {
		return; /* no memory: nothing applied, which the counts say */
	}
	for (size_t i = 0; i < nc && c != NULL; i++) {
		if (c[i].bom_ref != NULL &&
		    vouch_strmap_add(&byref, c[i].bom_ref, &c[i], NULL) != VOUCH_OK) {
			have_map = false;
			break;
		}
	}
	for (size_t i = 0; i < nm; i++) {
		const vouch_component *comp = NULL;
		const vex_stmt *best = NULL;
		const char *ref = m[i].component_ref, *al = m[i].aliases;
		bool any = false;

		if (ref != NULL && have_map) {
			comp = vouch_strmap_get(&byref, ref, NULL);
		} else if (ref != NULL) {
			for (size_t k = 0; k < nc && c != NULL; k++) {
				if (c[k].bom_ref != NULL && strcmp(c[k].bom_ref, ref) == 0) {
					comp = &c[k];
					break;
				}
			}
		}
		if (m[i].id != NULL) {
			consider(d, m[i].id, strlen(m[i].id), ref, comp, &best, &any, used);
		}
		while (al != NULL && *al != '\0') {
			size_t n;

			while (*al == ',' || *al == ' ') {
				al++;
			}
			n = strcspn(al, ", ");
			consider(d, al, n, ref, comp, &best, &any, used);
			al += n;
		}
		if (best != NULL) {
			m[i].vex = best->state;
			m[i].vex_detail = best->detail;
			napplied++;
		}
	}
	for (size_t s = 0; s < d->nst; s++) {
		nunused += !used[s];
	}
	free(used);
	vouch_strmap_free(&byref);
	if (applied != NULL) {
		*applied = napplied;
	}
	if (unused != NULL) {
		*unused = nunused;
	}
}
