/*
 * tests/unit/test_accounts.c: the accounts analyser (lib/analyze/accounts.c), driven through
 * the stand-in driver of harness_text.c.
 *
 * Planted fixtures are built here: password hashes are made in the test with libcrypt's
 * crypt_r for DES, MD5-crypt and SHA-512-crypt, and independently with `openssl passwd`
 * (OpenSSL's own MD5-crypt and SHA-crypt code) when the openssl program is present, so the
 * cracker is checked against hashes it did not make. A strong random password (from
 * /dev/urandom) must never be reported. Expected offsets are found with strstr in the fixture
 * text, not taken from the analyser.
 * Real content: the OpenWrt-like tree that tests/fixtures/make-fixtures.sh builds plants root's
 * password "admin" as $1$wEehtjxj$... (the test re-derives that hash with openssl to confirm
 * the expectation); the tree of 26 real Debian packages (sbom fixture) must give no high or
 * critical finding. Both are located through VOUCH_FIXTURES and skipped when absent.
 * Hostile: a 10 MB passwd of 100,000 lines plus 1 MB lines and NUL bytes, 10,000 hashes to
 * crack under a 1-second budget (the time is asserted), absurd cost parameters, and several
 * threads feeding files at once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <crypt.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness_text.h"
#include "base/base.h"

/* ---- helpers ----------------------------------------------------------------------------- */

static char *
mkhash(const char *prefix, const char *pw)
{
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data *cd = calloc(1, sizeof *cd);
	assert_non_null(cd);
	assert_non_null(crypt_gensalt_rn(prefix, 0, NULL, 0, salt, sizeof salt));
	const char *h = crypt_r(pw, salt, cd);
	assert_non_null(h);
	assert_true(h[0] != '*');
	char *r = strdup(h);
	free(cd);
	return r;
}

static void
random_password(char *out, size_t n)
{
	static const char al[] = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
	FILE *f = fopen("/dev/urandom", "rb");
	assert_non_null(f);
	for (size_t i = 0; i + 1 < n; i++) {
		int c = fgetc(f);
		out[i] = al[(unsigned)c % (sizeof al - 1)];
	}
	out[n - 1] = 0;
	fclose(f);
}

/* Offset of the line that contains `needle` in text. */
static uint64_t
off_of(const char *text, const char *needle)
{
	const char *p = strstr(text, needle);
	assert_non_null(p);
	while (p > text && p[-1] != '\n') {
		p--;
	}
	return (uint64_t)(p - text);
}

static vouch_findings *
run(const stub_file *files, size_t n, double crack_s, bool reveal)
{
	vouch_findings *fs;
	vouch_analysis_opts o = {0};
	o.crack_seconds = crack_s;
	o.reveal_secrets = reveal;
	assert_int_equal(vouch_findings_new(&fs), VOUCH_OK);
	assert_int_equal(stub_run(&vouch_analyzer_accounts, &o, files, n, fs), VOUCH_OK);
	return fs;
}

static size_t
count_sev(vouch_findings *fs, vouch_severity min)
{
	size_t n, c = 0;
	const vouch_finding *v = vouch_findings_list(fs, &n);
	for (size_t i = 0; i < n; i++) {
		c += v[i].severity >= min;
	}
	return c;
}

/* Run `openssl passwd ARGS` and return its line (malloc'd), or NULL when unavailable. */
static char *
openssl_passwd(const char *args)
{
	char cmd[256], buf[256];
	snprintf(cmd, sizeof cmd, "openssl passwd %s 2>/dev/null", args);
	FILE *p = popen(cmd, "r");
	if (!p) {
		return NULL;
	}
	char *r = fgets(buf, sizeof buf, p);
	int st = pclose(p);
	if (!r || st != 0) {
		return NULL;
	}
	buf[strcspn(buf, "\n")] = 0;
	return strdup(buf);
}

/* ---- planted --------------------------------------------------------------------------- */

