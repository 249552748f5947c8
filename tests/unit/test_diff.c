/*
 * tests/unit/test_diff.c: vouch_report_diff on small hand-written reports.
 *
 * Each case is a pair of reports written here by hand (single quotes stand for double
 * quotes, so the JSON stays readable), with the expected diff worked out by hand from the
 * contract in vouch/diff.h: pairing across image names and container offsets, a key held
 * twice, version order that string order gets wrong, CVE changes unknown without a
 * database, VEX, offsets and line numbers that move without a change, a finding copied,
 * public versus private endpoints, hardening per pair and for new binaries, the regressions
 * total, and every refusal (not JSON, another report_version, a member of the wrong type,
 * NULL arguments, a report above the size limit) with its reason.
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

#include "vouch/diff.h"

/* A report from its four lists ('...' -> "..."). vulns is the JSON text ("null" or [...]). */
static char *
mk(const char *image, const char *files, const char *comps, const char *finds, const char *vulns,
   const char *database)
{
	size_t cap = strlen(files) + strlen(comps) + strlen(finds) + strlen(vulns) + 512;
	char *s = malloc(cap);

	assert_non_null(s);
	snprintf(s, cap,
		 "{'tool':'vouch','version':'0','report_version':1,'image':'%s','outcome':'success',"
		 "'inventory':{'files':0,'file_list':[%s]},'regions':[],'components':[%s],"
		 "'findings':[%s],'vulnerabilities':%s,'database':%s}",
		 image, files, comps, finds, vulns, database);
	for (char *p = s; *p; p++) {
		if (*p == '\'') {
			*p = '"';
		}
	}
	return s;
}

static json_t *
diff_ok(const char *a, const char *b)
{
	char *out = NULL, why[256];
	int rc = vouch_report_diff(a, strlen(a), b, strlen(b), &out, why, sizeof(why));
	if (rc != 0) {
		fprintf(stderr, "diff failed: %d %s\n", rc, why);
	}
	assert_int_equal(rc, 0);
	assert_non_null(out);
	json_t *d = json_loads(out, 0, NULL);
	assert_non_null(d);
	free(out);
	return d;
}

/* A member by dotted path ("summary.files_added"). */
static json_t *
at(json_t *d, const char *path)
{
	char buf[128];
	snprintf(buf, sizeof(buf), "%s", path);
	json_t *v = d;
	for (char *save = NULL, *k = strtok_r(buf, ".", &save); k; k = strtok_r(NULL, ".", &save)) {
		v = json_object_get(v, k);
	}
	return v;
}

static long long
num(json_t *d, const char *path)
{
	json_t *v = at(d, path);
	assert_true(json_is_integer(v));
	return (long long)json_integer_value(v);
}

static const char *
str(json_t *d, const char *path)
{
	return json_string_value(at(d, path));
}

#define F(path, kind, sha, mode) \
	"{'path':'" path "','kind':'" kind "','size':1,'sha256':'" sha "','mode':'" mode "','uid':0,'gid':0}"

/* ---- files ---------------------------------------------------------------------------- */

