#!/usr/bin/env bash
# tests/e2e/test_headers.sh VOUCH: firmware headers (uImage, FIT, device trees, TRX) and the
# small filesystems (cramfs, romfs) end to end, against the source files and independent tools.
#
# Real images are built here with the real tools: mkimage (legacy uImage with -C none, gzip,
# lzma; a multi-file image holding a squashfs; FIT with inline and external data), dtc, a TRX
# written by a few lines of python (its CRC from python's zlib, not from vouch), mkfs.cramfs
# (little- and big-endian, padded) and genromfs from one source tree of real binaries, a
# symlink, a hard link, a FIFO and device nodes. Every file vouch reports is compared by
# sha256 with the source files and with what the independent tools extract (dumpimage -p N -o
# for uImage/FIT, fsck.cramfs --extract for cramfs). Then corrupt and truncated images (errors
# recorded, payload still opened, exit 4, no crash), a carved uImage, and the real samples in
# ../shared/vectors/firmware with the results their source projects assert (skipped when
# absent). One line per case; the last line is 'N passed, N failed'; exit 0 only if all pass.
set -uo pipefail

vouch=${1:?usage: test_headers.sh VOUCH}
pass=0
fail=0
ok() { echo "ok: $*"; pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
check() { # check DESC CMD...: the command's success is the case's result
	local desc=$1
	shift
	if out=$("$@" 2>&1); then ok "$desc"; else
		bad "$desc"
		printf '%s\n' "$out" | head -n 8 | sed 's/^/    /'
	fi
}
finish() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit $?
}

for tool in mkimage dumpimage dtc genromfs mkfs.cramfs fsck.cramfs mksquashfs python3 gzip lzma; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		bad "required tool $tool is missing (scripts/install-deps.sh installs it)"
		finish
	fi
done

here=$(cd "$(dirname "$0")" && pwd)
vectors=$here/../../../shared/vectors/firmware
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

# ---- sources ---------------------------------------------------------------------------------
src=$work/src
mkdir -p "$src/bin" "$src/etc/deep/er" "$src/dev"
cp /usr/bin/ls /usr/bin/cat /usr/bin/env "$src/bin/"
seq 1 40000 >"$src/etc/numbers"
printf 'deep\n' >"$src/etc/deep/er/file.txt"
printf 'spaced\n' >"$src/etc/with space"
: >"$src/empty"
ln -s ../bin/ls "$src/etc/ls_link"
ln -s /bin/cat "$src/abs_link"
ln "$src/bin/env" "$src/etc/env_hard"
mkfifo "$src/dev/fifo"
have_dev=0
if mknod "$src/dev/null" c 1 3 2>/dev/null && mknod "$src/dev/loop9" b 7 9 2>/dev/null; then
	have_dev=1
fi

cat >"$work/t.py" <<'EOF'
import hashlib, json, os, stat, sys

