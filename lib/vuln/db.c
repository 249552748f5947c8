/*
 * vuln/db.c: the vulnerability database file (SQLite): schema, storing records, and what
 * the database covers (vouch_vulndb_info_get).
 *
 * Schema (PRAGMA user_version 1):
 *   source(sid, format, origin, feed_time, imported)    one row per file imported
 *   record(rid, kind, vid, format, sid, imported, published, modified, year, summary,
 *          aliases, cvss3, cvss3_vector, cvss4, cvss4_vector, severity, cwe, appl)
 *          UNIQUE(kind, vid): NVD 1.1 and 2.0 copies of one CVE are one "nvd" record, the
 *          newer lastModified winning; CVE 5 and OSV copies are kept beside it (merged at
 *          match time);
 *   product(vendor, product, rid)  WITHOUT ROWID, primary key in that order: the index a
 *          lookup by vendor:product walks, so matching never scans the records.
 * `appl` is the record's applicability in the compact encoding of appl.c. Timestamps are
 * stored canonical (vouch_vuln_ts_canon), so "newer" is a text comparison.
 *
 * The file is a rebuildable cache of public data, so it runs with synchronous=NORMAL in WAL
 * mode; each imported file is one transaction (db.c only stores; import.c opens and commits).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "crypto/crypto.h"
#include "vuln/db.h"

#define SCHEMA_VERSION 1
#define BUSY_MS 10000

int
vouch_vulndb_sqlerr(vouch_vulndb *db, int src, const char *what)
{
	return vouch_errf(&db->err, src == SQLITE_NOMEM ? VOUCH_E_NOMEM : VOUCH_E_IO, 0,
			  "database: %s: %s", what, sqlite3_errmsg(db->db));
}

int
vouch_vulndb_exec(vouch_vulndb *db, const char *sql)
{
	int rc = sqlite3_exec(db->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? VOUCH_OK : vouch_vulndb_sqlerr(db, rc, sql);
}

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS source("
	" sid INTEGER PRIMARY KEY, format TEXT NOT NULL, origin TEXT NOT NULL,"
	" feed_time TEXT, imported TEXT NOT NULL, UNIQUE(format, origin));"
	"CREATE TABLE IF NOT EXISTS record("
	" rid INTEGER PRIMARY KEY, kind TEXT NOT NULL, vid TEXT NOT NULL, format TEXT NOT NULL,"
	" sid INTEGER NOT NULL, imported TEXT NOT NULL, published TEXT, modified TEXT NOT NULL,"
	" year INTEGER NOT NULL, summary TEXT, aliases TEXT, cvss3 REAL, cvss3_vector TEXT,"
	" cvss4 REAL, cvss4_vector TEXT, severity TEXT, cwe TEXT, appl BLOB NOT NULL,"
	" UNIQUE(kind, vid));"
	"CREATE TABLE IF NOT EXISTS product("
	" vendor TEXT NOT NULL, product TEXT NOT NULL, rid INTEGER NOT NULL,"
	" PRIMARY KEY(vendor, product, rid)) WITHOUT ROWID;"
	"CREATE INDEX IF NOT EXISTS product_rid ON product(rid);";

static int
prepare(vouch_vulndb *db, sqlite3_stmt **st, const char *sql)
{
	int rc = sqlite3_prepare_v3(db->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL);

	return rc == SQLITE_OK ? VOUCH_OK : vouch_vulndb_sqlerr(db, rc, "prepare");
}

static vouch_vulndb *
db_alloc(void)
{
	return calloc(1, sizeof(vouch_vulndb));
}

int
vouch_vulndb_open(vouch_vulndb **out, const char *path, bool create)
{
	vouch_vulndb *db;
	sqlite3_stmt *st = NULL;
	struct stat sb;
	int rc, ver = 0;

	if (out == NULL || path == NULL) {
		return VOUCH_E_USAGE;
	}
	*out = NULL;
	if (!create && stat(path, &sb) != 0) {
		return VOUCH_E_NOTFOUND;
	}
	if ((db = db_alloc()) == NULL) {
		return VOUCH_E_NOMEM;
	}
	*out = db; /* so that the caller can read the error message; it must still close */
	rc = sqlite3_open_v2(path, &db->db,
			     create ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
				    : SQLITE_OPEN_READWRITE,
			     NULL);
	if (rc != SQLITE_OK) {
		rc = vouch_errf(&db->err, VOUCH_E_IO, 0, "cannot open database %s: %s", path,
				db->db != NULL ? sqlite3_errmsg(db->db) : "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(db->db, BUSY_MS);
	rc = sqlite3_prepare_v2(db->db, "PRAGMA user_version", -1, &st, NULL);
	if (rc != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
		rc = vouch_errf(&db->err, VOUCH_E_MALFORMED, 0, "%s is not a vouch database: %s",
				path, sqlite3_errmsg(db->db));
		goto fail;
	}
	ver = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	st = NULL;
	if (ver != 0 && ver != SCHEMA_VERSION) {
		rc = vouch_errf(&db->err, VOUCH_E_UNSUPPORTED, 0,
				"%s: database schema version %d, this vouch knows %d", path, ver,
				SCHEMA_VERSION);
		goto fail;
	}
	if ((rc = vouch_vulndb_exec(db, "PRAGMA journal_mode=WAL")) != VOUCH_OK ||
	    (rc = vouch_vulndb_exec(db, "PRAGMA synchronous=NORMAL")) != VOUCH_OK ||
	    (rc = vouch_vulndb_exec(db, "PRAGMA cache_size=-65536")) != VOUCH_OK ||
	    /* matching reads thousands of blobs: map the file instead of pread per page */
	    (rc = vouch_vulndb_exec(db, "PRAGMA mmap_size=2147418112")) != VOUCH_OK) {
		goto fail;
	}
	if (ver == 0) {
		if ((rc = vouch_vulndb_exec(db, schema)) != VOUCH_OK ||
		    (rc = vouch_vulndb_exec(db, "PRAGMA user_version=1")) != VOUCH_OK) {
			goto fail;
		}
	}
	if ((rc = prepare(db, &db->st_find,
			  "SELECT rid, modified FROM record WHERE kind=?1 AND vid=?2")) != VOUCH_OK ||
	    (rc = prepare(db, &db->st_insert,
			  "INSERT INTO record(kind, vid, format, sid, imported, published, modified,"
			  " year, summary, aliases, cvss3, cvss3_vector, cvss4, cvss4_vector,"
			  " severity, cwe, appl) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,"
			  "?14,?15,?16,?17)")) != VOUCH_OK ||
	    (rc = prepare(db, &db->st_update,
			  "UPDATE record SET kind=?1, vid=?2, format=?3, sid=?4, imported=?5,"
			  " published=?6, modified=?7, year=?8, summary=?9, aliases=?10, cvss3=?11,"
			  " cvss3_vector=?12, cvss4=?13, cvss4_vector=?14, severity=?15, cwe=?16,"
			  " appl=?17 WHERE rid=?18")) != VOUCH_OK ||
	    (rc = prepare(db, &db->st_delprod, "DELETE FROM product WHERE rid=?1")) != VOUCH_OK ||
	    (rc = prepare(db, &db->st_addprod,
			  "INSERT OR IGNORE INTO product(vendor, product, rid) VALUES(?1,?2,?3)")) !=
		    VOUCH_OK ||
	    (rc = prepare(db, &db->st_lookup,
			  "SELECT r.rid, r.kind, r.vid, r.aliases, r.appl FROM product p"
			  " JOIN record r ON r.rid = p.rid WHERE p.vendor=?1 AND p.product=?2")) !=
		    VOUCH_OK ||
	    (rc = prepare(db, &db->st_detail,
			  "SELECT r.kind, r.vid, r.format, r.published, r.modified, r.summary,"
			  " r.aliases, r.cvss3, r.cvss3_vector, r.cvss4, r.cvss4_vector, r.severity,"
			  " r.cwe, s.origin FROM record r LEFT JOIN source s ON s.sid = r.sid"
			  " WHERE r.rid=?1")) != VOUCH_OK) {
		goto fail;
	}
	return VOUCH_OK;
fail:
	sqlite3_finalize(st);
	return rc;
}

void
vouch_vulndb_close(vouch_vulndb *db)
{
	if (db == NULL) {
		return;
	}
	sqlite3_finalize(db->st_find);
	sqlite3_finalize(db->st_insert);
	sqlite3_finalize(db->st_update);
	sqlite3_finalize(db->st_delprod);
	sqlite3_finalize(db->st_addprod);
	sqlite3_finalize(db->st_lookup);
	sqlite3_finalize(db->st_detail);
	sqlite3_close(db->db);
	free(db);
}

const char *
vouch_vulndb_errmsg(const vouch_vulndb *db)
{
	return db == NULL ? "no database" : db->err.msg;
}

/* ---- storing ------------------------------------------------------------------------ */

static void
bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s == NULL) {
		sqlite3_bind_null(st, i);
	} else {
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	}
}

