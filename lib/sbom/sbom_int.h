/*
 * sbom/sbom_int.h: what the SBOM writers (cyclonedx.c, spdx.c), the reader (read.c) and VEX
 * (vex.c) share: the two ways a firmware string becomes JSON, times, serial numbers, a small
 * string map, and the "plan" that both writers print from (sorted elements, unique
 * bom-refs, resolved and de-duplicated edges), so the two formats cannot disagree about them.
 *
 * Strings from firmware take one of two roads into JSON:
 *   - text (paths, matched text, evidence, supplier): vouch_escape_str, exactly as
 *     `vouch unpack --json` prints paths, so a location in the SBOM is the same string as in
 *     the unpack report (control bytes, backslash and invalid UTF-8 become \xNN);
 *   - identity (name, version, CPE, purl, bom-ref): kept byte for byte when it is valid
 *     UTF-8 (jansson escapes control characters as \u00XX, so the JSON is still plain text),
 *     each byte of an invalid sequence replaced by U+FFFD. A CPE's own backslash escapes
 *     ("\:") survive, and reading the document back gives the same string.
 */
#ifndef VOUCH_SBOM_INT_H
#define VOUCH_SBOM_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/base.h"
#include "vouch/sbom.h"
#include "vouch/vuln.h"

/* Largest SBOM or VEX document read: an SBOM of a large image (100 000 files at ~400 bytes
 * each) is ~40 MiB; jansson needs several times the text in memory. */
#define VOUCH_SBOM_DOC_MAX (128u << 20)
/* Nesting of CycloneDX components[] inside components[] that the reader follows: real
 * documents nest a few levels (assemblies); a deeper tree is refused, not walked. */
#define VOUCH_SBOM_NEST_MAX 64
/* CycloneDX's version type has maxLength 1024 (bom-1.6 "version"); a longer "version" from
 * firmware is not a version: it is left out (and said so in a property). */
#define VOUCH_SBOM_VERSION_MAX 1024
/* Characters of a bom-ref kept in an SPDX identifier (after SPDXRef-Package-): identifiers
 * stay readable; uniqueness comes from the suffix, not the length. */
#define VOUCH_SBOM_SPDXID_MAX 96
/* Budget of the reader's arena, as a multiple of the document's size (strings are copied
 * once, plus the arrays of the model). */
#define VOUCH_SBOM_ARENA_FACTOR 4
#define VOUCH_SBOM_ARENA_MIN (1u << 20)

/* ---- strings (json.c) ---- */

/* A JSON string of firmware text (escaped); json null when s is NULL; NULL on no memory. */
json_t *vouch_sbomj_text(const char *s);
/* A JSON string of an identity (valid UTF-8 kept, invalid bytes U+FFFD); NULL on no memory. */
json_t *vouch_sbomj_ident(const char *s);
/* malloc'd identity string as above; NULL on no memory. */
char *vouch_sbom_ident_dup(const char *s);
/* Code points in the identity form of s. */
size_t vouch_sbom_ident_len(const char *s);
/* Lower-case hex of n bytes into out (2n + 1 bytes). */
void vouch_sbom_hex(const uint8_t *p, size_t n, char *out);
bool vouch_sbom_allzero(const uint8_t *p, size_t n);
/* "YYYY-MM-DDThh:mm:ssZ" (UTC) into out[32]; false for a time gmtime cannot represent. */
bool vouch_sbom_time_fmt(int64_t t, char out[32]);
/* RFC 3339 date-time (fractional seconds ignored, Z or +hh:mm) to Unix seconds. */
bool vouch_sbom_time_parse(const char *s, int64_t *t);
/* A UUID (RFC 9562 version 8, SHA-256 based) from the image digest, the creation time and a
 * label: the same model gives the same UUID, a later run (another second) or another image
 * a different one. out: 37 bytes. */
int vouch_sbom_uuid(const uint8_t sha256[32], int64_t created, const char *label, char out[37]);
/* ASCII case-insensitive equality. */
bool vouch_sbom_ieq(const char *a, const char *b);

/* ---- a string -> pointer map with borrowed keys (json.c) ---- */

typedef struct vouch_strmap {
	const char **keys;
	const void **vals;
	size_t cap, n;
} vouch_strmap;

/* The value of k or NULL; *found (may be NULL) whether present. */
const void *vouch_strmap_get(const vouch_strmap *m, const char *k, bool *found);
/* Set k -> v unless k is present (first wins); *added (may be NULL) says which. */
int vouch_strmap_add(vouch_strmap *m, const char *k, const void *v, bool *added);
void vouch_strmap_free(vouch_strmap *m);

/* ---- the writers' plan (plan.c) ---- */

typedef struct vouch_sbom_edge {
	const char *from, *to; /* output refs */
	const char *why;       /* the model's, may be NULL */
} vouch_sbom_edge;

typedef struct vouch_sbom_plan {
	const vouch_sbom *s;
	size_t *comp;          /* model indices of components, sorted (name, version, ref) */
	size_t *file;          /* model indices of files, sorted by path */
	char **comp_ref;       /* unique output ref per model component index */
	char **file_ref;       /* unique output ref per model file index */
	const char **file_owner; /* output ref of the file's component, or NULL */
	const char *image_ref;
	vouch_sbom_edge *edge; /* resolved, sorted (from, to, why), duplicates removed */
	size_t nedge;
	vouch_strmap taken;    /* every output ref */
	vouch_strmap byref;    /* model ref -> output ref (first element with that ref) */
} vouch_sbom_plan;

int vouch_sbom_plan_make(const vouch_sbom *s, vouch_sbom_plan *p);
void vouch_sbom_plan_free(vouch_sbom_plan *p);
/* The CycloneDX identity technique for one of our evidence methods (schema enum). */
const char *vouch_sbom_technique(const char *method);
/* Clamp a confidence into [0, 1] (NaN becomes 0). */
double vouch_sbom_conf(double c);

/* Serialise with sorted keys, 2-space indent, reals to 4 significant digits; malloc'd. */
int vouch_sbomj_dump(json_t *root, char **out);

/* Parse a document with the reader's bounds. VOUCH_E_LIMIT / _MALFORMED with a message. */
int vouch_sbomj_load(const char *json, size_t len, json_t **out, char *err, size_t errlen);
/* Print into err (may be NULL) and return code. */
int vouch_sbom_errf(char *err, size_t errlen, int code, const char *fmt, ...) VOUCH_PRINTF(4, 5);

#endif
