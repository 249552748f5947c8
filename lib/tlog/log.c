/*
 * tlog/log.c: the public transparency-log API (include/vouch/tlog.h): a log directory with
 * its SQLite store and Ed25519 key, signed checkpoints, witnesses, the audit, and the
 * stateless client-side checks (proofs, checkpoints, witness cosigning).
 *
 * How: the store (store.c) owns durability and the tree; this file adds the key. A new
 * checkpoint is formatted (tlog/checkpoint.h), signed as a C2SP signed note (tlog/note.h)
 * and handed to vouch_store_publish, which refuses it unless it matches the stored tree and
 * is consistent with the previous one. Opening a log re-verifies the latest checkpoint's
 * signature on top of the store's own consistency check, so a tampered database or key
 * swap refuses to start. Witness cosignatures (type 0x04) are accepted only from keys
 * configured with vouch_tlog_witness_add, and only over the exact text of a published
 * checkpoint.
 *
 * Rejected: keeping the signing key inside the database (one file to steal; key files are
 * 0600 and never overwritten, see docs/keys.md); signing inside the store's transaction
 * (the signature is deterministic and cheap, but the store should not know about keys).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tlog/checkpoint.h"
#include "tlog/log.h"

int
vouch_tlog_say(char *why, size_t cap, int err, const char *fmt, ...)
{
	va_list ap;

	if (why != NULL && cap > 0) {
		va_start(ap, fmt);
		vsnprintf(why, cap, fmt, ap);
		va_end(ap);
	}
	return err;
}

int
vouch_tlog_store_err(vouch_tlog *t, int rc)
{
	const vouch_errinfo *e = vouch_store_err(t->s);

	if (rc != VOUCH_OK) {
		t->err = *e;
		t->err.code = rc;
		if (t->err.msg[0] == '\0') {
			snprintf(t->err.msg, sizeof(t->err.msg), "%s", vouch_err_str(rc));
		}
	}
	return rc;
}

const char *
vouch_tlog_errmsg(const vouch_tlog *t)
{
	return t == NULL || t->err.msg[0] == '\0' ? "no detail" : t->err.msg;
}

static char *
join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);

	if (p != NULL) {
		snprintf(p, n, "%s/%s", dir, name);
	}
	return p;
}

static int
write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	size_t n = strlen(text);
	int rc = VOUCH_OK;

	if (fd < 0) {
		return VOUCH_E_IO;
	}
	rc = vouch_write_all(fd, text, n);
	if (rc == VOUCH_OK && fsync(fd) != 0) {
		rc = VOUCH_E_IO;
	}
	close(fd);
	return rc;
}

/* ---- init / open ----------------------------------------------------------------------- */

