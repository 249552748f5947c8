/*
 * vouch/tlog.h: the lab's transparency log (RFC 6962/9162 Merkle tree, C2SP checkpoints,
 * tlog-tiles, tlog-cosignature witnesses, tlog-proof bundles) for callers of libvouch.
 *
 * A log is a directory:
 *   log.db        SQLite database (WAL): entries, every complete subtree hash, published
 *                 checkpoints, witness keys and cosignatures (lib/tlog/store.h)
 *   log.key       the log's Ed25519 signing key (signed-note private key form, mode 0600),
 *                 named by the log's origin
 *   log.vkey      its verifier key "origin+keyid+base64(0x01||pub)"
 *   objects/      the objects whose digests the CLI appends (objects/<hex sha256>)
 *
 * Entries are opaque bytes (at most 65535, the tile bundle limit); `vouch log append`
 * appends the 32-byte SHA-256 digest of each object and stores the object beside the log.
 * Leaf hash SHA-256(0x00 || entry); node hash SHA-256(0x01 || left || right).
 *
 * Errors: negative vouch_err codes; VOUCH_E_VERIFY means "verification answered no" (a
 * proof, signature or stored state that does not check out), distinct from errors.
 * Functions on a handle keep a one-line reason readable with vouch_tlog_errmsg; the
 * stateless ones write it into why[why_cap] (may be NULL).
 */
#ifndef VOUCH_TLOG_H
#define VOUCH_TLOG_H

#include <stddef.h>
#include <stdint.h>

#include "vouch/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VOUCH_TLOG_HASH_LEN 32
#define VOUCH_TLOG_PROOF_MAX 64 /* hashes in any proof */

typedef struct vouch_tlog vouch_tlog;
typedef uint8_t vouch_tlog_hash[VOUCH_TLOG_HASH_LEN];

/*
 * Create a log in `dir` (created if absent, must not already hold a log) with a fresh key
 * signing as `origin`. *vkey_out (may be NULL) receives the malloc'ed verifier key.
 * Returns VOUCH_OK, VOUCH_E_USAGE (bad origin), VOUCH_E_IO (errno EEXIST: already a log),
 * VOUCH_E_NOMEM, VOUCH_E_INTERNAL.
 */
VOUCH_API int vouch_tlog_init(const char *dir, const char *origin, char **vkey_out, char *why,
			      size_t why_cap);

/*
 * Open the log in `dir`, checking that its stored state is consistent (the last checkpoint
 * is signed by the log key and matches the tree recomputed from stored hashes).
 * Returns VOUCH_OK, VOUCH_E_IO, VOUCH_E_VERIFY (inconsistent: refuses to start),
 * VOUCH_E_MALFORMED, VOUCH_E_UNSAFE (key file readable by others), VOUCH_E_NOMEM.
 */
VOUCH_API int vouch_tlog_open(const char *dir, vouch_tlog **out, char *why, size_t why_cap);
VOUCH_API void vouch_tlog_close(vouch_tlog *t);
/* The reason for the last failure on t (borrowed, never NULL). */
VOUCH_API const char *vouch_tlog_errmsg(const vouch_tlog *t);

/* The committed tree size. */
VOUCH_API int vouch_tlog_size(vouch_tlog *t, uint64_t *size);

/*
 * Append n entries in one durable transaction (one fsync); *first receives the index of
 * the first, the others follow. Acknowledge only after VOUCH_OK. Returns VOUCH_OK,
 * VOUCH_E_LIMIT (entry over 65535 bytes), VOUCH_E_IO.
 */
VOUCH_API int vouch_tlog_append(vouch_tlog *t, const void *const *entries, const size_t *lens,
				size_t n, uint64_t *first);

/*
 * Append objects by digest (what `vouch log append` does): for each path ("-" = standard
 * input), stream its bytes into objects/<hex sha256> (written to a temporary name,
 * fsync'ed, renamed), then append the 32-byte SHA-256 digests as entries in one durable
 * transaction. *first receives the index of the first. Returns as vouch_tlog_append, plus
 * VOUCH_E_IO for an unreadable file.
 */
