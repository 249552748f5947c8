#!/usr/bin/env bash
# tests/e2e/test_diff.sh: `vouch diff A B` on two real releases whose differences are known.
# Usage: test_diff.sh VOUCH
#
# The releases come from tests/fixtures/make-diff-fixture.sh (real Debian 12 foreign-arch
# packages; v2 = v1 with the changes listed in planted.tsv, the squashfs moved by a grown
# kernel). Every expectation is computed here without vouch:
#   1. files: both squashfs trees listed with `unsquashfs -lln -o OFFSET` (type, mode,
#      owner, size, link target) and extracted with `unsquashfs -d` for sha256 (python);
#      the uImage payloads hashed from the image bytes and from the kernel files the
#      generator kept. Added, removed, changed, type- and mode/owner-changed lists must be
#      exactly those; pairs must carry the two real paths with their two offsets.
#   2. components: exactly the planted upgrade, downgrade, addition and removal.
#   3. indicators: the planted accounts, key and endpoints are there, in the right
#      category, and every other indicator change lies in a file the independent file
#      comparison says was added, removed or changed ("nothing else of substance").
#   4. hardening: the regressions of the rebuilt program equal what readelf says the two
#      builds differ in (PIE, canary, RELRO, executable stack); new binaries are added
#      ELF files.
#   5. the regressions count equals the sum of the independently expected regressions.
#   6. vulnerabilities (only with ../shared/vulndb, imported with `vouch vulndb import`):
#      fixed / introduced equal python's set difference of the two reports' vulnerability
#      lists; without a database the diff says CVE changes are unknown.
#   7. an image with itself and with its own report: empty; A B against B A: swapped;
#      --fail-on-regression exit statuses; malformed reports exit 3 with a message; usage;
#      firmware strings escaped in the human output.
set -uo pipefail
vouch=${1:?usage: $0 VOUCH}
vouch=$(cd "$(dirname "$vouch")" && pwd)/$(basename "$vouch")
here=$(cd "$(dirname "$0")/.." && pwd)
shared=${VOUCH_SHARED:-$here/../../shared}
fx=${VOUCH_DIFF_FIXTURES:-$here/fixtures/out/diff}
. "$(dirname "$0")/common.sh"
for tool in unsquashfs readelf python3; do
	command -v "$tool" >/dev/null || {
		echo "skip: $tool not installed (scripts/install-deps.sh)"
		echo "$pass passed, $fail failed"
		exit 0
	}
done
if [ ! -s "$fx/v1.bin" ] || [ ! -s "$fx/v2.bin" ] || [ ! -s "$fx/planted.tsv" ]; then
	bash "$here/fixtures/make-diff-fixture.sh" "$fx" >/dev/null || {
		bad "make-diff-fixture.sh failed"
		echo "$pass passed, $fail failed"
		exit 1
	}
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# no database unless asked for: neither $VOUCH_VULNDB nor ./vouch-vulndb.sqlite
unset VOUCH_VULNDB
cd "$work" || exit 1
cp "$fx/v1.bin" "$fx/v2.bin" .

# ---- the reports and the diff ----
for v in v1 v2; do
	"$vouch" scan --json -q "$v.bin" >"$v.json"
	rc=$?
	if [ "$rc" -eq 0 ] || [ "$rc" -eq 8 ]; then ok "scan --json $v.bin (exit $rc)"; else bad "scan $v.bin exit $rc"; fi
done
"$vouch" diff --json -q v1.json v2.json >d12.json
rc=$?
[ "$rc" -eq 0 ] && ok "diff --json v1.json v2.json exits 0" || bad "diff v1 v2 exit $rc"
"$vouch" diff --json -q v2.json v1.json >d21.json || bad "diff v2 v1 failed"

