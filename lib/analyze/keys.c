/*
 * analyze/keys.c: private keys and certificates anywhere in an image (the keys analyser).
 *
 * What it finds. Private keys in PEM (PKCS#1 RSA, SEC1 EC, DSA, PKCS#8, encrypted PKCS#8,
 * legacy "Proc-Type: 4,ENCRYPTED" PEM, OpenSSH), raw DER found by shape inside any file
 * (PKCS#1, SEC1, PKCS#8, encrypted PKCS#8, PKCS#12), the binary openssh-key-v1 container, and
 * Dropbear key files; X.509 certificates in PEM or DER. Each key is reported once as
 * "key.private-key" (critical when readable without a password, high otherwise) with its
 * type, size and public-key fingerprint; certificates give "certificate.expired",
 * ".weak-key", ".weak-signature", ".ca" and ".self-signed".
 *
 * How. The driver scans every file once with all analysers' patterns (one vectorscan
 * database) and calls file() with this analyser's hits. Patterns are markers only (a PEM
 * BEGIN line, the OpenSSH magic, the first bytes of a DER SEQUENCE of a known shape, a
 * Dropbear type string); file() then parses from each hit, bounded, over the file's content
 * (the analyser asks for it: keys hide in any file) or, in files too large to hold, over the
 * hit's context. Parsing of bytes is done here and in sshkey.c through vouch_rd; keys and
 * certificates themselves are decoded by libcrypto (crypto/keys.h). A marker is only
 * reported once something parsed: the BEGIN lines of PEM also sit as string constants in
 * ssh-keygen, libssl and friends, and a clean Debian root file system must give no key
 * findings. Hits inside an object already parsed (a PKCS#8 inside a PKCS#12, a Dropbear type
 * string inside an OpenSSH key) are skipped.
 *
 * Certificate bundles and trust stores do not flood. A file holding KEYS_BUNDLE_MIN or more
 * certificates is a bundle: it gets one "certificate.bundle" summary (counts), no per-member
 * .ca / .self-signed findings, and its members are flagged only for an expired date or a
 * weak key, at most KEYS_BUNDLE_FLAGGED per file (the rest counted in the summary). A weak
 * signature on a self-signed member of a bundle is not flagged: a trust anchor's signature is
 * never checked (RFC 5280 §6.1: the path starts at the anchor's key). Files under a known
 * trust-store directory (usr/share/ca-certificates, etc/ssl/certs, ...) are treated the same
 * way, one file per certificate, and summarised once per directory in finish().
 *
 * Containers. A file that the unpacker opened (tar, cpio, ext image...) still shows its
 * members' bytes raw, so a key in /etc of an ext image is seen in the image and in the
 * member. Findings from a file that is a container are therefore held until finish(), and
 * dropped there if they lie inside a region that was opened (the member reports them).
 *
 * Across files and images. finish() flags a public-key fingerprint seen twice in one image
 * ("key.repeated-private-key", info) and, with opts->key_registry, one seen before in a
 * different image ("key.shared-private-key", critical: every unit shipped with that image
 * holds the same key). The registry is a text file keys.tsv in that directory, one line per
 * (fingerprint, image SHA-256, path), appended under flock(); a re-scan of the same image
 * adds nothing. Rejected: SQLite (a single append-only table needs no query engine, and the
 * text stays greppable); keeping private-key bytes (only public fingerprints are stored).
 *
 * Encrypted keys without a public part (encrypted PKCS#8, legacy encrypted PEM, PKCS#12
 * whose password is unknown) are identified by "sha256-blob:" + SHA-256 of their DER, which
 * still matches the same file shipped twice. PKCS#12 files are tried with the empty password
 * and a few vendor defaults (crypto/keys.h caps iteration counts and attempts).
 */
#include <errno.h>
#include <fcntl.h>
#include <hs/hs.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "analyze/analyzer.h"
#include "analyze/sshkey.h"
#include "base/b64.h"
#include "base/base.h"
#include "crypto/crypto.h"
#include "crypto/keys.h"

/* ---- limits (each with its reason) ---------------------------------------------------- */

/* Markers examined in one file: a real file has a handful; a file of repeated BEGIN lines
 * must not cost a parse each. */
#define KEYS_MAX_HITS 4096
/* Private keys reported per file: a key store holds a few dozen at most. */
#define KEYS_MAX_KEYS_PER_FILE 64
/* Certificates examined per file: Mozilla's bundle holds ~150, Java's cacerts ~140. */
#define KEYS_MAX_CERTS_PER_FILE 1024
/* PKCS#12 structures tried per file: each may cost VOUCH_P12_MAX_PASSWORDS derivations. */
#define KEYS_MAX_P12_PER_FILE 4
/* Base64 characters in one PEM block: an RSA-16384 private key is ~12.5 KiB of base64, a
 * large certificate a few KiB. */
#define KEYS_MAX_PEM_BODY (64u << 10)
/* Largest DER object parsed (see crypto/keys.c, which refuses more). */
#define KEYS_MAX_DER (1u << 20)
/* Top-level elements of a DER key checked before libcrypto sees it (RSAPrivateKey has 9). */
#define KEYS_MAX_DER_ELEMS 16
/* PEM header lines (Proc-Type, DEK-Info) skipped before the body, and their length. */
#define KEYS_MAX_PEM_HEADERS 8
#define KEYS_MAX_PEM_HEADER_LEN 256
/* Objects remembered per file so that markers inside them are skipped. */
#define KEYS_MAX_CLAIMS 1024
/* A file with at least this many certificates is a bundle (summarised). */
#define KEYS_BUNDLE_MIN 5
/* Members of a bundle or trust store flagged individually per file. */
#define KEYS_BUNDLE_FLAGGED 16
/* Key sightings kept for the cross-file and cross-image checks. */
#define KEYS_MAX_SIGHTINGS 4096
/* Findings held back from container files until finish(). */
#define KEYS_MAX_PENDING 8192
/* Trust-store directories summarised. */
#define KEYS_MAX_STORES 64
/* Longest registry line read; longer ones (not written by us) are skipped. */
#define KEYS_REG_LINE_MAX 1024
/* A PEM body must decode to at least this many bytes before a block that fails to parse is
 * reported as an unparsed key (string constants in binaries have no body). */
#define KEYS_UNPARSED_MIN 64

/* Passwords tried on PKCS#12 files: none, empty, then common vendor and tool defaults
 * ("changeit": Java keytool; the others: common device defaults). */
static const char *const p12_passwords[] = {
	NULL, "", "password", "changeit", "123456", "admin", "1234", "secret",
};

/* ---- patterns -------------------------------------------------------------------------- */

enum {
	P_PEM_PRIV = 1,
	P_PEM_CERT,
	P_OPENSSH,
	P_DER_PKCS1, /* RSAPrivateKey, or the traditional DSA form: INTEGER 0, INTEGER n|p */
	P_DER_PKCS8, /* PrivateKeyInfo: INTEGER 0|1, AlgorithmIdentifier */
	P_DER_SEC1,  /* ECPrivateKey: INTEGER 1, OCTET STRING d */
	P_DER_P8ENC, /* EncryptedPrivateKeyInfo with PBES2 or a PKCS#12 PBE */
	P_DER_P12,   /* PFX: INTEGER 3, ContentInfo data */
	P_DER_CERT,  /* Certificate: TBSCertificate starting with [0] version v2/v3 */
	P_DROPBEAR,
};