VOUCH_API int vouch_tlog_append_files(vouch_tlog *t, const char *const *paths, size_t n,
				      uint64_t *first);

/* One entry (malloc'ed). VOUCH_E_NOTFOUND beyond the size. */
VOUCH_API int vouch_tlog_entry(vouch_tlog *t, uint64_t index, uint8_t **data, size_t *len);

/*
 * Sign and publish a checkpoint for the current size (if the latest published one already
 * has this size, it is returned instead). *note_out (may be NULL) receives the signed note
 * with the cosignatures collected so far. Refuses (VOUCH_E_VERIFY) a checkpoint that would
 * be inconsistent with an earlier one.
 */
VOUCH_API int vouch_tlog_checkpoint(vouch_tlog *t, char **note_out);
/* The latest published checkpoint with its cosignatures. VOUCH_E_NOTFOUND when none. */
VOUCH_API int vouch_tlog_latest(vouch_tlog *t, char **note_out);

/* Inclusion proof of `index` in the tree of `size` leaves; consistency proof size1 -> size2. */
VOUCH_API int vouch_tlog_prove(vouch_tlog *t, uint64_t index, uint64_t size,
			       vouch_tlog_hash proof[VOUCH_TLOG_PROOF_MAX], size_t *n);
VOUCH_API int vouch_tlog_prove_consistency(vouch_tlog *t, uint64_t size1, uint64_t size2,
					   vouch_tlog_hash proof[VOUCH_TLOG_PROOF_MAX],
					   size_t *n);
/* MTH of the first `size` leaves. */
VOUCH_API int vouch_tlog_root(vouch_tlog *t, uint64_t size, vouch_tlog_hash root);

/*
 * Write the C2SP tlog-tiles view of the latest checkpoint into outdir: checkpoint,
 * tile/<L>/<N>[.p/<W>], tile/entries/<N>[.p/<W>]. Returns VOUCH_OK, VOUCH_E_NOTFOUND (no
 * checkpoint yet), VOUCH_E_IO.
 */
VOUCH_API int vouch_tlog_export_tiles(vouch_tlog *t, const char *outdir);

/*
 * A C2SP tlog-proof (c2sp.org/tlog-proof@v1) for `index` against the latest checkpoint
 * (with cosignatures); the entry itself rides in the "extra" line. Malloc'ed text.
 * VOUCH_E_NOTFOUND when no checkpoint covers the index.
 */
VOUCH_API int vouch_tlog_bundle(vouch_tlog *t, uint64_t index, char **out);

/*
 * Full audit: recompute every hash from the stored entries, compare with every stored
 * hash, check every published checkpoint's root and signature. VOUCH_E_VERIFY on any
 * mismatch (reason in vouch_tlog_errmsg).
 */
VOUCH_API int vouch_tlog_audit(vouch_tlog *t, uint64_t *entries, uint64_t *checkpoints);

/* Witnesses of this log: accept a witness key (type 0x04 vkey), then its cosignatures. */
VOUCH_API int vouch_tlog_witness_add(vouch_tlog *t, const char *vkey);
/*
 * Accept a published checkpoint cosigned by configured witnesses: `note` is the checkpoint
 * text with signature lines (the log's and/or witnesses'). Every valid cosignature by a
 * configured witness is stored and published with the checkpoint; *accepted counts them.
 * Returns VOUCH_OK, VOUCH_E_VERIFY (no valid cosignature, invalid one, or not a published
 * checkpoint of this log), VOUCH_E_MALFORMED.
 */
VOUCH_API int vouch_tlog_cosig_add(vouch_tlog *t, const char *note, size_t len, size_t *accepted);

/* ---- client side: no log handle, no network ------------------------------------------ */

