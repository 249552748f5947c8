#!/usr/bin/env bash
# install-deps.sh: install the Debian 12 packages vouch builds, tests and benchmarks with.
#
# Design: idempotent and tolerant of a package mirror that is mid-sync. `apt-get update` is
# retried and a failing index is tolerated; success is judged by asking dpkg whether every
# package we need is actually installed, never by apt's exit status alone. Foreign
# architectures (mipsel, armhf, arm64; s390x for a big-endian ELF) are enabled so that the
# fixture scripts can `apt-get download` real binaries of other machines.
#
# Usage: scripts/install-deps.sh [build|test|bench|all]   (default: all)
set -u

want=${1:-all}

build_pkgs="build-essential meson ninja-build pkg-config clang lld libclang-rt-14-dev
 libarchive-dev libsquashfs-dev zlib1g-dev liblzma-dev libzstd-dev liblz4-dev liblzo2-dev
 libbz2-dev libext2fs-dev libssl-dev libmagic-dev libjansson-dev libcmocka-dev libfdt-dev
 libsqlite3-dev libyaml-dev scdoc
 libvectorscan-dev libyara-dev libmaxminddb-dev libcrypt-dev"
test_pkgs="file squashfs-tools squashfs-tools-ng u-boot-tools mtd-utils e2fsprogs cpio libarchive-tools
 device-tree-compiler jq xz-utils zstd lz4 lzop bzip2 gzip dpkg-dev fakeroot
 golang-go golang-golang-x-mod-dev
 p7zip-full zip genisoimage gcab genromfs
 checksec devscripts kmod
 yara mmdb-bin libmaxmind-db-writer-perl bc
 openssl
 openssh-client dropbear-bin"
bench_pkgs="binwalk hyperfine time"

case "$want" in
build) pkgs="$build_pkgs" ;;
test) pkgs="$build_pkgs $test_pkgs" ;;
bench | all) pkgs="$build_pkgs $test_pkgs $bench_pkgs" ;;
*)
	echo "usage: $0 [build|test|bench|all]" >&2
	exit 2
	;;
esac

missing() {
	local p out=""
	for p in $pkgs; do
		grep -q '^ii' <<<"$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null)" || out="$out $p"
	done
	echo "$out"
}

# The schema validator of the SBOM tests (tests/schema) runs on node: take Debian's nodejs and
# npm only when no node/npm is installed (a nodejs from elsewhere already bundles npm, and
# Debian's npm would conflict with it).
if [ "$want" != build ]; then
	command -v node >/dev/null 2>&1 || pkgs="$pkgs nodejs"
	command -v npm >/dev/null 2>&1 || pkgs="$pkgs npm"
fi

# npm packages of tests/schema (ajv, ajv-formats, ajv-draft-04) at the versions of its
# package-lock.json, retried like apt; judged by the files being there, not by npm's status.
schema_deps() {
	local dir attempt
	[ "$want" = build ] && return 0
	dir="$(cd "$(dirname "$0")/.." && pwd)/tests/schema"
	have_schema() {
		[ -f "$dir/node_modules/ajv/package.json" ] &&
			[ -f "$dir/node_modules/ajv-formats/package.json" ] &&
			[ -f "$dir/node_modules/ajv-draft-04/package.json" ]
	}
	have_schema && return 0
	for attempt in 1 2 3 4 5; do
		(cd "$dir" && npm ci --no-audit --no-fund >/dev/null 2>&1) || true
		have_schema && return 0
		echo "install-deps: npm packages of tests/schema missing (attempt $attempt), retrying" >&2
		sleep $((attempt * 5))
	done
	echo "install-deps: could not install the npm packages of tests/schema" >&2
	return 1
}

need=$(missing)
if [ -z "$need" ]; then
	schema_deps
	exit $?
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive

for arch in mipsel armhf arm64 s390x; do
	grep -qx "$arch" <<<"$(dpkg --print-foreign-architectures)" || $SUDO dpkg --add-architecture "$arch"
done

for attempt in 1 2 3 4 5; do
	# An index that fails to update (mirror mid-sync) is tolerated: the others still refresh.
	$SUDO apt-get update -o Acquire::Retries=3 >/dev/null 2>&1 || true
	# shellcheck disable=SC2086
	$SUDO apt-get install -y -q --no-install-recommends -o Acquire::Retries=3 $need >/dev/null 2>&1 || true
	need=$(missing)
	if [ -z "$need" ]; then
		schema_deps
		exit $?
	fi
	echo "install-deps: still missing:$need (attempt $attempt), retrying" >&2
	sleep $((attempt * 5))
done
echo "install-deps: could not install:$need" >&2
echo "install-deps: check the network or the mirror, then run 'make deps' again" >&2
exit 1
