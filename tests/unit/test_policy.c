/*
 * tests/unit/test_policy.c: the policy engine (include/vouch/policy.h, lib/lab/).
 *
 * Loading: every kind of mistake in a policy is refused, and the reason names the key path
 * (asserted on the exact path, so a reason that points elsewhere fails). Rules: each rule
 * kind is applied to small reports built here with jansson, finding by finding, and the
 * verdict JSON is read back and checked field by field (rule, outcome, which finding).
 * Matchers: CIDR edges (/0, /31, /32, non-byte-aligned, IPv6 /127 and /128, IPv4-mapped)
 * with the expected membership worked out by hand from the bit patterns; globs; URL prefix
 * boundaries. Waivers: applied, expired (the last second of the expiry day vs. the first of
 * the next), unused, by alias, by evidence. VEX-suppressed vulnerabilities never count.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "lab/lab_int.h"
#include "vouch/policy.h"

/* 2026-11-23T12:00:00Z */
#define NOW ((int64_t)1795435200)

/* ---- helpers ---- */

static vouch_policy *
load_ok(const char *text)
{
	vouch_policy *p = NULL;
	char why[512];
	int rc = vouch_policy_load(text, strlen(text), &p, why, sizeof(why));
	if (rc != VOUCH_OK) {
		fail_msg("policy refused: %s\n%s", why, text);
	}
	assert_non_null(p);
	return p;
}

/* The policy is refused and the reason starts with want (the key path). */
static void
load_bad(const char *text, const char *want)
{
	vouch_policy *p = (vouch_policy *)1;
	char why[512];
	int rc = vouch_policy_load(text, strlen(text), &p, why, sizeof(why));
	if (rc != VOUCH_E_MALFORMED || strncmp(why, want, strlen(want)) != 0) {
		fail_msg("wanted MALFORMED starting '%s', got rc %d: '%s'\n%s", want, rc,
			 rc == VOUCH_OK ? "" : why, text);
	}
	assert_null(p);
}

static json_t *
report_new(void)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:[],s:[],s:n}", "tool", "vouch", "version", "0.1.0",
			 "image", "fw.bin", "outcome", "success", "components", "findings",
			 "vulnerabilities");
}

static void
add_finding(json_t *r, const char *id, const char *sev, const char *path, json_int_t off,
	    const char *evidence, const char *detail)
{
	json_t *f = json_pack("{s:s,s:s,s:s,s:s,s:s}", "id", id, "category", "x", "severity", sev,
			      "title", "t", "path", path);
	json_object_set_new(f, "offset", off >= 0 ? json_integer(off) : json_null());
	json_object_set_new(f, "evidence", evidence ? json_string(evidence) : json_null());
	json_object_set_new(f, "detail", detail ? json_string(detail) : json_null());
	json_array_append_new(json_object_get(r, "findings"), f);
}

static void
add_vuln(json_t *r, const char *id, const char *comp, const char *sev, double cvss3, double cvss4,
	 const char *vex, const char *alias)
{
	json_t *v = json_pack("{s:s,s:s,s:s}", "id", id, "component", comp, "version", "1.0");
	if (!json_is_array(json_object_get(r, "vulnerabilities"))) {
		json_object_set_new(r, "vulnerabilities", json_array());
	}
	json_object_set_new(v, "aliases", alias ? json_pack("[s]", alias) : json_null());
	json_object_set_new(v, "severity", sev ? json_string(sev) : json_null());
	json_object_set_new(v, "cvss3", cvss3 >= 0 ? json_real(cvss3) : json_null());
	json_object_set_new(v, "cvss4", cvss4 >= 0 ? json_real(cvss4) : json_null());
	json_object_set_new(v, "vex", vex ? json_string(vex) : json_null());
	json_array_append_new(json_object_get(r, "vulnerabilities"), v);
}

static void
add_file(json_t *r, const char *path, const char *kind)
{
	json_t *inv = json_object_get(r, "inventory");
	if (inv == NULL) {
		inv = json_pack("{s:[]}", "file_list");
		json_object_set_new(r, "inventory", inv);
	}
	json_array_append_new(json_object_get(inv, "file_list"),
			      json_pack("{s:s,s:s}", "path", path, "kind", kind));
}

/* Apply and read the verdict back (also checks the return values agree). */
static json_t *
apply_at(const vouch_policy *p, json_t *report, int64_t now)
{
	char *text = json_dumps(report, 0), *out = NULL, why[512];
	vouch_verdict v = (vouch_verdict)99, v2;
	json_t *d;
	int rc;

	assert_non_null(text);
	rc = vouch_policy_apply(p, text, strlen(text), now, &v, &out, why, sizeof(why));
	if (rc != VOUCH_OK) {
		fail_msg("apply failed: %s", why);
	}
	free(text);
	d = json_loads(out, JSON_REJECT_DUPLICATES, NULL);
	assert_non_null(d);
	assert_int_equal(vouch_verdict_parse(json_string_value(json_object_get(d, "verdict")), &v2),
			 VOUCH_OK);
	assert_int_equal(v, v2);
	free(out);
	return d;
}

static json_t *
apply(const vouch_policy *p, json_t *report)
{
	return apply_at(p, report, NOW);
}

static const char *
verdict(json_t *d)
{
	return json_string_value(json_object_get(d, "verdict"));
}

static size_t
nreasons(json_t *d)
{
	return json_array_size(json_object_get(d, "reasons"));
}

/* Number of reasons with this rule and outcome whose finding/vulnerability id is id. */
static size_t
count(json_t *d, const char *rule, const char *outcome, const char *id)
{
	size_t i, n = 0;
	json_t *r;

	json_array_foreach(json_object_get(d, "reasons"), i, r) {
		json_t *ref = json_object_get(r, "finding");
		if (ref == NULL) {
			ref = json_object_get(r, "vulnerability");
		}
		if (strcmp(json_string_value(json_object_get(r, "rule")), rule) == 0 &&
		    strcmp(json_string_value(json_object_get(r, "outcome")), outcome) == 0 &&
		    strcmp(json_string_value(json_object_get(ref, "id")), id) == 0) {
			n++;
		}
	}
	return n;
}

static const char *
reason_text(json_t *d, size_t i)
{
	return json_string_value(json_object_get(json_array_get(json_object_get(d, "reasons"), i),
						 "text"));
}

static json_int_t
summary(json_t *d, const char *k)
{
	return json_integer_value(json_object_get(json_object_get(d, "summary"), k));
}

#define P(body) "{\"policy_version\": 1, \"name\": \"t\"" body "}"

/* ---- loading ---- */

static void
test_load_minimal_and_defaults(void **s)
{
	vouch_policy *p = load_ok(P(""));
	char *norm = NULL;
	json_t *n;

	(void)s;
	assert_string_equal(vouch_policy_name(p), "t");
	assert_int_equal(vouch_policy_normalized(p, &norm), VOUCH_OK);
	n = json_loads(norm, 0, NULL);
	assert_non_null(n);
	/* every rule off by default */
	assert_true(json_is_null(json_object_get(json_object_get(n, "findings"), "reject_at")));
	assert_true(json_is_null(
		json_object_get(json_object_get(n, "vulnerabilities"), "reject_cvss")));
	assert_string_equal(json_string_value(json_object_get(
				    json_object_get(n, "vulnerabilities"), "unscored")),
			    "ignore");
	assert_true(json_is_null(json_object_get(n, "endpoints")));
	assert_true(json_is_null(json_object_get(n, "jurisdictions")));
	assert_int_equal(json_array_size(json_object_get(n, "waivers")), 0);
	json_decref(n);
	free(norm);
	vouch_policy_free(p);
	vouch_policy_free(NULL);
}

