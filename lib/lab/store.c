/*
 * lab/store.c: the lab's store: directory layout, content-addressed blobs, the SQLite
 * catalog, and the attestations the lab signs and logs (see include/vouch/lab.h).
 *
 * Blobs are written once: a temporary file in blobs/tmp, fsync, rename to
 * blobs/<2 hex>/<62 hex>, mode 0444; a blob that exists is kept (its name is its digest),
 * so storing is idempotent and nothing is ever rewritten. The catalog only names digests;
 * it holds no content, so an auditor can recompute every digest from the blobs.
 *
 * Recording an evaluation stores its texts, signs a Statement whose subjects are the
 * delivery's firmware artefacts and whose predicate names the digests of everything the
 * verdict rests on (reports, verdicts, policy, vulnerability database), appends the
 * envelope's SHA-256 to the log in one durable transaction, publishes a checkpoint and
 * only then writes the catalog row: a crash in between leaves a logged attestation without
 * a catalog row (visible to an audit of the log), never a catalog row without a log entry.
 * The predicate holds integers and strings only (the canonical encoding refuses reals).
 *
 * Rejected: one database for the log and the catalog (the log's store is append-only and
 * audited on open; the catalog is an index that can be rebuilt), and keeping reports in
 * SQLite (they can be large, and blobs let `cp -r` be a backup).
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "store.h"
#include "vouch/attest.h"
#include "vouch/vouch.h"

#define BUSY_MS 10000

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS delivery(id TEXT PRIMARY KEY, vendor TEXT NOT NULL,"
	" product TEXT NOT NULL, version TEXT NOT NULL, manifest TEXT NOT NULL,"
	" vendor_sig TEXT NOT NULL, signature TEXT, submitted TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS artefact(delivery TEXT NOT NULL, name TEXT NOT NULL,"
	" role TEXT NOT NULL, sha256 TEXT NOT NULL, size INTEGER NOT NULL,"
	" PRIMARY KEY(delivery, name));"
	"CREATE TABLE IF NOT EXISTS attestation(idx INTEGER PRIMARY KEY, delivery TEXT NOT NULL,"
	" kind TEXT NOT NULL, verdict TEXT, envelope TEXT NOT NULL, policy TEXT, vulndb TEXT,"
	" created TEXT NOT NULL, reason TEXT);"
	"CREATE INDEX IF NOT EXISTS attestation_delivery ON attestation(delivery, idx);"
	"CREATE TABLE IF NOT EXISTS part(idx INTEGER NOT NULL, artefact TEXT NOT NULL,"
	" report TEXT, verdict_json TEXT, sbom TEXT, verdict TEXT, PRIMARY KEY(idx, artefact));";

int
lab_fail(vouch_lab *lab, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vouch_verrf(&lab->err, code, 0, fmt, ap);
	va_end(ap);
	return code;
}

void
lab_hex(const uint8_t *d, size_t n, char *out)
{
	static const char hx[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hx[d[i] >> 4];
		out[2 * i + 1] = hx[d[i] & 15];
	}
	out[2 * n] = '\0';
}

int
lab_hex_parse(const char *hex, uint8_t out[32])
{
	if (hex == NULL || strlen(hex) != 64) {
		return VOUCH_E_MALFORMED;
	}
	for (size_t i = 0; i < 32; i++) {
		int v = 0;
		for (int k = 0; k < 2; k++) {
			char c = hex[2 * i + (size_t)k];
			int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
			if (d < 0) {
				return VOUCH_E_MALFORMED;
			}
			v = v * 16 + d;
		}
		out[i] = (uint8_t)v;
	}
	return VOUCH_OK;
}

void
lab_iso8601(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL || strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
		snprintf(out, 32, "1970-01-01T00:00:00Z");
	}
}

static char *
join(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 2;
	char *p = malloc(n);
	if (p != NULL) {
		snprintf(p, n, "%s/%s", a, b);
	}
	return p;
}

static int
mkdir_p1(const char *p)
{
	return mkdir(p, 0755) == 0 || errno == EEXIST ? 0 : -1;
}

int
lab_tmp_open(vouch_lab *lab, char **path_out, int *fd_out)
{
	char *tmpdir = join(lab->blobs, "tmp"), *p;

	if (tmpdir == NULL) {
		return lab_fail(lab, VOUCH_E_NOMEM, "out of memory");
	}
	mkdir_p1(tmpdir);
	p = join(tmpdir, "in.XXXXXX");
	free(tmpdir);
	if (p == NULL) {
		return lab_fail(lab, VOUCH_E_NOMEM, "out of memory");
	}
	int fd = mkstemp(p);
	if (fd < 0) {
		int e = errno;
		free(p);
		return lab_fail(lab, VOUCH_E_IO, "%s/tmp: %s", lab->blobs, strerror(e));
	}
	*path_out = p;
	*fd_out = fd;
	return VOUCH_OK;
}

/* The blob path of a digest: blobs/ab/cdef... (malloc'ed); creates the fan-out directory. */
static char *
blob_name(vouch_lab *lab, const char *hex, bool mk)
{
	char sub[3] = {hex[0], hex[1], '\0'};
	char *d = join(lab->blobs, sub), *p;

	if (d == NULL) {
		return NULL;
	}
	if (mk) {
		mkdir_p1(d);
	}
	p = join(d, hex + 2);
	free(d);
	return p;
}