static void
planted_with(const char *prefix, const char *scheme_name, int weak_sev)
{
	char strong[21], passwd[512], shadow[1024];
	random_password(strong, sizeof strong);
	char *hroot = mkhash(prefix, "xc3511");
	char *hadm = mkhash(prefix, strong);
	snprintf(passwd, sizeof passwd,
		 "root:x:0:0:root:/root:/bin/ash\n"
		 "daemon:*:1:1:daemon:/usr/sbin:/bin/false\n"
		 "backdoor::0:0::/root:/bin/sh\n"
		 "admin:x:1000:1000::/home/admin:/bin/sh\n"
		 "nobody:x:65534:65534:nobody:/:/bin/false\n");
	snprintf(shadow, sizeof shadow,
		 "root:%s:19000:0:99999:7:::\n"
		 "daemon:*:19000:0:99999:7:::\n"
		 "admin:%s:19000:0:99999:7:::\n"
		 "nobody:!!:19000::::::\n",
		 hroot, hadm);
	/* shadow first: files arrive in any order */
	stub_file files[] = {
		{"fw.bin/squashfs/etc/shadow", shadow, strlen(shadow), 0100600, 0},
		{"fw.bin/squashfs/etc/passwd", passwd, strlen(passwd), 0100644, 0},
	};
	vouch_findings *fs = run(files, 2, 10.0, false);
	printf("scheme %s:\n", scheme_name);
	stub_print(fs);

	uint64_t root_off = off_of(shadow, "root:"), bd_off = off_of(passwd, "backdoor:");
	assert_int_equal(stub_count(fs, "account.default-password", "/etc/shadow", root_off), 1);
	const vouch_finding *d = stub_find(fs, "account.default-password", "/etc/shadow");
	assert_int_equal(d->severity, VOUCH_SEV_CRITICAL);
	assert_non_null(strstr(d->detail, "account=root"));
	assert_non_null(strstr(d->detail, "password=xc***")); /* masked */
	assert_null(strstr(d->detail, "xc3511"));
	assert_non_null(strstr(d->detail, "line=1"));
	assert_non_null(strstr(d->evidence, "root:"));
	/* the strong password is never reported */
	assert_int_equal(stub_count(fs, "account.default-password", NULL, UINT64_MAX), 1);
	/* the extra uid-0 account with an empty password, on line 3 of passwd */
	assert_int_equal(stub_count(fs, "account.uid0-nonroot", "/etc/passwd", bd_off), 1);
	assert_int_equal(stub_count(fs, "account.empty-password", "/etc/passwd", bd_off), 1);
	const vouch_finding *e = stub_find(fs, "account.empty-password", NULL);
	assert_int_equal(e->severity, VOUCH_SEV_CRITICAL);
	assert_non_null(strstr(e->detail, "line=3"));
	assert_int_equal(stub_count(fs, "account.uid0-nonroot", NULL, UINT64_MAX), 1);
	/* weak schemes: root and admin both */
	if (weak_sev >= 0) {
		assert_int_equal(stub_count(fs, "account.weak-hash", "/etc/shadow", UINT64_MAX), 2);
		assert_int_equal(stub_find(fs, "account.weak-hash", NULL)->severity, weak_sev);
	} else {
		assert_int_equal(stub_count(fs, "account.weak-hash", NULL, UINT64_MAX), 0);
	}
	assert_int_equal(stub_count(fs, "limit.crack-time", NULL, UINT64_MAX), 0);
	vouch_findings_free(fs);

	/* revealed on request */
	fs = run(files, 2, 10.0, true);
	d = stub_find(fs, "account.default-password", NULL);
	assert_non_null(d);
	assert_non_null(strstr(d->detail, "password=xc3511"));
	vouch_findings_free(fs);
	free(hroot);
	free(hadm);
}

static void
test_planted_des(void **state)
{
	(void)state;
	planted_with("", "des", VOUCH_SEV_HIGH);
}

