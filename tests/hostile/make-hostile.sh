#!/usr/bin/env bash
# tests/hostile/make-hostile.sh: generate the hostile-input corpus (never committed as binaries).
#
# Usage: tests/hostile/make-hostile.sh OUTDIR ABSROOT
#   OUTDIR   where the cases are written (one file per case, named <case>.<ext>)
#   ABSROOT  an absolute directory the absolute-name and symlink attacks aim at (the test puts
#            a canary tree there and checks that nothing in it changes)
#
# What it builds, and with what:
#   bombs       gzip (10 GiB of zeros as 160 concatenated gzip members of 64 MiB: seconds to
#               build, 10 MiB on disk), xz (512 MiB of zeros), gzip-of-gzip, a zip holding a
#               large zero file, a zip whose 1000 central-directory entries all point at one
#               local entry (overlapping entries);
#   traversal   tar/cpio/zip members named ../x, a/../../x, absolute names aimed at ABSROOT,
#               symlinks to /, to ABSROOT and to ../../.. followed by a member written through
#               them, a symlink where the unpacker will want its "<name>.extracted" directory,
#               hard links to outside followed by a member of the same name;
#   structure   symlink loops (a->b, b->a, c->c, a chain longer than max_symlink_hops), gzip
#               nested 200 times, tar-in-tar 200 deep, names with newlines, ANSI escapes,
#               invalid and overlong UTF-8 and over-long components, duplicate names, device
#               nodes, FIFOs and sockets in tar and cpio;
#   corruption  valid squashfs (mksquashfs), jffs2 (mkfs.jffs2), uImage (mkimage) and cpio
#               (GNU cpio) images truncated at several points and bit-flipped with fixed
#               seeds; cpio and tar headers whose sizes lie; a uImage whose ih_size is 4 GiB;
#               an empty file and a 1-byte file.
# Python 3 (standard library only) writes the archives that the real tools refuse to write.
# Tools that are missing skip their cases (the test reports those as SKIP).
set -euo pipefail

OUT=${1:?usage: $0 OUTDIR ABSROOT}
ABSROOT=${2:?usage: $0 OUTDIR ABSROOT}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/vouch-mkhostile.XXXXXX")
trap 'rm -rf "$T"' EXIT
have() { command -v "$1" >/dev/null 2>&1; }

# ---- a small realistic tree, the payload of the valid images -------------------------------
tree=$T/tree
mkdir -p "$tree/bin" "$tree/etc/init.d" "$tree/lib" "$tree/www"
for b in ls cat true; do
	cp "$(type -P "$b")" "$tree/bin/"
done
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$tree/etc/passwd"
printf '#!/bin/sh\necho start\n' >"$tree/etc/init.d/rcS"
head -c 100000 /dev/urandom >"$tree/lib/random.bin"
for i in $(seq 1 40); do printf 'page %d\n' "$i" >"$tree/www/p$i.html"; done
ln -s ../bin/ls "$tree/www/ls"

# ---- bombs -------------------------------------------------------------------------------------
head -c 64M /dev/zero | gzip -9 >"$T/z64.gz"
: >"$OUT/gzip-bomb.gz"
for _ in $(seq 1 160); do cat "$T/z64.gz"; done >"$OUT/gzip-bomb.gz" # 10 GiB of zeros
gzip -9 -c "$OUT/gzip-bomb.gz" >"$OUT/nested-bomb.gz"               # gzip of the gzip bomb
if have xz; then
	head -c 512M /dev/zero | xz -1 -T1 >"$OUT/xz-bomb.xz"
fi

# ---- corrupt variants of the valid images ------------------------------------------------------
if have mksquashfs; then
	mksquashfs "$tree" "$T/fs.sqfs" -noappend -quiet -comp gzip -no-progress >/dev/null
	cp "$T/fs.sqfs" "$OUT/valid-squashfs.sqfs"
fi
if have mkfs.jffs2; then
	mkfs.jffs2 -r "$tree" -o "$T/fs.jffs2" -e 0x10000 -l -q
	cp "$T/fs.jffs2" "$OUT/valid-jffs2.jffs2"
