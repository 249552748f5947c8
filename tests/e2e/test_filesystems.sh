#!/usr/bin/env bash
# tests/e2e/test_filesystems.sh VOUCH: squashfs and ext2/ext4 end to end, against the source
# tree and against independent tools (unsquashfs -d for squashfs, debugfs rdump for ext).
#
# One source tree (real binaries from /usr/bin and /usr/lib, absolute and relative symlinks,
# a hard link, an empty file, a sparse file, a FIFO, a name with a space, a deep path, files
# owned by 1000:1000) is packed with mksquashfs for every compressor (with and without
# -all-root) and with mke2fs -d for ext2 and ext4 (no mount, no root needed for that). For
# each image we compare vouch's inventory (--json) and what `vouch unpack` wrote with:
#   - the source tree: paths, file types, sha256 of every file, symlink targets, modes;
#   - the independent tool's extraction of the same image.
# Then: a squashfs carved at offset 4096 after random bytes, truncated images (exit 4,
# partial results, no crash), a corrupt data block, an unsupported old/big-endian squashfs.
# One line per case; the last line is 'N passed, N failed'; exit status 0 only if all pass.
set -uo pipefail

vouch=${1:?usage: test_filesystems.sh VOUCH}
pass=0
fail=0
ok() { echo "ok: $*"; pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
finish() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit $?
}

for tool in mksquashfs unsquashfs mke2fs debugfs python3; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		bad "required tool $tool is missing (scripts/install-deps.sh installs it)"
		finish
	fi
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# ---- the source tree ------------------------------------------------------------------------
src=$work/src
mkdir -p "$src/bin" "$src/lib" "$src/with space" "$src/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p"
cp /usr/bin/ls /usr/bin/cat /usr/bin/env "$src/bin/"
for l in /usr/lib/x86_64-linux-gnu/libz.so.1 /usr/lib/x86_64-linux-gnu/libc.so.6 /usr/lib/os-release; do
	[ -e "$l" ] && cp -L "$l" "$src/lib/"
done
ln -s /bin/ls "$src/abs_link"
ln -s ../bin/cat "$src/lib/rel_link"
ln -s "dangling target" "$src/dangling"
ln "$src/bin/ls" "$src/bin/ls_hard"
: >"$src/empty"
truncate -s 3M "$src/sparse"
printf 'end of sparse file' >>"$src/sparse"
mkfifo "$src/fifo"
printf 'spaced\n' >"$src/with space/file name"
printf 'deep\n' >"$src/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/deep.txt"
python3 -c 'import random,sys; r=random.Random(7); sys.stdout.buffer.write(bytes(r.getrandbits(8) for _ in range(400000)))' >"$src/random.bin"
seq 1 200000 >"$src/numbers.txt" # several blocks plus a fragment tail, compressible
chmod 4755 "$src/bin/cat"
chmod 0600 "$src/random.bin"
chown 1000:1000 "$src/numbers.txt" "$src/with space"

# ---- listings and comparison (python: independent of vouch's own code) ------------------------
cat >"$work/fs.py" <<'EOF'
import hashlib, json, os, stat, sys

def sha(p):
    h = hashlib.sha256()
    with open(p, 'rb') as f:
        for b in iter(lambda: f.read(1 << 20), b''):
            h.update(b)
    return h.hexdigest()

def tree(root, ids=True, skip_types=()):
    """path -> (type, mode, sha-or-target, uid, gid) of a real directory tree."""
    out = {}
    for d, dirs, files in os.walk(root):
        dirs.sort()
        for n in dirs + files:
            p = os.path.join(d, n)
            rel = os.path.relpath(p, root)
            if rel == 'lost+found' or rel.startswith('lost+found/') or '.extracted' in rel:
                continue
            st = os.lstat(p)
            m = st.st_mode
            if stat.S_ISDIR(m): t, v = 'dir', ''
            elif stat.S_ISLNK(m): t, v = 'symlink', os.readlink(p)
            elif stat.S_ISREG(m): t, v = 'file', sha(p)
            elif stat.S_ISFIFO(m): t, v = 'fifo', ''
            elif stat.S_ISCHR(m): t, v = 'chardev', ''
            elif stat.S_ISBLK(m): t, v = 'blockdev', ''
            else: t, v = 'socket', ''
            if t in skip_types:
                continue
            out[rel] = (t, '%04o' % stat.S_IMODE(m) if t != 'symlink' else '', v,
                        st.st_uid if ids else 0, st.st_gid if ids else 0)
    return out