static void
bind_score(sqlite3_stmt *st, int i, double v)
{
	if (v < 0) {
		sqlite3_bind_null(st, i);
	} else {
		sqlite3_bind_double(st, i, v);
	}
}

static int
cmp_key(const void *a, const void *b)
{
	const vouch_appl_leaf *x = *(const vouch_appl_leaf *const *)a;
	const vouch_appl_leaf *y = *(const vouch_appl_leaf *const *)b;
	int c = strcmp(x->vendor, y->vendor);

	return c != 0 ? c : strcmp(x->product, y->product);
}

/* The product index rows: every vendor:product a hit could come from (vulnerable NVD
 * criteria, and every product of a CVE 5 / OSV group), each once. */
static int
store_products(vouch_vulndb *db, const vouch_vrec *r, int64_t rid)
{
	const vouch_appl *a = &r->appl;
	const vouch_appl_leaf **keys = NULL;
	size_t nk = 0;
	int rc = VOUCH_OK, src;

	if (a->nleaves > 0 && (keys = malloc(a->nleaves * sizeof(*keys))) == NULL) {
		return VOUCH_E_NOMEM;
	}
	for (size_t i = 0; i < a->nnodes; i++) {
		const vouch_appl_node *n = &a->nodes[i];

		for (uint32_t k = 0; k < n->nleaves; k++) {
			const vouch_appl_leaf *l = &a->leaves[n->first_leaf + k];

			if (n->op == APPL_GROUP || (l->flags & LEAF_VULN) != 0) {
				keys[nk++] = l;
			}
		}
	}
	if (nk > 1) {
		qsort(keys, nk, sizeof(*keys), cmp_key);
	}
	for (size_t i = 0; i < nk && rc == VOUCH_OK; i++) {
		if (i > 0 && cmp_key(&keys[i - 1], &keys[i]) == 0) {
			continue;
		}
		sqlite3_reset(db->st_addprod);
		bind_text(db->st_addprod, 1, keys[i]->vendor);
		bind_text(db->st_addprod, 2, keys[i]->product);
		sqlite3_bind_int64(db->st_addprod, 3, rid);
		if ((src = sqlite3_step(db->st_addprod)) != SQLITE_DONE) {
			rc = vouch_vulndb_sqlerr(db, src, "insert product");
		}
	}
	sqlite3_reset(db->st_addprod);
	free(keys);
	return rc;
}

