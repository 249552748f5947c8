/*
 * lab/policy.c: the policy document (docs/policy.md): strict loading into struct
 * vouch_policy (lab_int.h), its normalised JSON, the built-in default policy, and the
 * verdict names. Applying a policy to a report is verdict.c.
 *
 * How: the text is parsed with jansson (duplicate keys refused) or, when it does not start
 * with '{', with the YAML reader of lib/vuln (vuln/yamljson.h: events onto an explicit
 * stack, aliases refused). Then every object is checked against its list of known keys and
 * every value against its type, each failure naming the key path ("waivers[2].expires:
 * ..."), so that a typo in a policy is an error, never a rule silently not applied. The
 * YAML reader makes every scalar a string; in YAML mode (only) a number, boolean or null is
 * therefore also accepted as the string that spells it exactly.
 *
 * Every key but "policy_version" and "name" is optional, and an absent rule is off: the
 * built-in policy (data/policy-default.json) is where the lab's defaults live, written out.
 *
 * Rejected: a policy language with expressions (OPA/Rego, CEL): a verdict must be
 * explainable line by line to an auditor, and a fixed set of declarative rules whose each
 * hit names its key path is; keeping the parsed jansson tree and reading it at apply time
 * (types would be checked twice, and errors found late).
 */
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "lab/lab_int.h"
#include "vuln/yamljson.h"

extern const char vouch_builtin_policy_json[];

typedef struct ctx {
	bool yaml;
	char *why;
	size_t cap;
} ctx;

static int fail(ctx *c, const char *path, const char *fmt, ...) VOUCH_PRINTF(3, 4);

/* ---- verdict names ---- */

static const char *const verdict_names[] = {"approved", "approved-with-conditions", "rejected"};

const char *
vouch_verdict_str(vouch_verdict v)
{
	return (unsigned)v < 3 ? verdict_names[v] : "?";
}

int
vouch_verdict_parse(const char *s, vouch_verdict *out)
{
	for (unsigned i = 0; s != NULL && i < 3; i++) {
		if (strcmp(s, verdict_names[i]) == 0) {
			*out = (vouch_verdict)i;
			return VOUCH_OK;
		}
	}
	return VOUCH_E_MALFORMED;
}

const char *
vouch_policy_default_text(size_t *len)
{
	if (len != NULL) {
		*len = strlen(vouch_builtin_policy_json);
	}
	return vouch_builtin_policy_json;
}

int
vouch_policy_time_parse(const char *s, int64_t *out)
{
	char day[11];
	int64_t t;
	unsigned hh = 0, mm = 0, ss = 0;

	if (s == NULL || (strlen(s) != 10 && strlen(s) != 20)) {
		return VOUCH_E_MALFORMED;
	}
	memcpy(day, s, 10);
	day[10] = '\0';
	if (vouch_lab_date_parse(day, &t) != 0) {
		return VOUCH_E_MALFORMED;
	}
	if (s[10] != '\0') {
		const char *h = s + 11;
		if (s[10] != 'T' || h[2] != ':' || h[5] != ':' || h[8] != 'Z') {
			return VOUCH_E_MALFORMED;
		}
		for (int i = 0; i < 8; i++) {
			if (i == 2 || i == 5) {
				continue;
			}
			if (h[i] < '0' || h[i] > '9') {
				return VOUCH_E_MALFORMED;
			}
		}
		hh = (unsigned)(h[0] - '0') * 10 + (unsigned)(h[1] - '0');
		mm = (unsigned)(h[3] - '0') * 10 + (unsigned)(h[4] - '0');
		ss = (unsigned)(h[6] - '0') * 10 + (unsigned)(h[7] - '0');
		if (hh > 23 || mm > 59 || ss > 59) {
			return VOUCH_E_MALFORMED;
		}
	}
	*out = t + (int64_t)hh * 3600 + (int64_t)mm * 60 + (int64_t)ss;
	return VOUCH_OK;
}

const char *
vouch_policy_name(const vouch_policy *p)
{
	return p != NULL ? p->name : NULL;
}

/* ---- errors with a key path ---- */

static int
fail(ctx *c, const char *path, const char *fmt, ...)
{
	va_list ap;
	int k = 0;

	if (c->cap == 0) {
		return VOUCH_E_MALFORMED;
	}
	if (path != NULL && path[0] != '\0') {
		k = snprintf(c->why, c->cap, "%s: ", path);
		if (k < 0 || (size_t)k >= c->cap) {
			return VOUCH_E_MALFORMED;
		}
	}
	va_start(ap, fmt);
	vsnprintf(c->why + k, c->cap - (size_t)k, fmt, ap);
	va_end(ap);
	return VOUCH_E_MALFORMED;
}

static const char *
type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "a list";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	case JSON_NULL: return "null";
	default: return "?";
	}
}

static void
subpath(char *out, size_t cap, const char *path, const char *key)
{
	if (path[0] == '\0') {
		snprintf(out, cap, "%s", key);
	} else {
		snprintf(out, cap, "%s.%s", path, key);
	}
}

/* Refuse any key of obj that is not in known (NULL-terminated). */
static int
known_keys(ctx *c, json_t *obj, const char *path, const char *const *known)
{
	const char *k;
	json_t *v;

	json_object_foreach(obj, k, v) {
		bool ok = false;
		for (size_t i = 0; known[i] != NULL && !ok; i++) {
			ok = strcmp(k, known[i]) == 0;
		}
		if (!ok) {
			char p[300], list[400];
			size_t n = 0;
			list[0] = '\0';
			for (size_t i = 0; known[i] != NULL && n < sizeof(list); i++) {
				n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", i ? ", " : "",
						      known[i]);
			}
			subpath(p, sizeof(p), path, k);
			return fail(c, p, "unknown key (known here: %s)", list);
		}
	}
	return VOUCH_OK;
}

