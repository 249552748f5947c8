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
pass=0
fail=0
ok() { echo "ok: $1"; pass=$((pass + 1)); }
bad() { echo "FAIL: $1"; fail=$((fail + 1)); }
tally() { # FILE: print a python check's lines and count its ok:/FAIL: verdicts
	cat "$1"
	pass=$((pass + $(grep -c '^ok:' "$1")))
	fail=$((fail + $(grep -c '^FAIL:' "$1")))
	grep -q '^ok:' "$1" || bad "the check printed no verdict"
}
expect() { # description, wanted exit status, command...
	local d=$1 want=$2 rc
	shift 2
	"$@" >/dev/null 2>&1
	rc=$?
	if [ "$rc" -eq "$want" ]; then ok "$d"; else bad "$d (exit $rc, wanted $want)"; fi
}

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
