#!/usr/bin/env bash
# bench/hardening.sh [VOUCH]: the hardening check of vouch against checksec on the same tree.
#
# Times (median of BENCH_REPS runs, default 3, wall clock, warm page cache)
#   find TREE -type f -exec vouch elf --json {} +     every file read once and analysed in
#                                                     memory (non-ELF files are refused)
#   checksec --dir=TREE --output=json                 Debian's checksec 2.6 (readelf, file,
#                                                     grep... per file)
# Both walk the same tree and look at every regular file, so each pays for telling ELF from
# the rest. TREE is BENCH_HARDENING_TREE, else the fixture router tree
# (tests/fixtures/out/rootfs, built by tests/fixtures/make-fixtures.sh when missing).
# Prints both medians and the ratio checksec/vouch (target >= 20).
set -uo pipefail
cd "$(dirname "$0")/.."
VOUCH=${1:-build/vouch}
REPS=${BENCH_REPS:-3}
TREE=${BENCH_HARDENING_TREE:-tests/fixtures/out/rootfs}

command -v checksec >/dev/null 2>&1 || { echo "bench/hardening: checksec is not installed" >&2; exit 1; }
[ -x "$VOUCH" ] || { echo "bench/hardening: $VOUCH not built" >&2; exit 1; }
if [ ! -d "$TREE" ]; then
	bash tests/fixtures/make-fixtures.sh >/dev/null 2>&1 || true
fi
[ -d "$TREE" ] || { echo "bench/hardening: no tree $TREE (make fixtures)" >&2; exit 1; }

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
# seconds CMD...: wall seconds of one run, output discarded
seconds() {
	local t0 t1
	t0=$(date +%s.%N)
	"$@" >/dev/null 2>&1
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f\n", b - a }'
}
vouch_run() { find "$TREE" -type f -exec "$VOUCH" elf --json {} +; }
checksec_run() { checksec --dir="$TREE" --output=json; }

nfiles=$(find "$TREE" -type f | wc -l)
nelf=$(find "$TREE" -type f -exec sh -c 'for f; do [ "$(head -c 4 "$f" | od -An -c | tr -d " ")" = "177ELF" ] && echo; done' _ {} + | wc -l)
find "$TREE" -type f -exec cat {} + >/dev/null # warm the page cache for both alike
tv="" tc=""
for ((i = 0; i < REPS; i++)); do
	tv+="$(seconds vouch_run)"$'\n'
	tc+="$(seconds checksec_run)"$'\n'
done
mv=$(printf '%s' "$tv" | median)
mc=$(printf '%s' "$tc" | median)
echo "== hardening: $TREE ($nfiles files, $nelf ELF), median of $REPS"
printf '  %-34s %8ss\n' "vouch elf --json (find -exec +)" "$mv" "checksec --dir --output=json" "$mc"
awk -v v="$mv" -v c="$mc" 'BEGIN {
	r = (v > 0) ? c / v : 0
	printf "  ratio checksec/vouch   %8.1fx   (target >= 20)%s\n", r, (r >= 20) ? "" : "  MISSED"
}'
