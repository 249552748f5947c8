/*
 * sbom/rules.c: load data/components.json and compile it into one vectorscan database.
 *
 * Every field is checked (type, length, allowed values): the file may come from a user
 * (`--rules FILE`), so a mistake is reported with the component and rule it is in, never
 * half-applied. Patterns: a prefix rule becomes `<prefix as \xHH literals>(?:<version>)<suffix>`
 * with start-of-match tracking; a standalone rule becomes two patterns, the anchor literal and
 * `\x00(?:<version>)\x00`. Pattern ids are rule*2 and rule*2+1. Version expressions are also
 * compiled with regcomp as `^(<version>)` so the exact version text can be cut out of a match
 * (POSIX leftmost-longest), which vectorscan cannot do.
 */
#include <hs/hs.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "sbom/rules.h"

#define RULES_MAX_COMPONENTS 4096
#define RULES_MAX_RULES 16384
#define RULES_MAX_FIELD 512 /* any one string field */
#define RULES_MAX_LIST 256  /* aliases / packages of one component */

/* Free a string held through a const pointer (the model exposes const char *). */
static void
cfree(const void *p)
{
	free((void *)(uintptr_t)p);
}

static int
fail(vouch_ruleset *rs, const char *fmt, ...) VOUCH_PRINTF(2, 3);

static int
fail(vouch_ruleset *rs, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rs->err, sizeof(rs->err), fmt, ap);
	va_end(ap);
	return VOUCH_E_MALFORMED;
}

/* A string field: NULL when absent; error when present but not a short string. */
static int
get_str(vouch_ruleset *rs, json_t *o, const char *key, bool required, const char *where,
	const char **out)
{
	json_t *v = json_object_get(o, key);

	*out = NULL;
	if (v == NULL) {
		return required ? fail(rs, "%s: missing \"%s\"", where, key) : VOUCH_OK;
	}
	if (!json_is_string(v) || json_string_length(v) == 0 ||
	    json_string_length(v) > RULES_MAX_FIELD) {
		return fail(rs, "%s: \"%s\" must be a string of 1..%d bytes", where, key,
			    RULES_MAX_FIELD);
	}
	*out = strdup(json_string_value(v));
	return *out ? VOUCH_OK : VOUCH_E_NOMEM;
}

static int
get_list(vouch_ruleset *rs, json_t *o, const char *key, const char *where, const char ***out,
	 size_t *n)
{
	json_t *v = json_object_get(o, key), *e;
	size_t i;

	*out = NULL;
	*n = 0;
	if (v == NULL) {
		return VOUCH_OK;
	}
	if (!json_is_array(v) || json_array_size(v) > RULES_MAX_LIST) {
		return fail(rs, "%s: \"%s\" must be an array of at most %d strings", where, key,
			    RULES_MAX_LIST);
	}
	*out = calloc(json_array_size(v) + 1, sizeof(char *));
	if (*out == NULL) {
		return VOUCH_E_NOMEM;
	}
	json_array_foreach(v, i, e) {
		if (!json_is_string(e) || json_string_length(e) == 0 ||
		    json_string_length(e) > RULES_MAX_FIELD) {
			return fail(rs, "%s: \"%s\"[%zu] must be a non-empty string", where, key, i);
		}
		(*out)[i] = strdup(json_string_value(e));
		if ((*out)[i] == NULL) {
			return VOUCH_E_NOMEM;
		}
		*n = i + 1;
	}
	return VOUCH_OK;
}

/* Append `s` as \xHH escapes, so any byte is matched literally. */
static void
lit(char *dst, size_t *pos, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		dst[(*pos)++] = '\\';
		dst[(*pos)++] = 'x';
		dst[(*pos)++] = hex[c >> 4];
		dst[(*pos)++] = hex[c & 15];
	}
}

static int
compile_ver(vouch_ruleset *rs, vouch_rule *r, const char *ver, const char *where)
{
	char buf[RULES_MAX_FIELD + 8];
	int rc;

	snprintf(buf, sizeof(buf), "^(%s)", ver);
	rc = regcomp(&r->ver, buf, REG_EXTENDED);
	if (rc != 0) {
		char msg[128];
		regerror(rc, &r->ver, msg, sizeof(msg));
		return fail(rs, "%s: bad \"version\" expression: %s", where, msg);
	}
	return VOUCH_OK;
}

