/*
 * fuzz/fuzz_scan.c: libFuzzer harness for the indicator analysis (lib/analyze: the driver's
 * windows and hits, and the parsers of accounts.c, services.c, keys.c/sshkey.c,
 * endpoints.c, secrets.c, hardening.c) run over whatever the unpacker finds in the input.
 *
 * The first byte picks the root name ("fw.bin", "passwd", "shadow", "rcS", "snmpd.conf"),
 * so text analysers that decide by name see a whole input as their file; the seed corpus
 * also holds tar archives with planted files at their usual paths, reached through nesting.
 * Properties (abort() so libFuzzer reports them): the analysis never fails for a reason
 * other than the input; every finding has an id, a category, a severity in range and a path
 * that starts with the root name; the list is sorted by path.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vouch/findings.h"
#include "vouch/scan.h"

#define FUZZ_MAX_INPUT (1u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = {"fw.bin", "passwd", "shadow", "rcS", "snmpd.conf"};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vouch_scan_opts o;
	vouch_analysis_opts ao;
	vouch_scan *scan = NULL;
	vouch_findings *fs = NULL;
	vouch_analysis *an = NULL;
	vouch_visitor v;
	const char *name;

	if (size < 1 || size > FUZZ_MAX_INPUT) {
		return 0;
	}
	name = names[data[0] % (sizeof(names) / sizeof(names[0]))];
	vouch_scan_opts_default(&o);
	o.threads = 1;
	o.no_magic = true;
	memset(&ao, 0, sizeof(ao));
	ao.crack_seconds = 0.05; /* a bounded crack per input */
	if (vouch_findings_new(&fs) != VOUCH_OK || vouch_analysis_new(&an, &ao, fs) != VOUCH_OK ||
	    vouch_scan_new(&scan, &o) != VOUCH_OK) {
		abort();
	}
	vouch_analysis_visitor(an, &v);
	vouch_scan_set_visitor(scan, &v);
	(void)vouch_scan_run_buffer(scan, name, data + 1, size - 1);
	if (vouch_analysis_finish(an, vouch_scan_report(scan)) != VOUCH_OK) {
		abort();
	}
	size_t n = 0;
	const vouch_finding *f = vouch_findings_list(fs, &n);
	for (size_t i = 0; i < n; i++) {
		if (f[i].id == NULL || f[i].category == NULL || f[i].severity > VOUCH_SEV_CRITICAL ||
		    f[i].path == NULL) {
			abort();
		}
		if (f[i].path[0] != '\0' && strncmp(f[i].path, name, strlen(name)) != 0) {
			abort(); /* "" only for the collection's own limit finding */
		}
		if (i > 0 && strcmp(f[i - 1].path, f[i].path) > 0) {
			abort();
		}
	}
	vouch_scan_free(scan);
	vouch_analysis_free(an);
	vouch_findings_free(fs);
	return 0;
}
