/*
 * lab/diff.c: the release diff (vouch/diff.h): two evaluation reports in, what changed out.
 *
 * How: both texts are parsed with jansson and checked member by member (only the members
 * this file reads; every one of the wrong type is VOUCH_E_MALFORMED naming report, list,
 * index and member). Each section then becomes two arrays of items, one per report, whose
 * keys are tuples of up to four strings; both arrays are sorted (qsort, ties by position in
 * the report) and walked together once, group of equal keys by group of equal keys, so every
 * section costs O(n log n) whatever the reports hold, and a key held several times on a side
 * is a multiset paired in report order rather than a hash collision. Keys are compared as
 * tuples, never concatenated, so no path can forge another's key with a separator byte.
 * Key strings (normalised paths, stripped details) live in one arena with a budget
 * proportional to the input; the output is a jansson tree dumped once.
 *
 * Order of work: files first, because their pairing (which file of A is which of B) is what
 * the hardening comparison follows: a hardening finding is attached to its file's pair, so
 * a binary duplicated under one key is compared with its own partner.
 *
 * Rejected: pairing by hash tables keyed on concatenated strings (separator forgery, and the
 * output would need sorting anyway); diffing the JSON generically (a report is not a tree
 * whose every change matters: offsets, seconds and evidence order move between releases);
 * comparing findings by offset (code moves; an endpoint is the same endpoint 40 bytes
 * later); recursion over the documents (the walk here is flat loops over known lists).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/base.h"
#include "vouch/diff.h"
#include "vouch/vuln.h"

/* Arena budget: every key string is at most a copy of a string of the input (rounded up to
 * the arena's 16-byte alignment), and a list entry, at least ~20 bytes of input with its
 * required members, costs under 100 bytes of items and indexes; 8 bytes per input byte
 * bounds both, with a floor for tiny reports. */
#define DIFF_ARENA_PER_INPUT_BYTE 8u
#define DIFF_ARENA_FLOOR (1u << 20)
/* The widest zero-padded decimal of a size_t pair number (sorting by it keeps pair order). */
#define DIFF_PAIRNUM_LEN 24
/* Importing functions listed by hardening.dangerous-import: names beyond this count in one
 * detail are compared as a whole (a real binary lists a handful). */
#define DIFF_IMPORTS_MAX 256

typedef struct ditem {
	const char *k[4]; /* the key; NULL sorts as "" */
	size_t idx;       /* position in the report's list */
	json_t *j;        /* the report's object (borrowed) */
} ditem;

typedef struct pent {
	const char *path;
	size_t idx;
} pent;

typedef struct dside {
	const char *name; /* "A" or "B" */
	json_t *root, *files, *comps, *finds, *vulns;
	size_t nfiles;
	const char *image_sha;
	pent *bypath; /* file_list sorted by path, for findings -> file entry */
	size_t nbypath;
	long *pair_of; /* per file_list entry: pair number, -1 unpaired, -2 the image itself */
	bool *added;   /* per file_list entry: unpaired (added in B / removed from A) */
} dside;

typedef struct counts {
	size_t f_added, f_removed, f_changed, f_meta, f_type, f_same, f_ambig;
	size_t c_added, c_removed, c_up, c_down, c_same;
	size_t v_fixed, v_intro, v_same;
	size_t i_added, i_removed;
	size_t h_reg, h_imp, h_changed, h_same, h_newbin;
	size_t r_vuln, r_account, r_key, r_service, r_secret, r_endpoint;
} counts;

typedef struct dctx {
	vouch_arena *ar;
	dside s[2];
	int rc;
	char *why;
	size_t why_cap;
	counts n;
	long npairs;
	size_t *pair_ent[2]; /* pair number -> file_list entry of A, of B */
	/* output */
	json_t *f_added, *f_removed, *f_changed, *f_meta, *f_type, *f_ambig;
	json_t *c_added, *c_removed, *c_up, *c_down, *c_same;
	json_t *v_fixed, *v_intro;
	json_t *ind; /* category -> {added, removed, unchanged} */
	json_t *h_reg, *h_imp, *h_changed, *h_newbin;
} dctx;

static int
fail(dctx *c, int code, const char *fmt, ...) VOUCH_PRINTF(3, 4);

static int
fail(dctx *c, int code, const char *fmt, ...)
{
	va_list ap;

	if (c->rc != VOUCH_OK) {
		return c->rc;
	}
	c->rc = code;
	if (c->why != NULL && c->why_cap > 0) {
		va_start(ap, fmt);
		vsnprintf(c->why, c->why_cap, fmt, ap);
		va_end(ap);
	}
	return code;
}

static int
nomem(dctx *c)
{
	return fail(c, VOUCH_E_NOMEM, "out of memory");
}

/* ---- output helpers: every allocation failure becomes c->rc ------------------------- */

static void
put(dctx *c, json_t *o, const char *key, json_t *v)
{
	if (v == NULL || o == NULL || json_object_set_new(o, key, v) != 0) {
		if (v != NULL && o == NULL) {
			json_decref(v);
		}
		nomem(c);
	}
}

static void
push(dctx *c, json_t *arr, json_t *v)
{
	if (v == NULL || arr == NULL || json_array_append_new(arr, v) != 0) {
		if (v != NULL && arr == NULL) {
			json_decref(v);
		}
		nomem(c);
	}
}

