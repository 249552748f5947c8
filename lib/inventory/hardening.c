/*
 * inventory/hardening.c: vouch_elf_analyze(): turn what elfparse.c read into the facts of
 * vouch/elf.h, the SBOM facts and the binary-hardening indicators.
 *
 * Each indicator is decided from the parsed tables only (no process, no file system, no
 * global state): one arena per report holds everything, so the function is thread-safe and
 * the report is freed in one call. The rules, and where they deliberately differ from
 * checksec 2.6 and hardening-check (devscripts), are in docs/hardening.md; in short:
 *   PIE      ET_DYN that is an executable: DF_1_PIE, or DT_DEBUG (checksec's test), or
 *            PT_INTERP without DT_SONAME (PIEs linked before DF_1_PIE existed);
 *   NX       PT_GNU_STACK present without PF_X (absent = not NX, as checksec says);
 *   RELRO    PT_GNU_RELRO; full when BIND_NOW in any of its three spellings;
 *   canary   a __stack_chk_fail / __stack_chk_guard / __intel_security_cookie symbol in
 *            .dynsym or .symtab;
 *   FORTIFY  imported __X_chk with X in glibc's table (fortified) and imported plain X of
 *            that table (fortifiable = both); distinct names, imports only.
 * The two tables below (fortifiable functions, dangerous functions) are the only lists.
 *
 * Rejected: asking the host's libc which __*_chk functions exist, as checksec does (the
 * answer would depend on the analysing machine, not on the firmware).
 */
#include <stdlib.h>
#include <string.h>

#include "inventory/elfparse.h"

/*
 * glibc's fortified functions: every X for which glibc (2.36, Debian 12) exports __X_chk.
 * Sorted (bsearch). Checked by tests/e2e/test_hardening.sh against checksec, which reads the
 * same list from the host libc.
 */
static const char *const fortifiable[] = {
	"asprintf", "confstr", "dprintf", "explicit_bzero", "fdelt", "fgets",
	"fgets_unlocked", "fgetws", "fgetws_unlocked", "fprintf", "fread", "fread_unlocked",
	"fwprintf", "getcwd", "getdomainname", "getgroups", "gethostname", "getlogin_r", "gets",
	"getwd", "longjmp", "mbsnrtowcs", "mbsrtowcs", "mbstowcs", "memcpy", "memmove",
	"mempcpy", "memset", "obstack_printf", "obstack_vprintf", "poll", "ppoll", "pread",
	"pread64", "printf", "ptsname_r", "read", "readlink", "readlinkat", "realpath", "recv",
	"recvfrom", "snprintf", "sprintf", "stpcpy", "stpncpy", "strcat", "strcpy", "strncat",
	"strncpy", "swprintf", "syslog", "ttyname_r", "vasprintf", "vdprintf", "vfprintf",
	"vfwprintf", "vprintf", "vsnprintf", "vsprintf", "vswprintf", "vsyslog", "vwprintf",
	"wcpcpy", "wcpncpy", "wcrtomb", "wcscat", "wcscpy", "wcsncat", "wcsncpy", "wcsnrtombs",
	"wcsrtombs", "wcstombs", "wctomb", "wmemcpy", "wmemmove", "wmempcpy", "wmemset",
	"wprintf",
};
#define N_FORTIFIABLE VOUCH_ARRAY_LEN(fortifiable)

/* Another name glibc's headers redirect to __longjmp_chk under FORTIFY_SOURCE
 * (bits/setjmp2.h), besides longjmp and _longjmp (the latter found by underscore folding). */
#define SIGLONGJMP "siglongjmp"