static void
test_load_refusals(void **s)
{
	(void)s;
	load_bad("", "the policy is empty");
	load_bad("{\"policy_version\": 1, \"name\": \"t\"", "not valid JSON");
	load_bad("[1, 2]", "a policy is an object at the top, not a list");
	load_bad("{\"policy_version\": 1, \"name\": \"t\"} x", "not valid JSON");
	load_bad("key: [unclosed", "neither JSON");
	load_bad("{\"name\": \"t\"}", "policy_version: is required");
	load_bad("{\"policy_version\": 2, \"name\": \"t\"}", "policy_version: version 2");
	load_bad("{\"policy_version\": \"1\", \"name\": \"t\"}", "policy_version: must be a number");
	load_bad("{\"policy_version\": 1.5, \"name\": \"t\"}", "policy_version: version 1.5");
	load_bad("{\"policy_version\": 1}", "name: is required");
	load_bad("{\"policy_version\": 1, \"name\": \"\"}", "name: must not be empty");
	load_bad("{\"policy_version\": 1, \"name\": \"a\\nb\"}", "name: holds a control");
	load_bad("{\"policy_version\": 1, \"name\": \"t\", \"name\": \"u\"}", "not valid JSON");
	/* unknown keys, at every level */
	load_bad(P(", \"fidnings\": {}"), "fidnings: unknown key");
	load_bad(P(", \"findings\": {\"reject_above\": \"high\"}"),
		 "findings.reject_above: unknown key");
	load_bad(P(", \"waivers\": [{\"id\": \"w\", \"author\": \"a\", \"justification\": \"j\", "
		   "\"expires\": \"2026-01-01\", \"finding\": {\"id\": \"x\", \"file\": \"y\"}}]"),
		 "waivers[0].finding.file: unknown key");
	/* wrong types and values */
	load_bad(P(", \"findings\": []"), "findings: must be an object, not a list");
	load_bad(P(", \"findings\": {\"reject_at\": 3}"), "findings.reject_at: must be one of");
	load_bad(P(", \"findings\": {\"reject_at\": \"severe\"}"), "findings.reject_at: must be");
	load_bad(P(", \"findings\": {\"reject_at\": \"High\"}"), "findings.reject_at: must be");
	load_bad(P(", \"findings\": {\"exempt\": \"limit.*\"}"), "findings.exempt: must be a list");
	load_bad(P(", \"findings\": {\"exempt\": [1]}"), "findings.exempt[0]: must be a string");
	load_bad(P(", \"forbid\": {\"finding_kinds\": [\"Key.*\"]}"),
		 "forbid.finding_kinds[0]: 'Key.*' is not a finding-id glob");
	load_bad(P(", \"forbid\": {\"min_severity\": null}"), "forbid.min_severity: must be");
	vouch_policy_free(load_ok(P(", \"forbid\": {\"finding_kinds\": [\"yara.Backdoor_*\"]}")));
	load_bad(P(", \"forbid\": {\"finding_kinds\": [\"key.Yara\"]}"),
		 "forbid.finding_kinds[0]: 'key.Yara' is not a finding-id glob");
	load_bad(P(", \"vulnerabilities\": {\"reject_cvss\": 10.5}"),
		 "vulnerabilities.reject_cvss: must be a CVSS score");
	load_bad(P(", \"vulnerabilities\": {\"reject_cvss\": 7.25}"),
		 "vulnerabilities.reject_cvss: must be a CVSS score");
	load_bad(P(", \"vulnerabilities\": {\"reject_cvss\": \"9\"}"),
		 "vulnerabilities.reject_cvss: must be a number");
	load_bad(P(", \"vulnerabilities\": {\"unscored\": \"warn\"}"),
		 "vulnerabilities.unscored: must be ignore or condition or reject");
	load_bad(P(", \"endpoints\": {\"action\": \"ignore\"}"),
		 "endpoints.action: must be condition or reject");
	load_bad(P(", \"endpoints\": {\"include_comments\": \"yes\"}"),
		 "endpoints.include_comments: must be true or false");
	load_bad(P(", \"endpoints\": {\"scopes\": [\"global\"]}"),
		 "endpoints.scopes[0]: 'global' is no scope");
	load_bad(P(", \"endpoints\": {\"scopes\": []}"), "endpoints.scopes: must not be an empty");
	load_bad(P(", \"endpoints\": {\"allow_hosts\": [\"https://a.example\"]}"),
		 "endpoints.allow_hosts[0]: 'https://a.example' is not a host-name glob");
	load_bad(P(", \"endpoints\": {\"allow_urls\": [\"a.example/x\"]}"),
		 "endpoints.allow_urls[0]: 'a.example/x' is not a URL prefix");
	load_bad(P(", \"endpoints\": {\"allow_urls\": [\"https:///x\"]}"),
		 "endpoints.allow_urls[0]: 'https:///x' has no host");
	load_bad(P(", \"endpoints\": {\"allow_urls\": [\"https://*.a.example/\"]}"),
		 "endpoints.allow_urls[0]: 'https://*.a.example/': a URL prefix has no");
	load_bad(P(", \"jurisdictions\": {}"), "jurisdictions: needs an allow or a deny list");
	load_bad(P(", \"jurisdictions\": {\"deny\": [\"CHN\"]}"),
		 "jurisdictions.deny[0]: 'CHN' is not an ISO 3166-1");
	load_bad(P(", \"jurisdictions\": {\"allow\": [\"D1\"]}"), "jurisdictions.allow[0]: 'D1'");
	load_bad(P(", \"hardening\": {\"require\": [\"nx\"]}"), "hardening: must be a list");
	load_bad(P(", \"hardening\": [{\"kinds\": [\"exec\"]}]"), "hardening[0].require: is required");
	load_bad(P(", \"hardening\": [{\"require\": [\"nx\"]}, {\"require\": [\"aslr\"]}]"),
		 "hardening[1].require[0]: 'aslr' is not one of nx, pie, relro, canary");
	load_bad(P(", \"hardening\": [{\"require\": [\"nx\"], \"kinds\": [\"dyn\"]}]"),
		 "hardening[0].kinds[0]: 'dyn' is not one of exec, pie, shared");
	load_bad(P(", \"hardening\": [{\"require\": [\"nx\"], \"action\": \"ignore\"}]"),
		 "hardening[0].action: must be condition or reject");
}

static void
test_load_cidr_refusals(void **s)
{
	static const struct {
		const char *cidr, *why;
	} bad[] = {
		{"10.0.0.1/8", "host bits are set past /8 (the network is 10.0.0.0/8"},
		{"10.0.0.0/33", "prefix length 33 is more than 32"},
		{"10.0.0.0/08", "the prefix length after '/' must be a decimal"},
		{"10.0.0.0/", "the prefix length after '/' must be a decimal"},
		{"10.0.0.0/+8", "the prefix length after '/' must be a decimal"},
		{"1.2.3/8", "'1.2.3' is not an IPv4 address"},
		{"010.0.0.0/8", "'010.0.0.0' is not an IPv4 address"},
		{"fe80::1%eth0", "an address with a zone"},
		{"::/129", "prefix length 129 is more than 128"},
		{"2001:db8::1/32", "host bits are set past /32 (the network is 2001:db8::/32"},
		{"2001:db8:::/48", "'2001:db8:::' is not an IPv6 address"},
		{"/8", "not an IP network"},
	};
	char text[512], want[256];

	(void)s;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), P(", \"endpoints\": {\"allow_cidrs\": [\"1.1.1.1\", \"%s\"]}"),
			 bad[i].cidr);
		snprintf(want, sizeof(want), "endpoints.allow_cidrs[1]: '%s': %s", bad[i].cidr,
			 bad[i].why);
		load_bad(text, want);
	}
}

