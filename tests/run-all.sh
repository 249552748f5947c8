#!/usr/bin/env bash
# tests/run-all.sh: every test of vouch, as `make check` runs it.
#
#  1. the sanitizer build (clang, ASan+UBSan, plain malloc): meson test (unit tests, fuzz
#     corpus replay, tlog tests...);
#  2. the gcc build: the same meson test suite;
#  3. every end-to-end script tests/e2e/test_*.sh, run with the sanitizer build's vouch
#     (each takes the vouch binary as $1 and ends with a line 'N passed, N failed');
# then one closing line 'N passed, N failed' over everything. Exit status 0 only if all pass.
set -uo pipefail
cd "$(dirname "$0")/.."
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

passed=0
failed=0
failures=()

count_meson() { # build dir
	local dir=$1
	local log=$dir/meson-logs/testlog.json ok bad
	if meson test -C "$dir" --print-errorlogs --num-processes 2 >"$dir/meson-test.out" 2>&1; then :; fi
	tail -n 12 "$dir/meson-test.out" | sed "s|^|  [$dir] |"
	ok=$(grep -cE '"result": "(OK|EXPECTEDFAIL)"' "$log" 2>/dev/null || true)
	bad=$(grep -cE '"result": "(FAIL|TIMEOUT|ERROR|UNEXPECTEDPASS)"' "$log" 2>/dev/null || true)
	ok=${ok:-0}
	bad=${bad:-0}
	passed=$((passed + ok))
	failed=$((failed + bad))
	if [ "$bad" -gt 0 ]; then
		failures+=("meson test in $dir: $bad failed (see $dir/meson-logs/testlog.txt)")
	fi
	if [ $((ok + bad)) -eq 0 ]; then
		failed=$((failed + 1))
		failures+=("meson test in $dir ran no test")
	fi
}

# the generated fixtures first: unit tests read them too (real Debian trees), and skip without
echo "== fixtures"
if [ ! -s tests/fixtures/out/rootfs/bin/busybox ]; then
	bash tests/fixtures/make-fixtures.sh >tests/fixtures/make-fixtures.log 2>&1 ||
		{ failed=$((failed + 1)); failures+=("make-fixtures.sh (see tests/fixtures/make-fixtures.log)"); }
fi
if [ ! -s tests/fixtures/out/sbom/sbom.bin ]; then
	bash tests/fixtures/make-sbom-fixture.sh >tests/fixtures/make-sbom-fixture.log 2>&1 ||
		{ failed=$((failed + 1)); failures+=("make-sbom-fixture.sh (see tests/fixtures/make-sbom-fixture.log)"); }
fi
if [ ! -s tests/fixtures/out/equiv/fw-b.bin ]; then
	bash tests/fixtures/make-equiv-fixture.sh >tests/fixtures/make-equiv-fixture.log 2>&1 ||
		{ failed=$((failed + 1)); failures+=("make-equiv-fixture.sh (see tests/fixtures/make-equiv-fixture.log)"); }
fi
if [ ! -s tests/fixtures/out/diff/v2.bin ]; then
	bash tests/fixtures/make-diff-fixture.sh >tests/fixtures/make-diff-fixture.log 2>&1 ||
		{ failed=$((failed + 1)); failures+=("make-diff-fixture.sh (see tests/fixtures/make-diff-fixture.log)"); }
fi

echo "== unit and corpus tests (ASan+UBSan)"
count_meson build-san
echo "== unit and corpus tests (gcc)"
count_meson build

vouch=build-san/vouch
for t in tests/e2e/test_*.sh; do
	[ -f "$t" ] || continue
	name=${t##*/}
	echo "== $name"
	out=$(mktemp)
	if timeout 1200 bash "$t" "$PWD/$vouch" >"$out" 2>&1; then rc=0; else rc=$?; fi
	# every failure line, wherever it is, then the end of the output (the summary)
	grep -E '^[[:space:]]*(FAIL|not ok)' "$out" | sed 's/^/  /'
	sed 's/^/  /' "$out" | tail -n 25
	line=$(grep -E '^([A-Za-z-]+: )?[0-9]+ passed, [0-9]+ failed' "$out" | tail -1)
	if [ -n "$line" ]; then
		p=$(sed -E 's/^([A-Za-z-]+: )?([0-9]+) passed, ([0-9]+) failed.*/\2/' <<<"$line")
		f=$(sed -E 's/^([A-Za-z-]+: )?([0-9]+) passed, ([0-9]+) failed.*/\3/' <<<"$line")
	else
		p=0
		f=1
	fi
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1 # the script failed without saying so
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$f" -gt 0 ]; then
		failures+=("$name: $f failed (exit $rc)")
	fi
	rm -f "$out"
done

echo
for f in "${failures[@]}"; do
	echo "FAILED: $f"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
