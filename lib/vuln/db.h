/*
 * vuln/db.h: the database handle and the normalised record that every importer produces
 * (shared by db.c, import.c and match.c; not part of the public API).
 */
#ifndef VOUCH_VULN_DB_H
#define VOUCH_VULN_DB_H

#include <sqlite3.h>

#include "vuln/vuln_int.h"

struct vouch_vulndb {
	sqlite3 *db;
	vouch_errinfo err;
	/* prepared once, reused (matching runs them thousands of times) */
	sqlite3_stmt *st_find, *st_insert, *st_update, *st_delprod, *st_addprod;
	sqlite3_stmt *st_lookup, *st_detail;
	char now[32]; /* import time of the current run */
};

/* One record of any source format, ready to be stored. Strings are borrowed (from the
 * parsed document or the record's arena) and live until the record is stored. */
typedef struct vouch_vrec {
	const char *kind;   /* "nvd", "cve5", "osv": records of one kind replace each other */
	const char *format; /* "nvd-2.0", "nvd-1.1", "cve-5", "osv" */
	const char *id;
	char published[32], modified[32];
	int year;           /* of the CVE id (or CVE alias), 0 when none */
	const char *summary, *aliases, *cwe;
	double cvss3, cvss4;
	const char *cvss3_vector, *cvss4_vector, *severity;
	vouch_appl appl;
} vouch_vrec;

/* A match result or an info answer: everything in it lives in its arena. */
struct vouch_vuln_result {
	vouch_arena *ar;
	vouch_vuln_match *m;
	size_t n, cap;
	vouch_vuln_note *notes;
	size_t nnotes, capnotes;
	size_t skipped;
	vouch_vulndb_info info;
};

/* Insert or replace (when newer) one record; *outcome: 0 added, 1 updated, 2 unchanged. */
int vouch_vulndb_store(vouch_vulndb *db, const vouch_vrec *r, int64_t sid, int *outcome);
/* The source row of (format, origin), created when absent; its feed time kept newest. */
int vouch_vulndb_source_row(vouch_vulndb *db, const char *format, const char *origin,
			const char *feed_time, int64_t *sid);
int vouch_vulndb_exec(vouch_vulndb *db, const char *sql);
int vouch_vulndb_sqlerr(vouch_vulndb *db, int src, const char *what);

#endif