static json_t *
jstr(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

static json_t *
jsize(size_t n)
{
	return json_integer((json_int_t)n);
}

/* A member copied as it is (already type-checked), or null when absent. */
static json_t *
jcopy(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return v != NULL ? json_incref(v) : json_null();
}

static const char *
sget(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* ---- reading and checking a report -------------------------------------------------- */

enum { T_STR = 1, T_INT = 2, T_NUM = 4, T_NULL = 8, T_BOOL = 16 };

typedef struct field {
	const char *key;
	unsigned types; /* allowed types when present */
	bool required;
} field;

static bool
type_ok(json_t *v, unsigned types)
{
	return ((types & T_STR) && json_is_string(v)) || ((types & T_INT) && json_is_integer(v)) ||
	       ((types & T_NUM) && json_is_number(v)) || ((types & T_NULL) && json_is_null(v)) ||
	       ((types & T_BOOL) && json_is_boolean(v));
}

static int
check_list(dctx *c, const dside *s, const char *list, json_t *arr, const field *fs, size_t nf)
{
	size_t i;
	json_t *o;

	json_array_foreach(arr, i, o) {
		if (!json_is_object(o)) {
			return fail(c, VOUCH_E_MALFORMED, "report %s: %s[%zu]: not an object", s->name,
				    list, i);
		}
		for (size_t k = 0; k < nf; k++) {
			json_t *v = json_object_get(o, fs[k].key);
			if (v == NULL && fs[k].required) {
				return fail(c, VOUCH_E_MALFORMED, "report %s: %s[%zu]: no %s", s->name,
					    list, i, fs[k].key);
			}
			if (v != NULL && !type_ok(v, fs[k].types)) {
				return fail(c, VOUCH_E_MALFORMED,
					    "report %s: %s[%zu].%s: not of the type a report holds",
					    s->name, list, i, fs[k].key);
			}
		}
	}
	return VOUCH_OK;
}

static const field file_fields[] = {
	{"path", T_STR, true},        {"kind", T_STR, true},        {"sha256", T_STR | T_NULL, false},
	{"size", T_INT | T_NULL, false}, {"link", T_STR | T_NULL, false}, {"mode", T_STR | T_NULL, false},
	{"uid", T_INT | T_NULL, false}, {"gid", T_INT | T_NULL, false},
};
static const field comp_fields[] = {
	{"name", T_STR, true},          {"version", T_STR | T_NULL, false},
	{"kind", T_STR | T_NULL, false}, {"cpe", T_STR | T_NULL, false},
	{"purl", T_STR | T_NULL, false}, {"supplier", T_STR | T_NULL, false},
};
static const field find_fields[] = {
	{"id", T_STR, true},
	{"category", T_STR, true},
	{"severity", T_STR | T_NULL, false},
	{"title", T_STR | T_NULL, false},
	{"path", T_STR | T_NULL, false},
	{"evidence", T_STR | T_NULL, false},
	{"detail", T_STR | T_NULL, false},
	{"fingerprint", T_STR | T_NULL, false},
};
static const field vuln_fields[] = {
	{"id", T_STR, true},
	{"component", T_STR, true},
	{"version", T_STR | T_NULL, false},
	{"severity", T_STR | T_NULL, false},
	{"cvss3", T_NUM | T_NULL, false},
	{"cvss4", T_NUM | T_NULL, false},
	{"vex", T_STR | T_NULL, false},
	{"summary", T_STR | T_NULL, false},
};

static int
side_load(dctx *c, dside *s, const char *text, size_t len)
{
	json_error_t je;
	json_t *rv, *inv;

	if (len > VOUCH_DIFF_REPORT_MAX) {
		return fail(c, VOUCH_E_LIMIT, "report %s: %zu bytes, more than the %llu a report may have",
			    s->name, len, (unsigned long long)VOUCH_DIFF_REPORT_MAX);
	}
	s->root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (s->root == NULL) {
		return fail(c, VOUCH_E_MALFORMED, "report %s: not JSON: %s (line %d, column %d)",
			    s->name, je.text, je.line, je.column);
	}
	if (!json_is_object(s->root)) {
		return fail(c, VOUCH_E_MALFORMED, "report %s: not a JSON object", s->name);
	}
	rv = json_object_get(s->root, "report_version");
	if (!json_is_integer(rv)) {
		return fail(c, VOUCH_E_MALFORMED,
			    "report %s: no report_version (not the output of `vouch scan --json`)",
			    s->name);
	}
	if (json_integer_value(rv) != 1) {
		return fail(c, VOUCH_E_UNSUPPORTED,
			    "report %s: report_version %lld; this vouch reads version 1", s->name,
			    (long long)json_integer_value(rv));
	}
	inv = json_object_get(s->root, "inventory");
	s->files = json_object_get(inv, "file_list");
	s->comps = json_object_get(s->root, "components");
	s->finds = json_object_get(s->root, "findings");
	s->vulns = json_object_get(s->root, "vulnerabilities");
	if (!json_is_object(inv) || !json_is_array(s->files)) {
		return fail(c, VOUCH_E_MALFORMED, "report %s: no inventory.file_list list", s->name);
	}
	if (!json_is_array(s->comps)) {
		return fail(c, VOUCH_E_MALFORMED, "report %s: no components list", s->name);
	}
	if (!json_is_array(s->finds)) {
		return fail(c, VOUCH_E_MALFORMED, "report %s: no findings list", s->name);
	}
	if (s->vulns == NULL || (!json_is_array(s->vulns) && !json_is_null(s->vulns))) {
		return fail(c, VOUCH_E_MALFORMED,
			    "report %s: vulnerabilities is neither a list nor null", s->name);
	}
	if (json_is_null(s->vulns)) {
		s->vulns = NULL;
	}
	static const field top[] = {{"image", T_STR | T_NULL, false},
				    {"outcome", T_STR | T_NULL, false}};
	for (size_t k = 0; k < VOUCH_ARRAY_LEN(top); k++) {
		json_t *v = json_object_get(s->root, top[k].key);
		if (v != NULL && !type_ok(v, top[k].types)) {
			return fail(c, VOUCH_E_MALFORMED, "report %s: %s: not a string", s->name,
				    top[k].key);
		}
	}
	if (check_list(c, s, "inventory.file_list", s->files, file_fields,
		       VOUCH_ARRAY_LEN(file_fields)) != VOUCH_OK ||
	    check_list(c, s, "components", s->comps, comp_fields, VOUCH_ARRAY_LEN(comp_fields)) !=
		    VOUCH_OK ||
	    check_list(c, s, "findings", s->finds, find_fields, VOUCH_ARRAY_LEN(find_fields)) !=
		    VOUCH_OK ||
	    (s->vulns != NULL && check_list(c, s, "vulnerabilities", s->vulns, vuln_fields,
					    VOUCH_ARRAY_LEN(vuln_fields)) != VOUCH_OK)) {
		return c->rc;
	}
	s->nfiles = json_array_size(s->files);
	return VOUCH_OK;
}

/* ---- keys --------------------------------------------------------------------------- */

/* The path inside the image: without its first component (the image's own name) and with
 * every "@0x<hex>" that ends a component removed. "" for the image itself. */
static const char *
norm_path(dctx *c, const char *p)
{
	const char *s = p != NULL ? strchr(p, '/') : NULL;
	size_t n, k = 0;
	char *o;

	if (s == NULL) {
		return "";
	}
	s++;
	n = strlen(s);
	o = vouch_arena_alloc(c->ar, n + 1);
	if (o == NULL) {
		nomem(c);
		return "";
	}
	for (size_t i = 0; i < n;) {
		if (s[i] == '@' && s[i + 1] == '0' && (s[i + 2] == 'x' || s[i + 2] == 'X')) {
			size_t j = i + 3;
			while (j < n && isxdigit((unsigned char)s[j])) {
				j++;
			}
			if (j > i + 3 && (j == n || s[j] == '/')) {
				i = j;
				continue;
			}
		}
		o[k++] = s[i++];
	}
	o[k] = '\0';
	return o;
}

/* A finding's detail without its "line=" and "offset=" fields ("a=1; line=3; b=2" ->
 * "a=1; b=2"): where a thing was, not what it is. */
static const char *
stable_detail(dctx *c, const char *d)
{
	size_t n, k = 0;
	char *o;

	if (d == NULL) {
		return NULL;
	}
	n = strlen(d);
	o = vouch_arena_alloc(c->ar, n + 1);
	if (o == NULL) {
		nomem(c);
		return NULL;
	}
	for (size_t i = 0; i < n;) {
		const char *semi = strchr(d + i, ';');
		size_t e = semi != NULL ? (size_t)(semi - d) : n;
		size_t b = i;
		while (b < e && d[b] == ' ') {
			b++;
		}
		bool drop = (e - b >= 5 && memcmp(d + b, "line=", 5) == 0) ||
			    (e - b >= 7 && memcmp(d + b, "offset=", 7) == 0);
		if (!drop && b < e) {
			if (k > 0) {
				o[k++] = ';';
				o[k++] = ' ';
			}
			memcpy(o + k, d + b, e - b);
			k += e - b;
		}
		i = semi != NULL ? e + 1 : n;
	}
	o[k] = '\0';
	return o;
}

/* The value of field `name` in a "a=1; b=2" detail, copied into buf ("" when absent). */
static const char *
detail_field(const char *d, const char *name, char *buf, size_t cap)
{
	size_t nl = strlen(name);

	buf[0] = '\0';
	for (const char *p = d; p != NULL && *p != '\0';) {
		while (*p == ' ' || *p == ';') {
			p++;
		}
		const char *semi = strchr(p, ';');
		size_t len = semi != NULL ? (size_t)(semi - p) : strlen(p);
		if (len > nl && p[nl] == '=' && memcmp(p, name, nl) == 0) {
			size_t v = len - nl - 1;
			if (v >= cap) {
				v = cap - 1;
			}
			memcpy(buf, p + nl + 1, v);
			buf[v] = '\0';
			return buf;
		}
		p = semi;
	}
	return buf;
}

static int
str0cmp(const char *a, const char *b)
{
	return strcmp(a != NULL ? a : "", b != NULL ? b : "");
}

static int
keycmp(const ditem *a, const ditem *b)
{
	for (int i = 0; i < 4; i++) {
		int d = str0cmp(a->k[i], b->k[i]);
		if (d != 0) {
			return d;
		}
	}
	return 0;
}

static int
item_cmp(const void *pa, const void *pb)
{
	const ditem *a = pa, *b = pb;
	int d = keycmp(a, b);
	if (d != 0) {
		return d;
	}
	return a->idx < b->idx ? -1 : (a->idx > b->idx);
}

static ditem *
items_new(dctx *c, size_t n)
{
	ditem *it = vouch_arena_alloc(c->ar, (n ? n : 1) * sizeof(*it));
	if (it == NULL) {
		nomem(c);
	}
	return it;
}

typedef void (*group_fn)(dctx *c, ditem *a, size_t na, ditem *b, size_t nb);

/* Walk two key-sorted arrays together, one group of equal keys at a time. */
static void
walk(dctx *c, ditem *a, size_t na, ditem *b, size_t nb, group_fn fn)
{
	size_t i = 0, j = 0;

	while ((i < na || j < nb) && c->rc == VOUCH_OK) {
		int d = i == na ? 1 : (j == nb ? -1 : keycmp(&a[i], &b[j]));
		size_t ei = i, ej = j;
		if (d <= 0) {
			while (ei < na && keycmp(&a[ei], &a[i]) == 0) {
				ei++;
			}
		}
		if (d >= 0) {
			while (ej < nb && keycmp(&b[ej], &b[j]) == 0) {
				ej++;
			}
		}
		fn(c, a + i, ei - i, b + j, ej - j);
		i = ei;
		j = ej;
	}
}

/* ---- files ---------------------------------------------------------------------------- */

static json_t *
file_view(dctx *c, const char *key, json_t *f)
{
	json_t *o = json_object();

	if (key != NULL) {
		put(c, o, "key", jstr(key));
	}
	put(c, o, "path", jcopy(f, "path"));
	put(c, o, "kind", jcopy(f, "kind"));
	put(c, o, "size", jcopy(f, "size"));
	put(c, o, "sha256", jcopy(f, "sha256"));
	put(c, o, "link", jcopy(f, "link"));
	put(c, o, "mode", jcopy(f, "mode"));
	put(c, o, "uid", jcopy(f, "uid"));
	put(c, o, "gid", jcopy(f, "gid"));
	if (o == NULL) {
		nomem(c);
	}
	return o;
}

/* Both members absent/null, or equal. */
static bool
same_member(json_t *a, json_t *b, const char *key)
{
	json_t *x = json_object_get(a, key), *y = json_object_get(b, key);
	if (x == NULL || json_is_null(x)) {
		return y == NULL || json_is_null(y);
	}
	return y != NULL && json_equal(x, y);
}

static json_t *
pair_view(dctx *c, const char *key, json_t *fa, json_t *fb, bool ambiguous)
{
	json_t *o = json_object();
	put(c, o, "key", jstr(key));
	put(c, o, "a", file_view(c, NULL, fa));
	put(c, o, "b", file_view(c, NULL, fb));
	put(c, o, "ambiguous", json_boolean(ambiguous));
	return o;
}

static void
files_group(dctx *c, ditem *a, size_t na, ditem *b, size_t nb)
{
	size_t np = na < nb ? na : nb;
	bool amb = na > 1 || nb > 1;
	const char *key = na ? a[0].k[0] : b[0].k[0];

	if (amb && na > 0 && nb > 0) {
		json_t *o = json_object();
		put(c, o, "key", jstr(key));
		put(c, o, "a", jsize(na));
		put(c, o, "b", jsize(nb));
		push(c, c->f_ambig, o);
		c->n.f_ambig++;
	}
	for (size_t i = 0; i < np; i++) {
		json_t *fa = a[i].j, *fb = b[i].j;
		long p = c->npairs++;
		bool changed = false;
		c->s[0].pair_of[a[i].idx] = p;
		c->s[1].pair_of[b[i].idx] = p;
		c->pair_ent[0][p] = a[i].idx;
		c->pair_ent[1][p] = b[i].idx;
		if (str0cmp(sget(fa, "kind"), sget(fb, "kind")) != 0) {
			push(c, c->f_type, pair_view(c, key, fa, fb, amb));
			c->n.f_type++;
			changed = true;
		} else if (!same_member(fa, fb, "sha256") || !same_member(fa, fb, "size") ||
			   !same_member(fa, fb, "link")) {
			push(c, c->f_changed, pair_view(c, key, fa, fb, amb));
			c->n.f_changed++;
			changed = true;
		}
		/* a symlink's mode is 0777 whatever it was before: a type change says it */
		static const char *const meta[] = {"mode", "uid", "gid"};
		json_t *fields = json_array();
		size_t m0 = str0cmp(sget(fa, "kind"), sget(fb, "kind")) != 0 ? 1 : 0;
		for (size_t m = m0; m < VOUCH_ARRAY_LEN(meta); m++) {
			if (!same_member(fa, fb, meta[m])) {
				push(c, fields, json_string(meta[m]));
			}
		}
		if (fields != NULL && json_array_size(fields) > 0) {
			json_t *o = pair_view(c, key, fa, fb, amb);
			put(c, o, "fields", fields);
			push(c, c->f_meta, o);
			c->n.f_meta++;
			changed = true;
		} else if (fields != NULL) {
			json_decref(fields);
		} else {
			nomem(c);
		}
		if (!changed) {
			c->n.f_same++;
		}
	}
	for (size_t i = np; i < na; i++) {
		c->s[0].added[a[i].idx] = true;
		push(c, c->f_removed, file_view(c, key, a[i].j));
		c->n.f_removed++;
	}
	for (size_t i = np; i < nb; i++) {
		c->s[1].added[b[i].idx] = true;
		push(c, c->f_added, file_view(c, key, b[i].j));
		c->n.f_added++;
	}
}

static int
pent_cmp(const void *pa, const void *pb)
{
	const pent *a = pa, *b = pb;
	return strcmp(a->path, b->path);
}

/* Items of one side's file list (the image's own entry aside) and its path index. */
static ditem *
files_items(dctx *c, dside *s, size_t *nout)
{
	ditem *it = items_new(c, s->nfiles);
	size_t n = 0;

	s->pair_of = vouch_arena_alloc(c->ar, (s->nfiles ? s->nfiles : 1) * sizeof(long));
	s->added = vouch_arena_alloc(c->ar, (s->nfiles ? s->nfiles : 1) * sizeof(bool));
	s->bypath = vouch_arena_alloc(c->ar, (s->nfiles ? s->nfiles : 1) * sizeof(pent));
	if (it == NULL || s->pair_of == NULL || s->added == NULL || s->bypath == NULL) {
		nomem(c);
		return NULL;
	}
	for (size_t i = 0; i < s->nfiles; i++) {
		json_t *f = json_array_get(s->files, i);
		const char *path = sget(f, "path");
		s->bypath[i] = (pent){path, i};
		s->pair_of[i] = -1;
		if (strchr(path, '/') == NULL) {
			s->pair_of[i] = -2; /* the image itself */
			if (s->image_sha == NULL) {
				s->image_sha = sget(f, "sha256");
			}
			continue;
		}
		it[n] = (ditem){.k = {norm_path(c, path)}, .idx = i, .j = f};
		n++;
	}
	s->nbypath = s->nfiles;
	qsort(s->bypath, s->nbypath, sizeof(pent), pent_cmp);
	qsort(it, n, sizeof(ditem), item_cmp);
	*nout = n;
	return it;
}

static void
diff_files(dctx *c)
{
	size_t na = 0, nb = 0;
	ditem *a = files_items(c, &c->s[0], &na), *b = files_items(c, &c->s[1], &nb);
	size_t np = (na < nb ? na : nb) + 1;

	for (int k = 0; k < 2 && c->rc == VOUCH_OK; k++) {
		c->pair_ent[k] = vouch_arena_alloc(c->ar, np * sizeof(size_t));
		if (c->pair_ent[k] == NULL) {
			nomem(c);
		}
	}
	if (c->rc == VOUCH_OK) {
		walk(c, a, na, b, nb, files_group);
	}
}

/* The file_list entry of a path on a side, or -1. */
static long
file_of(const dside *s, const char *path)
{
	pent k = {path != NULL ? path : "", 0};
	const pent *p = bsearch(&k, s->bypath, s->nbypath, sizeof(pent), pent_cmp);
	return p != NULL ? (long)p->idx : -1;
}

/* ---- components ------------------------------------------------------------------------ */

static int
ver_cmp(const void *pa, const void *pb)
{
	const ditem *a = pa, *b = pb;
	int d = vouch_version_cmp(a->k[2] ? a->k[2] : "", b->k[2] ? b->k[2] : "");
	return d != 0 ? d : str0cmp(a->k[2], b->k[2]);
}

static json_t *
comp_view(dctx *c, json_t *o)
{
	json_t *v = json_object();
	put(c, v, "name", jcopy(o, "name"));
	put(c, v, "kind", jcopy(o, "kind"));
	put(c, v, "version", jcopy(o, "version"));
	put(c, v, "cpe", jcopy(o, "cpe"));
	put(c, v, "purl", jcopy(o, "purl"));
	put(c, v, "supplier", jcopy(o, "supplier"));
	return v;
}

/* Keep the first of each version (a report may list one version under several refs). */
static size_t
uniq_versions(ditem *v, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (k == 0 || str0cmp(v[k - 1].k[2], v[i].k[2]) != 0) {
			v[k++] = v[i];
		}
	}
	return k;
}

static void
comps_group(dctx *c, ditem *a, size_t na, ditem *b, size_t nb)
{
	/* a and b are sorted by (name, kind, version text); keep versions unique, then take
	 * the versions both sides have out as unchanged */
	na = uniq_versions(a, na);
	nb = uniq_versions(b, nb);
	ditem *ra = items_new(c, na), *rb = items_new(c, nb);
	size_t nra = 0, nrb = 0, i = 0, j = 0;

	if (ra == NULL || rb == NULL) {
		return;
	}
	while (i < na || j < nb) {
		int d = i == na ? 1 : (j == nb ? -1 : str0cmp(a[i].k[2], b[j].k[2]));
		if (d == 0) {
			json_t *o = json_object();
			put(c, o, "name", jcopy(b[j].j, "name"));
			put(c, o, "kind", jcopy(b[j].j, "kind"));
			put(c, o, "version", jcopy(b[j].j, "version"));
			push(c, c->c_same, o);
			c->n.c_same++;
			i++;
			j++;
		} else if (d < 0) {
			ra[nra++] = a[i++];
		} else {
			rb[nrb++] = b[j++];
		}
	}
	qsort(ra, nra, sizeof(ditem), ver_cmp);
	qsort(rb, nrb, sizeof(ditem), ver_cmp);
	size_t np = nra < nrb ? nra : nrb;
	for (size_t k = 0; k < np; k++) {
		int d = vouch_version_cmp(ra[k].k[2] ? ra[k].k[2] : "", rb[k].k[2] ? rb[k].k[2] : "");
		json_t *o = json_object();
		put(c, o, "name", jcopy(rb[k].j, "name"));
		put(c, o, "kind", jcopy(rb[k].j, "kind"));
		put(c, o, "from", jcopy(ra[k].j, "version"));
		put(c, o, "to", jcopy(rb[k].j, "version"));
		if (d > 0) {
			push(c, c->c_down, o);
			c->n.c_down++;
		} else {
			/* equal in version order but spelled differently ("1.0" / "1.0.0") counts
			 * as an upgrade: a change a reviewer should see, not a regression */
			push(c, c->c_up, o);
			c->n.c_up++;
		}
	}
	for (size_t k = np; k < nra; k++) {
		push(c, c->c_removed, comp_view(c, ra[k].j));
		c->n.c_removed++;
	}
	for (size_t k = np; k < nrb; k++) {
		push(c, c->c_added, comp_view(c, rb[k].j));
		c->n.c_added++;
	}
}

/* The items of a report list keyed by up to three of its members, sorted. */
static ditem *
keyed_items(dctx *c, json_t *arr, const char *k0, const char *k1, const char *k2,
	    size_t *nout)
{
	size_t n = json_array_size(arr);
	ditem *it = items_new(c, n);

	if (it == NULL) {
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_array_get(arr, i);
		it[i] = (ditem){.k = {sget(o, k0), sget(o, k1), k2 ? sget(o, k2) : NULL},
				.idx = i, .j = o};
	}
	qsort(it, n, sizeof(ditem), item_cmp);
	*nout = n;
	return it;
}

/* Group by (name, kind) only: the walker compares k[0..3], so hide the version in a copy. */
static void
diff_components(dctx *c)
{
	size_t na = 0, nb = 0;
	ditem *a = keyed_items(c, c->s[0].comps, "name", "kind", "version", &na);
	ditem *b = keyed_items(c, c->s[1].comps, "name", "kind", "version", &nb);
	size_t i = 0, j = 0;

	if (c->rc != VOUCH_OK) {
		return;
	}
	while ((i < na || j < nb) && c->rc == VOUCH_OK) {
		ditem *x = i < na ? &a[i] : NULL, *y = j < nb ? &b[j] : NULL;
		int d = x == NULL ? 1 : (y == NULL ? -1 : str0cmp(x->k[0], y->k[0]));
		if (d == 0) {
			d = str0cmp(x->k[1], y->k[1]);
		}
		size_t ei = i, ej = j;
		if (d <= 0) {
			while (ei < na && str0cmp(a[ei].k[0], x->k[0]) == 0 &&
			       str0cmp(a[ei].k[1], x->k[1]) == 0) {
				ei++;
			}
		}
		if (d >= 0) {
			while (ej < nb && str0cmp(b[ej].k[0], y->k[0]) == 0 &&
			       str0cmp(b[ej].k[1], y->k[1]) == 0) {
				ej++;
			}
		}
		comps_group(c, a + i, ei - i, b + j, ej - j);
		i = ei;
		j = ej;
	}
}

/* ---- vulnerabilities ------------------------------------------------------------------ */

static bool
vex_cleared(json_t *v)
{
	const char *s = sget(v, "vex");
	return s != NULL && (strcmp(s, "not_affected") == 0 || strcmp(s, "fixed") == 0);
}

static json_t *
vuln_view(dctx *c, json_t *v, bool introduced)
{
	json_t *o = json_object();
	put(c, o, "id", jcopy(v, "id"));
	put(c, o, "component", jcopy(v, "component"));
	put(c, o, "version", jcopy(v, "version"));
	put(c, o, "severity", jcopy(v, "severity"));
	put(c, o, "cvss3", jcopy(v, "cvss3"));
	put(c, o, "cvss4", jcopy(v, "cvss4"));
	put(c, o, "vex", jcopy(v, "vex"));
	put(c, o, "summary", jcopy(v, "summary"));
	put(c, o, "regression", json_boolean(introduced && !vex_cleared(v)));
	return o;
}

static void
vulns_group(dctx *c, ditem *a, size_t na, ditem *b, size_t nb)
{
	/* one (id, component) counts once whatever the number of versions matched */
	if (na > 0 && nb > 0) {
		c->n.v_same++;
	} else if (na > 0) {
		push(c, c->v_fixed, vuln_view(c, a[0].j, false));
		c->n.v_fixed++;
	} else {
		push(c, c->v_intro, vuln_view(c, b[0].j, true));
		c->n.v_intro++;
		c->n.r_vuln += !vex_cleared(b[0].j);
	}
}

static const char *
db_digest(const dside *s)
{
	return sget(json_object_get(s->root, "database"), "digest");
}

static json_t *
diff_vulns(dctx *c)
{
	json_t *o = json_object();
	char note[160] = "";

	if (c->s[0].vulns == NULL || c->s[1].vulns == NULL) {
		if (c->s[0].vulns == NULL && c->s[1].vulns == NULL) {
			snprintf(note, sizeof(note), "neither report had a vulnerability database: "
						     "CVE changes are unknown, not none");
		} else {
			snprintf(note, sizeof(note),
				 "report %s had no vulnerability database: CVE changes are unknown, "
				 "not none",
				 c->s[0].vulns == NULL ? "A" : "B");
		}
		put(c, o, "compared", json_false());
		put(c, o, "note", json_string(note));
		put(c, o, "fixed", json_null());
		put(c, o, "introduced", json_null());
		put(c, o, "unchanged", json_null());
		return o;
	}
	size_t na = 0, nb = 0;
	ditem *a = keyed_items(c, c->s[0].vulns, "id", "component", NULL, &na);
	ditem *b = keyed_items(c, c->s[1].vulns, "id", "component", NULL, &nb);
	if (c->rc == VOUCH_OK) {
		walk(c, a, na, b, nb, vulns_group);
	}
	const char *da = db_digest(&c->s[0]), *db = db_digest(&c->s[1]);
	if (da != NULL && db != NULL && strcmp(da, db) != 0) {
		snprintf(note, sizeof(note),
			 "the reports were matched against different databases: a change may come "
			 "from the data, not the firmware");
	}
	put(c, o, "compared", json_true());
	put(c, o, "note", note[0] ? json_string(note) : json_null());
	put(c, o, "fixed", json_incref(c->v_fixed));
	put(c, o, "introduced", json_incref(c->v_intro));
	put(c, o, "unchanged", jsize(c->n.v_same));
	return o;
}

/* ---- indicators ------------------------------------------------------------------------- */

static bool
is_hardening(json_t *f)
{
	return strcmp(sget(f, "category"), "hardening") == 0;
}

static ditem *
ind_items(dctx *c, const dside *s, size_t *nout)
{
	size_t n = json_array_size(s->finds), k = 0;
	ditem *it = items_new(c, n);

	if (it == NULL) {
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_array_get(s->finds, i);
		const char *cat = sget(o, "category"), *disc;
		if (is_hardening(o)) {
			continue;
		}
		const char *fp = sget(o, "fingerprint"), *det = stable_detail(c, sget(o, "detail"));
		if (fp != NULL) {
			disc = fp;
		} else if (det != NULL && (strcmp(cat, "endpoint") == 0 ||
					   strcmp(cat, "account") == 0 ||
					   strcmp(cat, "service") == 0)) {
			disc = det;
		} else {
			disc = sget(o, "evidence") != NULL ? sget(o, "evidence") : det;
		}
		it[k++] = (ditem){.k = {cat, sget(o, "id"), norm_path(c, sget(o, "path")), disc},
				  .idx = i, .j = o};
	}
	qsort(it, k, sizeof(ditem), item_cmp);
	*nout = k;
	return it;
}

/* The {added, removed, unchanged} object of a category, made on first use. */
static json_t *
ind_cat(dctx *c, const char *cat)
{
	json_t *o = json_object_get(c->ind, cat);
	if (o == NULL) {
		o = json_object();
		put(c, o, "added", json_array());
		put(c, o, "removed", json_array());
		put(c, o, "unchanged", jsize(0));
		put(c, c->ind, cat, o);
		o = json_object_get(c->ind, cat);
	}
	return o;
}

static bool
ind_regression(dctx *c, json_t *f)
{
	const char *cat = sget(f, "category");
	char scope[32];

	if (strcmp(cat, "account") == 0) {
		c->n.r_account++;
	} else if (strcmp(cat, "key") == 0) {
		c->n.r_key++;
	} else if (strcmp(cat, "service") == 0) {
		c->n.r_service++;
	} else if (strcmp(cat, "secret") == 0) {
		c->n.r_secret++;
	} else if (strcmp(cat, "endpoint") == 0 &&
		   strcmp(detail_field(sget(f, "detail"), "scope", scope, sizeof(scope)),
			  "public") == 0) {
		c->n.r_endpoint++;
	} else {
		return false;
	}
	return true;
}

static json_t *
ind_view(dctx *c, ditem *it, bool added)
{
	json_t *o = json_object(), *f = it->j;
	put(c, o, "id", jcopy(f, "id"));
	put(c, o, "severity", jcopy(f, "severity"));
	put(c, o, "title", jcopy(f, "title"));
	put(c, o, "key", jstr(it->k[2]));
	put(c, o, "path", jcopy(f, "path"));
	put(c, o, "evidence", jcopy(f, "evidence"));
	put(c, o, "detail", jcopy(f, "detail"));
	put(c, o, "fingerprint", jcopy(f, "fingerprint"));
	put(c, o, "regression", json_boolean(added && ind_regression(c, f)));
	return o;
}

static void
ind_group(dctx *c, ditem *a, size_t na, ditem *b, size_t nb)
{
	json_t *cat = ind_cat(c, na ? a[0].k[0] : b[0].k[0]);
	size_t np = na < nb ? na : nb;

	if (cat == NULL) {
		nomem(c);
		return;
	}
	if (np > 0) {
		json_t *u = json_object_get(cat, "unchanged");
		json_integer_set(u, json_integer_value(u) + (json_int_t)np);
	}
	for (size_t i = np; i < na; i++) {
		push(c, json_object_get(cat, "removed"), ind_view(c, &a[i], false));
		c->n.i_removed++;
	}
	for (size_t i = np; i < nb; i++) {
		push(c, json_object_get(cat, "added"), ind_view(c, &b[i], true));
		c->n.i_added++;
	}
}

static void
diff_indicators(dctx *c)
{
	size_t na = 0, nb = 0;
	ditem *a = ind_items(c, &c->s[0], &na), *b = ind_items(c, &c->s[1], &nb);

	if (c->rc == VOUCH_OK) {
		walk(c, a, na, b, nb, ind_group);
	}
}

/* ---- hardening ------------------------------------------------------------------------ */

/* Items: k = (group, pair key or path, pair number, finding id). Group "P": the file is
 * one of a pair (or the images themselves), "N": the path is not in the file list (paired
 * by normalised path), "A": a file only this side has. */
static ditem *
hard_items(dctx *c, const dside *s, size_t *nout)
{
	size_t n = json_array_size(s->finds), k = 0;
	ditem *it = items_new(c, n);

	if (it == NULL) {
		return NULL;
	}
	for (size_t i = 0; i < n && c->rc == VOUCH_OK; i++) {
		json_t *o = json_array_get(s->finds, i);
		if (!is_hardening(o)) {
			continue;
		}
		const char *path = sget(o, "path");
		long fi = file_of(s, path);
		const char *grp, *num = "";
		const char *key = norm_path(c, path);
		if (fi < 0) {
			grp = "N";
		} else if (s->pair_of[fi] == -2) {
			grp = "P"; /* the image itself: always paired with the other image */
		} else if (s->pair_of[fi] >= 0) {
			char *b = vouch_arena_alloc(c->ar, DIFF_PAIRNUM_LEN);
			if (b == NULL) {
				nomem(c);
				break;
			}
			snprintf(b, DIFF_PAIRNUM_LEN, "%020ld", s->pair_of[fi]);
			grp = "P";
			num = b;
		} else {
			grp = "A";
			key = path; /* one entry per file, whatever its key */
		}
		it[k++] = (ditem){.k = {grp, key, num, sget(o, "id")}, .idx = i, .j = o};
	}
	qsort(it, k, sizeof(ditem), item_cmp);
	*nout = k;
	return it;
}

/* Split "imports=a,b,c" into names (pointers into buf). */
static size_t
imports_of(const char *detail, char *buf, size_t cap, const char **names, size_t max)
{
	size_t n = 0;

	detail_field(detail, "imports", buf, cap);
	for (char *p = buf; *p != '\0' && n < max;) {
		names[n++] = p;
		char *comma = strchr(p, ',');
		if (comma == NULL) {
			break;
		}
		*comma = '\0';
		p = comma + 1;
	}
	return n;
}

static bool
listed(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(names[i], s) == 0) {
			return true;
		}
	}
	return false;
}

