/*
 * fuzz/fuzz_elf.c: libFuzzer harness for the ELF reader and the hardening facts
 * (inventory/elfparse.c, inventory/hardening.c) through vouch_elf_analyze().
 *
 * Each input (at most 1 MiB) is analysed once; the properties vouch/elf.h promises are
 * asserted with abort() so that libFuzzer reports a broken one as a crash:
 *   - the answer is VOUCH_OK exactly when the input starts with a valid ELF identification
 *     (magic, class 1/2, data 1/2), else VOUCH_E_MALFORMED: never NOMEM or INTERNAL for an
 *     input this size (the arena budget is far above what the limits let a file claim);
 *   - every array holds its count of non-NULL strings, each at most VOUCH_ELFP_MAX_STR bytes,
 *     and every count is within its limit (needed, comments, modinfo, notes);
 *   - the derived facts are consistent: pie iff kind PIE, nx iff stack NOEXEC, full RELRO
 *     only with BIND_NOW, fortified <= fortifiable, fortify_source iff fortified, every
 *     dangerous import has a reason, the build-id is even-length lowercase hex;
 *   - the analysis is a function of the bytes: a second run on a copy gives the same facts.
 * Rejected: comparing with libelf or readelf here (they differ deliberately on broken files;
 * the differential comparison on real files is tests/e2e/test_hardening.sh).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "inventory/elfparse.h"
#include "vouch/elf.h"

#define FUZZ_MAX_INPUT (1u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_strs(const char *const *v, size_t n, size_t max)
{
	if (n > max || (n > 0 && v == NULL)) {
		abort();
	}
	for (size_t i = 0; i < n; i++) {
		if (v[i] == NULL || strlen(v[i]) > VOUCH_ELFP_MAX_STR) {
			abort();
		}
	}
}

static void
check_str(const char *s)
{
	if (s != NULL && strlen(s) > VOUCH_ELFP_MAX_STR) {
		abort();
	}
}

static bool
same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static void
check_report(const vouch_elf_report *r)
{
	check_str(r->interp);
	check_str(r->soname);
	check_str(r->rpath);
	check_str(r->runpath);
	check_str(r->vermagic);
	check_strs(r->needed, r->n_needed, VOUCH_ELFP_MAX_NEEDED);
	check_strs(r->comments, r->n_comments, VOUCH_ELFP_MAX_COMMENTS);
	check_strs(r->notes, r->n_notes, VOUCH_ELFP_MAX_NOTES);
	check_strs(r->dangerous, r->n_dangerous, 64);
	if (r->n_modinfo > VOUCH_ELFP_MAX_MODINFO || (r->n_modinfo > 0 && r->modinfo == NULL)) {
		abort();
	}
	for (size_t i = 0; i < r->n_modinfo; i++) {
		check_str(r->modinfo[i].key);
		check_str(r->modinfo[i].value);
		if (r->modinfo[i].key == NULL || r->modinfo[i].value == NULL) {
			abort();
		}
	}
	for (size_t i = 0; i < r->n_dangerous; i++) {
		if (vouch_elf_dangerous_why(r->dangerous[i]) == NULL) {
			abort();
		}
	}
	if (r->build_id != NULL) {
		size_t n = strlen(r->build_id);
		if (n == 0 || n % 2 != 0 || n > 128 || strspn(r->build_id, "0123456789abcdef") != n) {
			abort();
		}
	}
	if (r->pie != (r->kind == VOUCH_ELF_KIND_PIE) ||
	    r->nx != (r->stack == VOUCH_ELF_STACK_NOEXEC) ||
	    (r->relro == VOUCH_ELF_RELRO_FULL && !r->bind_now) ||
	    r->fortified > r->fortifiable || r->fortify_source != (r->fortified > 0) ||
	    (r->cls != 32 && r->cls != 64) || (r->endian != 1 && r->endian != 2)) {
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vouch_elf_report *r = NULL, *again = NULL;
	bool ident;
	uint8_t *copy;
	int rc;

	if (size > FUZZ_MAX_INPUT) {
		return 0;
	}
	ident = size >= 16 && memcmp(data, "\x7f" "ELF", 4) == 0 && (data[4] == 1 || data[4] == 2) &&
		(data[5] == 1 || data[5] == 2);
	rc = vouch_elf_analyze(data, size, &r);
	if (rc != (ident ? VOUCH_OK : VOUCH_E_MALFORMED)) {
		abort();
	}
	if (rc != VOUCH_OK) {
		return 0;
	}
	check_report(r);
	copy = malloc(size);
	if (copy != NULL) {
		memcpy(copy, data, size);
		if (vouch_elf_analyze(copy, size, &again) != VOUCH_OK || again->kind != r->kind ||
		    again->n_needed != r->n_needed || !same(again->soname, r->soname) ||
		    !same(again->interp, r->interp) || again->fortifiable != r->fortifiable ||
		    again->canary != r->canary || again->n_notes != r->n_notes ||
		    again->n_imports != r->n_imports) {
			abort();
		}
		vouch_elf_report_free(again);
		free(copy);
	}
	vouch_elf_report_free(r);
	return 0;
}