static void
test_files(void **state)
{
	(void)state;
	/* the same tree under another image name and another squashfs offset; one file
	 * changed, one removed, one added, one turned into a symlink, one chmod'ed */
	char *a = mk("v1.bin",
		     F("v1.bin", "file", "i1", "0644") ","
		     F("v1.bin/squashfs@0xe0000/etc/passwd", "file", "p1", "0644") ","
		     F("v1.bin/squashfs@0xe0000/etc/gone", "file", "g1", "0644") ","
		     F("v1.bin/squashfs@0xe0000/sbin/reboot", "symlink", "", "0777") ","
		     F("v1.bin/squashfs@0xe0000/etc/rcS", "file", "r1", "0755") ","
		     F("v1.bin/squashfs@0xe0000/bin/same", "file", "s1", "0755"),
		     "", "", "null", "null");
	char *b = mk("v2.bin",
		     F("v2.bin", "file", "i2", "0644") ","
		     F("v2.bin/squashfs@0xF0000/etc/passwd", "file", "p2", "0644") ","
		     F("v2.bin/squashfs@0xF0000/etc/new", "file", "n2", "0644") ","
		     F("v2.bin/squashfs@0xF0000/sbin/reboot", "file", "rb", "0755") ","
		     F("v2.bin/squashfs@0xF0000/etc/rcS", "file", "r1", "0700") ","
		     F("v2.bin/squashfs@0xF0000/bin/same", "file", "s1", "0755"),
		     "", "", "null", "null");
	json_t *d = diff_ok(a, b);

	assert_false(json_is_true(at(d, "summary.identical")));
	assert_string_equal(str(d, "a.sha256"), "i1");
	assert_string_equal(str(d, "b.sha256"), "i2");
	assert_int_equal(num(d, "summary.files_added"), 1);
	assert_string_equal(str(json_array_get(at(d, "files.added"), 0), "key"), "squashfs/etc/new");
	assert_int_equal(num(d, "summary.files_removed"), 1);
	assert_string_equal(str(json_array_get(at(d, "files.removed"), 0), "key"), "squashfs/etc/gone");
	assert_int_equal(num(d, "summary.files_changed"), 1);
	json_t *ch = json_array_get(at(d, "files.changed"), 0);
	assert_string_equal(str(ch, "key"), "squashfs/etc/passwd");
	assert_string_equal(str(ch, "a.path"), "v1.bin/squashfs@0xe0000/etc/passwd");
	assert_string_equal(str(ch, "b.path"), "v2.bin/squashfs@0xF0000/etc/passwd");
	assert_false(json_is_true(at(ch, "ambiguous")));
	assert_int_equal(num(d, "summary.files_type_changed"), 1);
	json_t *ty = json_array_get(at(d, "files.type_changed"), 0);
	assert_string_equal(str(ty, "a.kind"), "symlink");
	assert_string_equal(str(ty, "b.kind"), "file");
	/* the type change alone: the mode of a symlink is not a separate change */
	assert_int_equal(num(d, "summary.files_metadata_changed"), 1);
	json_t *me = json_array_get(at(d, "files.metadata_changed"), 0);
	assert_string_equal(str(me, "key"), "squashfs/etc/rcS");
	assert_int_equal(json_array_size(at(me, "fields")), 1);
	assert_string_equal(json_string_value(json_array_get(at(me, "fields"), 0)), "mode");
	assert_int_equal(num(d, "summary.files_unchanged"), 1);
	assert_int_equal(num(d, "summary.regressions"), 0);
	json_decref(d);
	free(a);
	free(b);
}

static void
test_files_ambiguous(void **state)
{
	(void)state;
	/* two squashfs at different offsets hold the same path: A has both, B one */
	char *a = mk("a.bin",
		     F("a.bin/squashfs@0x100/etc/passwd", "file", "x", "0644") ","
		     F("a.bin/squashfs@0x200/etc/passwd", "file", "y", "0644"),
		     "", "", "null", "null");
	char *b = mk("b.bin", F("b.bin/squashfs@0x300/etc/passwd", "file", "x", "0644"), "", "",
		     "null", "null");
	json_t *d = diff_ok(a, b);

	assert_int_equal(num(d, "summary.files_ambiguous"), 1);
	json_t *amb = json_array_get(at(d, "files.ambiguous"), 0);
	assert_string_equal(str(amb, "key"), "squashfs/etc/passwd");
	assert_int_equal(num(amb, "a"), 2);
	assert_int_equal(num(amb, "b"), 1);
	/* paired in report order: the first (same digest) pairs, the second is removed, not
	 * silently lost */
	assert_int_equal(num(d, "summary.files_unchanged"), 1);
	assert_int_equal(num(d, "summary.files_removed"), 1);
	assert_string_equal(str(json_array_get(at(d, "files.removed"), 0), "path"),
			    "a.bin/squashfs@0x200/etc/passwd");
	json_decref(d);
	free(a);
	free(b);
}