static json_t *
hard_view(dctx *c, const ditem *x, json_t *fa, json_t *fb)
{
	json_t *o = json_object(), *f = fb != NULL ? fb : fa;
	put(c, o, "id", jcopy(f, "id"));
	put(c, o, "severity", jcopy(f, "severity"));
	put(c, o, "title", jcopy(f, "title"));
	put(c, o, "key", jstr(x->k[1]));
	put(c, o, "a_path", fa != NULL ? jcopy(fa, "path") : json_null());
	put(c, o, "b_path", fb != NULL ? jcopy(fb, "path") : json_null());
	put(c, o, "a_detail", fa != NULL ? jcopy(fa, "detail") : json_null());
	put(c, o, "b_detail", fb != NULL ? jcopy(fb, "detail") : json_null());
	return o;
}

/* The path of the other side's file of a pair, for a finding only one side has. */
static const char *
partner_path(const dctx *c, int side, const ditem *x)
{
	const dside *s = &c->s[side], *t = &c->s[1 - side];
	long fi = file_of(s, sget(x->j, "path"));

	if (fi < 0 || s->pair_of[fi] < 0) {
		return NULL; /* not in the list, or the image itself (its path says which) */
	}
	return sget(json_array_get(t->files, c->pair_ent[1 - side][s->pair_of[fi]]), "path");
}