static void
test_load_waiver_refusals(void **s)
{
	static const struct {
		const char *body, *why;
	} bad[] = {
		{"\"author\": \"a\", \"justification\": \"j\", \"expires\": \"2026-01-01\", "
		 "\"finding\": {\"id\": \"x\"}",
		 "waivers[1].id: is required"},
		{"\"id\": \"w2\", \"justification\": \"j\", \"expires\": \"2026-01-01\", "
		 "\"finding\": {\"id\": \"x\"}",
		 "waivers[1].author: is required"},
		{"\"id\": \"w2\", \"author\": \"a\", \"expires\": \"2026-01-01\", "
		 "\"finding\": {\"id\": \"x\"}",
		 "waivers[1].justification: is required"},
		{"\"id\": \"w2\", \"author\": \"a\", \"justification\": \"\", \"expires\": "
		 "\"2026-01-01\", \"finding\": {\"id\": \"x\"}",
		 "waivers[1].justification: must not be empty"},
		{"\"id\": \"w2\", \"author\": \"a\", \"justification\": \"j\", "
		 "\"finding\": {\"id\": \"x\"}",
		 "waivers[1].expires: is required"},
		{"\"id\": \"w2\", \"author\": \"a\", \"justification\": \"j\", \"expires\": "
		 "\"2026-02-29\", \"finding\": {\"id\": \"x\"}",
		 "waivers[1].expires: '2026-02-29' is not a date"},
		{"\"id\": \"w2\", \"author\": \"a\", \"justification\": \"j\", \"expires\": "
		 "\"2026-13-01\", \"finding\": {\"id\": \"x\"}",
		 "waivers[1].expires: '2026-13-01' is not a date"},
		{"\"id\": \"w2\", \"author\": \"a\", \"justification\": \"j\", \"expires\": "
		 "\"2026-1-01\", \"finding\": {\"id\": \"x\"}",
		 "waivers[1].expires: '2026-1-01' is not a date"},
		{"\"id\": \"w2\", \"author\": \"a\", \"justification\": \"j\", \"expires\": "
		 "\"31/12/2026\", \"finding\": {\"id\": \"x\"}",
		 "waivers[1].expires: '31/12/2026' is not a date"},
		{"\"id\": \"w2\", \"author\": \"a\", \"justification\": \"j\", \"expires\": "
		 "20261231, \"finding\": {\"id\": \"x\"}",
		 "waivers[1].expires: must be a string"},
		{"\"id\": \"w2\", \"author\": \"a\", \"justification\": \"j\", \"expires\": "
		 "\"2026-01-01\"",
		 "waivers[1]: needs exactly one of 'finding' or 'vulnerability'"},
		{"\"id\": \"w2\", \"author\": \"a\", \"justification\": \"j\", \"expires\": "
		 "\"2026-01-01\", \"finding\": {\"id\": \"x\"}, \"vulnerability\": {\"id\": \"CVE-1\"}",
		 "waivers[1]: needs exactly one of"},
		{"\"id\": \"w2\", \"author\": \"a\", \"justification\": \"j\", \"expires\": "
		 "\"2026-01-01\", \"finding\": {\"path\": \"/x\"}",
		 "waivers[1].finding.id: is required"},
		{"\"id\": \"w2\", \"author\": \"a\", \"justification\": \"j\", \"expires\": "
		 "\"2026-01-01\", \"vulnerability\": {\"id\": \"CVE-2024-*\"}",
		 "waivers[1].vulnerability.id: 'CVE-2024-*': a vulnerability waiver names one id"},
		{"\"id\": \"w1\", \"author\": \"a\", \"justification\": \"j\", \"expires\": "
		 "\"2026-01-01\", \"finding\": {\"id\": \"x\"}",
		 "waivers[1].id: 'w1' is also the id of waivers[0]"},
		{"\"id\": \"w2\", \"author\": \"a\", \"justification\": \"j\", \"expires\": "
		 "\"2026-01-01\", \"finding\": {\"id\": \"x\"}, \"reason\": \"r\"",
		 "waivers[1].reason: unknown key"},
	};
	char text[1024];

	(void)s;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text),
			 P(", \"waivers\": [{\"id\": \"w1\", \"author\": \"a\", \"justification\": "
			   "\"j\", \"expires\": \"2028-02-29\", \"finding\": {\"id\": \"x\"}}, {%s}]"),
			 bad[i].body);
		load_bad(text, bad[i].why);
	}
}

static void
test_load_limits_and_usage(void **s)
{
	size_t n = VOUCH_POLICY_MAX_BYTES + 1;
	char *big = malloc(n + 1), why[200];
	vouch_policy *p = NULL;

	(void)s;
	assert_non_null(big);
	memset(big, ' ', n);
	big[0] = '{';
	big[n] = '\0';
	assert_int_equal(vouch_policy_load(big, n, &p, why, sizeof(why)), VOUCH_E_LIMIT);
	assert_null(p);
	free(big);
	assert_int_equal(vouch_policy_load("{}", 2, NULL, why, sizeof(why)), VOUCH_E_USAGE);
	/* a why buffer of 0 bytes is never written */
	assert_int_equal(vouch_policy_load("{", 1, &p, NULL, 0), VOUCH_E_MALFORMED);
}

/* The same policy in YAML and JSON normalises to the same document. */
static void
test_load_yaml(void **s)
{
	static const char *json =
		P(", \"findings\": {\"reject_at\": \"critical\", \"condition_at\": null}, "
		  "\"vulnerabilities\": {\"reject_cvss\": 9.0, \"unscored\": \"condition\"}, "
		  "\"endpoints\": {\"allow_cidrs\": [\"198.51.100.0/24\"], \"include_comments\": true}, "
		  "\"jurisdictions\": {\"deny\": [\"cn\", \"NO\"]}, "
		  "\"hardening\": [{\"require\": [\"nx\"], \"paths\": [\"/usr/sbin/*\"]}], "
		  "\"waivers\": [{\"id\": \"w\", \"author\": \"a\", \"justification\": \"j\", "
		  "\"expires\": \"2026-12-31\", \"vulnerability\": {\"id\": \"CVE-2022-1\"}}]");
	static const char *yaml = "# a lab policy\n"
				  "policy_version: 1\n"
				  "name: t\n"
				  "findings:\n"
				  "  reject_at: critical\n"
				  "  condition_at: ~\n"
				  "vulnerabilities:\n"
				  "  reject_cvss: 9.0\n"
				  "  unscored: condition\n"
				  "endpoints:\n"
				  "  allow_cidrs: [198.51.100.0/24]\n"
				  "  include_comments: true\n"
				  "jurisdictions:\n"
				  "  deny: [cn, NO]\n"
				  "hardening:\n"
				  "  - require: [nx]\n"
				  "    paths: ['/usr/sbin/*']\n"
				  "waivers:\n"
				  "  - id: w\n"
				  "    author: a\n"
				  "    justification: j\n"
				  "    expires: 2026-12-31\n"
				  "    vulnerability: {id: CVE-2022-1}\n";
	vouch_policy *a = load_ok(json), *b = load_ok(yaml);
	char *na = NULL, *nb = NULL;

	(void)s;
	assert_int_equal(vouch_policy_normalized(a, &na), VOUCH_OK);
	assert_int_equal(vouch_policy_normalized(b, &nb), VOUCH_OK);
	assert_string_equal(na, nb);
	/* country codes are upper-cased; "NO" stays a string (no YAML 1.1 boolean) */
	assert_non_null(strstr(na, "\"CN\""));
	assert_non_null(strstr(na, "\"NO\""));
	free(na);
	free(nb);
	vouch_policy_free(a);
	vouch_policy_free(b);
	load_bad("policy_version: 1\nname: t\nfindings:\n  reject_at: severe\n",
		 "findings.reject_at: must be");
	load_bad("policy_version: 1\nname: t\nfinding: {}\n", "finding: unknown key");
	load_bad("policy_version: one\nname: t\n", "policy_version: must be a number");
	load_bad("a: &x 1\nb: *x\n", "neither JSON");
}

