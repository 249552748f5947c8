/*
 * tests/unit/test_keys.c: the keys and certificates analyser on real keys and certificates.
 *
 * Every key and certificate is made by an independent tool (openssl, ssh-keygen,
 * dropbearkey) in tests/unit/keys_fixtures.sh, which also writes down what must be found,
 * computed by those tools: the public key's SPKI SHA-256 (`openssl pkey -pubout -outform DER
 * | sha256sum`), the SSH fingerprint (`ssh-keygen -l -E sha256`), the size, the subject and
 * notAfter (`openssl x509`). The analyser runs through harness_hits.c (its patterns compiled
 * with vectorscan as the driver will) and its findings are compared with those facts.
 *
 * Also: keys embedded in a copy of a real ELF binary (appended, and DER / Dropbear bytes
 * written into .rodata); one key in two images (registry) and twice in one image; a
 * container's raw bytes not double-reporting its members; bundles and trust stores
 * summarised; clean real Debian files (the fixtures' rootfs, read-only; skipped when absent)
 * giving no private-key finding; hostile inputs (10 MB of BEGIN lines, DER with lying
 * lengths, a PKCS#12 asking for 8 million iterations, every truncation of real OpenSSH and
 * Dropbear keys) finishing quickly without findings or crashes.
 */
#include <dirent.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "analyze/sshkey.h"
#include "harness_hits.h"
#include "base/base.h"

static char fixdir[512];
static bool have_fixtures;

/* ---- helpers ----------------------------------------------------------------------------- */

static uint8_t *
slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	uint8_t *p = NULL;
	long len;

	if (f == NULL) {
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		p = malloc((size_t)len + 1);
		if (p != NULL && fread(p, 1, (size_t)len, f) != (size_t)len) {
			free(p);
			p = NULL;
		}
		*n = (size_t)len;
	}
	fclose(f);
	return p;
}

static uint8_t *
fixture(const char *name, size_t *n)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/%s", fixdir, name);
	return slurp(path, n);
}

/* Run one fixture file through a fresh analyser; caller stub_close()s. */
static void
run_one(stub_run *r, const char *name, const char *as_path, bool hold)
{
	size_t n = 0;
	uint8_t *p = fixture(name, &n);

	assert_non_null(p);
	assert_int_equal(stub_open(r, &vouch_analyzer_keys, NULL), 0);
	stub_file(r, as_path != NULL ? as_path : name, p, n, hold, NULL);
	stub_finish(r, "img", NULL, NULL, 0);
	free(p);
}

static bool
has(const char *hay, const char *needle)
{
	return hay != NULL && strstr(hay, needle) != NULL;
}

static int
setup(void **state)
{
	const char *script = getenv("KEYS_FIXTURES");
	const char *tmp = getenv("TMPDIR");
	char cmd[1200];
	int rc;

	(void)state;
	snprintf(fixdir, sizeof(fixdir), "%s/vouch-keys-XXXXXX", tmp != NULL ? tmp : "/tmp");
	if (script == NULL || mkdtemp(fixdir) == NULL) {
		return 0;
	}
	snprintf(cmd, sizeof(cmd), "bash '%s' '%s' >'%s/log' 2>&1", script, fixdir, fixdir);
	rc = system(cmd);
	have_fixtures = WIFEXITED(rc) && WEXITSTATUS(rc) == 0;
	if (!have_fixtures) {
		fprintf(stderr, "keys fixtures not made (exit %d): tests skipped\n",
			WIFEXITED(rc) ? WEXITSTATUS(rc) : -1);
	}
	return 0;
}