/* ---- components ------------------------------------------------------------------------- */

#define C(name, kind, ver) "{'name':'" name "','kind':'" kind "','version':'" ver "'}"

static void
test_components(void **state)
{
	(void)state;
	char *a = mk("a", "",
		     C("zlib", "library", "1.2.9") "," C("openssl", "library", "3.0.20") ","
		     C("busybox", "application", "1.35.0") "," C("dnsmasq", "application", "2.90") ","
		     C("busybox", "application", "1.35.0"),
		     "", "null", "null");
	char *b = mk("b", "",
		     C("zlib", "library", "1.2.13") "," C("openssl", "library", "3.0.17") ","
		     C("busybox", "application", "1.35.0") "," C("curl", "library", "8.0.1"),
		     "", "null", "null");
	json_t *d = diff_ok(a, b);

	/* 1.2.9 -> 1.2.13 is an upgrade though strcmp says otherwise */
	assert_int_equal(num(d, "summary.components_upgraded"), 1);
	json_t *up = json_array_get(at(d, "components.upgraded"), 0);
	assert_string_equal(str(up, "name"), "zlib");
	assert_string_equal(str(up, "from"), "1.2.9");
	assert_string_equal(str(up, "to"), "1.2.13");
	assert_int_equal(num(d, "summary.components_downgraded"), 1);
	assert_string_equal(str(json_array_get(at(d, "components.downgraded"), 0), "name"), "openssl");
	assert_int_equal(num(d, "summary.components_added"), 1);
	assert_string_equal(str(json_array_get(at(d, "components.added"), 0), "name"), "curl");
	assert_int_equal(num(d, "summary.components_removed"), 1);
	assert_string_equal(str(json_array_get(at(d, "components.removed"), 0), "name"), "dnsmasq");
	/* busybox listed twice in A with one version: unchanged once */
	assert_int_equal(num(d, "summary.components_unchanged"), 1);
	/* one downgrade is one regression */
	assert_int_equal(num(d, "summary.regressions"), 1);
	assert_int_equal(num(d, "summary.regressions_by_kind.downgrades"), 1);
	json_decref(d);
	free(a);
	free(b);
}

static void
test_components_versions(void **state)
{
	(void)state;
	/* two versions of one component in A, two in B, one in common: the others pair in
	 * version order; the same name with another kind is another component */
	char *a = mk("a", "",
		     C("lib", "library", "1.0") "," C("lib", "library", "2.0") ","
		     C("lib", "application", "5"),
		     "", "null", "null");
	char *b = mk("b", "",
		     C("lib", "library", "2.0") "," C("lib", "library", "1.1") ","
		     C("lib", "application", "4"),
		     "", "null", "null");
	json_t *d = diff_ok(a, b);

	assert_int_equal(num(d, "summary.components_unchanged"), 1);
	assert_int_equal(num(d, "summary.components_upgraded"), 1);
	assert_string_equal(str(json_array_get(at(d, "components.upgraded"), 0), "from"), "1.0");
	assert_string_equal(str(json_array_get(at(d, "components.upgraded"), 0), "to"), "1.1");
	assert_int_equal(num(d, "summary.components_downgraded"), 1);
	assert_string_equal(str(json_array_get(at(d, "components.downgraded"), 0), "kind"),
			    "application");
	json_decref(d);
	free(a);
	free(b);
}

/* ---- vulnerabilities ------------------------------------------------------------------ */

#define V(id, comp, sev, vex) \
	"{'id':'" id "','component':'" comp "','version':'1','severity':'" sev "','cvss3':7.5," \
	"'cvss4':null,'vex':" vex ",'summary':'s'}"

