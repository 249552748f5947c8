/*
 * tests/unit/test_vulndb.c: import and matching on tiny hand-written feeds.
 *
 * Every feed below is written here from its format's specification (NVD CVE API 2.0 schema,
 * the NVD JSON 1.1 feed schema, CVE JSON 5.1 record schema, OSV schema 1.6), not copied from
 * vouch's output: ids are in the reserved-looking year 2099 so they cannot collide with real
 * data. What is asserted is what the specifications say: a version inside
 * [versionStartIncluding, versionEndExcluding) is affected, one outside is not; an AND
 * needs all its children; `negate` inverts; `vulnerable: false` never matches by itself;
 * NVD 1.1 `children` nest; CVE 5 `unaffected` entries and `defaultStatus`; OSV version lists
 * (release tags) and SEMVER ranges, GIT ranges undecidable. Duplicates across sources give one
 * match. Malformed input (not JSON, JSON that is no feed, a truncated gzip, a broken CPE, a
 * 10 MB string, 100-deep children, YAML aliases) is refused with a message, never a crash,
 * and does not stop the good records of the same file. Importing twice changes nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include <cmocka.h>

#include "vouch/vuln.h"

static char dir[256];
static char dbpath[300];

/* ---- helpers ------------------------------------------------------------------------- */