/*
 * The JSON form of a proof: {"<k1>":a,"<k2>":b,"hashes":["base64",...]} with k1/k2
 * "index"/"tree_size" (inclusion) or "old_size"/"new_size" (consistency). _format
 * allocates *out; _parse is strict (every hash canonical base64 of 32 bytes, at most
 * VOUCH_TLOG_PROOF_MAX). Returns VOUCH_OK, VOUCH_E_MALFORMED, VOUCH_E_NOMEM.
 */
VOUCH_API int vouch_tlog_proof_format(const char *k1, uint64_t a, const char *k2, uint64_t b,
				      const uint8_t *proof, size_t n, char **out);
VOUCH_API int vouch_tlog_proof_parse(const char *json, size_t len, const char *k1, uint64_t *a,
				     const char *k2, uint64_t *b,
				     vouch_tlog_hash proof[VOUCH_TLOG_PROOF_MAX], size_t *n);
/* Base64 of a hash into out[45]; and strict decoding of one (32 bytes exactly). */
VOUCH_API void vouch_tlog_hash_b64(const vouch_tlog_hash h, char out[45]);
VOUCH_API int vouch_tlog_hash_parse(const char *b64, size_t len, vouch_tlog_hash out);

/* SHA-256 of a file's bytes ("-" = stdin): the entry `vouch log append` makes for it. */
VOUCH_API int vouch_tlog_digest_file(const char *path, vouch_tlog_hash out);

/* SHA-256(0x00 || entry). */
VOUCH_API int vouch_tlog_leaf_hash(const void *entry, size_t n, vouch_tlog_hash out);

/* RFC 9162 §2.1.3.2 and §2.1.4.2. VOUCH_OK or VOUCH_E_VERIFY. */
VOUCH_API int vouch_tlog_verify_inclusion(uint64_t index, uint64_t size,
					  const vouch_tlog_hash leaf, const uint8_t *proof,
					  size_t n, const vouch_tlog_hash root);
VOUCH_API int vouch_tlog_verify_consistency(uint64_t size1, uint64_t size2,
					    const uint8_t *proof, size_t n,
					    const vouch_tlog_hash root1,
					    const vouch_tlog_hash root2);

/*
 * Open a signed checkpoint with the log's verifier key: the note must carry a valid
 * signature by that key and its origin must be the key's name. Returns size and root.
 * VOUCH_OK, VOUCH_E_VERIFY, VOUCH_E_MALFORMED.
 */
VOUCH_API int vouch_tlog_checkpoint_open(const char *note, size_t len, const char *log_vkey,
					 uint64_t *size, vouch_tlog_hash root, char *why,
					 size_t why_cap);

/*
 * Verify a tlog-proof bundle offline: the checkpoint is signed by log_vkey, at least
 * min_cosigs of the nw witness keys cosigned it validly, and the entry (given, or else the
 * bundle's extra data) is included at the bundle's index. *index_out (may be NULL).
 * VOUCH_OK, VOUCH_E_VERIFY, VOUCH_E_MALFORMED.
 */
VOUCH_API int vouch_tlog_verify_bundle(const char *bundle, size_t len, const char *log_vkey,
				       const char *const *witness_vkeys, size_t nw,
				       size_t min_cosigs, const void *entry, size_t entry_len,
				       uint64_t *index_out, char *why, size_t why_cap);

/*
 * Act as a witness for another log: check that old_note and new_note are checkpoints of
 * the same origin signed by log_vkey and that the consistency proof old -> new verifies,
 * then cosign new_note (tlog-cosignature/v1) with the key file at key_path at `timestamp`.
 * old_note may be NULL (first sight of the log: trust on first use). *line_out receives the
 * signature line to append to new_note. VOUCH_OK, VOUCH_E_VERIFY, VOUCH_E_MALFORMED, ...
 */
VOUCH_API int vouch_tlog_witness_cosign(const char *key_path, const char *log_vkey,
					const char *old_note, size_t old_len,
					const char *new_note, size_t new_len,
					const uint8_t *proof, size_t n, uint64_t timestamp,
					char **line_out, char *why, size_t why_cap);

#ifdef __cplusplus
}
#endif
#endif