def inventory(jpath, prefix):
    """The same listing from `vouch inventory --json`; hard links resolved to their target."""
    d = json.load(open(jpath))
    out, links = {}, {}
    for f in d['files']:
        if not f['path'].startswith(prefix + '/') or f['depth'] != 1:
            continue
        rel = f['path'][len(prefix) + 1:]
        if rel == 'lost+found' or rel.startswith('lost+found/'):
            continue
        k = f['kind']
        v = f.get('link', '') if k == 'symlink' else f.get('sha256', '') if k == 'file' else ''
        if k == 'hardlink':
            links[rel] = f
            continue
        out[rel] = (k, f.get('mode', '') if k != 'symlink' else '', v, f.get('uid', 0),
                    f.get('gid', 0))
    for rel, f in links.items():
        t = out.get(f.get('link', ''))
        out[rel] = ('file', f.get('mode', ''), t[2] if t else 'missing target', f.get('uid', 0),
                    f.get('gid', 0))
    return out, d

def diff(a, b, na, nb):
    msgs = []
    for k in sorted(set(a) | set(b)):
        if k not in a: msgs.append('%s only in %s: %s' % (k, nb, b[k]))
        elif k not in b: msgs.append('%s only in %s: %s' % (k, na, a[k]))
        elif a[k] != b[k]: msgs.append('%s: %s %s, %s %s' % (k, na, a[k], nb, b[k]))
    return msgs

def report(msgs):
    for m in msgs[:8]:
        print('   ', m)
    return 0 if not msgs else 1

cmd = sys.argv[1]
if cmd == 'cmp-inv':   # cmp-inv JSON PREFIX TREE IDS(0/1) [SKIPTYPES]
    inv, _ = inventory(sys.argv[2], sys.argv[3])
    skip = tuple(sys.argv[6].split(',')) if len(sys.argv) > 6 else ()
    ref = tree(sys.argv[4], ids=sys.argv[5] == '1', skip_types=skip)
    inv = {k: v for k, v in inv.items() if v[0] not in skip}
    if sys.argv[5] != '1':
        inv = {k: v[:3] + (0, 0) for k, v in inv.items()}
    if len(sys.argv) > 7 and sys.argv[7] == 'nosuid':
        # debugfs rdump sets the mode before the owner, so chown clears set-uid/gid
        strip = lambda d: {k: (v[0], '%04o' % (int(v[1], 8) & 0o1777) if v[1] else '') + v[2:]
                           for k, v in d.items()}
        ref, inv = strip(ref), strip(inv)
    sys.exit(report(diff(ref, inv, 'reference', 'vouch')))
elif cmd == 'cmp-disk':  # cmp-disk OUTDIR TREE: regular files and directories vouch wrote
    got = tree(sys.argv[2], ids=False)
    ref = tree(sys.argv[3], ids=False)
    got = {k: (v[0], v[2]) for k, v in got.items() if v[0] in ('file', 'dir')}
    ref = {k: (v[0], v[2]) for k, v in ref.items() if v[0] in ('file', 'dir')}
    # hard links: the engine writes a link's bytes once, under the first name
    missing = [k for k in ref if k not in got and
               not (ref[k][0] == 'file' and any(v == ref[k] for v in got.values()))]
    msgs = ['%s not written' % k for k in missing]
    msgs += ['%s: wrong content or type' % k for k in got if k in ref and got[k] != ref[k]]
    msgs += ['%s: not in the reference' % k for k in got if k not in ref]
    sys.exit(report(msgs))
elif cmd == 'status':   # status JSON -> prints status, file count, error messages
    d = json.load(open(sys.argv[2]))
    print(d['status'], len(d['files']))
    for e in d['errors']:
        print(e['format'], e['offset'], e['message'])
elif cmd == 'count-ok':  # count-ok JSON PREFIX TREE: files whose sha256 matches the tree
    inv, _ = inventory(sys.argv[2], sys.argv[3])
    ref = tree(sys.argv[4], ids=False)
    print(sum(1 for k, v in ref.items() if v[0] == 'file' and k in inv and inv[k][2] == v[2]))
