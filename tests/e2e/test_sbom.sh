#!/usr/bin/env bash
# tests/e2e/test_sbom.sh: component identification against ground truth. Usage: test_sbom.sh VOUCH
#
# The images come from tests/fixtures/make-sbom-fixture.sh (real Debian 12 packages of three
# foreign architectures, a real U-Boot, a kernel banner); their truth is what that script read
# with dpkg-deb. Every component of the truth must be found with its exact upstream version
# (a wrong version is a failure); components vouch reports beyond the truth are counted as
# false positives and fail the test too. Every piece of evidence is checked against the
# independent tree the image was made from: the matched text must be at that offset of that
# file. Precision and recall are printed.
set -uo pipefail
vouch=${1:?usage: $0 VOUCH}
here=$(cd "$(dirname "$0")/.." && pwd)
fx=${VOUCH_SBOM_FIXTURES:-$here/fixtures/out/sbom}
. "$(dirname "$0")/common.sh"

if [ ! -s "$fx/sbom.bin" ] || [ ! -s "$fx/truth.tsv" ]; then
	bash "$here/fixtures/make-sbom-fixture.sh" "$fx" >/dev/null || {
		bad "make-sbom-fixture.sh failed"
		echo "$pass passed, $fail failed"
		exit 1
	}
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# ---- the flash image: binaries only, no package database ----
if "$vouch" sbom --json -q "$fx/sbom.bin" >"$work/sbom.json"; then
	ok "sbom --json sbom.bin exits 0"
else
	bad "sbom --json sbom.bin exits $?"
fi
python3 - "$fx/truth.tsv" "$work/sbom.json" "$fx/root" >"$work/py1.out" 2>&1 <<'EOF'
import json, sys, csv
truth_tsv, got_json, root = sys.argv[1:4]
truth = {}
for row in csv.DictReader(open(truth_tsv), delimiter='\t'):
    truth.setdefault(row['component'], set()).add(row['version'])
doc = json.load(open(got_json))
got = {}
for c in doc['components']:
    got.setdefault(c['name'], set()).add(c['version'])
tp = fn = fp = 0
for name, versions in sorted(truth.items()):
    for v in sorted(versions):
        if v in got.get(name, set()):
            tp += 1
            print(f"ok: found {name} {v}")
        else:
            fn += 1
            print(f"FAIL: {name} {v} not found (vouch says {sorted(got.get(name, []))})")
for name, versions in sorted(got.items()):
    for v in sorted(versions - truth.get(name, set())):
        fp += 1
        print(f"FAIL: false positive {name} {v}")
# evidence: the text must be at that offset of the file in the tree the image was made from
checked = wrong = 0
for c in doc['components']:
    for e in c['evidence']:
        p, off, text = e['path'], e['offset'], e['text']
        if off is None or '/squashfs@' not in p:
            continue
        rel = p.split('/', 2)[2]
        try:
            data = open(f"{root}/{rel}", 'rb').read()
        except OSError as ex:
            wrong += 1
            print(f"FAIL: evidence file {rel}: {ex}")
            continue
        want = text.encode('latin-1')
        seen = bytes(b if 0x20 <= b < 0x7f else ord('.') for b in data[off:off + len(want)])
        checked += 1
        if seen != want:
            wrong += 1
            print(f"FAIL: evidence {c['name']} in {rel} @{off}: {want!r} vs {seen!r}")
print(f"ok: {checked} evidence offsets checked" if wrong == 0 and checked > 20 else
      f"FAIL: evidence offsets: {wrong} wrong of {checked}")
prec = tp / (tp + fp) if tp + fp else 0.0
rec = tp / (tp + fn) if tp + fn else 0.0
print(f"sbom.bin: precision {prec:.3f} ({tp}/{tp + fp}), recall {rec:.3f} ({tp}/{tp + fn})")
EOF
tally "$work/py1.out"

