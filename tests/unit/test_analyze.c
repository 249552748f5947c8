/*
 * tests/unit/test_analyze.c: the analysis driver and the endpoint rules, alone.
 *
 * - Address scopes: the first and last address of every block of the IANA IPv4 and IPv6
 *   special-purpose registries (RFC 6890 and the RFCs that added blocks since), with the
 *   addresses just outside each block, typed in from the registries' tables.
 * - The IPv4 and host-name rules on the cases the issue names (versions, OIDs, file names).
 * - The findings collection: order, copies, the limit finding.
 * - Visitor chaining: every member sees every call, a refusing member sees no more.
 * - The driver: one file fed in chunks of every size from 1 byte to 4 KiB must give exactly
 *   the findings (ids and offsets) that the same file fed in one chunk gives, including
 *   matches cut by a chunk boundary.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "analyze/analyzer.h"
#include "analyze/endpoints.h"
#include "vouch/findings.h"

static uint32_t
ip4(const char *s)
{
	struct in_addr a;
	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return ntohl(a.s_addr);
}

static vouch_ipscope
sc6(const char *s)
{
	uint8_t a[16];
	assert_int_equal(inet_pton(AF_INET6, s, a), 1);
	return vouch_ip6_scope(a);
}

static void
test_ip4_scopes(void **st)
{
	static const struct {
		const char *ip;
		vouch_ipscope sc;
	} t[] = {
		{"0.0.0.0", VOUCH_IP_THISNET},        {"0.255.255.255", VOUCH_IP_THISNET},
		{"1.0.0.0", VOUCH_IP_PUBLIC},         {"9.255.255.255", VOUCH_IP_PUBLIC},
		{"10.0.0.0", VOUCH_IP_PRIVATE},       {"10.255.255.255", VOUCH_IP_PRIVATE},
		{"11.0.0.0", VOUCH_IP_PUBLIC},        {"100.63.255.255", VOUCH_IP_PUBLIC},
		{"100.64.0.0", VOUCH_IP_CGNAT},       {"100.127.255.255", VOUCH_IP_CGNAT},
		{"100.128.0.0", VOUCH_IP_PUBLIC},     {"127.0.0.0", VOUCH_IP_LOOPBACK},
		{"127.255.255.255", VOUCH_IP_LOOPBACK}, {"169.254.0.0", VOUCH_IP_LINKLOCAL},
		{"169.254.255.255", VOUCH_IP_LINKLOCAL}, {"169.255.0.0", VOUCH_IP_PUBLIC},
		{"172.15.255.255", VOUCH_IP_PUBLIC},  {"172.16.0.0", VOUCH_IP_PRIVATE},
		{"172.31.255.255", VOUCH_IP_PRIVATE}, {"172.32.0.0", VOUCH_IP_PUBLIC},
		{"192.0.0.0", VOUCH_IP_RESERVED},     {"192.0.0.255", VOUCH_IP_RESERVED},
		{"192.0.2.0", VOUCH_IP_DOC},          {"192.0.2.255", VOUCH_IP_DOC},
		{"192.0.3.0", VOUCH_IP_PUBLIC},       {"192.88.99.1", VOUCH_IP_RESERVED},
		{"192.168.0.0", VOUCH_IP_PRIVATE},    {"192.168.255.255", VOUCH_IP_PRIVATE},
		{"192.169.0.0", VOUCH_IP_PUBLIC},     {"198.17.255.255", VOUCH_IP_PUBLIC},
		{"198.18.0.0", VOUCH_IP_RESERVED},    {"198.19.255.255", VOUCH_IP_RESERVED},
		{"198.20.0.0", VOUCH_IP_PUBLIC},      {"198.51.100.0", VOUCH_IP_DOC},
		{"198.51.100.255", VOUCH_IP_DOC},     {"203.0.113.0", VOUCH_IP_DOC},
		{"203.0.113.255", VOUCH_IP_DOC},      {"203.0.114.0", VOUCH_IP_PUBLIC},
		{"223.255.255.255", VOUCH_IP_PUBLIC}, {"224.0.0.0", VOUCH_IP_MULTICAST},
		{"239.255.255.255", VOUCH_IP_MULTICAST}, {"240.0.0.0", VOUCH_IP_RESERVED},
		{"255.255.255.254", VOUCH_IP_RESERVED}, {"255.255.255.255", VOUCH_IP_BROADCAST},
	};
	(void)st;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (vouch_ip4_scope(ip4(t[i].ip)) != t[i].sc) {
			fail_msg("%s: %s, wanted %s", t[i].ip,
				 vouch_ipscope_str(vouch_ip4_scope(ip4(t[i].ip))),
				 vouch_ipscope_str(t[i].sc));
		}
	}
}

static void
test_ip6_scopes(void **st)
{
	(void)st;
	assert_int_equal(sc6("::"), VOUCH_IP_THISNET);
	assert_int_equal(sc6("::1"), VOUCH_IP_LOOPBACK);
	assert_int_equal(sc6("::ffff:10.1.2.3"), VOUCH_IP_PRIVATE);
	assert_int_equal(sc6("::ffff:8.8.8.8"), VOUCH_IP_PUBLIC);
	assert_int_equal(sc6("64:ff9b::808:808"), VOUCH_IP_RESERVED);
	assert_int_equal(sc6("100::1"), VOUCH_IP_RESERVED);
	assert_int_equal(sc6("2001::1"), VOUCH_IP_RESERVED);
	assert_int_equal(sc6("2001:1ff:ffff::1"), VOUCH_IP_RESERVED);   /* end of 2001::/23 */
	assert_int_equal(sc6("2001:200::1"), VOUCH_IP_PUBLIC);          /* just past it */
	assert_int_equal(sc6("2001:db8::1"), VOUCH_IP_DOC);
	assert_int_equal(sc6("2001:db9::1"), VOUCH_IP_PUBLIC);
	assert_int_equal(sc6("fc00::1"), VOUCH_IP_PRIVATE);
	assert_int_equal(sc6("fdff:ffff::1"), VOUCH_IP_PRIVATE);
	assert_int_equal(sc6("fe80::1"), VOUCH_IP_LINKLOCAL);
	assert_int_equal(sc6("febf:ffff::1"), VOUCH_IP_LINKLOCAL);
	assert_int_equal(sc6("fec0::1"), VOUCH_IP_RESERVED);
	assert_int_equal(sc6("ff02::1"), VOUCH_IP_MULTICAST);
	assert_int_equal(sc6("2a00:1450:4001:82b::200e"), VOUCH_IP_PUBLIC);
	assert_int_equal(sc6("3fff:ffff::1"), VOUCH_IP_PUBLIC);
	assert_int_equal(sc6("4000::1"), VOUCH_IP_RESERVED);
}

