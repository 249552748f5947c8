#!/usr/bin/env bash
# bench/run.sh: what `make bench` runs. vouch against its peers on the same images, one run.
#
# Usage: bench/run.sh [VOUCH]    (default build/vouch)
#   BENCH_REPS=N          timed runs per tool and image (default 3; the median is reported)
#   BENCH_BINWALK_REPS=N  runs of binwalk (default: BENCH_REPS on medium, 1 on large: a
#                         binwalk -Me of the 1 GiB image takes many minutes)
#   BENCH_TIMEOUT=S       per run (default 3600); a run that times out counts as S seconds
#   BENCH_IMAGES="medium large"   which images
#
# For each image built by bench/make-bench-images.sh (cached in bench/out) it times
#   vouch unpack IMAGE -o DIR -q            the whole firmware, recursively
#   binwalk -Me --run-as=root -C DIR IMAGE  the same firmware (Debian's binwalk 2.3.4)
#   unsquashfs -d DIR SQFS                  the squashfs alone (the decompression floor)
# with /usr/bin/time -f '%e %M' (wall seconds, peak RSS of the largest process), after one
# untimed read of the inputs so that every tool starts from a warm page cache. It prints one
# table row per tool (median seconds, peak RSS MiB, regular files on disk afterwards) and the
# ratios the issue sets targets for: binwalk/vouch (>= 3), vouch/unsquashfs (<= 1.5), and
# vouch's peak memory on the 1 GiB image (< 256 MiB). Then bench/tlog.sh if it exists.
set -uo pipefail
cd "$(dirname "$0")/.."
VOUCH=${1:-build/vouch}
REPS=${BENCH_REPS:-3}
TIMEOUT=${BENCH_TIMEOUT:-3600}
IMAGES=${BENCH_IMAGES:-medium large}
OUT=bench/out
RUN=$OUT/run

if [ ! -x "$VOUCH" ]; then
	echo "bench: $VOUCH not built (make build)" >&2
	exit 1
fi
bash bench/make-bench-images.sh "$OUT" || exit 1
have() { command -v "$1" >/dev/null 2>&1; }

# time_one TOOL OUTDIR CMD...: one run; prints "seconds peak_kib files"
time_one() {
	local dir=$2 tf=$RUN/time.txt
	shift 2
	rm -rf "$dir"
	mkdir -p "$dir"
	/usr/bin/time -f '%e %M' -o "$tf" timeout "$TIMEOUT" "$@" >"$RUN/last.log" 2>&1
	local rc=$? t m
	read -r t m < <(tail -n 1 "$tf")
	[ "$rc" -eq 124 ] && t=$TIMEOUT
	printf '%s %s %s %s\n' "$t" "$m" "$(find "$dir" -type f 2>/dev/null | wc -l)" "$rc"
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

# bench_tool IMAGE LABEL REPS CMD... (DIR in CMD is replaced by the output directory)
declare -A SEC MEM FILES
bench_tool() {
	local img=$1 label=$2 reps=$3 dir=$RUN/$1-$2 times="" mems="" files=0 line args=() a
	shift 3
	for ((i = 0; i < reps; i++)); do
		# a fresh directory per run, all removed after the tool's last run: ext4 makes
		# inode creation slow right after a mass delete (recently_deleted), which would
		# otherwise charge each run for the deletion of the previous one's output
		args=()
		for a in "$@"; do args+=("${a//@DIR@/$dir.$i}"); done
		sync
		line=$(time_one "$label" "$dir.$i" "${args[@]}")
		read -r t m f rc <<<"$line"
		echo "    $label run $((i + 1)): ${t}s, $((m / 1024)) MiB, $f files (exit $rc)" >&2
		times+="$t"$'\n'
		mems+="$m"$'\n'
		files=$f
	done
	rm -rf "$dir".*
	sync
	SEC[$img/$label]=$(printf '%s' "$times" | median)
	MEM[$img/$label]=$(printf '%s' "$mems" | sort -n | tail -1)
	FILES[$img/$label]=$files
}

mkdir -p "$RUN"
echo "== vouch $("$VOUCH" version 2>/dev/null | head -1) vs binwalk $(binwalk --help 2>&1 |
	sed -n 's/.*Binwalk v\([0-9.]*\).*/\1/p' | head -1) vs unsquashfs; $(nproc) cores; $REPS runs each, medians"
for img in $IMAGES; do
	bin=$OUT/$img.bin
	sqfs=$OUT/$img.sqfs
	[ -f "$bin" ] || continue
	echo "== $img: $(du -h "$bin" | cut -f1) firmware image ($(du -h "$sqfs" | cut -f1) squashfs)"
	cat "$bin" "$sqfs" >/dev/null # warm the page cache for every tool alike
	bench_tool "$img" vouch "$REPS" "$VOUCH" unpack "$bin" -o @DIR@ -q
	if have binwalk; then
		breps=${BENCH_BINWALK_REPS:-$([ "$img" = large ] && echo 1 || echo "$REPS")}
		bench_tool "$img" binwalk "$breps" binwalk -Me --run-as=root -q -C @DIR@ "$bin"
	fi
	bench_tool "$img" unsquashfs "$REPS" unsquashfs -no-progress -d @DIR@/root "$sqfs"
	printf '  %-11s %10s %14s %10s\n' tool 'median s' 'peak RSS MiB' files
	for tool in vouch binwalk unsquashfs; do
		[ -n "${SEC[$img/$tool]:-}" ] || continue
		printf '  %-11s %10s %14s %10s\n' "$tool" "${SEC[$img/$tool]}" \
			"$((${MEM[$img/$tool]} / 1024))" "${FILES[$img/$tool]}"
	done
	awk -v v="${SEC[$img/vouch]}" -v b="${SEC[$img/binwalk]:-0}" -v u="${SEC[$img/unsquashfs]}" \
		-v m="${MEM[$img/vouch]}" -v img="$img" 'BEGIN {
		if (b > 0) printf "  ratio binwalk/vouch     %6.2fx   (target >= 3)%s\n", b / v, (b / v >= 3) ? "" : "  MISSED"
		printf "  ratio vouch/unsquashfs  %6.2fx   (target <= 1.5)%s\n", v / u, (v / u <= 1.5) ? "" : "  MISSED"
		if (img == "large") printf "  vouch peak memory       %6.0f MiB (target < 256)%s\n", m / 1024, (m / 1024 < 256) ? "" : "  MISSED"
	}'
done
rm -rf "$RUN"

[ -f bench/hardening.sh ] && { bash bench/hardening.sh "$VOUCH" || echo "bench/hardening.sh failed"; }
[ -f bench/scan.sh ] && { bash bench/scan.sh "$VOUCH" || echo "bench/scan.sh failed"; }
[ -f bench/evaluate.sh ] && { bash bench/evaluate.sh "$VOUCH" || echo "bench/evaluate.sh failed"; }
if [ -f bench/tlog.sh ]; then
	bash bench/tlog.sh build || echo "bench/tlog.sh failed"
fi
if [ -f bench/sbom.sh ]; then
	bash bench/sbom.sh build || echo "bench/sbom.sh failed"
fi
[ -f bench/vuln.sh ] && { bash bench/vuln.sh build || echo "bench/vuln.sh failed"; }
[ -f bench/equiv.sh ] && { bash bench/equiv.sh "$VOUCH" || echo "bench/equiv.sh failed"; }
