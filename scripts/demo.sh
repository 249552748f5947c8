#!/usr/bin/env bash
# scripts/demo.sh: what `make demo` runs after installing and building.
#
# Generates a small but realistic router firmware image from real Debian binaries of other
# architectures (busybox for MIPS, dropbear for ARM), laid out the way vendors do it:
#   [ uImage header | LZMA-compressed payload ] [ 0xFF padding ] [ squashfs (xz) root fs ]
# then runs the main job on it: `vouch inventory` (every file at any depth, every region of
# the image, every error) and `vouch unpack` into demo/out.
# The packages are downloaded once into demo/cache; the image is rebuilt every time.
set -euo pipefail
cd "$(dirname "$0")/.."
vouch=${VOUCH:-build/vouch}
work=demo
cache=$work/cache
root=$work/rootfs
mkdir -p "$cache"
rm -rf "$root" "$work/out" "$work/router.bin"

fetch() { # package:arch
	local deb
	deb=$(ls "$cache"/"${1%%:*}"_*_"${1##*:}".deb 2>/dev/null | head -1 || true)
	for attempt in 1 2 3; do
		[ -n "$deb" ] && dpkg-deb -I "$deb" >/dev/null 2>&1 && break
		(cd "$cache" && apt-get download "$1" >/dev/null 2>&1) || sleep $((attempt * 3))
		deb=$(ls "$cache"/"${1%%:*}"_*_"${1##*:}".deb 2>/dev/null | head -1 || true)
	done
	if [ -z "$deb" ] || ! dpkg-deb -I "$deb" >/dev/null 2>&1; then
		echo "demo: could not download $1 (is 'apt-get update' done and the mirror reachable?)" >&2
		exit 3
	fi
	dpkg-deb -x "$deb" "$root"
}

echo "demo: building a sample router image from real Debian mipsel/armhf binaries..."
mkdir -p "$root"
fetch busybox-static:mipsel
fetch dropbear-bin:armhf
mkdir -p "$root"/{etc/init.d,www,tmp,proc,sys}
ln -sf busybox "$root/bin/sh"
ln -sf /bin/busybox "$root/bin/ls"
printf 'root:x:0:0:root:/root:/bin/sh\nadmin:x:0:0::/:/bin/sh\n' >"$root/etc/passwd"
printf '#!/bin/sh\ntelnetd -l /bin/sh -p 2323 &\n/usr/sbin/dropbear -p 22\n' >"$root/etc/init.d/rcS"
chmod 755 "$root/etc/init.d/rcS"
printf '<html><body>router</body></html>\n' >"$root/www/index.html"

mksquashfs "$root" "$work/rootfs.sqfs" -comp xz -noappend -all-root -quiet >/dev/null
# the "kernel": a real MIPS binary standing in for one, LZMA-compressed as U-Boot expects
xz --format=lzma -c "$root/bin/busybox" >"$work/kernel.lzma"
mkimage -A mips -O linux -T kernel -C lzma -a 0x80000000 -e 0x80000000 -n "demo router" \
	-d "$work/kernel.lzma" "$work/kernel.uimg" >/dev/null
# pad the kernel partition to a 64 KiB boundary with 0xFF, as flash layouts do
ksize=$(stat -c %s "$work/kernel.uimg")
part=$(((ksize + 65535) / 65536 * 65536))
{
	cat "$work/kernel.uimg"
	head -c $((part - ksize)) /dev/zero | tr '\0' '\377'
	cat "$work/rootfs.sqfs"
} >"$work/router.bin"
rm -f "$work/kernel.lzma" "$work/kernel.uimg" "$work/rootfs.sqfs"
echo "demo: $work/router.bin ($(stat -c %s "$work/router.bin") bytes)"
echo

echo "\$ vouch inventory $work/router.bin"
set +e
"$vouch" inventory "$work/router.bin"
rc=$?
echo
echo "\$ vouch unpack $work/router.bin -o $work/out"
"$vouch" unpack "$work/router.bin" -o "$work/out"
rc2=$?
set -e
echo
echo "demo: inventory exit status $rc, unpack exit status $rc2 (0 = complete; see 'man vouch')"
echo "demo: JSON report: $vouch inventory --json $work/router.bin"