static const char *
write_file(const char *name, const void *data, size_t n)
{
	static char path[8][512];
	static int slot;
	FILE *f;
	char *p = path[slot++ % 8];

	snprintf(p, 512, "%s/%s", dir, name);
	f = fopen(p, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	fclose(f);
	return p;
}

static const char *
write_text(const char *name, const char *text)
{
	return write_file(name, text, strlen(text));
}

/* gzip with zlib's deflate (gzip wrapper: windowBits 15 + 16). */
static unsigned char *
gzip_bytes(const char *text, size_t *outlen)
{
	z_stream z;
	size_t cap = strlen(text) + 1024;
	unsigned char *out = malloc(cap);

	assert_non_null(out);
	memset(&z, 0, sizeof(z));
	assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = (unsigned char *)(uintptr_t)text;
	z.avail_in = (uInt)strlen(text);
	z.next_out = out;
	z.avail_out = (uInt)cap;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	*outlen = cap - z.avail_out;
	deflateEnd(&z);
	return out;
}

typedef struct logbuf {
	char text[8192];
	int warnings;
} logbuf;

static void
logfn(void *ud, int level, const char *msg)
{
	logbuf *l = ud;
	size_t n = strlen(l->text);

	if (level == VOUCH_VULNDB_LOG_WARN) {
		l->warnings++;
		snprintf(l->text + n, sizeof(l->text) - n, "%s\n", msg);
	}
}

static vouch_vulndb *
fresh_db(void)
{
	vouch_vulndb *db = NULL;
	char wal[320];

	unlink(dbpath);
	snprintf(wal, sizeof(wal), "%s-wal", dbpath);
	unlink(wal);
	snprintf(wal, sizeof(wal), "%s-shm", dbpath);
	unlink(wal);
	assert_int_equal(vouch_vulndb_open(&db, dbpath, true), VOUCH_OK);
	return db;
}

static int
import(vouch_vulndb *db, const char *path, vouch_import_stats *st, logbuf *lb)
{
	memset(st, 0, sizeof(*st));
	memset(lb, 0, sizeof(*lb));
	return vouch_vulndb_import(db, path, st, logfn, lb);
}

/* One component, by CPE (may be NULL), aliases and name. */
static vouch_component
comp(const char *ref, const char *name, const char *version, const char *cpe,
     const char *const *aliases, size_t naliases)
{
	vouch_component c;

	memset(&c, 0, sizeof(c));
	c.bom_ref = ref;
	c.name = name;
	c.version = version;
	c.cpe = cpe;
	c.cpe_aliases = aliases;
	c.ncpe_aliases = naliases;
	return c;
}

static const vouch_vuln_match *
find(vouch_vuln_result *r, const char *ref, const char *id)
{
	size_t n;
	vouch_vuln_match *m = vouch_vuln_result_matches(r, &n);
	const vouch_vuln_match *hit = NULL;

	for (size_t i = 0; i < n; i++) {
		if (strcmp(m[i].component_ref, ref) == 0 && strcmp(m[i].id, id) == 0) {
			if (hit != NULL) {
				fail_msg("%s matched %s twice", ref, id);
			}
			hit = &m[i];
		}
	}
	return hit;
}

/* Does (name, version) with this CPE vendor:product match id? */
static const vouch_vuln_match *
match1(vouch_vulndb *db, vouch_vuln_result **r, const char *vp, const char *name,
       const char *version, const char *id)
{
	char cpe[256];
	vouch_component c;

	snprintf(cpe, sizeof(cpe), "cpe:2.3:a:%s:%s:*:*:*:*:*:*:*", vp, version);
	*strchr(cpe + 10, ':') = ':';
	c = comp("c", name, version, cpe, NULL, 0);
	vouch_vuln_result_free(*r);
	*r = NULL;
	assert_int_equal(vouch_vulndb_match(db, &c, 1, r), VOUCH_OK);
	return find(*r, "c", id);
}

/* ---- the feeds ------------------------------------------------------------------------- */

#define NVD20_HEAD                                                                         \
	"{\"resultsPerPage\":6,\"startIndex\":0,\"totalResults\":6,\"format\":\"NVD_CVE\","    \
	"\"version\":\"2.0\",\"timestamp\":\"2099-01-02T03:04:05.000\",\"vulnerabilities\":["
#define CPE(v, p, ver) "cpe:2.3:a:" v ":" p ":" ver ":*:*:*:*:*:*:*"
#define CVE20(id, mod, metrics, configs)                                                   \
	"{\"cve\":{\"id\":\"" id "\",\"sourceIdentifier\":\"test\",\"published\":"              \
	"\"2099-01-01T00:00:00.000\",\"lastModified\":\"" mod "\",\"vulnStatus\":\"Analyzed\","  \
	"\"descriptions\":[{\"lang\":\"es\",\"value\":\"otra\"},{\"lang\":\"en\",\"value\":"      \
	"\"Summary of " id "\"}],\"metrics\":{" metrics "},\"weaknesses\":[{\"source\":\"x\","    \
	"\"type\":\"Primary\",\"description\":[{\"lang\":\"en\",\"value\":\"CWE-787\"}]}],"      \
	"\"configurations\":[" configs "]}}"
#define V31(sc, sev, type)                                                                 \
	"{\"source\":\"s\",\"type\":\"" type "\",\"cvssData\":{\"version\":\"3.1\","              \
	"\"vectorString\":\"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\",\"baseScore\":" sc     \
	",\"baseSeverity\":\"" sev "\"}}"

/* in parts: C17 compilers need only accept 4095-byte literals */
static const char *const nvd20_parts[] = {
	NVD20_HEAD,
	/* 1: a range [3.0.0, 3.0.8); a Secondary metric listed first must lose to Primary */
	CVE20("CVE-2099-0001", "2099-01-01T00:00:00.000",
	      "\"cvssMetricV31\":[" V31("5.0", "MEDIUM", "Secondary") "," V31("9.8", "CRITICAL",
									  "Primary") "]",
	      "{\"nodes\":[{\"operator\":\"OR\",\"negate\":false,\"cpeMatch\":[{\"vulnerable\":true,"
	      "\"criteria\":\"" CPE("openssl", "openssl", "*") "\",\"versionStartIncluding\":"
	      "\"3.0.0\",\"versionEndExcluding\":\"3.0.8\"}]}]}") ",",
	/* 2: curl <= 7.46.0 AND running on Windows (a platform, vulnerable:false) */
	CVE20("CVE-2099-0002", "2099-01-01T00:00:00.000", "",
	      "{\"operator\":\"AND\",\"nodes\":[{\"operator\":\"OR\",\"cpeMatch\":[{\"vulnerable\""
	      ":true,\"criteria\":\"" CPE("haxx", "curl", "*") "\",\"versionEndIncluding\":"
	      "\"7.46.0\"}]},{\"operator\":\"OR\",\"cpeMatch\":[{\"vulnerable\":false,\"criteria\":"
	      "\"cpe:2.3:o:microsoft:windows:-:*:*:*:*:*:*:*\"}]}]}") ",",
	/* 3: openssl only as vulnerable:false: never a match */
	CVE20("CVE-2099-0003", "2099-01-01T00:00:00.000", "",
	      "{\"nodes\":[{\"operator\":\"OR\",\"cpeMatch\":[{\"vulnerable\":false,\"criteria\":"
	      "\"" CPE("openssl", "openssl", "*") "\"}]}]}") ",",
	/* 4: openssl < 2.0 AND NOT openssl 1.0.2k (negate) */
	CVE20("CVE-2099-0004", "2099-01-01T00:00:00.000", "",
	      "{\"operator\":\"AND\",\"nodes\":[{\"operator\":\"OR\",\"cpeMatch\":[{\"vulnerable\""
	      ":true,\"criteria\":\"" CPE("openssl", "openssl", "*") "\",\"versionEndExcluding\":"
	      "\"2.0\"}]},{\"operator\":\"OR\",\"negate\":true,\"cpeMatch\":[{\"vulnerable\":false,"
	      "\"criteria\":\"" CPE("openssl", "openssl", "1.0.2k") "\"}]}]}") ",",
	/* 5: exact versions in the CPE: busybox 1.35.0; openssl 1.0.1 update beta1 */
	CVE20("CVE-2099-0005", "2099-01-01T00:00:00.000", "",
	      "{\"nodes\":[{\"operator\":\"OR\",\"cpeMatch\":[{\"vulnerable\":true,\"criteria\":"
	      "\"" CPE("busybox", "busybox", "1.35.0") "\"},{\"vulnerable\":true,\"criteria\":"
	      "\"cpe:2.3:a:openssl:openssl:1.0.1:beta1:*:*:*:*:*:*\"}]}]}") ",",
	/* 6: (dropbear, 2020.81] excluding start; two configurations, the second only another
	 * product */
	CVE20("CVE-2099-0006", "2099-01-01T00:00:00.000", "",
	      "{\"nodes\":[{\"operator\":\"OR\",\"cpeMatch\":[{\"vulnerable\":true,\"criteria\":"
	      "\"" CPE("dropbear_ssh_project", "dropbear_ssh", "*") "\",\"versionStartExcluding\":"
	      "\"2020.81\",\"versionEndIncluding\":\"2022.83\"}]}]},"
	      "{\"nodes\":[{\"operator\":\"OR\",\"cpeMatch\":[{\"vulnerable\":true,\"criteria\":"
	      "\"" CPE("other", "thing", "*") "\"}]}]}"),
	"]}",
};

static char *
nvd20_feed(void)
{
	size_t n = 1;
	char *s;

	for (size_t i = 0; i < sizeof(nvd20_parts) / sizeof(nvd20_parts[0]); i++) {
		n += strlen(nvd20_parts[i]);
	}
	s = malloc(n);
	assert_non_null(s);
	s[0] = '\0';
	for (size_t i = 0; i < sizeof(nvd20_parts) / sizeof(nvd20_parts[0]); i++) {
		strcat(s, nvd20_parts[i]);
	}
	return s;
}

static const char nvd11_feed[] =
	"{\"CVE_data_type\":\"CVE\",\"CVE_data_format\":\"MITRE\",\"CVE_data_version\":\"4.0\","
	"\"CVE_data_numberOfCVEs\":\"2\",\"CVE_data_timestamp\":\"2099-02-01T07:00Z\","
	"\"CVE_Items\":["
	/* dnsmasq < 2.83 only when nested two levels: AND[ OR[ AND[ OR[dnsmasq] ] ], OR[os] ] */
	"{\"cve\":{\"data_type\":\"CVE\",\"CVE_data_meta\":{\"ID\":\"CVE-2099-1001\"},"
	"\"problemtype\":{\"problemtype_data\":[{\"description\":[{\"lang\":\"en\",\"value\":"
	"\"CWE-122\"}]}]},\"description\":{\"description_data\":[{\"lang\":\"en\",\"value\":"
	"\"dnsmasq bug\"}]}},"
	"\"configurations\":{\"CVE_data_version\":\"4.0\",\"nodes\":[{\"operator\":\"AND\","
	"\"children\":[{\"operator\":\"OR\",\"children\":[{\"operator\":\"AND\",\"children\":"
	"[{\"operator\":\"OR\",\"children\":[],\"cpe_match\":[{\"vulnerable\":true,\"cpe23Uri\":"
	"\"" CPE("thekelleys", "dnsmasq", "*") "\",\"versionEndExcluding\":\"2.83\","
	"\"cpe_name\":[]}]}],\"cpe_match\":[]}],\"cpe_match\":[]},{\"operator\":\"OR\","
	"\"children\":[],\"cpe_match\":[{\"vulnerable\":false,\"cpe23Uri\":"
	"\"cpe:2.3:o:fedoraproject:fedora:33:*:*:*:*:*:*:*\",\"cpe_name\":[]}]}],"
	"\"cpe_match\":[]}]},"
	"\"impact\":{\"baseMetricV3\":{\"cvssV3\":{\"version\":\"3.1\",\"vectorString\":"
	"\"CVSS:3.1/AV:A/AC:H/PR:N/UI:N/S:C/C:N/I:N/A:H\",\"baseScore\":5.9,\"baseSeverity\":"
	"\"MEDIUM\"}},\"baseMetricV2\":{\"severity\":\"LOW\"}},"
	"\"publishedDate\":\"2099-01-20T18:15Z\",\"lastModifiedDate\":\"2099-01-21T10:00Z\"},"
	/* a record with a broken CPE: refused alone */
	"{\"cve\":{\"CVE_data_meta\":{\"ID\":\"CVE-2099-1002\"}},\"configurations\":{\"nodes\":"
	"[{\"operator\":\"OR\",\"cpe_match\":[{\"vulnerable\":true,\"cpe23Uri\":\"cpe:2.3:a:x\"}]}]},"
	"\"publishedDate\":\"2099-01-20T18:15Z\",\"lastModifiedDate\":\"2099-01-21T10:00Z\"}"
	"]}";

/* CVE JSON 5: the same CVE as NVD's CVE-2099-0001 (openssl), plus curl with unaffected. */
static const char cve5_array[] =
	"[{\"dataType\":\"CVE_RECORD\",\"dataVersion\":\"5.1\",\"cveMetadata\":{\"cveId\":"
	"\"CVE-2099-0001\",\"state\":\"PUBLISHED\",\"datePublished\":\"2099-01-01T00:00:00Z\","
	"\"dateUpdated\":\"2099-01-05T00:00:00Z\"},\"containers\":{\"cna\":{\"affected\":[{"
	"\"vendor\":\"OpenSSL\",\"product\":\"OpenSSL\",\"versions\":[{\"version\":\"3.0.0\","
	"\"lessThan\":\"3.0.8\",\"status\":\"affected\",\"versionType\":\"semver\"}],"
	"\"defaultStatus\":\"unaffected\"}],\"descriptions\":[{\"lang\":\"en\",\"value\":\"CNA "
	"text\"}],\"problemTypes\":[{\"descriptions\":[{\"lang\":\"en\",\"cweId\":\"CWE-843\","
	"\"type\":\"CWE\",\"description\":\"type confusion\"}]}],\"metrics\":[{\"cvssV3_1\":{"
	"\"version\":\"3.1\",\"baseScore\":7.4,\"baseSeverity\":\"HIGH\",\"vectorString\":"
	"\"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:H\"}}]}}},"
	"{\"dataType\":\"CVE_RECORD\",\"dataVersion\":\"5.1\",\"cveMetadata\":{\"cveId\":"
	"\"CVE-2099-2001\",\"state\":\"PUBLISHED\",\"datePublished\":\"2099-03-01T00:00:00Z\","
	"\"dateUpdated\":\"2099-03-02T00:00:00Z\"},\"containers\":{\"cna\":{\"affected\":[{"
	"\"vendor\":\"curl\",\"product\":\"curl\",\"versions\":[{\"version\":\"7.69.0\","
	"\"lessThanOrEqual\":\"8.3.0\",\"status\":\"affected\"},{\"version\":\"7.88.1\","
	"\"status\":\"unaffected\"}],\"defaultStatus\":\"unaffected\"},{\"vendor\":\"n/a\","
	"\"product\":\"libfoo\",\"cpes\":[\"cpe:2.3:a:foo:libfoo:*:*:*:*:*:*:*:*\"],"
	"\"defaultStatus\":\"affected\",\"versions\":[{\"version\":\"2.0\",\"status\":"
	"\"unaffected\"}]}],\"metrics\":[{\"cvssV4_0\":{\"version\":\"4.0\",\"baseScore\":8.7,"
	"\"baseSeverity\":\"HIGH\",\"vectorString\":\"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/"
	"VI:N/VA:N/SC:N/SI:N/SA:N\"}}]}}}]";

static const char osv_yaml[] =
	"id: OSV-2099-1\n"
	"summary: Heap-buffer-overflow in curl\n"
	"modified: '2099-04-01T00:00:00.123456Z'\n"
	"published: '2099-03-01T00:00:00Z'\n"
	"aliases:\n- CVE-2099-2001\n"
	"affected:\n"
	"- package:\n    name: curl\n    ecosystem: OSS-Fuzz\n"
	"  ranges:\n  - type: GIT\n    repo: https://example.invalid/curl.git\n"
	"    events:\n    - introduced: 1cb4f5d6e8e470638759a48ba99fda230089712f\n"
	"    - fixed: 25c40c9af97782c9d475e765d50eaac071fd7d91\n"
	"  versions:\n  - curl-7_57_0\n  - curl-7_58_0\n  - curl-8_0_0\n"
	"  ecosystem_specific:\n    severity: HIGH\n";

static const char osv_json[] =
	"{\"id\":\"OSV-2099-2\",\"modified\":\"2099-04-01T00:00:00Z\",\"schema_version\":\"1.6.0\","
	"\"affected\":[{\"package\":{\"name\":\"zlib\",\"ecosystem\":\"OSS-Fuzz\"},\"ranges\":[{"
	"\"type\":\"SEMVER\",\"events\":[{\"introduced\":\"1.2.0\"},{\"fixed\":\"1.2.12\"},"
	"{\"introduced\":\"1.3.0\"},{\"last_affected\":\"1.3.1\"}]}]},"
	"{\"package\":{\"name\":\"libxml2\",\"ecosystem\":\"OSS-Fuzz\"},\"ranges\":[{\"type\":"
	"\"GIT\",\"repo\":\"r\",\"events\":[{\"introduced\":\"0\"},{\"fixed\":\"abc\"}]}],"
	"\"versions\":[]}]}";

/* ---- tests ------------------------------------------------------------------------------- */

static vouch_vulndb *
load_all(void)
{
	vouch_vulndb *db = fresh_db();
	vouch_import_stats st;
	logbuf lb;
	size_t gzlen;
	char *feed = nvd20_feed();
	unsigned char *gz = gzip_bytes(feed, &gzlen);

	assert_int_equal(import(db, write_file("nvd20.json.gz", gz, gzlen), &st, &lb), VOUCH_OK);
	free(gz);
	free(feed);
	assert_int_equal(st.records, 6);
	assert_int_equal(st.added, 6);
	assert_int_equal(import(db, write_text("nvd11.json", nvd11_feed), &st, &lb), VOUCH_OK);
	assert_int_equal(st.records, 2);
	assert_int_equal(st.added, 1);
	assert_int_equal(st.rejected, 1);
	assert_non_null(strstr(lb.text, "CVE-2099-1002"));
	assert_non_null(strstr(lb.text, "broken CPE"));
	assert_int_equal(import(db, write_text("cve5.json", cve5_array), &st, &lb), VOUCH_OK);
	assert_int_equal(st.added, 2);
	assert_int_equal(import(db, write_text("osv1.yaml", osv_yaml), &st, &lb), VOUCH_OK);
	assert_int_equal(st.added, 1);
	assert_int_equal(import(db, write_text("osv2.json", osv_json), &st, &lb), VOUCH_OK);
	assert_int_equal(st.added, 1);
	return db;
}

static void
test_ranges(void **state)
{
	vouch_vulndb *db = load_all();
	vouch_vuln_result *r = NULL;
	const vouch_vuln_match *m;

	(void)state;
	/* [3.0.0, 3.0.8): 3.0.0 and 3.0.7 in; 3.0.8, 2.9.9 and 1.1.1w out */
	assert_non_null(match1(db, &r, "openssl:openssl", "openssl", "3.0.0", "CVE-2099-0001"));
	m = match1(db, &r, "openssl:openssl", "openssl", "3.0.7", "CVE-2099-0001");
	assert_non_null(m);
	/* the Primary metric, not the first */
	assert_true(m->cvss3 > 9.7 && m->cvss3 < 9.9);
	assert_string_equal(m->severity, "critical");
	assert_string_equal(m->summary, "Summary of CVE-2099-0001");
	assert_non_null(strstr(m->reason, "versions from 3.0.0 (including) to 3.0.8 (excluding)"));
	assert_null(match1(db, &r, "openssl:openssl", "openssl", "3.0.8", "CVE-2099-0001"));
	assert_null(match1(db, &r, "openssl:openssl", "openssl", "2.9.9", "CVE-2099-0001"));
	/* vulnerable:false alone never matches */
	assert_null(match1(db, &r, "openssl:openssl", "openssl", "3.0.7", "CVE-2099-0003"));
	/* exact CPE versions, and the update field */
	assert_non_null(match1(db, &r, "busybox:busybox", "busybox", "1.35.0", "CVE-2099-0005"));
	assert_null(match1(db, &r, "busybox:busybox", "busybox", "1.35.1", "CVE-2099-0005"));
	assert_non_null(match1(db, &r, "openssl:openssl", "openssl", "1.0.1beta1", "CVE-2099-0005"));
	assert_null(match1(db, &r, "openssl:openssl", "openssl", "1.0.1", "CVE-2099-0005"));
	/* excluding start, including end */
	assert_null(match1(db, &r, "dropbear_ssh_project:dropbear_ssh", "dropbear", "2020.81",
			   "CVE-2099-0006"));
	assert_non_null(match1(db, &r, "dropbear_ssh_project:dropbear_ssh", "dropbear", "2022.83",
			       "CVE-2099-0006"));
	assert_null(match1(db, &r, "dropbear_ssh_project:dropbear_ssh", "dropbear", "2024.84",
			   "CVE-2099-0006"));
	/* a configuration made of another product alone is no match for "other:thing"'s
	 * neighbours, but is one for other:thing itself */
	assert_non_null(match1(db, &r, "other:thing", "thing", "1", "CVE-2099-0006"));
	vouch_vuln_result_free(r);
	vouch_vulndb_close(db);
}

static void
test_and_negate_children(void **state)
{
	vouch_vulndb *db = load_all();
	vouch_vuln_result *r = NULL;
	const vouch_vuln_match *m;

	(void)state;
	/* AND with a platform: matches on the application part, and says so */
	m = match1(db, &r, "haxx:curl", "curl", "7.40.0", "CVE-2099-0002");
	assert_non_null(m);
	assert_non_null(strstr(m->reason, "microsoft:windows"));
	assert_non_null(strstr(m->reason, "not checked against firmware contents"));
	assert_null(match1(db, &r, "haxx:curl", "curl", "7.47.0", "CVE-2099-0002"));
	/* the platform itself never matches through a vulnerable:false entry */
	assert_null(match1(db, &r, "microsoft:windows", "windows", "10", "CVE-2099-0002"));
	/* negate: openssl < 2.0 but not 1.0.2k */
	assert_non_null(match1(db, &r, "openssl:openssl", "openssl", "1.0.2j", "CVE-2099-0004"));
	assert_null(match1(db, &r, "openssl:openssl", "openssl", "1.0.2k", "CVE-2099-0004"));
	assert_null(match1(db, &r, "openssl:openssl", "openssl", "2.0", "CVE-2099-0004"));
	/* NVD 1.1 children nested three deep, AND with a platform */
	m = match1(db, &r, "thekelleys:dnsmasq", "dnsmasq", "2.82", "CVE-2099-1001");
	assert_non_null(m);
	assert_string_equal(m->cwe, "CWE-122");
	assert_string_equal(m->severity, "medium");
	assert_non_null(strstr(m->reason, "fedoraproject:fedora"));
	assert_null(match1(db, &r, "thekelleys:dnsmasq", "dnsmasq", "2.83", "CVE-2099-1001"));
	vouch_vuln_result_free(r);
	vouch_vulndb_close(db);
}

static void
test_cve5_osv_and_merge(void **state)
{
	vouch_vulndb *db = load_all();
	vouch_vuln_result *r = NULL;
	const vouch_vuln_match *m;
	const vouch_vuln_note *notes;
	size_t nn;
	static const char *const haxx[] = {"haxx:curl", "haxx:libcurl"};
	static const char *const curlcurl[] = {"curl:curl"};
	vouch_component cs[11];

	(void)state;
	/* NVD and CVE 5 both have CVE-2099-0001: one match, NVD's score, both reasons */
	m = match1(db, &r, "openssl:openssl", "openssl", "3.0.7", "CVE-2099-0001");
	assert_non_null(m);
	assert_true(m->cvss3 > 9.7);
	assert_non_null(strstr(m->reason, "NVD: "));
	assert_non_null(strstr(m->reason, "CVE 5: "));
	assert_non_null(strstr(m->cwe, "CWE-787"));
	assert_non_null(strstr(m->cwe, "CWE-843"));
	assert_non_null(strstr(m->source, "nvd-2.0 "));
	assert_non_null(strstr(m->source, "cve-5 "));
	vouch_vuln_result_free(r);
	r = NULL;

	/* CVE-2099-2001 in CVE 5 (curl:curl, 7.69.0..=8.3.0 but 7.88.1 unaffected) and in OSV
	 * as OSV-2099-1's alias (package "curl", tags curl-7_57_0, 7_58_0, 8_0_0) */
	cs[0] = comp("a", "curl", "8.3.0", "cpe:2.3:a:haxx:curl:8.3.0:*:*:*:*:*:*:*", NULL, 0);
	cs[1] = comp("b", "curl", "7.88.1", NULL, curlcurl, 1);
	cs[2] = comp("c", "curl", "7.57.0", NULL, haxx, 2);
	cs[3] = comp("d", "curl", "8.0.0", NULL, curlcurl, 1);
	cs[4] = comp("e", "curl", "8.3.0", NULL, curlcurl, 1);
	cs[5] = comp("f", "libfoo", "1.0", "cpe:2.3:a:foo:libfoo:1.0:*:*:*:*:*:*:*", NULL, 0);
	cs[6] = comp("g", "libfoo", "2.0", "cpe:2.3:a:foo:libfoo:2.0:*:*:*:*:*:*:*", NULL, 0);
	cs[7] = comp("h", "zlib", "1.2.11", NULL, NULL, 0);
	cs[8] = comp("i", "zlib", "1.2.12", NULL, NULL, 0);
	cs[9] = comp("j", "libxml2", "2.9.4", NULL, NULL, 0);
	cs[10] = comp("k", "zlib", NULL, NULL, NULL, 0);
	assert_int_equal(vouch_vulndb_match(db, cs, 11, &r), VOUCH_OK);
	/* haxx:curl 8.3.0: CVE 5 files it under curl:curl, and OSV does not list 8.3.0 */
	assert_null(find(r, "a", "CVE-2099-2001"));
	/* explicitly unaffected */
	assert_null(find(r, "b", "CVE-2099-2001"));
	/* OSV only (the tag list), under the CVE id, with the OSV id as alias */
	m = find(r, "c", "CVE-2099-2001");
	assert_non_null(m);
	assert_non_null(strstr(m->aliases, "OSV-2099-1"));
	assert_string_equal(m->severity, "high");
	assert_non_null(strstr(m->reason, "curl-7_57_0"));
	/* both CVE 5 and OSV: one match, CVE 5's CVSS v4 */
	m = find(r, "d", "CVE-2099-2001");
	assert_non_null(m);
	assert_true(m->cvss4 > 8.6 && m->cvss4 < 8.8);
	assert_non_null(strstr(m->reason, "CVE 5: "));
	assert_non_null(strstr(m->reason, "OSV: "));
	/* lessThanOrEqual includes its bound */
	assert_non_null(find(r, "e", "CVE-2099-2001"));
	/* defaultStatus affected through cpes[], an unaffected version excepted */
	m = find(r, "f", "CVE-2099-2001");
	assert_non_null(m);
	assert_non_null(strstr(m->reason, "default status"));
	assert_null(find(r, "g", "CVE-2099-2001"));
	/* OSV SEMVER: [1.2.0, 1.2.12) */
	assert_non_null(find(r, "h", "OSV-2099-2"));
	assert_null(find(r, "i", "OSV-2099-2"));
	/* git-only: a note, not a match */
	assert_null(find(r, "j", "OSV-2099-2"));
	notes = vouch_vuln_result_notes(r, &nn);
	assert_int_equal(nn, 1);
	assert_string_equal(notes[0].component_ref, "j");
	assert_string_equal(notes[0].id, "OSV-2099-2");
	assert_non_null(strstr(notes[0].why, "git"));
	/* no version: skipped and counted */
	assert_int_equal(vouch_vuln_result_skipped(r), 1);
	vouch_vuln_result_free(r);
	r = NULL;
	/* zlib 1.3.1 is last_affected (inclusive), 1.3.2 is not */
	assert_non_null(match1(db, &r, "x:y", "zlib", "1.3.1", "OSV-2099-2"));
	assert_null(match1(db, &r, "x:y", "zlib", "1.3.2", "OSV-2099-2"));
	vouch_vuln_result_free(r);
	vouch_vulndb_close(db);
}

static void
digest_and_count(vouch_vulndb *db, char out[65], uint64_t *records)
{
	vouch_vuln_result *r = NULL;
	const vouch_vulndb_info *in = NULL;

	assert_int_equal(vouch_vulndb_info_get(db, &r, &in), VOUCH_OK);
	snprintf(out, 65, "%s", in->digest);
	*records = in->records;
	vouch_vuln_result_free(r);
}

static void
test_reimport_and_update(void **state)
{
	vouch_vulndb *db = load_all();
	vouch_vuln_result *r = NULL;
	const vouch_vulndb_info *in = NULL;
	const vouch_vuln_match *m;
	vouch_import_stats st;
	logbuf lb;
	char d1[65], d2[65];
	uint64_t n1, n2;

	(void)state;
	digest_and_count(db, d1, &n1);
	assert_int_equal(n1, 11);
	/* the whole directory again: everything unchanged */
	write_text("README.md", "# not a feed, skipped in a directory walk\n");
	assert_int_equal(import(db, dir, &st, &lb), VOUCH_OK);
	assert_int_equal(st.files, 5);
	assert_int_equal(st.added, 0);
	assert_int_equal(st.updated, 0);
	assert_int_equal(st.unchanged, st.records - st.rejected);
	digest_and_count(db, d2, &n2);
	assert_string_equal(d1, d2);
	assert_int_equal(n1, n2);
	/* info: sources and years */
	assert_int_equal(vouch_vulndb_info_get(db, &r, &in), VOUCH_OK);
	assert_int_equal(in->nsources, 5);
	assert_int_equal(in->nyears, 1);
	assert_int_equal(in->years[0].year, 2099);
	for (size_t i = 0; i < in->nsources; i++) {
		if (strcmp(in->sources[i].format, "nvd-1.1") == 0) {
			assert_string_equal(in->sources[i].feed_time, "2099-02-01T07:00:00.000000Z");
			assert_int_equal(in->sources[i].records, 1);
		}
	}
	vouch_vuln_result_free(r);
	r = NULL;
	/* a newer copy of CVE-2099-0001 in NVD 1.1 shape replaces the 2.0 one (same kind):
	 * now fixed in 3.0.5 */
	assert_int_equal(
		import(db, write_text("newer.json",
				      "{\"CVE_data_timestamp\":\"2100-01-01T00:00Z\",\"CVE_Items\":[{"
				      "\"cve\":{\"CVE_data_meta\":{\"ID\":\"CVE-2099-0001\"}},"
				      "\"configurations\":{\"nodes\":[{\"operator\":\"OR\","
				      "\"cpe_match\":[{\"vulnerable\":true,\"cpe23Uri\":\""
				      CPE("openssl", "openssl", "*") "\",\"versionStartIncluding\":"
				      "\"3.0.0\",\"versionEndExcluding\":\"3.0.5\"}]}]},"
				      "\"lastModifiedDate\":\"2100-01-01T00:00Z\"}]}"),
		       &st, &lb),
		VOUCH_OK);
	assert_int_equal(st.updated, 1);
	digest_and_count(db, d2, &n2);
	assert_string_not_equal(d1, d2);
	assert_int_equal(n2, n1);
	/* 3.0.7: now only CVE 5 says so; 3.0.4: both */
	m = match1(db, &r, "openssl:openssl", "openssl", "3.0.7", "CVE-2099-0001");
	assert_non_null(m);
	assert_null(strstr(m->reason, "NVD: "));
	m = match1(db, &r, "openssl:openssl", "openssl", "3.0.4", "CVE-2099-0001");
	assert_non_null(m);
	assert_non_null(strstr(m->reason, "to 3.0.5 (excluding)"));
	/* an older copy changes nothing */
	assert_int_equal(import(db, write_text("older.json",
					       "{\"CVE_Items\":[{\"cve\":{\"CVE_data_meta\":{"
					       "\"ID\":\"CVE-2099-0001\"}},\"lastModifiedDate\":"
					       "\"1999-01-01T00:00Z\"}]}"),
			 &st, &lb),
			 VOUCH_OK);
	assert_int_equal(st.unchanged, 1);
	unlink(write_text("newer.json", ""));
	unlink(write_text("older.json", ""));
	vouch_vuln_result_free(r);
	vouch_vulndb_close(db);
}

static void
test_malformed(void **state)
{
	vouch_vulndb *db = fresh_db();
	vouch_import_stats st;
	logbuf lb;
	size_t gzlen, big = 10u << 20;
	char *feed = nvd20_feed();
	unsigned char *gz = gzip_bytes(feed, &gzlen);
	char *huge;
	char deep[8192];
	size_t o = 0;

	(void)state;
	/* not JSON, and JSON that is not a feed */
	assert_int_equal(import(db, write_text("bad1.json", "{\"vulnerabilities\": [1, 2"), &st, &lb),
			 VOUCH_E_MALFORMED);
	assert_non_null(strstr(vouch_vulndb_errmsg(db), "not valid JSON"));
	assert_int_equal(import(db, write_text("bad2.json", "{\"hello\": \"world\"}"), &st, &lb),
			 VOUCH_E_MALFORMED);
	assert_non_null(strstr(vouch_vulndb_errmsg(db), "not a known feed"));
	assert_int_equal(import(db, write_text("bad3.json", "[]"), &st, &lb), VOUCH_E_MALFORMED);
	assert_int_equal(import(db, write_text("empty.json", ""), &st, &lb), VOUCH_E_MALFORMED);
	/* truncated gzip: the file is refused whole, nothing imported */
	assert_int_equal(import(db, write_file("trunc.json.gz", gz, gzlen / 2), &st, &lb),
			 VOUCH_E_MALFORMED);
	assert_non_null(strstr(vouch_vulndb_errmsg(db), "truncated gzip"));
	assert_int_equal(st.added, 0);
	/* gzip with trailing garbage */
	gz[gzlen - 1] ^= 0xff; /* break the ISIZE trailer: zlib reports it */
	assert_int_equal(import(db, write_file("crc.json.gz", gz, gzlen), &st, &lb),
			 VOUCH_E_MALFORMED);
	free(gz);
	free(feed);
	/* a 10 MB id: that record refused, the file's other record still imported */
	huge = malloc(big + 512);
	assert_non_null(huge);
	o = (size_t)snprintf(huge, 512, "{\"vulnerabilities\":[{\"cve\":{\"id\":\"");
	memset(huge + o, 'A', big);
	o += big;
	o += (size_t)snprintf(huge + o, 512,
			      "\",\"lastModified\":\"2099-01-01T00:00:00\"}},{\"cve\":{\"id\":"
			      "\"CVE-2099-9999\",\"lastModified\":\"2099-01-01T00:00:00\"}}]}");
	assert_int_equal(import(db, write_file("huge.json", huge, o), &st, &lb), VOUCH_OK);
	assert_int_equal(st.rejected, 1);
	assert_int_equal(st.added, 1);
	assert_non_null(strstr(lb.text, "id of 10485760 bytes"));
	/* a 10 MB CPE string */
	o = (size_t)snprintf(huge, 512,
			     "{\"vulnerabilities\":[{\"cve\":{\"id\":\"CVE-2099-9998\","
			     "\"configurations\":[{\"nodes\":[{\"cpeMatch\":[{\"criteria\":\"cpe:2.3:a:");
	memset(huge + o, 'b', big);
	o += big;
	o += (size_t)snprintf(huge + o, 512, "\"}]}]}]}}]}");
	assert_int_equal(import(db, write_file("hugecpe.json", huge, o), &st, &lb), VOUCH_OK);
	assert_int_equal(st.rejected, 1);
	assert_non_null(strstr(lb.text, "bytes long"));
	free(huge);
	/* 100-deep NVD 1.1 children: refused (limit 64), no recursion */
	o = (size_t)snprintf(deep, sizeof(deep),
			     "{\"CVE_Items\":[{\"cve\":{\"CVE_data_meta\":{\"ID\":"
			     "\"CVE-2099-9997\"}},\"configurations\":{\"nodes\":[");
	for (int i = 0; i < 100; i++) {
		o += (size_t)snprintf(deep + o, sizeof(deep) - o, "{\"operator\":\"AND\",\"children\":[");
	}
	for (int i = 0; i < 100; i++) {
		o += (size_t)snprintf(deep + o, sizeof(deep) - o, "]}");
	}
	o += (size_t)snprintf(deep + o, sizeof(deep) - o, "]}}]}");
	assert_int_equal(import(db, write_file("deep.json", deep, o), &st, &lb), VOUCH_OK);
	assert_int_equal(st.rejected, 1);
	assert_non_null(strstr(lb.text, "nested more than"));
	/* an operator that is neither AND nor OR; an id with a space */
	assert_int_equal(import(db, write_text("op.json",
					       "{\"vulnerabilities\":[{\"cve\":{\"id\":\"CVE-2099-9996\","
					       "\"configurations\":[{\"nodes\":[{\"operator\":\"XOR\"}]}]}},"
					       "{\"cve\":{\"id\":\"CVE 2099\"}}]}"),
			 &st, &lb),
			 VOUCH_OK);
	assert_int_equal(st.rejected, 2);
	/* YAML: aliases refused (no expansion bombs); garbage */
	assert_int_equal(import(db, write_text("alias.yaml",
					       "id: &a OSV-1\nmodified: '2099-01-01T00:00:00Z'\n"
					       "aliases: [*a, *a]\naffected: []\n"),
			 &st, &lb),
			 VOUCH_E_MALFORMED);
	assert_non_null(strstr(vouch_vulndb_errmsg(db), "aliases are not accepted"));
	assert_int_equal(import(db, write_text("junk.yaml", "\t- : : [\n"), &st, &lb),
			 VOUCH_E_MALFORMED);
	/* a missing file */
	assert_int_equal(import(db, "/nonexistent/vouch/feed.json", &st, &lb), VOUCH_E_NOTFOUND);
	vouch_vulndb_close(db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_and_negate_children),
		cmocka_unit_test(test_cve5_osv_and_merge),
		cmocka_unit_test(test_reimport_and_update),
		cmocka_unit_test(test_malformed),
	};
	int rc;

	snprintf(dir, sizeof(dir), "%s/vouch-vulndb-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(dir) == NULL) {
		return 1;
	}
	snprintf(dbpath, sizeof(dbpath), "%s/db.sqlite", dir);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	{
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0) {
			rc = rc != 0 ? rc : 1;
		}
	}
	return rc;
}
