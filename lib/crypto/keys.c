/*
 * crypto/keys.c: describe keys, certificates and PKCS#12 files with libcrypto (see keys.h).
 *
 * Every parsed or rebuilt key ends in one EVP_PKEY, and describe() derives everything from
 * it: type, bits, curve, the SPKI digest (i2d_PUBKEY, the DER that `openssl pkey -pubout`
 * writes) and the SSH blob digest (the blob is written here from the key's numbers, RFC 4253
 * string/mpint encoding). Keys given as numbers (OpenSSH, Dropbear) are imported with
 * EVP_PKEY_fromdata, which also checks an EC point lies on its curve; their private numbers
 * are checked against the public ones with BIGNUM / EC_POINT arithmetic (the analyser uses
 * that to tell a real key from bytes that merely look like one).
 *
 * Costs are bounded before OpenSSL runs: moduli are capped by size, PKCS#12 iteration counts
 * are read from the (cleartext) algorithm parameters and refused above VOUCH_P12_MAX_ITER
 * before any password is derived, and the number of passwords tried is capped. OpenSSL's
 * ASN.1 decoder bounds nesting itself (ASN1_MAX_CONSTRUCTED_NEST).
 *
 * Rejected: PEM_read_bio_* (PEM armour is decoded by the caller, bounded, from firmware
 * bytes that are often not a PEM file at all); PKCS12_parse (it derives keys with whatever
 * iteration count the file names and tries only the empty passwords); the deprecated
 * RSA/DSA/EC_KEY structures (EVP_PKEY_fromdata and EC_POINT do the same without them).
 */
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>
#include <openssl/pkcs12.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/base.h"
#include "crypto/crypto.h"
#include "crypto/keys.h"

/* Largest DER object handed to d2i here: an RSA-16384 private key is ~9.3 KiB, a big
 * certificate a few KiB; a PKCS#12 with a chain rarely exceeds 64 KiB. */
#define KEYS_DER_MAX (1u << 20)
/* SSH public blob buffer: RSA-16384 (2 KiB modulus) or DSA-4096 (4 x 512 bytes) fit. */
#define SSH_BLOB_MAX 4096

/* ---- the SSH wire blob ----------------------------------------------------------------- */

typedef struct wbuf {
	uint8_t p[SSH_BLOB_MAX];
	size_t n;
	bool over;
} wbuf;

static void
w_bytes(wbuf *w, const void *p, size_t n)
{
	if (w->over || n > sizeof(w->p) - w->n) {
		w->over = true;
		return;
	}
	memcpy(w->p + w->n, p, n);
	w->n += n;
}

static void
w_u32(wbuf *w, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
	w_bytes(w, b, 4);
}

static void
w_string(wbuf *w, const void *p, size_t n)
{
	w_u32(w, (uint32_t)n);
	w_bytes(w, p, n);
}

/* RFC 4251 §5 mpint of a non-negative BIGNUM: no leading zero, one added when the top bit
 * is set, zero is the empty string. */
static void
w_mpint(wbuf *w, const BIGNUM *bn)
{
	uint8_t tmp[SSH_BLOB_MAX];
	int len = BN_num_bytes(bn);

	if (len < 0 || (size_t)len > sizeof(tmp) || BN_is_negative(bn)) {
		w->over = true;
		return;
	}
	if (len == 0) {
		w_u32(w, 0);
		return;
	}
	BN_bn2bin(bn, tmp);
	if (tmp[0] & 0x80) {
		w_u32(w, (uint32_t)len + 1);
		w_bytes(w, "", 1); /* the 0x00 */
	} else {
		w_u32(w, (uint32_t)len);
	}
	w_bytes(w, tmp, (size_t)len);
}

static const struct {
	const char *ossl; /* OpenSSL group name */
	const char *ssh;  /* RFC 5656 identifier */
	const char *nist;
	int nid;
} curves[] = {
	{"prime256v1", "nistp256", "P-256", NID_X9_62_prime256v1},
	{"secp384r1", "nistp384", "P-384", NID_secp384r1},
	{"secp521r1", "nistp521", "P-521", NID_secp521r1},
};

static bool
bn_param_mpint(const EVP_PKEY *pk, const char *name, wbuf *w)
{
	BIGNUM *bn = NULL;

	if (EVP_PKEY_get_bn_param(pk, name, &bn) != 1 || bn == NULL) {
		return false;
	}
	w_mpint(w, bn);
	BN_free(bn);
	return true;
}