static int
load_rule(vouch_ruleset *rs, json_t *jr, size_t comp, const char *cname, char **pats,
	  unsigned *flags, unsigned *ids, size_t *npat)
{
	vouch_rule *r = &rs->rules[rs->nrules];
	const char *in = NULL, *ver = NULL, *sa = NULL, *suffix = NULL, *name = NULL;
	const char *transform = NULL, *files = NULL, *unless = NULL;
	char where[RULES_MAX_FIELD + 64];
	json_t *conf, *group;
	int rc;

	memset(r, 0, sizeof(*r));
	r->comp = comp;
	snprintf(where, sizeof(where), "component \"%s\" rule %zu", cname, rs->nrules);
	if (!json_is_object(jr)) {
		return fail(rs, "%s: not an object", where);
	}
	if ((rc = get_str(rs, jr, "id", true, where, &r->id)) ||
	    (rc = get_str(rs, jr, "in", true, where, &in)) ||
	    (rc = get_str(rs, jr, "prefix", false, where, &r->prefix)) ||
	    (rc = get_str(rs, jr, "anchor", false, where, &r->anchor)) ||
	    (rc = get_str(rs, jr, "version", false, where, &ver)) ||
	    (rc = get_str(rs, jr, "standalone", false, where, &sa)) ||
	    (rc = get_str(rs, jr, "name", false, where, &name)) ||
	    (rc = get_str(rs, jr, "transform", false, where, &transform)) ||
	    (rc = get_str(rs, jr, "files", false, where, &files)) ||
	    (rc = get_str(rs, jr, "unless_needed", false, where, &unless))) {
		goto out;
	}
	snprintf(where, sizeof(where), "rule \"%s\"", r->id);
	if (sa != NULL && ver != NULL) {
		rc = fail(rs, "%s: give \"version\" or \"standalone\", not both", where);
		goto out;
	}
	if (sa != NULL) {
		if (r->prefix != NULL) {
			rc = fail(rs, "%s: a \"standalone\" version needs an \"anchor\"", where);
			goto out;
		}
		ver = sa;
		sa = NULL;
	}
	if ((rc = get_str(rs, jr, "suffix", false, where, &suffix))) {
		goto out;
	}
	if (strcmp(in, "elf") == 0) {
		r->any_file = false;
	} else if (strcmp(in, "any") == 0) {
		r->any_file = true;
	} else {
		rc = fail(rs, "%s: \"in\" must be \"elf\" or \"any\"", where);
		goto out;
	}
	conf = json_object_get(jr, "confidence");
	r->confidence = json_is_number(conf) ? json_number_value(conf) : 0.5;
	if (!(r->confidence > 0 && r->confidence <= 1)) {
		rc = fail(rs, "%s: \"confidence\" must be in (0, 1]", where);
		goto out;
	}
	if (files != NULL) {
		if (regcomp(&r->files, files, REG_EXTENDED | REG_NOSUB) != 0) {
			rc = fail(rs, "%s: bad \"files\" expression", where);
			goto out;
		}
		r->has_files = true;
	}
	if (unless != NULL) {
		if (regcomp(&r->unless, unless, REG_EXTENDED | REG_NOSUB) != 0) {
			rc = fail(rs, "%s: bad \"unless_needed\" expression", where);
			goto out;
		}
		r->has_unless = true;
	}
	if (transform != NULL) {
		if (strcmp(transform, "xmlnum") != 0) {
			rc = fail(rs, "%s: unknown transform \"%s\"", where, transform);
			goto out;
		}
		r->xmlnum = true;
	}
	if (name != NULL) {
		if (r->prefix || r->anchor || ver) {
			rc = fail(rs, "%s: a \"name\" rule has no prefix, anchor or version", where);
			goto out;
		}
		group = json_object_get(jr, "group");
		r->group = json_is_integer(group) ? (int)json_integer_value(group) : 1;
		if (r->group < 1 || r->group > 9 ||
		    regcomp(&r->name, name, REG_EXTENDED) != 0) {
			rc = fail(rs, "%s: bad \"name\" expression or \"group\"", where);
			goto out;
		}
		r->kind = RULE_NAME;
		rs->nrules++;
		goto out;
	}
	if (ver == NULL || (r->prefix == NULL) == (r->anchor == NULL)) {
		rc = fail(rs, "%s: needs a version and exactly one of \"prefix\" / \"anchor\"",
			  where);
		goto out;
	}
	if ((rc = compile_ver(rs, r, ver, where))) {
		goto out;
	}
	size_t idx = rs->nrules;
	if (r->prefix != NULL) {
		r->kind = RULE_PREFIX;
		r->prefix_len = strlen(r->prefix);
		size_t cap = r->prefix_len * 4 + strlen(ver) + (suffix ? strlen(suffix) : 0) + 16;
		char *p = malloc(cap);
		size_t pos = 0;
		if (p == NULL) {
			rc = VOUCH_E_NOMEM;
			goto out;
		}
		lit(p, &pos, r->prefix, r->prefix_len);
		snprintf(p + pos, cap - pos, "(?:%s)%s", ver, suffix ? suffix : "");
		pats[*npat] = p;
		flags[*npat] = HS_FLAG_SOM_LEFTMOST;
		ids[(*npat)++] = (unsigned)(idx * 2);
	} else {
		if (suffix != NULL) {
			rc = fail(rs, "%s: a standalone rule has no \"suffix\"", where);
			goto out;
		}
		r->kind = RULE_STANDALONE;
		if (r->any_file) {
			rc = fail(rs, "%s: a standalone rule is read from held ELF files: \"in\" must be "
				  "\"elf\"", where);
			goto out;
		}
		r->anchor_len = strlen(r->anchor);
		size_t vcap = strlen(ver) + 32;
		char *a = malloc(r->anchor_len * 4 + 1), *v = malloc(vcap);
		size_t pos = 0;
		if (a == NULL || v == NULL) {
			free(a);
			free(v);
			rc = VOUCH_E_NOMEM;
			goto out;
		}
		lit(a, &pos, r->anchor, r->anchor_len);
		a[pos] = 0;
		snprintf(v, vcap, "\\x00(?:%s)\\x00", ver);
		pats[*npat] = a;
		flags[*npat] = HS_FLAG_SINGLEMATCH;
		ids[(*npat)++] = (unsigned)(idx * 2);
		pats[*npat] = v;
		flags[*npat] = HS_FLAG_SOM_LEFTMOST;
		ids[(*npat)++] = (unsigned)(idx * 2 + 1);
	}
	rs->nrules++;
out:
	cfree(in);
	cfree(ver);
	cfree(sa);
	cfree(suffix);
	cfree(name);
	cfree(transform);
	cfree(files);
	cfree(unless);
	return rc;
}

