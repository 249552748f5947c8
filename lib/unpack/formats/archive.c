/*
 * unpack/formats/archive.c: archive formats read through libarchive (tar, cpio, zip, 7z, ar,
 * iso9660, cab, rar).
 *
 * What. Each archive format is its own vouch_fmt with its own signatures and a cheap probe
 * that validates the header (tar header checksum, cpio hex/octal fields, the 7z start-header
 * CRC, the cab and ISO 9660 size fields, the ar member headers), so that carving rarely tries
 * libarchive on a false positive.
 *
 * How. libarchive reads the source through our callbacks (read, skip, seek) over
 * vouch_src_read_some in 256 KiB chunks; only the one format is enabled and no filters, so a
 * compression layer is always opened by our own stream formats and nesting stays explicit
 * (file.tar.gz -> gzip -> data -> tar). Members stream with archive_read_data_block straight
 * into vouch_member_write; entries without data go to vouch_job_entry. A bad entry is recorded
 * with vouch_job_error (at libarchive's input position) and reading goes on while libarchive
 * can; whatever was read is kept.
 *
 * How long the archive is, so trailing data is still carved: formats whose header says it
 * (7z, cab, iso9660), or whose structure is cheap to walk (ar members; the zip end of central
 * directory, found by a forward scan and validated against the central directory it points
 * at) get it in probe(); tar and cpio are streams, so after the end-of-archive marker
 * (two zero blocks, TRAILER!!!) we take libarchive's consumed position and extend it over the
 * zero padding up to the record size. rar falls back to libarchive's consumed position.
 *
 * Rejected: letting libarchive auto-detect formats and filters (nesting would be hidden and
 * a zip inside a tar.gz would be opened in one step, outside our limits and report); writing
 * our own tar/cpio parsers (libarchive is maintained and fuzzed); libarchive's own zip length
 * logic (its seekable reader looks for the central directory at the end of the *source*, so a
 * zip followed by other data would not open without the length we compute).
 */
#include <archive.h>
#include <archive_entry.h>
#include <string.h>
#include <zlib.h>

#include "unpack/unpack.h"

#define IO_CHUNK (256u * 1024u)
#define MAX_RETRIES 64u
#define ZERO_CHUNK (64u * 1024u)

static const uint8_t zeros[ZERO_CHUNK];

/* ---- libarchive callbacks over a vouch_src ----------------------------------------- */

typedef struct la_io {
	const vouch_src *s;
	uint64_t pos;
	uint8_t *buf;
	bool ioerr;
} la_io;

static la_ssize_t
io_read(struct archive *a, void *ud, const void **buf)
{
	la_io *io = ud;
	size_t got = 0;

	(void)a;
	*buf = io->buf;
	if (io->pos >= io->s->len) {
		return 0;
	}
	if (vouch_src_read_some(io->s, io->pos, io->buf, IO_CHUNK, &got) != VOUCH_OK) {
		io->ioerr = true;
		return -1;
	}
	io->pos += got;
	return (la_ssize_t)got;
}

static la_int64_t
io_skip(struct archive *a, void *ud, la_int64_t req)
{
	la_io *io = ud;
	uint64_t left = io->s->len - VOUCH_MIN(io->pos, io->s->len);
	uint64_t n;

	(void)a;
	if (req <= 0) {
		return 0;
	}
	n = VOUCH_MIN((uint64_t)req, left);
	io->pos += n;
	return (la_int64_t)n;
}

static la_int64_t
io_seek(struct archive *a, void *ud, la_int64_t off, int whence)
{
	la_io *io = ud;
	int64_t base;
	int64_t np;

	(void)a;
	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = (int64_t)io->pos;
		break;
	case SEEK_END:
		base = (int64_t)io->s->len;
		break;
	default:
		return ARCHIVE_FATAL;
	}
	if (__builtin_add_overflow(base, off, &np) || np < 0) {
		return ARCHIVE_FATAL;
	}
	io->pos = VOUCH_MIN((uint64_t)np, io->s->len);
	return (la_int64_t)io->pos;
}

/* ---- the formats' descriptions ------------------------------------------------------- */

typedef enum arc_end {
	END_PROBE,  /* probe() computed the length */
	END_TAR,    /* consumed position, extended over zero padding to 10240 */
	END_CPIO,   /* consumed position, extended over zero padding to 512 */
	END_FILTER, /* libarchive's consumed position */
} arc_end;

typedef struct arc_kind {
	const char *name;
	int (*enable)(struct archive *a);
	bool seekable;
	arc_end end;
	bool no_mode; /* the format records no permissions (libarchive makes some up) */
} arc_kind;

static int
enable_rar(struct archive *a)
{
	int rc = archive_read_support_format_rar(a);
	return rc == ARCHIVE_OK ? archive_read_support_format_rar5(a) : rc;
}

static int
enable_cpio(struct archive *a)
{
	return archive_read_support_format_cpio(a);
}

static const arc_kind k_tar = {"tar", archive_read_support_format_tar, false, END_TAR, false};
static const arc_kind k_cpio = {"cpio", enable_cpio, false, END_CPIO, false};
static const arc_kind k_zip = {"zip", archive_read_support_format_zip_seekable, true, END_PROBE,
			       false};
