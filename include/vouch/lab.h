/*
 * vouch/lab.h: the evaluation lab's store and the chain from a vendor's delivery to the
 * operator's offline check.
 *
 * A lab is a directory (default ./vouch-lab):
 *   lab.db        SQLite catalog: deliveries, their artefacts, every attestation the lab
 *                 logged (evaluations, re-checks, revocations) and what each one covered
 *   blobs/xx/...  every artefact, report, verdict, SBOM, policy and envelope, stored once
 *                 under its SHA-256 (hex, split after two digits), read-only, never rewritten
 *   attest.key    the lab's attestation key (Ed25519, signed-note private key form, 0600)
 *   log/          the lab's transparency log (vouch/tlog.h); each attestation's envelope and
 *                 report are also kept beside it in log/objects/<sha256>
 *
 * The operator trusts two verifier keys, printed together by vouch_lab_pubkeys(): the
 * attestation key and the log's checkpoint key. A bundle (vouch_lab_bundle) carries the
 * delivery's current verdict attestation and every revocation of it, each as a DSSE
 * envelope with a C2SP tlog-proof against one signed checkpoint; vouch_bundle_verify()
 * checks it offline.
 *
 * Attestations are in-toto Statements v1 whose subjects are the delivery's firmware
 * artefacts (name = the manifest path, digest = SHA-256); the predicates are ours and
 * versioned (docs/attestation.md). What is appended to the log is the 32-byte SHA-256 of the
 * envelope's bytes.
 *
 * Errors: negative vouch_err codes; the reason of the last failure on a handle is read with
 * vouch_lab_errmsg().
 */
#ifndef VOUCH_LAB_H
#define VOUCH_LAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vouch/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VOUCH_LAB_PREDICATE_VERDICT "https://vouch.dev/attestation/verdict/v1"
#define VOUCH_LAB_PREDICATE_REVOCATION "https://vouch.dev/attestation/revocation/v1"
#define VOUCH_LAB_MANIFEST "vouch-delivery.json"
#define VOUCH_LAB_PREDICATE_BUNDLE "https://vouch.dev/attestation/bundle/v1"
#define VOUCH_BUNDLE_VERSION 2
#define VOUCH_BUNDLE_MEDIA_TYPE "application/vnd.vouch.bundle.v2+json"

typedef struct vouch_lab vouch_lab;

/*
 * Open the lab in `dir`. With create, a missing lab is made: directories, catalog, the
 * attestation key and the log (signing checkpoints as `origin`; NULL: "vouch-lab/<host>").
 * Returns VOUCH_OK, VOUCH_E_NOTFOUND (no lab and !create), VOUCH_E_IO, VOUCH_E_VERIFY (the
 * log's stored state is inconsistent), VOUCH_E_UNSAFE (a key readable by others),
 * VOUCH_E_NOMEM. On failure *out may still be set: read the reason, then close it.
 */
VOUCH_API int vouch_lab_open(const char *dir, const char *origin, bool create, vouch_lab **out);
VOUCH_API void vouch_lab_close(vouch_lab *lab);
VOUCH_API const char *vouch_lab_errmsg(const vouch_lab *lab);

/* The two verifier keys an operator needs, one per line: attestation key, then log key. */
VOUCH_API int vouch_lab_pubkeys(vouch_lab *lab, char **text_out);

/* Store bytes as a blob; hex_out receives the SHA-256 (lowercase hex). */
VOUCH_API int vouch_lab_put(vouch_lab *lab, const void *p, size_t n, char hex_out[65]);
/* A stored blob's bytes (malloc'ed, NUL-terminated), at most max bytes. VOUCH_E_NOTFOUND. */
VOUCH_API int vouch_lab_get(vouch_lab *lab, const char *hex, size_t max, char **data_out,
			    size_t *len_out);
/* The path of a stored blob (malloc'ed). VOUCH_E_NOTFOUND. */
VOUCH_API int vouch_lab_blob_path(vouch_lab *lab, const char *hex, char **path_out);