static void
test_vulns(void **state)
{
	(void)state;
	const char *dba = "{'digest':'aaa'}", *dbb = "{'digest':'bbb'}";
	char *a = mk("a", "", "", "",
		     "[" V("CVE-1", "zlib", "high", "null") "," V("CVE-2", "zlib", "low", "null") "]",
		     dba);
	char *b = mk("b", "", "", "",
		     "[" V("CVE-2", "zlib", "low", "null") "," V("CVE-3", "openssl", "critical", "null")
		     "," V("CVE-4", "openssl", "high", "'not_affected'") ","
		     V("CVE-1", "openssl", "high", "null") "]",
		     dbb);
	char *n = mk("n", "", "", "", "null", "'none'");
	json_t *d = diff_ok(a, b);

	assert_true(json_is_true(at(d, "vulnerabilities.compared")));
	assert_int_equal(num(d, "summary.vulnerabilities_fixed"), 1);
	json_t *fx = json_array_get(at(d, "vulnerabilities.fixed"), 0);
	assert_string_equal(str(fx, "id"), "CVE-1");
	assert_string_equal(str(fx, "component"), "zlib");
	/* CVE-1 of another component is another vulnerability */
	assert_int_equal(num(d, "summary.vulnerabilities_introduced"), 3);
	assert_int_equal(num(d, "vulnerabilities.unchanged"), 1);
	/* the one VEX calls not_affected is listed, not counted */
	assert_int_equal(num(d, "summary.regressions_by_kind.vulnerabilities"), 2);
	assert_int_equal(num(d, "summary.regressions"), 2);
	assert_non_null(strstr(str(d, "vulnerabilities.note"), "different databases"));
	json_decref(d);

	/* without a database on one side: unknown, not none */
	d = diff_ok(a, n);
	assert_false(json_is_true(at(d, "vulnerabilities.compared")));
	assert_true(json_is_null(at(d, "vulnerabilities.fixed")));
	assert_true(json_is_null(at(d, "summary.vulnerabilities_introduced")));
	assert_non_null(strstr(str(d, "vulnerabilities.note"), "report B"));
	assert_non_null(strstr(str(d, "vulnerabilities.note"), "unknown"));
	assert_int_equal(num(d, "summary.regressions"), 0);
	json_decref(d);
	free(a);
	free(b);
	free(n);
}

/* ---- indicators ------------------------------------------------------------------------- */

#define FI(id, cat, path, off, ev, det)                                                        \
	"{'id':'" id "','category':'" cat "','severity':'high','title':'t','path':'" path       \
	"','offset':" off ",'evidence':" ev ",'detail':" det "}"