static const arc_kind k_zip_stream = {"zip", archive_read_support_format_zip_streamable, false,
				      END_FILTER, false};
static const arc_kind k_7z = {"7z", archive_read_support_format_7zip, true, END_PROBE, false};
static const arc_kind k_ar = {"ar", archive_read_support_format_ar, false, END_PROBE, false};
static const arc_kind k_iso = {"iso9660", archive_read_support_format_iso9660, true, END_PROBE,
			       false};
static const arc_kind k_cab = {"cab", archive_read_support_format_cab, true, END_PROBE, true};
static const arc_kind k_rar = {"rar", enable_rar, true, END_FILTER, false};

/* ---- the common reader --------------------------------------------------------------- */

static uint64_t
la_pos(struct archive *a)
{
	la_int64_t p = archive_filter_bytes(a, -1);
	return p > 0 ? (uint64_t)p : 0;
}

static vouch_ftype
la_ftype(mode_t t)
{
	switch (t) {
	case AE_IFDIR:
		return VOUCH_FT_DIR;
	case AE_IFLNK:
		return VOUCH_FT_SYMLINK;
	case AE_IFCHR:
		return VOUCH_FT_CHR;
	case AE_IFBLK:
		return VOUCH_FT_BLK;
	case AE_IFIFO:
		return VOUCH_FT_FIFO;
	case AE_IFSOCK:
		return VOUCH_FT_SOCK;
	default:
		return VOUCH_FT_REG;
	}
}

/* Stream one entry's data into a member; holes of sparse entries become zeros. */
static int
la_copy_data(vouch_job *j, struct archive *a, vouch_member *m, const char *fmtname)
{
	uint64_t written = 0;
	int rc;

	for (;;) {
		const void *p = NULL;
		size_t n = 0;
		la_int64_t off = 0;
		int r = archive_read_data_block(a, &p, &n, &off);

		if (r == ARCHIVE_EOF) {
			return vouch_member_end(m);
		}
		if (r < ARCHIVE_WARN) {
			const char *msg = archive_error_string(a);
			uint64_t at = la_pos(a);
			rc = vouch_member_abort(m, VOUCH_E_MALFORMED, at, "%s: %s", fmtname,
						msg ? msg : "corrupt entry data");
			if (rc != VOUCH_OK) {
				return rc;
			}
			return r == ARCHIVE_FATAL ? VOUCH_E_MALFORMED : VOUCH_OK;
		}
		if (r == ARCHIVE_WARN) {
			const char *msg = archive_error_string(a);
			vouch_job_error(j, VOUCH_E_MALFORMED, la_pos(a), "%s: %s", fmtname,
					msg ? msg : "warning while reading entry data");
		}
		if (off >= 0 && (uint64_t)off > written) {
			/* a hole in a sparse entry: zeros, in bounded chunks */
			uint64_t gap = (uint64_t)off - written;
			while (gap > 0) {
				size_t c = (size_t)VOUCH_MIN(gap, (uint64_t)ZERO_CHUNK);
				if ((rc = vouch_member_write(m, zeros, c)) != VOUCH_OK) {
					vouch_member_abort(m, rc, la_pos(a), "%s: stopped",
							   fmtname);
					return rc;
				}
				gap -= c;
				written += c;
			}
		}
		if (n > 0) {
			if ((rc = vouch_member_write(m, p, n)) != VOUCH_OK) {
				vouch_member_abort(m, rc, la_pos(a), "%s: stopped", fmtname);
				return rc;
			}
			written += n;
		}
	}
}

/* Length of zero bytes from `pos` up to the next multiple of `rec`, if all of them are zero. */
static uint64_t
zero_pad_end(const vouch_src *s, uint64_t pos, uint64_t rec, uint8_t *buf)
{
	uint64_t want = (rec - pos % rec) % rec;
	uint64_t at = pos;

	want = VOUCH_MIN(want, s->len - VOUCH_MIN(pos, s->len));
	while (want > 0) {
		size_t got = 0;
		size_t c = (size_t)VOUCH_MIN(want, (uint64_t)IO_CHUNK);
		if (vouch_src_read_some(s, at, buf, c, &got) != VOUCH_OK || got == 0) {
			break;
		}
		for (size_t i = 0; i < got; i++) {
			if (buf[i] != 0) {
				return pos; /* not padding: leave it for carving */
			}
		}
		at += got;
		want -= got;
	}
	return at;
}

/*
 * cpio hard links: newc/odc store the data once, with the LAST name of an inode; the
 * earlier names come as empty files with nlink > 1. They are held here until the name with
 * the data arrives, then emitted as hard links to it; any left at the end (the data never
 * came) are emitted as the empty files the archive says they are.
 */
#define MAX_DEFERRED 4096

typedef struct la_defer {
	char *name;
	vouch_meta meta;
	int64_t dev, ino;
} la_defer;

typedef struct la_links {
	la_defer *d;
	size_t n;
} la_links;