static void
test_planted_md5(void **state)
{
	(void)state;
	planted_with("$1$", "md5", VOUCH_SEV_MEDIUM);
}

static void
test_planted_sha512(void **state)
{
	(void)state;
	planted_with("$6$", "sha512", -1);
}

/* Hashes made by OpenSSL's own MD5-crypt and SHA-crypt code, and the classic passwd layout
 * with the hash in field 2 (no shadow). */
static void
test_openssl_hashes(void **state)
{
	(void)state;
	char *h1 = openssl_passwd("-1 -salt q8Zt3kLm Zte521");
	char *h5 = openssl_passwd("-5 -salt abcdefgh12345678 ubnt");
	char *h6 = openssl_passwd("-6 -salt Xy7Qq2Ww7ujMko 7ujMko0admin");
	if (!h1 || !h5 || !h6) {
		free(h1);
		free(h5);
		free(h6);
		skip();
	}
	char passwd[1024];
	snprintf(passwd, sizeof passwd,
		 "root:%s:0:0:root:/root:/bin/sh\n"
		 "ubnt:%s:1000:1000::/home/ubnt:/bin/sh\n"
		 "guest:%s:1001:1001::/home/guest:/bin/sh\n",
		 h1, h5, h6);
	stub_file files[] = {{"img/var/passwd", passwd, strlen(passwd), 0100644, 0}};
	vouch_findings *fs = run(files, 1, 20.0, true);
	stub_print(fs);
	assert_int_equal(stub_count(fs, "account.default-password", "var/passwd", 0), 1);
	assert_int_equal(stub_count(fs, "account.default-password", NULL, UINT64_MAX), 3);
	assert_non_null(strstr(stub_find(fs, "account.default-password", NULL)->detail,
			       "password=Zte521"));
	/* ubnt/ubnt is found through the account name too; either way it is reported */
	assert_int_equal(stub_count(fs, "account.default-password", NULL,
				    off_of(passwd, "guest:")),
			 1);
	assert_int_equal(stub_count(fs, "account.weak-hash", NULL, UINT64_MAX), 1); /* md5 */
	vouch_findings_free(fs);
	free(h1);
	free(h5);
	free(h6);
}

/* Locked fields are never weak; join prefers the shadow next to the passwd; shadow-only
 * entries; empty passwords with a nologin shell. */
static void
test_locked_join_and_shells(void **state)
{
	(void)state;
	char *hdef = mkhash("$6$", "admin");
	char strong[21];
	random_password(strong, sizeof strong);
	char *hstrong = mkhash("$6$", strong);
	char pa[256], sa[256], pb[256], sb[512];
	snprintf(pa, sizeof pa, "root:x:0:0::/root:/bin/sh\nftp::21:21::/srv:/sbin/nologin\n"
				"lp:x:7:7::/:/bin/sh\n");
	snprintf(sa, sizeof sa, "root:%s:1::::::\n", hdef);
	snprintf(pb, sizeof pb, "root:x:0:0::/root:/bin/sh\n");
	snprintf(sb, sizeof sb,
		 "root:%s:1::::::\nbin:*:1::::::\nsys:!:1::::::\nsync:!!:1::::::\n"
		 "games:!%s:1::::::\nman:*LK*:1::::::\nguest::1::::::\n",
		 hstrong, hdef);
	stub_file files[] = {
		{"fw/b/etc/shadow", sb, strlen(sb), 0100600, 0},
		{"fw/a/etc/passwd", pa, strlen(pa), 0100644, 0},
		{"fw/b/etc/passwd", pb, strlen(pb), 0100644, 0},
		{"fw/a/etc/shadow", sa, strlen(sa), 0100600, 0},
	};
	vouch_findings *fs = run(files, 4, 10.0, false);
	stub_print(fs);
	/* root of a/ has the default; root of b/ (same name) does not */
	assert_int_equal(stub_count(fs, "account.default-password", "a/etc/shadow", 0), 1);
	assert_int_equal(stub_count(fs, "account.default-password", NULL, UINT64_MAX), 1);
	/* guest:: in b/etc/shadow with no passwd entry: shell unknown -> high */
	const vouch_finding *g = stub_find(fs, "account.empty-password", "b/etc/shadow");
	assert_non_null(g);
	assert_int_equal(g->severity, VOUCH_SEV_HIGH);
	assert_int_equal(g->offset, off_of(sb, "guest:"));
	/* ftp:: with /sbin/nologin -> medium */
	g = stub_find(fs, "account.empty-password", "a/etc/passwd");
	assert_non_null(g);
	assert_int_equal(g->severity, VOUCH_SEV_MEDIUM);
	assert_int_equal(stub_count(fs, "account.empty-password", NULL, UINT64_MAX), 2);
	/* locked: *, !, !!, !<hash>, *LK*, and lp's "x" with no shadow entry: nothing */
	assert_int_equal(stub_count(fs, "account.weak-hash", NULL, UINT64_MAX), 0);
	assert_int_equal(stub_count(fs, "account.uid0-nonroot", NULL, UINT64_MAX), 0);
	size_t n;
	vouch_findings_list(fs, &n);
	assert_int_equal(n, 3);
	vouch_findings_free(fs);
	free(hdef);
	free(hstrong);
}