static bool
yaml_null(const ctx *c, const json_t *v)
{
	if (json_is_null(v)) {
		return true;
	}
	if (c->yaml && json_is_string(v)) {
		const char *s = json_string_value(v);
		return strcmp(s, "~") == 0 || strcmp(s, "null") == 0 || s[0] == '\0';
	}
	return false;
}

static int
get_obj(ctx *c, json_t *parent, const char *key, const char *path, json_t **out)
{
	json_t *v = json_object_get(parent, key);
	char p[300];

	*out = NULL;
	if (v == NULL || yaml_null(c, v)) {
		return VOUCH_OK; /* null: the section is off, as when absent */
	}
	subpath(p, sizeof(p), path, key);
	if (!json_is_object(v)) {
		return fail(c, p, "must be an object, not %s", type_name(v));
	}
	*out = v;
	return VOUCH_OK;
}

/* A string value: printable (no control characters), at most LAB_STR_MAX bytes. */
static int
check_str(ctx *c, const json_t *v, const char *p, bool nonempty, const char **out)
{
	const char *s;

	if (!json_is_string(v)) {
		return fail(c, p, "must be a string, not %s", type_name(v));
	}
	s = json_string_value(v);
	if (json_string_length(v) != strlen(s)) {
		return fail(c, p, "holds a NUL character");
	}
	if (nonempty && s[0] == '\0') {
		return fail(c, p, "must not be empty");
	}
	if (strlen(s) > LAB_STR_MAX) {
		return fail(c, p, "longer than %d bytes", LAB_STR_MAX);
	}
	for (const unsigned char *q = (const unsigned char *)s; *q; q++) {
		if (*q < 0x20 || *q == 0x7f) {
			return fail(c, p, "holds a control character");
		}
	}
	*out = s;
	return VOUCH_OK;
}

static int
dup_str(ctx *c, const char *s, char **out)
{
	*out = strdup(s);
	if (*out == NULL) {
		snprintf(c->why, c->cap, "out of memory");
		return VOUCH_E_NOMEM;
	}
	return VOUCH_OK;
}

/* obj.key as a string (required or not); *out stays NULL when absent. */
static int
get_str(ctx *c, json_t *obj, const char *key, const char *path, bool required, char **out)
{
	json_t *v = json_object_get(obj, key);
	const char *s;
	char p[300];
	int rc;

	*out = NULL;
	subpath(p, sizeof(p), path, key);
	if (v == NULL || (!required && yaml_null(c, v))) {
		return required ? fail(c, p, "is required") : VOUCH_OK;
	}
	if ((rc = check_str(c, v, p, true, &s)) != VOUCH_OK) {
		return rc;
	}
	return dup_str(c, s, out);
}

/* A number (JSON integer or real; in YAML also its spelling). */
static int
as_number(ctx *c, const json_t *v, const char *p, double *out)
{
	if (json_is_number(v)) {
		*out = json_number_value(v);
		return VOUCH_OK;
	}
	if (c->yaml && json_is_string(v)) {
		const char *s = json_string_value(v);
		char *end = NULL;
		if (s[0] != '\0' && strspn(s, "0123456789.+-eE") == strlen(s)) {
			double d = strtod(s, &end);
			if (end != NULL && *end == '\0' && isfinite(d)) {
				*out = d;
				return VOUCH_OK;
			}
		}
	}
	return fail(c, p, "must be a number, not %s", type_name(v));
}

static int
get_bool(ctx *c, json_t *obj, const char *key, const char *path, bool def, bool *out)
{
	json_t *v = json_object_get(obj, key);
	char p[300];

	*out = def;
	if (v == NULL) {
		return VOUCH_OK;
	}
	subpath(p, sizeof(p), path, key);
	if (json_is_boolean(v)) {
		*out = json_is_true(v);
		return VOUCH_OK;
	}
	if (c->yaml && json_is_string(v)) {
		if (strcmp(json_string_value(v), "true") == 0) {
			*out = true;
			return VOUCH_OK;
		}
		if (strcmp(json_string_value(v), "false") == 0) {
			*out = false;
			return VOUCH_OK;
		}
	}
	return fail(c, p, "must be true or false, not %s", type_name(v));
}

/* A severity, or null (absent too) for "off". */
static int
get_sev(ctx *c, json_t *obj, const char *key, const char *path, int def, bool nullable,
	int *out)
{
	json_t *v = json_object_get(obj, key);
	char p[300];
	int s;

	*out = def;
	if (v == NULL) {
		return VOUCH_OK;
	}
	subpath(p, sizeof(p), path, key);
	if (nullable && yaml_null(c, v)) {
		*out = LAB_SEV_OFF;
		return VOUCH_OK;
	}
	if (!json_is_string(v) || (s = vouch_lab_sev_parse(json_string_value(v))) < 0) {
		return fail(c, p, "must be one of info, low, medium, high, critical%s",
			    nullable ? " or null (off)" : "");
	}
	*out = s;
	return VOUCH_OK;
}

