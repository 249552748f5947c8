/*
 * tests/unit/test_elfparse.c: vouch_elf_analyze() on ELF images built here byte by byte, in
 * all four combinations of class (32/64) and byte order (little/big), with and without
 * section headers, and on truncated, lying and bit-flipped versions of them.
 *
 * The images are written from the ELF specification (gABI: header, program and section
 * header layouts per class, Elf32_Sym/Elf64_Sym field order, DT_HASH), not from any tool's
 * output, so the expected facts are the ones the builder put in: an executable PIE
 * (DF_1_PIE) with PT_INTERP, DT_NEEDED libc.so.6, DT_RUNPATH, BIND_NOW + PT_GNU_RELRO, a
 * non-executable PT_GNU_STACK, imports __stack_chk_fail, __memcpy_chk, memcpy, strcpy and
 * system, a defined "main", .comment strings (one repeated) and a GNU build-id; and a kernel
 * module (ET_REL with .modinfo). Real files are compared with checksec, hardening-check and
 * readelf in tests/e2e/test_hardening.sh.
 *
 * Hostile input: every prefix of each image must be analysed without a crash (ASan/UBSan
 * builds check the reads), and lying counts and sizes must be bounded with a note.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "inventory/elfparse.h"
#include "vouch/elf.h"

#define IMG 0x800
#define BASE 0x400000u /* the PT_LOAD's address: file offset + BASE */

/* layout (file offsets) */
enum {
	O_PH = 0x40, O_INTERP = 0x200, O_DYNSTR = 0x240, O_DYNSYM = 0x300, O_HASH = 0x3c0,
	O_DYN = 0x400, O_COMMENT = 0x500, O_NOTE = 0x540, O_SHSTR = 0x560, O_MODINFO = 0x5a0,
	O_SH = 0x600,
};

typedef struct img {
	uint8_t b[IMG];
	bool is64, be;
	size_t ndyn, nsh;
	uint32_t str[8]; /* dynstr offsets: libc, runpath, then one per symbol name */
} img;

static const char *const sym_names[] = {"__stack_chk_fail", "__memcpy_chk", "memcpy",
					 "strcpy", "system", "main"};
#define NSYM (VOUCH_ARRAY_LEN(sym_names) + 1) /* with the null symbol */

static void
put(img *m, size_t off, uint64_t v, int width)
{
	for (int i = 0; i < width; i++) {
		int shift = m->be ? 8 * (width - 1 - i) : 8 * i;
		m->b[off + (size_t)i] = (uint8_t)(v >> shift);
	}
}

/* an address, offset or size: class width */
static void
put_word(img *m, size_t off, uint64_t v)
{
	put(m, off, v, m->is64 ? 8 : 4);
}

static size_t
ph_size(const img *m)
{
	return m->is64 ? 56 : 32;
}

static void
phdr(img *m, size_t i, uint32_t type, uint32_t flags, uint64_t off, uint64_t size)
{
	size_t o = O_PH + i * ph_size(m);
	uint64_t va = off + BASE;

	put(m, o, type, 4);
	if (m->is64) {
		put(m, o + 4, flags, 4);
		put_word(m, o + 8, off);
		put_word(m, o + 16, va);
		put_word(m, o + 24, va);
		put_word(m, o + 32, size);
		put_word(m, o + 40, size);
		put_word(m, o + 48, 8);
	} else {
		put_word(m, o + 4, off);
		put_word(m, o + 8, va);
		put_word(m, o + 12, va);
		put_word(m, o + 16, size);
		put_word(m, o + 20, size);
		put(m, o + 24, flags, 4);
		put_word(m, o + 28, 4);
	}
}

static void
dyn(img *m, uint64_t tag, uint64_t val)
{
	size_t e = m->is64 ? 16 : 8;

	put_word(m, O_DYN + m->ndyn * e, tag);
	put_word(m, O_DYN + m->ndyn * e + e / 2, val);
	m->ndyn++;
}

