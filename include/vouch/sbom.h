/*
 * vouch/sbom.h: what is inside an image, as components with evidence, and the SBOM documents
 * (CycloneDX 1.6 JSON, SPDX 2.3 JSON) that carry it.
 *
 * Model: an SBOM is the image (name, digest, size), the files found in it (nested path,
 * digest, size), the components identified (name, upstream version, CPE 2.3, purl, evidence,
 * confidence) and dependency edges between bom-refs (a binary's DT_NEEDED naming a library
 * file; a file belonging to a component). Components come from the identifier
 * (vouch_ident_*), which is fed the image's files by the scan visitor; an SBOM can also be read
 * back from a CycloneDX or SPDX JSON document (ours or another tool's) to re-match it against
 * an updated vulnerability database without unpacking again.
 *
 * Ownership: every vouch_sbom is owned by its creator handle (vouch_ident or the reader) and
 * lives until that is freed; writers return a malloc'd string the caller frees.
 */
#ifndef VOUCH_SBOM_H
#define VOUCH_SBOM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vouch/error.h"
#include "vouch/scan.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Where a component was seen: one piece of evidence. Strings are raw bytes from the image. */
typedef struct vouch_evidence {
	const char *method; /* "opkg-status", "dpkg-status", "apk-installed", "ipk-control",
			     * "deb-control", "elf-soname", "elf-comment", "kernel-banner",
			     * "vermagic", "fingerprint" */
	const char *path;   /* nested path of the file, e.g. "fw.bin/squashfs/bin/busybox" */
	uint64_t offset;    /* byte offset of the matched text in that file; UINT64_MAX: none */
	const char *text;   /* the matched text (at most a few hundred bytes) */
	const char *rule;   /* fingerprint rule id or package-db field; NULL when none */
} vouch_evidence;

typedef enum vouch_component_kind {
	VOUCH_COMP_LIBRARY = 0,
	VOUCH_COMP_APPLICATION,
	VOUCH_COMP_OS,        /* the Linux kernel */
	VOUCH_COMP_FIRMWARE,  /* boot loaders (u-boot) */
} vouch_component_kind;

typedef struct vouch_component {
	const char *bom_ref;   /* unique within the document, e.g. "comp-openssl-3.0.11" */
	const char *name;      /* canonical name: "openssl", "busybox", "linux", ... */
	const char *version;   /* upstream version ("1.1.1w", "2022.83"); NULL when unknown */
	const char *supplier;  /* vendor as people say it ("OpenSSL Project"); NULL if unknown */
	const char *cpe;       /* CPE 2.3 formatted string with the version; NULL if none */
	const char *const *cpe_aliases; /* further "vendor:product" pairs NVD files it under */
	size_t ncpe_aliases;
	const char *purl;      /* package URL, e.g. "pkg:generic/openssl@3.0.11" */
	vouch_component_kind kind;
	double confidence;     /* 0..1: 1.0 = package database, lower for fingerprints */
	const vouch_evidence *evidence;
	size_t nevidence;
} vouch_component;

/* One file of the image as the SBOM lists it. */
typedef struct vouch_sbom_file {
	const char *bom_ref;   /* "file-<n>" */
	const char *path;      /* nested path */
	uint64_t size;
	uint8_t sha256[32];
	uint8_t sha1[20];      /* SPDX 2.3 (clause 8.4) requires a SHA1 per file; all zero:
				* not computed (the SPDX writer then omits it and says so) */
	const char *component_ref; /* bom-ref of the component it belongs to, or NULL */
} vouch_sbom_file;

/* A dependency edge: `from` depends on `to` (both bom-refs). */
typedef struct vouch_sbom_dep {
	const char *from, *to;
	const char *why; /* "DT_NEEDED libssl.so.3", "contains" */
} vouch_sbom_dep;

typedef struct vouch_sbom {
	const char *name;          /* image name */
	uint8_t sha256[32];        /* image digest (all zero when unknown, e.g. read back) */
	uint64_t size;
	int64_t created;           /* Unix seconds */
	const char *tool_version;
	const vouch_component *components;
	size_t ncomponents;
	const vouch_sbom_file *files;
	size_t nfiles;
	const vouch_sbom_dep *deps;
	size_t ndeps;
} vouch_sbom;

/* ---- identification (lib/sbom/ident.c) ---- */

typedef struct vouch_ident vouch_ident;

/* Load the fingerprint rules (NULL: the rules built into the binary). Caller frees *out. */
VOUCH_API int vouch_ident_new(vouch_ident **out, const char *rules_path);
VOUCH_API void vouch_ident_free(vouch_ident *id);
/* A visitor that feeds the identifier; install it with vouch_scan_set_visitor(). */
VOUCH_API void vouch_ident_visitor(vouch_ident *id, vouch_visitor *out);
/* Forget what was seen (and the SBOM built from it) to identify another image with the
 * same compiled rules. */
VOUCH_API int vouch_ident_reset(vouch_ident *id);
/* Compute a SHA-1 of every file too (SPDX 2.3 requires one per file); off by default. */
VOUCH_API void vouch_ident_want_sha1(vouch_ident *id, bool on);
/* After the scan: build the SBOM from what was seen and the scan's report. */
VOUCH_API int vouch_ident_finish(vouch_ident *id, const vouch_report *rep, const char *image_name,
				 const vouch_sbom **out);
VOUCH_API const char *vouch_ident_errmsg(const vouch_ident *id);

/* ---- documents (lib/sbom/cyclonedx.c, spdx.c) ---- */

/*
 * Serialise as CycloneDX 1.6 JSON / SPDX 2.3 JSON. Caller frees *out (a NUL-terminated
 * string). Deterministic: the same model gives the same bytes (serial number and namespace
 * derive from the image digest and `created`). VOUCH_E_USAGE when `created` is outside
 * years 0-9999 or an array is NULL with a count; VOUCH_E_NOMEM.
 */
VOUCH_API int vouch_sbom_to_cyclonedx(const vouch_sbom *s, char **out);
VOUCH_API int vouch_sbom_to_spdx(const vouch_sbom *s, char **out);

typedef struct vouch_sbom_doc vouch_sbom_doc;
/*
 * Read a CycloneDX (1.4-1.7) or SPDX (2.2, 2.3) JSON document (detected from its content)
 * into the model: components with bom-ref, name, version, CPE, CPE aliases, purl, evidence;
 * the image; files and edges where present (lib/sbom/read.c says exactly what maps to what).
 * VOUCH_E_MALFORMED with a message in `err` (if not NULL, at least 256 bytes) when it is
 * not one; VOUCH_E_LIMIT when it is larger than 128 MiB or nests components deeper than 64.
 * Caller frees *out with vouch_sbom_doc_free.
 */
VOUCH_API int vouch_sbom_read(const char *json, size_t len, vouch_sbom_doc **out, char *err,
			      size_t errlen);
VOUCH_API const vouch_sbom *vouch_sbom_doc_sbom(const vouch_sbom_doc *d);
VOUCH_API void vouch_sbom_doc_free(vouch_sbom_doc *d);

#ifdef __cplusplus
}
#endif
#endif