int
vouch_vulndb_store(vouch_vulndb *db, const vouch_vrec *r, int64_t sid, int *outcome)
{
	sqlite3_stmt *st;
	int64_t rid = 0;
	bool exists = false;
	uint8_t *blob = NULL;
	size_t blen = 0;
	int rc, src;

	sqlite3_reset(db->st_find);
	bind_text(db->st_find, 1, r->kind);
	bind_text(db->st_find, 2, r->id);
	src = sqlite3_step(db->st_find);
	if (src == SQLITE_ROW) {
		const char *old = (const char *)sqlite3_column_text(db->st_find, 1);

		exists = true;
		rid = sqlite3_column_int64(db->st_find, 0);
		if (old != NULL && strcmp(r->modified, old) <= 0) {
			sqlite3_reset(db->st_find);
			*outcome = 2;
			return VOUCH_OK;
		}
	} else if (src != SQLITE_DONE) {
		return vouch_vulndb_sqlerr(db, src, "find record");
	}
	sqlite3_reset(db->st_find);
	if ((rc = vouch_appl_encode(&r->appl, &blob, &blen)) != VOUCH_OK) {
		return vouch_errf(&db->err, rc, 0, "%s: cannot encode its configurations", r->id);
	}
	st = exists ? db->st_update : db->st_insert;
	sqlite3_reset(st);
	bind_text(st, 1, r->kind);
	bind_text(st, 2, r->id);
	bind_text(st, 3, r->format);
	sqlite3_bind_int64(st, 4, sid);
	bind_text(st, 5, db->now);
	bind_text(st, 6, r->published[0] != '\0' ? r->published : NULL);
	bind_text(st, 7, r->modified);
	sqlite3_bind_int(st, 8, r->year);
	bind_text(st, 9, r->summary);
	bind_text(st, 10, r->aliases);
	bind_score(st, 11, r->cvss3);
	bind_text(st, 12, r->cvss3_vector);
	bind_score(st, 13, r->cvss4);
	bind_text(st, 14, r->cvss4_vector);
	bind_text(st, 15, r->severity);
	bind_text(st, 16, r->cwe);
	sqlite3_bind_blob(st, 17, blob, (int)blen, SQLITE_STATIC);
	if (exists) {
		sqlite3_bind_int64(st, 18, rid);
	}
	src = sqlite3_step(st);
	sqlite3_reset(st);
	free(blob);
	if (src != SQLITE_DONE) {
		return vouch_vulndb_sqlerr(db, src, "store record");
	}
	if (exists) {
		sqlite3_reset(db->st_delprod);
		sqlite3_bind_int64(db->st_delprod, 1, rid);
		src = sqlite3_step(db->st_delprod);
		sqlite3_reset(db->st_delprod);
		if (src != SQLITE_DONE) {
			return vouch_vulndb_sqlerr(db, src, "delete products");
		}
	} else {
		rid = sqlite3_last_insert_rowid(db->db);
	}
	*outcome = exists ? 1 : 0;
	return store_products(db, r, rid);
}

