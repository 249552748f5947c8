/*
 * sbom/cyclonedx.c: the model as a CycloneDX 1.6 JSON BOM (vouch_sbom_to_cyclonedx).
 *
 * Layout, using the schema's own vocabulary (bom-1.6.schema.json):
 *   metadata.timestamp, metadata.tools.components[] (vouch and its version, the 1.5+ form),
 *   metadata.component: the image, type "firmware", bom-ref "image", its SHA-256;
 *   components[]: each identified component (type library / application /
 *     operating-system / firmware) with supplier.name, version, cpe, purl and
 *     evidence: identity[] (one entry per field we concluded: purl, cpe, else name; each with
 *     the component's confidence and one method per piece of evidence: technique from the
 *     schema's enum, value "<method>[ <rule>]") and occurrences[] (location = nested path,
 *     offset, additionalContext = the matched text), in the same order as the methods;
 *     then each file as a component of type "file" with SHA-1 (when known) and SHA-256;
 *   dependencies[]: one entry per ref with outgoing edges, dependsOn sorted and unique.
 * What the schema has no field for goes into properties named "vouch:...":
 *   vouch:cpe-alias (one per alias, "vendor:product"), vouch:size (files, the image),
 *   vouch:component (the bom-ref of the component a file belongs to),
 *   vouch:version-omitted (a version longer than the schema's 1024 characters).
 * The serial number is a UUID derived from the image digest and the creation time
 * (vouch_sbom_uuid), so the document is a pure function of the model: the same model gives
 * the same bytes, and another run (another second) another serial number.
 * Rejected: emitting files as a nested components[] tree per directory (readers then have
 * to walk a tree to find a path; a flat list with nested paths is what scanners consume).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sbom/sbom_int.h"

static const char *
kind_type(vouch_component_kind k)
{
	switch (k) {
	case VOUCH_COMP_APPLICATION:
		return "application";
	case VOUCH_COMP_OS:
		return "operating-system";
	case VOUCH_COMP_FIRMWARE:
		return "firmware";
	case VOUCH_COMP_LIBRARY:
	default:
		return "library";
	}
}

static int
prop(json_t *props, const char *name, json_t *value)
{
	json_t *p = json_object();
	int bad = json_object_set_new(p, "name", json_string(name));

	bad |= json_object_set_new(p, "value", value);
	bad |= json_array_append_new(props, p);
	return bad;
}

static json_t *
hashes(const uint8_t *sha1, const uint8_t sha256[32], int *bad)
{
	json_t *a = json_array();
	char hex[65];

	if (sha1 != NULL && !vouch_sbom_allzero(sha1, 20)) {
		json_t *h = json_object();

		vouch_sbom_hex(sha1, 20, hex);
		*bad |= json_object_set_new(h, "alg", json_string("SHA-1"));
		*bad |= json_object_set_new(h, "content", json_string(hex));
		*bad |= json_array_append_new(a, h);
	}
	if (!vouch_sbom_allzero(sha256, 32)) {
		json_t *h = json_object();

		vouch_sbom_hex(sha256, 32, hex);
		*bad |= json_object_set_new(h, "alg", json_string("SHA-256"));
		*bad |= json_object_set_new(h, "content", json_string(hex));
		*bad |= json_array_append_new(a, h);
	}
	return a;
}

static int
strcmp0(const char *a, const char *b)
{
	if (a == NULL || b == NULL) {
		return (a != NULL) - (b != NULL);
	}
	return strcmp(a, b);
}

static int
cmp_ev(const void *x, const void *y, void *ud)
{
	const vouch_evidence *e = *(const vouch_evidence *const *)ud;
	size_t i = *(const size_t *)x, j = *(const size_t *)y;
	const vouch_evidence *a = &e[i], *b = &e[j];
	int c;

	if ((c = strcmp0(a->path, b->path)) != 0) {
		return c;
	}
	if (a->offset != b->offset) {
		return a->offset < b->offset ? -1 : 1;
	}
	if ((c = strcmp0(a->method, b->method)) != 0 || (c = strcmp0(a->rule, b->rule)) != 0 ||
	    (c = strcmp0(a->text, b->text)) != 0) {
		return c;
	}
	return (i > j) - (i < j);
}

/* "<method>[ <rule>]" as escaped text. */
static json_t *
method_value(const vouch_evidence *e)
{
	const char *m = e->method != NULL ? e->method : "unknown";
	size_t n;
	char *s;
	json_t *j;

	if (e->rule == NULL) {
		return vouch_sbomj_text(m);
	}
	n = strlen(m) + strlen(e->rule) + 2;
	s = malloc(n);
	if (s == NULL) {
		return NULL;
	}
	memcpy(s, m, strlen(m));
	s[strlen(m)] = ' ';
	memcpy(s + strlen(m) + 1, e->rule, strlen(e->rule) + 1);
	j = vouch_sbomj_text(s);
	free(s);
	return j;
}