static bool
v4(const char *s, bool binary)
{
	uint32_t ip;
	const char *m = strpbrk(s, "0123456789");
	size_t len = strspn(m, "0123456789.");
	while (len > 0 && m[len - 1] == '.') {
		len--;
	}
	return vouch_ep_ipv4(s, strlen(s), (size_t)(m - s), len, binary, &ip);
}

/* The quad is the part of s after its last ':' or ' ' (for strings whose prefix has digits). */
static bool
v4_after(const char *s, bool binary)
{
	uint32_t ip;
	size_t at = strcspn(s, ": ") + 1;
	size_t len = strspn(s + at, "0123456789.");
	return vouch_ep_ipv4(s, strlen(s), at, len, binary, &ip);
}

static void
test_ipv4_rules(void **st)
{
	(void)st;
	assert_true(v4("server=203.0.114.9", false));
	assert_true(v4("ping 8.8.8.8", false));
	assert_true(v4("connect to 10.0.0.1:8080", true));
	assert_true(v4("dns 1.1.1.1", true));         /* single digits with a cue */
	assert_true(v4("at 192.168.1.1.", false));    /* end of a sentence */
	assert_false(v4("1.2.3.4", true));            /* single digits in a binary */
	assert_false(v4("OID 2.5.4.3", true));
	assert_false(v4("1.3.6.1.4.1", false));       /* a dotted run of six: an OID */
	/* OpenSSL's object table (libcrypto.so.3 of Debian 12) names its curves "X25519:1.3.101.110" */
	assert_false(v4_after("X25519:1.3.101.110", true));
	assert_false(v4_after("ED448:1.3.101.113", true));
	assert_false(v4("2.16.840.1", true));         /* joint-iso-itu-t country us */
	assert_true(v4_after("X25519:1.3.101.110", false)); /* in a text file, an address */
	assert_true(v4("server 1.3.101.110", true));  /* a cue word makes it one again */
	assert_true(v4("1.3.101.110:443", true));     /* and so does a port */
	assert_false(v4("v10.2.33.4", false));        /* a version */
	assert_false(v4("version 10.2.33.4", false));
	assert_false(v4("2.6.32.5-rc1", false));
	assert_false(v4("libfoo-1.22.3.4", false));
	assert_false(v4("1.256.3.4", false));         /* not an octet */
	assert_false(v4("10.01.2.3", false));         /* leading zero */
	assert_false(v4("mask 255.255.255.0", false)); /* netmask */
	assert_false(v4("route 10.0.0.0/8", false));  /* a network */
}

