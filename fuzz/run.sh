#!/usr/bin/env bash
# fuzz/run.sh SECONDS: build every libFuzzer harness (clang) and run each for SECONDS,
# starting from its seed corpus; new inputs go to fuzz/out/<format>/ (not committed), crashes
# to fuzz/out/crash-<format>-*.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-30}
if [ ! -f build-fuzz/build.ninja ]; then
	CC=clang meson setup build-fuzz -Dfuzz=true -Dtests=false --buildtype=debugoptimized \
		-Db_sanitize=address,undefined -Db_lundef=false -Dplain_malloc=true >/dev/null
fi
ninja -C build-fuzz >/dev/null
status=0
for exe in build-fuzz/fuzz/fuzz-*; do
	[ -f "$exe" ] && [ -x "$exe" ] || continue
	f=${exe##*/fuzz-}
	mkdir -p "fuzz/out/$f"
	echo "fuzz: $f for ${secs}s"
	if ! "$exe" -max_total_time="$secs" -max_len=262144 -rss_limit_mb=2048 \
		-artifact_prefix="fuzz/out/crash-$f-" "fuzz/out/$f" "fuzz/corpus/$f" \
		>"fuzz/out/$f.log" 2>&1; then
		echo "fuzz: $f FOUND A PROBLEM, see fuzz/out/$f.log"
		status=1
	else
		grep -E '^Done|#[0-9]+.*DONE' "fuzz/out/$f.log" | tail -1 || true
	fi
done
exit $status