# ---- the independent side: trees, payloads, ELF facts ----
off1=$(awk -F'\t' '$1 == "v1.bin" {print $3}' "$fx/layout.tsv")
off2=$(awk -F'\t' '$1 == "v2.bin" {print $3}' "$fx/layout.tsv")
for v in 1 2; do
	off=$([ "$v" = 1 ] && echo "$off1" || echo "$off2")
	unsquashfs -lln -o "$off" "v$v.bin" >"ls$v.txt" 2>/dev/null || bad "unsquashfs -lln v$v"
	unsquashfs -q -n -d "t$v" -o "$off" "v$v.bin" >/dev/null 2>&1 || bad "unsquashfs -d v$v"
	readelf -hlW --dyn-syms "$fx/agent-v$v" >"agent$v.elf" 2>/dev/null
done
readelf -lW t2/lib/mipsel-linux-gnu/libz.so.1.2.13 >libz.elf 2>/dev/null

cat >check.py <<'EOF'
import hashlib, json, os, re, stat, struct, sys

fx, off1, off2 = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
d = json.load(open("d12.json"))
r = json.load(open("d21.json"))
npass = nfail = 0
def check(cond, what):
    global npass, nfail
    print(("ok: " if cond else "FAIL: ") + what)
    if cond: npass += 1
    else: nfail += 1
def show(s):
    s = sorted(s)
    return ", ".join(s[:8]) + (" ..." if len(s) > 8 else "")

# --- files, from unsquashfs ---
KIND = {"-": "file", "d": "dir", "l": "symlink", "c": "chardev", "b": "blockdev",
        "p": "fifo", "s": "socket"}
def perm(p):
    m = 0
    for i, ch in enumerate(p[1:10]):
        if ch in "rwx": m |= 1 << (8 - i)
        if ch in "sS" and i == 2: m |= 0o4000 | (0o100 if ch == "s" else 0)
        if ch in "sS" and i == 5: m |= 0o2000 | (0o010 if ch == "s" else 0)
        if ch in "tT" and i == 8: m |= 0o1000 | (0o001 if ch == "t" else 0)
    return "%04o" % m
def tree(n):
    out = {}
    for line in open("ls%d.txt" % n):
        m = re.match(r"^(\S{10}) (\d+)/(\d+)\s+\d+ \S+ \S+ squashfs-root(/.*?)(?: -> (.*))?$",
                     line.rstrip("\n"))
        if not m or not m.group(4): continue
        p, link = m.group(4), m.group(5)
        e = {"kind": KIND[m.group(1)[0]], "mode": perm(m.group(1)),
             "uid": int(m.group(2)), "gid": int(m.group(3)), "link": link, "sha": None}
        if e["kind"] == "file":
            e["sha"] = hashlib.sha256(open("t%d%s" % (n, p), "rb").read()).hexdigest()
        out["squashfs" + p] = e
    return out
A, B = tree(1), tree(2)
check(len(A) > 40 and len(B) > 40, "unsquashfs listed %d and %d entries" % (len(A), len(B)))
added = set(B) - set(A)
removed = set(A) - set(B)
both = set(A) & set(B)
typech = {k for k in both if A[k]["kind"] != B[k]["kind"]}
changed = {k for k in both - typech if A[k]["sha"] != B[k]["sha"] or A[k]["link"] != B[k]["link"]}
meta = {k for k in both if (A[k]["mode"] != B[k]["mode"] and k not in typech)
        or A[k]["uid"] != B[k]["uid"] or A[k]["gid"] != B[k]["gid"]}

# the uImage payloads: the LZMA stream (header size at bytes 12..16) and the kernel itself
def payload(img):
    b = open(img, "rb").read()
    n = struct.unpack(">I", b[12:16])[0]
    return hashlib.sha256(b[64:64 + n]).hexdigest()
kern = {"uimage/payload": (payload("v1.bin"), payload("v2.bin")),
        "uimage/payload/lzma/data": tuple(hashlib.sha256(open("%s/kernel-v%d.raw" % (fx, i), "rb").read()).hexdigest() for i in (1, 2))}
