/*
 * tlog/store.c: the transparency log in SQLite (see store.h for the schema and guarantees).
 *
 * How: every complete subtree hash is a row keyed by level << 56 | index, written when the
 * subtree completes (an append of leaf i completes ctz(i + 1) interior nodes, two hash rows
 * per entry on average). The right edge of the tree (one complete subtree per set bit of
 * the size) is kept in memory between appends and reloaded from the database whenever the
 * committed size differs from the one it was computed for (another process appended).
 * Proofs read through vouch_store_read_hash inside one read transaction.
 *
 * Durability: WAL with synchronous=FULL, every batch one BEGIN IMMEDIATE ... COMMIT; the
 * caller acknowledges indices only after COMMIT returned. busy_timeout makes a second
 * appender wait instead of failing.
 *
 * Rejected: one hash per row without interior nodes (O(n) per proof); tiles as 8 KiB blobs
 * (SQLite overflow pages cost more than point reads of 32-byte rows at our sizes, and the
 * tile export reads contiguous rows anyway); a custom append-only file format (SQLite's
 * atomic commit is the crash-safety argument we want to rely on, not one of our own).
 */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tlog/checkpoint.h"
#include "tlog/store.h"

#define FORMAT "vouch-tlog-1"
#define BUSY_MS 30000
#define ID(level, index) ((int64_t)(((uint64_t)(level) << 56) | (index)))

enum { ST_GET_HASH, ST_PUT_HASH, ST_PUT_ENTRY, ST_META_GET, ST_META_SET, ST_COUNT };

static const char *const st_sql[ST_COUNT] = {
	[ST_GET_HASH] = "SELECT h FROM hashes WHERE id = ?1",
	[ST_PUT_HASH] = "INSERT INTO hashes(id, h) VALUES (?1, ?2)",
	[ST_PUT_ENTRY] = "INSERT INTO entries(idx, data) VALUES (?1, ?2)",
	[ST_META_GET] = "SELECT v FROM meta WHERE k = ?1",
	[ST_META_SET] = "INSERT OR REPLACE INTO meta(k, v) VALUES (?1, ?2)",
};

/*
 * Interior hashes of level >= CACHE_MIN_LEVEL are cached in memory: a stored complete
 * subtree hash never changes, so a committed value read once stays right. The upper levels
 * (and the right-edge ranges every proof at one size shares) then cost no database read.
 */
#define CACHE_SLOTS 65536
#define CACHE_MIN_LEVEL 6

typedef struct cache_slot {
	int64_t id; /* 0 = empty (id 0 is a leaf, never cached) */
	vouch_hash h;
} cache_slot;

struct vouch_store {
	cache_slot *cache;
	sqlite3 *db;
	sqlite3_stmt *st[ST_COUNT];
	vouch_sha256 *sha;
	int in_write;                /* inside an append: rows read may not be committed yet */
	uint64_t edge_size;          /* the size edge[] describes, or UINT64_MAX */
	vouch_hash edge[64];         /* edge[L]: subtree at level L when bit L of edge_size set */
	vouch_errinfo err;
};

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS meta(k TEXT PRIMARY KEY, v TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS entries(idx INTEGER PRIMARY KEY, data BLOB NOT NULL);"
	"CREATE TABLE IF NOT EXISTS hashes(id INTEGER PRIMARY KEY, h BLOB NOT NULL);"
	"CREATE TABLE IF NOT EXISTS checkpoints(size INTEGER PRIMARY KEY, root BLOB NOT NULL,"
	" note TEXT NOT NULL, created INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS cosignatures(size INTEGER NOT NULL, name TEXT NOT NULL,"
	" keyid INTEGER NOT NULL, line TEXT NOT NULL, ts INTEGER NOT NULL,"
	" PRIMARY KEY(size, name, keyid));"
	"CREATE TABLE IF NOT EXISTS witnesses(vkey TEXT PRIMARY KEY, name TEXT NOT NULL);";

static int
dberr(vouch_store *s, const char *what)
{
	int code = sqlite3_errcode(s->db);

	return vouch_errf(&s->err, code == SQLITE_NOMEM ? VOUCH_E_NOMEM : VOUCH_E_IO, 0,
			  "%s: %s", what, sqlite3_errmsg(s->db));
}

static int
exec(vouch_store *s, const char *sql)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		return dberr(s, sql);
	}
	return VOUCH_OK;
}

static void
rollback(vouch_store *s)
{
	/* harmless when no transaction is open */
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

const vouch_errinfo *
vouch_store_err(const vouch_store *s)
{
	return &s->err;
}

/* ---- meta ---------------------------------------------------------------------------- */

int
vouch_store_meta_get(vouch_store *s, const char *key, char **out)
{
	sqlite3_stmt *q = s->st[ST_META_GET];
	int rc;

	sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(q, 0);

		*out = strdup(v != NULL ? v : "");
		sqlite3_reset(q);
		return *out != NULL ? VOUCH_OK : VOUCH_E_NOMEM;
	}
	sqlite3_reset(q);
	if (rc == SQLITE_DONE) {
		return VOUCH_E_NOTFOUND;
	}
	return dberr(s, "read meta");
}

int
vouch_store_meta_set(vouch_store *s, const char *key, const char *value)
{
	sqlite3_stmt *q = s->st[ST_META_SET];
	int rc;

	sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, value, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? VOUCH_OK : dberr(s, "write meta");
}