static bool
la_should_defer(const arc_kind *k, struct archive_entry *e, const vouch_meta *meta)
{
	return strncmp(k->name, "cpio", 4) == 0 && meta->ftype == VOUCH_FT_REG &&
	       meta->size_hint == 0 && archive_entry_nlink(e) > 1 && archive_entry_ino_is_set(e);
}

static int
la_flush_links(vouch_job *j, la_links *L, struct archive_entry *e, const char *name)
{
	int64_t dev = (int64_t)archive_entry_dev(e), ino = archive_entry_ino64(e);
	int rc = VOUCH_OK;

	for (size_t i = 0; i < L->n && rc == VOUCH_OK;) {
		if (L->d[i].dev != dev || L->d[i].ino != ino) {
			i++;
			continue;
		}
		vouch_meta m = L->d[i].meta;
		m.ftype = VOUCH_FT_HARDLINK;
		m.link = name;
		m.link_len = strlen(name);
		rc = vouch_job_entry(j, L->d[i].name, strlen(L->d[i].name), &m);
		L->d[i] = L->d[--L->n];
	}
	return rc;
}

static int
la_flush_leftover(vouch_job *j, la_links *L)
{
	int rc = VOUCH_OK;

	for (size_t i = 0; i < L->n && rc == VOUCH_OK; i++) {
		vouch_member *m = NULL;
		rc = vouch_member_begin(j, L->d[i].name, strlen(L->d[i].name), &L->d[i].meta, &m);
		if (rc == VOUCH_OK) {
			rc = vouch_member_end(m);
		}
	}
	L->n = 0;
	return rc;
}

static int
la_entry(vouch_job *j, struct archive *a, struct archive_entry *e, const arc_kind *k,
	 la_links *L)
{
	const char *fmtname = k->name;
	const char *name = archive_entry_pathname(e);
	const char *hl = archive_entry_hardlink(e);
	vouch_meta meta;
	vouch_member *m = NULL;
	int rc;

	if (name == NULL) {
		name = archive_entry_pathname_utf8(e);
	}
	if (name == NULL) {
		vouch_job_error(j, VOUCH_E_MALFORMED, la_pos(a), "%s: entry without a name",
				fmtname);
		return VOUCH_OK;
	}
	memset(&meta, 0, sizeof(meta));
	meta.ftype = la_ftype(archive_entry_filetype(e));
	meta.mode = (uint32_t)archive_entry_perm(e) & 07777;
	meta.has_mode = !k->no_mode;
	meta.uid = (uint32_t)archive_entry_uid(e);
	meta.gid = (uint32_t)archive_entry_gid(e);
	meta.mtime = (int64_t)archive_entry_mtime(e);
	if (archive_entry_size_is_set(e) && archive_entry_size(e) > 0) {
		meta.size_hint = (uint64_t)archive_entry_size(e);
	}
	if (archive_entry_is_encrypted(e)) {
		char esc[256];
		vouch_escape(esc, sizeof(esc), name, strlen(name));
		vouch_job_error(j, VOUCH_E_UNSUPPORTED, la_pos(a),
				"%s: entry '%s' is encrypted: not extracted", fmtname, esc);
		return VOUCH_OK;
	}
	/* A hard link that carries data (cpio puts it on the last link) is a file; one
	 * without data is a link. */
	if (hl != NULL && meta.size_hint == 0) {
		meta.ftype = VOUCH_FT_HARDLINK;
		meta.link = hl;
		meta.link_len = strlen(hl);
		return vouch_job_entry(j, name, strlen(name), &meta);
	}
	if (meta.ftype == VOUCH_FT_SYMLINK) {
		const char *t = archive_entry_symlink(e);
		if (t == NULL) {
			t = archive_entry_symlink_utf8(e);
		}
		meta.link = t ? t : "";
		meta.link_len = strlen(meta.link);
		return vouch_job_entry(j, name, strlen(name), &meta);
	}
	if (meta.ftype != VOUCH_FT_REG) {
		return vouch_job_entry(j, name, strlen(name), &meta);
	}
	if (la_should_defer(k, e, &meta) && L->n < MAX_DEFERRED) {
		if (L->d == NULL) {
			L->d = vouch_arena_alloc(vouch_job_arena(j), MAX_DEFERRED * sizeof(*L->d));
		}
		char *copy = vouch_arena_strndup(vouch_job_arena(j), name, strlen(name));
		if (L->d != NULL && copy != NULL) {
			L->d[L->n].name = copy;
			L->d[L->n].meta = meta;
			L->d[L->n].dev = (int64_t)archive_entry_dev(e);
			L->d[L->n].ino = archive_entry_ino64(e);
			L->n++;
			return VOUCH_OK;
		}
	}
	rc = vouch_member_begin(j, name, strlen(name), &meta, &m);
	if (rc != VOUCH_OK) {
		return rc;
	}
	rc = la_copy_data(j, a, m, fmtname);
	if (rc == VOUCH_OK && L->n > 0 && archive_entry_nlink(e) > 1) {
		rc = la_flush_links(j, L, e, name);
	}
	return rc;
}

/* GNU ("/", "/SYM64/") and BSD ("__.SYMDEF...") ar symbol tables and the GNU long-name
 * table ("//"), which libarchive returns as entries */