static void
sym(img *m, size_t i, uint32_t name, uint8_t info, uint16_t shndx, uint64_t value)
{
	size_t o = O_DYNSYM + i * (m->is64 ? 24 : 16);

	put(m, o, name, 4);
	if (m->is64) {
		m->b[o + 4] = info;
		put(m, o + 6, shndx, 2);
		put_word(m, o + 8, value);
	} else {
		put_word(m, o + 4, value);
		m->b[o + 12] = info;
		put(m, o + 14, shndx, 2);
	}
}

static void
shdr(img *m, uint32_t name, uint32_t type, uint64_t off, uint64_t size, uint32_t link,
     uint64_t entsize)
{
	size_t e = m->is64 ? 64 : 40, o = O_SH + m->nsh * e, w = m->is64 ? 8 : 4;

	put(m, o, name, 4);
	put(m, o + 4, type, 4);
	put_word(m, o + 8, 2);                         /* flags: SHF_ALLOC */
	put_word(m, o + 8 + w, off == 0 ? 0 : off + BASE); /* addr */
	put_word(m, o + 8 + 2 * w, off);
	put_word(m, o + 8 + 3 * w, size);
	put(m, o + 8 + 4 * w, link, 4);
	put(m, o + 12 + 4 * w, 0, 4);
	put_word(m, o + 16 + 4 * w, 4);                /* align */
	put_word(m, o + 16 + 5 * w, entsize);
	m->nsh++;
}

static size_t
add_str(img *m, size_t base, size_t *pos, const char *s)
{
	size_t at = *pos;

	memcpy(m->b + base + at, s, strlen(s) + 1);
	*pos += strlen(s) + 1;
	return at;
}

