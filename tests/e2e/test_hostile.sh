#!/usr/bin/env bash
# tests/e2e/test_hostile.sh: the hostile-input corpus, end to end.
#
# Usage: tests/e2e/test_hostile.sh path/to/vouch [CASE-GLOB]
#
# Generates the corpus with tests/hostile/make-hostile.sh (bombs, traversal, symlink escapes
# and loops, deep nesting, hostile names, devices, truncated and bit-flipped images, headers
# whose sizes lie), then for every case runs
#     vouch unpack CASE -o OUT --json -q [--limit ...]
# under `timeout` and /usr/bin/time, and asserts that
#   - the exit status is one of the documented ones (0 complete, 4 partial, 5 limit, 6 unsafe
#     refused) and the one this case calls for; never 1, never a signal;
#   - no sanitizer report (AddressSanitizer, LeakSanitizer, UBSan 'runtime error') on stderr;
#   - it ended within the time limit and its peak RSS stayed under MEM_KB;
#   - nothing outside OUT changed: a canary tree around OUT (and the /tmp paths the cases aim
#     at) is listed before and after; no symlink inside OUT resolves outside it; no device
#     node, FIFO, socket or setuid/setgid file was created;
#   - the JSON report is valid and lists the error this hostile thing calls for (e.g. 'limit
#     reached' for bombs, 'refused as unsafe' for traversal) with a message that says why;
#   - for bombs, bytes_out and the bytes on disk stayed within the limit given.
# One line per case; the last line is exactly 'N passed, N failed'.
set -u

VOUCH=${1:?usage: $0 path/to/vouch [CASE-GLOB]}
VOUCH=$(cd "$(dirname "$VOUCH")" && pwd)/$(basename "$VOUCH")
ONLY=${2:-*}
HERE=$(cd "$(dirname "$0")" && pwd)
TL=${HOSTILE_TIMEOUT:-180}         # seconds per case (sanitizer builds are slow)
MEM_KB=${HOSTILE_MEM_KB:-1048576} # 1 GiB: ASan inflates RSS, the real bound is far lower
SLACK=$((2 << 20))                # one engine chunk past a limit, rounded up
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

pass=0
fail=0
W=$(mktemp -d "${TMPDIR:-/tmp}/vouch-hostile.XXXXXX")
[ -n "${VOUCH_KEEP_TMP:-}" ] && echo "work directory: $W" || trap 'rm -rf "$W"' EXIT
C=$W/cases
R=$W/root # the canary tree; OUT is $R/out
L=$W/logs
mkdir -p "$R/canary/sub" "$L"
printf 'victim\n' >"$R/canary/victim"
printf 'keep\n' >"$R/canary/sub/keep"
ln -s ../victim "$R/canary/sub/victim-link"

if ! bash "$HERE/../hostile/make-hostile.sh" "$C" "$R" >"$L/gen.log" 2>&1; then
	echo "FAIL corpus generation: $(tail -3 "$L/gen.log")"
	echo "0 passed, 1 failed"
	exit 1
fi

# Everything around OUT that a hostile image might try to touch.
snapshot() {
	{
		# every entry's name, kind, size, mode, mtime and link target; OUT's parent only by
		# name (creating and removing OUT changes its mtime)
		find "$W" -mindepth 1 \( -path "$R/out" -o -path "$L" \) -prune -o \
			-path "$R" -printf '%P|%y\n' -o -printf '%P|%y|%s|%m|%T@|%l\n'
		md5sum "$R/canary/victim" "$R/canary/sub/keep"
		ls -d /tmp/vouch-hostile-* /etc/passwd 2>/dev/null
		md5sum /etc/passwd
	} | LC_ALL=C sort
}

