/*
 * analyze/analyzer.h: the contract between the analysis driver (analyze/driver.c) and each
 * indicator analyser (accounts.c, keys.c, services.c, endpoints.c, secrets.c, hardening
 * findings, yara.c).
 *
 * One pass: the driver sees every file's bytes once, as the unpacker yields them. It
 *   - compiles the patterns of ALL analysers into one vectorscan block-mode database at
 *     start and scans each chunk once (with an overlap, so a match cut by a chunk boundary
 *     is still seen); every hit goes to the analyser that asked for that pattern;
 *   - holds a file's whole content in memory when some analyser `wants` it and it is not
 *     larger than max_buffer (default 16 MiB), so an analyser can parse a config file, a
 *     PEM block or an ELF file at file end without reading anything again;
 *   - calls each analyser's `file` at the end of each regular file with the content (when
 *     held) and that analyser's hits (absolute offsets in the file; each hit carries up to
 *     VOUCH_AHIT_CTX bytes before and after the match, so an analyser can work from hits
 *     alone in files too large to hold).
 * Analysers run concurrently on the unpacker's worker threads: `file` must only touch its
 * own state under its own lock. They never print: findings go to vouch_findings_add.
 */
#ifndef VOUCH_ANALYZE_ANALYZER_H
#define VOUCH_ANALYZE_ANALYZER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vouch/findings.h"
#include "vouch/scan.h"

#define VOUCH_AHIT_CTX 256     /* bytes of context kept on each side of a hit */
#define VOUCH_AHIT_MAX_LEN 4096 /* a match longer than this is cut (bytes, len) */

/* A pattern an analyser wants found in file bytes. */
typedef struct vouch_apattern {
	const char *expr;  /* vectorscan expression */
	unsigned flags;    /* HS_FLAG_* (HS_FLAG_SOM_LEFTMOST is added by the driver) */
	unsigned tag;      /* the analyser's own number for it, passed back in hits */
} vouch_apattern;

typedef struct vouch_ahit {
	unsigned tag;
	uint64_t from, to;       /* absolute offsets of the match in the file */
	const uint8_t *bytes;    /* the match (at most VOUCH_AHIT_MAX_LEN bytes) */
	size_t len;
	const uint8_t *before;   /* up to VOUCH_AHIT_CTX bytes before the match */
	size_t nbefore;
	const uint8_t *after;    /* up to VOUCH_AHIT_CTX bytes after it */
	size_t nafter;
} vouch_ahit;

/* What an analyser is given at the end of one regular file. */
typedef struct vouch_afile {
	const vouch_file *f;     /* path, size, mode, uid/gid, ELF identification, sha256 */
	const uint8_t *data;     /* the whole content when held, else NULL */
	size_t len;              /* bytes in data */
	bool cut;                /* the file was larger than max_buffer: data is NULL */
	const struct vouch_elf_report *elf; /* vouch_elf_analyze() of the file, when it is an
					     * ELF file that was held; else NULL */
} vouch_afile;

/* Shared with every analyser for one run. */
typedef struct vouch_actx {
	vouch_findings *sink;
	const vouch_analysis_opts *opts;
	char *err;     /* `init` may leave a message here when it fails (errcap bytes, NUL-ended) */
	size_t errcap;
} vouch_actx;

typedef struct vouch_analyzer {
	const char *name;
	const vouch_apattern *patterns;
	size_t npatterns;
	/* Make the analyser's state for one run (NULL state is fine). */
	int (*init)(const vouch_actx *ctx, void **state);
	/* Hold this file's whole content for me? Called at file begin with the nested path and
	 * the first bytes (up to 4 KiB; fewer if the file is smaller). */
	bool (*wants)(void *state, const char *path, const uint8_t *head, size_t n);
	/* End of one regular file: the content (if wanted and held) and my hits, in order. */
	void (*file)(const vouch_actx *ctx, void *state, const vouch_afile *af,
		     const vouch_ahit *hits, size_t nhits);
	/* After the whole image: cross-file conclusions. */
	void (*finish)(const vouch_actx *ctx, void *state, const vouch_report *rep);
	void (*free)(void *state);
} vouch_analyzer;

/* Helpers every analyser uses (analyze/common.c). */
/* Add a finding; `evidence` is escaped for display and cut to a bounded excerpt. */
int vouch_afind(const vouch_actx *ctx, const char *id, const char *category,
		vouch_severity sev, const char *title, const vouch_file *f, uint64_t offset,
		const char *evidence, size_t evlen, const char *detail, const char *fingerprint);
/* Mask a secret for display: keep the first 2 characters, then "***" (len >= 6), else "***". */
void vouch_mask(const char *secret, size_t n, char *out, size_t cap);
/* The context around a hit holds control bytes: the string sits inside a binary. */
bool vouch_ahit_binary(const vouch_ahit *h);
/* Shannon entropy of a string in bits per character. */
double vouch_str_entropy(const char *s, size_t n);
/*
 * The text around a hit: the run of printable bytes (tab included; a line of a text file, a
 * string in a binary) that holds the match, within the hit's context. Copied into out (at
 * most cap-1 bytes and NUL); *at is where the match starts in out; *bounded_before/after
 * say whether the run ended inside the context (a non-printable byte or a line end was seen)
 * rather than at the context's edge. Returns the length copied.
 */
size_t vouch_ahit_text(const vouch_ahit *h, char *out, size_t cap, size_t *at,
		       bool *bounded_before, bool *bounded_after);

/* The analysers (each in its own file). */
extern const vouch_analyzer vouch_analyzer_accounts;
extern const vouch_analyzer vouch_analyzer_services;
extern const vouch_analyzer vouch_analyzer_keys;
extern const vouch_analyzer vouch_analyzer_endpoints;
extern const vouch_analyzer vouch_analyzer_secrets;
extern const vouch_analyzer vouch_analyzer_hardening;
extern const vouch_analyzer vouch_analyzer_yara;

#endif