static void
test_hostnames(void **st)
{
	static const char *const yes[] = {"update.evil-c2.com", "pool.ntp.org", "a1.b2.co.uk",
					  "telemetry.vendor.io", "gnu.org"};
	static const char *const no[] = {"libc.so", "snmpd.conf", "busybox.sh", "setup.py",
					 "readme.md", "makefile.in", "libssl.so.3", "a..com",
					 "-a.com",     "1.2.com",   "foo.zip",   "index.html"};
	(void)st;
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!vouch_ep_hostname(yes[i], strlen(yes[i]))) {
			fail_msg("%s should be a host name", yes[i]);
		}
	}
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		if (vouch_ep_hostname(no[i], strlen(no[i]))) {
			fail_msg("%s should not be a host name", no[i]);
		}
	}
}

static void
test_mask_entropy(void **st)
{
	char out[16];
	(void)st;
	vouch_mask("hunter22", 8, out, sizeof(out));
	assert_string_equal(out, "hu***");
	vouch_mask("abc", 3, out, sizeof(out));
	assert_string_equal(out, "***");
	assert_true(vouch_str_entropy("aaaa", 4) == 0.0);
	assert_true(vouch_str_entropy("abcd", 4) == 2.0); /* log2(4) */
	assert_string_equal(vouch_severity_str(VOUCH_SEV_CRITICAL), "critical");
}

static void
test_findings(void **st)
{
	vouch_findings *fs;
	size_t n;
	char path[32];
	(void)st;
	assert_int_equal(vouch_findings_new(&fs), VOUCH_OK);
	for (int i = 0; i < 5; i++) {
		snprintf(path, sizeof(path), "img/%c", 'e' - i);
		vouch_finding f = {.id = "x.y", .category = "x", .title = "t", .path = path,
				   .offset = (uint64_t)i};
		assert_int_equal(vouch_findings_add(fs, &f), VOUCH_OK);
	}
	path[0] = 0; /* the collection owns copies */
	const vouch_finding *l = vouch_findings_list(fs, &n);
	assert_int_equal(n, 5);
	assert_string_equal(l[0].path, "img/a");
	assert_string_equal(l[4].path, "img/e");
	vouch_findings_free(fs);

	/* past the limit: adds fail with VOUCH_E_LIMIT and one limit finding is listed */
	assert_int_equal(vouch_findings_new(&fs), VOUCH_OK);
	int rc = VOUCH_OK;
	size_t added = 0;
	for (size_t i = 0; i < 200000 && rc == VOUCH_OK; i++) {
		vouch_finding f = {.id = "x.y", .category = "x", .title = "t", .path = "p"};
		rc = vouch_findings_add(fs, &f);
		added += rc == VOUCH_OK;
	}
	assert_int_equal(rc, VOUCH_E_LIMIT);
	l = vouch_findings_list(fs, &n);
	assert_int_equal(n, added + 1);
	assert_string_equal(l[0].id, "limit.findings");
	vouch_findings_free(fs);
}

/* ---- visitor chain ---- */

typedef struct counter {
	int begin, data, end;
	bool refuse;
} counter;

static int
c_begin(void *ud, const vouch_file *f, void **state)
{
	counter *c = ud;
	(void)f;
	c->begin++;
	*state = c;
	return c->refuse ? VOUCH_E_UNSUPPORTED : VOUCH_OK;
}
static int
c_data(void *ud, void *state, const uint8_t *p, size_t n, uint64_t off)
{
	counter *c = ud;
	(void)p;
	(void)n;
	(void)off;
	assert_ptr_equal(state, ud);
	c->data++;
	return VOUCH_OK;
}
static int
c_end(void *ud, void *state, const vouch_file *f)
{
	counter *c = ud;
	(void)f;
	assert_ptr_equal(state, ud);
	c->end++;
	return VOUCH_OK;
}