static json_t *
evidence(const vouch_component *c, int *bad)
{
	json_t *ev = json_object(), *ids = json_array(), *occ = json_array(), *methods;
	const char *fields[2], *values[2];
	size_t nf = 0, *order = NULL;
	double conf = vouch_sbom_conf(c->confidence);

	if (c->purl != NULL) {
		fields[nf] = "purl";
		values[nf++] = c->purl;
	}
	if (c->cpe != NULL) {
		fields[nf] = "cpe";
		values[nf++] = c->cpe;
	}
	if (nf == 0) {
		fields[nf] = "name";
		values[nf++] = c->name != NULL ? c->name : "";
	}
	if (c->nevidence > 0) {
		if (c->evidence == NULL) {
			*bad = 1;
			return ev;
		}
		order = calloc(c->nevidence, sizeof(*order));
		if (order == NULL) {
			*bad = 1;
			return ev;
		}
		for (size_t i = 0; i < c->nevidence; i++) {
			order[i] = i;
		}
		const vouch_evidence *evs = c->evidence;

		qsort_r(order, c->nevidence, sizeof(*order), cmp_ev, &evs);
	}
	for (size_t f = 0; f < nf; f++) {
		json_t *id = json_object();

		*bad |= json_object_set_new(id, "field", json_string(fields[f]));
		*bad |= json_object_set_new(id, "confidence", json_real(conf));
		*bad |= json_object_set_new(id, "concludedValue", vouch_sbomj_ident(values[f]));
		if (c->nevidence > 0) {
			methods = json_array();
			for (size_t k = 0; k < c->nevidence; k++) {
				const vouch_evidence *e = &c->evidence[order[k]];
				json_t *m = json_object();

				*bad |= json_object_set_new(
					m, "technique", json_string(vouch_sbom_technique(e->method)));
				*bad |= json_object_set_new(m, "confidence", json_real(conf));
				*bad |= json_object_set_new(m, "value", method_value(e));
				*bad |= json_array_append_new(methods, m);
			}
			*bad |= json_object_set_new(id, "methods", methods);
		}
		*bad |= json_array_append_new(ids, id);
	}
	for (size_t k = 0; k < c->nevidence; k++) {
		const vouch_evidence *e = &c->evidence[order[k]];
		json_t *o = json_object();

		*bad |= json_object_set_new(o, "location",
					    vouch_sbomj_text(e->path != NULL ? e->path : ""));
		if (e->offset <= (uint64_t)INT64_MAX) {
			*bad |= json_object_set_new(o, "offset", json_integer((json_int_t)e->offset));
		}
		if (e->text != NULL) {
			*bad |= json_object_set_new(o, "additionalContext", vouch_sbomj_text(e->text));
		}
		*bad |= json_array_append_new(occ, o);
	}
	free(order);
	*bad |= json_object_set_new(ev, "identity", ids);
	if (json_array_size(occ) > 0) {
		*bad |= json_object_set_new(ev, "occurrences", occ);
	} else {
		json_decref(occ);
	}
	return ev;
}