# ---- the package databases ----
"$vouch" sbom --json -q "$fx/pkgdb.bin" >"$work/pkgdb.json" || bad "sbom pkgdb.bin exits $?"
python3 - "$fx/truth-pkgdb.tsv" "$work/pkgdb.json" >"$work/py2.out" 2>&1 <<'EOF'
import json, sys, csv
rows = list(csv.DictReader(open(sys.argv[1]), delimiter='\t'))
doc = json.load(open(sys.argv[2]))
# every package of the databases must appear as evidence with its exact version text
texts = {(e['text'] or '') for c in doc['components'] for e in c['evidence']}
for r in rows:
    want = f"Package: {r['package']} Version: {r['version']}"
    print(("ok: " if want in texts else "FAIL: missing ") + f"{r['source']} package {r['package']} {r['version']}")
names = {c['name'] for c in doc['components']}
print("ok: removed package (telnetd, deinstall) not reported" if 'telnetd' not in names
      else "FAIL: telnetd is only remembered by dpkg, not installed")
# OpenWrt versions: upstream-release -> upstream
vers = {(c['name'], c['version']) for c in doc['components']}
for want in [('busybox', '1.36.1'), ('dropbear', '2022.82'), ('expat', '2.5.0')]:
    print(("ok: " if want in vers else "FAIL: missing ") + f"component {want[0]} {want[1]}")
EOF
tally "$work/py2.out"

# ---- the documents: official schemas (ajv), digests (coreutils), edges (readelf) ----
"$vouch" sbom -q --format cyclonedx -o "$work/cdx.json" "$fx/sbom.bin" || bad "sbom --format cyclonedx exits $?"
"$vouch" sbom -q --format spdx -o "$work/spdx.json" "$fx/sbom.bin" || bad "sbom --format spdx exits $?"
validator=$here/schema/validate.mjs
if [ -d "${VOUCH_SHARED:-$here/../../shared}/vectors/schemas" ] && command -v node >/dev/null &&
	[ -d "$here/schema/node_modules/ajv" ]; then
	for kind in cyclonedx spdx; do
		f=$work/cdx.json
		[ $kind = spdx ] && f=$work/spdx.json
		if node "$validator" $kind "$f" >"$work/val.out" 2>&1; then
			ok "$kind document of sbom.bin is valid against the official schema"
		else
			bad "$kind document invalid: $(head -5 "$work/val.out")"
		fi
	done
else
	echo "skip: schema validation (needs ../shared/vectors/schemas, node and tests/schema/node_modules)"
fi
python3 - "$work/cdx.json" "$work/spdx.json" "$fx/root" "$fx/sbom.bin" >"$work/py3.out" 2>&1 <<'EOF'
import hashlib, json, os, subprocess, sys
cdx, spdx, root, image = sys.argv[1:5]
c = json.load(open(cdx))
s = json.load(open(spdx))
# the image digest, by hashlib
want = hashlib.sha256(open(image, 'rb').read()).hexdigest()
got = [h['content'] for h in c['metadata']['component'].get('hashes', []) if h['alg'] == 'SHA-256']
print(("ok: " if got == [want] else "FAIL: ") + f"CycloneDX image SHA-256 {got} vs {want}")
# every file of the squashfs: SHA-256 (CycloneDX) and SHA-1 + SHA-256 (SPDX) equal hashlib's
def rel(p):
    return p.split('/', 2)[2] if '/squashfs@' in p else None
checked = wrong = 0
for comp in c['components']:
    if comp['type'] != 'file':
        continue
    r = rel(comp['name'])
    if r is None or not os.path.isfile(f"{root}/{r}") or os.path.islink(f"{root}/{r}"):
        continue
    data = open(f"{root}/{r}", 'rb').read()
    h = {x['alg']: x['content'] for x in comp.get('hashes', [])}
    checked += 1
    if h.get('SHA-256') != hashlib.sha256(data).hexdigest():
        wrong += 1
        print(f"FAIL: CycloneDX SHA-256 of {r}")
print((f"ok: {checked} CycloneDX file digests equal hashlib's" if wrong == 0 and checked > 400
       else f"FAIL: CycloneDX file digests: {wrong} wrong of {checked}"))
