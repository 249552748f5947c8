#!/usr/bin/env bash
# tests/e2e/test_differential.sh VOUCH: every realistic fixture image (tests/fixtures/, built
# from real Debian binaries of mipsel/armhf/arm64 and packed with the real tools) taken apart
# by vouch and compared with what the image was built from.
#
# For each image: `vouch inventory --json` and `vouch unpack -o DIR` once each; then
# tests/fixtures/check.py compares
#   - the inventory's files under the innermost filesystem root (paths, types, sha256, link
#     targets; modes; ELF machines) with the tree's ground truth (find + sha256sum, written by
#     make-fixtures.sh before any image was packed);
#   - the tree `vouch unpack` wrote (regular files, directories, symlinks that stay inside);
#   - the reference extractor's output where one exists (unsquashfs -d, bsdtar -x, cpio -i,
#     debugfs rdump, dumpimage -p for uImage/multi/FIT components);
#   - the report's regions: they account for every byte of the image without gaps or
#     overlaps, and the header, kernel payload, padding and filesystem appear where the
#     fixture script put them, as the right kind of region;
#   - the kernel (decompressed) and other payload digests are among the files found.
# One line per case; the last line is 'N passed, N failed'; exit status 0 only if all pass.
# Fixtures are built (tests/fixtures/make-fixtures.sh) when missing or older than the script.
set -uo pipefail

vouch=${1:?usage: test_differential.sh VOUCH}
repo=$(cd "$(dirname "$0")/../.." && pwd)
fix=${VOUCH_FIXTURES:-$repo/tests/fixtures/out}
check=$repo/tests/fixtures/check.py
pass=0
fail=0
ok() { echo "ok: $*"; pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
finish() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit $?
}

for tool in python3 unsquashfs bsdtar cpio dumpimage debugfs gzip timeout; do
	command -v "$tool" >/dev/null 2>&1 || {
		bad "required tool $tool is missing (scripts/install-deps.sh installs it)"
		finish
	}
done
[ -x "$vouch" ] || {
	bad "vouch binary $vouch is not executable"
	finish
}

# ---- fixtures ----------------------------------------------------------------------------------
if [ ! -f "$fix/tree.tsv" ] || [ ! -f "$fix/firmware.trx.truth.tsv" ] ||
	[ "$repo/tests/fixtures/make-fixtures.sh" -nt "$fix/tree.tsv" ]; then
	echo "building fixtures in $fix"
	if ! bash "$repo/tests/fixtures/make-fixtures.sh" "$fix" >"${TMPDIR:-/tmp}/vouch-fixtures.log" 2>&1; then
		tail -n 20 "${TMPDIR:-/tmp}/vouch-fixtures.log" | sed 's/^/    /'
		bad "make-fixtures.sh failed"
		finish
	fi
fi
images=$(cd "$fix" && ls -- *.truth.tsv 2>/dev/null | sed 's/\.truth\.tsv$//')
[ -n "$images" ] || {
	bad "no fixture images in $fix"
	finish
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# truth_get IMAGE KEY: the fields after KEY on the first matching line of the ground truth
truth_get() { awk -F'\t' -v k="$2" '$1 == k { $1 = ""; sub(/^ /, ""); print; exit }' OFS=' ' \
	"$fix/$1.truth.tsv"; }

# reference IMAGE REFDIR: prints the reference's name and extracts into REFDIR; prints
# "--comp NAME FILE" pairs for dumpimage components on the second line
reference() {
	local img=$1 ref=$2 kind="" comps="" off n p
	mkdir -p "$ref"
	case "$img" in
	*.sqfs)
		unsquashfs -q -n -d "$ref/t" "$fix/$img" >/dev/null 2>&1
		kind=unsquashfs
		;;
	router.bin | firmware.trx)
		off=$(truth_get "$img" fsoffset)
		unsquashfs -q -n -o "$off" -d "$ref/t" "$fix/$img" >/dev/null 2>&1
		kind="unsquashfs -o $off"
		if [ "$img" = router.bin ]; then
			# dumpimage CRCs everything after the header: give it the uImage alone
			n=$(awk -F'\t' '$1 == "region" && $4 == "payload" { print $3 }' "$fix/$img.truth.tsv")
			head -c "$n" "$fix/$img" >"$ref/uimage.bin"
			dumpimage -T kernel -p 0 -o "$ref/c0" "$ref/uimage.bin" >/dev/null 2>&1 &&
				comps="kernel-payload $ref/c0"
		fi
		;;
	multi.bin | fit.itb)
		local type=multi count=2
		[ "$img" = fit.itb ] && type=flat_dt count=3
		for ((p = 0; p < count; p++)); do
			dumpimage -T "$type" -p "$p" -o "$ref/c$p" "$fix/$img" >/dev/null 2>&1 &&
				comps="$comps image-$p $ref/c$p"
		done
		# the squashfs component, extracted by unsquashfs
		p=$([ "$img" = fit.itb ] && echo 1 || echo 1)
		unsquashfs -q -n -d "$ref/t" "$ref/c$p" >/dev/null 2>&1
		kind="dumpimage -p $p + unsquashfs"
		;;
	rootfs.tar.gz)
		mkdir -p "$ref/t"
		bsdtar -xpf "$fix/$img" -C "$ref/t" 2>/dev/null
		kind="bsdtar -x"
		;;
	initramfs.cpio.gz)
		mkdir -p "$ref/t"
		gzip -dc "$fix/$img" | (cd "$ref/t" && cpio -idm --quiet --no-absolute-filenames 2>/dev/null)
		kind="cpio -i"
		;;
	ext4.img)
		mkdir -p "$ref/t"
		debugfs -R "rdump / $ref/t" "$fix/$img" >/dev/null 2>&1
		kind="debugfs rdump"
		;;
	esac
	echo "$kind"
	echo "$comps"
}

for img in $images; do
	name=${img//[^A-Za-z0-9._-]/_}
	timeout 600 "$vouch" inventory "$fix/$img" --json -q >"$work/$name.json" 2>"$work/$name.err"
	inv_rc=$?
	timeout 600 "$vouch" unpack "$fix/$img" -o "$work/$name.out" -q >/dev/null 2>>"$work/$name.err"
	unp_rc=$?
	if [ "$inv_rc" -eq 0 ] && [ "$unp_rc" -eq 0 ]; then
		ok "$img: inventory and unpack exit 0"
	else
		bad "$img: exit inventory=$inv_rc unpack=$unp_rc ($(grep -v '^$' "$work/$name.err" | head -c 300 | tr '\n' ' '))"
	fi
	mapfile -t refinfo < <(reference "$img" "$work/$name.ref")
	refkind=${refinfo[0]:-}
	# shellcheck disable=SC2206
	comps=(${refinfo[1]:-})
	args=()
	[ -n "$refkind" ] && args+=("$refkind" "$work/$name.ref/t")
	[ "${#comps[@]}" -gt 0 ] && args+=(--comp "${comps[@]}")
	python3 "$check" image "$fix" "$img" "$work/$name.json" "$work/$name.out" "${args[@]}" \
		>"$work/$name.check" 2>&1
	cat "$work/$name.check"
	p=$(grep -c '^ok: ' "$work/$name.check")
	f=$(grep -c '^FAIL: ' "$work/$name.check")
	pass=$((pass + p))
	fail=$((fail + f))
	if [ "$((p + f))" -eq 0 ]; then
		bad "$img: check.py produced no verdict"
	fi
	rm -rf "$work/$name.out" "$work/$name.ref"
done

finish
