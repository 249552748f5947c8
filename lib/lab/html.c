/*
 * lab/html.c: the evaluation report for people (vouch/html.h): one self-contained HTML5
 * page made from the reports, verdicts and delivery JSON the machines read.
 *
 * How. Every input is parsed with jansson (duplicate keys refused: two "verdict" members
 * must not let the page and the policy read different values) and its shape checked once
 * up front (objects and arrays where the contract has them, the verdict one of three words),
 * so rendering can then take any member as absent-or-right. The page is written into ONE
 * growing buffer (doubling, with the ceiling VOUCH_HTML_MAX); its first failure is sticky
 * and checked once at the end, so a 13,000-file report costs a few reallocations, not one
 * per piece. Order on the page: header (delivery facts), the verdict and its reasons, then
 * per image findings, components, vulnerabilities, the unpacking tree, regions and the
 * entropy plot.
 *
 * Hostile strings. Everything from an input goes through esc_token(): & < > " ' become
 * entities, C0/C1 controls and DEL become visible \xNN / \u+XXXX text, so do the Unicode
 * bidirectional controls (a file name must not read as another name), and bytes that are not
 * UTF-8 become U+FFFD. The same escaping serves text, SVG <text>/<title> and quoted attribute
 * values. Ids, classes, hrefs and colours are made by us only: anchors are indices
 * ("i0-f12"), severity classes come from a fixed table, no input ever reaches a URL. The
 * Content-Security-Policy meta tag (default-src 'none') makes the browser itself refuse any
 * script or fetch that a mistake here might let through.
 *
 * Linking. A verdict's reason names a finding by (id, path, offset[, evidence]) or a
 * vulnerability by (id, component, version); both are looked up by binary search in a sorted
 * key table of the same image's report, the row gets a back-link to the reason (and to the
 * waiver that covers it), and a reason that matches nothing says so on the page rather than
 * pointing nowhere.
 *
 * The tree. file_list is sorted component-wise ('/' below every other byte) so every node's
 * descendants follow it; one pass with an explicit stack of open <details> emits it, adding
 * the levels no file stands for (a container's "squashfs@0x10000"). Directories start
 * collapsed, containers and the image open, so 13,000 files stay navigable. Depth on the page
 * is capped (HTML_TREE_DEPTH_MAX); deeper remainders are shown as one label.
 *
 * Rejected: a template engine or a second pass building a DOM (more code, more memory, no
 * gain: the page is written once, top to bottom); JavaScript for collapsing and sorting
 * (<details> does it without script, and a page without script cannot be turned against its
 * reader); SVG <pattern>/<clipPath> (url() references; plain rectangles say as much);
 * external links to NVD for CVE ids (the page must load and point nowhere: ids are text).
 */
#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "base/utf8.h"
#include "vouch/html.h"
#include "vouch/vouch.h"

/* One input text (a report, a verdict, the delivery): the lab store's own ceiling for a
 * stored text; a larger one is not a report we made. */
#define HTML_INPUT_MAX (512u << 20)
/* Entropy points plotted: report.c makes at most 512; more than the plot has pixels says
 * nothing more and could make the SVG the bulk of the page. */
#define HTML_ENTROPY_MAX 4096
/* Nesting of the tree on the page: a browser's parser flattens beyond a few hundred levels,
 * and no person opens 64 levels one by one; deeper paths are shown whole on one line. */
#define HTML_TREE_DEPTH_MAX 64
/* Evidence items of a component shown inline; the rest behind a <details>. */
#define HTML_EVIDENCE_INLINE 3
/* A severity group of findings with more rows than this starts collapsed (info endpoints
 * of a big image run to thousands). */
#define HTML_GROUP_OPEN_MAX 200

/* Prose (a vulnerability's summary) shown whole up to this many characters; a kernel CVE's
 * description can be a 10 KB crash log. */
#define HTML_PROSE_SHORT 480

/* ---- the growing page ------------------------------------------------------------- */

typedef struct hbuf {
	char *p;
	size_t len, cap;
	int err; /* first failure, sticky: every write after it is a no-op */
} hbuf;

static bool
hb_reserve(hbuf *b, size_t more)
{
	size_t need, cap;
	char *np;

	if (b->err != VOUCH_OK) {
		return false;
	}
	if (__builtin_add_overflow(b->len, more, &need) || need >= VOUCH_HTML_MAX) {
		b->err = VOUCH_E_LIMIT;
		return false;
	}
	if (need < b->cap) {
		return true;
	}
	cap = b->cap ? b->cap : 65536;
	while (cap <= need) {
		cap *= 2;
	}
	if (cap > VOUCH_HTML_MAX) {
		cap = VOUCH_HTML_MAX;
	}
	np = realloc(b->p, cap);
	if (np == NULL) {
		b->err = VOUCH_E_NOMEM;
		return false;
	}
	b->p = np;
	b->cap = cap;
	return true;
}

static void
hb_put(hbuf *b, const char *s, size_t n)
{
	if (n == 0 || !hb_reserve(b, n)) {
		return;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = 0;
}

/* Markup we wrote (never input). */
static void
hb_s(hbuf *b, const char *s)
{
	hb_put(b, s, strlen(s));
}

/* Formatted markup: only for our own numbers and fixed strings, never input text. */
static void VOUCH_PRINTF(2, 3)
hb_f(hbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!hb_reserve(b, 256)) {
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->err = VOUCH_E_INTERNAL;
		return;
	}
	if ((size_t)n >= b->cap - b->len) {
		if (!hb_reserve(b, (size_t)n + 1)) {
			return;
		}
		va_start(ap, fmt);
		n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n < 0 || (size_t)n >= b->cap - b->len) {
			b->err = VOUCH_E_INTERNAL;
			return;
		}
	}
	b->len += (size_t)n;
}

/* ---- escaping ----------------------------------------------------------------------- */

static bool
is_bidi(uint32_t cp)
{
	return cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

/*
 * The next token of s[0, n): *adv bytes are consumed; returns the length of the replacement
 * written to rep[16], or 0 when the consumed bytes are kept as they are.
 */
static size_t
esc_token(const unsigned char *s, size_t n, size_t *adv, char rep[16])
{
	unsigned char c = s[0];
	uint32_t cp;
	size_t k;

	*adv = 1;
	switch (c) {
	case '&':
		memcpy(rep, "&amp;", 5);
		return 5;
	case '<':
		memcpy(rep, "&lt;", 4);
		return 4;
	case '>':
		memcpy(rep, "&gt;", 4);
		return 4;
	case '"':
		memcpy(rep, "&quot;", 6);
		return 6;
	case '\'':
		memcpy(rep, "&#39;", 5);
		return 5;
	default:
		break;
	}
	if (c < 0x20 || c == 0x7f) {
		return (size_t)snprintf(rep, 16, "\\x%02x", c);
	}
	if (c < 0x80) {
		return 0;
	}
	k = vouch_utf8_next(s, n, &cp);
	if (k == 0) {
		memcpy(rep, "\xef\xbf\xbd", 3); /* U+FFFD */
		return 3;
	}
	*adv = k;
	if ((cp >= 0x80 && cp <= 0x9f) || is_bidi(cp)) {
		return (size_t)snprintf(rep, 16, "\\u+%04X", (unsigned)cp);
	}
	return 0;
}

size_t
vouch_html_escape(char *dst, size_t cap, const char *src)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t n = strlen(src), i = 0, need = 0, out = 0;
	bool full = false;

	while (i < n) {
		char rep[16];
		size_t adv, r = esc_token(s + i, n - i, &adv, rep);
		const char *piece = r ? rep : (const char *)s + i;
		size_t len = r ? r : adv;

		if (!full && cap > 0 && out + len < cap) {
			memcpy(dst + out, piece, len);
			out += len;
		} else {
			full = true;
		}
		need += len;
		i += adv;
	}
	if (cap > 0) {
		dst[out] = 0;
	}
	return need;
}

/* Input text s[0, n), escaped; at most max_cp code points (0: all), then an ellipsis. */
static void
hb_escn(hbuf *b, const char *str, size_t n, size_t max_cp)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, run = 0, cps = 0;

	while (i < n) {
		char rep[16];
		size_t adv, r;

		if (max_cp != 0 && cps == max_cp) {
			break;
		}
		r = esc_token(s + i, n - i, &adv, rep);
		if (r != 0) {
			hb_put(b, (const char *)s + run, i - run);
			hb_put(b, rep, r);
			run = i + adv;
		}
		i += adv;
		cps++;
	}
	hb_put(b, (const char *)s + run, i - run);
	if (i < n) {
		hb_s(b, "\xe2\x80\xa6"); /* U+2026 */
	}
}

static void
hb_esc_max(hbuf *b, const char *s, size_t max_cp)
{
	if (s != NULL) {
		hb_escn(b, s, strlen(s), max_cp);
	}
}

static void
hb_esc(hbuf *b, const char *s)
{
	hb_esc_max(b, s, 0);
}

/* Long prose (a vulnerability's summary): its start, the whole behind a <details>. */
static void
hb_long(hbuf *b, const char *s)
{
	size_t cps = 0;

	if (s == NULL) {
		return;
	}
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		cps += (*p & 0xc0) != 0x80;
	}
	if (cps <= HTML_PROSE_SHORT) {
		hb_esc(b, s);
		return;
	}
	hb_esc_max(b, s, HTML_PROSE_SHORT);
	hb_s(b, "<details class=\"ev\"><summary>all of it</summary>");
	hb_esc(b, s);
	hb_s(b, "</details>");
}

/* ---- JSON access (shapes were checked in check_*) ------------------------------------ */

static json_t *
jget(const json_t *o, const char *k)
{
	return json_is_object(o) ? json_object_get(o, k) : NULL;
}

