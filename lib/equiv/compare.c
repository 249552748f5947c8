/*
 * equiv/compare.c: two differing files, compared so that the lab sees WHERE they differ and
 * whether that matters.
 *
 * ELF (both sides parse, lib/inventory/elfparse.c): each file is cut into parts that cover
 * every byte: the ELF header and the program-header table (compared field by field), every
 * section by name (repeated names numbered "#2", "#3" in index order; header fields and
 * content), the section-header table (its fields are compared per section), the bytes
 * between parts ("(after NAME)", named by the part they follow, so they pair even when
 * offsets moved), an appended kernel-module signature ("~Module signature appended~\n" and
 * the struct module_signature before it) and whatever trails. Parts pair by name. A
 * differing content is cut into runs of differing bytes; each run is classified:
 *   by the section's name: .note.gnu.build-id (or an NT_GNU_BUILD_ID descriptor in any note
 *   section) build-id; .gnu_debuglink/.gnu_debugaltlink debug-link; .comment comment;
 *   .debug_*, .zdebug_*, .stab*, .gdb_index debug; .signature* signature;
 *   the section-name table (.shstrtab, not loaded) layout: its content is the names, and
 *   every section is paired and classified by its name, so an added or renamed section
 *   shows there;
 *   SHF_EXECINSTR sections code;
 *   else by the bytes around the run (spans.c): path, timestamp, or data.
 * Header fields: offsets (e_phoff, e_shoff, sh_offset, p_offset) and section indices and
 * name offsets (e_shnum, e_shstrndx, sh_name, sh_link, sh_info of relocations) are layout:
 * they move when an earlier part changes size, and whatever changed size is itself
 * classified; a benign section's own size is benign; e_entry is code; every other field is
 * data (or code for an executable section's address). Bytes between parts that are zero on
 * both sides are layout (alignment padding), else data.
 *
 * Other files: the first differing offset and the count of differing bytes; a gzip member
 * header (RFC 1952) whose only difference is MTIME is a timestamp.
 *
 * Bounds: parts are bounded by the parser's section limit, ranges by max_ranges per part
 * (the rest counted in ranges_total); every view comes from elfparse's bounds-checked
 * accessors and every offset is checked against the views' lengths.
 * Rejected: objdump/readelf-style disassembly diffing (slow, and an instruction-level diff
 * says nothing more than "code differs" for the verdict); byte-comparing the section-header
 * table (every moved offset would look like a data change).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "equiv/equiv_int.h"
#include "inventory/elfparse.h"

/* Field lists longer than this are cut with "...": a table with many moved sections would
 * otherwise repeat "sh_offset" thousands of times. */
#define FIELDS_MAX 256u
#define SHF_ALLOC 0x2u
#define SHF_EXECINSTR 0x4u
#define SHT_RELA 4u
#define SHT_REL 9u
#define NT_GNU_BUILD_ID 3u
#define MODSIG_MAGIC "~Module signature appended~\n"
#define MODSIG_MAGIC_LEN 28u
#define MODSIG_INFO_LEN 12u /* struct module_signature */

typedef enum pkind { P_HEADER, P_PHDRS, P_SECTION, P_GAP, P_MODSIG } pkind;

/* One part of one file. */
typedef struct part {
	char *name;
	pkind kind;
	uint64_t off, size;     /* in the file; the content is p[off, off+size) when `bytes` */
	bool bytes;             /* content compared (sections with data, gaps, signature) */
	size_t sec;             /* section index (P_SECTION) */
	int fixed;              /* a class every content difference takes, or -1 */
	bool exec;
} part;

typedef struct side {
	vouch_elfp e;
	const uint8_t *p;
	size_t n;
	part *parts;
	size_t nparts;
} side;

typedef struct cmp {
	vouch_arena *out;  /* results */
	vouch_arena *tmp;  /* this comparison's scratch */
	uint32_t max_ranges;
	vouch_equiv_spanctx *sc;
	side d, r;
} cmp;

/* ---- results ------------------------------------------------------------------------------ */

typedef struct fields {
	char buf[FIELDS_MAX];
	size_t len;
	bool cut;
} fields;

static void
field_add(fields *f, const char *name, long idx)
{
	char one[64];
	int w = idx >= 0 ? snprintf(one, sizeof(one), "%s[%ld]", name, idx)
			 : snprintf(one, sizeof(one), "%s", name);

	if (w <= 0 || f->cut) {
		return;
	}
	if (f->len + (size_t)w + 2 >= FIELDS_MAX - 4) {
		memcpy(f->buf + f->len, f->len ? ",..." : "...", f->len ? 5 : 4);
		f->len += f->len ? 4 : 3;
		f->cut = true;
		return;
	}
	if (f->len > 0) {
		f->buf[f->len++] = ',';
	}
	memcpy(f->buf + f->len, one, (size_t)w);
	f->len += (size_t)w;
	f->buf[f->len] = '\0';
}

