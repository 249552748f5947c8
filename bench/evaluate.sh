#!/usr/bin/env bash
# bench/evaluate.sh [VOUCH]: `vouch evaluate` end to end against the sum of the peer tools'
# times for the same work, on the same generated image (BENCH_SCAN_IMAGE, default
# bench/out/medium.bin), median of BENCH_REPS runs (default 3), warm cache.
#   vouch delivery submit + vouch evaluate (unpack in memory, inventory, components, known
#   vulnerabilities when a database is there, every indicator analyser, hardening, policy,
#   signed attestation appended to the log) + vouch bundle
# against
#   sha256sum of the image (intake), binwalk -Me (unpacking), checksec --dir (hardening),
#   yara -r with bench/scan-rules.yar (the indicator patterns as YARA rules), and
#   `vouch log append` + checkpoint (the peers have no signing log: ours stands in, so the
#   comparison leaves that step equal).
# No SBOM generator or CVE matcher is packaged for Debian 12 (syft, trivy, cve-bin-tool):
# the peers' sum therefore lacks that work, which favours them.
set -uo pipefail
cd "$(dirname "$0")/.."
VOUCH=${1:-build/vouch}
REPS=${BENCH_REPS:-3}
IMG=${BENCH_SCAN_IMAGE:-bench/out/medium.bin}
RULES=bench/scan-rules.yar
DB=${BENCH_VULNDB:-demo/vulndb.sqlite}

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
seconds() {
	local t0 t1
	t0=$(date +%s.%N)
	"$@" >/dev/null 2>&1
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
}
[ -x "$VOUCH" ] || { echo "bench/evaluate: $VOUCH not built" >&2; exit 1; }
if [ ! -s "$IMG" ] && [ "$IMG" = bench/out/medium.bin ]; then
	bash bench/make-bench-images.sh bench/out >/dev/null || true
fi
[ -s "$IMG" ] || { echo "bench/evaluate: no image $IMG" >&2; exit 1; }
for t in binwalk checksec yara; do
	command -v $t >/dev/null 2>&1 || { echo "bench/evaluate: $t is not installed" >&2; exit 1; }
done
VOUCH=$(cd "$(dirname "$VOUCH")" && pwd)/$(basename "$VOUCH")
IMG=$(cd "$(dirname "$IMG")" && pwd)/$(basename "$IMG")
RULES=$(pwd)/$RULES
dbopt=()
[ -s "$DB" ] && dbopt=(--db "$(cd "$(dirname "$DB")" && pwd)/$(basename "$DB")")
work=$(mktemp -d "${TMPDIR:-/tmp}/vouch-eval-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/d"
ln "$IMG" "$work/d/fw.bin" 2>/dev/null || cp "$IMG" "$work/d/fw.bin"
printf '{"manifest_version":1,"vendor":"bench","product":"medium","version":"1","artefacts":[{"path":"fw.bin","role":"firmware","sha256":"%s"}]}' \
	"$(sha256sum <"$IMG" | cut -d' ' -f1)" >"$work/d/vouch-delivery.json"
cat "$IMG" >/dev/null

vouch_run() {
	rm -rf "$work/lab"
	"$VOUCH" delivery submit --lab "$work/lab" --json "$work/d" >"$work/r.json" &&
		id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$work/r.json") &&
		"$VOUCH" evaluate --lab "$work/lab" -q "${dbopt[@]}" "$id"
	"$VOUCH" bundle --lab "$work/lab" -o "$work/b.json" "$id"
}
peer_run() {
	rm -rf "$work/x" "$work/plog"
	mkdir -p "$work/x"
	sha256sum "$IMG" >/dev/null
	binwalk -Me --run-as=root -q -C "$work/x" "$IMG" >/dev/null 2>&1
	checksec --dir="$work/x" --output=json >/dev/null 2>&1
	yara -r -w "$RULES" "$work/x" >"$work/y.txt" 2>&1
	"$VOUCH" log --log "$work/plog" init --origin bench/peer >/dev/null 2>&1
	"$VOUCH" log --log "$work/plog" append "$work/y.txt" >/dev/null 2>&1
	"$VOUCH" log --log "$work/plog" checkpoint >/dev/null 2>&1
}
tv="" tp=""
for ((i = 0; i < REPS; i++)); do
	tv+="$(seconds vouch_run)"$'\n'
	tp+="$(seconds peer_run)"$'\n'
done
mv=$(printf '%s' "$tv" | median)
mp=$(printf '%s' "$tp" | median)
echo "== evaluate: $IMG ($(($(stat -c %s "$IMG") >> 20)) MiB), median of $REPS," \
	"${dbopt[*]:-no vulnerability database}"
printf '  %-60s %8ss\n' "vouch delivery submit + evaluate + bundle" "$mv" \
	"sha256sum + binwalk -Me + checksec --dir + yara -r + log" "$mp"
awk -v v="$mv" -v p="$mp" 'BEGIN { r = 0; if (v > 0) r = p / v; printf "  peers/vouch = %.1fx\n", r }'