static bool
ar_is_index(const char *name)
{
	return name != NULL && (strcmp(name, "/") == 0 || strcmp(name, "//") == 0 ||
				strcmp(name, "/SYM64/") == 0 ||
				strncmp(name, "__.SYMDEF", 9) == 0);
}

static int
la_extract(vouch_job *j, const vouch_src *s, const arc_kind *k)
{
	struct archive *a = NULL;
	la_io io;
	la_links links = {NULL, 0};
	unsigned retries = 0;
	uint64_t nentries = 0;
	bool eof = false;
	int rc = VOUCH_OK;

	memset(&io, 0, sizeof(io));
	io.s = s;
	io.buf = vouch_arena_alloc(vouch_job_arena(j), IO_CHUNK);
	if (io.buf == NULL) {
		return VOUCH_E_NOMEM;
	}
	a = archive_read_new();
	if (a == NULL) {
		return VOUCH_E_NOMEM;
	}
	if (k->enable(a) != ARCHIVE_OK) {
		rc = VOUCH_E_INTERNAL;
		goto out;
	}
	archive_read_set_callback_data(a, &io);
	archive_read_set_read_callback(a, io_read);
	archive_read_set_skip_callback(a, io_skip);
	if (k->seekable) {
		archive_read_set_seek_callback(a, io_seek);
	}
	if (archive_read_open1(a) != ARCHIVE_OK) {
		const char *msg = archive_error_string(a);
		vouch_job_error(j, VOUCH_E_MALFORMED, 0, "%s: cannot open: %s", k->name,
				msg ? msg : "unknown error");
		if (k->end != END_PROBE) {
			/* claim nothing, so what follows the header is still carved */
			vouch_job_set_consumed(j, 0);
		}
		goto out; /* recorded above */
	}
	for (;;) {
		struct archive_entry *e = NULL;
		int r;

		if ((rc = vouch_job_check(j)) != VOUCH_OK) {
			goto out;
		}
		r = archive_read_next_header(a, &e);
		if (r == ARCHIVE_EOF) {
			eof = true;
			break;
		}
		if (r == ARCHIVE_RETRY && ++retries < MAX_RETRIES) {
			continue;
		}
		if (r != ARCHIVE_OK) {
			const char *msg = archive_error_string(a);
			vouch_job_error(j, VOUCH_E_MALFORMED, la_pos(a), "%s: %s", k->name,
					msg ? msg : "corrupt entry header");
			if (r != ARCHIVE_WARN && (r == ARCHIVE_FATAL || retries >= MAX_RETRIES)) {
				break;
			}
			if (r != ARCHIVE_WARN) {
				retries++;
				continue;
			}
		}
		retries = 0;
		nentries++;
		if (k == &k_ar && ar_is_index(archive_entry_pathname(e))) {
			continue; /* the linker's symbol index: not a member */
		}
		rc = la_entry(j, a, e, k, &links);
		if (rc == VOUCH_E_MALFORMED) {
			rc = VOUCH_OK; /* fatal inside the data: recorded; stop reading */
			break;
		}
		if (rc != VOUCH_OK) {
			goto out;
		}
	}
	if (links.n > 0 && (rc = la_flush_leftover(j, &links)) != VOUCH_OK) {
		goto out;
	}
	if (eof && k->end != END_PROBE) {
		uint64_t end = la_pos(a);
		if (k->end == END_TAR) {
			end = zero_pad_end(s, end, 10240, io.buf);
		} else if (k->end == END_CPIO) {
			end = zero_pad_end(s, end, 512, io.buf);
		}
		vouch_job_set_consumed(j, end);
	} else if (!eof && k->end != END_PROBE) {
		/* stopped on an error: claim what libarchive got through */
		vouch_job_set_consumed(j, VOUCH_MAX(la_pos(a), (uint64_t)1));
	}
out:
	if (io.ioerr) {
		vouch_job_error(j, VOUCH_E_IO, io.pos, "%s: read error", k->name);
	}
	archive_read_free(a);
	return rc;
}

/* ---- small parsing helpers ----------------------------------------------------------- */

/* Parse an octal or hex text field of a header (leading spaces, trailing NUL/space ok). */
static bool
parse_num(const uint8_t *p, size_t n, unsigned base, bool strict, uint64_t *out)
{
	size_t i = 0;
	uint64_t v = 0;
	bool any = false;

	while (!strict && i < n && p[i] == ' ') {
		i++;
	}
	for (; i < n; i++) {
		unsigned d;
		uint8_t c = p[i];
		if (c >= '0' && c <= '9') {
			d = (unsigned)(c - '0');
		} else if (base == 16 && c >= 'a' && c <= 'f') {
			d = (unsigned)(c - 'a' + 10);
		} else if (base == 16 && c >= 'A' && c <= 'F') {
			d = (unsigned)(c - 'A' + 10);
		} else {
			break;
		}
		if (d >= base || v > (UINT64_MAX >> 4)) {
			return false;
		}
		v = v * base + d;
		any = true;
	}
	if (strict && i != n) {
		return false;
	}
	for (; i < n; i++) {
		if (p[i] != ' ' && p[i] != '\0') {
			return false;
		}
	}
	*out = v;
	return any;
}