static int
rm_cb(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static int
teardown(void **state)
{
	(void)state;
	if (fixdir[0] != '\0' && getenv("KEYS_KEEP") == NULL) {
		nftw(fixdir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	}
	return 0;
}

#define NEED_FIXTURES()                                                                         \
	do {                                                                                    \
		if (!have_fixtures) {                                                           \
			skip();                                                                 \
		}                                                                               \
	} while (0)

/* Split a TSV line in place into at most max fields. */
static int
fields(char *line, char **f, int max)
{
	int n = 0;
	char *s = line;

	line[strcspn(line, "\n")] = '\0';
	while (n < max) {
		f[n++] = s;
		s = strchr(s, '\t');
		if (s == NULL) {
			break;
		}
		*s++ = '\0';
	}
	return n;
}

/* ---- keys: type, size and fingerprints equal the independent tools' ---------------------- */

static void
test_keys_match_tools(void **state)
{
	char path[1024], line[1024];
	FILE *f;
	unsigned rows = 0;

	(void)state;
	NEED_FIXTURES();
	snprintf(path, sizeof(path), "%s/keys.tsv", fixdir);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		char *c[7];
		stub_run r;
		bool found = false;
		const vouch_finding *x;

		assert_int_equal(fields(line, c, 7), 7);
		run_one(&r, c[0], NULL, true);
		for (size_t i = 0; (x = stub_get(&r, "key.private-key", i)) != NULL; i++) {
			char want[160];
			bool enc = strcmp(c[5], "yes") == 0;

			if (strcmp(c[3], "-") != 0) {
				snprintf(want, sizeof(want), "sha256:%s", c[3]);
				if (x->fingerprint == NULL || strcmp(x->fingerprint, want) != 0) {
					continue;
				}
			} else if (strcmp(c[4], "-") != 0) {
				snprintf(want, sizeof(want), "ssh=%s", c[4]);
				if (!has(x->detail, want)) {
					continue;
				}
			} else if (!has(x->detail, enc ? "encrypted=yes" : "encrypted=no")) {
				continue;
			}
			found = true;
			printf("  %-22s %-8s %s\n", c[0], vouch_severity_str(x->severity), x->detail);
			snprintf(want, sizeof(want), "format=%s;", c[6]);
			assert_true(has(x->detail, want));
			if (strcmp(c[1], "-") != 0) {
				snprintf(want, sizeof(want), "type=%s;", c[1]);
				assert_true(has(x->detail, want));
			}
			if (strcmp(c[2], "-") != 0) {
				snprintf(want, sizeof(want), "bits=%s;", c[2]);
				assert_true(has(x->detail, want));
			}
			if (strcmp(c[4], "-") != 0) {
				snprintf(want, sizeof(want), "ssh=%s", c[4]);
				assert_true(has(x->detail, want));
			}
			/* readable keys are critical; a PKCS#12 opened by a default password too */
			bool readable = !enc;
			assert_int_equal(x->severity, readable ? VOUCH_SEV_CRITICAL : VOUCH_SEV_HIGH);
			if (enc) {
				assert_true(has(x->detail, "encrypted=yes"));
			}
			/* the evidence never holds key material beyond a header line */
			assert_true(strlen(x->evidence) < 128);
		}
		if (!found) {
			fprintf(stderr, "no matching key.private-key for %s\n", c[0]);
		}
		assert_true(found);
		/* no key reported twice for one file, no unparsed block beside a parsed one */
		assert_int_equal(stub_count(&r, "key.unparsed-private-key", NULL), 0);
		if (strcmp(c[0], "embedded.elf") != 0) {
			assert_int_equal(stub_count(&r, "key.private-key", NULL), 1);
		}
		stub_close(&r);
		rows++;
	}
	fclose(f);
	assert_true(rows >= 25);
}

/* PKCS#12 password outcomes, as the fixture script chose them. */
static void
test_pkcs12_passwords(void **state)
{
	stub_run r;
	const vouch_finding *x;

	(void)state;
	NEED_FIXTURES();
	run_one(&r, "empty.p12", NULL, true);
	x = stub_get(&r, "key.private-key", 0);
	assert_non_null(x);
	assert_true(has(x->detail, "password=empty") || has(x->detail, "password=none"));
	stub_close(&r);
	run_one(&r, "changeit.p12", NULL, true);
	x = stub_get(&r, "key.private-key", 0);
	assert_non_null(x);
	assert_true(has(x->detail, "password=default:changeit"));
	stub_close(&r);
	run_one(&r, "real.p12", NULL, true);
	x = stub_get(&r, "key.private-key", 0);
	assert_non_null(x);
	assert_true(has(x->detail, "password=unknown"));
	assert_true(has(x->fingerprint, "sha256-blob:"));
	stub_close(&r);
}

/* Small keys are found from the hits' context alone (file too large to hold). */
static void
test_from_context_only(void **state)
{
	static const char *const names[] = {"ec256.sec1.der", "ed25519.p8.der", "db_ed25519",
					    "db_ecdsa"};
	(void)state;
	NEED_FIXTURES();
	for (size_t i = 0; i < VOUCH_ARRAY_LEN(names); i++) {
		stub_run r;

		run_one(&r, names[i], NULL, false);
		assert_int_equal(stub_count(&r, "key.private-key", NULL), 1);
		stub_close(&r);
	}
}

/* ---- certificates -------------------------------------------------------------------------- */

static void
test_certs_match_tools(void **state)
{
	static const char *const ids[] = {"certificate.expired", "certificate.weak-key",
					  "certificate.weak-signature", "certificate.ca",
					  "certificate.self-signed"};
	char path[1024], line[2048];
	FILE *f;

	(void)state;
	NEED_FIXTURES();
	snprintf(path, sizeof(path), "%s/certs.tsv", fixdir);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		char *c[5];
		stub_run r;

		assert_int_equal(fields(line, c, 5), 5);
		run_one(&r, c[0], NULL, true);
		printf("  %s:", c[0]);
		for (size_t i = 0; i < VOUCH_ARRAY_LEN(ids); i++) {
			bool want = has(c[4], ids[i]);
			const vouch_finding *x = stub_get(&r, ids[i], 0);
			char s[600];

			assert_int_equal(stub_count(&r, ids[i], NULL), want ? 1 : 0);
			if (x == NULL) {
				continue;
			}
			printf(" %s", ids[i]);
			snprintf(s, sizeof(s), "subject=%s;", c[1]);
			assert_true(has(x->evidence, s));
			snprintf(s, sizeof(s), "notAfter=%s", c[2]);
			assert_true(has(x->evidence, s));
			snprintf(s, sizeof(s), "sha256:%s", c[3]);
			assert_string_equal(x->fingerprint, s);
		}
		printf("\n");
		assert_int_equal(stub_count(&r, "key.private-key", NULL), 0);
		stub_close(&r);
	}
	fclose(f);
}