static void
hard_one_sided(dctx *c, ditem *x, int side)
{
	json_t *o = hard_view(c, x, side == 0 ? x->j : NULL, side == 1 ? x->j : NULL);
	const char *pp = partner_path(c, side, x);
	if (pp != NULL) {
		put(c, o, side == 0 ? "b_path" : "a_path", json_string(pp));
	}
	if (side == 1) {
		push(c, c->h_reg, o);
		c->n.h_reg++;
	} else {
		push(c, c->h_imp, o);
		c->n.h_imp++;
	}
}

static void
hard_group(dctx *c, ditem *a, size_t na, ditem *b, size_t nb)
{
	const char *grp = na ? a[0].k[0] : b[0].k[0];

	if (strcmp(grp, "A") == 0) {
		return; /* new binaries (B) are gathered afterwards; removed files (A) are gone */
	}
	size_t np = na < nb ? na : nb;
	for (size_t i = 0; i < np; i++) {
		json_t *fa = a[i].j, *fb = b[i].j;
		if (same_member(fa, fb, "detail")) {
			c->n.h_same++;
			continue;
		}
		json_t *o = hard_view(c, &b[i], fa, fb);
		if (strcmp(sget(fb, "id"), "hardening.dangerous-import") != 0) {
			push(c, c->h_changed, o);
			c->n.h_changed++;
			continue;
		}
		char ba[1024], bb[1024];
		const char *ia[DIFF_IMPORTS_MAX], *ib[DIFF_IMPORTS_MAX];
		size_t nia = imports_of(sget(fa, "detail"), ba, sizeof(ba), ia, DIFF_IMPORTS_MAX);
		size_t nib = imports_of(sget(fb, "detail"), bb, sizeof(bb), ib, DIFF_IMPORTS_MAX);
		json_t *add = json_array(), *rem = json_array();
		for (size_t k = 0; k < nib; k++) {
			if (!listed(ia, nia, ib[k])) {
				push(c, add, json_string(ib[k]));
			}
		}
		for (size_t k = 0; k < nia; k++) {
			if (!listed(ib, nib, ia[k])) {
				push(c, rem, json_string(ia[k]));
			}
		}
		bool worse = json_array_size(add) > 0, better = json_array_size(rem) > 0;
		put(c, o, "imports_added", add);
		put(c, o, "imports_removed", rem);
		if (worse) {
			push(c, c->h_reg, o);
			c->n.h_reg++;
		} else if (better) {
			push(c, c->h_imp, o);
			c->n.h_imp++;
		} else {
			push(c, c->h_changed, o);
			c->n.h_changed++;
		}
	}
	for (size_t i = np; i < na; i++) {
		hard_one_sided(c, &a[i], 0);
	}
	for (size_t i = np; i < nb; i++) {
		hard_one_sided(c, &b[i], 1);
	}
}

