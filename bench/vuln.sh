#!/usr/bin/env bash
# bench/vuln.sh: the vulnerability-database figures (bench/run.sh calls it).
#   1. `vouch vulndb import` of the whole ../shared/vulndb into a fresh database: median
#      wall time of 3 runs and peak RSS (/usr/bin/time), when ../shared is present;
#   2. build/bench/vuln_bench: a synthetic 300,000-record database shaped from the real NVD
#      2.0 records' configurations (import time), then matching 1,000 components against it
#      (median of 5 runs; the issue's target is < 1 s).
# Usage: bench/vuln.sh [BUILD_DIR] [RECORDS]. Needs ~2.5 GB free in $TMPDIR.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
n=${2:-300000}
bin=$build/bench/vuln_bench
vouch=$build/vouch
shared=${VOUCH_SHARED:-../shared}
if [ ! -x "$bin" ] || [ ! -x "$vouch" ]; then
	echo "vuln.sh: $bin or $vouch not built; run: ninja -C $build" >&2
	exit 1
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/vouch-vuln-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "== vulnerability database ($(nproc) cores)"
templates=-
if [ -d "$shared/vulndb" ]; then
	times=""
	for i in 1 2 3; do
		rm -f "$work"/shared.sqlite*
		/usr/bin/time -f '%e %M' -o "$work/time" "$vouch" vulndb import --db "$work/shared.sqlite" \
			"$shared/vulndb" >"$work/out" 2>&1
		read -r t m <"$work/time"
		times+="$t"$'\n'
	done
	med=$(printf '%s' "$times" | sort -n | sed -n 2p)
	echo "vulndb import of $shared/vulndb ($(tail -1 "$work/out")): median ${med}s of 3, peak $((m / 1024)) MiB"
	templates=$shared/vulndb/nvd-2.0
else
	echo "vulndb import of ../shared/vulndb: skipped (../shared absent); synthetic records use built-in shapes"
fi
"$bin" "$work" "$templates" "$n"