kchanged = {k for k, (x, y) in kern.items() if x != y}
check(kchanged == set(kern), "both kernel payloads differ (python): %s" % show(kchanged))

def keys(lst): return {e["key"] for e in lst}
F = d["files"]
check(keys(F["added"]) == added, "files added = unsquashfs (%d): %s" % (len(added), show(keys(F["added"]) ^ added) or show(added)))
check(keys(F["removed"]) == removed, "files removed = unsquashfs (%d)%s" % (len(removed), (": differs: " + show(keys(F["removed"]) ^ removed)) if keys(F["removed"]) != removed else ""))
check(keys(F["changed"]) == changed | kchanged, "files changed = unsquashfs sha256 + kernel payloads (%d): %s" % (len(changed | kchanged), show(changed | kchanged)))
check(keys(F["type_changed"]) == typech, "type changed = unsquashfs: %s" % show(typech))
check(keys(F["metadata_changed"]) == meta, "mode/owner changed = unsquashfs: %s" % show(meta))
for e in F["metadata_changed"]:
    k = e["key"]
    want = sorted(f for f in ("mode", "uid", "gid") if A[k][f] != B[k][f] and not (f == "mode" and k in typech))
    check(sorted(e["fields"]) == want and e["a"]["mode"] == A[k]["mode"] and e["b"]["mode"] == B[k]["mode"]
          and e["b"]["gid"] == B[k]["gid"], "%s: fields %s, mode %s -> %s" % (k, want, A[k]["mode"], B[k]["mode"]))
for e in F["changed"]:
    k = e["key"]
    want = kern[k] if k in kern else (A[k]["sha"], B[k]["sha"])
    if A.get(k, {}).get("kind") == "symlink": continue
    if (e["a"]["sha256"], e["b"]["sha256"]) != want:
        check(False, "%s: digests %s wanted %s" % (k, (e["a"]["sha256"], e["b"]["sha256"]), want))
check(all((e["a"]["sha256"], e["b"]["sha256"]) == (kern[e["key"]] if e["key"] in kern else (A[e["key"]]["sha"], B[e["key"]]["sha"])) for e in F["changed"]),
      "every changed file carries python's two digests")
sq = [e for e in F["changed"] + F["metadata_changed"] + F["type_changed"] if e["key"].startswith("squashfs/")]
check(sq and all(("squashfs@0x%x/" % off1) in e["a"]["path"] and ("squashfs@0x%x/" % off2) in e["b"]["path"] for e in sq),
      "pairs keep their real paths: squashfs@0x%x in A, squashfs@0x%x in B" % (off1, off2))
same = len(both - typech - changed - meta) + len(set(kern) - kchanged)
check(d["summary"]["files_unchanged"] == same, "files unchanged = %d (python: %d)" % (d["summary"]["files_unchanged"], same))
check(F["ambiguous"] == [], "no ambiguous pairing in a clean image")

# --- planted.tsv ---
planted = [l.rstrip("\n").split("\t") for l in open(fx + "/planted.tsv")][1:]
def planted_of(kind): return [p[1:] for p in planted if p[0] == kind]
for k, _, _ in planted_of("file-removed"): check(k in keys(F["removed"]), "planted removal reported: " + k)
for k, _, _ in planted_of("file-added"): check(k in keys(F["added"]), "planted addition reported: " + k)
for k, _, _ in planted_of("file-changed"): check(k in keys(F["changed"]), "planted change reported: " + k)
for k, a, b in planted_of("file-type"):
    check(any(e["key"] == k and e["a"]["kind"] == a and e["b"]["kind"] == b for e in F["type_changed"]), "type change %s: %s -> %s" % (k, a, b))
for k, a, b in planted_of("file-mode"):
    check(any(e["key"] == k and e["a"]["mode"] == a and e["b"]["mode"] == b for e in F["metadata_changed"]), "mode change %s: %s -> %s" % (k, a, b))

