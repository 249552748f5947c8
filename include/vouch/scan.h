/*
 * vouch/scan.h: take one firmware image apart and account for every byte of it.
 *
 * A scan opens an image, identifies containers at offset 0 or anywhere inside (carving),
 * opens each from an explicit work queue (never recursion), and yields every file found at
 * any depth exactly once, in one pass over its bytes, to the visitor. Optionally it writes
 * what it extracts beneath a directory (an output, not a prerequisite). When it ends, the
 * report lists every file, every region of every container (opened, identified, padding or
 * unrecognised with its entropy) and every error with its offset.
 *
 * Ownership: the caller owns the vouch_scan; the report and every string in it are owned by
 * the scan and live until vouch_scan_free(). Threads: a scan uses opts.threads workers; the
 * visitor's callbacks for different files may run concurrently on different threads, the
 * callbacks for one file always run on one thread, in order.
 */
#ifndef VOUCH_SCAN_H
#define VOUCH_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vouch/error.h"
#include "vouch/limits.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vouch_scan vouch_scan;

typedef enum vouch_ftype {
	VOUCH_FT_REG = 0,
	VOUCH_FT_DIR,
	VOUCH_FT_SYMLINK,
	VOUCH_FT_HARDLINK,
	VOUCH_FT_CHR,
	VOUCH_FT_BLK,
	VOUCH_FT_FIFO,
	VOUCH_FT_SOCK,
} vouch_ftype;

/* Name of a file type ("file", "dir", "symlink", ...). */
VOUCH_API const char *vouch_ftype_str(vouch_ftype t);

typedef struct vouch_elf_info {
	uint16_t machine; /* e_machine */
	uint8_t cls;      /* 1 = 32-bit, 2 = 64-bit */
	uint8_t endian;   /* 1 = little, 2 = big */
	uint16_t type;    /* e_type */
} vouch_elf_info;

/* Name of an ELF e_machine value ("mips", "arm", "aarch64", ...), "unknown" if unlisted. */
VOUCH_API const char *vouch_elf_machine_str(uint16_t machine);

/* One file found at any depth. Strings are raw bytes from the image (escape to print). */
typedef struct vouch_file {
	const char *path;    /* nested path, e.g. "fw.bin/squashfs/usr/sbin/dropbear" */
	const char *link;    /* symlink or hard-link target, else NULL */
	const char *type;    /* libmagic description of the content, NULL if not a regular file */
	const char *container; /* format opened from this file, NULL when none */
	vouch_ftype ftype;
	uint64_t size;
	uint32_t mode, uid, gid;
	int64_t mtime;
	uint32_t depth;
	bool has_sha256, has_elf, has_mode;
	uint8_t sha256[32];
	vouch_elf_info elf;
	double entropy; /* bits per byte of the whole content */
} vouch_file;

typedef enum vouch_region_kind {
	VOUCH_REGION_OPENED = 0,   /* a container that was opened (format named) */
	VOUCH_REGION_IDENTIFIED,   /* recognised (format named) but not a container to open */
	VOUCH_REGION_PADDING,      /* all 0x00 or all 0xFF */
	VOUCH_REGION_UNKNOWN,      /* nothing recognised: see entropy */
} vouch_region_kind;

VOUCH_API const char *vouch_region_kind_str(vouch_region_kind k);

typedef struct vouch_region {
	const char *node;  /* path of the file this region belongs to */
	const char *format; /* format name, or NULL */
	uint64_t offset, length;
	vouch_region_kind kind;
	double entropy;
} vouch_region;

typedef struct vouch_event {
	const char *node; /* path of the file being opened when it happened */
	const char *format;
	uint64_t offset;  /* offset within that file */
	int code;         /* a vouch_err */
	const char *message;
} vouch_event;

typedef struct vouch_report {
	const vouch_file *files;
	size_t nfiles;
	const vouch_region *regions;
	size_t nregions;
	const vouch_event *errors;
	size_t nerrors;
	uint64_t bytes_in, bytes_out;
	double seconds;
	bool limit_hit;  /* some limit stopped part of the work */
	bool truncated;  /* some container was corrupt or truncated */
} vouch_report;

