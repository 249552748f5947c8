/*
 * tests/unit/test_sbomdoc.c: SBOM documents and VEX (lib/sbom): the hand-built model of
 * tests/tools/sbom_model.c (hostile strings included) written as CycloneDX and SPDX and read
 * back (components, versions, CPE, purl, aliases, files, digests, edges); determinism
 * (same bytes whatever the model's order); the reader on hand-written third-party documents
 * and on malformed or hostile ones; VEX documents of both kinds, written by hand from the
 * CycloneDX 1.6 and OpenVEX 0.2.0 specifications, applied to hand-built matches.
 * Schema validity is checked by tests/e2e/test_sbom_schema.sh with ajv, not here.
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

#include "../tools/sbom_model.h"
#include "base/utf8.h"
#include "sbom/sbom_int.h"
#include "vouch/sbom.h"
#include "vouch/vuln.h"

typedef int (*writer_fn)(const vouch_sbom *, char **);

static const vouch_component *
find_ref(const vouch_sbom *s, const char *ref)
{
	for (size_t i = 0; i < s->ncomponents; i++) {
		if (s->components[i].bom_ref != NULL && strcmp(s->components[i].bom_ref, ref) == 0) {
			return &s->components[i];
		}
	}
	return NULL;
}

static const vouch_component *
find_nv(const vouch_sbom *s, const char *name, const char *version)
{
	for (size_t i = 0; i < s->ncomponents; i++) {
		const vouch_component *c = &s->components[i];

		if (strcmp(c->name, name) == 0 &&
		    ((version == NULL && c->version == NULL) ||
		     (version != NULL && c->version != NULL && strcmp(c->version, version) == 0))) {
			return c;
		}
	}
	return NULL;
}

static const vouch_sbom_file *
find_path(const vouch_sbom *s, const char *path)
{
	for (size_t i = 0; i < s->nfiles; i++) {
		if (strcmp(s->files[i].path, path) == 0) {
			return &s->files[i];
		}
	}
	return NULL;
}

/* The same, failing the test when absent (so the result is never NULL). */
static const vouch_component *
by_ref(const vouch_sbom *s, const char *ref)
{
	const vouch_component *c = find_ref(s, ref);

	if (c == NULL) {
		fprintf(stderr, "no component with bom-ref %s\n", ref);
		abort();
	}
	return c;
}

static const vouch_component *
by_name_version(const vouch_sbom *s, const char *name, const char *version)
{
	const vouch_component *c = find_nv(s, name, version);

	if (c == NULL) {
		fprintf(stderr, "no component %.40s %.40s\n", name, version ? version : "-");
		abort();
	}
	return c;
}

static const vouch_sbom_file *
file_by_path(const vouch_sbom *s, const char *path)
{
	const vouch_sbom_file *f = find_path(s, path);

	if (f == NULL) {
		fprintf(stderr, "no file %s\n", path);
		abort();
	}
	return f;
}

static bool
valid(const char *s)
{
	return s == NULL || vouch_utf8_valid(s, strlen(s));
}

static void
assert_streq0(const char *a, const char *b)
{
	if (a == NULL || b == NULL) {
		assert_ptr_equal(a, b);
	} else {
		assert_string_equal(a, b);
	}
}

static vouch_sbom_doc *
write_read(const vouch_sbom *s, writer_fn w, char **text)
{
	char *doc = NULL, err[256] = "";
	vouch_sbom_doc *d = NULL;
	json_t *j;
	json_error_t je;

	assert_int_equal(w(s, &doc), VOUCH_OK);
	/* valid UTF-8 JSON whatever the input (jansson's loader checks the UTF-8) */
	j = json_loads(doc, JSON_REJECT_DUPLICATES, &je);
	assert_non_null(j);
	json_decref(j);
	assert_true(vouch_utf8_valid(doc, strlen(doc)));
	if (vouch_sbom_read(doc, strlen(doc), &d, err, sizeof(err)) != VOUCH_OK) {
		fail_msg("read back: %s", err);
	}
	if (text != NULL) {
		*text = doc;
	} else {
		free(doc);
	}
	return d;
}