/* A CVSS threshold 0.0..10.0 in tenths, or null (absent too) for "off" (-1). */
static int
get_cvss(ctx *c, json_t *obj, const char *key, const char *path, double *out)
{
	json_t *v = json_object_get(obj, key);
	char p[300];
	double d;
	int rc;

	*out = -1;
	if (v == NULL || yaml_null(c, v)) {
		return VOUCH_OK;
	}
	subpath(p, sizeof(p), path, key);
	if ((rc = as_number(c, v, p, &d)) != VOUCH_OK) {
		return rc;
	}
	if (!(d >= 0.0 && d <= 10.0) || fabs(d * 10.0 - round(d * 10.0)) > 1e-6) {
		return fail(c, p, "must be a CVSS score from 0.0 to 10.0 with one decimal, or null");
	}
	*out = round(d * 10.0) / 10.0;
	return VOUCH_OK;
}

/* One of the actions in the mask (bit per LAB_ACT_*). */
static int
get_action(ctx *c, json_t *obj, const char *key, const char *path, unsigned allowed, int def,
	   int *out)
{
	static const char *const names[] = {"ignore", "condition", "reject"};
	json_t *v = json_object_get(obj, key);
	char p[300], list[64];
	size_t n = 0;

	*out = def;
	if (v == NULL) {
		return VOUCH_OK;
	}
	subpath(p, sizeof(p), path, key);
	for (int i = 0; i < 3; i++) {
		if ((allowed & (1u << i)) && json_is_string(v) &&
		    strcmp(json_string_value(v), names[i]) == 0) {
			*out = i;
			return VOUCH_OK;
		}
	}
	list[0] = '\0';
	for (int i = 0; i < 3; i++) {
		if (allowed & (1u << i)) {
			n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", n ? " or " : "",
					      names[i]);
		}
	}
	return fail(c, p, "must be %s", list);
}

/* ---- lists of strings, each checked and normalised by a validator ---- */

typedef int (*str_check)(ctx *c, const char *p, char *s);

static void
strs_free(lab_strs *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i]);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static int
get_strs(ctx *c, json_t *obj, const char *key, const char *path, bool nonempty,
	 str_check check, lab_strs *out)
{
	json_t *v = json_object_get(obj, key), *e;
	char p[300], pe[340];
	size_t i;
	int rc;

	if (v == NULL || yaml_null(c, v)) {
		return VOUCH_OK; /* null: as when absent */
	}
	subpath(p, sizeof(p), path, key);
	if (!json_is_array(v)) {
		return fail(c, p, "must be a list of strings, not %s", type_name(v));
	}
	if (nonempty && json_array_size(v) == 0) {
		return fail(c, p, "must not be an empty list (leave the key out instead)");
	}
	out->v = calloc(json_array_size(v) + 1, sizeof(char *));
	if (out->v == NULL) {
		snprintf(c->why, c->cap, "out of memory");
		return VOUCH_E_NOMEM;
	}
	json_array_foreach(v, i, e) {
		const char *s;
		snprintf(pe, sizeof(pe), "%s[%zu]", p, i);
		if ((rc = check_str(c, e, pe, true, &s)) != VOUCH_OK ||
		    (rc = dup_str(c, s, &out->v[out->n])) != VOUCH_OK) {
			return rc;
		}
		out->n++;
		if (check != NULL && (rc = check(c, pe, out->v[out->n - 1])) != VOUCH_OK) {
			return rc;
		}
	}
	return VOUCH_OK;
}

static bool
only_chars(const char *s, const char *set)
{
	return strspn(s, set) == strlen(s);
}

#define LOWER "abcdefghijklmnopqrstuvwxyz"
#define DIGITS "0123456789"

/* Finding ids are lower case ("key.*", "service.bind-shell"), except the rule names of
 * "yara.<rule>" (YARA identifiers are [A-Za-z0-9_]): "Key.*" would never match and is
 * refused as the typo it is. */
static int
check_kind(ctx *c, const char *p, char *s)
{
	bool yara = strncmp(s, "yara.", 5) == 0;

	if (!only_chars(s, yara ? LOWER "ABCDEFGHIJKLMNOPQRSTUVWXYZ" DIGITS ".-_*?[]!"
				: LOWER DIGITS ".-_*?[]!")) {
		return fail(c, p, "'%s' is not a finding-id glob (finding ids are lower case "
				  "letters, digits, '.', '-' and '_', except YARA rule names after "
				  "'yara.'; globs add * ? [...])",
			    s);
	}
	return VOUCH_OK;
}

static int
check_host(ctx *c, const char *p, char *s)
{
	for (char *q = s; *q; q++) {
		if (*q >= 'A' && *q <= 'Z') {
			*q = (char)(*q - 'A' + 'a');
		}
	}
	if (!only_chars(s, LOWER DIGITS ".-_*?[]:")) {
		return fail(c, p, "'%s' is not a host-name glob (letters, digits, '.', '-', '_' "
				  "and * ? [...]; no scheme, port or path: those go in allow_urls)",
			    s);
	}
	return VOUCH_OK;
}

static int
check_url(ctx *c, const char *p, char *s)
{
	const char *sep = strstr(s, "://");
	size_t sl = sep != NULL ? (size_t)(sep - s) : 0;

	if (sep == NULL || sl == 0 || s[0] < 'A' || (s[0] > 'Z' && s[0] < 'a') || s[0] > 'z' ||
	    strspn(s, LOWER "ABCDEFGHIJKLMNOPQRSTUVWXYZ" DIGITS "+-.") != sl) {
		return fail(c, p, "'%s' is not a URL prefix (SCHEME://HOST[/PATH])", s);
	}
	if (sep[3] == '\0' || sep[3] == '/' || sep[3] == '?' || sep[3] == '#') {
		return fail(c, p, "'%s' has no host after '://'", s);
	}
	for (const char *q = s; *q; q++) {
		if (*q == ' ' || *q == '*') {
			return fail(c, p, "'%s': a URL prefix has no spaces and no globs (it is "
					  "compared as a prefix; host globs go in allow_hosts)",
				    s);
		}
	}
	vouch_lab_url_norm(s);
	return VOUCH_OK;
}

