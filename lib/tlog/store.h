/*
 * tlog/store.h: the transparency log's durable state in one SQLite database (WAL mode).
 *
 * Tables:
 *   meta(k, v)                      format version, origin, tree size
 *   entries(idx, data)              the entries, by index
 *   hashes(id, h)                   every complete subtree hash, id = level << 56 | index
 *                                   (level 0 = leaf hashes), so a proof is O(log n) reads
 *   checkpoints(size, root, note)   every published signed checkpoint (sizes increasing)
 *   cosignatures(size, name, keyid, line, ts)   witness cosignature lines, per checkpoint
 *   witnesses(vkey, name)           witness verifier keys the log accepts
 *
 * Appends are batched: one BEGIN IMMEDIATE transaction per batch, synchronous=FULL, so a
 * batch costs one WAL fsync and the caller may acknowledge the indices only once
 * vouch_store_append returned VOUCH_OK (the commit is durable). SQLite's atomic commit
 * means a process killed at any instant leaves either the whole batch or none of it.
 * IMMEDIATE transactions plus a busy timeout serialize concurrent appenders (processes);
 * each transaction re-reads the size and reloads the in-memory right edge if another
 * process appended meanwhile.
 *
 * vouch_store_open checks the stored state (size vs. entries, the last leaf, the right
 * edge hashes, the last checkpoint's root recomputed from stored hashes) and refuses
 * (VOUCH_E_VERIFY) to open an inconsistent log. vouch_store_publish refuses a checkpoint
 * whose root does not match the stored tree or is not consistent with the last one.
 *
 * A handle is used by one thread at a time.
 */
#ifndef VOUCH_TLOG_STORE_H
#define VOUCH_TLOG_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "base/base.h"
#include "tlog/merkle.h"

/* Indices live in 56 bits of the hash id. */
#define VOUCH_TLOG_MAX_SIZE (1ULL << 56)
/* Largest entry accepted (a tile entry bundle uses a 2-byte length). */
#define VOUCH_TLOG_MAX_ENTRY 65535
/* Largest checkpoint note or cosignature line stored. */
#define VOUCH_TLOG_MAX_NOTE (64u << 10)

typedef struct vouch_store vouch_store;

/*
 * Open (create = 1: create if absent) the database at path, then check its consistency.
 * Returns VOUCH_OK, VOUCH_E_IO, VOUCH_E_VERIFY (inconsistent state; *out untouched),
 * VOUCH_E_MALFORMED (not a vouch log), VOUCH_E_NOMEM. err receives the detail (may be NULL).
 */
int vouch_store_open(const char *path, int create, vouch_store **out, vouch_errinfo *err);
void vouch_store_close(vouch_store *s);
/* The detail of the last error on s. */
const vouch_errinfo *vouch_store_err(const vouch_store *s);

int vouch_store_meta_get(vouch_store *s, const char *key, char **out); /* NOTFOUND if absent */
int vouch_store_meta_set(vouch_store *s, const char *key, const char *value);

/* The committed tree size (read fresh). */
int vouch_store_size(vouch_store *s, uint64_t *size);

/*
 * Append n entries in one transaction; *first receives the index of the first.
 * Returns VOUCH_OK once durable, VOUCH_E_LIMIT (entry too large / log full), VOUCH_E_IO.
 */
int vouch_store_append(vouch_store *s, const void *const *entries, const size_t *lens, size_t n,
		       uint64_t *first);

/* The hash reader over the stored hashes (ctx = the store). */
int vouch_store_read_hash(void *ctx, unsigned level, uint64_t index, vouch_hash *out);
/* Read `count` consecutive hashes of one level from index `start` (tiles). */
int vouch_store_read_hashes(vouch_store *s, unsigned level, uint64_t start, uint64_t count,
			    vouch_hash *out);

/* MTH of the first `size` leaves; inclusion and consistency proofs (see merkle.h). */
int vouch_store_root(vouch_store *s, uint64_t size, vouch_hash *out);
int vouch_store_prove_inclusion(vouch_store *s, uint64_t index, uint64_t size,
				vouch_hash *proof, size_t *n);
int vouch_store_prove_consistency(vouch_store *s, uint64_t size1, uint64_t size2,
				  vouch_hash *proof, size_t *n);

/* One entry (malloc'ed copy). NOTFOUND beyond the size. */
int vouch_store_entry(vouch_store *s, uint64_t index, uint8_t **data, size_t *len);
/* Call fn for entries [start, start + count) in order; stops on the first non-zero return. */
int vouch_store_entries(vouch_store *s, uint64_t start, uint64_t count,
			int (*fn)(void *ctx, uint64_t index, const uint8_t *data, size_t len),
			void *ctx);

/*
 * Publish a signed checkpoint for (size, root): in one transaction, check that size is
 * within the tree, that root is the stored tree's root at that size, and that it is
 * consistent with (a consistency proof verifies against) the latest published checkpoint,
 * whose size must not be larger. Returns VOUCH_OK, VOUCH_E_VERIFY (refused), VOUCH_E_IO.
 */
int vouch_store_publish(vouch_store *s, uint64_t size, const vouch_hash *root, const char *note);

/* The latest published checkpoint; NOTFOUND when none. note malloc'ed (may be NULL). */
int vouch_store_latest(vouch_store *s, uint64_t *size, vouch_hash *root, char **note);
/* The checkpoint published at exactly `size`; NOTFOUND when none. */
int vouch_store_checkpoint_at(vouch_store *s, uint64_t size, vouch_hash *root, char **note);
/* Every published checkpoint, by increasing size. */
int vouch_store_checkpoints(vouch_store *s,
			    int (*fn)(void *ctx, uint64_t size, const vouch_hash *root,
				      const char *note),
			    void *ctx);

/* Witness keys and cosignatures. */
int vouch_store_witness_add(vouch_store *s, const char *name, const char *vkey);
int vouch_store_witnesses(vouch_store *s, int (*fn)(void *ctx, const char *name, const char *vkey),
			  void *ctx);
int vouch_store_cosig_add(vouch_store *s, uint64_t size, const char *name, uint32_t keyid,
			  const char *line, uint64_t ts);
/* The cosignature lines of the checkpoint at `size`, concatenated (malloc'ed, maybe ""). */
int vouch_store_cosigs(vouch_store *s, uint64_t size, char **lines);

/*
 * Full audit: recompute every leaf hash from the stored entries and every stored interior
 * hash, check the row counts, and check every published checkpoint's root against the
 * recomputed tree. Returns VOUCH_OK, VOUCH_E_VERIFY (detail in vouch_store_err), VOUCH_E_IO.
 */
int vouch_store_audit(vouch_store *s, uint64_t *checked_entries, uint64_t *checked_cps);

#endif