# --- components: exactly the planted changes ---
C = d["components"]
def nv(lst, f="version"): return sorted((e["name"], e[f]) for e in lst)
check(nv(C["upgraded"], "from") == sorted((w, a) for w, a, b in planted_of("component-upgraded")) and
      nv(C["upgraded"], "to") == sorted((w, b) for w, a, b in planted_of("component-upgraded")),
      "upgraded: %s" % C["upgraded"])
check(nv(C["downgraded"], "from") == sorted((w, a) for w, a, b in planted_of("component-downgraded")) and
      nv(C["downgraded"], "to") == sorted((w, b) for w, a, b in planted_of("component-downgraded")),
      "downgraded: %s" % C["downgraded"])
check(nv(C["added"]) == sorted((w, b) for w, a, b in planted_of("component-added")), "components added: %s" % nv(C["added"]))
check(nv(C["removed"]) == sorted((w, a) for w, a, b in planted_of("component-removed")), "components removed: %s" % nv(C["removed"]))

# --- indicators ---
I = d["indicators"]
touched = added | removed | changed | kchanged
def ind(cat, side): return I.get(cat, {}).get(side, [])
def acct(e): return (re.search(r"account=([^;]*)", e["detail"] or "") or [None, None])[1]
got_rm = sorted((acct(e), e["id"].split(".", 1)[1]) for e in ind("account", "removed"))
got_add = sorted((acct(e), e["id"].split(".", 1)[1]) for e in ind("account", "added"))
check(got_rm == sorted((w, a) for w, a, b in planted_of("account-removed")), "accounts removed: %s" % got_rm)
check(got_add == sorted((w, b) for w, a, b in planted_of("account-added")), "accounts added: %s" % got_add)
check([e["key"] for e in ind("key", "added")] == [w for w, a, b in planted_of("key-added")] and ind("key", "removed") == [],
      "keys: the planted private key added, nothing removed")
check(all(e["id"] == "key.private-key" and e["fingerprint"] for e in ind("key", "added")), "the added key has its fingerprint")
for k, a, b in planted_of("endpoint-removed"):
    check(any(e["key"] == k and a in e["detail"] for e in ind("endpoint", "removed")), "endpoint removed: %s in %s" % (a, k))
for k, a, b in planted_of("endpoint-added"):
    check(any(e["key"] == k and b in e["detail"] and "scope=public" in e["detail"] and e["regression"] for e in ind("endpoint", "added")),
          "public endpoint added (a regression): %s in %s" % (b, k))
stray = [(c, e["key"]) for c in I for s in ("added", "removed") for e in I[c][s] if e["key"] not in touched]
check(stray == [], "every indicator change lies in a file that changed (python): %s" % stray)
check("hardening" not in I, "hardening findings are compared in their own section")
check(not any(I.get(c, {}).get(s) for c in ("service", "secret") for s in ("added", "removed")),
      "no service or secret change (none planted)")

# --- hardening, against readelf ---
def elf(n):
    t = open("agent%d.elf" % n).read()
    return {"pie": "DYN (" in t, "canary": "__stack_chk_fail" in t, "relro": "GNU_RELRO" in t,
            "nx": re.search(r"GNU_STACK.*\sRW\s", t) is not None}
e1, e2 = elf(1), elf(2)
ids = {"pie": "hardening.no-pie", "canary": "hardening.no-canary", "relro": "hardening.no-relro", "nx": "hardening.no-nx"}
want = sorted(ids[p] for p in ids if e1[p] and not e2[p])
H = d["hardening"]
agent = [w for w, a, b in planted_of("hardening-binary")][0]
got = sorted(e["id"] for e in H["regressions"] if e["key"] == agent)
check(len(want) == 4 and got == want, "vendor-agent regressions = readelf's: %s" % want)
check(all(e["key"] in changed for e in H["regressions"] + H["improvements"] + H["changed"]),
      "hardening changes only on files that changed")
