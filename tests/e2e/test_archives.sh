#!/usr/bin/env bash
# tests/e2e/test_archives.sh: archives and compression streams, end to end, against the real
# tools.
#
# Usage: tests/e2e/test_archives.sh path/to/vouch
#
# Builds a small tree (real binaries from /usr/bin, a symlink, a subdirectory, a name with a
# space and one with a newline), packs it with the real tools (tar, cpio, zip, 7z, ar,
# genisoimage, gcab, gzip, xz, bzip2, zstd, lz4, lzop, lzma; raw zlib via Python's zlib),
# runs `vouch inventory --json` and `vouch unpack`, and compares every member's kind, sha256
# and symlink target with the source tree AND with what an independent extractor produced
# (GNU tar, GNU cpio, bsdtar, ar, gcab; the stream tools' own -d). Tools that are not
# installed skip their case. Prints one line per case and 'N passed, N failed'.
set -u

VOUCH=${1:?usage: $0 path/to/vouch}
VOUCH=$(cd "$(dirname "$VOUCH")" && pwd)/$(basename "$VOUCH")
pass=0
fail=0
W=$(mktemp -d "${TMPDIR:-/tmp}/vouch-archives.XXXXXX")
# VOUCH_KEEP_TMP=1 keeps the work directory for debugging
[ -n "${VOUCH_KEEP_TMP:-}" ] && echo "work directory: $W" || trap 'rm -rf "$W"' EXIT

ok() {
	echo "PASS $1"
	pass=$((pass + 1))
}
bad() {
	echo "FAIL $1${2:+: $2}"
	fail=$((fail + 1))
}
skip() { echo "SKIP $1 ($2 not installed)"; }
have() { command -v "$1" >/dev/null 2>&1; }

