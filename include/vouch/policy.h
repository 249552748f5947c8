/*
 * vouch/policy.h: the lab's policy, and the verdict it gives on one evaluation report.
 *
 * A policy is a small declarative document (JSON, or the same tree in YAML; format in
 * docs/policy.md) of rules: severity and CVSS thresholds, forbidden and conditional finding
 * kinds, allowed endpoints and jurisdictions, required binary hardening, and waivers, each
 * with an author, a justification and an expiry date. Applying it to the JSON report of
 * `vouch scan --json` gives a verdict (approved, approved-with-conditions, rejected) whose
 * every reason names the policy rule and the one finding or vulnerability that triggered
 * it, and which lists every waiver with its status (applied, expired, unused) and what it
 * covered. The verdict JSON's shape is fixed (docs/policy.md, "The verdict").
 *
 * Loading is strict: unknown keys, wrong types, bad dates, bad CIDRs, empty lists where a
 * list must say something, and waivers without an author, a justification or an expiry are
 * refused, with a reason naming the key path ("waivers[2].expires: ...").
 */
#ifndef VOUCH_POLICY_H
#define VOUCH_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "vouch/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifndef VOUCH_API
#define VOUCH_API __attribute__((visibility("default")))
#endif

/* The one policy_version this build reads. */
#define VOUCH_POLICY_VERSION 1
/* A policy document larger than this is refused (VOUCH_E_LIMIT): a real policy is a few
 * KiB; a megabyte holds thousands of waivers, more than any lab reviews. */
#define VOUCH_POLICY_MAX_BYTES (1u << 20)
/* A report larger than this is refused (VOUCH_E_LIMIT): jansson holds the whole tree in
 * memory (about 10 times the text); a full scan of a 1 GiB image prints a few tens of MiB. */
#define VOUCH_POLICY_REPORT_MAX_BYTES (512u << 20)

typedef struct vouch_policy vouch_policy;

typedef enum vouch_verdict {
	VOUCH_VERDICT_APPROVED = 0,
	VOUCH_VERDICT_CONDITIONS = 1,
	VOUCH_VERDICT_REJECTED = 2,
} vouch_verdict;

/* "approved", "approved-with-conditions", "rejected"; "?" for a value outside the enum. */
VOUCH_API const char *vouch_verdict_str(vouch_verdict v);
/* The inverse of vouch_verdict_str: VOUCH_OK, or VOUCH_E_MALFORMED for any other string
 * (*out untouched). */
VOUCH_API int vouch_verdict_parse(const char *s, vouch_verdict *out);

/* Parse a policy document: text[0..len) is JSON when its first non-blank byte is '{', else
 * YAML (read through the vulnerability feeds' YAML reader; its scalars are strings, so in
 * YAML a number, boolean or null is also accepted as the string that spells it). On success
 * *out is a new policy the caller frees with vouch_policy_free. Errors: VOUCH_E_MALFORMED
 * (not JSON/YAML, or not a valid policy: the reason in why names the key path),
 * VOUCH_E_LIMIT (more than VOUCH_POLICY_MAX_BYTES), VOUCH_E_NOMEM; *out is NULL then. */
VOUCH_API int vouch_policy_load(const char *text, size_t len, vouch_policy **out, char *why,
				size_t why_cap);
/* Free a policy; NULL is accepted. */
VOUCH_API void vouch_policy_free(vouch_policy *p);
/* The policy's "name" (borrowed: lives as long as p). */
VOUCH_API const char *vouch_policy_name(const vouch_policy *p);

/* The policy as JSON with every default made explicit, keys in the documented order
 * (docs/policy.md): what `vouch policy check --json` prints. *json_out is malloc'ed (caller
 * frees). VOUCH_OK or VOUCH_E_NOMEM. */
VOUCH_API int vouch_policy_normalized(const vouch_policy *p, char **json_out);

/* The built-in default policy's text (data/policy-default.json, embedded at build time);
 * static, NUL-terminated, *len (when not NULL) set to its length without the NUL. */
VOUCH_API const char *vouch_policy_default_text(size_t *len);

/* A time for vouch_policy_apply's `now`: "YYYY-MM-DD" (midnight UTC of that day) or
 * "YYYY-MM-DDTHH:MM:SSZ" (UTC), years 1970..9999, into unix seconds. VOUCH_OK, or
 * VOUCH_E_MALFORMED (*out untouched). */
VOUCH_API int vouch_policy_time_parse(const char *s, int64_t *out);

/* Apply p to one report (the JSON of `vouch scan --json`) at time now (unix seconds; a
 * waiver is valid until the end of its expiry day, UTC). On VOUCH_OK, *verdict_out is the
 * verdict and *verdict_json_out a malloc'ed verdict JSON document (shape in
 * docs/policy.md, 1-space indent, keys in the documented order, a final newline) that the
 * caller frees. Errors: VOUCH_E_MALFORMED (the text is not a vouch report: the reason in
 * why names the field), VOUCH_E_LIMIT (more than VOUCH_POLICY_REPORT_MAX_BYTES),
 * VOUCH_E_USAGE (p or an out-parameter is NULL), VOUCH_E_NOMEM; the out-parameters are
 * untouched then. */
VOUCH_API int vouch_policy_apply(const vouch_policy *p, const char *report_json, size_t len,
				 int64_t now, vouch_verdict *verdict_out, char **verdict_json_out,
				 char *why, size_t why_cap);

#ifdef __cplusplus
}
#endif
#endif