check(all(e["key"] == agent for e in H["regressions"]), "no other hardening regression")
libz = open("libz.elf").read()
check(re.search(r"GNU_STACK.*RWE", libz) is not None or "GNU_STACK" not in libz,
      "readelf: libz (mipsel) has no non-executable stack")
nb = {e["key"]: sorted(x["id"] for x in e["findings"]) for e in H["new_binaries"]}
check(all(k in added and open("t2" + k[len("squashfs"):], "rb").read(4) == b"\x7fELF" for k in nb),
      "new binaries are added ELF files: %s" % sorted(nb))
for w, a, b in planted_of("new-binary"):
    check("hardening.no-nx" in nb.get(w, []), "new binary lacking a non-executable stack: " + w)

# --- regressions: the sum of what is expected independently ---
S = d["summary"]
exp = len(planted_of("account-added")) + len(planted_of("key-added")) + len(planted_of("endpoint-added")) \
      + len(want) + len(planted_of("new-binary")) + len(planted_of("component-downgraded"))
check(S["vulnerabilities_introduced"] is None and S["regressions"] == exp,
      "regressions %s = %d expected (no database)" % (S["regressions"], exp))
V = d["vulnerabilities"]
check(V["compared"] is False and V["fixed"] is None and "unknown" in V["note"],
      "no database: CVE changes unknown, not none (%s)" % V["note"])

# --- B A swaps A B ---
def pairs(x): return {(e["key"]) for e in x}
check(keys(r["files"]["added"]) == keys(F["removed"]) and keys(r["files"]["removed"]) == keys(F["added"]),
      "swapped: files added <-> removed")
check(keys(r["files"]["changed"]) == keys(F["changed"]) and keys(r["files"]["type_changed"]) == keys(F["type_changed"]),
      "swapped: the same files changed")
check(nv(r["components"]["upgraded"], "to") == nv(C["downgraded"], "from") and
      nv(r["components"]["downgraded"], "to") == nv(C["upgraded"], "from") and
      nv(r["components"]["added"]) == nv(C["removed"]), "swapped: upgrades <-> downgrades, added <-> removed")
check(all(sorted(e["key"] + e["id"] for e in r["indicators"][c]["added"]) == sorted(e["key"] + e["id"] for e in I[c]["removed"])
          for c in I), "swapped: indicators added <-> removed")
check(sorted(e["id"] for e in r["hardening"]["improvements"] if e["key"] == agent) == want,
      "swapped: the regressions are improvements")
print("python: %d passed, %d failed" % (npass, nfail))
EOF
python3 check.py "$fx" "$off1" "$off2" >check.out 2>&1 || bad "check.py crashed: $(tail -3 check.out)"
tally check.out

# ---- vulnerabilities, with the real records of ../shared ----
if [ -d "$shared/vulndb" ]; then
	if "$vouch" vulndb import --db vdb.sqlite "$shared/vulndb" >/dev/null 2>&1; then
		ok "vulndb import ../shared/vulndb"
		for v in v1 v2; do "$vouch" scan --json -q --db vdb.sqlite "$v.bin" >"$v.db.json"; done
		"$vouch" diff --json -q v1.db.json v2.db.json >dv.json || bad "diff with databases failed"
		"$vouch" diff --json -q --db vdb.sqlite v1.bin v2.bin >dvi.json || bad "diff of images --db failed"
		cat >vcheck.py <<'EOF'
