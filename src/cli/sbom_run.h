/*
 * cli/sbom_run.h: what `vouch sbom` and `vouch vulns` share: one scan with the identifier as
 * visitor, the component table and JSON, and writing a document atomically.
 */
#ifndef VOUCH_CLI_SBOM_RUN_H
#define VOUCH_CLI_SBOM_RUN_H

#include <jansson.h>
#include <stdbool.h>

#include "vouch/sbom.h"
#include "vouch/scan.h"
#include "vouch/vuln.h"

typedef struct sbom_opts {
	vouch_scan_opts scan;
	const char *rules; /* --rules FILE, NULL: built in */
	bool quiet;
	bool sha1; /* SHA-1 of every file too (SPDX) */
} sbom_opts;

/* Handle an option shared by both commands: 1 taken, 0 not ours, -EXIT_x on error. */
int sbom_parse_common(int c, const char *arg, sbom_opts *so);
/* Scan IMAGE and identify; *scan and *ident are the caller's to free, even on error. */
int sbom_scan(const char *image, const sbom_opts *so, vouch_scan **scan, vouch_ident **ident,
	      const vouch_sbom **out, int *scan_rc);
json_t *sbom_components_json(const vouch_sbom *s);
void sbom_print_table(FILE *out, const vouch_sbom *s);
/* Write text + "\n" to path (atomically) or to stdout when path is NULL or "-". */
int sbom_write_file(const char *path, const char *text);

/* `vouch vulns` pieces `vouch scan` reuses (cmd_vulns.c). */
json_t *vulns_match_json(const vouch_vuln_match *m, const vouch_component *c);
json_t *vulns_coverage_json(const vouch_vulndb_info *in);
const vouch_component *vulns_comp_of(const vouch_sbom *s, const char *ref);
bool vulns_suppressed(const vouch_vuln_match *m);

#endif