static json_t *
component(const vouch_sbom_plan *p, size_t i, int *bad)
{
	const vouch_component *c = &p->s->components[i];
	json_t *o = json_object(), *props = json_array();

	*bad |= json_object_set_new(o, "type", json_string(kind_type(c->kind)));
	*bad |= json_object_set_new(o, "bom-ref", json_string(p->comp_ref[i]));
	if (c->supplier != NULL) {
		json_t *sup = json_object();

		*bad |= json_object_set_new(sup, "name", vouch_sbomj_text(c->supplier));
		*bad |= json_object_set_new(o, "supplier", sup);
	}
	*bad |= json_object_set_new(o, "name", vouch_sbomj_ident(c->name != NULL ? c->name : ""));
	if (c->version != NULL) {
		if (vouch_sbom_ident_len(c->version) <= VOUCH_SBOM_VERSION_MAX) {
			*bad |= json_object_set_new(o, "version", vouch_sbomj_ident(c->version));
		} else {
			*bad |= prop(props, "vouch:version-omitted",
				     json_string("longer than the 1024 characters CycloneDX allows"));
		}
	}
	if (c->cpe != NULL) {
		*bad |= json_object_set_new(o, "cpe", vouch_sbomj_ident(c->cpe));
	}
	if (c->purl != NULL) {
		*bad |= json_object_set_new(o, "purl", vouch_sbomj_ident(c->purl));
	}
	*bad |= json_object_set_new(o, "evidence", evidence(c, bad));
	if (c->ncpe_aliases > 0 && c->cpe_aliases == NULL) {
		*bad = 1;
	}
	for (size_t k = 0; k < c->ncpe_aliases && c->cpe_aliases != NULL; k++) {
		if (c->cpe_aliases[k] != NULL) {
			*bad |= prop(props, "vouch:cpe-alias", vouch_sbomj_ident(c->cpe_aliases[k]));
		}
	}
	if (json_array_size(props) > 0) {
		*bad |= json_object_set_new(o, "properties", props);
	} else {
		json_decref(props);
	}
	return o;
}

static json_t *
file(const vouch_sbom_plan *p, size_t i, int *bad)
{
	const vouch_sbom_file *f = &p->s->files[i];
	json_t *o = json_object(), *props = json_array(), *h = hashes(f->sha1, f->sha256, bad);
	char num[32];

	*bad |= json_object_set_new(o, "type", json_string("file"));
	*bad |= json_object_set_new(o, "bom-ref", json_string(p->file_ref[i]));
	*bad |= json_object_set_new(o, "name", vouch_sbomj_text(f->path != NULL ? f->path : ""));
	if (json_array_size(h) > 0) {
		*bad |= json_object_set_new(o, "hashes", h);
	} else {
		json_decref(h);
	}
	snprintf(num, sizeof(num), "%llu", (unsigned long long)f->size);
	*bad |= prop(props, "vouch:size", json_string(num));
	if (p->file_owner[i] != NULL) {
		*bad |= prop(props, "vouch:component", json_string(p->file_owner[i]));
	}
	*bad |= json_object_set_new(o, "properties", props);
	return o;
}