static int
meta_u64(vouch_store *s, const char *key, uint64_t *v)
{
	char *t = NULL, *end = NULL;
	int rc = vouch_store_meta_get(s, key, &t);

	if (rc != VOUCH_OK) {
		return rc;
	}
	errno = 0;
	*v = strtoull(t, &end, 10);
	rc = (errno != 0 || end == t || *end != '\0')
		     ? vouch_errf(&s->err, VOUCH_E_VERIFY, 0, "meta %s is not a number", key)
		     : VOUCH_OK;
	free(t);
	return rc;
}

int
vouch_store_size(vouch_store *s, uint64_t *size)
{
	int rc = meta_u64(s, "size", size);

	return rc == VOUCH_E_NOTFOUND ? vouch_errf(&s->err, VOUCH_E_VERIFY, 0, "no tree size") : rc;
}

/* ---- hashes ---------------------------------------------------------------------------- */

int
vouch_store_read_hash(void *ctx, unsigned level, uint64_t index, vouch_hash *out)
{
	vouch_store *s = ctx;
	sqlite3_stmt *q = s->st[ST_GET_HASH];
	int rc;

	cache_slot *slot = NULL;

	if (level > 63 || index >= VOUCH_TLOG_MAX_SIZE) {
		return VOUCH_E_USAGE;
	}
	if (level >= CACHE_MIN_LEVEL && s->cache != NULL) {
		uint64_t k = (uint64_t)ID(level, index) * 0x9e3779b97f4a7c15ULL;

		slot = &s->cache[k >> (64 - 16)];
		if (slot->id == ID(level, index)) {
			*out = slot->h;
			return VOUCH_OK;
		}
	}
	sqlite3_bind_int64(q, 1, ID(level, index));
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW && sqlite3_column_bytes(q, 0) == VOUCH_HASH_LEN) {
		memcpy(out->b, sqlite3_column_blob(q, 0), VOUCH_HASH_LEN);
		sqlite3_reset(q);
		if (slot != NULL && !s->in_write) {
			slot->id = ID(level, index);
			slot->h = *out;
		}
		return VOUCH_OK;
	}
	sqlite3_reset(q);
	if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
		return vouch_errf(&s->err, VOUCH_E_VERIFY, index,
				  "stored hash (level %u, index %llu) missing or corrupt", level,
				  (unsigned long long)index);
	}
	return dberr(s, "read hash");
}

int
vouch_store_read_hashes(vouch_store *s, unsigned level, uint64_t start, uint64_t count,
			vouch_hash *out)
{
	sqlite3_stmt *q = NULL;
	uint64_t i = 0;
	int rc;

	if (level > 63 || start >= VOUCH_TLOG_MAX_SIZE || count > VOUCH_TLOG_MAX_SIZE - start) {
		return VOUCH_E_USAGE;
	}
	if (sqlite3_prepare_v2(s->db, "SELECT id, h FROM hashes WHERE id >= ?1 AND id < ?2 ORDER BY id",
			       -1, &q, NULL) != SQLITE_OK) {
		return dberr(s, "prepare");
	}
	sqlite3_bind_int64(q, 1, ID(level, start));
	sqlite3_bind_int64(q, 2, ID(level, start + count));
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (i >= count || sqlite3_column_int64(q, 0) != ID(level, start + i) ||
		    sqlite3_column_bytes(q, 1) != VOUCH_HASH_LEN) {
			break;
		}
		memcpy(out[i].b, sqlite3_column_blob(q, 1), VOUCH_HASH_LEN);
		i++;
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		return dberr(s, "read hashes");
	}
	if (i != count) {
		return vouch_errf(&s->err, VOUCH_E_VERIFY, start + i,
				  "stored hashes of level %u missing or corrupt at %llu", level,
				  (unsigned long long)(start + i));
	}
	return VOUCH_OK;
}

/* Load edge[] for `size` from the stored hashes. */
static int
load_edge(vouch_store *s, uint64_t size)
{
	for (unsigned l = 0; l < 64; l++) {
		if ((size >> l) & 1) {
			int rc = vouch_store_read_hash(s, l, (size >> l) - 1, &s->edge[l]);

			if (rc != VOUCH_OK) {
				s->edge_size = UINT64_MAX;
				return rc;
			}
		}
	}
	s->edge_size = size;
	return VOUCH_OK;
}

static int
put_hash(vouch_store *s, unsigned level, uint64_t index, const vouch_hash *h)
{
	sqlite3_stmt *q = s->st[ST_PUT_HASH];
	int rc;

	sqlite3_bind_int64(q, 1, ID(level, index));
	sqlite3_bind_blob(q, 2, h->b, VOUCH_HASH_LEN, SQLITE_STATIC);
	rc = sqlite3_step(q);
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? VOUCH_OK : dberr(s, "write hash");
}

/* Root of the first `size` leaves from edge[] when size == edge_size, else from storage. */
int
vouch_store_root(vouch_store *s, uint64_t size, vouch_hash *out)
{
	return vouch_merkle_range(s->sha, vouch_store_read_hash, s, 0, size, out);
}

/* ---- open and consistency check ------------------------------------------------------ */