/* The PIE described in the design comment. with_sections adds section headers. */
static void
build_pie(img *m, bool is64, bool be, bool with_sections)
{
	size_t pos = 1, sp = 1, nsyms = NSYM;
	size_t ehs = is64 ? 64 : 52, w = is64 ? 8 : 4;
	uint32_t nm[8];

	memset(m, 0, sizeof(*m));
	m->is64 = is64;
	m->be = be;
	/* strings */
	m->str[0] = (uint32_t)add_str(m, O_DYNSTR, &pos, "libc.so.6");
	m->str[1] = (uint32_t)add_str(m, O_DYNSTR, &pos, "/opt/lib:$ORIGIN");
	for (size_t i = 0; i < VOUCH_ARRAY_LEN(sym_names); i++) {
		m->str[2 + i] = (uint32_t)add_str(m, O_DYNSTR, &pos, sym_names[i]);
	}
	memcpy(m->b + O_INTERP, "/lib/ld-musl-mipsel.so.1", 25);
	/* symbols: five imports (FUNC, undefined), one defined function */
	for (size_t i = 0; i < 5; i++) {
		sym(m, i + 1, m->str[2 + i], (1 << 4) | VOUCH_STT_FUNC, 0, 0);
	}
	sym(m, 6, m->str[7], (1 << 4) | VOUCH_STT_FUNC, 1, BASE + 0x100);
	/* DT_HASH: nbucket 1, nchain = number of symbols */
	put(m, O_HASH, 1, 4);
	put(m, O_HASH + 4, nsyms, 4);
	/* dynamic */
	dyn(m, 1, m->str[0]);                     /* DT_NEEDED */
	dyn(m, 29, m->str[1]);                    /* DT_RUNPATH */
	dyn(m, 5, BASE + O_DYNSTR);               /* DT_STRTAB */
	dyn(m, 10, pos);                          /* DT_STRSZ */
	dyn(m, 6, BASE + O_DYNSYM);               /* DT_SYMTAB */
	dyn(m, 11, is64 ? 24 : 16);               /* DT_SYMENT */
	dyn(m, 4, BASE + O_HASH);                 /* DT_HASH */
	dyn(m, 30, VOUCH_DF_BIND_NOW);            /* DT_FLAGS */
	dyn(m, 0x6ffffffb, VOUCH_DF_1_PIE | VOUCH_DF_1_NOW); /* DT_FLAGS_1 */
	dyn(m, 0, 0);                             /* DT_NULL */
	/* .comment: a repeated string is reported once */
	memcpy(m->b + O_COMMENT, "GCC: (vouch) 12.2\0GCC: (vouch) 12.2\0clang 14.0.6\0", 49);
	/* build-id note */
	put(m, O_NOTE, 4, 4);
	put(m, O_NOTE + 4, 8, 4);
	put(m, O_NOTE + 8, VOUCH_NT_GNU_BUILD_ID, 4);
	memcpy(m->b + O_NOTE + 12, "GNU", 4);
	memcpy(m->b + O_NOTE + 16, "\x01\x23\x45\x67\x89\xab\xcd\xef", 8);
	/* program headers */
	phdr(m, 0, VOUCH_PT_LOAD, 5, 0, IMG);
	phdr(m, 1, VOUCH_PT_INTERP, 4, O_INTERP, 25);
	phdr(m, 2, VOUCH_PT_DYNAMIC, 6, O_DYN, m->ndyn * (is64 ? 16 : 8));
	phdr(m, 3, VOUCH_PT_GNU_STACK, 6, 0, 0);
	phdr(m, 4, VOUCH_PT_GNU_RELRO, 4, O_DYN, 0x100);
	phdr(m, 5, VOUCH_PT_NOTE, 4, O_NOTE, 24);
	/* section headers */
	if (with_sections) {
		nm[0] = (uint32_t)add_str(m, O_SHSTR, &sp, ".dynstr");
		nm[1] = (uint32_t)add_str(m, O_SHSTR, &sp, ".dynsym");
		nm[2] = (uint32_t)add_str(m, O_SHSTR, &sp, ".dynamic");
		nm[3] = (uint32_t)add_str(m, O_SHSTR, &sp, ".comment");
		nm[4] = (uint32_t)add_str(m, O_SHSTR, &sp, ".note.gnu.build-id");
		nm[5] = (uint32_t)add_str(m, O_SHSTR, &sp, ".shstrtab");
		shdr(m, 0, 0, 0, 0, 0, 0);
		shdr(m, nm[0], VOUCH_SHT_STRTAB, O_DYNSTR, pos, 0, 0);
		shdr(m, nm[1], VOUCH_SHT_DYNSYM, O_DYNSYM, nsyms * (is64 ? 24 : 16), 1,
		     is64 ? 24 : 16);
		shdr(m, nm[2], VOUCH_SHT_DYNAMIC, O_DYN, m->ndyn * (is64 ? 16 : 8), 1,
		     is64 ? 16 : 8);
		shdr(m, nm[3], VOUCH_SHT_PROGBITS, O_COMMENT, 49, 0, 1);
		shdr(m, nm[4], VOUCH_SHT_NOTE, O_NOTE, 24, 0, 0);
		shdr(m, nm[5], VOUCH_SHT_STRTAB, O_SHSTR, sp, 0, 0);
	}
	/* header */
	memcpy(m->b, "\x7f" "ELF", 4);
	m->b[4] = is64 ? 2 : 1;
	m->b[5] = be ? 2 : 1;
	m->b[6] = 1;
	put(m, 16, VOUCH_ET_DYN, 2);
	put(m, 18, is64 ? 183 : 8, 2); /* aarch64 / mips */
	put(m, 20, 1, 4);
	put_word(m, 24, BASE + 0x100);     /* entry */
	put_word(m, 24 + w, O_PH);         /* phoff */
	put_word(m, 24 + 2 * w, with_sections ? O_SH : 0); /* shoff */
	put(m, 24 + 3 * w + 4, ehs, 2);
	put(m, 24 + 3 * w + 6, ph_size(m), 2);
	put(m, 24 + 3 * w + 8, 6, 2);  /* phnum */
	put(m, 24 + 3 * w + 10, is64 ? 64 : 40, 2);
	put(m, 24 + 3 * w + 12, m->nsh, 2);
	put(m, 24 + 3 * w + 14, with_sections ? 6 : 0, 2);
}