static void
test_default_policy(void **s)
{
	size_t len = 0;
	const char *t = vouch_policy_default_text(&len);
	vouch_policy *p;
	json_t *r, *d;

	(void)s;
	assert_true(len > 100 && strlen(t) == len);
	p = load_ok(t);
	assert_string_equal(vouch_policy_name(p), "vouch-lab-default");
	/* the lab default: a bind shell rejects, a telnet server is a condition, a clean
	 * report is approved */
	r = report_new();
	d = apply(p, r);
	assert_string_equal(verdict(d), "approved");
	json_decref(d);
	add_finding(r, "service.telnet", "high", "fw.bin/squashfs/etc/init.d/rcS", 10, "telnetd", NULL);
	d = apply(p, r);
	assert_string_equal(verdict(d), "approved-with-conditions");
	json_decref(d);
	add_finding(r, "service.bind-shell", "critical", "fw.bin/squashfs/etc/init.d/rcS", 10,
		    "telnetd -l /bin/sh", NULL);
	d = apply(p, r);
	assert_string_equal(verdict(d), "rejected");
	assert_int_equal(count(d, "forbid.finding_kinds", "reject", "service.bind-shell"), 1);
	json_decref(d);
	json_decref(r);
	vouch_policy_free(p);
}

/* ---- matchers ---- */

static bool
in_net(const char *cidr, const char *ip)
{
	lab_cidr c;
	uint8_t fam, a[16];
	char why[200];

	if (vouch_lab_cidr_parse(cidr, &c, why, sizeof(why)) != 0) {
		fail_msg("cidr %s: %s", cidr, why);
	}
	if (!vouch_lab_ip_parse(ip, &fam, a)) {
		fail_msg("ip %s", ip);
	}
	return vouch_lab_cidr_has(&c, fam, a);
}

static void
test_cidr(void **s)
{
	char str[64], why[200];
	lab_cidr c;

	(void)s;
	/* /0: every IPv4 address, no IPv6 one */
	assert_true(in_net("0.0.0.0/0", "255.255.255.255"));
	assert_true(in_net("0.0.0.0/0", "0.0.0.0"));
	assert_false(in_net("0.0.0.0/0", "2001:db8::1"));
	assert_true(in_net("::/0", "2001:db8::1"));
	assert_false(in_net("::/0", "10.0.0.1"));
	/* /32 and a bare address */
	assert_true(in_net("203.0.113.80/32", "203.0.113.80"));
	assert_false(in_net("203.0.113.80/32", "203.0.113.81"));
	assert_true(in_net("203.0.113.80", "203.0.113.80"));
	/* /31: .80 and .81 (last bit free), not .79 or .82 */
	assert_true(in_net("203.0.113.80/31", "203.0.113.81"));
	assert_false(in_net("203.0.113.80/31", "203.0.113.79"));
	assert_false(in_net("203.0.113.80/31", "203.0.113.82"));
	/* /21 (not byte aligned): 198.51.96.0 - 198.51.103.255 */
	assert_true(in_net("198.51.96.0/21", "198.51.96.0"));
	assert_true(in_net("198.51.96.0/21", "198.51.103.255"));
	assert_false(in_net("198.51.96.0/21", "198.51.104.0"));
	assert_false(in_net("198.51.96.0/21", "198.51.95.255"));
	/* IPv6 /127 and /128 */
	assert_true(in_net("2001:db8::/127", "2001:db8::1"));
	assert_false(in_net("2001:db8::/127", "2001:db8::2"));
	assert_true(in_net("2001:db8::1/128", "2001:db8::1"));
	assert_false(in_net("2001:db8::1/128", "2001:db8::"));
	assert_true(in_net("2001:db8::/32", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"));
	assert_false(in_net("2001:db8::/32", "2001:db9::"));
	/* IPv4-mapped IPv6 is IPv4 on both sides */
	assert_true(in_net("10.0.0.0/8", "::ffff:10.1.2.3"));
	assert_true(in_net("::ffff:10.0.0.0/104", "10.200.0.1"));
	assert_false(in_net("::ffff:10.0.0.0/104", "11.0.0.1"));
	assert_int_equal(vouch_lab_cidr_parse("::ffff:10.0.0.0/104", &c, why, sizeof(why)), 0);
	vouch_lab_cidr_str(&c, str, sizeof(str));
	assert_string_equal(str, "10.0.0.0/8");
	assert_int_equal(vouch_lab_cidr_parse("2001:0db8:0000::/48", &c, why, sizeof(why)), 0);
	vouch_lab_cidr_str(&c, str, sizeof(str));
	assert_string_equal(str, "2001:db8::/48");
}

static void
test_globs_and_urls(void **s)
{
	char u[64];

	(void)s;
	assert_true(vouch_lab_glob("key.*", "key.private-key"));
	assert_false(vouch_lab_glob("key.*", "keys.private-key"));
	assert_false(vouch_lab_glob("key.*", "secret.key"));
	assert_true(vouch_lab_glob("service.bind-shell", "service.bind-shell"));
	assert_true(vouch_lab_glob("hardening.no-?ie", "hardening.no-pie"));
	assert_true(vouch_lab_glob("/usr/*", "/usr/sbin/dropbear")); /* '*' crosses '/' */
	assert_false(vouch_lab_glob("/usr/*", "/bin/busybox"));
	assert_true(vouch_lab_glob("*.vendor.example", "a.b.vendor.example"));
	assert_false(vouch_lab_glob("*.vendor.example", "vendor.example"));
	assert_false(vouch_lab_glob("*.vendor.example", "evilvendor.example"));
	assert_true(vouch_lab_glob_nocase("*.vendor.example", "NTP.Vendor.Example"));
	assert_false(vouch_lab_glob("x", NULL));
	/* URL prefixes stop at a boundary */
	assert_true(vouch_lab_url_prefix("https://a.example", "https://a.example"));
	assert_true(vouch_lab_url_prefix("https://a.example", "https://a.example/fw"));
	assert_true(vouch_lab_url_prefix("https://a.example", "https://a.example?x=1"));
	assert_false(vouch_lab_url_prefix("https://a.example", "https://a.example.evil.test/"));
	assert_false(vouch_lab_url_prefix("https://a.example", "https://a.example:8443/"));
	assert_true(vouch_lab_url_prefix("https://a.example/fw/", "https://a.example/fw/1.bin"));
	assert_false(vouch_lab_url_prefix("https://a.example/fw/", "https://a.example/fw"));
	assert_false(vouch_lab_url_prefix("https://a.example/fw", "https://a.example/fwx"));
	assert_false(vouch_lab_url_prefix("http://a.example/", "https://a.example/"));
	snprintf(u, sizeof(u), "HTTPS://A.Example/Path/X");
	vouch_lab_url_norm(u);
	assert_string_equal(u, "https://a.example/Path/X");
}

static void
test_dates(void **s)
{
	int64_t t;
	char buf[32];

	(void)s;
	assert_int_equal(vouch_lab_date_parse("1970-01-01", &t), 0);
	assert_int_equal(t, 0);
	/* date -u -d 2026-11-23 +%s */
	assert_int_equal(vouch_lab_date_parse("2026-11-23", &t), 0);
	assert_int_equal(t, NOW - 12 * 3600);
	assert_int_equal(vouch_lab_date_parse("2028-02-29", &t), 0);
	assert_int_equal(vouch_lab_date_parse("2000-02-29", &t), 0);
	assert_int_equal(vouch_lab_date_parse("2100-02-29", &t), -1);
	assert_int_equal(vouch_lab_date_parse("1969-12-31", &t), -1);
	assert_int_equal(vouch_lab_date_parse("2026-04-31", &t), -1);
	assert_int_equal(vouch_lab_date_parse("2026-00-10", &t), -1);
	assert_int_equal(vouch_lab_date_parse("2026-01-00", &t), -1);
	assert_int_equal(vouch_lab_date_parse("2026-01-01 ", &t), -1);
	vouch_lab_rfc3339(NOW, buf, sizeof(buf));
	assert_string_equal(buf, "2026-11-23T12:00:00Z");
	vouch_lab_rfc3339(951782399, buf, sizeof(buf)); /* date -u -d @951782399 */
	assert_string_equal(buf, "2000-02-28T23:59:59Z");
	assert_int_equal(vouch_policy_time_parse("2026-11-23T12:00:00Z", &t), VOUCH_OK);
	assert_int_equal(t, NOW);
	assert_int_equal(vouch_policy_time_parse("2026-11-23T24:00:00Z", &t), VOUCH_E_MALFORMED);
	assert_int_equal(vouch_policy_time_parse("2026-11-23T12:00:00", &t), VOUCH_E_MALFORMED);
}

/* ---- rules ---- */

static void
test_finding_thresholds(void **s)
{
	vouch_policy *p = load_ok(P(", \"findings\": {\"reject_at\": \"critical\", \"condition_at\": "
				    "\"medium\", \"exempt\": [\"limit.*\"]}"));
	json_t *r = report_new(), *d;

	(void)s;
	add_finding(r, "service.ssh-password", "medium", "fw/squashfs/etc/init.d/rcS", 39, "e", NULL);
	add_finding(r, "hardening.no-pie", "low", "fw/squashfs/bin/x", -1, NULL, "kind=exec");
	add_finding(r, "limit.matches", "critical", "fw/squashfs/bin/x", -1, NULL, NULL);
	d = apply(p, r);
	assert_string_equal(verdict(d), "approved-with-conditions");
	assert_int_equal(nreasons(d), 1);
	assert_int_equal(count(d, "findings.condition_at", "condition", "service.ssh-password"), 1);
	/* the finding in the reason is the report's, field for field */
	json_t *f = json_object_get(json_array_get(json_object_get(d, "reasons"), 0), "finding");
	assert_string_equal(json_string_value(json_object_get(f, "path")),
			    "fw/squashfs/etc/init.d/rcS");
	assert_int_equal(json_integer_value(json_object_get(f, "offset")), 39);
	assert_string_equal(json_string_value(json_object_get(f, "evidence")), "e");
	assert_string_equal(json_string_value(json_object_get(f, "severity")), "medium");
	json_decref(d);
	add_finding(r, "account.empty-password", "critical", "fw/squashfs/etc/shadow", 0, "admin::",
		    NULL);
	d = apply(p, r);
	assert_string_equal(verdict(d), "rejected");
	assert_int_equal(count(d, "findings.reject_at", "reject", "account.empty-password"), 1);
	assert_int_equal(summary(d, "findings"), 4);
	assert_int_equal(summary(d, "reject"), 1);
	assert_int_equal(summary(d, "conditions"), 1);
	json_decref(d);
	json_decref(r);
	vouch_policy_free(p);
}

static void
test_finding_kinds(void **s)
{
	vouch_policy *p = load_ok(P(", \"forbid\": {\"finding_kinds\": [\"key.*\", "
				    "\"account.*\"], \"min_severity\": \"high\"}, \"conditional\": "
				    "{\"finding_kinds\": [\"account.*\", \"service.telnet\"]}"));
	json_t *r = report_new(), *d;

	(void)s;
	add_finding(r, "key.private-key", "high", "fw/squashfs/etc/ssl/k.pem", 0, "-----BEGIN", NULL);
	add_finding(r, "account.weak-hash", "medium", "fw/squashfs/etc/shadow", 0, "root:$1$", NULL);
	add_finding(r, "account.uid0-nonroot", "high", "fw/squashfs/etc/passwd", 30, "admin:x:0", NULL);
	add_finding(r, "service.telnet", "info", "fw/squashfs/etc/inittab", 5, "telnetd", NULL);
	add_finding(r, "keys.other", "critical", "fw/squashfs/x", 5, "x", NULL);
	d = apply(p, r);
	assert_string_equal(verdict(d), "rejected");
	assert_int_equal(count(d, "forbid.finding_kinds", "reject", "key.private-key"), 1);
	assert_int_equal(count(d, "forbid.finding_kinds", "reject", "account.uid0-nonroot"), 1);
	/* below forbid's min_severity: falls to the conditional list */
	assert_int_equal(count(d, "forbid.finding_kinds", "reject", "account.weak-hash"), 0);
	assert_int_equal(count(d, "conditional.finding_kinds", "condition", "account.weak-hash"), 1);
	/* a forbidden finding is not also listed as conditional */
	assert_int_equal(count(d, "conditional.finding_kinds", "condition", "account.uid0-nonroot"),
			 0);
	assert_int_equal(count(d, "conditional.finding_kinds", "condition", "service.telnet"), 1);
	assert_int_equal(nreasons(d), 4);
	/* rejects come first */
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(json_object_get(d, "reasons"), 1), "outcome")),
			    "reject");
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(json_object_get(d, "reasons"), 2), "outcome")),
			    "condition");
	json_decref(d);
	json_decref(r);
	vouch_policy_free(p);
}

