#!/usr/bin/env bash
# scripts/demo.sh: what `make demo` runs after installing and building.
#
# Generates a small but realistic router firmware image from real Debian binaries of other
# architectures (busybox for MIPS, dropbear for ARM), laid out the way vendors do it:
#   [ uImage header | LZMA-compressed payload ] [ 0xFF padding ] [ squashfs (xz) root fs ]
# then runs the main jobs on it: `vouch inventory` (every file at any depth, every region of
# the image, every error), `vouch unpack` into demo/out, `vouch sbom` (the components inside,
# with evidence, and a CycloneDX SBOM), `vouch vulns` (their known vulnerabilities, from
# the real NVD/CVE/OSV records of ../shared/vulndb when it is beside the project) and
# `vouch scan` (accounts, keys, boot services, endpoints, secrets, hardening: the findings).
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
fetch dnsmasq-base:arm64
fetch libssl3:mipsel
fetch zlib1g:mipsel
rm -rf "$root/usr/share/doc" "$root/usr/share/man" "$root/usr/share/lintian"
mkdir -p "$root"/{etc/init.d,www,tmp,proc,sys}
ln -sf busybox "$root/bin/sh"
ln -sf /bin/busybox "$root/bin/ls"
printf 'root:x:0:0:root:/root:/bin/sh\nadmin:x:0:0::/:/bin/sh\n' >"$root/etc/passwd"
# a vendor default root password ("admin", MD5-crypt) and a backdoor account with none
printf 'root:%s:19000:0:99999:7:::\nadmin::19000:0:99999:7:::\n' \
	"$(openssl passwd -1 -salt Vd7qPz2L admin)" >"$root/etc/shadow"
printf 'server=http://203.0.113.80/update\nsnmp_community=public\n' >"$root/etc/cloud.conf"
printf '#!/bin/sh\ntelnetd -l /bin/sh -p 2323 &\n/usr/sbin/dropbear -p 22\n' >"$root/etc/init.d/rcS"
chmod 755 "$root/etc/init.d/rcS"
printf '<html><body>router</body></html>\n' >"$root/www/index.html"

mksquashfs "$root" "$work/rootfs.sqfs" -comp xz -noappend -all-root -quiet >/dev/null
# the "kernel": a real MIPS binary standing in for one, with the banner an old vendor kernel
# prints, LZMA-compressed as U-Boot expects
{
	cat "$root/bin/busybox"
	printf '\nLinux version 4.14.180 (builder@vendor) (gcc version 7.5.0 (OpenWrt GCC 7.5.0)) #0 SMP\n'
} | xz --format=lzma -c >"$work/kernel.lzma"
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
echo
echo "\$ vouch sbom $work/router.bin"
"$vouch" sbom "$work/router.bin"
rc3=$?
"$vouch" sbom -q --format cyclonedx -o "$work/router.cdx.json" "$work/router.bin"
echo "demo: CycloneDX 1.6 SBOM written to $work/router.cdx.json (--format spdx for SPDX 2.3)"
shared=../shared/vulndb
rc4=-
if [ -d "$shared" ]; then
	rm -f "$work/vulndb.sqlite"
	echo
	echo "\$ vouch vulndb import --db $work/vulndb.sqlite $shared"
	"$vouch" vulndb import --db "$work/vulndb.sqlite" "$shared"
	echo
	echo "\$ vouch vulns --db $work/vulndb.sqlite $work/router.bin"
	"$vouch" vulns --db "$work/vulndb.sqlite" "$work/router.bin" | cut -c1-160
	rc4=${PIPESTATUS[0]}
else
	echo "demo: $shared is not beside the project: vulnerability matching skipped" \
		"(import NVD/CVE/OSV feeds with 'vouch vulndb import', then 'vouch vulns')"
fi
echo
dbopt=()
[ -s "$work/vulndb.sqlite" ] && dbopt=(--db "$work/vulndb.sqlite")
echo "\$ vouch scan ${dbopt[*]} --sarif $work/router.sarif $work/router.bin"
"$vouch" scan "${dbopt[@]}" --sarif "$work/router.sarif" "$work/router.bin"
rc5=$?
set -e
echo
echo "demo: exit statuses: inventory $rc, unpack $rc2, sbom $rc3, vulns $rc4, scan $rc5" \
	"(0 = complete, 8 = findings at or above high; see 'man vouch')"
echo "demo: JSON reports: $vouch inventory|sbom|vulns|scan --json $work/router.bin;" \
	"SARIF: $work/router.sarif"
