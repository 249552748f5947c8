/*
 * sbom/spdx.c: the model as an SPDX 2.3 JSON document (vouch_sbom_to_spdx).
 *
 * Layout (SPDX 2.3 clauses in brackets):
 *   document: SPDXRef-DOCUMENT, spdxVersion SPDX-2.3, dataLicense CC0-1.0 [6.2], name,
 *     documentNamespace "urn:uuid:<uuid>" [6.5: a unique absolute URI; derived from the image
 *     digest and the creation time, see vouch_sbom_uuid], creationInfo (created, creators
 *     "Tool: vouch-<version>") [6.8, 6.9];
 *   the image: a package SPDXRef-Image, primaryPackagePurpose FIRMWARE, its SHA256;
 *   one package per component: versionInfo, supplier "Organization: ..." or NOASSERTION,
 *     downloadLocation NOASSERTION, filesAnalyzed false, primaryPackagePurpose, externalRefs
 *     SECURITY cpe23Type, PACKAGE-MANAGER purl, and OTHER "vouch-cpe-alias" for each alias
 *     [Annex F]; the evidence and confidence in the package comment (SPDX 2.3 has no
 *     evidence field);
 *   files: fileName "./<nested path>" [8.1], checksums SHA1 and SHA256 [8.4];
 *   relationships: DOCUMENT DESCRIBES image; image CONTAINS every package and every file;
 *     package CONTAINS its files; DT_NEEDED edges as DYNAMIC_LINK, "contains" edges as
 *     CONTAINS, any other edge DEPENDS_ON, each with the edge's reason as comment.
 * SPDX identifiers must match SPDXRef-[A-Za-z0-9.-]+ [3.2]: "SPDXRef-Package-" or
 * "SPDXRef-File-" then the element's bom-ref with every other byte replaced by '-', cut at
 * VOUCH_SBOM_SPDXID_MAX, and "-2", "-3", ... when that is taken (assigned in the plan's sorted
 * order, so deterministic and unique).
 * Decisions:
 *   - SHA1 [8.4 requires one per file]: the model carries it (vouch_sbom_file.sha1); a file
 *     whose SHA1 was not computed gets only its SHA256 and a comment saying so, rather than
 *     a made-up value.
 *   - The kernel (operating-system) gets no primaryPackagePurpose: the v2.3 schema spells it
 *     OPERATING_SYSTEM, the text and the 2.3.1 schema OPERATING-SYSTEM; any one spelling
 *     fails one of them, and the field is optional (0..1).
 *   - An external reference locator may not contain white space [Annex F]: a CPE, purl or
 *     alias from firmware that does contain some is not emitted as a reference; it stays in
 *     the package comment.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbom/sbom_int.h"
#include "vouch/vouch.h"

typedef struct spdx_ids {
	char *image;
	char **comp; /* per model component index */
	char **file; /* per model file index */
	vouch_strmap taken;
	vouch_strmap byref; /* plan output ref -> SPDX id */
} spdx_ids;

static void
ids_free(spdx_ids *x, const vouch_sbom *s)
{
	for (size_t i = 0; x->comp != NULL && i < s->ncomponents; i++) {
		free(x->comp[i]);
	}
	for (size_t i = 0; x->file != NULL && i < s->nfiles; i++) {
		free(x->file[i]);
	}
	free(x->image);
	free(x->comp);
	free(x->file);
	vouch_strmap_free(&x->taken);
	vouch_strmap_free(&x->byref);
}

static bool
idchar(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '-';
}

