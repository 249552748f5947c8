#!/usr/bin/env bash
# tests/e2e/test_flash.sh VOUCH: JFFS2, UBI and UBIFS end to end, against the source tree.
#
# One source tree (real binaries from /usr/bin, a relative and an absolute symlink, a
# subdirectory, a name with a space, a hard link, an empty file) is packed with mtd-utils:
# mkfs.jffs2 (little and big endian; zlib, lzo, rtime, none), mkfs.ubifs (lzo, zlib, zstd,
# none) and ubinize (a UBIFS volume plus a static volume holding a squashfs made by
# mksquashfs). vouch's inventory (--json) is compared with the tree itself (paths, types,
# sha256 of every file, symlink targets: the independent ground truth), with jffs2dump's node
# count, and the reassembled UBI volumes with the images that went into ubinize. Then
# truncated and bit-flipped images (exit 4, partial results, no crash), and the real samples
# in ../shared/vectors/firmware (FACT's jffs2/ubi/ubifs test images: the "std set" of three
# files), skipped when that directory is absent.
# One line per case; the last line is 'N passed, N failed'; exit status 0 only if all pass.
set -uo pipefail

vouch=${1:?usage: test_flash.sh VOUCH}
vouch=$(cd "$(dirname "$vouch")" && pwd)/$(basename "$vouch")
here=$(cd "$(dirname "$0")" && pwd)
pass=0
fail=0
ok() { echo "ok: $*"; pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
finish() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit $?
}

for tool in mkfs.jffs2 mkfs.ubifs ubinize jffs2dump mksquashfs python3 jq; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		bad "required tool $tool is missing (scripts/install-deps.sh installs it)"
		finish
	fi
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# ---- the source tree -----------------------------------------------------------------------
src=$work/src
mkdir -p "$src/bin" "$src/with space/deeper"
cp /usr/bin/ls /usr/bin/cat /usr/bin/env "$src/bin/"
ln -s ../bin/cat "$src/with space/rel_link"
ln -s /bin/ls "$src/abs_link"
ln "$src/bin/ls" "$src/bin/ls_hard"
: >"$src/empty"
printf 'spaced\n' >"$src/with space/file name"
seq 1 50000 >"$src/with space/deeper/numbers.txt"

cat >"$work/fl.py" <<'EOF'
import hashlib, json, os, stat, sys

