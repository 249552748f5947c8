/*
 * vouch/equiv.h: binary equivalence between what a vendor delivered and what the lab
 * rebuilt from the reviewed source.
 *
 * Each side is a firmware image (unpacked by the scanner of vouch/scan.h, in memory), a
 * directory, or a single file. Files are paired by their path inside the image without the
 * image's own name (`fw.bin/squashfs/usr/bin/x` pairs with `rebuilt.bin/squashfs/usr/bin/x`;
 * a container's `@0x<offset>` is dropped, so a root file system that moved pairs too), or
 * by their path relative to the directory. Every pair gets a verdict:
 *   identical   same SHA-256 (regular files), same target (links), same type (others);
 *   equivalent  the bytes differ, but only in parts a reproducible build cannot pin down:
 *               GNU build-id, .gnu_debuglink CRC, .comment toolchain strings, debug info,
 *               embedded build paths, timestamps, signatures, and offsets that moved only
 *               because of those (see vouch_equiv_class);
 *   different   code or data differ, or the file could not be compared in detail;
 *   only in one side.
 * ELF files are compared part by part: the ELF header, the program headers, every section
 * by name (with its header fields), the bytes between them and an appended kernel-module
 * signature; each differing
 * byte range is classified. Other files report their first differing offset and how many
 * bytes differ (a gzip header differing only in its MTIME field is a timestamp).
 *
 * Files the scanner opened as containers (a squashfs inside a uImage, a gzip stream) are not
 * paired themselves: their members are. ELF files are always paired. Bytes of an image that
 * lie outside every file found (container headers, padding) are not compared: the summary
 * counts files, not image bytes.
 *
 * Memory: listing a side keeps only digests. The contents of differing pairs are held in
 * batches of at most opts.max_held bytes (each batch costs one more pass of the scanner over
 * each image side); a file above opts.max_file is compared by digest only, and says so.
 *
 * Ownership: the caller owns the vouch_equiv; every string and array reached from it
 * belongs to it and lives until vouch_equiv_free(). Strings taken from images are raw bytes:
 * escape them before printing.
 */
#ifndef VOUCH_EQUIV_H
#define VOUCH_EQUIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vouch/error.h"
#include "vouch/limits.h"
#include "vouch/scan.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Largest file compared in detail (ELF sections, differing ranges): real firmware ELF files
 * are a few MiB (a vmlinux with full debug info can pass this: compared by digest only, and
 * the output says so). */
#define VOUCH_EQUIV_MAX_FILE (128ULL << 20)
/* File contents held at once (both sides of a batch of differing pairs): bounds resident
 * memory whatever the image size; at least twice VOUCH_EQUIV_MAX_FILE so one pair fits. */
#define VOUCH_EQUIV_MAX_HELD (256ULL << 20)
/* Differing byte ranges kept per part (section); the rest are counted, not listed. */
#define VOUCH_EQUIV_MAX_RANGES 32u

typedef struct vouch_equiv vouch_equiv;

typedef enum vouch_equiv_verdict {
	VOUCH_EQUIV_IDENTICAL = 0,
	VOUCH_EQUIV_EQUIVALENT,
	VOUCH_EQUIV_DIFFERENT,
	VOUCH_EQUIV_ONLY_DELIVERED,
	VOUCH_EQUIV_ONLY_REBUILT,
	VOUCH_EQUIV_NVERDICTS,
} vouch_equiv_verdict;

/* What a difference is. The first eight are benign (VOUCH_EQUIV_BENIGN). */
typedef enum vouch_equiv_class {
	VOUCH_EQUIV_BUILD_ID = 0, /* .note.gnu.build-id, or an NT_GNU_BUILD_ID descriptor */
	VOUCH_EQUIV_DEBUG_LINK,   /* .gnu_debuglink (file name and CRC of the debug file) */
	VOUCH_EQUIV_COMMENT,      /* .comment: compiler and linker version strings */
	VOUCH_EQUIV_DEBUG,        /* .debug_* / .zdebug_* sections */
	VOUCH_EQUIV_PATH,         /* the directory part of an embedded file-system path */
	VOUCH_EQUIV_TIMESTAMP,    /* __DATE__, __TIME__, ISO 8601 and date(1) strings; gzip MTIME */
	VOUCH_EQUIV_SIGNATURE,    /* appended kernel-module signature, .signature sections */
	VOUCH_EQUIV_LAYOUT,       /* file offsets and indices that moved (content equal) */
	VOUCH_EQUIV_CODE,         /* an SHF_EXECINSTR section, or the entry point */
	VOUCH_EQUIV_DATA,         /* anything else */
	VOUCH_EQUIV_NCLASSES,
} vouch_equiv_class;

#define VOUCH_EQUIV_BENIGN ((1u << VOUCH_EQUIV_CODE) - 1u)

/* A part of an ELF file: a section or one of the pseudo-parts named in parentheses. */
typedef enum vouch_equiv_part_status {
	VOUCH_EQUIV_PART_SAME = 0, /* identical content and header */
	VOUCH_EQUIV_PART_MOVED,    /* identical content; offsets or indices in its header moved */
	VOUCH_EQUIV_PART_DIFFERS,
	VOUCH_EQUIV_PART_ONLY_DELIVERED,
	VOUCH_EQUIV_PART_ONLY_REBUILT,
} vouch_equiv_part_status;

/* One differing byte range: offset within the part on the delivered side (past the end of
 * the shorter side for a size difference). */
typedef struct vouch_equiv_range {
	uint64_t offset, length;
	vouch_equiv_class cls;
} vouch_equiv_range;