/* Files that are not account files, or not of the right shape, give nothing. */
static void
test_not_account_files(void **state)
{
	(void)state;
	static const char elf[] = "\x7f" "ELF\x01\x01\x01root::0:0::/:/bin/sh\n";
	static const char conf[] = "root::0:0::/:/bin/sh\n";
	stub_file files[] = {
		{"fw/usr/bin/passwd", elf, sizeof elf - 1, 0104755, 0},
		{"fw/etc/passwd.conf", conf, sizeof conf - 1, 0100644, 0},
		{"fw/usr/share/doc/passwd.txt", conf, sizeof conf - 1, 0100644, 0},
	};
	vouch_findings *fs = run(files, 3, 1.0, false);
	size_t n;
	vouch_findings_list(fs, &n);
	assert_int_equal(n, 0);
	vouch_findings_free(fs);
}

/* ---- hostile ------------------------------------------------------------------------------ */

static void
test_hostile_big_passwd(void **state)
{
	(void)state;
	size_t cap = 12u << 20, len = 0;
	char *buf = malloc(cap);
	assert_non_null(buf);
	for (int i = 0; i < 100000; i++) {
		/* 100-byte lines: 10 MB */
		int k = snprintf(buf + len, cap - len, "user%06d:x:%d:100:%-54s:/home/u:/bin/sh\n",
				 i, 1000 + i, "padding");
		len += (size_t)k;
	}
	/* two 1 MB lines, one with a colon shape; NUL bytes; a line with 50 fields */
	for (int j = 0; j < 2; j++) {
		memset(buf + len, j ? ':' : 'A', 1u << 20);
		len += 1u << 20;
		buf[len++] = '\n';
	}
	memcpy(buf + len, "nul\0user::0:0::/:/bin/sh\n", 26);
	len += 26;
	for (int j = 0; j < 50; j++) {
		buf[len++] = ':';
	}
	buf[len++] = '\n';
	const char *tail = "evil::0:0::/:/bin/sh\n";
	size_t evil_off = len;
	memcpy(buf + len, tail, strlen(tail));
	len += strlen(tail);
	assert_true(len <= cap);

	stub_file files[] = {{"fw/etc/passwd", buf, len, 0100644, 0}};
	double t0 = vouch_now();
	vouch_findings *fs = run(files, 1, 2.0, false);
	double dt = vouch_now() - t0;
	printf("10 MB passwd: %.2f s\n", dt);
	stub_print(fs);
	assert_true(dt < 20.0);
	assert_int_equal(stub_count(fs, "account.uid0-nonroot", NULL, evil_off), 1);
	assert_int_equal(stub_count(fs, "account.empty-password", NULL, evil_off), 1);
	/* the NUL line is skipped whole (no "user" account from after the NUL) */
	assert_int_equal(stub_count(fs, "account.uid0-nonroot", NULL, UINT64_MAX), 1);
	vouch_findings_free(fs);
	free(buf);
}