/*
 * Submit a delivery: `path` is a directory holding vouch-delivery.json, or a tarball
 * (tar, optionally gzip/xz/bzip2/zstd) holding it at its top or in one top directory.
 * Every mistake in the manifest or the artefacts is found (not only the first);
 * *receipt_out (always set unless VOUCH_E_NOMEM) is JSON: on success {"id", "new",
 * "vendor", "product", "version", "vendor_signature", "artefacts": [...]}, on failure
 * {"problems": [{"artefact", "problem", "kind"}]} with kind one of manifest, missing,
 * digest, role, duplicate, path, signature.
 * vendor_vkey (may be NULL) is the vendor's verifier key: the manifest's optional
 * "signature" (a DSSE envelope naming every artefact) must then verify with it.
 * Returns VOUCH_OK (stored, or already stored: "new": false), VOUCH_E_MALFORMED (manifest
 * problems), VOUCH_E_VERIFY (only digest or signature problems), VOUCH_E_IO (path
 * unreadable), VOUCH_E_LIMIT.
 */
VOUCH_API int vouch_lab_submit(vouch_lab *lab, const char *path, const char *vendor_vkey,
			       char **receipt_out);

/* A delivery id from a reference: a full id or a unique prefix of at least 6 hex digits.
 * VOUCH_E_NOTFOUND, VOUCH_E_USAGE (ambiguous). */
VOUCH_API int vouch_lab_resolve(vouch_lab *lab, const char *ref, char id_out[65]);

/*
 * One delivery as JSON: {"id", "vendor", "product", "version", "submitted",
 * "vendor_signature", "artefacts": [{"name","role","sha256","size","blob"}],
 * "attestations": [{"index","kind","verdict","created","envelope","policy","vulndb",
 * "reason","parts":[{"artefact","report","verdict_json","sbom","verdict"}]}] (log order),
 * "status": "submitted" | "approved" | "approved-with-conditions" | "rejected" | "revoked",
 * "current": the attestation that speaks for the delivery (its newest evaluation or
 * re-check, as in "attestations"), or null when it was never evaluated}.
 */
VOUCH_API int vouch_lab_delivery(vouch_lab *lab, const char *id, char **json_out);
/* Every delivery, newest first: [{"id","vendor","product","version","submitted","status"}]. */
VOUCH_API int vouch_lab_list(vouch_lab *lab, char **json_out);

/* What one firmware artefact's evaluation produced (texts stored as blobs). */
typedef struct vouch_lab_part {
	const char *artefact;    /* manifest path of the firmware artefact */
	const char *report;      /* report JSON text */
	size_t report_len;
	const char *verdict_json; /* policy verdict JSON text */
	size_t verdict_len;
	const char *sbom;        /* CycloneDX SBOM (re-checks match against it), may be NULL */
	size_t sbom_len;
	const char *verdict;     /* "approved", "approved-with-conditions", "rejected" */
} vouch_lab_part;

typedef struct vouch_lab_eval {
	const char *kind;        /* "evaluation" or "recheck" */
	const char *verdict;     /* the delivery's overall verdict */
	const char *policy_name;
	const char *policy;      /* the policy document's text */
	size_t policy_len;
	const char *vulndb_digest; /* the vulnerability database's digest, NULL: none used */
	int64_t vulndb_records;
	const char *vulndb_newest; /* newest record's modification time, may be NULL */
	const char *tool_version;
	int64_t now;             /* unix seconds */
	uint64_t supersedes;     /* recheck: the log index it re-examined; else UINT64_MAX */
	const vouch_lab_part *parts;
	size_t nparts;
} vouch_lab_eval;

/*
 * Record an evaluation of delivery `id`: store every text, sign the verdict statement with
 * the attestation key, append its digest to the log, publish a checkpoint, and catalog it.
 * *index_out receives the log index. Returns VOUCH_OK, VOUCH_E_NOTFOUND, VOUCH_E_USAGE
 * (a part names no firmware artefact of the delivery), VOUCH_E_IO, VOUCH_E_NOMEM.
 */
