/*
 * vuln/vuln_int.h: what the parts of lib/vuln share: limits, CPE names, and the compact
 * applicability encoding stored with every record.
 *
 * Applicability. Every record, whatever its source format, is reduced at import to one
 * model: a flat list of nodes, node 0 the root, every other node naming a parent of smaller
 * index (so evaluation is one reverse pass, never recursion on input depth). A node is an
 * OR, an AND (NVD configurations; `negate` inverts it) or a GROUP (one affected product of
 * a CVE 5 or OSV record, with its default status). Each node carries leaves: a product
 * (vendor, product), an exact version or "*" with an optional range (start/end, each
 * including or excluding), whether a hit means "vulnerable" (NVD `vulnerable`, CVE 5 status
 * affected) and the text the reason quotes. The encoding is ours but it is read back from a
 * file that may have been damaged, so it is parsed with vouch_rd like any other input.
 */
#ifndef VOUCH_VULN_INT_H
#define VOUCH_VULN_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/base.h"
#include "vouch/vuln.h"

/* ---- limits of the importer (each input file is hostile) ----------------------------- */

/* Decompressed bytes of one feed file. NIST's largest 2.0 year feed is about 0.6 GiB. */
#define VULN_MAX_FILE_BYTES (2ULL << 30)
/* Bytes of one identifier, CPE string, version or product name; real ones are < 300. */
#define VULN_MAX_STR 1024
/* A description longer than this is cut (with "...") when stored: it is for display. */
#define VULN_MAX_TEXT 4096
/* Nesting of NVD 1.1 `children` and of YAML collections; real data nests 2-3 deep. */
#define VULN_MAX_DEPTH 64
/* Nodes and leaves of one record; the largest real NVD record has ~2,500 CPE matches. */
#define VULN_MAX_NODES 65536
#define VULN_MAX_LEAVES 262144
/* Files visited and directory depth of one import walk. */
#define VULN_MAX_WALK_FILES 1000000
#define VULN_MAX_WALK_DEPTH 64

/* ---- versions (version.c) --------------------------------------------------------------- */

/* vouch_version_cmp without the final byte-wise tie-break: "1.01" == "1.1". */
int vouch_version_cmp_loose(const char *a, const char *b);
/* Release tag -> version ("curl-7_50_0" -> "7.50.0"). Returns the length written. */
size_t vouch_vuln_tag_to_version(const char *tag, char *out, size_t cap);

/* ---- CPE names (cpe.c) ------------------------------------------------------------------- */

enum {
	CPE_PART,
	CPE_VENDOR,
	CPE_PRODUCT,
	CPE_VERSION,
	CPE_UPDATE,
	CPE_EDITION,
	CPE_LANGUAGE,
	CPE_SW_EDITION,
	CPE_TARGET_SW,
	CPE_TARGET_HW,
	CPE_OTHER,
	CPE_NFIELDS
};

/* A parsed CPE name: fields unescaped and NUL-terminated inside buf; vendor and product
 * lower-cased. Missing trailing fields are "*". */
typedef struct vouch_cpe {
	const char *f[CPE_NFIELDS];
	char buf[VULN_MAX_STR + CPE_NFIELDS + 1];
} vouch_cpe;

/* Parse a CPE 2.3 formatted string ("cpe:2.3:a:v:p:...") or a CPE 2.2 URI ("cpe:/a:v:p:...").
 * VOUCH_E_MALFORMED when it is neither, too long, or has an empty vendor or product. */
int vouch_cpe_parse(vouch_cpe *c, const char *s);
/* true for the CPE logical values ANY ("*", or empty) and NA ("-"). */
bool vouch_cpe_is_any(const char *v);

/* ---- applicability encoding (appl.c) ----------------------------------------------------- */

enum { APPL_OR = 0, APPL_AND = 1, APPL_GROUP = 2 };

/* node flags */
#define APPL_NEGATE 0x01u     /* AND/OR: the node's truth is inverted */
#define APPL_DEFAULT_AFF 0x02u /* GROUP: versions not listed are affected */
#define APPL_GIT_ONLY 0x04u   /* GROUP: affected only by git commit ranges */

/* leaf flags */
#define LEAF_VULN 0x01u       /* a hit means vulnerable (else: unaffected / platform) */
#define LEAF_START 0x02u
#define LEAF_START_INCL 0x04u
#define LEAF_END 0x08u
#define LEAF_END_INCL 0x10u
#define LEAF_UNEVAL 0x20u     /* cannot be evaluated (git commit, "n/a" version) */

typedef struct vouch_appl_leaf {
	uint8_t flags;
	const char *vendor, *product; /* lower-case; vendor "" for OSV package names */
	const char *version;          /* exact, or "*" */
	const char *update;           /* CPE update field, "*" when none */
	const char *start, *end;      /* range bounds ("" when absent) */
	const char *text;             /* what the reason quotes: the CPE, or "vendor product" */
} vouch_appl_leaf;

typedef struct vouch_appl_node {
	uint8_t op, flags;
	uint32_t parent; /* UINT32_MAX for node 0 */
	uint32_t first_leaf, nleaves;
} vouch_appl_node;

/* A decoded (or being built) applicability: node and leaf arrays. */
typedef struct vouch_appl {
	vouch_appl_node *nodes;
	size_t nnodes, capn;
	vouch_appl_leaf *leaves;
	size_t nleaves, capl;
} vouch_appl;

/* Builder (import): add a node, then its leaves (leaves go to the last node added). Strings
 * are copied when encoded, not before: they must live until vouch_appl_encode. */
int vouch_appl_add_node(vouch_appl *a, uint8_t op, uint8_t flags, uint32_t parent,
			uint32_t *idx);
int vouch_appl_add_leaf(vouch_appl *a, const vouch_appl_leaf *l);
/* Encode into a malloc'd blob. */
int vouch_appl_encode(const vouch_appl *a, uint8_t **out, size_t *len);
/* Decode a blob in place: leaf strings point into `blob`, which must outlive `a`. The
 * arrays of `a` are reused between calls (free with vouch_appl_free). */
int vouch_appl_decode(vouch_appl *a, const uint8_t *blob, size_t len);
void vouch_appl_reset(vouch_appl *a);
void vouch_appl_free(vouch_appl *a);

/* ---- timestamps --------------------------------------------------------------------------- */

/* Any of the feeds' timestamp spellings ("2021-09-10T07:09Z", "2025-04-12T10:46:40.837",
 * "2024-08-22T13:56:45.647Z", "...768619Z", "2024-02-13T00:00:00+00:00") -> the canonical
 * "YYYY-MM-DDTHH:MM:SS.ffffffZ" (UTC), which orders as text. false when unparseable. */
bool vouch_vuln_ts_canon(const char *in, char out[32]);

#endif
