/*
 * inventory/elfparse.h: the ELF reader under vouch_elf_analyze() (internal).
 *
 * vouch_elfp_parse() reads a whole in-memory ELF file of any class, byte order and machine
 * into `vouch_elfp`: header, program headers, section headers, the dynamic table and its
 * strings, the dynamic symbols (names borrowed from the input), the presence and canary
 * symbols of .symtab, the GNU build-id note, .comment and .modinfo strings, PT_INTERP.
 * Every read goes through vouch_rd; offsets are 64-bit and combined with checked helpers.
 *
 * Where facts come from: section headers when present and consistent; otherwise the
 * program headers (PT_DYNAMIC, and DT_STRTAB / DT_SYMTAB / DT_HASH / DT_GNU_HASH /
 * DT_MIPS_SYMTABNO mapped from addresses to file offsets through PT_LOAD). When both exist
 * and disagree about where the dynamic table is, the program headers win: they are what the
 * loader uses, and a hardening verdict must describe what runs. Each choice that is not the
 * obvious one leaves a note.
 *
 * The limits below bound work and memory whatever the headers claim. They are local, not in
 * vouch/limits.h, because they bound one file already held in memory (whose size the scan
 * limits already bound) and no real file comes near them: they exist so that a lying count
 * cannot turn one file into minutes of work or an arena-budget failure.
 */
#ifndef VOUCH_INVENTORY_ELFPARSE_H
#define VOUCH_INVENTORY_ELFPARSE_H

#include "base/base.h"
#include "vouch/elf.h"

/* Program headers read: real files have < 20; Linux's loader refuses more than 64 KiB. */
#define VOUCH_ELFP_MAX_PHDRS 4096u
/* Section headers read: linkers emit < 100, -ffunction-sections objects a few 10^4;
 * extended numbering could claim 2^32. */
#define VOUCH_ELFP_MAX_SHDRS 65536u
/* Dynamic entries read: real tables have < 100. */
#define VOUCH_ELFP_MAX_DYN 16384u
/* DT_NEEDED kept: real programs need < 100 libraries. */
#define VOUCH_ELFP_MAX_NEEDED 1024u
/* Dynamic symbols read: the largest real libraries (libLLVM) export ~10^5. */
#define VOUCH_ELFP_MAX_DYNSYMS (1u << 20)
/* Static symbols scanned for the canary symbols: a vmlinux has ~10^5. */
#define VOUCH_ELFP_MAX_SYMTAB (1u << 21)
/* GNU hash buckets walked to count dynamic symbols (each bucket's chain is bounded by
 * VOUCH_ELFP_MAX_DYNSYMS too). */
#define VOUCH_ELFP_MAX_BUCKETS (1u << 20)
/* Bytes kept of one string (path, SONAME, comment, modinfo value): longer ones are cut. */
#define VOUCH_ELFP_MAX_STR 4096u
/* Distinct .comment strings kept: a linked program has a handful. */
#define VOUCH_ELFP_MAX_COMMENTS 64u
/* .modinfo entries kept: real modules have < 200 (aliases). */
#define VOUCH_ELFP_MAX_MODINFO 1024u
/* Notes (problems) recorded per file; the rest are counted in a last note. */
#define VOUCH_ELFP_MAX_NOTES 32u
/* Note records walked in one PT_NOTE/SHT_NOTE: real ones have < 10. */
#define VOUCH_ELFP_MAX_NOTE_RECORDS 256u
/* Memory for one file's report: tables above at their limits fit with room to spare. */
#define VOUCH_ELFP_ARENA_BUDGET (64u << 20)

/* ELF constants we use (gABI; the processor-specific ones say whose they are). */
enum {
	VOUCH_ET_REL = 1, VOUCH_ET_EXEC = 2, VOUCH_ET_DYN = 3, VOUCH_ET_CORE = 4,
	VOUCH_PT_LOAD = 1, VOUCH_PT_DYNAMIC = 2, VOUCH_PT_INTERP = 3, VOUCH_PT_NOTE = 4,
	VOUCH_PT_PHDR = 6,
	VOUCH_PF_X = 1,
	VOUCH_SHT_PROGBITS = 1, VOUCH_SHT_SYMTAB = 2, VOUCH_SHT_STRTAB = 3,
	VOUCH_SHT_DYNAMIC = 6, VOUCH_SHT_NOTE = 7, VOUCH_SHT_NOBITS = 8, VOUCH_SHT_DYNSYM = 11,
	VOUCH_STT_NOTYPE = 0, VOUCH_STT_OBJECT = 1, VOUCH_STT_FUNC = 2, VOUCH_STT_GNU_IFUNC = 10,
	VOUCH_DF_TEXTREL = 0x4, VOUCH_DF_BIND_NOW = 0x8,
	VOUCH_DF_1_NOW = 0x1, VOUCH_DF_1_PIE = 0x08000000,
	VOUCH_NT_GNU_BUILD_ID = 3,
};
#define VOUCH_PT_GNU_STACK 0x6474e551u
#define VOUCH_PT_GNU_RELRO 0x6474e552u