/* Imported functions worth a reviewer's look, and why. Sorted (bsearch). */
static const struct dangerous {
	const char *name, *why;
} dangerous[] = {
	{"execl", "command execution"},
	{"execle", "command execution"},
	{"execlp", "command execution (PATH search)"},
	{"execv", "command execution"},
	{"execve", "command execution"},
	{"execvp", "command execution (PATH search)"},
	{"execvpe", "command execution (PATH search)"},
	{"fscanf", "unbounded %s conversions"},
	{"gets", "unbounded read into a buffer"},
	{"getwd", "unbounded write into a buffer"},
	{"mktemp", "temporary-file race"},
	{"popen", "command execution through the shell"},
	{"scanf", "unbounded %s conversions"},
	{"sprintf", "unbounded formatted write"},
	{"sscanf", "unbounded %s conversions"},
	{"stpcpy", "unbounded copy"},
	{"strcat", "unbounded concatenation"},
	{"strcpy", "unbounded copy"},
	{"system", "command execution through the shell"},
	{"tempnam", "temporary-file race"},
	{"tmpnam", "temporary-file race"},
	{"vfscanf", "unbounded %s conversions"},
	{"vscanf", "unbounded %s conversions"},
	{"vsprintf", "unbounded formatted write"},
	{"vsscanf", "unbounded %s conversions"},
	{"wcscat", "unbounded concatenation"},
	{"wcscpy", "unbounded copy"},
};

/* A name view looked up in a sorted table of C strings: its index, or -1. */
static long
lookup(const uint8_t *s, size_t n, const char *const *tab, size_t count, size_t stride)
{
	size_t lo = 0, hi = count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *t = *(const char *const *)((const char *)tab + mid * stride);
		size_t tl = strlen(t);
		int c = memcmp(s, t, VOUCH_MIN(n, tl));

		if (c == 0) {
			c = n < tl ? -1 : n > tl ? 1 : 0;
		}
		if (c == 0) {
			return (long)mid;
		}
		if (c < 0) {
			hi = mid;
		} else {
			lo = mid + 1;
		}
	}
	return -1;
}

const char *
vouch_elf_dangerous_why(const char *name)
{
	long i;

	if (name == NULL) {
		return NULL;
	}
	i = lookup((const uint8_t *)name, strlen(name), &dangerous[0].name,
		   VOUCH_ARRAY_LEN(dangerous), sizeof(dangerous[0]));
	return i < 0 ? NULL : dangerous[i].why;
}

const char *
vouch_elf_kind_str(vouch_elf_kind k)
{
	switch (k) {
	case VOUCH_ELF_KIND_EXEC: return "exec";
	case VOUCH_ELF_KIND_PIE: return "pie";
	case VOUCH_ELF_KIND_SHARED: return "shared";
	case VOUCH_ELF_KIND_REL: return "rel";
	case VOUCH_ELF_KIND_KMOD: return "kmod";
	case VOUCH_ELF_KIND_CORE: return "core";
	default: return "unknown";
	}
}

const char *
vouch_elf_relro_str(vouch_elf_relro r)
{
	switch (r) {
	case VOUCH_ELF_RELRO_PARTIAL: return "partial";
	case VOUCH_ELF_RELRO_FULL: return "full";
	default: return "none";
	}
}

const char *
vouch_elf_source_str(vouch_elf_source s)
{
	switch (s) {
	case VOUCH_ELF_SRC_SECTIONS: return "sections";
	case VOUCH_ELF_SRC_SEGMENTS: return "segments";
	default: return "none";
	}
}

/* The report and the arena that owns it (the report is first: the public pointer). */
struct holder {
	vouch_elf_report r;
	vouch_arena *a;
};

void
vouch_elf_report_free(vouch_elf_report *r)
{
	if (r != NULL) {
		vouch_arena_free(((struct holder *)r)->a);
	}
}

static vouch_elf_kind
classify(const vouch_elfp *e)
{
	switch (e->type) {
	case VOUCH_ET_EXEC: return VOUCH_ELF_KIND_EXEC;
	case VOUCH_ET_REL:
		return e->has_modinfo || e->has_this_module ? VOUCH_ELF_KIND_KMOD
							    : VOUCH_ELF_KIND_REL;
	case VOUCH_ET_CORE: return VOUCH_ELF_KIND_CORE;
	case VOUCH_ET_DYN:
		if ((e->has_flags_1 && (e->dt_flags_1 & VOUCH_DF_1_PIE)) || e->has_debug_tag ||
		    (e->interp != NULL && e->soname == NULL)) {
			return VOUCH_ELF_KIND_PIE;
		}
		return VOUCH_ELF_KIND_SHARED;
	default: return VOUCH_ELF_KIND_UNKNOWN;
	}
}

