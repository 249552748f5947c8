#!/usr/bin/env bash
# tests/e2e/test_shared_samples.sh VOUCH: the real third-party samples in
# ../shared/vectors/firmware (relative to the repository root; 239 files from binwalk,
# fact_extractor and FACT_core test data).
#
#  1. Every sample goes through `vouch inventory --json` (the binary given, normally the
#     ASan+UBSan build) under a timeout: it must end with status 0, 4, 5 or 6, print valid
#     JSON and raise no sanitizer report. Samples whose expectation needs it also go through
#     `vouch unpack -o DIR`.
#  2. tests/fixtures/shared-expect.tsv, transcribed by hand from the samples' README (the
#     "Expected" column: the std set of three files with their sha256, binwalk's lsb-release
#     digest, sizes, names, modes, offsets), is checked for every row whose formats vouch
#     claims (`vouch formats`); the other rows are printed as 'skip:' with what they need.
#  3. A summary: recall over claimed rows and over all rows, precision, negatives.
# The whole suite is skipped, with a message and '0 passed, 0 failed', when the samples are
# absent. Exit status 0 only if every counted case passes.
set -uo pipefail

vouch=${1:?usage: test_shared_samples.sh VOUCH}
repo=$(cd "$(dirname "$0")/../.." && pwd)
samples=${VOUCH_SHARED_SAMPLES:-$repo/../shared/vectors/firmware}
expect=$repo/tests/fixtures/shared-expect.tsv
jobs=${VOUCH_TEST_JOBS:-2}
per_sample_timeout=${VOUCH_SAMPLE_TIMEOUT:-60}

if [ ! -f "$samples/manifest.tsv" ]; then
	echo "skip: $samples/manifest.tsv not found (../shared is absent): shared samples not run"
	echo "0 passed, 0 failed"
	exit 0
fi
for tool in python3 timeout xargs; do
	command -v "$tool" >/dev/null 2>&1 || {
		echo "FAIL: required tool $tool is missing"
		echo "0 passed, 1 failed"
		exit 1
	}
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$vouch" formats >"$work/formats" 2>/dev/null || {
	echo "FAIL: vouch formats failed"
	echo "0 passed, 1 failed"
	exit 1
}

# samples whose expectations read what `vouch unpack` wrote
unpack_list=$(awk -F'\t' '!/^#/ && $3 ~ /nolinkescape/ { print $1 }' "$expect")

# one job per sample: index<TAB>path, results in $work/INDEX.{json,rc,err,out}
tail -n +2 "$samples/manifest.tsv" | cut -f1 | awk '{ printf "%d\t%s\n", NR - 1, $0 }' \
	>"$work/list"
export vouch samples work per_sample_timeout unpack_list
run_one() {
	local i=${1%%$'\t'*} p=${1#*$'\t'}
	timeout -k 5 "$per_sample_timeout" "$vouch" inventory "$samples/$p" --json -q \
		>"$work/$i.json" 2>"$work/$i.err" </dev/null
	echo $? >"$work/$i.rc"
	if grep -qxF -- "$p" <<<"$unpack_list"; then
		timeout -k 5 "$per_sample_timeout" "$vouch" unpack "$samples/$p" -o "$work/$i.out" -q \
			>/dev/null 2>>"$work/$i.err" </dev/null
	fi
}
export -f run_one
tr '\n' '\0' <"$work/list" | xargs -0 -P "$jobs" -I{} bash -c 'run_one "$1"' _ {}

python3 "$repo/tests/fixtures/shared_check.py" "$expect" "$samples" "$work" "$work/formats"
