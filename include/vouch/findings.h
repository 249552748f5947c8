/*
 * vouch/findings.h: what the indicator analysers find in an image (accounts, keys and
 * certificates, services started at boot, egress endpoints, secrets, binary hardening, user
 * YARA rules), and the one-pass evaluation that finds it (`vouch scan`).
 *
 * A finding is one observation with a stable rule id ("account.empty-password"), a
 * category, a severity, the nested path and offset where it was seen, and an evidence
 * excerpt in which secrets are already masked. The collection is thread-safe (analysers run
 * on the unpacker's worker threads), owns copies of every string, and is sorted (path,
 * offset, id) when read, so two runs over one image list the same findings in the same order.
 *
 * Ownership: caller owns the vouch_findings; every string of a listed finding lives until
 * vouch_findings_free().
 */
#ifndef VOUCH_FINDINGS_H
#define VOUCH_FINDINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vouch/error.h"
#include "vouch/scan.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum vouch_severity {
	VOUCH_SEV_INFO = 0,
	VOUCH_SEV_LOW,
	VOUCH_SEV_MEDIUM,
	VOUCH_SEV_HIGH,
	VOUCH_SEV_CRITICAL,
} vouch_severity;

VOUCH_API const char *vouch_severity_str(vouch_severity s); /* "info" ... "critical" */

typedef struct vouch_finding {
	const char *id;        /* stable rule id: "<category>.<what>", e.g. "key.private-key" */
	const char *category;  /* "account", "key", "certificate", "service", "endpoint",
				* "secret", "hardening", "yara", "limit" */
	vouch_severity severity;
	const char *title;     /* one line for people, e.g. "uid 0 account other than root" */
	const char *path;      /* nested path of the file, e.g. "fw.bin/squashfs/etc/passwd" */
	uint64_t offset;       /* offset of the evidence in that file; UINT64_MAX: whole file */
	const char *evidence;  /* excerpt (bounded), secrets masked unless revealed */
	const char *detail;    /* more, as "key=value; key=value" (e.g. "type=RSA; bits=1024"),
				* or NULL */
	const char *fingerprint; /* identity of the thing found, for cross-image comparison and
				  * de-duplication (e.g. "sha256:..." of a public key), or NULL */
} vouch_finding;

typedef struct vouch_findings vouch_findings;

VOUCH_API int vouch_findings_new(vouch_findings **out);
VOUCH_API void vouch_findings_free(vouch_findings *fs);
/* Copy f into the collection. Thread-safe. VOUCH_E_LIMIT once max_findings are held (the
 * collection then records one "limit.findings" finding saying how many were dropped). */
VOUCH_API int vouch_findings_add(vouch_findings *fs, const vouch_finding *f);
/* Sorted by (path, offset, id); the array lives until the next add or free. */
VOUCH_API const vouch_finding *vouch_findings_list(vouch_findings *fs, size_t *n);

/* ---- the one-pass evaluation ---- */

typedef struct vouch_analysis_opts {
	const char *yara_rules;    /* --yara FILE: compiled with libyara, NULL: none */
	const char *geoip_db;      /* MaxMind DB (GeoLite2-Country format) for jurisdictions */
	bool reveal_secrets;       /* show cracked passwords and secrets unmasked */
	uint64_t max_buffer;       /* bytes of one file held for analysers (0: default) */
	double crack_seconds;      /* time budget for default-password cracking (0: default) */
	const char *key_registry;  /* directory of the private-key registry (keys.tsv: key
				    * fingerprints seen per image digest), so that one key found
				    * in two images is flagged; NULL: no cross-image check */
} vouch_analysis_opts;

typedef struct vouch_analysis vouch_analysis;

VOUCH_API int vouch_analysis_new(vouch_analysis **out, const vouch_analysis_opts *o,
				 vouch_findings *sink);
VOUCH_API void vouch_analysis_free(vouch_analysis *a);
VOUCH_API const char *vouch_analysis_errmsg(const vouch_analysis *a);
/* A visitor that runs every analyser over every file; install with vouch_scan_set_visitor()
 * (or chain it with other visitors through vouch_visitor_chain). */
VOUCH_API void vouch_analysis_visitor(vouch_analysis *a, vouch_visitor *out);
/* After the scan: cross-file conclusions (e.g. shadow hashes joined to passwd accounts). */
VOUCH_API int vouch_analysis_finish(vouch_analysis *a, const vouch_report *rep);

#ifdef __cplusplus
}
#endif
#endif
