/*
 * attest/api.c: the public attestation and key API (include/vouch/attest.h) over the
 * internal pieces: key files (crypto/sign.h), verifier keys (tlog/note.h), the canonical
 * encoding, DSSE and in-toto.
 *
 * The signer signs only what it built itself: the Statement is assembled here from file
 * digests and a predicate read with duplicate keys refused, then canonically encoded; the
 * caller's JSON text is never signed as given. Verification authenticates first (DSSE with
 * the trusted key) and only then parses the payload, so no unauthenticated JSON reaches the
 * Statement checks. Rejected: trusting the envelope's keyid to pick a key (it is an
 * unauthenticated hint; we are given the one key to check).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attest/attest.h"
#include "crypto/crypto.h"
#include "crypto/sign.h"
#include "tlog/note.h"
#include "vouch/attest.h"
#include "vouch/error.h"

static int
say(char *why, size_t cap, int err, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int
say(char *why, size_t cap, int err, const char *fmt, ...)
{
	va_list ap;

	if (why != NULL && cap > 0) {
		va_start(ap, fmt);
		vsnprintf(why, cap, fmt, ap);
		va_end(ap);
	}
	return err;
}

/* SHA-256 of a regular file's contents, streamed. */
static int
hash_file(const char *path, uint8_t out[32])
{
	uint8_t buf[1 << 16];
	vouch_sha256 *h = NULL;
	struct stat st;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		return VOUCH_E_IO;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		err = VOUCH_E_IO;
		goto out;
	}
	if ((err = vouch_sha256_new(&h)) != VOUCH_OK) {
		goto out;
	}
	for (;;) {
		ssize_t r = read(fd, buf, sizeof(buf));

		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r < 0) {
			err = VOUCH_E_IO;
			goto out;
		}
		if (r == 0) {
			break;
		}
		if ((err = vouch_sha256_update(h, buf, (size_t)r)) != VOUCH_OK) {
			goto out;
		}
	}
	err = vouch_sha256_final(h, out);
out:
	vouch_sha256_free(h);
	close(fd);
	return err;
}

int
vouch_key_generate(const char *name, const char *path, char **vkey_out, char *why,
		   size_t why_cap)
{
	vouch_ed25519_key *k = NULL;
	char *vkey = NULL;
	int err;

	if (name == NULL || path == NULL) {
		return say(why, why_cap, VOUCH_E_USAGE, "a key needs a name and a file");
	}
	err = vouch_ed25519_generate(name, &k);
	if (err == VOUCH_E_USAGE) {
		return say(why, why_cap, err,
			   "invalid key name (no spaces or '+', valid UTF-8, 1-%d bytes)",
			   VOUCH_KEY_NAME_MAX);
	}
	if (err != VOUCH_OK) {
		return say(why, why_cap, err, "cannot generate a key");
	}
	if ((err = vouch_note_vkey(k, VOUCH_SIGTYPE_ED25519, &vkey)) != VOUCH_OK) {
		goto out;
	}
	err = vouch_ed25519_save(k, path);
	if (err != VOUCH_OK) {
		say(why, why_cap, err, "cannot create %s: %s", path, strerror(errno));
		goto out;
	}
	if (vkey_out != NULL) {
		*vkey_out = vkey;
		vkey = NULL;
	}
out:
	free(vkey);
	vouch_ed25519_free(k);
	return err;
}

static int
load_key(const char *path, vouch_ed25519_key **k, char *why, size_t why_cap)
{
	int err = vouch_ed25519_load(path, k);

	switch (err) {
	case VOUCH_OK: return err;
	case VOUCH_E_IO: return say(why, why_cap, err, "%s: %s", path, strerror(errno));
	case VOUCH_E_UNSAFE:
		return say(why, why_cap, err,
			   "%s: refusing a key file that is a symlink or readable by others "
			   "(chmod 600)",
			   path);
	case VOUCH_E_MALFORMED:
		return say(why, why_cap, err, "%s: not a vouch private key file", path);
	default: return say(why, why_cap, err, "%s: cannot load key", path);
	}
}

int
vouch_key_public(const char *path, char **vkey_out, char *why, size_t why_cap)
{
	vouch_ed25519_key *k = NULL;
	int err;

	if ((err = load_key(path, &k, why, why_cap)) != VOUCH_OK) {
		return err;
	}
	err = vouch_note_vkey(k, VOUCH_SIGTYPE_ED25519, vkey_out);
	vouch_ed25519_free(k);
	return err;
}

