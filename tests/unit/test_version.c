/*
 * tests/unit/test_version.c: the order of embedded version strings (vouch_version_cmp) and
 * the normalisation of release tags.
 *
 * Independent data: each chain below is a real project's release sequence in the order the
 * project published it (OpenSSL's release history incl. letter releases and pre-releases,
 * OpenSSH's portable releases, Dropbear's year.N releases, dnsmasq's test/rc/final cycle,
 * curl's 7.88.x / 8.x, BusyBox, zlib, Alpine package revisions). The chains are written out
 * by hand from those histories, not produced by vouch. Shuffling and sorting a chain with
 * vouch_version_cmp must give it back; every pair inside a chain must compare as the chain
 * says. Over the union of all strings (about 130), the order must be a total order:
 * antisymmetric (sign(a,b) == -sign(b,a), 0 only for identical strings) and transitive
 * (every triple), checked exhaustively.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vouch/vuln.h"
#include "vuln/vuln_int.h"

static const char *const openssl[] = {
	"0.9.8",   "0.9.8a",  "0.9.8h",  "0.9.8y",  "0.9.8z",  "0.9.8za", "0.9.8zh",
	"1.0.0",   "1.0.0a",  "1.0.0t",  "1.0.1",   "1.0.1a",  "1.0.1u",  "1.0.2",
	"1.0.2a",  "1.0.2k",  "1.0.2k-fips", "1.0.2u", "1.1.0-pre1", "1.1.0", "1.1.0l",
	"1.1.1-pre9", "1.1.1", "1.1.1a", "1.1.1t", "1.1.1w", "3.0.0-alpha1", "3.0.0-beta2",
	"3.0.0",   "3.0.7",   "3.0.8",   "3.0.11",  "3.0.19",  "3.1.0",   "3.2.0",
};
static const char *const openssh[] = {
	"7.4p1", "7.9p1", "8.0p1", "8.9",   "8.9p1", "9.0p1", "9.3p2", "9.6p1", "9.8p1", "10.0p1",
};
static const char *const dropbear[] = {
	"0.52", "2011.54", "2016.74", "2019.78", "2020.81", "2022.82", "2022.83", "2024.84",
};
static const char *const dnsmasq[] = {
	"2.9", "2.45", "2.78", "2.86test5", "2.86test6", "2.86rc1", "2.86rc3", "2.86", "2.89", "2.90",
};
static const char *const curl[] = {
	"7.9.8", "7.50.0", "7.57.0", "7.88.0", "7.88.1", "7.88.9", "7.88.10", "8.0.0", "8.0.1",
	"8.15.0-rc2", "8.15.0",
};
static const char *const busybox[] = {
	"1.2.0", "1.19.4", "1.30.1", "1.35.0", "1.36.1",
};
static const char *const zlib[] = {
	"1.2.3", "1.2.8", "1.2.11", "1.2.12", "1.2.13", "1.3", "1.3.1",
};
static const char *const alpine[] = {
	"2.4.56", "2.4.57", "2.4.57-r0", "2.4.57-r1", "2.4.57-r10", "2.4.58",
};
static const char *const cpe_specials[] = {
	"", "-", "*", "0", "0.1",
};

static const struct chain {
	const char *const *v;
	size_t n;
} chains[] = {
	{openssl, sizeof(openssl) / sizeof(openssl[0])},
	{openssh, sizeof(openssh) / sizeof(openssh[0])},
	{dropbear, sizeof(dropbear) / sizeof(dropbear[0])},
	{dnsmasq, sizeof(dnsmasq) / sizeof(dnsmasq[0])},
	{curl, sizeof(curl) / sizeof(curl[0])},
	{busybox, sizeof(busybox) / sizeof(busybox[0])},
	{zlib, sizeof(zlib) / sizeof(zlib[0])},
	{alpine, sizeof(alpine) / sizeof(alpine[0])},
	{cpe_specials, sizeof(cpe_specials) / sizeof(cpe_specials[0])},
};

static int
sgn(int v)
{
	return (v > 0) - (v < 0);
}

static void
test_named_cases(void **state)
{
	(void)state;
	/* the cases the issue names */
	assert_true(vouch_version_cmp("1.1.1w", "1.1.1t") > 0);
	assert_true(vouch_version_cmp("1.1.1t", "1.1.1") > 0);
	assert_true(vouch_version_cmp("2022.83", "2020.81") > 0);
	assert_true(vouch_version_cmp("7.88.1", "7.88.10") < 0);
	assert_true(vouch_version_cmp("8.9p1", "8.9") > 0);
	assert_true(vouch_version_cmp("8.9p1", "9.0p1") < 0);
	assert_true(vouch_version_cmp("2.4.57-r1", "2.4.57") > 0);
	assert_true(vouch_version_cmp("2.4.57-r1", "2.4.58") < 0);
	assert_true(vouch_version_cmp("1.0.2k-fips", "1.0.2k") > 0);
	assert_true(vouch_version_cmp("1.0.2k-fips", "1.0.2l") < 0);
	assert_true(vouch_version_cmp("3.0.11", "3.0.9") > 0);
	assert_true(vouch_version_cmp("2.90", "2.9") > 0);
	assert_true(vouch_version_cmp("2.90", "2.89") > 0);
	assert_true(vouch_version_cmp("1.2.13", "1.2.3") > 0);
	assert_true(vouch_version_cmp("1.35.0", "1.4.0") > 0);
	/* CPE logical values sort before any version, "-" before "*" */
	assert_true(vouch_version_cmp("*", "0") < 0);
	assert_true(vouch_version_cmp("-", "*") < 0);
	assert_true(vouch_version_cmp("-", "0.0.1") < 0);
	assert_int_equal(vouch_version_cmp("*", "*"), 0);
	/* pre-releases before the release */
	assert_true(vouch_version_cmp("3.0.0-alpha1", "3.0.0") < 0);
	assert_true(vouch_version_cmp("3.0.0-beta1", "3.0.0-alpha9") > 0);
	assert_true(vouch_version_cmp("1.0.0-rc1", "1.0.0") < 0);
	assert_true(vouch_version_cmp("2.86rc1", "2.86test6") > 0);
	/* numbers of any length, no overflow */
	assert_true(vouch_version_cmp("1.99999999999999999999999999", "1.100000000000000000000000000") < 0);
	/* equal only when identical; loose equality for spelling differences */
	assert_int_equal(vouch_version_cmp("1.2.3", "1.2.3"), 0);
	assert_int_not_equal(vouch_version_cmp("1.01", "1.1"), 0);
	assert_int_equal(vouch_version_cmp_loose("1.01", "1.1"), 0);
	assert_int_equal(vouch_version_cmp_loose("1.0.2K", "1.0.2k"), 0);
	assert_int_equal(vouch_version_cmp_loose("2.4.57-r1", "2.4.57.r1"), 0);
	/* case: NULL never crashes */
	assert_true(vouch_version_cmp(NULL, "1") < 0);
	assert_true(vouch_version_cmp("1", NULL) > 0);
}