typedef struct vouch_equiv_part {
	const char *name; /* ".text", "(ELF header)", "(program headers)", "(after .data)"
			   * (bytes between parts, or after the last one, named by the part
			   * they follow), "(module signature)"; a repeated section name gets
			   * "#2", "#3"; an unnamed section "[index]" */
	vouch_equiv_part_status status;
	uint32_t classes;              /* bit (1u << class) per class of difference */
	uint64_t offset_d, size_d;     /* in the delivered file (0 when absent) */
	uint64_t offset_r, size_r;     /* in the rebuilt file */
	uint64_t diff_bytes;           /* differing positions + the size difference */
	const char *fields;            /* header fields that differ ("sh_offset,sh_size"), or NULL */
	const vouch_equiv_range *ranges;
	size_t nranges;
	uint64_t ranges_total;         /* ranges found; nranges <= VOUCH_EQUIV_MAX_RANGES kept */
} vouch_equiv_part;

typedef struct vouch_equiv_file {
	const char *path;      /* the pairing key (the basename when two single files are compared) */
	const char *delivered; /* full nested path on each side, NULL when absent */
	const char *rebuilt;
	vouch_equiv_verdict verdict;
	vouch_ftype ftype_d, ftype_r;
	uint64_t size_d, size_r;
	const char *link_d, *link_r;   /* link targets */
	bool has_sha_d, has_sha_r;
	uint8_t sha_d[32], sha_r[32];
	bool elf;                      /* compared as ELF, part by part */
	uint32_t classes;              /* union of the parts' classes (or of the whole file's) */
	uint64_t first_diff;           /* first differing byte offset (when compared in detail) */
	uint64_t diff_bytes;           /* differing positions + the size difference */
	const char *note;              /* why the comparison is partial (a cap, a read error), or NULL */
	const vouch_equiv_part *parts; /* ELF files: every part, in delivered order, then rebuilt-only */
	size_t nparts;
} vouch_equiv_file;

typedef struct vouch_equiv_side {
	const char *kind;       /* "image", "directory" or "file" */
	int scan;               /* vouch_scan_run()'s result for an image; VOUCH_OK otherwise */
	uint64_t files;         /* entries paired (containers excluded) */
	uint64_t containers;    /* files opened as containers, compared through their members */
	uint64_t scan_errors;   /* events in the scan report */
	uint64_t passes;        /* passes of the scanner over the image */
} vouch_equiv_side;

typedef struct vouch_equiv_summary {
	uint64_t files[VOUCH_EQUIV_NVERDICTS]; /* pairs by verdict */
	uint64_t bytes[VOUCH_EQUIV_NVERDICTS]; /* delivered bytes by verdict (rebuilt bytes for
						* ONLY_REBUILT) */
	uint64_t bytes_delivered;              /* bytes of every delivered regular file */
	uint64_t bytes_proven;                 /* of those, in identical or equivalent files */
	uint32_t classes;                      /* union over every file */
	vouch_equiv_side delivered, rebuilt;
	double seconds;
} vouch_equiv_summary;

typedef struct vouch_equiv_opts {
	vouch_limits limits;      /* for the scanner (images) and the directory walk (max_files,
				   * max_path) */
	unsigned threads;         /* scanner threads; 0 = every CPU */
	uint64_t max_file;        /* VOUCH_EQUIV_MAX_FILE */
	uint64_t max_held;        /* VOUCH_EQUIV_MAX_HELD */
	uint32_t max_ranges;      /* VOUCH_EQUIV_MAX_RANGES */
	vouch_progress_fn progress; /* called by the scanner (images only) */
	void *progress_ud;
} vouch_equiv_opts;

/* Defaults: default limits, every CPU, the caps above, no progress. */
VOUCH_API void vouch_equiv_opts_default(vouch_equiv_opts *o);

/*
 * Compare DELIVERED with REBUILT (each an image file, a directory or a single file; a
 * regular file is an image when the scanner opens a container in it, else a single file).
 * Returns VOUCH_OK when the comparison ran, whatever it found (read the summary); an image
 * that was partly corrupt still yields a result, with summary.<side>.scan saying so.
 * VOUCH_E_IO / VOUCH_E_NOTFOUND when an input cannot be read, VOUCH_E_LIMIT when a side has
 * more than limits.max_files entries, VOUCH_E_USAGE for bad options, VOUCH_E_NOMEM; `why`
 * (why_cap bytes, may be NULL) then says which input and why. The caller frees *out, which
 * is set only on VOUCH_OK.
 */
VOUCH_API int vouch_equiv_run(vouch_equiv **out, const char *delivered, const char *rebuilt,
			      const vouch_equiv_opts *opts, char *why, size_t why_cap);
VOUCH_API void vouch_equiv_free(vouch_equiv *e);

/* The pairs, sorted by path (borrowed). */
VOUCH_API const vouch_equiv_file *vouch_equiv_files(const vouch_equiv *e, size_t *n);
VOUCH_API const vouch_equiv_summary *vouch_equiv_get_summary(const vouch_equiv *e);

/* Static names: "identical", "equivalent", "different", "only-delivered", "only-rebuilt";
 * "build-id", "debug-link", "comment", "debug", "path", "timestamp", "signature", "layout",
 * "code", "data"; "same", "moved", "differs", "only-delivered", "only-rebuilt". */
VOUCH_API const char *vouch_equiv_verdict_str(int v);
VOUCH_API const char *vouch_equiv_class_str(int c);
VOUCH_API const char *vouch_equiv_part_status_str(int s);

#ifdef __cplusplus
}
#endif
#endif