static int
check_country(ctx *c, const char *p, char *s)
{
	if (strlen(s) != 2 || !only_chars(s, LOWER "ABCDEFGHIJKLMNOPQRSTUVWXYZ")) {
		return fail(c, p, "'%s' is not an ISO 3166-1 alpha-2 country code (two letters, "
				  "e.g. DE)",
			    s);
	}
	for (char *q = s; *q; q++) {
		if (*q >= 'a' && *q <= 'z') {
			*q = (char)(*q - 'a' + 'A');
		}
	}
	return VOUCH_OK;
}

/* ---- the sections ---- */

static int
load_findings(ctx *c, json_t *root, vouch_policy *pol)
{
	static const char *const known[] = {"reject_at", "condition_at", "exempt", NULL};
	json_t *o;
	int rc;

	pol->f_reject_at = pol->f_condition_at = LAB_SEV_OFF;
	if ((rc = get_obj(c, root, "findings", "", &o)) != VOUCH_OK || o == NULL) {
		return rc;
	}
	if ((rc = known_keys(c, o, "findings", known)) != VOUCH_OK ||
	    (rc = get_sev(c, o, "reject_at", "findings", LAB_SEV_OFF, true, &pol->f_reject_at)) !=
		    VOUCH_OK ||
	    (rc = get_sev(c, o, "condition_at", "findings", LAB_SEV_OFF, true,
			  &pol->f_condition_at)) != VOUCH_OK ||
	    (rc = get_strs(c, o, "exempt", "findings", false, check_kind, &pol->f_exempt)) !=
		    VOUCH_OK) {
		return rc;
	}
	return VOUCH_OK;
}

static int
load_kinds(ctx *c, json_t *root, const char *name, lab_strs *kinds, int *min)
{
	static const char *const known[] = {"finding_kinds", "min_severity", NULL};
	json_t *o;
	int rc;

	*min = LAB_SEV_INFO;
	if ((rc = get_obj(c, root, name, "", &o)) != VOUCH_OK || o == NULL) {
		return rc;
	}
	if ((rc = known_keys(c, o, name, known)) != VOUCH_OK ||
	    (rc = get_strs(c, o, "finding_kinds", name, false, check_kind, kinds)) != VOUCH_OK ||
	    (rc = get_sev(c, o, "min_severity", name, LAB_SEV_INFO, false, min)) != VOUCH_OK) {
		return rc;
	}
	return VOUCH_OK;
}

static int
load_vulns(ctx *c, json_t *root, vouch_policy *pol)
{
	static const char *const known[] = {"reject_cvss",	  "condition_cvss", "reject_severity",
					    "condition_severity", "unscored",	    NULL};
	const char *P = "vulnerabilities";
	json_t *o;
	int rc;

	pol->v_reject_cvss = pol->v_condition_cvss = -1;
	pol->v_reject_sev = pol->v_condition_sev = LAB_SEV_OFF;
	pol->v_unscored = LAB_ACT_IGNORE;
	if ((rc = get_obj(c, root, P, "", &o)) != VOUCH_OK || o == NULL) {
		return rc;
	}
	if ((rc = known_keys(c, o, P, known)) != VOUCH_OK ||
	    (rc = get_cvss(c, o, "reject_cvss", P, &pol->v_reject_cvss)) != VOUCH_OK ||
	    (rc = get_cvss(c, o, "condition_cvss", P, &pol->v_condition_cvss)) != VOUCH_OK ||
	    (rc = get_sev(c, o, "reject_severity", P, LAB_SEV_OFF, true, &pol->v_reject_sev)) !=
		    VOUCH_OK ||
	    (rc = get_sev(c, o, "condition_severity", P, LAB_SEV_OFF, true,
			  &pol->v_condition_sev)) != VOUCH_OK ||
	    (rc = get_action(c, o, "unscored", P, 7, LAB_ACT_IGNORE, &pol->v_unscored)) !=
		    VOUCH_OK) {
		return rc;
	}
	return VOUCH_OK;
}