/* A part result being built: ranges appended, merged when close and of one class. */
typedef struct pres {
	vouch_equiv_part *p;
	vouch_equiv_range *r;
	uint32_t cap;
	bool nomem;
} pres;

static void
range_add(cmp *c, pres *pr, uint64_t off, uint64_t len, vouch_equiv_class cls)
{
	vouch_equiv_part *p = pr->p;

	p->classes |= 1u << cls;
	if (pr->r != NULL && p->nranges > 0) {
		vouch_equiv_range *last = &pr->r[p->nranges - 1];
		if (last->cls == cls && off >= last->offset + last->length &&
		    off - (last->offset + last->length) < VOUCH_EQUIV_MERGE_GAP) {
			last->length = off + len - last->offset;
			return;
		}
	}
	p->ranges_total++;
	if (p->nranges >= c->max_ranges) {
		return;
	}
	if (pr->r == NULL) {
		pr->r = vouch_arena_alloc(c->out, (size_t)c->max_ranges * sizeof(*pr->r));
		if (pr->r == NULL) {
			pr->nomem = true;
			return;
		}
		p->ranges = pr->r;
	}
	pr->r[p->nranges].offset = off;
	pr->r[p->nranges].length = len;
	pr->r[p->nranges].cls = cls;
	p->nranges++;
}

/* ---- byte runs ---------------------------------------------------------------------------- */

/* The end of the run of differing bytes starting at i (a[i] != b[i]). */
static size_t
run_end(const uint8_t *a, const uint8_t *b, size_t n, size_t i)
{
	while (i < n && a[i] != b[i]) {
		i++;
	}
	return i;
}

/* The next differing position at or after i, or n. */
static size_t
next_diff(const uint8_t *a, const uint8_t *b, size_t n, size_t i)
{
	while (i + 64 <= n && memcmp(a + i, b + i, 64) == 0) {
		i += 64;
	}
	while (i < n && a[i] == b[i]) {
		i++;
	}
	return i;
}

/* Build-id descriptors in a note section: is [off, off+len) inside one? */
static bool
in_build_id(const side *s, const uint8_t *p, size_t n, uint64_t align, size_t off, size_t len)
{
	vouch_rd r;
	size_t a = align == 8 ? 8 : 4;

	vouch_rd_init(&r, p, n);
	for (unsigned k = 0; k < VOUCH_ELFP_MAX_NOTE_RECORDS && vouch_rd_left(&r) >= 12; k++) {
		uint32_t namesz, descsz, type;
		int rc = s->e.be ? (vouch_rd_u32be(&r, &namesz) || vouch_rd_u32be(&r, &descsz) ||
				    vouch_rd_u32be(&r, &type))
				 : (vouch_rd_u32le(&r, &namesz) || vouch_rd_u32le(&r, &descsz) ||
				    vouch_rd_u32le(&r, &type));
		if (rc) {
			return false;
		}
		uint64_t nsk = ((uint64_t)namesz + a - 1) / a * a;
		uint64_t dsk = ((uint64_t)descsz + a - 1) / a * a;
		const uint8_t *name;
		if (nsk > vouch_rd_left(&r) || vouch_rd_view(&r, (size_t)nsk, &name) != VOUCH_OK) {
			return false;
		}
		size_t dstart = r.pos;
		if (dsk > vouch_rd_left(&r) && descsz > vouch_rd_left(&r)) {
			return false;
		}
		if (type == NT_GNU_BUILD_ID && namesz == 4 && memcmp(name, "GNU", 4) == 0 &&
		    off >= dstart && off + len <= dstart + descsz) {
			return true;
		}
		if (vouch_rd_skip(&r, VOUCH_MIN(dsk, (uint64_t)vouch_rd_left(&r))) != VOUCH_OK) {
			return false;
		}
	}
	return false;
}

/*
 * Compare the contents of two paired parts; ranges go to pr. For sections, runs take the
 * fixed class or are classified by spans.c (build-id descriptors in notes found first).
 */
