/*
 * fuzz/fuzz_proof.c: libFuzzer harness for the transparency-log proof layer (tlog/merkle.c,
 * tlog/bundle.c): inclusion and consistency proof verifiers, the proof JSON parser and the
 * tlog-proof bundle verifier.
 *
 * The harness holds two real trees in memory (built once with the library's own leaf/node
 * hashing, every complete subtree kept, so vouch_merkle_prove_* and _range answer from it):
 *   A  the RFC 6962 reference tree (8 leaves; the transparency-dev/merkle vectors of
 *      ../shared/vectors/tlog are proofs in it);
 *   B  1024 leaves whose entries are SHA-256("entry <i>\n"), the entries `vouch log append`
 *      makes from the files of the seed corpus log (fuzz/corpus/README.md).
 * The oracle: for a proof about sizes inside a tree, checked against that tree's true leaf
 * and roots, the verifier must accept exactly the proof the prover generates and reject
 * every other (a second accepted proof would be a SHA-256 collision or a verifier bug), and
 * for any hashes it must reject index >= size, size1 == 0 and size1 > size2.
 *
 * The input is dispatched on its first bytes:
 *   "c2sp.org/tlog-proof@v1\n"  a bundle, verified with the seed log's key and its witness
 *          (min 0 and 1 cosignatures: accepting with 1 implies accepting with 0). When it is
 *          accepted, its entry must be THE entry of tree B at its index: nobody but the log
 *          key signs checkpoints of that log, so any other accepted entry is a forgery;
 *   '{'    proof JSON, read with both key pairs (index/tree_size, old_size/new_size); an
 *          accepted proof re-formats and re-parses to the same values, then meets the oracle;
 *   else   binary: 1 byte kind (even: inclusion, odd: consistency), 8 + 8 bytes (big-endian)
 *          of index/size or size1/size2, then up to 80 raw 32-byte hashes, so that the
 *          fuzzer mutates proof hashes directly rather than through base64.
 * Properties are asserted with abort(). Inputs are capped at 64 KiB; nothing is written.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/b64.h"
#include "base/base.h"
#include "tlog/merkle.h"
#include "vouch/error.h"
#include "vouch/tlog.h"

#define FUZZ_MAX_INPUT (64u << 10)
#define TREE_B_LEAVES 1024
#define TREE_MAX_LEVELS 11 /* log2(1024) + 1 */
#define BIN_MAX_HASHES 80

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The key of the seed corpus log and of its witness (cosignature/v1). */
static const char log_vkey[] =
	"fuzz.vouch.example/log+9420532f+Aax0DFSMK5eQSROB8P6ohIdNFJPpmY2kM8qnIwgrTUqH";
static const char *const witness_vkeys[] = {
	"fuzz.vouch.example/witness+858e0830+BFhiNhoHnJlGEBbFLIN4KqPL2I3CflDQHYjodI7YbvNX",
};
static const char bundle_header[] = "c2sp.org/tlog-proof@v1\n";

typedef struct tree {
	uint64_t n;
	vouch_hash *level[TREE_MAX_LEVELS]; /* level[l][i]: complete subtree (l, i) */
	uint8_t (*entry)[32];               /* tree B: the 32-byte entries */
} tree;

static tree ta, tb;
static bool ready;

static int
tree_read(void *ctx, unsigned level, uint64_t index, vouch_hash *out)
{
	const tree *t = ctx;

	if (level >= TREE_MAX_LEVELS || t->level[level] == NULL || index >= (t->n >> level)) {
		return VOUCH_E_NOTFOUND;
	}
	*out = t->level[level][index];
	return VOUCH_OK;
}

static void
tree_build(tree *t, uint64_t n, const uint8_t *const *entries, const size_t *lens)
{
	t->n = n;
	for (unsigned l = 0; l < TREE_MAX_LEVELS && (n >> l) > 0; l++) {
		t->level[l] = calloc(n >> l, sizeof(vouch_hash));
		if (t->level[l] == NULL) {
			abort();
		}
		for (uint64_t i = 0; i < (n >> l); i++) {
			int rc = l == 0 ? vouch_merkle_leaf(NULL, entries[i], lens[i], &t->level[0][i])
					: vouch_merkle_node(NULL, &t->level[l - 1][2 * i],
							    &t->level[l - 1][2 * i + 1],
							    &t->level[l][i]);
			if (rc != VOUCH_OK) {
				abort();
			}
		}
	}
}