static int
check_state(vouch_store *s)
{
	sqlite3_stmt *q = NULL;
	uint64_t size, cp_size;
	int64_t max_idx = -1;
	vouch_hash leaf, stored, root, cp_root;
	uint8_t *data = NULL;
	size_t len = 0;
	char *note = NULL;
	int rc;

	if ((rc = vouch_store_size(s, &size)) != VOUCH_OK) {
		return rc;
	}
	if (sqlite3_prepare_v2(s->db, "SELECT max(idx) FROM entries", -1, &q, NULL) != SQLITE_OK) {
		return dberr(s, "prepare");
	}
	if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_type(q, 0) != SQLITE_NULL) {
		max_idx = sqlite3_column_int64(q, 0);
	}
	sqlite3_finalize(q);
	if ((uint64_t)(max_idx + 1) != size) {
		return vouch_errf(&s->err, VOUCH_E_VERIFY, 0,
				  "stored size %llu but %lld entries", (unsigned long long)size,
				  (long long)(max_idx + 1));
	}
	if (size > 0) {
		/* the last leaf: its stored hash must be the hash of its stored entry */
		if ((rc = vouch_store_entry(s, size - 1, &data, &len)) != VOUCH_OK ||
		    (rc = vouch_merkle_leaf(s->sha, data, len, &leaf)) != VOUCH_OK ||
		    (rc = vouch_store_read_hash(s, 0, size - 1, &stored)) != VOUCH_OK) {
			goto out;
		}
		if (!vouch_hash_equal(&leaf, &stored)) {
			rc = vouch_errf(&s->err, VOUCH_E_VERIFY, size - 1,
					"the last entry does not match its stored leaf hash");
			goto out;
		}
	}
	/* the right edge must be complete: no interior hash of the size may be missing */
	if ((rc = load_edge(s, size)) != VOUCH_OK) {
		goto out;
	}
	rc = vouch_store_latest(s, &cp_size, &cp_root, &note);
	if (rc == VOUCH_E_NOTFOUND) {
		rc = VOUCH_OK;
		goto out;
	}
	if (rc != VOUCH_OK) {
		goto out;
	}
	if (cp_size > size) {
		rc = vouch_errf(&s->err, VOUCH_E_VERIFY, 0,
				"the last checkpoint (size %llu) is beyond the tree (%llu)",
				(unsigned long long)cp_size, (unsigned long long)size);
		goto out;
	}
	if ((rc = vouch_store_root(s, cp_size, &root)) != VOUCH_OK) {
		goto out;
	}
	if (!vouch_hash_equal(&root, &cp_root)) {
		rc = vouch_errf(&s->err, VOUCH_E_VERIFY, 0,
				"the stored tree's root at size %llu differs from the last checkpoint",
				(unsigned long long)cp_size);
		goto out;
	}
	{
		/* and the note text itself says the same (size, root) */
		vouch_checkpoint c;
		const char *sep = strstr(note, "\n\n");

		memset(&c, 0, sizeof(c));
		if (sep == NULL ||
		    vouch_checkpoint_parse(note, (size_t)(sep - note) + 1, &c) != VOUCH_OK ||
		    c.size != cp_size || memcmp(c.root, cp_root.b, VOUCH_HASH_LEN) != 0) {
			rc = vouch_errf(&s->err, VOUCH_E_VERIFY, 0,
					"the last checkpoint note does not match its stored tree head");
		}
		vouch_checkpoint_clear(&c);
	}
out:
	free(data);
	free(note);
	return rc;
}

void
vouch_store_close(vouch_store *s)
{
	if (s == NULL) {
		return;
	}
	for (int i = 0; i < ST_COUNT; i++) {
		sqlite3_finalize(s->st[i]);
	}
	sqlite3_close(s->db);
	vouch_sha256_free(s->sha);
	free(s->cache);
	free(s);
}

int
vouch_store_open(const char *path, int create, vouch_store **out, vouch_errinfo *err)
{
	vouch_store *s = calloc(1, sizeof(*s));
	char *fmt = NULL;
	int rc, flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;

	if (s == NULL) {
		return VOUCH_E_NOMEM;
	}
	s->edge_size = UINT64_MAX;
	s->cache = calloc(CACHE_SLOTS, sizeof(*s->cache)); /* optional: NULL means no cache */
	if (create) {
		flags |= SQLITE_OPEN_CREATE;
	}
	if ((rc = vouch_sha256_new(&s->sha)) != VOUCH_OK) {
		goto out;
	}
	if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
		rc = s->db != NULL ? dberr(s, path)
				   : vouch_errf(&s->err, VOUCH_E_NOMEM, 0, "sqlite open");
		goto out;
	}
	sqlite3_busy_timeout(s->db, BUSY_MS);
	/*
	 * WAL: readers never block the appender; synchronous=FULL: a commit is on disk (the
	 * WAL fsync'ed) before COMMIT returns, so an acknowledged append survives power loss.
	 */
	if ((rc = exec(s, "PRAGMA journal_mode=WAL")) != VOUCH_OK ||
	    (rc = exec(s, "PRAGMA synchronous=FULL")) != VOUCH_OK ||
	    (rc = exec(s, "PRAGMA cache_size=-65536")) != VOUCH_OK ||
	    /* reads through the page cache without copying: a proof is ~2 log n point reads */
	    (rc = exec(s, "PRAGMA mmap_size=2147418112")) != VOUCH_OK ||
	    (rc = exec(s, "PRAGMA foreign_keys=OFF")) != VOUCH_OK) {
		goto out;
	}
	if (create) {
		if ((rc = exec(s, "BEGIN IMMEDIATE")) != VOUCH_OK) {
			goto out;
		}
		if ((rc = exec(s, schema)) != VOUCH_OK ||
		    (rc = exec(s, "INSERT OR IGNORE INTO meta(k, v) VALUES ('format', '" FORMAT
				  "'), ('size', '0')")) != VOUCH_OK ||
		    (rc = exec(s, "COMMIT")) != VOUCH_OK) {
			rollback(s);
			goto out;
		}
	}
	for (int i = 0; i < ST_COUNT; i++) {
		if (sqlite3_prepare_v3(s->db, st_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->st[i],
				       NULL) != SQLITE_OK) {
			rc = vouch_errf(&s->err, VOUCH_E_MALFORMED, 0, "%s is not a vouch log: %s",
					path, sqlite3_errmsg(s->db));
			goto out;
		}
	}
	rc = vouch_store_meta_get(s, "format", &fmt);
	if (rc != VOUCH_OK || strcmp(fmt, FORMAT) != 0) {
		rc = vouch_errf(&s->err, VOUCH_E_MALFORMED, 0, "%s is not a %s database", path,
				FORMAT);
		goto out;
	}
	/* one read transaction for the whole check: a consistent snapshot */
	if ((rc = exec(s, "BEGIN")) != VOUCH_OK) {
		goto out;
	}
	rc = check_state(s);
	rollback(s);