def sha(p):
    with open(p, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()

def tree(root):
    """path -> (kind, sha256 | target | '') of a real directory tree."""
    out = {}
    for d, dirs, files in os.walk(root):
        for n in dirs + files:
            p = os.path.join(d, n)
            rel = os.path.relpath(p, root)
            m = os.lstat(p).st_mode
            if stat.S_ISDIR(m): out[rel] = ('dir', '')
            elif stat.S_ISLNK(m): out[rel] = ('symlink', os.readlink(p))
            elif stat.S_ISREG(m): out[rel] = ('file', sha(p))
    return out

def inventory(jpath, prefix):
    """The same from `vouch inventory --json` (entries under prefix/); hard links resolved."""
    d = json.load(open(jpath))
    out, links = {}, {}
    for f in d['files']:
        if not f['path'].startswith(prefix + '/'):
            continue
        rel = f['path'][len(prefix) + 1:]
        if '/' in rel and any(rel.startswith(o['path'][len(prefix) + 1:] + '/')
                              for o in d['files'] if o.get('container') and
                              o['path'].startswith(prefix + '/') and o['path'] != f['path']):
            continue  # inside a nested container
        k = f['kind']
        if k == 'hardlink':
            links[rel] = f.get('link', '')
        elif k == 'symlink':
            out[rel] = ('symlink', f.get('link', ''))
        elif k == 'file':
            out[rel] = ('file', f.get('sha256', ''))
        elif k == 'dir':
            out[rel] = ('dir', '')
    for rel, target in links.items():
        t = out.get(target)
        out[rel] = ('file', t[1] if t else 'missing hard-link target ' + target)
    return out, d

cmd = sys.argv[1]
if cmd == 'cmp':  # cmp JSON PREFIX TREE
    inv, _ = inventory(sys.argv[2], sys.argv[3])
    ref = tree(sys.argv[4])
    msgs = []
    for k in sorted(set(ref) | set(inv)):
        if k not in inv: msgs.append('%s missing from vouch' % k)
        elif k not in ref: msgs.append('%s only in vouch %s' % (k, inv[k]))
        elif inv[k] != ref[k]: msgs.append('%s: tree %s, vouch %s' % (k, ref[k], inv[k]))
    for m in msgs[:6]:
        print('   ', m)
    sys.exit(1 if msgs else 0)
elif cmd == 'count':  # count JSON PREFIX: entries (not the root) under PREFIX/
    inv, _ = inventory(sys.argv[2], sys.argv[3])
    print(len(inv))
elif cmd == 'sha':  # sha JSON PATH
    d = json.load(open(sys.argv[2]))
    print(next((f.get('sha256', '') for f in d['files'] if f['path'] == sys.argv[3]), 'absent'))
elif cmd == 'stdset':  # stdset JSON PREFIX: the FACT "std set" of three files, by sha256
    inv, _ = inventory(sys.argv[2], sys.argv[3])
    want = {'testfile1': 'd558c9339cb967341d701e3184f863d3928973fccdc1d96042583730b5c7b76a',
            'testfile2': 'faa11db49f32a90b51dfc3f0254f9fd7a7b46d0b570abd47e1943b86d554447a',
            'generic folder/test file 3_.txt':
            '289b5a050a83837f192d7129e4c4e02570b94b4924e50159fad5ed1067cfbfeb'}
    files = {k: v[1] for k, v in inv.items() if v[0] == 'file'}
    bad = [k for k in want if files.get(k) != want[k]]
    extra = [k for k in files if k not in want]
    for k in bad: print('    missing or wrong:', k)
    for k in extra: print('    unexpected:', k)
    sys.exit(1 if bad or extra else 0)
elif cmd == 'nfiles':  # nfiles JSON DEPTH: number of files at a depth
    d = json.load(open(sys.argv[2]))
    print(sum(1 for f in d['files'] if f['depth'] == int(sys.argv[3]) and f['kind'] == 'file'))
EOF
py() { python3 "$work/fl.py" "$@"; }

# inv IMAGE NAME: inventory --json to $work/NAME.json; sets rc
inv() {
	"$vouch" inventory "$1" --json -q >"$work/$2.json" 2>"$work/$2.err"
	rc=$?
}

# check IMAGE NAME PREFIX: exit 0 and the tree under PREFIX matches the source
check() {
	local img=$1 name=$2 prefix=$3
	inv "$img" "$name"
	if [ "$rc" -ne 0 ]; then
		bad "$name: exit $rc ($(jq -c '.errors[:3]' "$work/$name.json" 2>/dev/null | head -c 300))"
		return
	fi
	if py cmp "$work/$name.json" "$prefix" "$src"; then
		ok "$name: every path, type, sha256 and symlink target matches the source tree"
	else
		bad "$name: differs from the source tree"
	fi
}

# ---- JFFS2 -----------------------------------------------------------------------------------
i=0
for variant in "-l" "-b" "-l -X lzo -x zlib -x rtime" "-b -X lzo -x zlib -x rtime" \
	"-l -X rtime -x zlib" "-b -x zlib -x rtime" "-l -e 128KiB -p"; do
	i=$((i + 1))
	img=$work/j$i.jffs2
	# shellcheck disable=SC2086 # the variant is a list of options
	if ! mkfs.jffs2 -r "$src" -o "$img" -e 64KiB $variant 2>"$work/mk.err"; then
		bad "mkfs.jffs2 $variant failed: $(head -c 200 "$work/mk.err")"
		continue
	fi
	check "$img" "jffs2 $variant" "j$i.jffs2/jffs2"
	# jffs2dump counts the directory-entry nodes: one per path (the root has none)
	endian=""
	case "$variant" in -b*) endian="-b" ;; esac
	# shellcheck disable=SC2086
	nd=$(jffs2dump $endian -c "$img" 2>/dev/null | grep -c 'Dirent')
	nv=$(py count "$work/jffs2 $variant.json" "j$i.jffs2/jffs2")
	if [ "$nd" -gt 0 ] && [ "$nd" = "$nv" ]; then
		ok "jffs2 $variant: jffs2dump's $nd directory entries = vouch's $nv paths"
	else
		bad "jffs2 $variant: jffs2dump counts $nd directory entries, vouch lists $nv paths"
	fi
