/*
 * vouch/vuln.h: an offline vulnerability database and the matching of components against it.
 *
 * The database is one SQLite file. `vouch_vulndb_import` reads NVD 2.0 JSON (year feeds and
 * API pages), legacy NVD 1.1 feeds, CVE JSON 5 records (one record or an array) and OSV
 * records (JSON or YAML), plain or gzip, a file or a directory tree; a record already present
 * is replaced only when the new copy is newer (lastModified), so importing the same data
 * twice changes nothing. Every record keeps where it came from (file, format, feed time) and
 * when it was imported; `vouch_vulndb_info` says what the database covers, so a report never
 * claims "no known vulnerabilities" beyond that.
 *
 * Matching: a component's CPE vendor:product (and its aliases) with its version is tested
 * against every CPE match criterion of that product, with version ranges
 * (start/end, including/excluding) and the AND/OR nodes of NVD configurations; OSV records
 * match by package name and affected version list or ranges. Versions are compared with
 * vouch_version_cmp, which understands embedded version strings ("1.1.1w" > "1.1.1t",
 * "2022.83", "8.9p1", "2.4.57-r1", "1.0.2k-fips").
 *
 * Ownership: caller owns the vouch_vulndb and each vouch_vuln_result; every string in a
 * result lives until vouch_vuln_result_free.
 */
#ifndef VOUCH_VULN_H
#define VOUCH_VULN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vouch/error.h"
#include "vouch/sbom.h"