/* After a rename: make the new name itself durable (fsync of the directory holding it), so
 * that a power loss cannot keep a logged attestation while losing its envelope's blob. */
static int
sync_parent(vouch_lab *lab, const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? strndup(path, (size_t)(slash - path)) : strdup(".");
	int fd, rc = VOUCH_OK;

	if (dir == NULL) {
		return lab_fail(lab, VOUCH_E_NOMEM, "out of memory");
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) != 0) {
		rc = lab_fail(lab, VOUCH_E_IO, "%s: %s", dir, strerror(errno));
	}
	if (fd >= 0) {
		close(fd);
	}
	free(dir);
	return rc;
}

int
lab_adopt_tmp(vouch_lab *lab, const char *tmp, const char hex[65])
{
	char *dst = blob_name(lab, hex, true);
	struct stat st;
	int rc = VOUCH_OK;

	if (dst == NULL) {
		unlink(tmp);
		return lab_fail(lab, VOUCH_E_NOMEM, "out of memory");
	}
	if (stat(dst, &st) == 0) {
		unlink(tmp); /* already stored: content-addressed, so the same bytes */
	} else if (chmod(tmp, 0444) != 0 || rename(tmp, dst) != 0) {
		rc = lab_fail(lab, VOUCH_E_IO, "%s: %s", dst, strerror(errno));
		unlink(tmp);
	} else {
		rc = sync_parent(lab, dst);
	}
	free(dst);
	return rc;
}

int
lab_write_once(vouch_lab *lab, const char *path, const void *p, size_t n)
{
	struct stat st;
	size_t plen = strlen(path) + 16;
	char *tmp;
	int fd, rc = VOUCH_OK;

	if (stat(path, &st) == 0) {
		return VOUCH_OK;
	}
	tmp = malloc(plen);
	if (tmp == NULL) {
		return lab_fail(lab, VOUCH_E_NOMEM, "out of memory");
	}
	snprintf(tmp, plen, "%s.tmpXXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		rc = lab_fail(lab, VOUCH_E_IO, "%s: %s", path, strerror(errno));
		free(tmp);
		return rc;
	}
	if (vouch_write_all(fd, p, n) != VOUCH_OK || fsync(fd) != 0 || fchmod(fd, 0444) != 0) {
		rc = lab_fail(lab, VOUCH_E_IO, "%s: %s", path, strerror(errno));
	}
	close(fd);
	if (rc == VOUCH_OK && rename(tmp, path) != 0) {
		rc = lab_fail(lab, VOUCH_E_IO, "%s: %s", path, strerror(errno));
	}
	if (rc != VOUCH_OK) {
		unlink(tmp);
	} else {
		rc = sync_parent(lab, path);
	}
	free(tmp);
	return rc;
}

int
vouch_lab_put(vouch_lab *lab, const void *p, size_t n, char hex_out[65])
{
	uint8_t d[32];
	char *path;
	int rc;

	if ((rc = vouch_sha256_oneshot(p, n, d)) != VOUCH_OK) {
		return lab_fail(lab, rc, "cannot hash");
	}
	lab_hex(d, 32, hex_out);
	path = blob_name(lab, hex_out, true);
	if (path == NULL) {
		return lab_fail(lab, VOUCH_E_NOMEM, "out of memory");
	}
	rc = lab_write_once(lab, path, p, n);
	free(path);
	return rc;
}

int
vouch_lab_blob_path(vouch_lab *lab, const char *hex, char **path_out)
{
	uint8_t d[32];
	struct stat st;

	if (lab_hex_parse(hex, d) != VOUCH_OK) {
		return lab_fail(lab, VOUCH_E_NOTFOUND, "not a SHA-256: %.80s", hex ? hex : "");
	}
	char *p = blob_name(lab, hex, false);
	if (p == NULL) {
		return lab_fail(lab, VOUCH_E_NOMEM, "out of memory");
	}
	if (stat(p, &st) != 0) {
		free(p);
		return lab_fail(lab, VOUCH_E_NOTFOUND, "blob %s is not in the store", hex);
	}
	*path_out = p;
	return VOUCH_OK;
}

int
vouch_lab_get(vouch_lab *lab, const char *hex, size_t max, char **data_out, size_t *len_out)
{
	char *p = NULL, *buf = NULL;
	size_t n = 0, cap = 0;
	int rc = vouch_lab_blob_path(lab, hex, &p);
	FILE *f;

	if (rc != VOUCH_OK) {
		return rc;
	}
	f = fopen(p, "rb");
	if (f == NULL) {
		rc = lab_fail(lab, VOUCH_E_IO, "%s: %s", p, strerror(errno));
		free(p);
		return rc;
	}
	for (;;) {
		if (n + 65536 + 1 > cap) {
			if (vouch_grow((void **)&buf, &cap, n + 65536 + 1, 1, 65536 * 4) != VOUCH_OK) {
				rc = lab_fail(lab, VOUCH_E_NOMEM, "out of memory");
				break;
			}
		}
		size_t r = fread(buf + n, 1, 65536, f);
		n += r;
		if (n > max) {
			rc = lab_fail(lab, VOUCH_E_LIMIT, "blob %s is over %zu bytes", hex, max);
			break;
		}
		if (r == 0) {
			break;
		}
	}
	if (rc == VOUCH_OK && ferror(f)) {
		rc = lab_fail(lab, VOUCH_E_IO, "%s: read error", p);
	}
	fclose(f);
	free(p);
	if (rc != VOUCH_OK) {
		free(buf);
		return rc;
	}
	buf[n] = '\0';
	*data_out = buf;
	if (len_out != NULL) {
		*len_out = n;
	}
	return VOUCH_OK;
}