/* What both formats must give back. */
static void
check_common(const test_model *m, const vouch_sbom *r)
{
	const vouch_component *c;
	const vouch_sbom_file *f;
	char *fixed;

	assert_int_equal(r->ncomponents, m->s.ncomponents);
	assert_int_equal(r->nfiles, m->s.nfiles);
	assert_int_equal(r->created, m->s.created);
	assert_memory_equal(r->sha256, m->s.sha256, 32);

	/* every component whose identity strings are valid UTF-8 comes back equal */
	for (size_t i = 0; i < m->s.ncomponents; i++) {
		const vouch_component *mc = &m->s.components[i];

		if (!valid(mc->name) || !valid(mc->version) || !valid(mc->cpe) || !valid(mc->purl) ||
		    strlen(mc->name) == 0 || (mc->version != NULL && strlen(mc->version) > 1024)) {
			continue;
		}
		c = by_name_version(r, mc->name, mc->version);
		assert_streq0(c->cpe, mc->cpe);
		assert_streq0(c->purl, mc->purl);
		assert_int_equal(c->kind, mc->kind);
	}
	c = by_name_version(r, "openssl", "3.0.11");
	assert_string_equal(c->supplier, "OpenSSL Project");
	assert_true(c->confidence > 0.99);
	c = by_name_version(r, "busybox", "1.36.1");
	assert_int_equal(c->ncpe_aliases, 1);
	assert_string_equal(c->cpe_aliases[0], "busybox:busybox");
	assert_true(c->confidence > 0.79 && c->confidence < 0.81);
	assert_int_equal(by_name_version(r, "linux", "5.10.176")->kind, VOUCH_COMP_OS);
	/* two components under one bom-ref: both kept, under two refs */
	assert_non_null(by_name_version(r, "zlib", "1.3"));
	assert_non_null(by_name_version(r, "zlib", "1.2.13"));
	assert_true(strcmp(by_name_version(r, "zlib", "1.3")->bom_ref,
			   by_name_version(r, "zlib", "1.2.13")->bom_ref) != 0);

	/* hostile identity: valid parts kept byte for byte, each invalid byte U+FFFD */
	fixed = vouch_sbom_ident_dup(m->comp[6].name);
	assert_string_equal(fixed, "ev\"il\xef\xbf\xbd\xef\xbf\xbd\x01\nname");
	c = by_name_version(r, fixed, "1.0\xef\xbf\xbd-rc\t1");
	free(fixed);
	assert_string_equal(c->cpe, "cpe:2.3:a:evil\\:corp:evil\\\\name:1.0:*:*:*:*:*:*:*");
	assert_string_equal(c->purl, "pkg:generic/ev%22il@1.0\xef\xbf\xbd");
	/* the 100 KB name survives whole */
	c = find_nv(r, m->big_name, NULL);
	if (c == NULL) {
		c = by_name_version(r, m->big_name, m->big_version);
	}
	assert_non_null(c);
	assert_int_equal(strlen(c->name), MODEL_BIG);

	/* files: paths, digests, sizes, owners */
	f = file_by_path(r, "router.bin/squashfs/bin/busybox");
	assert_non_null(f);
	assert_memory_equal(f->sha256, m->file[0].sha256, 32);
	assert_memory_equal(f->sha1, m->file[0].sha1, 20);
	assert_int_equal(f->size, strlen(MODEL_BUSYBOX_BYTES));
	assert_non_null(f->component_ref);
	assert_ptr_equal(find_ref(r, f->component_ref), by_name_version(r, "busybox", "1.36.1"));
	/* a hostile path comes back in its escaped form, as `vouch unpack --json` prints it */
	assert_non_null(find_path(r, "router.bin/squashfs/\\xff\\x1b[31mev il\\x5c\"file"));
}

static bool
has_edge(const vouch_sbom *r, const char *from_path, const char *to_path)
{
	const vouch_sbom_file *a = find_path(r, from_path), *b = find_path(r, to_path);

	for (size_t i = 0; a != NULL && b != NULL && i < r->ndeps; i++) {
		if (strcmp(r->deps[i].from, a->bom_ref) == 0 && strcmp(r->deps[i].to, b->bom_ref) == 0) {
			return true;
		}
	}
	return false;
}