out:
	free(fmt);
	if (rc != VOUCH_OK) {
		if (err != NULL) {
			*err = s->err;
			err->code = rc;
		}
		vouch_store_close(s);
		return rc;
	}
	*out = s;
	return VOUCH_OK;
}

/* ---- append ------------------------------------------------------------------------------ */

int
vouch_store_append(vouch_store *s, const void *const *entries, const size_t *lens, size_t n,
		   uint64_t *first)
{
	sqlite3_stmt *qe = s->st[ST_PUT_ENTRY];
	uint64_t size;
	char buf[24];
	int rc;

	for (size_t i = 0; i < n; i++) {
		if (lens[i] > VOUCH_TLOG_MAX_ENTRY) {
			return vouch_errf(&s->err, VOUCH_E_LIMIT, i, "entry %zu is %zu bytes (max %u)",
					  i, lens[i], VOUCH_TLOG_MAX_ENTRY);
		}
	}
	if ((rc = exec(s, "BEGIN IMMEDIATE")) != VOUCH_OK) {
		return rc;
	}
	s->in_write = 1;
	if ((rc = vouch_store_size(s, &size)) != VOUCH_OK) {
		goto fail;
	}
	if (n > VOUCH_TLOG_MAX_SIZE - size) {
		rc = vouch_errf(&s->err, VOUCH_E_LIMIT, 0, "the log is full");
		goto fail;
	}
	if (s->edge_size != size && (rc = load_edge(s, size)) != VOUCH_OK) {
		goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t idx = size + i;
		vouch_hash h;
		unsigned l = 0;

		sqlite3_bind_int64(qe, 1, (int64_t)idx);
		sqlite3_bind_blob(qe, 2, lens[i] > 0 ? entries[i] : "", (int)lens[i], SQLITE_STATIC);
		rc = sqlite3_step(qe);
		sqlite3_reset(qe);
		if (rc != SQLITE_DONE) {
			rc = dberr(s, "write entry");
			goto fail;
		}
		if ((rc = vouch_merkle_leaf(s->sha, entries[i], lens[i], &h)) != VOUCH_OK ||
		    (rc = put_hash(s, 0, idx, &h)) != VOUCH_OK) {
			goto fail;
		}
		/* each set low bit of idx is a left sibling waiting on the edge: combine upward */
		while ((idx >> l) & 1) {
			if ((rc = vouch_merkle_node(s->sha, &s->edge[l], &h, &h)) != VOUCH_OK ||
			    (rc = put_hash(s, l + 1, idx >> (l + 1), &h)) != VOUCH_OK) {
				goto fail;
			}
			l++;
		}
		s->edge[l] = h;
		s->edge_size = idx + 1;
	}
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)(size + n));
	if ((rc = vouch_store_meta_set(s, "size", buf)) != VOUCH_OK ||
	    (rc = exec(s, "COMMIT")) != VOUCH_OK) {
		goto fail;
	}
	s->in_write = 0;
	*first = size;
	return VOUCH_OK;
fail:
	rollback(s);
	s->in_write = 0;
	s->edge_size = UINT64_MAX;
	return rc;
}

/* ---- reads ------------------------------------------------------------------------------- */

int
vouch_store_entry(vouch_store *s, uint64_t index, uint8_t **data, size_t *len)
{
	sqlite3_stmt *q = NULL;
	int rc;

	if (sqlite3_prepare_v2(s->db, "SELECT data FROM entries WHERE idx = ?1", -1, &q, NULL) !=
	    SQLITE_OK) {
		return dberr(s, "prepare");
	}
	sqlite3_bind_int64(q, 1, (int64_t)index);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		size_t n = (size_t)sqlite3_column_bytes(q, 0);

		*data = malloc(n + 1);
		if (*data == NULL) {
			rc = VOUCH_E_NOMEM;
		} else {
			if (n > 0) {
				memcpy(*data, sqlite3_column_blob(q, 0), n);
			}
			*len = n;
			rc = VOUCH_OK;
		}
	} else if (rc == SQLITE_DONE) {
		rc = vouch_errf(&s->err, VOUCH_E_NOTFOUND, index, "no entry %llu",
				(unsigned long long)index);
	} else {
		rc = dberr(s, "read entry");
	}
	sqlite3_finalize(q);
	return rc;
}