static int
qcmp(const void *a, const void *b)
{
	return vouch_version_cmp(*(const char *const *)a, *(const char *const *)b);
}

static void
test_chains_sort_back(void **state)
{
	(void)state;
	srand(12345);
	for (size_t c = 0; c < sizeof(chains) / sizeof(chains[0]); c++) {
		const char **v = malloc(chains[c].n * sizeof(*v));

		assert_non_null(v);
		for (size_t i = 0; i < chains[c].n; i++) {
			v[i] = chains[c].v[i];
		}
		for (int round = 0; round < 20; round++) {
			for (size_t i = chains[c].n; i > 1; i--) {
				size_t j = (size_t)rand() % i;
				const char *t = v[i - 1];

				v[i - 1] = v[j];
				v[j] = t;
			}
			qsort(v, chains[c].n, sizeof(*v), qcmp);
			for (size_t i = 0; i < chains[c].n; i++) {
				if (strcmp(v[i], chains[c].v[i]) != 0) {
					fail_msg("chain %zu position %zu: got %s, want %s", c, i, v[i],
						 chains[c].v[i]);
				}
			}
		}
		for (size_t i = 0; i < chains[c].n; i++) {
			for (size_t j = 0; j < chains[c].n; j++) {
				int want = i < j ? -1 : i > j;

				if (sgn(vouch_version_cmp(chains[c].v[i], chains[c].v[j])) != want) {
					fail_msg("%s vs %s: want %d", chains[c].v[i], chains[c].v[j], want);
				}
			}
		}
		free(v);
	}
}

