/*
 * tlog/merkle.h: RFC 6962 / RFC 9162 Merkle trees over SHA-256.
 *
 *   leaf hash  SHA-256(0x00 || entry)
 *   node hash  SHA-256(0x01 || left || right)
 *   MTH        RFC 9162 §2.1.1 (split at the largest power of two smaller than n;
 *              MTH of the empty tree is SHA-256(""))
 *
 * Proofs are generated from a hash reader: a callback returning the hash of the complete
 * subtree at (level, index), i.e. of leaves [index << level, (index + 1) << level). Any
 * storage that keeps every complete subtree hash (lib/tlog/store.c, a tile directory, an
 * in-memory array) can answer a proof in O(log n) reads; nothing here recurses.
 *
 * Verification follows RFC 9162 §2.1.3.2 (inclusion) and §2.1.4.2 (consistency) with the
 * rejections of transparency-dev/merkle: index >= size, size1 > size2, size1 == 0 for a
 * consistency proof (even 0 -> 0), a non-empty proof when size1 == size2, proofs that are
 * too long or too short. Hashes here are always 32 bytes; a hash of another length is
 * rejected where it is decoded (vouch_merkle_hash_decode), since C arrays carry no length.
 */
#ifndef VOUCH_TLOG_MERKLE_H
#define VOUCH_TLOG_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"

#define VOUCH_HASH_LEN 32
/* A proof has at most one hash per tree level; sizes are below 2^63. */
#define VOUCH_MERKLE_MAX_PROOF 64
/* Levels addressable by a hash reader (a 2^63-leaf tree has 63 levels above the leaves). */
#define VOUCH_MERKLE_MAX_LEVEL 63

typedef struct vouch_hash {
	uint8_t b[VOUCH_HASH_LEN];
} vouch_hash;

/*
 * Return the stored hash of the complete subtree (level, index) into *out.
 * VOUCH_OK, or an error that the caller propagates unchanged (VOUCH_E_NOTFOUND, _IO, ...).
 */
typedef int (*vouch_hash_reader)(void *ctx, unsigned level, uint64_t index, vouch_hash *out);

/*
 * Hashing primitives. `h` is a reusable SHA-256 context (faster: no per-call algorithm
 * fetch) or NULL for a one-shot digest. Return VOUCH_OK or VOUCH_E_INTERNAL.
 */
int vouch_merkle_leaf(vouch_sha256 *h, const void *entry, size_t n, vouch_hash *out);
int vouch_merkle_node(vouch_sha256 *h, const vouch_hash *l, const vouch_hash *r,
		      vouch_hash *out);
/* SHA-256(""): the root of the empty tree. */
void vouch_merkle_empty(vouch_hash *out);

/*
 * MTH of n leaf hashes held in memory, computed with an explicit stack (no recursion).
 * Returns VOUCH_OK, VOUCH_E_INTERNAL.
 */
int vouch_merkle_root_of(vouch_sha256 *h, const vouch_hash *leaves, uint64_t n, vouch_hash *out);

/*
 * MTH of leaves [lo, hi) of a tree whose complete subtrees the reader returns, where lo is a
 * multiple of the largest power of two not above hi - lo (true of every range a proof asks
 * for, and of [0, n)). Reads popcount(hi - lo) hashes. Empty range -> SHA-256("").
 * Returns VOUCH_OK, VOUCH_E_USAGE (misaligned range), or the reader's error.
 */
int vouch_merkle_range(vouch_sha256 *h, vouch_hash_reader rd, void *ctx, uint64_t lo,
		       uint64_t hi, vouch_hash *out);

/*
 * Inclusion proof (RFC 9162 §2.1.3.1 PATH(index, D[size])) into proof[] (capacity
 * VOUCH_MERKLE_MAX_PROOF), leaf sibling first; *n receives its length.
 * Returns VOUCH_OK, VOUCH_E_USAGE (index >= size), or the reader's error.
 */
int vouch_merkle_prove_inclusion(vouch_sha256 *h, vouch_hash_reader rd, void *ctx,
				 uint64_t index, uint64_t size, vouch_hash *proof, size_t *n);

/*
 * Consistency proof (RFC 9162 §2.1.4.1 PROOF(size1, D[size2])) into proof[]; *n receives
 * its length. size1 == size2 gives an empty proof. Returns VOUCH_OK, VOUCH_E_USAGE
 * (size1 == 0 or size1 > size2), or the reader's error.
 */
int vouch_merkle_prove_consistency(vouch_sha256 *h, vouch_hash_reader rd, void *ctx,
				   uint64_t size1, uint64_t size2, vouch_hash *proof, size_t *n);

/* The lengths those proofs must have (0 for invalid arguments). */
size_t vouch_merkle_inclusion_len(uint64_t index, uint64_t size);
size_t vouch_merkle_consistency_len(uint64_t size1, uint64_t size2);

/*
 * Verify that leaf hash `leaf` is at `index` in the tree of `size` leaves with root `root`.
 * Returns VOUCH_OK, VOUCH_E_VERIFY (any mismatch, index >= size, wrong proof length),
 * VOUCH_E_INTERNAL.
 */
int vouch_merkle_verify_inclusion(vouch_sha256 *h, uint64_t index, uint64_t size,
				  const vouch_hash *leaf, const vouch_hash *proof, size_t n,
				  const vouch_hash *root);

/*
 * Verify that the tree (size1, root1) is a prefix of (size2, root2).
 * Returns VOUCH_OK, VOUCH_E_VERIFY (mismatch, size1 == 0, size1 > size2, wrong length,
 * non-empty proof for equal sizes), VOUCH_E_INTERNAL.
 */
int vouch_merkle_verify_consistency(vouch_sha256 *h, uint64_t size1, uint64_t size2,
				    const vouch_hash *proof, size_t n, const vouch_hash *root1,
				    const vouch_hash *root2);

/*
 * Decode one canonical base64 hash; anything that is not exactly 32 bytes is
 * VOUCH_E_MALFORMED (e.g. "V3JvbmdMZWFm", 9 bytes).
 */
int vouch_merkle_hash_decode(const char *b64, size_t len, vouch_hash *out);

/* 1 when a == b (constant time). */
int vouch_hash_equal(const vouch_hash *a, const vouch_hash *b);

#endif