typedef struct vouch_elfp_seg {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
} vouch_elfp_seg;

typedef struct vouch_elfp_sec {
	uint32_t name, type, link, info;
	uint64_t flags, addr, offset, size, entsize, align;
	const uint8_t *nm;  /* name, borrowed from the input (NULL if unreadable) */
	size_t nm_len;
} vouch_elfp_sec;

/* A dynamic symbol; the name is borrowed from the input bytes. */
typedef struct vouch_elfp_sym {
	const uint8_t *name;
	size_t name_len;
	uint8_t type, bind;
	uint16_t shndx;
} vouch_elfp_sym;

typedef struct vouch_elfp {
	vouch_arena *a;
	const uint8_t *p;
	size_t n;

	/* header */
	bool is64, be, header_ok;
	uint8_t osabi;
	uint16_t type, machine;
	uint32_t flags, version;
	uint64_t entry, phoff, shoff;
	uint16_t ehsize, phentsize, shentsize;
	uint32_t phnum, shnum, shstrndx;

	vouch_elfp_seg *ph;
	size_t nph;
	vouch_elfp_sec *sh;
	size_t nsh;

	/* program-header facts */
	bool has_phdr, has_relro, has_gnu_stack, has_dynamic_seg;
	uint32_t gnu_stack_flags;
	const char *interp;

	/* dynamic table */
	vouch_elf_source dyn_src;
	bool has_debug_tag, has_bind_now_tag, has_textrel_tag, has_flags, has_flags_1;
	uint64_t dt_flags, dt_flags_1;
	const char *soname, *rpath, *runpath;
	const char **needed;
	size_t n_needed;

	/* dynamic symbols */
	vouch_elf_source sym_src;
	vouch_elfp_sym *syms;
	size_t nsyms;

	/* static symbols (.symtab): only whether they exist and name a canary symbol */
	bool has_symtab, symtab_canary, has_debug_info;

	/* notes and strings */
	const uint8_t *build_id;
	size_t build_id_len;
	const char **comments;
	size_t n_comments;
	vouch_elf_kv *modinfo;
	size_t n_modinfo;
	bool has_modinfo, has_this_module;

	/* problems */
	const char **notes;
	size_t n_notes, notes_dropped;
} vouch_elfp;

/*
 * Parse the n bytes at p. Returns VOUCH_OK when the identification is valid (the rest may be
 * broken: see e->notes), VOUCH_E_MALFORMED when it is not an ELF file, VOUCH_E_NOMEM when the
 * arena ran out. Allocates from `a`; borrows p (names in syms and sh point into it).
 */
int vouch_elfp_parse(vouch_arena *a, const void *p, size_t n, vouch_elfp *e);

/*
 * The bytes of section i (a view into the input, cut at the end of the file), for callers
 * that compare section contents (lib/equiv). False, with *p NULL and *n 0, for SHT_NOBITS,
 * an index out of range, or a section wholly outside the file (noted).
 */
bool vouch_elfp_sec_view(vouch_elfp *e, size_t i, const uint8_t **p, size_t *n);

/* Record a problem (bounded; never fails: a lost note is counted). */
void vouch_elfp_note(vouch_elfp *e, const char *fmt, ...) VOUCH_PRINTF(2, 3);

/* True when the n bytes at s equal the NUL-terminated lit. */
static inline bool
vouch_elfp_name_is(const uint8_t *s, size_t n, const char *lit)
{
	size_t i = 0;

	for (; i < n && lit[i] != '\0'; i++) {
		if (s[i] != (uint8_t)lit[i]) {
			return false;
		}
	}
	return i == n && lit[i] == '\0';
}

#endif
