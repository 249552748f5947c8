#!/usr/bin/env bash
# scripts/demo.sh: what `make demo` runs after installing and building: the trusted delivery
# story on generated samples.
#
# A vendor ("ACME Networks") delivers two releases of a router firmware built from real
# Debian binaries of other architectures (busybox for MIPS, dropbear for ARM, dnsmasq for
# ARM64, OpenSSL for MIPS), laid out the way vendors do it:
#   [ uImage header | LZMA-compressed "kernel" ] [ 0xFF padding ] [ squashfs (xz) root fs ]
# Release 1.0 has planted problems (a default root password, a uid-0 backdoor account with
# no password, a telnet shell bound at boot, an SNMP default community, an old kernel, zlib);
# release 1.1 fixes most of them. The lab (demo/lab) takes both deliveries, evaluates them
# against its policy (demo/policy.json: the built-in policy plus one recorded waiver) with
# the real NVD/CVE/OSV records of ../shared/vulndb when it is beside the project, signs and
# logs both verdicts; 1.0 is rejected with its reasons, 1.1 approved with conditions. The
# operator verifies 1.1 offline with its bundle and the lab's public keys; a tampered copy
# is refused. Then the diff between the releases, and the HTML report.
# The packages are downloaded once into demo/cache; images and lab are rebuilt every time.
set -euo pipefail
cd "$(dirname "$0")/.."
vouch=${VOUCH:-build/vouch}
work=demo
cache=$work/cache
root=$work/rootfs
mkdir -p "$cache"
rm -rf "$root" "$work/out" "$work/router.bin" "$work/lab" "$work/deliveries"

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

# build_image VERSION OUT: the root file system of that release, packed as a flash image
build_image() {
	local ver=$1 out=$2
	rm -rf "$root"
	mkdir -p "$root"
	fetch busybox-static:mipsel
	fetch dropbear-bin:armhf
	fetch dnsmasq-base:arm64
	fetch libssl3:mipsel
	[ "$ver" = 1.0 ] && fetch zlib1g:mipsel
	rm -rf "$root/usr/share/doc" "$root/usr/share/man" "$root/usr/share/lintian"
	mkdir -p "$root"/{etc/init.d,www,tmp,proc,sys}
	ln -sf busybox "$root/bin/sh"
	ln -sf /bin/busybox "$root/bin/ls"
	if [ "$ver" = 1.0 ]; then
		printf 'root:x:0:0:root:/root:/bin/sh\nadmin:x:0:0::/:/bin/sh\n' >"$root/etc/passwd"
		# a vendor default root password ("admin", MD5-crypt) and a backdoor account with none
		printf 'root:%s:19000:0:99999:7:::\nadmin::19000:0:99999:7:::\n' \
			"$(openssl passwd -1 -salt Vd7qPz2L admin)" >"$root/etc/shadow"
		printf 'server=http://203.0.113.80/update\nsnmp_community=public\n' >"$root/etc/cloud.conf"
		printf '#!/bin/sh\ntelnetd -l /bin/sh -p 2323 &\n/usr/sbin/dropbear -p 22\n' >"$root/etc/init.d/rcS"
		kver=4.14.180
	else
		# 1.1: the root password is locked until the first-boot wizard sets one, the backdoor
		# account and the telnet shell are gone, updates over https, SNMP community set at
		# provisioning; a newer kernel
		printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
		printf 'root:!:19000:0:99999:7:::\n' >"$root/etc/shadow"
		printf 'server=https://update.acme.example/r1\n' >"$root/etc/cloud.conf"
		printf '#!/bin/sh\n/usr/sbin/dropbear -s -p 22\n' >"$root/etc/init.d/rcS"
		kver=6.1.119
	fi
	chmod 755 "$root/etc/init.d/rcS"
	printf '<html><body>ACME R1 %s</body></html>\n' "$ver" >"$root/www/index.html"
	mksquashfs "$root" "$work/rootfs.sqfs" -comp xz -noappend -all-root -quiet >/dev/null
	# the "kernel": a real MIPS binary standing in for one, with the banner a vendor kernel
	# prints, LZMA-compressed as U-Boot expects
	{
		cat "$root/bin/busybox"
		printf '\nLinux version %s (builder@acme) (gcc version 7.5.0 (OpenWrt GCC 7.5.0)) #0 SMP\n' "$kver"
	} | xz --format=lzma -c >"$work/kernel.lzma"
	mkimage -A mips -O linux -T kernel -C lzma -a 0x80000000 -e 0x80000000 -n "ACME R1 $ver" \
		-d "$work/kernel.lzma" "$work/kernel.uimg" >/dev/null
	# pad the kernel partition to a 64 KiB boundary with 0xFF, as flash layouts do
	local ksize part
	ksize=$(stat -c %s "$work/kernel.uimg")
	part=$(((ksize + 65535) / 65536 * 65536))
	{
		cat "$work/kernel.uimg"
		head -c $((part - ksize)) /dev/zero | tr '\0' '\377'
		cat "$work/rootfs.sqfs"
	} >"$out"
	rm -f "$work/kernel.lzma" "$work/kernel.uimg" "$work/rootfs.sqfs"
}

