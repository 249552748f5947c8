/*
 * tlog/merkle.c: RFC 6962 / RFC 9162 Merkle Tree Hash, inclusion and consistency proofs.
 *
 * How: proofs are generated top-down, iteratively, from a reader of complete-subtree hashes
 * (level, index). Each sibling the RFC's recursive PATH/SUBPROOF definitions name is either
 * a complete subtree (one read) or a right-edge range [a, size) whose MTH is the right fold
 * of its power-of-two pieces (popcount reads), so a proof costs O(log n) reads and no
 * recursion. Siblings come out root-first and are reversed at the end (the RFC order is
 * leaf-first). Verification is the RFC 9162 §2.1.3.2 / §2.1.4.2 bit-walk, plus an explicit
 * proof-length check (as transparency-dev/merkle does) so that a wrong length is refused
 * before any hashing.
 *
 * Rejected: recursive MTH over a leaf array (input-controlled depth, and O(n) reads per
 * proof); storing only leaves and recomputing interior nodes per proof (O(n) per proof).
 */
#include <string.h>

#include "base/b64.h"
#include "tlog/merkle.h"
#include "vouch/error.h"

static const uint8_t empty_root[VOUCH_HASH_LEN] = {
	0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
	0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
};

void
vouch_merkle_empty(vouch_hash *out)
{
	memcpy(out->b, empty_root, VOUCH_HASH_LEN);
}

int
vouch_hash_equal(const vouch_hash *a, const vouch_hash *b)
{
	return vouch_ct_equal(a->b, b->b, VOUCH_HASH_LEN);
}

static int
digest2(vouch_sha256 *h, uint8_t prefix, const void *a, size_t an, const void *b, size_t bn,
	vouch_hash *out)
{
	uint8_t buf[1 + 2 * VOUCH_HASH_LEN];
	int rc;

	if (h == NULL) {
		/* one-shot: only small inputs are copied; leaves may be large */
		if (an + bn <= 2 * VOUCH_HASH_LEN) {
			buf[0] = prefix;
			if (an > 0) {
				memcpy(buf + 1, a, an);
			}
			if (bn > 0) {
				memcpy(buf + 1 + an, b, bn);
			}
			return vouch_sha256_oneshot(buf, 1 + an + bn, out->b);
		}
		rc = vouch_sha256_new(&h);
		if (rc != VOUCH_OK) {
			return rc;
		}
		rc = digest2(h, prefix, a, an, b, bn, out);
		vouch_sha256_free(h);
		return rc;
	}
	if ((rc = vouch_sha256_reset(h)) != VOUCH_OK || (rc = vouch_sha256_update(h, &prefix, 1)) ||
	    (an > 0 && (rc = vouch_sha256_update(h, a, an)) != VOUCH_OK) ||
	    (bn > 0 && (rc = vouch_sha256_update(h, b, bn)) != VOUCH_OK)) {
		return rc;
	}
	return vouch_sha256_final(h, out->b);
}

int
vouch_merkle_leaf(vouch_sha256 *h, const void *entry, size_t n, vouch_hash *out)
{
	return digest2(h, 0x00, entry, n, NULL, 0, out);
}

int
vouch_merkle_node(vouch_sha256 *h, const vouch_hash *l, const vouch_hash *r, vouch_hash *out)
{
	return digest2(h, 0x01, l->b, VOUCH_HASH_LEN, r->b, VOUCH_HASH_LEN, out);
}

/* Largest power of two strictly below n (n >= 2). */
static uint64_t
split_point(uint64_t n)
{
	return 1ULL << (63 - __builtin_clzll(n - 1));
}

static unsigned
log2_u64(uint64_t p)
{
	return (unsigned)__builtin_ctzll(p);
}

int
vouch_merkle_root_of(vouch_sha256 *h, const vouch_hash *leaves, uint64_t n, vouch_hash *out)
{
	/*
	 * Left to right, keep the stack of complete subtrees of the prefix read so far (the
	 * binary digits of i); at the end fold the stack from the right, which is exactly the
	 * MTH split rule.
	 */
	vouch_hash stack[VOUCH_MERKLE_MAX_PROOF + 1];
	size_t top = 0;
	int rc;

	if (n == 0) {
		vouch_merkle_empty(out);
		return VOUCH_OK;
	}
	for (uint64_t i = 0; i < n; i++) {
		stack[top++] = leaves[i];
		for (uint64_t j = i + 1; (j & 1) == 0; j >>= 1) {
			top--;
			rc = vouch_merkle_node(h, &stack[top - 1], &stack[top], &stack[top - 1]);
			if (rc != VOUCH_OK) {
				return rc;
			}
		}
	}
	while (top > 1) {
		top--;
		rc = vouch_merkle_node(h, &stack[top - 1], &stack[top], &stack[top - 1]);
		if (rc != VOUCH_OK) {
			return rc;
		}
	}
	*out = stack[0];
	return VOUCH_OK;
}