import json, sys
fx = sys.argv[1]
r1, r2 = json.load(open("v1.db.json")), json.load(open("v2.db.json"))
d, di = json.load(open("dv.json")), json.load(open("dvi.json"))
def key(v): return (v["id"], v["component"])
a, b = {key(v) for v in r1["vulnerabilities"]}, {key(v) for v in r2["vulnerabilities"]}
fixed, intro = a - b, b - a
V = d["vulnerabilities"]
def ok(c, w): print(("ok: " if c else "FAIL: ") + w)
ok(V["compared"] and {key(v) for v in V["fixed"]} == fixed, "fixed = python's A - B (%d): %s" % (len(fixed), sorted(fixed)[:6]))
ok({key(v) for v in V["introduced"]} == intro, "introduced = python's B - A (%d): %s" % (len(intro), sorted(intro)[:6]))
ok(len(fixed) + len(intro) > 0, "the component changes move known CVEs (%d fixed, %d introduced)" % (len(fixed), len(intro)))
planted = [l.rstrip("\n").split("\t") for l in open(fx + "/planted.tsv")][1:]
moved = {p[1] for p in planted if p[0].startswith("component-")}
ok({c for _, c in fixed | intro} <= moved, "only changed components' CVEs move: %s <= %s" % (sorted({c for _, c in fixed | intro}), sorted(moved)))
src = {key(v): v for v in r2["vulnerabilities"]}
ok(all(v["cvss3"] == src[key(v)]["cvss3"] and v["severity"] == src[key(v)]["severity"] for v in V["introduced"]),
   "introduced carry B's severity and CVSS")
reg = sum(1 for v in r2["vulnerabilities"] if key(v) in intro and v.get("vex") not in ("not_affected", "fixed"))
nodb = json.load(open("d12.json"))["summary"]["regressions"]
ok(d["summary"]["regressions"] == nodb + reg, "regressions = %d without CVEs + %d introduced" % (nodb, reg))
same = lambda x: {k: v for k, v in x.items() if k not in ("a", "b")}
ok(same(di) == same(d), "diff of the two images --db = diff of their two reports")
EOF
		python3 vcheck.py "$fx" >vcheck.out 2>&1 || bad "vcheck.py crashed: $(tail -3 vcheck.out)"
		tally vcheck.out
	else
		bad "vulndb import ../shared/vulndb failed"
	fi
else
	echo "skip: $shared/vulndb absent: the vulnerability comparison is not tested"
fi

# ---- identities, exit statuses ----
empty() { # description, diff JSON file
	if python3 - "$2" <<'EOF'; then ok "$1"; else bad "$1"; fi
import json, sys
d = json.load(open(sys.argv[1]))
s = d["summary"]
lists = [d["files"][k] for k in ("added", "removed", "changed", "metadata_changed", "type_changed")]
lists += [d["components"][k] for k in ("added", "removed", "upgraded", "downgraded")]
lists += [c[k] for c in d["indicators"].values() for k in ("added", "removed")]
lists += [d["hardening"][k] for k in ("regressions", "improvements", "changed", "new_binaries")]
sys.exit(0 if s["identical"] and s["regressions"] == 0 and not any(lists)
         and s["files_unchanged"] > 40 else 1)
EOF
}
"$vouch" diff --json -q v1.bin v1.bin >self.json
rc=$?
[ "$rc" -eq 0 ] && empty "an image against itself: nothing changed" self.json || bad "diff v1.bin v1.bin exit $rc"
"$vouch" diff --json -q v1.bin v1.json >selfr.json
rc=$?
[ "$rc" -eq 0 ] && empty "an image against its own report: nothing changed" selfr.json || bad "diff v1.bin v1.json exit $rc"
expect "--fail-on-regression: v1 -> v2 regresses (8)" 8 "$vouch" diff -q --fail-on-regression v1.json v2.json
expect "--fail-on-regression: v2 -> v1 regresses too (a kernel downgrade) (8)" 8 "$vouch" diff -q --fail-on-regression v2.json v1.json
expect "--fail-on-regression: v1 -> v1 (0)" 0 "$vouch" diff -q --fail-on-regression v1.json v1.bin
expect "without --fail-on-regression: 0" 0 "$vouch" diff -q v1.json v2.json