# Report checks in one Python run: prints nothing on success, else the first reason.
#   $1 json  $2 code regex ('' = no error required)  $3 message regex  $4 max bytes_out (0 = no)
#   $5 extra: a Python expression over r (the report) that must hold ('' = none)
check_report() {
	python3 - "$@" <<'PY'
import json, re, sys
path, code_re, msg_re, max_out, extra = sys.argv[1:6]
try:
    r = json.load(open(path))
except Exception as e:
    print(f'report is not valid JSON ({e})')
    sys.exit(1)
errs = r.get('errors', [])
if code_re:
    hits = [e for e in errs if re.search(code_re, e.get('code', '')) and
            re.search(msg_re or '', e.get('message', ''), re.I)]
    if not hits:
        have = '; '.join(f"{e.get('code')}: {e.get('message')}" for e in errs[:4]) or 'none'
        print(f"no error /{code_re}/ with message /{msg_re}/ (errors: {have})")
        sys.exit(1)
if int(max_out) and r.get('bytes_out', 0) > int(max_out):
    print(f"bytes_out {r.get('bytes_out')} > {max_out}")
    sys.exit(1)
if extra:
    files = r.get('files', [])
    paths = [f.get('path', '') for f in files]
    kinds = [f.get('kind', '') for f in files]
    if not eval(extra):
        print(f'report check failed: {extra}')
        sys.exit(1)
PY
}