static void
test_indicators(void **state)
{
	(void)state;
	char *a = mk("v1.bin", "", "",
		     FI("account.empty-password", "account", "v1.bin/squashfs@0x10/etc/shadow", "0",
			"'admin::1:0:::'", "'line=1; account=admin; scheme=none'") ","
		     FI("endpoint.url", "endpoint", "v1.bin/squashfs@0x10/bin/x", "100",
			"'see https://a.example'", "'value=https://a.example; scope=public'") ","
		     FI("secret.password", "secret", "v1.bin/squashfs@0x10/etc/conf", "5",
			"'pw=***'", "'kind=password; length=8'") ","
		     FI("service.telnet", "service", "v1.bin/squashfs@0x10/etc/rcS", "9",
			"'telnetd &'", "'line=2; program=telnetd'"),
		     "null", "null");
	char *b = mk("v2.bin", "", "",
		     /* moved: another line, another offset, another squashfs offset */
		     FI("account.empty-password", "account", "v2.bin/squashfs@0x20/etc/shadow", "40",
			"'admin::1:0:::'", "'line=3; account=admin; scheme=none'") ","
		     FI("endpoint.url", "endpoint", "v2.bin/squashfs@0x20/bin/x", "900",
			"'see https://a.example'", "'value=https://a.example; scope=public'") ","
		     /* copied: the same endpoint twice now */
		     FI("endpoint.url", "endpoint", "v2.bin/squashfs@0x20/bin/x", "990",
			"'or https://a.example'", "'value=https://a.example; scope=public'") ","
		     FI("endpoint.ip-private", "endpoint", "v2.bin/squashfs@0x20/etc/conf", "1",
			"'ip=10.0.0.1'", "'value=10.0.0.1; scope=private'") ","
		     FI("secret.password", "secret", "v2.bin/squashfs@0x20/etc/conf", "5",
			"'pw2=***'", "'kind=password; length=8'") ","
		     FI("service.telnet", "service", "v2.bin/squashfs@0x20/etc/rcS", "19",
			"'  telnetd &'", "'line=3; program=telnetd'") ","
		     FI("yara.rule", "yara", "v2.bin/squashfs@0x20/bin/x", "null", "null",
			"'rule=r'"),
		     "null", "null");
	json_t *d = diff_ok(a, b);

	assert_int_equal(json_array_size(at(d, "indicators.account.added")), 0);
	assert_int_equal(json_array_size(at(d, "indicators.account.removed")), 0);
	assert_int_equal(num(d, "indicators.account.unchanged"), 1);
	/* a service is its program, not its line's spacing */
	assert_int_equal(num(d, "indicators.service.unchanged"), 1);
	/* the second copy is one added public endpoint; the private one is not a regression */
	assert_int_equal(json_array_size(at(d, "indicators.endpoint.added")), 2);
	assert_int_equal(num(d, "indicators.endpoint.unchanged"), 1);
	/* a secret is its (masked) evidence: another key name is another secret */
	assert_int_equal(json_array_size(at(d, "indicators.secret.added")), 1);
	assert_int_equal(json_array_size(at(d, "indicators.secret.removed")), 1);
	assert_string_equal(str(json_array_get(at(d, "indicators.secret.added"), 0), "key"),
			    "squashfs/etc/conf");
	/* another category is carried too */
	assert_int_equal(json_array_size(at(d, "indicators.yara.added")), 1);
	assert_int_equal(num(d, "summary.indicators_added"), 4);
	assert_int_equal(num(d, "summary.indicators_removed"), 1);
	assert_int_equal(num(d, "summary.regressions_by_kind.public_endpoints"), 1);
	assert_int_equal(num(d, "summary.regressions_by_kind.secret"), 1);
	assert_int_equal(num(d, "summary.regressions"), 2);
	json_decref(d);
	free(a);
	free(b);
}

/* ---- hardening ------------------------------------------------------------------------ */

#define H(id, path, det)                                                                     \
	"{'id':'" id "','category':'hardening','severity':'low','title':'t','path':'" path     \
	"','offset':null,'evidence':null,'detail':'" det "'}"

