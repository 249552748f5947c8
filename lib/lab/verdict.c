/*
 * lab/verdict.c: a policy applied to one evaluation report (the JSON of `vouch scan
 * --json`), giving the verdict document of docs/policy.md.
 *
 * How: the report is read with jansson and checked as far as the policy uses it (each
 * finding's id, severity, path, offset, evidence, detail; each vulnerability's id,
 * component, version, severity, CVSS, VEX status; the inventory's file list when present),
 * so a text that is not a vouch report is refused with the field named, not half-judged.
 * Every finding and vulnerability is an *item*; the rules are evaluated item by item in a
 * fixed order (severity thresholds, forbidden then conditional kinds, endpoints,
 * jurisdictions, hardening; for vulnerabilities the CVSS/severity thresholds), each hit
 * recording its outcome, the rule's key path and one sentence. Waivers are then matched
 * against the items that have hits: every waiver lists every such item it matches
 * ("covers"); a waiver still valid at `now` waives all the hits of the items it matches,
 * an expired one waives nothing. Hits left are the reasons, rejects first, each in report
 * order. Verdict: rejected if any reason rejects, approved-with-conditions if any remains,
 * else approved.
 *
 * Paths: a rule's path glob is matched against the report's nested path and against the
 * path inside the innermost container ("router.bin/squashfs@0xe0000/bin/busybox" ->
 * "/bin/busybox"), cut after the last segment that is a container marker (a format name of
 * vouch_formats(), optionally "@0x<hex>") following a regular file of the inventory's
 * file list (without a file list: any such segment), so a directory that happens to be
 * called "tar" is not taken for a container.
 *
 * Rejected: judging each finding once by its "worst" rule (an auditor wants every rule a
 * finding broke, and a waiver then visibly covers them all); deduplicating findings by
 * value across files (the report already reports a value once per file, and a reason must
 * point to one place).
 */
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/base.h"
#include "lab/lab_int.h"
#include "vouch/scan.h"

/* The longest URL rebuilt from a finding's evidence (longer ones are cut: a prefix match on
 * the first 2 KiB is as good). */
#define URL_MAX 2048

typedef struct item {
	bool is_vuln;
	const char *id, *path, *evidence, *detail; /* finding; id/evidence shared with vuln */
	json_t *offset;				   /* integer or null */
	int sev;				   /* LAB_SEV_*, -1 unknown (vulns only) */
	const char *sev_str;			   /* vulnerabilities: as reported (or NULL) */
	const char *component, *version, *vex;
	json_t *aliases;
	double cvss; /* < 0: none */
	char *inner; /* path inside the innermost container */
	size_t nhits;
	bool waived;
} item;

typedef struct hit {
	size_t item;
	int outcome;   /* LAB_ACT_CONDITION or LAB_ACT_REJECT */
	char rule[40]; /* the rule's key path ("forbid.finding_kinds", "hardening[2]") */
	char *text;
} hit;

typedef struct state {
	const vouch_policy *p;
	item *items;
	size_t nitems;
	hit *hits;
	size_t nhits, hcap;
	const char **files; /* sorted regular-file paths of the inventory */
	size_t nfiles;
	bool have_files;
	char *why;
	size_t cap;
} state;

static int VOUCH_PRINTF(3, 4)
bad(state *st, const char *field, const char *fmt, ...);

static int
bad(state *st, const char *field, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (st->cap == 0) {
		return VOUCH_E_MALFORMED;
	}
	k = snprintf(st->why, st->cap, "not a vouch report: %s: ", field);
	if (k < 0 || (size_t)k >= st->cap) {
		return VOUCH_E_MALFORMED;
	}
	va_start(ap, fmt);
	vsnprintf(st->why + k, st->cap - (size_t)k, fmt, ap);
	va_end(ap);
	return VOUCH_E_MALFORMED;
}

static int VOUCH_PRINTF(5, 6)
add_hit(state *st, size_t it, int outcome, const char *rule, const char *fmt, ...);

static int
add_hit(state *st, size_t it, int outcome, const char *rule, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (outcome == LAB_ACT_IGNORE) {
		return VOUCH_OK;
	}
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (vouch_grow((void **)&st->hits, &st->hcap, st->nhits + 1, sizeof(hit), 64) != 0) {
		return VOUCH_E_NOMEM;
	}
	hit *h = &st->hits[st->nhits];
	h->text = strdup(buf);
	if (h->text == NULL) {
		return VOUCH_E_NOMEM;
	}
	h->item = it;
	h->outcome = outcome;
	snprintf(h->rule, sizeof(h->rule), "%s", rule);
	st->nhits++;
	st->items[it].nhits++;
	return VOUCH_OK;
}

