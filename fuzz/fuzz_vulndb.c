/*
 * fuzz/fuzz_vulndb.c: libFuzzer harness for the vulnerability-feed importer (vuln/import.c,
 * yaml.c, cpe.c, appl.c) and the matcher (vuln/match.c) that reads back what it stored.
 *
 * Each input (at most 1 MiB) is written to a private temporary file and imported into one
 * in-memory database kept for the whole run (as JSON or YAML, gzip when it starts with the
 * gzip magic: the importer decides from the content, like for real feeds). Properties,
 * asserted with abort():
 *   - the import answers OK, MALFORMED or LIMIT (never IO, INTERNAL or a crash), and its
 *     counters add up: records = added + updated + unchanged + rejected;
 *   - importing the same file again changes nothing: added = updated = 0;
 *   - matching a fixed set of components (by CPE, aliases and OSV name) succeeds: every
 *     stored blob decodes and evaluates, and no (component, id) pair appears twice;
 *   - vouch_version_cmp on the two halves of the input is antisymmetric and 0 only for
 *     identical strings.
 * Rejected: a fresh database per input (SQLite schema creation would dominate each run;
 * records from earlier inputs make matching see mixed, realistic databases).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vouch/vuln.h"

#define FUZZ_MAX_INPUT (1u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static vouch_vulndb *db;
static char path[64];

static const char *const aliases[] = {"haxx:libcurl", "curl:curl", "openssl_project:openssl"};

static void
check_versions(const uint8_t *data, size_t size)
{
	size_t h = size / 2;
	char *a = malloc(h + 1), *b = malloc(size - h + 1);
	int x, y;

	if (a == NULL || b == NULL) {
		free(a);
		free(b);
		return;
	}
	memcpy(a, data, h);
	a[h] = '\0';
	memcpy(b, data + h, size - h);
	b[size - h] = '\0';
	x = vouch_version_cmp(a, b);
	y = vouch_version_cmp(b, a);
	if ((x > 0) != (y < 0) || (x == 0) != (y == 0) || (x == 0 && strcmp(a, b) != 0)) {
		abort();
	}
	free(a);
	free(b);
}

static void
check_match(void)
{
	vouch_component c[4];
	vouch_vuln_result *r = NULL;
	vouch_vuln_match *m;
	size_t n;

	memset(c, 0, sizeof(c));
	c[0] = (vouch_component){.bom_ref = "a", .name = "openssl", .version = "3.0.7",
				 .cpe = "cpe:2.3:a:openssl:openssl:3.0.7:*:*:*:*:*:*:*"};
	c[1] = (vouch_component){.bom_ref = "b", .name = "curl", .version = "7.57.0",
				 .cpe = "cpe:2.3:a:haxx:curl:7.57.0:*:*:*:*:*:*:*",
				 .cpe_aliases = aliases, .ncpe_aliases = 3};
	c[2] = (vouch_component){.bom_ref = "c", .name = "a", .version = "1.0.1beta1",
				 .cpe = "cpe:2.3:a:a:b:1.0.1:beta1:*:*:*:*:*:*"};
	c[3] = (vouch_component){.bom_ref = "d", .name = "x", .version = "2"};
	if (vouch_vulndb_match(db, c, 4, &r) != VOUCH_OK) {
		abort(); /* a stored record that cannot be read back */
	}
	m = vouch_vuln_result_matches(r, &n);
	for (size_t i = 0; i < n; i++) {
		if (m[i].id == NULL || m[i].reason == NULL || m[i].severity == NULL) {
			abort();
		}
		for (size_t j = i + 1; j < n; j++) {
			if (strcmp(m[i].component_ref, m[j].component_ref) == 0 &&
			    strcmp(m[i].id, m[j].id) == 0) {
				abort(); /* duplicates must have been merged */
			}
		}
	}
	vouch_vuln_result_free(r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vouch_import_stats st = {0}, st2 = {0};
	FILE *f;
	int rc;

	if (size > FUZZ_MAX_INPUT) {
		return 0;
	}
	if (db == NULL) {
		snprintf(path, sizeof(path), "/tmp/vouch-fuzz-vulndb-%ld.json", (long)getpid());
		if (vouch_vulndb_open(&db, ":memory:", true) != VOUCH_OK) {
			abort();
		}
	}
	check_versions(data, size);
	f = fopen(path, "wb");
	if (f == NULL) {
		return 0;
	}
	if (fwrite(data, 1, size, f) != size) {
		fclose(f);
		unlink(path);
		return 0;
	}
	fclose(f);
	rc = vouch_vulndb_import(db, path, &st, NULL, NULL);
	if (rc != VOUCH_OK && rc != VOUCH_E_MALFORMED && rc != VOUCH_E_LIMIT) {
		abort();
	}
	if (st.records != st.added + st.updated + st.unchanged + st.rejected) {
		abort();
	}
	if (rc == VOUCH_OK) {
		if (vouch_vulndb_import(db, path, &st2, NULL, NULL) != VOUCH_OK || st2.added != 0 ||
		    st2.updated != 0) {
			abort(); /* the same data twice must change nothing */
		}
	}
	unlink(path);
	check_match();
	return 0;
}
