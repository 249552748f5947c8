/*
 * vouch/elf.h: what one ELF file says about itself: the facts an SBOM needs (SONAME,
 * DT_NEEDED, RPATH/RUNPATH, interpreter, .comment toolchain strings, GNU build-id, kernel
 * module .modinfo) and the binary-hardening indicators (PIE, NX, RELRO, stack canary,
 * FORTIFY_SOURCE, stripped, dangerous imports).
 *
 * vouch_elf_analyze() reads a whole file that is already in memory; it never touches the
 * file system, starts no process and keeps no global state, so it may run on many threads
 * at once. Every ELF class (32/64), byte order and machine is read. Section headers are
 * used when present; when they are stripped or lie, the dynamic facts come from the program
 * headers (PT_DYNAMIC, DT_STRTAB/DT_SYMTAB/DT_HASH/DT_GNU_HASH mapped through PT_LOAD), and
 * the report says which source each group of facts came from.
 *
 * Malformed input is normal: a truncated or lying table is skipped or cut short, the report
 * says so in `notes`, and every other fact is still given. Work and memory are bounded by
 * named limits (lib/inventory/elfparse.h), never by the input's claims.
 *
 * How each hardening fact is decided, and where it deliberately differs from checksec and
 * hardening-check, is documented in docs/hardening.md.
 *
 * Ownership: the report and every string and array in it belong to the report; free it with
 * vouch_elf_report_free(). Strings are raw bytes from the file (escape before printing);
 * arrays of strings hold exactly their count of non-NULL entries.
 */
#ifndef VOUCH_ELF_H
#define VOUCH_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vouch/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum vouch_elf_kind {
	VOUCH_ELF_KIND_UNKNOWN = 0, /* header truncated, or an e_type we do not classify */
	VOUCH_ELF_KIND_EXEC,        /* ET_EXEC: position-dependent executable */
	VOUCH_ELF_KIND_PIE,         /* ET_DYN that is an executable (see docs/hardening.md) */
	VOUCH_ELF_KIND_SHARED,      /* ET_DYN shared library */
	VOUCH_ELF_KIND_REL,         /* ET_REL relocatable object */
	VOUCH_ELF_KIND_KMOD,        /* ET_REL with .modinfo: a Linux kernel module */
	VOUCH_ELF_KIND_CORE,        /* ET_CORE */
} vouch_elf_kind;

typedef enum vouch_elf_relro {
	VOUCH_ELF_RELRO_NONE = 0, /* no PT_GNU_RELRO */
	VOUCH_ELF_RELRO_PARTIAL,  /* PT_GNU_RELRO, lazy binding */
	VOUCH_ELF_RELRO_FULL,     /* PT_GNU_RELRO and BIND_NOW (DT_BIND_NOW, DF_BIND_NOW, DF_1_NOW) */
} vouch_elf_relro;

typedef enum vouch_elf_stack {
	VOUCH_ELF_STACK_ABSENT = 0, /* no PT_GNU_STACK: the kernel's per-architecture default */
	VOUCH_ELF_STACK_NOEXEC,     /* PT_GNU_STACK without PF_X */
	VOUCH_ELF_STACK_EXEC,       /* PT_GNU_STACK with PF_X */
} vouch_elf_stack;

/* Where a group of facts was read from. */
typedef enum vouch_elf_source {
	VOUCH_ELF_SRC_NONE = 0, /* not present in the file (or unreadable) */
	VOUCH_ELF_SRC_SECTIONS, /* section headers (.dynamic, .dynsym, .dynstr, ...) */
	VOUCH_ELF_SRC_SEGMENTS, /* program headers (PT_DYNAMIC, addresses mapped via PT_LOAD) */
} vouch_elf_source;

/* One key=value string of a kernel module's .modinfo (value may be empty). */
typedef struct vouch_elf_kv {
	const char *key;
	const char *value;
} vouch_elf_kv;