EOF
py() { python3 "$work/fs.py" "$@"; }

# run_vouch IMAGE NAME: inventory --json to $work/NAME.json and unpack to $work/NAME.out;
# sets inv_rc and unp_rc.
run_vouch() {
	local img=$1 name=$2
	"$vouch" inventory "$img" --json -q >"$work/$name.json" 2>"$work/$name.err"
	inv_rc=$?
	"$vouch" unpack "$img" -o "$work/$name.out" -q >/dev/null 2>>"$work/$name.err"
	unp_rc=$?
}

# check_image IMAGE NAME FMT REFDIR IDS [SKIPTYPES]: the four comparisons for one image
check_image() {
	local img=$1 name=$2 fmt=$3 ref=$4 ids=$5 skip=${6:-} mask=${7:-}
	local base
	base=$(basename "$img")
	run_vouch "$img" "$name"
	if [ "$inv_rc" -eq 0 ] && [ "$unp_rc" -eq 0 ]; then
		ok "$name: inventory and unpack exit 0"
	else
		bad "$name: exit inventory=$inv_rc unpack=$unp_rc ($(head -c 300 "$work/$name.err"))"
	fi
	if py cmp-inv "$work/$name.json" "$base/$fmt" "$src" "$ids"; then
		ok "$name: inventory matches the source tree (paths, types, sha256, targets, modes)"
	else
		bad "$name: inventory differs from the source tree"
	fi
	if py cmp-inv "$work/$name.json" "$base/$fmt" "$ref" "$ids" $skip $mask; then
		ok "$name: inventory matches the independent extraction"
	else
		bad "$name: inventory differs from the independent extraction"
	fi
	if py cmp-disk "$work/$name.out/$base.extracted/$fmt" "$src"; then
		ok "$name: files written by unpack match the source tree"
	else
		bad "$name: files written by unpack differ from the source tree"
	fi
}

# ---- squashfs, every compressor, with and without -all-root ----------------------------------
for comp in gzip xz lzo lz4 zstd; do
	for root in "" "-all-root"; do
		name=sq-$comp${root:+-allroot}
		img=$work/$name.sqfs
		if ! mksquashfs "$src" "$img" -comp "$comp" $root -noappend -quiet -no-progress \
			>/dev/null 2>&1; then
			bad "$name: mksquashfs failed"
			continue
		fi
		rm -rf "$work/ref-$name"
		unsquashfs -q -n -d "$work/ref-$name" "$img" >/dev/null 2>&1
		check_image "$img" "$name" squashfs "$work/ref-$name" "$([ -z "$root" ] && echo 1 || echo 0)"
		rm -rf "$work/ref-$name" "$work/$name.out"
	done
done
if [ "$(py status "$work/sq-gzip-allroot.json" | head -1)" != "" ]; then
	uid=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print([f["uid"] for f in d["files"] if f["path"].endswith("/numbers.txt")][0])' "$work/sq-gzip-allroot.json")
	uid2=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print([f["uid"] for f in d["files"] if f["path"].endswith("/numbers.txt")][0])' "$work/sq-gzip.json")
	if [ "$uid" = 0 ] && [ "$uid2" = 1000 ]; then
		ok "squashfs owners: 1000 kept, 0 with -all-root"
	else
		bad "squashfs owners: got $uid2 (expected 1000) and $uid with -all-root (expected 0)"
	fi
fi

# ---- ext2 and ext4 (mke2fs -d), reference: debugfs rdump ---------------------------------------
for t in ext2 ext4; do
	name=$t
	img=$work/$name.img
	if ! mke2fs -q -F -t "$t" -d "$src" "$img" 16M >/dev/null 2>&1; then
		bad "$name: mke2fs -d failed"
		continue
	fi
	mkdir -p "$work/ref-$name"
	debugfs -R "rdump / $work/ref-$name" "$img" >/dev/null 2>&1
	# rdump writes regular files, directories and symlinks only: compare those; and it loses
	# set-uid/gid bits (see fs.py), which the source-tree comparison does check
	check_image "$img" "$name" ext "$work/ref-$name" 1 fifo,chardev,blockdev,socket nosuid
	rm -rf "$work/ref-$name" "$work/$name.out"