static void
test_bundle_summarised(void **state)
{
	stub_run r;
	const vouch_finding *x;
	size_t n = 0;
	uint8_t *p;

	(void)state;
	NEED_FIXTURES();
	run_one(&r, "bundle.pem", NULL, true);
	assert_int_equal(stub_count(&r, "certificate.bundle", NULL), 1);
	x = stub_get(&r, "certificate.bundle", 0);
	assert_true(has(x->detail, "certificates=6;"));
	assert_int_equal(stub_count(&r, "certificate.ca", NULL), 0);
	assert_int_equal(stub_count(&r, "certificate.self-signed", NULL), 0);
	/* the weak member (RSA-1024, SHA-1, not self-signed) is still flagged */
	assert_int_equal(stub_count(&r, "certificate.weak-key", NULL), 1);
	assert_int_equal(stub_count(&r, "certificate.weak-signature", NULL), 1);
	stub_close(&r);

	/* the real Debian bundle, when installed: one summary, a bounded number of findings */
	p = slurp("/etc/ssl/certs/ca-certificates.crt", &n);
	if (p != NULL) {
		size_t total;

		assert_int_equal(stub_open(&r, &vouch_analyzer_keys, NULL), 0);
		stub_file(&r, "img/etc/ssl/certs/ca-certificates.crt", p, n, true, NULL);
		stub_finish(&r, "img", NULL, NULL, 0);
		vouch_findings_list(r.fs, &total);
		x = stub_get(&r, "certificate.bundle", 0);
		assert_non_null(x);
		printf("  ca-certificates.crt: %zu findings; %s\n", total, x->detail);
		assert_true(total <= 1 + 16);
		assert_int_equal(stub_count(&r, "certificate.ca", NULL), 0);
		stub_close(&r);
		free(p);
	}
}