# malformed and unreadable reports: exit 3 with a message naming the problem
head -c 2000 v1.json >trunc.json
printf '{"tool": "vouch", "findings": []}\n' >notreport.json
python3 - <<'EOF'
import json
r = json.load(open("v1.json"))
r2 = dict(r, report_version=2); json.dump(r2, open("v2format.json", "w"))
r3 = dict(r, findings=5); json.dump(r3, open("badtype.json", "w"))
r4 = json.loads(json.dumps(r)); r4["findings"][0]["path"] = 7; json.dump(r4, open("badpath.json", "w"))
EOF
malformed() { # description, file, text the message must hold
	local rc
	"$vouch" diff -q v1.json "$2" >/dev/null 2>err.txt
	rc=$?
	if [ "$rc" -eq 3 ] && grep -q -- "$3" err.txt; then ok "$1: exit 3, says '$3'"; else bad "$1: exit $rc, said: $(head -c 300 err.txt)"; fi
}
malformed "a truncated report" trunc.json "report B: not JSON"
malformed "JSON that is not a report" notreport.json "no report_version"
malformed "a report of another version" v2format.json "report_version 2"
malformed "findings of the wrong type" badtype.json "no findings list"
malformed "a finding whose path is a number" badpath.json "findings\[0\].path"
malformed "a missing file" nosuch.json "cannot open"
# a side whose evaluation was cut short by a limit: the diff is printed, with a warning
python3 -c 'import json; r = json.load(open("v1.json")); r["outcome"] = "limit reached"; json.dump(r, open("v1limit.json", "w"))'
"$vouch" diff v1limit.json v1.json >limit.out 2>limit.err
rc=$?
if [ "$rc" -eq 5 ] && grep -q 'not complete (limit reached)' limit.err && grep -q '^identical' limit.out; then
	ok "an incomplete side: diff printed, warning, exit 5"
else
	bad "an incomplete side: exit $rc, $(head -c 200 limit.err)"
fi
expect "an incomplete side with a regression and --fail-on-regression: 8 wins" 8 \
	"$vouch" diff -q --fail-on-regression v1limit.json v2.json
expect "usage: one side only (2)" 2 "$vouch" diff v1.json
expect "usage: an unknown option (2)" 2 "$vouch" diff --frobnicate v1.json v2.json
expect "--help (0)" 0 "$vouch" diff --help

# ---- the human output: sections, markers, escaping ----
"$vouch" diff -q v1.json v2.json >human.txt
if grep -q '^changed: files +' human.txt && grep -q '^  + squashfs/etc/ssl/private/device.key' human.txt &&
	grep -q '^  ~ openssl .* (DOWNGRADED)' human.txt && grep -q '^  - squashfs/www/index.html' human.txt &&
	grep -q '^  ~ squashfs/sbin/reboot  type symlink -> file' human.txt; then
	ok "human output: summary line and +/-/~ lines per section"
else
	bad "human output: $(head -5 human.txt)"
fi
python3 - <<'EOF'
import json
r = json.load(open("v2.json"))
f = dict(r["inventory"]["file_list"][5]); f["path"] = "v2.bin/squashfs@0x110000/etc/\x1b[31mred\x07"
r["inventory"]["file_list"].append(f)
# a name the scan escaped already (a NUL byte in a firmware name is "\x00" in its report): as is
g = dict(r["inventory"]["file_list"][5]); g["path"] = "v2.bin/squashfs@0x110000/etc/nul\\x00name"
r["inventory"]["file_list"].append(g)
json.dump(r, open("esc.json", "w"))
EOF
"$vouch" diff -q v2.json esc.json >esc.txt
if grep -q 'red' esc.txt && ! grep -q $'\x1b' esc.txt && ! grep -q $'\x07' esc.txt; then
	ok "control bytes in a report's path are escaped on the terminal"
else
	bad "escaping: $(grep red esc.txt | od -c | head -3)"
fi
if grep -qF 'etc/nul\x00name' esc.txt && ! grep -qF 'x5c' esc.txt; then
	ok "a report's strings, escaped already, are not escaped twice (no \\x5c)"
else
	bad "double escaping: $(grep nul esc.txt)"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