/* Files only B has that carry hardening findings: B's "A" items, one entry per path. */
static void
new_binaries(dctx *c, ditem *b, size_t nb)
{
	for (size_t i = 0; i < nb && c->rc == VOUCH_OK;) {
		if (strcmp(b[i].k[0], "A") != 0) {
			i++;
			continue;
		}
		size_t e = i;
		json_t *o = json_object(), *fl = json_array();
		put(c, o, "key", jstr(norm_path(c, b[i].k[1])));
		put(c, o, "path", jstr(b[i].k[1]));
		while (e < nb && strcmp(b[e].k[0], "A") == 0 && strcmp(b[e].k[1], b[i].k[1]) == 0) {
			json_t *x = json_object();
			put(c, x, "id", jcopy(b[e].j, "id"));
			put(c, x, "severity", jcopy(b[e].j, "severity"));
			put(c, x, "title", jcopy(b[e].j, "title"));
			put(c, x, "detail", jcopy(b[e].j, "detail"));
			push(c, fl, x);
			e++;
		}
		put(c, o, "findings", fl);
		push(c, c->h_newbin, o);
		c->n.h_newbin++;
		i = e;
	}
}

static void
diff_hardening(dctx *c)
{
	size_t na = 0, nb = 0;
	ditem *a = hard_items(c, &c->s[0], &na), *b = hard_items(c, &c->s[1], &nb);

	if (c->rc == VOUCH_OK) {
		walk(c, a, na, b, nb, hard_group);
		new_binaries(c, b, nb);
	}
}