static int
load_endpoints(ctx *c, json_t *root, vouch_policy *pol)
{
	static const char *const known[] = {"action",	   "scopes",	 "allow_cidrs",
					    "allow_hosts", "allow_urls", "include_comments",
					    NULL};
	const char *P = "endpoints";
	lab_strs scopes = {0}, cidrs = {0};
	json_t *o;
	int rc;

	pol->ep_scopes = 1u; /* public */
	pol->ep_action = LAB_ACT_REJECT;
	if ((rc = get_obj(c, root, P, "", &o)) != VOUCH_OK || o == NULL) {
		return rc;
	}
	pol->ep_on = true;
	if ((rc = known_keys(c, o, P, known)) != VOUCH_OK ||
	    (rc = get_action(c, o, "action", P, 6, LAB_ACT_REJECT, &pol->ep_action)) != VOUCH_OK ||
	    (rc = get_strs(c, o, "scopes", P, true, NULL, &scopes)) != VOUCH_OK ||
	    (rc = get_strs(c, o, "allow_cidrs", P, false, NULL, &cidrs)) != VOUCH_OK ||
	    (rc = get_strs(c, o, "allow_hosts", P, false, check_host, &pol->allow_hosts)) !=
		    VOUCH_OK ||
	    (rc = get_strs(c, o, "allow_urls", P, false, check_url, &pol->allow_urls)) !=
		    VOUCH_OK ||
	    (rc = get_bool(c, o, "include_comments", P, false, &pol->ep_comments)) != VOUCH_OK) {
		goto out;
	}
	if (scopes.n > 0) {
		pol->ep_scopes = 0;
		for (size_t i = 0; i < scopes.n; i++) {
			size_t k = 0;
			while (k < LAB_SCOPE_N && strcmp(scopes.v[i], vouch_lab_scopes[k]) != 0) {
				k++;
			}
			if (k == LAB_SCOPE_N) {
				char p[96];
				snprintf(p, sizeof(p), "endpoints.scopes[%zu]", i);
				rc = fail(c, p,
					  "'%s' is no scope (public, private, cgnat, link-local, "
					  "loopback, this-network, documentation, multicast, "
					  "broadcast, reserved, local)",
					  scopes.v[i]);
				goto out;
			}
			pol->ep_scopes |= 1u << k;
		}
	}
	if (cidrs.n > 0) {
		pol->cidrs = calloc(cidrs.n, sizeof(*pol->cidrs));
		if (pol->cidrs == NULL) {
			rc = VOUCH_E_NOMEM;
			snprintf(c->why, c->cap, "out of memory");
			goto out;
		}
		for (size_t i = 0; i < cidrs.n; i++) {
			char p[64], why[200];
			if (vouch_lab_cidr_parse(cidrs.v[i], &pol->cidrs[i], why, sizeof(why)) != 0) {
				snprintf(p, sizeof(p), "endpoints.allow_cidrs[%zu]", i);
				rc = fail(c, p, "'%s': %s", cidrs.v[i], why);
				goto out;
			}
			pol->ncidrs++;
		}
	}
out:
	strs_free(&scopes);
	strs_free(&cidrs);
	return rc;
}

static int
load_jurisdictions(ctx *c, json_t *root, vouch_policy *pol)
{
	static const char *const known[] = {"allow", "deny", "action", "unknown", NULL};
	const char *P = "jurisdictions";
	json_t *o;
	int rc;

	pol->j_action = LAB_ACT_REJECT;
	pol->j_unknown = LAB_ACT_CONDITION;
	if ((rc = get_obj(c, root, P, "", &o)) != VOUCH_OK || o == NULL) {
		return rc;
	}
	if ((rc = known_keys(c, o, P, known)) != VOUCH_OK ||
	    (rc = get_strs(c, o, "allow", P, true, check_country, &pol->j_allow)) != VOUCH_OK ||
	    (rc = get_strs(c, o, "deny", P, true, check_country, &pol->j_deny)) != VOUCH_OK ||
	    (rc = get_action(c, o, "action", P, 6, LAB_ACT_REJECT, &pol->j_action)) != VOUCH_OK ||
	    (rc = get_action(c, o, "unknown", P, 7, LAB_ACT_CONDITION, &pol->j_unknown)) !=
		    VOUCH_OK) {
		return rc;
	}
	if (pol->j_allow.n == 0 && pol->j_deny.n == 0) {
		return fail(c, P, "needs an allow or a deny list (or leave the section out)");
	}
	pol->j_on = true;
	return VOUCH_OK;
}

static int
load_hardening(ctx *c, json_t *root, vouch_policy *pol)
{
	static const char *const known[] = {"require", "kinds", "paths", "action", NULL};
	static const char *const props[] = {"nx", "pie", "relro", "canary"};
	static const char *const kinds[] = {"exec", "pie", "shared"};
	json_t *arr = json_object_get(root, "hardening"), *o;
	size_t i;
	int rc;

	if (arr == NULL) {
		return VOUCH_OK;
	}
	if (!json_is_array(arr)) {
		return fail(c, "hardening", "must be a list of rules, not %s", type_name(arr));
	}
	pol->hard = calloc(json_array_size(arr) + 1, sizeof(*pol->hard));
	if (pol->hard == NULL) {
		snprintf(c->why, c->cap, "out of memory");
		return VOUCH_E_NOMEM;
	}
	json_array_foreach(arr, i, o) {
		char P[40];
		lab_strs req = {0}, kl = {0};
		lab_hrule *h = &pol->hard[pol->nhard++];

		snprintf(P, sizeof(P), "hardening[%zu]", i);
		if (!json_is_object(o)) {
			return fail(c, P, "must be an object, not %s", type_name(o));
		}
		if ((rc = known_keys(c, o, P, known)) != VOUCH_OK ||
		    (rc = get_strs(c, o, "paths", P, true, NULL, &h->paths)) != VOUCH_OK ||
		    (rc = get_action(c, o, "action", P, 6, LAB_ACT_REJECT, &h->action)) !=
			    VOUCH_OK) {
			return rc;
		}
		if (json_object_get(o, "require") == NULL ||
		    yaml_null(c, json_object_get(o, "require"))) {
			char p[64];
			subpath(p, sizeof(p), P, "require");
			return fail(c, p, "is required (a list of nx, pie, relro, canary)");
		}
		rc = get_strs(c, o, "require", P, true, NULL, &req);
		if (rc == VOUCH_OK) {
			rc = get_strs(c, o, "kinds", P, true, NULL, &kl);
		}
		for (size_t k = 0; rc == VOUCH_OK && k < req.n; k++) {
			size_t j = 0;
			while (j < 4 && strcmp(req.v[k], props[j]) != 0) {
				j++;
			}
			if (j == 4) {
				char p[96];
				snprintf(p, sizeof(p), "%s.require[%zu]", P, k);
				rc = fail(c, p, "'%s' is not one of nx, pie, relro, canary", req.v[k]);
			} else {
				h->require |= 1u << j;
			}
		}
		h->kinds = kl.n > 0 ? 0 : LAB_K_ALL;
		for (size_t k = 0; rc == VOUCH_OK && k < kl.n; k++) {
			size_t j = 0;
			while (j < 3 && strcmp(kl.v[k], kinds[j]) != 0) {
				j++;
			}
			if (j == 3) {
				char p[96];
				snprintf(p, sizeof(p), "%s.kinds[%zu]", P, k);
				rc = fail(c, p, "'%s' is not one of exec, pie, shared", kl.v[k]);
			} else {
				h->kinds |= 1u << j;
			}
		}
		strs_free(&req);
		strs_free(&kl);
		if (rc != VOUCH_OK) {
			return rc;
		}
	}
	return VOUCH_OK;
}