def sha(p):
    with open(p, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()

def inv(jpath):
    d = json.load(open(jpath))
    return {f['path']: f for f in d['files']}, d

def tree(root):
    """rel path -> (kind, sha-or-target) of a real directory tree."""
    out = {}
    for d, dirs, files in os.walk(root):
        for n in dirs + files:
            p = os.path.join(d, n)
            m = os.lstat(p).st_mode
            rel = os.path.relpath(p, root)
            if stat.S_ISDIR(m): out[rel] = ('dir', '')
            elif stat.S_ISLNK(m): out[rel] = ('symlink', os.readlink(p))
            elif stat.S_ISREG(m): out[rel] = ('file', sha(p))
            elif stat.S_ISFIFO(m): out[rel] = ('fifo', '')
            elif stat.S_ISCHR(m): out[rel] = ('chardev', '')
            elif stat.S_ISBLK(m): out[rel] = ('blockdev', '')
            else: out[rel] = ('socket', '')
    return out

def listing(files, prefix):
    """The same shape from vouch's inventory, under prefix; hard links resolved."""
    out, links = {}, {}
    for p, f in files.items():
        if not p.startswith(prefix + '/') or '/' in p[len(prefix) + 1:] and \
           any(p.startswith(q + '/') and files[q]['kind'] == 'file' for q in files if q.startswith(prefix + '/')):
            continue
        rel = p[len(prefix) + 1:]
        k = f['kind']
        if k == 'hardlink':
            links[rel] = f['link']
            continue
        out[rel] = (k, f.get('link', '') if k == 'symlink' else f.get('sha256', '') if k == 'file' else '')
    for rel, t in links.items():
        out[rel] = ('file', out.get(t, ('', 'missing target ' + t))[1])
    return out

def diff(a, b):
    msgs = []
    for k in sorted(set(a) | set(b)):
        if a.get(k) != b.get(k):
            msgs.append('%s: expected %s, vouch %s' % (k, a.get(k), b.get(k)))
    for m in msgs[:8]:
        print('   ', m)
    return 1 if msgs else 0

cmd = sys.argv[1]
if cmd == 'sha':        # sha JSON PATH FILE: the file at PATH has FILE's sha256
    files, _ = inv(sys.argv[2])
    f = files.get(sys.argv[3])
    want = sha(sys.argv[4])
    if f is None:
        print('no', sys.argv[3], 'in', sorted(files)[:12]); sys.exit(1)
    if f.get('sha256') != want:
        print(sys.argv[3], f.get('sha256'), '!=', want); sys.exit(1)
elif cmd == 'tree':     # tree JSON PREFIX DIR [skip-kinds]: the container equals the tree
    files, _ = inv(sys.argv[2])
    skip = sys.argv[5].split(',') if len(sys.argv) > 5 else []
    ref = {k: v for k, v in tree(sys.argv[4]).items() if v[0] not in skip}
    got = {k: v for k, v in listing(files, sys.argv[3]).items() if v[0] not in skip}
    sys.exit(diff(ref, got))
elif cmd == 'error':    # error JSON SUBSTRING: an error message contains it
    _, d = inv(sys.argv[2])
    if not any(sys.argv[3] in e.get('message', '') for e in d['errors']):
        print('errors:', [e.get('message') for e in d['errors']]); sys.exit(1)
elif cmd == 'noerror':  # noerror JSON
    _, d = inv(sys.argv[2])
    if d['errors']:
        print('errors:', [e.get('message') for e in d['errors']]); sys.exit(1)
elif cmd == 'nocrcerror':  # nocrcerror JSON: no error message mentions a CRC
    _, d = inv(sys.argv[2])
    if any('CRC' in e.get('message', '') for e in d['errors']):
        print('errors:', [e.get('message') for e in d['errors']]); sys.exit(1)
elif cmd == 'region':   # region JSON NODE FORMAT-PREFIX [OFFSET [LENGTH]]
    _, d = inv(sys.argv[2])
    rs = [r for r in d['regions'] if r['node'] == sys.argv[3] and
          (r.get('format') or '').startswith(sys.argv[4])]
    if len(sys.argv) > 5:
        rs = [r for r in rs if r['offset'] == int(sys.argv[5])]
    if len(sys.argv) > 6:
        rs = [r for r in rs if r['length'] == int(sys.argv[6])]
    if not rs:
        print('regions:', [(r['node'], r['offset'], r['length'], r.get('format')) for r in d['regions']])
        sys.exit(1)
elif cmd == 'noregion': # noregion JSON FORMAT: no region of that format anywhere
    _, d = inv(sys.argv[2])
    if any(r.get('format') == sys.argv[3] for r in d['regions']):
        sys.exit(1)
elif cmd == 'children': # children JSON PREFIX NAME...: exactly these direct members
    files, _ = inv(sys.argv[2])
    p = sys.argv[3] + '/'
    got = sorted(k[len(p):] for k in files if k.startswith(p) and '/' not in k[len(p):])
    if got != sorted(sys.argv[4:]):
        print('members:', got); sys.exit(1)
elif cmd == 'stdset':   # stdset JSON: the three std-set files (sha256 from the README)
    files, _ = inv(sys.argv[2])
    want = {'d558c9339cb967341d701e3184f863d3928973fccdc1d96042583730b5c7b76a',
            'faa11db49f32a90b51dfc3f0254f9fd7a7b46d0b570abd47e1943b86d554447a',
            '289b5a050a83837f192d7129e4c4e02570b94b4924e50159fad5ed1067cfbfeb'}
    names = {'testfile1', 'testfile2', 'test file 3_.txt'}
    got = {f.get('sha256') for f in files.values()}
    base = {p.rsplit('/', 1)[-1] for p in files}
    if not want <= got or not names <= base:
        print('missing', want - got, names - base); sys.exit(1)
elif cmd == 'find':     # find JSON SIZE SHAPREFIX SHASUFFIX NAME: a file named NAME, size, sha
    files, _ = inv(sys.argv[2])
    hits = [p for p, f in files.items() if p.rsplit('/', 1)[-1] == sys.argv[6] and
            f.get('size') == int(sys.argv[3]) and f.get('sha256', '').startswith(sys.argv[4])
            and f.get('sha256', '').endswith(sys.argv[5])]
    if not hits:
        print([(p, f.get('size')) for p, f in files.items()]); sys.exit(1)
    print(files[hits[0]]['sha256'])
EOF
t() { python3 "$work/t.py" "$@"; }
inv() { # inv IMAGE JSON: inventory; exit status kept in $rc
	"$vouch" inventory --json -q -j 2 "$1" >"$2" 2>"$2.err"
	rc=$?
}

# ---- legacy uImage ---------------------------------------------------------------------------
cp "$src/bin/ls" kernel
gzip -9 -n -c kernel >kernel.gz
lzma -9 -c kernel >kernel.lzma
mkimage -A arm -O linux -T kernel -C none -a 0x8000 -e 0x8000 -n "none kernel" -d kernel ui-none >/dev/null
mkimage -A arm -O linux -T kernel -C gzip -a 0x8000 -e 0x8000 -n "gzip kernel" -d kernel.gz ui-gzip >/dev/null
mkimage -A mips -O linux -T kernel -C lzma -a 0x80010000 -e 0x80010000 -n "lzma kernel" -d kernel.lzma ui-lzma >/dev/null

for c in none gzip lzma; do
	inv ui-$c ui-$c.json
	check "uimage -C $c: exit 0, no errors" test "$rc" -eq 0
	check "uimage -C $c: no CRC errors" t noerror ui-$c.json
	dumpimage -T kernel -p 0 -o ui-$c.dump ui-$c >/dev/null 2>&1
	check "uimage -C $c: payload = dumpimage -p 0" t sha ui-$c.json ui-$c/uimage/payload ui-$c.dump
	check "uimage -C $c: header identified with its name" t region ui-$c.json ui-$c "uimage header: \"$c kernel\"" 0 64
done
check "uimage -C none: payload = source kernel" t sha ui-none.json ui-none/uimage/payload kernel
check "uimage -C gzip: payload = kernel.gz" t sha ui-gzip.json ui-gzip/uimage/payload kernel.gz
check "uimage -C gzip: decompressed = source kernel" t sha ui-gzip.json ui-gzip/uimage/payload/gzip/data kernel
check "uimage -C lzma: decompressed = source kernel" t sha ui-lzma.json ui-lzma/uimage/payload/lzma/data kernel

# multi-file: a kernel, a gzip'd binary and a squashfs of the source tree
gzip -9 -n -c "$src/bin/cat" >cat.gz
mksquashfs "$src" sq.img -noappend -quiet -no-progress >/dev/null 2>&1
mkimage -A arm -O linux -T multi -C none -n "multi image" -d kernel:cat.gz:sq.img ui-multi >/dev/null
inv ui-multi ui-multi.json
check "uimage multi: exit 0" test "$rc" -eq 0
check "uimage multi: exactly image.0, image.1, image.2" t children ui-multi.json ui-multi/uimage image.0 image.1 image.2
for i in 0 1 2; do
	dumpimage -T multi -p $i -o multi.$i ui-multi >/dev/null 2>&1
	check "uimage multi: image.$i = dumpimage -T multi -p $i" t sha ui-multi.json ui-multi/uimage/image.$i multi.$i
done
check "uimage multi: image.0 = kernel" t sha ui-multi.json ui-multi/uimage/image.0 kernel
check "uimage multi: image.1 = cat.gz" t sha ui-multi.json ui-multi/uimage/image.1 cat.gz
check "uimage multi: image.2 = the squashfs" t sha ui-multi.json ui-multi/uimage/image.2 sq.img
check "uimage multi: squashfs inside equals the source tree" \
	t tree ui-multi.json ui-multi/uimage/image.2/squashfs "$src" chardev,blockdev,fifo

# a boot script: the multi-file layout with one image, the script text
printf 'setenv bootargs console=ttyS0\nbootm 0x80000000\n' >boot.txt
mkimage -A arm -O linux -T script -C none -n "boot script" -d boot.txt ui-script >/dev/null
inv ui-script ui-script.json
check "uimage script: image.0 = the script text" t sha ui-script.json ui-script/uimage/image.0 boot.txt

# trailing flash padding (dumpimage rejects this; we must not)
cp ui-gzip ui-padded
head -c 65536 /dev/zero | tr '\0' '\377' >>ui-padded
inv ui-padded ui-padded.json
check "uimage + 0xFF padding: exit 0, payload decompressed" t sha ui-padded.json ui-padded/uimage/payload/gzip/data kernel
check "uimage + 0xFF padding: region is 64 + ih_size" t region ui-padded.json ui-padded uimage 0 "$((64 + $(stat -c %s kernel.gz)))"

# corrupt data CRC: recorded, payload still opened
python3 - <<'EOF'
d = bytearray(open('ui-none', 'rb').read()); d[1000] ^= 0x55; open('ui-badcrc', 'wb').write(d)
d = bytearray(open('ui-none', 'rb').read()); d[40] ^= 0x01; open('ui-badhcrc', 'wb').write(d)
EOF
inv ui-badcrc ui-badcrc.json
check "uimage bad data CRC: recorded" t error ui-badcrc.json "data CRC"
check "uimage bad data CRC: payload still extracted" t region ui-badcrc.json ui-badcrc uimage 0
check "uimage bad data CRC: payload present" test "$(grep -c '"ui-badcrc/uimage/payload"' ui-badcrc.json)" -ge 1
inv ui-badhcrc ui-badhcrc.json
check "uimage bad header CRC: recorded" t error ui-badhcrc.json "header CRC"

# truncated: an error, exit 4, what is there opened
head -c 30000 ui-gzip >ui-trunc
inv ui-trunc ui-trunc.json
check "uimage truncated: exit 4" test "$rc" -eq 4
check "uimage truncated: recorded" t error ui-trunc.json "truncated"

# carved: after 1000 random bytes
{ head -c 1000 /dev/urandom; cat ui-gzip; } >ui-carved
inv ui-carved ui-carved.json
check "uimage carved at 1000: decompressed = source kernel" \
	t sha ui-carved.json "ui-carved/uimage@0x3e8/payload/gzip/data" kernel

# ---- FIT and device trees --------------------------------------------------------------------
cat >board.dts <<'EOF'
/dts-v1/;
/ { model = "vouch test board"; compatible = "vouch,test"; #address-cells = <1>; #size-cells = <1>;
    memory@0 { device_type = "memory"; reg = <0 0x1000000>; }; };
EOF
dtc -I dts -O dtb -o board.dtb board.dts 2>/dev/null
cat >fit.its <<'EOF'
/dts-v1/;
/ {
	description = "vouch test FIT";
	#address-cells = <1>;
	images {
		kernel-1 {
			description = "gzip kernel";
			data = /incbin/("kernel.gz");
			type = "kernel"; arch = "arm"; os = "linux"; compression = "gzip";
			load = <0x8000>; entry = <0x8000>;
			hash-1 { algo = "crc32"; };
			hash-2 { algo = "sha256"; };
		};
		fdt-1 {
			description = "board";
			data = /incbin/("board.dtb");
			type = "flat_dt"; arch = "arm"; compression = "none";
			hash-1 { algo = "sha256"; };
		};
	};
	configurations { default = "conf-1"; conf-1 { kernel = "kernel-1"; fdt = "fdt-1"; }; };
};
EOF
mkimage -f fit.its fit.itb >/dev/null
mkimage -E -f fit.its fit-ext.itb >/dev/null
for f in fit fit-ext; do
	inv $f.itb $f.json
	check "$f: exit 0, hashes verified (no errors)" t noerror $f.json
	check "$f: exactly kernel-1 and fdt-1" t children $f.json $f.itb/fit kernel-1 fdt-1
	dumpimage -T flat_dt -p 0 -o $f.k $f.itb >/dev/null 2>&1
	dumpimage -T flat_dt -p 1 -o $f.f $f.itb >/dev/null 2>&1
	check "$f: kernel-1 = dumpimage -p 0" t sha $f.json $f.itb/fit/kernel-1 $f.k
	check "$f: fdt-1 = dumpimage -p 1" t sha $f.json $f.itb/fit/fdt-1 $f.f
	check "$f: kernel-1 = kernel.gz" t sha $f.json $f.itb/fit/kernel-1 kernel.gz
	check "$f: kernel decompressed = source kernel" t sha $f.json $f.itb/fit/kernel-1/gzip/data kernel
	check "$f: fdt-1 = board.dtb, identified as dtb" t region $f.json $f.itb/fit/fdt-1 dtb 0 "$(stat -c %s board.dtb)"
	check "$f: region covers the whole file" t region $f.json $f.itb fit 0 "$(stat -c %s $f.itb)"
done
# a payload byte changed: the sha256/crc32 hashes catch it
python3 - <<'EOF'
d = bytearray(open('fit.itb', 'rb').read())
k = open('kernel.gz', 'rb').read()
i = d.find(k[:64]); d[i + 5000] ^= 0xff
open('fit-bad.itb', 'wb').write(d)
EOF
inv fit-bad.itb fit-bad.json
check "fit tampered kernel: sha256 mismatch recorded" t error fit-bad.json "sha256 does not match"
check "fit tampered kernel: crc32 mismatch recorded" t error fit-bad.json "crc32"
inv board.dtb dtb.json
check "dtb: identified, length = totalsize" t region dtb.json board.dtb dtb 0 "$(stat -c %s board.dtb)"
head -c 100 board.dtb >dtb-trunc
inv dtb-trunc dtb-trunc.json
check "dtb truncated: not identified" t noregion dtb-trunc.json dtb

# ---- TRX -------------------------------------------------------------------------------------
python3 - <<'EOF'
import struct, zlib
def trx(parts, version):
    hdr = 28 if version == 1 else 32
    offs, body = [], b''
    for p in parts:
        offs.append(hdr + len(body))
        body += p
    offs += [0] * ((3 if version == 1 else 4) - len(offs))
    rest = struct.pack('<I', version << 16) + b''.join(struct.pack('<I', o) for o in offs) + body
    crc = ~zlib.crc32(rest) & 0xffffffff          # Broadcom: ~crc32 over [12, len)
    return b'HDR0' + struct.pack('<II', 12 + len(rest), crc) + rest
pad = lambda b: b + b'\0' * (-len(b) % 4)
k, s = pad(open('kernel.gz', 'rb').read()), open('sq.img', 'rb').read()
open('v1.trx', 'wb').write(trx([k, s], 1))
open('v2.trx', 'wb').write(trx([k, s], 2))
d = bytearray(trx([k, s], 1)); d[-100] ^= 1; open('bad.trx', 'wb').write(d)
open('trunc.trx', 'wb').write(trx([k, s], 1)[:40000])
EOF
for v in v1 v2; do
	inv $v.trx $v.json
	check "trx $v: exit 0, CRC good" t noerror $v.json
	check "trx $v: exactly partition.0, partition.1" t children $v.json $v.trx/trx partition.0 partition.1
	check "trx $v: partition.0 kernel decompressed = source kernel" t sha $v.json $v.trx/trx/partition.0/gzip/data kernel
	check "trx $v: partition.1 = squashfs" t sha $v.json $v.trx/trx/partition.1 sq.img
done
inv bad.trx bad-trx.json
check "trx bad CRC: recorded" t error bad-trx.json "CRC"
check "trx bad CRC: partitions still opened" t children bad-trx.json bad.trx/trx partition.0 partition.1
inv trunc.trx trunc-trx.json
check "trx truncated: exit 4, recorded" test "$rc" -eq 4

# ---- cramfs ----------------------------------------------------------------------------------
mkfs.cramfs "$src" le.cramfs >/dev/null
mkfs.cramfs -N big "$src" be.cramfs >/dev/null
mkfs.cramfs -p "$src" pad.cramfs >/dev/null
mkfs.cramfs -b 16384 "$src" b16k.cramfs >/dev/null # 16 KiB pages (detected, not stored)
mkfs.cramfs -b 65536 -N big "$src" b64k.cramfs >/dev/null
fsck.cramfs --extract=fsck-le le.cramfs >/dev/null 2>&1
for c in le be pad b16k b64k; do
	inv $c.cramfs $c.json
	check "cramfs $c: exit 0, CRC good" t noerror $c.json
	check "cramfs $c: tree = source (files, links, dirs, fifo, devices)" t tree $c.json $c.cramfs/cramfs "$src"
	check "cramfs $c: tree = fsck.cramfs --extract" t tree $c.json $c.cramfs/cramfs fsck-le
done
# mkfs.cramfs -z: zero pages stored as holes (fsck.cramfs itself refuses this feature)
mkdir -p holes
{ head -c 5000 /usr/bin/ls; head -c 20000 /dev/zero; head -c 3000 /usr/bin/cat; } >holes/holey
mkfs.cramfs -z holes holes.cramfs >/dev/null
inv holes.cramfs holes.json
check "cramfs -z (holes): file = source" t sha holes.json holes.cramfs/cramfs/holey holes/holey
python3 -c "
d = bytearray(open('le.cramfs','rb').read()); d[len(d)//2] ^= 0xff; open('bad.cramfs','wb').write(d)"
inv bad.cramfs bad-cramfs.json
check "cramfs corrupt byte: CRC mismatch recorded" t error bad-cramfs.json "CRC"
head -c 100000 le.cramfs >trunc.cramfs
inv trunc.cramfs trunc-cramfs.json
check "cramfs truncated: exit 4, recorded" t error trunc-cramfs.json "truncated"
{ head -c 3000 /dev/urandom; cat le.cramfs; } >carved.cramfs
inv carved.cramfs carved-cramfs.json
check "cramfs carved at 3000: tree = source" t tree carved-cramfs.json "carved.cramfs/cramfs@0xbb8" "$src"

# ---- romfs -----------------------------------------------------------------------------------
genromfs -d "$src" -f s.romfs -V "vouch test"
inv s.romfs romfs.json
check "romfs: exit 0, checksums good" t noerror romfs.json
check "romfs: tree = source (files, hard link, symlinks, fifo, devices)" t tree romfs.json s.romfs/romfs "$src"
python3 -c "
d = bytearray(open('s.romfs','rb').read()); d[20] ^= 0x20; open('bad.romfs','wb').write(d)"
inv bad.romfs bad-romfs.json
check "romfs corrupt volume name: superblock checksum fails, not claimed" t noregion bad-romfs.json romfs
head -c 50000 s.romfs >trunc.romfs
inv trunc.romfs trunc-romfs.json
check "romfs truncated: exit 4, recorded" t error trunc-romfs.json "truncated"
# hostile: a romfs whose first header's next points at itself (superblock checksum fixed up),
# a cramfs whose first subdirectory is the root again: both must end, the loop recorded
python3 - <<'EOF2'
import struct
d = bytearray(open('s.romfs', 'rb').read())
first = 16 + (len(b'vouch test') + 1 + 15) // 16 * 16
w = struct.unpack('>I', d[first:first + 4])[0]
d[first:first + 4] = struct.pack('>I', first | (w & 15))
d[12:16] = bytes(4)
d[12:16] = struct.pack('>I', -sum(struct.unpack('>128I', bytes(d[:512]))) & 0xffffffff)
open('loop.romfs', 'wb').write(d)
d = bytearray(open('le.cramfs', 'rb').read())
root = d[64:76]
pos = (struct.unpack('<I', root[8:12])[0] >> 6) * 4
while True:
    w2 = struct.unpack('<I', d[pos + 8:pos + 12])[0]
    if struct.unpack('<I', d[pos:pos + 4])[0] & 0o170000 == 0o040000:
        d[pos + 4:pos + 8] = root[4:8]
        d[pos + 8:pos + 12] = struct.pack('<I', (w2 & 0x3f) | (struct.unpack('<I', root[8:12])[0] & ~0x3f))
        break
    pos += 12 + (w2 & 0x3f) * 4
open('loop.cramfs', 'wb').write(d)
EOF2
"$vouch" inventory --json -q -j 2 -L max_seconds=60 loop.romfs >loop-romfs.json 2>/dev/null
check "romfs next-pointer loop: ends, recorded" t error loop-romfs.json "loop in a directory"
"$vouch" inventory --json -q -j 2 -L max_seconds=60 loop.cramfs >loop-cramfs.json 2>/dev/null
check "cramfs directory loop: ends, recorded" t error loop-cramfs.json "directory loop"
if [ "$have_dev" -eq 0 ]; then
	echo "note: mknod not permitted here: no device nodes in the source tree"
fi

# ---- real samples (../shared/vectors/firmware) -----------------------------------------------
if [ ! -d "$vectors" ]; then
	echo "skip: $vectors absent"
	finish
fi
v=$vectors
if [ -f "$v/binwalk/cramfs.bin" ]; then
	inv "$v/binwalk/cramfs.bin" bw-cramfs.json
	check "binwalk cramfs.bin: lsb-release, 104 bytes, sha256 6dc8ba42…5654" \
		t find bw-cramfs.json 104 6dc8ba42 5654 lsb-release
	fsck.cramfs --extract=bw-fsck "$v/binwalk/cramfs.bin" >/dev/null 2>&1
	check "binwalk cramfs.bin: = fsck.cramfs --extract" t tree bw-cramfs.json cramfs.bin/cramfs bw-fsck
fi
if [ -f "$v/binwalk/romfs.bin" ]; then
	inv "$v/binwalk/romfs.bin" bw-romfs.json
	check "binwalk romfs.bin: lsb-release, 104 bytes, sha256 6dc8ba42…5654" \
		t find bw-romfs.json 104 6dc8ba42 5654 lsb-release
	[ -f bw-fsck/lsb-release ] &&
		check "binwalk romfs.bin: lsb-release = the one fsck.cramfs extracts from cramfs.bin" \
			t sha bw-romfs.json romfs.bin/romfs/lsb-release bw-fsck/lsb-release
fi
for s in fact_extractor/generic_fs/romfs.img fact_extractor/sevenz/cramfs.img fact_extractor/trx/trx.img; do
	[ -f "$v/$s" ] || continue
	inv "$v/$s" std.json
	check "$s: the std set (testfile1, testfile2, test file 3_.txt)" t stdset std.json
done
if [ -f "$v/fact_extractor/trx/trx.img" ]; then
	inv "$v/fact_extractor/trx/trx.img" trx-img.json
	check "fact trx.img: CRC good, one partition holding a zip" t region trx-img.json trx.img/trx/partition.0 zip 0
fi
if [ -f "$v/fact_extractor/uboot/fit.itb" ]; then
	inv "$v/fact_extractor/uboot/fit.itb" fact-fit.json
	check "fact fit.itb: exactly kernel, fdt, rootfs" t children fact-fit.json fit.itb/fit fdt kernel rootfs
	check "fact fit.itb: no errors (hashes good)" t noerror fact-fit.json
	for p in 0 1 2; do
		dumpimage -T flat_dt -p $p -o fact-fit.$p "$v/fact_extractor/uboot/fit.itb" >fact-fit.$p.log 2>&1
		name=$(sed -n 's/^ Image [0-9]* (\(.*\))$/\1/p' fact-fit.$p.log | head -1)
		check "fact fit.itb: $name = dumpimage -T flat_dt -p $p" t sha fact-fit.json "fit.itb/fit/$name" fact-fit.$p
	done
	check "fact fit.itb: rootfs holds a squashfs" t region fact-fit.json fit.itb/fit/rootfs/gzip/data squashfs 0
fi
if [ -f "$v/fact_extractor/uboot/uboot.image_with_header" ]; then
	img=$v/fact_extractor/uboot/uboot.image_with_header
	inv "$img" fact-ui.json
	check "fact uboot.image_with_header: header 'u-boot image', MIPS Linux firmware (lzma), 32753 bytes" \
		t region fact-ui.json uboot.image_with_header 'uimage header: "u-boot image", Linux MIPS firmware (lzma), 32753 bytes' 0 64
	check "fact uboot.image_with_header: region 64 + 32753 despite 0xFF padding" \
		t region fact-ui.json uboot.image_with_header uimage 0 32817
	check "fact uboot.image_with_header: lzma payload unpacks to 93,576 bytes" \
		test "$(python3 -c "import json; d=json.load(open('fact-ui.json')); print([f['size'] for f in d['files'] if f['path']=='uboot.image_with_header/uimage/payload/lzma/data'])")" = "[93576]"
	head -c $((64 + 32753)) "$img" >fact-ui-cut
	dumpimage -T firmware -p 0 -o fact-ui.dump fact-ui-cut >/dev/null 2>&1
	check "fact uboot.image_with_header: payload = dumpimage of the truncated copy" \
		t sha fact-ui.json uboot.image_with_header/uimage/payload fact-ui.dump
	check "fact uboot.image_with_header: header and data CRC good" t nocrcerror fact-ui.json
fi
if [ -f "$v/fact_extractor/uboot/uboot.dtb" ]; then
	inv "$v/fact_extractor/uboot/uboot.dtb" fact-udtb.json
	check "fact uboot.dtb: wrong header CRC recorded" t error fact-udtb.json "header CRC"
	check "fact uboot.dtb: truncated payload recorded" t error fact-udtb.json "truncated"
	check "fact uboot.dtb: the device tree inside is identified" t region fact-udtb.json uboot.dtb/uimage/payload dtb
fi
d=$v/FACT_core/device_tree
if [ -f "$d/device_tree.dtb" ]; then
	inv "$d/device_tree.dtb" fc-dtb.json
	check "FACT device_tree.dtb: one dtb of 32889 bytes" t region fc-dtb.json device_tree.dtb dtb 0 32889
	inv "$d/broken.dtb" fc-broken.json
	check "FACT broken.dtb: not a device tree" t noregion fc-broken.json dtb
	inv "$d/false_positive.rnd" fc-fp.json
	check "FACT false_positive.rnd: no device tree" t noregion fc-fp.json dtb
	inv "$d/dtb_inside.image" fc-inside.json
	check "FACT dtb_inside.image: a device tree carved at 0x80" t region fc-inside.json dtb_inside.image dtb 128
fi
finish