# vouch shows bytes that are not printable as \xNN (and a backslash as \x5c)
esc() {
	local s=$1
	s=${s//\\/\\x5c}
	s=${s//$'\n'/\\x0a}
	s=${s//$'\t'/\\x09}
	printf '%s' "$s"
}

# "path<TAB>kind<TAB>sha256|target|-" for every entry beneath a directory, sorted
manifest_dir() {
	(
		cd "$1" || exit 1
		find . -mindepth 1 -print0 | while IFS= read -r -d '' p; do
			p=${p#./}
			case "/$p" in */*.extracted | */*.extracted/*) continue ;; esac
			if [ -L "$p" ]; then
				printf '%s\tsymlink\t%s\n' "$(esc "$p")" "$(esc "$(readlink "$p")")"
			elif [ -d "$p" ]; then
				printf '%s\tdir\t-\n' "$(esc "$p")"
			elif [ -f "$p" ]; then
				printf '%s\tfile\t%s\n' "$(esc "$p")" "$(sha256sum <"$p" | cut -d' ' -f1)"
			fi
		done | LC_ALL=C sort
	)
}

# the same, from the JSON inventory: entries at `depth` whose path starts with `prefix`
manifest_json() {
	jq -r --arg p "$2" --argjson d "$3" '.files[]
	  | select(.depth == $d and (.path | startswith($p)))
	  | [(.path | ltrimstr($p)), .kind,
	     (if .kind == "file" then .sha256 elif .kind == "symlink" then .link else "-" end)]
	  | join("\t")' "$1" | LC_ALL=C sort
}

sha() { sha256sum <"$1" | cut -d' ' -f1; }
json_sha() { jq -r --arg p "$2" '.files[] | select(.path == $p) | .sha256' "$1"; }
json_size() { jq -r --arg p "$2" '.files[] | select(.path == $p) | .size' "$1"; }

# ---- the tree ---------------------------------------------------------------------------
T=$W/tree
mkdir -p "$T/sub/deeper"
cp /usr/bin/ls /usr/bin/cat "$T/"
cp /usr/bin/env "$T/sub/deeper/"
ln -s ls "$T/link"
ln -s ../ls "$T/sub/uplink"
printf 'hello, space\n' >"$T/with space"
printf 'newline\n' >"$T/new
line"
printf '' >"$T/sub/empty"
chmod 0750 "$T/sub/deeper/env"
SRC=$W/src.manifest
manifest_dir "$T" >"$SRC"

# Run vouch on an archive; check inventory == source tree == reference extraction == disk.
#   check_tree NAME FILE PREFIX DEPTH REFDIR [EXPECT_MANIFEST]
check_tree() {
	local name=$1 file=$2 prefix=$3 depth=$4 ref=$5 want=${6:-$SRC}
	local j=$W/$name.json o=$W/$name.out rc
	"$VOUCH" inventory --no-magic --json -q "$file" >"$j" 2>"$W/$name.err"
	rc=$?
	if [ $rc -ne 0 ]; then
		bad "$name" "inventory exit status $rc: $(jq -c '.errors' "$j" 2>/dev/null | head -c 300)"
		return
	fi
	manifest_json "$j" "$prefix" "$depth" >"$W/$name.inv"
	if ! diff -q "$want" "$W/$name.inv" >/dev/null; then
		bad "$name" "inventory differs from the source tree: $(diff "$want" "$W/$name.inv" | head -5 | tr '\n' ' ')"
		return
	fi
	if [ -n "$ref" ]; then
		manifest_dir "$ref" >"$W/$name.ref"
		if ! diff -q "$W/$name.ref" "$W/$name.inv" >/dev/null; then
			bad "$name" "inventory differs from the reference extraction: $(diff "$W/$name.ref" "$W/$name.inv" | head -5 | tr '\n' ' ')"
			return
		fi
	fi
	rm -rf "$o"
	"$VOUCH" unpack --no-magic -q "$file" -o "$o" >/dev/null 2>&1
	rc=$?
	if [ $rc -ne 0 ]; then
		bad "$name" "unpack exit status $rc"
		return
	fi
	# inventory "a/fmt/b/fmt2/" is "a.extracted/fmt/b.extracted/fmt2/" on disk
	local disk="$o" i=0 c
	local IFS=/
	for c in ${prefix%/}; do
		if [ $((i % 2)) -eq 0 ]; then disk="$disk/$c.extracted"; else disk="$disk/$c"; fi
		i=$((i + 1))
	done
	unset IFS
	manifest_dir "$disk" >"$W/$name.disk"
	if ! diff -q "$want" "$W/$name.disk" >/dev/null; then
		bad "$name" "files written by unpack differ: $(diff "$want" "$W/$name.disk" | head -5 | tr '\n' ' ')"
		return
	fi
	ok "$name"
}

A=$W/arc
mkdir -p "$A"

# ---- archives ---------------------------------------------------------------------------
tar -C "$T" -cf "$A/t.tar" .
mkdir "$W/ref-tar" && tar -C "$W/ref-tar" -xf "$A/t.tar"
check_tree tar "$A/t.tar" "t.tar/tar/" 1 "$W/ref-tar"

tar -C "$T" --format=gnu -cf "$A/gnu.tar" .
check_tree tar-gnu "$A/gnu.tar" "gnu.tar/tar/" 1 "$W/ref-tar"

tar -C "$T" --format=pax -cf "$A/pax.tar" .
check_tree tar-pax "$A/pax.tar" "pax.tar/tar/" 1 "$W/ref-tar"

(cd "$T" && find . -mindepth 1 -print0 | cpio -o -0 -H newc --quiet) >"$A/t.cpio"
mkdir "$W/ref-cpio" && (cd "$W/ref-cpio" && cpio -i -d --quiet <"$A/t.cpio")
check_tree cpio-newc "$A/t.cpio" "t.cpio/cpio/" 1 "$W/ref-cpio"

(cd "$T" && find . -mindepth 1 -print0 | cpio -o -0 -H odc --quiet) >"$A/odc.cpio"
check_tree cpio-odc "$A/odc.cpio" "odc.cpio/cpio/" 1 "$W/ref-cpio"

(cd "$T" && find . -mindepth 1 -print0 | cpio -o -0 -H bin --quiet) >"$A/bin.cpio"
check_tree cpio-bin "$A/bin.cpio" "bin.cpio/cpio-bin/" 1 "$W/ref-cpio"

if have zip && have bsdtar; then
	(cd "$T" && zip -qry "$A/t.zip" .)
	mkdir "$W/ref-zip" && bsdtar -C "$W/ref-zip" -xf "$A/t.zip"
	check_tree zip "$A/t.zip" "t.zip/zip/" 1 "$W/ref-zip"
else
	skip zip "zip or bsdtar"
fi

if have 7z && have bsdtar; then
	(cd "$T" && 7z a -bd -snl "$A/t.7z" -- * >/dev/null)
	mkdir "$W/ref-7z" && bsdtar -C "$W/ref-7z" -xf "$A/t.7z"
	check_tree 7z "$A/t.7z" "t.7z/7z/" 1 "$W/ref-7z"
else
	skip 7z "7z or bsdtar"
fi

# ar is flat: two binaries
mkdir "$W/flat" && cp "$T/ls" "$T/cat" "$W/flat/" && manifest_dir "$W/flat" >"$W/flat.manifest"
(cd "$W/flat" && ar rc "$A/t.a" ls cat)
mkdir "$W/ref-ar" && (cd "$W/ref-ar" && ar x "$A/t.a")
check_tree ar "$A/t.a" "t.a/ar/" 1 "$W/ref-ar" "$W/flat.manifest"

if have gcab; then
	(cd "$W/flat" && gcab -c -z "$A/t.cab" ls cat)
	mkdir "$W/ref-cab" && gcab -x -C "$W/ref-cab" "$A/t.cab"
	check_tree cab "$A/t.cab" "t.cab/cab/" 1 "$W/ref-cab" "$W/flat.manifest"
else
	skip cab gcab
fi

ISOGEN=""
have genisoimage && ISOGEN=genisoimage
[ -z "$ISOGEN" ] && have xorriso && ISOGEN="xorriso -as mkisofs"
if [ -n "$ISOGEN" ] && have bsdtar; then
	# ISO 9660 + Rock Ridge; the newline name is left out (not every mastering tool keeps it)
	mkdir "$W/isotree" && cp -a "$T/." "$W/isotree/" && rm "$W/isotree/new"$'\n'"line"
	manifest_dir "$W/isotree" >"$W/iso.manifest"
	$ISOGEN -quiet -R -o "$A/t.iso" "$W/isotree" 2>/dev/null
	mkdir "$W/ref-iso" && bsdtar -C "$W/ref-iso" -xf "$A/t.iso"
	check_tree iso9660 "$A/t.iso" "t.iso/iso9660/" 1 "$W/ref-iso" "$W/iso.manifest"
else
	skip iso9660 "genisoimage/xorriso or bsdtar"
fi

# ---- compressed tars: the stream's data must equal the tool's own decompression -------
stream_case() {
	local name=$1 fmt=$2 comp=$3 decomp=$4 ext=$5
	local f="$A/t.tar.$ext"
	if ! have "${comp%% *}"; then
		skip "$name" "${comp%% *}"
		return
	fi
	$comp <"$A/t.tar" >"$f" 2>/dev/null
	$decomp <"$f" >"$W/$name.ref.tar" 2>/dev/null
	"$VOUCH" inventory --no-magic --json -q "$f" >"$W/$name.sj" 2>/dev/null
	local got
	got=$(json_sha "$W/$name.sj" "t.tar.$ext/$fmt/data")
	if [ "$got" != "$(sha "$W/$name.ref.tar")" ]; then
		bad "$name" "decompressed data differs from '$decomp' (got '$got')"
		return
	fi
	check_tree "$name" "$f" "t.tar.$ext/$fmt/data/tar/" 2 "$W/ref-tar"
}

stream_case tar.gz gzip "gzip -c" "gzip -dc" gz
stream_case tar.xz xz "xz -c" "xz -dc" xz
stream_case tar.bz2 bzip2 "bzip2 -c" "bzip2 -dc" bz2
stream_case tar.zst zstd "zstd -q -c" "zstd -q -dc" zst
stream_case tar.lz4 lz4 "lz4 -q -c" "lz4 -q -dc" lz4
stream_case tar.lz4-legacy lz4 "lz4 -q -l -c" "lz4 -q -dc" lz4l
stream_case tar.lzo lzop "lzop -c" "lzop -dc" lzo
stream_case tar.lzma lzma "lzma -c" "lzma -dc" lzma
# raw zlib: no command-line tool writes it; Python's zlib module is the real zlib
zlib_c() { python3 -c 'import sys,zlib;sys.stdout.buffer.write(zlib.compress(sys.stdin.buffer.read(),9))'; }
zlib_d() { python3 -c 'import sys,zlib;sys.stdout.buffer.write(zlib.decompress(sys.stdin.buffer.read()))'; }
if have python3; then
	stream_case tar.zlib zlib zlib_c zlib_d zlib
else
	skip tar.zlib python3
fi

(cd "$T" && find . -mindepth 1 -print0 | cpio -o -0 -H newc --quiet) | gzip -c >"$A/t.cpio.gz"
check_tree cpio.gz "$A/t.cpio.gz" "t.cpio.gz/gzip/data/cpio/" 2 "$W/ref-cpio"

# ---- stream edge cases ------------------------------------------------------------------

# trailing garbage after a gzip stream: the gzip region ends exactly where gzip's data ends,
# the rest is listed as unrecognised
gzip -c "$T/ls" >"$W/g.gz"
glen=$(stat -c %s "$W/g.gz")
head -c 4000 /dev/urandom >"$W/garbage"
cat "$W/g.gz" "$W/garbage" >"$A/trail.gz"
"$VOUCH" inventory --no-magic --json -q "$A/trail.gz" >"$W/trail.json" 2>/dev/null
rc=$?
r_open=$(jq -r '.regions[] | select(.node == "trail.gz" and .kind == "opened") | "\(.offset) \(.length) \(.format)"' "$W/trail.json")
r_unk=$(jq -r '.regions[] | select(.node == "trail.gz" and .kind == "unrecognised") | "\(.offset) \(.length)"' "$W/trail.json")
if [ $rc -eq 0 ] && [ "$r_open" = "0 $glen gzip" ] && [ "$r_unk" = "$glen 4000" ] &&
	[ "$(json_sha "$W/trail.json" trail.gz/gzip/data)" = "$(sha "$T/ls")" ]; then
	ok gzip-trailing-garbage
else
	bad gzip-trailing-garbage "rc=$rc opened='$r_open' unrecognised='$r_unk'"
fi

# concatenated gzip members decode into one "data", like gzip -d does
(gzip -c "$T/ls"; gzip -c "$T/cat"; gzip -c "$T/with space") >"$A/multi.gz"
"$VOUCH" inventory --no-magic --json -q "$A/multi.gz" >"$W/multi.json" 2>/dev/null
rc=$?
if [ $rc -eq 0 ] && [ "$(json_sha "$W/multi.json" multi.gz/gzip/data)" = "$(gzip -dc <"$A/multi.gz" | sha256sum | cut -d' ' -f1)" ] &&
	[ "$(json_sha "$W/multi.json" multi.gz/gzip/data)" = "$(cat "$T/ls" "$T/cat" "$T/with space" | sha256sum | cut -d' ' -f1)" ]; then
	ok gzip-concatenated
else
	bad gzip-concatenated "rc=$rc"
fi

# concatenated xz streams with stream padding between them
(xz -c "$T/ls"; printf '\0\0\0\0\0\0\0\0'; xz -c "$T/cat") >"$A/multi.xz"
"$VOUCH" inventory --no-magic --json -q "$A/multi.xz" >"$W/multixz.json" 2>/dev/null
rc=$?
if [ $rc -eq 0 ] && [ "$(json_sha "$W/multixz.json" multi.xz/xz/data)" = "$(xz -dc <"$A/multi.xz" | sha256sum | cut -d' ' -f1)" ]; then
	ok xz-concatenated
else
	bad xz-concatenated "rc=$rc"
fi

# several zstd frames, one of them skippable
(zstd -q -c <"$T/ls"; printf '\x50\x2a\x4d\x18\x04\x00\x00\x00abcd'; zstd -q -c <"$T/cat") >"$A/multi.zst"
"$VOUCH" inventory --no-magic --json -q "$A/multi.zst" >"$W/multizst.json" 2>/dev/null
rc=$?
if [ $rc -eq 0 ] && [ "$(json_sha "$W/multizst.json" multi.zst/zstd/data)" = "$(zstd -q -dc <"$A/multi.zst" | sha256sum | cut -d' ' -f1)" ]; then
	ok zstd-frames
else
	bad zstd-frames "rc=$rc"
fi

# a truncated xz: exit status 4, an error recorded, the data decoded so far kept
xz -c "$A/t.tar" >"$W/full.xz"
head -c $(($(stat -c %s "$W/full.xz") / 2)) "$W/full.xz" >"$A/trunc.xz"
"$VOUCH" inventory --no-magic --json -q "$A/trunc.xz" >"$W/trunc.json" 2>/dev/null
rc=$?
tsize=$(json_size "$W/trunc.json" trunc.xz/xz/data)
tsha=$(json_sha "$W/trunc.json" trunc.xz/xz/data)
nerr=$(jq '[.errors[] | select(.format == "xz")] | length' "$W/trunc.json")
if [ $rc -eq 4 ] && [ "${tsize:-0}" -gt 0 ] && [ "$nerr" -ge 1 ] &&
	[ "$tsha" = "$(head -c "$tsize" "$A/t.tar" | sha256sum | cut -d' ' -f1)" ]; then
	ok xz-truncated
else
	bad xz-truncated "rc=$rc size=$tsize errors=$nerr"
fi

# a tar followed by a gzip stream: the tar ends at its end-of-archive (plus zero padding)
# and the gzip after it is still carved
cat "$A/t.tar" "$W/g.gz" >"$A/tar-then-gz.bin"
tlen=$(stat -c %s "$A/t.tar")
"$VOUCH" inventory --no-magic --json -q "$A/tar-then-gz.bin" >"$W/tg.json" 2>/dev/null
rc=$?
regs=$(jq -r '.regions[] | select(.node == "tar-then-gz.bin") | "\(.offset):\(.kind):\(.format)"' "$W/tg.json" | tr '\n' ' ')
if [ $rc -eq 0 ] && [ "$regs" = "0:opened:tar $tlen:opened:gzip " ] &&
	[ "$(json_sha "$W/tg.json" "tar-then-gz.bin/gzip@0x$(printf '%x' "$tlen")/data")" = "$(sha "$T/ls")" ]; then
	ok tar-then-gzip
else
	bad tar-then-gzip "rc=$rc regions='$regs'"
fi

# a truncated tar: partial, exit status 4, the complete members kept
head -c 100000 "$A/t.tar" >"$A/trunc.tar"
"$VOUCH" inventory --no-magic --json -q "$A/trunc.tar" >"$W/trunctar.json" 2>/dev/null
rc=$?
nerr=$(jq '[.errors[] | select(.format == "tar")] | length' "$W/trunctar.json")
if [ $rc -eq 4 ] && [ "$nerr" -ge 1 ]; then
	ok tar-truncated
else
	bad tar-truncated "rc=$rc errors=$nerr"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