checked = wrong = 0
for f in s['files']:
    r = rel(f['fileName'].lstrip('./'))
    if r is None or not os.path.isfile(f"{root}/{r}") or os.path.islink(f"{root}/{r}"):
        continue
    data = open(f"{root}/{r}", 'rb').read()
    h = {x['algorithm']: x['checksumValue'] for x in f['checksums']}
    checked += 1
    if h.get('SHA1') != hashlib.sha1(data).hexdigest() or h.get('SHA256') != hashlib.sha256(data).hexdigest():
        wrong += 1
        print(f"FAIL: SPDX checksums of {r}")
print((f"ok: {checked} SPDX file SHA1+SHA256 equal hashlib's" if wrong == 0 and checked > 400
       else f"FAIL: SPDX file checksums: {wrong} wrong of {checked}"))
# DT_NEEDED edges, recomputed from readelf on the tree the image was made from
def readelf(path):
    try:
        out = subprocess.run(['readelf', '-hdW', path], capture_output=True, text=True, timeout=20).stdout
    except Exception:
        return None
    if 'ELF Header' not in out:
        return None
    mach = cls = None
    needed, soname = [], None
    for line in out.splitlines():
        l = line.strip()
        if l.startswith('Machine:'):
            mach = l.split(':', 1)[1].strip()
        elif l.startswith('Class:'):
            cls = l.split(':', 1)[1].strip()
        elif '(NEEDED)' in l:
            needed.append(l.split('[', 1)[1].rstrip(']'))
        elif '(SONAME)' in l:
            soname = l.split('[', 1)[1].rstrip(']')
    return mach, cls, needed, soname
elfs = {}
for d, _, fs in os.walk(root):
    for n in fs:
        p = os.path.join(d, n)
        if os.path.islink(p) or not os.path.isfile(p):
            continue
        with open(p, 'rb') as fh:
            if fh.read(4) != b'\x7fELF':
                continue
        info = readelf(p)
        if info:
            elfs[os.path.relpath(p, root)] = info
def common(a, b):
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n
expected = set()
for r, (mach, cls, needed, _) in elfs.items():
    for nd in needed:
        cands = [q for q, (m2, c2, _, so) in elfs.items()
                 if q != r and m2 == mach and c2 == cls and (so or os.path.basename(q)) == nd]
        if cands:
            best = max(cands, key=lambda q: common(q, r))
            expected.add((r, best))
ref2path = {comp['bom-ref']: rel(comp['name']) for comp in c['components'] if comp['type'] == 'file'}
got = set()
for d in c.get('dependencies', []):
    a = ref2path.get(d['ref'])
    for t in d.get('dependsOn', []):
        b = ref2path.get(t)
        if a and b:
            got.add((a, b))
missing, extra = expected - got, got - expected
for e in sorted(missing)[:10]:
    print(f"FAIL: DT_NEEDED edge missing: {e[0]} -> {e[1]}")
for e in sorted(extra)[:10]:
    print(f"FAIL: DT_NEEDED edge readelf does not show: {e[0]} -> {e[1]}")
if not missing and not extra and len(expected) > 100:
    print(f"ok: {len(expected)} DT_NEEDED edges equal readelf's")
elif not missing and not extra:
    print(f"FAIL: only {len(expected)} edges expected: the fixture is not what it should be")
EOF
tally "$work/py3.out"

# ---- real samples of ../shared/vectors/firmware: versions against independent readers ----
samples=${VOUCH_SHARED:-$here/../../shared}/vectors/firmware
if [ -d "$samples" ]; then
	python3 - "$vouch" "$samples" >"$work/py4.out" 2>&1 <<'EOF'
import json, re, subprocess, sys
vouch, root = sys.argv[1:3]
def comps(path):
    out = subprocess.run([vouch, "sbom", "-q", "--json", path], capture_output=True, text=True).stdout
    return {(c["name"], c["version"]) for c in json.loads(out)["components"]}
tp = fp = fn = 0
def verdict(path, want):
    global tp, fp, fn
    got = comps(f"{root}/{path}")
    tp += len(got & want); fp += len(got - want); fn += len(want - got)
    ok = got == want
    print(("ok: " if ok else "FAIL: ") + f"{path}: vouch {sorted(got)}, independent {sorted(want)}")