/* ---- reading the report ---- */

/* A string or null member (absent counts as null); *out NULL for null. */
static int
opt_str(state *st, json_t *o, const char *key, const char *where, const char **out)
{
	json_t *v = json_object_get(o, key);

	*out = NULL;
	if (v == NULL || json_is_null(v)) {
		return VOUCH_OK;
	}
	if (!json_is_string(v)) {
		return bad(st, where, "'%s' is not a string", key);
	}
	*out = json_string_value(v);
	return VOUCH_OK;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int
read_files(state *st, json_t *report)
{
	json_t *inv = json_object_get(report, "inventory"), *fl, *f;
	size_t i;

	if (!json_is_object(inv)) {
		return VOUCH_OK;
	}
	fl = json_object_get(inv, "file_list");
	if (!json_is_array(fl)) {
		return VOUCH_OK;
	}
	st->have_files = true;
	st->files = calloc(json_array_size(fl) + 1, sizeof(*st->files));
	if (st->files == NULL) {
		return VOUCH_E_NOMEM;
	}
	json_array_foreach(fl, i, f) {
		const char *p = json_string_value(json_object_get(f, "path"));
		const char *k = json_string_value(json_object_get(f, "kind"));
		if (p != NULL && k != NULL && strcmp(k, "file") == 0) {
			st->files[st->nfiles++] = p;
		}
	}
	qsort(st->files, st->nfiles, sizeof(*st->files), cmp_str);
	return VOUCH_OK;
}

static bool
is_file(const state *st, const char *p, size_t n)
{
	char buf[4096];
	const char *key = buf;

	if (n >= sizeof(buf)) {
		return false;
	}
	memcpy(buf, p, n);
	buf[n] = '\0';
	return bsearch(&key, st->files, st->nfiles, sizeof(*st->files), cmp_str) != NULL;
}

/* "squashfs", "squashfs@0xe0000": a container marker segment. */
static bool
is_marker(const char *seg, size_t n)
{
	const char *at = memchr(seg, '@', n);
	size_t fn = at != NULL ? (size_t)(at - seg) : n;

	if (at != NULL) {
		size_t hl = n - fn - 1;
		if (hl < 3 || at[1] != '0' || at[2] != 'x') {
			return false;
		}
		for (size_t i = 3; i < hl + 1; i++) {
			char ch = at[i];
			if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))) {
				return false;
			}
		}
	}
	for (const char *const *f = vouch_formats(); *f != NULL; f++) {
		if (strlen(*f) == fn && memcmp(*f, seg, fn) == 0) {
			return true;
		}
	}
	return false;
}

static char *
inner_path(const state *st, const char *path)
{
	size_t n = strlen(path), end = n;

	for (size_t s = n; s-- > 0;) {
		if (path[s] != '/') {
			continue;
		}
		if (is_marker(path + s + 1, end - s - 1) && (!st->have_files || is_file(st, path, s))) {
			return strdup(path[end] != '\0' ? path + end : "/");
		}
		end = s;
	}
	return strdup(path);
}

static int
read_findings(state *st, json_t *arr)
{
	json_t *f;
	size_t i;
	int rc;

	json_array_foreach(arr, i, f) {
		char where[48];
		item *it = &st->items[st->nitems];
		const char *sev;

		snprintf(where, sizeof(where), "findings[%zu]", i);
		if (!json_is_object(f)) {
			return bad(st, where, "not an object");
		}
		it->id = json_string_value(json_object_get(f, "id"));
		it->path = json_string_value(json_object_get(f, "path"));
		sev = json_string_value(json_object_get(f, "severity"));
		if (it->id == NULL || it->path == NULL) {
			return bad(st, where, "no string 'id' and 'path'");
		}
		if ((it->sev = vouch_lab_sev_parse(sev)) < 0) {
			return bad(st, where, "'severity' is not info, low, medium, high or critical");
		}
		it->offset = json_object_get(f, "offset");
		if (it->offset == NULL) {
			it->offset = json_null();
		} else if (!json_is_integer(it->offset) && !json_is_null(it->offset)) {
			return bad(st, where, "'offset' is neither an integer nor null");
		}
		if ((rc = opt_str(st, f, "evidence", where, &it->evidence)) != VOUCH_OK ||
		    (rc = opt_str(st, f, "detail", where, &it->detail)) != VOUCH_OK) {
			return rc;
		}
		it->inner = inner_path(st, it->path);
		if (it->inner == NULL) {
			return VOUCH_E_NOMEM;
		}
		st->nitems++;
	}
	return VOUCH_OK;
}