static int
load_waiver(ctx *c, json_t *o, const char *P, lab_waiver *w)
{
	static const char *const known[] = {"id",	  "author",	   "justification", "expires",
					    "finding", "vulnerability", NULL};
	static const char *const fknown[] = {"id", "path", "evidence", NULL};
	static const char *const vknown[] = {"id", "component", NULL};
	json_t *f, *v;
	char *exp = NULL;
	int64_t mid;
	int rc;

	if (!json_is_object(o)) {
		return fail(c, P, "must be an object, not %s", type_name(o));
	}
	if ((rc = known_keys(c, o, P, known)) != VOUCH_OK ||
	    (rc = get_str(c, o, "id", P, true, &w->id)) != VOUCH_OK ||
	    (rc = get_str(c, o, "author", P, true, &w->author)) != VOUCH_OK ||
	    (rc = get_str(c, o, "justification", P, true, &w->justification)) != VOUCH_OK ||
	    (rc = get_str(c, o, "expires", P, true, &exp)) != VOUCH_OK) {
		goto out;
	}
	if (vouch_lab_date_parse(exp, &mid) != 0) {
		char p[64];
		subpath(p, sizeof(p), P, "expires");
		rc = fail(c, p, "'%s' is not a date YYYY-MM-DD (a real calendar day, 1970 or later)",
			  exp);
		goto out;
	}
	memcpy(w->expires, exp, 11);
	w->until = mid + 86400;
	if ((rc = get_obj(c, o, "finding", P, &f)) != VOUCH_OK ||
	    (rc = get_obj(c, o, "vulnerability", P, &v)) != VOUCH_OK) {
		goto out;
	}
	if ((f == NULL) == (v == NULL)) {
		rc = fail(c, P, "needs exactly one of 'finding' or 'vulnerability' (what it waives)");
		goto out;
	}
	if (f != NULL) {
		char fp[64];
		subpath(fp, sizeof(fp), P, "finding");
		if ((rc = known_keys(c, f, fp, fknown)) != VOUCH_OK ||
		    (rc = get_str(c, f, "id", fp, true, &w->match_id)) != VOUCH_OK ||
		    (rc = get_str(c, f, "path", fp, false, &w->path)) != VOUCH_OK ||
		    (rc = get_str(c, f, "evidence", fp, false, &w->evidence)) != VOUCH_OK) {
			goto out;
		}
		char ip[80];
		subpath(ip, sizeof(ip), fp, "id");
		rc = check_kind(c, ip, w->match_id);
	} else {
		char vp[64];
		w->is_vuln = true;
		subpath(vp, sizeof(vp), P, "vulnerability");
		if ((rc = known_keys(c, v, vp, vknown)) != VOUCH_OK ||
		    (rc = get_str(c, v, "id", vp, true, &w->match_id)) != VOUCH_OK ||
		    (rc = get_str(c, v, "component", vp, false, &w->component)) != VOUCH_OK) {
			goto out;
		}
		if (strpbrk(w->match_id, "*?[ ") != NULL) {
			char ip[80];
			subpath(ip, sizeof(ip), vp, "id");
			rc = fail(c, ip, "'%s': a vulnerability waiver names one id (CVE-..., GHSA-..., "
					 "OSV id), no glob",
				  w->match_id);
		}
	}
out:
	free(exp);
	return rc;
}

static int
load_waivers(ctx *c, json_t *root, vouch_policy *pol)
{
	json_t *arr = json_object_get(root, "waivers"), *o;
	size_t i;
	int rc;

	if (arr == NULL) {
		return VOUCH_OK;
	}
	if (!json_is_array(arr)) {
		return fail(c, "waivers", "must be a list of waivers, not %s", type_name(arr));
	}
	pol->waivers = calloc(json_array_size(arr) + 1, sizeof(*pol->waivers));
	if (pol->waivers == NULL) {
		snprintf(c->why, c->cap, "out of memory");
		return VOUCH_E_NOMEM;
	}
	json_array_foreach(arr, i, o) {
		char P[40];
		snprintf(P, sizeof(P), "waivers[%zu]", i);
		pol->nwaivers++;
		if ((rc = load_waiver(c, o, P, &pol->waivers[i])) != VOUCH_OK) {
			return rc;
		}
		for (size_t k = 0; k < i; k++) {
			if (strcmp(pol->waivers[k].id, pol->waivers[i].id) == 0) {
				char p[96];
				subpath(p, sizeof(p), P, "id");
				return fail(c, p, "'%s' is also the id of waivers[%zu]",
					    pol->waivers[i].id, k);
			}
		}
	}
	return VOUCH_OK;
}