static void
test_roundtrip_cyclonedx(void **state)
{
	test_model m;
	vouch_sbom_doc *d;
	const vouch_sbom *r;
	const vouch_component *c;

	(void)state;
	assert_int_equal(test_model_build(&m, 1), 0);
	d = write_read(&m.s, vouch_sbom_to_cyclonedx, NULL);
	r = vouch_sbom_doc_sbom(d);
	check_common(&m, r);
	assert_string_equal(r->tool_version, "0.1.0");
	assert_int_equal(r->size, 12);
	/* bom-refs: as given; the second "comp-zlib" became "comp-zlib~2"; none -> "component" */
	assert_non_null(by_ref(r, "comp-openssl-3.0.11"));
	assert_non_null(by_ref(r, "comp-zlib"));
	assert_non_null(by_ref(r, "comp-zlib~2"));
	assert_string_equal(by_name_version(r, "mystery", NULL)->bom_ref, "component~2");
	/* evidence: location, offset, matched text, method and rule */
	c = by_ref(r, "comp-openssl-3.0.11");
	assert_int_equal(c->nevidence, 2);
	/* sorted by path: libssl.so.3's soname, then the opkg status file */
	assert_string_equal(c->evidence[0].method, "elf-soname");
	assert_null(c->evidence[0].rule);
	assert_string_equal(c->evidence[1].method, "opkg-status");
	assert_string_equal(c->evidence[1].rule, "Version");
	assert_string_equal(c->evidence[1].path, "router.bin/squashfs/usr/lib/opkg/status");
	assert_int_equal(c->evidence[1].offset, 1234);
	assert_string_equal(c->evidence[1].text, "Version: 3.0.11-1");
	assert_int_equal(by_ref(r, "comp-linux-5.10.176")->evidence[0].offset, UINT64_MAX);
	/* CycloneDX caps version at 1024 characters: the 100 KB one is left out */
	c = by_name_version(r, m.big_name, NULL);
	assert_non_null(c);
	assert_int_equal(strlen(c->evidence[0].text), MODEL_BIG);
	/* edges: 7 in the model, less a duplicate, one to nowhere and a self-loop = 4 */
	assert_int_equal(r->ndeps, 4);
	assert_true(has_edge(r, "router.bin/squashfs/bin/busybox",
			     "router.bin/squashfs/usr/lib/libssl.so.3"));
	assert_true(has_edge(r, "router.bin/squashfs/usr/lib/libssl.so.3",
			     "router.bin/squashfs/usr/lib/libcrypto.so.3"));
	vouch_sbom_doc_free(d);
	test_model_free(&m);
}

static void
test_roundtrip_spdx(void **state)
{
	test_model m;
	vouch_sbom_doc *d;
	const vouch_sbom *r;
	const vouch_component *c;
	const vouch_sbom_file *f;

	(void)state;
	assert_int_equal(test_model_build(&m, 1), 0);
	d = write_read(&m.s, vouch_sbom_to_spdx, NULL);
	r = vouch_sbom_doc_sbom(d);
	check_common(&m, r);
	assert_string_equal(r->tool_version, "vouch-0.1.0");
	/* the image is the described package, not a component */
	assert_string_equal(r->name, "router\\xff\\x1b[0m.bin");
	/* SPDX keeps the 100 KB version (no length limit there) */
	c = by_name_version(r, m.big_name, m.big_version);
	assert_non_null(c);
	/* bom-ref = SPDXID, sanitised: SPDXRef-Package-<ref> */
	c = by_name_version(r, "openssl", "3.0.11");
	assert_string_equal(c->bom_ref, "SPDXRef-Package-comp-openssl-3.0.11");
	/* an alias with a space is no valid locator: dropped; the clean one kept */
	for (size_t i = 0; i < r->ncomponents; i++) {
		if (strncmp(r->components[i].name, "ev\"il", 5) == 0) {
			c = &r->components[i];
		}
	}
	assert_int_equal(c->ncpe_aliases, 1);
	assert_string_equal(c->cpe_aliases[0], "ok:alias");
	assert_string_equal(c->supplier, "Evil \"Corp\"\\x1b[31m\\xc0\\xaf");
	/* SPDX ids are all SPDXRef-[A-Za-z0-9.-]+ and unique */
	for (size_t i = 0; i < r->ncomponents; i++) {
		const char *id = r->components[i].bom_ref;

		assert_true(strncmp(id, "SPDXRef-", 8) == 0);
		assert_true(strspn(id + 8, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
					   "0123456789.-") == strlen(id + 8));
		for (size_t k = 0; k < i; k++) {
			assert_true(strcmp(id, r->components[k].bom_ref) != 0);
		}
	}
	f = file_by_path(r, "router.bin/squashfs/usr/lib/libssl.so.3");
	assert_int_equal(f->size, strlen(MODEL_LIBSSL_BYTES));
	/* DYNAMIC_LINK edges come back with their DT_NEEDED reason */
	assert_true(has_edge(r, "router.bin/squashfs/bin/busybox",
			     "router.bin/squashfs/usr/lib/libssl.so.3"));
	for (size_t i = 0; i < r->ndeps; i++) {
		assert_true(strncmp(r->deps[i].why, "DT_NEEDED ", 10) == 0);
	}
	vouch_sbom_doc_free(d);
	test_model_free(&m);
}