static int
read_vulns(state *st, json_t *arr)
{
	json_t *v;
	size_t i;
	int rc;

	json_array_foreach(arr, i, v) {
		char where[56];
		item *it = &st->items[st->nitems];
		json_t *c3, *c4;

		snprintf(where, sizeof(where), "vulnerabilities[%zu]", i);
		if (!json_is_object(v)) {
			return bad(st, where, "not an object");
		}
		it->is_vuln = true;
		it->id = json_string_value(json_object_get(v, "id"));
		if (it->id == NULL) {
			return bad(st, where, "no string 'id'");
		}
		it->offset = json_null();
		if ((rc = opt_str(st, v, "component", where, &it->component)) != VOUCH_OK ||
		    (rc = opt_str(st, v, "version", where, &it->version)) != VOUCH_OK ||
		    (rc = opt_str(st, v, "severity", where, &it->sev_str)) != VOUCH_OK ||
		    (rc = opt_str(st, v, "vex", where, &it->vex)) != VOUCH_OK) {
			return rc;
		}
		it->sev = -1;
		if (it->sev_str != NULL) {
			char low[16];
			size_t n = strlen(it->sev_str);
			if (n < sizeof(low)) {
				for (size_t k = 0; k <= n; k++) {
					char ch = it->sev_str[k];
					low[k] = ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
				}
				it->sev = vouch_lab_sev_parse(low);
			}
		}
		c3 = json_object_get(v, "cvss3");
		c4 = json_object_get(v, "cvss4");
		if ((c3 != NULL && !json_is_null(c3) && !json_is_number(c3)) ||
		    (c4 != NULL && !json_is_null(c4) && !json_is_number(c4))) {
			return bad(st, where, "'cvss3' or 'cvss4' is neither a number nor null");
		}
		it->cvss = json_is_number(c3)	? json_number_value(c3)
			   : json_is_number(c4) ? json_number_value(c4)
						: -1;
		if (it->cvss > 10.0 || isnan(it->cvss)) {
			return bad(st, where, "a CVSS score above 10");
		}
		it->aliases = json_object_get(v, "aliases");
		st->nitems++;
	}
	return VOUCH_OK;
}

/* ---- the rules ---- */

static bool
any_glob(const lab_strs *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++) {
		if (vouch_lab_glob(l->v[i], s)) {
			return true;
		}
	}
	return false;
}

static const char *
first_glob(const lab_strs *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++) {
		if (vouch_lab_glob(l->v[i], s)) {
			return l->v[i];
		}
	}
	return NULL;
}

static bool
path_glob(const char *glob, const item *it)
{
	return vouch_lab_glob(glob, it->inner) || vouch_lab_glob(glob, it->path);
}

/* KEY=VALUE from a finding's detail ("value=...; scope=public; country=CN"). */
static bool
detail_get(const char *detail, const char *key, char *out, size_t cap)
{
	size_t kl = strlen(key);
	const char *p = detail;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, key, kl) == 0 && p[kl] == '=') {
			const char *v = p + kl + 1, *e = strstr(v, "; ");
			size_t n = e != NULL ? (size_t)(e - v) : strlen(v);
			if (n >= cap) {
				return false;
			}
			memcpy(out, v, n);
			out[n] = '\0';
			return true;
		}
		p = strstr(p, "; ");
		if (p != NULL) {
			p += 2;
		}
	}
	return false;
}

static bool
url_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c != '\0' && strchr("-._~:/?#[]@!$&'()*+,;=%", c) != NULL);
}

static bool
host_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '-';
}

/* The URL of an endpoint finding: its value ("scheme://host") continued by the path that
 * follows it in the evidence, when the evidence holds it. */
static void
full_url(const item *it, const char *value, char *out, size_t cap)
{
	size_t vl = strlen(value), n;
	const char *ev = it->evidence, *p;

	snprintf(out, cap, "%s", value);
	if (ev == NULL || vl == 0) {
		goto norm;
	}
	for (p = strcasestr(ev, value); p != NULL; p = strcasestr(p + 1, value)) {
		if (!host_char(p[vl])) {
			break;
		}
	}
	if (p == NULL || (p[vl] != '/' && p[vl] != '?' && p[vl] != '#' && p[vl] != ':')) {
		goto norm;
	}
	n = vl;
	while (url_char(p[n]) && n + 1 < cap) {
		n++;
	}
	while (n > vl && strchr(".,;:)'!", p[n - 1]) != NULL) {
		n--;
	}
	memcpy(out, p, n);
	out[n] = '\0';
norm:
	vouch_lab_url_norm(out);
}