int
vouch_merkle_range(vouch_sha256 *h, vouch_hash_reader rd, void *ctx, uint64_t lo, uint64_t hi,
		   vouch_hash *out)
{
	vouch_hash piece[VOUCH_MERKLE_MAX_PROOF];
	size_t np = 0;
	int rc;

	if (hi < lo) {
		return VOUCH_E_USAGE;
	}
	if (hi == lo) {
		vouch_merkle_empty(out);
		return VOUCH_OK;
	}
	while (lo < hi) {
		uint64_t r = hi - lo, p = 1ULL << (63 - __builtin_clzll(r));
		unsigned level = log2_u64(p);

		if ((lo & (p - 1)) != 0 || np >= VOUCH_MERKLE_MAX_PROOF) {
			return VOUCH_E_USAGE;
		}
		rc = rd(ctx, level, lo >> level, &piece[np]);
		if (rc != VOUCH_OK) {
			return rc;
		}
		np++;
		lo += p;
	}
	while (np > 1) {
		np--;
		rc = vouch_merkle_node(h, &piece[np - 1], &piece[np], &piece[np - 1]);
		if (rc != VOUCH_OK) {
			return rc;
		}
	}
	*out = piece[0];
	return VOUCH_OK;
}

static void
reverse(vouch_hash *p, size_t n)
{
	for (size_t i = 0; i < n / 2; i++) {
		vouch_hash t = p[i];

		p[i] = p[n - 1 - i];
		p[n - 1 - i] = t;
	}
}

int
vouch_merkle_prove_inclusion(vouch_sha256 *h, vouch_hash_reader rd, void *ctx, uint64_t index,
			     uint64_t size, vouch_hash *proof, size_t *n)
{
	uint64_t lo = 0, hi = size;
	size_t cnt = 0;
	int rc;

	if (index >= size) {
		return VOUCH_E_USAGE;
	}
	while (hi - lo > 1) {
		uint64_t k = split_point(hi - lo);

		if (cnt >= VOUCH_MERKLE_MAX_PROOF) {
			return VOUCH_E_INTERNAL;
		}
		if (index < lo + k) {
			rc = vouch_merkle_range(h, rd, ctx, lo + k, hi, &proof[cnt]);
			hi = lo + k;
		} else {
			rc = rd(ctx, log2_u64(k), lo >> log2_u64(k), &proof[cnt]);
			lo += k;
		}
		if (rc != VOUCH_OK) {
			return rc;
		}
		cnt++;
	}
	reverse(proof, cnt);
	*n = cnt;
	return VOUCH_OK;
}

int
vouch_merkle_prove_consistency(vouch_sha256 *h, vouch_hash_reader rd, void *ctx, uint64_t size1,
			       uint64_t size2, vouch_hash *proof, size_t *n)
{
	/*
	 * SUBPROOF(m, D[lo:hi], b) walked top-down: each step appends one sibling after the
	 * deeper part, so siblings are collected in tail[] and reversed; the base case (m
	 * reaches the end of a range that is not the original tree) contributes MTH of that
	 * range first.
	 */
	vouch_hash tail[VOUCH_MERKLE_MAX_PROOF];
	uint64_t lo = 0, hi = size2;
	size_t cnt = 0, out = 0;
	int b = 1, rc;

	if (size1 == 0 || size1 > size2) {
		return VOUCH_E_USAGE;
	}
	for (;;) {
		uint64_t k;

		if (size1 == hi) {
			if (!b) {
				rc = vouch_merkle_range(h, rd, ctx, lo, hi, &proof[out]);
				if (rc != VOUCH_OK) {
					return rc;
				}
				out++;
			}
			break;
		}
		if (cnt >= VOUCH_MERKLE_MAX_PROOF - 1) {
			return VOUCH_E_INTERNAL;
		}
		k = split_point(hi - lo);
		if (size1 - lo <= k) {
			rc = vouch_merkle_range(h, rd, ctx, lo + k, hi, &tail[cnt]);
			hi = lo + k;
		} else {
			rc = rd(ctx, log2_u64(k), lo >> log2_u64(k), &tail[cnt]);
			lo += k;
			b = 0;
		}
		if (rc != VOUCH_OK) {
			return rc;
		}
		cnt++;
	}
	for (size_t i = 0; i < cnt; i++) {
		proof[out++] = tail[cnt - 1 - i];
	}
	*n = out;
	return VOUCH_OK;
}