int
vouch_tlog_init(const char *dir, const char *origin, char **vkey_out, char *why, size_t why_cap)
{
	char *db = NULL, *keyp = NULL, *vkp = NULL, *objs = NULL, *vkey = NULL, *vkey_nl = NULL;
	vouch_ed25519_key *k = NULL;
	vouch_store *s = NULL;
	vouch_errinfo e;
	struct stat st;
	int rc;

	memset(&e, 0, sizeof(e));
	if (!vouch_key_name_ok(origin, strlen(origin)) ||
	    strlen(origin) > VOUCH_CHECKPOINT_ORIGIN_MAX) {
		return vouch_tlog_say(why, why_cap, VOUCH_E_USAGE,
				      "'%s' is not a valid origin (a signed-note key name)", origin);
	}
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		return vouch_tlog_say(why, why_cap, VOUCH_E_IO, "%s: %s", dir, strerror(errno));
	}
	db = join(dir, "log.db");
	keyp = join(dir, "log.key");
	vkp = join(dir, "log.vkey");
	objs = join(dir, "objects");
	if (db == NULL || keyp == NULL || vkp == NULL || objs == NULL) {
		rc = VOUCH_E_NOMEM;
		goto out;
	}
	if (lstat(db, &st) == 0 || lstat(keyp, &st) == 0) {
		errno = EEXIST;
		rc = vouch_tlog_say(why, why_cap, VOUCH_E_IO, "%s already holds a log", dir);
		goto out;
	}
	if ((rc = vouch_ed25519_generate(origin, &k)) != VOUCH_OK ||
	    (rc = vouch_note_vkey(k, VOUCH_SIGTYPE_ED25519, &vkey)) != VOUCH_OK) {
		vouch_tlog_say(why, why_cap, rc, "cannot make the log key");
		goto out;
	}
	if ((rc = vouch_ed25519_save(k, keyp)) != VOUCH_OK) {
		vouch_tlog_say(why, why_cap, rc, "%s: cannot save the key: %s", keyp, strerror(errno));
		goto out;
	}
	vkey_nl = malloc(strlen(vkey) + 2);
	if (vkey_nl == NULL) {
		rc = VOUCH_E_NOMEM;
		goto out;
	}
	snprintf(vkey_nl, strlen(vkey) + 2, "%s\n", vkey);
	if ((rc = write_file(vkp, vkey_nl, 0644)) != VOUCH_OK) {
		vouch_tlog_say(why, why_cap, rc, "%s: %s", vkp, strerror(errno));
		goto out;
	}
	if (mkdir(objs, 0755) != 0 && errno != EEXIST) {
		rc = vouch_tlog_say(why, why_cap, VOUCH_E_IO, "%s: %s", objs, strerror(errno));
		goto out;
	}
	if ((rc = vouch_store_open(db, 1, &s, &e)) != VOUCH_OK ||
	    (rc = vouch_store_meta_set(s, "origin", origin)) != VOUCH_OK) {
		vouch_tlog_say(why, why_cap, rc, "%s: %s", db, e.msg);
		goto out;
	}
	if (vkey_out != NULL) {
		*vkey_out = vkey;
		vkey = NULL;
	}
out:
	vouch_store_close(s);
	vouch_ed25519_free(k);
	free(db);
	free(keyp);
	free(vkp);
	free(objs);
	free(vkey);
	free(vkey_nl);
	return rc;
}

void
vouch_tlog_close(vouch_tlog *t)
{
	if (t == NULL) {
		return;
	}
	vouch_store_close(t->s);
	vouch_ed25519_free(t->key);
	vouch_note_verifier_free(t->ver);
	free(t->dir);
	free(t);
}

/* Open a checkpoint note with one verifier; fill size/root; the origin must be its name. */
static int
open_checkpoint(const char *note, size_t len, const vouch_note_verifier *v, vouch_checkpoint *c,
		vouch_note **n_out, char *why, size_t cap)
{
	vouch_note *n = NULL;
	int rc;

	memset(c, 0, sizeof(*c));
	rc = vouch_note_verify(note, len, &v, 1, &n);
	if (rc != VOUCH_OK) {
		return vouch_tlog_say(why, cap, rc, "the checkpoint is not validly signed by %s (%s)",
				      vouch_note_verifier_name(v), vouch_err_str(rc));
	}
	rc = vouch_checkpoint_parse(n->msg, n->text_len, c);
	if (rc != VOUCH_OK) {
		vouch_note_free(n);
		return vouch_tlog_say(why, cap, rc, "the note is not a checkpoint");
	}
	if (strcmp(c->origin, vouch_note_verifier_name(v)) != 0) {
		vouch_checkpoint_clear(c);
		vouch_note_free(n);
		return vouch_tlog_say(why, cap, VOUCH_E_VERIFY,
				      "the checkpoint's origin is not the log key's name");
	}
	if (n_out != NULL) {
		*n_out = n;
	} else {
		vouch_note_free(n);
	}
	return VOUCH_OK;
}

