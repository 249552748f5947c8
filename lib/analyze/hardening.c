/*
 * analyze/hardening.c: binary-hardening findings from the ELF facts of each program and
 * library (vouch_elf_analyze(), which the driver runs on every held ELF file this analyser
 * wants; how each fact is decided is in docs/hardening.md).
 *
 * One finding per file and fact, whole-file (offset UINT64_MAX):
 *   hardening.no-nx             medium: PT_GNU_STACK asks for an executable stack;
 *                               low: no PT_GNU_STACK (the architecture's default applies,
 *                               executable on MIPS and older ARM kernels)
 *   hardening.no-pie            low: an executable linked at a fixed address (ET_EXEC)
 *   hardening.no-relro          low: no PT_GNU_RELRO (GOT writable for the whole run)
 *   hardening.no-canary         low: no stack-protector symbol, in a dynamically linked
 *                               program or library whose symbols could be read
 *   hardening.textrel           low: text relocations (code pages made writable at load)
 *   hardening.rpath             medium when a search path is relative, empty or under
 *                               /tmp (a library planted there is loaded), low otherwise
 *   hardening.dangerous-import  low: the imported functions of the dangerous list, named
 * Only executables, PIEs and shared libraries are judged: relocatable objects and kernel
 * modules have no program headers to judge. Rejected: findings for "stripped" or missing
 * FORTIFY (stripping is normal for firmware; FORTIFY depends on what the code calls, and
 * hardening-check and checksec disagree on it) — both are in `vouch elf`.
 */
#include <stdio.h>
#include <string.h>

#include "analyze/analyzer.h"
#include "vouch/elf.h"

static bool
hd_wants(void *state, const char *path, const uint8_t *head, size_t n)
{
	(void)state;
	(void)path;
	return n >= 4 && memcmp(head, "\177ELF", 4) == 0;
}

/* A search path that lets whoever can write somewhere else choose the libraries. */
static bool
risky_path(const char *p)
{
	const char *s = p;

	for (;;) {
		const char *e = strchr(s, ':');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		if (n == 0 || s[0] == '.' || (n >= 4 && memcmp(s, "/tmp", 4) == 0) ||
		    (n >= 8 && memcmp(s, "/var/tmp", 8) == 0) ||
		    (n >= 8 && memcmp(s, "/dev/shm", 8) == 0) ||
		    (s[0] != '/' && s[0] != '$')) {
			return true;
		}
		if (e == NULL) {
			return false;
		}
		s = e + 1;
	}
}

static void
hd_file(const vouch_actx *ctx, void *state, const vouch_afile *af, const vouch_ahit *hits,
	size_t nhits)
{
	const vouch_elf_report *r = af->elf;
	char detail[512];

	(void)state;
	(void)hits;
	(void)nhits;
	if (r == NULL) {
		return;
	}
	if (r->kind != VOUCH_ELF_KIND_EXEC && r->kind != VOUCH_ELF_KIND_PIE &&
	    r->kind != VOUCH_ELF_KIND_SHARED) {
		return;
	}
	const char *kind = vouch_elf_kind_str(r->kind);
	if (r->stack == VOUCH_ELF_STACK_EXEC) {
		snprintf(detail, sizeof(detail), "kind=%s; stack=exec", kind);
		vouch_afind(ctx, "hardening.no-nx", "hardening", VOUCH_SEV_MEDIUM,
			    "executable stack requested (PT_GNU_STACK with PF_X)", af->f, UINT64_MAX,
			    NULL, 0, detail, NULL);
	} else if (r->stack == VOUCH_ELF_STACK_ABSENT) {
		snprintf(detail, sizeof(detail), "kind=%s; stack=absent", kind);
		vouch_afind(ctx, "hardening.no-nx", "hardening", VOUCH_SEV_LOW,
			    "no PT_GNU_STACK: the stack is executable where the architecture "
			    "defaults to it",
			    af->f, UINT64_MAX, NULL, 0, detail, NULL);
	}
	if (r->kind == VOUCH_ELF_KIND_EXEC) {
		vouch_afind(ctx, "hardening.no-pie", "hardening", VOUCH_SEV_LOW,
			    "executable is not position-independent (no ASLR for its code)", af->f,
			    UINT64_MAX, NULL, 0, "kind=exec", NULL);
	}
	if (r->relro == VOUCH_ELF_RELRO_NONE && !r->is_static) {
		snprintf(detail, sizeof(detail), "kind=%s; relro=none", kind);
		vouch_afind(ctx, "hardening.no-relro", "hardening", VOUCH_SEV_LOW,
			    "no RELRO: relocation tables stay writable", af->f, UINT64_MAX, NULL, 0,
			    detail, NULL);
	}
	if (!r->canary && !r->is_static && r->symbols_from != VOUCH_ELF_SRC_NONE &&
	    r->n_imports > 0) {
		snprintf(detail, sizeof(detail), "kind=%s; imports=%zu", kind, r->n_imports);
		vouch_afind(ctx, "hardening.no-canary", "hardening", VOUCH_SEV_LOW,
			    "no stack protector (no __stack_chk_* symbol)", af->f, UINT64_MAX, NULL,
			    0, detail, NULL);
	}
	if (r->textrel) {
		vouch_afind(ctx, "hardening.textrel", "hardening", VOUCH_SEV_LOW,
			    "text relocations: code pages are written at load time", af->f,
			    UINT64_MAX, NULL, 0, NULL, NULL);
	}
	for (int k = 0; k < 2; k++) {
		const char *p = k == 0 ? r->rpath : r->runpath;
		if (p == NULL) {
			continue;
		}
		bool risky = risky_path(p);
		snprintf(detail, sizeof(detail), "%s=", k == 0 ? "rpath" : "runpath");
		vouch_afind(ctx, "hardening.rpath", "hardening",
			    risky ? VOUCH_SEV_MEDIUM : VOUCH_SEV_LOW,
			    risky ? "library search path that is relative, empty or world-writable"
				  : "library search path built into the binary (RPATH/RUNPATH)",
			    af->f, UINT64_MAX, p, strlen(p), detail, NULL);
	}
	if (r->n_dangerous > 0) {
		size_t k = (size_t)snprintf(detail, sizeof(detail), "imports=");
		for (size_t i = 0; i < r->n_dangerous && k < sizeof(detail); i++) {
			k += (size_t)snprintf(detail + k, sizeof(detail) - k, "%s%s", i ? "," : "",
					      r->dangerous[i]);
		}
		vouch_afind(ctx, "hardening.dangerous-import", "hardening", VOUCH_SEV_LOW,
			    "imports functions that execute commands, copy without bounds or race "
			    "on temporary files",
			    af->f, UINT64_MAX, NULL, 0, detail, NULL);
	}
}

const vouch_analyzer vouch_analyzer_hardening = {
	.name = "hardening",
	.wants = hd_wants,
	.file = hd_file,
};