/* Reverse every array of the model: the documents must not change by a byte. */
static void
test_deterministic(void **state)
{
	writer_fn w[2] = {vouch_sbom_to_cyclonedx, vouch_sbom_to_spdx};

	(void)state;
	for (int k = 0; k < 2; k++) {
		test_model m, r;
		vouch_component rc[MODEL_NCOMP];
		vouch_sbom_file rf[MODEL_NFILE];
		vouch_sbom_dep rd[MODEL_NDEP];
		char *a = NULL, *b = NULL, *c = NULL;

		assert_int_equal(test_model_build(&m, 1), 0);
		assert_int_equal(test_model_build(&r, 1), 0);
		for (size_t i = 0; i < m.s.ncomponents; i++) {
			rc[i] = m.s.components[m.s.ncomponents - 1 - i];
		}
		for (size_t i = 0; i < m.s.nfiles; i++) {
			rf[i] = m.s.files[m.s.nfiles - 1 - i];
		}
		for (size_t i = 0; i < m.s.ndeps; i++) {
			rd[i] = m.s.deps[m.s.ndeps - 1 - i];
		}
		r.s.components = rc;
		r.s.files = rf;
		r.s.deps = rd;
		assert_int_equal(w[k](&m.s, &a), VOUCH_OK);
		assert_int_equal(w[k](&m.s, &b), VOUCH_OK);
		assert_int_equal(w[k](&r.s, &c), VOUCH_OK);
		assert_string_equal(a, b);
		assert_string_equal(a, c);
		free(c);
		/* another second: another serial number / namespace, nothing else */
		m.s.created++;
		assert_int_equal(w[k](&m.s, &c), VOUCH_OK);
		assert_true(strcmp(a, c) != 0);
		free(a);
		free(b);
		free(c);
		test_model_free(&m);
		test_model_free(&r);
	}
}

static void
test_uuid(void **state)
{
	uint8_t d[32] = {1, 2, 3};
	char a[37], b[37];

	(void)state;
	assert_int_equal(vouch_sbom_uuid(d, 5, "x", a), VOUCH_OK);
	assert_int_equal(vouch_sbom_uuid(d, 5, "x", b), VOUCH_OK);
	assert_string_equal(a, b);
	assert_int_equal(strlen(a), 36);
	assert_int_equal(a[14], '8');                 /* version 8 */
	assert_non_null(strchr("89ab", a[19]));       /* RFC 9562 variant */
	assert_int_equal(vouch_sbom_uuid(d, 6, "x", b), VOUCH_OK);
	assert_true(strcmp(a, b) != 0);
}

static void
test_time(void **state)
{
	int64_t t;
	char buf[32];

	(void)state;
	/* 2023-11-14T22:13:20Z is 1700000000 (date -u -d @1700000000) */
	assert_true(vouch_sbom_time_parse("2023-11-14T22:13:20Z", &t));
	assert_int_equal(t, 1700000000);
	assert_true(vouch_sbom_time_parse("2023-11-15T00:13:20.123+02:00", &t));
	assert_int_equal(t, 1700000000);
	assert_true(vouch_sbom_time_parse("1970-01-01T00:00:00Z", &t));
	assert_int_equal(t, 0);
	assert_false(vouch_sbom_time_parse("2023-11-14", &t));
	assert_false(vouch_sbom_time_parse("2023-13-14T22:13:20Z", &t));
	assert_false(vouch_sbom_time_parse("2023-11-14T22:13:20Zjunk", &t));
	assert_true(vouch_sbom_time_fmt(1700000000, buf));
	assert_string_equal(buf, "2023-11-14T22:13:20Z");
}

/* ---- reading documents we did not write ---- */

/* CycloneDX 1.4, written by hand from the 1.4 specification: nested components, no
 * evidence, legacy tools array, a dependency graph. */
static const char cdx14[] =
	"{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.4\",\"version\":1,"
	"\"metadata\":{\"timestamp\":\"2022-01-13T00:00:00Z\","
	"\"tools\":[{\"vendor\":\"acme\",\"name\":\"scan\",\"version\":\"2.1\"}],"
	"\"component\":{\"type\":\"device\",\"name\":\"Acme Router\",\"version\":\"4.2\"}},"
	"\"components\":[{\"type\":\"application\",\"name\":\"dropbear\",\"version\":\"2022.83\","
	"\"bom-ref\":\"pkg:generic/dropbear@2022.83\",\"purl\":\"pkg:generic/dropbear@2022.83\","
	"\"components\":[{\"type\":\"library\",\"name\":\"libtomcrypt\",\"version\":\"1.18.2\","
	"\"cpe\":\"cpe:2.3:a:libtom:libtomcrypt:1.18.2:*:*:*:*:*:*:*\"}]},"
	"{\"type\":\"framework\",\"name\":\"lua\",\"version\":\"5.1.5\",\"bom-ref\":\"lua\","
	"\"evidence\":{\"identity\":{\"field\":\"name\",\"confidence\":0.5}}}],"
	"\"dependencies\":[{\"ref\":\"pkg:generic/dropbear@2022.83\",\"dependsOn\":[\"lua\"]},"
	"{\"ref\":\"lua\"}]}";