int
vouch_vulndb_source_row(vouch_vulndb *db, const char *format, const char *origin,
		    const char *feed_time, int64_t *sid)
{
	sqlite3_stmt *st = NULL;
	int src, rc = VOUCH_OK;

	src = sqlite3_prepare_v2(db->db,
				 "INSERT INTO source(format, origin, feed_time, imported)"
				 " VALUES(?1,?2,?3,?4) ON CONFLICT(format, origin) DO UPDATE SET"
				 " feed_time = excluded.feed_time WHERE excluded.feed_time IS NOT NULL"
				 " AND (feed_time IS NULL OR feed_time < excluded.feed_time)",
				 -1, &st, NULL);
	if (src != SQLITE_OK) {
		return vouch_vulndb_sqlerr(db, src, "prepare source");
	}
	bind_text(st, 1, format);
	bind_text(st, 2, origin);
	bind_text(st, 3, feed_time);
	bind_text(st, 4, db->now);
	if ((src = sqlite3_step(st)) != SQLITE_DONE) {
		rc = vouch_vulndb_sqlerr(db, src, "insert source");
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;
	src = sqlite3_prepare_v2(db->db, "SELECT sid FROM source WHERE format=?1 AND origin=?2",
				 -1, &st, NULL);
	if (src != SQLITE_OK) {
		rc = vouch_vulndb_sqlerr(db, src, "prepare source");
		goto out;
	}
	bind_text(st, 1, format);
	bind_text(st, 2, origin);
	if ((src = sqlite3_step(st)) != SQLITE_ROW) {
		rc = vouch_vulndb_sqlerr(db, src, "find source");
		goto out;
	}
	*sid = sqlite3_column_int64(st, 0);
out:
	sqlite3_finalize(st);
	return rc;
}