static void
setup(void)
{
	static const uint8_t e1[] = {0x00}, e2[] = {0x10}, e3[] = {0x20, 0x21},
			     e4[] = {0x30, 0x31}, e5[] = {0x40, 0x41, 0x42, 0x43},
			     e6[] = {0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57},
			     e7[] = {0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67,
				     0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f};
	const uint8_t *ea[8] = {e1, e1, e2, e3, e4, e5, e6, e7};
	size_t la[8] = {0, 1, 1, 2, 2, 4, 8, 16};
	const uint8_t **eb = NULL;
	size_t *lb = NULL;

	if (ready) {
		return;
	}
	tree_build(&ta, 8, ea, la);
	tb.entry = calloc(TREE_B_LEAVES, sizeof(*tb.entry));
	eb = calloc(TREE_B_LEAVES, sizeof(*eb));
	lb = calloc(TREE_B_LEAVES, sizeof(*lb));
	if (tb.entry == NULL || eb == NULL || lb == NULL) {
		abort();
	}
	for (size_t i = 0; i < TREE_B_LEAVES; i++) {
		char s[32];
		int k = snprintf(s, sizeof(s), "entry %zu\n", i);

		if (vouch_sha256_oneshot(s, (size_t)k, tb.entry[i]) != VOUCH_OK) {
			abort();
		}
		eb[i] = tb.entry[i];
		lb[i] = 32;
	}
	tree_build(&tb, TREE_B_LEAVES, eb, lb);
	free(eb);
	free(lb);
	ready = true;
}

static void
tree_root(tree *t, uint64_t size, vouch_hash *out)
{
	if (vouch_merkle_range(NULL, tree_read, t, 0, size, out) != VOUCH_OK) {
		abort();
	}
}

/* Inclusion of (index, size, proof) in every tree it fits; any hashes for garbage sizes. */
static void
check_inclusion(uint64_t index, uint64_t size, const vouch_hash *proof, size_t n)
{
	tree *trees[2] = {&ta, &tb};
	vouch_hash zero, exp[VOUCH_MERKLE_MAX_PROOF], root;
	int rc;

	memset(&zero, 0, sizeof(zero));
	rc = vouch_merkle_verify_inclusion(NULL, index, size, n > 0 ? &proof[0] : &zero, proof, n,
					   n > 0 ? &proof[n - 1] : &zero);
	if (index >= size && rc == VOUCH_OK) {
		abort();
	}
	if (n <= VOUCH_TLOG_PROOF_MAX) {
		vouch_tlog_hash l, r;

		memcpy(l, zero.b, sizeof(l));
		memcpy(r, n > 0 ? proof[0].b : zero.b, sizeof(r));
		rc = vouch_tlog_verify_inclusion(index, size, l, (const uint8_t *)proof, n, r);
		if (index >= size && rc == VOUCH_OK) {
			abort();
		}
	}
	for (size_t k = 0; k < 2; k++) {
		tree *t = trees[k];
		size_t en = 0;
		bool same;

		if (size > t->n || index >= size) {
			continue;
		}
		if (vouch_merkle_prove_inclusion(NULL, tree_read, t, index, size, exp,
						 &en) != VOUCH_OK ||
		    en != vouch_merkle_inclusion_len(index, size)) {
			abort();
		}
		tree_root(t, size, &root);
		rc = vouch_merkle_verify_inclusion(NULL, index, size, &t->level[0][index], proof, n,
						   &root);
		same = n == en && memcmp(proof, exp, n * sizeof(vouch_hash)) == 0;
		if ((rc == VOUCH_OK) != same) {
			abort(); /* a forged proof accepted, or the true proof refused */
		}
		/* the true proof for the neighbouring leaf must not prove this one */
		if (size > 1) {
			uint64_t other = index ^ 1;

			if (other < size && vouch_merkle_verify_inclusion(NULL, other, size,
									  &t->level[0][index], exp,
									  en, &root) == VOUCH_OK &&
			    memcmp(&t->level[0][other], &t->level[0][index], 32) != 0) {
				abort();
			}
		}
	}
}