/* SPDX 2.2, written by hand from the 2.2 specification: two described packages (so no
 * image), an IRI-style referenceType, a DEPENDENCY_OF relationship. */
static const char spdx22[] =
	"{\"spdxVersion\":\"SPDX-2.2\",\"dataLicense\":\"CC0-1.0\",\"SPDXID\":\"SPDXRef-DOCUMENT\","
	"\"name\":\"acme\",\"documentNamespace\":\"https://example.com/acme\","
	"\"creationInfo\":{\"created\":\"2021-05-01T10:00:00Z\",\"creators\":[\"Organization: Acme\","
	"\"Tool: other-1.0\"]},\"documentDescribes\":[\"SPDXRef-a\",\"SPDXRef-b\"],"
	"\"packages\":[{\"SPDXID\":\"SPDXRef-a\",\"name\":\"curl\",\"versionInfo\":\"7.88.1\","
	"\"downloadLocation\":\"NOASSERTION\",\"supplier\":\"Person: Daniel\",\"externalRefs\":["
	"{\"referenceCategory\":\"SECURITY\",\"referenceType\":"
	"\"http://spdx.org/rdf/references/cpe23Type\",\"referenceLocator\":"
	"\"cpe:2.3:a:haxx:curl:7.88.1:*:*:*:*:*:*:*\"}]},"
	"{\"SPDXID\":\"SPDXRef-b\",\"name\":\"nghttp2\",\"versionInfo\":\"1.52.0\","
	"\"downloadLocation\":\"NOASSERTION\",\"primaryPackagePurpose\":\"LIBRARY\"}],"
	"\"relationships\":[{\"spdxElementId\":\"SPDXRef-b\",\"relationshipType\":\"DEPENDENCY_OF\","
	"\"relatedSpdxElement\":\"SPDXRef-a\"}]}";

static void
test_read_foreign(void **state)
{
	vouch_sbom_doc *d = NULL;
	const vouch_sbom *s;
	const vouch_component *c;
	char err[256];

	(void)state;
	assert_int_equal(vouch_sbom_read(cdx14, strlen(cdx14), &d, err, sizeof(err)), VOUCH_OK);
	s = vouch_sbom_doc_sbom(d);
	assert_string_equal(s->name, "Acme Router");
	assert_string_equal(s->tool_version, "2.1");
	assert_int_equal(s->ncomponents, 3);
	c = by_name_version(s, "libtomcrypt", "1.18.2");
	assert_non_null(c); /* the nested one */
	assert_string_equal(c->cpe, "cpe:2.3:a:libtom:libtomcrypt:1.18.2:*:*:*:*:*:*:*");
	assert_non_null(c->bom_ref);
	c = by_ref(s, "lua");
	assert_true(c->confidence > 0.49 && c->confidence < 0.51); /* 1.5-style identity */
	assert_int_equal(s->ndeps, 1);
	assert_string_equal(s->deps[0].to, "lua");
	vouch_sbom_doc_free(d);

	assert_int_equal(vouch_sbom_read(spdx22, strlen(spdx22), &d, err, sizeof(err)), VOUCH_OK);
	s = vouch_sbom_doc_sbom(d);
	assert_int_equal(s->ncomponents, 2);
	c = by_ref(s, "SPDXRef-a");
	assert_string_equal(c->cpe, "cpe:2.3:a:haxx:curl:7.88.1:*:*:*:*:*:*:*");
	assert_string_equal(c->supplier, "Daniel");
	assert_int_equal(s->ndeps, 1);
	assert_string_equal(s->deps[0].from, "SPDXRef-a"); /* DEPENDENCY_OF reversed */
	assert_string_equal(s->deps[0].to, "SPDXRef-b");
	assert_string_equal(s->tool_version, "other-1.0");
	vouch_sbom_doc_free(d);
}

static void
expect_read_error(const char *doc, size_t len, int code, const char *msg_part)
{
	vouch_sbom_doc *d = NULL;
	char err[256] = "";

	assert_int_equal(vouch_sbom_read(doc, len, &d, err, sizeof(err)), code);
	assert_null(d);
	if (strstr(err, msg_part) == NULL) {
		fail_msg("error \"%s\" does not say \"%s\"", err, msg_part);
	}
}

static void
expect_read_err(const char *doc, int code, const char *msg_part)
{
	expect_read_error(doc, strlen(doc), code, msg_part);
}

