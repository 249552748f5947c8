/*
 * sbom/read.c: a CycloneDX (1.4-1.7) or SPDX (2.2, 2.3) JSON document back into the model
 * (vouch_sbom_read), so that `vouch vulns --sbom FILE` can re-match components without
 * unpacking the image again. Ours or another tool's.
 *
 * Detection is by content: "bomFormat": "CycloneDX" with a specVersion we know, or
 * "spdxVersion": "SPDX-2.2"/"SPDX-2.3". Anything else, and any field of the wrong JSON type
 * among those we read, is VOUCH_E_MALFORMED with a message naming the element; the
 * document's size is bounded (VOUCH_SBOM_DOC_MAX) and so is the nesting of CycloneDX
 * components (walked with an explicit stack, VOUCH_SBOM_NEST_MAX). Everything read is
 * copied into one arena owned by the vouch_sbom_doc, with a budget proportional to the
 * document's size.
 *
 * What comes back:
 *   CycloneDX: metadata.component is the image (name, SHA-256, vouch:size); components of
 *     type "file" are files (name = path, SHA-1/SHA-256, vouch:size, vouch:component); every
 *     other component (nested ones flattened) is a component with bom-ref ("component-<n>"
 *     when it has none), name, version, supplier.name, cpe, purl, vouch:cpe-alias
 *     properties, confidence (the highest identity confidence; 1.0 when the document gives
 *     none: the document asserts the component), and its occurrences as evidence (paired
 *     with identity methods when there are as many, which is how vouch writes them);
 *     dependencies become edges ("dependsOn").
 *   SPDX: when the document DESCRIBES exactly one package and holds others, that one is
 *     the image; every other package is a component with bom-ref = its SPDXID, cpe from the
 *     first cpe23Type (else cpe22Type) reference, purl, vouch-cpe-alias references, supplier
 *     without its "Organization: "/"Person: " prefix, kind from primaryPackagePurpose (or
 *     operating-system for a CPE of part "o"), confidence from vouch's comment; files with
 *     their checksums; a package's CONTAINS of a file sets the file's owner;
 *     DEPENDS_ON, DYNAMIC_LINK and STATIC_LINK (and the reversed DEPENDENCY_OF,
 *     RUNTIME_DEPENDENCY_OF) become edges, their comment (else the type) as the reason.
 * Strings are returned as the document has them (JSON is UTF-8 already): for a document
 * vouch wrote, identity fields equal the model's for valid UTF-8, and firmware text (paths,
 * matched text) is in its escaped form.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbom/sbom_int.h"

struct vouch_sbom_doc {
	vouch_arena *a;
	vouch_sbom s;
};

typedef struct rctx {
	vouch_arena *a;
	char *err;
	size_t errlen;
	int rc; /* first error */
} rctx;

#define FAIL(c, code, ...) ((c)->rc == VOUCH_OK ? ((c)->rc = vouch_sbom_errf((c)->err, (c)->errlen, code, __VA_ARGS__)) : (c)->rc)

static const char *
adup(rctx *c, const char *s)
{
	char *d;

	if (s == NULL) {
		return NULL;
	}
	d = vouch_arena_strndup(c->a, s, strlen(s));
	if (d == NULL) {
		FAIL(c, VOUCH_E_NOMEM, "out of memory reading the document (budget reached)");
	}
	return d;
}

static void *
aalloc(rctx *c, size_t n, size_t size)
{
	void *p;

	if (n == 0) {
		return NULL;
	}
	if (n > SIZE_MAX / size || (p = vouch_arena_alloc(c->a, n * size)) == NULL) {
		FAIL(c, VOUCH_E_NOMEM, "out of memory reading the document (budget reached)");
		return NULL;
	}
	return p;
}

/* The string member k of o: NULL when absent or null; an error when another type. */
static const char *
sget(rctx *c, const json_t *o, const char *k, const char *what)
{
	const json_t *v = json_object_get(o, k);

	if (v == NULL || json_is_null(v)) {
		return NULL;
	}
	if (!json_is_string(v)) {
		FAIL(c, VOUCH_E_MALFORMED, "%s: \"%s\" is not a string", what, k);
		return NULL;
	}
	return json_string_value(v);
}