/* The SSH public blob of pk into w; false when the key has no SSH form. */
static bool
ssh_blob(const EVP_PKEY *pk, int id, const char *group, wbuf *w)
{
	w->n = 0;
	w->over = false;
	if (id == EVP_PKEY_RSA) {
		w_string(w, "ssh-rsa", 7);
		if (!bn_param_mpint(pk, OSSL_PKEY_PARAM_RSA_E, w) ||
		    !bn_param_mpint(pk, OSSL_PKEY_PARAM_RSA_N, w)) {
			return false;
		}
	} else if (id == EVP_PKEY_DSA) {
		w_string(w, "ssh-dss", 7);
		if (!bn_param_mpint(pk, OSSL_PKEY_PARAM_FFC_P, w) ||
		    !bn_param_mpint(pk, OSSL_PKEY_PARAM_FFC_Q, w) ||
		    !bn_param_mpint(pk, OSSL_PKEY_PARAM_FFC_G, w) ||
		    !bn_param_mpint(pk, OSSL_PKEY_PARAM_PUB_KEY, w)) {
			return false;
		}
	} else if (id == EVP_PKEY_EC) {
		uint8_t pt[200];
		size_t ptlen = 0;
		char ident[32];
		size_t i;

		for (i = 0; i < VOUCH_ARRAY_LEN(curves); i++) {
			if (strcmp(group, curves[i].ossl) == 0) {
				break;
			}
		}
		if (i == VOUCH_ARRAY_LEN(curves) ||
		    EVP_PKEY_get_octet_string_param(pk, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pt,
						    sizeof(pt), &ptlen) != 1 ||
		    ptlen == 0 || pt[0] != 0x04) {
			return false; /* OpenSSH writes uncompressed points only */
		}
		snprintf(ident, sizeof(ident), "ecdsa-sha2-%s", curves[i].ssh);
		w_string(w, ident, strlen(ident));
		w_string(w, curves[i].ssh, strlen(curves[i].ssh));
		w_string(w, pt, ptlen);
	} else if (id == EVP_PKEY_ED25519) {
		uint8_t pub[32];
		size_t publen = sizeof(pub);

		if (EVP_PKEY_get_raw_public_key(pk, pub, &publen) != 1 || publen != 32) {
			return false;
		}
		w_string(w, "ssh-ed25519", 11);
		w_string(w, pub, publen);
	} else {
		return false;
	}
	return !w->over;
}

/* Everything keys.h promises about one key. */
static int
describe(EVP_PKEY *pk, vouch_keyinfo *out)
{
	vouch_keyinfo ki;
	char group[64] = "";
	unsigned char *spki = NULL;
	int id = EVP_PKEY_get_base_id(pk);
	int len, bits;
	wbuf *w;

	memset(&ki, 0, sizeof(ki));
	switch (id) {
	case EVP_PKEY_RSA:
	case EVP_PKEY_RSA_PSS: snprintf(ki.type, sizeof(ki.type), "RSA"); break;
	case EVP_PKEY_DSA: snprintf(ki.type, sizeof(ki.type), "DSA"); break;
	case EVP_PKEY_EC: snprintf(ki.type, sizeof(ki.type), "EC"); break;
	case EVP_PKEY_ED25519: snprintf(ki.type, sizeof(ki.type), "ED25519"); break;
	case EVP_PKEY_ED448: snprintf(ki.type, sizeof(ki.type), "ED448"); break;
	case EVP_PKEY_X25519: snprintf(ki.type, sizeof(ki.type), "X25519"); break;
	case EVP_PKEY_X448: snprintf(ki.type, sizeof(ki.type), "X448"); break;
	default: return VOUCH_E_UNSUPPORTED;
	}
	bits = EVP_PKEY_get_bits(pk);
	ki.bits = bits > 0 ? (unsigned)bits : 0;
	if (id == EVP_PKEY_EC) {
		size_t glen = 0;

		if (EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME, group,
						   sizeof(group), &glen) != 1) {
			return VOUCH_E_UNSUPPORTED; /* explicit curve parameters: not described */
		}
		const char *nist = NULL;
		for (size_t i = 0; i < VOUCH_ARRAY_LEN(curves); i++) {
			if (strcmp(group, curves[i].ossl) == 0) {
				nist = curves[i].nist;
			}
		}
		snprintf(ki.curve, sizeof(ki.curve), "%s", nist != NULL ? nist : group);
		/* the SSH blob needs the uncompressed point, whatever the input used */
		EVP_PKEY_set_utf8_string_param(pk, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
					       "uncompressed");
	}
	len = i2d_PUBKEY(pk, &spki);
	if (len > 0 && spki != NULL &&
	    vouch_sha256_oneshot(spki, (size_t)len, ki.spki_sha256) == VOUCH_OK) {
		ki.has_spki = true;
	}
	OPENSSL_free(spki);
	w = malloc(sizeof(*w));
	if (w == NULL) {
		return VOUCH_E_NOMEM;
	}
	if (ssh_blob(pk, id, group, w) && vouch_sha256_oneshot(w->p, w->n, ki.ssh_sha256) == VOUCH_OK) {
		ki.has_ssh = true;
	}
	free(w);
	if (!ki.has_spki) {
		return VOUCH_E_INTERNAL;
	}
	*out = ki;
	return VOUCH_OK;
}