# delivery VERSION: a vendor delivery directory with its manifest
delivery() {
	local ver=$1 d=$work/deliveries/r1-$1
	mkdir -p "$d/firmware" "$d/source"
	build_image "$ver" "$d/firmware/r1-$ver.bin"
	tar -C "$root" -czf "$d/source/r1-rootfs-$ver.tar.gz" etc www
	printf 'ACME R1 router %s release notes\n' "$ver" >"$d/RELEASE-NOTES.txt"
	{
		printf '{\n "manifest_version": 1,\n "vendor": "ACME Networks",\n "product": "R1 router",\n'
		printf ' "version": "%s",\n "artefacts": [\n' "$ver"
		printf '  {"path": "firmware/r1-%s.bin", "role": "firmware", "sha256": "%s"},\n' "$ver" \
			"$(sha256sum <"$d/firmware/r1-$ver.bin" | cut -d' ' -f1)"
		printf '  {"path": "source/r1-rootfs-%s.tar.gz", "role": "source", "sha256": "%s"},\n' "$ver" \
			"$(sha256sum <"$d/source/r1-rootfs-$ver.tar.gz" | cut -d' ' -f1)"
		printf '  {"path": "RELEASE-NOTES.txt", "role": "document", "sha256": "%s"}\n ]\n}\n' \
			"$(sha256sum <"$d/RELEASE-NOTES.txt" | cut -d' ' -f1)"
	} >"$d/vouch-delivery.json"
}

show() { # print a command, run it, keep its status in $last
	echo
	echo "\$ vouch ${*:2}"
	set +e
	"$@"
	last=$?
	set -e
}

echo "demo: building ACME R1 releases 1.0 and 1.1 from real Debian mipsel/armhf/arm64 binaries..."
delivery 1.0
delivery 1.1
cp "$work/deliveries/r1-1.0/firmware/r1-1.0.bin" "$work/router.bin"
echo "demo: deliveries in $work/deliveries (each: firmware, source, notes, vouch-delivery.json)"

export VOUCH_LAB=$work/lab
shared=../shared/vulndb
dbopt=()
if [ -d "$shared" ]; then
	if [ ! -s "$work/vulndb.sqlite" ]; then
		"$vouch" vulndb import --db "$work/vulndb.sqlite" "$shared" >/dev/null
	fi
	dbopt=(--db "$work/vulndb.sqlite")
	echo "demo: vulnerability database $work/vulndb.sqlite from the real NVD/CVE/OSV records in $shared"
else
	echo "demo: $shared is not beside the project: verdicts are made without vulnerability data" \
		"(import NVD/CVE/OSV feeds with 'vouch vulndb import' and pass --db)"