static json_t *
metadata(const vouch_sbom_plan *p, const char *ts, int *bad)
{
	const vouch_sbom *s = p->s;
	json_t *md = json_object(), *tools = json_object(), *tc = json_array(), *t = json_object();
	json_t *img = json_object(), *props = json_array(), *h = hashes(NULL, s->sha256, bad);
	char num[32];

	*bad |= json_object_set_new(md, "timestamp", json_string(ts));
	*bad |= json_object_set_new(t, "type", json_string("application"));
	*bad |= json_object_set_new(t, "name", json_string("vouch"));
	if (s->tool_version != NULL) {
		*bad |= json_object_set_new(t, "version", vouch_sbomj_ident(s->tool_version));
	}
	*bad |= json_array_append_new(tc, t);
	*bad |= json_object_set_new(tools, "components", tc);
	*bad |= json_object_set_new(md, "tools", tools);

	*bad |= json_object_set_new(img, "type", json_string("firmware"));
	*bad |= json_object_set_new(img, "bom-ref", json_string(p->image_ref));
	*bad |= json_object_set_new(img, "name", vouch_sbomj_text(s->name != NULL ? s->name : ""));
	if (json_array_size(h) > 0) {
		*bad |= json_object_set_new(img, "hashes", h);
	} else {
		json_decref(h);
	}
	snprintf(num, sizeof(num), "%llu", (unsigned long long)s->size);
	*bad |= prop(props, "vouch:size", json_string(num));
	*bad |= json_object_set_new(img, "properties", props);
	*bad |= json_object_set_new(md, "component", img);
	return md;
}

static json_t *
dependencies(const vouch_sbom_plan *p, int *bad)
{
	json_t *deps = json_array(), *cur = NULL, *on = NULL;
	const vouch_sbom_edge *prev = NULL;

	for (size_t i = 0; i < p->nedge; i++) {
		const vouch_sbom_edge *e = &p->edge[i];

		if (prev == NULL || strcmp(prev->from, e->from) != 0) {
			cur = json_object();
			on = json_array();
			*bad |= json_object_set_new(cur, "ref", json_string(e->from));
			*bad |= json_object_set_new(cur, "dependsOn", on);
			*bad |= json_array_append_new(deps, cur);
		} else if (strcmp(prev->to, e->to) == 0) {
			continue; /* the same edge for another reason */
		}
		*bad |= json_array_append_new(on, json_string(e->to));
		prev = e;
	}
	return deps;
}

int
vouch_sbom_to_cyclonedx(const vouch_sbom *s, char **out)
{
	vouch_sbom_plan p;
	json_t *root = NULL, *comps;
	char ts[32], uuid[37], serial[48];
	int bad = 0, rc;

	if (s == NULL || out == NULL) {
		return VOUCH_E_USAGE;
	}
	if (!vouch_sbom_time_fmt(s->created, ts)) {
		return VOUCH_E_USAGE;
	}
	if ((rc = vouch_sbom_uuid(s->sha256, s->created, "cyclonedx", uuid)) != VOUCH_OK) {
		return rc;
	}
	if ((rc = vouch_sbom_plan_make(s, &p)) != VOUCH_OK) {
		return rc;
	}
	snprintf(serial, sizeof(serial), "urn:uuid:%s", uuid);
	root = json_object();
	bad |= json_object_set_new(root, "$schema",
				   json_string("http://cyclonedx.org/schema/bom-1.6.schema.json"));
	bad |= json_object_set_new(root, "bomFormat", json_string("CycloneDX"));
	bad |= json_object_set_new(root, "specVersion", json_string("1.6"));
	bad |= json_object_set_new(root, "serialNumber", json_string(serial));
	bad |= json_object_set_new(root, "version", json_integer(1));
	bad |= json_object_set_new(root, "metadata", metadata(&p, ts, &bad));
	comps = json_array();
	for (size_t k = 0; k < s->ncomponents; k++) {
		bad |= json_array_append_new(comps, component(&p, p.comp[k], &bad));
	}
	for (size_t k = 0; k < s->nfiles; k++) {
		bad |= json_array_append_new(comps, file(&p, p.file[k], &bad));
	}
	bad |= json_object_set_new(root, "components", comps);
	bad |= json_object_set_new(root, "dependencies", dependencies(&p, &bad));
	rc = bad ? VOUCH_E_NOMEM : vouch_sbomj_dump(root, out);
	json_decref(root);
	vouch_sbom_plan_free(&p);
	return rc;
}