int
vouch_tlog_open(const char *dir, vouch_tlog **out, char *why, size_t why_cap)
{
	vouch_tlog *t = calloc(1, sizeof(*t));
	char *db = NULL, *keyp = NULL, *origin = NULL, *note = NULL;
	vouch_errinfo e;
	vouch_checkpoint c;
	uint64_t size;
	vouch_hash root;
	int rc;

	memset(&e, 0, sizeof(e));
	memset(&c, 0, sizeof(c));
	if (t == NULL || (t->dir = strdup(dir)) == NULL || (db = join(dir, "log.db")) == NULL ||
	    (keyp = join(dir, "log.key")) == NULL) {
		rc = VOUCH_E_NOMEM;
		goto out;
	}
	if (access(db, F_OK) != 0) {
		rc = vouch_tlog_say(why, why_cap, VOUCH_E_IO,
				    "%s: no log here (create one with 'vouch log init')", dir);
		goto out;
	}
	if ((rc = vouch_store_open(db, 0, &t->s, &e)) != VOUCH_OK) {
		vouch_tlog_say(why, why_cap, rc, "%s: %s", db, e.msg);
		goto out;
	}
	if ((rc = vouch_ed25519_load(keyp, &t->key)) != VOUCH_OK) {
		vouch_tlog_say(why, why_cap, rc, "%s: cannot load the log key (%s)", keyp,
			       vouch_err_str(rc));
		goto out;
	}
	if ((rc = vouch_note_verifier_of(t->key, VOUCH_SIGTYPE_ED25519, &t->ver)) != VOUCH_OK) {
		goto out;
	}
	if ((rc = vouch_store_meta_get(t->s, "origin", &origin)) != VOUCH_OK ||
	    strcmp(origin, vouch_ed25519_name(t->key)) != 0) {
		rc = vouch_tlog_say(why, why_cap, VOUCH_E_VERIFY,
				    "the log key does not sign for this log's origin");
		goto out;
	}
	rc = vouch_store_latest(t->s, &size, &root, &note);
	if (rc == VOUCH_OK) {
		rc = open_checkpoint(note, strlen(note), t->ver, &c, NULL, why, why_cap);
		if (rc == VOUCH_OK && (c.size != size || memcmp(c.root, root.b, 32) != 0)) {
			rc = vouch_tlog_say(why, why_cap, VOUCH_E_VERIFY,
					    "the last checkpoint's note and tree head disagree");
		}
		if (rc != VOUCH_OK) {
			rc = VOUCH_E_VERIFY;
			goto out;
		}
	} else if (rc == VOUCH_E_NOTFOUND) {
		rc = VOUCH_OK;
	} else {
		vouch_tlog_say(why, why_cap, rc, "%s", vouch_store_err(t->s)->msg);
	}
out:
	vouch_checkpoint_clear(&c);
	free(db);
	free(keyp);
	free(origin);
	free(note);
	if (rc != VOUCH_OK) {
		vouch_tlog_close(t);
		return rc;
	}
	*out = t;
	return VOUCH_OK;
}

/* ---- the tree ------------------------------------------------------------------------- */

int
vouch_tlog_size(vouch_tlog *t, uint64_t *size)
{
	return vouch_tlog_store_err(t, vouch_store_size(t->s, size));
}

int
vouch_tlog_append(vouch_tlog *t, const void *const *entries, const size_t *lens, size_t n,
		  uint64_t *first)
{
	return vouch_tlog_store_err(t, vouch_store_append(t->s, entries, lens, n, first));
}

