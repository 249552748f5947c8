/*
 * crypto/ed25519.c: Ed25519 key pairs, signing, verification and key files (OpenSSL EVP).
 *
 * A key keeps its 32-byte seed (for the key file), its public key and one EVP_PKEY built
 * from the seed, so signing costs no re-parse. Signing is pure Ed25519 (RFC 8032, no
 * pre-hash) through EVP_DigestSign with a NULL digest; it is deterministic, which the tests
 * use to reproduce published signatures byte for byte.
 *
 * The key file is the signed-note private key line (see sign.h). Saving writes through
 * open(O_CREAT|O_EXCL|O_NOFOLLOW, 0600), so an existing file or a planted symlink is never
 * followed or replaced; loading refuses a key that others may read (like ssh does), since a
 * leaked log key lets anyone fork the log. Secrets are wiped with OPENSSL_cleanse.
 *
 * Rejected: PEM PKCS#8 (no place for the signing name, and Go's note package cannot read
 * it); keeping only the EVP_PKEY (extracting the seed back out of it for the key file works,
 * but keeping the seed is simpler and the seed must be wiped either way).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/b64.h"
#include "base/base.h"
#include "base/utf8.h"
#include "crypto/crypto.h"
#include "crypto/sign.h"

struct vouch_ed25519_key {
	char *name;
	uint8_t seed[VOUCH_ED25519_SEED_LEN];
	uint8_t pub[VOUCH_ED25519_PUB_LEN];
	EVP_PKEY *pkey;
};

static const char key_prefix[] = "PRIVATE+KEY+";

int
vouch_key_name_ok(const char *name, size_t len)
{
	const uint8_t *p = (const uint8_t *)name;
	size_t i = 0;

	if (len == 0 || len > VOUCH_KEY_NAME_MAX) {
		return 0;
	}
	while (i < len) {
		uint32_t cp;
		size_t k = vouch_utf8_next(p + i, len - i, &cp);

		if (k == 0 || cp == '+' || cp < 0x20 || cp == 0x7f || vouch_utf8_is_space(cp)) {
			return 0;
		}
		i += k;
	}
	return 1;
}

int
vouch_sig_keyid(const char *name, size_t name_len, uint8_t type,
		const uint8_t pub[VOUCH_ED25519_PUB_LEN], uint32_t *id)
{
	uint8_t sep[2] = {'\n', type};
	uint8_t d[VOUCH_SHA256_LEN];
	vouch_sha256 *h = NULL;
	int err;

	err = vouch_sha256_new(&h);
	if (err != VOUCH_OK) {
		return err;
	}
	if ((err = vouch_sha256_update(h, name, name_len)) != VOUCH_OK ||
	    (err = vouch_sha256_update(h, sep, sizeof(sep))) != VOUCH_OK ||
	    (err = vouch_sha256_update(h, pub, VOUCH_ED25519_PUB_LEN)) != VOUCH_OK ||
	    (err = vouch_sha256_final(h, d)) != VOUCH_OK) {
		goto out;
	}
	*id = vouch_load_u32be(d);
out:
	vouch_sha256_free(h);
	return err;
}

void
vouch_secure_free(void *p, size_t n)
{
	if (p == NULL) {
		return;
	}
	OPENSSL_cleanse(p, n);
	free(p);
}

void
vouch_ed25519_free(vouch_ed25519_key *k)
{
	if (k == NULL) {
		return;
	}
	EVP_PKEY_free(k->pkey);
	free(k->name);
	OPENSSL_cleanse(k, sizeof(*k));
	free(k);
}

int
vouch_ed25519_from_seed(const char *name, const uint8_t seed[VOUCH_ED25519_SEED_LEN],
			vouch_ed25519_key **out)
{
	vouch_ed25519_key *k = NULL;
	size_t publen = VOUCH_ED25519_PUB_LEN;
	size_t nlen;
	int err = VOUCH_E_INTERNAL;

	if (name == NULL || !vouch_key_name_ok(name, strlen(name))) {
		return VOUCH_E_USAGE;
	}
	nlen = strlen(name);
	k = calloc(1, sizeof(*k));
	if (k == NULL) {
		return VOUCH_E_NOMEM;
	}
	k->name = malloc(nlen + 1);
	if (k->name == NULL) {
		err = VOUCH_E_NOMEM;
		goto out;
	}
	memcpy(k->name, name, nlen + 1);
	memcpy(k->seed, seed, VOUCH_ED25519_SEED_LEN);
	k->pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed,
					       VOUCH_ED25519_SEED_LEN);
	if (k->pkey == NULL) {
		goto out;
	}
	if (EVP_PKEY_get_raw_public_key(k->pkey, k->pub, &publen) != 1 ||
	    publen != VOUCH_ED25519_PUB_LEN) {
		goto out;
	}
	*out = k;
	k = NULL;
	err = VOUCH_OK;
out:
	vouch_ed25519_free(k);
	return err;
}

int
vouch_ed25519_generate(const char *name, vouch_ed25519_key **out)
{
	uint8_t seed[VOUCH_ED25519_SEED_LEN];
	int err;

	if (name == NULL || !vouch_key_name_ok(name, strlen(name))) {
		return VOUCH_E_USAGE;
	}
	if (RAND_priv_bytes(seed, sizeof(seed)) != 1) {
		return VOUCH_E_INTERNAL;
	}
	err = vouch_ed25519_from_seed(name, seed, out);
	OPENSSL_cleanse(seed, sizeof(seed));
	return err;
}

const char *
vouch_ed25519_name(const vouch_ed25519_key *k)
{
	return k->name;
}

void
vouch_ed25519_public(const vouch_ed25519_key *k, uint8_t pub[VOUCH_ED25519_PUB_LEN])
{
	memcpy(pub, k->pub, VOUCH_ED25519_PUB_LEN);
}

int
vouch_ed25519_sign(const vouch_ed25519_key *k, const void *msg, size_t n,
		   uint8_t sig[VOUCH_ED25519_SIG_LEN])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t siglen = VOUCH_ED25519_SIG_LEN;
	int err = VOUCH_E_INTERNAL;

	if (ctx == NULL) {
		return VOUCH_E_NOMEM;
	}
	if (EVP_DigestSignInit(ctx, NULL, NULL, NULL, k->pkey) != 1) {
		goto out;
	}
	/* OpenSSL wants a non-NULL pointer even for an empty message. */
	if (EVP_DigestSign(ctx, sig, &siglen, n == 0 ? (const uint8_t *)"" : msg, n) != 1 ||
	    siglen != VOUCH_ED25519_SIG_LEN) {
		goto out;
	}
	err = VOUCH_OK;
