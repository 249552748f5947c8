/*
 * inventory/elfparse.c: read a whole in-memory ELF file into vouch_elfp (see elfparse.h).
 *
 * How: one cursor over the whole file; every table is located by (offset, size) checked
 * against the file size before any read, and read entry by entry through the cursor, so a
 * lying count or offset costs at most the bytes that exist. Tables are read in this order:
 * header, program headers, section headers (with names), the dynamic table (sections when
 * sane, else PT_DYNAMIC; PT_DYNAMIC also wins when the two disagree), its string table
 * (the section the dynamic section links to, else DT_STRTAB/DT_STRSZ mapped through
 * PT_LOAD), the dynamic symbols (SHT_DYNSYM, else DT_SYMTAB counted by DT_HASH's nchain,
 * DT_GNU_HASH's chains or MIPS's DT_MIPS_SYMTABNO), .symtab (scanned only for the canary
 * symbols, names compared in place), notes (build-id), .comment and .modinfo.
 *
 * Strings that end up in the report are copied into the arena (bounded by
 * VOUCH_ELFP_MAX_STR); symbol and section names are borrowed views into the input, compared
 * in place, because copying every name of a large library would cost more than the rest of
 * the analysis.
 *
 * Rejected: libelf (it maps or reads files itself, allocates per section, and stops at the
 * first inconsistency where we want every fact that can still be had); trusting section
 * headers over program headers for the dynamic table (sections are not loaded: a file can
 * carry decoy section headers).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "inventory/elfparse.h"

/* Dynamic tags (gABI and the GNU and MIPS extensions). */
#define DT_NULL 0
#define DT_NEEDED 1
#define DT_HASH 4
#define DT_STRTAB 5
#define DT_SYMTAB 6
#define DT_RELA 7
#define DT_STRSZ 10
#define DT_SYMENT 11
#define DT_SONAME 14
#define DT_RPATH 15
#define DT_DEBUG 21
#define DT_REL 17
#define DT_TEXTREL 22
#define DT_JMPREL 23
#define DT_BIND_NOW 24
#define DT_RUNPATH 29
#define DT_FLAGS 30
#define DT_GNU_HASH 0x6ffffef5u
#define DT_FLAGS_1 0x6ffffffbu
#define DT_VERSYM 0x6ffffff0u
#define DT_VERDEF 0x6ffffffcu
#define DT_VERNEED 0x6ffffffeu
#define DT_MIPS_SYMTABNO 0x70000011u
#define EM_MIPS 8

/* Bytes searched for the end of a section or symbol name: the names we compare are < 32
 * bytes, and a bound keeps a huge unterminated string table from making every lookup scan
 * all of it (symbols x table size). */
#define NAME_SCAN 256
#define SHN_UNDEF 0
#define SHN_XINDEX 0xffffu
#define PN_XNUM 0xffffu