static int
size_ok(const vouch_keyinfo *ki)
{
	if (strcmp(ki->type, "RSA") == 0 && ki->bits > VOUCH_KEY_RSA_MAX_BITS) {
		return VOUCH_E_LIMIT;
	}
	if (strcmp(ki->type, "DSA") == 0 && ki->bits > VOUCH_KEY_DSA_MAX_BITS) {
		return VOUCH_E_LIMIT;
	}
	return VOUCH_OK;
}

int
vouch_key_private_der(const uint8_t *der, size_t n, vouch_keyinfo *out)
{
	const unsigned char *p = der;
	EVP_PKEY *pk;
	vouch_keyinfo ki;
	int rc;

	if (n == 0 || n > KEYS_DER_MAX) {
		return VOUCH_E_MALFORMED;
	}
	pk = d2i_AutoPrivateKey(NULL, &p, (long)n);
	if (pk == NULL) {
		ERR_clear_error();
		return VOUCH_E_MALFORMED;
	}
	if ((size_t)(p - der) != n) {
		EVP_PKEY_free(pk);
		return VOUCH_E_MALFORMED;
	}
	rc = describe(pk, &ki);
	EVP_PKEY_free(pk);
	ERR_clear_error();
	if (rc == VOUCH_OK) {
		rc = size_ok(&ki);
	}
	if (rc == VOUCH_OK) {
		*out = ki;
	}
	return rc;
}

/* ---- keys from numbers ------------------------------------------------------------------ */

static BIGNUM *
bn_of(vouch_bytes b, unsigned max_bits)
{
	BIGNUM *bn;

	if (b.n == 0 || b.n > (max_bits + 7) / 8 + 1) {
		return NULL;
	}
	bn = BN_bin2bn(b.p, (int)b.n, NULL);
	if (bn != NULL && (BN_is_zero(bn) || (unsigned)BN_num_bits(bn) > max_bits)) {
		BN_free(bn);
		return NULL;
	}
	return bn;
}

/* Import public numbers `params` as a key of type `name` and describe it. */
static int
import(const char *name, OSSL_PARAM_BLD *bld, vouch_keyinfo *out)
{
	OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, name, NULL);
	EVP_PKEY *pk = NULL;
	int rc = VOUCH_E_INTERNAL;

	if (params != NULL && ctx != NULL && EVP_PKEY_fromdata_init(ctx) == 1) {
		if (EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY, params) == 1 && pk != NULL) {
			rc = describe(pk, out);
		} else {
			rc = VOUCH_E_MALFORMED;
		}
	}
	EVP_PKEY_free(pk);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	ERR_clear_error();
	return rc;
}

int
vouch_key_from_rsa(vouch_bytes n, vouch_bytes e, const vouch_bytes *p, const vouch_bytes *q,
		   vouch_keyinfo *out)
{
	BIGNUM *bn = bn_of(n, VOUCH_KEY_RSA_MAX_BITS), *be = bn_of(e, VOUCH_KEY_RSA_MAX_BITS);
	BIGNUM *bp = NULL, *bq = NULL, *pq = NULL;
	BN_CTX *ctx = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	int rc = VOUCH_E_MALFORMED;

	if (bn == NULL || be == NULL || !BN_is_odd(bn) || !BN_is_odd(be) || BN_is_one(be) ||
	    BN_cmp(be, bn) >= 0) {
		goto out;
	}
	if (p != NULL && q != NULL) {
		bp = bn_of(*p, VOUCH_KEY_RSA_MAX_BITS);
		bq = bn_of(*q, VOUCH_KEY_RSA_MAX_BITS);
		ctx = BN_CTX_new();
		pq = BN_new();
		if (bp == NULL || bq == NULL) {
			goto out;
		}
		rc = VOUCH_E_INTERNAL;
		if (ctx == NULL || pq == NULL || BN_mul(pq, bp, bq, ctx) != 1) {
			goto out;
		}
		rc = VOUCH_E_VERIFY;
		if (BN_is_one(bp) || BN_is_one(bq) || BN_cmp(pq, bn) != 0) {
			goto out;
		}
	}
	rc = VOUCH_E_INTERNAL;
	bld = OSSL_PARAM_BLD_new();
	if (bld == NULL || OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be) != 1) {
		goto out;
	}
	rc = import("RSA", bld, out);