done

# a JFFS2 partition carved from the middle of a bigger image
head -c 65536 /dev/urandom >"$work/carved.bin"
cat "$work/j1.jffs2" >>"$work/carved.bin"
head -c 4096 /dev/zero >>"$work/carved.bin"
check "$work/carved.bin" "jffs2 at offset 64 KiB" "carved.bin/jffs2@0x10000"

# ---- UBIFS and UBI ---------------------------------------------------------------------------
for c in lzo zlib zstd none; do
	img=$work/u-$c.ubifs
	if ! mkfs.ubifs -r "$src" -m 2048 -e 126976 -c 64 -x "$c" -o "$img" 2>"$work/mk.err"; then
		echo "skip: mkfs.ubifs -x $c not supported here ($(head -c 100 "$work/mk.err"))"
		continue
	fi
	check "$img" "ubifs -x $c" "u-$c.ubifs/ubifs"
done

mksquashfs "$src" "$work/ro.sqfs" -noappend -quiet >/dev/null
cp "$work/u-lzo.ubifs" "$work/rootfs.ubifs"
cat >"$work/ubi.ini" <<EOF
[rootfs]
mode=ubi
image=$work/rootfs.ubifs
vol_id=0
vol_type=dynamic
vol_name=rootfs
vol_size=12MiB
vol_flags=autoresize

[ro]
mode=ubi
image=$work/ro.sqfs
vol_id=1
vol_type=static
vol_name=ro fs
EOF
# default VID header offset for -m 2048: data at 4096, LEB 126976 = what mkfs.ubifs -e was given
if ubinize -o "$work/two.ubi" -m 2048 -p 128KiB "$work/ubi.ini" >/dev/null 2>&1; then
	check "$work/two.ubi" "ubi: ubifs volume" "two.ubi/ubi/rootfs/ubifs"
	if py cmp "$work/ubi: ubifs volume.json" "two.ubi/ubi/ro fs/squashfs" "$src"; then
		ok "ubi: static squashfs volume matches the source tree"
	else
		bad "ubi: static squashfs volume differs from the source tree"
	fi
	want=$(sha256sum <"$work/ro.sqfs" | cut -d' ' -f1)
	got=$(py sha "$work/ubi: ubifs volume.json" "two.ubi/ubi/ro fs")
	[ "$want" = "$got" ] && ok "ubi: static volume = the squashfs image given to ubinize" ||
		bad "ubi: static volume sha256 $got, image $want"
	want=$(sha256sum <"$work/rootfs.ubifs" | cut -d' ' -f1)
	got=$(py sha "$work/ubi: ubifs volume.json" "two.ubi/ubi/rootfs")
	[ "$want" = "$got" ] && ok "ubi: dynamic volume = the UBIFS image given to ubinize" ||
		bad "ubi: dynamic volume sha256 $got, image $want"
else
	bad "ubinize failed"
fi
# sub-pages of 512: VID header at 512, data at 2048, so LEBs of 129024 bytes
mkfs.ubifs -r "$src" -m 2048 -e 129024 -c 64 -o "$work/sub.ubifs"
head -n 9 "$work/ubi.ini" | sed "s|vol_size=12MiB|vol_size=4MiB|; s|rootfs.ubifs|sub.ubifs|" \
	>"$work/one.ini"
if ubinize -o "$work/one.ubi" -m 2048 -p 128KiB -s 512 "$work/one.ini" 2>/dev/null; then
	check "$work/one.ubi" "ubi: one volume, VID header at 512" "one.ubi/ubi/rootfs/ubifs"
else
	bad "ubinize -s 512 failed"
fi