void
vouch_elfp_note(vouch_elfp *e, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	char *s;

	if (e->n_notes >= VOUCH_ELFP_MAX_NOTES) {
		e->notes_dropped++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	s = vouch_arena_strndup(e->a, buf, strlen(buf));
	if (s == NULL) {
		e->notes_dropped++;
		return;
	}
	e->notes[e->n_notes++] = s;
}

/* ---- integers in the file's byte order -------------------------------------------------- */

static int
rd16(const vouch_elfp *e, vouch_rd *r, uint16_t *v)
{
	return e->be ? vouch_rd_u16be(r, v) : vouch_rd_u16le(r, v);
}

static int
rd32(const vouch_elfp *e, vouch_rd *r, uint32_t *v)
{
	return e->be ? vouch_rd_u32be(r, v) : vouch_rd_u32le(r, v);
}

static int
rd64(const vouch_elfp *e, vouch_rd *r, uint64_t *v)
{
	return e->be ? vouch_rd_u64be(r, v) : vouch_rd_u64le(r, v);
}

/* An address, offset or size: 4 bytes in ELFCLASS32, 8 in ELFCLASS64. */
static int
rdw(const vouch_elfp *e, vouch_rd *r, uint64_t *v)
{
	uint32_t w;
	int rc;

	if (e->is64) {
		return rd64(e, r, v);
	}
	rc = rd32(e, r, &w);
	if (rc == VOUCH_OK) {
		*v = w;
	}
	return rc;
}

/* A signed or unsigned dynamic tag (Elf32_Sword / Elf64_Sxword) as 64 bits. */
static int
rdtag(const vouch_elfp *e, vouch_rd *r, uint64_t *v)
{
	uint32_t w;
	int rc;

	if (e->is64) {
		return rd64(e, r, v);
	}
	rc = rd32(e, r, &w);
	if (rc == VOUCH_OK) {
		*v = w; /* the tags we read are all positive as 32-bit values */
	}
	return rc;
}

/* A cursor over [off, off+len) of the file; false when that range is not inside it. */
static bool
window(const vouch_elfp *e, uint64_t off, uint64_t len, vouch_rd *out)
{
	vouch_rd r;

	if (!vouch_range_ok(off, len, e->n)) {
		return false;
	}
	vouch_rd_init(&r, e->p, e->n);
	return vouch_rd_seek(&r, off) == VOUCH_OK && vouch_rd_sub(&r, (size_t)len, out) == VOUCH_OK;
}

/* Clamp a table [off, off+*len) to the file; false if it starts outside. */
static bool
clamp(const vouch_elfp *e, uint64_t off, uint64_t *len)
{
	if (off > e->n) {
		return false;
	}
	if (*len > e->n - off) {
		*len = e->n - off;
	}
	return true;
}

/*
 * The NUL-terminated string at byte idx of the table [off, off+size) (already clamped to the
 * file): a view without the NUL. At most `scan` bytes are searched for the NUL, so that many
 * lookups into one huge unterminated table cost scan bytes each, not the table size. False
 * when idx is outside the table (s NULL), or when no NUL ends the string inside the table or
 * within `scan` bytes (then s and len hold the bytes searched, for a cut copy).
 */
static bool
str_view(const vouch_elfp *e, uint64_t off, uint64_t size, uint64_t idx, size_t scan,
	 const uint8_t **s, size_t *len)
{
	vouch_rd r;
	const uint8_t *v, *nul;

	*s = NULL;
	*len = 0;
	if (idx >= size || !window(e, off + idx, size - idx, &r)) {
		return false;
	}
	if (vouch_rd_view(&r, r.len, &v) != VOUCH_OK) {
		return false;
	}
	scan = VOUCH_MIN(scan, r.len);
	nul = memchr(v, 0, scan);
	*s = v;
	*len = nul != NULL ? (size_t)(nul - v) : scan;
	return nul != NULL;
}

/* An arena copy of a string view, cut at VOUCH_ELFP_MAX_STR (noted). */
static const char *
keep(vouch_elfp *e, const uint8_t *s, size_t len, const char *what)
{
	if (len > VOUCH_ELFP_MAX_STR) {
		vouch_elfp_note(e, "%s: longer than %u bytes, cut", what, VOUCH_ELFP_MAX_STR);
		len = VOUCH_ELFP_MAX_STR;
	}
	return vouch_arena_strndup(e->a, (const char *)s, len);
}

/* The string at idx of a string table, copied; NULL (noted) when it is unreadable. */
static const char *
table_str(vouch_elfp *e, uint64_t off, uint64_t size, uint64_t idx, const char *what)
{
	const uint8_t *s;
	size_t len;

	if (!str_view(e, off, size, idx, VOUCH_ELFP_MAX_STR + 1, &s, &len)) {
		if (s == NULL) {
			vouch_elfp_note(e, "%s: string offset %llu outside its string table", what,
					(unsigned long long)idx);
			return NULL;
		}
		if (len <= VOUCH_ELFP_MAX_STR) {
			vouch_elfp_note(e, "%s: string not terminated inside its table", what);
		}
	}
	return keep(e, s, len, what);
}

/* File offset of the `len` bytes at virtual address `addr`, through the PT_LOAD segments. */
static bool
vaddr_to_off(const vouch_elfp *e, uint64_t addr, uint64_t len, uint64_t *off)
{
	for (size_t i = 0; i < e->nph; i++) {
		const vouch_elfp_seg *s = &e->ph[i];
		uint64_t end, rel;

		if (s->type != VOUCH_PT_LOAD || addr < s->vaddr ||
		    !vouch_add_u64(s->vaddr, s->filesz, &end) || addr >= end) {
			continue;
		}
		rel = addr - s->vaddr;
		if (len > s->filesz - rel || !vouch_add_u64(s->offset, rel, off)) {
			continue;
		}
		return true;
	}
	return false;
}

/* Bytes from `addr` to the end of its PT_LOAD segment's file image (0 if unmapped). */
static uint64_t
vaddr_room(const vouch_elfp *e, uint64_t addr)
{
	for (size_t i = 0; i < e->nph; i++) {
		const vouch_elfp_seg *s = &e->ph[i];
		uint64_t end;

		if (s->type == VOUCH_PT_LOAD && addr >= s->vaddr &&
		    vouch_add_u64(s->vaddr, s->filesz, &end) && addr < end) {
			return end - addr;
		}
	}
	return 0;
}

/* ---- header ------------------------------------------------------------------------------ */

static int
parse_header(vouch_elfp *e)
{
	vouch_rd r;
	const uint8_t *id;
	uint16_t phnum, shnum, shstrndx;

	vouch_rd_init(&r, e->p, e->n);
	if (vouch_rd_view(&r, 16, &id) != VOUCH_OK || id[0] != 0x7F || id[1] != 'E' ||
	    id[2] != 'L' || id[3] != 'F' || (id[4] != 1 && id[4] != 2) ||
	    (id[5] != 1 && id[5] != 2)) {
		return VOUCH_E_MALFORMED;
	}
	e->is64 = id[4] == 2;
	e->be = id[5] == 2;
	e->osabi = id[7];
	if (rd16(e, &r, &e->type) || rd16(e, &r, &e->machine) || rd32(e, &r, &e->version) ||
	    rdw(e, &r, &e->entry) || rdw(e, &r, &e->phoff) || rdw(e, &r, &e->shoff) ||
	    rd32(e, &r, &e->flags) || rd16(e, &r, &e->ehsize) || rd16(e, &r, &e->phentsize) ||
	    rd16(e, &r, &phnum) || rd16(e, &r, &e->shentsize) || rd16(e, &r, &shnum) ||
	    rd16(e, &r, &shstrndx)) {
		vouch_elfp_note(e, "ELF header truncated (%zu bytes)", e->n);
		return VOUCH_OK;
	}
	e->header_ok = true;
	e->phnum = phnum;
	e->shnum = shnum;
	e->shstrndx = shstrndx;
	return VOUCH_OK;
}

/* ---- section headers ------------------------------------------------------------------- */

static int
read_shdr(vouch_elfp *e, vouch_rd *r, vouch_elfp_sec *s)
{
	uint32_t link, info;
	uint64_t flags, addr, off, size, align, entsize;

	if (rd32(e, r, &s->name) || rd32(e, r, &s->type) || rdw(e, r, &flags) ||
	    rdw(e, r, &addr) || rdw(e, r, &off) || rdw(e, r, &size) || rd32(e, r, &link) ||
	    rd32(e, r, &info) || rdw(e, r, &align) || rdw(e, r, &entsize)) {
		return VOUCH_E_MALFORMED;
	}
	s->flags = flags;
	s->addr = addr;
	s->offset = off;
	s->size = size;
	s->link = link;
	s->info = info;
	s->align = align;
	s->entsize = entsize;
	return VOUCH_OK;
}

static int
parse_sections(vouch_elfp *e)
{
	size_t want = e->is64 ? 64 : 40;
	uint64_t count = e->shnum, bytes, strtab = e->shstrndx;
	vouch_rd r;

	if (e->shoff == 0) {
		return VOUCH_OK; /* no section headers: stripped with sstrip, or a bare loader image */
	}
	if (e->shentsize < want) {
		vouch_elfp_note(e, "section header size %u too small: section headers ignored",
				e->shentsize);
		return VOUCH_OK;
	}
	if (count == 0 || strtab == SHN_XINDEX) {
		/* extended numbering: the real values are in section header 0 */
		vouch_elfp_sec s0;
		if (!window(e, e->shoff, want, &r) || read_shdr(e, &r, &s0) != VOUCH_OK) {
			vouch_elfp_note(e, "section header table outside the file (offset %llu)",
					(unsigned long long)e->shoff);
			return VOUCH_OK;
		}
		if (count == 0) {
			count = s0.size;
		}
		if (strtab == SHN_XINDEX) {
			strtab = s0.link;
		}
		if (count == 0) {
			return VOUCH_OK;
		}
	}
	if (count > VOUCH_ELFP_MAX_SHDRS) {
		vouch_elfp_note(e, "%llu section headers: only the first %u read",
				(unsigned long long)count, VOUCH_ELFP_MAX_SHDRS);
		count = VOUCH_ELFP_MAX_SHDRS;
	}
	if (!vouch_mul_u64(count, e->shentsize, &bytes) || !vouch_range_ok(e->shoff, bytes, e->n)) {
		uint64_t fit = e->shoff < e->n ? (e->n - e->shoff) / e->shentsize : 0;
		vouch_elfp_note(e, "section header table (%llu entries at %llu) runs past the end of "
				"the file: %llu read", (unsigned long long)count,
				(unsigned long long)e->shoff, (unsigned long long)fit);
		count = fit;
	}
	if (count == 0) {
		return VOUCH_OK;
	}
	e->sh = vouch_arena_alloc(e->a, (size_t)count * sizeof(*e->sh));
	if (e->sh == NULL) {
		return VOUCH_E_NOMEM;
	}
	for (uint64_t i = 0; i < count; i++) {
		vouch_rd one;
		if (!window(e, e->shoff + i * e->shentsize, e->shentsize, &r) ||
		    vouch_rd_sub(&r, want, &one) != VOUCH_OK ||
		    read_shdr(e, &one, &e->sh[i]) != VOUCH_OK) {
			return VOUCH_E_INTERNAL; /* the range was checked above */
		}
	}
	e->nsh = (size_t)count;

	/* names */
	if (strtab >= e->nsh || e->sh[strtab].type == VOUCH_SHT_NOBITS) {
		if (strtab != 0) {
			vouch_elfp_note(e, "section name table index %llu invalid: sections unnamed",
					(unsigned long long)strtab);
		}
		return VOUCH_OK;
	}
	uint64_t so = e->sh[strtab].offset, ss = e->sh[strtab].size;
	if (!clamp(e, so, &ss)) {
		vouch_elfp_note(e, "section name table outside the file: sections unnamed");
		return VOUCH_OK;
	}
	for (size_t i = 0; i < e->nsh; i++) {
		const uint8_t *s;
		size_t len;
		if (str_view(e, so, ss, e->sh[i].name, NAME_SCAN, &s, &len)) {
			e->sh[i].nm = s;
			e->sh[i].nm_len = len;
		}
	}
	return VOUCH_OK;
}

/* The data of section i, clamped to the file; false (noted) when none of it is there. */
static bool
sec_data(vouch_elfp *e, size_t i, uint64_t *off, uint64_t *size)
{
	const vouch_elfp_sec *s = &e->sh[i];

	*off = s->offset;
	*size = s->size;
	if (s->type == VOUCH_SHT_NOBITS) {
		return false;
	}
	if (!vouch_range_ok(s->offset, s->size, e->n)) {
		if (!clamp(e, *off, size) || *size == 0) {
			vouch_elfp_note(e, "section %zu (%.*s) lies outside the file", i,
					(int)VOUCH_MIN(s->nm_len, 64), s->nm ? (const char *)s->nm : "");
			return false;
		}
		vouch_elfp_note(e, "section %zu (%.*s) runs past the end of the file: cut", i,
				(int)VOUCH_MIN(s->nm_len, 64), s->nm ? (const char *)s->nm : "");
	}
	return true;
}

bool
vouch_elfp_sec_view(vouch_elfp *e, size_t i, const uint8_t **p, size_t *n)
{
	uint64_t off, size;
	vouch_rd r;

	*p = NULL;
	*n = 0;
	if (i >= e->nsh || !sec_data(e, i, &off, &size) || !window(e, off, size, &r)) {
		return false;
	}
	*n = r.len;
	return vouch_rd_view(&r, r.len, p) == VOUCH_OK;
}

static bool
sec_named(const vouch_elfp_sec *s, const char *name)
{
	return s->nm != NULL && vouch_elfp_name_is(s->nm, s->nm_len, name);
}

/* ---- program headers -------------------------------------------------------------------- */

static int
parse_segments(vouch_elfp *e)
{
	size_t want = e->is64 ? 56 : 32;
	uint64_t count = e->phnum, bytes;

	if (e->phoff == 0 || count == 0) {
		return VOUCH_OK;
	}
	if (count == PN_XNUM && e->nsh > 0) {
		count = e->sh[0].info; /* extended numbering */
	}
	if (e->phentsize < want) {
		vouch_elfp_note(e, "program header size %u too small: program headers ignored",
				e->phentsize);
		return VOUCH_OK;
	}
	if (count > VOUCH_ELFP_MAX_PHDRS) {
		vouch_elfp_note(e, "%llu program headers: only the first %u read",
				(unsigned long long)count, VOUCH_ELFP_MAX_PHDRS);
		count = VOUCH_ELFP_MAX_PHDRS;
	}
	if (!vouch_mul_u64(count, e->phentsize, &bytes) || !vouch_range_ok(e->phoff, bytes, e->n)) {
		uint64_t fit = e->phoff < e->n ? (e->n - e->phoff) / e->phentsize : 0;
		vouch_elfp_note(e, "program header table (%llu entries at %llu) runs past the end of "
				"the file: %llu read", (unsigned long long)count,
				(unsigned long long)e->phoff, (unsigned long long)fit);
		count = fit;
	}
	if (count == 0) {
		return VOUCH_OK;
	}
	e->ph = vouch_arena_alloc(e->a, (size_t)count * sizeof(*e->ph));
	if (e->ph == NULL) {
		return VOUCH_E_NOMEM;
	}
	for (uint64_t i = 0; i < count; i++) {
		vouch_elfp_seg *s = &e->ph[i];
		uint32_t o32 = 0, v32 = 0, p32 = 0, f32 = 0, m32 = 0, al32 = 0;
		uint64_t paddr = 0;
		vouch_rd r;
		int rc;

		if (!window(e, e->phoff + i * e->phentsize, want, &r)) {
			return VOUCH_E_INTERNAL; /* the range was checked above */
		}
		if (e->is64) {
			rc = rd32(e, &r, &s->type) || rd32(e, &r, &s->flags) ||
			     rd64(e, &r, &s->offset) || rd64(e, &r, &s->vaddr) ||
			     rd64(e, &r, &paddr) || rd64(e, &r, &s->filesz) ||
			     rd64(e, &r, &s->memsz) || rd64(e, &r, &s->align);
		} else {
			rc = rd32(e, &r, &s->type) || rd32(e, &r, &o32) || rd32(e, &r, &v32) ||
			     rd32(e, &r, &p32) || rd32(e, &r, &f32) || rd32(e, &r, &m32) ||
			     rd32(e, &r, &s->flags) || rd32(e, &r, &al32);
			s->offset = o32;
			s->vaddr = v32;
			paddr = p32;
			s->filesz = f32;
			s->memsz = m32;
			s->align = al32;
		}
		s->paddr = paddr;
		if (rc) {
			return VOUCH_E_INTERNAL;
		}
	}
	e->nph = (size_t)count;

	for (size_t i = 0; i < e->nph; i++) {
		const vouch_elfp_seg *s = &e->ph[i];

		switch (s->type) {
		case VOUCH_PT_PHDR: e->has_phdr = true; break;
		case VOUCH_PT_DYNAMIC: e->has_dynamic_seg = true; break;
		case VOUCH_PT_GNU_RELRO: e->has_relro = true; break;
		case VOUCH_PT_GNU_STACK:
			e->has_gnu_stack = true;
			e->gnu_stack_flags = s->flags;
			break;
		case VOUCH_PT_INTERP:
			if (e->interp == NULL) {
				uint64_t len = s->filesz;
				if (len == 0 || !clamp(e, s->offset, &len) || len == 0) {
					vouch_elfp_note(e, "PT_INTERP outside the file");
					break;
				}
				e->interp = table_str(e, s->offset, len, 0, "PT_INTERP");
			}
			break;
		default: break;
		}
	}
	return VOUCH_OK;
}

/* ---- dynamic table ---------------------------------------------------------------------- */

typedef struct dyn_raw {
	uint64_t off, size;       /* the table in the file */
	uint64_t strtab, strsz;   /* DT_STRTAB (address), DT_STRSZ */
	uint64_t symtab, syment, hash, gnu_hash, mips_symtabno;
	bool has_strtab, has_strsz, has_symtab, has_hash, has_gnu_hash, has_symtabno;
	uint64_t above_symtab; /* lowest table address above DT_SYMTAB (0: none): its end */
	uint64_t soname, rpath, runpath;
	bool has_soname, has_rpath, has_runpath;
	uint64_t *needed;
	size_t n_needed;
	uint64_t str_off, str_size; /* the string table in the file */
	bool str_ok;
} dyn_raw;

/* Locate the dynamic table: section or segment (see the design comment). */
static void
find_dynamic(vouch_elfp *e, dyn_raw *d, size_t *dyn_sec)
{
	const vouch_elfp_seg *seg = NULL;
	bool sec_ok = false, seg_ok = false;
	uint64_t soff = 0, ssize = 0;

	*dyn_sec = SIZE_MAX;
	for (size_t i = 0; i < e->nsh; i++) {
		if (e->sh[i].type == VOUCH_SHT_DYNAMIC) {
			*dyn_sec = i;
			sec_ok = sec_data(e, i, &soff, &ssize) && ssize > 0;
			break;
		}
	}
	for (size_t i = 0; i < e->nph; i++) {
		if (e->ph[i].type == VOUCH_PT_DYNAMIC) {
			seg = &e->ph[i];
			break;
		}
	}
	if (seg != NULL) {
		uint64_t len = seg->filesz;
		seg_ok = len > 0 && clamp(e, seg->offset, &len) && len > 0;
		if (!seg_ok) {
			vouch_elfp_note(e, "PT_DYNAMIC lies outside the file");
		} else if (len < seg->filesz) {
			vouch_elfp_note(e, "PT_DYNAMIC runs past the end of the file: cut");
		}
		if (seg_ok && sec_ok && soff != seg->offset) {
			vouch_elfp_note(e, "section headers put the dynamic table at %llu, PT_DYNAMIC "
					"at %llu: using PT_DYNAMIC (what the loader reads)",
					(unsigned long long)soff, (unsigned long long)seg->offset);
			sec_ok = false;
			*dyn_sec = SIZE_MAX;
		}
		if (seg_ok && !sec_ok) {
			d->off = seg->offset;
			d->size = len;
			e->dyn_src = VOUCH_ELF_SRC_SEGMENTS;
			return;
		}
	}
	if (sec_ok) {
		d->off = soff;
		d->size = ssize;
		e->dyn_src = VOUCH_ELF_SRC_SECTIONS;
	} else if (*dyn_sec != SIZE_MAX) {
		*dyn_sec = SIZE_MAX;
	}
}

static int
read_dynamic(vouch_elfp *e, dyn_raw *d)
{
	size_t entsz = e->is64 ? 16 : 8;
	uint64_t count = d->size / entsz;
	vouch_rd r;
	bool ended = false;

	if (count > VOUCH_ELFP_MAX_DYN) {
		vouch_elfp_note(e, "dynamic table of %llu entries: only the first %u read",
				(unsigned long long)count, VOUCH_ELFP_MAX_DYN);
		count = VOUCH_ELFP_MAX_DYN;
	}
	d->needed = vouch_arena_alloc(e->a, (size_t)VOUCH_MIN(count, VOUCH_ELFP_MAX_NEEDED) *
						    sizeof(uint64_t) + 1);
	if (d->needed == NULL) {
		return VOUCH_E_NOMEM;
	}
	if (!window(e, d->off, count * entsz, &r)) {
		return VOUCH_E_INTERNAL; /* clamped by find_dynamic */
	}
	uint64_t addrs[16];
	size_t naddrs = 0;
	for (uint64_t i = 0; i < count && !ended; i++) {
		uint64_t tag, val;

		if (rdtag(e, &r, &tag) || rdw(e, &r, &val)) {
			return VOUCH_E_INTERNAL;
		}
		/* tables the linker lays out after .dynsym: whichever is first bounds it */
		if ((tag == DT_STRTAB || tag == DT_HASH || tag == DT_GNU_HASH || tag == DT_REL ||
		     tag == DT_RELA || tag == DT_JMPREL || tag == DT_VERSYM || tag == DT_VERNEED ||
		     tag == DT_VERDEF) &&
		    naddrs < VOUCH_ARRAY_LEN(addrs)) {
			addrs[naddrs++] = val;
		}
		switch (tag) {
		case DT_NULL: ended = true; break;
		case DT_NEEDED:
			if (d->n_needed < VOUCH_ELFP_MAX_NEEDED) {
				d->needed[d->n_needed++] = val;
			} else if (d->n_needed == VOUCH_ELFP_MAX_NEEDED) {
				vouch_elfp_note(e, "more than %u DT_NEEDED: the rest ignored",
						VOUCH_ELFP_MAX_NEEDED);
				d->n_needed++; /* note once; the count is fixed below */
			}
			break;
		case DT_HASH: d->hash = val; d->has_hash = true; break;
		case DT_STRTAB: d->strtab = val; d->has_strtab = true; break;
		case DT_SYMTAB: d->symtab = val; d->has_symtab = true; break;
		case DT_STRSZ: d->strsz = val; d->has_strsz = true; break;
		case DT_SYMENT: d->syment = val; break;
		case DT_SONAME: d->soname = val; d->has_soname = true; break;
		case DT_RPATH: d->rpath = val; d->has_rpath = true; break;
		case DT_RUNPATH: d->runpath = val; d->has_runpath = true; break;
		case DT_DEBUG: e->has_debug_tag = true; break;
		case DT_TEXTREL: e->has_textrel_tag = true; break;
		case DT_BIND_NOW: e->has_bind_now_tag = true; break;
		case DT_FLAGS: e->dt_flags = val; e->has_flags = true; break;
		case DT_FLAGS_1: e->dt_flags_1 = val; e->has_flags_1 = true; break;
		case DT_GNU_HASH: d->gnu_hash = val; d->has_gnu_hash = true; break;
		default:
			if (e->machine == EM_MIPS && tag == DT_MIPS_SYMTABNO) {
				d->mips_symtabno = val;
				d->has_symtabno = true;
			}
			break;
		}
	}
	for (size_t i = 0; i < naddrs && d->has_symtab; i++) {
		if (addrs[i] > d->symtab && (d->above_symtab == 0 || addrs[i] < d->above_symtab)) {
			d->above_symtab = addrs[i];
		}
	}
	if (d->n_needed > VOUCH_ELFP_MAX_NEEDED) {
		d->n_needed = VOUCH_ELFP_MAX_NEEDED;
	}
	if (!ended && d->size % entsz == 0 && count * entsz == d->size) {
		vouch_elfp_note(e, "dynamic table has no DT_NULL terminator");
	}
	return VOUCH_OK;
}

/* The dynamic string table: the linked section, else DT_STRTAB/DT_STRSZ via PT_LOAD. */
static void
find_dynstr(vouch_elfp *e, dyn_raw *d, size_t dyn_sec)
{
	uint64_t off, size;

	if (dyn_sec != SIZE_MAX) {
		uint32_t l = e->sh[dyn_sec].link;
		if (l < e->nsh && e->sh[l].type == VOUCH_SHT_STRTAB && sec_data(e, l, &off, &size)) {
			d->str_off = off;
			d->str_size = size;
			d->str_ok = true;
			return;
		}
		vouch_elfp_note(e, "the dynamic section's string table link (%u) is invalid: using "
				"DT_STRTAB", l);
	}
	if (!d->has_strtab) {
		vouch_elfp_note(e, "dynamic table without DT_STRTAB: its strings are unreadable");
		return;
	}
	size = d->has_strsz ? d->strsz : 0;
	if (!d->has_strsz || !vaddr_to_off(e, d->strtab, size, &off)) {
		/* no size, or the size overruns the segment: read to the end of the segment */
		size = vaddr_room(e, d->strtab);
		if (size == 0 || !vaddr_to_off(e, d->strtab, size, &off)) {
			vouch_elfp_note(e, "DT_STRTAB 0x%llx is not inside any PT_LOAD segment",
					(unsigned long long)d->strtab);
			return;
		}
		if (d->has_strsz) {
			vouch_elfp_note(e, "DT_STRSZ %llu overruns its segment: cut to %llu",
					(unsigned long long)d->strsz, (unsigned long long)size);
		}
	}
	if (!clamp(e, off, &size) || size == 0) {
		vouch_elfp_note(e, "DT_STRTAB maps outside the file");
		return;
	}
	d->str_off = off;
	d->str_size = size;
	d->str_ok = true;
}

static int
resolve_dynamic_strings(vouch_elfp *e, dyn_raw *d)
{
	if (!d->str_ok) {
		return VOUCH_OK;
	}
	if (d->has_soname) {
		e->soname = table_str(e, d->str_off, d->str_size, d->soname, "DT_SONAME");
	}
	if (d->has_rpath) {
		e->rpath = table_str(e, d->str_off, d->str_size, d->rpath, "DT_RPATH");
	}
	if (d->has_runpath) {
		e->runpath = table_str(e, d->str_off, d->str_size, d->runpath, "DT_RUNPATH");
	}
	if (d->n_needed > 0) {
		e->needed = vouch_arena_alloc(e->a, d->n_needed * sizeof(*e->needed));
		if (e->needed == NULL) {
			return VOUCH_E_NOMEM;
		}
		for (size_t i = 0; i < d->n_needed; i++) {
			const char *s = table_str(e, d->str_off, d->str_size, d->needed[i], "DT_NEEDED");
			if (s != NULL) {
				e->needed[e->n_needed++] = s;
			}
		}
	}
	return VOUCH_OK;
}

/* ---- dynamic symbols -------------------------------------------------------------------- */

/* Number of symbols DT_GNU_HASH covers: one past the highest index reached by a chain. */
static bool
gnu_hash_count(vouch_elfp *e, uint64_t addr, uint64_t *count, bool *exact)
{
	uint32_t nbuckets, symoffset, bloom_size, bloom_shift, b, max = 0;
	uint64_t off, room = vaddr_room(e, addr), skip;
	vouch_rd r;

	if (room < 16 || !vaddr_to_off(e, addr, room, &off) || !window(e, off, room, &r)) {
		return false;
	}
	if (rd32(e, &r, &nbuckets) || rd32(e, &r, &symoffset) || rd32(e, &r, &bloom_size) ||
	    rd32(e, &r, &bloom_shift)) {
		return false;
	}
	if (nbuckets > VOUCH_ELFP_MAX_BUCKETS) {
		vouch_elfp_note(e, "DT_GNU_HASH claims %u buckets", nbuckets);
		return false;
	}
	skip = (uint64_t)bloom_size * (e->is64 ? 8 : 4);
	if (vouch_rd_skip(&r, skip) != VOUCH_OK) {
		return false;
	}
	vouch_rd buckets, chains;
	if (vouch_rd_sub(&r, (size_t)nbuckets * 4, &buckets) != VOUCH_OK) {
		return false;
	}
	/* the rest: chain word of symbol i is at (i - symoffset) * 4 */
	if (vouch_rd_sub(&r, vouch_rd_left(&r), &chains) != VOUCH_OK) {
		return false;
	}
	for (uint32_t i = 0; i < nbuckets; i++) {
		if (rd32(e, &buckets, &b)) {
			return false;
		}
		if (b > max) {
			max = b;
		}
	}
	if (max < symoffset) {
		/* no hashed symbols: the unhashed ones (imports) number at least symoffset, and
		 * linkers do not always say how many there are */
		*count = symoffset;
		*exact = false;
		return true;
	}
	*exact = true;
	/* walk the last chain to its end bit */
	for (uint64_t i = max; i - max < VOUCH_ELFP_MAX_DYNSYMS; i++) {
		uint32_t h;
		if (vouch_rd_seek(&chains, (i - symoffset) * 4) != VOUCH_OK || rd32(e, &chains, &h)) {
			return false;
		}
		if (h & 1u) {
			*count = i + 1;
			return true;
		}
	}
	return false;
}

/* Locate the dynamic symbol table and how many entries it has. */
static bool
find_dynsym(vouch_elfp *e, dyn_raw *d, uint64_t *off, uint64_t *count, uint64_t *str_off,
	    uint64_t *str_size)
{
	size_t entsz = e->is64 ? 24 : 16;
	uint64_t size;

	for (size_t i = 0; i < e->nsh; i++) {
		if (e->sh[i].type != VOUCH_SHT_DYNSYM) {
			continue;
		}
		uint32_t l = e->sh[i].link;
		uint64_t so, ss;
		if (e->dyn_src == VOUCH_ELF_SRC_SEGMENTS && d->has_symtab && e->sh[i].addr != 0 &&
		    e->sh[i].addr != d->symtab) {
			vouch_elfp_note(e, ".dynsym is at 0x%llx, DT_SYMTAB at 0x%llx: using DT_SYMTAB",
					(unsigned long long)e->sh[i].addr,
					(unsigned long long)d->symtab);
			break;
		}
		if (l < e->nsh && e->sh[l].type == VOUCH_SHT_STRTAB && sec_data(e, i, off, &size) &&
		    sec_data(e, l, &so, &ss)) {
			*count = size / entsz;
			*str_off = so;
			*str_size = ss;
			e->sym_src = VOUCH_ELF_SRC_SECTIONS;
			return true;
		}
		vouch_elfp_note(e, ".dynsym or its string table is unreadable: using DT_SYMTAB");
		break;
	}
	if (e->dyn_src == VOUCH_ELF_SRC_NONE || !d->has_symtab) {
		return false;
	}
	if (!d->str_ok) {
		return false;
	}
	if (d->syment != 0 && d->syment != entsz) {
		vouch_elfp_note(e, "DT_SYMENT %llu is not %zu", (unsigned long long)d->syment, entsz);
	}
	/* count: DT_HASH nchain, else GNU hash chains, else MIPS's DT_MIPS_SYMTABNO */
	*count = 0;
	if (d->has_hash) {
		uint64_t hoff;
		uint32_t nbucket, nchain;
		vouch_rd r;
		if (vaddr_to_off(e, d->hash, 8, &hoff) && window(e, hoff, 8, &r) &&
		    rd32(e, &r, &nbucket) == VOUCH_OK && rd32(e, &r, &nchain) == VOUCH_OK) {
			*count = nchain;
		}
	}
	bool exact = *count != 0;
	if (*count == 0 && d->has_gnu_hash && !gnu_hash_count(e, d->gnu_hash, count, &exact)) {
		vouch_elfp_note(e, "DT_GNU_HASH unreadable");
	}
	if (*count == 0 && d->has_symtabno) {
		*count = d->mips_symtabno;
		exact = true;
	}
	if (!exact && d->above_symtab != 0) {
		/* the table ends where the next one the linker placed after it begins */
		uint64_t layout = (d->above_symtab - d->symtab) / entsz;
		if (layout > *count) {
			*count = layout;
		}
	}
	if (*count == 0) {
		vouch_elfp_note(e, "no symbol count (DT_HASH, DT_GNU_HASH): dynamic symbols unread");
		return false;
	}
	size = vaddr_room(e, d->symtab);
	if (size == 0 || !vaddr_to_off(e, d->symtab, size, off)) {
		vouch_elfp_note(e, "DT_SYMTAB 0x%llx is not inside any PT_LOAD segment",
				(unsigned long long)d->symtab);
		return false;
	}
	if (*count > size / entsz) {
		vouch_elfp_note(e, "%llu dynamic symbols claimed, %llu fit in their segment",
				(unsigned long long)*count, (unsigned long long)(size / entsz));
		*count = size / entsz;
	}
	*str_off = d->str_off;
	*str_size = d->str_size;
	e->sym_src = VOUCH_ELF_SRC_SEGMENTS;
	return true;
}

/* One symbol entry: name index, info, section index. */
static int
read_sym(const vouch_elfp *e, vouch_rd *r, uint32_t *name, uint8_t *info, uint16_t *shndx)
{
	uint8_t other;
	uint64_t skip = e->is64 ? 16 : 8; /* value + size */

	if (rd32(e, r, name)) {
		return VOUCH_E_MALFORMED;
	}
	if (!e->is64 && vouch_rd_skip(r, skip)) {
		return VOUCH_E_MALFORMED;
	}
	if (vouch_rd_u8(r, info) || vouch_rd_u8(r, &other) || rd16(e, r, shndx)) {
		return VOUCH_E_MALFORMED;
	}
	if (e->is64 && vouch_rd_skip(r, skip)) {
		return VOUCH_E_MALFORMED;
	}
	return VOUCH_OK;
}

static int
read_dynsyms(vouch_elfp *e, dyn_raw *d)
{
	size_t entsz = e->is64 ? 24 : 16;
	uint64_t off, count, so, ss;
	size_t bad_names = 0;
	vouch_rd r;

	if (!find_dynsym(e, d, &off, &count, &so, &ss)) {
		return VOUCH_OK;
	}
	if (count > VOUCH_ELFP_MAX_DYNSYMS) {
		vouch_elfp_note(e, "%llu dynamic symbols: only the first %u read",
				(unsigned long long)count, VOUCH_ELFP_MAX_DYNSYMS);
		count = VOUCH_ELFP_MAX_DYNSYMS;
	}
	if (count == 0 || !clamp(e, so, &ss) || !window(e, off, count * entsz, &r)) {
		return VOUCH_OK;
	}
	e->syms = vouch_arena_alloc(e->a, (size_t)count * sizeof(*e->syms));
	if (e->syms == NULL) {
		return VOUCH_E_NOMEM;
	}
	for (uint64_t i = 0; i < count; i++) {
		vouch_elfp_sym *s = &e->syms[e->nsyms];
		uint32_t name;
		uint8_t info;

		if (read_sym(e, &r, &name, &info, &s->shndx) != VOUCH_OK) {
			return VOUCH_E_INTERNAL;
		}
		if (i == 0 || name == 0) {
			continue; /* the null symbol; nameless symbols (sections) */
		}
		/* a name longer than NAME_SCAN is kept cut: it matches nothing we look for */
		if (!str_view(e, so, ss, name, NAME_SCAN, &s->name, &s->name_len) &&
		    s->name == NULL) {
			bad_names++;
			continue;
		}
		s->type = info & 0xf;
		s->bind = info >> 4;
		e->nsyms++;
	}
	if (bad_names > 0) {
		vouch_elfp_note(e, "%zu dynamic symbol names outside their string table", bad_names);
	}
	return VOUCH_OK;
}

/* ---- static symbols: presence, and the canary symbols (names compared in place) -------- */

static bool
canary_name(const uint8_t *s, size_t n)
{
	static const char *const names[] = {"__stack_chk_fail", "__stack_chk_guard",
					    "__intel_security_cookie"};
	for (size_t i = 0; i < VOUCH_ARRAY_LEN(names); i++) {
		size_t l = strlen(names[i]);
		if (n >= l && memcmp(s, names[i], l) == 0) {
			return true; /* also __stack_chk_fail_local */
		}
	}
	return false;
}

static void
scan_symtab(vouch_elfp *e, size_t i)
{
	size_t entsz = e->is64 ? 24 : 16;
	uint64_t off, size, so, ss, count, budget = VOUCH_ELFP_MAX_SYMTAB;
	uint32_t l = e->sh[i].link;
	vouch_rd r;

	e->has_symtab = true;
	if (l >= e->nsh || e->sh[l].type != VOUCH_SHT_STRTAB || !sec_data(e, i, &off, &size) ||
	    !sec_data(e, l, &so, &ss)) {
		vouch_elfp_note(e, ".symtab or its string table is unreadable");
		return;
	}
	count = size / entsz;
	if (count > budget) {
		vouch_elfp_note(e, ".symtab has %llu symbols: only the first %llu scanned",
				(unsigned long long)count, (unsigned long long)budget);
		count = budget;
	}
	if (!window(e, off, count * entsz, &r)) {
		return;
	}
	for (uint64_t k = 1; k < count && !e->symtab_canary; k++) {
		uint32_t name;
		uint8_t info;
		uint16_t shndx;
		const uint8_t *s;
		size_t len;

		if (vouch_rd_seek(&r, k * entsz) != VOUCH_OK ||
		    read_sym(e, &r, &name, &info, &shndx) != VOUCH_OK) {
			return;
		}
		str_view(e, so, ss, name, NAME_SCAN, &s, &len);
		if (name != 0 && s != NULL && canary_name(s, len)) {
			e->symtab_canary = true;
		}
	}
}

/* ---- notes, .comment, .modinfo ---------------------------------------------------------- */

/* Walk the note records of [off, off+size) for NT_GNU_BUILD_ID with name "GNU". */
static void
find_build_id(vouch_elfp *e, uint64_t off, uint64_t size, uint64_t align)
{
	vouch_rd r;
	uint64_t a = align == 8 ? 8 : 4;

	if (!clamp(e, off, &size) || !window(e, off, size, &r)) {
		return;
	}
	for (unsigned k = 0; k < VOUCH_ELFP_MAX_NOTE_RECORDS && vouch_rd_left(&r) >= 12; k++) {
		uint32_t namesz, descsz, type;
		const uint8_t *name, *desc;

		/* name and descriptor each start at the next multiple of the alignment (from the
		 * start of the note table, which is itself aligned) */
		if (rd32(e, &r, &namesz) || rd32(e, &r, &descsz) || rd32(e, &r, &type) ||
		    vouch_rd_view(&r, namesz, &name) != VOUCH_OK ||
		    vouch_rd_seek(&r, (r.pos + a - 1) & ~(a - 1)) != VOUCH_OK ||
		    vouch_rd_view(&r, descsz, &desc) != VOUCH_OK) {
			vouch_elfp_note(e, "note record at %llu runs past its note section",
					(unsigned long long)off + r.pos);
			return;
		}
		/* the padding after the last descriptor may be missing */
		if (vouch_rd_seek(&r, (r.pos + a - 1) & ~(a - 1)) != VOUCH_OK) {
			vouch_rd_seek(&r, r.len);
		}
		if (type == VOUCH_NT_GNU_BUILD_ID && namesz == 4 && memcmp(name, "GNU", 4) == 0 &&
		    descsz > 0 && e->build_id == NULL) {
			if (descsz > 64) {
				vouch_elfp_note(e, "GNU build-id of %u bytes (cut to 64)", descsz);
				descsz = 64;
			}
			e->build_id = desc;
			e->build_id_len = descsz;
		}
	}
}

/*
 * The non-empty NUL-separated strings of a section, in order, at most `max`; with dedup only
 * the first of equal strings, and at most DEDUP_SCAN strings examined (the check compares
 * each with those kept: bounded, it cannot turn a huge section of copies into minutes).
 */
#define DEDUP_SCAN 1024u
static int
split_strings(vouch_elfp *e, size_t i, const char *what, size_t max, bool dedup,
	      const char ***out, size_t *n)
{
	uint64_t off, size, pos = 0;
	const char **v;
	size_t *lens, seen = 0;

	if (!sec_data(e, i, &off, &size)) {
		return VOUCH_OK;
	}
	v = vouch_arena_alloc(e->a, max * sizeof(*v));
	lens = vouch_arena_alloc(e->a, max * sizeof(*lens));
	if (v == NULL || lens == NULL) {
		return VOUCH_E_NOMEM;
	}
	*out = v;
	while (pos < size) {
		const uint8_t *s;
		size_t len, cut;
		bool dup = false;

		str_view(e, off, size, pos, SIZE_MAX, &s, &len); /* linear: pos moves past it */
		if (s == NULL) {
			break;
		}
		pos += len + 1;
		if (len == 0) {
			continue;
		}
		if (dedup && ++seen > DEDUP_SCAN) {
			vouch_elfp_note(e, "%s: more than %u strings, the rest ignored", what,
					DEDUP_SCAN);
			break;
		}
		cut = VOUCH_MIN(len, (size_t)VOUCH_ELFP_MAX_STR);
		for (size_t k = 0; k < *n && dedup && !dup; k++) {
			dup = lens[k] == cut && memcmp(v[k], s, cut) == 0;
		}
		if (dup) {
			continue;
		}
		if (*n >= max) {
			vouch_elfp_note(e, "%s: more than %zu strings, the rest ignored", what, max);
			break;
		}
		v[*n] = keep(e, s, len, what);
		if (v[*n] == NULL) {
			return VOUCH_E_NOMEM;
		}
		lens[*n] = cut;
		(*n)++;
	}
	return VOUCH_OK;
}

static int
parse_modinfo(vouch_elfp *e, size_t i)
{
	const char **strs = NULL;
	size_t n = 0;
	int rc;

	e->has_modinfo = true;
	rc = split_strings(e, i, ".modinfo", VOUCH_ELFP_MAX_MODINFO, false, &strs, &n);
	if (rc != VOUCH_OK || n == 0) {
		return rc;
	}
	e->modinfo = vouch_arena_alloc(e->a, n * sizeof(*e->modinfo));
	if (e->modinfo == NULL) {
		return VOUCH_E_NOMEM;
	}
	for (size_t k = 0; k < n; k++) {
		const char *eq = strchr(strs[k], '=');
		vouch_elf_kv *kv = &e->modinfo[e->n_modinfo++];

		if (eq == NULL) {
			kv->key = strs[k];
			kv->value = "";
			continue;
		}
		kv->key = vouch_arena_strndup(e->a, strs[k], (size_t)(eq - strs[k]));
		kv->value = eq + 1;
		if (kv->key == NULL) {
			return VOUCH_E_NOMEM;
		}
	}
	return VOUCH_OK;
}

static int
parse_named_sections(vouch_elfp *e)
{
	int rc;

	for (size_t i = 0; i < e->nsh; i++) {
		const vouch_elfp_sec *s = &e->sh[i];
		uint64_t off, size;

		switch (s->type) {
		case VOUCH_SHT_SYMTAB:
			if (!e->has_symtab) {
				scan_symtab(e, i);
			}
			break;
		case VOUCH_SHT_NOTE:
			if (e->build_id == NULL && sec_data(e, i, &off, &size)) {
				find_build_id(e, off, size, s->align);
			}
			break;
		case VOUCH_SHT_PROGBITS:
			if (sec_named(s, ".comment") && e->comments == NULL) {
				rc = split_strings(e, i, ".comment", VOUCH_ELFP_MAX_COMMENTS, true,
						   &e->comments, &e->n_comments);
				if (rc != VOUCH_OK) {
					return rc;
				}
			} else if (sec_named(s, ".modinfo") && !e->has_modinfo) {
				rc = parse_modinfo(e, i);
				if (rc != VOUCH_OK) {
					return rc;
				}
			} else if (sec_named(s, ".debug_info")) {
				e->has_debug_info = true;
			} else if (sec_named(s, ".gnu.linkonce.this_module")) {
				e->has_this_module = true;
			} else if (sec_named(s, ".interp") && e->interp == NULL && e->nph == 0 &&
				   sec_data(e, i, &off, &size) && size > 0) {
				e->interp = table_str(e, off, size, 0, ".interp");
			}
			break;
		default: break;
		}
	}
	if (e->build_id == NULL) {
		for (size_t i = 0; i < e->nph; i++) {
			if (e->ph[i].type == VOUCH_PT_NOTE) {
				find_build_id(e, e->ph[i].offset, e->ph[i].filesz, e->ph[i].align);
			}
		}
	}
	return VOUCH_OK;
}

/* ---- entry point ------------------------------------------------------------------------ */

int
vouch_elfp_parse(vouch_arena *a, const void *p, size_t n, vouch_elfp *e)
{
	dyn_raw d;
	size_t dyn_sec = SIZE_MAX;
	int rc;

	memset(e, 0, sizeof(*e));
	memset(&d, 0, sizeof(d));
	e->a = a;
	e->p = p;
	e->n = n;
	e->notes = vouch_arena_alloc(a, VOUCH_ELFP_MAX_NOTES * sizeof(*e->notes));
	if (e->notes == NULL) {
		return VOUCH_E_NOMEM;
	}
	rc = parse_header(e);
	if (rc != VOUCH_OK || !e->header_ok) {
		return rc;
	}
	/* sections first: extended numbering keeps the real phnum in section 0 */
	if ((rc = parse_sections(e)) != VOUCH_OK || (rc = parse_segments(e)) != VOUCH_OK) {
		return rc;
	}
	find_dynamic(e, &d, &dyn_sec);
	if (e->dyn_src != VOUCH_ELF_SRC_NONE) {
		if ((rc = read_dynamic(e, &d)) != VOUCH_OK) {
			return rc;
		}
		find_dynstr(e, &d, dyn_sec);
		if ((rc = resolve_dynamic_strings(e, &d)) != VOUCH_OK) {
			return rc;
		}
	}
	if ((rc = read_dynsyms(e, &d)) != VOUCH_OK) {
		return rc;
	}
	return parse_named_sections(e);
}