out:
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn);
	BN_free(be);
	BN_clear_free(bp);
	BN_clear_free(bq);
	BN_clear_free(pq);
	BN_CTX_free(ctx);
	return rc;
}

int
vouch_key_from_dsa(vouch_bytes p, vouch_bytes q, vouch_bytes g, vouch_bytes y,
		   const vouch_bytes *x, vouch_keyinfo *out)
{
	BIGNUM *bp = bn_of(p, VOUCH_KEY_DSA_MAX_BITS), *bq = bn_of(q, 512);
	BIGNUM *bg = bn_of(g, VOUCH_KEY_DSA_MAX_BITS), *by = bn_of(y, VOUCH_KEY_DSA_MAX_BITS);
	BIGNUM *bx = NULL, *r = NULL;
	BN_CTX *ctx = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	int rc = VOUCH_E_MALFORMED;

	if (bp == NULL || bq == NULL || bg == NULL || by == NULL || !BN_is_odd(bp) ||
	    BN_cmp(bg, bp) >= 0 || BN_cmp(by, bp) >= 0 || BN_cmp(bq, bp) >= 0) {
		goto out;
	}
	if (x != NULL) {
		bx = bn_of(*x, 512);
		if (bx == NULL || BN_cmp(bx, bq) >= 0) {
			goto out;
		}
		rc = VOUCH_E_INTERNAL;
		ctx = BN_CTX_new();
		r = BN_new();
		if (ctx == NULL || r == NULL || BN_mod_exp(r, bg, bx, bp, ctx) != 1) {
			goto out;
		}
		rc = VOUCH_E_VERIFY;
		if (BN_cmp(r, by) != 0) {
			goto out;
		}
	}
	rc = VOUCH_E_INTERNAL;
	bld = OSSL_PARAM_BLD_new();
	if (bld == NULL || OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_P, bp) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_Q, bq) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_G, bg) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, by) != 1) {
		goto out;
	}
	rc = import("DSA", bld, out);
out:
	OSSL_PARAM_BLD_free(bld);
	BN_free(bp);
	BN_free(bq);
	BN_free(bg);
	BN_free(by);
	BN_clear_free(bx);
	BN_free(r);
	BN_CTX_free(ctx);
	return rc;
}

int
vouch_key_from_ec(const char *ssh_curve, vouch_bytes q, const vouch_bytes *d, vouch_keyinfo *out)
{
	size_t i;
	EC_GROUP *grp = NULL;
	EC_POINT *pt = NULL, *r = NULL;
	BIGNUM *bd = NULL;
	BN_CTX *ctx = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	int rc = VOUCH_E_UNSUPPORTED;

	for (i = 0; i < VOUCH_ARRAY_LEN(curves); i++) {
		if (strcmp(ssh_curve, curves[i].ssh) == 0) {
			break;
		}
	}
	if (i == VOUCH_ARRAY_LEN(curves)) {
		return rc;
	}
	rc = VOUCH_E_MALFORMED;
	if (q.n == 0 || q.n > 1 + 2 * 66 || q.p[0] != 0x04) {
		return rc;
	}
	if (d != NULL) {
		rc = VOUCH_E_INTERNAL;
		grp = EC_GROUP_new_by_curve_name(curves[i].nid);
		ctx = BN_CTX_new();
		pt = grp != NULL ? EC_POINT_new(grp) : NULL;
		r = grp != NULL ? EC_POINT_new(grp) : NULL;
		if (grp == NULL || ctx == NULL || pt == NULL || r == NULL) {
			goto out;
		}
		rc = VOUCH_E_MALFORMED;
		bd = bn_of(*d, 528);
		if (bd == NULL || BN_cmp(bd, EC_GROUP_get0_order(grp)) >= 0 ||
		    EC_POINT_oct2point(grp, pt, q.p, q.n, ctx) != 1) {
			goto out;
		}
		rc = VOUCH_E_INTERNAL;
		if (EC_POINT_mul(grp, r, bd, NULL, NULL, ctx) != 1) {
			goto out;
		}
		rc = VOUCH_E_VERIFY;
		if (EC_POINT_cmp(grp, r, pt, ctx) != 0) {
			goto out;
		}
	}
	rc = VOUCH_E_INTERNAL;
	bld = OSSL_PARAM_BLD_new();
	if (bld == NULL ||
	    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, curves[i].ossl, 0) != 1 ||
	    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, q.p, q.n) != 1) {
		goto out;
	}
	rc = import("EC", bld, out);
out:
	OSSL_PARAM_BLD_free(bld);
	EC_POINT_free(pt);
	EC_POINT_free(r);
	EC_GROUP_free(grp);
	BN_clear_free(bd);
	BN_CTX_free(ctx);
	ERR_clear_error();
	return rc;
}