/* The host of a URL: after "://", without user info and port, brackets of IPv6 removed. */
static void
url_host(const char *url, char *out, size_t cap)
{
	const char *h = strstr(url, "://");
	size_t n;

	out[0] = '\0';
	if (h == NULL) {
		return;
	}
	h += 3;
	n = strcspn(h, "/?#");
	const char *at = memchr(h, '@', n);
	if (at != NULL) {
		n -= (size_t)(at + 1 - h);
		h = at + 1;
	}
	if (n > 0 && h[0] == '[') {
		const char *rb = memchr(h, ']', n);
		if (rb == NULL) {
			return;
		}
		n = (size_t)(rb - h - 1);
		h++;
	} else {
		const char *colon = memchr(h, ':', n);
		if (colon != NULL) {
			n = (size_t)(colon - h);
		}
	}
	if (n >= cap) {
		return;
	}
	memcpy(out, h, n);
	out[n] = '\0';
	for (char *q = out; *q; q++) {
		if (*q >= 'A' && *q <= 'Z') {
			*q = (char)(*q - 'A' + 'a');
		}
	}
}

static int
eval_endpoint(state *st, size_t k)
{
	const vouch_policy *p = st->p;
	const item *it = &st->items[k];
	char value[512], scope[32], cc[16], in[32], url[URL_MAX], host[520];
	uint8_t fam = 0, addr[16];
	bool is_ip, allowed = false;
	int rc;

	if (!p->ep_on && !p->j_on) {
		return VOUCH_OK;
	}
	if (it->detail == NULL || !detail_get(it->detail, "value", value, sizeof(value)) ||
	    !detail_get(it->detail, "scope", scope, sizeof(scope))) {
		return VOUCH_OK; /* not an address (e.g. an SNMP community) */
	}
	size_t s = 0;
	while (s < LAB_SCOPE_N && strcmp(scope, vouch_lab_scopes[s]) != 0) {
		s++;
	}
	if (s == LAB_SCOPE_N || !(p->ep_scopes & (1u << s))) {
		return VOUCH_OK;
	}
	if (!p->ep_comments && detail_get(it->detail, "in", in, sizeof(in)) &&
	    strcmp(in, "comment") == 0) {
		return VOUCH_OK;
	}
	bool is_url = strstr(value, "://") != NULL;
	if (is_url) {
		full_url(it, value, url, sizeof(url));
		url_host(url, host, sizeof(host));
	} else {
		snprintf(url, sizeof(url), "%s", value);
		snprintf(host, sizeof(host), "%s", value);
		for (char *q = host; *q; q++) {
			if (*q >= 'A' && *q <= 'Z') {
				*q = (char)(*q - 'A' + 'a');
			}
		}
	}
	is_ip = host[0] != '\0' && vouch_lab_ip_parse(host, &fam, addr);
	for (size_t i = 0; is_ip && !allowed && i < p->ncidrs; i++) {
		allowed = vouch_lab_cidr_has(&p->cidrs[i], fam, addr);
	}
	for (size_t i = 0; !allowed && host[0] != '\0' && i < p->allow_hosts.n; i++) {
		allowed = vouch_lab_glob_nocase(p->allow_hosts.v[i], host);
	}
	for (size_t i = 0; !allowed && is_url && i < p->allow_urls.n; i++) {
		allowed = vouch_lab_url_prefix(p->allow_urls.v[i], url);
	}
	if (p->ep_on && !allowed) {
		rc = add_hit(st, k, p->ep_action, "endpoints",
			     "Endpoint %s (scope %s) is not allowed: it matches no entry of "
			     "endpoints.allow_cidrs, allow_hosts or allow_urls.",
			     is_url ? url : value, scope);
		if (rc != VOUCH_OK) {
			return rc;
		}
	}
	if (!p->j_on) {
		return VOUCH_OK;
	}
	if (detail_get(it->detail, "country", cc, sizeof(cc)) && strlen(cc) == 2) {
		bool in_allow = false, in_deny = false;
		for (size_t i = 0; i < p->j_allow.n; i++) {
			in_allow |= strcasecmp(p->j_allow.v[i], cc) == 0;
		}
		for (size_t i = 0; i < p->j_deny.n; i++) {
			in_deny |= strcasecmp(p->j_deny.v[i], cc) == 0;
		}
		if (p->j_allow.n > 0 && !in_allow) {
			rc = add_hit(st, k, p->j_action, "jurisdictions.allow",
				     "Endpoint %s is in %s, which is not an allowed jurisdiction.",
				     value, cc);
			if (rc != VOUCH_OK) {
				return rc;
			}
		}
		if (in_deny) {
			rc = add_hit(st, k, p->j_action, "jurisdictions.deny",
				     "Endpoint %s is in %s, a denied jurisdiction.", value, cc);
			if (rc != VOUCH_OK) {
				return rc;
			}
		}
	} else if (!(p->ep_on && allowed)) {
		return add_hit(st, k, p->j_unknown, "jurisdictions.unknown",
			       "The country of endpoint %s is not known (%s), so the jurisdiction "
			       "rule cannot be checked.",
			       value,
			       is_ip ? "the scan had no --geoip database, or it has no entry for "
				       "this address"
				     : "host names are not resolved; allow the name in "
				       "endpoints.allow_hosts once its operator is known");
	}
	return VOUCH_OK;
}

