#!/usr/bin/env bash
# bench/make-bench-images.sh: build the firmware-like images that `make bench` measures.
#
# Usage: bench/make-bench-images.sh [OUTDIR]   (default bench/out; cached: an image that
#        exists is not rebuilt; delete OUTDIR to start over)
#
# Two images, both shaped like a router firmware: a legacy uImage kernel (mkimage, gzip
# payload), 0xFF padding to a 1 MiB boundary, a squashfs root filesystem (mksquashfs), 0xFF
# padding to a 64 KiB boundary. The squashfs content is real files from this machine's /usr
# (ELF binaries, libraries, text, compressed data), chosen deterministically (sorted paths)
# up to a byte budget, plus the test fixtures' rootfs when it has been built:
#   medium.bin  ~200 MiB of content, xz   (medium.sqfs: the same squashfs alone)
#   large.bin   ~1 GiB of content,   gzip (large.sqfs)
# Building the large one takes a few minutes (mksquashfs on both cores).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-bench/out}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

# pick_files BUDGET_BYTES LISTFILE: regular files under /usr, sorted, until the budget
pick_files() {
	python3 - "$1" "$2" <<'PY'
import os, sys
budget, out = int(sys.argv[1]), sys.argv[2]
total = 0
picked = []
for top in ('/usr/bin', '/usr/sbin', '/usr/lib/x86_64-linux-gnu', '/usr/share', '/usr/lib'):
    for root, dirs, files in os.walk(top):
        dirs.sort()
        for f in sorted(files):
            p = os.path.join(root, f)
            try:
                st = os.lstat(p)
            except OSError:
                continue
            import stat
            if stat.S_ISLNK(st.st_mode):
                picked.append(p)
                continue
            if not stat.S_ISREG(st.st_mode) or st.st_size > 64 << 20 or not os.access(p, os.R_OK):
                continue
            if total + st.st_size > budget:
                continue
            picked.append(p)
            total += st.st_size
        if total >= budget * 0.99:
            break
    if total >= budget * 0.99:
        break
open(out, 'w').write('\n'.join(sorted(set(picked))) + '\n')
print(total)
PY
}

build_tree() { # name budget
	local name=$1 budget=$2 tree=$OUT/$1.tree list=$OUT/$1.list
	if [ -d "$tree" ] && [ -f "$tree/.done" ]; then
		return
	fi
	rm -rf "$tree"
	mkdir -p "$tree"
	local bytes
	bytes=$(pick_files "$budget" "$list")
	echo "  $name: $((bytes >> 20)) MiB of files from /usr" >&2
	# copy with the paths (and symlinks as symlinks) beneath the tree
	tar -C / --no-recursion -cf - --files-from=<(sed 's|^/||' "$list") |
		tar -C "$tree" -xf -
	if [ -d tests/fixtures/out ]; then
		mkdir -p "$tree/fixtures"
		find tests/fixtures/out -maxdepth 2 -type d -name 'rootfs*' -exec cp -a {} "$tree/fixtures/" \; \
			2>/dev/null || true
	fi
	touch "$tree/.done"
}

wrap_firmware() { # sqfs out.bin
	local sqfs=$1 bin=$2 kern=$OUT/kernel.uimg
	if [ ! -f "$kern" ]; then
		# a kernel-sized gzip payload from real binaries
		(cat /usr/bin/* 2>/dev/null || true) | head -c $((6 << 20)) | gzip -9 >"$OUT/kernel.gz"
		mkimage -A mips -O linux -T kernel -C gzip -a 0x80000000 -e 0x80000000 \
			-n "Linux-5.10 bench" -d "$OUT/kernel.gz" "$kern" >/dev/null
	fi
	python3 - "$kern" "$sqfs" "$bin" <<'PY'
import sys, shutil
kern, sqfs, out = sys.argv[1:4]
with open(out, 'wb') as o:
    k = open(kern, 'rb').read()
    o.write(k)
    o.write(b'\xff' * (-len(k) % (1 << 20)))
    with open(sqfs, 'rb') as s:
        shutil.copyfileobj(s, o, 1 << 20)
    n = o.tell()
    o.write(b'\xff' * (-n % (64 << 10)))
PY
}

image() { # name budget comp
	local name=$1 budget=$2 comp=$3
	if [ -f "$OUT/$name.bin" ] && [ -f "$OUT/$name.sqfs" ]; then
		echo "  $name: cached ($OUT/$name.bin)" >&2
		return
	fi
	build_tree "$name" "$budget"
	rm -f "$OUT/$name.sqfs"
	mksquashfs "$OUT/$name.tree" "$OUT/$name.sqfs" -comp "$comp" -noappend -quiet -no-progress \
		-e .done >/dev/null
	wrap_firmware "$OUT/$name.sqfs" "$OUT/$name.bin"
	echo "  $name: $(du -h "$OUT/$name.bin" | cut -f1) image, $(find "$OUT/$name.tree" -type f | wc -l) files" >&2
}

echo "bench images in $OUT" >&2
image medium $((200 << 20)) xz
image large $((1024 << 20)) gzip
