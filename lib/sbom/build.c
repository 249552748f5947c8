/*
 * sbom/build.c: turn what the identifier saw into the SBOM model (vouch/sbom.h).
 *
 * Evidence records are sorted by (component, version) and merged: one component per
 * distinct upstream version of a component, carrying every piece of evidence for it, with the
 * highest confidence among them (a package database says 1.0). A package the rules do not
 * know still becomes a component (its package name, no CPE) so nothing seen is lost. CPE 2.3
 * names are built from the rule's vendor:product with the version quoted as the formatted
 * string binding requires (NISTIR 7695 6.2: every character other than letters, digits, '_',
 * '-' and '.' is preceded by a backslash); purls percent-encode the version. Files are the
 * scan report's regular files with their SHA-256; a file that gave evidence for a component
 * points at it. Everything lives in the identifier's arena until vouch_ident_free().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sbom/ident_int.h"

static const char *
comp_name(const vouch_ident *id, const ident_hit *h)
{
	return h->comp == SIZE_MAX ? h->pkgname : id->rules.comps[h->comp].name;
}

static const vouch_ident *sort_id; /* qsort has no context argument; guarded by the caller */

static int
cmp_hits(const void *a, const void *b)
{
	const ident_hit *x = a, *y = b;
	int c = strcmp(comp_name(sort_id, x), comp_name(sort_id, y));
	if (c == 0) {
		c = strcmp(x->version, y->version);
	}
	if (c == 0) {
		c = strcmp(x->path, y->path);
	}
	if (c == 0) {
		c = x->offset < y->offset ? -1 : (x->offset > y->offset ? 1 : 0);
	}
	return c;
}

static char *
cpe_quote(vouch_arena *a, const char *v)
{
	size_t n = strlen(v), k = 0;
	char *o = vouch_arena_alloc(a, n * 2 + 1);

	if (o == NULL) {
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		char c = v[i];
		bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			     (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
		if (!plain) {
			o[k++] = '\\';
		}
		o[k++] = c;
	}
	o[k] = 0;
	return o;
}

static char *
pct(vouch_arena *a, const char *v)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(v), k = 0;
	char *o = vouch_arena_alloc(a, n * 3 + 1);

	if (o == NULL) {
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '.' || c == '-' || c == '_' || c == '~' || c == '+') {
			o[k++] = (char)c;
		} else {
			o[k++] = '%';
			o[k++] = hex[c >> 4];
			o[k++] = hex[c & 15];
		}
	}
	o[k] = 0;
	return o;
}

/* A bom-ref: letters, digits, '.', '-' only, so it is also a valid SPDX id fragment. */
static char *
ref_of(vouch_arena *a, const char *name, const char *version, size_t idx)
{
	char *r = vouch_arena_printf(a, "comp-%s-%s-%zu", name, version, idx);
	for (char *p = r; p && *p; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '.' || *p == '-')) {
			*p = '-';
		}
	}
	return r;
}

typedef struct path_ref {
	const char *path, *ref;
} path_ref;

static int
cmp_pr(const void *a, const void *b)
{
	return strcmp(((const path_ref *)a)->path, ((const path_ref *)b)->path);
}

static pthread_mutex_t sort_lock = PTHREAD_MUTEX_INITIALIZER;

static int
cmp_sha1(const void *a, const void *b)
{
	return strcmp(((const ident_sha1 *)a)->path, ((const ident_sha1 *)b)->path);
}

static int
cmp_file_path(const void *key, const void *f)
{
	return strcmp(key, ((const vouch_sbom_file *)f)->path);
}

static size_t
common_prefix(const char *a, const char *b)
{
	size_t n = 0;
	while (a[n] && a[n] == b[n]) {
		n++;
	}
	return n;
}

