/*
 * analyze/sshkey.c: OpenSSH (openssh-key-v1) and Dropbear private keys, SSH public blobs.
 *
 * Layouts (all integers big-endian, "string" = uint32 length + bytes, "mpint" = a string
 * holding a two's-complement big-endian integer, RFC 4251 §5):
 *
 *   openssh-key-v1 (OpenSSH PROTOCOL.key):
 *     "openssh-key-v1\0" string cipher, string kdf, string kdfoptions, uint32 N,
 *     N x string public-blob, string private-section
 *   private section (encrypted unless cipher is "none"):
 *     uint32 check, uint32 check, N x (string type, <private numbers>, string comment),
 *     padding 1, 2, 3, ...
 *   private numbers, OpenSSH:  ssh-rsa n e d iqmp p q | ssh-dss p q g y x |
 *     ecdsa-sha2-* string curve, string Q, mpint d | ssh-ed25519 string pk, string sk(64)
 *   Dropbear key file (what dropbearkey writes; no magic, no comment):
 *     string type, then ssh-rsa e n d p q | ssh-dss p q g y x |
 *     ecdsa-sha2-* string curve, string Q, mpint d | ssh-ed25519 string (seed || pk)
 *   public blob: string type, then ssh-rsa e n | ssh-dss p q g y |
 *     ecdsa-sha2-* string curve, string Q | ssh-ed25519 string pk
 *
 * The private numbers are never kept: they are checked against the public key by
 * crypto/keys.h (n == p*q, y == g^x, Q == d*G, pk == Ed25519(seed)) and dropped. A Dropbear
 * key is accepted only when that check passes, since its format has no magic and its type
 * names also appear in OpenSSH files and in SSH client and server binaries.
 *
 * Rejected: decrypting encrypted OpenSSH keys to try default passphrases (bcrypt_pbkdf is
 * not in libcrypto, and OpenSSH's default of 16 rounds of 64 Blowfish-based iterations makes
 * each guess slow by design); the encrypted section's cipher and rounds are reported instead.
 */
#include <string.h>

#include "analyze/sshkey.h"
#include "base/base.h"
#include "crypto/crypto.h"

/* Longest type, cipher or KDF name: the real ones are at most 40 bytes
 * ("sk-ecdsa-sha2-nistp256-cert-v01@openssh.com" is 44 and is refused as undescribed). */
#define NAME_MAX_LEN 39
/* kdfoptions of bcrypt: a 16-byte salt and a round count; 1 KiB is generous. */
#define KDFOPT_MAX 1024

typedef enum layout { L_PUBLIC, L_OPENSSH, L_DROPBEAR } layout;
typedef enum ktype { T_OTHER, T_RSA, T_DSA, T_EC, T_ED25519 } ktype;

static int
rd_string(vouch_rd *r, vouch_bytes *out, size_t max)
{
	size_t save = r->pos;
	uint32_t len;
	const uint8_t *p;

	if (vouch_rd_u32be(r, &len) != VOUCH_OK) {
		return VOUCH_E_MALFORMED;
	}
	if (len > max || vouch_rd_view(r, len, &p) != VOUCH_OK) {
		r->pos = save;
		return VOUCH_E_MALFORMED;
	}
	out->p = p;
	out->n = len;
	return VOUCH_OK;
}

/* A non-negative mpint, leading zero bytes stripped. */
static int
rd_mpint(vouch_rd *r, vouch_bytes *out)
{
	if (rd_string(r, out, VOUCH_SSHKEY_MAX_MPINT) != VOUCH_OK) {
		return VOUCH_E_MALFORMED;
	}
	if (out->n > 0 && (out->p[0] & 0x80)) {
		return VOUCH_E_MALFORMED; /* negative */
	}
	while (out->n > 0 && out->p[0] == 0) {
		out->p++;
		out->n--;
	}
	return VOUCH_OK;
}

/* A short printable name into dst (NUL-terminated). */
static int
rd_name(vouch_rd *r, char *dst, size_t cap)
{
	vouch_bytes b;

	if (rd_string(r, &b, VOUCH_MIN((size_t)NAME_MAX_LEN, cap - 1)) != VOUCH_OK || b.n == 0) {
		return VOUCH_E_MALFORMED; /* an empty name is no type (found by fuzz_sshkey) */
	}
	for (size_t i = 0; i < b.n; i++) {
		if (b.p[i] < 0x21 || b.p[i] > 0x7e) {
			return VOUCH_E_MALFORMED;
		}
	}
	memcpy(dst, b.p, b.n);
	dst[b.n] = '\0';
	return VOUCH_OK;
}

static ktype
type_of(const char *name, const char **curve)
{
	*curve = NULL;
	if (strcmp(name, "ssh-rsa") == 0) {
		return T_RSA;
	}
	if (strcmp(name, "ssh-dss") == 0) {
		return T_DSA;
	}
	if (strcmp(name, "ssh-ed25519") == 0) {
		return T_ED25519;
	}
	if (strcmp(name, "ecdsa-sha2-nistp256") == 0 || strcmp(name, "ecdsa-sha2-nistp384") == 0 ||
	    strcmp(name, "ecdsa-sha2-nistp521") == 0) {
		*curve = name + strlen("ecdsa-sha2-");
		return T_EC;
	}
	return T_OTHER;
}