/* Called once per file, on a worker thread: begin, data for every chunk in order, end. */
typedef struct vouch_visitor {
	void *ud;
	/* Return VOUCH_OK; *state is passed to the other two calls. f->sha256 is not set yet. */
	int (*file_begin)(void *ud, const vouch_file *f, void **state);
	int (*file_data)(void *ud, void *state, const uint8_t *p, size_t n, uint64_t offset);
	/* f is now complete (hash, type, ELF info). */
	int (*file_end)(void *ud, void *state, const vouch_file *f);
} vouch_visitor;

/*
 * Combine n visitors into one that calls each in order for every file (so several analyses
 * share the unpacker's one pass). The chain keeps a copy of the array; free it with
 * vouch_visitor_chain_free() after the scan. Caller owns *out's ud.
 */
VOUCH_API int vouch_visitor_chain(const vouch_visitor *v, size_t n, vouch_visitor *out);
VOUCH_API void vouch_visitor_chain_free(vouch_visitor *chain);

typedef void (*vouch_progress_fn)(void *ud, uint64_t done_bytes, uint64_t total_bytes,
				  uint64_t files);
typedef void (*vouch_log_fn)(void *ud, int level, const char *msg);

typedef struct vouch_scan_opts {
	vouch_limits limits;
	unsigned threads;         /* 0 = number of CPUs (at most 16) */
	const char *extract_dir;  /* NULL: extract nothing to disk */
	bool no_magic;            /* skip libmagic typing (faster) */
	const char *force_format; /* open the image itself with this format (testing, fuzzing) */
	vouch_progress_fn progress;
	void *progress_ud;
	vouch_log_fn log;
	void *log_ud;
	/* The root's name in nested paths; NULL: the image path's last component (the lab
	 * scans content-addressed blobs under the artefact's own name). */
	const char *root_name;
} vouch_scan_opts;

/* Fill with defaults (default limits, all CPUs, no extraction). */
VOUCH_API void vouch_scan_opts_default(vouch_scan_opts *o);

/* Returns VOUCH_OK, VOUCH_E_NOMEM, VOUCH_E_USAGE. The caller frees *out. */
VOUCH_API int vouch_scan_new(vouch_scan **out, const vouch_scan_opts *opts);
VOUCH_API void vouch_scan_free(vouch_scan *s);

/* Set before vouch_scan_run(); the visitor is copied. */
VOUCH_API void vouch_scan_set_visitor(vouch_scan *s, const vouch_visitor *v);

/*
 * Scan the image at `path` (a regular file). Returns VOUCH_OK when the whole image was
 * processed without error; VOUCH_E_MALFORMED when some part was corrupt or truncated
 * (the report holds what could be read); VOUCH_E_LIMIT when a limit stopped part of it;
 * VOUCH_E_IO / VOUCH_E_UNSAFE / VOUCH_E_NOMEM when the scan could not run.
 * The report is available in every case except VOUCH_E_USAGE.
 */
VOUCH_API int vouch_scan_run(vouch_scan *s, const char *path);

/*
 * As vouch_scan_run(), for an image already in memory (copied; `name` names the root).
 * Nothing is written to disk unless opts.extract_dir is set. Used by the fuzz harnesses.
 */
VOUCH_API int vouch_scan_run_buffer(vouch_scan *s, const char *name, const void *p, size_t n);

/* The report (sorted by path); owned by the scan. */
VOUCH_API const vouch_report *vouch_scan_report(const vouch_scan *s);

/* A description of the last fatal error, "" when none. */
VOUCH_API const char *vouch_scan_errmsg(const vouch_scan *s);

/* Formats the unpacker can open, as a NULL-terminated list of names. */
VOUCH_API const char *const *vouch_formats(void);

#ifdef __cplusplus
}
#endif
#endif