/* A unique SPDX id "<prefix><sanitised ref>[-k]"; malloc'd into *out. */
static int
make_id(spdx_ids *x, const char *prefix, const char *ref, char **out)
{
	size_t pl = strlen(prefix), rl = strlen(ref), n = VOUCH_MIN(rl, VOUCH_SBOM_SPDXID_MAX);
	size_t cap = pl + n + 24;
	char *id = malloc(cap);
	bool added;
	int rc;

	if (id == NULL) {
		return VOUCH_E_NOMEM;
	}
	memcpy(id, prefix, pl);
	for (size_t i = 0; i < n; i++) {
		id[pl + i] = idchar((unsigned char)ref[i]) ? ref[i] : '-';
	}
	if (n == 0) {
		id[pl + n++] = 'x';
	}
	id[pl + n] = '\0';
	for (size_t k = 2;; k++) {
		rc = vouch_strmap_add(&x->taken, id, NULL, &added);
		if (rc != VOUCH_OK) {
			free(id);
			return rc;
		}
		if (added) {
			*out = id;
			return VOUCH_OK;
		}
		snprintf(id + pl + n, cap - pl - n, "-%zu", k);
	}
}

static int
ids_make(spdx_ids *x, const vouch_sbom_plan *p)
{
	const vouch_sbom *s = p->s;
	int rc;

	memset(x, 0, sizeof(*x));
	x->comp = calloc(s->ncomponents + 1, sizeof(*x->comp));
	x->file = calloc(s->nfiles + 1, sizeof(*x->file));
	if (x->comp == NULL || x->file == NULL) {
		return VOUCH_E_NOMEM;
	}
	if ((rc = vouch_strmap_add(&x->taken, "SPDXRef-DOCUMENT", NULL, NULL)) != VOUCH_OK ||
	    (rc = make_id(x, "SPDXRef-", "Image", &x->image)) != VOUCH_OK) {
		return rc;
	}
	for (size_t k = 0; k < s->ncomponents; k++) {
		size_t i = p->comp[k];

		if ((rc = make_id(x, "SPDXRef-Package-", p->comp_ref[i], &x->comp[i])) != VOUCH_OK ||
		    (rc = vouch_strmap_add(&x->byref, p->comp_ref[i], x->comp[i], NULL)) != VOUCH_OK) {
			return rc;
		}
	}
	for (size_t k = 0; k < s->nfiles; k++) {
		size_t i = p->file[k];

		if ((rc = make_id(x, "SPDXRef-File-", p->file_ref[i], &x->file[i])) != VOUCH_OK ||
		    (rc = vouch_strmap_add(&x->byref, p->file_ref[i], x->file[i], NULL)) != VOUCH_OK) {
			return rc;
		}
	}
	return VOUCH_OK;
}

static bool
locator_ok(const char *s)
{
	if (s == NULL || s[0] == '\0') {
		return false;
	}
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c <= 0x20 || c == 0x7f) {
			return false;
		}
	}
	return true;
}

static int
extref(json_t *refs, const char *cat, const char *type, const char *loc)
{
	json_t *r = json_object();
	int bad = json_object_set_new(r, "referenceCategory", json_string(cat));

	bad |= json_object_set_new(r, "referenceType", json_string(type));
	bad |= json_object_set_new(r, "referenceLocator", vouch_sbomj_ident(loc));
	bad |= json_array_append_new(refs, r);
	return bad;
}

static int
checksum(json_t *a, const char *alg, const uint8_t *d, size_t n)
{
	json_t *c = json_object();
	char hex[65];
	int bad;

	vouch_sbom_hex(d, n, hex);
	bad = json_object_set_new(c, "algorithm", json_string(alg));
	bad |= json_object_set_new(c, "checksumValue", json_string(hex));
	bad |= json_array_append_new(a, c);
	return bad;
}

/* A growable text buffer for the package comment; firmware strings escaped. */
typedef struct sbuf {
	char *p;
	size_t n, cap;
	bool bad;
} sbuf;