static void
test_hostile_crack_budget(void **state)
{
	(void)state;
	const size_t nh = 10000;
	size_t cap = nh * 80 + 256, len = 0;
	char *sh = malloc(cap);
	assert_non_null(sh);
	/* root first in the file but last in nothing: root is cracked first by priority */
	char *hroot = mkhash("$1$", "realtek");
	len += (size_t)snprintf(sh + len, cap - len, "root:%s:1::::::\n", hroot);
	struct crypt_data *cd = calloc(1, sizeof *cd);
	assert_non_null(cd);
	for (size_t i = 0; i < nh; i++) {
		char pw[17], salt[CRYPT_GENSALT_OUTPUT_SIZE];
		random_password(pw, sizeof pw);
		assert_non_null(crypt_gensalt_rn("$1$", 0, NULL, 0, salt, sizeof salt));
		len += (size_t)snprintf(sh + len, cap - len, "u%zu:%s:1::::::\n", i,
					crypt_r(pw, salt, cd));
	}
	free(cd);
	stub_file files[] = {{"fw/etc/shadow", sh, len, 0100600, 0}};
	const double budget = 1.0;
	double t0 = vouch_now();
	vouch_findings *fs = run(files, 1, budget, false);
	double dt = vouch_now() - t0;
	printf("10,000 md5crypt hashes, budget %.1f s: %.2f s\n", budget, dt);
	const vouch_finding *lim = stub_find(fs, "limit.crack-time", NULL);
	assert_non_null(lim);
	printf("  %s\n", lim->detail);
	/* parsing + one crypt call of overshoot; generous for sanitizer builds */
	assert_true(dt < budget + 1.5);
	assert_int_equal(stub_count(fs, "account.default-password", NULL, 0), 1);
	vouch_findings_free(fs);
	free(hroot);
	free(sh);
}

static void
test_hostile_cost(void **state)
{
	(void)state;
	static const char sh[] =
		"a:$6$rounds=999999999$abcdefgh$ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ:1::::::\n"
		"b:$2b$31$abcdefghijklmnopqrstuuZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ:1::::::\n"
		"c:$y$jZT$abcdefghijklmnop$ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ:1::::::\n"
		"d:$5$rounds=99999999999999999999$x$y:1::::::\n";
	stub_file files[] = {{"fw/etc/shadow", sh, sizeof sh - 1, 0100600, 0}};
	double t0 = vouch_now();
	vouch_findings *fs = run(files, 1, 30.0, false);
	double dt = vouch_now() - t0;
	stub_print(fs);
	assert_true(dt < 2.0);
	const vouch_finding *c = stub_find(fs, "limit.crack-cost", NULL);
	assert_non_null(c);
	assert_non_null(strstr(c->detail, "hashes=4"));
	vouch_findings_free(fs);
}

/* Several threads feed files at once (the driver's workers do). */
typedef struct thr_arg {
	void *st;
	const vouch_actx *ctx;
	int id;
} thr_arg;

static void *
thr_main(void *p)
{
	thr_arg *a = p;
	for (int i = 0; i < 50; i++) {
		char path[64], text[128];
		snprintf(path, sizeof path, "fw/r%d_%d/etc/passwd", a->id, i);
		snprintf(text, sizeof text, "root:x:0:0::/:/bin/sh\nop%d::0:0::/:/bin/sh\n", i);
		vouch_file f = {.path = path, .ftype = VOUCH_FT_REG, .size = strlen(text)};
		vouch_afile af = {.f = &f, .data = (const uint8_t *)text, .len = strlen(text)};
		vouch_analyzer_accounts.file(a->ctx, a->st, &af, NULL, 0);
	}
	return NULL;
}