int
vouch_key_from_ed25519(vouch_bytes pub, const vouch_bytes *seed, vouch_keyinfo *out)
{
	EVP_PKEY *pk;
	int rc;

	if (pub.n != 32 || (seed != NULL && seed->n != 32)) {
		return VOUCH_E_MALFORMED;
	}
	if (seed != NULL) {
		uint8_t derived[32];
		size_t dlen = sizeof(derived);
		EVP_PKEY *sk = EVP_PKEY_new_raw_private_key_ex(NULL, "ED25519", NULL, seed->p, 32);

		if (sk == NULL || EVP_PKEY_get_raw_public_key(sk, derived, &dlen) != 1 || dlen != 32) {
			EVP_PKEY_free(sk);
			ERR_clear_error();
			return VOUCH_E_INTERNAL;
		}
		EVP_PKEY_free(sk);
		if (!vouch_ct_equal(derived, pub.p, 32)) {
			return VOUCH_E_VERIFY;
		}
	}
	pk = EVP_PKEY_new_raw_public_key_ex(NULL, "ED25519", NULL, pub.p, 32);
	if (pk == NULL) {
		ERR_clear_error();
		return VOUCH_E_MALFORMED;
	}
	rc = describe(pk, out);
	EVP_PKEY_free(pk);
	return rc;
}

/* ---- encrypted keys and iteration counts ----------------------------------------------- */

/* The iteration count (cost) of a password-based encryption algorithm, read from its
 * cleartext parameters. VOUCH_E_UNSUPPORTED for schemes we do not know. */
static int
alg_iter(const X509_ALGOR *alg, uint64_t *iter)
{
	const ASN1_OBJECT *obj;
	const void *pval;
	int ptype, nid;
	const ASN1_STRING *s;
	const unsigned char *p;
	int rc = VOUCH_E_UNSUPPORTED;

	if (alg == NULL) {
		return VOUCH_E_MALFORMED;
	}
	X509_ALGOR_get0(&obj, &ptype, &pval, alg);
	nid = OBJ_obj2nid(obj);
	if (ptype != V_ASN1_SEQUENCE || pval == NULL) {
		return VOUCH_E_MALFORMED;
	}
	s = pval;
	p = ASN1_STRING_get0_data(s);
	if (nid == NID_pbes2) {
		PBE2PARAM *p2 = d2i_PBE2PARAM(NULL, &p, ASN1_STRING_length(s));
		const X509_ALGOR *kdf = p2 != NULL ? p2->keyfunc : NULL;

		rc = VOUCH_E_MALFORMED;
		if (kdf != NULL && OBJ_obj2nid(kdf->algorithm) == NID_id_pbkdf2 &&
		    kdf->parameter != NULL && kdf->parameter->type == V_ASN1_SEQUENCE) {
			const ASN1_STRING *ks = kdf->parameter->value.sequence;
			const unsigned char *kp = ASN1_STRING_get0_data(ks);
			PBKDF2PARAM *k = d2i_PBKDF2PARAM(NULL, &kp, ASN1_STRING_length(ks));

			if (k != NULL && ASN1_INTEGER_get_uint64(iter, k->iter) == 1) {
				rc = VOUCH_OK;
			}
			PBKDF2PARAM_free(k);
		} else if (kdf != NULL && OBJ_obj2nid(kdf->algorithm) == NID_id_scrypt &&
			   kdf->parameter != NULL && kdf->parameter->type == V_ASN1_SEQUENCE) {
			const ASN1_STRING *ks = kdf->parameter->value.sequence;
			const unsigned char *kp = ASN1_STRING_get0_data(ks);
			SCRYPT_PARAMS *sp = d2i_SCRYPT_PARAMS(NULL, &kp, ASN1_STRING_length(ks));
			uint64_t nn = 0, r = 0, par = 0, cost;

			/* scrypt's cost is N * r * p block mixes (and N * r * 128 bytes) */
			if (sp != NULL && ASN1_INTEGER_get_uint64(&nn, sp->costParameter) == 1 &&
			    ASN1_INTEGER_get_uint64(&r, sp->blockSize) == 1 &&
			    ASN1_INTEGER_get_uint64(&par, sp->parallelizationParameter) == 1) {
				*iter = vouch_mul_u64(nn, r, &cost) && vouch_mul_u64(cost, par, &cost)
						? cost
						: UINT64_MAX;
				rc = VOUCH_OK;
			}
			SCRYPT_PARAMS_free(sp);
		}
		PBE2PARAM_free(p2);
	} else {
		/* PKCS#5 v1.5 and PKCS#12 PBE schemes share PBEParameter { salt, iterations } */
		if (EVP_PBE_find(EVP_PBE_TYPE_OUTER, nid, NULL, NULL, NULL) == 1) {
			PBEPARAM *pp = d2i_PBEPARAM(NULL, &p, ASN1_STRING_length(s));

			rc = VOUCH_E_MALFORMED;
			if (pp != NULL && ASN1_INTEGER_get_uint64(iter, pp->iter) == 1) {
				rc = VOUCH_OK;
			}
			PBEPARAM_free(pp);
		}
	}
	ERR_clear_error();
	return rc;
}