#define DOTALL HS_FLAG_DOTALL
static const vouch_apattern keys_patterns[] = {
	{"-----BEGIN (?:[A-Z0-9]+ ){0,3}PRIVATE KEY-----", 0, P_PEM_PRIV},
	{"-----BEGIN (?:X509 |TRUSTED )?CERTIFICATE-----", 0, P_PEM_CERT},
	{"openssh-key-v1\\x00", 0, P_OPENSSH},
	{"\\x30\\x82..\\x02\\x01\\x00\\x02(?:\\x81|\\x82|\\x41\\x00)", DOTALL, P_DER_PKCS1},
	{"\\x30(?:\\x82..|\\x81.|[\\x20-\\x7f])\\x02\\x01[\\x00\\x01]\\x30[\\x05-\\x7f]\\x06"
	 "[\\x03-\\x09]",
	 DOTALL, P_DER_PKCS8},
	{"\\x30(?:\\x81.|[\\x30-\\x7f])\\x02\\x01\\x01\\x04[\\x18-\\x42]", DOTALL, P_DER_SEC1},
	{"\\x30(?:\\x82..|\\x81.)\\x30(?:\\x81.|[\\x0d-\\x7f])\\x06(?:\\x09\\x2a\\x86\\x48\\x86\\xf7"
	 "\\x0d\\x01\\x05\\x0d|\\x0a\\x2a\\x86\\x48\\x86\\xf7\\x0d\\x01\\x0c\\x01[\\x01-\\x06])",
	 DOTALL, P_DER_P8ENC},
	{"\\x30(?:\\x82..|\\x83...|\\x80)\\x02\\x01\\x03\\x30(?:\\x82..|\\x83...|\\x80)\\x06\\x09"
	 "\\x2a\\x86\\x48\\x86\\xf7\\x0d\\x01\\x07\\x01",
	 DOTALL, P_DER_P12},
	{"\\x30(?:\\x82..|\\x81.)\\x30(?:\\x82..|\\x81.)\\xa0\\x03\\x02\\x01[\\x01\\x02]", DOTALL,
	 P_DER_CERT},
	{"\\x00\\x00\\x00(?:\\x07ssh-(?:rsa|dss)|\\x0bssh-ed25519|\\x13ecdsa-sha2-nistp"
	 "(?:256|384|521))",
	 0, P_DROPBEAR},
};

/* ---- state ----------------------------------------------------------------------------- */

typedef struct pending {
	char *id, *title, *path, *evidence, *detail, *fingerprint;
	size_t evlen;
	vouch_severity sev;
	uint64_t offset;
	bool is_key;
	char *keydesc;
} pending;

typedef struct sighting {
	char *fp;      /* fingerprint string */
	char *path;
	char *desc;    /* "RSA 2048" */
	uint64_t offset;
} sighting;

typedef struct store {
	char *dir;
	unsigned files, certs, ca, expired, weak_key, weak_sig, flagged;
} store;

typedef struct keys_state {
	pthread_mutex_t mu;
	pending *pend;
	size_t npend, cappend, dropped_pending;
	sighting *sight;
	size_t nsight, capsight;
	store stores[KEYS_MAX_STORES];
	size_t nstores;
	int64_t now;
} keys_state;

/* Per-file work. */
typedef struct claim {
	uint64_t from, to;
} claim;

typedef struct certrec {
	vouch_certinfo ci;
	uint64_t offset;
} certrec;

typedef struct fctx {
	const vouch_actx *ctx;
	keys_state *st;
	const vouch_afile *af;
	bool defer;       /* the file is a container: hold findings until finish */
	claim claims[KEYS_MAX_CLAIMS];
	size_t nclaims;
	unsigned nkeys, np12;
	bool keys_limit, certs_limit;
	certrec *certs;
	size_t ncerts, capcerts;
} fctx;

/* A view of bytes around one hit: the whole file, or the hit's context. */
typedef struct span {
	const uint8_t *p;
	size_t n;
	uint64_t base; /* file offset of p[0] */
	size_t at;     /* index of the hit in p */
} span;

/* ---- small helpers --------------------------------------------------------------------- */

static void
hex(char *dst, const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		dst[2 * i] = digits[p[i] >> 4];
		dst[2 * i + 1] = digits[p[i] & 15];
	}
	dst[2 * n] = '\0';
}

/* ssh-keygen's "SHA256:<base64 without padding>". */
static void
ssh_fp(char out[56], const uint8_t d[32])
{
	char b[VOUCH_B64_ENC_LEN(32) + 1];
	size_t n = vouch_b64_encode(b, d, 32);

	while (n > 0 && b[n - 1] == '=') {
		b[--n] = '\0';
	}
	snprintf(out, 56, "SHA256:%s", b);
}

/* Append to a NUL-terminated buffer, cutting at its end. */
static void VOUCH_PRINTF(3, 4)
app(char *buf, size_t cap, const char *fmt, ...)
{
	size_t used = strnlen(buf, cap);
	va_list ap;

	if (used + 1 >= cap) {
		return;
	}
	va_start(ap, fmt);
	vsnprintf(buf + used, cap - used, fmt, ap);
	va_end(ap);
}