/* Copy one object into objects/ and digest it on the way. */
static int
store_object(vouch_tlog *t, int objfd, const char *path, uint8_t digest[VOUCH_HASH_LEN])
{
	static const char hexd[] = "0123456789abcdef";
	char tmp[64], name[2 * VOUCH_HASH_LEN + 1];
	uint8_t *buf = malloc(1 << 16);
	vouch_sha256 *h = NULL;
	int in = -1, out = -1, rc = VOUCH_OK;

	snprintf(tmp, sizeof(tmp), ".in.%ld", (long)getpid());
	if (buf == NULL || vouch_sha256_new(&h) != VOUCH_OK) {
		rc = VOUCH_E_NOMEM;
		goto out;
	}
	in = strcmp(path, "-") == 0 ? dup(0) : open(path, O_RDONLY | O_CLOEXEC);
	out = openat(objfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (in < 0 || out < 0) {
		rc = vouch_errf(&t->err, VOUCH_E_IO, 0, "%s: %s", in < 0 ? path : "objects/",
				strerror(errno));
		goto out;
	}
	for (;;) {
		ssize_t r = read(in, buf, 1 << 16);

		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r < 0) {
			rc = vouch_errf(&t->err, VOUCH_E_IO, 0, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (r == 0) {
			break;
		}
		if ((rc = vouch_sha256_update(h, buf, (size_t)r)) != VOUCH_OK) {
			goto out;
		}
		if (vouch_write_all(out, buf, (size_t)r) != VOUCH_OK) {
			rc = vouch_errf(&t->err, VOUCH_E_IO, 0, "objects/: %s", strerror(errno));
			goto out;
		}
	}
	if ((rc = vouch_sha256_final(h, digest)) != VOUCH_OK) {
		goto out;
	}
	for (int i = 0; i < VOUCH_HASH_LEN; i++) {
		name[2 * i] = hexd[digest[i] >> 4];
		name[2 * i + 1] = hexd[digest[i] & 15];
	}
	name[2 * VOUCH_HASH_LEN] = '\0';
	/* made durable by the caller's syncfs, before the entries are appended */
	if (renameat(objfd, tmp, objfd, name) != 0) {
		rc = vouch_errf(&t->err, VOUCH_E_IO, 0, "objects/%s: %s", name, strerror(errno));
	}
out:
	if (in >= 0) {
		close(in);
	}
	if (out >= 0) {
		close(out);
		if (rc != VOUCH_OK) {
			unlinkat(objfd, tmp, 0);
		}
	}
	vouch_sha256_free(h);
	free(buf);
	return rc;
}

int
vouch_tlog_append_files(vouch_tlog *t, const char *const *paths, size_t n, uint64_t *first)
{
	uint8_t(*dig)[VOUCH_HASH_LEN] = calloc(n + 1, VOUCH_HASH_LEN);
	const void **ents = calloc(n + 1, sizeof(*ents));
	size_t *lens = calloc(n + 1, sizeof(*lens));
	char *objs = join(t->dir, "objects");
	int objfd = -1, rc = VOUCH_OK;

	if (dig == NULL || ents == NULL || lens == NULL || objs == NULL) {
		rc = VOUCH_E_NOMEM;
		goto out;
	}
	objfd = open(objs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (objfd < 0) {
		rc = vouch_errf(&t->err, VOUCH_E_IO, 0, "%s: %s", objs, strerror(errno));
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if ((rc = store_object(t, objfd, paths[i], dig[i])) != VOUCH_OK) {
			goto out;
		}
		ents[i] = dig[i];
		lens[i] = VOUCH_HASH_LEN;
	}
	/*
	 * One flush for the whole batch (objects and their names) instead of an fsync per
	 * object: every object is durable before the entries committing to it are.
	 */
	if (syncfs(objfd) != 0) {
		rc = vouch_errf(&t->err, VOUCH_E_IO, 0, "objects/: %s", strerror(errno));
		goto out;
	}
	rc = vouch_tlog_append(t, ents, lens, n, first);
out:
	if (objfd >= 0) {
		close(objfd);
	}
	free(dig);
	free(ents);
	free(lens);
	free(objs);
	return rc;
}

int
vouch_tlog_entry(vouch_tlog *t, uint64_t index, uint8_t **data, size_t *len)
{
	return vouch_tlog_store_err(t, vouch_store_entry(t->s, index, data, len));
}

int
vouch_tlog_prove(vouch_tlog *t, uint64_t index, uint64_t size,
		 vouch_tlog_hash proof[VOUCH_TLOG_PROOF_MAX], size_t *n)
{
	_Static_assert(sizeof(vouch_hash) == sizeof(vouch_tlog_hash), "hash layout");
	return vouch_tlog_store_err(
		t, vouch_store_prove_inclusion(t->s, index, size, (vouch_hash *)proof, n));
}

int
vouch_tlog_prove_consistency(vouch_tlog *t, uint64_t size1, uint64_t size2,
			     vouch_tlog_hash proof[VOUCH_TLOG_PROOF_MAX], size_t *n)
{
	return vouch_tlog_store_err(
		t, vouch_store_prove_consistency(t->s, size1, size2, (vouch_hash *)proof, n));
}

int
vouch_tlog_root(vouch_tlog *t, uint64_t size, vouch_tlog_hash root)
{
	vouch_hash h;
	uint64_t cur;
	int rc = vouch_store_size(t->s, &cur);

	if (rc == VOUCH_OK && size > cur) {
		rc = vouch_errf(&t->err, VOUCH_E_USAGE, 0, "size %llu is beyond the tree (%llu)",
				(unsigned long long)size, (unsigned long long)cur);
		return rc;
	}
	if (rc == VOUCH_OK) {
		rc = vouch_store_root(t->s, size, &h);
	}
	if (rc == VOUCH_OK) {
		memcpy(root, h.b, VOUCH_HASH_LEN);
	}
	return vouch_tlog_store_err(t, rc);
}

/* ---- checkpoints ------------------------------------------------------------------------ */

int
vouch_tlog_latest_full(vouch_tlog *t, char **note, uint64_t *size, vouch_hash *root)
{
	char *n = NULL, *cos = NULL, *all;
	size_t a, b;
	int rc = vouch_store_latest(t->s, size, root, &n);

	if (rc != VOUCH_OK) {
		return rc == VOUCH_E_NOTFOUND ? vouch_errf(&t->err, rc, 0, "no checkpoint yet")
					      : vouch_tlog_store_err(t, rc);
	}
	if ((rc = vouch_store_cosigs(t->s, *size, &cos)) != VOUCH_OK) {
		free(n);
		return vouch_tlog_store_err(t, rc);
	}
	a = strlen(n);
	b = strlen(cos);
	all = malloc(a + b + 1);
	if (all == NULL) {
		free(n);
		free(cos);
		return VOUCH_E_NOMEM;
	}
	memcpy(all, n, a);
	memcpy(all + a, cos, b + 1);
	free(n);
	free(cos);
	*note = all;
	return VOUCH_OK;
}

int
vouch_tlog_latest(vouch_tlog *t, char **note_out)
{
	uint64_t size;
	vouch_hash root;

	return vouch_tlog_latest_full(t, note_out, &size, &root);
}

int
vouch_tlog_checkpoint(vouch_tlog *t, char **note_out)
{
	uint64_t size, last = 0;
	vouch_hash root, last_root;
	char *body = NULL, *note = NULL;
	size_t blen = 0;
	int rc, have_last;

	if ((rc = vouch_store_size(t->s, &size)) != VOUCH_OK) {
		return vouch_tlog_store_err(t, rc);
	}
	rc = vouch_store_latest(t->s, &last, &last_root, NULL);
	if (rc != VOUCH_OK && rc != VOUCH_E_NOTFOUND) {
		return vouch_tlog_store_err(t, rc);
	}
	have_last = rc == VOUCH_OK;
	if (have_last && last == size) {
		return note_out != NULL ? vouch_tlog_latest(t, note_out) : VOUCH_OK;
	}
	if ((rc = vouch_store_root(t->s, size, &root)) != VOUCH_OK) {
		return vouch_tlog_store_err(t, rc);
	}
	rc = vouch_checkpoint_format(vouch_ed25519_name(t->key), size, root.b, NULL, 0, &body,
				     &blen);
	if (rc == VOUCH_OK) {
		rc = vouch_note_sign(body, blen, (const vouch_ed25519_key *const *)&t->key, 1, &note,
				     NULL);
	}
	if (rc != VOUCH_OK) {
		free(body);
		return vouch_errf(&t->err, rc, 0, "cannot sign the checkpoint (%s)",
				  vouch_err_str(rc));
	}
	rc = vouch_tlog_store_err(t, vouch_store_publish(t->s, size, &root, note));
	if (rc == VOUCH_OK && note_out != NULL) {
		*note_out = note;
		note = NULL;
	}
	free(body);
	free(note);
	return rc;
}

/* ---- audit ----------------------------------------------------------------------------- */

static int
audit_cp(void *ctx, uint64_t size, const vouch_hash *root, const char *note)
{
	vouch_tlog *t = ctx;
	vouch_checkpoint c;
	char why[200];
	int rc = open_checkpoint(note, strlen(note), t->ver, &c, NULL, why, sizeof(why));

	if (rc != VOUCH_OK) {
		return vouch_errf(&t->err, VOUCH_E_VERIFY, size, "checkpoint at size %llu: %s",
				  (unsigned long long)size, why);
	}
	if (c.size != size || memcmp(c.root, root->b, VOUCH_HASH_LEN) != 0) {
		rc = vouch_errf(&t->err, VOUCH_E_VERIFY, size,
				"checkpoint at size %llu: its note says another tree head",
				(unsigned long long)size);
	}
	vouch_checkpoint_clear(&c);
	return rc;
}

int
vouch_tlog_audit(vouch_tlog *t, uint64_t *entries, uint64_t *checkpoints)
{
	int rc = vouch_store_audit(t->s, entries, checkpoints);

	if (rc != VOUCH_OK) {
		return vouch_tlog_store_err(t, rc);
	}
	rc = vouch_store_checkpoints(t->s, audit_cp, t);
	if (rc != VOUCH_OK && t->err.msg[0] == '\0') {
		vouch_tlog_store_err(t, rc);
	}
	return rc;
}

/* ---- witnesses -------------------------------------------------------------------------- */

int
vouch_tlog_witness_add(vouch_tlog *t, const char *vkey)
{
	vouch_note_verifier *v = NULL;
	int rc = vouch_note_verifier_parse(vkey, strlen(vkey), &v);

	if (rc != VOUCH_OK) {
		return vouch_errf(&t->err, rc, 0, "not a verifier key");
	}
	if (vouch_note_verifier_type(v) != VOUCH_SIGTYPE_COSIG_V1) {
		vouch_note_verifier_free(v);
		return vouch_errf(&t->err, VOUCH_E_USAGE, 0,
				  "a witness key must be a cosignature/v1 key (type 0x04)");
	}
	rc = vouch_tlog_store_err(t, vouch_store_witness_add(t->s, vouch_note_verifier_name(v),
							     vkey));
	vouch_note_verifier_free(v);
	return rc;
}

typedef struct wlist {
	vouch_note_verifier *v[VOUCH_NOTE_MAX_SIGS];
	size_t n;
} wlist;

static int
collect_witness(void *ctx, const char *name, const char *vkey)
{
	wlist *w = ctx;

	(void)name;
	if (w->n >= VOUCH_NOTE_MAX_SIGS) {
		return VOUCH_E_LIMIT;
	}
	if (vouch_note_verifier_parse(vkey, strlen(vkey), &w->v[w->n]) == VOUCH_OK) {
		w->n++;
	}
	return VOUCH_OK;
}

int
vouch_tlog_cosig_add(vouch_tlog *t, const char *note, size_t len, size_t *accepted)
{
	wlist w;
	vouch_note *n = NULL;
	vouch_checkpoint c;
	vouch_hash root;
	char *stored = NULL;
	const char *sep;
	size_t ok = 0;
	int rc;

	memset(&w, 0, sizeof(w));
	memset(&c, 0, sizeof(c));
	if ((rc = vouch_store_witnesses(t->s, collect_witness, &w)) != VOUCH_OK) {
		rc = vouch_tlog_store_err(t, rc);
		goto out;
	}
	if (w.n == 0) {
		rc = vouch_errf(&t->err, VOUCH_E_USAGE, 0, "no witness key configured");
		goto out;
	}
	rc = vouch_note_verify(note, len, (const vouch_note_verifier *const *)w.v, w.n, &n);
	if (rc != VOUCH_OK) {
		rc = vouch_errf(&t->err, rc, 0, "no valid cosignature by a configured witness (%s)",
				vouch_err_str(rc));
		goto out;
	}
	if ((rc = vouch_checkpoint_parse(n->msg, n->text_len, &c)) != VOUCH_OK) {
		rc = vouch_errf(&t->err, rc, 0, "the note is not a checkpoint");
		goto out;
	}
	rc = vouch_store_checkpoint_at(t->s, c.size, &root, &stored);
	sep = rc == VOUCH_OK ? strstr(stored, "\n\n") : NULL;
	if (sep == NULL || (size_t)(sep - stored) + 1 != n->text_len ||
	    memcmp(stored, n->msg, n->text_len) != 0) {
		rc = vouch_errf(&t->err, VOUCH_E_VERIFY, 0,
				"the cosigned text is not a checkpoint this log published");
		goto out;
	}
	for (size_t i = 0; i < n->nsigs; i++) {
		const vouch_note_sig *g = &n->sigs[i];
		char *line;

		if (g->verifier < 0) {
			continue;
		}
		line = strndup(g->line, g->line_len);
		if (line == NULL) {
			rc = VOUCH_E_NOMEM;
			goto out;
		}
		rc = vouch_store_cosig_add(t->s, c.size, g->name, g->keyid, line, g->timestamp);
		free(line);
		if (rc != VOUCH_OK) {
			rc = vouch_tlog_store_err(t, rc);
			goto out;
		}
		ok++;
	}
	if (accepted != NULL) {
		*accepted = ok;
	}
out:
	for (size_t i = 0; i < w.n; i++) {
		vouch_note_verifier_free(w.v[i]);
	}
	vouch_note_free(n);
	vouch_checkpoint_clear(&c);
	free(stored);
	return rc;
}

/* ---- client side ------------------------------------------------------------------------ */

int
vouch_tlog_digest_file(const char *path, vouch_tlog_hash out)
{
	uint8_t *buf = malloc(1 << 16);
	vouch_sha256 *h = NULL;
	int fd = -1, rc = VOUCH_E_NOMEM;

	if (buf == NULL || vouch_sha256_new(&h) != VOUCH_OK) {
		goto out;
	}
	fd = strcmp(path, "-") == 0 ? dup(0) : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = VOUCH_E_IO;
		goto out;
	}
	for (;;) {
		ssize_t r = read(fd, buf, 1 << 16);

		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r < 0) {
			rc = VOUCH_E_IO;
			goto out;
		}
		if (r == 0) {
			break;
		}
		if ((rc = vouch_sha256_update(h, buf, (size_t)r)) != VOUCH_OK) {
			goto out;
		}
	}
	rc = vouch_sha256_final(h, out);
out:
	if (fd >= 0) {
		close(fd);
	}
	vouch_sha256_free(h);
	free(buf);
	return rc;
}

int
vouch_tlog_leaf_hash(const void *entry, size_t n, vouch_tlog_hash out)
{
	vouch_hash h;
	int rc = vouch_merkle_leaf(NULL, entry, n, &h);

	if (rc == VOUCH_OK) {
		memcpy(out, h.b, VOUCH_HASH_LEN);
	}
	return rc;
}

int
vouch_tlog_verify_inclusion(uint64_t index, uint64_t size, const vouch_tlog_hash leaf,
			    const uint8_t *proof, size_t n, const vouch_tlog_hash root)
{
	return vouch_merkle_verify_inclusion(NULL, index, size, (const vouch_hash *)leaf,
					     (const vouch_hash *)proof, n,
					     (const vouch_hash *)root);
}

int
vouch_tlog_verify_consistency(uint64_t size1, uint64_t size2, const uint8_t *proof,
			      size_t n, const vouch_tlog_hash root1, const vouch_tlog_hash root2)
{
	return vouch_merkle_verify_consistency(NULL, size1, size2, (const vouch_hash *)proof, n,
					       (const vouch_hash *)root1,
					       (const vouch_hash *)root2);
}

int
vouch_tlog_checkpoint_open(const char *note, size_t len, const char *log_vkey, uint64_t *size,
			   vouch_tlog_hash root, char *why, size_t why_cap)
{
	vouch_note_verifier *v = NULL;
	vouch_checkpoint c;
	int rc = vouch_note_verifier_parse(log_vkey, strlen(log_vkey), &v);

	if (rc != VOUCH_OK) {
		return vouch_tlog_say(why, why_cap, rc, "the log key is not a verifier key");
	}
	rc = open_checkpoint(note, len, v, &c, NULL, why, why_cap);
	if (rc == VOUCH_OK) {
		*size = c.size;
		memcpy(root, c.root, VOUCH_HASH_LEN);
		vouch_checkpoint_clear(&c);
	}
	vouch_note_verifier_free(v);
	return rc;
}

int
vouch_tlog_witness_cosign(const char *key_path, const char *log_vkey, const char *old_note,
			  size_t old_len, const char *new_note, size_t new_len,
			  const uint8_t *proof, size_t n, uint64_t timestamp,
			  char **line_out, char *why, size_t why_cap)
{
	vouch_note_verifier *v = NULL;
	vouch_ed25519_key *k = NULL;
	vouch_checkpoint oc, nc;
	vouch_note *nn = NULL;
	int rc;

	memset(&oc, 0, sizeof(oc));
	memset(&nc, 0, sizeof(nc));
	if ((rc = vouch_note_verifier_parse(log_vkey, strlen(log_vkey), &v)) != VOUCH_OK) {
		vouch_tlog_say(why, why_cap, rc, "the log key is not a verifier key");
		goto out;
	}
	if ((rc = vouch_ed25519_load(key_path, &k)) != VOUCH_OK) {
		vouch_tlog_say(why, why_cap, rc, "%s: cannot load the witness key (%s)", key_path,
			       vouch_err_str(rc));
		goto out;
	}
	if ((rc = open_checkpoint(new_note, new_len, v, &nc, &nn, why, why_cap)) != VOUCH_OK) {
		goto out;
	}
	if (old_note != NULL) {
		if ((rc = open_checkpoint(old_note, old_len, v, &oc, NULL, why, why_cap)) !=
		    VOUCH_OK) {
			goto out;
		}
		if (oc.size > nc.size) {
			rc = vouch_tlog_say(why, why_cap, VOUCH_E_VERIFY,
					    "the new checkpoint (%llu) is older than the old (%llu)",
					    (unsigned long long)nc.size, (unsigned long long)oc.size);
			goto out;
		}
		/* from the empty tree anything is consistent; otherwise the proof must verify */
		if (oc.size > 0 &&
		    vouch_tlog_verify_consistency(oc.size, nc.size, proof, n, oc.root, nc.root) !=
			    VOUCH_OK) {
			rc = vouch_tlog_say(why, why_cap, VOUCH_E_VERIFY,
					    "the consistency proof %llu -> %llu does not verify",
					    (unsigned long long)oc.size, (unsigned long long)nc.size);
			goto out;
		}
	}
	rc = vouch_note_sign_line(nn->msg, nn->text_len, k, VOUCH_SIGTYPE_COSIG_V1, timestamp,
				  line_out);
	if (rc != VOUCH_OK) {
		vouch_tlog_say(why, why_cap, rc, "cannot cosign (%s)", vouch_err_str(rc));
	}
out:
	vouch_note_free(nn);
	vouch_checkpoint_clear(&oc);
	vouch_checkpoint_clear(&nc);
	vouch_note_verifier_free(v);
	vouch_ed25519_free(k);
	return rc;
}