static void
test_trust_store_dir(void **state)
{
	static const char *const names[] = {"ca.crt", "b1.crt", "b2.crt", "b3.crt", "b4.crt"};
	stub_run r;
	const vouch_finding *x;

	(void)state;
	NEED_FIXTURES();
	assert_int_equal(stub_open(&r, &vouch_analyzer_keys, NULL), 0);
	for (size_t i = 0; i < VOUCH_ARRAY_LEN(names); i++) {
		char as[256];
		size_t n;
		uint8_t *p = fixture(names[i], &n);

		snprintf(as, sizeof(as), "img/usr/share/ca-certificates/mozilla/%s", names[i]);
		stub_file(&r, as, p, n, true, NULL);
		free(p);
	}
	stub_finish(&r, "img", NULL, NULL, 0);
	assert_int_equal(stub_count(&r, "certificate.ca", NULL), 0);
	assert_int_equal(stub_count(&r, "certificate.self-signed", NULL), 0);
	assert_int_equal(stub_count(&r, "certificate.trust-store", NULL), 1);
	x = stub_get(&r, "certificate.trust-store", 0);
	assert_string_equal(x->path, "img/usr/share/ca-certificates/mozilla");
	assert_true(has(x->detail, "files=5; certificates=5; ca=5;"));
	stub_close(&r);
}

/* ---- across files and images ---------------------------------------------------------------- */

static void
scan_image(const char *registry, const char *root, uint8_t tag, const char *const *files,
	   const char *const *as, size_t n, stub_run *r)
{
	uint8_t digest[32];

	memset(digest, tag, sizeof(digest));
	assert_int_equal(stub_open(r, &vouch_analyzer_keys, registry), 0);
	for (size_t i = 0; i < n; i++) {
		size_t len;
		uint8_t *p = fixture(files[i], &len);

		assert_non_null(p);
		stub_file(r, as[i], p, len, true, NULL);
		free(p);
	}
	stub_finish(r, root, digest, NULL, 0);
}

static void
test_shared_between_images(void **state)
{
	char reg[600];
	stub_run r;
	const vouch_finding *x;
	/* image A holds the RSA key as PKCS#8 PEM; image B holds the same key as PKCS#1
	 * appended to an ELF file: one key, two formats, two images */
	static const char *const fa[] = {"rsa2048.pem", "db_ecdsa"};
	static const char *const aa[] = {"A/etc/ssl/private/server.key", "A/etc/dropbear/key"};
	static const char *const fb[] = {"appended.elf"};
	static const char *const ab[] = {"B/usr/bin/agent"};
	static const char *const fc[] = {"ssh_rsa"};
	static const char *const ac[] = {"C/root/.ssh/id_rsa"};

	(void)state;
	NEED_FIXTURES();
	snprintf(reg, sizeof(reg), "%s/registry", fixdir);
	assert_int_equal(mkdir(reg, 0700), 0);

	scan_image(reg, "A", 0xAA, fa, aa, 2, &r);
	assert_int_equal(stub_count(&r, "key.shared-private-key", NULL), 0);
	stub_close(&r);
	/* the same image again: not "shared" with itself */
	scan_image(reg, "A", 0xAA, fa, aa, 2, &r);
	assert_int_equal(stub_count(&r, "key.shared-private-key", NULL), 0);
	stub_close(&r);

	scan_image(reg, "B", 0xBB, fb, ab, 1, &r);
	assert_int_equal(stub_count(&r, "key.shared-private-key", NULL), 1);
	x = stub_get(&r, "key.shared-private-key", 0);
	assert_int_equal(x->severity, VOUCH_SEV_CRITICAL);
	assert_string_equal(x->path, "B/usr/bin/agent");
	assert_true(has(x->evidence, "A/etc/ssl/private/server.key"));
	assert_string_equal(x->fingerprint, stub_get(&r, "key.private-key", 0)->fingerprint);
	stub_close(&r);

	/* an unrelated key in a third image */
	scan_image(reg, "C", 0xCC, fc, ac, 1, &r);
	assert_int_equal(stub_count(&r, "key.shared-private-key", NULL), 0);
	stub_close(&r);
}

