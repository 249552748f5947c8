#!/usr/bin/env bash
# bench/tlog.sh: the transparency-log figures (appends/s with batching, tile export of 1M
# entries, inclusion-proof time at 10^3..10^7 entries). Usage: bench/tlog.sh [BUILD_DIR]
# [MAX_EXPONENT]. Needs about 3 GB of free space in $TMPDIR for the 10^7 log.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
exp=${2:-7}
bin=$build/bench/tlog_bench
if [ ! -x "$bin" ]; then
	echo "tlog.sh: $bin not built; run: ninja -C $build" >&2
	exit 1
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/vouch-tlog-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "== transparency log ($(nproc) cores)"
"$bin" "$work" "$exp"