static void
test_hardening(void **state)
{
	(void)state;
	char *a = mk("a.bin",
		     F("a.bin/sq@0x1/bin/agent", "file", "1", "0755") ","
		     F("a.bin/sq@0x1/bin/ok", "file", "2", "0755") ","
		     F("a.bin/sq@0x1/bin/cmd", "file", "3", "0755"),
		     "",
		     H("hardening.no-canary", "a.bin/sq@0x1/bin/ok", "kind=exec; imports=3") ","
		     H("hardening.dangerous-import", "a.bin/sq@0x1/bin/cmd", "imports=execv,popen") ","
		     H("hardening.dangerous-import", "a.bin/sq@0x1/bin/agent", "imports=strcpy"),
		     "null", "null");
	char *b = mk("b.bin",
		     F("b.bin/sq@0x9/bin/agent", "file", "1b", "0755") ","
		     F("b.bin/sq@0x9/bin/ok", "file", "2b", "0755") ","
		     F("b.bin/sq@0x9/bin/cmd", "file", "3b", "0755") ","
		     F("b.bin/sq@0x9/bin/new", "file", "4", "0755"),
		     "",
		     H("hardening.no-pie", "b.bin/sq@0x9/bin/agent", "kind=exec") ","
		     H("hardening.no-nx", "b.bin/sq@0x9/bin/agent", "kind=exec; stack=exec") ","
		     H("hardening.dangerous-import", "b.bin/sq@0x9/bin/agent", "imports=strcpy") ","
		     H("hardening.dangerous-import", "b.bin/sq@0x9/bin/cmd", "imports=execv,system") ","
		     H("hardening.no-relro", "b.bin/sq@0x9/bin/new", "kind=exec; relro=none") ","
		     H("hardening.no-pie", "b.bin/sq@0x9/bin/new", "kind=exec"),
		     "null", "null");
	json_t *d = diff_ok(a, b);

	/* agent: no-pie and no-nx are new; cmd now imports system */
	assert_int_equal(num(d, "summary.hardening_regressions"), 3);
	json_t *r, *cmd = NULL;
	size_t i, npie = 0;
	json_array_foreach(at(d, "hardening.regressions"), i, r) {
		if (strcmp(str(r, "key"), "sq/bin/cmd") == 0) {
			cmd = r;
		} else {
			assert_string_equal(str(r, "key"), "sq/bin/agent");
			assert_string_equal(str(r, "a_path"), "a.bin/sq@0x1/bin/agent");
			assert_string_equal(str(r, "b_path"), "b.bin/sq@0x9/bin/agent");
			npie += strcmp(str(r, "id"), "hardening.no-pie") == 0;
		}
	}
	assert_int_equal(npie, 1);
	assert_non_null(cmd);
	assert_int_equal(json_array_size(at(cmd, "imports_added")), 1);
	assert_string_equal(json_string_value(json_array_get(at(cmd, "imports_added"), 0)), "system");
	assert_string_equal(json_string_value(json_array_get(at(cmd, "imports_removed"), 0)), "popen");
	/* ok: the canary came back */
	assert_int_equal(num(d, "summary.hardening_improvements"), 1);
	assert_string_equal(str(json_array_get(at(d, "hardening.improvements"), 0), "id"),
			    "hardening.no-canary");
	assert_int_equal(num(d, "hardening.unchanged"), 1);
	/* new: one new binary with its two findings */
	assert_int_equal(num(d, "summary.new_unhardened_binaries"), 1);
	json_t *nb = json_array_get(at(d, "hardening.new_binaries"), 0);
	assert_string_equal(str(nb, "key"), "sq/bin/new");
	assert_int_equal(json_array_size(at(nb, "findings")), 2);
	assert_int_equal(num(d, "summary.regressions"), 4);
	json_decref(d);

	/* the other way round: agent's two are improvements; ok lost its canary and cmd
	 * imports popen now (regressions); the new binary is simply gone */
	d = diff_ok(b, a);
	assert_int_equal(num(d, "summary.hardening_regressions"), 2);
	assert_int_equal(num(d, "summary.hardening_improvements"), 2);
	assert_int_equal(num(d, "summary.new_unhardened_binaries"), 0);
	json_decref(d);
	free(a);
	free(b);
}

static void
test_identical(void **state)
{
	(void)state;
	char *a = mk("a.bin", F("a.bin/x@0x10/f", "file", "1", "0644"), C("z", "library", "1"),
		     FI("endpoint.url", "endpoint", "a.bin/x@0x10/f", "1", "'u'", "'value=u; scope=public'"),
		     "[" V("CVE-1", "z", "high", "null") "]", "{'digest':'d'}");
	json_t *d = diff_ok(a, a);
	assert_true(json_is_true(at(d, "summary.identical")));
	assert_int_equal(num(d, "summary.regressions"), 0);
	assert_int_equal(num(d, "summary.files_unchanged"), 1);
	assert_true(json_is_null(at(d, "vulnerabilities.note")));
	json_decref(d);
	free(a);
}