out:
	EVP_MD_CTX_free(ctx);
	return err;
}

int
vouch_ed25519_verify(const uint8_t pub[VOUCH_ED25519_PUB_LEN], const void *msg, size_t n,
		     const uint8_t sig[VOUCH_ED25519_SIG_LEN])
{
	EVP_PKEY *pk;
	EVP_MD_CTX *ctx = NULL;
	int err = VOUCH_E_VERIFY;
	int r;

	pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, VOUCH_ED25519_PUB_LEN);
	if (pk == NULL) {
		return VOUCH_E_VERIFY; /* not a usable public key: an answer, not an error */
	}
	ctx = EVP_MD_CTX_new();
	if (ctx == NULL) {
		err = VOUCH_E_NOMEM;
		goto out;
	}
	if (EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pk) != 1) {
		err = VOUCH_E_INTERNAL;
		goto out;
	}
	r = EVP_DigestVerify(ctx, sig, VOUCH_ED25519_SIG_LEN,
			     n == 0 ? (const uint8_t *)"" : msg, n);
	err = r == 1 ? VOUCH_OK : VOUCH_E_VERIFY;
out:
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pk);
	return err;
}

int
vouch_ed25519_format(const vouch_ed25519_key *k, char **out)
{
	uint8_t raw[1 + VOUCH_ED25519_SEED_LEN];
	char b64[VOUCH_B64_ENC_LEN(sizeof(raw)) + 1];
	size_t cap;
	uint32_t id;
	char *s;
	int err;

	err = vouch_sig_keyid(k->name, strlen(k->name), VOUCH_SIGTYPE_ED25519, k->pub, &id);
	if (err != VOUCH_OK) {
		return err;
	}
	raw[0] = VOUCH_SIGTYPE_ED25519;
	memcpy(raw + 1, k->seed, VOUCH_ED25519_SEED_LEN);
	vouch_b64_encode(b64, raw, sizeof(raw));
	cap = sizeof(key_prefix) + strlen(k->name) + 1 + 8 + 1 + sizeof(b64) + 2;
	s = malloc(cap);
	if (s == NULL) {
		err = VOUCH_E_NOMEM;
		goto out;
	}
	snprintf(s, cap, "%s%s+%08x+%s\n", key_prefix, k->name, (unsigned)id, b64);
	*out = s;
out:
	OPENSSL_cleanse(raw, sizeof(raw));
	OPENSSL_cleanse(b64, sizeof(b64));
	return err;
}

/* Parse exactly 8 lowercase hex digits. */
static int
parse_hex32(const char *s, size_t len, uint32_t *v)
{
	uint32_t x = 0;

	if (len != 8) {
		return VOUCH_E_MALFORMED;
	}
	for (size_t i = 0; i < 8; i++) {
		char c = s[i];
		uint32_t d;

		if (c >= '0' && c <= '9') {
			d = (uint32_t)(c - '0');
		} else if (c >= 'a' && c <= 'f') {
			d = (uint32_t)(c - 'a' + 10);
		} else {
			return VOUCH_E_MALFORMED;
		}
		x = (x << 4) | d;
	}
	*v = x;
	return VOUCH_OK;
}

