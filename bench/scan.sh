#!/usr/bin/env bash
# bench/scan.sh [VOUCH]: the indicator scan of vouch against the peer pipeline, and the
# analysis pass alone on one core.
#
# 1. Pattern pass (bench/scan_bench, one thread, no unpacker): every analyser's patterns in
#    one vectorscan database over BENCH_SCAN_TREE (default /usr/bin, up to 256 MiB read into
#    memory first). Target: >= 1 GB/s per core.
# 2. Whole scan, on the same generated image (BENCH_SCAN_IMAGE, default bench/out/medium.bin
#    from bench/make-bench-images.sh), median of BENCH_REPS runs (default 3), warm cache:
#      vouch scan --json --yara R IMAGE                 unpack in memory + every analyser
#                                                       + components + YARA, one pass
#      binwalk -Me -C D IMAGE; checksec --dir=D --output=json; yara -r -w R D
#                                                       extract to disk, then hardening,
#                                                       then the same YARA rules (R =
#                                                       bench/scan-rules.yar, the built-in
#                                                       patterns written as YARA rules)
#    Target: peer / vouch >= 10.
set -uo pipefail
cd "$(dirname "$0")/.."
VOUCH=${1:-build/vouch}
REPS=${BENCH_REPS:-3}
TREE=${BENCH_SCAN_TREE:-/usr/bin}
IMG=${BENCH_SCAN_IMAGE:-bench/out/medium.bin}
RULES=bench/scan-rules.yar
SB=$(dirname "$VOUCH")/bench/scan_bench

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
seconds() { # CMD...: wall seconds of one run, output discarded
	local t0 t1
	t0=$(date +%s.%N)
	"$@" >/dev/null 2>&1
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
}

echo "== scan: pattern pass on one core ($TREE)"
if [ -x "$SB" ]; then
	"$SB" "$TREE" 256
else
	echo "  $SB not built"
fi

[ -x "$VOUCH" ] || { echo "bench/scan: $VOUCH not built" >&2; exit 1; }
if [ ! -s "$IMG" ] && [ "$IMG" = bench/out/medium.bin ]; then
	bash bench/make-bench-images.sh bench/out >/dev/null || true
fi
[ -s "$IMG" ] || { echo "bench/scan: no image $IMG" >&2; exit 1; }
for t in binwalk checksec yara; do
	command -v $t >/dev/null 2>&1 || { echo "bench/scan: $t is not installed" >&2; exit 1; }
done
work=$(mktemp -d "${TMPDIR:-/tmp}/vouch-scan-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
cat "$IMG" >/dev/null

vouch_run() { "$VOUCH" scan --json -q --fail-on never --yara "$RULES" "$IMG"; }
peer_run() {
	rm -rf "$work/x"
	mkdir -p "$work/x"
	binwalk -Me --run-as=root -q -C "$work/x" "$IMG" >/dev/null 2>&1
	checksec --dir="$work/x" --output=json >/dev/null 2>&1
	yara -r -w "$RULES" "$work/x" >/dev/null 2>&1
}
tv="" tp=""
for ((i = 0; i < REPS; i++)); do
	tv+="$(seconds vouch_run)"$'\n'
	tp+="$(seconds peer_run)"$'\n'
done
mv=$(printf '%s' "$tv" | median)
mp=$(printf '%s' "$tp" | median)
nf=$("$VOUCH" scan --json -q --fail-on never "$IMG" 2>/dev/null |
	python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d["findings"]), d["inventory"]["files"])')
echo "== scan: $IMG ($(($(stat -c %s "$IMG") >> 20)) MiB; vouch: $nf findings/files), median of $REPS"
printf '  %-52s %8ss\n' "vouch scan --json --yara R" "$mv" \
	"binwalk -Me + checksec --dir + yara -r R" "$mp"
awk -v v="$mv" -v p="$mp" 'BEGIN {
	r = v > 0 ? p / v : 0
	printf "  peer/vouch = %.1fx (target >= 10): %s\n", r, r >= 10 ? "met" : "NOT met" }'