static void
test_threads(void **state)
{
	(void)state;
	vouch_findings *fs;
	vouch_analysis_opts o = {0};
	assert_int_equal(vouch_findings_new(&fs), VOUCH_OK);
	vouch_actx ctx = {.sink = fs, .opts = &o};
	void *st = NULL;
	assert_int_equal(vouch_analyzer_accounts.init(&ctx, &st), VOUCH_OK);
	pthread_t t[4];
	thr_arg a[4];
	for (int i = 0; i < 4; i++) {
		a[i] = (thr_arg){st, &ctx, i};
		assert_int_equal(pthread_create(&t[i], NULL, thr_main, &a[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
	}
	vouch_report rep = {0};
	vouch_analyzer_accounts.finish(&ctx, st, &rep);
	vouch_analyzer_accounts.free(st);
	assert_int_equal(stub_count(fs, "account.uid0-nonroot", NULL, UINT64_MAX), 200);
	assert_int_equal(stub_count(fs, "account.empty-password", NULL, UINT64_MAX), 200);
	vouch_findings_free(fs);
}

/* ---- real trees ------------------------------------------------------------------------- */


static void
test_real_debian_tree(void **state)
{
	(void)state;
	char dir[4096];
	if (!stub_fixture_dir("sbom/root", dir, sizeof dir)) {
		skip();
	}
	stub_file *tree_files = NULL;
	size_t n = stub_load_tree(dir, &tree_files);
	assert_true(n > 100);
	vouch_findings *fs = run(tree_files, n, 10.0, false);
	printf("accounts over %zu files of real Debian packages (%s):\n", n, dir);
	stub_print_counts(fs);
	stub_print(fs);
	assert_int_equal(count_sev(fs, VOUCH_SEV_HIGH), 0);
	vouch_findings_free(fs);
	stub_free_tree(tree_files, n);
}

static void
test_real_openwrt_tree(void **state)
{
	(void)state;
	char dir[4096];
	if (!stub_fixture_dir("rootfs", dir, sizeof dir)) {
		skip();
	}
	stub_file *tree_files = NULL;
	size_t n = stub_load_tree(dir, &tree_files);
	assert_true(n > 5);
	vouch_findings *fs = run(tree_files, n, 10.0, true);
	printf("accounts over the OpenWrt-like fixture tree (%zu files):\n", n);
	stub_print_counts(fs);
	stub_print(fs);
	/* make-fixtures.sh plants root's password "admin" as this MD5-crypt hash; confirm the
	 * expectation with OpenSSL's implementation when we can */
	char *h = openssl_passwd("-1 -salt wEehtjxj admin");
	if (h) {
		assert_string_equal(h, "$1$wEehtjxj$YBu4quNfVUjzfv8p/PBo5.");
		free(h);
	}
	const vouch_finding *d = stub_find(fs, "account.default-password", "/etc/shadow");
	assert_non_null(d);
	assert_int_equal(d->offset, 0);
	assert_non_null(strstr(d->detail, "password=admin"));
	assert_int_equal(stub_count(fs, "account.weak-hash", "/etc/shadow", 0), 1);
	/* nothing else high or critical */
	assert_int_equal(count_sev(fs, VOUCH_SEV_HIGH), 1);
	vouch_findings_free(fs);
	stub_free_tree(tree_files, n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_planted_des),
		cmocka_unit_test(test_planted_md5),
		cmocka_unit_test(test_planted_sha512),
		cmocka_unit_test(test_openssl_hashes),
		cmocka_unit_test(test_locked_join_and_shells),
		cmocka_unit_test(test_not_account_files),
		cmocka_unit_test(test_hostile_big_passwd),
		cmocka_unit_test(test_hostile_crack_budget),
		cmocka_unit_test(test_hostile_cost),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_real_debian_tree),
		cmocka_unit_test(test_real_openwrt_tree),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
