/*
 * fuzz/fuzz_policy.c: libFuzzer harness for the policy loader (lab/policy.c, through it the
 * YAML reader vuln/yaml.c and the matchers of lab/match.c) and the verdict (lab/verdict.c).
 *
 * Each input (at most 256 KiB) is a policy text, JSON or YAML as the loader decides.
 * Properties, asserted with abort():
 *   - the loader answers OK or MALFORMED (LIMIT only past VOUCH_POLICY_MAX_BYTES), with a
 *     reason whenever it refuses, and never fills *out on a refusal;
 *   - an accepted policy normalises, and its normal form loads again and normalises to the
 *     same text (the normal form is a fixed point: no rule is lost or changed by it);
 *   - applied to a fixed report holding every kind of finding the rules look at (endpoints
 *     with and without countries, in URLs and as bare addresses, hardening findings under
 *     containers, vulnerabilities with CVSS 3, CVSS 4, severity only, VEX), the verdict is
 *     produced, and it is the same at a time before every waiver's expiry date and after
 *     it only in the waivers' statuses and the reasons they waived.
 * Rejected: fuzzing the report side with this harness (reports are written by vouch scan;
 * the report reader is bounded by jansson and exercised by the unit tests' malformed
 * reports); a second harness would split the corpus for little gain.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vouch/policy.h"

#define FUZZ_MAX_INPUT (256u << 10)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char report[] =
	"{\"tool\": \"vouch\", \"report_version\": 1, \"image\": \"fw.bin\","
	" \"inventory\": {\"file_list\": ["
	"  {\"path\": \"fw.bin\", \"kind\": \"file\"},"
	"  {\"path\": \"fw.bin/squashfs@0x10000/usr/sbin/httpd\", \"kind\": \"file\"},"
	"  {\"path\": \"fw.bin/squashfs@0x10000/lib/libc.so\", \"kind\": \"file\"}]},"
	" \"findings\": ["
	"  {\"id\": \"service.bind-shell\", \"severity\": \"critical\", \"path\":"
	"   \"fw.bin/squashfs@0x10000/etc/init.d/rcS\", \"offset\": 10, \"evidence\":"
	"   \"telnetd -l /bin/sh\", \"detail\": \"line=2; program=telnetd\"},"
	"  {\"id\": \"account.default-password\", \"severity\": \"critical\", \"path\":"
	"   \"fw.bin/squashfs@0x10000/etc/shadow\", \"offset\": 0, \"evidence\": \"root:$1$\","
	"   \"detail\": null},"
	"  {\"id\": \"key.private-key\", \"severity\": \"high\", \"path\":"
	"   \"fw.bin/squashfs@0x10000/etc/ssl/k.pem\", \"offset\": 0, \"evidence\": null,"
	"   \"detail\": null},"
	"  {\"id\": \"endpoint.cleartext-url\", \"severity\": \"high\", \"path\":"
	"   \"fw.bin/squashfs@0x10000/etc/cloud.conf\", \"offset\": 7, \"evidence\":"
	"   \"server=http://203.0.113.80/update\", \"detail\":"
	"   \"value=http://203.0.113.80; scope=public; scheme=http; country=CN\"},"
	"  {\"id\": \"endpoint.url\", \"severity\": \"info\", \"path\":"
	"   \"fw.bin/squashfs@0x10000/usr/sbin/httpd\", \"offset\": 99, \"evidence\":"
	"   \"see https://updates.vendor.example/fw/x.bin\", \"detail\":"
	"   \"value=https://updates.vendor.example; scope=public; scheme=https\"},"
	"  {\"id\": \"endpoint.ip-public\", \"severity\": \"medium\", \"path\":"
	"   \"fw.bin/squashfs@0x10000/usr/sbin/httpd\", \"offset\": 120, \"evidence\":"
	"   \"2001:db8::5\", \"detail\": \"value=2001:db8::5; scope=public; country=DE\"},"
	"  {\"id\": \"endpoint.ip-private\", \"severity\": \"info\", \"path\":"
	"   \"fw.bin/squashfs@0x10000/usr/sbin/httpd\", \"offset\": 130, \"evidence\":"
	"   \"10.0.0.1\", \"detail\": \"value=10.0.0.1; scope=private\"},"
	"  {\"id\": \"endpoint.host\", \"severity\": \"info\", \"path\":"
	"   \"fw.bin/squashfs@0x10000/usr/sbin/httpd\", \"offset\": 140, \"evidence\":"
	"   \"# ntp.vendor.example\", \"detail\":"
	"   \"value=ntp.vendor.example; scope=public; in=comment\"},"
	"  {\"id\": \"hardening.no-nx\", \"severity\": \"medium\", \"path\":"
	"   \"fw.bin/squashfs@0x10000/usr/sbin/httpd\", \"offset\": null, \"evidence\": null,"
	"   \"detail\": \"kind=exec; stack=exec\"},"
	"  {\"id\": \"hardening.no-relro\", \"severity\": \"low\", \"path\":"
	"   \"fw.bin/squashfs@0x10000/lib/libc.so\", \"offset\": null, \"evidence\": null,"
	"   \"detail\": \"kind=shared; relro=none\"},"
	"  {\"id\": \"limit.matches\", \"severity\": \"low\", \"path\": \"fw.bin\","
	"   \"offset\": null, \"evidence\": null, \"detail\": null}],"
	" \"vulnerabilities\": ["
	"  {\"id\": \"CVE-2022-28391\", \"component\": \"busybox\", \"version\": \"1.35.0\","
	"   \"aliases\": null, \"severity\": \"high\", \"cvss3\": 8.8, \"cvss4\": null,"
	"   \"vex\": null},"
	"  {\"id\": \"OSV-2022-785\", \"component\": \"dnsmasq\", \"version\": \"2.90\","
	"   \"aliases\": [\"GHSA-aaaa-bbbb-cccc\"], \"severity\": \"high\", \"cvss3\": null,"
	"   \"cvss4\": 9.3, \"vex\": null},"
	"  {\"id\": \"CVE-2023-45853\", \"component\": \"zlib\", \"version\": \"1.2.13\","
	"   \"aliases\": null, \"severity\": null, \"cvss3\": null, \"cvss4\": null,"
	"   \"vex\": \"not_affected\"}]}";

static void
check_apply(const vouch_policy *p)
{
	char *a = NULL, *b = NULL, why[512];
	vouch_verdict va, vb;
	int rc;

	/* 1970 (before any waiver's expiry) and 9999-12-31 (after every one) */
	rc = vouch_policy_apply(p, report, sizeof(report) - 1, 0, &va, &a, why, sizeof(why));
	if (rc != VOUCH_OK || a == NULL) {
		abort();
	}
	rc = vouch_policy_apply(p, report, sizeof(report) - 1, (int64_t)253402300799, &vb, &b,
				why, sizeof(why));
	if (rc != VOUCH_OK || b == NULL) {
		abort();
	}
	/* expired waivers only ever add reasons: the later verdict is never better */
	if (vb < va) {
		abort();
	}
	free(a);
	free(b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vouch_policy *p = NULL, *q = NULL;
	char why[512], *n1 = NULL, *n2 = NULL;
	int rc;

	if (size > FUZZ_MAX_INPUT) {
		return 0;
	}
	why[0] = '\0';
	rc = vouch_policy_load((const char *)data, size, &p, why, sizeof(why));
	if (rc != VOUCH_OK) {
		if ((rc != VOUCH_E_MALFORMED && rc != VOUCH_E_NOMEM) || p != NULL || why[0] == '\0') {
			abort();
		}
		return 0;
	}
	if (vouch_policy_name(p) == NULL || vouch_policy_normalized(p, &n1) != VOUCH_OK) {
		abort();
	}
	rc = vouch_policy_load(n1, strlen(n1), &q, why, sizeof(why));
	if (rc != VOUCH_OK) {
		fprintf(stderr, "normal form refused: %s\n%s\n", why, n1);
		abort();
	}
	if (vouch_policy_normalized(q, &n2) != VOUCH_OK || strcmp(n1, n2) != 0) {
		fprintf(stderr, "normal form not a fixed point:\n%s\n%s\n", n1, n2 ? n2 : "");
		abort();
	}
	check_apply(p);
	free(n1);
	free(n2);
	vouch_policy_free(p);
	vouch_policy_free(q);
	return 0;
}