/* A kernel module: ET_REL, sections only, with .modinfo and .comment. */
static void
build_kmod(img *m, bool is64, bool be)
{
	static const char mi[] = "license=GPL\0vermagic=5.10.0-21-mips SMP mod_unload \0"
				 "alias=usb:v1234p*\0depends=\0name=vouchtest\0";
	size_t sp = 1, w = is64 ? 8 : 4;
	uint32_t nm[3];

	memset(m, 0, sizeof(*m));
	m->is64 = is64;
	m->be = be;
	memcpy(m->b + O_MODINFO, mi, sizeof(mi));
	memcpy(m->b + O_COMMENT, "GCC: (vouch) 12.2\0", 18);
	nm[0] = (uint32_t)add_str(m, O_SHSTR, &sp, ".modinfo");
	nm[1] = (uint32_t)add_str(m, O_SHSTR, &sp, ".comment");
	nm[2] = (uint32_t)add_str(m, O_SHSTR, &sp, ".shstrtab");
	shdr(m, 0, 0, 0, 0, 0, 0);
	shdr(m, nm[0], VOUCH_SHT_PROGBITS, O_MODINFO, sizeof(mi), 0, 0);
	shdr(m, nm[1], VOUCH_SHT_PROGBITS, O_COMMENT, 18, 0, 1);
	shdr(m, nm[2], VOUCH_SHT_STRTAB, O_SHSTR, sp, 0, 0);
	memcpy(m->b, "\x7f" "ELF", 4);
	m->b[4] = is64 ? 2 : 1;
	m->b[5] = be ? 2 : 1;
	m->b[6] = 1;
	put(m, 16, VOUCH_ET_REL, 2);
	put(m, 18, 8, 2);
	put(m, 20, 1, 4);
	put_word(m, 24 + 2 * w, O_SH);
	put(m, 24 + 3 * w + 4, is64 ? 64 : 52, 2);
	put(m, 24 + 3 * w + 10, is64 ? 64 : 40, 2);
	put(m, 24 + 3 * w + 12, m->nsh, 2);
	put(m, 24 + 3 * w + 14, 3, 2);
}

/* With VOUCH_ELF_SEED_DIR set, the images are also written there: they are the hand-built
 * part of the fuzz seed corpus (fuzz/corpus/elf, see its README). */
static void
dump_seed(const img *m, const char *name)
{
	const char *dir = getenv("VOUCH_ELF_SEED_DIR");
	char path[4096];
	FILE *f;

	if (dir == NULL || snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path)) {
		return;
	}
	f = fopen(path, "wb");
	if (f != NULL) {
		fwrite(m->b, 1, IMG, f);
		fclose(f);
	}
}

static bool
has_str(const char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(v[i], s) == 0) {
			return true;
		}
	}
	return false;
}