static int
load_tree(ctx *c, json_t *root, vouch_policy *pol)
{
	static const char *const known[] = {
		"policy_version", "name",	  "description", "findings", "forbid",
		"conditional",	  "vulnerabilities", "endpoints",   "jurisdictions", "hardening",
		"waivers",	  NULL};
	json_t *v;
	double ver;
	int rc;

	if (!json_is_object(root)) {
		return fail(c, "", "a policy is an object at the top, not %s", type_name(root));
	}
	v = json_object_get(root, "policy_version");
	if (v == NULL) {
		return fail(c, "policy_version", "is required (this build reads version %d)",
			    VOUCH_POLICY_VERSION);
	}
	if ((rc = as_number(c, v, "policy_version", &ver)) != VOUCH_OK) {
		return rc;
	}
	if (ver != VOUCH_POLICY_VERSION || (!c->yaml && !json_is_integer(v))) {
		return fail(c, "policy_version", "version %g is not read by this build (it reads %d)",
			    ver, VOUCH_POLICY_VERSION);
	}
	if ((rc = known_keys(c, root, "", known)) != VOUCH_OK ||
	    (rc = get_str(c, root, "name", "", true, &pol->name)) != VOUCH_OK ||
	    (rc = get_str(c, root, "description", "", false, &pol->description)) != VOUCH_OK) {
		return rc;
	}
	if (strlen(pol->name) > LAB_NAME_MAX) {
		return fail(c, "name", "longer than %d bytes", LAB_NAME_MAX);
	}
	if ((rc = load_findings(c, root, pol)) != VOUCH_OK ||
	    (rc = load_kinds(c, root, "forbid", &pol->forbid, &pol->forbid_min)) != VOUCH_OK ||
	    (rc = load_kinds(c, root, "conditional", &pol->conditional, &pol->conditional_min)) !=
		    VOUCH_OK ||
	    (rc = load_vulns(c, root, pol)) != VOUCH_OK ||
	    (rc = load_endpoints(c, root, pol)) != VOUCH_OK ||
	    (rc = load_jurisdictions(c, root, pol)) != VOUCH_OK ||
	    (rc = load_hardening(c, root, pol)) != VOUCH_OK ||
	    (rc = load_waivers(c, root, pol)) != VOUCH_OK) {
		return rc;
	}
	return VOUCH_OK;
}

void
vouch_policy_free(vouch_policy *p)
{
	if (p == NULL) {
		return;
	}
	free(p->name);
	free(p->description);
	strs_free(&p->f_exempt);
	strs_free(&p->forbid);
	strs_free(&p->conditional);
	free(p->cidrs);
	strs_free(&p->allow_hosts);
	strs_free(&p->allow_urls);
	strs_free(&p->j_allow);
	strs_free(&p->j_deny);
	for (size_t i = 0; i < p->nhard; i++) {
		strs_free(&p->hard[i].paths);
	}
	free(p->hard);
	for (size_t i = 0; i < p->nwaivers; i++) {
		lab_waiver *w = &p->waivers[i];
		free(w->id);
		free(w->author);
		free(w->justification);
		free(w->match_id);
		free(w->path);
		free(w->evidence);
		free(w->component);
	}
	free(p->waivers);
	free(p);
}

int
vouch_policy_load(const char *text, size_t len, vouch_policy **out, char *why, size_t why_cap)
{
	ctx c = {.why = why, .cap = why_cap};
	vouch_policy *pol = NULL;
	json_t *root = NULL;
	json_error_t jerr;
	size_t i = 0;
	int rc;

	if (why_cap > 0) {
		why[0] = '\0';
	}
	if (out == NULL || (text == NULL && len > 0)) {
		return VOUCH_E_USAGE;
	}
	*out = NULL;
	if (len > VOUCH_POLICY_MAX_BYTES) {
		snprintf(why, why_cap, "the policy is larger than %u bytes", VOUCH_POLICY_MAX_BYTES);
		return VOUCH_E_LIMIT;
	}
	while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n')) {
		i++;
	}
	if (i < len && text[i] == '{') {
		root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
		if (root == NULL) {
			rc = fail(&c, "", "not valid JSON: %s (line %d, column %d)", jerr.text,
				  jerr.line, jerr.column);
			goto out;
		}
	} else {
		char yerr[200];
		c.yaml = true;
		if (i == len) {
			rc = fail(&c, "", "the policy is empty");
			goto out;
		}
		if (memchr(text, '\0', len) != NULL) {
			rc = fail(&c, "", "not a policy: the text holds a NUL byte");
			goto out;
		}
		if (vouch_vuln_yaml_load((const uint8_t *)text, len, &root, yerr, sizeof(yerr)) != 0 ||
		    root == NULL) {
			rc = fail(&c, "", "neither JSON (no '{' first) nor valid YAML: %s",
				  root == NULL && yerr[0] == '\0' ? "empty" : yerr);
			goto out;
		}
	}
	pol = calloc(1, sizeof(*pol));
	if (pol == NULL) {
		rc = VOUCH_E_NOMEM;
		goto out;
	}
	if ((rc = load_tree(&c, root, pol)) != VOUCH_OK) {
		goto out;
	}
	*out = pol;
	pol = NULL;
out:
	vouch_policy_free(pol);
	json_decref(root);
	return rc;
}

/* ---- the normalised policy ---- */

static json_t *
jstrs(const lab_strs *l)
{
	json_t *a = json_array();
	for (size_t i = 0; a != NULL && i < l->n; i++) {
		json_array_append_new(a, json_string(l->v[i]));
	}
	return a;
}

/* A list whose empty form is written null (the loader refuses [] there: "leave it out"). */
static json_t *
jstrs_or_null(const lab_strs *l)
{
	return l->n == 0 ? json_null() : jstrs(l);
}