static unsigned
bitlen(uint64_t x)
{
	return x == 0 ? 0 : 64 - (unsigned)__builtin_clzll(x);
}

size_t
vouch_merkle_inclusion_len(uint64_t index, uint64_t size)
{
	unsigned inner;

	if (index >= size) {
		return 0;
	}
	inner = bitlen(index ^ (size - 1));
	/* inner can be 64 (index and size - 1 differ in the top bit): x >> 64 is undefined */
	return inner + (inner < 64 ? (size_t)__builtin_popcountll(index >> inner) : 0);
}

size_t
vouch_merkle_consistency_len(uint64_t size1, uint64_t size2)
{
	unsigned inner, shift;
	size_t border;

	if (size1 == 0 || size1 >= size2) {
		return 0;
	}
	inner = bitlen((size1 - 1) ^ (size2 - 1));
	border = inner < 64 ? (size_t)__builtin_popcountll((size1 - 1) >> inner) : 0; /* no >> 64 */
	shift = (unsigned)__builtin_ctzll(size1);
	return ((size1 & (size1 - 1)) == 0 ? 0 : 1) + (inner - shift) + border;
}

int
vouch_merkle_verify_inclusion(vouch_sha256 *h, uint64_t index, uint64_t size,
			      const vouch_hash *leaf, const vouch_hash *proof, size_t n,
			      const vouch_hash *root)
{
	uint64_t fn = index, sn;
	vouch_hash r = *leaf;
	int rc;

	if (index >= size || n != vouch_merkle_inclusion_len(index, size)) {
		return VOUCH_E_VERIFY;
	}
	sn = size - 1;
	for (size_t i = 0; i < n; i++) {
		if (sn == 0) {
			return VOUCH_E_VERIFY;
		}
		if ((fn & 1) != 0 || fn == sn) {
			rc = vouch_merkle_node(h, &proof[i], &r, &r);
			while ((fn & 1) == 0 && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			rc = vouch_merkle_node(h, &r, &proof[i], &r);
		}
		if (rc != VOUCH_OK) {
			return rc;
		}
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && vouch_hash_equal(&r, root) ? VOUCH_OK : VOUCH_E_VERIFY;
}

int
vouch_merkle_verify_consistency(vouch_sha256 *h, uint64_t size1, uint64_t size2,
				const vouch_hash *proof, size_t n, const vouch_hash *root1,
				const vouch_hash *root2)
{
	uint64_t fn, sn;
	vouch_hash fr, sr;
	size_t i = 0;
	int rc;

	if (size1 == 0 || size1 > size2) {
		return VOUCH_E_VERIFY;
	}
	if (size1 == size2) {
		return n == 0 && vouch_hash_equal(root1, root2) ? VOUCH_OK : VOUCH_E_VERIFY;
	}
	if (n == 0 || n != vouch_merkle_consistency_len(size1, size2)) {
		return VOUCH_E_VERIFY;
	}
	/* step 2: a power-of-two size1 is its own first node: the path starts with root1 */
	if ((size1 & (size1 - 1)) == 0) {
		fr = sr = *root1;
	} else {
		fr = sr = proof[i++];
	}
	fn = size1 - 1;
	sn = size2 - 1;
	while ((fn & 1) != 0) {
		fn >>= 1;
		sn >>= 1;
	}
	for (; i < n; i++) {
		if (sn == 0) {
			return VOUCH_E_VERIFY;
		}
		if ((fn & 1) != 0 || fn == sn) {
			if ((rc = vouch_merkle_node(h, &proof[i], &fr, &fr)) != VOUCH_OK ||
			    (rc = vouch_merkle_node(h, &proof[i], &sr, &sr)) != VOUCH_OK) {
				return rc;
			}
			while ((fn & 1) == 0 && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else if ((rc = vouch_merkle_node(h, &sr, &proof[i], &sr)) != VOUCH_OK) {
			return rc;
		}
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0) {
		return VOUCH_E_VERIFY;
	}
	/* both, evaluated without short-circuit so timing does not tell which failed */
	return (vouch_hash_equal(&fr, root1) & vouch_hash_equal(&sr, root2)) ? VOUCH_OK
									   : VOUCH_E_VERIFY;
}

int
vouch_merkle_hash_decode(const char *b64, size_t len, vouch_hash *out)
{
	uint8_t buf[VOUCH_B64_DEC_MAX(64)];
	size_t n = 0;

	if (len > 64 || vouch_b64_decode(buf, sizeof(buf), b64, len, &n) != VOUCH_OK ||
	    n != VOUCH_HASH_LEN) {
		return VOUCH_E_MALFORMED;
	}
	memcpy(out->b, buf, VOUCH_HASH_LEN);
	return VOUCH_OK;
}