static void
check_pie_facts(const vouch_elf_report *r, bool is64, bool be, vouch_elf_source src)
{
	assert_int_equal(r->cls, is64 ? 64 : 32);
	assert_int_equal(r->endian, be ? 2 : 1);
	assert_int_equal(r->machine, is64 ? 183 : 8);
	assert_int_equal(r->kind, VOUCH_ELF_KIND_PIE);
	assert_true(r->pie);
	assert_false(r->is_static);
	assert_string_equal(r->interp, "/lib/ld-musl-mipsel.so.1");
	assert_null(r->soname);
	assert_int_equal(r->n_needed, 1);
	assert_string_equal(r->needed[0], "libc.so.6");
	assert_null(r->rpath);
	assert_string_equal(r->runpath, "/opt/lib:$ORIGIN");
	assert_string_equal(r->build_id, "0123456789abcdef");
	assert_true(r->nx);
	assert_int_equal(r->stack, VOUCH_ELF_STACK_NOEXEC);
	assert_int_equal(r->relro, VOUCH_ELF_RELRO_FULL);
	assert_true(r->bind_now);
	assert_true(r->canary);
	assert_true(r->fortify_source);
	/* __memcpy_chk fortified; memcpy and strcpy plain: 1 + 2 */
	assert_int_equal(r->fortified, 1);
	assert_int_equal(r->fortifiable, 3);
	assert_int_equal(r->n_imports, 5);
	assert_int_equal(r->n_dangerous, 2);
	assert_true(has_str(r->dangerous, r->n_dangerous, "strcpy"));
	assert_true(has_str(r->dangerous, r->n_dangerous, "system"));
	assert_true(r->stripped);
	assert_int_equal(r->dynamic_from, src);
	assert_int_equal(r->symbols_from, src);
}

static void
test_pie_all_classes(void **state)
{
	(void)state;
	for (int c = 0; c < 8; c++) {
		bool is64 = c & 1, be = c & 2, secs = c & 4;
		img m;
		vouch_elf_report *r = NULL;

		char name[32];

		build_pie(&m, is64, be, secs);
		snprintf(name, sizeof(name), "unit-pie-%d%s%s", is64 ? 64 : 32, be ? "be" : "le",
			 secs ? "-sections" : "");
		dump_seed(&m, name);
		assert_int_equal(vouch_elf_analyze(m.b, IMG, &r), VOUCH_OK);
		check_pie_facts(r, is64, be, secs ? VOUCH_ELF_SRC_SECTIONS : VOUCH_ELF_SRC_SEGMENTS);
		if (secs) {
			assert_int_equal(r->n_comments, 2);
			assert_string_equal(r->comments[0], "GCC: (vouch) 12.2");
			assert_string_equal(r->comments[1], "clang 14.0.6");
		} else {
			assert_int_equal(r->n_comments, 0);
		}
		assert_int_equal(r->n_notes, 0);
		vouch_elf_report_free(r);
	}
}

static void
test_kmod(void **state)
{
	(void)state;
	for (int c = 0; c < 4; c++) {
		img m;
		vouch_elf_report *r = NULL;

		char name[32];

		build_kmod(&m, c & 1, c & 2);
		snprintf(name, sizeof(name), "unit-kmod-%d%s", c & 1 ? 64 : 32, c & 2 ? "be" : "le");
		dump_seed(&m, name);
		assert_int_equal(vouch_elf_analyze(m.b, IMG, &r), VOUCH_OK);
		assert_int_equal(r->kind, VOUCH_ELF_KIND_KMOD);
		assert_false(r->pie);
		assert_string_equal(r->vermagic, "5.10.0-21-mips SMP mod_unload ");
		assert_int_equal(r->n_modinfo, 5);
		assert_string_equal(r->modinfo[0].key, "license");
		assert_string_equal(r->modinfo[0].value, "GPL");
		assert_string_equal(r->modinfo[2].key, "alias");
		assert_string_equal(r->modinfo[2].value, "usb:v1234p*");
		assert_string_equal(r->modinfo[3].key, "depends");
		assert_string_equal(r->modinfo[3].value, "");
		assert_int_equal(r->n_comments, 1);
		assert_int_equal(r->relro, VOUCH_ELF_RELRO_NONE);
		assert_int_equal(r->stack, VOUCH_ELF_STACK_ABSENT);
		assert_int_equal(r->dynamic_from, VOUCH_ELF_SRC_NONE);
		vouch_elf_report_free(r);
	}
}