int
lab_prepare(vouch_lab *lab, const char *sql, sqlite3_stmt **st)
{
	if (sqlite3_prepare_v2(lab->db, sql, -1, st, NULL) != SQLITE_OK) {
		return lab_fail(lab, VOUCH_E_IO, "catalog: %s", sqlite3_errmsg(lab->db));
	}
	return VOUCH_OK;
}

/* ---- opening ------------------------------------------------------------------------ */

static int
exec_sql(vouch_lab *lab, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(lab->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		int rc = lab_fail(lab, VOUCH_E_IO, "catalog: %s", msg ? msg : "error");
		sqlite3_free(msg);
		return rc;
	}
	return VOUCH_OK;
}

int
vouch_lab_open(const char *dir, const char *origin, bool create, vouch_lab **out)
{
	vouch_lab *lab = calloc(1, sizeof(*lab));
	char why[256] = "", *path = NULL, *logdir = NULL;
	struct stat st;
	int rc;

	*out = lab;
	if (lab == NULL) {
		return VOUCH_E_NOMEM;
	}
	lab->dir = strdup(dir);
	lab->blobs = join(dir, "blobs");
	lab->objects = join(dir, "log/objects");
	lab->key = join(dir, "attest.key");
	path = join(dir, "lab.db");
	logdir = join(dir, "log");
	if (lab->dir == NULL || lab->blobs == NULL || lab->objects == NULL || lab->key == NULL ||
	    path == NULL || logdir == NULL) {
		rc = lab_fail(lab, VOUCH_E_NOMEM, "out of memory");
		goto out;
	}
	if (stat(path, &st) != 0) {
		if (!create) {
			rc = lab_fail(lab, VOUCH_E_NOTFOUND,
				      "%s: no lab here (submit a delivery first, or give --lab DIR)",
				      dir);
			goto out;
		}
		char host[128] = "localhost", org[200];
		if (mkdir_p1(dir) != 0 || mkdir_p1(lab->blobs) != 0) {
			rc = lab_fail(lab, VOUCH_E_IO, "%s: %s", dir, strerror(errno));
			goto out;
		}
		if (origin == NULL) {
			gethostname(host, sizeof(host) - 1);
			host[sizeof(host) - 1] = '\0';
			snprintf(org, sizeof(org), "vouch-lab/%s", host);
			origin = org;
		}
		if (stat(lab->key, &st) != 0) {
			char kname[220];
			snprintf(kname, sizeof(kname), "%s/attest", origin);
			rc = vouch_key_generate(kname, lab->key, NULL, why, sizeof(why));
			if (rc != VOUCH_OK) {
				rc = lab_fail(lab, rc, "%s: %s", lab->key, why);
				goto out;
			}
		}
		if (stat(logdir, &st) != 0) {
			rc = vouch_tlog_init(logdir, origin, NULL, why, sizeof(why));
			if (rc != VOUCH_OK) {
				rc = lab_fail(lab, rc, "%s: %s", logdir, why);
				goto out;
			}
		}
	}
	if (sqlite3_open_v2(path, &lab->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		rc = lab_fail(lab, VOUCH_E_IO, "%s: %s", path, sqlite3_errmsg(lab->db));
		goto out;
	}
	sqlite3_busy_timeout(lab->db, BUSY_MS);
	if ((rc = exec_sql(lab, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;")) !=
		    VOUCH_OK ||
	    (rc = exec_sql(lab, schema)) != VOUCH_OK) {
		goto out;
	}
	rc = vouch_tlog_open(logdir, &lab->log, why, sizeof(why));
	if (rc != VOUCH_OK) {
		rc = lab_fail(lab, rc, "%s: %s", logdir, why);
		goto out;
	}
	rc = vouch_key_public(lab->key, &lab->attest_vkey, why, sizeof(why));
	if (rc != VOUCH_OK) {
		rc = lab_fail(lab, rc, "%s: %s", lab->key, why);
		goto out;
	}
	mkdir_p1(lab->objects);
out:
	free(path);
	free(logdir);
	return rc;
}

void
vouch_lab_close(vouch_lab *lab)
{
	if (lab == NULL) {
		return;
	}
	sqlite3_close(lab->db);
	vouch_tlog_close(lab->log);
	free(lab->dir);
	free(lab->blobs);
	free(lab->objects);
	free(lab->key);
	free(lab->attest_vkey);
	free(lab);
}

const char *
vouch_lab_errmsg(const vouch_lab *lab)
{
	return lab == NULL ? "out of memory" : lab->err.msg;
}

int
vouch_lab_pubkeys(vouch_lab *lab, char **text_out)
{
	char *logvkey = NULL, *p = join(lab->dir, "log/log.vkey");
	FILE *f = p ? fopen(p, "r") : NULL;
	char line[1024];
	int rc = VOUCH_OK;

	if (f == NULL || fgets(line, sizeof(line), f) == NULL) {
		rc = lab_fail(lab, VOUCH_E_IO, "%s: cannot read the log's verifier key",
			      p ? p : "log.vkey");
		goto out;
	}
	line[strcspn(line, "\r\n")] = '\0';
	size_t n = strlen(lab->attest_vkey) + strlen(line) + 3;
	logvkey = malloc(n);
	if (logvkey == NULL) {
		rc = lab_fail(lab, VOUCH_E_NOMEM, "out of memory");
		goto out;
	}
	snprintf(logvkey, n, "%s\n%s\n", lab->attest_vkey, line);
	*text_out = logvkey;
out:
	if (f != NULL) {
		fclose(f);
	}
	free(p);
	return rc;
}

/* ---- queries ------------------------------------------------------------------------ */

static const char *
col(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? (const char *)t : NULL;
}

static json_t *
jcol(sqlite3_stmt *st, int i)
{
	const char *t = col(st, i);
	return t ? json_string(t) : json_null();
}

int
vouch_lab_resolve(vouch_lab *lab, const char *ref, char id_out[65])
{
	sqlite3_stmt *st = NULL;
	size_t n = strlen(ref);
	int found = 0;

	if (n < 6 || n > 64 || strspn(ref, "0123456789abcdef") != n) {
		return lab_fail(lab, VOUCH_E_NOTFOUND,
				"'%.80s' is not a delivery id (at least 6 of its hex digits; "
				"`vouch delivery list` shows them)", ref);
	}
	int rc = lab_prepare(lab, "SELECT id FROM delivery WHERE substr(id,1,?1)=?2", &st);
	if (rc != VOUCH_OK) {
		return rc;
	}
	sqlite3_bind_int(st, 1, (int)n);
	sqlite3_bind_text(st, 2, ref, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (found++ == 0) {
			snprintf(id_out, 65, "%s", col(st, 0));
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		return lab_fail(lab, VOUCH_E_IO, "catalog: %s", sqlite3_errmsg(lab->db));
	}
	if (found == 0) {
		return lab_fail(lab, VOUCH_E_NOTFOUND, "no delivery %s in %s", ref, lab->dir);
	}
	if (found > 1) {
		return lab_fail(lab, VOUCH_E_USAGE, "%s names %d deliveries: give more digits", ref,
				found);
	}
	return VOUCH_OK;
}

/* The attestation that speaks for a delivery: its newest evaluation or re-check (borrowed;
 * NULL when never evaluated). */
static json_t *
latest_verdict(json_t *atts)
{
	json_t *a, *v = NULL;
	size_t i;

	json_array_foreach(atts, i, a) {
		const char *kind = json_string_value(json_object_get(a, "kind"));
		if (kind != NULL && strcmp(kind, "revocation") != 0) {
			v = a;
		}
	}
	return v;
}

/* The delivery's status from its attestations, newest last. */
static const char *
status_of(json_t *atts)
{
	const char *s = "submitted";
	size_t i;
	json_t *a;

	json_array_foreach(atts, i, a) {
		const char *kind = json_string_value(json_object_get(a, "kind"));
		if (kind != NULL && strcmp(kind, "revocation") == 0) {
			return "revoked";
		}
		const char *v = json_string_value(json_object_get(a, "verdict"));
		if (v != NULL) {
			s = v;
		}
	}
	return s;
}

static int
delivery_json(vouch_lab *lab, const char *id, json_t **out)
{
	sqlite3_stmt *st = NULL, *sp = NULL;
	json_t *d = NULL, *arts = json_array(), *atts = json_array();
	int rc = VOUCH_OK;

	if ((rc = lab_prepare(lab, "SELECT id,vendor,product,version,submitted,vendor_sig,manifest,"
			       "signature FROM delivery WHERE id=?1", &st)) != VOUCH_OK) {
		goto out;
	}
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = lab_fail(lab, VOUCH_E_NOTFOUND, "no delivery %s", id);
		goto out;
	}
	d = json_object();
	json_object_set_new(d, "id", jcol(st, 0));
	json_object_set_new(d, "vendor", jcol(st, 1));
	json_object_set_new(d, "product", jcol(st, 2));
	json_object_set_new(d, "version", jcol(st, 3));
	json_object_set_new(d, "submitted", jcol(st, 4));
	json_object_set_new(d, "vendor_signature", jcol(st, 5));
	json_object_set_new(d, "manifest", jcol(st, 6));
	json_object_set_new(d, "signature", jcol(st, 7));
	sqlite3_finalize(st);
	st = NULL;
	if ((rc = lab_prepare(lab, "SELECT name,role,sha256,size FROM artefact WHERE delivery=?1 "
			       "ORDER BY name", &st)) != VOUCH_OK) {
		goto out;
	}
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	/* every loop below ends in SQLITE_DONE or fails: a list cut short by a busy or broken
	 * catalog must not become a bundle without its revocation */
	int sr;
	while ((sr = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *a = json_object();
		json_object_set_new(a, "name", jcol(st, 0));
		json_object_set_new(a, "role", jcol(st, 1));
		json_object_set_new(a, "sha256", jcol(st, 2));
		json_object_set_new(a, "size", json_integer(sqlite3_column_int64(st, 3)));
		json_array_append_new(arts, a);
	}
	if (sr != SQLITE_DONE) {
		rc = lab_fail(lab, VOUCH_E_IO, "catalog: %s", sqlite3_errmsg(lab->db));
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;
	if ((rc = lab_prepare(lab,
			      "SELECT idx,kind,verdict,created,envelope,policy,vulndb,reason "
			      "FROM attestation WHERE delivery=?1 ORDER BY idx",
			      &st)) != VOUCH_OK ||
	    (rc = lab_prepare(lab,
			      "SELECT artefact,report,verdict_json,sbom,verdict FROM part "
			      "WHERE idx=?1 ORDER BY artefact",
			      &sp)) != VOUCH_OK) {
		goto out;
	}
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	while ((sr = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *a = json_object(), *parts = json_array();
		json_object_set_new(a, "index", json_integer(sqlite3_column_int64(st, 0)));
		json_object_set_new(a, "kind", jcol(st, 1));
		json_object_set_new(a, "verdict", jcol(st, 2));
		json_object_set_new(a, "created", jcol(st, 3));
		json_object_set_new(a, "envelope", jcol(st, 4));
		json_object_set_new(a, "policy", jcol(st, 5));
		json_object_set_new(a, "vulndb", jcol(st, 6));
		json_object_set_new(a, "reason", jcol(st, 7));
		sqlite3_reset(sp);
		sqlite3_bind_int64(sp, 1, sqlite3_column_int64(st, 0));
		int pr;
		while ((pr = sqlite3_step(sp)) == SQLITE_ROW) {
			json_t *p = json_object();
			json_object_set_new(p, "artefact", jcol(sp, 0));
			json_object_set_new(p, "report", jcol(sp, 1));
			json_object_set_new(p, "verdict_json", jcol(sp, 2));
			json_object_set_new(p, "sbom", jcol(sp, 3));
			json_object_set_new(p, "verdict", jcol(sp, 4));
			json_array_append_new(parts, p);
		}
		json_object_set_new(a, "parts", parts);
		json_array_append_new(atts, a);
		if (pr != SQLITE_DONE) {
			sr = pr;
			break;
		}
	}
	if (sr != SQLITE_DONE) {
		rc = lab_fail(lab, VOUCH_E_IO, "catalog: %s", sqlite3_errmsg(lab->db));
		goto out;
	}
	json_object_set_new(d, "status", json_string(status_of(atts)));
	json_t *cur = latest_verdict(atts);
	json_object_set(d, "current", cur != NULL ? cur : json_null());
	json_object_set(d, "artefacts", arts);
	json_object_set(d, "attestations", atts);
	*out = d;
	d = NULL;
out:
	sqlite3_finalize(st);
	sqlite3_finalize(sp);
	json_decref(d);
	json_decref(arts);
	json_decref(atts);
	return rc;
}

static int
dump(vouch_lab *lab, json_t *v, char **out)
{
	*out = json_dumps(v, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
	json_decref(v);
	return *out != NULL ? VOUCH_OK : lab_fail(lab, VOUCH_E_NOMEM, "out of memory");
}

int
vouch_lab_delivery(vouch_lab *lab, const char *id, char **json_out)
{
	json_t *d = NULL;
	int rc = delivery_json(lab, id, &d);
	return rc != VOUCH_OK ? rc : dump(lab, d, json_out);
}

int
vouch_lab_list(vouch_lab *lab, char **json_out)
{
	sqlite3_stmt *st = NULL;
	json_t *arr = json_array();
	int rc = VOUCH_OK;

	if ((rc = lab_prepare(lab, "SELECT id FROM delivery ORDER BY submitted DESC, id", &st)) !=
	    VOUCH_OK) {
		json_decref(arr);
		return rc;
	}
	while (rc == VOUCH_OK && sqlite3_step(st) == SQLITE_ROW) {
		json_t *d = NULL, *o = json_object();
		rc = delivery_json(lab, col(st, 0), &d);
		if (rc == VOUCH_OK) {
			static const char *const keep[] = {"id", "vendor", "product", "version",
							   "submitted", "status"};
			for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
				json_object_set(o, keep[i], json_object_get(d, keep[i]));
			}
			json_array_append(arr, o);
		}
		json_decref(o);
		json_decref(d);
	}
	sqlite3_finalize(st);
	if (rc != VOUCH_OK) {
		json_decref(arr);
		return rc;
	}
	return dump(lab, arr, json_out);
}

/* ---- attestations ------------------------------------------------------------------- */

/* Keep a copy of a text beside the log (log/objects/<sha256>), as `vouch log` does. */
static int
beside_log(vouch_lab *lab, const char *hex, const void *p, size_t n)
{
	char *path = join(lab->objects, hex);
	int rc;

	if (path == NULL) {
		return lab_fail(lab, VOUCH_E_NOMEM, "out of memory");
	}
	rc = lab_write_once(lab, path, p, n);
	free(path);
	return rc;
}

/* A DSSE envelope (*env_out, malloc'ed) of a statement over the delivery's firmware
 * artefacts, signed with the lab's attestation key. */
static int
sign_statement(vouch_lab *lab, json_t *delivery, const char *predicate_type, json_t *pred,
	       char **env_out)
{
	json_t *arts = json_object_get(delivery, "artefacts"), *a;
	vouch_attest_subject *subj = calloc(json_array_size(arts) + 1, sizeof(*subj));
	char *predtext = NULL, why[256] = "";
	size_t ns = 0, i;
	int rc;

	*env_out = NULL;
	if (subj == NULL) {
		return lab_fail(lab, VOUCH_E_NOMEM, "out of memory");
	}
	json_array_foreach(arts, i, a) {
		if (strcmp(json_string_value(json_object_get(a, "role")), "firmware") != 0) {
			continue;
		}
		subj[ns].name = json_string_value(json_object_get(a, "name"));
		lab_hex_parse(json_string_value(json_object_get(a, "sha256")), subj[ns].sha256);
		ns++;
	}
	predtext = json_dumps(pred, JSON_COMPACT | JSON_SORT_KEYS);
	if (predtext == NULL) {
		rc = lab_fail(lab, VOUCH_E_NOMEM, "out of memory");
		goto out;
	}
	rc = vouch_attest_sign_digests(lab->key, subj, ns, predicate_type, predtext,
				       strlen(predtext), env_out, why, sizeof(why));
	if (rc != VOUCH_OK) {
		rc = lab_fail(lab, rc, "signing the attestation: %s", why);
	}
out:
	free(predtext);
	free(subj);
	return rc;
}

/* Sign a statement over the delivery's firmware artefacts, log it, catalog it. */
static int
sign_and_log(vouch_lab *lab, json_t *delivery, const char *predicate_type, json_t *pred,
	     const char *kind, const char *verdict, const char *policy_hex,
	     const char *vulndb, const char *created, const char *reason,
	     uint64_t *index_out, char envelope_hex[65])
{
	char *env = NULL;
	uint8_t digest[32];
	uint64_t idx = 0;
	int rc;

	if ((rc = sign_statement(lab, delivery, predicate_type, pred, &env)) != VOUCH_OK) {
		goto out;
	}
	size_t envlen = strlen(env);
	if ((rc = vouch_lab_put(lab, env, envlen, envelope_hex)) != VOUCH_OK ||
	    (rc = beside_log(lab, envelope_hex, env, envlen)) != VOUCH_OK) {
		goto out;
	}
	lab_hex_parse(envelope_hex, digest);
	const void *entries[1] = {digest};
	size_t lens[1] = {32};
	rc = vouch_tlog_append(lab->log, entries, lens, 1, &idx);
	if (rc != VOUCH_OK) {
		rc = lab_fail(lab, rc, "log: %s", vouch_tlog_errmsg(lab->log));
		goto out;
	}
	rc = vouch_tlog_checkpoint(lab->log, NULL);
	if (rc != VOUCH_OK) {
		rc = lab_fail(lab, rc, "log checkpoint: %s", vouch_tlog_errmsg(lab->log));
		goto out;
	}
	sqlite3_stmt *st = NULL;
	if ((rc = lab_prepare(lab, "INSERT INTO attestation(idx,delivery,kind,verdict,envelope,policy,"
			       "vulndb,created,reason) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9)", &st)) != VOUCH_OK) {
		goto out;
	}
	sqlite3_bind_int64(st, 1, (sqlite3_int64)idx);
	sqlite3_bind_text(st, 2, json_string_value(json_object_get(delivery, "id")), -1,
			  SQLITE_STATIC);
	sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, verdict, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, envelope_hex, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, policy_hex, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, vulndb, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, created, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, reason, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = lab_fail(lab, VOUCH_E_IO, "catalog: %s", sqlite3_errmsg(lab->db));
	}
	sqlite3_finalize(st);
	*index_out = idx;
out:
	free(env);
	return rc;
}

static json_t *
delivery_ref(json_t *d)
{
	json_t *o = json_object();
	static const char *const keys[] = {"id", "vendor", "product", "version", "manifest"};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		json_object_set(o, keys[i], json_object_get(d, keys[i]));
	}
	return o;
}

int
vouch_lab_record(vouch_lab *lab, const char *id, const vouch_lab_eval *ev, uint64_t *index_out)
{
	json_t *d = NULL, *pred = json_object(), *parts = json_array(), *tool = json_object(),
	       *pol = json_object();
	char policy_hex[65], envelope_hex[65], created[32];
	char (*hx)[3][65] = calloc(ev->nparts + 1, sizeof(*hx));
	bool in_tx = false;
	int rc;

	if (hx == NULL) {
		rc = lab_fail(lab, VOUCH_E_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = delivery_json(lab, id, &d)) != VOUCH_OK) {
		goto out;
	}
	if (ev->nparts == 0) { /* a verdict over artefacts nobody evaluated: never signed */
		rc = lab_fail(lab, VOUCH_E_USAGE, "no evaluated firmware artefact to record");
		goto out;
	}
	lab_iso8601(ev->now, created);
	if ((rc = vouch_lab_put(lab, ev->policy, ev->policy_len, policy_hex)) != VOUCH_OK) {
		goto out;
	}
	for (size_t i = 0; i < ev->nparts; i++) {
		const vouch_lab_part *p = &ev->parts[i];
		json_t *a, *o = json_object();
		size_t k;
		bool fw = false;

		json_array_foreach(json_object_get(d, "artefacts"), k, a) {
			fw |= strcmp(json_string_value(json_object_get(a, "name")), p->artefact) == 0 &&
			      strcmp(json_string_value(json_object_get(a, "role")), "firmware") == 0;
		}
		for (size_t j = 0; j < i && fw; j++) {
			fw = strcmp(ev->parts[j].artefact, p->artefact) != 0;
		}
		if (!fw) {
			json_decref(o);
			rc = lab_fail(lab, VOUCH_E_USAGE, "%s is not a firmware artefact of %s, or is "
				      "given twice", p->artefact, id);
			goto out;
		}
		if ((rc = vouch_lab_put(lab, p->report, p->report_len, hx[i][0])) != VOUCH_OK ||
		    (rc = beside_log(lab, hx[i][0], p->report, p->report_len)) != VOUCH_OK ||
		    (rc = vouch_lab_put(lab, p->verdict_json, p->verdict_len, hx[i][1])) !=
			    VOUCH_OK ||
		    (p->sbom != NULL &&
		     (rc = vouch_lab_put(lab, p->sbom, p->sbom_len, hx[i][2])) != VOUCH_OK)) {
			json_decref(o);
			goto out;
		}
		json_object_set_new(o, "artefact", json_string(p->artefact));
		json_object_set_new(o, "verdict", json_string(p->verdict));
		json_object_set_new(o, "report_sha256", json_string(hx[i][0]));
		json_object_set_new(o, "verdict_sha256", json_string(hx[i][1]));
		if (p->sbom != NULL) {
			json_object_set_new(o, "sbom_sha256", json_string(hx[i][2]));
		}
		json_array_append_new(parts, o);
	}
	json_object_set_new(pred, "predicate_version", json_integer(1));
	json_object_set_new(pred, "kind", json_string(ev->kind));
	json_object_set_new(pred, "delivery", delivery_ref(d));
	json_object_set_new(pred, "verdict", json_string(ev->verdict));
	json_object_set(pred, "artefacts", parts);
	json_object_set_new(pol, "name", json_string(ev->policy_name ? ev->policy_name : ""));
	json_object_set_new(pol, "sha256", json_string(policy_hex));
	json_object_set(pred, "policy", pol);
	if (ev->vulndb_digest != NULL) {
		json_t *v = json_object();
		json_object_set_new(v, "digest", json_string(ev->vulndb_digest));
		json_object_set_new(v, "records", json_integer(ev->vulndb_records));
		json_object_set_new(v, "newest_modified",
				    ev->vulndb_newest ? json_string(ev->vulndb_newest) : json_null());
		json_object_set_new(pred, "vulnerability_database", v);
	} else {
		json_object_set_new(pred, "vulnerability_database", json_null());
	}
	json_object_set_new(tool, "name", json_string("vouch"));
	json_object_set_new(tool, "version", json_string(ev->tool_version));
	json_object_set(pred, "tool", tool);
	json_object_set_new(pred, "evaluated_at", json_string(created));
	if (ev->supersedes != UINT64_MAX) {
		json_object_set_new(pred, "supersedes", json_integer((json_int_t)ev->supersedes));
	}
	/* the attestation row and its parts are one catalog transaction */
	if (sqlite3_exec(lab->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
		rc = lab_fail(lab, VOUCH_E_IO, "catalog: %s", sqlite3_errmsg(lab->db));
		goto out;
	}
	in_tx = true;
	rc = sign_and_log(lab, d, VOUCH_LAB_PREDICATE_VERDICT, pred, ev->kind, ev->verdict,
			  policy_hex, ev->vulndb_digest, created, NULL, index_out, envelope_hex);
	if (rc != VOUCH_OK) {
		goto out;
	}
	sqlite3_stmt *st = NULL;
	if ((rc = lab_prepare(lab, "INSERT INTO part(idx,artefact,report,verdict_json,sbom,verdict) "
			       "VALUES(?1,?2,?3,?4,?5,?6)", &st)) != VOUCH_OK) {
		goto out;
	}
	for (size_t i = 0; i < ev->nparts && rc == VOUCH_OK; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, (sqlite3_int64)*index_out);
		sqlite3_bind_text(st, 2, ev->parts[i].artefact, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, hx[i][0], -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, hx[i][1], -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, ev->parts[i].sbom ? hx[i][2] : NULL, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, ev->parts[i].verdict, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			rc = lab_fail(lab, VOUCH_E_IO, "catalog: %s", sqlite3_errmsg(lab->db));
		}
	}
	sqlite3_finalize(st);
out:
	if (in_tx && rc == VOUCH_OK && sqlite3_exec(lab->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		rc = lab_fail(lab, VOUCH_E_IO, "catalog: %s", sqlite3_errmsg(lab->db));
	}
	if (in_tx && rc != VOUCH_OK) {
		sqlite3_exec(lab->db, "ROLLBACK", NULL, NULL, NULL); /* a failed COMMIT too */
	}
	free(hx);
	json_decref(d);
	json_decref(pred);
	json_decref(parts);
	json_decref(tool);
	json_decref(pol);
	return rc;
}

int
vouch_lab_revoke(vouch_lab *lab, const char *id, const char *reason, int64_t now,
		 uint64_t *index_out)
{
	json_t *d = NULL, *pred = json_object(), *revoked = json_array(), *a;
	char created[32], envelope_hex[65];
	size_t i;
	int rc;

	if ((rc = delivery_json(lab, id, &d)) != VOUCH_OK) {
		goto out;
	}
	json_array_foreach(json_object_get(d, "attestations"), i, a) {
		const char *kind = json_string_value(json_object_get(a, "kind"));
		if (kind != NULL && strcmp(kind, "revocation") != 0) {
			json_array_append(revoked, json_object_get(a, "index"));
		}
	}
	lab_iso8601(now, created);
	json_object_set_new(pred, "predicate_version", json_integer(1));
	json_object_set_new(pred, "delivery", delivery_ref(d));
	json_object_set_new(pred, "reason", json_string(reason));
	json_object_set(pred, "revokes", revoked);
	json_object_set_new(pred, "revoked_at", json_string(created));
	rc = sign_and_log(lab, d, VOUCH_LAB_PREDICATE_REVOCATION, pred, "revocation", NULL, NULL,
			  NULL, created, reason, index_out, envelope_hex);
out:
	json_decref(d);
	json_decref(pred);
	json_decref(revoked);
	return rc;
}

/* The bundle's index: a statement, signed with the attestation key, that lists the
 * attestations the bundle carries (kind, log index, envelope digest) and the one checkpoint
 * they are proved against. Without it, dropping a revocation from a bundle, or swapping
 * the current verdict for an older approval, would leave every remaining piece valid. */
static int
bundle_index(vouch_lab *lab, json_t *d, json_t *list, int64_t now, char **env_out)
{
	json_t *pred = json_object(), *idx = json_array(), *a, *ref = delivery_ref(d);
	char created[32], hex[65], root[45] = "", r1[45];
	uint64_t size = 0, s1;
	uint8_t digest[32];
	size_t i;
	int rc;

	json_array_foreach(list, i, a) {
		const char *env = json_string_value(json_object_get(a, "envelope"));
		if (lab_proof_checkpoint(json_string_value(json_object_get(a, "proof")), &s1, r1) !=
			    VOUCH_OK ||
		    (i > 0 && (s1 != size || strcmp(r1, root) != 0))) {
			rc = lab_fail(lab, VOUCH_E_INTERNAL, "the log grew while the bundle was made: "
				      "run `vouch bundle` again");
			goto out;
		}
		size = s1;
		memcpy(root, r1, sizeof(root));
		vouch_sha256_oneshot(env, strlen(env), digest);
		lab_hex(digest, 32, hex);
		json_t *o = json_object();
		json_object_set(o, "kind", json_object_get(a, "kind"));
		json_object_set(o, "index", json_object_get(a, "index"));
		json_object_set_new(o, "envelope_sha256", json_string(hex));
		json_array_append_new(idx, o);
	}
	lab_iso8601(now, created);
	json_object_del(ref, "manifest");
	json_object_set_new(pred, "predicate_version", json_integer(1));
	json_object_set_new(pred, "delivery", ref);
	ref = NULL;
	json_object_set_new(pred, "created", json_string(created));
	json_t *cp = json_object();
	json_object_set_new(cp, "size", json_integer((json_int_t)size));
	json_object_set_new(cp, "root_hash", json_string(root));
	json_object_set_new(pred, "checkpoint", cp);
	json_object_set(pred, "attestations", idx);
	rc = sign_statement(lab, d, VOUCH_LAB_PREDICATE_BUNDLE, pred, env_out);
out:
	json_decref(ref);
	json_decref(pred);
	json_decref(idx);
	return rc;
}

int
vouch_lab_bundle(vouch_lab *lab, const char *id, int64_t now, char **bundle_out)
{
	json_t *d = NULL, *b = json_object(), *list = json_array(), *a, *verdict = NULL;
	char *index = NULL;
	size_t i;
	int rc;

	if ((rc = delivery_json(lab, id, &d)) != VOUCH_OK) {
		goto out;
	}
	verdict = latest_verdict(json_object_get(d, "attestations"));
	if (verdict == NULL) {
		rc = lab_fail(lab, VOUCH_E_NOTFOUND,
			      "delivery %s was never evaluated: `vouch evaluate %.12s` first", id, id);
		goto out;
	}
	if ((rc = vouch_tlog_checkpoint(lab->log, NULL)) != VOUCH_OK) {
		rc = lab_fail(lab, rc, "log checkpoint: %s", vouch_tlog_errmsg(lab->log));
		goto out;
	}
	json_array_foreach(json_object_get(d, "attestations"), i, a) {
		const char *kind = json_string_value(json_object_get(a, "kind"));
		bool rev = kind != NULL && strcmp(kind, "revocation") == 0;
		if (!rev && a != verdict) {
			continue;
		}
		char *env = NULL, *proof = NULL;
		uint64_t idx = (uint64_t)json_integer_value(json_object_get(a, "index"));
		rc = vouch_lab_get(lab, json_string_value(json_object_get(a, "envelope")),
				   LAB_TEXT_MAX, &env, NULL);
		if (rc != VOUCH_OK) {
			goto out;
		}
		rc = vouch_tlog_bundle(lab->log, idx, &proof);
		if (rc != VOUCH_OK) {
			free(env);
			rc = lab_fail(lab, rc, "log proof of %llu: %s", (unsigned long long)idx,
				      vouch_tlog_errmsg(lab->log));
			goto out;
		}
		json_t *o = json_object();
		json_object_set_new(o, "kind", json_string(rev ? "revocation" : "verdict"));
		json_object_set_new(o, "index", json_integer((json_int_t)idx));
		json_object_set_new(o, "envelope", json_string(env));
		json_object_set_new(o, "proof", json_string(proof));
		json_array_append_new(list, o);
		free(env);
		free(proof);
	}
	if ((rc = bundle_index(lab, d, list, now, &index)) != VOUCH_OK) {
		goto out;
	}
	json_object_set_new(b, "bundle_version", json_integer(VOUCH_BUNDLE_VERSION));
	json_object_set_new(b, "media_type", json_string(VOUCH_BUNDLE_MEDIA_TYPE));
	json_t *ref = delivery_ref(d);
	json_object_del(ref, "manifest");
	json_object_set_new(b, "delivery", ref);
	json_object_set_new(b, "index", json_string(index));
	json_object_set(b, "attestations", list);
	rc = dump(lab, b, bundle_out);
	b = NULL;
out:
	free(index);
	json_decref(b);
	json_decref(d);
	json_decref(list);
	return rc;
}