int
vouch_key_encrypted_der(const uint8_t *der, size_t n, char alg[48], uint64_t *iter)
{
	const unsigned char *p = der;
	X509_SIG *sig;
	const X509_ALGOR *a = NULL;
	const ASN1_OCTET_STRING *digest = NULL;

	if (n == 0 || n > KEYS_DER_MAX) {
		return VOUCH_E_MALFORMED;
	}
	sig = d2i_X509_SIG(NULL, &p, (long)n);
	if (sig == NULL || (size_t)(p - der) != n) {
		X509_SIG_free(sig);
		ERR_clear_error();
		return VOUCH_E_MALFORMED;
	}
	X509_SIG_get0(sig, &a, &digest);
	snprintf(alg, 48, "%s", a != NULL ? OBJ_nid2sn(OBJ_obj2nid(a->algorithm)) : "unknown");
	*iter = 0;
	if (alg_iter(a, iter) != VOUCH_OK) {
		*iter = 0;
	}
	X509_SIG_free(sig);
	return VOUCH_OK;
}

/* ---- certificates ---------------------------------------------------------------------- */

static void
name_str(const X509_NAME *nm, char *out, size_t cap)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p = NULL;
	long len;

	out[0] = '\0';
	if (b == NULL) {
		return;
	}
	if (X509_NAME_print_ex(b, nm, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0) {
		len = BIO_get_mem_data(b, &p);
		if (len > 0 && p != NULL) {
			size_t k = VOUCH_MIN((size_t)len, cap - 1);
			memcpy(out, p, k);
			out[k] = '\0';
		}
	}
	BIO_free(b);
}

static bool
time_of(const ASN1_TIME *t, int64_t *secs, char *str, size_t cap)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1) {
		return false;
	}
	*secs = (int64_t)timegm(&tm);
	if (str != NULL) {
		strftime(str, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
	}
	return true;
}

int
vouch_cert_der(const uint8_t *der, size_t n, bool aux, vouch_certinfo *out)
{
	const unsigned char *p = der;
	X509 *x;
	vouch_certinfo ci;
	int signid, mdnid = NID_undef, pknid = NID_undef;
	EVP_PKEY *pk;

	if (n == 0 || n > KEYS_DER_MAX) {
		return VOUCH_E_MALFORMED;
	}
	x = aux ? d2i_X509_AUX(NULL, &p, (long)n) : d2i_X509(NULL, &p, (long)n);
	if (x == NULL || (!aux && (size_t)(p - der) != n)) {
		X509_free(x);
		ERR_clear_error();
		return VOUCH_E_MALFORMED;
	}
	memset(&ci, 0, sizeof(ci));
	name_str(X509_get_subject_name(x), ci.subject, sizeof(ci.subject));
	name_str(X509_get_issuer_name(x), ci.issuer, sizeof(ci.issuer));
	if (!time_of(X509_get0_notBefore(x), &ci.not_before, NULL, 0) ||
	    !time_of(X509_get0_notAfter(x), &ci.not_after, ci.not_after_str,
		     sizeof(ci.not_after_str))) {
		X509_free(x);
		ERR_clear_error();
		return VOUCH_E_MALFORMED;
	}
	signid = X509_get_signature_nid(x);
	snprintf(ci.sig_alg, sizeof(ci.sig_alg), "%s",
		 signid != NID_undef ? OBJ_nid2ln(signid) : "unknown");
	if (OBJ_find_sigid_algs(signid, &mdnid, &pknid) == 1 && mdnid != NID_undef) {
		snprintf(ci.sig_hash, sizeof(ci.sig_hash), "%s", OBJ_nid2sn(mdnid));
	}
	ci.is_ca = (X509_get_extension_flags(x) & EXFLAG_CA) != 0;
	ci.self_signed = X509_self_signed(x, 0) == 1;
	pk = X509_get0_pubkey(x);
	if (pk != NULL && describe(pk, &ci.key) == VOUCH_OK) {
		ci.key_ok = true;
	}
	X509_free(x);
	ERR_clear_error();
	*out = ci;
	return VOUCH_OK;
}

/* ---- PKCS#12 --------------------------------------------------------------------------- */