/* Sign a Statement over subjects already named and digested. */
static int
sign_subjects(const char *key_path, const vouch_intoto_subject *subj, size_t nsubjects,
	      const char *predicate_type, json_t *pred, char **envelope_out, char *why,
	      size_t why_cap)
{
	vouch_ed25519_key *k = NULL;
	json_t *st = NULL;
	char *payload = NULL, *vkey = NULL, *keyid;
	size_t payload_len = 0;
	int err;

	if ((err = load_key(key_path, &k, why, why_cap)) != VOUCH_OK) {
		goto out;
	}
	if ((err = vouch_intoto_statement(subj, nsubjects, predicate_type, pred, &st)) !=
	    VOUCH_OK) {
		goto out;
	}
	err = vouch_json_canonical(st, &payload, &payload_len);
	if (err != VOUCH_OK) {
		say(why, why_cap, err,
		    "the predicate has no canonical encoding (only integers up to 2^53-1 are "
		    "allowed as numbers)");
		goto out;
	}
	/* keyid: "name+hexid", the verifier key without its public key: a hint for humans */
	if ((err = vouch_note_vkey(k, VOUCH_SIGTYPE_ED25519, &vkey)) != VOUCH_OK) {
		goto out;
	}
	/* a note key name has no '+', the base64 key may: cut at the second '+' */
	keyid = strchr(vkey, '+');
	if (keyid != NULL && (keyid = strchr(keyid + 1, '+')) != NULL) {
		*keyid = '\0';
	}
	err = vouch_dsse_sign(k, VOUCH_INTOTO_PAYLOAD_TYPE, (const uint8_t *)payload, payload_len,
			      vkey, envelope_out, NULL);
out:
	free(vkey);
	free(payload);
	json_decref(st);
	vouch_ed25519_free(k);
	return err;
}

/* The predicate as a JSON object, or a reason. */
static int
read_predicate(size_t nsubjects, const char *predicate_type, const char *predicate_json,
	       size_t predicate_len, json_t **pred, char *why, size_t why_cap)
{
	int err;

	if (nsubjects == 0 || nsubjects > VOUCH_ATTEST_MAX_SUBJECTS || predicate_type == NULL ||
	    predicate_type[0] == '\0') {
		return say(why, why_cap, VOUCH_E_USAGE,
			   "need 1-%d subjects and a predicate type", VOUCH_ATTEST_MAX_SUBJECTS);
	}
	err = vouch_json_read(predicate_json, predicate_len, pred);
	if (err != VOUCH_OK || !json_is_object(*pred)) {
		json_decref(*pred);
		*pred = NULL;
		err = err == VOUCH_OK ? VOUCH_E_MALFORMED : err;
		return say(why, why_cap, err, "the predicate is not a JSON object (duplicate keys?)");
	}
	return VOUCH_OK;
}

int
vouch_attest_sign_digests(const char *key_path, const vouch_attest_subject *subjects,
			  size_t nsubjects, const char *predicate_type, const char *predicate_json,
			  size_t predicate_len, char **envelope_out, char *why, size_t why_cap)
{
	vouch_intoto_subject *subj = NULL;
	json_t *pred = NULL;
	int err;

	err = read_predicate(nsubjects, predicate_type, predicate_json, predicate_len, &pred, why,
			     why_cap);
	if (err != VOUCH_OK) {
		return err;
	}
	subj = calloc(nsubjects, sizeof(*subj));
	if (subj == NULL) {
		err = VOUCH_E_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < nsubjects; i++) {
		if (subjects[i].name == NULL || subjects[i].name[0] == '\0') {
			err = say(why, why_cap, VOUCH_E_USAGE, "subject %zu has no name", i);
			goto out;
		}
		subj[i].name = subjects[i].name;
		memcpy(subj[i].sha256, subjects[i].sha256, 32);
	}
	err = sign_subjects(key_path, subj, nsubjects, predicate_type, pred, envelope_out, why,
			    why_cap);
out:
	json_decref(pred);
	free(subj);
	return err;
}