/* The array member k of o (or NULL); an error when another type. */
static const json_t *
aget(rctx *c, const json_t *o, const char *k, const char *what)
{
	const json_t *v = json_object_get(o, k);

	if (v == NULL || json_is_null(v)) {
		return NULL;
	}
	if (!json_is_array(v)) {
		FAIL(c, VOUCH_E_MALFORMED, "%s: \"%s\" is not an array", what, k);
		return NULL;
	}
	return v;
}

static int
hexval(char ch)
{
	if (ch >= '0' && ch <= '9') {
		return ch - '0';
	}
	if (ch >= 'a' && ch <= 'f') {
		return ch - 'a' + 10;
	}
	if (ch >= 'A' && ch <= 'F') {
		return ch - 'A' + 10;
	}
	return -1;
}

static bool
unhex(const char *s, uint8_t *out, size_t n)
{
	if (s == NULL || strlen(s) != 2 * n) {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		int h = hexval(s[2 * i]), l = hexval(s[2 * i + 1]);

		if (h < 0 || l < 0) {
			return false;
		}
		out[i] = (uint8_t)(h << 4 | l);
	}
	return true;
}

static bool
parse_u64(const char *s, uint64_t *v)
{
	uint64_t x = 0;

	if (s == NULL || *s == '\0') {
		return false;
	}
	for (; *s >= '0' && *s <= '9'; s++) {
		if (!vouch_mul_u64(x, 10, &x) || !vouch_add_u64(x, (uint64_t)(*s - '0'), &x)) {
			return false;
		}
	}
	*v = x;
	return true;
}

/* ---- CycloneDX ---- */

/* hashes[] into sha256 / sha1 (either may be NULL). */
static void
cdx_hashes(rctx *c, const json_t *o, uint8_t *sha256, uint8_t *sha1, const char *what)
{
	const json_t *hs = aget(c, o, "hashes", what), *h;
	size_t i;

	json_array_foreach(hs, i, h) {
		const char *alg = sget(c, h, "alg", what), *val = sget(c, h, "content", what);

		if (alg == NULL || val == NULL) {
			continue;
		}
		if (strcmp(alg, "SHA-256") == 0 && sha256 != NULL && !unhex(val, sha256, 32)) {
			FAIL(c, VOUCH_E_MALFORMED, "%s: SHA-256 is not 64 hex digits", what);
		} else if (strcmp(alg, "SHA-1") == 0 && sha1 != NULL && !unhex(val, sha1, 20)) {
			FAIL(c, VOUCH_E_MALFORMED, "%s: SHA-1 is not 40 hex digits", what);
		}
	}
}