static void
check_consistency(uint64_t s1, uint64_t s2, const vouch_hash *proof, size_t n)
{
	tree *trees[2] = {&ta, &tb};
	vouch_hash zero, exp[VOUCH_MERKLE_MAX_PROOF], r1, r2;
	int rc;

	memset(&zero, 0, sizeof(zero));
	rc = vouch_merkle_verify_consistency(NULL, s1, s2, proof, n, n > 0 ? &proof[0] : &zero,
					     n > 0 ? &proof[n - 1] : &zero);
	if ((s1 == 0 || s1 > s2) && rc == VOUCH_OK) {
		abort();
	}
	if (n <= VOUCH_TLOG_PROOF_MAX) {
		rc = vouch_tlog_verify_consistency(s1, s2, (const uint8_t *)proof, n, zero.b,
						   n > 0 ? proof[0].b : zero.b);
		if ((s1 == 0 || s1 > s2) && rc == VOUCH_OK) {
			abort();
		}
	}
	for (size_t k = 0; k < 2; k++) {
		tree *t = trees[k];
		size_t en = 0;
		bool same;

		if (s2 > t->n || s1 > s2) {
			continue;
		}
		tree_root(t, s1, &r1);
		tree_root(t, s2, &r2);
		rc = vouch_merkle_verify_consistency(NULL, s1, s2, proof, n, &r1, &r2);
		if (s1 == 0) {
			if (rc == VOUCH_OK) {
				abort();
			}
			continue;
		}
		if (vouch_merkle_prove_consistency(NULL, tree_read, t, s1, s2, exp, &en) !=
			    VOUCH_OK ||
		    en != vouch_merkle_consistency_len(s1, s2)) {
			abort();
		}
		same = n == en && memcmp(proof, exp, n * sizeof(vouch_hash)) == 0;
		if ((rc == VOUCH_OK) != same) {
			abort();
		}
		/* swapped roots never verify (the trees differ for s1 < s2 in these logs) */
		if (s1 < s2 &&
		    vouch_merkle_verify_consistency(NULL, s1, s2, exp, en, &r2, &r1) == VOUCH_OK) {
			abort();
		}
	}
}

/* Proof JSON with one key pair: round trip, then the oracle. */
static void
check_json(const char *json, size_t len, const char *k1, const char *k2, bool inclusion)
{
	vouch_tlog_hash p1[VOUCH_TLOG_PROOF_MAX], p2[VOUCH_TLOG_PROOF_MAX];
	vouch_hash h[VOUCH_TLOG_PROOF_MAX];
	uint64_t a = 0, b = 0, a2 = 0, b2 = 0;
	size_t n = 0, n2 = 0;
	char *out = NULL;

	if (vouch_tlog_proof_parse(json, len, k1, &a, k2, &b, p1, &n) != VOUCH_OK) {
		return;
	}
	if (n > VOUCH_TLOG_PROOF_MAX) {
		abort();
	}
	if (vouch_tlog_proof_format(k1, a, k2, b, (const uint8_t *)p1, n, &out) != VOUCH_OK) {
		return;
	}
	if (vouch_tlog_proof_parse(out, strlen(out), k1, &a2, k2, &b2, p2, &n2) != VOUCH_OK ||
	    a2 != a || b2 != b || n2 != n || memcmp(p1, p2, n * sizeof(p1[0])) != 0) {
		abort();
	}
	free(out);
	for (size_t i = 0; i < n; i++) {
		char b64[45];

		memcpy(h[i].b, p1[i], 32);
		vouch_tlog_hash_b64(p1[i], b64);
		if (vouch_tlog_hash_parse(b64, strlen(b64), p2[i]) != VOUCH_OK ||
		    memcmp(p1[i], p2[i], 32) != 0) {
			abort();
		}
	}
	if (inclusion) {
		check_inclusion(a, b, h, n);
	} else {
		check_consistency(a, b, h, n);
	}
}

