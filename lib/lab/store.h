/*
 * lab/store.h: what the store, delivery and verify files share: the handle, blob
 * writing, the catalog.
 */
#ifndef VOUCH_LAB_STORE_H
#define VOUCH_LAB_STORE_H

#include <sqlite3.h>
#include <stdint.h>

#include "base/base.h"
#include "vouch/lab.h"
#include "vouch/tlog.h"

/* Limits of the lab (one place; each with its reason). */
#define LAB_MANIFEST_MAX (1u << 20)      /* a manifest is a list of files, not data */
#define LAB_ARTEFACTS_MAX 4096           /* artefacts per delivery (attestation subjects) */
#define LAB_TAR_MEMBERS_MAX 100000       /* members of a delivery tarball */
#define LAB_TEXT_MAX (512u << 20)        /* a stored report, verdict or SBOM read back */
#define LAB_NAME_MAX 1024                /* an artefact path in a manifest */
#define LAB_FIELD_MAX 256                /* vendor, product, version */
#define LAB_ARTEFACT_MAX (16ull << 30)   /* one artefact: the largest whole-system images */
#define LAB_DELIVERY_MAX (64ull << 30)   /* all of a delivery's bytes: a tar bomb stops here,
					  * not when the lab's disk is full */

struct vouch_lab {
	char *dir;
	char *blobs;      /* dir/blobs */
	char *objects;    /* dir/log/objects */
	char *key;        /* dir/attest.key */
	char *attest_vkey;
	sqlite3 *db;
	vouch_tlog *log;
	vouch_errinfo err;
};

/* Record a failure on the lab handle (returns code). */
int lab_fail(vouch_lab *lab, int code, const char *fmt, ...) VOUCH_PRINTF(3, 4);
/* Prepare a catalog statement; the reason on the handle when it fails. */
int lab_prepare(vouch_lab *lab, const char *sql, sqlite3_stmt **st);
/* Write bytes to path once: a temporary name, fsync, rename; read-only. Existing: kept. */
int lab_write_once(vouch_lab *lab, const char *path, const void *p, size_t n);
/* Move an already-written temporary file (fd open, digest known) into the blob store. */
int lab_adopt_tmp(vouch_lab *lab, const char *tmp, const char hex[65]);
/* A temporary file name in dir/blobs/tmp (malloc'ed) and its fd. */
int lab_tmp_open(vouch_lab *lab, char **path_out, int *fd_out);
void lab_hex(const uint8_t *d, size_t n, char *out);
int lab_hex_parse(const char *hex, uint8_t out[32]);
/* ISO 8601 UTC of a unix time into out[32]. */
void lab_iso8601(int64_t t, char out[32]);
/* The size and root hash (base64) a tlog-proof's checkpoint states, read without checking
 * its signature (verify.c checks it; the bundle builder only reads its own proofs).
 * VOUCH_E_MALFORMED when the text has no such checkpoint. */
int lab_proof_checkpoint(const char *proof, uint64_t *size, char root_b64[45]);

#endif