int
vouch_ruleset_load(vouch_ruleset *rs, const char *text, size_t len)
{
	json_error_t je;
	json_t *root, *comps, *jc, *jr;
	char **pats = NULL;
	unsigned *flags = NULL, *ids = NULL;
	size_t npat = 0, i, j, total = 0;
	int rc = VOUCH_OK;

	memset(rs, 0, sizeof(*rs));
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (root == NULL) {
		return fail(rs, "rules: JSON error at line %d: %s", je.line, je.text);
	}
	comps = json_object_get(root, "components");
	if (!json_is_integer(json_object_get(root, "format")) ||
	    json_integer_value(json_object_get(root, "format")) != 1 || !json_is_array(comps) ||
	    json_array_size(comps) == 0 || json_array_size(comps) > RULES_MAX_COMPONENTS) {
		rc = fail(rs, "rules: need \"format\": 1 and a non-empty \"components\" array");
		goto out;
	}
	json_array_foreach(comps, i, jc) {
		json_t *r = json_object_get(jc, "rules");
		if (!json_is_array(r)) {
			rc = fail(rs, "rules: component %zu has no \"rules\" array", i);
			goto out;
		}
		total += json_array_size(r);
	}
	if (total > RULES_MAX_RULES) {
		rc = fail(rs, "rules: more than %d rules", RULES_MAX_RULES);
		goto out;
	}
	rs->comps = calloc(json_array_size(comps), sizeof(*rs->comps));
	rs->rules = calloc(total + 1, sizeof(*rs->rules));
	pats = calloc(total * 2 + 1, sizeof(*pats));
	flags = calloc(total * 2 + 1, sizeof(*flags));
	ids = calloc(total * 2 + 1, sizeof(*ids));
	if (!rs->comps || !rs->rules || !pats || !flags || !ids) {
		rc = VOUCH_E_NOMEM;
		goto out;
	}
	json_array_foreach(comps, i, jc) {
		vouch_compdef *c = &rs->comps[i];
		const char *kind = NULL;
		char where[64];

		snprintf(where, sizeof(where), "component %zu", i);
		rs->ncomps = i + 1;
		if ((rc = get_str(rs, jc, "name", true, where, &c->name)) ||
		    (rc = get_str(rs, jc, "supplier", false, where, &c->supplier)) ||
		    (rc = get_str(rs, jc, "cpe", false, where, &c->cpe)) ||
		    (rc = get_str(rs, jc, "kind", true, where, &kind)) ||
		    (rc = get_list(rs, jc, "aliases", where, &c->aliases, &c->naliases)) ||
		    (rc = get_list(rs, jc, "packages", where, &c->packages, &c->npackages))) {
			cfree(kind);
			goto out;
		}
		if (strcmp(kind, "library") == 0) {
			c->kind = VOUCH_COMP_LIBRARY;
		} else if (strcmp(kind, "application") == 0) {
			c->kind = VOUCH_COMP_APPLICATION;
		} else if (strcmp(kind, "os") == 0) {
			c->kind = VOUCH_COMP_OS;
		} else if (strcmp(kind, "firmware") == 0) {
			c->kind = VOUCH_COMP_FIRMWARE;
		} else {
			cfree(kind);
			rc = fail(rs, "component \"%s\": unknown kind", c->name);
			goto out;
		}
		cfree(kind);
		if (c->cpe != NULL && strchr(c->cpe, ':') == NULL) {
			rc = fail(rs, "component \"%s\": \"cpe\" must be vendor:product", c->name);
			goto out;
		}
		json_array_foreach(json_object_get(jc, "rules"), j, jr) {
			if ((rc = load_rule(rs, jr, i, c->name, pats, flags, ids, &npat))) {
				goto out;
			}
		}
	}
	/* two databases: the one every chunk of every file goes through (prefixes and anchors),
	 * and the standalone version strings, scanned only over a held ELF file in which an
	 * anchor was seen (numbers between NULs are everywhere in binaries: matching them in
	 * every file tripled the identification time of a 1 GiB image) */
	for (int pass = 0; pass < 2 && rc == VOUCH_OK; pass++) {
		const char **pp = calloc(npat + 1, sizeof(*pp));
		unsigned *pf = calloc(npat + 1, sizeof(*pf)), *pi = calloc(npat + 1, sizeof(*pi));
		unsigned k = 0;
		if (pp == NULL || pf == NULL || pi == NULL) {
			free(pp);
			free(pf);
			free(pi);
			rc = VOUCH_E_NOMEM;
			break;
		}
		for (i = 0; i < npat; i++) {
			if ((int)(ids[i] % 2) == pass) {
				pp[k] = pats[i];
				pf[k] = flags[i];
				pi[k++] = ids[i];
			}
		}
		if (k > 0) {
			hs_database_t *db = NULL;
			hs_compile_error_t *ce = NULL;
			if (hs_compile_multi(pp, pf, pi, k, HS_MODE_BLOCK, NULL, &db, &ce) !=
			    HS_SUCCESS) {
				int e = ce ? ce->expression : -1;
				rc = fail(rs, "rule \"%s\": its pattern does not compile: %s",
					  e >= 0 && (unsigned)e < k ? rs->rules[pi[e] / 2].id : "?",
					  ce ? ce->message : "?");
				hs_free_compile_error(ce);
			} else if (pass == 0) {
				rs->hsdb = db;
			} else {
				rs->hsdb_sa = db;
			}
		}
		free(pp);
		free(pf);
		free(pi);
	}
out:
	for (i = 0; pats && i < npat; i++) {
		free(pats[i]);
	}
	free(pats);
	free(flags);
	free(ids);
	json_decref(root);
	if (rc != VOUCH_OK) {
		char keep[sizeof(rs->err)];
		memcpy(keep, rs->err, sizeof(keep));
		vouch_ruleset_free(rs);
		memcpy(rs->err, keep, sizeof(keep));
	}
	return rc;
}