static void
test_chain(void **st)
{
	counter a = {0}, b = {0}, c = {.refuse = true};
	vouch_visitor v[3] = {{&a, c_begin, c_data, c_end}, {&b, c_begin, c_data, c_end},
			      {&c, c_begin, c_data, c_end}};
	vouch_visitor ch;
	vouch_file f = {.path = "x", .ftype = VOUCH_FT_REG};
	void *s;
	(void)st;
	assert_int_equal(vouch_visitor_chain(v, 3, &ch), VOUCH_OK);
	for (int k = 0; k < 2; k++) {
		assert_int_equal(ch.file_begin(ch.ud, &f, &s), VOUCH_OK);
		ch.file_data(ch.ud, s, (const uint8_t *)"ab", 2, 0);
		ch.file_data(ch.ud, s, (const uint8_t *)"cd", 2, 2);
		ch.file_end(ch.ud, s, &f);
	}
	assert_int_equal(a.begin, 2);
	assert_int_equal(a.data, 4);
	assert_int_equal(a.end, 2);
	assert_int_equal(b.data, 4);
	assert_int_equal(c.begin, 2);
	assert_int_equal(c.data, 0);
	assert_int_equal(c.end, 0);
	vouch_visitor_chain_free(&ch);
	assert_null(ch.ud);
}

/* ---- the driver: chunking must not change what is found ---- */

static char *
run_driver(const uint8_t *p, size_t n, size_t chunk)
{
	vouch_findings *fs;
	vouch_analysis *a;
	vouch_analysis_opts o = {0};
	vouch_visitor v;
	vouch_file f = {.path = "img/etc/x.conf", .ftype = VOUCH_FT_REG, .size = n};
	void *s;
	size_t nf, cap = 1 << 16, k = 0;
	char *out = malloc(cap);

	assert_non_null(out);
	assert_int_equal(vouch_findings_new(&fs), VOUCH_OK);
	assert_int_equal(vouch_analysis_new(&a, &o, fs), VOUCH_OK);
	vouch_analysis_visitor(a, &v);
	assert_int_equal(v.file_begin(v.ud, &f, &s), VOUCH_OK);
	for (size_t off = 0; off < n; off += chunk) {
		size_t m = n - off < chunk ? n - off : chunk;
		assert_int_equal(v.file_data(v.ud, s, p + off, m, off), VOUCH_OK);
	}
	v.file_end(v.ud, s, &f);
	assert_int_equal(vouch_analysis_finish(a, NULL), VOUCH_OK);
	const vouch_finding *l = vouch_findings_list(fs, &nf);
	out[0] = 0;
	for (size_t i = 0; i < nf && k < cap - 200; i++) {
		k += (size_t)snprintf(out + k, cap - k, "%s@%llu %s\n", l[i].id,
				      (unsigned long long)l[i].offset, l[i].evidence ? l[i].evidence : "");
	}
	vouch_analysis_free(a);
	vouch_findings_free(fs);
	return out;
}

static void
test_driver_chunks(void **st)
{
	/* a text file with findings spread over ~20 KiB so that small chunks cut them */
	size_t cap = 24000, n = 0;
	uint8_t *p = malloc(cap);
	(void)st;
	assert_non_null(p);
	for (int i = 0; n + 200 < cap; i++) {
		n += (size_t)snprintf((char *)p + n, cap - n,
				      "# line %d of filler text to move things along\n"
				      "server=203.0.%d.%d\nurl=http://192.0.2.%d/x\n",
				      i, 114 + i % 50, i % 250, i % 250);
		if (i % 10 == 0) {
			n += (size_t)snprintf((char *)p + n, cap - n, "password=Zx9%dqW#%d\n", i, i * 7);
		}
	}
	char *ref = run_driver(p, n, n);
	assert_true(strstr(ref, "endpoint.ip-public@") != NULL);
	assert_true(strstr(ref, "secret.password@") != NULL);
	assert_true(strstr(ref, "endpoint.cleartext-url@") != NULL);
	static const size_t sizes[] = {1, 2, 3, 7, 64, 255, 256, 257, 1000, 4096, 8191, 8193};
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		char *got = run_driver(p, n, sizes[i]);
		if (strcmp(got, ref) != 0) {
			fail_msg("chunk size %zu gives different findings", sizes[i]);
		}
		free(got);
	}
	free(ref);
	free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ip4_scopes),   cmocka_unit_test(test_ip6_scopes),
		cmocka_unit_test(test_ipv4_rules),   cmocka_unit_test(test_hostnames),
		cmocka_unit_test(test_mask_entropy), cmocka_unit_test(test_findings),
		cmocka_unit_test(test_chain),        cmocka_unit_test(test_driver_chunks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