done

# ---- carving: a squashfs after 4096 random bytes --------------------------------------------
carved=$work/carved.bin
python3 -c 'import random,sys; r=random.Random(11); sys.stdout.buffer.write(bytes(r.getrandbits(8) for _ in range(4096)))' >"$carved"
cat "$work/sq-xz.sqfs" >>"$carved"
run_vouch "$carved" carved
if [ "$inv_rc" -eq 0 ] && py cmp-inv "$work/carved.json" "carved.bin/squashfs@0x1000" "$src" 1; then
	ok "carving: squashfs at offset 0x1000 found and complete"
else
	bad "carving: squashfs at offset 0x1000 (exit $inv_rc)"
fi

# ---- truncation, corruption, unsupported variants ---------------------------------------------
img=$work/sq-gzip.sqfs
used=$(python3 -c 'import struct,sys; print(struct.unpack_from("<Q", open(sys.argv[1],"rb").read(96), 40)[0])' "$img")
head -c $((used - 20)) "$img" >"$work/tail-cut.sqfs"
run_vouch "$work/tail-cut.sqfs" tailcut
good=$(py count-ok "$work/tailcut.json" tail-cut.sqfs/squashfs "$src")
if [ "$inv_rc" -eq 4 ] && [ "$unp_rc" -eq 4 ] && [ "${good:-0}" -ge 8 ]; then
	ok "truncated in its last table: exit 4, $good files still correct"
else
	bad "truncated in its last table: exit $inv_rc/$unp_rc, $good correct files"
fi
head -c $((used / 2)) "$img" >"$work/half.sqfs"
run_vouch "$work/half.sqfs" half
if [ "$inv_rc" -eq 4 ] && [ "$unp_rc" -eq 4 ] && grep -q truncated <<<"$(py status "$work/half.json")"; then
	ok "truncated at half: exit 4, truncation reported, no crash"
else
	bad "truncated at half: exit $inv_rc/$unp_rc"
fi
# overwrite 256 bytes inside the data area (first blocks start right after the superblock)
cp "$img" "$work/corrupt.sqfs"
python3 -c 'import sys; f=open(sys.argv[1],"r+b"); f.seek(2000); f.write(b"\xa5"*256)' "$work/corrupt.sqfs"
run_vouch "$work/corrupt.sqfs" corrupt
good=$(py count-ok "$work/corrupt.json" corrupt.sqfs/squashfs "$src")
nerr=$(py status "$work/corrupt.json" | grep -c '^squashfs ')
if [ "$inv_rc" -eq 4 ] && [ "$nerr" -ge 1 ] && [ "${good:-0}" -ge 8 ]; then
	ok "corrupt data block: exit 4, $nerr error(s) with offsets, $good files still correct"
else
	bad "corrupt data block: exit $inv_rc, $nerr errors, $good correct files"
fi
# squashfs 3.0 big-endian: identified, region claimed, error names the variant
python3 - "$work/v3be.sqfs" <<'EOF'
import struct, sys
h = bytearray(4096)
h[0:4] = b'sqsh'
struct.pack_into('>HH', h, 28, 3, 0)
struct.pack_into('>I', h, 51, 65536)
struct.pack_into('>Q', h, 63, 4096)
open(sys.argv[1], 'wb').write(h)
EOF
run_vouch "$work/v3be.sqfs" v3be
if [ "$inv_rc" -eq 4 ] && grep -q 'squashfs 3.0 big-endian: not supported' <<<"$(py status "$work/v3be.json")"; then
	ok "squashfs 3.0 big-endian: recorded as unsupported, not skipped"
else
	bad "squashfs 3.0 big-endian: exit $inv_rc, $(py status "$work/v3be.json" | tail -n +2 | head -2)"
fi
# ext4 truncated to half: partial, no crash
head -c $((8 * 1024 * 1024)) "$work/ext4.img" >"$work/ext4-half.img"
run_vouch "$work/ext4-half.img" ext4half
if [ "$inv_rc" -eq 4 ] && [ "$unp_rc" -eq 4 ]; then
	ok "ext4 truncated at half: exit 4, no crash"
else
	bad "ext4 truncated at half: exit $inv_rc/$unp_rc"
fi

finish