/* ---- tar ------------------------------------------------------------------------------ */

static int
tar_probe(vouch_job *j, const vouch_src *s, uint64_t *len)
{
	uint8_t h[512];
	uint64_t want;
	uint32_t usum = 0;
	int32_t ssum = 0;

	(void)j;
	if (vouch_src_read(s, 0, h, sizeof(h)) != VOUCH_OK) {
		return VOUCH_E_MALFORMED;
	}
	if (memcmp(h + 257, "ustar", 5) != 0 || (h[262] != '\0' && h[262] != ' ') ||
	    h[0] == '\0') {
		return VOUCH_E_MALFORMED;
	}
	if (!parse_num(h + 148, 8, 8, false, &want)) {
		return VOUCH_E_MALFORMED;
	}
	for (size_t i = 0; i < sizeof(h); i++) {
		uint8_t c = (i >= 148 && i < 156) ? (uint8_t)' ' : h[i];
		usum += c;
		ssum += (int8_t)c;
	}
	/* old tars summed signed chars; accept either */
	if (want != usum && (int64_t)want != (int64_t)ssum) {
		return VOUCH_E_MALFORMED;
	}
	*len = VOUCH_LEN_UNKNOWN;
	return VOUCH_OK;
}

static int
tar_extract(vouch_job *j, const vouch_src *s)
{
	return la_extract(j, s, &k_tar);
}

/* ---- cpio ----------------------------------------------------------------------------- */

#define CPIO_MAX_NAME 4096u

static int
cpio_probe(vouch_job *j, const vouch_src *s, uint64_t *len)
{
	uint8_t h[110];
	uint64_t v[13], namesize;
	size_t hlen;

	(void)j;
	if (vouch_src_read(s, 0, h, 76) != VOUCH_OK || memcmp(h, "07070", 5) != 0) {
		return VOUCH_E_MALFORMED;
	}
	if (h[5] == '1' || h[5] == '2') {
		/* newc / crc: 13 fields of 8 hex digits after the magic */
		if (vouch_src_read(s, 0, h, sizeof(h)) != VOUCH_OK) {
			return VOUCH_E_MALFORMED;
		}
		for (size_t i = 0; i < 13; i++) {
			if (!parse_num(h + 6 + i * 8, 8, 16, true, &v[i])) {
				return VOUCH_E_MALFORMED;
			}
		}
		namesize = v[11];
		hlen = 110;
	} else if (h[5] == '7') {
		/* odc: dev ino mode uid gid nlink rdev (6 octal digits), mtime (11), namesize (6),
		 * filesize (11) */
		static const uint8_t w[] = {6, 6, 6, 6, 6, 6, 6, 11, 6, 11};
		size_t at = 6;
		for (size_t i = 0; i < VOUCH_ARRAY_LEN(w); i++) {
			if (!parse_num(h + at, w[i], 8, true, &v[i])) {
				return VOUCH_E_MALFORMED;
			}
			at += w[i];
		}
		namesize = v[8];
		hlen = 76;
	} else {
		return VOUCH_E_MALFORMED;
	}
	if (namesize < 2 || namesize > CPIO_MAX_NAME) {
		return VOUCH_E_MALFORMED;
	}
	uint8_t last;
	if (vouch_src_read(s, hlen + namesize - 1, &last, 1) != VOUCH_OK || last != '\0') {
		return VOUCH_E_MALFORMED;
	}
	*len = VOUCH_LEN_UNKNOWN;
	return VOUCH_OK;
}

static int
cpio_extract(vouch_job *j, const vouch_src *s)
{
	return la_extract(j, s, &k_cpio);
}

/* Binary (old) cpio: a 2-byte magic, so only tried on whole files; the header is checked. */
static int
cpiobin_probe(vouch_job *j, const vouch_src *s, uint64_t *len)
{
	uint8_t h[26];
	uint16_t (*ld)(const uint8_t *);
	uint16_t mode, namesize;
	uint8_t last;

	(void)j;
	if (vouch_src_read(s, 0, h, sizeof(h)) != VOUCH_OK) {
		return VOUCH_E_MALFORMED;
	}
	if (h[0] == 0xc7 && h[1] == 0x71) {
		ld = vouch_load_u16le;
	} else if (h[0] == 0x71 && h[1] == 0xc7) {
		ld = vouch_load_u16be;
	} else {
		return VOUCH_E_MALFORMED;
	}
	mode = ld(h + 6);
	namesize = ld(h + 20);
	switch (mode & 0170000) {
	case 0100000: case 0040000: case 0120000: case 0020000:
	case 0060000: case 0010000: case 0140000:
		break;
	default:
		return VOUCH_E_MALFORMED;
	}
	if (namesize < 2 || namesize > CPIO_MAX_NAME) {
		return VOUCH_E_MALFORMED;
	}
	if (vouch_src_read(s, 26u + namesize - 1u, &last, 1) != VOUCH_OK || last != '\0') {
		return VOUCH_E_MALFORMED;
	}
	*len = VOUCH_LEN_UNKNOWN;
	return VOUCH_OK;
}