static void
free_list(const char **l, size_t n)
{
	for (size_t i = 0; l && i < n; i++) {
		cfree(l[i]);
	}
	free(l);
}

void
vouch_ruleset_free(vouch_ruleset *rs)
{
	for (size_t i = 0; i < rs->nrules; i++) {
		vouch_rule *r = &rs->rules[i];
		cfree(r->id);
		cfree(r->prefix);
		cfree(r->anchor);
		if (r->has_files) {
			regfree(&r->files);
		}
		if (r->has_unless) {
			regfree(&r->unless);
		}
		if (r->kind == RULE_NAME) {
			regfree(&r->name);
		} else {
			regfree(&r->ver);
		}
	}
	/* a rule that failed half-way: its id/prefix/anchor are not counted in nrules */
	if (rs->rules != NULL) {
		vouch_rule *r = &rs->rules[rs->nrules];
		cfree(r->id);
		cfree(r->prefix);
		cfree(r->anchor);
	}
	for (size_t i = 0; i < rs->ncomps; i++) {
		vouch_compdef *c = &rs->comps[i];
		cfree(c->name);
		cfree(c->supplier);
		cfree(c->cpe);
		free_list(c->aliases, c->naliases);
		free_list(c->packages, c->npackages);
	}
	free(rs->comps);
	free(rs->rules);
	hs_free_database(rs->hsdb);
	hs_free_database(rs->hsdb_sa);
	memset(rs, 0, sizeof(*rs));
}

long
vouch_ruleset_package(const vouch_ruleset *rs, const char *pkg)
{
	for (size_t i = 0; i < rs->ncomps; i++) {
		for (size_t j = 0; j < rs->comps[i].npackages; j++) {
			if (strcmp(rs->comps[i].packages[j], pkg) == 0) {
				return (long)i;
			}
		}
	}
	return -1;
}