static int
eval_hardening(state *st, size_t k)
{
	static const struct {
		const char *id, *name;
		unsigned bit;
	} props[] = {
		{"hardening.no-nx", "nx", LAB_H_NX},
		{"hardening.no-pie", "pie", LAB_H_PIE},
		{"hardening.no-relro", "relro", LAB_H_RELRO},
		{"hardening.no-canary", "canary", LAB_H_CANARY},
	};
	const item *it = &st->items[k];
	char kind[16];
	unsigned kbit = LAB_K_ALL;
	size_t j = 0;
	int rc;

	while (j < VOUCH_ARRAY_LEN(props) && strcmp(it->id, props[j].id) != 0) {
		j++;
	}
	if (j == VOUCH_ARRAY_LEN(props)) {
		return VOUCH_OK;
	}
	if (it->detail != NULL && detail_get(it->detail, "kind", kind, sizeof(kind))) {
		kbit = strcmp(kind, "exec") == 0     ? LAB_K_EXEC
		       : strcmp(kind, "pie") == 0    ? LAB_K_PIE
		       : strcmp(kind, "shared") == 0 ? LAB_K_SHARED
						     : LAB_K_ALL;
	}
	for (size_t r = 0; r < st->p->nhard; r++) {
		const lab_hrule *h = &st->p->hard[r];
		char rule[40];
		bool path_ok = h->paths.n == 0;
		for (size_t i = 0; !path_ok && i < h->paths.n; i++) {
			path_ok = path_glob(h->paths.v[i], it);
		}
		if (!(h->require & props[j].bit) || !(h->kinds & kbit) || !path_ok) {
			continue;
		}
		snprintf(rule, sizeof(rule), "hardening[%zu]", r);
		rc = add_hit(st, k, h->action, rule, "Required hardening '%s' is missing in %s (%s).",
			     props[j].name, it->inner, it->id);
		if (rc != VOUCH_OK) {
			return rc;
		}
	}
	return VOUCH_OK;
}

static int
eval_finding(state *st, size_t k)
{
	const vouch_policy *p = st->p;
	const item *it = &st->items[k];
	const char *sev = vouch_lab_sev_names[it->sev], *g;
	int rc = VOUCH_OK;

	if (!any_glob(&p->f_exempt, it->id)) {
		if (p->f_reject_at != LAB_SEV_OFF && it->sev >= p->f_reject_at) {
			rc = add_hit(st, k, LAB_ACT_REJECT, "findings.reject_at",
				     "Finding %s is %s, at or above the reject threshold (%s).",
				     it->id, sev, vouch_lab_sev_names[p->f_reject_at]);
		} else if (p->f_condition_at != LAB_SEV_OFF && it->sev >= p->f_condition_at) {
			rc = add_hit(st, k, LAB_ACT_CONDITION, "findings.condition_at",
				     "Finding %s is %s, at or above the condition threshold (%s).",
				     it->id, sev, vouch_lab_sev_names[p->f_condition_at]);
		}
		if (rc != VOUCH_OK) {
			return rc;
		}
	}
	if (it->sev >= p->forbid_min && (g = first_glob(&p->forbid, it->id)) != NULL) {
		rc = add_hit(st, k, LAB_ACT_REJECT, "forbid.finding_kinds",
			     "Finding %s (%s) is of a forbidden kind (%s).", it->id, sev, g);
	} else if (it->sev >= p->conditional_min &&
		   (g = first_glob(&p->conditional, it->id)) != NULL) {
		rc = add_hit(st, k, LAB_ACT_CONDITION, "conditional.finding_kinds",
			     "Finding %s (%s) is of a kind approved only with conditions (%s).",
			     it->id, sev, g);
	}
	if (rc != VOUCH_OK) {
		return rc;
	}
	if (strncmp(it->id, "endpoint.", 9) == 0 && (rc = eval_endpoint(st, k)) != VOUCH_OK) {
		return rc;
	}
	if (strncmp(it->id, "hardening.", 10) == 0) {
		return eval_hardening(st, k);
	}
	return VOUCH_OK;
}