static void
compare_content(cmp *c, const part *pd, const part *pr_, pres *pr)
{
	const uint8_t *a = c->d.p + pd->off, *b = c->r.p + pr_->off;
	size_t na = (size_t)pd->size, nb = (size_t)pr_->size, n = VOUCH_MIN(na, nb);
	bool note = pd->kind == P_SECTION && c->d.e.sh[pd->sec].type == VOUCH_SHT_NOTE &&
		    pr_->kind == P_SECTION && c->r.e.sh[pr_->sec].type == VOUCH_SHT_NOTE;
	bool zero_gap = false;

	if (pd->kind == P_GAP) {
		zero_gap = true;
		for (size_t i = 0; i < na && zero_gap; i++) {
			zero_gap = a[i] == 0;
		}
		for (size_t i = 0; i < nb && zero_gap; i++) {
			zero_gap = b[i] == 0;
		}
	}
	vouch_equiv_span_reset(c->sc);
	for (size_t i = next_diff(a, b, n, 0); i < n; i = next_diff(a, b, n, i)) {
		size_t e = run_end(a, b, n, i);
		vouch_equiv_class cls;
		pr->p->diff_bytes += e - i;
		if (zero_gap) {
			cls = VOUCH_EQUIV_LAYOUT;
		} else if (pd->fixed >= 0) {
			cls = (vouch_equiv_class)pd->fixed;
		} else if (note && in_build_id(&c->d, a, na, c->d.e.sh[pd->sec].align, i, e - i) &&
			   in_build_id(&c->r, b, nb, c->r.e.sh[pr_->sec].align, i, e - i)) {
			cls = VOUCH_EQUIV_BUILD_ID;
		} else if (pd->exec || pd->kind != P_SECTION) {
			cls = pd->exec ? VOUCH_EQUIV_CODE : VOUCH_EQUIV_DATA;
		} else {
			cls = vouch_equiv_span_class(c->sc, a, b, n, i, e - i);
		}
		range_add(c, pr, i, e - i, cls);
		i = e;
	}
	if (na != nb) {
		vouch_equiv_class cls = zero_gap ? VOUCH_EQUIV_LAYOUT
				      : pd->fixed >= 0 ? (vouch_equiv_class)pd->fixed
				      : pd->exec ? VOUCH_EQUIV_CODE : VOUCH_EQUIV_DATA;
		uint64_t d = na > nb ? na - nb : nb - na;
		pr->p->diff_bytes += d;
		range_add(c, pr, n, d, cls);
	}
}

/* ---- cutting a file into parts --------------------------------------------------------------- */

static bool
name_starts(const uint8_t *s, size_t n, const char *lit)
{
	size_t l = strlen(lit);
	return n >= l && memcmp(s, lit, l) == 0;
}

/* The class every difference of a section with this name takes, or -1. */
static int
fixed_class(const vouch_elfp_sec *s)
{
	const uint8_t *nm = s->nm;
	size_t n = s->nm_len;

	if (nm == NULL) {
		return -1;
	}
	if (vouch_elfp_name_is(nm, n, ".note.gnu.build-id")) {
		return VOUCH_EQUIV_BUILD_ID;
	}
	if (vouch_elfp_name_is(nm, n, ".gnu_debuglink") ||
	    vouch_elfp_name_is(nm, n, ".gnu_debugaltlink")) {
		return VOUCH_EQUIV_DEBUG_LINK;
	}
	if (vouch_elfp_name_is(nm, n, ".comment")) {
		return VOUCH_EQUIV_COMMENT;
	}
	if (name_starts(nm, n, ".debug_") || name_starts(nm, n, ".zdebug_") ||
	    name_starts(nm, n, ".stab") || vouch_elfp_name_is(nm, n, ".gdb_index")) {
		return VOUCH_EQUIV_DEBUG;
	}
	if (name_starts(nm, n, ".signature")) {
		return VOUCH_EQUIV_SIGNATURE;
	}
	return -1;
}

static int
part_add(cmp *c, side *s, size_t cap, const char *name, pkind kind, uint64_t off, uint64_t size,
	 bool bytes)
{
	part *p;

	if (s->nparts >= cap) {
		return VOUCH_E_INTERNAL;
	}
	p = &s->parts[s->nparts];
	memset(p, 0, sizeof(*p));
	p->name = vouch_arena_strndup(c->tmp, name, strlen(name));
	if (p->name == NULL) {
		return VOUCH_E_NOMEM;
	}
	p->kind = kind;
	p->off = off;
	p->size = size;
	p->bytes = bytes;
	p->fixed = -1;
	s->nparts++;
	return VOUCH_OK;
}

typedef struct ival {
	uint64_t lo, hi;
	size_t part;
} ival;

static int
ival_cmp(const void *x, const void *y)
{
	const ival *a = x, *b = y;
	if (a->lo != b->lo) {
		return a->lo < b->lo ? -1 : 1;
	}
	return a->hi < b->hi ? -1 : a->hi > b->hi;
}

/* A section's part name: its name (escaped later by the printer), "#k" when repeated. */
static char *
section_name(cmp *c, const vouch_elfp_sec *s, size_t idx, unsigned occ)
{
	char base[VOUCH_EQUIV_STR_MAX / 16];
	size_t l = s->nm ? VOUCH_MIN(s->nm_len, sizeof(base) - 1) : 0;

	if (s->nm == NULL) {
		return vouch_arena_printf(c->tmp, "[%zu]", idx);
	}
	memcpy(base, s->nm, l);
	base[l] = '\0';
	/* a NUL inside cannot happen (nm_len stops at the first), but keep the name printable */
	return occ > 1 ? vouch_arena_printf(c->tmp, "%s#%u", base, occ)
		       : vouch_arena_strndup(c->tmp, base, l);
}