VOUCH_API int vouch_lab_record(vouch_lab *lab, const char *id, const vouch_lab_eval *ev,
			       uint64_t *index_out);

/* Revoke every approval of delivery `id`: a signed, logged revocation. VOUCH_E_NOTFOUND. */
VOUCH_API int vouch_lab_revoke(vouch_lab *lab, const char *id, const char *reason, int64_t now,
			       uint64_t *index_out);

/*
 * The operator's bundle for delivery `id` (JSON text, malloc'ed):
 *   {"bundle_version":2, "media_type":..., "delivery":{"id","vendor","product","version"},
 *    "index":"<DSSE JSON text>",
 *    "attestations":[{"kind":"verdict"|"revocation","index":N,"envelope":"<DSSE JSON text>",
 *                     "proof":"<C2SP tlog-proof text>"}]}
 * with the latest verdict attestation and every revocation, proved against the newest
 * checkpoint, and the index: a statement (VOUCH_LAB_PREDICATE_BUNDLE, made at `now`)
 * signed with the attestation key listing exactly those attestations and that checkpoint.
 * VOUCH_E_NOTFOUND when the delivery was never evaluated.
 */
VOUCH_API int vouch_lab_bundle(vouch_lab *lab, const char *id, int64_t now, char **bundle_out);

/* ---- the operator's side: offline, no lab ------------------------------------------- */

/* What vouch_bundle_verify() answered; each failure kind is distinct (vouch(1) maps them
 * to exit statuses). */
typedef enum vouch_bundle_check {
	VOUCH_BUNDLE_PASS = 0,
	VOUCH_BUNDLE_NOT_SUBJECT,  /* the file is not a firmware artefact the lab evaluated */
	VOUCH_BUNDLE_SIGNATURE,    /* an attestation is not signed by the lab's attestation key */
	VOUCH_BUNDLE_INCLUSION,    /* an attestation is not in the log under the checkpoint */
	VOUCH_BUNDLE_CHECKPOINT,   /* the checkpoint is not signed by the lab's log key */
	VOUCH_BUNDLE_NOT_APPROVED, /* the lab's verdict is "rejected" */
	VOUCH_BUNDLE_REVOKED,      /* the lab revoked its approval */
	VOUCH_BUNDLE_MALFORMED,    /* the bundle or the key file cannot be read as such */
	VOUCH_BUNDLE_INCOMPLETE,   /* its attestations are not the set its signed index lists */
} vouch_bundle_check;

typedef struct vouch_bundle_result {
	vouch_bundle_check check;
	char reason[512];        /* one line */
	char verdict[32];        /* the verdict attested (when the signature was good) */
	char delivery[65];       /* the delivery id attested */
	char subject[256];       /* the artefact name the file matched */
	uint64_t index;          /* the verdict attestation's log index */
	uint64_t tree_size;      /* the checkpoint's size */
	char created[32];        /* when the lab made the bundle (its signed index says) */
} vouch_bundle_result;

/*
 * Check offline that the file whose SHA-256 is `file_sha256` is a subject of an approved,
 * unrevoked verdict attestation of the lab whose verifier keys are in `keys` (the text
 * vouch_lab_pubkeys() prints), with every attestation of the bundle signed by the
 * attestation key and included in the log under a checkpoint signed by the log key.
 * Returns VOUCH_OK with res->check saying the answer; VOUCH_E_NOMEM.
 */
VOUCH_API int vouch_bundle_verify(const uint8_t file_sha256[32], const char *bundle,
				  size_t bundle_len, const char *keys, size_t keys_len,
				  vouch_bundle_result *res);
VOUCH_API const char *vouch_bundle_check_str(vouch_bundle_check c);

#ifdef __cplusplus
}
#endif
#endif