static bool
cvss_at(double score, double threshold)
{
	return threshold >= 0 && score >= 0 && llround(score * 10.0) >= llround(threshold * 10.0);
}

static int
eval_vuln(state *st, size_t k)
{
	const vouch_policy *p = st->p;
	const item *it = &st->items[k];
	const char *comp = it->component != NULL ? it->component : "?";
	const char *ver = it->version != NULL ? it->version : "";

	if (it->vex != NULL && (strcmp(it->vex, "not_affected") == 0 || strcmp(it->vex, "fixed") == 0)) {
		return VOUCH_OK;
	}
	if (cvss_at(it->cvss, p->v_reject_cvss)) {
		return add_hit(st, k, LAB_ACT_REJECT, "vulnerabilities.reject_cvss",
			       "%s in %s %s has CVSS %.1f, at or above the reject threshold %.1f.",
			       it->id, comp, ver, it->cvss, p->v_reject_cvss);
	}
	if (p->v_reject_sev != LAB_SEV_OFF && it->sev >= p->v_reject_sev) {
		return add_hit(st, k, LAB_ACT_REJECT, "vulnerabilities.reject_severity",
			       "%s in %s %s is %s, at or above the reject threshold (%s).", it->id,
			       comp, ver, vouch_lab_sev_names[it->sev],
			       vouch_lab_sev_names[p->v_reject_sev]);
	}
	if (cvss_at(it->cvss, p->v_condition_cvss)) {
		return add_hit(st, k, LAB_ACT_CONDITION, "vulnerabilities.condition_cvss",
			       "%s in %s %s has CVSS %.1f, at or above the condition threshold %.1f.",
			       it->id, comp, ver, it->cvss, p->v_condition_cvss);
	}
	if (p->v_condition_sev != LAB_SEV_OFF && it->sev >= p->v_condition_sev) {
		return add_hit(st, k, LAB_ACT_CONDITION, "vulnerabilities.condition_severity",
			       "%s in %s %s is %s, at or above the condition threshold (%s).", it->id,
			       comp, ver, vouch_lab_sev_names[it->sev],
			       vouch_lab_sev_names[p->v_condition_sev]);
	}
	if (it->cvss < 0 && it->sev < 0) {
		return add_hit(st, k, p->v_unscored, "vulnerabilities.unscored",
			       "%s in %s %s has neither a CVSS score nor a severity.", it->id, comp,
			       ver);
	}
	return VOUCH_OK;
}

/* ---- waivers ---- */

static bool
waiver_matches(const lab_waiver *w, const item *it)
{
	if (w->is_vuln != it->is_vuln) {
		return false;
	}
	if (!it->is_vuln) {
		return vouch_lab_glob(w->match_id, it->id) &&
		       (w->path == NULL || path_glob(w->path, it)) &&
		       (w->evidence == NULL ||
			(it->evidence != NULL && strstr(it->evidence, w->evidence) != NULL));
	}
	if (w->component != NULL && !vouch_lab_glob_nocase(w->component, it->component)) {
		return false;
	}
	if (strcasecmp(w->match_id, it->id) == 0) {
		return true;
	}
	if (json_is_array(it->aliases)) {
		size_t i;
		json_t *a;
		json_array_foreach(it->aliases, i, a) {
			if (json_is_string(a) && strcasecmp(w->match_id, json_string_value(a)) == 0) {
				return true;
			}
		}
	}
	return false;
}

/* ---- the verdict document ---- */

static json_t *
ref_json(const item *it)
{
	if (it->is_vuln) {
		return json_pack("{s:s,s:o,s:o,s:o,s:o}", "id", it->id, "component",
				 it->component ? json_string(it->component) : json_null(), "version",
				 it->version ? json_string(it->version) : json_null(), "severity",
				 it->sev_str ? json_string(it->sev_str) : json_null(), "cvss",
				 it->cvss >= 0 ? json_real(it->cvss) : json_null());
	}
	return json_pack("{s:s,s:s,s:O,s:o,s:s}", "id", it->id, "path", it->path, "offset",
			 it->offset, "evidence",
			 it->evidence ? json_string(it->evidence) : json_null(), "severity",
			 vouch_lab_sev_names[it->sev]);
}

static int
set(json_t *o, const char *k, json_t *v)
{
	return v == NULL || json_object_set_new(o, k, v) != 0 ? VOUCH_E_NOMEM : VOUCH_OK;
}