typedef struct nref {
	const uint8_t *nm;
	size_t len, idx;
} nref;

static int
nref_cmp(const void *x, const void *y)
{
	const nref *a = x, *b = y;
	size_t l = VOUCH_MIN(a->len, b->len);
	int d = l > 0 ? memcmp(a->nm, b->nm, l) : 0;

	if (d != 0) {
		return d;
	}
	if (a->len != b->len) {
		return a->len < b->len ? -1 : 1;
	}
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* For every section, its occurrence number among the sections of the same name in index
 * order (1 for the first): sorted once, so a file with 65536 sections costs n log n. */
static unsigned *
occurrences(cmp *c, const vouch_elfp *e)
{
	unsigned *occ = vouch_arena_alloc(c->tmp, e->nsh * sizeof(*occ));
	nref *r = vouch_arena_alloc(c->tmp, e->nsh * sizeof(*r));
	size_t n = 0;

	if (occ == NULL || r == NULL) {
		return NULL;
	}
	for (size_t i = 1; i < e->nsh; i++) {
		occ[i] = 1;
		if (e->sh[i].nm != NULL) {
			r[n++] = (nref){e->sh[i].nm, e->sh[i].nm_len, i};
		}
	}
	qsort(r, n, sizeof(*r), nref_cmp);
	for (size_t k = 1; k < n; k++) {
		if (r[k].len == r[k - 1].len &&
		    (r[k].len == 0 || memcmp(r[k].nm, r[k - 1].nm, r[k].len) == 0)) {
			occ[r[k].idx] = occ[r[k - 1].idx] + 1;
		}
	}
	return occ;
}

static int
cut(cmp *c, side *s)
{
	vouch_elfp *e = &s->e;
	size_t cap = e->nsh + 8, ni = 0;
	ival *iv;
	uint64_t end = 0, sigstart = s->n;
	int rc;

	/* parts: header, phdrs, sections, then gaps and the tail (at most one per part + 2) */
	cap = cap * 2 + 4;
	s->parts = vouch_arena_alloc(c->tmp, cap * sizeof(*s->parts));
	iv = vouch_arena_alloc(c->tmp, (e->nsh + 4) * sizeof(*iv));
	if (s->parts == NULL || iv == NULL) {
		return VOUCH_E_NOMEM;
	}
	uint64_t eh = VOUCH_MIN((uint64_t)(e->is64 ? 64 : 52), (uint64_t)s->n);
	if ((rc = part_add(c, s, cap, "(ELF header)", P_HEADER, 0, eh, false)) != VOUCH_OK) {
		return rc;
	}
	iv[ni++] = (ival){0, eh, 0};
	uint64_t phbytes = (uint64_t)e->nph * e->phentsize;
	if (e->nph > 0 &&
	    (rc = part_add(c, s, cap, "(program headers)", P_PHDRS, e->phoff, phbytes, false)) ==
		    VOUCH_OK) {
		iv[ni++] = (ival){e->phoff, e->phoff + phbytes, s->nparts - 1};
	} else if (rc != VOUCH_OK) {
		return rc;
	}
	/* a module signature at the very end of the file */
	if (s->n >= MODSIG_MAGIC_LEN + MODSIG_INFO_LEN &&
	    memcmp(s->p + s->n - MODSIG_MAGIC_LEN, MODSIG_MAGIC, MODSIG_MAGIC_LEN) == 0) {
		vouch_rd r;
		uint8_t info[MODSIG_INFO_LEN];
		uint64_t body;
		vouch_rd_init(&r, s->p, s->n);
		if (vouch_rd_seek(&r, s->n - MODSIG_MAGIC_LEN - MODSIG_INFO_LEN) == VOUCH_OK &&
		    vouch_rd_bytes(&r, info, sizeof(info)) == VOUCH_OK) {
			body = (uint64_t)vouch_load_u32be(info + 8) + info[3] + info[4];
			uint64_t total = body + MODSIG_INFO_LEN + MODSIG_MAGIC_LEN;
			sigstart = total <= s->n ? s->n - total : s->n - MODSIG_INFO_LEN -
								    MODSIG_MAGIC_LEN;
		}
	}
	/* sections, numbered per name in index order */
	unsigned *occs = NULL;
	if (e->nsh > 0 && (occs = occurrences(c, e)) == NULL) {
		return VOUCH_E_NOMEM;
	}
	for (size_t i = 1; i < e->nsh; i++) {
		const vouch_elfp_sec *sh = &e->sh[i];
		unsigned occ = occs[i];
		const uint8_t *v;
		size_t vn;
		char *nm = section_name(c, sh, i, occ);
		if (nm == NULL) {
			return VOUCH_E_NOMEM;
		}
		bool has = vouch_elfp_sec_view(e, i, &v, &vn) && vn > 0;
		uint64_t off = has ? sh->offset : 0; /* the view starts at sh_offset */
		if ((rc = part_add(c, s, cap, nm, P_SECTION, off, has ? vn : 0, has)) != VOUCH_OK) {
			return rc;
		}
		part *p = &s->parts[s->nparts - 1];
		p->sec = i;
		p->fixed = fixed_class(sh);
		if (p->fixed < 0 && i == e->shstrndx && !(sh->flags & SHF_ALLOC)) {
			p->fixed = VOUCH_EQUIV_LAYOUT; /* section names: each section is paired */
		}
		p->exec = (sh->flags & SHF_EXECINSTR) != 0;
		if (has && off < sigstart) {
			iv[ni++] = (ival){off, VOUCH_MIN(off + vn, sigstart), s->nparts - 1};
		}
	}
	if (e->nsh > 0) {
		uint64_t shbytes = (uint64_t)e->nsh * e->shentsize;
		iv[ni++] = (ival){e->shoff, e->shoff + shbytes, SIZE_MAX};
	}
	qsort(iv, ni, sizeof(*iv), ival_cmp);
	/* gaps, named after the part whose end they follow */
	const char *after = "(ELF header)";
	for (size_t k = 0; k < ni; k++) {
		uint64_t lo = VOUCH_MIN(iv[k].lo, sigstart), hi = VOUCH_MIN(iv[k].hi, sigstart);
		if (lo > end) {
			char *g = vouch_arena_printf(c->tmp, "(after %s)", after);
			if (g == NULL) {
				return VOUCH_E_NOMEM;
			}
			if ((rc = part_add(c, s, cap, g, P_GAP, end, lo - end, true)) != VOUCH_OK) {
				return rc;
			}
		}
		if (hi > end) {
			end = hi;
			after = iv[k].part == SIZE_MAX ? "(section headers)" : s->parts[iv[k].part].name;
		}
	}
	if (sigstart > end) {
		char *g = vouch_arena_printf(c->tmp, "(after %s)", after);
		if (g == NULL || (rc = part_add(c, s, cap, g, P_GAP, end, sigstart - end, true)) !=
					 VOUCH_OK) {
			return g == NULL ? VOUCH_E_NOMEM : rc;
		}
	}
	if (sigstart < s->n) {
		if ((rc = part_add(c, s, cap, "(module signature)", P_MODSIG, sigstart,
				   s->n - sigstart, true)) != VOUCH_OK) {
			return rc;
		}
		s->parts[s->nparts - 1].fixed = VOUCH_EQUIV_SIGNATURE;
	}
	return VOUCH_OK;
}

/* ---- header fields -------------------------------------------------------------------------- */

typedef struct fcmp {
	fields f;
	uint32_t classes;
} fcmp;

static void
fdiff(fcmp *fc, uint64_t a, uint64_t b, const char *name, long idx, vouch_equiv_class cls)
{
	if (a != b) {
		field_add(&fc->f, name, idx);
		fc->classes |= 1u << cls;
	}
}

static void
header_fields(cmp *c, fcmp *fc)
{
	const vouch_elfp *a = &c->d.e, *b = &c->r.e;

	if (memcmp(c->d.p, c->r.p, 16) != 0) {
		field_add(&fc->f, "e_ident", -1);
		fc->classes |= 1u << VOUCH_EQUIV_DATA;
	}
	fdiff(fc, a->type, b->type, "e_type", -1, VOUCH_EQUIV_DATA);
	fdiff(fc, a->machine, b->machine, "e_machine", -1, VOUCH_EQUIV_DATA);
	fdiff(fc, a->version, b->version, "e_version", -1, VOUCH_EQUIV_DATA);
	fdiff(fc, a->entry, b->entry, "e_entry", -1, VOUCH_EQUIV_CODE);
	fdiff(fc, a->phoff, b->phoff, "e_phoff", -1, VOUCH_EQUIV_LAYOUT);
	fdiff(fc, a->shoff, b->shoff, "e_shoff", -1, VOUCH_EQUIV_LAYOUT);
	fdiff(fc, a->flags, b->flags, "e_flags", -1, VOUCH_EQUIV_DATA);
	fdiff(fc, a->ehsize, b->ehsize, "e_ehsize", -1, VOUCH_EQUIV_DATA);
	fdiff(fc, a->phentsize, b->phentsize, "e_phentsize", -1, VOUCH_EQUIV_DATA);
	fdiff(fc, a->phnum, b->phnum, "e_phnum", -1, VOUCH_EQUIV_DATA);
	fdiff(fc, a->shentsize, b->shentsize, "e_shentsize", -1, VOUCH_EQUIV_DATA);
	/* the sections themselves say what was added or removed */
	fdiff(fc, a->shnum, b->shnum, "e_shnum", -1, VOUCH_EQUIV_LAYOUT);
	fdiff(fc, a->shstrndx, b->shstrndx, "e_shstrndx", -1, VOUCH_EQUIV_LAYOUT);
}

static void
phdr_fields(cmp *c, fcmp *fc)
{
	const vouch_elfp *a = &c->d.e, *b = &c->r.e;
	size_t n = VOUCH_MIN(a->nph, b->nph);

	for (size_t i = 0; i < n; i++) {
		const vouch_elfp_seg *x = &a->ph[i], *y = &b->ph[i];
		long k = (long)i;
		fdiff(fc, x->type, y->type, "p_type", k, VOUCH_EQUIV_DATA);
		fdiff(fc, x->flags, y->flags, "p_flags", k, VOUCH_EQUIV_DATA);
		fdiff(fc, x->offset, y->offset, "p_offset", k, VOUCH_EQUIV_LAYOUT);
		fdiff(fc, x->vaddr, y->vaddr, "p_vaddr", k, VOUCH_EQUIV_DATA);
		fdiff(fc, x->paddr, y->paddr, "p_paddr", k, VOUCH_EQUIV_DATA);
		fdiff(fc, x->filesz, y->filesz, "p_filesz", k, VOUCH_EQUIV_DATA);
		fdiff(fc, x->memsz, y->memsz, "p_memsz", k, VOUCH_EQUIV_DATA);
		fdiff(fc, x->align, y->align, "p_align", k, VOUCH_EQUIV_DATA);
	}
	if (a->nph != b->nph) {
		field_add(&fc->f, "count", -1);
		fc->classes |= 1u << VOUCH_EQUIV_DATA;
	}
}

static void
shdr_fields(const part *pd, const vouch_elfp_sec *x, const vouch_elfp_sec *y, fcmp *fc)
{
	vouch_equiv_class own = pd->fixed >= 0 ? (vouch_equiv_class)pd->fixed
			       : pd->exec	 ? VOUCH_EQUIV_CODE
						 : VOUCH_EQUIV_DATA;
	bool rel = x->type == SHT_REL || x->type == SHT_RELA;

	fdiff(fc, x->name, y->name, "sh_name", -1, VOUCH_EQUIV_LAYOUT);
	fdiff(fc, x->type, y->type, "sh_type", -1, VOUCH_EQUIV_DATA);
	fdiff(fc, x->flags, y->flags, "sh_flags", -1, VOUCH_EQUIV_DATA);
	fdiff(fc, x->addr, y->addr, "sh_addr", -1,
	      own == VOUCH_EQUIV_CODE ? VOUCH_EQUIV_CODE : VOUCH_EQUIV_DATA);
	fdiff(fc, x->offset, y->offset, "sh_offset", -1, VOUCH_EQUIV_LAYOUT);
	fdiff(fc, x->size, y->size, "sh_size", -1, own);
	fdiff(fc, x->link, y->link, "sh_link", -1, VOUCH_EQUIV_LAYOUT);
	fdiff(fc, x->info, y->info, "sh_info", -1, rel ? VOUCH_EQUIV_LAYOUT : VOUCH_EQUIV_DATA);
	fdiff(fc, x->align, y->align, "sh_addralign", -1, VOUCH_EQUIV_DATA);
	fdiff(fc, x->entsize, y->entsize, "sh_entsize", -1, VOUCH_EQUIV_DATA);
}

/* ---- pairing parts ---------------------------------------------------------------------------- */

typedef struct pref {
	const char *name;
	size_t idx;
} pref;

static int
pref_cmp(const void *x, const void *y)
{
	const pref *a = x, *b = y;
	int d = strcmp(a->name, b->name);
	return d != 0 ? d : (a->idx < b->idx ? -1 : a->idx > b->idx);
}

/* For each part of d, the index of the same-named part of r, or SIZE_MAX (and the reverse). */
static int
pair_parts(cmp *c, size_t *d2r, size_t *r2d)
{
	pref *pd = vouch_arena_alloc(c->tmp, (c->d.nparts + 1) * sizeof(*pd));
	pref *pr = vouch_arena_alloc(c->tmp, (c->r.nparts + 1) * sizeof(*pr));
	size_t i = 0, j = 0;

	if (pd == NULL || pr == NULL) {
		return VOUCH_E_NOMEM;
	}
	for (size_t k = 0; k < c->d.nparts; k++) {
		pd[k] = (pref){c->d.parts[k].name, k};
		d2r[k] = SIZE_MAX;
	}
	for (size_t k = 0; k < c->r.nparts; k++) {
		pr[k] = (pref){c->r.parts[k].name, k};
		r2d[k] = SIZE_MAX;
	}
	qsort(pd, c->d.nparts, sizeof(*pd), pref_cmp);
	qsort(pr, c->r.nparts, sizeof(*pr), pref_cmp);
	while (i < c->d.nparts && j < c->r.nparts) {
		int d = strcmp(pd[i].name, pr[j].name);
		if (d == 0) {
			d2r[pd[i].idx] = pr[j].idx;
			r2d[pr[j].idx] = pd[i].idx;
			i++;
			j++;
		} else if (d < 0) {
			i++;
		} else {
			j++;
		}
	}
	return VOUCH_OK;
}

/* The class of a part present on one side only. */
static vouch_equiv_class
lone_class(const side *s, const part *p)
{
	if (p->fixed >= 0) {
		return (vouch_equiv_class)p->fixed;
	}
	if (p->kind == P_GAP) {
		for (uint64_t i = 0; i < p->size; i++) {
			if (s->p[p->off + i] != 0) {
				return VOUCH_EQUIV_DATA;
			}
		}
		return VOUCH_EQUIV_LAYOUT;
	}
	return p->exec ? VOUCH_EQUIV_CODE : VOUCH_EQUIV_DATA;
}

static int
emit_pair(cmp *c, const part *pd, const part *pr_, vouch_equiv_part *out)
{
	fcmp fc;
	pres pr = {out, NULL, 0, false};

	memset(&fc, 0, sizeof(fc));
	out->name = vouch_arena_strndup(c->out, pd->name, strlen(pd->name));
	if (out->name == NULL) {
		return VOUCH_E_NOMEM;
	}
	out->offset_d = pd->off;
	out->size_d = pd->size;
	out->offset_r = pr_->off;
	out->size_r = pr_->size;
	if (pd->kind == P_HEADER) {
		header_fields(c, &fc);
	} else if (pd->kind == P_PHDRS) {
		phdr_fields(c, &fc);
	} else if (pd->kind == P_SECTION) {
		shdr_fields(pd, &c->d.e.sh[pd->sec], &c->r.e.sh[pr_->sec], &fc);
	} else if (pd->off != pr_->off) {
		fc.classes |= 1u << VOUCH_EQUIV_LAYOUT; /* a gap or the signature moved */
	}
	if (pd->bytes || pr_->bytes) {
		part a = *pd, b = *pr_;
		if (!a.bytes) {
			a.off = 0;
			a.size = 0;
		}
		if (!b.bytes) {
			b.off = 0;
			b.size = 0;
		}
		compare_content(c, &a, &b, &pr);
		if (pr.nomem) {
			return VOUCH_E_NOMEM;
		}
	}
	out->classes |= fc.classes;
	if (fc.f.len > 0) {
		out->fields = vouch_arena_strndup(c->out, fc.f.buf, fc.f.len);
		if (out->fields == NULL) {
			return VOUCH_E_NOMEM;
		}
	}
	if (out->classes == 0) {
		out->status = VOUCH_EQUIV_PART_SAME;
	} else if (out->nranges == 0 && out->ranges_total == 0 &&
		   out->classes == 1u << VOUCH_EQUIV_LAYOUT) {
		out->status = VOUCH_EQUIV_PART_MOVED;
	} else {
		out->status = VOUCH_EQUIV_PART_DIFFERS;
	}
	return VOUCH_OK;
}

static int
emit_lone(cmp *c, const side *s, const part *p, bool delivered, vouch_equiv_part *out)
{
	out->name = vouch_arena_strndup(c->out, p->name, strlen(p->name));
	if (out->name == NULL) {
		return VOUCH_E_NOMEM;
	}
	out->status = delivered ? VOUCH_EQUIV_PART_ONLY_DELIVERED : VOUCH_EQUIV_PART_ONLY_REBUILT;
	out->classes = 1u << lone_class(s, p);
	if (delivered) {
		out->offset_d = p->off;
		out->size_d = p->size;
	} else {
		out->offset_r = p->off;
		out->size_r = p->size;
	}
	out->diff_bytes = p->size;
	return VOUCH_OK;
}

static int
compare_elf(cmp *c, vouch_equiv_file *f)
{
	size_t *d2r, *r2d, n = 0;
	vouch_equiv_part *parts;
	int rc;

	if ((rc = cut(c, &c->d)) != VOUCH_OK || (rc = cut(c, &c->r)) != VOUCH_OK) {
		return rc;
	}
	d2r = vouch_arena_alloc(c->tmp, (c->d.nparts + 1) * sizeof(*d2r));
	r2d = vouch_arena_alloc(c->tmp, (c->r.nparts + 1) * sizeof(*r2d));
	parts = vouch_arena_alloc(c->out, (c->d.nparts + c->r.nparts + 1) * sizeof(*parts));
	if (d2r == NULL || r2d == NULL || parts == NULL) {
		return VOUCH_E_NOMEM;
	}
	if ((rc = pair_parts(c, d2r, r2d)) != VOUCH_OK) {
		return rc;
	}
	for (size_t k = 0; k < c->d.nparts; k++) {
		rc = d2r[k] != SIZE_MAX
			     ? emit_pair(c, &c->d.parts[k], &c->r.parts[d2r[k]], &parts[n])
			     : emit_lone(c, &c->d, &c->d.parts[k], true, &parts[n]);
		if (rc != VOUCH_OK) {
			return rc;
		}
		f->classes |= parts[n].classes;
		n++;
	}
	for (size_t k = 0; k < c->r.nparts; k++) {
		if (r2d[k] == SIZE_MAX) {
			if ((rc = emit_lone(c, &c->r, &c->r.parts[k], false, &parts[n])) != VOUCH_OK) {
				return rc;
			}
			f->classes |= parts[n].classes;
			n++;
		}
	}
	f->parts = parts;
	f->nparts = n;
	f->elf = true;
	return VOUCH_OK;
}

/* ---- the entry point ------------------------------------------------------------------------- */

static void
raw_diff(const uint8_t *a, size_t na, const uint8_t *b, size_t nb, vouch_equiv_file *f)
{
	size_t n = VOUCH_MIN(na, nb), i = next_diff(a, b, n, 0);
	uint64_t count = na > nb ? na - nb : nb - na;

	f->first_diff = i < n ? i : n;
	while (i < n) {
		size_t e = run_end(a, b, n, i);
		count += e - i;
		i = next_diff(a, b, n, e);
	}
	f->diff_bytes = count;
}

/* RFC 1952: ID1 ID2 CM FLG MTIME(4) XFL OS; only MTIME differs. */
static bool
gzip_mtime_only(const uint8_t *a, size_t na, const uint8_t *b, size_t nb)
{
	if (na != nb || na < 18 || a[0] != 0x1f || a[1] != 0x8b || a[2] != 8 || b[0] != 0x1f ||
	    b[1] != 0x8b || b[2] != 8) {
		return false;
	}
	return memcmp(a, b, 4) == 0 && memcmp(a + 8, b + 8, na - 8) == 0;
}

int
vouch_equiv_compare_bytes(vouch_arena *a, uint32_t max_ranges, const uint8_t *pd, size_t nd,
			  const uint8_t *pr, size_t nr, vouch_equiv_file *f)
{
	cmp c;
	int rc = VOUCH_OK;

	memset(&c, 0, sizeof(c));
	c.out = a;
	c.max_ranges = max_ranges > 0 ? max_ranges : VOUCH_EQUIV_MAX_RANGES;
	f->classes = 0;
	f->parts = NULL;
	f->nparts = 0;
	f->elf = false;
	raw_diff(pd, nd, pr, nr, f);
	if (f->diff_bytes == 0) {
		f->verdict = VOUCH_EQUIV_IDENTICAL; /* equal bytes after all (digests not given) */
		return VOUCH_OK;
	}
	if (nd >= 4 && nr >= 4 && memcmp(pd, "\x7f" "ELF", 4) == 0 &&
	    memcmp(pr, "\x7f" "ELF", 4) == 0) {
		c.sc = malloc(sizeof(*c.sc));
		if (c.sc == NULL || (rc = vouch_arena_new(&c.tmp, VOUCH_EQUIV_ARENA_BUDGET)) != 0) {
			rc = VOUCH_E_NOMEM;
			goto out;
		}
		c.d.p = pd;
		c.d.n = nd;
		c.r.p = pr;
		c.r.n = nr;
		int ra = vouch_elfp_parse(c.tmp, pd, nd, &c.d.e);
		int rb = vouch_elfp_parse(c.tmp, pr, nr, &c.r.e);
		if (ra == VOUCH_E_NOMEM || rb == VOUCH_E_NOMEM) {
			rc = VOUCH_E_NOMEM;
			goto out;
		}
		if (ra == VOUCH_OK && rb == VOUCH_OK && c.d.e.header_ok && c.r.e.header_ok &&
		    c.d.e.is64 == c.r.e.is64 && c.d.e.be == c.r.e.be) {
			rc = compare_elf(&c, f);
			if (rc != VOUCH_OK) {
				goto out;
			}
			if (f->classes == 0) {
				/* bytes differ where no part looks (padding of a larger shentsize) */
				f->classes = 1u << VOUCH_EQUIV_DATA;
				f->note = "differences outside the ELF parts compared";
			}
		} else {
			f->note = "an ELF file that could not be compared part by part (class, byte "
				  "order or header differ, or a header is truncated)";
		}
	}
	if (!f->elf && f->classes == 0) {
		f->classes = gzip_mtime_only(pd, nd, pr, nr) ? 1u << VOUCH_EQUIV_TIMESTAMP
							      : 1u << VOUCH_EQUIV_DATA;
	}
	f->verdict = (f->classes & ~VOUCH_EQUIV_BENIGN) == 0 ? VOUCH_EQUIV_EQUIVALENT
							     : VOUCH_EQUIV_DIFFERENT;
out:
	vouch_arena_free(c.tmp);
	free(c.sc);
	return rc;
}