# run_case NAME FILE EXITS CODE-RE MSG-RE MAXOUT EXTRA-PY [--limit ...]
#   EXITS: allowed exit statuses, e.g. "5" or "0 4 6"
run_case() {
	local name=$1 file=$2 exits=$3 code_re=$4 msg_re=$5 maxout=$6 extra=$7
	shift 7
	local out=$R/out log=$L/$name why="" rc t mem before after
	# shellcheck disable=SC2053
	[[ $name == $ONLY ]] || return 0
	if [ ! -e "$C/$file" ]; then
		echo "SKIP $name (not generated: tool missing)"
		return 0
	fi
	rm -rf "$out"
	before=$(snapshot)
	/usr/bin/time -f '%e %M' -o "$log.time" timeout -k 5 "$TL" \
		"$VOUCH" unpack "$C/$file" -o "$out" --json -q -L max_seconds=$((TL - 30)) "$@" \
		>"$log.json" 2>"$log.err"
	rc=$?
	# time(1) writes "Command exited with non-zero status N" first: the figures are last
	read -r t mem < <(tail -n 1 "$log.time" 2>/dev/null) || { t=0; mem=0; }
	[[ $mem =~ ^[0-9]+$ ]] || mem=0
	t=${t:-0}
	mem=${mem:-0}
	after=$(snapshot)

	if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error|MemorySanitizer' "$log.err"; then
		why="sanitizer: $(grep -m1 -E 'SUMMARY|runtime error' "$log.err")"
	elif [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		why="timed out after ${TL}s"
	elif [ "$rc" -gt 128 ] || grep -q 'Command terminated by signal' "$log.time"; then
		why="killed by a signal (exit $rc)"
	elif [[ " 0 4 5 6 " != *" $rc "* ]]; then
		why="exit $rc is not a documented status ($(head -c 200 "$log.err" | tr '\n' ' '))"
	elif [[ " $exits " != *" $rc "* ]]; then
		why="exit $rc, expected one of: $exits"
	elif [ "${t%.*}" -ge "$TL" ]; then
		why="took ${t}s"
	elif [ "$mem" -gt "$MEM_KB" ]; then
		why="peak RSS ${mem} KiB > ${MEM_KB} KiB"
	elif [ "$before" != "$after" ]; then
		why="something outside OUT changed: $(diff <(echo "$before") <(echo "$after") |
			grep '^[<>]' | head -3 | tr '\n' ' ')"
	fi
	if [ -z "$why" ] && [ -d "$out" ]; then
		local bad
		# resolve every symlink the way the kernel would (Python's realpath stops at loops;
		# realpath(1) -m expands 'd -> d/x' without end)
		why=$(python3 -c '
import os, sys
out = os.path.realpath(sys.argv[1])
for top, dirs, files in os.walk(out):
    for n in dirs + files:
        p = os.path.join(top, n)
        if os.path.islink(p):
            r = os.path.realpath(p)
            if r != out and not r.startswith(out + "/"):
                print("symlink %r resolves outside OUT (%s)" % (p[len(out) + 1:], r))
                sys.exit(0)
' "$out")
		bad=$(find "$out" \( -type b -o -type c -o -type p -o -type s -o -perm /6000 \) | head -1)
		[ -z "$why" ] && [ -n "$bad" ] && why="device, FIFO, socket or set-id file created: $bad"
	fi
	if [ -z "$why" ] && [ "$maxout" != 0 ] && [ -d "$out" ]; then
		local du
		du=$(du -sb "$out" | cut -f1)
		[ "$du" -gt "$maxout" ] && why="$du bytes on disk > $maxout"
	fi
	if [ -z "$why" ]; then
		why=$(check_report "$log.json" "$code_re" "$msg_re" "$maxout" "$extra")
	fi
	if [ -z "$why" ] && declare -F "post_$name" >/dev/null; then
		why=$("post_$name" "$out" "$log")
	fi
	if [ -z "$why" ]; then
		echo "PASS $name (exit $rc, ${t}s, $((mem / 1024)) MiB)"
		pass=$((pass + 1))
	else
		echo "FAIL $name: $why"
		fail=$((fail + 1))
	fi
}

# ---- per-case extra checks (print a reason to fail, nothing to pass) ----------------------
post_tar-duplicates() {
	local d
	d=$(find "$1" -type d -path '*tar-duplicates.tar.extracted/tar' | head -1)
	[ -n "$d" ] || { echo "no extraction directory"; return; }
	[ "$(cat "$d/dup" 2>/dev/null)" = one ] &&
		[ "$(cat "$d/dup~1" 2>/dev/null)" = two ] &&
		[ "$(cat "$d/dup~2" 2>/dev/null)" = three ] ||
		echo "duplicates not kept as dup, dup~1, dup~2 in order"
}
post_tar-names() {
	# the human-readable outputs must not carry a raw escape byte or an unescaped newline
	"$VOUCH" inventory "$C/tar-names.tar" >"$2.inv" 2>"$2.inv.err"
	if grep -q $'\x1b' "$2.inv" "$2.inv.err"; then
		echo "a raw ESC byte reached the terminal output"
	elif grep -qx 'line.*' "$2.inv"; then
		echo "a member name's newline reached the output unescaped"
	elif ! grep -qF 'new\x0aline' "$2.inv"; then
		echo "the newline name is not shown escaped as new\\x0aline"
	fi
}
post_tar-dotdot() {
	[ -f "$(find "$1" -path '*/ok/inside.txt' | head -1)" ] || echo "the safe member was not extracted"
}
post_tar-devices() {
	[ -n "$(find "$1" -name ok.txt)" ] || echo "the regular member next to the devices is missing"
}

# ---- the cases -----------------------------------------------------------------------------
M256=$((256 << 20))
LIMIT='limit reached'
UNSAFE='refused as unsafe'
BAD='malformed input|unsupported format variant'
ANY="$BAD|$LIMIT"

echo "== bombs"
run_case gzip-bomb gzip-bomb.gz 5 "$LIMIT" 'max_output_bytes' $((M256 + SLACK)) '' \
	-L max_output_bytes=256M
gz_size=$(stat -c %s "$C/gzip-bomb.gz")
run_case gzip-bomb-ratio gzip-bomb.gz 5 "$LIMIT" 'ratio' $((20 * gz_size + SLACK)) '' \
	-L max_ratio=20
run_case nested-bomb nested-bomb.gz 5 "$LIMIT" 'max_output_bytes|ratio' $((M256 + SLACK)) '' \
	-L max_output_bytes=256M
xz_size=$(stat -c %s "$C/xz-bomb.xz" 2>/dev/null || echo 0)
run_case xz-bomb xz-bomb.xz 5 "$LIMIT" 'ratio' $((1000 * xz_size + SLACK)) '' -L max_ratio=1000
run_case zip-bomb zip-bomb.zip 5 "$LIMIT" 'ratio|max_output' $((M256 + SLACK)) '' \
	-L max_output_bytes=256M
run_case zip-bomb-infozip zip-bomb-infozip.zip 5 "$LIMIT" 'ratio|max_output' $((M256 + SLACK)) '' \
	-L max_ratio=1000
run_case zip-overlap zip-overlap.zip "0 4 5" '' '' $((512 << 20)) '' -L max_output_bytes=512M

echo "== traversal and links"
run_case tar-dotdot tar-dotdot.tar 6 "$UNSAFE" '\.\.' 0 ''
run_case tar-absolute tar-absolute.tar 6 "$UNSAFE" 'absolute' 0 ''
run_case tar-symlink-escape tar-symlink-escape.tar 6 "$UNSAFE" 'outside|symlink' 0 ''
run_case tar-extracted-hijack tar-extracted-hijack.tar 6 "$UNSAFE" '' 0 ''
run_case tar-symlink-loops tar-symlink-loops.tar "4 6" "$BAD" 'loop' 0 ''
run_case tar-hardlink-escape tar-hardlink-escape.tar "4 6" "$UNSAFE" 'link' 0 ''
run_case zip-slip zip-slip.zip 6 "$UNSAFE" '' 0 ''
run_case cpio-traversal cpio-traversal.cpio 6 "$UNSAFE" '' 0 ''

echo "== structure"
run_case gzip-200 gzip-200.gz 5 "$LIMIT" 'depth' 0 ''
run_case gzip-200-deep gzip-200.gz "0 5" '' '' 0 '' -L max_depth=256
run_case tar-in-tar-200 tar-in-tar-200.tar 5 "$LIMIT" 'depth' 0 ''
run_case tar-in-tar-200-deep tar-in-tar-200.tar "0 5 6" '' '' 0 '' -L max_depth=256
run_case tar-names tar-names.tar "0 4 5 6" '' '' 0 \
	"any('new\\\\x0aline' in p for p in paths) and any('\\\\x1b[2J' in p for p in paths) and any('\\\\xff\\\\xfe' in p for p in paths) and any(p.endswith('/-rf') for p in paths) and any('tab\\\\x09here' in p for p in paths)"
run_case tar-duplicates tar-duplicates.tar "0 4 6" '' '' 0 ''
run_case tar-devices tar-devices.tar "0 4 6" '' '' 0 \
	"'chardev' in kinds and 'blockdev' in kinds and 'fifo' in kinds"
run_case cpio-devices cpio-devices.cpio "0 4 6" '' '' 0 \
	"'chardev' in kinds and 'blockdev' in kinds and 'fifo' in kinds and 'socket' in kinds"

echo "== sizes that lie"
run_case tar-size-lies tar-size-lies.tar "4 5" "$ANY" '' 0 ''
run_case cpio-size-lies cpio-size-lies.cpio "4 5" "$ANY" '' 0 ''
run_case cpio-namesize-lies cpio-namesize-lies.cpio "0 4 5" '' '' 0 ''
run_case uimage-size-4g uimage-size-4g.uimg 4 "$BAD" '' 0 "'uimage' in str(r.get('regions'))"
run_case uimage-size-4g-badcrc uimage-size-4g-badcrc.uimg "0 4" '' '' 0 ''
run_case uimage-size-0 uimage-size-0.uimg "0 4" '' '' 0 ''

echo "== tiny inputs"
run_case empty empty.bin 0 '' '' 0 ''
run_case one-byte one-byte.bin 0 '' '' 0 ''
run_case gzip-magic-only gzip-magic-only.bin "0 4" '' '' 0 ''

echo "== valid images (controls for the corrupt ones below)"
run_case valid-squashfs valid-squashfs.sqfs 0 '' '' 0 "len([k for k in kinds if k == 'file']) >= 47"
run_case valid-jffs2 valid-jffs2.jffs2 0 '' '' 0 "len([k for k in kinds if k == 'file']) >= 47"
run_case valid-uimage valid-uimage.uimg 0 '' '' 0 "len([k for k in kinds if k == 'file']) >= 47"
run_case valid-uimage-kernel valid-uimage-kernel.uimg 0 '' '' 0 "'uimage' in str(r.get('regions'))"
run_case valid-cpio valid-cpio.cpio 0 '' '' 0 "len([k for k in kinds if k == 'file']) >= 46"

echo "== truncated and bit-flipped"
for fmt in squashfs:sqfs jffs2:jffs2 uimage:uimg cpio:cpio; do
	stem=${fmt%%:*}
	ext=${fmt#*:}
	for cut in t1 t64 t10pct t50pct t90pct tminus1; do
		case $cut in
		t10pct | t50pct | t90pct) need="$BAD" ;; # a truncation that must be reported
		*) need='' ;;
		esac
		exits="0 4 5"
		[ -n "$need" ] && exits="4 5"
		run_case "$stem-trunc-$cut" "$stem-trunc-$cut.$ext" "$exits" "$need" '' 0 ''
	done
	for s in 1 2 3 4; do
		run_case "$stem-flip-s$s" "$stem-flip-s$s.$ext" "0 4 5 6" '' '' 0 ''
	done
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