fi
# the lab's policy: the built-in one, plus two waivers an analyst recorded
"$vouch" policy show-default | python3 -c '
import json, sys
p = json.load(sys.stdin)
p["name"] = "acme-lab-2026"
p["waivers"] = [{"id": "W-2026-021", "author": "j.doe@lab.example",
                 "justification": "demo waiver: the TCP option behind CVE-2024-36905 is compiled out of the ACME kernel configuration (checked in the delivered build recipe)",
                 "expires": "2027-03-31",
                 "vulnerability": {"id": "CVE-2024-36905", "component": "linux"}},
                {"id": "W-2026-014", "author": "j.doe@lab.example",
                 "justification": "CVE-2023-45853 is in zlib contrib/minizip, which the image does not ship",
                 "expires": "2027-06-30",
                 "vulnerability": {"id": "CVE-2023-45853", "component": "zlib"}}]
json.dump(p, open(sys.argv[1], "w"), indent=1)' "$work/policy.json"

echo
echo "=== the vendor delivers release 1.0; the lab evaluates it ==="
show "$vouch" delivery submit "$work/deliveries/r1-1.0"
id1=$("$vouch" delivery list --json | python3 -c 'import json,sys; print([d["id"] for d in json.load(sys.stdin) if d["version"]=="1.0"][0])')
show "$vouch" evaluate -q --policy "$work/policy.json" "${dbopt[@]}" "${id1:0:12}"
ev1=$last
echo
echo "=== release 1.1 fixes most of it ==="
show "$vouch" delivery submit "$work/deliveries/r1-1.1"
id2=$("$vouch" delivery list --json | python3 -c 'import json,sys; print([d["id"] for d in json.load(sys.stdin) if d["version"]=="1.1"][0])')
show "$vouch" evaluate -q --policy "$work/policy.json" "${dbopt[@]}" "${id2:0:12}"
ev2=$last
echo
echo "=== what changed between the releases ==="
show "$vouch" diff "${id1:0:12}" "${id2:0:12}"
echo
echo "=== the operator receives 1.1 with its bundle and checks it offline ==="
"$vouch" bundle -o "$work/r1-1.1.bundle.json" "${id2:0:12}"
"$vouch" lab pubkey >"$work/lab.pub"
show "$vouch" verify --bundle "$work/r1-1.1.bundle.json" --key "$work/lab.pub" "$work/deliveries/r1-1.1/firmware/r1-1.1.bin"
ok2=$last
cp "$work/deliveries/r1-1.1/firmware/r1-1.1.bin" "$work/r1-1.1-tampered.bin"
printf 'X' | dd of="$work/r1-1.1-tampered.bin" bs=1 seek=1000000 conv=notrunc 2>/dev/null
show "$vouch" verify --bundle "$work/r1-1.1.bundle.json" --key "$work/lab.pub" "$work/r1-1.1-tampered.bin"
bad2=$last
"$vouch" bundle -o "$work/r1-1.0.bundle.json" "${id1:0:12}"
show "$vouch" verify --bundle "$work/r1-1.0.bundle.json" --key "$work/lab.pub" "$work/deliveries/r1-1.0/firmware/r1-1.0.bin"
bad1=$last
echo
echo "=== for people: the HTML report of 1.1 ==="
show "$vouch" report "${id2:0:12}" --html "$work/r1-1.1-report.html"
[ "$last" = 0 ] && echo "demo: $work/r1-1.1-report.html written (one self-contained page; open it in a browser)"
echo
echo "demo: exit statuses: evaluate 1.0 $ev1 (8 = rejected), evaluate 1.1 $ev2 (0 = approved)," \
	"verify 1.1 $ok2 (0 = pass), tampered copy $bad2 (10 = not what the lab evaluated)," \
	"1.0 $bad1 (14 = rejected by the lab)"
echo "demo: the lab is in $work/lab (vouch delivery list; vouch delivery show ID;" \
	"vouch log --log $work/lab/log verify); see 'man vouch'"