/* ---- the document --------------------------------------------------------------------- */

static json_t *
side_view(dctx *c, const dside *s)
{
	json_t *o = json_object();
	put(c, o, "image", jcopy(s->root, "image"));
	put(c, o, "sha256", jstr(s->image_sha));
	put(c, o, "outcome", jcopy(s->root, "outcome"));
	put(c, o, "files", jsize(s->nfiles));
	put(c, o, "components", jsize(json_array_size(s->comps)));
	put(c, o, "findings", jsize(json_array_size(s->finds)));
	put(c, o, "vulnerabilities", s->vulns != NULL ? jsize(json_array_size(s->vulns))
						       : json_null());
	put(c, o, "database", jstr(db_digest(s)));
	return o;
}

static json_t *
summary(dctx *c, bool compared)
{
	const counts *n = &c->n;
	json_t *o = json_object(), *r = json_object();
	size_t reg = n->r_vuln + n->r_account + n->r_key + n->r_service + n->r_secret +
		     n->r_endpoint + n->h_reg + n->h_newbin + n->c_down;
	bool same = n->f_added + n->f_removed + n->f_changed + n->f_meta + n->f_type +
			    n->c_added + n->c_removed + n->c_up + n->c_down + n->v_fixed +
			    n->v_intro + n->i_added + n->i_removed + n->h_reg + n->h_imp +
			    n->h_changed + n->h_newbin ==
		    0;

	put(c, o, "identical", json_boolean(same));
	put(c, o, "files_added", jsize(n->f_added));
	put(c, o, "files_removed", jsize(n->f_removed));
	put(c, o, "files_changed", jsize(n->f_changed));
	put(c, o, "files_metadata_changed", jsize(n->f_meta));
	put(c, o, "files_type_changed", jsize(n->f_type));
	put(c, o, "files_unchanged", jsize(n->f_same));
	put(c, o, "files_ambiguous", jsize(n->f_ambig));
	put(c, o, "components_added", jsize(n->c_added));
	put(c, o, "components_removed", jsize(n->c_removed));
	put(c, o, "components_upgraded", jsize(n->c_up));
	put(c, o, "components_downgraded", jsize(n->c_down));
	put(c, o, "components_unchanged", jsize(n->c_same));
	put(c, o, "vulnerabilities_fixed", compared ? jsize(n->v_fixed) : json_null());
	put(c, o, "vulnerabilities_introduced", compared ? jsize(n->v_intro) : json_null());
	put(c, o, "indicators_added", jsize(n->i_added));
	put(c, o, "indicators_removed", jsize(n->i_removed));
	put(c, o, "hardening_regressions", jsize(n->h_reg));
	put(c, o, "hardening_improvements", jsize(n->h_imp));
	put(c, o, "new_unhardened_binaries", jsize(n->h_newbin));
	put(c, o, "regressions", jsize(reg));
	put(c, r, "vulnerabilities", jsize(n->r_vuln));
	put(c, r, "account", jsize(n->r_account));
	put(c, r, "key", jsize(n->r_key));
	put(c, r, "service", jsize(n->r_service));
	put(c, r, "secret", jsize(n->r_secret));
	put(c, r, "public_endpoints", jsize(n->r_endpoint));
	put(c, r, "hardening", jsize(n->h_reg));
	put(c, r, "new_unhardened_binaries", jsize(n->h_newbin));
	put(c, r, "downgrades", jsize(n->c_down));
	put(c, o, "regressions_by_kind", r);
	return o;
}