static bool
iter_ok(vouch_p12info *pi, const X509_ALGOR *alg)
{
	uint64_t it = 0;
	int rc = alg_iter(alg, &it);

	if (rc == VOUCH_E_UNSUPPORTED) {
		return true; /* an unknown scheme: OpenSSL cannot run it either */
	}
	if (rc != VOUCH_OK) {
		it = UINT64_MAX;
	}
	pi->max_iter = VOUCH_MAX(pi->max_iter, it);
	if (it > VOUCH_P12_MAX_ITER) {
		pi->iter_refused = true;
		return false;
	}
	return true;
}

static void
add_key(vouch_p12info *pi, EVP_PKEY *pk)
{
	if (pk != NULL && pi->nkeyinfo < VOUCH_P12_MAX_KEYS &&
	    describe(pk, &pi->key[pi->nkeyinfo]) == VOUCH_OK) {
		pi->nkeyinfo++;
	}
}

/* Count and describe the bags of one SafeContents. pw == NULL with have_pw false: no
 * password known, shrouded keys stay encrypted. */
static void
walk_bags(vouch_p12info *pi, const STACK_OF(PKCS12_SAFEBAG) *bags, bool have_pw, const char *pw)
{
	int pwlen = pw != NULL ? (int)strlen(pw) : 0;

	for (int i = 0; i < sk_PKCS12_SAFEBAG_num(bags); i++) {
		const PKCS12_SAFEBAG *bag = sk_PKCS12_SAFEBAG_value(bags, i);

		switch (PKCS12_SAFEBAG_get_nid(bag)) {
		case NID_keyBag: {
			const PKCS8_PRIV_KEY_INFO *p8 = PKCS12_SAFEBAG_get0_p8inf(bag);
			EVP_PKEY *pk = p8 != NULL ? EVP_PKCS82PKEY(p8) : NULL;

			pi->nkeys++;
			add_key(pi, pk);
			EVP_PKEY_free(pk);
			break;
		}
		case NID_pkcs8ShroudedKeyBag: {
			const X509_SIG *sig = PKCS12_SAFEBAG_get0_pkcs8(bag);
			const X509_ALGOR *a = NULL;
			PKCS8_PRIV_KEY_INFO *p8 = NULL;
			EVP_PKEY *pk = NULL;

			pi->nkeys++;
			if (sig != NULL) {
				X509_SIG_get0(sig, &a, NULL);
			}
			if (!have_pw || sig == NULL || !iter_ok(pi, a)) {
				pi->nencrypted++;
				break;
			}
			p8 = PKCS8_decrypt(sig, pw, pwlen);
			pk = p8 != NULL ? EVP_PKCS82PKEY(p8) : NULL;
			if (pk == NULL) {
				pi->nencrypted++;
			}
			add_key(pi, pk);
			EVP_PKEY_free(pk);
			PKCS8_PRIV_KEY_INFO_free(p8);
			break;
		}
		case NID_certBag: pi->ncerts++; break;
		default: break; /* CRLs, secrets, nested SafeContents: not opened */
		}
	}
	ERR_clear_error();
}

static bool
p7_is(const PKCS7 *p7, int nid)
{
	return p7 != NULL && p7->type != NULL && OBJ_obj2nid(p7->type) == nid;
}

static const X509_ALGOR *
p7_alg(const PKCS7 *p7)
{
	if (!p7_is(p7, NID_pkcs7_encrypted) || p7->d.encrypted == NULL ||
	    p7->d.encrypted->enc_data == NULL) {
		return NULL;
	}
	return p7->d.encrypted->enc_data->algorithm;
}

/* Does pw open the first encrypted item (used when the file has no MAC)? */
static bool
opens(STACK_OF(PKCS7) *safes, const char *pw)
{
	int pwlen = pw != NULL ? (int)strlen(pw) : 0;

	for (int i = 0; i < sk_PKCS7_num(safes); i++) {
		PKCS7 *p7 = sk_PKCS7_value(safes, i);

		if (p7_is(p7, NID_pkcs7_encrypted)) {
			STACK_OF(PKCS12_SAFEBAG) *bags = PKCS12_unpack_p7encdata(p7, pw, pwlen);
			bool ok = bags != NULL;

			sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
			return ok;
		}
		if (p7_is(p7, NID_pkcs7_data)) {
			STACK_OF(PKCS12_SAFEBAG) *bags = PKCS12_unpack_p7data(p7);

			for (int j = 0; j < sk_PKCS12_SAFEBAG_num(bags); j++) {
				const PKCS12_SAFEBAG *bag = sk_PKCS12_SAFEBAG_value(bags, j);

				if (PKCS12_SAFEBAG_get_nid(bag) == NID_pkcs8ShroudedKeyBag) {
					PKCS8_PRIV_KEY_INFO *p8 =
						PKCS8_decrypt(PKCS12_SAFEBAG_get0_pkcs8(bag), pw, pwlen);
					bool ok = p8 != NULL;

					PKCS8_PRIV_KEY_INFO_free(p8);
					sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
					return ok;
				}
			}
			sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
		}
	}
	return false;
}