static void
sb_raw(sbuf *b, const char *s, size_t n)
{
	if (b->bad) {
		return;
	}
	if (b->n + n + 1 > b->cap) {
		size_t cap = VOUCH_MAX(b->cap * 2, b->n + n + 256);
		char *np = realloc(b->p, cap);

		if (np == NULL) {
			b->bad = true;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

static void
sb_str(sbuf *b, const char *s)
{
	sb_raw(b, s, strlen(s));
}

static void
sb_esc(sbuf *b, const char *s)
{
	char small[256];
	size_t need = vouch_escape_str(small, sizeof(small), s);
	char *big;

	if (need < sizeof(small)) {
		sb_raw(b, small, need);
		return;
	}
	big = malloc(need + 1);
	if (big == NULL) {
		b->bad = true;
		return;
	}
	vouch_escape_str(big, need + 1, s);
	sb_raw(b, big, need);
	free(big);
}

static json_t *
package_comment(const vouch_component *c)
{
	sbuf b = {0};
	char num[64];
	json_t *j;

	snprintf(num, sizeof(num), "%.2f", vouch_sbom_conf(c->confidence));
	sb_str(&b, "vouch: confidence ");
	sb_str(&b, num);
	for (size_t i = 0; i < c->nevidence && c->evidence != NULL; i++) {
		const vouch_evidence *e = &c->evidence[i];

		sb_str(&b, i == 0 ? "; evidence: " : "; ");
		sb_esc(&b, e->method != NULL ? e->method : "unknown");
		if (e->rule != NULL) {
			sb_str(&b, " ");
			sb_esc(&b, e->rule);
		}
		sb_str(&b, " at ");
		sb_esc(&b, e->path != NULL ? e->path : "");
		if (e->offset != UINT64_MAX) {
			snprintf(num, sizeof(num), " offset %llu", (unsigned long long)e->offset);
			sb_str(&b, num);
		}
		if (e->text != NULL) {
			sb_str(&b, ": \"");
			sb_esc(&b, e->text);
			sb_str(&b, "\"");
		}
	}
	if (c->cpe != NULL && !locator_ok(c->cpe)) {
		sb_str(&b, "; cpe (not a valid locator): ");
		sb_esc(&b, c->cpe);
	}
	if (c->purl != NULL && !locator_ok(c->purl)) {
		sb_str(&b, "; purl (not a valid locator): ");
		sb_esc(&b, c->purl);
	}
	if (b.bad) {
		free(b.p);
		return NULL;
	}
	j = json_string(b.p);
	free(b.p);
	return j;
}

static json_t *
package(const vouch_sbom_plan *p, const spdx_ids *x, size_t i, int *bad)
{
	const vouch_component *c = &p->s->components[i];
	json_t *o = json_object(), *refs = json_array();
	const char *purpose = NULL;

	*bad |= json_object_set_new(o, "SPDXID", json_string(x->comp[i]));
	*bad |= json_object_set_new(o, "name", vouch_sbomj_ident(c->name != NULL ? c->name : ""));
	if (c->version != NULL) {
		*bad |= json_object_set_new(o, "versionInfo", vouch_sbomj_ident(c->version));
	}
	if (c->supplier != NULL) {
		size_t need = strlen("Organization: ") + strlen(c->supplier) + 1;
		char *t = malloc(need);
		json_t *j = NULL;

		if (t != NULL) {
			snprintf(t, need, "Organization: %s", c->supplier);
			j = vouch_sbomj_text(t); /* firmware text, escaped as in CycloneDX */
			free(t);
		}
		*bad |= json_object_set_new(o, "supplier", j);
	} else {
		*bad |= json_object_set_new(o, "supplier", json_string("NOASSERTION"));
	}
	*bad |= json_object_set_new(o, "downloadLocation", json_string("NOASSERTION"));
	*bad |= json_object_set_new(o, "filesAnalyzed", json_false());
	switch (c->kind) {
	case VOUCH_COMP_APPLICATION:
		purpose = "APPLICATION";
		break;
	case VOUCH_COMP_FIRMWARE:
		purpose = "FIRMWARE";
		break;
	case VOUCH_COMP_OS:
		purpose = NULL; /* see the design note */
		break;
	case VOUCH_COMP_LIBRARY:
	default:
		purpose = "LIBRARY";
		break;
	}
	if (purpose != NULL) {
		*bad |= json_object_set_new(o, "primaryPackagePurpose", json_string(purpose));
	}
	if (locator_ok(c->cpe)) {
		*bad |= extref(refs, "SECURITY", "cpe23Type", c->cpe);
	}
	if (locator_ok(c->purl)) {
		*bad |= extref(refs, "PACKAGE-MANAGER", "purl", c->purl);
	}
	for (size_t k = 0; k < c->ncpe_aliases && c->cpe_aliases != NULL; k++) {
		if (locator_ok(c->cpe_aliases[k])) {
			*bad |= extref(refs, "OTHER", "vouch-cpe-alias", c->cpe_aliases[k]);
		}
	}
	if (json_array_size(refs) > 0) {
		*bad |= json_object_set_new(o, "externalRefs", refs);
	} else {
		json_decref(refs);
	}
	*bad |= json_object_set_new(o, "comment", package_comment(c));
	return o;
}

static json_t *
file(const vouch_sbom_plan *p, const spdx_ids *x, size_t i, int *bad)
{
	const vouch_sbom_file *f = &p->s->files[i];
	json_t *o = json_object(), *sums = json_array(), *name;
	const char *path = f->path != NULL ? f->path : "";
	char *dotted = malloc(strlen(path) + 3);
	char num[96];

	if (dotted == NULL) {
		*bad = 1;
		return o;
	}
	memcpy(dotted, "./", 2);
	memcpy(dotted + 2, path, strlen(path) + 1);
	name = vouch_sbomj_text(dotted);
	free(dotted);
	*bad |= json_object_set_new(o, "SPDXID", json_string(x->file[i]));
	*bad |= json_object_set_new(o, "fileName", name);
	if (!vouch_sbom_allzero(f->sha1, sizeof(f->sha1))) {
		*bad |= checksum(sums, "SHA1", f->sha1, sizeof(f->sha1));
	}
	*bad |= checksum(sums, "SHA256", f->sha256, sizeof(f->sha256));
	*bad |= json_object_set_new(o, "checksums", sums);
	snprintf(num, sizeof(num), "vouch: size %llu bytes%s", (unsigned long long)f->size,
		 vouch_sbom_allzero(f->sha1, sizeof(f->sha1)) ? "; SHA1 not computed" : "");
	*bad |= json_object_set_new(o, "comment", json_string(num));
	return o;
}

static int
rel(json_t *rels, const char *a, const char *type, const char *b, const char *why)
{
	json_t *r = json_object();
	int bad = json_object_set_new(r, "spdxElementId", json_string(a));

	bad |= json_object_set_new(r, "relationshipType", json_string(type));
	bad |= json_object_set_new(r, "relatedSpdxElement", json_string(b));
	if (why != NULL) {
		bad |= json_object_set_new(r, "comment", vouch_sbomj_text(why));
	}
	bad |= json_array_append_new(rels, r);
	return bad;
}

static const char *
edge_type(const char *why)
{
	if (why != NULL && strncmp(why, "DT_NEEDED", 9) == 0) {
		return "DYNAMIC_LINK";
	}
	if (why != NULL && strcmp(why, "contains") == 0) {
		return "CONTAINS";
	}
	return "DEPENDS_ON";
}

int
vouch_sbom_to_spdx(const vouch_sbom *s, char **out)
{
	vouch_sbom_plan p;
	spdx_ids x;
	json_t *root = NULL, *ci, *creators, *pkgs, *files, *rels, *img, *sums;
	char ts[32], uuid[37], ns[48], tool[300];
	int bad = 0, rc;

	if (s == NULL || out == NULL) {
		return VOUCH_E_USAGE;
	}
	if (!vouch_sbom_time_fmt(s->created, ts)) {
		return VOUCH_E_USAGE;
	}
	if ((rc = vouch_sbom_uuid(s->sha256, s->created, "spdx", uuid)) != VOUCH_OK) {
		return rc;
	}
	if ((rc = vouch_sbom_plan_make(s, &p)) != VOUCH_OK) {
		return rc;
	}
	if ((rc = ids_make(&x, &p)) != VOUCH_OK) {
		ids_free(&x, s);
		vouch_sbom_plan_free(&p);
		return rc;
	}
	snprintf(ns, sizeof(ns), "urn:uuid:%s", uuid);
	root = json_object();
	bad |= json_object_set_new(root, "spdxVersion", json_string("SPDX-2.3"));
	bad |= json_object_set_new(root, "dataLicense", json_string("CC0-1.0"));
	bad |= json_object_set_new(root, "SPDXID", json_string("SPDXRef-DOCUMENT"));
	bad |= json_object_set_new(root, "name", vouch_sbomj_text(s->name != NULL ? s->name : "image"));
	bad |= json_object_set_new(root, "documentNamespace", json_string(ns));
	ci = json_object();
	creators = json_array();
	{
		/* the tool version is ours, but keep the creator one clean line whatever it is */
		char *v = vouch_sbom_ident_dup(s->tool_version != NULL ? s->tool_version : "unknown");

		if (v == NULL) {
			bad = 1;
		} else {
			snprintf(tool, sizeof(tool), "Tool: vouch-%s", v);
			free(v);
			bad |= json_array_append_new(creators, vouch_sbomj_text(tool));
		}
	}
	bad |= json_object_set_new(ci, "created", json_string(ts));
	bad |= json_object_set_new(ci, "creators", creators);
	bad |= json_object_set_new(root, "creationInfo", ci);

	pkgs = json_array();
	img = json_object();
	bad |= json_object_set_new(img, "SPDXID", json_string(x.image));
	bad |= json_object_set_new(img, "name", vouch_sbomj_text(s->name != NULL ? s->name : "image"));
	bad |= json_object_set_new(img, "downloadLocation", json_string("NOASSERTION"));
	bad |= json_object_set_new(img, "filesAnalyzed", json_false());
	bad |= json_object_set_new(img, "primaryPackagePurpose", json_string("FIRMWARE"));
	if (!vouch_sbom_allzero(s->sha256, 32)) {
		sums = json_array();
		bad |= checksum(sums, "SHA256", s->sha256, 32);
		bad |= json_object_set_new(img, "checksums", sums);
	}
	bad |= json_array_append_new(pkgs, img);
	for (size_t k = 0; k < s->ncomponents; k++) {
		bad |= json_array_append_new(pkgs, package(&p, &x, p.comp[k], &bad));
	}
	bad |= json_object_set_new(root, "packages", pkgs);
	files = json_array();
	for (size_t k = 0; k < s->nfiles; k++) {
		bad |= json_array_append_new(files, file(&p, &x, p.file[k], &bad));
	}
	bad |= json_object_set_new(root, "files", files);

	rels = json_array();
	bad |= rel(rels, "SPDXRef-DOCUMENT", "DESCRIBES", x.image, NULL);
	for (size_t k = 0; k < s->ncomponents; k++) {
		bad |= rel(rels, x.image, "CONTAINS", x.comp[p.comp[k]], NULL);
	}
	for (size_t k = 0; k < s->nfiles; k++) {
		bad |= rel(rels, x.image, "CONTAINS", x.file[p.file[k]], NULL);
	}
	for (size_t k = 0; k < s->nfiles; k++) {
		size_t i = p.file[k];
		const char *owner = p.file_owner[i] != NULL
					    ? vouch_strmap_get(&x.byref, p.file_owner[i], NULL)
					    : NULL;

		if (owner != NULL) {
			bad |= rel(rels, owner, "CONTAINS", x.file[i], NULL);
		}
	}
	for (size_t i = 0; i < p.nedge; i++) {
		const vouch_sbom_edge *e = &p.edge[i];
		const char *a = vouch_strmap_get(&x.byref, e->from, NULL);
		const char *b = vouch_strmap_get(&x.byref, e->to, NULL);

		if (a == NULL || b == NULL) {
			bad = 1; /* every plan ref has an id: cannot happen */
			continue;
		}
		bad |= rel(rels, a, edge_type(e->why), b, e->why);
	}
	bad |= json_object_set_new(root, "relationships", rels);
	rc = bad ? VOUCH_E_NOMEM : vouch_sbomj_dump(root, out);
	json_decref(root);
	ids_free(&x, s);
	vouch_sbom_plan_free(&p);
	return rc;
}