/* Every category object's keys sorted, so the output does not depend on which category
 * a report happened to list first. */
static json_t *
sorted_indicators(dctx *c)
{
	size_t n = json_object_size(c->ind), k = 0;
	const char **keys = vouch_arena_alloc(c->ar, (n ? n : 1) * sizeof(*keys));
	const char *key;
	json_t *v, *o = json_object();

	if (keys == NULL) {
		nomem(c);
		return o;
	}
	json_object_foreach(c->ind, key, v) {
		keys[k++] = key;
	}
	for (size_t i = 1; i < k; i++) { /* insertion sort: a handful of categories */
		for (size_t j = i; j > 0 && strcmp(keys[j - 1], keys[j]) > 0; j--) {
			const char *t = keys[j];
			keys[j] = keys[j - 1];
			keys[j - 1] = t;
		}
	}
	for (size_t i = 0; i < k; i++) {
		put(c, o, keys[i], json_incref(json_object_get(c->ind, keys[i])));
	}
	return o;
}

int
vouch_report_diff(const char *a_json, size_t alen, const char *b_json, size_t blen,
		  char **diff_json_out, char *why, size_t why_cap)
{
	dctx c = {.why = why, .why_cap = why_cap};
	json_t *root = NULL, *vulns = NULL, *files, *comps, *hard;
	uint64_t budget;
	char *text = NULL;
	bool compared;

	if (why != NULL && why_cap > 0) {
		why[0] = '\0';
	}
	if (diff_json_out == NULL || a_json == NULL || b_json == NULL) {
		return fail(&c, VOUCH_E_USAGE, "vouch_report_diff: NULL argument");
	}
	*diff_json_out = NULL;
	if (!vouch_mul_u64((uint64_t)alen + (uint64_t)blen, DIFF_ARENA_PER_INPUT_BYTE, &budget) ||
	    !vouch_add_u64(budget, DIFF_ARENA_FLOOR, &budget)) {
		return fail(&c, VOUCH_E_LIMIT, "reports too large");
	}
	if (vouch_arena_new(&c.ar, budget) != VOUCH_OK) {
		return nomem(&c);
	}
	c.s[0].name = "A";
	c.s[1].name = "B";
	c.f_added = json_array();
	c.f_removed = json_array();
	c.f_changed = json_array();
	c.f_meta = json_array();
	c.f_type = json_array();
	c.f_ambig = json_array();
	c.c_added = json_array();
	c.c_removed = json_array();
	c.c_up = json_array();
	c.c_down = json_array();
	c.c_same = json_array();
	c.v_fixed = json_array();
	c.v_intro = json_array();
	c.ind = json_object();
	c.h_reg = json_array();
	c.h_imp = json_array();
	c.h_changed = json_array();
	c.h_newbin = json_array();
	if (side_load(&c, &c.s[0], a_json, alen) != VOUCH_OK ||
	    side_load(&c, &c.s[1], b_json, blen) != VOUCH_OK) {
		goto out;
	}
	diff_files(&c);
	diff_components(&c);
	vulns = diff_vulns(&c);
	diff_indicators(&c);
	diff_hardening(&c);
	if (c.rc != VOUCH_OK) {
		json_decref(vulns);
		goto out;
	}
	compared = c.s[0].vulns != NULL && c.s[1].vulns != NULL;
	files = json_object();
	comps = json_object();
	hard = json_object();
	root = json_object();
	put(&c, root, "tool", json_string("vouch"));
	put(&c, root, "diff_version", json_integer(1));
	put(&c, root, "a", side_view(&c, &c.s[0]));
	put(&c, root, "b", side_view(&c, &c.s[1]));
	put(&c, root, "summary", summary(&c, compared));
	put(&c, files, "added", json_incref(c.f_added));
	put(&c, files, "removed", json_incref(c.f_removed));
	put(&c, files, "changed", json_incref(c.f_changed));
	put(&c, files, "metadata_changed", json_incref(c.f_meta));
	put(&c, files, "type_changed", json_incref(c.f_type));
	put(&c, files, "ambiguous", json_incref(c.f_ambig));
	put(&c, root, "files", files);
	put(&c, comps, "added", json_incref(c.c_added));
	put(&c, comps, "removed", json_incref(c.c_removed));
	put(&c, comps, "upgraded", json_incref(c.c_up));
	put(&c, comps, "downgraded", json_incref(c.c_down));
	put(&c, comps, "unchanged", json_incref(c.c_same));
	put(&c, root, "components", comps);
	put(&c, root, "vulnerabilities", vulns);
	put(&c, root, "indicators", sorted_indicators(&c));
	put(&c, hard, "regressions", json_incref(c.h_reg));
	put(&c, hard, "improvements", json_incref(c.h_imp));
	put(&c, hard, "changed", json_incref(c.h_changed));
	put(&c, hard, "new_binaries", json_incref(c.h_newbin));
	put(&c, hard, "unchanged", jsize(c.n.h_same));
	put(&c, root, "hardening", hard);
	if (c.rc != VOUCH_OK) {
		goto out;
	}
	text = json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
	if (text == NULL) {
		nomem(&c);
		goto out;
	}
	*diff_json_out = text;
out:
	json_decref(root);
	json_t *own[] = {c.f_added, c.f_removed, c.f_changed, c.f_meta, c.f_type, c.f_ambig,
			 c.c_added, c.c_removed, c.c_up,    c.c_down, c.c_same, c.v_fixed,
			 c.v_intro, c.ind,       c.h_reg,     c.h_imp,  c.h_changed, c.h_newbin,
			 c.s[0].root, c.s[1].root};
	for (size_t i = 0; i < VOUCH_ARRAY_LEN(own); i++) {
		json_decref(own[i]);
	}
	vouch_arena_free(c.ar);
	return c.rc;
}