static bool
is_import(const vouch_elfp_sym *s)
{
	return s->shndx == 0 && s->name_len > 0 &&
	       (s->type == VOUCH_STT_FUNC || s->type == VOUCH_STT_GNU_IFUNC ||
		s->type == VOUCH_STT_NOTYPE);
}

/* Symbols: canary, fortify counts, dangerous imports. */
static int
symbols(vouch_elfp *e, vouch_elf_report *r)
{
	/* plain[k]: bit u set when X was imported with u leading underscores (X, _X, __X...):
	 * glibc's own aliases (__stpcpy, __mempcpy, _longjmp) are unfortified calls too, and
	 * each distinct name counts, as in checksec */
	bool fort[N_FORTIFIABLE] = {false}, sig = false;
	uint8_t plain[N_FORTIFIABLE] = {0};
	size_t cap = 0;

	for (size_t i = 0; i < e->nsyms; i++) {
		const vouch_elfp_sym *s = &e->syms[i];
		long k;

		if (!r->canary && s->name_len >= 16 && s->name[0] == '_' &&
		    (vouch_elfp_name_is(s->name, s->name_len, "__stack_chk_fail") ||
		     vouch_elfp_name_is(s->name, s->name_len, "__stack_chk_guard") ||
		     vouch_elfp_name_is(s->name, s->name_len, "__stack_chk_fail_local") ||
		     vouch_elfp_name_is(s->name, s->name_len, "__intel_security_cookie"))) {
			r->canary = true;
		}
		if (!is_import(s)) {
			continue;
		}
		r->n_imports++;
		if (s->name_len > 6 && s->name[0] == '_' && s->name[1] == '_' &&
		    memcmp(s->name + s->name_len - 4, "_chk", 4) == 0) {
			k = lookup(s->name + 2, s->name_len - 6, fortifiable, N_FORTIFIABLE,
				   sizeof(fortifiable[0]));
			if (k >= 0) {
				fort[k] = true;
			}
			continue;
		}
		size_t u = 0;
		while (u < s->name_len && s->name[u] == '_') {
			u++;
		}
		k = lookup(s->name + u, s->name_len - u, fortifiable, N_FORTIFIABLE,
			   sizeof(fortifiable[0]));
		if (k >= 0) {
			plain[k] |= (uint8_t)(1u << VOUCH_MIN(u, 7u));
		}
		sig = sig || vouch_elfp_name_is(s->name, s->name_len, SIGLONGJMP);
		k = lookup(s->name, s->name_len, &dangerous[0].name, VOUCH_ARRAY_LEN(dangerous),
			   sizeof(dangerous[0]));
		if (k >= 0) {
			if (r->dangerous == NULL) {
				cap = VOUCH_ARRAY_LEN(dangerous);
				r->dangerous = vouch_arena_alloc(e->a, cap * sizeof(*r->dangerous));
				if (r->dangerous == NULL) {
					return VOUCH_E_NOMEM;
				}
			}
			bool seen = false;
			for (size_t j = 0; j < r->n_dangerous && !seen; j++) {
				seen = r->dangerous[j] == dangerous[k].name;
			}
			if (!seen && r->n_dangerous < cap) {
				r->dangerous[r->n_dangerous++] = dangerous[k].name;
			}
		}
	}
	/* as checksec counts: a function imported both as __X_chk and as plain X (the compiler
	 * could not prove the size at some call sites) counts twice in fortifiable */
	for (size_t k = 0; k < N_FORTIFIABLE; k++) {
		r->fortified += fort[k];
		r->fortifiable += (uint32_t)fort[k] + (uint32_t)__builtin_popcount(plain[k]);
	}
	r->fortifiable += sig;
	r->fortify_source = r->fortified > 0;
	if (e->symtab_canary) {
		r->canary = true;
	}
	return VOUCH_OK;
}

static char *
hex(vouch_arena *a, const uint8_t *p, size_t n)
{
	static const char h[] = "0123456789abcdef";
	char *s = vouch_arena_alloc(a, 2 * n + 1);

	if (s == NULL) {
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		s[2 * i] = h[p[i] >> 4];
		s[2 * i + 1] = h[p[i] & 15];
	}
	return s;
}