static int
append(json_t *a, json_t *v)
{
	return v == NULL || json_array_append_new(a, v) != 0 ? VOUCH_E_NOMEM : VOUCH_OK;
}

static int
reason_json(const state *st, const hit *h, json_t *reasons)
{
	const item *it = &st->items[h->item];
	const char *r = h->rule;
	int outcome = h->outcome;
	json_t *o = json_object();

	if (o == NULL || set(o, "outcome", json_string(outcome == LAB_ACT_REJECT ? "reject"
										  : "condition")) ||
	    set(o, "rule", json_string(r)) || set(o, "text", json_string(h->text)) ||
	    set(o, it->is_vuln ? "vulnerability" : "finding", ref_json(it))) {
		json_decref(o);
		return VOUCH_E_NOMEM;
	}
	return append(reasons, o);
}

static void
state_free(state *st)
{
	for (size_t i = 0; i < st->nitems; i++) {
		free(st->items[i].inner);
	}
	free(st->items);
	for (size_t i = 0; i < st->nhits; i++) {
		free(st->hits[i].text);
	}
	free(st->hits);
	free(st->files);
}

static int
judge(state *st, json_t *report, json_t *findings, json_t *vulns, int64_t now,
      vouch_verdict *verdict, json_t **out)
{
	const vouch_policy *p = st->p;
	json_t *root = NULL, *reasons = NULL, *waivers = NULL, *o;
	size_t nrej = 0, ncond = 0, nwaived = 0;
	char when[32];
	int rc = VOUCH_E_NOMEM;

	(void)report;
	/* waivers: each lists the flagged items it matches; a valid one waives them */
	waivers = json_array();
	if (waivers == NULL) {
		goto out;
	}
	for (size_t w = 0; w < p->nwaivers; w++) {
		const lab_waiver *wv = &p->waivers[w];
		bool valid = now < wv->until;
		json_t *covers = json_array(), *wo;
		if (covers == NULL) {
			goto out;
		}
		for (size_t i = 0; i < st->nitems; i++) {
			item *it = &st->items[i];
			if (it->nhits == 0 || !waiver_matches(wv, it)) {
				continue;
			}
			if (valid) {
				it->waived = true;
			}
			json_t *c = json_object();
			if (c == NULL || set(c, it->is_vuln ? "vulnerability" : "finding",
					     ref_json(it)) != VOUCH_OK ||
			    append(covers, c) != VOUCH_OK) {
				json_decref(c);
				json_decref(covers);
				goto out;
			}
		}
		const char *status = !valid			  ? "expired"
				     : json_array_size(covers) > 0 ? "applied"
								   : "unused";
		wo = json_pack("{s:s,s:s,s:s,s:s,s:s,s:o}", "id", wv->id, "author", wv->author,
			       "justification", wv->justification, "expires", wv->expires, "status",
			       status, "covers", covers);
		if (append(waivers, wo) != VOUCH_OK) {
			goto out;
		}
	}
	/* reasons: the hits of items not waived, rejects first */
	reasons = json_array();
	if (reasons == NULL) {
		goto out;
	}
	for (int pass = LAB_ACT_REJECT; pass >= LAB_ACT_CONDITION; pass--) {
		for (size_t h = 0; h < st->nhits; h++) {
			const hit *hh = &st->hits[h];
			if (hh->outcome != pass) {
				continue;
			}
			if (st->items[hh->item].waived) {
				nwaived++;
				continue;
			}
			if (reason_json(st, hh, reasons) != VOUCH_OK) {
				goto out;
			}
			if (pass == LAB_ACT_REJECT) {
				nrej++;
			} else {
				ncond++;
			}
		}
	}
	*verdict = nrej > 0	 ? VOUCH_VERDICT_REJECTED
		   : ncond > 0 ? VOUCH_VERDICT_CONDITIONS
			       : VOUCH_VERDICT_APPROVED;
	vouch_lab_rfc3339(now, when, sizeof(when));
	root = json_object();
	o = json_pack("{s:s,s:i}", "name", p->name, "policy_version", VOUCH_POLICY_VERSION);
	if (root == NULL || set(root, "verdict", json_string(vouch_verdict_str(*verdict))) ||
	    set(root, "policy", o) || set(root, "evaluated_at", json_string(when)) ||
	    set(root, "reasons", json_incref(reasons)) || set(root, "waivers", json_incref(waivers))) {
		goto out;
	}
	o = json_pack("{s:I,s:I,s:I,s:I,s:I}", "findings", (json_int_t)json_array_size(findings),
		      "vulnerabilities", (json_int_t)(json_is_array(vulns) ? json_array_size(vulns) : 0),
		      "reject", (json_int_t)nrej, "conditions", (json_int_t)ncond, "waived",
		      (json_int_t)nwaived);
	if (set(root, "summary", o) != VOUCH_OK) {
		goto out;
	}
	*out = root;
	root = NULL;
	rc = VOUCH_OK;
out:
	json_decref(root);
	json_decref(reasons);
	json_decref(waivers);
	return rc;
}