static json_t *
jsev(int s)
{
	return s == LAB_SEV_OFF ? json_null() : json_string(vouch_lab_sev_names[s]);
}

static json_t *
jcvss(double d)
{
	return d < 0 ? json_null() : json_real(d);
}

static json_t *
jact(int a)
{
	static const char *const names[] = {"ignore", "condition", "reject"};
	return json_string(names[a]);
}

int
vouch_policy_normalized(const vouch_policy *p, char **json_out)
{
	json_t *root, *o, *a;
	int rc = VOUCH_E_NOMEM;

	if (p == NULL || json_out == NULL) {
		return VOUCH_E_USAGE;
	}
	root = json_object();
	if (root == NULL) {
		return VOUCH_E_NOMEM;
	}
	json_object_set_new(root, "policy_version", json_integer(VOUCH_POLICY_VERSION));
	json_object_set_new(root, "name", json_string(p->name));
	json_object_set_new(root, "description",
			    p->description != NULL ? json_string(p->description) : json_null());
	json_object_set_new(root, "findings",
			    json_pack("{s:o,s:o,s:o}", "reject_at", jsev(p->f_reject_at),
				      "condition_at", jsev(p->f_condition_at), "exempt",
				      jstrs(&p->f_exempt)));
	json_object_set_new(root, "forbid",
			    json_pack("{s:o,s:s}", "finding_kinds", jstrs(&p->forbid),
				      "min_severity", vouch_lab_sev_names[p->forbid_min]));
	json_object_set_new(root, "conditional",
			    json_pack("{s:o,s:s}", "finding_kinds", jstrs(&p->conditional),
				      "min_severity", vouch_lab_sev_names[p->conditional_min]));
	json_object_set_new(root, "vulnerabilities",
			    json_pack("{s:o,s:o,s:o,s:o,s:o}", "reject_cvss", jcvss(p->v_reject_cvss),
				      "condition_cvss", jcvss(p->v_condition_cvss),
				      "reject_severity", jsev(p->v_reject_sev),
				      "condition_severity", jsev(p->v_condition_sev), "unscored",
				      jact(p->v_unscored)));
	if (p->ep_on) {
		json_t *sc = json_array(), *cd = json_array();
		for (unsigned i = 0; sc != NULL && i < LAB_SCOPE_N; i++) {
			if (p->ep_scopes & (1u << i)) {
				json_array_append_new(sc, json_string(vouch_lab_scopes[i]));
			}
		}
		for (size_t i = 0; cd != NULL && i < p->ncidrs; i++) {
			char s[64];
			vouch_lab_cidr_str(&p->cidrs[i], s, sizeof(s));
			json_array_append_new(cd, json_string(s));
		}
		o = json_pack("{s:o,s:o,s:o,s:o,s:o,s:b}", "action", jact(p->ep_action), "scopes", sc,
			      "allow_cidrs", cd, "allow_hosts", jstrs(&p->allow_hosts),
			      "allow_urls", jstrs(&p->allow_urls), "include_comments",
			      p->ep_comments);
	} else {
		o = json_null();
	}
	json_object_set_new(root, "endpoints", o);
	if (p->j_on) {
		o = json_pack("{s:o,s:o,s:o,s:o}", "allow", jstrs_or_null(&p->j_allow), "deny",
			      jstrs_or_null(&p->j_deny), "action", jact(p->j_action), "unknown",
			      jact(p->j_unknown));
	} else {
		o = json_null();
	}
	json_object_set_new(root, "jurisdictions", o);
	a = json_array();
	for (size_t i = 0; a != NULL && i < p->nhard; i++) {
		static const char *const props[] = {"nx", "pie", "relro", "canary"};
		static const char *const kinds[] = {"exec", "pie", "shared"};
		const lab_hrule *h = &p->hard[i];
		json_t *req = json_array(), *kl = json_array();
		for (unsigned k = 0; req != NULL && k < 4; k++) {
			if (h->require & (1u << k)) {
				json_array_append_new(req, json_string(props[k]));
			}
		}
		for (unsigned k = 0; kl != NULL && k < 3; k++) {
			if (h->kinds & (1u << k)) {
				json_array_append_new(kl, json_string(kinds[k]));
			}
		}
		json_array_append_new(a, json_pack("{s:o,s:o,s:o,s:o}", "require", req, "kinds", kl,
						   "paths", jstrs_or_null(&h->paths), "action",
						   jact(h->action)));
	}
	json_object_set_new(root, "hardening", a);
	a = json_array();
	for (size_t i = 0; a != NULL && i < p->nwaivers; i++) {
		const lab_waiver *w = &p->waivers[i];
		json_t *m;
		if (w->is_vuln) {
			m = json_pack("{s:s,s:o}", "id", w->match_id, "component",
				      w->component ? json_string(w->component) : json_null());
		} else {
			m = json_pack("{s:s,s:o,s:o}", "id", w->match_id, "path",
				      w->path ? json_string(w->path) : json_null(), "evidence",
				      w->evidence ? json_string(w->evidence) : json_null());
		}
		json_array_append_new(a, json_pack("{s:s,s:s,s:s,s:s,s:o}", "id", w->id, "author",
						   w->author, "justification", w->justification,
						   "expires", w->expires,
						   w->is_vuln ? "vulnerability" : "finding", m));
	}
	json_object_set_new(root, "waivers", a);
	*json_out = json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII |
					     JSON_REAL_PRECISION(4));
	rc = *json_out != NULL ? VOUCH_OK : VOUCH_E_NOMEM;
	json_decref(root);
	return rc;
}