/* ---- refusals --------------------------------------------------------------------------- */

static int
diff_err(const char *a, const char *b, char *why, size_t cap)
{
	char *out = (char *)1;
	int rc = vouch_report_diff(a, strlen(a), b, strlen(b), &out, why, cap);
	assert_null(out);
	return rc;
}

static void
test_refusals(void **state)
{
	(void)state;
	char why[256];
	char *good = mk("a", "", "", "", "null", "null");
	char *v2 = strdup(good);
	char *p = strstr(v2, "\"report_version\":1");
	assert_non_null(p);
	p[strlen("\"report_version\":")] = '2';

	assert_int_equal(diff_err("{\"report_version\":1", good, why, sizeof(why)), VOUCH_E_MALFORMED);
	assert_non_null(strstr(why, "report A: not JSON"));
	assert_int_equal(diff_err(good, "[1,2]", why, sizeof(why)), VOUCH_E_MALFORMED);
	assert_non_null(strstr(why, "report B: not a JSON object"));
	assert_int_equal(diff_err(good, "{\"tool\":\"vouch\"}", why, sizeof(why)), VOUCH_E_MALFORMED);
	assert_non_null(strstr(why, "no report_version"));
	assert_int_equal(diff_err(good, v2, why, sizeof(why)), VOUCH_E_UNSUPPORTED);
	assert_non_null(strstr(why, "report_version 2"));
	/* members of the wrong type, named with their index */
	char *bad = mk("a", "{'path':7,'kind':'file'}", "", "", "null", "null");
	assert_int_equal(diff_err(good, bad, why, sizeof(why)), VOUCH_E_MALFORMED);
	assert_non_null(strstr(why, "report B: inventory.file_list[0].path"));
	free(bad);
	bad = mk("a", "", "", "{'id':'x'}", "null", "null");
	assert_int_equal(diff_err(bad, good, why, sizeof(why)), VOUCH_E_MALFORMED);
	assert_non_null(strstr(why, "report A: findings[0]: no category"));
	free(bad);
	bad = mk("a", "", "", "", "7", "null");
	assert_int_equal(diff_err(bad, good, why, sizeof(why)), VOUCH_E_MALFORMED);
	assert_non_null(strstr(why, "vulnerabilities"));
	free(bad);
	bad = mk("a", "", "{'name':'z','version':3}", "", "null", "null");
	assert_int_equal(diff_err(bad, good, why, sizeof(why)), VOUCH_E_MALFORMED);
	assert_non_null(strstr(why, "components[0].version"));
	free(bad);
	/* duplicate keys are ambiguous: refused */
	assert_int_equal(diff_err("{\"report_version\":1,\"report_version\":1}", good, why,
				  sizeof(why)),
			 VOUCH_E_MALFORMED);
	/* the size limit is checked before a byte is read */
	char *out = NULL;
	assert_int_equal(vouch_report_diff(good, (size_t)VOUCH_DIFF_REPORT_MAX + 1, good,
					   strlen(good), &out, why, sizeof(why)),
			 VOUCH_E_LIMIT);
	assert_null(out);
	assert_int_equal(vouch_report_diff(NULL, 0, good, strlen(good), &out, why, sizeof(why)),
			 VOUCH_E_USAGE);
	/* a why of size 0 is never written */
	assert_int_equal(vouch_report_diff(good, 3, good, strlen(good), &out, why, 0),
			 VOUCH_E_MALFORMED);
	free(good);
	free(v2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_files),       cmocka_unit_test(test_files_ambiguous),
		cmocka_unit_test(test_components),  cmocka_unit_test(test_components_versions),
		cmocka_unit_test(test_vulns),       cmocka_unit_test(test_indicators),
		cmocka_unit_test(test_hardening),   cmocka_unit_test(test_identical),
		cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