int
vouch_policy_apply(const vouch_policy *p, const char *report_json, size_t len, int64_t now,
		   vouch_verdict *verdict_out, char **verdict_json_out, char *why, size_t why_cap)
{
	state st = {.p = p, .why = why, .cap = why_cap};
	json_t *report = NULL, *findings, *vulns, *tool, *ver, *verdict_doc = NULL;
	json_error_t jerr;
	vouch_verdict verdict = VOUCH_VERDICT_APPROVED;
	char *text = NULL;
	int rc;

	if (why_cap > 0) {
		why[0] = '\0';
	}
	if (p == NULL || verdict_out == NULL || verdict_json_out == NULL ||
	    (report_json == NULL && len > 0)) {
		return VOUCH_E_USAGE;
	}
	if (len > VOUCH_POLICY_REPORT_MAX_BYTES) {
		snprintf(why, why_cap, "the report is larger than %u bytes",
			 VOUCH_POLICY_REPORT_MAX_BYTES);
		return VOUCH_E_LIMIT;
	}
	report = json_loadb(report_json, len, 0, &jerr);
	if (report == NULL) {
		snprintf(why, why_cap, "the report is not valid JSON: %s (line %d, column %d)",
			 jerr.text, jerr.line, jerr.column);
		return VOUCH_E_MALFORMED;
	}
	if (!json_is_object(report)) {
		rc = bad(&st, "top level", "not an object");
		goto out;
	}
	tool = json_object_get(report, "tool");
	if (!json_is_string(tool) || strcmp(json_string_value(tool), "vouch") != 0) {
		rc = bad(&st, "tool", "missing or not \"vouch\" (is this the JSON of 'vouch scan "
				      "--json'?)");
		goto out;
	}
	ver = json_object_get(report, "report_version");
	if (ver != NULL && !(json_is_integer(ver) && json_integer_value(ver) == 1)) {
		rc = bad(&st, "report_version", "this build reads report_version 1");
		goto out;
	}
	findings = json_object_get(report, "findings");
	vulns = json_object_get(report, "vulnerabilities");
	if (!json_is_array(findings)) {
		rc = bad(&st, "findings", "missing or not a list (a report of 'vouch scan --json')");
		goto out;
	}
	if (vulns != NULL && !json_is_null(vulns) && !json_is_array(vulns)) {
		rc = bad(&st, "vulnerabilities", "neither a list nor null");
		goto out;
	}
	st.items = calloc(json_array_size(findings) + json_array_size(vulns) + 1, sizeof(item));
	if (st.items == NULL) {
		rc = VOUCH_E_NOMEM;
		goto out;
	}
	if ((rc = read_files(&st, report)) != VOUCH_OK ||
	    (rc = read_findings(&st, findings)) != VOUCH_OK ||
	    (json_is_array(vulns) && (rc = read_vulns(&st, vulns)) != VOUCH_OK)) {
		goto out;
	}
	for (size_t k = 0; k < st.nitems; k++) {
		rc = st.items[k].is_vuln ? eval_vuln(&st, k) : eval_finding(&st, k);
		if (rc != VOUCH_OK) {
			goto out;
		}
	}
	if ((rc = judge(&st, report, findings, vulns, now, &verdict, &verdict_doc)) != VOUCH_OK) {
		goto out;
	}
	text = json_dumps(verdict_doc, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII |
						JSON_REAL_PRECISION(4));
	if (text == NULL) {
		rc = VOUCH_E_NOMEM;
		goto out;
	}
	/* a final newline, so that the document can be written as it is */
	size_t tl = strlen(text);
	char *t2 = realloc(text, tl + 2);
	if (t2 == NULL) {
		free(text);
		rc = VOUCH_E_NOMEM;
		goto out;
	}
	t2[tl] = '\n';
	t2[tl + 1] = '\0';
	*verdict_json_out = t2;
	*verdict_out = verdict;
	rc = VOUCH_OK;
out:
	if (rc == VOUCH_E_NOMEM && why_cap > 0 && why[0] == '\0') {
		snprintf(why, why_cap, "out of memory");
	}
	json_decref(verdict_doc);
	state_free(&st);
	json_decref(report);
	return rc;
}
