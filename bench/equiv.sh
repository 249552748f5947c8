#!/usr/bin/env bash
# bench/equiv.sh [VOUCH]: binary equivalence, vouch against diffoscope on the same pairs.
#
# Times (median of BENCH_REPS runs, default 3, wall clock, warm page cache)
#   vouch equiv --json A B                          pairing, digests, ELF parts classified
#   diffoscope --exclude-directory-metadata=recursive --json OUT A B
#                                                   Debian's diffoscope (readelf, objdump,
#                                                   strings... per differing file)
# on the fixture pairs of tests/fixtures/make-equiv-fixture.sh (made when missing): the two
# clean builds as trees, the clean build against the code change, the squashfs images, and a
# Debian armhf library against its objcopy'd copy. Both tools answer "which files differ";
# vouch also says whether only benign parts do. Prints one row per pair and the ratio
# diffoscope/vouch.
set -uo pipefail
cd "$(dirname "$0")/.."
VOUCH=${1:-build/vouch}
REPS=${BENCH_REPS:-3}
FIX=tests/fixtures/out/equiv

command -v diffoscope >/dev/null 2>&1 || { echo "bench/equiv: diffoscope is not installed" >&2; exit 1; }
[ -x "$VOUCH" ] || { echo "bench/equiv: $VOUCH not built" >&2; exit 1; }
if [ ! -s "$FIX/fw-b.bin" ]; then
	bash tests/fixtures/make-equiv-fixture.sh >/dev/null 2>&1 || true
fi
[ -s "$FIX/fw-b.bin" ] || { echo "bench/equiv: no fixtures in $FIX" >&2; exit 1; }

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
seconds() {
	local t0 t1
	t0=$(date +%s.%N)
	"$@" >/dev/null 2>&1
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f\n", b - a }'
}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
vouch_run() { "$VOUCH" equiv --json -q "$1" "$2"; }
diffoscope_run() { rm -f "$out"; diffoscope --exclude-directory-metadata=recursive --json "$out" "$1" "$2"; }

pairs="tree-a:tree-b tree-b:tree-c a.sqfs:b.sqfs"
[ -f "$FIX/deb/benign/libexpat.so.1" ] && pairs="$pairs deb/orig/libexpat.so.1:deb/benign/libexpat.so.1"
echo "== equiv: vouch equiv vs diffoscope $(diffoscope --version 2>/dev/null | awk '{print $2}'), median of $REPS"
printf '  %-52s %9s %11s %8s\n' pair vouch diffoscope ratio
for p in $pairs; do
	a=$FIX/${p%%:*}
	b=$FIX/${p##*:}
	find "$a" "$b" -type f -exec cat {} + >/dev/null # warm the page cache for both alike
	tv="" td=""
	for ((i = 0; i < REPS; i++)); do
		tv+="$(seconds vouch_run "$a" "$b")"$'\n'
		td+="$(seconds diffoscope_run "$a" "$b")"$'\n'
	done
	mv=$(printf '%s' "$tv" | median)
	md=$(printf '%s' "$td" | median)
	awk -v p="${p%%:*} vs ${p##*:}" -v v="$mv" -v d="$md" 'BEGIN {
		printf "  %-52s %8.3fs %10.3fs %7.0fx\n", p, v, d, (v > 0) ? d / v : 0
	}'
done