# ---- damaged images: exit 4 (partial), something recovered, no crash -------------------------
# damaged IMAGE NAME PREFIX MIN: expects exit 4 and at least MIN entries under PREFIX
damaged() {
	inv "$1" "$2"
	local n
	n=$(py count "$work/$2.json" "$3" 2>/dev/null || echo 0)
	if [ "$rc" -eq 4 ] && [ "$n" -ge "$4" ]; then
		ok "$2: exit 4 with $n entries recovered"
	else
		bad "$2: exit $rc, $n entries recovered (want exit 4 and >= $4) $(head -c 300 "$work/$2.err")"
	fi
}
sz=$(stat -c %s "$work/j1.jffs2")
head -c $((sz * 6 / 10)) "$work/j1.jffs2" >"$work/jt.jffs2"
damaged "$work/jt.jffs2" "jffs2 truncated to 60%" "jt.jffs2/jffs2" 2
sz=$(stat -c %s "$work/two.ubi")
head -c $((sz / 2 + 1000)) "$work/two.ubi" >"$work/ut.ubi"
damaged "$work/ut.ubi" "ubi truncated to half" "ut.ubi/ubi" 1
# mkfs.ubifs writes the index last: a cut image has none left, so nothing can be listed
# (recovery by scanning the LEBs is not implemented), but it must say so with exit 4
head -c 700000 "$work/u-lzo.ubifs" >"$work/ft.ubifs"
damaged "$work/ft.ubifs" "ubifs truncated" "ft.ubifs/ubifs" 0

# flip one byte inside compressed file data (found from the node tables by python)
python3 - "$work/j1.jffs2" "$work/jb.jffs2" <<'EOF'
import struct, sys
d = bytearray(open(sys.argv[1], 'rb').read())
p = 0
while p + 68 <= len(d):
    m, t, l = struct.unpack_from('<HHI', d, p)
    if m == 0x1985 and l >= 12:
        if t == 0xe002 and struct.unpack_from('<I', d, p + 48)[0] > 200:
            d[p + 68 + 100] ^= 0x55
            break
        p += (l + 3) & ~3
    else:
        p += 4
open(sys.argv[2], 'wb').write(d)
EOF
damaged "$work/jb.jffs2" "jffs2 with a flipped data byte" "jb.jffs2/jffs2" 5
python3 - "$work/u-lzo.ubifs" "$work/fb.ubifs" <<'EOF'
import struct, sys
d = bytearray(open(sys.argv[1], 'rb').read())
for p in range(0, len(d) - 48, 8):
    if struct.unpack_from('<I', d, p)[0] == 0x06101831 and d[p + 20] == 1:  # a data node
        if struct.unpack_from('<I', d, p + 16)[0] > 400:
            d[p + 48 + 200] ^= 0x55
            break
open(sys.argv[2], 'wb').write(d)
EOF
damaged "$work/fb.ubifs" "ubifs with a flipped data byte" "fb.ubifs/ubifs" 5

# ---- real samples (FACT's test images) -------------------------------------------------------
vec=$here/../../../shared/vectors/firmware/fact_extractor
if [ -d "$vec" ]; then
	for e in le be; do
		f=$vec/jffs2/jffs2_$e.img
		[ -f "$f" ] || continue
		inv "$f" "fact-jffs2-$e"
		if [ "$rc" -eq 0 ] && py stdset "$work/fact-jffs2-$e.json" "jffs2_$e.img/jffs2"; then
			ok "FACT jffs2_$e.img: exactly the std set (3 files, sha256)"
		else
			bad "FACT jffs2_$e.img: exit $rc, std set not found"
		fi
	done
	if [ -f "$vec/ubi/test.ubifs" ]; then
		inv "$vec/ubi/test.ubifs" fact-ubifs
		if [ "$rc" -eq 0 ] && py stdset "$work/fact-ubifs.json" "test.ubifs/ubifs"; then
			ok "FACT test.ubifs: exactly the std set at the root"
		else
			bad "FACT test.ubifs: exit $rc, std set not found"
		fi
	fi
	if [ -f "$vec/ubi/ubi.img" ]; then
		inv "$vec/ubi/ubi.img" fact-ubi
		n=$(py nfiles "$work/fact-ubi.json" 1)
		vol=$(jq -r '.files[] | select(.depth == 1 and .kind == "file") | .path' \
			"$work/fact-ubi.json" | head -1)
		if [ "$rc" -eq 0 ] && [ "$n" = 1 ] && py stdset "$work/fact-ubi.json" "$vol/ubifs"; then
			ok "FACT ubi.img: exactly one volume ($vol), holding the std set"
		else
			bad "FACT ubi.img: exit $rc, $n volumes"
		fi
	fi
else
	echo "skip: $vec absent"
fi

finish