int
vouch_store_entries(vouch_store *s, uint64_t start, uint64_t count,
		    int (*fn)(void *ctx, uint64_t index, const uint8_t *data, size_t len), void *ctx)
{
	sqlite3_stmt *q = NULL;
	uint64_t want = start;
	int rc, r = VOUCH_OK;

	if (sqlite3_prepare_v2(s->db,
			       "SELECT idx, data FROM entries WHERE idx >= ?1 AND idx < ?2 ORDER BY idx",
			       -1, &q, NULL) != SQLITE_OK) {
		return dberr(s, "prepare");
	}
	sqlite3_bind_int64(q, 1, (int64_t)start);
	sqlite3_bind_int64(q, 2, (int64_t)(start + count));
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const uint8_t *d = sqlite3_column_blob(q, 1);
		size_t n = (size_t)sqlite3_column_bytes(q, 1);

		if ((uint64_t)sqlite3_column_int64(q, 0) != want) {
			r = vouch_errf(&s->err, VOUCH_E_VERIFY, want, "entry %llu missing",
				       (unsigned long long)want);
			break;
		}
		if ((r = fn(ctx, want, d != NULL ? d : (const uint8_t *)"", n)) != VOUCH_OK) {
			break;
		}
		want++;
	}
	sqlite3_finalize(q);
	if (r != VOUCH_OK) {
		return r;
	}
	if (rc != SQLITE_DONE) {
		return dberr(s, "read entries");
	}
	if (want != start + count) {
		return vouch_errf(&s->err, VOUCH_E_VERIFY, want, "entry %llu missing",
				  (unsigned long long)want);
	}
	return VOUCH_OK;
}

static int
in_read_txn(vouch_store *s, int (*fn)(vouch_store *, void *), void *arg)
{
	int rc;

	if ((rc = exec(s, "BEGIN")) != VOUCH_OK) {
		return rc;
	}
	rc = fn(s, arg);
	rollback(s);
	return rc;
}

typedef struct proof_args {
	uint64_t a, b;
	vouch_hash *proof;
	size_t *n;
	int consistency;
} proof_args;

static int
do_prove(vouch_store *s, void *arg)
{
	proof_args *p = arg;
	uint64_t size;
	int rc = vouch_store_size(s, &size);

	if (rc != VOUCH_OK) {
		return rc;
	}
	if (p->b > size) {
		return vouch_errf(&s->err, VOUCH_E_USAGE, 0, "size %llu is beyond the tree (%llu)",
				  (unsigned long long)p->b, (unsigned long long)size);
	}
	if (p->consistency) {
		rc = vouch_merkle_prove_consistency(s->sha, vouch_store_read_hash, s, p->a, p->b,
						    p->proof, p->n);
	} else {
		rc = vouch_merkle_prove_inclusion(s->sha, vouch_store_read_hash, s, p->a, p->b,
						  p->proof, p->n);
	}
	if (rc == VOUCH_E_USAGE) {
		return vouch_errf(&s->err, rc, 0, "no such proof: %llu, %llu",
				  (unsigned long long)p->a, (unsigned long long)p->b);
	}
	return rc;
}

int
vouch_store_prove_inclusion(vouch_store *s, uint64_t index, uint64_t size, vouch_hash *proof,
			    size_t *n)
{
	proof_args a = {index, size, proof, n, 0};

	return in_read_txn(s, do_prove, &a);
}

int
vouch_store_prove_consistency(vouch_store *s, uint64_t size1, uint64_t size2, vouch_hash *proof,
			      size_t *n)
{
	proof_args a = {size1, size2, proof, n, 1};

	return in_read_txn(s, do_prove, &a);
}

/* ---- checkpoints ---------------------------------------------------------------------- */

static int
checkpoint_query(vouch_store *s, const char *sql, int64_t arg, uint64_t *size, vouch_hash *root,
		 char **note)
{
	sqlite3_stmt *q = NULL;
	int rc;

	if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK) {
		return dberr(s, "prepare");
	}
	if (arg >= 0) {
		sqlite3_bind_int64(q, 1, arg);
	}
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		if (sqlite3_column_bytes(q, 1) != VOUCH_HASH_LEN) {
			rc = vouch_errf(&s->err, VOUCH_E_VERIFY, 0, "corrupt checkpoint root");
			goto out;
		}
		if (size != NULL) {
			*size = (uint64_t)sqlite3_column_int64(q, 0);
		}
		memcpy(root->b, sqlite3_column_blob(q, 1), VOUCH_HASH_LEN);
		rc = VOUCH_OK;
		if (note != NULL) {
			const char *t = (const char *)sqlite3_column_text(q, 2);

			*note = strdup(t != NULL ? t : "");
			rc = *note != NULL ? VOUCH_OK : VOUCH_E_NOMEM;
		}
	} else if (rc == SQLITE_DONE) {
		rc = VOUCH_E_NOTFOUND;
	} else {
		rc = dberr(s, "read checkpoint");
	}
out:
	sqlite3_finalize(q);
	return rc;
}