static void
test_vulnerabilities(void **s)
{
	vouch_policy *p = load_ok(P(", \"vulnerabilities\": {\"reject_cvss\": 9.0, "
				    "\"condition_cvss\": 7.0, \"reject_severity\": \"critical\", "
				    "\"condition_severity\": \"high\", \"unscored\": \"condition\"}"));
	vouch_policy *q = load_ok(P(", \"vulnerabilities\": {\"reject_cvss\": 9.0}"));
	json_t *r = report_new(), *d;

	(void)s;
	add_vuln(r, "CVE-1", "busybox", "high", 9.0, -1, NULL, NULL);        /* at the edge */
	add_vuln(r, "CVE-2", "busybox", "medium", -1, 9.3, NULL, NULL);      /* CVSS 4 only */
	add_vuln(r, "CVE-3", "zlib", "high", 7.0, -1, NULL, NULL);           /* condition edge */
	add_vuln(r, "CVE-4", "zlib", "medium", 6.9, -1, NULL, NULL);         /* below */
	add_vuln(r, "CVE-5", "zlib", "critical", -1, -1, NULL, NULL);        /* severity only */
	add_vuln(r, "CVE-6", "zlib", "HIGH", -1, -1, NULL, NULL);            /* case */
	add_vuln(r, "OSV-7", "dnsmasq", NULL, -1, -1, NULL, NULL);           /* unscored */
	add_vuln(r, "CVE-8", "zlib", "critical", 9.8, -1, "not_affected", NULL);
	add_vuln(r, "CVE-9", "zlib", "critical", 9.8, -1, "fixed", NULL);
	add_vuln(r, "CVE-10", "zlib", "critical", 9.8, -1, "under_investigation", NULL);
	add_vuln(r, "CVE-11", "zlib", "low", 8.1, 9.9, NULL, NULL);          /* cvss3 first */
	d = apply(p, r);
	assert_string_equal(verdict(d), "rejected");
	assert_int_equal(count(d, "vulnerabilities.reject_cvss", "reject", "CVE-1"), 1);
	assert_int_equal(count(d, "vulnerabilities.reject_cvss", "reject", "CVE-2"), 1);
	assert_int_equal(count(d, "vulnerabilities.condition_cvss", "condition", "CVE-3"), 1);
	assert_int_equal(count(d, "vulnerabilities.reject_severity", "reject", "CVE-5"), 1);
	assert_int_equal(count(d, "vulnerabilities.condition_severity", "condition", "CVE-6"), 1);
	assert_int_equal(count(d, "vulnerabilities.unscored", "condition", "OSV-7"), 1);
	assert_int_equal(count(d, "vulnerabilities.reject_cvss", "reject", "CVE-10"), 1);
	assert_int_equal(count(d, "vulnerabilities.condition_cvss", "condition", "CVE-11"), 1);
	/* CVE-4 below both thresholds; CVE-8 and CVE-9 suppressed by VEX */
	assert_int_equal(nreasons(d), 8);
	assert_int_equal(summary(d, "vulnerabilities"), 11);
	/* the vulnerability in a reason: id, component, version, severity, cvss */
	json_t *v = json_object_get(json_array_get(json_object_get(d, "reasons"), 0),
				    "vulnerability");
	assert_string_equal(json_string_value(json_object_get(v, "id")), "CVE-1");
	assert_string_equal(json_string_value(json_object_get(v, "component")), "busybox");
	assert_string_equal(json_string_value(json_object_get(v, "version")), "1.0");
	assert_true(json_number_value(json_object_get(v, "cvss")) == 9.0);
	json_decref(d);
	d = apply(q, r);
	assert_int_equal(nreasons(d), 3); /* CVE-1, 2 and 10 (CVE-11: its cvss3 8.1 counts) */
	json_decref(d);
	json_decref(r);
	vouch_policy_free(p);
	vouch_policy_free(q);
}