/* ---- zip ------------------------------------------------------------------------------ */

#define ZIP_MAX_COMMENT 65535u

/*
 * Is there a valid end-of-central-directory record at `e`? It must point at a central
 * directory that ends right where it (or its zip64 record) starts. *end = end of the record.
 */
static bool
zip_eocd_ok(const vouch_src *s, uint64_t e, uint64_t *end)
{
	uint8_t b[22], sig[4];
	vouch_rd r;
	uint32_t magic, cd_size, cd_off;
	uint16_t disk, cd_disk, n_disk, n_total, clen;

	if (vouch_src_read(s, e, b, sizeof(b)) != VOUCH_OK) {
		return false;
	}
	vouch_rd_init(&r, b, sizeof(b));
	if (vouch_rd_u32le(&r, &magic) || vouch_rd_u16le(&r, &disk) ||
	    vouch_rd_u16le(&r, &cd_disk) || vouch_rd_u16le(&r, &n_disk) ||
	    vouch_rd_u16le(&r, &n_total) || vouch_rd_u32le(&r, &cd_size) ||
	    vouch_rd_u32le(&r, &cd_off) || vouch_rd_u16le(&r, &clen)) {
		return false;
	}
	if (magic != 0x06054b50 || disk != cd_disk || n_disk != n_total) {
		return false;
	}
	if (cd_off == 0xFFFFFFFFu || cd_size == 0xFFFFFFFFu || n_total == 0xFFFF) {
		/* zip64: the locator sits right before, pointing at the zip64 record */
		uint8_t loc[20], z[56];
		uint64_t z64, zsize, zoff, zend;
		if (e < 20 || vouch_src_read(s, e - 20, loc, sizeof(loc)) != VOUCH_OK) {
			return false;
		}
		vouch_rd_init(&r, loc, sizeof(loc));
		if (vouch_rd_u32le(&r, &magic) || magic != 0x07064b50 || vouch_rd_skip(&r, 4) ||
		    vouch_rd_u64le(&r, &z64)) {
			return false;
		}
		if (vouch_src_read(s, z64, z, sizeof(z)) != VOUCH_OK) {
			return false;
		}
		vouch_rd_init(&r, z, sizeof(z));
		if (vouch_rd_u32le(&r, &magic) || magic != 0x06064b50 || vouch_rd_seek(&r, 40) ||
		    vouch_rd_u64le(&r, &zsize) || vouch_rd_u64le(&r, &zoff)) {
			return false;
		}
		if (!vouch_add_u64(zoff, zsize, &zend) || zend != z64) {
			return false;
		}
	} else if ((uint64_t)cd_off + cd_size != e) {
		return false;
	} else if (n_total > 0) {
		if (vouch_src_read(s, cd_off, sig, 4) != VOUCH_OK ||
		    vouch_load_u32le(sig) != 0x02014b50) {
			return false;
		}
	}
	*end = VOUCH_MIN(e + 22 + clen, s->len);
	return true;
}

/* The first valid end of central directory after the start: the zip's length. */
static bool
zip_find_end(const vouch_src *s, uint8_t *buf, uint64_t *len)
{
	uint64_t pos = 0;

	while (pos < s->len) {
		size_t got = 0;
		if (vouch_src_read_some(s, pos, buf, IO_CHUNK, &got) != VOUCH_OK || got < 4) {
			return false;
		}
		const uint8_t *p = buf;
		size_t left = got;
		const uint8_t *hit;
		while ((hit = memmem(p, left, "PK\5\6", 4)) != NULL) {
			uint64_t e = pos + (uint64_t)(hit - buf);
			if (zip_eocd_ok(s, e, len)) {
				return true;
			}
			left -= (size_t)(hit - p) + 1;
			p = hit + 1;
		}
		if (pos + got >= s->len) {
			break;
		}
		pos += got - 3; /* a signature may straddle two chunks */
	}
	return false;
}

static int
zip_probe(vouch_job *j, const vouch_src *s, uint64_t *len)
{
	uint8_t h[30], *buf;
	vouch_rd r;
	uint32_t magic, csize, usize;
	uint16_t ver, flags, method, nlen;

	if (vouch_src_read(s, 0, h, sizeof(h)) != VOUCH_OK) {
		return VOUCH_E_MALFORMED;
	}
	vouch_rd_init(&r, h, sizeof(h));
	if (vouch_rd_u32le(&r, &magic) || vouch_rd_u16le(&r, &ver) || vouch_rd_u16le(&r, &flags) ||
	    vouch_rd_u16le(&r, &method) || vouch_rd_skip(&r, 8) || vouch_rd_u32le(&r, &csize) ||
	    vouch_rd_u32le(&r, &usize) || vouch_rd_u16le(&r, &nlen)) {
		return VOUCH_E_MALFORMED;
	}
	if (magic != 0x04034b50 || (ver & 0xFF) > 63 || nlen == 0 || nlen > 4096) {
		return VOUCH_E_MALFORMED;
	}
	switch (method) {
	case 0: case 1: case 6: case 8: case 9: case 12: case 14: case 19: case 93: case 95:
	case 96: case 97: case 98: case 99:
		break;
	default:
		return VOUCH_E_MALFORMED;
	}
	if (method == 0 && !(flags & 0x8) && !(flags & 0x1) && csize != usize) {
		return VOUCH_E_MALFORMED;
	}
	buf = vouch_arena_alloc(vouch_job_arena(j), IO_CHUNK);
	if (buf == NULL) {
		return VOUCH_E_NOMEM;
	}
	if (!zip_find_end(s, buf, len)) {
		*len = VOUCH_LEN_UNKNOWN; /* truncated: extract reads it as a stream */
	}
	return VOUCH_OK;
}

