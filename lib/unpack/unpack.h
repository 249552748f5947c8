/*
 * unpack/unpack.h: the contract between the unpacking engine and the format handlers.
 *
 * A format handler knows one container format. It gets a vouch_src (a read-only byte range:
 * the candidate region, from where the format starts to the end of the enclosing file) and
 * a vouch_job (the engine's side: where members go, where errors go, the limits), and:
 *   probe():   cheaply checks the header and says how long the format's region is;
 *   extract(): yields the members, streaming each member's bytes into the engine.
 * The engine owns everything else: the work queue, carving, hashing, typing, writing to disk,
 * limits on bytes/ratio/depth/files/time, name sanitising, and the report. A handler never
 * recurses into what it yields: a member that is itself a container is queued by the engine.
 *
 * Members are emitted as
 *   vouch_member_begin(job, name, len, &meta, &m); vouch_member_write(m, buf, n)...;
 *   vouch_member_end(m);
 * Names are the container's own member names (raw bytes, '/'-separated for archives); the
 * engine rejects '..' components, strips a leading '/', records every rejection. Entries
 * without data (directories, symlinks, devices, hard links) go through vouch_job_entry().
 * A piece of the source that is itself worth opening (a uImage payload, a TRX partition) is
 * yielded without copying by vouch_job_subregion().
 *
 * Every emit function returns VOUCH_OK or an error; VOUCH_E_LIMIT means "stop now": the
 * handler must return it unchanged (the engine has already recorded why).
 */
#ifndef VOUCH_UNPACK_H
#define VOUCH_UNPACK_H

#include <stdarg.h>
#include <stdint.h>

#include "base/base.h"
#include "vouch/scan.h"

/* ---- byte sources ------------------------------------------------------------------ */

/*
 * A blob is bytes held in memory or in an (unlinked temporary or input) file, refcounted.
 * A src is a window [off, off+len) of a blob. Reads are positional and thread-safe.
 */
typedef struct vouch_blob vouch_blob;

typedef struct vouch_src {
	vouch_blob *blob;
	uint64_t off, len;
} vouch_src;

static inline uint64_t
vouch_src_size(const vouch_src *s)
{
	return s->len;
}

/* Read exactly n bytes at off (relative to the src); VOUCH_E_MALFORMED past the end. */
int vouch_src_read(const vouch_src *s, uint64_t off, void *buf, size_t n);
/* Read up to n bytes at off; *got is how many (0 at the end). */
int vouch_src_read_some(const vouch_src *s, uint64_t off, void *buf, size_t n, size_t *got);
/* A narrower window: [off, off+len) of s. VOUCH_E_MALFORMED when out of range. */
int vouch_src_slice(const vouch_src *s, uint64_t off, uint64_t len, vouch_src *out);

/*
 * A read-only view of [off, off+len) as one pointer, for parsers that want random access
 * (mmap for file-backed blobs, zero-copy for memory ones). Release with vouch_view_free.
 */
typedef struct vouch_view {
	const uint8_t *p;
	uint64_t len;
	void *map_base;
	size_t map_len;
} vouch_view;

int vouch_src_view(const vouch_src *s, uint64_t off, uint64_t len, vouch_view *v);
void vouch_view_free(vouch_view *v);

/* ---- the engine's side, seen by handlers ------------------------------------------- */

typedef struct vouch_job vouch_job;
typedef struct vouch_member vouch_member;
typedef struct vouch_fmt vouch_fmt;

/* Metadata of a member or entry as the container records it. */
typedef struct vouch_meta {
	vouch_ftype ftype;
	uint32_t mode; /* permission bits (07777); 0 when the format has none */
	uint32_t uid, gid;
	int64_t mtime;
	bool has_mode;
	const char *link; /* symlink/hardlink target (raw bytes, NUL-terminated) or NULL */
	size_t link_len;
	uint64_t size_hint; /* expected size, 0 if unknown (used only for progress) */
} vouch_meta;