# bzImage kernels: libmagic reads the version from the x86 boot header
for comp in ["gzip", "bzip2", "lz4", "lzma", "lzo", "xz"]:
    p = f"fact_extractor/linuxkernel/bzImage_{comp}"
    m = re.search(r"version (\d+\.\d+\.\d+)", subprocess.run(["file", "-b", f"{root}/{p}"],
                  capture_output=True, text=True).stdout)
    verdict(p, {("linux", m.group(1))} if m else set())
# a kernel module: kmod's modinfo reads vermagic
p = "FACT_core/kernel_config/synthetic/configs.ko"
vm = subprocess.run(["modinfo", "-F", "vermagic", f"{root}/{p}"], capture_output=True, text=True).stdout
m = re.match(r"(\d+\.\d+\.\d+)", vm.strip())
verdict(p, {("linux", m.group(1))} if m else set())
# an RTOS image with a static OpenSSL: the module banners, read with strings(1) after xz/lzma
# decompression of the payload python finds itself
import lzma
data = open(f"{root}/fact_extractor/ros/test.ros", "rb").read()
vers = set()
for off in range(len(data) - 13):
    if data[off] == 0x5d and data[off + 1:off + 3] == b"\x00\x00":
        try:
            blob = lzma.LZMADecompressor(format=lzma.FORMAT_ALONE).decompress(data[off:], 64 << 20)
        except Exception:
            continue
        vers |= set(re.findall(rb" part of OpenSSL (\d+\.\d+\.\d+[a-z]{0,2}) ", blob))
verdict("fact_extractor/ros/test.ros", {("openssl", v.decode()) for v in vers})
print(f"real samples: precision {tp / max(tp + fp, 1):.3f} ({tp}/{tp + fp}), recall {tp / max(tp + fn, 1):.3f} ({tp}/{tp + fn})")
EOF
	tally "$work/py4.out"
else
	echo "skip: real samples ($samples absent)"
fi

# ---- usage and errors ----
expect "sbom without IMAGE is a usage error" 2 "$vouch" sbom
expect "sbom --format nonsense is a usage error" 2 "$vouch" sbom --format xml "$fx/sbom.bin"
expect "sbom of a missing file is an input error" 3 "$vouch" sbom "$work/nope.bin"
printf '{"format": 1, "components": [{"name": "x", "kind": "library", "rules": [{"id": "r", "in": "elf", "prefix": "x", "version": "(["}]}]}' >"$work/bad-rules.json"
expect "sbom --rules with a broken expression is an input error" 3 "$vouch" sbom --rules "$work/bad-rules.json" "$fx/pkgdb.bin"
"$vouch" sbom --rules "$work/bad-rules.json" "$fx/pkgdb.bin" 2>"$work/err" >/dev/null
if grep -q 'rule "r"' "$work/err"; then ok "the rules error names the rule"; else bad "rules error: $(cat "$work/err")"; fi
echo '{"format": 1, "components": [' >"$work/trunc.json"
expect "sbom --rules with truncated JSON is an input error" 3 "$vouch" sbom --rules "$work/trunc.json" "$fx/pkgdb.bin"
# a user rules file replaces the built-in one
cat >"$work/one.json" <<'EOF'
{"format": 1, "components": [{"name": "dnsmasq", "kind": "application", "cpe": "thekelleys:dnsmasq",
 "rules": [{"id": "dnsmasq-only", "in": "elf", "prefix": "dnsmasq-", "version": "[0-9]+\\.[0-9]+", "suffix": "\\x00"}]}]}
EOF
n=$("$vouch" sbom --json -q --rules "$work/one.json" "$fx/sbom.bin" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(" ".join(sorted(c["name"] + "=" + c["version"] for c in d["components"])))')
if [ "$n" = "dnsmasq=2.90" ]; then ok "a --rules file replaces the built-in rules"; else bad "--rules gave: $n"; fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