int
vouch_store_latest(vouch_store *s, uint64_t *size, vouch_hash *root, char **note)
{
	return checkpoint_query(s,
				"SELECT size, root, note FROM checkpoints ORDER BY size DESC LIMIT 1",
				-1, size, root, note);
}

int
vouch_store_checkpoint_at(vouch_store *s, uint64_t size, vouch_hash *root, char **note)
{
	return checkpoint_query(s, "SELECT size, root, note FROM checkpoints WHERE size = ?1",
				(int64_t)size, NULL, root, note);
}

int
vouch_store_publish(vouch_store *s, uint64_t size, const vouch_hash *root, const char *note)
{
	sqlite3_stmt *q = NULL;
	uint64_t tree, last = 0;
	vouch_hash stored, last_root, proof[VOUCH_MERKLE_MAX_PROOF];
	size_t n = 0;
	int rc;

	if (strlen(note) > VOUCH_TLOG_MAX_NOTE) {
		return vouch_errf(&s->err, VOUCH_E_LIMIT, 0, "checkpoint note too large");
	}
	if ((rc = exec(s, "BEGIN IMMEDIATE")) != VOUCH_OK) {
		return rc;
	}
	if ((rc = vouch_store_size(s, &tree)) != VOUCH_OK) {
		goto out;
	}
	if (size > tree) {
		rc = vouch_errf(&s->err, VOUCH_E_VERIFY, 0, "checkpoint size %llu beyond tree %llu",
				(unsigned long long)size, (unsigned long long)tree);
		goto out;
	}
	if ((rc = vouch_store_root(s, size, &stored)) != VOUCH_OK) {
		goto out;
	}
	if (!vouch_hash_equal(&stored, root)) {
		rc = vouch_errf(&s->err, VOUCH_E_VERIFY, 0,
				"refusing a checkpoint whose root is not the stored tree's");
		goto out;
	}
	rc = vouch_store_latest(s, &last, &last_root, NULL);
	if (rc == VOUCH_OK) {
		/*
		 * Never publish a checkpoint inconsistent with an earlier one: prove and verify
		 * consistency with the stored hashes, as an outside auditor would.
		 */
		if (size < last) {
			rc = vouch_errf(&s->err, VOUCH_E_VERIFY, 0,
					"checkpoint size %llu is below the published %llu",
					(unsigned long long)size, (unsigned long long)last);
			goto out;
		}
		if (last > 0 &&
		    ((rc = vouch_merkle_prove_consistency(s->sha, vouch_store_read_hash, s, last,
							  size, proof, &n)) != VOUCH_OK ||
		     (rc = vouch_merkle_verify_consistency(s->sha, last, size, proof, n, &last_root,
							   root)) != VOUCH_OK)) {
			rc = vouch_errf(&s->err, VOUCH_E_VERIFY, 0,
					"refusing a checkpoint inconsistent with the published one");
			goto out;
		}
		if (last == 0 && size == 0 && !vouch_hash_equal(&last_root, root)) {
			rc = vouch_errf(&s->err, VOUCH_E_VERIFY, 0, "two different empty trees");
			goto out;
		}
	} else if (rc != VOUCH_E_NOTFOUND) {
		goto out;
	}
	if (sqlite3_prepare_v2(s->db,
			       "INSERT OR REPLACE INTO checkpoints(size, root, note, created) "
			       "VALUES (?1, ?2, ?3, ?4)",
			       -1, &q, NULL) != SQLITE_OK) {
		rc = dberr(s, "prepare");
		goto out;
	}
	sqlite3_bind_int64(q, 1, (int64_t)size);
	sqlite3_bind_blob(q, 2, root->b, VOUCH_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, note, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 4, (int64_t)time(NULL));
	rc = sqlite3_step(q) == SQLITE_DONE ? VOUCH_OK : dberr(s, "write checkpoint");
	sqlite3_finalize(q);
	if (rc == VOUCH_OK) {
		rc = exec(s, "COMMIT");
	}
out:
	if (rc != VOUCH_OK) {
		rollback(s);
	}
	return rc;
}

int
vouch_store_checkpoints(vouch_store *s,
			int (*fn)(void *ctx, uint64_t size, const vouch_hash *root, const char *note),
			void *ctx)
{
	sqlite3_stmt *q = NULL;
	int rc, r = VOUCH_OK;

	if (sqlite3_prepare_v2(s->db, "SELECT size, root, note FROM checkpoints ORDER BY size", -1,
			       &q, NULL) != SQLITE_OK) {
		return dberr(s, "prepare");
	}
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		vouch_hash root;
		const char *note = (const char *)sqlite3_column_text(q, 2);

		if (sqlite3_column_bytes(q, 1) != VOUCH_HASH_LEN) {
			r = vouch_errf(&s->err, VOUCH_E_VERIFY, 0, "corrupt checkpoint root");
			break;
		}
		memcpy(root.b, sqlite3_column_blob(q, 1), VOUCH_HASH_LEN);
		if ((r = fn(ctx, (uint64_t)sqlite3_column_int64(q, 0), &root,
			    note != NULL ? note : "")) != VOUCH_OK) {
			break;
		}
	}
	sqlite3_finalize(q);
	if (r != VOUCH_OK) {
		return r;
	}
	return rc == SQLITE_DONE ? VOUCH_OK : dberr(s, "read checkpoints");
}

/* ---- witnesses and cosignatures ---------------------------------------------------------- */