#ifdef __cplusplus
extern "C" {
#endif

/* <0, 0, >0 as a is older than, the same as, newer than b. Total order; never fails. */
VOUCH_API int vouch_version_cmp(const char *a, const char *b);

typedef struct vouch_vulndb vouch_vulndb;

/* Open (create when `create`) the database at `path`. Caller frees *out with _close. */
VOUCH_API int vouch_vulndb_open(vouch_vulndb **out, const char *path, bool create);
VOUCH_API void vouch_vulndb_close(vouch_vulndb *db);
VOUCH_API const char *vouch_vulndb_errmsg(const vouch_vulndb *db);

typedef struct vouch_import_stats {
	uint64_t files;      /* files read */
	uint64_t records;    /* records seen */
	uint64_t added;      /* new records */
	uint64_t updated;    /* replaced by a newer copy */
	uint64_t unchanged;  /* same or older copy already present */
	uint64_t rejected;   /* malformed records skipped (each reported through `log`) */
} vouch_import_stats;

/* Messages of an import: progress (one line per file done: format, records, outcome) and
 * warnings (a file or record refused, with the reason). */
enum { VOUCH_VULNDB_LOG_PROGRESS = 0, VOUCH_VULNDB_LOG_WARN = 1 };
typedef void (*vouch_vulndb_log_fn)(void *ud, int level, const char *msg);

/*
 * Import a file or directory (walked in name order; in a directory only *.json, *.yaml,
 * *.yml, optionally .gz, are read, symbolic links are not followed). Each file is one
 * transaction: a file that fails leaves the database as it was. The walk goes on past a bad
 * file; the return is then VOUCH_E_MALFORMED (a file is not a known feed format, is
 * truncated, or is not JSON/YAML) or VOUCH_E_IO/NOTFOUND, with the last failure's detail in
 * vouch_vulndb_errmsg. Records refused inside a good file are counted in st->rejected and
 * do not make the call fail. `st` accumulates (the caller zeroes it).
 */
VOUCH_API int vouch_vulndb_import(vouch_vulndb *db, const char *path, vouch_import_stats *st,
				  vouch_vulndb_log_fn log, void *log_ud);

/* What the database holds: one row per source (format, file, feed time, records, years). */
typedef struct vouch_vulndb_source {
	const char *format;   /* "nvd-2.0", "nvd-1.1", "cve-5", "osv" */
	const char *origin;   /* file it was imported from */
	const char *feed_time; /* the feed's own timestamp, ISO 8601, or NULL */
	const char *imported; /* when, ISO 8601 UTC */
	uint64_t records;
	int min_year, max_year; /* CVE years covered (0 when none) */
} vouch_vulndb_source;

/* Records per CVE year (the year in the CVE id, or in an OSV record's CVE alias). */
typedef struct vouch_vulndb_year {
	int year;
	uint64_t records;
} vouch_vulndb_year;

typedef struct vouch_vulndb_info {
	uint64_t records;
	const vouch_vulndb_year *years; /* ascending; years absent from the database are gaps */
	size_t nyears;
	const char *newest_modified;  /* newest lastModified of any record */
	const vouch_vulndb_source *sources;
	size_t nsources;
	const char *digest;  /* hex SHA-256 over the records' ids and modification times:
			      * names this exact database version in attestations */
} vouch_vulndb_info;

typedef struct vouch_vuln_result vouch_vuln_result;

VOUCH_API int vouch_vulndb_info_get(vouch_vulndb *db, vouch_vuln_result **out,
				    const vouch_vulndb_info **info);

typedef enum vouch_vex_state {
	VOUCH_VEX_NONE = 0,          /* no statement applies */
	VOUCH_VEX_AFFECTED,
	VOUCH_VEX_NOT_AFFECTED,      /* suppressed, with a justification */
	VOUCH_VEX_FIXED,             /* suppressed */
	VOUCH_VEX_UNDER_INVESTIGATION,
} vouch_vex_state;

typedef struct vouch_vuln_match {
	const char *component_ref; /* bom-ref of the component matched */
	const char *id;            /* "CVE-2023-0286" or the OSV id */
	const char *aliases;       /* other ids, comma-separated, or NULL */
	const char *summary;       /* first English description, or NULL */
	double cvss3;              /* base score, -1 when none */
	const char *cvss3_vector;
	double cvss4;              /* -1 when none */
	const char *cvss4_vector;
	const char *severity;      /* "critical", "high", "medium", "low", "none", "unknown" */
	const char *cwe;           /* comma-separated CWE ids, or NULL */
	const char *reason;        /* why it matched: the criterion and the range, in words */
	const char *source;        /* format and origin of the record that matched */
	const char *published, *modified;
	vouch_vex_state vex;       /* set by vouch_vex_apply */
	const char *vex_detail;    /* justification / statement, or NULL */
} vouch_vuln_match;

/*
 * Match every component (those without version are skipped and counted). A component is
 * looked up by the vendor:product of its `cpe` and of each `cpe_aliases` entry (NVD and CVE 5
 * records), and by its `name` (OSV package names); its version is `version`, else the CPE's.
 * One match per (component, vulnerability id): a CVE found in several sources (NVD, CVE 5,
 * an OSV record naming it as an alias) is merged, each field taken from the best source
 * (NVD, then CVE 5, then OSV) that has it, the reasons of all of them kept.
 */
VOUCH_API int vouch_vulndb_match(vouch_vulndb *db, const vouch_component *c, size_t n,
				 vouch_vuln_result **out);
/* The matches, sorted by component then severity; mutable so VEX can annotate them. */
VOUCH_API vouch_vuln_match *vouch_vuln_result_matches(vouch_vuln_result *r, size_t *n);
VOUCH_API void vouch_vuln_result_free(vouch_vuln_result *r);
/* Components skipped because they have no version. */
VOUCH_API size_t vouch_vuln_result_skipped(const vouch_vuln_result *r);
/* Records that name a component but whose versions cannot be evaluated offline (OSV git
 * commit ranges without a version list, CVE 5 "git" or "n/a" versions): not matches, but
 * a report should say they were not decided. */
typedef struct vouch_vuln_note {
	const char *component_ref;
	const char *id;
	const char *why;
} vouch_vuln_note;
VOUCH_API const vouch_vuln_note *vouch_vuln_result_notes(const vouch_vuln_result *r, size_t *n);

/*
 * VEX (lib/sbom/vex.c): read a CycloneDX VEX (vulnerabilities[].analysis) or OpenVEX
 * document, then set vex / vex_detail on the matches it speaks about (by vulnerability id or
 * alias, and by component purl, CPE or bom-ref where a statement names products). The doc
 * owns the vex_detail strings: free it after the matches. VOUCH_E_MALFORMED with a message in
 * err when the document is not VEX. *applied counts matches changed, *unused statements that
 * matched nothing.
 */
typedef struct vouch_vex_doc vouch_vex_doc;
VOUCH_API int vouch_vex_read(const char *json, size_t len, vouch_vex_doc **out, char *err,
			     size_t errlen);
VOUCH_API void vouch_vex_apply(const vouch_vex_doc *d, vouch_vuln_match *m, size_t nm,
			       const vouch_component *c, size_t nc, size_t *applied,
			       size_t *unused);
VOUCH_API void vouch_vex_free(vouch_vex_doc *d);

#ifdef __cplusplus
}
#endif
#endif