static char *
xstrdup(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

static bool
claimed(const fctx *fc, uint64_t off)
{
	for (size_t i = 0; i < fc->nclaims; i++) {
		if (off >= fc->claims[i].from && off < fc->claims[i].to) {
			return true;
		}
	}
	return false;
}

static void
claim_range(fctx *fc, uint64_t from, uint64_t len)
{
	if (fc->nclaims < KEYS_MAX_CLAIMS) {
		fc->claims[fc->nclaims].from = from;
		fc->claims[fc->nclaims].to = from + len;
		fc->nclaims++;
	}
}

static const char *
category_of(const char *id)
{
	if (strncmp(id, "key.", 4) == 0) {
		return "key";
	}
	if (strncmp(id, "certificate.", 12) == 0) {
		return "certificate";
	}
	return "limit";
}

/* Remember a key for the cross-file checks (st->mu held). */
static void
sight_locked(keys_state *st, const char *fp, const char *path, uint64_t off, const char *desc)
{
	sighting *s;

	if (fp == NULL || st->nsight >= KEYS_MAX_SIGHTINGS) {
		return;
	}
	if (st->nsight == st->capsight) {
		size_t cap = st->capsight ? st->capsight * 2 : 32;
		sighting *n = realloc(st->sight, cap * sizeof(*n));

		if (n == NULL) {
			return;
		}
		st->sight = n;
		st->capsight = cap;
	}
	s = &st->sight[st->nsight];
	s->fp = strdup(fp);
	s->path = strdup(path);
	s->desc = strdup(desc != NULL ? desc : "");
	s->offset = off;
	if (s->fp == NULL || s->path == NULL || s->desc == NULL) {
		free(s->fp);
		free(s->path);
		free(s->desc);
		return;
	}
	st->nsight++;
}

static void
pending_free(pending *p)
{
	free(p->id);
	free(p->title);
	free(p->path);
	free(p->evidence);
	free(p->detail);
	free(p->fingerprint);
	free(p->keydesc);
}

/* One finding: now, or held until finish() when the file is a container. keydesc != NULL
 * marks a private key (remembered for the cross-file checks). */
static void
emit(fctx *fc, const char *id, vouch_severity sev, const char *title, uint64_t off,
     const char *ev, size_t evlen, const char *detail, const char *fp, const char *keydesc)
{
	keys_state *st = fc->st;

	if (!fc->defer) {
		vouch_afind(fc->ctx, id, category_of(id), sev, title, fc->af->f, off, ev, evlen,
			    detail, fp);
		if (keydesc != NULL) {
			pthread_mutex_lock(&st->mu);
			sight_locked(st, fp, fc->af->f->path, off, keydesc);
			pthread_mutex_unlock(&st->mu);
		}
		return;
	}
	pthread_mutex_lock(&st->mu);
	if (st->npend >= KEYS_MAX_PENDING) {
		st->dropped_pending++;
		goto out;
	}
	if (st->npend == st->cappend) {
		size_t cap = st->cappend ? st->cappend * 2 : 32;
		pending *n = realloc(st->pend, cap * sizeof(*n));

		if (n == NULL) {
			st->dropped_pending++;
			goto out;
		}
		st->pend = n;
		st->cappend = cap;
	}
	pending *p = &st->pend[st->npend];
	memset(p, 0, sizeof(*p));
	p->id = xstrdup(id);
	p->title = xstrdup(title);
	p->path = xstrdup(fc->af->f->path);
	p->evidence = malloc(evlen + 1);
	p->detail = xstrdup(detail);
	p->fingerprint = xstrdup(fp);
	p->keydesc = xstrdup(keydesc);
	p->evlen = evlen;
	p->sev = sev;
	p->offset = off;
	p->is_key = keydesc != NULL;
	if (p->evidence != NULL) {
		memcpy(p->evidence, ev, evlen);
		p->evidence[evlen] = '\0';
	}
	if (p->id == NULL || p->title == NULL || p->path == NULL || p->evidence == NULL ||
	    (detail != NULL && p->detail == NULL) || (fp != NULL && p->fingerprint == NULL) ||
	    (keydesc != NULL && p->keydesc == NULL)) {
		pending_free(p);
		st->dropped_pending++;
		goto out;
	}
	st->npend++;
out:
	pthread_mutex_unlock(&st->mu);
}

/* ---- reporting a key ------------------------------------------------------------------- */

typedef struct keyrec {
	const char *format;    /* "pem-pkcs1", "der-pkcs8", "openssh", "dropbear", "pkcs12", ... */
	bool encrypted;
	bool described;        /* ki is filled */
	vouch_keyinfo ki;
	const char *type_hint; /* type when not described (from a PEM label), or NULL */
	bool has_blob;         /* fingerprint of the encrypted object itself */
	uint8_t blob[32];
	bool has_sshblob;      /* SSH fingerprint from the file's own public blob */
	uint8_t sshblob[32];
	const char *ssh_type;  /* SSH key type name, or NULL */
	char extra[192];       /* format details, "cipher=aes256-ctr; kdf=bcrypt; rounds=16" */
	bool nopass;           /* readable with no or a default password (PKCS#12) */
} keyrec;

static void
report_key(fctx *fc, const keyrec *k, uint64_t off, const char *ev, size_t evlen)
{
	char fp[80] = "", sshfp[56] = "", detail[640] = "", title[160], desc[48], size[24] = "";
	const char *type = k->described ? k->ki.type : (k->type_hint ? k->type_hint : "unknown");
	bool readable = !k->encrypted || k->nopass;

	if (fc->nkeys >= KEYS_MAX_KEYS_PER_FILE) {
		if (!fc->keys_limit) {
			fc->keys_limit = true;
			char d[32];

			snprintf(d, sizeof(d), "max=%u", KEYS_MAX_KEYS_PER_FILE);
			emit(fc, "limit.keys", VOUCH_SEV_INFO,
			     "more private keys in this file than the analyser reports", off, ev,
			     evlen, d, NULL, NULL);
		}
		return;
	}
	fc->nkeys++;
	if (k->described) {
		char h[65];

		hex(h, k->ki.spki_sha256, 32);
		snprintf(fp, sizeof(fp), "sha256:%s", h);
		if (k->ki.curve[0] != '\0') {
			snprintf(size, sizeof(size), "%s", k->ki.curve);
		} else if (k->ki.bits > 0) {
			snprintf(size, sizeof(size), "%u bits", k->ki.bits);
		}
	} else if (k->has_sshblob) {
		ssh_fp(sshfp, k->sshblob);
		snprintf(fp, sizeof(fp), "ssh-%s", sshfp);
	} else if (k->has_blob) {
		char h[65];

		hex(h, k->blob, 32);
		snprintf(fp, sizeof(fp), "sha256-blob:%s", h);
	}
	if (k->has_sshblob) {
		ssh_fp(sshfp, k->sshblob);
	} else if (k->described && k->ki.has_ssh) {
		ssh_fp(sshfp, k->ki.ssh_sha256);
	}
	app(detail, sizeof(detail), "format=%s; type=%s", k->format, type);
	if (k->described && k->ki.bits > 0) {
		app(detail, sizeof(detail), "; bits=%u", k->ki.bits);
	}
	if (k->described && k->ki.curve[0] != '\0') {
		app(detail, sizeof(detail), "; curve=%s", k->ki.curve);
	}
	app(detail, sizeof(detail), "; encrypted=%s", k->encrypted ? "yes" : "no");
	if (k->ssh_type != NULL) {
		app(detail, sizeof(detail), "; ssh-type=%s", k->ssh_type);
	}
	if (sshfp[0] != '\0') {
		app(detail, sizeof(detail), "; ssh=%s", sshfp);
	}
	if (k->extra[0] != '\0') {
		app(detail, sizeof(detail), "; %s", k->extra);
	}
	snprintf(title, sizeof(title), "%s %s private key%s%s%s (%s)",
		 readable ? "readable" : "encrypted", type, size[0] ? " (" : "", size,
		 size[0] ? ")" : "", k->format);
	snprintf(desc, sizeof(desc), "%s%s%s", type, size[0] ? " " : "", size);
	emit(fc, "key.private-key", readable ? VOUCH_SEV_CRITICAL : VOUCH_SEV_HIGH, title, off, ev,
	     evlen, detail, fp[0] ? fp : NULL, desc);
}

/* ---- DER ------------------------------------------------------------------------------- */

/* Read one DER tag and definite length at r (tags below 31 only). *indef for 0x80. */
static int
der_head(vouch_rd *r, uint8_t *tag, uint64_t *len, bool *indef)
{
	uint8_t b, k;

	*indef = false;
	if (vouch_rd_u8(r, tag) || (*tag & 0x1f) == 0x1f || vouch_rd_u8(r, &b)) {
		return VOUCH_E_MALFORMED;
	}
	if (b < 0x80) {
		*len = b;
		return VOUCH_OK;
	}
	if (b == 0x80) {
		*indef = true;
		*len = 0;
		return VOUCH_OK;
	}
	k = b & 0x7f;
	if (k > 4) {
		return VOUCH_E_MALFORMED; /* > 4 GiB: never a key */
	}
	*len = 0;
	for (uint8_t i = 0; i < k; i++) {
		if (vouch_rd_u8(r, &b)) {
			return VOUCH_E_MALFORMED;
		}
		*len = *len << 8 | b;
	}
	return VOUCH_OK;
}

/* The length of the definite-length SEQUENCE at s->at, its elements checked one level deep
 * (each element fits and they fill the SEQUENCE exactly). 0 when it does not hold. */
static size_t
der_object(const span *s, bool check_elems)
{
	vouch_rd r, in;
	uint8_t tag;
	uint64_t len;
	bool indef;
	size_t hdr;

	vouch_rd_init(&r, s->p + s->at, s->n - s->at);
	if (der_head(&r, &tag, &len, &indef) || tag != 0x30 || indef || len > KEYS_MAX_DER ||
	    len > vouch_rd_left(&r)) {
		return 0;
	}
	hdr = r.pos;
	if (check_elems) {
		unsigned n = 0;

		vouch_rd_init(&in, s->p + s->at + hdr, (size_t)len);
		while (vouch_rd_left(&in) > 0) {
			uint8_t t;
			uint64_t l;

			if (++n > KEYS_MAX_DER_ELEMS || der_head(&in, &t, &l, &indef) || indef ||
			    vouch_rd_skip(&in, l)) {
				return 0;
			}
		}
		if (n < 2) {
			return 0;
		}
	}
	return hdr + (size_t)len;
}

static void
der_key(fctx *fc, const span *s, unsigned tag)
{
	size_t n = der_object(s, true);
	keyrec k;
	uint64_t off = s->base + s->at;
	char ev[64];

	if (n == 0) {
		return;
	}
	memset(&k, 0, sizeof(k));
	if (tag == P_DER_P8ENC) {
		uint64_t iter = 0;
		char alg[48];

		if (vouch_key_encrypted_der(s->p + s->at, n, alg, &iter) != VOUCH_OK) {
			return;
		}
		k.format = "der-pkcs8-encrypted";
		k.encrypted = true;
		k.has_blob = vouch_sha256_oneshot(s->p + s->at, n, k.blob) == VOUCH_OK;
		snprintf(k.extra, sizeof(k.extra), "scheme=%s; iterations=%llu", alg,
			 (unsigned long long)iter);
		snprintf(ev, sizeof(ev), "DER EncryptedPrivateKeyInfo, %zu bytes", n);
	} else {
		if (vouch_key_private_der(s->p + s->at, n, &k.ki) != VOUCH_OK) {
			return;
		}
		k.described = true;
		k.format = tag == P_DER_PKCS8 ? "der-pkcs8"
			   : tag == P_DER_SEC1 ? "der-sec1"
			   : strcmp(k.ki.type, "DSA") == 0 ? "der-dsa" : "der-pkcs1";
		snprintf(ev, sizeof(ev), "DER %s private key, %zu bytes", k.ki.type, n);
	}
	claim_range(fc, off, n);
	report_key(fc, &k, off, ev, strlen(ev));
}

static void
der_p12(fctx *fc, const span *s)
{
	vouch_rd r;
	uint8_t tag;
	uint64_t len;
	bool indef;
	size_t n;
	vouch_p12info pi;
	uint64_t off = s->base + s->at;
	char ev[96];

	vouch_rd_init(&r, s->p + s->at, s->n - s->at);
	if (der_head(&r, &tag, &len, &indef)) {
		return;
	}
	if (indef) {
		n = VOUCH_MIN(s->n - s->at, (size_t)KEYS_MAX_DER); /* BER: d2i finds the end */
	} else {
		n = der_object(s, false);
	}
	if (n == 0 || fc->np12 >= KEYS_MAX_P12_PER_FILE) {
		return;
	}
	fc->np12++;
	if (vouch_p12_inspect(s->p + s->at, n, p12_passwords, VOUCH_ARRAY_LEN(p12_passwords),
			      &pi) != VOUCH_OK) {
		return;
	}
	claim_range(fc, off, n);
	snprintf(ev, sizeof(ev), "PKCS#12 (PFX), %zu bytes, %u key(s), %u certificate(s)", n,
		 pi.nkeys, pi.ncerts);
	/* which password opened it, said without revealing anything that was not a default */
	char pw[48];
	if (pi.iter_refused) {
		snprintf(pw, sizeof(pw), "not-tried(iterations=%llu)",
			 (unsigned long long)pi.max_iter);
	} else if (pi.password < 0) {
		snprintf(pw, sizeof(pw), pi.mac || pi.nencrypted ? "unknown" : "none-needed");
	} else if (p12_passwords[pi.password] == NULL) {
		snprintf(pw, sizeof(pw), "none");
	} else if (p12_passwords[pi.password][0] == '\0') {
		snprintf(pw, sizeof(pw), "empty");
	} else {
		snprintf(pw, sizeof(pw), "default:%s", p12_passwords[pi.password]);
	}
	if (pi.nkeyinfo > 0) {
		for (unsigned i = 0; i < pi.nkeyinfo; i++) {
			keyrec k;

			memset(&k, 0, sizeof(k));
			k.format = "pkcs12";
			k.described = true;
			k.ki = pi.key[i];
			k.encrypted = pi.mac || pi.password >= 0;
			k.nopass = true;
			snprintf(k.extra, sizeof(k.extra), "password=%s; certificates=%u", pw,
				 pi.ncerts);
			report_key(fc, &k, off, ev, strlen(ev));
		}
	} else if (pi.nkeys > 0) {
		keyrec k;

		memset(&k, 0, sizeof(k));
		k.format = "pkcs12";
		k.encrypted = true;
		k.has_blob = vouch_sha256_oneshot(s->p + s->at, n, k.blob) == VOUCH_OK;
		snprintf(k.extra, sizeof(k.extra), "password=%s; keys=%u; certificates=%u", pw,
			 pi.nkeys, pi.ncerts);
		report_key(fc, &k, off, ev, strlen(ev));
	}
}

/* ---- certificates ---------------------------------------------------------------------- */

static void
add_cert(fctx *fc, const uint8_t *der, size_t n, bool aux, uint64_t off)
{
	vouch_certinfo ci;

	if (fc->ncerts >= KEYS_MAX_CERTS_PER_FILE) {
		fc->certs_limit = true;
		return;
	}
	if (vouch_cert_der(der, n, aux, &ci) != VOUCH_OK) {
		return;
	}
	if (fc->ncerts == fc->capcerts) {
		size_t cap = fc->capcerts ? fc->capcerts * 2 : 8;
		certrec *c = realloc(fc->certs, cap * sizeof(*c));

		if (c == NULL) {
			return;
		}
		fc->certs = c;
		fc->capcerts = cap;
	}
	fc->certs[fc->ncerts].ci = ci;
	fc->certs[fc->ncerts].offset = off;
	fc->ncerts++;
}

static void
der_cert(fctx *fc, const span *s)
{
	size_t n = der_object(s, true);

	if (n == 0) {
		return;
	}
	size_t before = fc->ncerts;
	add_cert(fc, s->p + s->at, n, false, s->base + s->at);
	if (fc->ncerts > before) {
		claim_range(fc, s->base + s->at, n);
	}
}

static bool
weak_key(const vouch_certinfo *ci)
{
	if (!ci->key_ok) {
		return false;
	}
	if (strcmp(ci->key.type, "RSA") == 0 || strcmp(ci->key.type, "DSA") == 0) {
		return ci->key.bits < 2048;
	}
	if (strcmp(ci->key.type, "EC") == 0) {
		return ci->key.bits < 224;
	}
	return false;
}

static bool
weak_sig(const vouch_certinfo *ci)
{
	return strcmp(ci->sig_hash, "SHA1") == 0 || strcmp(ci->sig_hash, "MD5") == 0 ||
	       strcmp(ci->sig_hash, "MD4") == 0 || strcmp(ci->sig_hash, "MD2") == 0;
}

/* Directory of a file when it lies in a known trust store, else NULL-length 0. */
static size_t
trust_store_dir(const char *path)
{
	static const char *const dirs[] = {
		"usr/share/ca-certificates/", "etc/ssl/certs/", "etc/pki/ca-trust/",
		"etc/pki/tls/certs/", "usr/local/share/ca-certificates/",
		"etc/ca-certificates/", "system/etc/security/cacerts/",
	};
	for (size_t i = 0; i < VOUCH_ARRAY_LEN(dirs); i++) {
		const char *hit = strstr(path, dirs[i]);

		if (hit != NULL && (hit == path || hit[-1] == '/')) {
			const char *slash = strrchr(path, '/');

			return slash != NULL ? (size_t)(slash - path) : 0;
		}
	}
	return 0;
}

static void
cert_findings(fctx *fc)
{
	const char *path = fc->af->f->path;
	size_t store_len = trust_store_dir(path);
	bool bundle = fc->ncerts >= KEYS_BUNDLE_MIN;
	bool member = bundle || store_len > 0;
	unsigned ca = 0, expired = 0, wk = 0, ws = 0, selfs = 0, flagged = 0;

	for (size_t i = 0; i < fc->ncerts; i++) {
		const vouch_certinfo *ci = &fc->certs[i].ci;
		uint64_t off = fc->certs[i].offset;
		char ev[VOUCH_CERT_NAME_MAX * 2 + 64], detail[320], title[200];
		size_t evlen;
		bool is_exp = ci->not_after < fc->st->now;
		bool is_wk = weak_key(ci), is_ws = weak_sig(ci);
		char fp[80] = "";

		ca += ci->is_ca;
		selfs += ci->self_signed;
		expired += is_exp;
		wk += is_wk;
		ws += is_ws;
		evlen = (size_t)snprintf(ev, sizeof(ev), "subject=%s; issuer=%s; notAfter=%s",
					 ci->subject, ci->issuer, ci->not_after_str);
		evlen = VOUCH_MIN(evlen, sizeof(ev) - 1);
		if (ci->key_ok) {
			char h[65];

			hex(h, ci->key.spki_sha256, 32);
			snprintf(fp, sizeof(fp), "sha256:%s", h);
		}
		snprintf(detail, sizeof(detail),
			 "key=%s; bits=%u%s%s; signature=%s; ca=%s; self-signed=%s; notAfter=%s",
			 ci->key_ok ? ci->key.type : "unknown", ci->key_ok ? ci->key.bits : 0,
			 ci->key_ok && ci->key.curve[0] ? "; curve=" : "",
			 ci->key_ok ? ci->key.curve : "", ci->sig_alg, ci->is_ca ? "yes" : "no",
			 ci->self_signed ? "yes" : "no", ci->not_after_str);
		if (member) {
			/* bundle or trust store: flag only expiry and weak keys (and weak signatures
			 * on members that are not anchors), a bounded number of times */
			bool flag_ws = is_ws && !ci->self_signed;

			if ((is_exp || is_wk || flag_ws) && flagged >= KEYS_BUNDLE_FLAGGED) {
				continue;
			}
			flagged += is_exp || is_wk || flag_ws;
			is_ws = flag_ws;
		}
		if (is_exp) {
			snprintf(title, sizeof(title), "expired certificate (notAfter %s)",
				 ci->not_after_str);
			emit(fc, "certificate.expired", member ? VOUCH_SEV_LOW : VOUCH_SEV_MEDIUM, title,
			     off, ev, evlen, detail, fp[0] ? fp : NULL, NULL);
		}
		if (is_wk) {
			snprintf(title, sizeof(title), "certificate with a weak %s key (%u bits)",
				 ci->key.type, ci->key.bits);
			emit(fc, "certificate.weak-key",
			     ci->key.bits < 1024 ? VOUCH_SEV_HIGH : VOUCH_SEV_MEDIUM, title, off, ev,
			     evlen, detail, fp[0] ? fp : NULL, NULL);
		}
		if (is_ws) {
			snprintf(title, sizeof(title), "certificate signed with %s (%s)", ci->sig_hash,
				 ci->sig_alg);
			emit(fc, "certificate.weak-signature",
			     strcmp(ci->sig_hash, "SHA1") == 0 ? VOUCH_SEV_MEDIUM : VOUCH_SEV_HIGH,
			     title, off, ev, evlen, detail, fp[0] ? fp : NULL, NULL);
		}
		if (!member && ci->is_ca) {
			emit(fc, "certificate.ca", VOUCH_SEV_INFO, "CA certificate", off, ev, evlen,
			     detail, fp[0] ? fp : NULL, NULL);
		}
		if (!member && ci->self_signed) {
			emit(fc, "certificate.self-signed", VOUCH_SEV_LOW, "self-signed certificate",
			     off, ev, evlen, detail, fp[0] ? fp : NULL, NULL);
		}
	}
	if (bundle) {
		char detail[256], title[96];
		int n = snprintf(detail, sizeof(detail),
				 "certificates=%zu%s; ca=%u; self-signed=%u; expired=%u; weak-key=%u; "
				 "weak-signature=%u; flagged=%u",
				 fc->ncerts, fc->certs_limit ? "+" : "", ca, selfs, expired, wk, ws,
				 flagged);
		snprintf(title, sizeof(title), "certificate bundle of %zu certificates", fc->ncerts);
		emit(fc, "certificate.bundle", VOUCH_SEV_INFO, title, UINT64_MAX, detail,
		     (size_t)VOUCH_MIN(n, (int)sizeof(detail) - 1), detail, NULL, NULL);
	} else if (store_len > 0 && fc->ncerts > 0) {
		keys_state *st = fc->st;
		store *s = NULL;

		pthread_mutex_lock(&st->mu);
		for (size_t i = 0; i < st->nstores; i++) {
			if (strlen(st->stores[i].dir) == store_len &&
			    memcmp(st->stores[i].dir, path, store_len) == 0) {
				s = &st->stores[i];
			}
		}
		if (s == NULL && st->nstores < KEYS_MAX_STORES) {
			char *d = strndup(path, store_len);

			if (d != NULL) {
				s = &st->stores[st->nstores++];
				memset(s, 0, sizeof(*s));
				s->dir = d;
			}
		}
		if (s != NULL) {
			s->files++;
			s->certs += (unsigned)fc->ncerts;
			s->ca += ca;
			s->expired += expired;
			s->weak_key += wk;
			s->weak_sig += ws;
			s->flagged += flagged;
		}
		pthread_mutex_unlock(&st->mu);
	}
}

/* ---- PEM ------------------------------------------------------------------------------- */

typedef enum pem_status { PEM_OK, PEM_BAD, PEM_SHORT } pem_status;

typedef struct pem {
	char label[48];
	bool proc_encrypted;
	char dek[48];          /* DEK-Info cipher, "" */
	uint8_t *der;          /* malloc'ed, decoded body (caller frees) */
	size_t derlen;
	size_t chars;          /* base64 characters seen */
	size_t end;            /* index after the END line */
	pem_status status;
} pem;

static bool
is_b64(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '/' || c == '=';
}

static bool
is_ws(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Parse the PEM block (RFC 7468, with RFC 1421 headers) whose BEGIN line is p[at, at+mlen). */
static void
pem_parse(const uint8_t *p, size_t n, size_t at, size_t mlen, pem *o)
{
	size_t pos = at + mlen, lablen;
	char *chars = NULL;
	size_t nchars = 0;

	memset(o, 0, sizeof(*o));
	o->status = PEM_BAD;
	/* "-----BEGIN " label "-----" */
	if (mlen < 16 || mlen - 16 >= sizeof(o->label)) {
		return;
	}
	lablen = mlen - 16;
	memcpy(o->label, p + at + 11, lablen);
	o->label[lablen] = '\0';
	/* header lines "Name: value" before the body */
	for (int h = 0; h < KEYS_MAX_PEM_HEADERS; h++) {
		size_t ls, le, colon = 0;

		while (pos < n && is_ws(p[pos])) {
			pos++;
		}
		ls = pos;
		for (le = ls; le < n && le - ls < KEYS_MAX_PEM_HEADER_LEN && p[le] != '\n'; le++) {
			if (p[le] == ':' && colon == 0) {
				colon = le;
			}
		}
		if (colon == 0 || le >= n || p[le] != '\n') {
			break;
		}
		if (colon - ls == 9 && memcmp(p + ls, "Proc-Type", 9) == 0 &&
		    memmem(p + colon, le - colon, "ENCRYPTED", 9) != NULL) {
			o->proc_encrypted = true;
		} else if (colon - ls == 8 && memcmp(p + ls, "DEK-Info", 8) == 0) {
			size_t v = colon + 1, k = 0;

			while (v < le && p[v] == ' ') {
				v++;
			}
			while (v < le && k + 1 < sizeof(o->dek) && p[v] > 0x20 && p[v] < 0x7f &&
			       p[v] != ',') {
				o->dek[k++] = (char)p[v++];
			}
			o->dek[k] = '\0';
		}
		pos = le + 1;
	}
	chars = malloc(KEYS_MAX_PEM_BODY);
	if (chars == NULL) {
		return;
	}
	for (; pos < n; pos++) {
		uint8_t c = p[pos];

		if (is_b64(c)) {
			if (nchars == KEYS_MAX_PEM_BODY) {
				goto out; /* longer than any key or certificate */
			}
			chars[nchars++] = (char)c;
		} else if (!is_ws(c)) {
			break;
		}
	}
	o->chars = nchars;
	if (pos >= n) {
		o->status = PEM_SHORT;
		goto out;
	}
	/* "-----END " label "-----" */
	if (n - pos < 14 + lablen || memcmp(p + pos, "-----END ", 9) != 0 ||
	    memcmp(p + pos + 9, o->label, lablen) != 0 || memcmp(p + pos + 9 + lablen, "-----", 5) != 0) {
		o->status = n - pos < 14 + lablen ? PEM_SHORT : PEM_BAD;
		goto out;
	}
	o->end = pos + 14 + lablen;
	o->der = malloc(VOUCH_B64_DEC_MAX(nchars) + 1);
	if (o->der == NULL || nchars == 0 ||
	    vouch_b64_decode(o->der, VOUCH_B64_DEC_MAX(nchars) + 1, chars, nchars, &o->derlen) !=
		    VOUCH_OK) {
		free(o->der);
		o->der = NULL;
		goto out;
	}
	o->status = PEM_OK;
out:
	free(chars);
}

static void
pem_block(fctx *fc, const span *s, const vouch_ahit *h)
{
	pem pm;
	uint64_t off = s->base + s->at;
	const char *ev = (const char *)h->bytes;
	size_t evlen = h->len;
	keyrec k;

	pem_parse(s->p, s->n, s->at, h->len, &pm);
	if (pm.status == PEM_OK) {
		claim_range(fc, off, pm.end - s->at);
	}
	memset(&k, 0, sizeof(k));
	if (h->tag == P_PEM_CERT) {
		if (pm.status == PEM_OK) {
			add_cert(fc, pm.der, pm.derlen, strcmp(pm.label, "TRUSTED CERTIFICATE") == 0, off);
		}
		goto out;
	}
	if (pm.status == PEM_OK) {
		const char *l = pm.label;
		int rc = VOUCH_E_MALFORMED;

		if (pm.proc_encrypted) {
			/* legacy OpenSSL encryption of PKCS#1 / SEC1 / DSA: nothing to parse */
			k.format = "pem-encrypted";
			k.encrypted = true;
			k.type_hint = strncmp(l, "RSA ", 4) == 0 ? "RSA"
				      : strncmp(l, "EC ", 3) == 0 ? "EC"
				      : strncmp(l, "DSA ", 4) == 0 ? "DSA" : NULL;
			k.has_blob = vouch_sha256_oneshot(pm.der, pm.derlen, k.blob) == VOUCH_OK;
			snprintf(k.extra, sizeof(k.extra), "cipher=%s", pm.dek[0] ? pm.dek : "unknown");
			rc = pm.derlen >= KEYS_UNPARSED_MIN ? VOUCH_OK : VOUCH_E_MALFORMED;
		} else if (strcmp(l, "ENCRYPTED PRIVATE KEY") == 0) {
			uint64_t iter = 0;
			char alg[48];

			rc = vouch_key_encrypted_der(pm.der, pm.derlen, alg, &iter);
			k.format = "pem-pkcs8-encrypted";
			k.encrypted = true;
			k.has_blob = vouch_sha256_oneshot(pm.der, pm.derlen, k.blob) == VOUCH_OK;
			snprintf(k.extra, sizeof(k.extra), "scheme=%s; iterations=%llu", alg,
				 (unsigned long long)iter);
		} else if (strcmp(l, "OPENSSH PRIVATE KEY") == 0) {
			vouch_openssh o;

			rc = vouch_openssh_parse(pm.der, pm.derlen, &o);
			if (rc == VOUCH_OK) {
				for (unsigned i = 0; i < o.nparsed; i++) {
					keyrec ko;

					memset(&ko, 0, sizeof(ko));
					ko.format = "pem-openssh";
					ko.encrypted = o.encrypted;
					ko.described = o.keys[i].described;
					ko.ki = o.keys[i].info;
					ko.has_sshblob = true;
					memcpy(ko.sshblob, o.keys[i].blob_sha256, 32);
					ko.ssh_type = o.keys[i].type;
					ko.type_hint = o.keys[i].type;
					if (o.encrypted) {
						snprintf(ko.extra, sizeof(ko.extra),
							 "cipher=%s; kdf=%s; rounds=%u", o.cipher, o.kdf,
							 o.rounds);
					}
					report_key(fc, &ko, off, ev, evlen);
				}
				goto out;
			}
		} else if (strcmp(l, "RSA PRIVATE KEY") == 0 || strcmp(l, "EC PRIVATE KEY") == 0 ||
			   strcmp(l, "DSA PRIVATE KEY") == 0 || strcmp(l, "PRIVATE KEY") == 0) {
			rc = vouch_key_private_der(pm.der, pm.derlen, &k.ki);
			k.described = rc == VOUCH_OK;
			k.format = l[0] == 'R'   ? "pem-pkcs1"
				   : l[0] == 'E' ? "pem-sec1"
				   : l[0] == 'D' ? "pem-dsa" : "pem-pkcs8";
		}
		if (rc == VOUCH_OK) {
			report_key(fc, &k, off, ev, evlen);
			goto out;
		}
	}
	/* a block with a real body that does not parse: truncated, corrupt, or a format we do
	 * not read; a bare BEGIN line (a string constant in a binary) is not reported */
	if ((pm.status == PEM_OK && pm.derlen >= KEYS_UNPARSED_MIN) ||
	    (pm.status != PEM_OK && pm.chars >= KEYS_UNPARSED_MIN * 4 / 3)) {
		char detail[160];

		snprintf(detail, sizeof(detail), "label=%s; reason=%s; base64-chars=%zu", pm.label,
			 pm.status == PEM_OK	 ? "does not parse"
			 : pm.status == PEM_SHORT ? (fc->af->data == NULL ? "file too large to hold"
								   : "truncated")
						  : "corrupt armour",
			 pm.chars);
		emit(fc, "key.unparsed-private-key", VOUCH_SEV_MEDIUM,
		     "PEM private-key block that could not be parsed", off, ev, evlen, detail, NULL,
		     NULL);
	}
out:
	free(pm.der);
}

/* ---- OpenSSH binary and Dropbear ------------------------------------------------------- */

static void
openssh_raw(fctx *fc, const span *s)
{
	vouch_openssh o;
	uint64_t off = s->base + s->at;
	static const char ev[] = "openssh-key-v1 (binary)";

	if (vouch_openssh_parse(s->p + s->at, s->n - s->at, &o) != VOUCH_OK) {
		return;
	}
	claim_range(fc, off, o.len);
	for (unsigned i = 0; i < o.nparsed; i++) {
		keyrec k;

		memset(&k, 0, sizeof(k));
		k.format = "openssh-binary";
		k.encrypted = o.encrypted;
		k.described = o.keys[i].described;
		k.ki = o.keys[i].info;
		k.has_sshblob = true;
		memcpy(k.sshblob, o.keys[i].blob_sha256, 32);
		k.ssh_type = o.keys[i].type;
		k.type_hint = o.keys[i].type;
		if (o.encrypted) {
			snprintf(k.extra, sizeof(k.extra), "cipher=%s; kdf=%s; rounds=%u", o.cipher,
				 o.kdf, o.rounds);
		}
		report_key(fc, &k, off, ev, sizeof(ev) - 1);
	}
}

static void
dropbear(fctx *fc, const span *s)
{
	vouch_dropbear d;
	keyrec k;
	uint64_t off = s->base + s->at;
	char ev[64];

	if (vouch_dropbear_parse(s->p + s->at, s->n - s->at, &d) != VOUCH_OK) {
		return;
	}
	claim_range(fc, off, d.len);
	memset(&k, 0, sizeof(k));
	k.format = "dropbear";
	k.described = true;
	k.ki = d.key.info;
	k.has_sshblob = true;
	memcpy(k.sshblob, d.key.blob_sha256, 32);
	k.ssh_type = d.key.type;
	snprintf(ev, sizeof(ev), "Dropbear %s private key", d.key.type);
	report_key(fc, &k, off, ev, strlen(ev));
}

/* ---- the analyser ---------------------------------------------------------------------- */

static int
keys_init(const vouch_actx *ctx, void **state)
{
	keys_state *st = calloc(1, sizeof(*st));

	if (st == NULL) {
		return VOUCH_E_NOMEM;
	}
	if (pthread_mutex_init(&st->mu, NULL) != 0) {
		free(st);
		return VOUCH_E_INTERNAL;
	}
	st->now = (int64_t)time(NULL);
	*state = st;
	return VOUCH_OK;
}

static bool
keys_wants(void *state, const char *path, const uint8_t *head, size_t n)
{
	/* keys are embedded in binaries as well as stored in files of their own: whenever a
	 * marker hits, the parse needs the bytes after it, so hold every file the driver can */
	return true;
}

/* Build the span for one hit: the whole file, or the hit with its context. */
static void
hit_span(const vouch_afile *af, const vouch_ahit *h, uint8_t *buf, size_t cap, span *s)
{
	size_t k = 0;

	if (af->data != NULL && h->from < af->len) {
		s->p = af->data;
		s->n = af->len;
		s->base = 0;
		s->at = (size_t)h->from;
		return;
	}
	/* before + match (+ after when the match was not cut) */
	memcpy(buf, h->before, VOUCH_MIN(h->nbefore, cap));
	k = VOUCH_MIN(h->nbefore, cap);
	s->at = k;
	memcpy(buf + k, h->bytes, VOUCH_MIN(h->len, cap - k));
	k += VOUCH_MIN(h->len, cap - k);
	if (h->to - h->from == h->len) {
		memcpy(buf + k, h->after, VOUCH_MIN(h->nafter, cap - k));
		k += VOUCH_MIN(h->nafter, cap - k);
	}
	s->p = buf;
	s->n = k;
	s->base = h->from - h->nbefore;
}

static void
keys_file(const vouch_actx *ctx, void *state, const vouch_afile *af, const vouch_ahit *hits,
	  size_t nhits)
{
	keys_state *st = state;
	fctx *fc;
	uint8_t *win = NULL;
	size_t wincap = 2 * VOUCH_AHIT_CTX + VOUCH_AHIT_MAX_LEN;

	if (st == NULL || nhits == 0) {
		return;
	}
	fc = calloc(1, sizeof(*fc));
	if (fc == NULL) {
		return;
	}
	fc->ctx = ctx;
	fc->st = st;
	fc->af = af;
	fc->defer = af->f->container != NULL;
	/* the context window: used whenever a hit lies outside the held content (always when
	 * the file was not held) */
	win = malloc(wincap);
	if (win == NULL) {
		free(fc);
		return;
	}
	for (size_t i = 0; i < nhits; i++) {
		const vouch_ahit *h = &hits[i];
		span s;

		if (i == KEYS_MAX_HITS) {
			char detail[64];

			snprintf(detail, sizeof(detail), "markers=%zu; examined=%u", nhits,
				 KEYS_MAX_HITS);
			emit(fc, "limit.keys", VOUCH_SEV_INFO,
			     "too many key and certificate markers in one file; the rest were not "
			     "examined",
			     h->from, (const char *)h->bytes, h->len, detail, NULL, NULL);
			break;
		}
		if (claimed(fc, h->from)) {
			continue;
		}
		hit_span(af, h, win, wincap, &s);
		switch (h->tag) {
		case P_PEM_PRIV:
		case P_PEM_CERT: pem_block(fc, &s, h); break;
		case P_OPENSSH: openssh_raw(fc, &s); break;
		case P_DER_PKCS1:
		case P_DER_PKCS8:
		case P_DER_SEC1:
		case P_DER_P8ENC: der_key(fc, &s, h->tag); break;
		case P_DER_P12: der_p12(fc, &s); break;
		case P_DER_CERT: der_cert(fc, &s); break;
		case P_DROPBEAR: dropbear(fc, &s); break;
		default: break;
		}
	}
	cert_findings(fc);
	free(fc->certs);
	free(win);
	free(fc);
}

/* ---- finish: containers, repeats, the registry, trust stores --------------------------- */

static bool
in_opened_region(const vouch_report *rep, const char *path, uint64_t off)
{
	if (rep == NULL || off == UINT64_MAX) {
		return false;
	}
	for (size_t i = 0; i < rep->nregions; i++) {
		const vouch_region *r = &rep->regions[i];

		if (r->kind == VOUCH_REGION_OPENED && r->node != NULL && strcmp(r->node, path) == 0 &&
		    off >= r->offset && off - r->offset < r->length) {
			return true;
		}
	}
	return false;
}

static int
cmp_sight(const void *a, const void *b)
{
	const sighting *x = a, *y = b;
	int c = strcmp(x->fp, y->fp);

	if (c != 0) {
		return c;
	}
	c = strcmp(x->path, y->path);
	if (c != 0) {
		return c;
	}
	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

static vouch_file
file_named(const char *path)
{
	vouch_file f;

	memset(&f, 0, sizeof(f));
	f.path = path;
	return f;
}

/* The image's identity: the SHA-256 of the root file of the report. */
static bool
image_digest(const vouch_report *rep, char out[65])
{
	if (rep == NULL) {
		return false;
	}
	for (size_t i = 0; i < rep->nfiles; i++) {
		if (rep->files[i].depth == 0 && rep->files[i].has_sha256) {
			hex(out, rep->files[i].sha256, 32);
			return true;
		}
	}
	return false;
}

typedef struct regmatch {
	bool seen_here;     /* this image already registered this fingerprint */
	bool other;         /* seen in another image */
	char image[65];
	char path[256];
} regmatch;

/* Compare the registry with this image's unique fingerprints (sorted: sight[first[i]]),
 * then append the ones it did not have for this image. */
static void
registry(const vouch_actx *ctx, keys_state *st, const size_t *first, size_t nuniq,
	 const char *img)
{
	const char *dir = ctx->opts != NULL ? ctx->opts->key_registry : NULL;
	regmatch *m = NULL;
	int dfd = -1, fd = -1, rfd = -1;
	FILE *rf = NULL;
	char line[KEYS_REG_LINE_MAX + 2];

	if (dir == NULL || nuniq == 0) {
		return;
	}
	m = calloc(nuniq, sizeof(*m));
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (m == NULL || dfd < 0) {
		goto out;
	}
	fd = openat(dfd, "keys.tsv", O_RDWR | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0 || flock(fd, LOCK_EX) != 0) {
		goto out;
	}
	rfd = openat(dfd, "keys.tsv", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	rf = rfd >= 0 ? fdopen(rfd, "r") : NULL;
	if (rf == NULL) {
		goto out;
	}
	rfd = -1;
	while (fgets(line, sizeof(line), rf) != NULL) {
		size_t len = strlen(line);
		char *t1, *t2;

		if (len == 0 || line[len - 1] != '\n') {
			/* over-long line: skip the rest of it */
			int c;
			while (len == sizeof(line) - 1 && (c = fgetc(rf)) != EOF && c != '\n') {
			}
			continue;
		}
		line[len - 1] = '\0';
		t1 = strchr(line, '\t');
		t2 = t1 != NULL ? strchr(t1 + 1, '\t') : NULL;
		if (t2 == NULL) {
			continue;
		}
		*t1 = '\0';
		*t2 = '\0';
		/* binary search of the fingerprint among this image's unique ones */
		size_t lo = 0, hi = nuniq;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			int c = strcmp(st->sight[first[mid]].fp, line);

			if (c == 0) {
				if (strcmp(t1 + 1, img) == 0) {
					m[mid].seen_here = true;
				} else if (!m[mid].other) {
					m[mid].other = true;
					snprintf(m[mid].image, sizeof(m[mid].image), "%s", t1 + 1);
					snprintf(m[mid].path, sizeof(m[mid].path), "%s", t2 + 1);
				}
				break;
			}
			if (c < 0) {
				lo = mid + 1;
			} else {
				hi = mid;
			}
		}
	}
	for (size_t i = 0; i < nuniq; i++) {
		const sighting *s = &st->sight[first[i]];

		if (m[i].other) {
			char ev[400], title[160], detail[200];
			vouch_file f = file_named(s->path);
			int n = snprintf(ev, sizeof(ev), "also in image sha256:%.16s... at %s",
					 m[i].image, m[i].path);

			snprintf(title, sizeof(title),
				 "private key (%s) also found in another image: every unit shares it",
				 s->desc);
			snprintf(detail, sizeof(detail), "other-image=sha256:%s", m[i].image);
			vouch_afind(ctx, "key.shared-private-key", "key", VOUCH_SEV_CRITICAL, title, &f,
				    s->offset, ev, (size_t)VOUCH_MIN(n, (int)sizeof(ev) - 1), detail,
				    s->fp);
		}
		if (!m[i].seen_here) {
			char esc[512];

			vouch_escape(esc, sizeof(esc), s->path, strlen(s->path));
			dprintf(fd, "%s\t%s\t%s\n", s->fp, img, esc);
		}
	}
out:
	if (rf != NULL) {
		fclose(rf);
	}
	if (rfd >= 0) {
		close(rfd);
	}
	if (fd >= 0) {
		flock(fd, LOCK_UN);
		close(fd);
	}
	if (dfd >= 0) {
		close(dfd);
	}
	free(m);
}

static void
keys_finish(const vouch_actx *ctx, void *state, const vouch_report *rep)
{
	keys_state *st = state;
	size_t *first = NULL, nuniq = 0;
	char img[65];

	if (st == NULL) {
		return;
	}
	pthread_mutex_lock(&st->mu);
	/* 1. findings held back from container files */
	for (size_t i = 0; i < st->npend; i++) {
		pending *p = &st->pend[i];

		if (!in_opened_region(rep, p->path, p->offset)) {
			vouch_file f = file_named(p->path);

			vouch_afind(ctx, p->id, category_of(p->id), p->sev, p->title, &f, p->offset,
				    p->evidence, p->evlen, p->detail, p->fingerprint);
			if (p->is_key) {
				sight_locked(st, p->fingerprint, p->path, p->offset, p->keydesc);
			}
		}
		pending_free(p);
	}
	st->npend = 0;
	/* 2. one key several times in this image */
	if (st->nsight > 0) {
		qsort(st->sight, st->nsight, sizeof(*st->sight), cmp_sight);
		first = calloc(st->nsight, sizeof(*first));
	}
	for (size_t i = 0; first != NULL && i < st->nsight;) {
		size_t j = i + 1;

		while (j < st->nsight && strcmp(st->sight[j].fp, st->sight[i].fp) == 0) {
			j++;
		}
		first[nuniq++] = i;
		if (j - i > 1) {
			const sighting *a = &st->sight[i], *b = &st->sight[i + 1];
			vouch_file f = file_named(b->path);
			char ev[512], title[128], detail[64];
			int n = snprintf(ev, sizeof(ev), "same key as %s (offset %llu)", a->path,
					 (unsigned long long)a->offset);

			snprintf(title, sizeof(title), "the same private key (%s) appears %zu times",
				 a->desc, j - i);
			snprintf(detail, sizeof(detail), "copies=%zu", j - i);
			vouch_afind(ctx, "key.repeated-private-key", "key", VOUCH_SEV_INFO, title, &f,
				    b->offset, ev, (size_t)VOUCH_MIN(n, (int)sizeof(ev) - 1), detail,
				    a->fp);
		}
		i = j;
	}
	/* 3. the registry of keys seen in other images */
	if (first != NULL && image_digest(rep, img)) {
		registry(ctx, st, first, nuniq, img);
	}
	free(first);
	/* 4. trust stores */
	for (size_t i = 0; i < st->nstores; i++) {
		const store *s = &st->stores[i];
		char detail[256], title[128];
		vouch_file f = file_named(s->dir);
		int n = snprintf(detail, sizeof(detail),
				 "files=%u; certificates=%u; ca=%u; expired=%u; weak-key=%u; "
				 "weak-signature=%u; flagged=%u",
				 s->files, s->certs, s->ca, s->expired, s->weak_key, s->weak_sig,
				 s->flagged);

		snprintf(title, sizeof(title), "trust store of %u certificates", s->certs);
		vouch_afind(ctx, "certificate.trust-store", "certificate", VOUCH_SEV_INFO, title, &f,
			    UINT64_MAX, detail, (size_t)VOUCH_MIN(n, (int)sizeof(detail) - 1), detail,
			    NULL);
	}
	if (st->dropped_pending > 0) {
		char detail[64];
		vouch_file f = file_named("");

		snprintf(detail, sizeof(detail), "dropped=%zu", st->dropped_pending);
		vouch_afind(ctx, "limit.keys", "limit", VOUCH_SEV_INFO,
			    "findings of container files dropped (limit)", &f, UINT64_MAX, detail,
			    strlen(detail), detail, NULL);
		st->dropped_pending = 0;
	}
	pthread_mutex_unlock(&st->mu);
}

static void
keys_free(void *state)
{
	keys_state *st = state;

	if (st == NULL) {
		return;
	}
	for (size_t i = 0; i < st->npend; i++) {
		pending_free(&st->pend[i]);
	}
	for (size_t i = 0; i < st->nsight; i++) {
		free(st->sight[i].fp);
		free(st->sight[i].path);
		free(st->sight[i].desc);
	}
	for (size_t i = 0; i < st->nstores; i++) {
		free(st->stores[i].dir);
	}
	free(st->pend);
	free(st->sight);
	pthread_mutex_destroy(&st->mu);
	free(st);
}

const vouch_analyzer vouch_analyzer_keys = {
	.name = "keys",
	.patterns = keys_patterns,
	.npatterns = VOUCH_ARRAY_LEN(keys_patterns),
	.init = keys_init,
	.wants = keys_wants,
	.file = keys_file,
	.finish = keys_finish,
	.free = keys_free,
};