static void
test_repeated_in_one_image(void **state)
{
	stub_run r;
	static const char *const f[] = {"rsa2048.pem", "rsa2048.pkcs1.pem", "ec256.pem"};
	static const char *const a[] = {"img/a.pem", "img/b.pem", "img/c.pem"};

	(void)state;
	NEED_FIXTURES();
	scan_image(NULL, "img", 1, f, a, 3, &r);
	assert_int_equal(stub_count(&r, "key.private-key", NULL), 3);
	assert_int_equal(stub_count(&r, "key.repeated-private-key", NULL), 1);
	assert_int_equal(stub_get(&r, "key.repeated-private-key", 0)->severity, VOUCH_SEV_INFO);
	stub_close(&r);
}

/* A container file (tar-like, stored uncompressed) shows its member's bytes: the key inside
 * the opened region is reported once, for the member; a key outside any region is kept. */
static void
test_container_not_doubled(void **state)
{
	stub_run r;
	size_t nk, ne;
	uint8_t *key = fixture("rsa2048.pem", &nk);
	uint8_t *ec = fixture("ec256.pem", &ne);
	uint8_t *img;
	size_t len;
	vouch_region reg;

	(void)state;
	NEED_FIXTURES();
	len = 512 + nk + 512 + ne;
	img = calloc(1, len);
	memcpy(img + 512, key, nk);
	memcpy(img + 512 + nk + 512, ec, ne);
	memset(&reg, 0, sizeof(reg));
	reg.node = "img.tar";
	reg.format = "tar";
	reg.offset = 0;
	reg.length = 512 + nk + 512;
	reg.kind = VOUCH_REGION_OPENED;
	assert_int_equal(stub_open(&r, &vouch_analyzer_keys, NULL), 0);
	stub_file(&r, "img.tar", img, len, true, "tar");
	stub_file(&r, "img.tar/tar/etc/key.pem", key, nk, true, NULL);
	stub_finish(&r, "img.tar", NULL, &reg, 1);
	assert_int_equal(stub_count(&r, "key.private-key", NULL), 2);
	assert_int_equal(stub_count(&r, "key.private-key", "img.tar/tar/etc/key.pem"), 1);
	assert_int_equal(stub_count(&r, "key.private-key", "img.tar"), 1); /* the EC key */
	assert_int_equal(stub_count(&r, "key.repeated-private-key", NULL), 0);
	stub_close(&r);
	free(img);
	free(key);
	free(ec);
}

/* ---- clean content: real Debian files ------------------------------------------------------ */

static stub_run *clean_run;
static size_t clean_files;
static const size_t clean_max = 16u << 20;

static int
clean_cb(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	size_t n;
	uint8_t *d;

	(void)ftw;
	if (flag != FTW_F || !S_ISREG(sb->st_mode) || (size_t)sb->st_size > clean_max) {
		return 0;
	}
	d = slurp(p, &n);
	if (d == NULL) {
		return 0;
	}
	stub_file(clean_run, p, d, n, true, NULL);
	clean_files++;
	free(d);
	return 0;
}