/* The numbers of one key of type t after its type string, in layout l; checked and
 * described through crypto/keys.h. */
static int
read_key(vouch_rd *r, ktype t, const char *curve, layout l, vouch_keyinfo *ki)
{
	vouch_bytes a[6];
	int rc = VOUCH_E_MALFORMED;

	switch (t) {
	case T_RSA:
		if (l == L_PUBLIC) { /* e n */
			if (rd_mpint(r, &a[0]) || rd_mpint(r, &a[1])) {
				return rc;
			}
			return vouch_key_from_rsa(a[1], a[0], NULL, NULL, ki);
		}
		if (l == L_OPENSSH) { /* n e d iqmp p q */
			for (int i = 0; i < 6; i++) {
				if (rd_mpint(r, &a[i])) {
					return rc;
				}
			}
			return vouch_key_from_rsa(a[0], a[1], &a[4], &a[5], ki);
		}
		for (int i = 0; i < 5; i++) { /* dropbear: e n d p q */
			if (rd_mpint(r, &a[i])) {
				return rc;
			}
		}
		return vouch_key_from_rsa(a[1], a[0], &a[3], &a[4], ki);
	case T_DSA: { /* p q g y [x] */
		int k = l == L_PUBLIC ? 4 : 5;

		for (int i = 0; i < k; i++) {
			if (rd_mpint(r, &a[i])) {
				return rc;
			}
		}
		return vouch_key_from_dsa(a[0], a[1], a[2], a[3], l == L_PUBLIC ? NULL : &a[4], ki);
	}
	case T_EC: { /* string curve, string Q [mpint d] */
		char cname[16];

		if (rd_name(r, cname, sizeof(cname)) || strcmp(cname, curve) != 0 ||
		    rd_string(r, &a[0], 1 + 2 * 66)) {
			return rc;
		}
		if (l != L_PUBLIC && rd_mpint(r, &a[1])) {
			return rc;
		}
		return vouch_key_from_ec(curve, a[0], l == L_PUBLIC ? NULL : &a[1], ki);
	}
	case T_ED25519:
		if (l == L_PUBLIC) {
			if (rd_string(r, &a[0], 32) || a[0].n != 32) {
				return rc;
			}
			return vouch_key_from_ed25519(a[0], NULL, ki);
		}
		if (l == L_OPENSSH) { /* string pk, string sk = seed || pk */
			if (rd_string(r, &a[0], 32) || a[0].n != 32 || rd_string(r, &a[1], 64) ||
			    a[1].n != 64 || memcmp(a[1].p + 32, a[0].p, 32) != 0) {
				return rc;
			}
		} else { /* dropbear: string (seed || pk) */
			if (rd_string(r, &a[1], 64) || a[1].n != 64) {
				return rc;
			}
			a[0].p = a[1].p + 32;
			a[0].n = 32;
		}
		a[1].n = 32; /* the seed */
		return vouch_key_from_ed25519(a[0], &a[1], ki);
	case T_OTHER: break;
	}
	return VOUCH_E_UNSUPPORTED;
}

int
vouch_sshpub_parse(const uint8_t *blob, size_t n, vouch_sshkey *out)
{
	vouch_rd r;
	vouch_sshkey k;
	const char *curve;
	ktype t;

	memset(&k, 0, sizeof(k));
	vouch_rd_init(&r, blob, n);
	if (rd_name(&r, k.type, sizeof(k.type)) != VOUCH_OK ||
	    vouch_sha256_oneshot(blob, n, k.blob_sha256) != VOUCH_OK) {
		return VOUCH_E_MALFORMED;
	}
	t = type_of(k.type, &curve);
	if (t != T_OTHER) {
		if (read_key(&r, t, curve, L_PUBLIC, &k.info) != VOUCH_OK || vouch_rd_left(&r) != 0) {
			return VOUCH_E_MALFORMED;
		}
		k.described = true;
	}
	*out = k;
	return VOUCH_OK;
}

/* The unencrypted private section: check integers, each key against its public blob,
 * comments, then the 1, 2, 3... padding. */