fi
(cd "$tree" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$T/fs.cpio"
cp "$T/fs.cpio" "$OUT/valid-cpio.cpio"
if have mkimage; then
	gzip -9 -c "$tree/bin/ls" >"$T/kernel.gz"
	mkimage -A arm -O linux -T kernel -C gzip -a 0x8000 -e 0x8000 -n hostile-kernel \
		-d "$T/kernel.gz" "$T/kernel.uimg" >/dev/null
	if [ -f "$T/fs.sqfs" ]; then
		mkimage -A mips -O linux -T filesystem -C none -n hostile-rootfs \
			-d "$T/fs.sqfs" "$T/rootfs.uimg" >/dev/null
		cp "$T/rootfs.uimg" "$OUT/valid-uimage.uimg"
	fi
	cp "$T/kernel.uimg" "$OUT/valid-uimage-kernel.uimg"
fi

python3 - "$OUT" "$ABSROOT" "$T" <<'PY'
import io, os, random, struct, sys, tarfile, zipfile, zlib, gzip

out, absroot, tmp = sys.argv[1], sys.argv[2], sys.argv[3]
tarfile.RECORDSIZE = 512  # keep nested tars small: no 10 KiB record padding

def path(name):
    return os.path.join(out, name)

# ---- corruption of valid images: truncation and bit flips with fixed seeds ----
def corrupt(src, stem, ext):
    if not os.path.exists(src):
        return
    data = open(src, 'rb').read()
    n = len(data)
    for label, cut in (('t1', 1), ('t64', 64), ('t10pct', n // 10), ('t50pct', n // 2),
                       ('t90pct', n * 9 // 10), ('tminus1', n - 1)):
        open(path(f'{stem}-trunc-{label}.{ext}'), 'wb').write(data[:cut])
    for seed, lo, hi, nbits in ((1, 0, n, 16), (2, 0, min(n, 512), 8), (3, n * 3 // 4, n, 32),
                                (4, 0, n, 256)):
        rng = random.Random(seed)
        b = bytearray(data)
        for _ in range(nbits):
            i = rng.randrange(lo, hi)
            b[i] ^= 1 << rng.randrange(8)
        open(path(f'{stem}-flip-s{seed}.{ext}'), 'wb').write(bytes(b))

corrupt(os.path.join(tmp, 'fs.sqfs'), 'squashfs', 'sqfs')
corrupt(os.path.join(tmp, 'fs.jffs2'), 'jffs2', 'jffs2')
corrupt(os.path.join(tmp, 'rootfs.uimg'), 'uimage', 'uimg')
corrupt(os.path.join(tmp, 'fs.cpio'), 'cpio', 'cpio')

# ---- uImage whose ih_size says 4 GiB (header CRC recomputed, and not) ----
def uimage_patch(src, dst, size, fix_crc=True):
    if not os.path.exists(src):
        return
    h = bytearray(open(src, 'rb').read())
    struct.pack_into('>I', h, 12, size)
    if fix_crc:
        struct.pack_into('>I', h, 4, 0)
        struct.pack_into('>I', h, 4, zlib.crc32(bytes(h[:64])) & 0xffffffff)
    open(path(dst), 'wb').write(bytes(h))

uimage_patch(os.path.join(tmp, 'kernel.uimg'), 'uimage-size-4g.uimg', 0xffffffff)
uimage_patch(os.path.join(tmp, 'kernel.uimg'), 'uimage-size-4g-badcrc.uimg', 0xffffffff, False)
uimage_patch(os.path.join(tmp, 'rootfs.uimg'), 'uimage-size-0.uimg', 0)

# ---- tar helpers ----
def tar_write(name, members, fmt=tarfile.GNU_FORMAT):
    bio = io.BytesIO()
    with tarfile.open(fileobj=bio, mode='w', format=fmt, encoding='utf-8',
                      errors='surrogateescape') as t:
        for m in members:
            kind, mname = m[0], m[1]
            ti = tarfile.TarInfo(mname)
            ti.mtime = 1700000000
            ti.mode = 0o644
            data = None
            if kind == 'file':
                data = m[2]
                ti.size = len(data)
                if len(m) > 3:
                    ti.mode = m[3]
            elif kind == 'dir':
                ti.type = tarfile.DIRTYPE
                ti.mode = 0o755
            elif kind == 'sym':
                ti.type = tarfile.SYMTYPE
                ti.linkname = m[2]
            elif kind == 'hard':
                ti.type = tarfile.LNKTYPE
                ti.linkname = m[2]
            elif kind in ('chr', 'blk'):
                ti.type = tarfile.CHRTYPE if kind == 'chr' else tarfile.BLKTYPE
                ti.devmajor, ti.devminor = m[2], m[3]
            elif kind == 'fifo':
                ti.type = tarfile.FIFOTYPE
            t.addfile(ti, io.BytesIO(data) if data is not None else None)
    if name is not None:
        open(path(name), 'wb').write(bio.getvalue())
    return bio.getvalue()

def sx(b):
    """bytes -> str that tarfile writes back as exactly these bytes"""
    return b.decode('utf-8', 'surrogateescape')

A = absroot.rstrip('/')
tar_write('tar-dotdot.tar', [
    ('file', '../dotdot-escape', b'PWNED\n'),
    ('file', 'a/../../dotdot-escape2', b'PWNED\n'),
    ('file', 'ok/inside.txt', b'fine\n'),
    ('file', '../../../../../../../../../../../../tmp/vouch-hostile-dotdot', b'PWNED\n'),
])
tar_write('tar-absolute.tar', [
    ('file', A + '/canary/abs-escape', b'PWNED\n'),
    ('file', '/tmp/vouch-hostile-absolute', b'PWNED\n'),
    ('file', 'ok.txt', b'fine\n'),
])
tar_write('tar-symlink-escape.tar', [
    ('sym', 'toroot', '/'),
    ('file', 'toroot/tmp/vouch-hostile-via-root', b'PWNED\n'),
    ('sym', 'toabs', A + '/canary'),
    ('file', 'toabs/via-abs', b'PWNED\n'),
    ('sym', 'up', '../../../canary'),
    ('file', 'up/via-up', b'PWNED\n'),
    ('sym', 'etc', '../../etc'),
    ('file', 'etc/passwd', b'PWNED\n'),
    ('sym', 'dot', '.'),
    ('file', 'dot/dot/dot/through-dot', b'hm\n'),
    ('sym', 'inner', 'sub'),
    ('dir', 'sub'),
    ('file', 'inner/through-inner', b'hm\n'),
])
# a symlink planted where the unpacker will put the children of "inner.tar"
inner = tar_write(None, [('file', 'payload.txt', b'nested\n')])
tar_write('tar-extracted-hijack.tar', [
    ('dir', 'sub'),
    ('sym', 'inner.tar.extracted', 'sub'),
    ('sym', 'evil.tar.extracted', '../../../../canary'),
    ('file', 'inner.tar', inner),
    ('file', 'evil.tar', inner),
])
tar_write('tar-symlink-loops.tar', [
    ('sym', 'a', 'b'),
    ('sym', 'b', 'a'),
    ('sym', 'c', 'c'),
    ('sym', 'd', 'd/x'),
] + [('sym', f'chain{i}', f'chain{i + 1}') for i in range(300)] + [
    ('file', 'chain300', b'end\n'),
    ('file', 'a/through-loop', b'hm\n'),
])
tar_write('tar-hardlink-escape.tar', [
    ('hard', 'hl-abs', A + '/canary/victim'),
    ('file', 'hl-abs', b'PWNED\n'),
    ('hard', 'hl-rel', '../../canary/victim'),
    ('file', 'hl-rel', b'PWNED\n'),
    ('hard', 'hl-etc', '/etc/passwd'),
    ('file', 'hl-etc', b'PWNED\n'),
])
tar_write('tar-names.tar', [
    ('file', 'new\nline', b'1\n'),
    ('file', '\x1b[2J\x1b[31mred\x1b[0m', b'2\n'),
    ('file', sx(b'bad-\xff\xfe-utf8'), b'3\n'),
    ('file', sx(b'overlong-\xc0\xaf-slash'), b'4\n'),
    ('file', sx(b'a\xc0\xae\xc0\xae/overlong-dotdot'), b'5\n'),
    ('file', sx(b'surrogate-\xed\xa0\x80'), b'6\n'),
    ('file', 'back\\slash', b'7\n'),
    ('file', 'x' * 300, b'8\n'),
    ('file', 'long/' + '/'.join(['d' * 200] * 30) + '/f', b'9\n'),
    ('file', 'tab\there', b'10\n'),
    ('file', '-rf', b'11\n'),
    ('file', 'bell\x07\x08\x7f', b'12\n'),
])
tar_write('tar-duplicates.tar', [
    ('file', 'dup', b'one\n'),
    ('file', 'dup', b'two\n'),
    ('file', 'dup', b'three\n'),
    ('file', 'dir/x', b'x\n'),
    ('file', 'dir', b'file where a directory is\n'),
    ('file', 'dir/y', b'y\n'),
])
tar_write('tar-devices.tar', [
    ('chr', 'dev/null', 1, 3),
    ('chr', 'dev/mem', 1, 1),
    ('blk', 'dev/sda', 8, 0),
    ('fifo', 'dev/fifo'),
    ('file', 'suid', b'#!/bin/sh\n', 0o6755),
    ('file', 'ok.txt', b'fine\n'),
])

# tar whose size field claims 8 GiB with a few bytes behind it
t = bytearray(tar_write(None, [('file', 'liar', b'A' * 100)], tarfile.USTAR_FORMAT))
t[124:136] = b'77777777777\0'
t[148:156] = b'        '
csum = sum(t[:512])
t[148:156] = ('%06o\0 ' % csum).encode()
open(path('tar-size-lies.tar'), 'wb').write(bytes(t[:512 + 600]))

# 200-deep tar in tar
data = b'bottom\n'
name = 'bottom.txt'
for i in range(200):
    data = tar_write(None, [('file', name, data)])
    name = f'level{199 - i}.tar'
open(path('tar-in-tar-200.tar'), 'wb').write(data)

# ---- gzip nested 200 times ----
data = b'the bottom of a 200-deep gzip nest\n'
for i in range(200):
    data = gzip.compress(data, 9, mtime=0)
open(path('gzip-200.gz'), 'wb').write(data)

# ---- cpio (newc) written by hand: names, modes and sizes as we choose ----
def newc(entries, trailer=True):
    b = bytearray()
    ino = 1
    for e in entries:
        name, mode, data = e[0], e[1], e[2]
        fsize = e[3] if len(e) > 3 else len(data)
        rmaj, rmin = (e[4], e[5]) if len(e) > 5 else (0, 0)
        nb = name.encode('utf-8', 'surrogateescape') if isinstance(name, str) else name
        hdr = '070701' + ''.join('%08X' % v for v in (
            ino, mode, 0, 0, 1, 1700000000, fsize, 0, 0, rmaj, rmin, len(nb) + 1, 0))
        b += hdr.encode() + nb + b'\0'
        b += b'\0' * (-len(b) % 4)
        b += data
        b += b'\0' * (-len(b) % 4)
        ino += 1
    if trailer:
        hdr = '070701' + ''.join('%08X' % v for v in (0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 11, 0))
        b += hdr.encode() + b'TRAILER!!!\0'
        b += b'\0' * (-len(b) % 4)
    return bytes(b)

open(path('cpio-traversal.cpio'), 'wb').write(newc([
    ('../cpio-escape', 0o100644, b'PWNED\n'),
    (A + '/canary/cpio-abs', 0o100644, b'PWNED\n'),
    ('lnk', 0o120777, b'/'),
    ('lnk/tmp/vouch-hostile-cpio', 0o100644, b'PWNED\n'),
    ('up', 0o120777, b'../../../canary'),
    ('up/cpio-via-up', 0o100644, b'PWNED\n'),
    ('ok', 0o100644, b'fine\n'),
]))
open(path('cpio-devices.cpio'), 'wb').write(newc([
    ('dev', 0o40755, b''),
    ('dev/console', 0o20600, b'', 0, 5, 1),
    ('dev/mtdblock0', 0o60600, b'', 0, 31, 0),
    ('dev/fifo', 0o10644, b''),
    ('dev/sock', 0o140644, b''),
    ('suid', 0o104755, b'#!/bin/sh\n'),
    ('ok', 0o100644, b'fine\n'),
]))
open(path('cpio-size-lies.cpio'), 'wb').write(newc([
    ('first', 0o100644, b'hello\n'),
    ('liar', 0o100644, b'B' * 64, 0x7fffffff),
], trailer=False))
open(path('cpio-namesize-lies.cpio'), 'wb').write(
    b'070701' + b''.join(b'%08X' % v for v in (1, 0o100644, 0, 0, 1, 0, 4, 0, 0, 0, 0,
                                                0xffffffff, 0)) + b'abc\0data')

# ---- zips ----
zb = path('zip-bomb.zip')
with zipfile.ZipFile(zb, 'w', zipfile.ZIP_DEFLATED, compresslevel=9) as z:
    zi = zipfile.ZipInfo('zeros.bin', (2024, 1, 1, 0, 0, 0))
    zi.compress_type = zipfile.ZIP_DEFLATED
    with z.open(zi, 'w', force_zip64=True) as f:
        mb = b'\0' * (1 << 20)
        for _ in range(1024):
            f.write(mb)

# overlapping entries: one local entry (256 MiB of zeros), 1000 central entries pointing at it
with zipfile.ZipFile(os.path.join(tmp, 'one.zip'), 'w', zipfile.ZIP_DEFLATED) as z:
    zi = zipfile.ZipInfo('z', (2024, 1, 1, 0, 0, 0))
    zi.compress_type = zipfile.ZIP_DEFLATED
    with z.open(zi, 'w') as f:
        mb = b'\0' * (1 << 20)
        for _ in range(256):
            f.write(mb)
one = open(os.path.join(tmp, 'one.zip'), 'rb').read()
eocd = one.rfind(b'PK\x05\x06')
cd_size, cd_off = struct.unpack_from('<II', one, eocd + 12)
cent = bytearray(one[cd_off:cd_off + cd_size])
body = one[:cd_off]
cds = bytearray()
for i in range(1000):
    cds += cent  # same name 'z', same local header offset 0
new_eocd = bytearray(one[eocd:eocd + 22])
struct.pack_into('<HHII', new_eocd, 8, 1000, 1000, len(cds), len(body))
open(path('zip-overlap.zip'), 'wb').write(body + bytes(cds) + bytes(new_eocd))

with zipfile.ZipFile(path('zip-slip.zip'), 'w') as z:
    z.writestr(zipfile.ZipInfo('../zip-escape'), b'PWNED\n')
    z.writestr(zipfile.ZipInfo(A + '/canary/zip-abs'), b'PWNED\n')
    z.writestr(zipfile.ZipInfo('ok.txt'), b'fine\n')

# ---- the smallest inputs ----
open(path('empty.bin'), 'wb').close()
open(path('one-byte.bin'), 'wb').write(b'\x1f')
open(path('gzip-magic-only.bin'), 'wb').write(b'\x1f\x8b\x08')
PY

# zip of the whole zero stream, through the real zip tool as well
if have zip; then
	head -c 256M /dev/zero >"$T/zeros"
	(cd "$T" && zip -q -9 "$OUT/zip-bomb-infozip.zip" zeros)
	rm -f "$T/zeros"
fi
echo "hostile corpus in $OUT: $(find "$OUT" -type f | wc -l) cases"