static bool
strcmp0_eq(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

static vouch_component_kind
cdx_kind(const char *type)
{
	if (type == NULL) {
		return VOUCH_COMP_LIBRARY;
	}
	if (strcmp(type, "application") == 0 || strcmp(type, "container") == 0 ||
	    strcmp(type, "platform") == 0 || strcmp(type, "device-driver") == 0) {
		return VOUCH_COMP_APPLICATION;
	}
	if (strcmp(type, "operating-system") == 0) {
		return VOUCH_COMP_OS;
	}
	if (strcmp(type, "firmware") == 0 || strcmp(type, "device") == 0) {
		return VOUCH_COMP_FIRMWARE;
	}
	return VOUCH_COMP_LIBRARY;
}

static void
cdx_evidence(rctx *c, const json_t *ev, vouch_component *out, const char *what)
{
	const json_t *id = json_object_get(ev, "identity"), *occ, *methods = NULL, *x;
	json_t *own = NULL;
	double best = -1;
	size_t i, n;
	vouch_evidence *e;

	if (id != NULL && json_is_object(id)) {
		own = json_pack("[O]", id); /* 1.5: one object; walk it as an array of one */
		id = own;
		if (own == NULL) {
			FAIL(c, VOUCH_E_NOMEM, "out of memory");
			return;
		}
	} else if (id != NULL && !json_is_array(id)) {
		FAIL(c, VOUCH_E_MALFORMED, "%s: evidence.identity is neither object nor array", what);
		return;
	}
	json_array_foreach(id, i, x) {
		const json_t *cf = json_object_get(x, "confidence");
		const json_t *m = json_object_get(x, "methods");

		if (json_is_number(cf) && json_number_value(cf) > best) {
			best = json_number_value(cf);
		}
		if (methods == NULL && json_is_array(m) && json_array_size(m) > 0) {
			methods = m;
		}
	}
	out->confidence = best >= 0 ? vouch_sbom_conf(best) : 1.0;
	occ = aget(c, ev, "occurrences", what);
	n = json_array_size(occ);
	e = aalloc(c, n, sizeof(*e));
	json_array_foreach(occ, i, x) {
		const json_t *off = json_object_get(x, "offset");
		const json_t *m = methods != NULL && json_array_size(methods) == n
					  ? json_array_get(methods, i)
					  : NULL;
		const char *mv = m != NULL ? sget(c, m, "value", what) : NULL;

		if (e == NULL) {
			break;
		}
		e[i].path = adup(c, sget(c, x, "location", what));
		e[i].text = adup(c, sget(c, x, "additionalContext", what));
		e[i].offset = json_is_integer(off) && json_integer_value(off) >= 0
				      ? (uint64_t)json_integer_value(off)
				      : UINT64_MAX;
		e[i].method = "occurrence";
		if (mv != NULL) {
			const char *sp = strchr(mv, ' ');

			if (sp == NULL) {
				e[i].method = adup(c, mv);
			} else {
				e[i].method = vouch_arena_strndup(c->a, mv, (size_t)(sp - mv));
				e[i].rule = adup(c, sp + 1);
				if (e[i].method == NULL) {
					FAIL(c, VOUCH_E_NOMEM, "out of memory reading the document");
				}
			}
		}
	}
	out->evidence = e;
	out->nevidence = e != NULL ? n : 0;
	json_decref(own);
}

/* properties[] named `name`, as strings; or the first only (when `all` is NULL). */
static const char *
cdx_prop(rctx *c, const json_t *o, const char *name, const char ***all, size_t *nall,
	 const char *what)
{
	const json_t *props = aget(c, o, "properties", what), *p;
	size_t i, n = 0;
	const char **arr = NULL;

	if (all != NULL) {
		json_array_foreach(props, i, p) {
			const char *pn = sget(c, p, "name", what);

			n += pn != NULL && strcmp(pn, name) == 0;
		}
		arr = aalloc(c, n, sizeof(*arr));
		*all = arr;
		*nall = 0;
	}
	json_array_foreach(props, i, p) {
		const char *pn = sget(c, p, "name", what), *pv = sget(c, p, "value", what);

		if (pn == NULL || pv == NULL || strcmp(pn, name) != 0) {
			continue;
		}
		if (all == NULL) {
			return pv;
		}
		if (arr != NULL && *nall < n) {
			arr[(*nall)++] = adup(c, pv);
		}
	}
	return NULL;
}

static void
cdx_file(rctx *c, const json_t *o, vouch_sbom_file *f, size_t n)
{
	char what[64];
	const char *ref, *size;

	snprintf(what, sizeof(what), "file component %zu", n);
	ref = sget(c, o, "bom-ref", what);
	f->bom_ref = ref != NULL ? adup(c, ref) : vouch_arena_printf(c->a, "file-%zu", n);
	if (f->bom_ref == NULL) {
		FAIL(c, VOUCH_E_NOMEM, "out of memory reading the document (budget reached)");
		return;
	}
	f->path = adup(c, sget(c, o, "name", what));
	cdx_hashes(c, o, f->sha256, f->sha1, what);
	size = cdx_prop(c, o, "vouch:size", NULL, NULL, what);
	if (size != NULL && !parse_u64(size, &f->size)) {
		FAIL(c, VOUCH_E_MALFORMED, "%s: vouch:size is not a number", what);
	}
	f->component_ref = adup(c, cdx_prop(c, o, "vouch:component", NULL, NULL, what));
}

static void
cdx_component(rctx *c, const json_t *o, vouch_component *out, size_t n)
{
	char what[64];
	const char *ref, *name, **al = NULL;
	const json_t *sup = json_object_get(o, "supplier"), *ev = json_object_get(o, "evidence");

	snprintf(what, sizeof(what), "component %zu", n);
	ref = sget(c, o, "bom-ref", what);
	name = sget(c, o, "name", what);
	if (name == NULL) {
		FAIL(c, VOUCH_E_MALFORMED, "%s: no name", what);
		return;
	}
	out->bom_ref = ref != NULL ? adup(c, ref) : vouch_arena_printf(c->a, "component-%zu", n);
	if (out->bom_ref == NULL) {
		FAIL(c, VOUCH_E_NOMEM, "out of memory reading the document (budget reached)");
		return;
	}
	out->name = adup(c, name);
	out->version = adup(c, sget(c, o, "version", what));
	out->cpe = adup(c, sget(c, o, "cpe", what));
	out->purl = adup(c, sget(c, o, "purl", what));
	out->kind = cdx_kind(sget(c, o, "type", what));
	if (json_is_object(sup)) {
		out->supplier = adup(c, sget(c, sup, "name", what));
	}
	out->confidence = 1.0;
	if (json_is_object(ev)) {
		cdx_evidence(c, ev, out, what);
	}
	cdx_prop(c, o, "vouch:cpe-alias", &al, &out->ncpe_aliases, what);
	out->cpe_aliases = al;
}

static void
read_cyclonedx(rctx *c, const json_t *root, vouch_sbom *s)
{
	const json_t *md = json_object_get(root, "metadata"), *comps, *deps, *d, *x;
	const json_t **flat = NULL;
	vouch_component *vc;
	vouch_sbom_file *vf;
	vouch_sbom_dep *vd;
	size_t nflat = 0, cap = 0, nc = 0, nf = 0, nd = 0, i;
	struct item {
		const json_t *arr;
		size_t depth;
	} *stack = NULL;
	size_t sp = 0;

	if (json_is_object(md)) {
		const json_t *img = json_object_get(md, "component"), *tools;
		const char *ts = sget(c, md, "timestamp", "metadata"), *size;

		if (ts != NULL && !vouch_sbom_time_parse(ts, &s->created)) {
			FAIL(c, VOUCH_E_MALFORMED, "metadata.timestamp \"%.40s\" is not a date-time",
			     ts);
		}
		if (json_is_object(img)) {
			s->name = adup(c, sget(c, img, "name", "metadata.component"));
			cdx_hashes(c, img, s->sha256, NULL, "metadata.component");
			size = cdx_prop(c, img, "vouch:size", NULL, NULL, "metadata.component");
			if (size != NULL && !parse_u64(size, &s->size)) {
				FAIL(c, VOUCH_E_MALFORMED, "metadata.component: bad vouch:size");
			}
		}
		tools = json_object_get(md, "tools");
		if (json_is_object(tools)) {
			tools = json_object_get(tools, "components");
		}
		if (json_is_array(tools) && json_is_object(json_array_get(tools, 0))) {
			s->tool_version =
				adup(c, sget(c, json_array_get(tools, 0), "version", "metadata.tools"));
		}
	}
	/* flatten components[] and their nested components[] with an explicit stack */
	comps = aget(c, root, "components", "document");
	stack = calloc(VOUCH_SBOM_NEST_MAX + 1, sizeof(*stack));
	if (stack == NULL) {
		FAIL(c, VOUCH_E_NOMEM, "out of memory");
		return;
	}
	if (comps != NULL) {
		stack[sp++] = (struct item){comps, 1};
	}
	while (sp > 0 && c->rc == VOUCH_OK) {
		struct item it = stack[--sp];

		json_array_foreach(it.arr, i, x) {
			const json_t *sub;

			if (!json_is_object(x)) {
				FAIL(c, VOUCH_E_MALFORMED, "a component is not an object");
				break;
			}
			if (nflat == cap) {
				size_t ncap = cap ? cap * 2 : 64;
				const json_t **nf2 = realloc(flat, ncap * sizeof(*flat));

				if (nf2 == NULL) {
					FAIL(c, VOUCH_E_NOMEM, "out of memory");
					break;
				}
				flat = nf2;
				cap = ncap;
			}
			flat[nflat++] = x;
			sub = aget(c, x, "components", "component");
			if (sub != NULL && json_array_size(sub) > 0) {
				if (it.depth >= VOUCH_SBOM_NEST_MAX || sp >= VOUCH_SBOM_NEST_MAX) {
					FAIL(c, VOUCH_E_LIMIT,
					     "components nested deeper than %d levels",
					     VOUCH_SBOM_NEST_MAX);
					break;
				}
				stack[sp++] = (struct item){sub, it.depth + 1};
			}
		}
	}
	free(stack);
	for (i = 0; i < nflat && c->rc == VOUCH_OK; i++) {
		const char *type = sget(c, flat[i], "type", "component");

		if (type == NULL) {
			FAIL(c, VOUCH_E_MALFORMED, "component %zu: no type", i);
		} else if (strcmp(type, "file") == 0) {
			nf++;
		} else {
			nc++;
		}
	}
	vc = aalloc(c, nc, sizeof(*vc));
	vf = aalloc(c, nf, sizeof(*vf));
	for (i = 0; i < nflat && c->rc == VOUCH_OK; i++) {
		const char *type = sget(c, flat[i], "type", "component");

		if (strcmp(type, "file") == 0) {
			cdx_file(c, flat[i], &vf[s->nfiles], s->nfiles);
			s->nfiles++;
		} else {
			cdx_component(c, flat[i], &vc[s->ncomponents], s->ncomponents);
			s->ncomponents++;
		}
	}
	s->components = vc;
	s->files = vf;
	free(flat);
	deps = aget(c, root, "dependencies", "document");
	json_array_foreach(deps, i, d) {
		nd += json_array_size(json_object_get(d, "dependsOn"));
	}
	vd = aalloc(c, nd, sizeof(*vd));
	s->deps = vd;
	json_array_foreach(deps, i, d) {
		const char *ref = sget(c, d, "ref", "dependency");
		const json_t *on = aget(c, d, "dependsOn", "dependency"), *t;
		size_t k;

		if (c->rc != VOUCH_OK || ref == NULL) {
			FAIL(c, VOUCH_E_MALFORMED, "dependency %zu: no ref", i);
			break;
		}
		ref = adup(c, ref);
		json_array_foreach(on, k, t) {
			if (!json_is_string(t)) {
				FAIL(c, VOUCH_E_MALFORMED, "dependency %zu: dependsOn holds a non-string",
				     i);
				break;
			}
			if (vd != NULL && s->ndeps < nd) {
				vouch_sbom_dep *e = &vd[s->ndeps++];

				e->from = ref;
				e->to = adup(c, json_string_value(t));
				e->why = "dependsOn";
			}
		}
	}
}

/* ---- SPDX ---- */

static const char *
strip_prefix(const char *s, const char *p)
{
	size_t n = strlen(p);

	return strncmp(s, p, n) == 0 ? s + n : s;
}

/* referenceType may be the bare name or an IRI ending in "/<name>" (SPDX 2.2 JSON). */
static bool
reftype_is(const char *t, const char *name)
{
	size_t tl = strlen(t), nl = strlen(name);

	return strcmp(t, name) == 0 || (tl > nl && t[tl - nl - 1] == '/' && strcmp(t + tl - nl, name) == 0);
}

static void
spdx_checksums(rctx *c, const json_t *o, uint8_t *sha256, uint8_t *sha1, const char *what)
{
	const json_t *cs = aget(c, o, "checksums", what), *x;
	size_t i;

	json_array_foreach(cs, i, x) {
		const char *alg = sget(c, x, "algorithm", what), *v = sget(c, x, "checksumValue", what);

		if (alg == NULL || v == NULL) {
			continue;
		}
		if (strcmp(alg, "SHA256") == 0 && sha256 != NULL && !unhex(v, sha256, 32)) {
			FAIL(c, VOUCH_E_MALFORMED, "%s: SHA256 is not 64 hex digits", what);
		} else if (strcmp(alg, "SHA1") == 0 && sha1 != NULL && !unhex(v, sha1, 20)) {
			FAIL(c, VOUCH_E_MALFORMED, "%s: SHA1 is not 40 hex digits", what);
		}
	}
}

static void
spdx_package(rctx *c, const json_t *o, vouch_component *out, size_t n)
{
	char what[64];
	const char *sup, *purpose, *comment;
	const json_t *refs, *r;
	size_t i, nal = 0;
	const char **al;

	snprintf(what, sizeof(what), "package %zu", n);
	out->bom_ref = adup(c, sget(c, o, "SPDXID", what));
	out->name = adup(c, sget(c, o, "name", what));
	if (c->rc == VOUCH_OK && (out->bom_ref == NULL || out->name == NULL)) {
		FAIL(c, VOUCH_E_MALFORMED, "%s: no SPDXID or name", what);
		return;
	}
	out->version = adup(c, sget(c, o, "versionInfo", what));
	sup = sget(c, o, "supplier", what);
	if (sup != NULL && strcmp(sup, "NOASSERTION") != 0) {
		out->supplier = adup(c, strip_prefix(strip_prefix(sup, "Organization: "), "Person: "));
	}
	refs = aget(c, o, "externalRefs", what);
	json_array_foreach(refs, i, r) {
		const char *t = sget(c, r, "referenceType", what);

		nal += t != NULL && strcmp(t, "vouch-cpe-alias") == 0;
	}
	al = aalloc(c, nal, sizeof(*al));
	json_array_foreach(refs, i, r) {
		const char *t = sget(c, r, "referenceType", what);
		const char *loc = sget(c, r, "referenceLocator", what);

		if (t == NULL || loc == NULL) {
			continue;
		}
		if (reftype_is(t, "cpe23Type") && (out->cpe == NULL || strncmp(out->cpe, "cpe:/", 5) == 0)) {
			out->cpe = adup(c, loc);
		} else if (reftype_is(t, "cpe22Type") && out->cpe == NULL) {
			out->cpe = adup(c, loc);
		} else if (reftype_is(t, "purl") && out->purl == NULL) {
			out->purl = adup(c, loc);
		} else if (strcmp(t, "vouch-cpe-alias") == 0 && al != NULL && out->ncpe_aliases < nal) {
			al[out->ncpe_aliases++] = adup(c, loc);
		}
	}
	out->cpe_aliases = al;
	purpose = sget(c, o, "primaryPackagePurpose", what);
	out->kind = VOUCH_COMP_LIBRARY;
	if (purpose != NULL) {
		if (strcmp(purpose, "APPLICATION") == 0) {
			out->kind = VOUCH_COMP_APPLICATION;
		} else if (strcmp(purpose, "OPERATING_SYSTEM") == 0 ||
			   strcmp(purpose, "OPERATING-SYSTEM") == 0) {
			out->kind = VOUCH_COMP_OS;
		} else if (strcmp(purpose, "FIRMWARE") == 0 || strcmp(purpose, "DEVICE") == 0) {
			out->kind = VOUCH_COMP_FIRMWARE;
		}
	} else if (out->cpe != NULL && strncmp(out->cpe, "cpe:2.3:o:", 10) == 0) {
		out->kind = VOUCH_COMP_OS;
	}
	out->confidence = 1.0;
	comment = sget(c, o, "comment", what);
	if (comment != NULL && strncmp(comment, "vouch: confidence ", 18) == 0) {
		char *end;
		double v = strtod(comment + 18, &end);

		if (end != comment + 18) {
			out->confidence = vouch_sbom_conf(v);
		}
	}
}

static void
read_spdx(rctx *c, const json_t *root, vouch_sbom *s)
{
	const json_t *pkgs = aget(c, root, "packages", "document");
	const json_t *files = aget(c, root, "files", "document");
	const json_t *rels = aget(c, root, "relationships", "document");
	const json_t *dd = aget(c, root, "documentDescribes", "document");
	const json_t *ci = json_object_get(root, "creationInfo"), *x;
	const char *described = NULL, *image_id = NULL;
	size_t ndescribed = 0, i, nd = 0;
	vouch_strmap fileidx = {0};
	vouch_component *vc;
	vouch_sbom_file *vf;
	vouch_sbom_dep *vd;

	s->name = adup(c, sget(c, root, "name", "document"));
	if (json_is_object(ci)) {
		const char *created = sget(c, ci, "created", "creationInfo");
		const json_t *cr = aget(c, ci, "creators", "creationInfo");

		if (created != NULL && !vouch_sbom_time_parse(created, &s->created)) {
			FAIL(c, VOUCH_E_MALFORMED, "creationInfo.created \"%.40s\" is not a date-time",
			     created);
		}
		json_array_foreach(cr, i, x) {
			if (json_is_string(x) && strncmp(json_string_value(x), "Tool: ", 6) == 0) {
				s->tool_version = adup(c, json_string_value(x) + 6);
				break;
			}
		}
	}
	/* which package is the image: the one described, when it is one of several */
	json_array_foreach(dd, i, x) {
		if (json_is_string(x)) {
			described = json_string_value(x);
			ndescribed++;
		}
	}
	json_array_foreach(rels, i, x) {
		const char *a = sget(c, x, "spdxElementId", "relationship");
		const char *t = sget(c, x, "relationshipType", "relationship");
		const char *b = sget(c, x, "relatedSpdxElement", "relationship");

		if (a == NULL || t == NULL || b == NULL) {
			FAIL(c, VOUCH_E_MALFORMED, "relationship %zu: a field is missing", i);
			break;
		}
		if (strcmp(t, "DESCRIBES") == 0 && strcmp(a, "SPDXRef-DOCUMENT") == 0 &&
		    (described == NULL || strcmp(described, b) != 0)) {
			described = b;
			ndescribed++;
		} else if (strcmp(t, "DESCRIBED_BY") == 0 && strcmp(b, "SPDXRef-DOCUMENT") == 0 &&
			   (described == NULL || strcmp(described, a) != 0)) {
			described = a;
			ndescribed++;
		}
	}
	if (ndescribed == 1 && json_array_size(pkgs) > 1) {
		json_array_foreach(pkgs, i, x) {
			const char *id = sget(c, x, "SPDXID", "package");

			if (id != NULL && strcmp(id, described) == 0) {
				image_id = id;
				s->name = adup(c, sget(c, x, "name", "package"));
				spdx_checksums(c, x, s->sha256, NULL, "image package");
			}
		}
	}
	vc = aalloc(c, json_array_size(pkgs), sizeof(*vc));
	s->components = vc;
	json_array_foreach(pkgs, i, x) {
		const char *id;

		if (c->rc != VOUCH_OK) {
			break;
		}
		if (!json_is_object(x)) {
			FAIL(c, VOUCH_E_MALFORMED, "package %zu is not an object", i);
			break;
		}
		id = sget(c, x, "SPDXID", "package");
		if (image_id != NULL && id != NULL && strcmp(id, image_id) == 0) {
			continue;
		}
		spdx_package(c, x, &vc[s->ncomponents++], i);
	}
	vf = aalloc(c, json_array_size(files), sizeof(*vf));
	s->files = vf;
	json_array_foreach(files, i, x) {
		vouch_sbom_file *f;
		const char *id, *name, *comment;
		char what[64];

		if (c->rc != VOUCH_OK) {
			break;
		}
		snprintf(what, sizeof(what), "file %zu", i);
		if (!json_is_object(x)) {
			FAIL(c, VOUCH_E_MALFORMED, "%s is not an object", what);
			break;
		}
		f = &vf[s->nfiles];
		id = sget(c, x, "SPDXID", what);
		name = sget(c, x, "fileName", what);
		if (id == NULL || name == NULL) {
			FAIL(c, VOUCH_E_MALFORMED, "%s: no SPDXID or fileName", what);
			break;
		}
		f->bom_ref = adup(c, id);
		f->path = adup(c, strip_prefix(name, "./"));
		spdx_checksums(c, x, f->sha256, f->sha1, what);
		comment = sget(c, x, "comment", what);
		if (comment != NULL && strncmp(comment, "vouch: size ", 12) == 0) {
			parse_u64(comment + 12, &f->size);
		}
		if (f->bom_ref != NULL &&
		    vouch_strmap_add(&fileidx, f->bom_ref, (const void *)(uintptr_t)(s->nfiles + 1),
				     NULL) != VOUCH_OK) {
			FAIL(c, VOUCH_E_NOMEM, "out of memory");
		}
		s->nfiles++;
	}
	json_array_foreach(rels, i, x) {
		nd++;
	}
	vd = aalloc(c, nd, sizeof(*vd));
	s->deps = vd;
	json_array_foreach(rels, i, x) {
		const char *a = sget(c, x, "spdxElementId", "relationship");
		const char *t = sget(c, x, "relationshipType", "relationship");
		const char *b = sget(c, x, "relatedSpdxElement", "relationship");
		const char *why = sget(c, x, "comment", "relationship");
		bool fwd = strcmp0_eq(t, "DEPENDS_ON") || strcmp0_eq(t, "DYNAMIC_LINK") ||
			   strcmp0_eq(t, "STATIC_LINK");
		bool rev = strcmp0_eq(t, "DEPENDENCY_OF") || strcmp0_eq(t, "RUNTIME_DEPENDENCY_OF");

		if (c->rc != VOUCH_OK || vd == NULL) {
			break;
		}
		if (strcmp(t, "CONTAINS") == 0 && (image_id == NULL || strcmp(a, image_id) != 0)) {
			vouch_sbom_file *f = NULL;
			size_t fi;
			bool found = false;

			/* the map holds file indices (+1) to keep the array mutable here */
			fi = (size_t)(uintptr_t)vouch_strmap_get(&fileidx, b, &found);
			if (found && vf != NULL && fi >= 1 && fi <= s->nfiles) {
				f = &vf[fi - 1];
			}

			if (f != NULL && f->component_ref == NULL && strcmp(a, "SPDXRef-DOCUMENT") != 0) {
				f->component_ref = adup(c, a);
			}
			continue;
		}
		if (fwd || rev) {
			vouch_sbom_dep *e = &vd[s->ndeps++];

			e->from = adup(c, fwd ? a : b);
			e->to = adup(c, fwd ? b : a);
			e->why = adup(c, why != NULL ? why : t);
		}
	}
	vouch_strmap_free(&fileidx);
}

/* ---- entry points ---- */

int
vouch_sbom_read(const char *json, size_t len, vouch_sbom_doc **out, char *err, size_t errlen)
{
	json_t *root = NULL;
	vouch_sbom_doc *d = NULL;
	rctx c = {.err = err, .errlen = errlen, .rc = VOUCH_OK};
	const char *fmt, *ver;
	uint64_t budget;
	int rc;

	if (out == NULL) {
		return vouch_sbom_errf(err, errlen, VOUCH_E_USAGE, "no output");
	}
	if ((rc = vouch_sbomj_load(json, len, &root, err, errlen)) != VOUCH_OK) {
		return rc;
	}
	d = calloc(1, sizeof(*d));
	budget = (uint64_t)len * VOUCH_SBOM_ARENA_FACTOR + VOUCH_SBOM_ARENA_MIN;
	if (d == NULL || vouch_arena_new(&d->a, budget) != VOUCH_OK) {
		rc = vouch_sbom_errf(err, errlen, VOUCH_E_NOMEM, "out of memory");
		goto fail;
	}
	c.a = d->a;
	fmt = json_string_value(json_object_get(root, "bomFormat"));
	ver = json_string_value(json_object_get(root, "spdxVersion"));
	if (fmt != NULL && strcmp(fmt, "CycloneDX") == 0) {
		const char *sv = json_string_value(json_object_get(root, "specVersion"));

		if (sv == NULL || (strcmp(sv, "1.4") != 0 && strcmp(sv, "1.5") != 0 &&
				   strcmp(sv, "1.6") != 0 && strcmp(sv, "1.7") != 0)) {
			rc = vouch_sbom_errf(err, errlen, VOUCH_E_MALFORMED,
					     "CycloneDX specVersion %.20s%s is not supported (1.4 to 1.7)",
					     sv != NULL ? sv : "(none)",
					     sv != NULL && strlen(sv) > 20 ? "..." : "");
			goto fail;
		}
		read_cyclonedx(&c, root, &d->s);
	} else if (ver != NULL) {
		if (strcmp(ver, "SPDX-2.2") != 0 && strcmp(ver, "SPDX-2.3") != 0) {
			rc = vouch_sbom_errf(err, errlen, VOUCH_E_MALFORMED,
					     "spdxVersion %.20s%s is not supported (SPDX-2.2, SPDX-2.3)",
					     ver, strlen(ver) > 20 ? "..." : "");
			goto fail;
		}
		read_spdx(&c, root, &d->s);
	} else {
		rc = vouch_sbom_errf(err, errlen, VOUCH_E_MALFORMED,
				     "neither a CycloneDX BOM (bomFormat) nor an SPDX document "
				     "(spdxVersion)");
		goto fail;
	}
	if (c.rc != VOUCH_OK) {
		rc = c.rc;
		goto fail;
	}
	json_decref(root);
	*out = d;
	return VOUCH_OK;
fail:
	json_decref(root);
	vouch_sbom_doc_free(d);
	return rc;
}

const vouch_sbom *
vouch_sbom_doc_sbom(const vouch_sbom_doc *d)
{
	return d != NULL ? &d->s : NULL;
}

void
vouch_sbom_doc_free(vouch_sbom_doc *d)
{
	if (d == NULL) {
		return;
	}
	vouch_arena_free(d->a);
	free(d);
}