/* "index N" and "extra B64" of a bundle, read independently of bundle.c. */
static bool
bundle_claim(const char *s, size_t len, uint64_t *index, uint8_t *entry, size_t *elen)
{
	const char *p = s + sizeof(bundle_header) - 1, *e = s + len, *nl;
	char num[24];
	size_t l;

	nl = memchr(p, '\n', (size_t)(e - p));
	if (nl == NULL || nl - p < 6 || memcmp(p, "extra ", 6) != 0) {
		return false;
	}
	if (vouch_b64_decode(entry, 64, p + 6, (size_t)(nl - p - 6), elen) != VOUCH_OK) {
		return false;
	}
	p = nl + 1;
	nl = memchr(p, '\n', (size_t)(e - p));
	if (nl == NULL || nl - p < 7 || memcmp(p, "index ", 6) != 0) {
		return false;
	}
	l = (size_t)(nl - p - 6);
	if (l >= sizeof(num)) {
		return false;
	}
	memcpy(num, p + 6, l);
	num[l] = '\0';
	*index = strtoull(num, NULL, 10);
	return true;
}

static void
check_bundle(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	uint64_t idx = UINT64_MAX, claimed = 0;
	uint8_t entry[64];
	size_t elen = 0;
	char why[256];
	int rc0, rc1;

	rc1 = vouch_tlog_verify_bundle(s, size, log_vkey, witness_vkeys, 1, 1, NULL, 0, &idx, why,
				       sizeof(why));
	rc0 = vouch_tlog_verify_bundle(s, size, log_vkey, witness_vkeys, 1, 0, NULL, 0, NULL, why,
				       sizeof(why));
	if (rc1 == VOUCH_OK && rc0 != VOUCH_OK) {
		abort();
	}
	(void)vouch_tlog_verify_bundle(s, size, log_vkey, NULL, 0, 0, "x", 1, NULL, why,
				       sizeof(why));
	if (rc0 != VOUCH_OK) {
		return;
	}
	/* accepted: the entry must be the log's real entry at that index */
	if (!bundle_claim(s, size, &claimed, entry, &elen) || claimed >= TREE_B_LEAVES ||
	    elen != 32 || memcmp(entry, tb.entry[claimed], 32) != 0 ||
	    (rc1 == VOUCH_OK && idx != claimed)) {
		abort();
	}
}

static void
check_binary(const uint8_t *data, size_t size)
{
	vouch_hash proof[BIN_MAX_HASHES];
	uint64_t a, b;
	size_t n;

	if (size < 17) {
		return;
	}
	a = (uint64_t)vouch_load_u32be(data + 1) << 32 | vouch_load_u32be(data + 5);
	b = (uint64_t)vouch_load_u32be(data + 9) << 32 | vouch_load_u32be(data + 13);
	n = (size - 17) / 32;
	if (n > BIN_MAX_HASHES) {
		n = BIN_MAX_HASHES;
	}
	memcpy(proof, data + 17, n * 32);
	if ((data[0] & 1) == 0) {
		check_inclusion(a, b, proof, n);
	} else {
		check_consistency(a, b, proof, n);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vouch_tlog_hash h;

	if (size > FUZZ_MAX_INPUT) {
		return 0;
	}
	setup();
	if (vouch_tlog_hash_parse((const char *)data, size, h) == VOUCH_OK) {
		char b64[45];

		vouch_tlog_hash_b64(h, b64);
		if (size != 44 || memcmp(b64, data, 44) != 0) {
			abort(); /* strict: exactly one text per hash */
		}
	}
	if (size >= sizeof(bundle_header) - 1 &&
	    memcmp(data, bundle_header, sizeof(bundle_header) - 1) == 0) {
		check_bundle(data, size);
	} else if (size > 0 && data[0] == '{') {
		check_json((const char *)data, size, "index", "tree_size", true);
		check_json((const char *)data, size, "old_size", "new_size", false);
	} else {
		check_binary(data, size);
	}
	return 0;
}
