/*
 * sbom/plan.c: what both SBOM writers print from, computed once from the model.
 *
 * Determinism: components are sorted by (name, version, bom-ref), files by path, edges by
 * (from, to, why), every comparison on raw bytes with the model index as the last tie-break,
 * so the order never depends on a hash or on the order the identifier happened to find
 * things in.
 *
 * Unique bom-refs: a document must not name two elements alike (CycloneDX: "every bom-ref
 * must be unique within the BOM"), but the model comes from firmware. The image takes
 * "image"; then each component and file, in sorted order, takes its own ref in identity form
 * (sbom_int.h) or "component"/"file" when it has none, and a ref already taken gets the
 * first free "~2", "~3", ... suffix. A model ref resolves to the first element that carried
 * it, so edges and file owners keep pointing at one element. Edges whose ends resolve to
 * nothing, and self-loops, are dropped: they would make the document lie.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbom/sbom_int.h"

static int
strcmp0(const char *a, const char *b)
{
	if (a == NULL || b == NULL) {
		return (a != NULL) - (b != NULL);
	}
	return strcmp(a, b);
}

static int
cmp_comp(const void *x, const void *y, void *ud)
{
	const vouch_sbom *s = *(const vouch_sbom *const *)ud;
	size_t i = *(const size_t *)x, j = *(const size_t *)y;
	const vouch_component *a = &s->components[i], *b = &s->components[j];
	int c;

	if ((c = strcmp0(a->name, b->name)) != 0 || (c = strcmp0(a->version, b->version)) != 0 ||
	    (c = strcmp0(a->bom_ref, b->bom_ref)) != 0) {
		return c;
	}
	return (i > j) - (i < j);
}

static int
cmp_file(const void *x, const void *y, void *ud)
{
	const vouch_sbom *s = *(const vouch_sbom *const *)ud;
	size_t i = *(const size_t *)x, j = *(const size_t *)y;
	int c;

	if ((c = strcmp0(s->files[i].path, s->files[j].path)) != 0 ||
	    (c = strcmp0(s->files[i].bom_ref, s->files[j].bom_ref)) != 0) {
		return c;
	}
	return (i > j) - (i < j);
}

static int
cmp_edge(const void *x, const void *y)
{
	const vouch_sbom_edge *a = x, *b = y;
	int c;

	if ((c = strcmp(a->from, b->from)) != 0 || (c = strcmp(a->to, b->to)) != 0) {
		return c;
	}
	return strcmp0(a->why, b->why);
}

/* Take a unique output ref based on `raw` (NULL or empty: `fallback`); *out is malloc'd. */
static int
take(vouch_sbom_plan *p, const char *raw, const char *fallback, char **out)
{
	char *base = vouch_sbom_ident_dup(raw != NULL && raw[0] != '\0' ? raw : fallback);
	size_t blen;
	bool added;
	int rc;

	if (base == NULL) {
		return VOUCH_E_NOMEM;
	}
	rc = vouch_strmap_add(&p->taken, base, NULL, &added);
	if (rc != VOUCH_OK || added) {
		if (rc != VOUCH_OK) {
			free(base);
			return rc;
		}
		*out = base;
		return VOUCH_OK;
	}
	blen = strlen(base);
	for (size_t k = 2;; k++) {
		char *cand = malloc(blen + 24);

		if (cand == NULL) {
			free(base);
			return VOUCH_E_NOMEM;
		}
		snprintf(cand, blen + 24, "%s~%zu", base, k);
		rc = vouch_strmap_add(&p->taken, cand, NULL, &added);
		if (rc != VOUCH_OK) {
			free(cand);
			free(base);
			return rc;
		}
		if (added) {
			free(base);
			*out = cand;
			return VOUCH_OK;
		}
		free(cand);
	}
}