int
vouch_elf_analyze(const void *p, size_t n, vouch_elf_report **out)
{
	vouch_arena *a = NULL;
	struct holder *h;
	vouch_elf_report *r;
	vouch_elfp e;
	int rc;

	if ((p == NULL && n > 0) || out == NULL) {
		return VOUCH_E_USAGE;
	}
	rc = vouch_arena_new(&a, VOUCH_ELFP_ARENA_BUDGET);
	if (rc != VOUCH_OK) {
		return rc;
	}
	h = vouch_arena_alloc(a, sizeof(*h));
	if (h == NULL) {
		rc = VOUCH_E_NOMEM;
		goto out;
	}
	h->a = a;
	r = &h->r;
	rc = vouch_elfp_parse(a, p, n, &e);
	if (rc != VOUCH_OK) {
		goto out; /* not an ELF file, or out of memory */
	}
	r->cls = e.is64 ? 64 : 32;
	r->endian = e.be ? 2 : 1;
	r->osabi = e.osabi;
	r->type = e.type;
	r->machine = e.machine;
	r->flags = e.flags;
	r->entry = e.entry;
	r->kind = e.header_ok ? classify(&e) : VOUCH_ELF_KIND_UNKNOWN;

	r->interp = e.interp;
	r->soname = e.soname;
	r->needed = e.needed;
	r->n_needed = e.n_needed;
	r->rpath = e.rpath;
	r->runpath = e.runpath;
	r->comments = e.comments;
	r->n_comments = e.n_comments;
	if (e.build_id != NULL && (r->build_id = hex(a, e.build_id, e.build_id_len)) == NULL) {
		rc = VOUCH_E_NOMEM;
		goto out;
	}
	r->modinfo = e.modinfo;
	r->n_modinfo = e.n_modinfo;
	for (size_t i = 0; i < e.n_modinfo; i++) {
		if (strcmp(e.modinfo[i].key, "vermagic") == 0) {
			r->vermagic = e.modinfo[i].value;
			break;
		}
	}

	r->pie = r->kind == VOUCH_ELF_KIND_PIE;
	r->is_static = (r->kind == VOUCH_ELF_KIND_EXEC || r->kind == VOUCH_ELF_KIND_PIE) &&
		       e.interp == NULL && e.n_needed == 0;
	r->stack = !e.has_gnu_stack ? VOUCH_ELF_STACK_ABSENT
		   : (e.gnu_stack_flags & VOUCH_PF_X) ? VOUCH_ELF_STACK_EXEC
						       : VOUCH_ELF_STACK_NOEXEC;
	r->nx = r->stack == VOUCH_ELF_STACK_NOEXEC;
	r->bind_now = e.has_bind_now_tag || (e.has_flags && (e.dt_flags & VOUCH_DF_BIND_NOW)) ||
		      (e.has_flags_1 && (e.dt_flags_1 & VOUCH_DF_1_NOW));
	r->relro = !e.has_relro ? VOUCH_ELF_RELRO_NONE
		   : r->bind_now ? VOUCH_ELF_RELRO_FULL
				 : VOUCH_ELF_RELRO_PARTIAL;
	r->textrel = e.has_textrel_tag || (e.has_flags && (e.dt_flags & VOUCH_DF_TEXTREL));
	r->stripped = !e.has_symtab;
	r->has_debug = e.has_debug_info;
	if ((rc = symbols(&e, r)) != VOUCH_OK) {
		goto out;
	}
	r->dynamic_from = e.dyn_src;
	r->symbols_from = e.sym_src;

	if (r->is_static && r->stripped && e.nsyms == 0) {
		vouch_elfp_note(&e, "static and stripped: stack canary and FORTIFY_SOURCE cannot be "
				    "seen from symbols");
	}
	if (e.notes_dropped > 0 && e.n_notes > 0) {
		char *s = vouch_arena_printf(a, "%zu more problems not listed", e.notes_dropped + 1);
		if (s != NULL) {
			e.notes[e.n_notes - 1] = s;
		}
	}
	r->notes = e.notes;
	r->n_notes = e.n_notes;
	*out = r;
	return VOUCH_OK;
out:
	vouch_arena_free(a);
	return rc;
}