int
vouch_ed25519_parse(const char *text, size_t len, vouch_ed25519_key **out)
{
	const size_t plen = sizeof(key_prefix) - 1;
	uint8_t raw[1 + VOUCH_ED25519_SEED_LEN + 3];
	char name[VOUCH_KEY_NAME_MAX + 1];
	const char *p, *e, *nm, *hx, *b;
	size_t nlen, hlen, blen, rawlen = 0;
	vouch_ed25519_key *k = NULL;
	uint32_t want, got;
	int err;

	if (len > 0 && text[len - 1] == '\n') {
		len--;
	}
	if (len < plen || memcmp(text, key_prefix, plen) != 0) {
		return VOUCH_E_MALFORMED;
	}
	/* name+hex+base64: the name cannot contain '+', base64 can, so split from the left. */
	p = text + plen;
	e = text + len;
	nm = p;
	p = memchr(nm, '+', (size_t)(e - nm));
	if (p == NULL) {
		return VOUCH_E_MALFORMED;
	}
	nlen = (size_t)(p - nm);
	hx = p + 1;
	p = memchr(hx, '+', (size_t)(e - hx));
	if (p == NULL) {
		return VOUCH_E_MALFORMED;
	}
	hlen = (size_t)(p - hx);
	b = p + 1;
	blen = (size_t)(e - b);
	if (!vouch_key_name_ok(nm, nlen) || parse_hex32(hx, hlen, &want) != VOUCH_OK) {
		return VOUCH_E_MALFORMED;
	}
	if (vouch_b64_decode(raw, sizeof(raw), b, blen, &rawlen) != VOUCH_OK ||
	    rawlen != 1 + VOUCH_ED25519_SEED_LEN || raw[0] != VOUCH_SIGTYPE_ED25519) {
		err = VOUCH_E_MALFORMED;
		goto out;
	}
	memcpy(name, nm, nlen);
	name[nlen] = '\0';
	err = vouch_ed25519_from_seed(name, raw + 1, &k);
	if (err != VOUCH_OK) {
		err = err == VOUCH_E_USAGE ? VOUCH_E_MALFORMED : err;
		goto out;
	}
	err = vouch_sig_keyid(name, nlen, VOUCH_SIGTYPE_ED25519, k->pub, &got);
	if (err != VOUCH_OK) {
		goto out;
	}
	if (got != want) {
		err = VOUCH_E_MALFORMED;
		goto out;
	}
	*out = k;
	k = NULL;
out:
	vouch_ed25519_free(k);
	OPENSSL_cleanse(raw, sizeof(raw));
	return err;
}

int
vouch_ed25519_load(const char *path, vouch_ed25519_key **out)
{
	char buf[VOUCH_KEY_FILE_MAX + 1];
	struct stat st;
	size_t n = 0;
	int fd, err;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		return errno == ELOOP ? VOUCH_E_UNSAFE : VOUCH_E_IO;
	}
	if (fstat(fd, &st) != 0) {
		err = VOUCH_E_IO;
		goto out;
	}
	if (!S_ISREG(st.st_mode) || (st.st_mode & 077) != 0) {
		err = VOUCH_E_UNSAFE;
		goto out;
	}
	if (st.st_size > VOUCH_KEY_FILE_MAX) {
		err = VOUCH_E_MALFORMED;
		goto out;
	}
	for (;;) {
		ssize_t r = read(fd, buf + n, sizeof(buf) - n);

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
		n += (size_t)r;
		if (n == sizeof(buf)) {
			err = VOUCH_E_MALFORMED; /* grew past the limit while we read */
			goto out;
		}
	}
	err = vouch_ed25519_parse(buf, n, out);
out:
	OPENSSL_cleanse(buf, sizeof(buf));
	close(fd);
	return err;
}

int
vouch_ed25519_save(const vouch_ed25519_key *k, const char *path)
{
	char *text = NULL;
	size_t len;
	bool created = false;
	int fd = -1, err;

	err = vouch_ed25519_format(k, &text);
	if (err != VOUCH_OK) {
		return err;
	}
	len = strlen(text);
	err = VOUCH_E_IO;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd < 0) {
		goto out;
	}
	created = true;
	/* The umask cannot widen 0600, but it could narrow it: make the mode exact. */
	if (fchmod(fd, 0600) != 0) {
		goto out;
	}
	if (vouch_write_all(fd, text, len) != VOUCH_OK) {
		goto out;
	}
	if (fsync(fd) != 0) {
		goto out;
	}
	err = close(fd) == 0 ? VOUCH_OK : VOUCH_E_IO;
	fd = -1;
out:
	if (fd >= 0) {
		close(fd);
	}
	if (err != VOUCH_OK && created) {
		int saved = errno;

		unlink(path); /* never leave a truncated key behind */
		errno = saved;
	}
	vouch_secure_free(text, len + 1);
	return err;
}
