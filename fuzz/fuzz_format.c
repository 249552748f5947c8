/*
 * fuzz/fuzz_format.c: one libFuzzer harness per format parser, from one source.
 *
 * Built once per format with -DFUZZ_FORMAT="<name>": the input is scanned in memory with
 * that format forced at offset 0, so mutations that break the signature still reach the
 * parser, and whatever it yields is unpacked further by the real engine (carving, nested
 * formats), exactly as in production. Nothing is written to disk. Limits are lowered so that
 * one input cannot run for long or produce much.
 * Built without libFuzzer (gcc, or clang without -fsanitize=fuzzer), replay.c supplies main()
 * and the harness replays its seed corpus as an ordinary test in every build.
 */
#include <stddef.h>
#include <stdint.h>

#include "vouch/vouch.h"

#ifndef FUZZ_FORMAT
#error "build with -DFUZZ_FORMAT=\"name\""
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vouch_scan_opts o;
	vouch_scan *s = NULL;

	vouch_scan_opts_default(&o);
	o.threads = 1;
	o.no_magic = true;
	o.force_format = FUZZ_FORMAT;
	o.limits.max_output_bytes = 64ULL << 20;
	o.limits.max_member_bytes = 16ULL << 20;
	o.limits.max_files = 10000;
	o.limits.max_seconds = 10;
	o.limits.max_depth = 8;
	if (vouch_scan_new(&s, &o) != VOUCH_OK) {
		return 0;
	}
	(void)vouch_scan_run_buffer(s, "fuzz.bin", data, size);
	vouch_scan_free(s);
	return 0;
}