static void
test_read_bad(void **state)
{
	char *deep, *p;
	size_t n = 0;
	static const char nul[] = "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\","
				  "\"components\":[{\"type\":\"library\",\"name\":\"a\\u0000b\"}]}";

	(void)state;
	expect_read_err("not json", VOUCH_E_MALFORMED, "not JSON");
	expect_read_err("[1,2]", VOUCH_E_MALFORMED, "not a JSON object");
	expect_read_err("{\"a\":1}", VOUCH_E_MALFORMED, "neither");
	expect_read_err("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.2\"}", VOUCH_E_MALFORMED, "1.2");
	expect_read_err("{\"spdxVersion\":\"SPDX-2.1\"}", VOUCH_E_MALFORMED, "SPDX-2.1");
	expect_read_err("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"specVersion\":\"1.5\"}", VOUCH_E_MALFORMED, "duplicate");
	p = "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":[{\"type\":"
	    "\"library\",\"name\":5}]}";
	expect_read_error(p, strlen(p), VOUCH_E_MALFORMED, "\"name\" is not a string");
	p = "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":{}}";
	expect_read_error(p, strlen(p), VOUCH_E_MALFORMED, "not an array");
	p = "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":[{\"type\":"
	    "\"file\",\"name\":\"x\",\"hashes\":[{\"alg\":\"SHA-256\",\"content\":\"abc\"}]}]}";
	expect_read_error(p, strlen(p), VOUCH_E_MALFORMED, "64 hex");
	expect_read_error(nul, strlen(nul), VOUCH_E_MALFORMED, "not JSON");
	/* the size limit is checked before a byte is read */
	expect_read_error("{}", (size_t)VOUCH_SBOM_DOC_MAX + 1, VOUCH_E_LIMIT, "larger");

	/* components nested 100 deep: refused at VOUCH_SBOM_NEST_MAX, not walked */
	deep = malloc(100 * 64 + 256);
	assert_non_null(deep);
	n += (size_t)snprintf(deep, 100 * 64 + 256, "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":[");
	for (int i = 0; i < 100; i++) {
		n += (size_t)snprintf(deep + n, 100 * 64 + 256 - n, "{\"type\":\"library\",\"name\":\"n\",\"components\":[");
	}
	for (int i = 0; i < 100; i++) {
		n += (size_t)snprintf(deep + n, 100 * 64 + 256 - n, "]}");
	}
	n += (size_t)snprintf(deep + n, 100 * 64 + 256 - n, "]}");
	expect_read_error(deep, n, VOUCH_E_LIMIT, "nested deeper");
	free(deep);

	/* JSON nested 100 000 deep: jansson's own depth limit, an error not a crash */
	deep = malloc(200002);
	assert_non_null(deep);
	memset(deep, '[', 100000);
	memset(deep + 100000, ']', 100000);
	expect_read_error(deep, 200000, VOUCH_E_MALFORMED, "not JSON");
	free(deep);
}

/* ---- VEX ---- */

static vouch_vuln_match
mk(const char *ref, const char *id, const char *aliases)
{
	vouch_vuln_match m;

	memset(&m, 0, sizeof(m));
	m.component_ref = ref;
	m.id = id;
	m.aliases = aliases;
	m.cvss3 = m.cvss4 = -1;
	return m;
}

/* CycloneDX 1.6 VEX (vulnerabilities[].analysis, affects[].ref), by hand from the spec. */
static const char cdx_vex[] =
	"{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"version\":1,"
	"\"vulnerabilities\":["
	"{\"id\":\"CVE-2023-0286\",\"analysis\":{\"state\":\"not_affected\",\"justification\":"
	"\"code_not_reachable\",\"detail\":\"X.400 GENERAL_NAME is never parsed\"},"
	"\"affects\":[{\"ref\":\"comp-openssl-3.0.11\"}]},"
	"{\"id\":\"CVE-2022-28391\",\"analysis\":{\"state\":\"resolved\"},"
	"\"affects\":[{\"ref\":\"pkg:generic/busybox@1.36.1?arch=mips\"}]},"
	"{\"id\":\"CVE-2022-37434\",\"analysis\":{\"state\":\"in_triage\"}},"
	"{\"id\":\"CVE-2023-1234\",\"analysis\":{\"state\":\"exploitable\",\"response\":[\"update\"]},"
	"\"affects\":[{\"ref\":\"urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#comp-linux\"}]},"
	"{\"id\":\"GHSA-xxxx-yyyy-zzzz\",\"references\":[{\"id\":\"CVE-2021-9999\",\"source\":"
	"{\"name\":\"NVD\"}}],\"analysis\":{\"state\":\"false_positive\"}},"
	"{\"id\":\"CVE-2000-0001\",\"analysis\":{\"state\":\"not_affected\"},\"affects\":"
	"[{\"ref\":\"comp-nothing\"}]},"
	"{\"id\":\"CVE-1999-0001\"}"
	"]}";

static void
test_vex_cyclonedx(void **state)
{
	test_model tm;
	vouch_vex_doc *d = NULL;
	char err[256] = "";
	size_t applied, unused;
	vouch_vuln_match m[7];

	(void)state;
	assert_int_equal(test_model_build(&tm, 0), 0);
	tm.comp[2].bom_ref = "comp-linux";
	m[0] = mk("comp-openssl-3.0.11", "CVE-2023-0286", NULL);
	m[1] = mk("comp-busybox-1.36.1", "CVE-2023-0286", NULL); /* not in affects */
	m[2] = mk("comp-busybox-1.36.1", "cve-2022-28391", NULL); /* by purl, any case */
	m[3] = mk("comp-zlib", "CVE-2022-37434", NULL);           /* no affects: all */
	m[4] = mk("comp-linux", "CVE-2023-1234", NULL);           /* BOM-Link */
	m[5] = mk("comp-u-boot", "OSV-2021-1", "CVE-2021-9999, GHSA-aaaa"); /* alias */
	m[6] = mk("comp-u-boot", "CVE-2024-0002", NULL);          /* nothing says a word */
	if (vouch_vex_read(cdx_vex, strlen(cdx_vex), &d, err, sizeof(err)) != VOUCH_OK) {
		fail_msg("%s", err);
	}
	vouch_vex_apply(d, m, 7, tm.s.components, tm.s.ncomponents, &applied, &unused);
	assert_int_equal(m[0].vex, VOUCH_VEX_NOT_AFFECTED);
	assert_non_null(strstr(m[0].vex_detail, "code_not_reachable"));
	assert_non_null(strstr(m[0].vex_detail, "X.400 GENERAL_NAME"));
	assert_int_equal(m[1].vex, VOUCH_VEX_NONE);
	assert_null(m[1].vex_detail);
	assert_int_equal(m[2].vex, VOUCH_VEX_FIXED);
	assert_int_equal(m[3].vex, VOUCH_VEX_UNDER_INVESTIGATION);
	assert_int_equal(m[4].vex, VOUCH_VEX_AFFECTED);
	assert_int_equal(m[5].vex, VOUCH_VEX_NOT_AFFECTED);
	assert_non_null(strstr(m[5].vex_detail, "false_positive"));
	assert_int_equal(m[6].vex, VOUCH_VEX_NONE);
	assert_int_equal(applied, 5);
	assert_int_equal(unused, 1); /* CVE-2000-0001 names a component that is not there */
	vouch_vex_free(d);
	test_model_free(&tm);
}

/* OpenVEX 0.2.0, by hand from the specification. */
static const char openvex[] =
	"{\"@context\":\"https://openvex.dev/ns/v0.2.0\",\"@id\":\"https://example.com/vex-1\","
	"\"author\":\"Analyst\",\"timestamp\":\"2024-01-01T00:00:00Z\",\"version\":1,"
	"\"statements\":["
	"{\"vulnerability\":{\"name\":\"CVE-2023-0286\"},\"products\":[{\"@id\":"
	"\"pkg:generic/openssl@3.0.11\"}],\"status\":\"not_affected\",\"justification\":"
	"\"vulnerable_code_not_in_execute_path\"},"
	"{\"vulnerability\":{\"name\":\"CVE-2022-28391\",\"aliases\":[\"GHSA-b1\"]},"
	"\"products\":[{\"identifiers\":{\"cpe23\":\"cpe:2.3:a:busybox:busybox:*:*:*:*:*:*:*:*\"}}],"
	"\"status\":\"fixed\"},"
	"{\"vulnerability\":{\"name\":\"CVE-2022-37434\"},\"products\":[{\"@id\":"
	"\"pkg:generic/router-fw@4.2\",\"subcomponents\":[{\"@id\":\"pkg:generic/zlib\"}]}],"
	"\"status\":\"under_investigation\"},"
	/* later statement (by time) listed first: it wins */
	"{\"vulnerability\":{\"name\":\"CVE-2023-5678\"},\"timestamp\":\"2024-03-01T00:00:00Z\","
	"\"products\":[{\"@id\":\"pkg:generic/openssl@3.0.11\"}],\"status\":\"affected\","
	"\"action_statement\":\"update to 3.0.13\"},"
	"{\"vulnerability\":{\"name\":\"CVE-2023-5678\"},\"timestamp\":\"2024-02-01T00:00:00Z\","
	"\"products\":[{\"@id\":\"pkg:generic/openssl@3.0.11\"}],\"status\":\"not_affected\","
	"\"impact_statement\":\"not used\"},"
	"{\"vulnerability\":\"CVE-2010-0001\",\"products\":[\"pkg:generic/none@1\"],"
	"\"status\":\"fixed\"}"
	"]}";

static void
test_vex_openvex(void **state)
{
	test_model tm;
	vouch_vex_doc *d = NULL;
	char err[256] = "";
	size_t applied, unused;
	vouch_vuln_match m[6];

	(void)state;
	assert_int_equal(test_model_build(&tm, 0), 0);
	m[0] = mk("comp-openssl-3.0.11", "CVE-2023-0286", NULL);
	m[1] = mk("comp-busybox-1.36.1", "GHSA-b1", NULL); /* via the statement's alias */
	m[2] = mk("comp-zlib", "CVE-2022-37434", NULL);     /* zlib 1.2.13 (first comp-zlib) */
	m[3] = mk("comp-openssl-3.0.11", "CVE-2023-5678", NULL);
	m[4] = mk("comp-linux-5.10.176", "CVE-2023-0286", NULL); /* product is openssl only */
	m[5] = mk("comp-u-boot", "CVE-2022-37434", NULL);        /* subcomponent is zlib only */
	if (vouch_vex_read(openvex, strlen(openvex), &d, err, sizeof(err)) != VOUCH_OK) {
		fail_msg("%s", err);
	}
	vouch_vex_apply(d, m, 6, tm.s.components, tm.s.ncomponents, &applied, &unused);
	assert_int_equal(m[0].vex, VOUCH_VEX_NOT_AFFECTED);
	assert_non_null(strstr(m[0].vex_detail, "vulnerable_code_not_in_execute_path"));
	assert_int_equal(m[1].vex, VOUCH_VEX_FIXED);
	assert_int_equal(m[2].vex, VOUCH_VEX_UNDER_INVESTIGATION);
	assert_int_equal(m[3].vex, VOUCH_VEX_AFFECTED);
	assert_non_null(strstr(m[3].vex_detail, "update to 3.0.13"));
	assert_int_equal(m[4].vex, VOUCH_VEX_NONE);
	assert_int_equal(m[5].vex, VOUCH_VEX_NONE);
	assert_int_equal(applied, 4);
	/* unused: CVE-2010-0001 matched nothing; the older CVE-2023-5678 statement did
	 * apply (it was overridden, not unused) */
	assert_int_equal(unused, 1);
	vouch_vex_free(d);
	test_model_free(&tm);
}

static void
expect_vex_error(const char *doc, const char *msg_part)
{
	vouch_vex_doc *d = NULL;
	char err[256] = "";

	assert_int_equal(vouch_vex_read(doc, strlen(doc), &d, err, sizeof(err)), VOUCH_E_MALFORMED);
	assert_null(d);
	if (strstr(err, msg_part) == NULL) {
		fail_msg("error \"%s\" does not say \"%s\"", err, msg_part);
	}
}

static void
test_vex_bad(void **state)
{
	(void)state;
	expect_vex_error("{\"spdxVersion\":\"SPDX-2.3\"}", "neither OpenVEX");
	expect_vex_error("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\"}", "not VEX");
	expect_vex_error("{\"bomFormat\":\"CycloneDX\",\"vulnerabilities\":[{\"id\":\"CVE-1\"}]}",
			 "no vulnerabilities[] entry has an analysis");
	expect_vex_error("{\"bomFormat\":\"CycloneDX\",\"vulnerabilities\":[{\"id\":\"CVE-1\","
			 "\"analysis\":{\"state\":\"not_afected\"}}]}",
			 "unknown analysis.state \"not_afected\"");
	expect_vex_error("{\"@context\":\"https://openvex.dev/ns/v0.2.0\",\"statements\":[{"
			 "\"vulnerability\":{\"name\":\"CVE-1\"},\"status\":\"fixed\"}]}",
			 "names no product");
	expect_vex_error("{\"@context\":\"https://openvex.dev/ns/v0.2.0\",\"statements\":[{"
			 "\"vulnerability\":{\"name\":\"CVE-1\"},\"products\":[\"pkg:x/y\"],"
			 "\"status\":\"maybe\"}]}",
			 "unknown status \"maybe\"");
	expect_vex_error("{\"@context\":\"https://openvex.dev/ns/v0.2.0\"}", "statements");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_cyclonedx),
		cmocka_unit_test(test_roundtrip_spdx),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_uuid),
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_read_foreign),
		cmocka_unit_test(test_read_bad),
		cmocka_unit_test(test_vex_cyclonedx),
		cmocka_unit_test(test_vex_openvex),
		cmocka_unit_test(test_vex_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