int
vouch_store_witness_add(vouch_store *s, const char *name, const char *vkey)
{
	sqlite3_stmt *q = NULL;
	int rc;

	if (sqlite3_prepare_v2(s->db, "INSERT OR IGNORE INTO witnesses(vkey, name) VALUES (?1, ?2)",
			       -1, &q, NULL) != SQLITE_OK) {
		return dberr(s, "prepare");
	}
	sqlite3_bind_text(q, 1, vkey, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(q) == SQLITE_DONE ? VOUCH_OK : dberr(s, "write witness");
	sqlite3_finalize(q);
	return rc;
}

int
vouch_store_witnesses(vouch_store *s, int (*fn)(void *ctx, const char *name, const char *vkey),
		      void *ctx)
{
	sqlite3_stmt *q = NULL;
	int rc, r = VOUCH_OK;

	if (sqlite3_prepare_v2(s->db, "SELECT name, vkey FROM witnesses ORDER BY name", -1, &q,
			       NULL) != SQLITE_OK) {
		return dberr(s, "prepare");
	}
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(q, 0);
		const char *vkey = (const char *)sqlite3_column_text(q, 1);

		if ((r = fn(ctx, name != NULL ? name : "", vkey != NULL ? vkey : "")) != VOUCH_OK) {
			break;
		}
	}
	sqlite3_finalize(q);
	if (r != VOUCH_OK) {
		return r;
	}
	return rc == SQLITE_DONE ? VOUCH_OK : dberr(s, "read witnesses");
}

int
vouch_store_cosig_add(vouch_store *s, uint64_t size, const char *name, uint32_t keyid,
		      const char *line, uint64_t ts)
{
	sqlite3_stmt *q = NULL;
	int rc;

	if (sqlite3_prepare_v2(s->db,
			       "INSERT OR REPLACE INTO cosignatures(size, name, keyid, line, ts) "
			       "VALUES (?1, ?2, ?3, ?4, ?5)",
			       -1, &q, NULL) != SQLITE_OK) {
		return dberr(s, "prepare");
	}
	sqlite3_bind_int64(q, 1, (int64_t)size);
	sqlite3_bind_text(q, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, keyid);
	sqlite3_bind_text(q, 4, line, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 5, (int64_t)ts);
	rc = sqlite3_step(q) == SQLITE_DONE ? VOUCH_OK : dberr(s, "write cosignature");
	sqlite3_finalize(q);
	return rc;
}

int
vouch_store_cosigs(vouch_store *s, uint64_t size, char **lines)
{
	sqlite3_stmt *q = NULL;
	char *buf = NULL;
	size_t len = 0;
	int rc;

	if (sqlite3_prepare_v2(s->db,
			       "SELECT line FROM cosignatures WHERE size = ?1 ORDER BY name, keyid",
			       -1, &q, NULL) != SQLITE_OK) {
		return dberr(s, "prepare");
	}
	sqlite3_bind_int64(q, 1, (int64_t)size);
	buf = calloc(1, 1);
	while (buf != NULL && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *l = (const char *)sqlite3_column_text(q, 0);
		size_t n = l != NULL ? strlen(l) : 0;
		char *nb = realloc(buf, len + n + 1);

		if (nb == NULL) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = nb;
		memcpy(buf + len, l, n);
		len += n;
		buf[len] = '\0';
	}
	sqlite3_finalize(q);
	if (buf == NULL) {
		return VOUCH_E_NOMEM;
	}
	*lines = buf;
	return VOUCH_OK;
}

/* ---- audit ----------------------------------------------------------------------------- */

typedef struct audit {
	vouch_store *s;
	sqlite3_stmt *lv[64];      /* one ordered cursor per level over the stored hashes */
	vouch_hash stack[65];
	size_t top;
	sqlite3_stmt *cps;         /* checkpoints by size */
	int cp_pending;            /* cps is positioned on a row not yet checked */
	int cp_done;               /* cps returned SQLITE_DONE (stepping again would restart) */
	uint64_t ncps;
} audit;

/* The next stored hash of `level` must be (level, index) and equal h. */
static int
audit_match(audit *a, unsigned level, uint64_t index, const vouch_hash *h)
{
	vouch_store *s = a->s;
	int rc;

	if (a->lv[level] == NULL) {
		if (sqlite3_prepare_v2(s->db,
				       "SELECT id, h FROM hashes WHERE id >= ?1 AND id < ?2 ORDER BY id",
				       -1, &a->lv[level], NULL) != SQLITE_OK) {
			return dberr(s, "prepare");
		}
		sqlite3_bind_int64(a->lv[level], 1, ID(level, 0));
		sqlite3_bind_int64(a->lv[level], 2,
				   level == 63 ? INT64_MAX : ID(level + 1, 0));
	}
	rc = sqlite3_step(a->lv[level]);
	if (rc != SQLITE_ROW) {
		return rc == SQLITE_DONE ? vouch_errf(&s->err, VOUCH_E_VERIFY, index,
						      "hash (level %u, index %llu) missing", level,
						      (unsigned long long)index)
					 : dberr(s, "read hashes");
	}
	if (sqlite3_column_int64(a->lv[level], 0) != ID(level, index) ||
	    sqlite3_column_bytes(a->lv[level], 1) != VOUCH_HASH_LEN ||
	    memcmp(sqlite3_column_blob(a->lv[level], 1), h->b, VOUCH_HASH_LEN) != 0) {
		return vouch_errf(&s->err, VOUCH_E_VERIFY, index,
				  "stored hash (level %u, index %llu) differs from the recomputed "
				  "one",
				  level, (unsigned long long)index);
	}
	return VOUCH_OK;
}