static const char *
base_of(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

/* An ELF file by the name a DT_NEEDED entry would use (SONAME, else base name). */
typedef struct elf_name {
	const char *name;
	size_t idx;
} elf_name;

static int
cmp_name(const void *a, const void *b)
{
	const elf_name *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c != 0 ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

static int
cmp_name_only(const void *a, const void *b)
{
	return strcmp(((const elf_name *)a)->name, ((const elf_name *)b)->name);
}

/*
 * DT_NEEDED edges: a binary needs a library by its SONAME. The library is the ELF file of
 * the same machine and class whose SONAME (or, lacking one, whose base name) is that name;
 * of several (one image may hold libraries of several architectures or root filesystems)
 * the one whose path shares the longest prefix with the binary's wins. A name that no file
 * of the image provides gives no edge.
 */
static int
build_deps(vouch_ident *id, vouch_sbom_file *files, size_t nf)
{
	vouch_arena *a = id->arena;
	size_t cap = 0, n = 0;
	vouch_sbom_dep *deps = NULL;
	elf_name *names = calloc(id->nelfs + 1, sizeof(*names));

	if (names == NULL) {
		return VOUCH_E_NOMEM;
	}
	for (size_t i = 0; i < id->nelfs; i++) {
		const ident_elf *l = &id->elfs[i];
		names[i] = (elf_name){l->soname ? l->soname : base_of(l->path), i};
	}
	if (id->nelfs > 0) {
		qsort(names, id->nelfs, sizeof(*names), cmp_name);
	}
	for (size_t i = 0; i < id->nelfs; i++) {
		const ident_elf *e = &id->elfs[i];
		const vouch_sbom_file *from = bsearch(e->path, files, nf, sizeof(*files),
						      cmp_file_path);
		if (from == NULL) {
			continue;
		}
		for (size_t k = 0; k < e->nneeded; k++) {
			const ident_elf *best = NULL;
			size_t best_len = 0;
			/* the libraries of that name: a range of the sorted name index */
			elf_name key = {e->needed[k], 0};
			const elf_name *hit = bsearch(&key, names, id->nelfs, sizeof(*names),
						      cmp_name_only);
			while (hit != NULL && hit > names && strcmp(hit[-1].name, key.name) == 0) {
				hit--;
			}
			for (; hit != NULL && hit < names + id->nelfs && strcmp(hit->name, key.name) == 0;
			     hit++) {
				const ident_elf *l = &id->elfs[hit->idx];
				if (hit->idx == i || l->machine != e->machine || l->cls != e->cls) {
					continue;
				}
				size_t cp = common_prefix(l->path, e->path);
				if (best == NULL || cp > best_len) {
					best = l;
					best_len = cp;
				}
			}
			if (best == NULL) {
				continue;
			}
			const vouch_sbom_file *to = bsearch(best->path, files, nf, sizeof(*files),
							    cmp_file_path);
			if (to == NULL) {
				continue;
			}
			if (n == cap) {
				size_t nc = cap ? cap * 2 : 256;
				vouch_sbom_dep *d = vouch_arena_alloc(a, nc * sizeof(*d));
				if (d == NULL) {
					free(names);
					return VOUCH_E_NOMEM;
				}
				if (n) {
					memcpy(d, deps, n * sizeof(*d));
				}
				deps = d;
				cap = nc;
			}
			deps[n].from = from->bom_ref;
			deps[n].to = to->bom_ref;
			deps[n].why = vouch_arena_printf(a, "DT_NEEDED %s", e->needed[k]);
			n++;
		}
	}
	free(names);
	id->sbom.deps = deps;
	id->sbom.ndeps = n;
	return VOUCH_OK;
}

int
vouch_ident_finish(vouch_ident *id, const vouch_report *rep, const char *image_name,
		   const vouch_sbom **out)
{
	vouch_arena *a = id->arena;
	vouch_component *comps;
	vouch_evidence *ev;
	path_ref *prs;
	size_t nc = 0, npr = 0;

	*out = NULL;
	pthread_mutex_lock(&sort_lock);
	sort_id = id;
	if (id->nhits > 0) {
		qsort(id->hits, id->nhits, sizeof(*id->hits), cmp_hits);
	}
	pthread_mutex_unlock(&sort_lock);

	comps = vouch_arena_alloc(a, (id->nhits + 1) * sizeof(*comps));
	ev = vouch_arena_alloc(a, (id->nhits + 1) * sizeof(*ev));
	prs = calloc(id->nhits + 1, sizeof(*prs));
	if (comps == NULL || ev == NULL || prs == NULL) {
		free(prs);
		snprintf(id->err, sizeof(id->err), "out of memory building the SBOM");
		return VOUCH_E_NOMEM;
	}
	for (size_t i = 0; i < id->nhits;) {
		const ident_hit *h0 = &id->hits[i];
		const char *name = comp_name(id, h0);
		vouch_component *c = &comps[nc];
		size_t j = i;

		memset(c, 0, sizeof(*c));
		c->name = name;
		c->version = h0->version;
		c->bom_ref = ref_of(a, name, h0->version, nc);
		c->evidence = &ev[i];
		while (j < id->nhits && strcmp(comp_name(id, &id->hits[j]), name) == 0 &&
		       strcmp(id->hits[j].version, h0->version) == 0) {
			const ident_hit *h = &id->hits[j];
			vouch_evidence *e = &ev[j];
			e->method = h->method;
			e->path = h->path;
			e->offset = h->offset;
			e->text = h->text;
			e->rule = h->rule;
			if (h->confidence > c->confidence) {
				c->confidence = h->confidence;
			}
			if (h->pkgname == NULL) { /* a file that shows the component belongs to it */
				prs[npr++] = (path_ref){h->path, c->bom_ref};
			}
			j++;
		}
		c->nevidence = j - i;
		if (h0->comp != SIZE_MAX) {
			const vouch_compdef *d = &id->rules.comps[h0->comp];
			c->supplier = d->supplier;
			c->kind = d->kind;
			c->cpe_aliases = d->aliases;
			c->ncpe_aliases = d->naliases;
			if (d->cpe != NULL) {
				c->cpe = vouch_arena_printf(a, "cpe:2.3:%c:%s:%s:*:*:*:*:*:*:*",
							    d->kind == VOUCH_COMP_OS ? 'o' : 'a',
							    d->cpe, cpe_quote(a, h0->version));
			}
			c->purl = vouch_arena_printf(a, "pkg:generic/%s@%s", d->name,
						     pct(a, h0->version));
		} else {
			/* a package the rules do not name: keep what the database said */
			const char *type = strcmp(h0->method, "dpkg-status") == 0	  ? "deb"
					   : strcmp(h0->method, "apk-installed") == 0 ? "apk"
										      : "generic";
			c->kind = VOUCH_COMP_APPLICATION;
			c->version = h0->pkgver ? h0->pkgver : h0->version;
			c->purl = h0->arch ? vouch_arena_printf(a, "pkg:%s/%s@%s?arch=%s", type,
								  pct(a, name), pct(a, c->version),
								  pct(a, h0->arch))
					   : vouch_arena_printf(a, "pkg:%s/%s@%s", type,
								  pct(a, name), pct(a, c->version));
		}
		nc++;
		i = j;
	}
	if (npr > 0) {
		qsort(prs, npr, sizeof(*prs), cmp_pr);
	}

	/* files */
	size_t nf = 0;
	vouch_sbom_file *files = vouch_arena_alloc(a, (rep->nfiles + 1) * sizeof(*files));
	if (files == NULL) {
		free(prs);
		return VOUCH_E_NOMEM;
	}
	memset(&id->sbom, 0, sizeof(id->sbom));
	if (id->nsha1 > 0) {
		qsort(id->sha1s, id->nsha1, sizeof(*id->sha1s), cmp_sha1);
	}
	for (size_t i = 0; i < rep->nfiles; i++) {
		const vouch_file *f = &rep->files[i];
		if (f->depth == 0) {
			id->sbom.size = f->size;
			if (f->has_sha256) {
				memcpy(id->sbom.sha256, f->sha256, 32);
			}
		}
		if (f->ftype != VOUCH_FT_REG || !f->has_sha256 || f->depth == 0) {
			continue;
		}
		vouch_sbom_file *sf = &files[nf];
		path_ref key = {f->path, NULL}, *hit;
		sf->bom_ref = vouch_arena_printf(a, "file-%zu", nf);
		sf->path = f->path;
		sf->size = f->size;
		memcpy(sf->sha256, f->sha256, 32);
		hit = npr ? bsearch(&key, prs, npr, sizeof(*prs), cmp_pr) : NULL;
		sf->component_ref = hit ? hit->ref : NULL;
		ident_sha1 skey = {f->path, {0}}, *sh;
		sh = id->nsha1 ? bsearch(&skey, id->sha1s, id->nsha1, sizeof(*id->sha1s), cmp_sha1)
			       : NULL;
		if (sh != NULL) {
			memcpy(sf->sha1, sh->d, 20);
		}
		nf++;
	}
	free(prs);
	id->sbom.name = image_name;
	id->sbom.created = (int64_t)time(NULL);
	id->sbom.tool_version = VOUCH_VERSION;
	id->sbom.components = comps;
	id->sbom.ncomponents = nc;
	id->sbom.files = files;
	id->sbom.nfiles = nf;
	if (build_deps(id, files, nf) != VOUCH_OK) {
		snprintf(id->err, sizeof(id->err), "out of memory building the SBOM");
		return VOUCH_E_NOMEM;
	}
	*out = &id->sbom;
	return VOUCH_OK;
}