int
vouch_sbom_plan_make(const vouch_sbom *s, vouch_sbom_plan *p)
{
	size_t nc = s->ncomponents, nf = s->nfiles;
	bool added;
	int rc = VOUCH_E_NOMEM;

	memset(p, 0, sizeof(*p));
	p->s = s;
	if ((nc > 0 && s->components == NULL) || (nf > 0 && s->files == NULL) ||
	    (s->ndeps > 0 && s->deps == NULL)) {
		return VOUCH_E_USAGE;
	}
	p->comp = calloc(nc + 1, sizeof(*p->comp));
	p->file = calloc(nf + 1, sizeof(*p->file));
	p->comp_ref = calloc(nc + 1, sizeof(*p->comp_ref));
	p->file_ref = calloc(nf + 1, sizeof(*p->file_ref));
	p->file_owner = calloc(nf + 1, sizeof(*p->file_owner));
	p->edge = calloc(s->ndeps + 1, sizeof(*p->edge));
	if (p->comp == NULL || p->file == NULL || p->comp_ref == NULL || p->file_ref == NULL ||
	    p->file_owner == NULL || p->edge == NULL) {
		goto fail;
	}
	for (size_t i = 0; i < nc; i++) {
		p->comp[i] = i;
	}
	for (size_t i = 0; i < nf; i++) {
		p->file[i] = i;
	}
	qsort_r(p->comp, nc, sizeof(*p->comp), cmp_comp, &s);
	qsort_r(p->file, nf, sizeof(*p->file), cmp_file, &s);

	p->image_ref = "image";
	if ((rc = vouch_strmap_add(&p->taken, p->image_ref, NULL, NULL)) != VOUCH_OK) {
		goto fail;
	}
	for (size_t k = 0; k < nc; k++) {
		size_t i = p->comp[k];
		const char *raw = s->components[i].bom_ref;

		if ((rc = take(p, raw, "component", &p->comp_ref[i])) != VOUCH_OK) {
			goto fail;
		}
		if (raw != NULL &&
		    (rc = vouch_strmap_add(&p->byref, raw, p->comp_ref[i], &added)) != VOUCH_OK) {
			goto fail;
		}
	}
	for (size_t k = 0; k < nf; k++) {
		size_t i = p->file[k];
		const char *raw = s->files[i].bom_ref;

		if ((rc = take(p, raw, "file", &p->file_ref[i])) != VOUCH_OK) {
			goto fail;
		}
		if (raw != NULL &&
		    (rc = vouch_strmap_add(&p->byref, raw, p->file_ref[i], &added)) != VOUCH_OK) {
			goto fail;
		}
	}
	for (size_t i = 0; i < nf; i++) {
		const char *o = s->files[i].component_ref;

		p->file_owner[i] = o != NULL ? vouch_strmap_get(&p->byref, o, NULL) : NULL;
	}
	for (size_t i = 0; i < s->ndeps; i++) {
		const vouch_sbom_dep *d = &s->deps[i];
		const char *from = d->from ? vouch_strmap_get(&p->byref, d->from, NULL) : NULL;
		const char *to = d->to ? vouch_strmap_get(&p->byref, d->to, NULL) : NULL;

		if (from == NULL || to == NULL || from == to) {
			continue;
		}
		p->edge[p->nedge++] = (vouch_sbom_edge){from, to, d->why};
	}
	qsort(p->edge, p->nedge, sizeof(*p->edge), cmp_edge);
	if (p->nedge > 1) {
		size_t w = 1;

		for (size_t i = 1; i < p->nedge; i++) {
			if (cmp_edge(&p->edge[i], &p->edge[w - 1]) != 0) {
				p->edge[w++] = p->edge[i];
			}
		}
		p->nedge = w;
	}
	return VOUCH_OK;
fail:
	vouch_sbom_plan_free(p);
	return rc;
}

void
vouch_sbom_plan_free(vouch_sbom_plan *p)
{
	if (p->comp_ref != NULL) {
		for (size_t i = 0; i < p->s->ncomponents; i++) {
			free(p->comp_ref[i]);
		}
	}
	if (p->file_ref != NULL) {
		for (size_t i = 0; i < p->s->nfiles; i++) {
			free(p->file_ref[i]);
		}
	}
	free(p->comp);
	free(p->file);
	free(p->comp_ref);
	free(p->file_ref);
	free(p->file_owner);
	free(p->edge);
	vouch_strmap_free(&p->taken);
	vouch_strmap_free(&p->byref);
	memset(p, 0, sizeof(*p));
}