static void
test_not_elf(void **state)
{
	static const uint8_t junk[] = "\x7f" "ELG\x01\x01\x01";
	vouch_elf_report *r = (vouch_elf_report *)(uintptr_t)0x1;
	img m;

	(void)state;
	assert_int_equal(vouch_elf_analyze(junk, sizeof(junk), &r), VOUCH_E_MALFORMED);
	assert_ptr_equal(r, (vouch_elf_report *)(uintptr_t)0x1); /* untouched on failure */
	build_pie(&m, true, false, false);
	m.b[4] = 3; /* bad class */
	assert_int_equal(vouch_elf_analyze(m.b, IMG, &r), VOUCH_E_MALFORMED);
	assert_int_equal(vouch_elf_analyze(NULL, 0, &r), VOUCH_E_MALFORMED);
	assert_int_equal(vouch_elf_analyze(m.b, IMG, NULL), VOUCH_E_USAGE);
	vouch_elf_report_free(NULL);
}

/* Every prefix of every image: no crash; below 16 bytes not ELF, from 16 a report. */
static void
test_every_prefix(void **state)
{
	(void)state;
	for (int c = 0; c < 12; c++) {
		img m;

		if (c < 8) {
			build_pie(&m, c & 1, c & 2, c & 4);
		} else {
			build_kmod(&m, c & 1, c & 2);
		}
		for (size_t n = 0; n <= IMG; n++) {
			vouch_elf_report *r = NULL;
			int rc = vouch_elf_analyze(m.b, n, &r);

			if (n < 16) {
				assert_int_equal(rc, VOUCH_E_MALFORMED);
				continue;
			}
			assert_int_equal(rc, VOUCH_OK);
			if (n < (c & 1 ? 64u : 52u)) {
				assert_int_equal(r->kind, VOUCH_ELF_KIND_UNKNOWN);
				assert_true(r->n_notes > 0);
			}
			vouch_elf_report_free(r);
		}
	}
}

static bool
note_has(const vouch_elf_report *r, const char *needle)
{
	for (size_t i = 0; i < r->n_notes; i++) {
		if (strstr(r->notes[i], needle) != NULL) {
			return true;
		}
	}
	return false;
}