static void
test_endpoints(void **s)
{
	vouch_policy *p = load_ok(P(", \"endpoints\": {\"allow_cidrs\": [\"198.51.100.0/24\", "
				    "\"2001:db8:100::/48\"], \"allow_hosts\": [\"*.vendor.example\", "
				    "\"ntp.org\"], \"allow_urls\": [\"https://updates.acme.example/fw/\"]}"));
	vouch_policy *pc = load_ok(P(", \"endpoints\": {\"action\": \"condition\", \"scopes\": "
				     "[\"public\", \"private\"], \"include_comments\": true}"));
	json_t *r = report_new(), *d;
	const char *path = "fw/squashfs/usr/bin/agent";

	(void)s;
	/* allowed */
	add_finding(r, "endpoint.ip-public", "medium", path, 1, "198.51.100.7",
		    "value=198.51.100.7; scope=public");
	add_finding(r, "endpoint.ip-public", "medium", path, 2, "2001:db8:100:5::1",
		    "value=2001:db8:100:5::1; scope=public");
	add_finding(r, "endpoint.host", "info", path, 3, "a.b.vendor.example",
		    "value=a.b.vendor.example; scope=public");
	add_finding(r, "endpoint.url", "info", path, 4, "x=https://NTP.org/time",
		    "value=https://ntp.org; scope=public; scheme=https");
	add_finding(r, "endpoint.url", "info", path, 5, "get https://updates.acme.example/fw/1.bin now",
		    "value=https://updates.acme.example; scope=public; scheme=https");
	/* not egress by default: private, documentation, and a comment */
	add_finding(r, "endpoint.ip-private", "info", path, 6, "10.1.1.1",
		    "value=10.1.1.1; scope=private");
	add_finding(r, "endpoint.host", "info", path, 7, "x.example",
		    "value=x.example; scope=documentation");
	add_finding(r, "endpoint.ip-public", "info", path, 8, "# 192.0.2.9",
		    "value=203.0.113.9; scope=public; in=comment");
	d = apply(p, r);
	assert_string_equal(verdict(d), "approved");
	json_decref(d);
	/* not allowed */
	add_finding(r, "endpoint.host", "info", path, 10, "vendor.example",
		    "value=vendor.example; scope=public");
	add_finding(r, "endpoint.cleartext-url", "high", path, 11, "server=http://198.51.101.1/x",
		    "value=http://198.51.101.1; scope=public; scheme=http");
	add_finding(r, "endpoint.url", "info", path, 12, "https://updates.acme.example/other",
		    "value=https://updates.acme.example; scope=public; scheme=https");
	add_finding(r, "endpoint.url", "info", path, 13, "https://updates.acme.example.evil.test/fw/",
		    "value=https://updates.acme.example.evil.test; scope=public; scheme=https");
	add_finding(r, "endpoint.ip-public", "medium", path, 14, "2001:db8:101::1",
		    "value=2001:db8:101::1; scope=public");
	add_finding(r, "endpoint.snmp-default-community", "high", path, 15, "public",
		    "community=public; access=ro");
	d = apply(p, r);
	assert_string_equal(verdict(d), "rejected");
	assert_int_equal(nreasons(d), 5);
	assert_int_equal(count(d, "endpoints", "reject", "endpoint.host"), 1);
	assert_int_equal(count(d, "endpoints", "reject", "endpoint.cleartext-url"), 1);
	assert_int_equal(count(d, "endpoints", "reject", "endpoint.url"), 2);
	assert_int_equal(count(d, "endpoints", "reject", "endpoint.ip-public"), 1);
	/* the URL in the sentence is the whole one the evidence holds */
	assert_non_null(strstr(reason_text(d, 2), "https://updates.acme.example/other"));
	json_decref(d);
	/* condition instead of reject; private scope and comments included */
	d = apply(pc, r);
	assert_string_equal(verdict(d), "approved-with-conditions");
	assert_int_equal(count(d, "endpoints", "condition", "endpoint.ip-private"), 1);
	assert_int_equal(count(d, "endpoints", "condition", "endpoint.host"), 2);
	assert_int_equal(count(d, "endpoints", "condition", "endpoint.ip-public"), 4);
	json_decref(d);
	json_decref(r);
	vouch_policy_free(p);
	vouch_policy_free(pc);
}

static void
test_jurisdictions(void **s)
{
	vouch_policy *deny = load_ok(P(", \"jurisdictions\": {\"deny\": [\"CN\"]}"));
	vouch_policy *allow = load_ok(P(", \"jurisdictions\": {\"allow\": [\"de\", \"FR\"], "
					"\"action\": \"condition\", \"unknown\": \"reject\"}"));
	vouch_policy *both = load_ok(P(", \"endpoints\": {\"allow_hosts\": [\"ntp.vendor.example\"]}, "
				       "\"jurisdictions\": {\"allow\": [\"DE\"]}"));
	json_t *r = report_new(), *d;
	const char *path = "fw/squashfs/usr/bin/agent";

	(void)s;
	add_finding(r, "endpoint.ip-public", "medium", path, 1, "203.0.113.80",
		    "value=203.0.113.80; scope=public; country=CN");
	add_finding(r, "endpoint.ip-public", "medium", path, 2, "198.51.100.1",
		    "value=198.51.100.1; scope=public; country=DE");
	add_finding(r, "endpoint.host", "info", path, 3, "ntp.vendor.example",
		    "value=ntp.vendor.example; scope=public");
	add_finding(r, "endpoint.ip-private", "info", path, 4, "10.0.0.1",
		    "value=10.0.0.1; scope=private");
	d = apply(deny, r);
	assert_string_equal(verdict(d), "rejected");
	assert_int_equal(count(d, "jurisdictions.deny", "reject", "endpoint.ip-public"), 1);
	/* the host has no country: a condition that says so */
	assert_int_equal(count(d, "jurisdictions.unknown", "condition", "endpoint.host"), 1);
	assert_non_null(strstr(reason_text(d, 1), "is not known"));
	assert_int_equal(nreasons(d), 2);
	json_decref(d);
	d = apply(allow, r);
	assert_string_equal(verdict(d), "rejected");
	assert_int_equal(count(d, "jurisdictions.allow", "condition", "endpoint.ip-public"), 1);
	assert_int_equal(count(d, "jurisdictions.unknown", "reject", "endpoint.host"), 1);
	assert_int_equal(nreasons(d), 2);
	json_decref(d);
	/* an endpoint the lab allowed by name is not "unknown" */
	d = apply(both, r);
	assert_int_equal(count(d, "jurisdictions.allow", "reject", "endpoint.ip-public"), 1);
	assert_int_equal(count(d, "endpoints", "reject", "endpoint.ip-public"), 2);
	assert_int_equal(count(d, "jurisdictions.unknown", "condition", "endpoint.host"), 0);
	assert_int_equal(nreasons(d), 3);
	json_decref(d);
	json_decref(r);
	vouch_policy_free(deny);
	vouch_policy_free(allow);
	vouch_policy_free(both);
}