typedef struct vouch_elf_report {
	/* ---- identification (ELF header) ---- */
	uint8_t cls;               /* 32 or 64 */
	uint8_t endian;            /* 1 little, 2 big (EI_DATA) */
	uint8_t osabi;             /* EI_OSABI */
	uint16_t type;             /* e_type */
	uint16_t machine;          /* e_machine (vouch_elf_machine_str() names it) */
	uint32_t flags;            /* e_flags */
	uint64_t entry;            /* e_entry */
	vouch_elf_kind kind;

	/* ---- SBOM facts ---- */
	const char *interp;        /* PT_INTERP, e.g. "/lib/ld-musl-mipsel.so.1"; NULL if none */
	const char *soname;        /* DT_SONAME, NULL if none */
	const char **needed;       /* DT_NEEDED in file order */
	size_t n_needed;
	const char *rpath;         /* DT_RPATH, NULL if none */
	const char *runpath;       /* DT_RUNPATH, NULL if none */
	const char **comments;     /* distinct NUL-separated strings of .comment, in order */
	size_t n_comments;
	const char *build_id;      /* NT_GNU_BUILD_ID descriptor as lowercase hex, NULL if none */
	const char *vermagic;      /* .modinfo vermagic= value, NULL if none */
	vouch_elf_kv *modinfo;     /* every .modinfo key=value, in order */
	size_t n_modinfo;
	bool is_static;            /* no PT_DYNAMIC and no PT_INTERP (for EXEC/PIE) */

	/* ---- hardening ---- */
	bool pie;                  /* kind == PIE (position-independent executable) */
	bool nx;                   /* stack == NOEXEC */
	vouch_elf_stack stack;
	vouch_elf_relro relro;
	bool bind_now;             /* DT_BIND_NOW, DF_BIND_NOW or DF_1_NOW */
	bool canary;               /* a __stack_chk_fail/__stack_chk_guard/__intel_security_cookie
				      symbol (dynamic or static symbol table) */
	bool fortify_source;       /* imports at least one __*_chk function */
	uint32_t fortified;        /* distinct imported __X_chk with X in the glibc table */
	uint32_t fortifiable;      /* fortified + distinct imported unfortified names of that
				      table, with or without leading underscores (__stpcpy,
				      _longjmp), and siglongjmp; as checksec counts, a function
				      imported both ways counts twice */
	bool stripped;             /* no .symtab section */
	bool has_debug;            /* a .debug_info section */
	bool textrel;              /* DT_TEXTREL or DF_TEXTREL: text relocations */
	const char **dangerous;    /* imported functions on the dangerous list, file order */
	size_t n_dangerous;
	size_t n_imports;          /* undefined dynamic function symbols */

	/* ---- provenance and problems ---- */
	vouch_elf_source dynamic_from; /* where SONAME/NEEDED/RPATH/flags were read */
	vouch_elf_source symbols_from; /* where the dynamic symbols were read */
	const char **notes;        /* what was malformed, cut short or recovered from elsewhere */
	size_t n_notes;
} vouch_elf_report;

/*
 * Analyse the n bytes at p, a whole ELF file.
 * Returns VOUCH_OK with *out set (free it with vouch_elf_report_free) whenever the file
 * starts with a valid ELF identification (magic, class 1/2, data 1/2), however broken the
 * rest is: problems are listed in (*out)->notes. Returns VOUCH_E_MALFORMED (not an ELF file),
 * VOUCH_E_NOMEM, or VOUCH_E_USAGE (p or out NULL); *out is untouched on failure.
 * Thread-safe; reads nothing but [p, p+n).
 */
VOUCH_API int vouch_elf_analyze(const void *p, size_t n, vouch_elf_report **out);

VOUCH_API void vouch_elf_report_free(vouch_elf_report *r);

/* "exec", "pie", "shared", "rel", "kmod", "core", "unknown". */
VOUCH_API const char *vouch_elf_kind_str(vouch_elf_kind k);
/* "none", "partial", "full". */
VOUCH_API const char *vouch_elf_relro_str(vouch_elf_relro r);
/* "sections", "segments", "none". */
VOUCH_API const char *vouch_elf_source_str(vouch_elf_source s);
/* Why an imported function is on the dangerous list ("command execution", ...); NULL if it
 * is not on the list. */
VOUCH_API const char *vouch_elf_dangerous_why(const char *name);

#ifdef __cplusplus
}
#endif
#endif