static const char *
jstr(const json_t *o, const char *k)
{
	json_t *v = jget(o, k);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static bool
jint(const json_t *o, const char *k, long long *v)
{
	json_t *j = jget(o, k);
	if (!json_is_integer(j)) {
		return false;
	}
	*v = (long long)json_integer_value(j);
	return true;
}

/* o[k] is there and not null */
static bool
jhas(const json_t *o, const char *k)
{
	json_t *v = jget(o, k);
	return v != NULL && json_typeof(v) != JSON_NULL;
}

static bool
jnum(const json_t *o, const char *k, double *d)
{
	json_t *v = jget(o, k);

	if (v == NULL || (json_typeof(v) != JSON_INTEGER && json_typeof(v) != JSON_REAL)) {
		return false;
	}
	*d = json_number_value(v);
	return true;
}

static size_t
jlen(const json_t *o, const char *k)
{
	json_t *a = jget(o, k);
	return json_is_array(a) ? json_array_size(a) : 0;
}

static const char *
nz(const char *s)
{
	return s ? s : "";
}

/* A scalar member as text: strings escaped, numbers printed, else a dash. */
static void
hb_val(hbuf *b, const json_t *v)
{
	if (json_is_string(v)) {
		hb_esc(b, json_string_value(v));
	} else if (json_is_integer(v)) {
		hb_f(b, "%lld", (long long)json_integer_value(v));
	} else if (json_is_real(v)) {
		hb_f(b, "%g", json_real_value(v));
	} else if (json_is_true(v)) {
		hb_s(b, "yes");
	} else if (json_is_false(v)) {
		hb_s(b, "no");
	} else {
		hb_s(b, "<span class=\"none\">\xe2\x80\x94</span>");
	}
}

static void
hb_mem(hbuf *b, const json_t *o, const char *k)
{
	hb_val(b, jget(o, k));
}

static void
hb_size(hbuf *b, unsigned long long v)
{
	static const char *const unit[] = {"KiB", "MiB", "GiB", "TiB"};
	double d = (double)v;
	int u = -1;

	if (v < 1024) {
		hb_f(b, "%llu B", v);
		return;
	}
	while (d >= 1024 && u < 3) {
		d /= 1024;
		u++;
	}
	hb_f(b, "%.1f %s", d, unit[u]);
}

/* An offset: hex, the decimal in a tooltip. */
static void
hb_off(hbuf *b, const json_t *o, const char *k)
{
	long long v;

	if (!jint(o, k, &v)) {
		hb_mem(b, o, k);
	} else if (v < 0) {
		hb_f(b, "%lld", v);
	} else {
		hb_f(b, "<span title=\"%lld\">0x%llx</span>", v, (unsigned long long)v);
	}
}

/* A byte count: human units, the exact count in a tooltip; anything else as it is. */
static void
hb_bytes(hbuf *b, const json_t *o, const char *k)
{
	long long v;

	if (jint(o, k, &v) && v >= 0) {
		hb_f(b, "<span title=\"%lld bytes\">", v);
		hb_size(b, (unsigned long long)v);
		hb_s(b, "</span>");
	} else {
		hb_mem(b, o, k);
	}
}

/* ---- fixed vocabularies: classes and words come from these tables only ------------- */

static const char *const sev_names[] = {"info", "low", "medium", "high", "critical"};

/* 0..4, or -1 for anything else */
static int
sev_rank(const char *s)
{
	for (int i = 0; s != NULL && i < 5; i++) {
		if (strcmp(s, sev_names[i]) == 0) {
			return i;
		}
	}
	return -1;
}

static void
hb_sev(hbuf *b, const char *s)
{
	int r = sev_rank(s);

	if (r < 0) {
		hb_s(b, "<span class=\"sev s-unknown\">");
		if (s != NULL) {
			hb_esc_max(b, s, 16);
		} else {
			hb_s(b, "unknown");
		}
		hb_s(b, "</span>");
		return;
	}
	hb_f(b, "<span class=\"sev s-%s\">%s</span>", sev_names[r], sev_names[r]);
}

enum { V_NONE, V_APPROVED, V_CONDITIONS, V_REJECTED };

static int
verdict_kind(const char *v)
{
	if (v == NULL) {
		return V_NONE;
	}
	if (strcmp(v, "approved") == 0) {
		return V_APPROVED;
	}
	if (strcmp(v, "approved-with-conditions") == 0) {
		return V_CONDITIONS;
	}
	if (strcmp(v, "rejected") == 0) {
		return V_REJECTED;
	}
	return -1;
}

static const char *
verdict_class(int k)
{
	switch (k) {
	case V_APPROVED:
		return "v-approved";
	case V_CONDITIONS:
		return "v-conditions";
	case V_REJECTED:
		return "v-rejected";
	default:
		return "v-none";
	}
}

static const char *
verdict_word(int k)
{
	switch (k) {
	case V_APPROVED:
		return "approved";
	case V_CONDITIONS:
		return "approved with conditions";
	case V_REJECTED:
		return "rejected";
	default:
		return "not evaluated against a policy";
	}
}

/* ---- the model ---------------------------------------------------------------------- */

typedef struct fkey {
	const char *id, *path, *evidence;
	long long off;
	int has_off;
	size_t idx;
} fkey;

typedef struct vkey {
	const char *id, *comp, *version;
	size_t idx;
} vkey;

typedef struct frow {
	int rank;
	const char *cat, *id, *path;
	long long off;
	size_t idx;
} frow;

typedef struct tent {
	const char *path;
	size_t len, idx;
} tent;

typedef struct img {
	json_t *rep, *ver; /* owned */
	const char *root;  /* the image's node name in paths and regions */
	json_t *findings, *comps, *vulns, *files, *regions;
	size_t nf, nc, nv, nfiles, nreg;
	fkey *fk;  /* findings sorted by (id, path, offset) for the verdict's references */
	vkey *vk;  /* vulnerabilities sorted by (id, component, version) */
	fkey *fp;  /* findings sorted by path for the tree's badges */
	size_t *f_reason, *f_waiver, *v_reason, *v_waiver; /* index + 1, 0: none */
} img;

typedef struct ctx {
	hbuf b;
	json_t *delivery;
	img *im;
	size_t n;
	char *why;
	size_t why_cap;
} ctx;

static int VOUCH_PRINTF(3, 4)
fail(ctx *c, int code, const char *fmt, ...)
{
	va_list ap;

	if (c->why != NULL && c->why_cap > 0) {
		va_start(ap, fmt);
		vsnprintf(c->why, c->why_cap, fmt, ap);
		va_end(ap);
	}
	return code;
}

/* ---- parsing and shape checks ------------------------------------------------------ */

static int
parse(ctx *c, const char *text, const char *what, size_t i, json_t **out)
{
	json_error_t je;
	size_t n = strlen(text);
	json_t *j;

	if (n > HTML_INPUT_MAX) {
		return fail(c, VOUCH_E_LIMIT, "%s %zu: %zu bytes, more than the %u MiB a report page "
			    "reads", what, i + 1, n, HTML_INPUT_MAX >> 20);
	}
	j = json_loadb(text, n, JSON_REJECT_DUPLICATES, &je);
	if (j == NULL) {
		return fail(c, VOUCH_E_MALFORMED, "%s %zu: not JSON: line %d column %d: %s", what,
			    i + 1, je.line, je.column, je.text);
	}
	if (!json_is_object(j)) {
		json_decref(j);
		return fail(c, VOUCH_E_MALFORMED, "%s %zu: not a JSON object", what, i + 1);
	}
	*out = j;
	return VOUCH_OK;
}

/* o[k], when present and not null, must be an array of objects. */
static int
check_objects(ctx *c, const json_t *o, const char *k, const char *what, size_t i)
{
	json_t *a = jget(o, k), *e;
	size_t j;

	if (a == NULL || json_is_null(a)) {
		return VOUCH_OK;
	}
	if (!json_is_array(a)) {
		return fail(c, VOUCH_E_MALFORMED, "%s %zu: \"%s\" is not an array", what, i + 1, k);
	}
	json_array_foreach(a, j, e) {
		if (!json_is_object(e)) {
			return fail(c, VOUCH_E_MALFORMED, "%s %zu: \"%s\"[%zu] is not an object", what,
				    i + 1, k, j);
		}
	}
	return VOUCH_OK;
}

static int
check_object(ctx *c, const json_t *o, const char *k, const char *what, size_t i)
{
	json_t *v = jget(o, k);

	if (v != NULL && !json_is_null(v) && !json_is_object(v)) {
		return fail(c, VOUCH_E_MALFORMED, "%s %zu: \"%s\" is not an object", what, i + 1, k);
	}
	return VOUCH_OK;
}

static int
check_report(ctx *c, const json_t *r, size_t i)
{
	static const char *const arrays[] = {"findings", "components", "vulnerabilities",
					     "regions"};
	json_t *ent, *vals, *v;
	size_t j;
	int rc;

	for (j = 0; j < VOUCH_ARRAY_LEN(arrays); j++) {
		if ((rc = check_objects(c, r, arrays[j], "report", i)) != VOUCH_OK) {
			return rc;
		}
	}
	if ((rc = check_object(c, r, "inventory", "report", i)) != VOUCH_OK ||
	    (rc = check_objects(c, jget(r, "inventory"), "file_list", "report", i)) != VOUCH_OK ||
	    (rc = check_object(c, r, "entropy", "report", i)) != VOUCH_OK) {
		return rc;
	}
	ent = jget(r, "entropy");
	vals = jget(ent, "values");
	if (vals != NULL && !json_is_null(vals)) {
		if (!json_is_array(vals)) {
			return fail(c, VOUCH_E_MALFORMED, "report %zu: entropy \"values\" is not an array",
				    i + 1);
		}
		if (json_array_size(vals) > HTML_ENTROPY_MAX) {
			return fail(c, VOUCH_E_LIMIT, "report %zu: %zu entropy values, more than %d",
				    i + 1, json_array_size(vals), HTML_ENTROPY_MAX);
		}
		json_array_foreach(vals, j, v) {
			if (!json_is_number(v)) {
				return fail(c, VOUCH_E_MALFORMED,
					    "report %zu: entropy value %zu is not a number", i + 1, j);
			}
		}
	}
	/* the members a reason's reference is looked up by: strings when present */
	json_array_foreach(jget(r, "findings"), j, v) {
		json_t *off = jget(v, "offset");
		if ((jget(v, "id") && !jstr(v, "id")) || (jget(v, "path") && !jstr(v, "path")) ||
		    (off != NULL && !json_is_null(off) && !json_is_integer(off))) {
			return fail(c, VOUCH_E_MALFORMED,
				    "report %zu: finding %zu: id and path must be strings, offset an "
				    "integer or null", i + 1, j);
		}
	}
	return VOUCH_OK;
}

/* A reason's or a waiver's subject: exactly one of "finding" and "vulnerability". */
static int
check_subject(ctx *c, const json_t *o, const char *what, size_t i, size_t j)
{
	json_t *f = jget(o, "finding"), *v = jget(o, "vulnerability");

	if ((f != NULL && !json_is_object(f)) || (v != NULL && !json_is_object(v)) ||
	    (f != NULL && v != NULL)) {
		return fail(c, VOUCH_E_MALFORMED, "verdict %zu: %s %zu: \"finding\" or "
			    "\"vulnerability\" must be one object", i + 1, what, j);
	}
	return VOUCH_OK;
}

static int
check_verdict(ctx *c, const json_t *v, size_t i)
{
	const char *word = jstr(v, "verdict");
	json_t *pol = jget(v, "policy"), *e, *w;
	size_t j, k;
	int rc;

	if (word == NULL || verdict_kind(word) <= V_NONE) {
		return fail(c, VOUCH_E_MALFORMED, "verdict %zu: \"verdict\" must be \"approved\", "
			    "\"approved-with-conditions\" or \"rejected\"", i + 1);
	}
	if (pol != NULL && !json_is_object(pol) && !json_is_string(pol) && !json_is_null(pol)) {
		return fail(c, VOUCH_E_MALFORMED, "verdict %zu: \"policy\" is not an object", i + 1);
	}
	if ((rc = check_objects(c, v, "reasons", "verdict", i)) != VOUCH_OK ||
	    (rc = check_objects(c, v, "waivers", "verdict", i)) != VOUCH_OK ||
	    (rc = check_object(c, v, "summary", "verdict", i)) != VOUCH_OK) {
		return rc;
	}
	json_array_foreach(jget(v, "reasons"), j, e) {
		if ((rc = check_subject(c, e, "reason", i, j + 1)) != VOUCH_OK) {
			return rc;
		}
	}
	json_array_foreach(jget(v, "waivers"), j, w) {
		if ((rc = check_objects(c, w, "covers", "verdict", i)) != VOUCH_OK) {
			return rc;
		}
		json_array_foreach(jget(w, "covers"), k, e) {
			if ((rc = check_subject(c, e, "waiver cover", i, k + 1)) != VOUCH_OK) {
				return rc;
			}
		}
	}
	return VOUCH_OK;
}

/* ---- lookup tables ------------------------------------------------------------------ */

/* (id, path, offset): what a verdict's finding reference names */
static int
fkey_ref_cmp(const fkey *a, const fkey *b)
{
	int r = strcmp(nz(a->id), nz(b->id));

	if (r == 0) {
		r = strcmp(nz(a->path), nz(b->path));
	}
	if (r == 0) {
		r = a->has_off != b->has_off ? (a->has_off < b->has_off ? -1 : 1)
					     : (a->off < b->off ? -1 : a->off > b->off);
	}
	return r;
}

static int
fkey_cmp(const void *pa, const void *pb)
{
	const fkey *a = pa, *b = pb;
	int r = fkey_ref_cmp(a, b);

	return r != 0 ? r : (a->idx < b->idx ? -1 : a->idx > b->idx);
}

static int
fpath_cmp(const void *pa, const void *pb)
{
	const fkey *a = pa, *b = pb;
	int r = strcmp(nz(a->path), nz(b->path));

	return r != 0 ? r : (a->idx < b->idx ? -1 : a->idx > b->idx);
}

/* (id, component): what a verdict's vulnerability reference names (version optional) */
static int
vkey_ref_cmp(const vkey *a, const vkey *b)
{
	int r = strcmp(nz(a->id), nz(b->id));

	return r != 0 ? r : strcmp(nz(a->comp), nz(b->comp));
}

static int
vkey_cmp(const void *pa, const void *pb)
{
	const vkey *a = pa, *b = pb;
	int r = vkey_ref_cmp(a, b);

	if (r == 0) {
		r = strcmp(nz(a->version), nz(b->version));
	}
	return r != 0 ? r : (a->idx < b->idx ? -1 : a->idx > b->idx);
}

static void
fkey_of(const json_t *f, size_t idx, fkey *k)
{
	k->id = jstr(f, "id");
	k->path = jstr(f, "path");
	k->evidence = jstr(f, "evidence");
	k->has_off = jint(f, "offset", &k->off);
	if (!k->has_off) {
		k->off = 0;
	}
	k->idx = idx;
}

static int
build_index(img *m)
{
	json_t *e;
	size_t j;

	m->fk = calloc(m->nf + 1, sizeof(*m->fk));
	m->fp = calloc(m->nf + 1, sizeof(*m->fp));
	m->vk = calloc(m->nv + 1, sizeof(*m->vk));
	m->f_reason = calloc(m->nf + 1, sizeof(size_t));
	m->f_waiver = calloc(m->nf + 1, sizeof(size_t));
	m->v_reason = calloc(m->nv + 1, sizeof(size_t));
	m->v_waiver = calloc(m->nv + 1, sizeof(size_t));
	if (!m->fk || !m->fp || !m->vk || !m->f_reason || !m->f_waiver || !m->v_reason ||
	    !m->v_waiver) {
		return VOUCH_E_NOMEM;
	}
	json_array_foreach(m->findings, j, e) {
		fkey_of(e, j, &m->fk[j]);
	}
	memcpy(m->fp, m->fk, m->nf * sizeof(*m->fk));
	qsort(m->fk, m->nf, sizeof(*m->fk), fkey_cmp);
	qsort(m->fp, m->nf, sizeof(*m->fp), fpath_cmp);
	json_array_foreach(m->vulns, j, e) {
		m->vk[j].id = jstr(e, "id");
		m->vk[j].comp = jstr(e, "component");
		m->vk[j].version = jstr(e, "version");
		m->vk[j].idx = j;
	}
	qsort(m->vk, m->nv, sizeof(*m->vk), vkey_cmp);
	return VOUCH_OK;
}

/* The report's finding a verdict's reference names, or SIZE_MAX. */
static size_t
find_finding(const img *m, const json_t *ref)
{
	fkey want;
	size_t lo = 0, hi = m->nf;

	fkey_of(ref, 0, &want);
	while (lo < hi) { /* the first key >= (id, path, offset) */
		size_t mid = lo + (hi - lo) / 2;
		if (fkey_ref_cmp(&m->fk[mid], &want) < 0) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	/* among equal keys, the first whose evidence agrees (when the reference has one) */
	for (size_t i = lo; i < m->nf && fkey_ref_cmp(&m->fk[i], &want) == 0; i++) {
		const fkey *k = &m->fk[i];
		if (want.evidence == NULL || (k->evidence && strcmp(k->evidence, want.evidence) == 0)) {
			return k->idx;
		}
	}
	return SIZE_MAX;
}

static size_t
find_vuln(const img *m, const json_t *ref)
{
	vkey want = {jstr(ref, "id"), jstr(ref, "component"), jstr(ref, "version"), 0};
	size_t lo = 0, hi = m->nv;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (vkey_ref_cmp(&m->vk[mid], &want) < 0) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	for (size_t i = lo; i < m->nv && vkey_ref_cmp(&m->vk[i], &want) == 0; i++) {
		if (want.version == NULL || strcmp(nz(m->vk[i].version), want.version) == 0) {
			return m->vk[i].idx;
		}
	}
	return SIZE_MAX;
}

/* ---- page pieces ---------------------------------------------------------------------- */

static const char css[] =
	":root{--ok:#1a7f37;--cond:#9a6700;--rej:#cf222e;--none:#57606a;--line:#d0d7de;"
	"--mono:ui-monospace,'DejaVu Sans Mono',Menlo,Consolas,monospace}"
	"body{font:14px/1.45 system-ui,'DejaVu Sans',sans-serif;margin:0 auto;max-width:1240px;"
	"padding:16px 24px;color:#1f2328;background:#fff}"
	"h1{font-size:24px;margin:0 0 2px}h2{font-size:20px;border-bottom:2px solid var(--line);"
	"padding-bottom:4px;margin:32px 0 10px}h3{font-size:16px;margin:22px 0 6px}"
	"table{border-collapse:collapse;width:100%;margin:6px 0 12px;font-size:13px}"
	"th,td{border:1px solid var(--line);padding:3px 6px;text-align:left;vertical-align:top}"
	"th{background:#f6f8fa}td.p,code,.mono{font-family:var(--mono);font-size:12px;"
	"word-break:break-all}td.id code{word-break:normal;white-space:nowrap}td.n{text-align:right;white-space:nowrap}"
	"dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:8px 0}"
	"dl.facts dt{color:#57606a}dl.facts dd{margin:0;word-break:break-all}"
	".sub,.m,.none{color:#57606a}.m{font-size:12px}"
	".banner{font-size:24px;font-weight:700;color:#fff;padding:10px 18px;border-radius:6px;"
	"display:inline-block;text-transform:uppercase;letter-spacing:.04em}"
	".badge{color:#fff;padding:1px 8px;border-radius:10px;font-weight:600;font-size:12px}"
	".v-approved{background:var(--ok)}.v-conditions{background:var(--cond)}"
	".v-rejected{background:var(--rej)}.v-none{background:var(--none)}"
	".verdict-img{border:1px solid var(--line);border-left:6px solid var(--none);"
	"border-radius:4px;padding:6px 12px;margin:10px 0}"
	".verdict-img.v-approved,.verdict-img.v-conditions,.verdict-img.v-rejected,"
	".verdict-img.v-none{background:#fff}.verdict-img.v-approved{border-left-color:var(--ok)}"
	".verdict-img.v-conditions{border-left-color:var(--cond)}"
	".verdict-img.v-rejected{border-left-color:var(--rej)}"
	".sev{display:inline-block;min-width:58px;text-align:center;border-radius:10px;"
	"padding:0 6px;font-size:12px;font-weight:600;color:#fff}"
	".s-critical{background:#82071e}.s-high{background:#cf222e}.s-medium{background:#bc4c00}"
	".s-low{background:#9a6700}.s-info{background:#57606a}.s-unknown{background:#8c959f}"
	".o-reject{color:var(--rej);font-weight:700}.o-condition{color:var(--cond);font-weight:700}"
	".warn{color:var(--rej);font-weight:600}.ok{color:var(--ok)}"
	"tr:target,li:target{outline:2px solid #0969da;background:#ddf4ff}"
	"tr.grp td{background:#f6f8fa;font-weight:600}"
	"summary{cursor:pointer}details.fg{margin:4px 0}details.fg>summary{font-weight:600}"
	"ul.tree{list-style:none;padding-left:18px;margin:0}ul.tree li{margin:1px 0}"
	"ul.tree .name{font-family:var(--mono);font-size:12px}"
	"nav ul{list-style:none;padding:0;margin:6px 0;display:flex;flex-wrap:wrap;gap:4px 14px}"
	"svg.entropy{width:100%;height:auto;border:1px solid var(--line);background:#fff}"
	"svg.entropy text{font:11px system-ui,'DejaVu Sans',sans-serif;fill:#1f2328}"
	".sw{display:inline-block;width:12px;height:12px;border:1px solid #8c959f;"
	"vertical-align:middle}"
	"footer{margin-top:40px;color:#57606a;font-size:12px;border-top:1px solid var(--line)}"
	/* print: colours kept, navigation dropped, finding groups and evidence printed open;
	 * the file tree prints as it is shown (a 13,000-file tree would be hundreds of pages) */
	"@media print{body{max-width:none;padding:0;font-size:11px}nav{display:none}"
	"a{color:inherit;text-decoration:none}*{print-color-adjust:exact;"
	"-webkit-print-color-adjust:exact}tr,li,.verdict-img,svg{break-inside:avoid}"
	"h2,h3{break-after:avoid}details.fg::details-content,details.ev::details-content{"
	"content-visibility:visible;display:block}table{font-size:10px}}";

static void
hb_anchor_link(hbuf *b, size_t im, char kind, size_t idx, const char *label)
{
	hb_f(b, "<a href=\"#i%zu-%c%zu\">%s</a>", im, kind, idx, label);
}

/* A finding reference {id, path, offset, evidence, severity} in a sentence. */
static void
hb_fref(hbuf *b, const json_t *f)
{
	hb_sev(b, jstr(f, "severity"));
	hb_s(b, " <code>");
	hb_esc(b, jstr(f, "id"));
	hb_s(b, "</code> in <code>");
	hb_esc(b, jstr(f, "path"));
	hb_s(b, "</code>");
	if (jhas(f, "offset")) {
		hb_s(b, " at ");
		hb_off(b, f, "offset");
	}
	if (jstr(f, "evidence")) {
		hb_s(b, ": <code>");
		hb_esc(b, jstr(f, "evidence"));
		hb_s(b, "</code>");
	}
}

static void
hb_vref(hbuf *b, const json_t *v)
{
	hb_sev(b, jstr(v, "severity"));
	hb_s(b, " <code>");
	hb_esc(b, jstr(v, "id"));
	hb_s(b, "</code> in ");
	hb_esc(b, jstr(v, "component"));
	if (jget(v, "version")) {
		hb_s(b, " ");
		hb_mem(b, v, "version");
	}
	if (jhas(v, "cvss")) {
		hb_s(b, " (CVSS ");
		hb_mem(b, v, "cvss");
		hb_s(b, ")");
	}
}

/*
 * A subject ("finding" or "vulnerability" of a reason or a waiver's cover), linked to its row
 * in image im's report; the row learns the back-link (*_reason / *_waiver, index + 1).
 */
static void
hb_subject(ctx *c, size_t im, const json_t *o, size_t back, bool waiver)
{
	hbuf *b = &c->b;
	img *m = &c->im[im];
	json_t *f = jget(o, "finding"), *v = jget(o, "vulnerability");
	size_t idx;

	if (f != NULL) {
		idx = find_finding(m, f);
		hb_fref(b, f);
		if (idx == SIZE_MAX) {
			hb_s(b, " <span class=\"warn\">(no such finding in this image's report)</span>");
			return;
		}
		hb_s(b, " ");
		hb_anchor_link(b, im, 'f', idx, "\xe2\x86\x92 finding");
		if (waiver && m->f_waiver[idx] == 0) {
			m->f_waiver[idx] = back;
		} else if (!waiver && m->f_reason[idx] == 0) {
			m->f_reason[idx] = back;
		}
	} else if (v != NULL) {
		idx = find_vuln(m, v);
		hb_vref(b, v);
		if (idx == SIZE_MAX) {
			hb_s(b, " <span class=\"warn\">(no such vulnerability in this image's "
				"report)</span>");
			return;
		}
		hb_s(b, " ");
		hb_anchor_link(b, im, 'v', idx, "\xe2\x86\x92 vulnerability");
		if (waiver && m->v_waiver[idx] == 0) {
			m->v_waiver[idx] = back;
		} else if (!waiver && m->v_reason[idx] == 0) {
			m->v_reason[idx] = back;
		}
	} else {
		hb_s(b, "<span class=\"none\">(names no finding or vulnerability)</span>");
	}
}

static void
hb_policy(hbuf *b, const json_t *pol)
{
	if (json_is_object(pol)) {
		hb_mem(b, pol, "name");
		if (jget(pol, "policy_version")) {
			hb_s(b, " (version ");
			hb_mem(b, pol, "policy_version");
			hb_s(b, ")");
		}
	} else {
		hb_val(b, pol);
	}
}

static void
page_head(ctx *c, const char *title)
{
	hbuf *b = &c->b;
	json_t *d = c->delivery;
	static const struct {
		const char *key, *label;
	} facts[] = {
		{"id", "delivery"},	    {"vendor", "vendor"},
		{"product", "product"},	    {"version", "version"},
		{"evaluated_at", "evaluated"}, {"log_index", "log index"},
		{"attestation_sha256", "attestation SHA-256"},
	};

	hb_s(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
		"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
		"style-src 'unsafe-inline'; img-src data:\">\n"
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
	hb_f(b, "<meta name=\"generator\" content=\"vouch %s\">\n<title>", vouch_version());
	hb_esc(b, title);
	hb_s(b, " \xe2\x80\x94 vouch evaluation report</title>\n<style>");
	hb_s(b, css);
	hb_s(b, "</style></head>\n<body>\n<header><h1>");
	hb_esc(b, title);
	hb_f(b, "</h1><div class=\"sub\">Evaluation report \xc2\xb7 %zu firmware image%s \xc2\xb7 "
		"vouch %s</div>\n", c->n, c->n == 1 ? "" : "s", vouch_version());
	if (d != NULL) {
		json_t *arts = jget(d, "artefacts"), *a;
		size_t j;

		hb_s(b, "<dl class=\"facts\" id=\"delivery\">");
		for (j = 0; j < VOUCH_ARRAY_LEN(facts); j++) {
			if (jget(d, facts[j].key) == NULL) {
				continue;
			}
			hb_f(b, "<dt>%s</dt><dd>", facts[j].label);
			hb_mem(b, d, facts[j].key);
			hb_s(b, "</dd>");
		}
		if (jget(d, "policy") != NULL) {
			hb_s(b, "<dt>policy</dt><dd>");
			hb_policy(b, jget(d, "policy"));
			hb_s(b, "</dd>");
		}
		hb_s(b, "</dl>\n");
		if (json_array_size(arts) > 0) {
			hb_s(b, "<table class=\"artefacts\"><thead><tr><th>artefact</th><th>role</th>"
				"<th>SHA-256</th><th>size</th></tr></thead><tbody>");
			json_array_foreach(arts, j, a) {
				hb_s(b, "<tr><td class=\"p\">");
				hb_mem(b, a, "name");
				hb_s(b, "</td><td>");
				hb_mem(b, a, "role");
				hb_s(b, "</td><td class=\"p\">");
				hb_mem(b, a, "sha256");
				hb_s(b, "</td><td class=\"n\">");
				hb_bytes(b, a, "size");
				hb_s(b, "</td></tr>");
			}
			hb_s(b, "</tbody></table>\n");
		}
	}
	hb_s(b, "</header>\n<nav><ul><li><a href=\"#verdict\">Verdict</a></li>");
	for (size_t i = 0; i < c->n; i++) {
		hb_f(b, "<li><a href=\"#i%zu\">", i);
		hb_esc_max(b, c->im[i].root, 60);
		hb_f(b, "</a>: <a href=\"#i%zu-findings\">findings</a> \xc2\xb7 "
			"<a href=\"#i%zu-components\">components</a> \xc2\xb7 "
			"<a href=\"#i%zu-vulns\">vulnerabilities</a> \xc2\xb7 "
			"<a href=\"#i%zu-tree\">files</a> \xc2\xb7 "
			"<a href=\"#i%zu-regions\">regions and entropy</a></li>",
		     i, i, i, i, i);
	}
	hb_s(b, "</ul></nav>\n");
}

/* The verdict that follows from the reasons (the contract: reject wins over condition). */
static int
implied_verdict(const json_t *v)
{
	json_t *r;
	size_t j;
	int k = V_APPROVED;

	json_array_foreach(jget(v, "reasons"), j, r) {
		const char *o = jstr(r, "outcome");
		if (o != NULL && strcmp(o, "reject") == 0) {
			k = V_REJECTED;
		} else if (o != NULL && strcmp(o, "condition") == 0 && k == V_APPROVED) {
			k = V_CONDITIONS;
		}
	}
	return k;
}

static void
verdict_image(ctx *c, size_t im)
{
	hbuf *b = &c->b;
	img *m = &c->im[im];
	json_t *v = m->ver, *sum, *r, *w, *cv;
	size_t j, k;
	int kind = m->ver ? verdict_kind(jstr(v, "verdict")) : V_NONE;

	hb_f(b, "<div class=\"verdict-img %s\" id=\"i%zu-verdict\"><h3><a href=\"#i%zu\">",
	     verdict_class(kind), im, im);
	hb_esc(b, m->root);
	hb_f(b, "</a>: <span class=\"badge %s\">%s</span></h3>\n", verdict_class(kind),
	     verdict_word(kind));
	if (v == NULL) {
		hb_s(b, "<p class=\"none\">No policy verdict was given for this image: its "
			"findings below were not judged.</p></div>\n");
		return;
	}
	hb_s(b, "<dl class=\"facts\">");
	if (jget(v, "policy")) {
		hb_s(b, "<dt>policy</dt><dd>");
		hb_policy(b, jget(v, "policy"));
		hb_s(b, "</dd>");
	}
	if (jget(v, "evaluated_at")) {
		hb_s(b, "<dt>evaluated</dt><dd>");
		hb_mem(b, v, "evaluated_at");
		hb_s(b, "</dd>");
	}
	sum = jget(v, "summary");
	if (sum != NULL) {
		static const char *const keys[] = {"findings", "vulnerabilities", "reject",
						   "conditions", "waived"};
		hb_s(b, "<dt>summary</dt><dd>");
		for (j = 0; j < VOUCH_ARRAY_LEN(keys); j++) {
			hb_f(b, "%s%s ", j ? " \xc2\xb7 " : "", keys[j]);
			hb_mem(b, sum, keys[j]);
		}
		hb_s(b, "</dd>");
	}
	hb_s(b, "</dl>\n");
	if (implied_verdict(v) != kind) {
		hb_f(b, "<p class=\"warn\">This verdict does not follow from its reasons (they imply "
			"\xe2\x80\x9c%s\xe2\x80\x9d): ask the lab.</p>\n",
		     verdict_word(implied_verdict(v)));
	}
	if (jlen(v, "reasons") == 0) {
		hb_s(b, "<p>No rule of the policy was hit (after waivers).</p>\n");
	} else {
		hb_s(b, "<table class=\"reasons\"><thead><tr><th>outcome</th><th>rule</th>"
			"<th>reason</th><th>from</th></tr></thead><tbody>");
		json_array_foreach(jget(v, "reasons"), j, r) {
			const char *o = jstr(r, "outcome");
			hb_f(b, "<tr id=\"i%zu-r%zu\"><td>", im, j);
			if (o != NULL && strcmp(o, "reject") == 0) {
				hb_s(b, "<span class=\"o-reject\">reject</span>");
			} else if (o != NULL && strcmp(o, "condition") == 0) {
				hb_s(b, "<span class=\"o-condition\">condition</span>");
			} else {
				hb_mem(b, r, "outcome");
			}
			hb_s(b, "</td><td class=\"id\"><code>");
			hb_esc(b, jstr(r, "rule"));
			hb_s(b, "</code></td><td>");
			hb_mem(b, r, "text");
			hb_s(b, "</td><td>");
			hb_subject(c, im, r, j + 1, false);
			hb_s(b, "</td></tr>\n");
		}
		hb_s(b, "</tbody></table>\n");
	}
	if (jlen(v, "waivers") > 0) {
		hb_s(b, "<table class=\"waivers\"><thead><tr><th>waiver</th><th>author</th>"
			"<th>justification</th><th>expires</th><th>status</th><th>covers</th></tr>"
			"</thead><tbody>");
		json_array_foreach(jget(v, "waivers"), j, w) {
			const char *st = jstr(w, "status");
			hb_f(b, "<tr id=\"i%zu-w%zu\"><td><code>", im, j);
			hb_esc(b, jstr(w, "id"));
			hb_s(b, "</code></td><td>");
			hb_mem(b, w, "author");
			hb_s(b, "</td><td>");
			hb_mem(b, w, "justification");
			hb_s(b, "</td><td>");
			hb_mem(b, w, "expires");
			hb_s(b, "</td><td>");
			if (st != NULL && strcmp(st, "expired") == 0) {
				hb_s(b, "<span class=\"warn\">expired</span>");
			} else if (st != NULL && strcmp(st, "applied") == 0) {
				hb_s(b, "<span class=\"ok\">applied</span>");
			} else {
				hb_mem(b, w, "status");
			}
			hb_s(b, "</td><td><ul>");
			json_array_foreach(jget(w, "covers"), k, cv) {
				hb_s(b, "<li>");
				/* only an applied waiver marks the rows it covers as waived */
				hb_subject(c, im, cv, st && strcmp(st, "applied") == 0 ? j + 1 : 0, true);
				hb_s(b, "</li>");
			}
			hb_s(b, "</ul></td></tr>\n");
		}
		hb_s(b, "</tbody></table>\n");
	}
	hb_s(b, "</div>\n");
}

static void
verdict_section(ctx *c)
{
	hbuf *b = &c->b;
	const char *dv = jstr(c->delivery, "verdict");
	int overall = V_NONE, kind;
	size_t unjudged = 0;

	for (size_t i = 0; i < c->n; i++) {
		if (c->im[i].ver == NULL) {
			unjudged++;
			continue;
		}
		kind = verdict_kind(jstr(c->im[i].ver, "verdict"));
		if (kind > overall) {
			overall = kind;
		}
	}
	hb_s(b, "<section id=\"verdict\"><h2>Verdict</h2>\n");
	if (dv != NULL) {
		kind = verdict_kind(dv);
		hb_f(b, "<div class=\"banner %s\">", verdict_class(kind < 0 ? V_NONE : kind));
		if (kind > V_NONE) {
			hb_s(b, verdict_word(kind));
		} else {
			hb_esc_max(b, dv, 40);
		}
		hb_s(b, "</div>\n<p class=\"m\">the delivery's verdict, as recorded by the lab</p>\n");
		if (kind > V_NONE && overall > V_NONE && kind != overall) {
			hb_f(b, "<p class=\"warn\">The images' own verdicts below add up to "
				"\xe2\x80\x9c%s\xe2\x80\x9d, not to the delivery's verdict.</p>\n",
			     verdict_word(overall));
		}
	} else {
		hb_f(b, "<div class=\"banner %s\">%s</div>\n", verdict_class(overall),
		     verdict_word(overall));
		if (c->n > 1) {
			hb_s(b, "<p class=\"m\">the worst of the images' verdicts</p>\n");
		}
	}
	if (unjudged > 0 && unjudged < c->n) {
		hb_f(b, "<p class=\"warn\">%zu of %zu images were not evaluated against a policy.</p>\n",
		     unjudged, c->n);
	}
	for (size_t i = 0; i < c->n; i++) {
		verdict_image(c, i);
	}
	hb_s(b, "</section>\n");
}

/* ---- one image: findings ------------------------------------------------------------ */

static int
frow_cmp(const void *pa, const void *pb)
{
	const frow *a = pa, *b = pb;
	int r = b->rank - a->rank;

	if (r == 0) {
		r = strcmp(nz(a->cat), nz(b->cat));
	}
	if (r == 0) {
		r = strcmp(nz(a->id), nz(b->id));
	}
	if (r == 0) {
		r = strcmp(nz(a->path), nz(b->path));
	}
	if (r == 0) {
		r = a->off < b->off ? -1 : a->off > b->off;
	}
	return r != 0 ? r : (a->idx < b->idx ? -1 : a->idx > b->idx);
}

static void
finding_row(ctx *c, size_t im, size_t idx)
{
	hbuf *b = &c->b;
	img *m = &c->im[im];
	json_t *f = json_array_get(m->findings, idx);

	hb_f(b, "<tr id=\"i%zu-f%zu\"><td class=\"id\"><code>", im, idx);
	hb_esc(b, jstr(f, "id"));
	hb_s(b, "</code></td><td>");
	hb_mem(b, f, "title");
	if (m->f_reason[idx] != 0) {
		hb_f(b, " <a class=\"o-reject\" href=\"#i%zu-r%zu\">\xe2\x86\x90 reason</a>", im,
		     m->f_reason[idx] - 1);
	}
	if (m->f_waiver[idx] != 0) {
		hb_f(b, " <a class=\"ok\" href=\"#i%zu-w%zu\">waived</a>", im, m->f_waiver[idx] - 1);
	}
	hb_s(b, "</td><td class=\"p\">");
	hb_mem(b, f, "path");
	hb_s(b, "</td><td class=\"n\">");
	hb_off(b, f, "offset");
	hb_s(b, "</td><td class=\"p\">");
	hb_mem(b, f, "evidence");
	hb_s(b, "</td><td class=\"p\">");
	hb_mem(b, f, "detail");
	hb_s(b, "</td></tr>\n");
}

static int
findings_section(ctx *c, size_t im)
{
	hbuf *b = &c->b;
	img *m = &c->im[im];
	frow *rows;
	size_t counts[6] = {0}, j, start;
	json_t *f;

	hb_f(b, "<h3 id=\"i%zu-findings\">Findings (%zu)</h3>\n", im, m->nf);
	if (m->nf == 0) {
		hb_s(b, "<p>No findings.</p>\n");
		return VOUCH_OK;
	}
	rows = calloc(m->nf, sizeof(*rows));
	if (rows == NULL) {
		return VOUCH_E_NOMEM;
	}
	json_array_foreach(m->findings, j, f) {
		rows[j].rank = sev_rank(jstr(f, "severity"));
		rows[j].cat = jstr(f, "category");
		rows[j].id = jstr(f, "id");
		rows[j].path = jstr(f, "path");
		if (!jint(f, "offset", &rows[j].off)) {
			rows[j].off = -1;
		}
		rows[j].idx = j;
		counts[rows[j].rank + 1]++;
	}
	qsort(rows, m->nf, sizeof(*rows), frow_cmp);
	hb_s(b, "<p>");
	for (int r = 4; r >= -1; r--) {
		if (counts[r + 1] > 0) {
			hb_sev(b, r >= 0 ? sev_names[r] : NULL);
			hb_f(b, " %zu &nbsp; ", counts[r + 1]);
		}
	}
	hb_s(b, "</p>\n");
	for (start = 0; start < m->nf;) {
		size_t end = start;
		int rank = rows[start].rank;
		const char *cat = NULL;

		while (end < m->nf && rows[end].rank == rank) {
			end++;
		}
		hb_f(b, "<details class=\"fg\"%s><summary>",
		     end - start <= HTML_GROUP_OPEN_MAX ? " open" : "");
		hb_sev(b, rank >= 0 ? sev_names[rank] : NULL);
		hb_f(b, " %zu finding%s</summary>\n<table class=\"findings\"><thead><tr><th>id</th>"
			"<th>title</th><th>path</th><th>offset</th><th>evidence</th><th>detail</th>"
			"</tr></thead><tbody>\n", end - start, end - start == 1 ? "" : "s");
		for (j = start; j < end; j++) {
			if (j == start || strcmp(nz(cat), nz(rows[j].cat)) != 0) {
				cat = rows[j].cat;
				hb_s(b, "<tr class=\"grp\"><td colspan=\"6\">");
				hb_esc(b, cat != NULL ? cat : "(no category)");
				hb_s(b, "</td></tr>\n");
			}
			finding_row(c, im, rows[j].idx);
		}
		hb_s(b, "</tbody></table></details>\n");
		start = end;
	}
	free(rows);
	return VOUCH_OK;
}

/* ---- one image: components and vulnerabilities -------------------------------------- */

static void
evidence_item(hbuf *b, const json_t *e)
{
	hb_s(b, "<li>");
	hb_mem(b, e, "method");
	if (jstr(e, "rule")) {
		hb_s(b, " <code>");
		hb_esc(b, jstr(e, "rule"));
		hb_s(b, "</code>");
	}
	if (jstr(e, "path")) {
		hb_s(b, " in <code>");
		hb_esc(b, jstr(e, "path"));
		hb_s(b, "</code>");
	}
	if (jhas(e, "offset")) {
		hb_s(b, " at ");
		hb_off(b, e, "offset");
	}
	if (jstr(e, "text")) {
		hb_s(b, ": <code>");
		hb_esc(b, jstr(e, "text"));
		hb_s(b, "</code>");
	}
	hb_s(b, "</li>");
}

static void
components_section(ctx *c, size_t im)
{
	hbuf *b = &c->b;
	img *m = &c->im[im];
	json_t *cp, *e, *al;
	size_t j, k;

	hb_f(b, "<h3 id=\"i%zu-components\">Components (%zu)</h3>\n", im, m->nc);
	if (m->nc == 0) {
		hb_s(b, "<p>No component was identified.</p>\n");
		return;
	}
	hb_s(b, "<table class=\"components\"><thead><tr><th>name</th><th>version</th><th>kind</th>"
		"<th>supplier</th><th>CPE / purl</th><th>confidence</th><th>evidence</th></tr>"
		"</thead><tbody>\n");
	json_array_foreach(m->comps, j, cp) {
		json_t *ev = jget(cp, "evidence");
		size_t nev = json_is_array(ev) ? json_array_size(ev) : 0;

		hb_f(b, "<tr id=\"i%zu-c%zu\"><td>", im, j);
		hb_mem(b, cp, "name");
		hb_s(b, "</td><td>");
		hb_mem(b, cp, "version");
		hb_s(b, "</td><td>");
		hb_mem(b, cp, "kind");
		hb_s(b, "</td><td>");
		hb_mem(b, cp, "supplier");
		hb_s(b, "</td><td class=\"p\">");
		hb_mem(b, cp, "cpe");
		al = jget(cp, "cpe_aliases");
		if (json_array_size(al) > 0) {
			hb_s(b, "<br><span class=\"m\">also filed as ");
			json_array_foreach(al, k, e) {
				hb_s(b, k ? ", " : "");
				hb_val(b, e);
			}
			hb_s(b, "</span>");
		}
		if (jstr(cp, "purl")) {
			hb_s(b, "<br>");
			hb_esc(b, jstr(cp, "purl"));
		}
		hb_s(b, "</td><td class=\"n\">");
		hb_mem(b, cp, "confidence");
		hb_s(b, "</td><td><ul>");
		for (k = 0; k < nev && k < HTML_EVIDENCE_INLINE; k++) {
			evidence_item(b, json_array_get(ev, k));
		}
		hb_s(b, "</ul>");
		if (nev > HTML_EVIDENCE_INLINE) {
			hb_f(b, "<details class=\"ev\"><summary>%zu more</summary><ul>",
			     nev - HTML_EVIDENCE_INLINE);
			for (; k < nev; k++) {
				evidence_item(b, json_array_get(ev, k));
			}
			hb_s(b, "</ul></details>");
		}
		hb_s(b, "</td></tr>\n");
	}
	hb_s(b, "</tbody></table>\n");
}

static void
coverage_note(hbuf *b, const json_t *db)
{
	hb_s(b, "<p class=\"m\">Database: ");
	if (json_is_object(db)) {
		if (jget(db, "records")) {
			hb_mem(b, db, "records");
			hb_s(b, " records");
		}
		if (jget(db, "newest_modified")) {
			hb_s(b, ", newest modified ");
			hb_mem(b, db, "newest_modified");
		}
		if (jget(db, "digest")) {
			hb_s(b, ", digest <code>");
			hb_esc(b, jstr(db, "digest"));
			hb_s(b, "</code>");
		}
		if (jstr(db, "note")) {
			hb_s(b, ". ");
			hb_esc(b, jstr(db, "note"));
		}
	} else {
		hb_val(b, db);
	}
	hb_s(b, ".</p>\n<p><strong>A component without a match is not proof that it has no known "
		"vulnerability:</strong> only that this database, with the coverage above, has no "
		"record that matches its name and version.</p>\n");
}

static void
vulns_section(ctx *c, size_t im)
{
	hbuf *b = &c->b;
	img *m = &c->im[im];
	json_t *v;
	size_t j;
	double score;

	hb_f(b, "<h3 id=\"i%zu-vulns\">Vulnerabilities (", im);
	if (m->vulns == NULL || json_is_null(m->vulns)) {
		hb_s(b, "not matched)</h3>\n<p>Known vulnerabilities were not matched for this "
			"image: ");
		hb_val(b, jget(m->rep, "database"));
		hb_s(b, "</p>\n");
		return;
	}
	hb_f(b, "%zu)</h3>\n", m->nv);
	coverage_note(b, jget(m->rep, "database"));
	if (m->nv == 0) {
		hb_s(b, "<p>No component matched a record of the database.</p>\n");
		return;
	}
	hb_s(b, "<table class=\"vulns\"><thead><tr><th>id</th><th>component</th><th>severity</th>"
		"<th>CVSS</th><th>summary</th><th>VEX</th></tr></thead><tbody>\n");
	json_array_foreach(m->vulns, j, v) {
		hb_f(b, "<tr id=\"i%zu-v%zu\"><td class=\"id\"><code>", im, j);
		hb_esc(b, jstr(v, "id"));
		hb_s(b, "</code>");
		if (m->v_reason[j] != 0) {
			hb_f(b, " <a class=\"o-reject\" href=\"#i%zu-r%zu\">\xe2\x86\x90 reason</a>", im,
			     m->v_reason[j] - 1);
		}
		if (m->v_waiver[j] != 0) {
			hb_f(b, " <a class=\"ok\" href=\"#i%zu-w%zu\">waived</a>", im,
			     m->v_waiver[j] - 1);
		}
		hb_s(b, "</td><td>");
		hb_mem(b, v, "component");
		hb_s(b, " ");
		hb_mem(b, v, "version");
		hb_s(b, "</td><td>");
		hb_sev(b, jstr(v, "severity"));
		hb_s(b, "</td><td class=\"n\">");
		if (jnum(v, "cvss3", &score)) {
			hb_s(b, "<span title=\"");
			hb_esc(b, jstr(v, "cvss3_vector"));
			hb_f(b, "\">%.1f</span>", score);
		}
		if (jnum(v, "cvss4", &score)) {
			hb_s(b, " <span title=\"");
			hb_esc(b, jstr(v, "cvss4_vector"));
			hb_f(b, "\">v4 %.1f</span>", score);
		}
		hb_s(b, "</td><td>");
		hb_long(b, jstr(v, "summary"));
		if (jstr(v, "reason")) {
			hb_s(b, "<br><span class=\"m\">");
			hb_esc(b, jstr(v, "reason"));
			hb_s(b, "</span>");
		}
		hb_s(b, "</td><td>");
		if (jhas(v, "vex")) {
			hb_mem(b, v, "vex");
			if (jstr(v, "vex_detail")) {
				hb_s(b, ": ");
				hb_esc(b, jstr(v, "vex_detail"));
			}
		}
		hb_s(b, "</td></tr>\n");
	}
	hb_s(b, "</tbody></table>\n");
}

/* ---- one image: the unpacking tree -------------------------------------------------- */

/* Component-wise order: '/' sorts below every other byte, so a node's descendants follow
 * it directly ("a", "a/b", "a-b"; plain strcmp would put "a-b" between "a" and "a/b"). */
static int
tent_cmp(const void *pa, const void *pb)
{
	const tent *a = pa, *b = pb;
	const unsigned char *x = (const unsigned char *)a->path, *y = (const unsigned char *)b->path;
	size_t i = 0;

	while (i < a->len && i < b->len && x[i] == y[i]) {
		i++;
	}
	if (i == a->len || i == b->len) {
		if (a->len != b->len) {
			return a->len < b->len ? -1 : 1;
		}
		return a->idx < b->idx ? -1 : a->idx > b->idx;
	}
	if (x[i] == '/') {
		return -1;
	}
	if (y[i] == '/') {
		return 1;
	}
	return x[i] < y[i] ? -1 : 1;
}

/* Is q a descendant of the node whose path is p[0, plen)? */
static bool
under(const char *p, size_t plen, const tent *q)
{
	return q->len > plen && memcmp(q->path, p, plen) == 0 && q->path[plen] == '/';
}

static void
tree_meta(ctx *c, size_t im, const json_t *f, const char *path)
{
	hbuf *b = &c->b;
	img *m = &c->im[im];
	const char *kind = jstr(f, "kind"), *type = jstr(f, "type");
	long long sz;
	size_t lo = 0, hi = m->nf, nfind = 0;

	hb_s(b, " <span class=\"m\">");
	if (kind != NULL && strcmp(kind, "file") != 0 && strcmp(kind, "dir") != 0) {
		hb_esc(b, kind);
		hb_s(b, " ");
	}
	if (jstr(f, "link")) {
		hb_s(b, "\xe2\x86\x92 <code>");
		hb_esc(b, jstr(f, "link"));
		hb_s(b, "</code> ");
	}
	if (jint(f, "size", &sz) && sz >= 0) {
		hb_bytes(b, f, "size");
		hb_s(b, " ");
	}
	if (jstr(f, "container")) {
		hb_s(b, "[");
		hb_esc(b, jstr(f, "container"));
		hb_s(b, "] ");
	}
	if (type != NULL) {
		hb_esc_max(b, type, 80);
		hb_s(b, " ");
	}
	if (jstr(f, "sha256")) {
		hb_s(b, "<span class=\"mono\" title=\"SHA-256 ");
		hb_esc(b, jstr(f, "sha256"));
		hb_s(b, "\">");
		hb_esc_max(b, jstr(f, "sha256"), 12);
		hb_s(b, "</span>");
	}
	hb_s(b, "</span>");
	/* findings in this file: a badge linking to the first */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(nz(m->fp[mid].path), path) < 0) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	for (size_t i = lo; i < m->nf && strcmp(nz(m->fp[i].path), path) == 0; i++) {
		nfind++;
	}
	if (nfind > 0) {
		hb_f(b, " <a class=\"warn\" href=\"#i%zu-f%zu\">%zu finding%s</a>", im, m->fp[lo].idx,
		     nfind, nfind == 1 ? "" : "s");
	}
}

typedef struct tnode {
	const char *path; /* the node's path is path[0, len) */
	size_t len;
	bool file;        /* an entry that is not a directory (its children: a container) */
} tnode;

static int
tree_section(ctx *c, size_t im)
{
	hbuf *b = &c->b;
	img *m = &c->im[im];
	tent *e = NULL;
	tnode *st = NULL;
	size_t n = 0, j, sp = 0;
	json_t *f;
	int rc = VOUCH_OK;

	hb_f(b, "<h3 id=\"i%zu-tree\">Files (%zu)</h3>\n", im, m->nfiles);
	if (m->nfiles == 0) {
		hb_s(b, "<p>The report lists no files.</p>\n");
		return VOUCH_OK;
	}
	e = calloc(m->nfiles, sizeof(*e));
	st = calloc(HTML_TREE_DEPTH_MAX + 1, sizeof(*st));
	if (e == NULL || st == NULL) {
		rc = VOUCH_E_NOMEM;
		goto out;
	}
	json_array_foreach(m->files, j, f) {
		const char *p = jstr(f, "path");
		if (p == NULL) {
			continue;
		}
		e[n].path = p;
		e[n].len = strlen(p);
		e[n].idx = j;
		n++;
	}
	qsort(e, n, sizeof(*e), tent_cmp);
	hb_s(b, "<p class=\"m\">Directories start collapsed; the image and its containers "
		"open.</p>\n<ul class=\"tree\">\n");
	for (size_t i = 0; i < n; i++) {
		const tent *t = &e[i];
		const json_t *fo = json_array_get(m->files, t->idx);
		const char *kind = jstr(fo, "kind");
		size_t from, desc = 0;
		bool opens;

		/* close the nodes this entry is not inside */
		while (sp > 0 && !under(st[sp - 1].path, st[sp - 1].len, t)) {
			hb_s(b, "</ul></details></li>\n");
			sp--;
		}
		from = sp > 0 ? st[sp - 1].len + 1 : 0;
		/* levels no entry stands for (a container's format, a missing directory) */
		for (size_t k = from; k < t->len && sp < HTML_TREE_DEPTH_MAX; k++) {
			if (t->path[k] != '/') {
				continue;
			}
			/* open when it is a container's level (under a file, or the top) */
			hb_f(b, "<li><details%s><summary><span class=\"name\">",
			     sp == 0 || st[sp - 1].file ? " open" : "");
			hb_escn(b, t->path + from, k - from, 0);
			hb_s(b, "</span></summary><ul class=\"tree\">\n");
			st[sp].path = t->path;
			st[sp].len = k;
			st[sp++].file = false;
			from = k + 1;
		}
		for (size_t k = i + 1; k < n && under(t->path, t->len, &e[k]); k++) {
			desc++;
		}
		opens = desc > 0 && sp < HTML_TREE_DEPTH_MAX;
		hb_f(b, "<li id=\"i%zu-t%zu\">", im, t->idx);
		if (opens) {
			/* directories collapsed; the image and the files holding containers open */
			hb_f(b, "<details%s><summary>",
			     kind != NULL && strcmp(kind, "dir") == 0 ? "" : " open");
		}
		hb_s(b, "<span class=\"name\">");
		hb_esc(b, t->path + from);
		if (kind != NULL && strcmp(kind, "dir") == 0) {
			hb_s(b, "/");
		}
		hb_s(b, "</span>");
		if (opens) {
			hb_f(b, " <span class=\"m\">(%zu)</span>", desc);
		}
		tree_meta(c, im, fo, t->path);
		if (opens) {
			hb_s(b, "</summary><ul class=\"tree\">\n");
			st[sp].path = t->path;
			st[sp].len = t->len;
			st[sp++].file = kind == NULL || strcmp(kind, "dir") != 0;
		} else {
			hb_s(b, "</li>\n");
		}
	}
	while (sp > 0) {
		hb_s(b, "</ul></details></li>\n");
		sp--;
	}
	hb_s(b, "</ul>\n");
out:
	free(e);
	free(st);
	return rc;
}

/* ---- one image: regions and the entropy plot ---------------------------------------- */

/* A colour per format family (the format's first word), from a fixed palette. */
static const char *
format_colour(const char *fmt)
{
	/* no red (unrecognised bytes) and no grey (padding) among them */
	static const char *const pal[] = {"#4e79a7", "#59a14f", "#9c755f", "#f28e2b",
					  "#b07aa1", "#76b7b2", "#2f6f8f", "#8cd17d"};
	uint32_t h = 2166136261u;

	for (const char *p = fmt; p != NULL && *p && *p != ' ' && *p != '@' && *p != ':'; p++) {
		h = (h ^ (unsigned char)*p) * 16777619u;
	}
	return pal[h % VOUCH_ARRAY_LEN(pal)];
}

static const char *
region_colour(const json_t *g)
{
	const char *k = jstr(g, "kind");

	if (k != NULL && (strcmp(k, "opened") == 0 || strcmp(k, "identified") == 0)) {
		return format_colour(jstr(g, "format"));
	}
	if (k != NULL && strcmp(k, "padding") == 0) {
		return "#c8ccd0";
	}
	return "#e15759"; /* unrecognised: bytes nobody could name */
}

static bool
region_of_image(const img *m, const json_t *g)
{
	const char *node = jstr(g, "node");
	return node != NULL && m->root != NULL && strcmp(node, m->root) == 0;
}

static void
region_label(hbuf *b, const json_t *g)
{
	if (jstr(g, "format")) {
		hb_esc(b, jstr(g, "format"));
	} else {
		hb_mem(b, g, "kind");
	}
}

static void
regions_table(ctx *c, size_t im, bool image)
{
	hbuf *b = &c->b;
	img *m = &c->im[im];
	json_t *g;
	size_t j;

	hb_s(b, "<table class=\"regions\"><thead><tr>");
	if (!image) {
		hb_s(b, "<th>inside</th>");
	}
	hb_s(b, "<th></th><th>kind</th><th>format</th><th>offset</th><th>length</th>"
		"<th>entropy</th></tr></thead><tbody>\n");
	json_array_foreach(m->regions, j, g) {
		double ev;
		if (region_of_image(m, g) != image) {
			continue;
		}
		hb_s(b, "<tr>");
		if (!image) {
			hb_s(b, "<td class=\"p\">");
			hb_mem(b, g, "node");
			hb_s(b, "</td>");
		}
		hb_f(b, "<td><span class=\"sw\" style=\"background:%s\"></span></td><td>",
		     region_colour(g));
		hb_mem(b, g, "kind");
		hb_s(b, "</td><td>");
		hb_mem(b, g, "format");
		hb_s(b, "</td><td class=\"n\">");
		hb_off(b, g, "offset");
		hb_s(b, "</td><td class=\"n\">");
		hb_bytes(b, g, "length");
		hb_s(b, "</td><td class=\"n\">");
		if (jnum(g, "entropy", &ev)) {
			hb_f(b, "%.2f", ev);
		}
		hb_s(b, "</td></tr>\n");
	}
	hb_s(b, "</tbody></table>\n");
}

/* Plot geometry (SVG user units): the viewBox and the plot area inside it. */
#define PLOT_W 1000.0
#define PLOT_H 300.0
#define PLOT_L 58.0
#define PLOT_R 14.0
#define PLOT_T 40.0
#define PLOT_B 50.0
/* average width of a label character, to cut labels to their region's width */
#define PLOT_CHAR_W 6.2

static void
entropy_plot(ctx *c, size_t im)
{
	hbuf *b = &c->b;
	img *m = &c->im[im];
	json_t *ent = jget(m->rep, "entropy"), *vals = jget(ent, "values"), *g, *v;
	size_t n = json_is_array(vals) ? json_array_size(vals) : 0, j;
	long long size = 0, bs = 0;
	double pw = PLOT_W - PLOT_L - PLOT_R, ph = PLOT_H - PLOT_T - PLOT_B, span;

	if (n == 0) {
		hb_s(b, "<p>This report has no entropy profile of the image.</p>\n");
		return;
	}
	if (!jint(ent, "size", &size) || size < 0) {
		size = 0;
	}
	if (!jint(ent, "block_size", &bs) || bs < 0) {
		bs = 0;
	}
	span = size > 0 ? (double)size : (bs > 0 ? (double)bs * (double)n : (double)n);
	hb_f(b, "<svg class=\"entropy\" id=\"i%zu-entropy\" xmlns=\"http://www.w3.org/2000/svg\" "
		"viewBox=\"0 0 %.0f %.0f\" role=\"img\"><title>Entropy of ", im, PLOT_W, PLOT_H);
	hb_esc(b, m->root);
	hb_f(b, ", %zu blocks</title>\n", n);
	hb_f(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#fafbfc\" "
		"stroke=\"#8c959f\"/>\n", PLOT_L, PLOT_T, pw, ph);
	/* the image's regions: opened first, the rest (identified headers, gaps) over them */
	for (int pass = 0; pass < 2; pass++) {
		json_array_foreach(m->regions, j, g) {
			long long off, len;
			const char *k = jstr(g, "kind");
			bool opened = k != NULL && strcmp(k, "opened") == 0;
			double x0, x1, w;
			size_t fit;

			if (!region_of_image(m, g) || opened != (pass == 0) || !jint(g, "offset", &off) ||
			    !jint(g, "length", &len) || off < 0 || len < 0) {
				continue;
			}
			x0 = PLOT_L + pw * ((double)off / span);
			x1 = PLOT_L + pw * (((double)off + (double)len) / span);
			x0 = x0 > PLOT_L + pw ? PLOT_L + pw : x0;
			x1 = x1 > PLOT_L + pw ? PLOT_L + pw : x1;
			w = x1 - x0 < 0.6 ? 0.6 : x1 - x0;
			hb_f(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" "
				"fill-opacity=\"%s\"><title>", x0, PLOT_T, w, ph, region_colour(g),
			     opened ? "0.22" : "0.5");
			region_label(b, g);
			hb_f(b, " at 0x%llx, ", (unsigned long long)off);
			hb_size(b, (unsigned long long)len);
			hb_s(b, "</title></rect>\n");
			/* a label above the plot when there is room for a few characters */
			fit = (size_t)(w / PLOT_CHAR_W);
			if (fit >= 4 && (opened || k == NULL || strcmp(k, "identified") == 0)) {
				hb_f(b, "<text x=\"%.1f\" y=\"%.1f\" fill=\"%s\">", x0 + 2,
				     opened ? PLOT_T - 22 : PLOT_T - 8, "#1f2328");
				if (jstr(g, "format")) {
					hb_esc_max(b, jstr(g, "format"), fit - 1);
				} else {
					hb_esc_max(b, nz(k), fit - 1);
				}
				hb_s(b, "</text>\n");
			}
		}
	}
	/* y axis: 0..8 bits per byte */
	for (int y = 0; y <= 8; y += 2) {
		double py = PLOT_T + ph * (1.0 - y / 8.0);
		hb_f(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#d0d7de\" "
			"stroke-dasharray=\"3 3\"/><text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%d"
			"</text>\n", PLOT_L, py, PLOT_L + pw, py, PLOT_L - 6, py + 4, y);
	}
	hb_f(b, "<text x=\"14\" y=\"%.1f\" text-anchor=\"middle\" transform=\"rotate(-90 14 %.1f)\">"
		"entropy (bits per byte)</text>\n", PLOT_T + ph / 2, PLOT_T + ph / 2);
	/* x axis: five offsets */
	for (int t = 0; t <= 4; t++) {
		double px = PLOT_L + pw * t / 4.0;
		unsigned long long o = (unsigned long long)(span * t / 4.0);
		hb_f(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#8c959f\"/>"
			"<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">0x%llx</text>\n", px,
		     PLOT_T + ph, px, PLOT_T + ph + 5, px, PLOT_T + ph + 17,
		     t == 0 ? "start" : t == 4 ? "end" : "middle", o);
	}
	hb_f(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">offset in the image (",
	     PLOT_L + pw / 2, PLOT_H - 8);
	hb_size(b, (unsigned long long)span);
	hb_f(b, ", blocks of %lld bytes)</text>\n", bs);
	/* the profile: one point per block, at the block's middle */
	hb_s(b, "<polyline class=\"entropy-line\" fill=\"none\" stroke=\"#0969da\" "
		"stroke-width=\"1.5\" points=\"");
	json_array_foreach(vals, j, v) {
		double e = json_number_value(v), mid;
		if (bs > 0) {
			double lo = (double)bs * (double)j, hi = lo + (double)bs;
			hi = hi > span ? span : hi;
			lo = lo > span ? span : lo;
			mid = (lo + hi) / 2;
		} else {
			mid = span * ((double)j + 0.5) / (double)n;
		}
		e = e < 0 ? 0 : e > 8 ? 8 : e;
		hb_f(b, "%s%.1f,%.1f", j ? " " : "", PLOT_L + pw * mid / span,
		     PLOT_T + ph * (1.0 - e / 8.0));
	}
	hb_s(b, "\"/>\n</svg>\n");
}

static void
regions_section(ctx *c, size_t im)
{
	hbuf *b = &c->b;
	img *m = &c->im[im];
	size_t mine = 0, j;
	json_t *g;

	json_array_foreach(m->regions, j, g) {
		mine += region_of_image(m, g);
	}
	hb_f(b, "<h3 id=\"i%zu-regions\">Regions and entropy of the image (%zu region%s)</h3>\n",
	     im, mine, mine == 1 ? "" : "s");
	entropy_plot(c, im);
	if (mine > 0) {
		regions_table(c, im, true);
	}
	if (m->nreg > mine) {
		hb_f(b, "<details><summary>Regions inside the image's files (%zu)</summary>\n",
		     m->nreg - mine);
		regions_table(c, im, false);
		hb_s(b, "</details>\n");
	}
}

/* ---- one image ------------------------------------------------------------------------- */

static int
image_section(ctx *c, size_t im)
{
	hbuf *b = &c->b;
	img *m = &c->im[im];
	json_t *inv = jget(m->rep, "inventory"), *root = json_array_get(m->files, 0);
	int rc;
	static const char *const stats[] = {"files", "regions", "errors", "bytes_in", "bytes_out",
					    "seconds", "limit_hit", "truncated"};

	hb_f(b, "<section class=\"image\" id=\"i%zu\"><h2>Image ", im);
	hb_esc(b, m->root);
	hb_s(b, "</h2>\n<dl class=\"facts\"><dt>scanned as</dt><dd class=\"mono\">");
	hb_mem(b, m->rep, "image");
	hb_s(b, "</dd><dt>outcome</dt><dd>");
	hb_mem(b, m->rep, "outcome");
	hb_s(b, "</dd>");
	if (root != NULL && jstr(root, "sha256")) {
		hb_s(b, "<dt>SHA-256</dt><dd class=\"mono\">");
		hb_esc(b, jstr(root, "sha256"));
		hb_s(b, "</dd>");
	}
	hb_s(b, "<dt>tool</dt><dd>");
	hb_mem(b, m->rep, "tool");
	hb_s(b, " ");
	hb_mem(b, m->rep, "version");
	hb_s(b, "</dd>");
	if (inv != NULL) {
		hb_s(b, "<dt>inventory</dt><dd>");
		for (size_t j = 0; j < VOUCH_ARRAY_LEN(stats); j++) {
			hb_f(b, "%s%s ", j ? " \xc2\xb7 " : "", stats[j]);
			hb_mem(b, inv, stats[j]);
		}
		hb_s(b, "</dd>");
	}
	hb_s(b, "</dl>\n");
	if ((rc = findings_section(c, im)) != VOUCH_OK) {
		return rc;
	}
	components_section(c, im);
	vulns_section(c, im);
	if ((rc = tree_section(c, im)) != VOUCH_OK) {
		return rc;
	}
	regions_section(c, im);
	hb_s(b, "</section>\n");
	return VOUCH_OK;
}

/* The image's node name: the depth-0 entry of the file list, else the report's image path. */
static const char *
root_name(const json_t *rep, const json_t *files)
{
	json_t *f;
	size_t j;

	json_array_foreach(files, j, f) {
		long long d;
		if (jint(f, "depth", &d) && d == 0 && jstr(f, "path")) {
			return jstr(f, "path");
		}
	}
	return jstr(rep, "image") ? jstr(rep, "image") : "(unnamed image)";
}

static void
img_free(img *m)
{
	json_decref(m->rep);
	json_decref(m->ver);
	free(m->fk);
	free(m->fp);
	free(m->vk);
	free(m->f_reason);
	free(m->f_waiver);
	free(m->v_reason);
	free(m->v_waiver);
}

static json_t *
arr_or_null(json_t *a)
{
	return json_is_array(a) ? a : NULL;
}

int
vouch_report_html(const vouch_html_input *in, char **html_out, char *why, size_t why_cap)
{
	ctx c = {.why = why, .why_cap = why_cap};
	const char *title;
	int rc = VOUCH_OK;
	char tbuf[512];

	if (why != NULL && why_cap > 0) {
		why[0] = 0;
	}
	if (in == NULL || html_out == NULL || in->n == 0 || in->reports == NULL) {
		return fail(&c, VOUCH_E_USAGE, "no report to show");
	}
	c.im = calloc(in->n, sizeof(*c.im));
	if (c.im == NULL) {
		return fail(&c, VOUCH_E_NOMEM, "out of memory");
	}
	c.n = in->n;
	if (in->delivery_json != NULL) {
		if ((rc = parse(&c, in->delivery_json, "delivery", 0, &c.delivery)) != VOUCH_OK ||
		    (rc = check_objects(&c, c.delivery, "artefacts", "delivery", 0)) != VOUCH_OK) {
			goto out;
		}
	}
	for (size_t i = 0; i < in->n; i++) {
		img *m = &c.im[i];
		json_t *inv;

		if (in->reports[i] == NULL) {
			rc = fail(&c, VOUCH_E_USAGE, "report %zu: missing", i + 1);
			goto out;
		}
		if ((rc = parse(&c, in->reports[i], "report", i, &m->rep)) != VOUCH_OK ||
		    (rc = check_report(&c, m->rep, i)) != VOUCH_OK) {
			goto out;
		}
		if (in->verdicts != NULL && in->verdicts[i] != NULL &&
		    ((rc = parse(&c, in->verdicts[i], "verdict", i, &m->ver)) != VOUCH_OK ||
		     (rc = check_verdict(&c, m->ver, i)) != VOUCH_OK)) {
			goto out;
		}
		inv = jget(m->rep, "inventory");
		m->findings = arr_or_null(jget(m->rep, "findings"));
		m->comps = arr_or_null(jget(m->rep, "components"));
		m->vulns = arr_or_null(jget(m->rep, "vulnerabilities"));
		m->files = arr_or_null(jget(inv, "file_list"));
		m->regions = arr_or_null(jget(m->rep, "regions"));
		m->nf = m->findings ? json_array_size(m->findings) : 0;
		m->nc = m->comps ? json_array_size(m->comps) : 0;
		m->nv = m->vulns ? json_array_size(m->vulns) : 0;
		m->nfiles = m->files ? json_array_size(m->files) : 0;
		m->nreg = m->regions ? json_array_size(m->regions) : 0;
		m->root = root_name(m->rep, m->files);
		if ((rc = build_index(m)) != VOUCH_OK) {
			fail(&c, rc, "out of memory");
			goto out;
		}
	}
	title = in->title;
	if (title == NULL && c.delivery != NULL && jstr(c.delivery, "product")) {
		snprintf(tbuf, sizeof(tbuf), "%s%s%s%s%s", nz(jstr(c.delivery, "vendor")),
			 jstr(c.delivery, "vendor") ? " " : "", jstr(c.delivery, "product"),
			 jstr(c.delivery, "version") ? " " : "", nz(jstr(c.delivery, "version")));
		title = tbuf;
	}
	if (title == NULL) {
		title = c.im[0].root;
	}
	page_head(&c, title);
	verdict_section(&c);
	for (size_t i = 0; i < c.n && c.b.err == VOUCH_OK; i++) {
		if ((rc = image_section(&c, i)) != VOUCH_OK) {
			fail(&c, rc, "out of memory");
			goto out;
		}
	}
	hb_f(&c.b, "<footer><p>Made by vouch %s from the reports and verdicts named above. Every "
		   "name and text on this page came from the firmware or from those documents and "
		   "is shown escaped; the page runs no script and loads nothing.</p></footer>\n"
		   "</body></html>\n", vouch_version());
	if (c.b.err != VOUCH_OK) {
		rc = c.b.err;
		if (rc == VOUCH_E_LIMIT) {
			fail(&c, rc, "the page would be larger than %u MiB", VOUCH_HTML_MAX >> 20);
		} else {
			fail(&c, rc, "out of memory");
		}
		goto out;
	}
	*html_out = c.b.p;
	c.b.p = NULL;
out:
	free(c.b.p);
	json_decref(c.delivery);
	for (size_t i = 0; i < c.n; i++) {
		img_free(&c.im[i]);
	}
	free(c.im);
	return rc;
}