static void
test_hardening(void **s)
{
	vouch_policy *p = load_ok(P(", \"hardening\": [{\"require\": [\"nx\", \"pie\"], \"kinds\": "
				    "[\"exec\", \"pie\"], \"paths\": [\"/usr/sbin/*\", \"/bin/*\"], "
				    "\"action\": \"reject\"}, {\"require\": [\"relro\"], "
				    "\"action\": \"condition\"}]"));
	json_t *r = report_new(), *d;

	(void)s;
	add_file(r, "fw.bin", "file");
	add_file(r, "fw.bin/squashfs@0x10000/usr/sbin/tar", "dir");
	add_file(r, "fw.bin/squashfs@0x10000/usr/sbin/tar/tool", "file");
	add_file(r, "fw.bin/squashfs@0x10000/usr/sbin/httpd", "file");
	add_file(r, "fw.bin/squashfs@0x10000/lib/libc.so", "file");
	add_file(r, "fw.bin/squashfs@0x10000/www/app.tar", "file");
	add_file(r, "fw.bin/squashfs@0x10000/www/app.tar/tar/bin/cgi", "file");
	add_finding(r, "hardening.no-nx", "medium", "fw.bin/squashfs@0x10000/usr/sbin/httpd", -1,
		    NULL, "kind=exec; stack=exec");
	/* a directory called "tar" is not a container: the inner path keeps /usr/sbin */
	add_finding(r, "hardening.no-pie", "low", "fw.bin/squashfs@0x10000/usr/sbin/tar/tool", -1,
		    NULL, "kind=exec");
	/* shared library: the first rule is for programs only */
	add_finding(r, "hardening.no-nx", "low", "fw.bin/squashfs@0x10000/lib/libc.so", -1, NULL,
		    "kind=shared; stack=absent");
	add_finding(r, "hardening.no-relro", "low", "fw.bin/squashfs@0x10000/lib/libc.so", -1, NULL,
		    "kind=shared; relro=none");
	/* inside a tar inside the squashfs: its path is /bin/cgi */
	add_finding(r, "hardening.no-pie", "low", "fw.bin/squashfs@0x10000/www/app.tar/tar/bin/cgi",
		    -1, NULL, "kind=exec");
	add_finding(r, "hardening.no-canary", "low", "fw.bin/squashfs@0x10000/usr/sbin/httpd", -1,
		    NULL, "kind=exec; imports=3");
	d = apply(p, r);
	assert_string_equal(verdict(d), "rejected");
	assert_int_equal(count(d, "hardening[0]", "reject", "hardening.no-nx"), 1);
	assert_int_equal(count(d, "hardening[0]", "reject", "hardening.no-pie"), 2);
	assert_int_equal(count(d, "hardening[1]", "condition", "hardening.no-relro"), 1);
	assert_int_equal(nreasons(d), 4);
	assert_non_null(strstr(reason_text(d, 1), "missing in /usr/sbin/tar/tool"));
	assert_non_null(strstr(reason_text(d, 2), "missing in /bin/cgi"));
	json_decref(d);
	json_decref(r);
	vouch_policy_free(p);
}

/* ---- waivers ---- */

static const char *waiver_policy =
	P(", \"findings\": {\"reject_at\": \"high\"}, \"vulnerabilities\": {\"reject_cvss\": 7.0}, "
	  "\"waivers\": ["
	  "{\"id\": \"W-1\", \"author\": \"a.analyst@lab.example\", \"justification\": \"telnet "
	  "is disabled by the vendor's build for this customer\", \"expires\": \"2026-11-23\", "
	  "\"finding\": {\"id\": \"service.*\", \"path\": \"/etc/init.d/*\", \"evidence\": "
	  "\"telnetd\"}},"
	  "{\"id\": \"W-2\", \"author\": \"b\", \"justification\": \"j\", \"expires\": "
	  "\"2030-01-01\", \"vulnerability\": {\"id\": \"cve-2022-28391\", \"component\": "
	  "\"busy*\"}},"
	  "{\"id\": \"W-3\", \"author\": \"c\", \"justification\": \"j\", \"expires\": "
	  "\"2030-01-01\", \"vulnerability\": {\"id\": \"GHSA-xxxx-yyyy-zzzz\"}},"
	  "{\"id\": \"W-4\", \"author\": \"d\", \"justification\": \"j\", \"expires\": "
	  "\"2030-01-01\", \"finding\": {\"id\": \"key.private-key\"}}"
	  "]");

static json_t *
waiver_status(json_t *d, const char *id)
{
	size_t i;
	json_t *w;

	json_array_foreach(json_object_get(d, "waivers"), i, w) {
		if (strcmp(json_string_value(json_object_get(w, "id")), id) == 0) {
			return w;
		}
	}
	fail_msg("no waiver %s", id);
	return NULL;
}

static void
test_waivers(void **s)
{
	vouch_policy *p = load_ok(waiver_policy);
	json_t *r = report_new(), *d, *w;
	int64_t day_end, next_day;

	(void)s;
	assert_int_equal(vouch_lab_date_parse("2026-11-24", &next_day), 0);
	day_end = next_day - 1;
	add_finding(r, "service.telnet", "high", "fw/squashfs@0x100/etc/init.d/rcS", 10,
		    "telnetd -p 23", NULL);
	add_finding(r, "service.telnet", "high", "fw/squashfs@0x100/etc/inittab", 3, "telnetd",
		    NULL); /* path not covered by W-1 */
	add_finding(r, "service.bind-shell", "critical", "fw/squashfs@0x100/etc/init.d/S50", 0,
		    "nc -l -e /bin/sh", NULL); /* evidence not covered by W-1 */
	add_vuln(r, "CVE-2022-28391", "busybox", "high", 8.8, -1, NULL, NULL);
	add_vuln(r, "OSV-2024-1", "zlib", "high", 7.5, -1, NULL, "GHSA-xxxx-yyyy-zzzz");

	/* the last second of the expiry day: W-1 still applies */
	d = apply_at(p, r, day_end);
	assert_string_equal(verdict(d), "rejected");
	assert_int_equal(nreasons(d), 2);
	assert_int_equal(count(d, "findings.reject_at", "reject", "service.telnet"), 1);
	assert_int_equal(count(d, "findings.reject_at", "reject", "service.bind-shell"), 1);
	w = waiver_status(d, "W-1");
	assert_string_equal(json_string_value(json_object_get(w, "status")), "applied");
	assert_string_equal(json_string_value(json_object_get(w, "author")),
			    "a.analyst@lab.example");
	assert_string_equal(json_string_value(json_object_get(w, "expires")), "2026-11-23");
	assert_int_equal(json_array_size(json_object_get(w, "covers")), 1);
	json_t *cf = json_object_get(json_array_get(json_object_get(w, "covers"), 0), "finding");
	assert_string_equal(json_string_value(json_object_get(cf, "path")),
			    "fw/squashfs@0x100/etc/init.d/rcS");
	w = waiver_status(d, "W-2"); /* case-insensitive id, component glob */
	assert_string_equal(json_string_value(json_object_get(w, "status")), "applied");
	w = waiver_status(d, "W-3"); /* by alias */
	assert_string_equal(json_string_value(json_object_get(w, "status")), "applied");
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_array_get(
					    json_object_get(w, "covers"), 0), "vulnerability"), "id")),
			    "OSV-2024-1");
	w = waiver_status(d, "W-4");
	assert_string_equal(json_string_value(json_object_get(w, "status")), "unused");
	assert_int_equal(json_array_size(json_object_get(w, "covers")), 0);
	assert_int_equal(summary(d, "waived"), 3);
	json_decref(d);

	/* the first second of the next day: W-1 expired, its finding is a reason again */
	d = apply_at(p, r, next_day);
	assert_int_equal(nreasons(d), 3);
	assert_int_equal(count(d, "findings.reject_at", "reject", "service.telnet"), 2);
	w = waiver_status(d, "W-1");
	assert_string_equal(json_string_value(json_object_get(w, "status")), "expired");
	assert_int_equal(json_array_size(json_object_get(w, "covers")), 1);
	assert_int_equal(summary(d, "waived"), 2);
	json_decref(d);
	json_decref(r);
	vouch_policy_free(p);
}