static void
test_lying_tables(void **state)
{
	(void)state;
	for (int c = 0; c < 4; c++) {
		bool is64 = c & 1, be = c & 2;
		size_t w = is64 ? 8 : 4;
		vouch_elf_report *r = NULL;
		img m;

		/* 65535 program headers claimed: only what fits in the file is read */
		build_pie(&m, is64, be, false);
		put(&m, 24 + 3 * w + 8, 0xffff, 2);
		assert_int_equal(vouch_elf_analyze(m.b, IMG, &r), VOUCH_OK);
		assert_true(note_has(r, "program header table"));
		vouch_elf_report_free(r);

		/* 65535 sections claimed at the end of the file */
		build_pie(&m, is64, be, true);
		put(&m, 24 + 3 * w + 12, 0xffff, 2);
		assert_int_equal(vouch_elf_analyze(m.b, IMG, &r), VOUCH_OK);
		assert_true(note_has(r, "section header table"));
		check_pie_facts(r, is64, be, VOUCH_ELF_SRC_SECTIONS);
		vouch_elf_report_free(r);

		/* DT_HASH claims 2^32-1 symbols: bounded by the segment, noted */
		build_pie(&m, is64, be, false);
		put(&m, O_HASH + 4, 0xffffffffu, 4);
		assert_int_equal(vouch_elf_analyze(m.b, IMG, &r), VOUCH_OK);
		assert_true(note_has(r, "dynamic symbols claimed"));
		assert_true(r->canary);
		vouch_elf_report_free(r);

		/* DT_STRSZ far beyond the segment: cut, the strings still read */
		build_pie(&m, is64, be, false);
		put_word(&m, O_DYN + 3 * 2 * w + w, 0x7fffffffu);
		assert_int_equal(vouch_elf_analyze(m.b, IMG, &r), VOUCH_OK);
		assert_true(note_has(r, "DT_STRSZ"));
		assert_string_equal(r->needed[0], "libc.so.6");
		vouch_elf_report_free(r);

		/* a DT_NEEDED string offset outside the string table */
		build_pie(&m, is64, be, false);
		put_word(&m, O_DYN + w, 0x10000);
		assert_int_equal(vouch_elf_analyze(m.b, IMG, &r), VOUCH_OK);
		assert_int_equal(r->n_needed, 0);
		assert_true(note_has(r, "DT_NEEDED"));
		vouch_elf_report_free(r);

		/* decoy section headers: .dynamic placed elsewhere than PT_DYNAMIC */
		build_pie(&m, is64, be, true);
		put_word(&m, O_SH + 3 * (is64 ? 64 : 40) + 8 + 2 * w, O_COMMENT);
		assert_int_equal(vouch_elf_analyze(m.b, IMG, &r), VOUCH_OK);
		assert_true(note_has(r, "using PT_DYNAMIC"));
		assert_int_equal(r->dynamic_from, VOUCH_ELF_SRC_SEGMENTS);
		assert_string_equal(r->needed[0], "libc.so.6");
		vouch_elf_report_free(r);

		/* an executable stack, and no PT_GNU_RELRO, no BIND_NOW */
		build_pie(&m, is64, be, false);
		phdr(&m, 3, VOUCH_PT_GNU_STACK, 7, 0, 0);
		phdr(&m, 4, 0, 0, 0, 0);
		put_word(&m, O_DYN + 7 * 2 * w + w, 0);
		put_word(&m, O_DYN + 8 * 2 * w + w, VOUCH_DF_1_PIE);
		assert_int_equal(vouch_elf_analyze(m.b, IMG, &r), VOUCH_OK);
		assert_false(r->nx);
		assert_int_equal(r->stack, VOUCH_ELF_STACK_EXEC);
		assert_int_equal(r->relro, VOUCH_ELF_RELRO_NONE);
		assert_false(r->bind_now);
		vouch_elf_report_free(r);
	}
}

/*
 * Work bounded by the limits, not by the product of two sizes: 40000 symbols all naming one
 * 1 MiB string that never ends, and a .comment of 262144 copies of one string. Each symbol
 * lookup may scan only NAME_SCAN bytes and the .comment check stops after DEDUP_SCAN strings,
 * so this takes milliseconds (without the bounds: 40000 x 1 MiB of memchr, minutes).
 */