static void
test_clean_debian_files(void **state)
{
	static const char *const roots[] = {"/work/main/tests/fixtures/out/rootfs",
					    "/work/main/tests/fixtures/out/sbom/root"};
	stub_run r;
	const vouch_finding *v;
	size_t n;
	bool any = false;

	(void)state;
	assert_int_equal(stub_open(&r, &vouch_analyzer_keys, NULL), 0);
	clean_run = &r;
	for (size_t i = 0; i < VOUCH_ARRAY_LEN(roots); i++) {
		struct stat sb;

		if (stat(roots[i], &sb) == 0 && S_ISDIR(sb.st_mode)) {
			any = true;
			nftw(roots[i], clean_cb, 32, FTW_PHYS);
		}
	}
	stub_finish(&r, "clean", NULL, NULL, 0);
	if (!any) {
		stub_close(&r);
		skip();
	}
	v = vouch_findings_list(r.fs, &n);
	printf("  %zu clean files, %zu findings\n", clean_files, n);
	/* counts per id */
	for (size_t i = 0; i < n; i++) {
		bool first = true;
		for (size_t j = 0; j < i; j++) {
			if (strcmp(v[j].id, v[i].id) == 0) {
				first = false;
			}
		}
		if (first) {
			printf("    %-28s %zu\n", v[i].id, stub_count(&r, v[i].id, NULL));
			v = vouch_findings_list(r.fs, &n);
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (strncmp(v[i].id, "key.", 4) == 0) {
			fprintf(stderr, "unexpected %s in %s: %s\n", v[i].id, v[i].path,
				v[i].detail ? v[i].detail : "");
		}
	}
	assert_int_equal(stub_count(&r, "key.private-key", NULL), 0);
	assert_int_equal(stub_count(&r, "key.unparsed-private-key", NULL), 0);
	assert_true(clean_files > 0);
	stub_close(&r);
}

/* ---- hostile ------------------------------------------------------------------------------- */

static void
test_hostile_begin_flood(void **state)
{
	static const char line[] = "-----BEGIN RSA PRIVATE KEY-----\n";
	size_t len = 10u << 20, k = sizeof(line) - 1;
	uint8_t *p = malloc(len);
	stub_run r;
	double t0;

	(void)state;
	for (size_t i = 0; i < len; i++) {
		p[i] = (uint8_t)line[i % k];
	}
	assert_int_equal(stub_open(&r, &vouch_analyzer_keys, NULL), 0);
	t0 = vouch_now();
	stub_file(&r, "flood", p, len, true, NULL);
	stub_finish(&r, "img", NULL, NULL, 0);
	printf("  10 MB of BEGIN lines: %zu hits, %.2f s\n", r.last_nhits, vouch_now() - t0);
	assert_true(vouch_now() - t0 < 20.0); /* ASan build included */
	assert_int_equal(stub_count(&r, "key.private-key", NULL), 0);
	assert_int_equal(stub_count(&r, "key.unparsed-private-key", NULL), 0);
	assert_int_equal(stub_count(&r, "limit.keys", NULL), 1);
	stub_close(&r);
	free(p);
}

static void
test_hostile_der_lengths(void **state)
{
	/* shapes of every DER pattern with lengths far beyond the buffer */
	static const uint8_t v[][24] = {
		{0x30, 0x82, 0xff, 0xff, 0x02, 0x01, 0x00, 0x02, 0x82, 0x01, 0x01, 0x00},
		{0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x02, 0x01, 0x00, 0x02, 0x82},
		{0x30, 0x82, 0x04, 0x00, 0x02, 0x01, 0x00, 0x30, 0x0d, 0x06, 0x09, 0x2a},
		{0x30, 0x77, 0x02, 0x01, 0x01, 0x04, 0x20, 0xff},
		{0x30, 0x80, 0x02, 0x01, 0x03, 0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7,
		 0x0d, 0x01, 0x07, 0x01, 0xa0, 0x80},
		{0x30, 0x82, 0x10, 0x00, 0x30, 0x82, 0x0f, 0xf0, 0xa0, 0x03, 0x02, 0x01, 0x02},
		{0x00, 0x00, 0x00, 0x07, 's', 's', 'h', '-', 'r', 's', 'a', 0xff, 0xff, 0xff, 0xff},
		{'o', 'p', 'e', 'n', 's', 's', 'h', '-', 'k', 'e', 'y', '-', 'v', '1', 0, 0xff, 0xff,
		 0xff, 0xff},
	};
	stub_run r;
	uint8_t buf[200];

	(void)state;
	assert_int_equal(stub_open(&r, &vouch_analyzer_keys, NULL), 0);
	for (size_t i = 0; i < VOUCH_ARRAY_LEN(v); i++) {
		/* alone, and followed by bytes that keep the claimed structure going a while */
		for (int fill = 0; fill < 3; fill++) {
			memset(buf, fill == 0 ? 0 : fill == 1 ? 0x02 : 0x30, sizeof(buf));
			memcpy(buf, v[i], sizeof(v[i]));
			stub_file(&r, "der", buf, sizeof(buf), true, NULL);
			stub_file(&r, "der-cut", buf, sizeof(buf), false, NULL);
		}
	}
	stub_finish(&r, "img", NULL, NULL, 0);
	size_t n;
	vouch_findings_list(r.fs, &n);
	assert_int_equal(n, 0);
	stub_close(&r);
}

static void
test_hostile_p12_iterations(void **state)
{
	stub_run r;
	double t0 = vouch_now();
	const vouch_finding *x;

	(void)state;
	NEED_FIXTURES();
	run_one(&r, "giant.p12", NULL, true);
	printf("  PKCS#12 with 8388607 iterations: %.3f s\n", vouch_now() - t0);
	assert_true(vouch_now() - t0 < 2.0);
	x = stub_get(&r, "key.private-key", 0);
	assert_non_null(x);
	assert_true(has(x->detail, "password=not-tried(iterations=8388607)"));
	stub_close(&r);
}

/* Every prefix and every single-byte corruption of real keys: no crash; a prefix never
 * parses as a complete OpenSSH container; Dropbear keys only when whole. */
static void
test_hostile_truncations(void **state)
{
	static const char *const db[] = {"db_rsa", "db_ecdsa", "db_ed25519", "db_dss"};
	size_t n;
	uint8_t *p;

	(void)state;
	NEED_FIXTURES();
	p = fixture("ssh_ecdsa.bin", &n);
	assert_non_null(p);
	for (size_t k = 0; k <= n; k++) {
		vouch_openssh o;
		uint8_t *c = malloc(k + 1); /* exact-size copies let ASan see an over-read */

		memcpy(c, p, k);
		int rc = vouch_openssh_parse(c, k, &o);
		assert_true(rc == VOUCH_OK ? k == n : rc != VOUCH_OK);
		free(c);
	}
	for (size_t k = 0; k < n; k++) {
		vouch_openssh o;

		p[k] ^= 0x5a;
		(void)vouch_openssh_parse(p, n, &o);
		p[k] ^= 0x5a;
	}
	free(p);
	for (size_t i = 0; i < VOUCH_ARRAY_LEN(db); i++) {
		p = fixture(db[i], &n);
		assert_non_null(p);
		for (size_t k = 0; k <= n; k++) {
			vouch_dropbear d;
			uint8_t *c = malloc(k + 1);

			memcpy(c, p, k);
			int rc = vouch_dropbear_parse(c, k, &d);
			assert_true(rc == VOUCH_OK ? k == n : rc != VOUCH_OK);
			free(c);
		}
		/* a flipped bit in a number breaks the private/public check */
		vouch_dropbear d;
		p[n - 3] ^= 0x01;
		assert_int_not_equal(vouch_dropbear_parse(p, n, &d), VOUCH_OK);
		free(p);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys_match_tools),
		cmocka_unit_test(test_pkcs12_passwords),
		cmocka_unit_test(test_from_context_only),
		cmocka_unit_test(test_certs_match_tools),
		cmocka_unit_test(test_bundle_summarised),
		cmocka_unit_test(test_trust_store_dir),
		cmocka_unit_test(test_shared_between_images),
		cmocka_unit_test(test_repeated_in_one_image),
		cmocka_unit_test(test_container_not_doubled),
		cmocka_unit_test(test_clean_debian_files),
		cmocka_unit_test(test_hostile_begin_flood),
		cmocka_unit_test(test_hostile_der_lengths),
		cmocka_unit_test(test_hostile_p12_iterations),
		cmocka_unit_test(test_hostile_truncations),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
