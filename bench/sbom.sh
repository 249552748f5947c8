#!/usr/bin/env bash
# bench/sbom.sh [BUILD]: what component identification adds to a scan (issue 4 target: under
# 10% of the unpacking time). For each bench image, interleaved, 3 runs each: `vouch
# inventory --no-magic --json` (the unpacker's one pass, no identification) against `vouch
# sbom --json` (the same pass with the identifier as its visitor: vectorscan over every byte,
# ELF facts, package databases), and `vouch unpack -o DIR` for the unpacking time the target
# speaks of. Prints medians and the ratios. No peer SBOM generator is packaged in Debian 12
# (syft, trivy and cve-bin-tool are not), so none is run here.
set -uo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
vouch=$build/vouch
out=bench/out
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
t() { # command...: wall seconds
	local s e
	s=$(date +%s.%N)
	"$@" >/dev/null 2>&1
	e=$(date +%s.%N)
	echo "$e - $s" | bc
}
for img in medium large; do
	f=$out/$img.bin
	[ -s "$f" ] || { echo "sbom bench: $f missing (bench/make-bench-images.sh)"; continue; }
	: >/tmp/vouch-sbom-bench.inv
	: >/tmp/vouch-sbom-bench.sbom
	: >/tmp/vouch-sbom-bench.unp
	for i in 1 2 3; do
		t "$vouch" inventory --no-magic --json "$f" >>/tmp/vouch-sbom-bench.inv
		t "$vouch" sbom --json -q "$f" >>/tmp/vouch-sbom-bench.sbom
		d=$(mktemp -d -p "$out")
		t "$vouch" unpack -q -o "$d/x" "$f" >>/tmp/vouch-sbom-bench.unp
		rm -rf "$d"
	done
	inv=$(median </tmp/vouch-sbom-bench.inv)
	sb=$(median </tmp/vouch-sbom-bench.sbom)
	un=$(median </tmp/vouch-sbom-bench.unp)
	n=$("$vouch" sbom -q "$f" | tail -n +2 | wc -l)
	echo "sbom $img: scan without identification ${inv} s, with identification ${sb} s" \
		"($n components), unpack -o ${un} s"
	awk -v i="$inv" -v s="$sb" -v u="$un" 'BEGIN {
		printf "  identification adds    %6.1f%% to the scan,  %6.1f%% of the unpacking time (target < 10%%)%s\n",
			(s - i) * 100 / i, (s - i) * 100 / u, ((s - i) * 100 / u < 10) ? "" : "  MISSED" }'
done
rm -f /tmp/vouch-sbom-bench.inv /tmp/vouch-sbom-bench.sbom /tmp/vouch-sbom-bench.unp