static void
test_quadratic_inputs(void **state)
{
	enum { STR = 0x1000, STRSZ = 0x100000, SYM = STR + STRSZ, NS = 40000,
	       COM = SYM + NS * 24, COMSZ = 0x80000, SH = COM + COMSZ, TOTAL = SH + 5 * 64 };
	uint8_t *b = calloc(1, TOTAL);
	static const char shstr[] = "\0.dynstr\0.dynsym\0.comment\0.shstrtab";
	vouch_elf_report *r = NULL;
	img h; /* only for its put() byte order: little-endian */

	(void)state;
	assert_non_null(b);
	memset(&h, 0, sizeof(h));
	h.is64 = true;
	memcpy(b, "\x7f" "ELF\x02\x01\x01", 7);
	b[16] = VOUCH_ET_DYN;
	b[18] = 62;
	b[20] = 1;
	for (int i = 0; i < 8; i++) {
		b[0x28 + i] = (uint8_t)((uint64_t)SH >> (8 * i)); /* e_shoff */
	}
	b[0x3a] = 64; /* e_shentsize */
	b[0x3c] = 5;  /* e_shnum */
	b[0x3e] = 4;  /* e_shstrndx */
	memset(b + STR + 1, 'A', STRSZ - 1);
	for (size_t i = 1; i < NS; i++) {
		b[SYM + i * 24] = 1;                    /* st_name: the endless string */
		b[SYM + i * 24 + 4] = (1 << 4) | VOUCH_STT_FUNC;
	}
	for (size_t i = 0; i < COMSZ; i += 2) {
		b[COM + i] = 'x';
	}
	memcpy(b + SH - 64, shstr, sizeof(shstr)); /* the name table sits just before */
	const struct { uint32_t name, type, link; uint64_t off, size; } sec[5] = {
		{0, 0, 0, 0, 0},
		{1, VOUCH_SHT_STRTAB, 0, STR, STRSZ},
		{9, VOUCH_SHT_DYNSYM, 1, SYM, (uint64_t)NS * 24},
		{17, VOUCH_SHT_PROGBITS, 0, COM, COMSZ},
		{26, VOUCH_SHT_STRTAB, 0, SH - 64, sizeof(shstr)},
	};
	for (size_t i = 0; i < 5; i++) {
		uint8_t *o = b + SH + i * 64;
		for (int k = 0; k < 4; k++) {
			o[k] = (uint8_t)(sec[i].name >> (8 * k));
			o[4 + k] = (uint8_t)(sec[i].type >> (8 * k));
			o[40 + k] = (uint8_t)(sec[i].link >> (8 * k));
		}
		for (int k = 0; k < 8; k++) {
			o[24 + k] = (uint8_t)(sec[i].off >> (8 * k));
			o[32 + k] = (uint8_t)(sec[i].size >> (8 * k));
		}
		o[56] = i == 2 ? 24 : 0; /* sh_entsize */
	}
	assert_int_equal(vouch_elf_analyze(b, TOTAL, &r), VOUCH_OK);
	assert_int_equal(r->symbols_from, VOUCH_ELF_SRC_SECTIONS);
	assert_int_equal(r->n_imports, NS - 1);
	assert_false(r->canary);
	assert_int_equal(r->fortifiable, 0);
	assert_int_equal(r->n_comments, 1);
	assert_string_equal(r->comments[0], "x");
	assert_true(note_has(r, ".comment: more than"));
	vouch_elf_report_free(r);
	free(b);
}

/* Deterministic random byte changes: never a crash, never a leak (the sanitizers watch). */
static void
test_mutations(void **state)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL;

	(void)state;
	for (int it = 0; it < 6000; it++) {
		img m;
		vouch_elf_report *r = NULL;
		int flips;

		if (it % 3 == 2) {
			build_kmod(&m, it & 1, it & 2);
		} else {
			build_pie(&m, it & 1, it & 2, it & 4);
		}
		flips = 1 + it % 8;
		for (int k = 0; k < flips; k++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			m.b[16 + (x >> 8) % (IMG - 16)] = (uint8_t)x;
		}
		if (vouch_elf_analyze(m.b, IMG, &r) == VOUCH_OK) {
			assert_non_null(r);
			assert_true(r->n_notes <= VOUCH_ELFP_MAX_NOTES);
			vouch_elf_report_free(r);
		}
	}
}

static void
test_tables(void **state)
{
	(void)state;
	assert_non_null(vouch_elf_dangerous_why("system"));
	assert_non_null(vouch_elf_dangerous_why("gets"));
	assert_non_null(vouch_elf_dangerous_why("wcscpy"));
	assert_null(vouch_elf_dangerous_why("strncpy"));
	assert_null(vouch_elf_dangerous_why(""));
	assert_null(vouch_elf_dangerous_why(NULL));
	assert_string_equal(vouch_elf_kind_str(VOUCH_ELF_KIND_KMOD), "kmod");
	assert_string_equal(vouch_elf_relro_str(VOUCH_ELF_RELRO_PARTIAL), "partial");
	assert_string_equal(vouch_elf_source_str(VOUCH_ELF_SRC_SEGMENTS), "segments");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pie_all_classes),
		cmocka_unit_test(test_kmod),
		cmocka_unit_test(test_not_elf),
		cmocka_unit_test(test_every_prefix),
		cmocka_unit_test(test_lying_tables),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_quadratic_inputs),
		cmocka_unit_test(test_tables),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
