/*
 * tests/tools/vulnmatch.c: match components given on the command line against a vouch
 * vulnerability database, for the end-to-end tests (before `vouch vulns` exists).
 *
 * Usage: vulnmatch DB NAME VERSION CPE|- ALIASES|- [NAME VERSION CPE|- ALIASES|-]...
 * ALIASES is a comma-separated list of vendor:product. Prints one line per match:
 *   match <TAB> bom-ref <TAB> id <TAB> cvss3 <TAB> severity <TAB> cwe <TAB> aliases <TAB> reason
 * then one line per note ("note <TAB> bom-ref <TAB> id <TAB> why") and "skipped <TAB> N".
 * Exit 0, or 1 with a message when the database cannot be read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vouch/vuln.h"

int
main(int argc, char **argv)
{
	vouch_vulndb *db = NULL;
	vouch_vuln_result *r = NULL;
	vouch_component *c;
	const vouch_vuln_note *notes;
	vouch_vuln_match *m;
	size_t n, nc, nn;
	int rc;

	if (argc < 2 || (argc - 2) % 4 != 0) {
		fprintf(stderr, "usage: %s DB [NAME VERSION CPE|- ALIASES|-]...\n", argv[0]);
		return 2;
	}
	nc = (size_t)(argc - 2) / 4;
	c = calloc(nc + 1, sizeof(*c));
	if (c == NULL) {
		return 1;
	}
	for (size_t i = 0; i < nc; i++) {
		char **a = argv + 2 + 4 * i;
		char *ref = malloc(strlen(a[0]) + strlen(a[1]) + 2);
		const char **al = calloc(64, sizeof(*al));
		size_t na = 0;

		if (ref == NULL || al == NULL) {
			return 1;
		}
		snprintf(ref, strlen(a[0]) + strlen(a[1]) + 2, "%s@%s", a[0], a[1]);
		c[i].bom_ref = ref;
		c[i].name = a[0];
		c[i].version = strcmp(a[1], "-") == 0 ? NULL : a[1];
		c[i].cpe = strcmp(a[2], "-") == 0 ? NULL : a[2];
		if (strcmp(a[3], "-") != 0) {
			char *save = NULL;

			for (char *p = strtok_r(a[3], ",", &save); p != NULL && na < 64;
			     p = strtok_r(NULL, ",", &save)) {
				al[na++] = p;
			}
		}
		c[i].cpe_aliases = al;
		c[i].ncpe_aliases = na;
	}
	if ((rc = vouch_vulndb_open(&db, argv[1], false)) != VOUCH_OK ||
	    (rc = vouch_vulndb_match(db, c, nc, &r)) != VOUCH_OK) {
		fprintf(stderr, "vulnmatch: %s: %s\n", vouch_err_str(rc), vouch_vulndb_errmsg(db));
		vouch_vulndb_close(db);
		return 1;
	}
	m = vouch_vuln_result_matches(r, &n);
	for (size_t i = 0; i < n; i++) {
		printf("match\t%s\t%s\t%.1f\t%s\t%s\t%s\t%s\n", m[i].component_ref, m[i].id, m[i].cvss3,
		       m[i].severity, m[i].cwe != NULL ? m[i].cwe : "-",
		       m[i].aliases != NULL ? m[i].aliases : "-", m[i].reason);
	}
	notes = vouch_vuln_result_notes(r, &nn);
	for (size_t i = 0; i < nn; i++) {
		printf("note\t%s\t%s\t%s\n", notes[i].component_ref, notes[i].id, notes[i].why);
	}
	printf("skipped\t%zu\n", vouch_vuln_result_skipped(r));
	vouch_vuln_result_free(r);
	vouch_vulndb_close(db);
	return 0;
}