/* Check every checkpoint whose size equals `done` against the current stack. */
static int
audit_checkpoints(audit *a, uint64_t done)
{
	vouch_store *s = a->s;

	for (;;) {
		uint64_t size;
		vouch_hash root;
		int rc;

		if (a->cp_done) {
			return VOUCH_OK;
		}
		if (!a->cp_pending) {
			rc = sqlite3_step(a->cps);
			if (rc == SQLITE_DONE) {
				a->cp_done = 1;
				return VOUCH_OK;
			}
			if (rc != SQLITE_ROW) {
				return dberr(s, "read checkpoints");
			}
			a->cp_pending = 1;
		}
		size = (uint64_t)sqlite3_column_int64(a->cps, 0);
		if (size != done) {
			return VOUCH_OK;
		}
		/* fold the stack from the right: MTH of the first `done` leaves */
		if (a->top == 0) {
			vouch_merkle_empty(&root);
		} else {
			root = a->stack[a->top - 1];
			for (size_t i = a->top - 1; i > 0; i--) {
				rc = vouch_merkle_node(s->sha, &a->stack[i - 1], &root, &root);
				if (rc != VOUCH_OK) {
					return rc;
				}
			}
		}
		if (sqlite3_column_bytes(a->cps, 1) != VOUCH_HASH_LEN ||
		    memcmp(sqlite3_column_blob(a->cps, 1), root.b, VOUCH_HASH_LEN) != 0) {
			return vouch_errf(&s->err, VOUCH_E_VERIFY, size,
					  "published checkpoint at size %llu does not match the tree",
					  (unsigned long long)size);
		}
		a->ncps++;
		a->cp_pending = 0;
	}
}

static int
audit_leaf(void *ctx, uint64_t index, const uint8_t *data, size_t len)
{
	audit *a = ctx;
	vouch_hash h;
	unsigned l = 0;
	int rc;

	if ((rc = vouch_merkle_leaf(a->s->sha, data, len, &h)) != VOUCH_OK ||
	    (rc = audit_match(a, 0, index, &h)) != VOUCH_OK) {
		return rc;
	}
	while ((index >> l) & 1) {
		a->top--;
		if ((rc = vouch_merkle_node(a->s->sha, &a->stack[a->top], &h, &h)) != VOUCH_OK ||
		    (rc = audit_match(a, l + 1, index >> (l + 1), &h)) != VOUCH_OK) {
			return rc;
		}
		l++;
	}
	a->stack[a->top] = h;
	a->top++;
	return audit_checkpoints(a, index + 1);
}

int
vouch_store_audit(vouch_store *s, uint64_t *checked_entries, uint64_t *checked_cps)
{
	audit a;
	uint64_t size;
	int rc;

	memset(&a, 0, sizeof(a));
	a.s = s;
	if ((rc = exec(s, "BEGIN")) != VOUCH_OK) {
		return rc;
	}
	if ((rc = vouch_store_size(s, &size)) != VOUCH_OK) {
		goto out;
	}
	if (sqlite3_prepare_v2(s->db, "SELECT size, root FROM checkpoints ORDER BY size", -1,
			       &a.cps, NULL) != SQLITE_OK) {
		rc = dberr(s, "prepare");
		goto out;
	}
	if ((rc = audit_checkpoints(&a, 0)) != VOUCH_OK ||
	    (rc = vouch_store_entries(s, 0, size, audit_leaf, &a)) != VOUCH_OK) {
		goto out;
	}
	if (a.cp_pending || (!a.cp_done && sqlite3_step(a.cps) != SQLITE_DONE)) {
		rc = vouch_errf(&s->err, VOUCH_E_VERIFY, 0, "a checkpoint is beyond the tree size");
		goto out;
	}
	{
		/* nothing stored beyond the tree: row counts are exactly what the size implies */
		sqlite3_stmt *q = NULL;
		int64_t nh = -1, ne = -1;
		uint64_t want = 0;

		for (unsigned l = 0; l < 64; l++) {
			want += size >> l;
		}
		if (sqlite3_prepare_v2(s->db,
				       "SELECT (SELECT count(*) FROM hashes), (SELECT count(*) FROM "
				       "entries)",
				       -1, &q, NULL) == SQLITE_OK &&
		    sqlite3_step(q) == SQLITE_ROW) {
			nh = sqlite3_column_int64(q, 0);
			ne = sqlite3_column_int64(q, 1);
		}
		sqlite3_finalize(q);
		if (nh < 0 || (uint64_t)nh != want || ne < 0 || (uint64_t)ne != size) {
			rc = vouch_errf(&s->err, VOUCH_E_VERIFY, 0,
					"%lld hashes and %lld entries stored, %llu and %llu expected",
					(long long)nh, (long long)ne, (unsigned long long)want,
					(unsigned long long)size);
			goto out;
		}
	}
	*checked_entries = size;
	*checked_cps = a.ncps;
out:
	for (unsigned l = 0; l < 64; l++) {
		sqlite3_finalize(a.lv[l]);
	}
	sqlite3_finalize(a.cps);
	rollback(s);
	return rc;
}