int
vouch_attest_sign(const char *key_path, const char *const *subject_paths, size_t nsubjects,
		  const char *predicate_type, const char *predicate_json, size_t predicate_len,
		  char **envelope_out, char *why, size_t why_cap)
{
	vouch_attest_subject *subj;
	int err = VOUCH_OK;

	if (nsubjects == 0 || nsubjects > VOUCH_ATTEST_MAX_SUBJECTS) {
		return say(why, why_cap, VOUCH_E_USAGE, "need 1-%d subjects and a predicate type",
			   VOUCH_ATTEST_MAX_SUBJECTS);
	}
	subj = calloc(nsubjects, sizeof(*subj));
	if (subj == NULL) {
		return VOUCH_E_NOMEM;
	}
	/* a subject is named by the path's last component and digested from the file */
	for (size_t i = 0; i < nsubjects && err == VOUCH_OK; i++) {
		const char *slash = strrchr(subject_paths[i], '/');

		subj[i].name = slash != NULL && slash[1] != '\0' ? slash + 1 : subject_paths[i];
		if ((err = hash_file(subject_paths[i], subj[i].sha256)) != VOUCH_OK) {
			say(why, why_cap, err, "%s: cannot read (%s)", subject_paths[i],
			    strerror(errno));
		}
	}
	if (err == VOUCH_OK) {
		err = vouch_attest_sign_digests(key_path, subj, nsubjects, predicate_type,
						predicate_json, predicate_len, envelope_out, why,
						why_cap);
	}
	free(subj);
	return err;
}


int
vouch_attest_verify(const char *envelope, size_t len, const char *vkey,
		    const char *const *subject_paths, size_t nsubjects, char **statement_out,
		    char *why, size_t why_cap)
{
	vouch_note_verifier *v = NULL;
	vouch_dsse_payload p = {0};
	json_t *st = NULL;
	int err;

	err = vouch_note_verifier_parse(vkey, strlen(vkey), &v);
	if (err != VOUCH_OK || vouch_note_verifier_type(v) != VOUCH_SIGTYPE_ED25519) {
		err = VOUCH_E_MALFORMED;
		say(why, why_cap, err, "not an Ed25519 verifier key (name+id+base64)");
		goto out;
	}
	err = vouch_dsse_verify(envelope, len, vouch_note_verifier_pub(v), &p);
	if (err == VOUCH_E_VERIFY) {
		say(why, why_cap, err, "no signature by %s verifies", vouch_note_verifier_name(v));
		goto out;
	}
	if (err != VOUCH_OK) {
		say(why, why_cap, err, "not a DSSE envelope");
		goto out;
	}
	if (strcmp(p.type, VOUCH_INTOTO_PAYLOAD_TYPE) != 0) {
		err = say(why, why_cap, VOUCH_E_VERIFY, "payload type is not %s",
			  VOUCH_INTOTO_PAYLOAD_TYPE);
		goto out;
	}
	if (vouch_json_read((const char *)p.body, p.body_len, &st) != VOUCH_OK ||
	    vouch_intoto_check(st) != VOUCH_OK) {
		/* signed by the trusted key, but not a statement we understand: not accepted */
		err = say(why, why_cap, VOUCH_E_VERIFY, "the signed payload is not an in-toto "
							 "Statement v1");
		goto out;
	}
	for (size_t i = 0; i < nsubjects; i++) {
		uint8_t d[32];

		if ((err = hash_file(subject_paths[i], d)) != VOUCH_OK) {
			say(why, why_cap, err, "%s: cannot read (%s)", subject_paths[i],
			    strerror(errno));
			goto out;
		}
		if (!vouch_intoto_has_digest(st, d)) {
			err = say(why, why_cap, VOUCH_E_VERIFY,
				  "%s is not a subject of this attestation", subject_paths[i]);
			goto out;
		}
	}
	err = VOUCH_OK;
	if (statement_out != NULL) {
		err = vouch_json_canonical(st, statement_out, NULL);
		if (err == VOUCH_E_UNSUPPORTED) {
			/* signed by someone else with reals in it: show it, just not canonically */
			*statement_out = json_dumps(st, JSON_COMPACT | JSON_SORT_KEYS);
			err = *statement_out != NULL ? VOUCH_OK : VOUCH_E_NOMEM;
		}
	}
out:
	json_decref(st);
	vouch_dsse_payload_clear(&p);
	vouch_note_verifier_free(v);
	return err;
}

int
vouch_attest_open(const char *envelope, size_t len, const char *vkey, char **statement_out,
		  char *why, size_t why_cap)
{
	return vouch_attest_verify(envelope, len, vkey, NULL, 0, statement_out, why, why_cap);
}