static int
zip_extract(vouch_job *j, const vouch_src *s)
{
	uint8_t *buf = vouch_arena_alloc(vouch_job_arena(j), IO_CHUNK);
	uint64_t len;

	if (buf == NULL) {
		return VOUCH_E_NOMEM;
	}
	if (zip_find_end(s, buf, &len)) {
		return la_extract(j, s, &k_zip);
	}
	vouch_job_error(j, VOUCH_E_MALFORMED, s->len,
			"zip: no end of central directory (truncated?): read as a stream");
	return la_extract(j, s, &k_zip_stream);
}

/* ---- 7z ------------------------------------------------------------------------------- */

static int
sevenz_probe(vouch_job *j, const vouch_src *s, uint64_t *len)
{
	uint8_t h[32];
	vouch_rd r;
	uint32_t crc;
	uint64_t nho, nhs, end;

	(void)j;
	if (vouch_src_read(s, 0, h, sizeof(h)) != VOUCH_OK ||
	    memcmp(h, "7z\xbc\xaf\x27\x1c", 6) != 0 || h[6] != 0) {
		return VOUCH_E_MALFORMED;
	}
	vouch_rd_init(&r, h, sizeof(h));
	if (vouch_rd_seek(&r, 8) || vouch_rd_u32le(&r, &crc) || vouch_rd_u64le(&r, &nho) ||
	    vouch_rd_u64le(&r, &nhs)) {
		return VOUCH_E_MALFORMED;
	}
	if (crc32(0, h + 12, 20) != crc) {
		return VOUCH_E_MALFORMED;
	}
	if (!vouch_add_u64(32, nho, &end) || !vouch_add_u64(end, nhs, &end)) {
		return VOUCH_E_MALFORMED;
	}
	*len = VOUCH_MIN(end, s->len);
	return VOUCH_OK;
}

static int
sevenz_extract(vouch_job *j, const vouch_src *s)
{
	return la_extract(j, s, &k_7z);
}

/* ---- ar ------------------------------------------------------------------------------- */

static int
ar_probe(vouch_job *j, const vouch_src *s, uint64_t *len)
{
	uint8_t h[60];
	uint64_t pos = 8, size, end;

	if (vouch_src_read(s, 0, h, 8) != VOUCH_OK || memcmp(h, "!<arch>\n", 8) != 0) {
		return VOUCH_E_MALFORMED;
	}
	/* walk the member headers: the archive ends at the first thing that is not one */
	while (pos < s->len) {
		if (vouch_job_check(j) != VOUCH_OK) {
			break;
		}
		if (vouch_src_read(s, pos, h, sizeof(h)) != VOUCH_OK || h[58] != '`' ||
		    h[59] != '\n' || !parse_num(h + 48, 10, 10, false, &size)) {
			break;
		}
		if (!vouch_add_u64(pos + 60, size, &end) || end > s->len) {
			/* truncated member: keep it, libarchive reports the short read */
			pos = s->len;
			break;
		}
		pos = end + (end & 1);
	}
	*len = VOUCH_MIN(pos, s->len);
	return VOUCH_OK;
}

static int
ar_extract(vouch_job *j, const vouch_src *s)
{
	return la_extract(j, s, &k_ar);
}

/* ---- iso9660 -------------------------------------------------------------------------- */

static int
iso_probe(vouch_job *j, const vouch_src *s, uint64_t *len)
{
	uint8_t pvd[136];
	uint32_t blocks;
	uint16_t bs;
	uint64_t total;

	(void)j;
	if (vouch_src_read(s, 0x8000, pvd, sizeof(pvd)) != VOUCH_OK || pvd[0] != 1 ||
	    memcmp(pvd + 1, "CD001", 5) != 0 || pvd[6] != 1) {
		return VOUCH_E_MALFORMED;
	}
	/* both-endian fields: the two halves must agree */
	blocks = vouch_load_u32le(pvd + 80);
	bs = vouch_load_u16le(pvd + 128);
	if (blocks != vouch_load_u32be(pvd + 84) || bs != vouch_load_u16be(pvd + 130)) {
		return VOUCH_E_MALFORMED;
	}
	if (bs != 512 && bs != 1024 && bs != 2048) {
		return VOUCH_E_MALFORMED;
	}
	total = (uint64_t)blocks * bs;
	if (total < 0x8800) {
		return VOUCH_E_MALFORMED;
	}
	*len = VOUCH_MIN(total, s->len);
	return VOUCH_OK;
}

static int
iso_extract(vouch_job *j, const vouch_src *s)
{
	return la_extract(j, s, &k_iso);
}