static void
test_total_order(void **state)
{
	const char *all[256];
	size_t n = 0;
	static const char *const extra[] = {
		"v2.4", "2.4", "2.4.0", "02.4", "2.4a", "2.4-a", "2.4.a", "2.4_1", "2.4~rc1",
		"1:2.4", "2.4+dfsg", "2.4-1ubuntu1", "dev", "snapshot", "git", "1.0\xc3\xa9",
		"1.0.0.0.0.0.1", "10", "9.9.9", "a", "A", "1.0-FIPS", "1.0-fips", "20240101",
		"r1", "p1", "1..2", "..", "-1", "1-", "1.2.3-beta.11", "1.2.3-beta.2",
	};

	(void)state;
	for (size_t c = 0; c < sizeof(chains) / sizeof(chains[0]); c++) {
		for (size_t i = 0; i < chains[c].n; i++) {
			all[n++] = chains[c].v[i];
		}
	}
	for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
		all[n++] = extra[i];
	}
	assert_true(n < sizeof(all) / sizeof(all[0]));
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < n; j++) {
			int a = sgn(vouch_version_cmp(all[i], all[j]));
			int b = sgn(vouch_version_cmp(all[j], all[i]));
			int la = sgn(vouch_version_cmp_loose(all[i], all[j]));

			if (a != -b) {
				fail_msg("antisymmetry: %s vs %s", all[i], all[j]);
			}
			if ((a == 0) != (strcmp(all[i], all[j]) == 0)) {
				fail_msg("0 for different strings: %s vs %s", all[i], all[j]);
			}
			/* the strict order refines the loose one */
			if (la != 0 && la != a) {
				fail_msg("strict and loose disagree: %s vs %s", all[i], all[j]);
			}
		}
	}
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < n; j++) {
			if (vouch_version_cmp(all[i], all[j]) > 0) {
				continue;
			}
			for (size_t k = 0; k < n; k++) {
				if (vouch_version_cmp(all[j], all[k]) <= 0 &&
				    vouch_version_cmp(all[i], all[k]) > 0) {
					fail_msg("transitivity: %s <= %s <= %s", all[i], all[j], all[k]);
				}
				/* the loose preorder is transitive too */
				if (vouch_version_cmp_loose(all[i], all[j]) <= 0 &&
				    vouch_version_cmp_loose(all[j], all[k]) <= 0 &&
				    vouch_version_cmp_loose(all[i], all[k]) > 0) {
					fail_msg("loose transitivity: %s %s %s", all[i], all[j], all[k]);
				}
			}
		}
	}
}

static void
test_tags(void **state)
{
	static const char *const cases[][2] = {
		{"curl-7_50_0", "7.50.0"},       {"OpenSSL_1_1_1w", "1.1.1w"},
		{"openssl-3.0.11", "3.0.11"},    {"v2.4", "2.4"},
		{"hostap_2_10", "2.10"},         {"rc-8_15_0-2", "8.15.0-rc2"},
		{"v2.86test5", "2.86test5"},     {"OpenSSL_1_0_2-beta1", "1.0.2-beta1"},
		{"v5.9.4.pre2", "5.9.4.pre2"},   {"no-digits", "no-digits"},
		{"", ""},
	};
	char out[64];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		vouch_vuln_tag_to_version(cases[i][0], out, sizeof(out));
		assert_string_equal(out, cases[i][1]);
	}
	/* tags normalise into the right order */
	vouch_vuln_tag_to_version("curl-7_88_1", out, sizeof(out));
	assert_true(vouch_version_cmp(out, "7.88.10") < 0);
	vouch_vuln_tag_to_version("rc-8_15_0-2", out, sizeof(out));
	assert_true(vouch_version_cmp(out, "8.15.0") < 0);
	/* a small buffer truncates, never overflows */
	assert_int_equal(vouch_vuln_tag_to_version("curl-7_50_0", out, 3), 2);
	assert_string_equal(out, "7.");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_named_cases),
		cmocka_unit_test(test_chains_sort_back),
		cmocka_unit_test(test_total_order),
		cmocka_unit_test(test_tags),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
