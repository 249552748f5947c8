/*
 * cli/report.h: one evaluation of one image, as `vouch scan` and `vouch evaluate` run it.
 *
 * One scan whose visitor is a chain of the indicator analysis (findings.h), the component
 * identifier (sbom.h) and the image's entropy profile, so the bytes are read once for all
 * three; then the components matched against the vulnerability database when there is one.
 * The report JSON (report_version 1) is what `vouch scan --json` prints, what `vouch
 * evaluate` stores and signs the digest of, and what `vouch diff`, `vouch report` and the
 * policy read back:
 *   tool, version, report_version, image, outcome,
 *   inventory {files, regions, errors, bytes_in, bytes_out, seconds, limit_hit, truncated,
 *              file_list [...]},
 *   regions [{node, format, offset, length, kind, entropy}],
 *   entropy {path, size, block_size, values [bits per byte of each block, <= 512]},
 *   components [...], findings [...], vulnerabilities (null without a database), database.
 */
#ifndef VOUCH_CLI_REPORT_H
#define VOUCH_CLI_REPORT_H

#include <jansson.h>
#include <stdbool.h>

#include "vouch/findings.h"
#include "vouch/sbom.h"
#include "vouch/scan.h"
#include "vouch/vuln.h"

/* The entropy profile has at most this many blocks (an SVG plot's worth of points). */
#define REPORT_ENTROPY_BLOCKS 512
/* ... and blocks are at least this long (smaller ones say more about noise than content). */
#define REPORT_ENTROPY_MIN_BLOCK 1024

typedef struct report_opts {
	vouch_scan_opts scan;
	vouch_analysis_opts analysis;
	const char *db; /* --db FILE; NULL: cli_vulndb_path's default, used when it exists */
	bool quiet;
} report_opts;

typedef struct report_entropy {
	uint64_t size, block_size;
	uint64_t hist[256], in_block;
	double values[REPORT_ENTROPY_BLOCKS];
	size_t n;
} report_entropy;

typedef struct report_run {
	vouch_scan *scan;
	vouch_findings *fs;
	vouch_analysis *an;
	vouch_ident *ident;
	vouch_visitor chain;
	vouch_vulndb *vdb;
	vouch_vuln_result *vres, *vinfo_ref;
	const vouch_vulndb_info *vinfo;
	const vouch_sbom *sb;          /* NULL when identification failed */
	const vouch_report *rep;
	vouch_vuln_match *vm;          /* NULL when no database was used */
	size_t nvm;
	const vouch_finding *list;
	size_t nf;
	int scan_rc;                   /* how the scan itself went (a vouch_err) */
	report_entropy ent;
} report_run;

void report_opts_default(report_opts *o);
/* Run every analysis over IMAGE. Returns an EXIT_* status: EXIT_OK when the report can be
 * made (r->scan_rc then says whether the scan was complete), else the reason was printed.
 * r is the caller's to free with report_run_free, whatever the result. */
int report_run_image(const char *image, const report_opts *o, report_run *r);
void report_run_free(report_run *r);
/* The report JSON (report_version 1); NULL when out of memory. */
json_t *report_json(const report_run *r, const char *image);
/* The finding as the report holds it. */
json_t *report_finding_json(const vouch_finding *f);

#endif