/* A waiver can turn a rejection into an approval; reject wins over condition. */
static void
test_verdict_order(void **s)
{
	vouch_policy *p = load_ok(
		P(", \"findings\": {\"reject_at\": \"critical\", \"condition_at\": \"low\"}, "
		  "\"waivers\": [{\"id\": \"w\", \"author\": \"a\", \"justification\": \"j\", "
		  "\"expires\": \"2030-01-01\", \"finding\": {\"id\": \"account.default-password\"}}]"));
	json_t *r = report_new(), *d;
	char *text, *out = NULL, why[200];
	vouch_verdict v;

	(void)s;
	assert_string_equal(vouch_verdict_str(VOUCH_VERDICT_APPROVED), "approved");
	assert_string_equal(vouch_verdict_str(VOUCH_VERDICT_CONDITIONS), "approved-with-conditions");
	assert_string_equal(vouch_verdict_str(VOUCH_VERDICT_REJECTED), "rejected");
	assert_int_equal(vouch_verdict_parse("Rejected", &v), VOUCH_E_MALFORMED);
	add_finding(r, "service.ssh-password", "low", "fw/squashfs/etc/rc", 1, "x", NULL);
	add_finding(r, "secret.password", "critical", "fw/squashfs/etc/app.conf", 1, "x", NULL);
	add_finding(r, "account.default-password", "critical", "fw/squashfs/etc/shadow", 1, "x",
		    NULL);
	d = apply(p, r);
	assert_string_equal(verdict(d), "rejected");
	assert_int_equal(summary(d, "reject"), 1);
	assert_int_equal(summary(d, "conditions"), 1);
	assert_int_equal(summary(d, "waived"), 1);
	json_decref(d);
	/* the document's keys are in the documented order, indented by one space */
	text = json_dumps(r, 0);
	assert_int_equal(vouch_policy_apply(p, text, strlen(text), NOW, &v, &out, why, sizeof(why)),
			 VOUCH_OK);
	assert_int_equal(v, VOUCH_VERDICT_REJECTED);
	assert_int_equal(strncmp(out, "{\n \"verdict\": \"rejected\",\n \"policy\": {", 38), 0);
	const char *keys[] = {"\"verdict\"", "\"policy\"", "\"evaluated_at\": \"2026-11-23T12:00:00Z\"",
			      "\"reasons\"", "\"waivers\"", "\"summary\""};
	const char *prev = out;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *at = strstr(out, keys[i]);
		assert_non_null(at);
		assert_true(at >= prev);
		prev = at;
	}
	assert_int_equal(out[strlen(out) - 1], '\n');
	free(out);
	free(text);
	json_decref(r);
	vouch_policy_free(p);
}

static void
test_malformed_reports(void **s)
{
	vouch_policy *p = load_ok(P(""));
	static const struct {
		const char *report, *why;
	} bad[] = {
		{"not json", "the report is not valid JSON"},
		{"[]", "not a vouch report: top level"},
		{"{\"findings\": []}", "not a vouch report: tool"},
		{"{\"tool\": \"other\", \"findings\": []}", "not a vouch report: tool"},
		{"{\"tool\": \"vouch\"}", "not a vouch report: findings"},
		{"{\"tool\": \"vouch\", \"report_version\": 2, \"findings\": []}",
		 "not a vouch report: report_version"},
		{"{\"tool\": \"vouch\", \"findings\": [{\"id\": \"x\", \"path\": \"p\", "
		 "\"severity\": \"severe\"}]}",
		 "not a vouch report: findings[0]: 'severity'"},
		{"{\"tool\": \"vouch\", \"findings\": [{\"id\": \"x\", \"path\": \"p\", "
		 "\"severity\": \"low\", \"offset\": \"12\"}]}",
		 "not a vouch report: findings[0]: 'offset'"},
		{"{\"tool\": \"vouch\", \"findings\": [7]}", "not a vouch report: findings[0]: not an"},
		{"{\"tool\": \"vouch\", \"findings\": [], \"vulnerabilities\": {}}",
		 "not a vouch report: vulnerabilities"},
		{"{\"tool\": \"vouch\", \"findings\": [], \"vulnerabilities\": [{\"id\": \"C\", "
		 "\"cvss3\": \"9.8\"}]}",
		 "not a vouch report: vulnerabilities[0]: 'cvss3'"},
		{"{\"tool\": \"vouch\", \"findings\": [], \"vulnerabilities\": [{\"id\": \"C\", "
		 "\"cvss3\": 11}]}",
		 "not a vouch report: vulnerabilities[0]: a CVSS score above 10"},
	};
	char *out = (char *)1, why[300];
	vouch_verdict v = (vouch_verdict)42;

	(void)s;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = vouch_policy_apply(p, bad[i].report, strlen(bad[i].report), NOW, &v, &out,
					    why, sizeof(why));
		if (rc != VOUCH_E_MALFORMED || strncmp(why, bad[i].why, strlen(bad[i].why)) != 0) {
			fail_msg("report %s: rc %d why '%s'", bad[i].report, rc, why);
		}
		assert_ptr_equal(out, (char *)1);
		assert_int_equal(v, 42);
	}
	/* the fields being added (report_version 1, regions, entropy) are accepted */
	const char *ok = "{\"tool\": \"vouch\", \"report_version\": 1, \"findings\": [], "
			 "\"regions\": [], \"entropy\": {\"values\": [1.5]}}";
	assert_int_equal(vouch_policy_apply(p, ok, strlen(ok), NOW, &v, &out, why, sizeof(why)),
			 VOUCH_OK);
	assert_int_equal(v, VOUCH_VERDICT_APPROVED);
	free(out);
	vouch_policy_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_minimal_and_defaults),
		cmocka_unit_test(test_load_refusals),
		cmocka_unit_test(test_load_cidr_refusals),
		cmocka_unit_test(test_load_waiver_refusals),
		cmocka_unit_test(test_load_limits_and_usage),
		cmocka_unit_test(test_load_yaml),
		cmocka_unit_test(test_default_policy),
		cmocka_unit_test(test_cidr),
		cmocka_unit_test(test_globs_and_urls),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_finding_thresholds),
		cmocka_unit_test(test_finding_kinds),
		cmocka_unit_test(test_vulnerabilities),
		cmocka_unit_test(test_endpoints),
		cmocka_unit_test(test_jurisdictions),
		cmocka_unit_test(test_hardening),
		cmocka_unit_test(test_waivers),
		cmocka_unit_test(test_verdict_order),
		cmocka_unit_test(test_malformed_reports),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