static int
check_private(vouch_bytes sec, const vouch_openssh *o)
{
	vouch_rd r;
	uint32_t c1, c2;
	uint8_t pad;

	vouch_rd_init(&r, sec.p, sec.n);
	if (vouch_rd_u32be(&r, &c1) || vouch_rd_u32be(&r, &c2) || c1 != c2) {
		return VOUCH_E_MALFORMED;
	}
	for (unsigned i = 0; i < o->nparsed; i++) {
		char type[40];
		const char *curve;
		vouch_keyinfo ki;
		vouch_bytes comment;
		ktype t;

		if (rd_name(&r, type, sizeof(type)) || strcmp(type, o->keys[i].type) != 0) {
			return VOUCH_E_MALFORMED;
		}
		t = type_of(type, &curve);
		if (t == T_OTHER || !o->keys[i].described) {
			return VOUCH_E_UNSUPPORTED; /* layout unknown: the rest cannot be walked */
		}
		if (read_key(&r, t, curve, L_OPENSSH, &ki) != VOUCH_OK ||
		    memcmp(ki.spki_sha256, o->keys[i].info.spki_sha256, 32) != 0 ||
		    rd_string(&r, &comment, VOUCH_SSHKEY_MAX_STRING)) {
			return VOUCH_E_MALFORMED;
		}
	}
	for (uint8_t want = 1; vouch_rd_left(&r) > 0; want++) {
		if (vouch_rd_u8(&r, &pad) || pad != want) {
			return VOUCH_E_MALFORMED;
		}
	}
	return VOUCH_OK;
}

int
vouch_openssh_parse(const uint8_t *p, size_t n, vouch_openssh *out)
{
	vouch_rd r;
	vouch_openssh o;
	vouch_bytes kdfopt, sec;
	const uint8_t *magic;

	memset(&o, 0, sizeof(o));
	vouch_rd_init(&r, p, n);
	if (vouch_rd_view(&r, VOUCH_OPENSSH_MAGIC_LEN, &magic) != VOUCH_OK ||
	    memcmp(magic, VOUCH_OPENSSH_MAGIC, VOUCH_OPENSSH_MAGIC_LEN) != 0) {
		return VOUCH_E_MALFORMED;
	}
	if (rd_name(&r, o.cipher, sizeof(o.cipher)) || rd_name(&r, o.kdf, sizeof(o.kdf)) ||
	    rd_string(&r, &kdfopt, KDFOPT_MAX) || vouch_rd_u32be(&r, &o.nkeys)) {
		return VOUCH_E_MALFORMED;
	}
	if (strcmp(o.kdf, "bcrypt") == 0) {
		vouch_rd kr;
		vouch_bytes salt;

		vouch_rd_init(&kr, kdfopt.p, kdfopt.n);
		if (rd_string(&kr, &salt, KDFOPT_MAX) || vouch_rd_u32be(&kr, &o.rounds)) {
			return VOUCH_E_MALFORMED;
		}
	} else if (strcmp(o.kdf, "none") != 0 || kdfopt.n != 0) {
		return VOUCH_E_MALFORMED;
	}
	o.encrypted = strcmp(o.cipher, "none") != 0;
	if (o.encrypted != (strcmp(o.kdf, "none") != 0)) {
		return VOUCH_E_MALFORMED;
	}
	if (o.nkeys == 0) {
		return VOUCH_E_MALFORMED;
	}
	if (o.nkeys > VOUCH_SSHKEY_MAX_KEYS) {
		return VOUCH_E_LIMIT;
	}
	for (uint32_t i = 0; i < o.nkeys; i++) {
		vouch_bytes pub;

		if (rd_string(&r, &pub, VOUCH_SSHKEY_MAX_STRING) ||
		    vouch_sshpub_parse(pub.p, pub.n, &o.keys[i]) != VOUCH_OK) {
			return VOUCH_E_MALFORMED;
		}
		o.nparsed++;
	}
	if (rd_string(&r, &sec, VOUCH_SSHKEY_MAX_STRING) || sec.n == 0 || sec.n % 8 != 0) {
		return VOUCH_E_MALFORMED;
	}
	o.len = r.pos;
	if (!o.encrypted) {
		int rc = check_private(sec, &o);

		if (rc == VOUCH_E_MALFORMED) {
			return rc;
		}
		o.verified = rc == VOUCH_OK;
	}
	*out = o;
	return VOUCH_OK;
}

int
vouch_dropbear_parse(const uint8_t *p, size_t n, vouch_dropbear *out)
{
	vouch_rd r;
	vouch_dropbear d;
	const char *curve;
	ktype t;
	int rc;

	memset(&d, 0, sizeof(d));
	vouch_rd_init(&r, p, n);
	if (rd_name(&r, d.key.type, sizeof(d.key.type)) != VOUCH_OK) {
		return VOUCH_E_MALFORMED;
	}
	t = type_of(d.key.type, &curve);
	if (t == T_OTHER) {
		return VOUCH_E_UNSUPPORTED;
	}
	rc = read_key(&r, t, curve, L_DROPBEAR, &d.key.info);
	if (rc != VOUCH_OK) {
		return rc == VOUCH_E_UNSUPPORTED ? rc : VOUCH_E_MALFORMED;
	}
	if (!d.key.info.has_ssh) {
		return VOUCH_E_MALFORMED;
	}
	d.key.described = true;
	memcpy(d.key.blob_sha256, d.key.info.ssh_sha256, 32);
	d.len = r.pos;
	*out = d;
	return VOUCH_OK;
}