/* ---- cab ------------------------------------------------------------------------------ */

static int
cab_probe(vouch_job *j, const vouch_src *s, uint64_t *len)
{
	uint8_t h[36];
	vouch_rd r;
	uint32_t magic, res1, size, res2, coff, res3;
	uint8_t vmin, vmaj;
	uint16_t nfolders, nfiles;

	(void)j;
	if (vouch_src_read(s, 0, h, sizeof(h)) != VOUCH_OK) {
		return VOUCH_E_MALFORMED;
	}
	vouch_rd_init(&r, h, sizeof(h));
	if (vouch_rd_u32le(&r, &magic) || vouch_rd_u32le(&r, &res1) || vouch_rd_u32le(&r, &size) ||
	    vouch_rd_u32le(&r, &res2) || vouch_rd_u32le(&r, &coff) || vouch_rd_u32le(&r, &res3) ||
	    vouch_rd_u8(&r, &vmin) || vouch_rd_u8(&r, &vmaj) || vouch_rd_u16le(&r, &nfolders) ||
	    vouch_rd_u16le(&r, &nfiles)) {
		return VOUCH_E_MALFORMED;
	}
	if (magic != 0x4643534d || res1 != 0 || res2 != 0 || res3 != 0 || vmaj != 1 ||
	    size < 36 || coff >= size || nfolders == 0 || nfiles == 0) {
		return VOUCH_E_MALFORMED;
	}
	*len = VOUCH_MIN((uint64_t)size, s->len);
	return VOUCH_OK;
}

static int
cab_extract(vouch_job *j, const vouch_src *s)
{
	return la_extract(j, s, &k_cab);
}

/* ---- rar ------------------------------------------------------------------------------ */

static int
rar_probe(vouch_job *j, const vouch_src *s, uint64_t *len)
{
	uint8_t h[8];

	(void)j;
	if (vouch_src_read(s, 0, h, sizeof(h)) != VOUCH_OK || memcmp(h, "Rar!\x1a\x07", 6) != 0) {
		return VOUCH_E_MALFORMED;
	}
	if (h[6] != 0 && !(h[6] == 1 && h[7] == 0)) {
		return VOUCH_E_MALFORMED;
	}
	*len = VOUCH_LEN_UNKNOWN;
	return VOUCH_OK;
}

static int
rar_extract(vouch_job *j, const vouch_src *s)
{
	return la_extract(j, s, &k_rar);
}

/* ---- the formats ---------------------------------------------------------------------- */

const vouch_fmt vouch_fmt_tar = {
	.name = "tar",
	.desc = "POSIX ustar / GNU tar archive",
	.magic = {{"ustar\0", 6, 257}, {"ustar ", 6, 257}},
	.probe = tar_probe,
	.extract = tar_extract,
};

const vouch_fmt vouch_fmt_cpio = {
	.name = "cpio",
	.desc = "cpio archive (newc, crc, odc)",
	.magic = {{"070701", 6, 0}, {"070702", 6, 0}, {"070707", 6, 0}},
	.probe = cpio_probe,
	.extract = cpio_extract,
};

const vouch_fmt vouch_fmt_cpiobin = {
	.name = "cpio-bin",
	.desc = "binary (old) cpio archive",
	.magic = {{"\xc7\x71", 2, 0}, {"\x71\xc7", 2, 0}},
	.probe = cpiobin_probe,
	.extract = cpio_extract,
	.whole_only = true,
};

const vouch_fmt vouch_fmt_zip = {
	.name = "zip",
	.desc = "ZIP archive",
	.magic = {{"PK\3\4", 4, 0}},
	.probe = zip_probe,
	.extract = zip_extract,
};

const vouch_fmt vouch_fmt_7z = {
	.name = "7z",
	.desc = "7-Zip archive",
	.magic = {{"7z\xbc\xaf\x27\x1c", 6, 0}},
	.probe = sevenz_probe,
	.extract = sevenz_extract,
};

const vouch_fmt vouch_fmt_ar = {
	.name = "ar",
	.desc = "Unix ar archive (.a, .deb)",
	.magic = {{"!<arch>\n", 8, 0}},
	.probe = ar_probe,
	.extract = ar_extract,
};

const vouch_fmt vouch_fmt_iso9660 = {
	.name = "iso9660",
	.desc = "ISO 9660 CD-ROM filesystem",
	.magic = {{"CD001", 5, 0x8001}},
	.probe = iso_probe,
	.extract = iso_extract,
	.whole_only = true,
};

const vouch_fmt vouch_fmt_cab = {
	.name = "cab",
	.desc = "Microsoft cabinet archive",
	.magic = {{"MSCF\0\0\0\0", 8, 0}},
	.probe = cab_probe,
	.extract = cab_extract,
};

const vouch_fmt vouch_fmt_rar = {
	.name = "rar",
	.desc = "RAR archive (v4 and v5)",
	.magic = {{"Rar!\x1a\x07\x00", 7, 0}, {"Rar!\x1a\x07\x01\x00", 8, 0}},
	.probe = rar_probe,
	.extract = rar_extract,
};