/*
 * Start a member. On VOUCH_OK, *out may be NULL when the engine refused the member (an
 * unsafe name, already recorded): keep going and pass the NULL to write/end/abort, which
 * then drop the bytes. Any other return code: stop and return it.
 */
int vouch_member_begin(vouch_job *j, const char *name, size_t name_len, const vouch_meta *meta,
		       vouch_member **out);
int vouch_member_write(vouch_member *m, const void *p, size_t n);
/* Queue the member for processing. Frees m. */
int vouch_member_end(vouch_member *m);
/* Drop a half-written member (e.g. on a decompression error): what was written is still
 * queued as a partial file and the error is recorded at `offset`. Frees m. */
int vouch_member_abort(vouch_member *m, int code, uint64_t offset, const char *fmt, ...)
	VOUCH_PRINTF(4, 5);

/* A directory, symlink, device, FIFO, socket or hard link: no data. */
int vouch_job_entry(vouch_job *j, const char *name, size_t name_len, const vouch_meta *meta);

/*
 * [off, off+len) of the job's source, queued as a member called `name` without copying.
 * `fmt` forces the format to open it with (NULL: identify it like any file).
 */
int vouch_job_subregion(vouch_job *j, const char *name, uint64_t off, uint64_t len,
			const vouch_fmt *fmt);

/* Record an error (malformed data, unsupported variant...) at an offset of the source. */
void vouch_job_error(vouch_job *j, int code, uint64_t offset, const char *fmt, ...)
	VOUCH_PRINTF(4, 5);
/* Record a region of the source (e.g. the uImage header as IDENTIFIED). */
void vouch_job_region(vouch_job *j, uint64_t off, uint64_t len, vouch_region_kind kind,
		      const char *format);
/* Tell the engine how many bytes of the source the format really occupied (when probe
 * could not know; e.g. a tar or cpio stream). */
void vouch_job_set_consumed(vouch_job *j, uint64_t n);

const vouch_limits *vouch_job_limits(const vouch_job *j);
/* How many worker threads the scan runs (a handler may add one helper of its own when > 1). */
unsigned vouch_job_threads(const vouch_job *j);
/* VOUCH_E_LIMIT once the time limit has passed or the scan is stopping. Call in loops. */
int vouch_job_check(vouch_job *j);
/* Scratch memory that lives as long as the job. */
vouch_arena *vouch_job_arena(vouch_job *j);
/* Per-thread scratch directory fd for handlers that need a file (may be -1). */

/* ---- formats ----------------------------------------------------------------------- */

#define VOUCH_LEN_UNKNOWN UINT64_MAX

typedef struct vouch_magic {
	const char *bytes; /* the signature */
	uint8_t len;
	uint16_t at; /* offset of the signature from the start of the format's region */
} vouch_magic;

struct vouch_fmt {
	const char *name; /* short, lower case, used in nested paths: "squashfs", "gzip" */
	const char *desc;
	vouch_magic magic[6]; /* up to 6 signatures; len 0 ends the list */
	/*
	 * Validate the header at the start of s. On success set *len to the bytes the format
	 * occupies (<= s->len), or VOUCH_LEN_UNKNOWN when only extract() can tell.
	 * Return VOUCH_OK, or VOUCH_E_MALFORMED / VOUCH_E_UNSUPPORTED when this is not (an
	 * openable instance of) the format: a probe failure is silent, not an error.
	 */
	int (*probe)(vouch_job *j, const vouch_src *s, uint64_t *len);
	/* Yield the members. Returns VOUCH_OK, or an error that the engine records. */
	int (*extract)(vouch_job *j, const vouch_src *s);
	/* Carving: only try this format at offset 0 of a file, never at other offsets. */
	bool whole_only;
	/* A leaf format: identified (e.g. a PEM block, a device tree with no payload) but has
	 * nothing to extract; extract may be NULL. */
	bool leaf;
};

/* The registry (unpack/formats.c): every format, in the order they are tried. */
extern const vouch_fmt *const vouch_fmt_table[];
const vouch_fmt *vouch_fmt_by_name(const char *name);

#endif
