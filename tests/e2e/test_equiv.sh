#!/usr/bin/env bash
# tests/e2e/test_equiv.sh: `vouch equiv` on real builds. Usage: test_equiv.sh VOUCH
#
# Fixtures: tests/fixtures/make-equiv-fixture.sh (made here when missing): one C project built
# twice from two build directories with two SOURCE_DATE_EPOCHs (x86-64 program, stripped copy
# with a debug link, shared library, armhf program, a signed module-shaped object), a third
# build with a one-line code change, the trees packed by mksquashfs (and behind zero padding),
# and a real Debian armhf library changed by objcopy.
#
# 1. Identical inputs (tree, image, single file): every pair identical, exit 0.
# 2. tests/fixtures/equiv_check.py: the clean builds are equivalent with exactly the classes
#    their build explains, the differing sections agree with readelf -x per section, the
#    path and timestamp ranges lie inside the build directory names and gcc's __DATE__ /
#    __TIME__ for each epoch; the code change is "different" with .text classified code;
#    missing and extra files; images give the answers directories give; the objcopy'd
#    Debian library; agreement with diffoscope (skipped without it).
# 3. Human output: the summary line first, non-identical files after it; -q only the line.
# 4. Exit statuses: usage 2, unreadable input 3.
set -uo pipefail
vouch=${1:?usage: $0 VOUCH}
vouch=$(cd "$(dirname "$vouch")" && pwd)/$(basename "$vouch")
here=$(cd "$(dirname "$0")/.." && pwd)
fix=$here/fixtures/out/equiv
. "$(dirname "$0")/common.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for tool in gcc mksquashfs readelf python3; do
	command -v "$tool" >/dev/null || {
		echo "skip: $tool not installed"
		echo "$pass passed, $fail failed"
		exit 0
	}
done
if [ ! -s "$fix/fw-b.bin" ]; then
	bash "$here/fixtures/make-equiv-fixture.sh" "$fix" >"$work/fixture.log" 2>&1 ||
		{ cat "$work/fixture.log"; bad "make-equiv-fixture.sh failed"; echo "$pass passed, $fail failed"; exit 1; }
fi

# ---- 1. identical inputs ----
for in in tree-a a.sqfs fw-a.bin tree-a/usr/bin/app; do
	"$vouch" equiv --json "$fix/$in" "$fix/$in" >"$work/same.json" 2>"$work/err"
	rc=$?
	if [ "$rc" -eq 0 ] && jq -e '(.files | length) > 0 and
		all(.files[]; .verdict == "identical") and .summary.proven_percent == 100' \
		"$work/same.json" >/dev/null; then
		ok "$in against itself: $(jq '.files | length' "$work/same.json") pairs, all identical, exit 0"
	else
		bad "$in against itself (exit $rc): $(head -c 300 "$work/err")"
	fi
done
n_tree=$(find "$fix/tree-a" ! -type d | wc -l)
n_json=$(jq '.files | length' <("$vouch" equiv --json "$fix/tree-a" "$fix/tree-a"))
[ "$n_tree" = "$n_json" ] && ok "a tree pairs every non-directory entry find lists ($n_tree)" ||
	bad "find lists $n_tree entries, vouch paired $n_json"

# ---- 2. the structured checks ----
python3 "$here/fixtures/equiv_check.py" "$vouch" "$fix" "$work" >"$work/check.out" 2>&1
tally "$work/check.out"

# ---- 3. human output ----
"$vouch" equiv "$fix/tree-b" "$fix/tree-c" >"$work/human.txt" 2>&1
head -1 "$work/human.txt" | grep -qE '^equiv: [0-9]+ pairs: [0-9]+ identical, [0-9]+ equivalent, [0-9]+ different' &&
	ok "human output: the summary line comes first" || bad "human output: no summary line first"
grep -qE '^different +usr/bin/app +\[.*code' "$work/human.txt" &&
	grep -qE '^ +\.text +differs +code' "$work/human.txt" &&
	ok "human output: usr/bin/app different, .text differs: code" ||
	bad "human output lacks the .text difference: $(head -c 600 "$work/human.txt")"
grep -qE '^identical' "$work/human.txt" && bad "human output lists identical files" ||
	ok "human output: identical files are not listed"
[ "$("$vouch" equiv -q "$fix/tree-b" "$fix/tree-c" | wc -l)" -eq 1 ] &&
	ok "-q: only the summary line" || bad "-q printed more than the summary line"

# ---- 4. exit statuses ----
expect "one argument: usage (2)" 2 "$vouch" equiv "$fix/tree-a"
expect "an unknown option: usage (2)" 2 "$vouch" equiv --bogus "$fix/tree-a" "$fix/tree-b"
expect "a missing input: unreadable (3)" 3 "$vouch" equiv "$fix/tree-a" "$work/absent"
expect "--help: 0" 0 "$vouch" equiv --help

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
