/*
 * unpack/engine.h: engine-private types shared by the engine's own files (blob.c, engine.c,
 * sink.c, carve.c). Format handlers include unpack.h only.
 */
#ifndef VOUCH_ENGINE_H
#define VOUCH_ENGINE_H

#include <stdatomic.h>

#include "unpack/unpack.h"

/* ---- blobs and spools (blob.c) ------------------------------------------------------ */

int vouch_blob_from_fd(int fd, uint64_t size, vouch_blob **out);
int vouch_blob_from_mem(uint8_t *mem, uint64_t size, uint64_t charged,
			atomic_uint_fast64_t *budget, vouch_blob **out);
vouch_blob *vouch_blob_ref(vouch_blob *b);
void vouch_blob_unref(vouch_blob *b);
uint64_t vouch_blob_size(const vouch_blob *b);
/* Bytes of this blob read so far by format handlers (not by the engine's own pass). */
uint64_t vouch_blob_nread(const vouch_blob *b);
/* The engine's own reads (hashing pass, entropy): not counted in nread. */
int vouch_src_pass(const vouch_src *s, uint64_t off, void *buf, size_t n, size_t *got);
/* An unlinked temporary file in dir; -1 on failure. */
int vouch_tmpfile(const char *dir);

typedef struct vouch_spool {
	uint8_t *buf;
	size_t len, cap;
	int fd;
	uint64_t charged;
	atomic_uint_fast64_t *budget;
	uint64_t budget_max;
	const char *tmpdir;
	/*
	 * Where a member too large for memory spills: spill_open(spill_ud) may return an fd
	 * open for reading and writing (the member's own output file, when extracting to
	 * disk), else an unlinked temporary file in tmpdir is used. spilled_out: it did.
	 */
	int (*spill_open)(void *ud);
	void *spill_ud;
	bool spilled_out;
} vouch_spool;

void vouch_spool_init(vouch_spool *sp, atomic_uint_fast64_t *budget, uint64_t budget_max,
		      const char *tmpdir);
int vouch_spool_write(vouch_spool *sp, const void *p, size_t n);
/* Bytes of memory budget the next write of n bytes would take (0: none). */
uint64_t vouch_spool_growth(const vouch_spool *sp, size_t n);
int vouch_spool_finish(vouch_spool *sp, vouch_blob **out);
void vouch_spool_discard(vouch_spool *sp);

/* ---- carving (carve.c) -------------------------------------------------------------- */

/* Signature hits collected during the single pass over a file's bytes. */
typedef struct vouch_hit {
	uint64_t start; /* where the format's region would begin */
	const vouch_fmt *fmt;
} vouch_hit;

typedef struct vouch_carver {
	uint8_t tail[32]; /* last bytes of the previous chunk, for signatures across chunks */
	size_t tail_len;
	uint64_t pos;     /* offset of the next chunk */
	vouch_hit *hits;
	size_t nhits, cap, max;
	bool overflow;
} vouch_carver;

void vouch_carver_init(vouch_carver *c, size_t max_hits);
void vouch_carver_feed(vouch_carver *c, const uint8_t *p, size_t n);
void vouch_carver_fini(vouch_carver *c);
/* Formats whose signature matches with the region starting at head[0], in table order. */
size_t vouch_carve_at_start(const uint8_t *head, size_t n, const vouch_fmt **out, size_t max);
/* Sort hits by offset and drop duplicates. */
void vouch_carver_sort(vouch_carver *c);

/* ---- disk output (sink.c) ----------------------------------------------------------- */

typedef struct vouch_sink vouch_sink;

int vouch_sink_open(vouch_sink **out, const char *dir, vouch_errinfo *err);
void vouch_sink_close(vouch_sink *s);
/*
 * Create the regular file at rel (a '/'-separated path of sanitized components) beneath the
 * sink's directory, creating parents; never follows a symlink; on a name clash picks
 * "name~N". Returns an fd open for writing or a negative vouch_err.
 */
int vouch_sink_create(vouch_sink *s, const char *rel, uint32_t mode, char *note, size_t notecap);
/*
 * The same, but the file is only created (empty) and closed: *out is the name it got (rel or
 * "rel~N", malloc'd). Members reserve their names in the order the container lists them,
 * so duplicates get their ~N in that order whichever worker later writes the bytes through
 * vouch_sink_reopen (the reserved file, opened for writing, never following a symlink).
 */
int vouch_sink_reserve(vouch_sink *s, const char *rel, uint32_t mode, char *note, size_t notecap,
		       char **out);
int vouch_sink_reopen(vouch_sink *s, const char *rel, bool rw);
int vouch_sink_mkdir(vouch_sink *s, const char *rel);
/* A symlink at rel whose target `target` is interpreted inside the container rooted at
 * `root` (absolute targets are relative to root). VOUCH_E_UNSAFE when it would escape. */
int vouch_sink_symlink(vouch_sink *s, const char *root, const char *rel, const char *target);

/* ---- inventory helpers (lib/inventory) ---------------------------------------------- */

typedef struct vouch_magic_db vouch_magic_db;
int vouch_magic_db_new(vouch_magic_db **out);
void vouch_magic_db_free(vouch_magic_db *m);
/* A description of the bytes (borrowed, valid until the next call). */
const char *vouch_magic_db_describe(vouch_magic_db *m, const uint8_t *p, size_t n);

/* Parse an ELF identification + header from the first bytes of a file. */
bool vouch_elf_ident(const uint8_t *p, size_t n, vouch_elf_info *out);

#endif