int
vouch_p12_inspect(const uint8_t *der, size_t n, const char *const *passwords, size_t npasswords,
		  vouch_p12info *out)
{
	const unsigned char *p = der;
	PKCS12 *p12;
	STACK_OF(PKCS7) *safes = NULL;
	vouch_p12info pi;
	bool have_pw = false, any_encrypted = false;
	const char *pw = NULL;

	if (n == 0 || n > KEYS_DER_MAX) {
		return VOUCH_E_MALFORMED;
	}
	p12 = d2i_PKCS12(NULL, &p, (long)n);
	if (p12 == NULL) {
		ERR_clear_error();
		return VOUCH_E_MALFORMED;
	}
	memset(&pi, 0, sizeof(pi));
	pi.password = -1;
	npasswords = VOUCH_MIN(npasswords, (size_t)VOUCH_P12_MAX_PASSWORDS);

	/* 1. every iteration count visible without a password, before any derivation */
	if (PKCS12_mac_present(p12)) {
		const ASN1_INTEGER *it = NULL;
		uint64_t mi = 1;

		pi.mac = true;
		PKCS12_get0_mac(NULL, NULL, NULL, &it, p12);
		if (it != NULL && ASN1_INTEGER_get_uint64(&mi, it) != 1) {
			mi = UINT64_MAX;
		}
		pi.max_iter = mi;
		if (mi > VOUCH_P12_MAX_ITER) {
			pi.iter_refused = true;
		}
	}
	safes = PKCS12_unpack_authsafes(p12);
	if (safes == NULL) {
		PKCS12_free(p12);
		ERR_clear_error();
		return VOUCH_E_MALFORMED;
	}
	for (int i = 0; i < sk_PKCS7_num(safes); i++) {
		PKCS7 *p7 = sk_PKCS7_value(safes, i);

		if (p7_is(p7, NID_pkcs7_encrypted)) {
			any_encrypted = true;
			if (!iter_ok(&pi, p7_alg(p7))) {
				pi.iter_refused = true;
			}
		} else if (p7_is(p7, NID_pkcs7_data)) {
			STACK_OF(PKCS12_SAFEBAG) *bags = PKCS12_unpack_p7data(p7);

			for (int j = 0; j < sk_PKCS12_SAFEBAG_num(bags); j++) {
				const PKCS12_SAFEBAG *bag = sk_PKCS12_SAFEBAG_value(bags, j);
				const X509_ALGOR *a = NULL;

				if (PKCS12_SAFEBAG_get_nid(bag) == NID_pkcs8ShroudedKeyBag) {
					any_encrypted = true;
					X509_SIG_get0(PKCS12_SAFEBAG_get0_pkcs8(bag), &a, NULL);
					if (!iter_ok(&pi, a)) {
						pi.iter_refused = true;
					}
				}
			}
			sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
		}
	}

	/* 2. which password, if any (each attempt is one derivation at a capped count) */
	if (!pi.iter_refused && (pi.mac || any_encrypted)) {
		for (size_t k = 0; k < npasswords; k++) {
			const char *cand = passwords[k];
			int clen = cand != NULL ? (int)strlen(cand) : 0;
			bool ok;

			pi.tried++;
			ok = pi.mac ? PKCS12_verify_mac(p12, cand, clen) == 1 : opens(safes, cand);
			ERR_clear_error();
			if (ok) {
				pi.password = (int)k;
				have_pw = true;
				pw = cand;
				break;
			}
		}
	}

	/* 3. open what can be opened (the password's derivations again, counts checked) */
	for (int i = 0; i < sk_PKCS7_num(safes); i++) {
		PKCS7 *p7 = sk_PKCS7_value(safes, i);
		STACK_OF(PKCS12_SAFEBAG) *bags = NULL;

		if (p7_is(p7, NID_pkcs7_data)) {
			bags = PKCS12_unpack_p7data(p7);
		} else if (p7_is(p7, NID_pkcs7_encrypted)) {
			if (have_pw && !pi.iter_refused) {
				bags = PKCS12_unpack_p7encdata(p7, pw, pw != NULL ? (int)strlen(pw) : 0);
			}
			if (bags == NULL) {
				pi.nencrypted++;
			}
		}
		if (bags != NULL) {
			walk_bags(&pi, bags, have_pw && !pi.iter_refused, pw);
			sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
		}
	}
	sk_PKCS7_pop_free(safes, PKCS7_free);
	PKCS12_free(p12);
	ERR_clear_error();
	*out = pi;
	return VOUCH_OK;
}
