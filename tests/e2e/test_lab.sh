#!/usr/bin/env bash
# tests/e2e/test_lab.sh: the trusted delivery chain, end to end, on a real image.
# Usage: test_lab.sh VOUCH
#
# The firmware is tests/fixtures/out/router.bin (real Debian mipsel/armhf binaries packed by
# make-fixtures.sh; its /etc/shadow holds a default root password, a critical finding).
#  1. Delivery intake: every kind of manifest mistake is reported (all at once), with the
#     exit status of its kind, and nothing is stored; a good delivery is stored (blobs equal
#     sha256sum's, read-only), its id is recomputed here from the manifest by python, and
#     submitting again (directory or tarball) is idempotent.
#  2. Evaluation: the default policy rejects it; every reason's finding is in the stored
#     report; the attestation is checked independently: the log entry is the SHA-256 of the
#     envelope (python), the DSSE signature verifies with openssl over the PAE rebuilt by
#     python, the subjects are sha256sum's, the predicate names the stored report's and the
#     policy's digests; the log passes `vouch log verify` and `vouch log verify-bundle`.
#  3. Waivers: a policy waiving the critical finding until a date approves before it and
#     rejects after it, the waiver marked "expired".
#  4. At the operator: pass; a flipped byte in the file, the bundle (envelope, proof,
#     checkpoint, at random places), the key file, or another lab's key: each fails with
#     its own exit status, never 0.
#  5. Revocation: a revoked delivery fails verification (15).
#  6. Re-check: evaluated without a vulnerability database, re-checked with one
#     (../shared/vulndb, skipped without it): the picture changed, a recheck attestation
#     is logged and the new bundle carries it.
set -uo pipefail
vouch=${1:?usage: $0 VOUCH}
vouch=$(cd "$(dirname "$vouch")" && pwd)/$(basename "$vouch")
here=$(cd "$(dirname "$0")/.." && pwd)
shared=${VOUCH_SHARED:-$here/../../shared}
. "$(dirname "$0")/common.sh"
expect() { # as common.sh, keeping the command's output for the checks after it
	local d=$1 want=$2
	shift 2
	"$@" >"$work/out" 2>"$work/err"
	local got=$?
	if [ "$got" = "$want" ]; then ok "$d"; else
		bad "$d (exit $got, wanted $want)"
		head -5 "$work/err"
	fi
}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
unset VOUCH_VULNDB VOUCH_LAB
cd "$work" || exit 1

img=$here/fixtures/out/router.bin
[ -s "$img" ] || bash "$here/fixtures/make-fixtures.sh" >/dev/null 2>&1
if [ ! -s "$img" ]; then
	echo "FAIL: no fixture image $img (tests/fixtures/make-fixtures.sh)"
	echo "0 passed, 1 failed"
	exit 1
fi

for c in lab delivery evaluate recheck revoke bundle verify; do
	expect "vouch $c --help" 0 "$vouch" "$c" --help
done

# ---- 1. delivery intake --------------------------------------------------------------
mkdir -p d1/fw d1/src
cp "$img" d1/fw/r1.bin
printf 'int main(void){return 0;}\n' >d1/src/main.c
tar -C d1 -czf d1/src.tar.gz src
printf 'release notes\n' >d1/NOTES.txt
h_fw=$(sha256sum d1/fw/r1.bin | cut -d' ' -f1)
h_src=$(sha256sum d1/src.tar.gz | cut -d' ' -f1)
h_doc=$(sha256sum d1/NOTES.txt | cut -d' ' -f1)
manifest() { # extra artefact JSON lines after the three good ones
	{
		printf '{"manifest_version":1,"vendor":"ACME Networks","product":"R1 router","version":"1.0.0","artefacts":[\n'
		printf '{"path":"fw/r1.bin","role":"firmware","sha256":"%s"},\n' "$h_fw"
		printf '{"path":"src.tar.gz","role":"source","sha256":"%s"},\n' "$h_src"
		printf '{"path":"NOTES.txt","role":"document","sha256":"%s"}%s\n' "$h_doc" "${1:+,}"
		[ -n "${1:-}" ] && printf '%s\n' "$1"
		printf ']}\n'
	}
}
bad_case() { # description, wanted exit, problem kind, extra artefact line
	rm -rf bad && cp -r d1 bad
	manifest "$4" >bad/vouch-delivery.json
	expect "bad manifest: $1 (exit $2)" "$2" "$vouch" delivery submit --lab lab --json bad
	if python3 - "$work/out" "$3" <<'EOF'; then ok "bad manifest: $1 reported as kind $3"; else bad "bad manifest: $1 not reported as $3"; cat "$work/out"; fi
import json, sys
r = json.load(open(sys.argv[1]))
sys.exit(0 if any(p["kind"] == sys.argv[2] for p in r["problems"]) else 1)
EOF
}
bad_case "missing file" 3 missing '{"path":"fw/r2.bin","role":"firmware","sha256":"'"$h_fw"'"}'
bad_case "unknown role" 3 role '{"path":"NOTES.txt","role":"firmwear","sha256":"'"$h_doc"'"}'
bad_case "duplicate" 3 duplicate '{"path":"fw/r1.bin","role":"firmware","sha256":"'"$h_fw"'"}'
bad_case "path escaping the delivery" 3 path '{"path":"../d1/fw/r1.bin","role":"firmware","sha256":"'"$h_fw"'"}'
# a digest mismatch needs the file to exist: one for real
rm -rf bad && cp -r d1 bad && printf 'other\n' >bad/extra.txt
manifest '{"path":"extra.txt","role":"document","sha256":"'"$h_doc"'"}' >bad/vouch-delivery.json
expect "digest mismatch of a present file: exit 7" 7 "$vouch" delivery submit --lab lab bad
grep -q "extra.txt: SHA-256 is $(sha256sum bad/extra.txt | cut -d' ' -f1)" "$work/err" &&
	ok "the mismatch names both digests" || bad "the mismatch message lacks the digests"
# a symlink artefact
rm -rf bad && cp -r d1 bad && ln -s /etc/passwd bad/link.txt
manifest '{"path":"link.txt","role":"document","sha256":"'"$h_doc"'"}' >bad/vouch-delivery.json
expect "a symlink artefact is refused" 3 "$vouch" delivery submit --lab lab bad
# several problems at once: all reported
rm -rf bad && cp -r d1 bad
manifest '{"path":"nope.bin","role":"firmware","sha256":"'"$h_fw"'"},{"path":"x","role":"blob","sha256":"'"$h_fw"'"},{"path":"fw/r1.bin","role":"firmware","sha256":"'"$h_fw"'"}' >bad/vouch-delivery.json
"$vouch" delivery submit --lab lab --json bad >"$work/multi.json" 2>/dev/null
python3 - "$work/multi.json" <<'EOF' && ok "several mistakes at once: each reported" || bad "not every problem reported"
import json, sys
kinds = sorted(p["kind"] for p in json.load(open(sys.argv[1]))["problems"])
sys.exit(0 if {"duplicate", "role", "missing"} <= set(kinds) else 1)
EOF
printf '{"manifest_version":1,"vendor":"A",' >bad/vouch-delivery.json
expect "invalid JSON: exit 3" 3 "$vouch" delivery submit --lab lab bad
printf '{"manifest_version":1,"vendor":"A","product":"B","version":"1","artefacts":[{"path":"NOTES.txt","role":"document","sha256":"%s"}]}' "$h_doc" >bad/vouch-delivery.json
expect "no firmware artefact: exit 3" 3 "$vouch" delivery submit --lab lab bad
nblobs=$(find lab/blobs -type f ! -path '*/tmp/*' 2>/dev/null | wc -l)
[ "$nblobs" = 0 ] && ok "failed submissions stored nothing" || bad "failed submissions left $nblobs blobs"

# the vendor's signature (a lab of its own, so the deliveries below stay apart)
"$vouch" lab init --lab vlab >/dev/null 2>&1
vkey=$("$vouch" key generate --name acme.example/release -o vendor.key 2>/dev/null)
okey=$("$vouch" key generate --name other.example/release -o other.key 2>/dev/null)
printf '{"release":"1.0.0"}' >vpred.json
signed_case() { # dir, signing key, subjects... : a copy of d1 whose manifest names release.dsse
	local dir=$1 key=$2
	shift 2
	rm -rf "$dir" && cp -r d1 "$dir"
	(cd "$dir" && "$vouch" attest sign --key "../$key" --predicate-type https://acme.example/release/v1 \
		--predicate ../vpred.json -o release.dsse "$@" >/dev/null 2>&1)
	manifest | python3 -c 'import json,sys; m=json.load(sys.stdin); m["signature"]="release.dsse"; print(json.dumps(m))' >"$dir/vouch-delivery.json"
}
signed_case vs vendor.key --subject fw/r1.bin --subject src.tar.gz --subject NOTES.txt
expect "vendor-signed delivery with --vendor-key: accepted" 0 "$vouch" delivery submit --lab vlab --json --vendor-key "$vkey" vs
python3 -c 'import json,sys; sys.exit(0 if json.load(open(sys.argv[1]))["vendor_signature"]=="verified" else 1)' "$work/out" &&
	ok "the receipt says the vendor signature was verified" || bad "receipt: $(head -c 300 "$work/out")"
expect "the same without --vendor-key: accepted" 0 "$vouch" delivery submit --lab vlab --json vs
grep -q '"unverified"' "$work/out" && ok "without the key the signature is recorded as unverified" || bad "no 'unverified': $(head -c 300 "$work/out")"
expect "another vendor's key: refused (7)" 7 "$vouch" delivery submit --lab vlab --vendor-key "$okey" vs
signed_case vs2 vendor.key --subject fw/r1.bin
expect "a signature that leaves out an artefact: refused (7)" 7 "$vouch" delivery submit --lab vlab --vendor-key "$vkey" vs2
rm -rf vs3 && cp -r d1 vs3 && manifest >vs3/vouch-delivery.json
expect "--vendor-key but no signature in the manifest: refused (7)" 7 "$vouch" delivery submit --lab vlab --vendor-key "$vkey" vs3
grep -q "names no signature" "$work/err" && ok "and says the manifest names no signature" || bad "message: $(cat "$work/err")"
signed_case vs4 vendor.key --subject fw/r1.bin --subject src.tar.gz --subject NOTES.txt
head -c 2097152 /dev/zero >vs4/release.dsse
expect "--vendor-key and a 2 MiB signature file: refused (7)" 7 "$vouch" delivery submit --lab vlab --vendor-key "$vkey" vs4
# a FIFO where a file should be must not hang the lab (no writer ever comes)
rm -rf vf && cp -r d1 vf && manifest >vf/vouch-delivery.json && rm vf/NOTES.txt && mkfifo vf/NOTES.txt
expect "a FIFO in place of an artefact: refused, no hang (3)" 3 timeout 20 "$vouch" delivery submit --lab vlab vf
rm -rf vf && cp -r d1 vf && mkfifo vf/vouch-delivery.json
expect "a FIFO in place of the manifest: refused, no hang (3)" 3 timeout 20 "$vouch" delivery submit --lab vlab vf
# only the documented compressions: an lzop tarball is not opened (libarchive would run lzop)
if command -v lzop >/dev/null; then
	rm -rf vz && cp -r d1 vz && manifest >vz/vouch-delivery.json
	tar -C vz -cf - . | lzop -c >d1.tar.lzo
	expect "an lzop-compressed delivery: refused (3)" 3 "$vouch" delivery submit --lab vlab d1.tar.lzo
fi

manifest >d1/vouch-delivery.json
expect "submit a good delivery" 0 "$vouch" delivery submit --lab lab --json d1
cp "$work/out" receipt.json
id=$(python3 -c 'import json,sys; print(json.load(open("receipt.json"))["id"])')
python3 - d1/vouch-delivery.json "$id" <<'EOF' && ok "delivery id = SHA-256 of the normalised manifest (python)" || bad "delivery id differs from python's"
import hashlib, json, sys
m = json.load(open(sys.argv[1]))
norm = {"vendor": m["vendor"], "product": m["product"], "version": m["version"],
        "artefacts": sorted(({"path": a["path"], "role": a["role"], "sha256": a["sha256"]}
                             for a in m["artefacts"]), key=lambda a: a["path"])}
text = json.dumps(norm, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
sys.exit(0 if hashlib.sha256(text.encode()).hexdigest() == sys.argv[2] else 1)
EOF
for h in "$h_fw" "$h_src" "$h_doc"; do
	f=lab/blobs/${h:0:2}/${h:2}
	if [ -f "$f" ] && [ "$(sha256sum <"$f" | cut -d' ' -f1)" = "$h" ] && [ ! -w "$f" -o "$(stat -c %a "$f")" = 444 ]; then
		ok "artefact $h stored content-addressed, mode $(stat -c %a "$f")"
	else bad "artefact $h not stored as it should be"; fi
done
expect "submit again: idempotent" 0 "$vouch" delivery submit --lab lab --json d1
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); sys.exit(0 if r["id"]==sys.argv[2] and r["new"] is False else 1)' "$work/out" "$id" &&
	ok "same id, new=false" || bad "resubmission was not idempotent"
tar -C d1 -cJf d1.tar.xz .
expect "submit the same delivery as a tarball" 0 "$vouch" delivery submit --lab lab --json d1.tar.xz
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); sys.exit(0 if r["id"]==sys.argv[2] and r["new"] is False else 1)' "$work/out" "$id" &&
	ok "tarball gives the same id" || bad "tarball gave another id"
tar -C "$work" -czf d1top.tar.gz d1
expect "a tarball with one top directory" 0 "$vouch" delivery submit --lab lab d1top.tar.gz
# two manifests in one tarball (tar -r appends a second copy; tar -x would keep the last):
# refused, whichever the lab would have read
mkdir -p m2 && python3 -c 'import json,sys; m=json.load(open("d1/vouch-delivery.json")); m["version"]="9.9"; print(json.dumps(m))' >m2/vouch-delivery.json
tar -C d1 -cf two.tar . && tar -C m2 -rf two.tar ./vouch-delivery.json
expect "a tarball with two manifests: refused (3)" 3 "$vouch" delivery submit --lab lab two.tar
grep -q "more than one" "$work/err" && ok "and says there are two manifests" || bad "message: $(cat "$work/err")"
tar -C vs -cf twosig.tar . && tar -C vs -rf twosig.tar ./release.dsse
expect "a tarball with the vendor signature twice: refused (3)" 3 "$vouch" delivery submit --lab vlab twosig.tar
expect "delivery list" 0 "$vouch" delivery list --lab lab --json
expect "unknown delivery: exit 3" 3 "$vouch" evaluate --lab lab ffffffffffff

# ---- 2. evaluation -------------------------------------------------------------------
expect "evaluate with the default policy: rejected (exit 8)" 8 "$vouch" evaluate --lab lab --json -q "${id:0:12}"
cp "$work/out" eval1.json
"$vouch" delivery show --lab lab --json "$id" >show1.json
"$vouch" policy show-default >default-policy.json
"$vouch" lab pubkey --lab lab >lab.pub
python3 - <<'EOF' >py.out 2>&1
import base64, hashlib, json, os, subprocess, sys
show = json.load(open("show1.json"))
att = show["attestations"][0]
blob = lambda h: open(f"lab/blobs/{h[:2]}/{h[2:]}", "rb").read()
env_bytes = blob(att["envelope"])
print("ok: envelope blob digest" if hashlib.sha256(env_bytes).hexdigest() == att["envelope"] else "FAIL: envelope digest")
beside = open(f"lab/log/objects/{att['envelope']}", "rb").read()
print("ok: envelope kept beside the log" if beside == env_bytes else "FAIL: no envelope beside the log")
env = json.loads(env_bytes)
payload = base64.b64decode(env["payload"])
ptype = env["payloadType"].encode()
pae = b"DSSEv1 %d %s %d %s" % (len(ptype), ptype, len(payload), payload)
open("pae.bin", "wb").write(pae)
open("sig.bin", "wb").write(base64.b64decode(env["signatures"][0]["sig"]))
akey = open("lab.pub").read().splitlines()[0]
raw = base64.b64decode(akey.split("+", 2)[2])
assert raw[0] == 1 and len(raw) == 33
der = bytes.fromhex("302a300506032b6570032100") + raw[1:]
open("pub.pem", "w").write("-----BEGIN PUBLIC KEY-----\n" + base64.b64encode(der).decode() + "\n-----END PUBLIC KEY-----\n")
r = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", "pub.pem", "-rawin",
                    "-in", "pae.bin", "-sigfile", "sig.bin"], capture_output=True)
print("ok: DSSE signature verifies with openssl over python's PAE" if r.returncode == 0 else "FAIL: openssl rejects the signature " + r.stdout.decode() + r.stderr.decode())
st = json.loads(payload)
fw = [a for a in show["artefacts"] if a["role"] == "firmware"]
subj = {s["name"]: s["digest"]["sha256"] for s in st["subject"]}
print("ok: subjects = the firmware artefacts" if subj == {a["name"]: a["sha256"] for a in fw} else f"FAIL: subjects {subj}")
want = subprocess.run(["sha256sum", "d1/fw/r1.bin"], capture_output=True, text=True).stdout.split()[0]
print("ok: subject digest = sha256sum" if subj.get("fw/r1.bin") == want else "FAIL: subject digest")
p = st["predicate"]
print("ok: predicate type" if st["predicateType"] == "https://vouch.dev/attestation/verdict/v1" else "FAIL: predicate type")
print("ok: predicate verdict rejected" if p["verdict"] == "rejected" else "FAIL: verdict " + p["verdict"])
part = p["artefacts"][0]
rep = blob(part["report_sha256"])
print("ok: report digest in the predicate = stored report" if hashlib.sha256(rep).hexdigest() == part["report_sha256"] else "FAIL: report digest")
pol = open("default-policy.json", "rb").read()
print("ok: policy digest = the built-in policy's" if hashlib.sha256(pol).hexdigest() == p["policy"]["sha256"] or hashlib.sha256(pol.rstrip(b"\n")).hexdigest() == p["policy"]["sha256"] else "FAIL: policy digest")
print("ok: no vulnerability database recorded as null" if p["vulnerability_database"] is None else "FAIL: vulndb")
report = json.loads(rep)
verdict = json.loads(blob(part["verdict_sha256"]))
keys = {(f["id"], f["path"], f["offset"]) for f in report["findings"]}
rs = [r for r in verdict["reasons"] if "finding" in r]
missing = [r for r in rs if (r["finding"]["id"], r["finding"]["path"], r["finding"]["offset"]) not in keys]
print(f"ok: all {len(rs)} finding reasons point to findings of the report" if rs and not missing else f"FAIL: reasons without a finding: {missing[:2]}")
crit = [f for f in report["findings"] if f["id"] == "account.default-password"]
print("ok: the default password is a reason to reject" if any(r["outcome"] == "reject" and r["finding"]["id"] == "account.default-password" for r in rs) and crit else "FAIL: default password not a reason")
# the log entry is the envelope's SHA-256
entry = open("lab/log/objects/" + att["envelope"], "rb").read()
print("ok: report kept beside the log" if os.path.exists("lab/log/objects/" + part["report_sha256"]) else "FAIL: report not beside the log")
EOF
cat py.out
pass=$((pass + $(grep -c '^ok:' py.out)))
fail=$((fail + $(grep -c '^FAIL:\|Traceback' py.out)))
expect "the lab's log passes a full audit" 0 "$vouch" log --log lab/log verify
"$vouch" log --log lab/log bundle 0 >proof0.txt 2>/dev/null
env0=$(python3 -c 'import json; print(json.load(open("show1.json"))["attestations"][0]["envelope"])')
cp "lab/blobs/${env0:0:2}/${env0:2}" env0.json
expect "log entry 0 is the envelope's digest (vouch log verify-bundle --file)" 0 \
	"$vouch" log verify-bundle --key lab/log/log.vkey --file env0.json proof0.txt

expect "bundle of the rejected delivery" 0 "$vouch" bundle --lab lab -o rejected.bundle "$id"
expect "verify: rejected verdict (14)" 14 "$vouch" verify --bundle rejected.bundle --key lab.pub d1/fw/r1.bin
expect "verify: a non-firmware artefact is not a subject (10)" 10 "$vouch" verify --bundle rejected.bundle --key lab.pub d1/NOTES.txt

# ---- 3. a waiver that expires --------------------------------------------------------
cat >waive.json <<'EOF'
{"policy_version": 1, "name": "lab-with-waiver",
 "findings": {"reject_at": "critical", "condition_at": "high"},
 "forbid": {"finding_kinds": ["account.*"], "min_severity": "high"},
 "waivers": [{"id": "W-1", "author": "a.analyst@lab.example",
   "justification": "the vendor ships the default password disabled by the first-boot wizard (checked on the device)",
   "expires": "2027-01-31", "finding": {"id": "account.default-password"}}]}
EOF
expect "waiver valid: approved (exit 0)" 0 "$vouch" evaluate --lab lab --policy waive.json --now 2027-01-31 --json -q "$id"
python3 -c '
import json,sys; e=json.load(open(sys.argv[1])); v=e["artefacts"][0]["verdict"]
w=[w for w in v["waivers"] if w["id"]=="W-1"][0]
sys.exit(0 if e["verdict"].startswith("approved") and w["status"]=="applied" and w["covers"] else 1)' "$work/out" &&
	ok "waiver applied, recorded with what it covers" || bad "waiver not applied"
expect "bundle of the approved delivery" 0 "$vouch" bundle --lab lab -o approved.bundle "$id"
expect "verify: PASS" 0 "$vouch" verify --bundle approved.bundle --key lab.pub d1/fw/r1.bin
grep -q '^PASS' "$work/out" && ok "verify says PASS" || bad "verify output lacks PASS"
expect "verify --json" 0 "$vouch" verify --json --bundle approved.bundle --key lab.pub d1/fw/r1.bin
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); sys.exit(0 if r["pass"] and r["artefact"]=="fw/r1.bin" else 1)' "$work/out" &&
	ok "verify --json: pass, artefact named" || bad "verify --json"
expect "bundle --now 2026-01-01" 0 "$vouch" bundle --lab lab --now 2026-01-01 -o dated.bundle "$id"
expect "verify --max-age 30, 59 days later: stale (18)" 18 "$vouch" verify --now 2026-03-01 --max-age 30 --bundle dated.bundle --key lab.pub d1/fw/r1.bin
grep -q "2026-01-01T00:00:00Z" "$work/out" && ok "the stale answer names the date the bundle was made" || bad "stale: $(cat "$work/out")"
expect "verify --max-age 90, 59 days later: pass" 0 "$vouch" verify --now 2026-03-01 --max-age 90 --bundle dated.bundle --key lab.pub d1/fw/r1.bin
expect "verify --max-age 0: usage (2)" 2 "$vouch" verify --max-age 0 --bundle dated.bundle --key lab.pub d1/fw/r1.bin
expect "waiver expired the day after: rejected (exit 8)" 8 "$vouch" evaluate --lab lab --policy waive.json --now 2027-02-01 --json -q "$id"
python3 -c '
import json,sys; e=json.load(open(sys.argv[1])); v=e["artefacts"][0]["verdict"]
w=[w for w in v["waivers"] if w["id"]=="W-1"][0]
sys.exit(0 if e["verdict"]=="rejected" and w["status"]=="expired" and any(r.get("finding",{}).get("id")=="account.default-password" for r in v["reasons"]) else 1)' "$work/out" &&
	ok "expired waiver: marked expired, the finding is a reason again" || bad "expired waiver"
expect "the newest verdict (rejected) is what bundles carry now" 0 "$vouch" bundle --lab lab -o now.bundle "$id"
expect "verify with the new bundle: 14" 14 "$vouch" verify --bundle now.bundle --key lab.pub d1/fw/r1.bin

# the delivery as the other commands name it: the HTML report and the release diff
expect "vouch report DELIVERY --html" 0 "$vouch" report --lab lab --html lab.html "${id:0:10}"
grep -q "$id" lab.html && grep -qi "rejected" lab.html && ok "the page names the delivery and its verdict" ||
	bad "the page lacks the delivery id or its verdict"
expect "vouch diff DELIVERY DELIVERY" 0 "$vouch" diff --lab lab --json "$id" "${id:0:8}"
python3 -c '
import json,sys; d=json.load(open(sys.argv[1])); s=d["summary"]
sys.exit(0 if s["regressions"] == 0 and not d["files"]["added"] and not d["files"]["removed"] and not d["files"]["changed"] else 1)' "$work/out" &&
	ok "a delivery against itself: no change" || { bad "a delivery against itself differs"; head -c 600 "$work/out"; }
expect "vouch diff with an unknown delivery: exit 3" 3 "$vouch" diff --lab lab "$id" 0123456789ab

# ---- 4. tampering --------------------------------------------------------------------
cp d1/fw/r1.bin tampered.bin
printf '\x01' | dd of=tampered.bin bs=1 seek=70000 conv=notrunc 2>/dev/null
cmp -s tampered.bin d1/fw/r1.bin && bad "tampering failed" || true
expect "a flipped byte in the firmware: not a subject (10)" 10 "$vouch" verify --bundle approved.bundle --key lab.pub tampered.bin
flipj() { # bundle, field (envelope|proof), python expression for the offset in the text t
	python3 - "$1" "$2" "$3" <<'EOF'
import json, sys
b = json.load(open(sys.argv[1]))
a = [x for x in b["attestations"] if x["kind"] == "verdict"][0]
t = a[sys.argv[2]]
i = eval(sys.argv[3])
c = t[i]
a[sys.argv[2]] = t[:i] + ("B" if c != "B" else "C") + t[i + 1:]
print(json.dumps(b, indent=1))
EOF
}
flip() { # file, python expression for the offset in its text t
	python3 - "$1" "$2" <<'EOF'
import sys
t = open(sys.argv[1]).read()
i = eval(sys.argv[2])
sys.stdout.write(t[:i] + ("B" if t[i] != "B" else "C") + t[i + 1:])
EOF
}
flipj approved.bundle envelope 't.index("payload") + 30' >t-env.bundle
expect "a flipped byte in the envelope's payload: not in the log (12)" 12 "$vouch" verify --bundle t-env.bundle --key lab.pub d1/fw/r1.bin
flipj approved.bundle proof 't.index("\n", t.index("index ")) + 5' >t-proof.bundle
expect "a flipped byte in the inclusion proof: not in the log (12)" 12 "$vouch" verify --bundle t-proof.bundle --key lab.pub d1/fw/r1.bin
flipj approved.bundle proof 't.index("extra ") + 10' >t-extra.bundle
expect "a flipped byte in the proof's extra line (12)" 12 "$vouch" verify --bundle t-extra.bundle --key lab.pub d1/fw/r1.bin
flipj approved.bundle proof 'len(t) - 10' >t-cp.bundle
expect "a flipped byte in the checkpoint signature: bad checkpoint (13)" 13 "$vouch" verify --bundle t-cp.bundle --key lab.pub d1/fw/r1.bin
flipj approved.bundle proof 't.index("\n\n") + 2 + t[t.index("\n\n") + 2:].index("\n") + 3' >t-cpbody.bundle
expect "a flipped byte in the checkpoint body: bad checkpoint (13)" 13 "$vouch" verify --bundle t-cpbody.bundle --key lab.pub d1/fw/r1.bin
flipj approved.bundle envelope 't.index("\"sig\"") + 12' >t-sig.bundle
expect "a flipped byte in the DSSE signature: the envelope is not the logged one (12)" 12 "$vouch" verify --bundle t-sig.bundle --key lab.pub d1/fw/r1.bin
flip lab.pub 't.index("+", t.index("+") + 1) + 10' >t-akey.pub
code=$("$vouch" verify --bundle approved.bundle --key t-akey.pub d1/fw/r1.bin >/dev/null 2>&1; echo $?)
[ "$code" = 11 ] && ok "a flipped byte in the attestation key: fails ($code)" || bad "flipped attestation key: exit $code"
flip lab.pub 't.index("\n") + 1 + t.split("\n")[1].index("+", t.split("\n")[1].index("+") + 1) + 10' >t-lkey.pub
code=$("$vouch" verify --bundle approved.bundle --key t-lkey.pub d1/fw/r1.bin >/dev/null 2>&1; echo $?)
[ "$code" = 13 ] && ok "a flipped byte in the log key: fails ($code)" || bad "flipped log key: exit $code"
"$vouch" lab init --lab other --origin other.example/log >other.pub 2>/dev/null
expect "another lab's keys: bad checkpoint (13)" 13 "$vouch" verify --bundle approved.bundle --key other.pub d1/fw/r1.bin
printf 'not json' >junk.bundle
expect "a malformed bundle (16)" 16 "$vouch" verify --bundle junk.bundle --key lab.pub d1/fw/r1.bin
expect "a missing file (3)" 3 "$vouch" verify --bundle approved.bundle --key lab.pub nope.bin
# every single-byte flip of the bundle at 300 random places fails (or leaves it equal)
python3 - "$vouch" <<'EOF' >sweep.out
import random, subprocess, sys
random.seed(6)
b = open("approved.bundle", "rb").read()
passed = []
for k in range(300):
    i = random.randrange(len(b))
    x = bytearray(b)
    x[i] ^= 1 << random.randrange(7)
    open("sweep.bundle", "wb").write(x)
    r = subprocess.run([sys.argv[1], "verify", "--bundle", "sweep.bundle", "--key", "lab.pub", "d1/fw/r1.bin"], capture_output=True)
    if r.returncode == 0:
        passed.append((i, chr(b[i]), chr(x[i])))
print(passed)
EOF
[ "$(cat sweep.out)" = "[]" ] && ok "300 random bit flips anywhere in the bundle: every one fails" ||
	{ bad "a bit flip in the bundle passed"; cat sweep.out; }
# and 200 more inside the signed index (not in the log: its own signature and shape hold it)
python3 - "$vouch" <<'EOF' >sweep2.out
import json, random, subprocess, sys
random.seed(7)
b = json.load(open("approved.bundle"))
t = b["index"]
passed = []
for k in range(200):
    i = random.randrange(len(t))
    c = chr(ord(t[i]) ^ (1 << random.randrange(7)))
    x = dict(b); x["index"] = t[:i] + c + t[i + 1:]
    open("sweep2.bundle", "w").write(json.dumps(x))
    r = subprocess.run([sys.argv[1], "verify", "--bundle", "sweep2.bundle", "--key", "lab.pub", "d1/fw/r1.bin"], capture_output=True)
    if r.returncode == 0:
        passed.append((i, t[i], c))
print(passed)
EOF
[ "$(cat sweep2.out)" = "[]" ] && ok "200 random bit flips inside the bundle's index: every one fails" ||
	{ bad "a bit flip in the index passed"; cat sweep2.out; }

# ---- 5. revocation -------------------------------------------------------------------
expect "evaluate again (waiver valid)" 0 "$vouch" evaluate --lab lab --policy waive.json --now 2027-01-15 -q "$id"
expect "revoke" 0 "$vouch" revoke --lab lab --reason "backdoor account found in the field" "$id"
expect "bundle after revocation" 0 "$vouch" bundle --lab lab -o revoked.bundle "$id"
expect "verify: revoked (15)" 15 "$vouch" verify --bundle revoked.bundle --key lab.pub d1/fw/r1.bin
grep -q "backdoor account found in the field" "$work/out" && ok "the revocation's reason is shown" || bad "no revocation reason"
# a bundle whose revocation was dropped, or whose current verdict was swapped for an older
# approval, keeps every remaining signature and proof valid: its signed index says otherwise
python3 - <<'EOF'
import json
r = json.load(open("revoked.bundle")); a = json.load(open("approved.bundle"))
x = dict(r); x["attestations"] = [t for t in r["attestations"] if t["kind"] != "revocation"]
json.dump(x, open("norevoke.bundle", "w"))
old = [t for t in a["attestations"] if t["kind"] == "verdict"][0]
x = dict(r); x["attestations"] = [old if t["kind"] == "verdict" else t for t in r["attestations"]]
json.dump(x, open("oldverdict.bundle", "w"))
x = dict(r); x["attestations"] = [old]
json.dump(x, open("oldonly.bundle", "w"))
x = dict(a); x["index"] = r["index"]
json.dump(x, open("otherindex.bundle", "w"))
EOF
expect "the revocation left out of the bundle: incomplete (17)" 17 "$vouch" verify --bundle norevoke.bundle --key lab.pub d1/fw/r1.bin
expect "an older approval in place of the current verdict: two checkpoints (13)" 13 "$vouch" verify --bundle oldverdict.bundle --key lab.pub d1/fw/r1.bin
expect "only the older approval, with the new index: incomplete (17)" 17 "$vouch" verify --bundle oldonly.bundle --key lab.pub d1/fw/r1.bin
expect "the old bundle with the new bundle's index: incomplete (17)" 17 "$vouch" verify --bundle otherindex.bundle --key lab.pub d1/fw/r1.bin
"$vouch" delivery show --lab lab --json "$id" >show2.json
python3 -c 'import json; d=json.load(open("show2.json")); import sys; sys.exit(0 if d["status"]=="revoked" and d["attestations"][-1]["kind"]=="revocation" else 1)' &&
	ok "delivery status revoked, revocation in the catalog" || bad "catalog does not show the revocation"
expect "the log still passes a full audit" 0 "$vouch" log --log lab/log verify

# ---- 6. re-check against new vulnerability data --------------------------------------
if [ -d "$shared/vulndb" ]; then
	"$vouch" vulndb import --db vdb.sqlite "$shared/vulndb" >/dev/null 2>&1
	mkdir -p d2/fw && cp "$here/fixtures/out/router.bin" d2/fw/r1.bin && printf 'x' >>d2/fw/r1.bin
	h2=$(sha256sum d2/fw/r1.bin | cut -d' ' -f1)
	printf '{"manifest_version":1,"vendor":"ACME Networks","product":"R1 router","version":"1.0.1","artefacts":[{"path":"fw/r1.bin","role":"firmware","sha256":"%s"}]}' "$h2" >d2/vouch-delivery.json
	"$vouch" delivery submit --lab lab --json d2 >r2.json 2>/dev/null
	id2=$(python3 -c 'import json; print(json.load(open("r2.json"))["id"])')
	expect "evaluate without a database: approved" 0 "$vouch" evaluate --lab lab --policy waive.json --now 2027-01-15 -q "$id2"
	expect "recheck with the database" 0 "$vouch" recheck --lab lab --db vdb.sqlite --policy waive.json --now 2027-01-15 --json
	cp "$work/out" recheck.json
	"$vouch" delivery show --lab lab --json "$id2" >show3.json
	python3 - <<'EOF' >py2.out
import json
rc = json.load(open("recheck.json"))
d = json.load(open("show3.json"))
mine = [r for r in rc if r["delivery"] == d["id"]]
print("ok: the re-check saw the delivery change" if mine and mine[0]["changed"] else f"FAIL: recheck {mine}")
last = d["attestations"][-1]
print("ok: a recheck attestation is logged" if last["kind"] == "recheck" and last["vulndb"] else f"FAIL: last attestation {last['kind']}")
blob = lambda h: open(f"lab/blobs/{h[:2]}/{h[2:]}").read()
rep = json.loads(blob(last["parts"][0]["report"]))
print(f"ok: the re-checked report has {len(rep['vulnerabilities'])} vulnerabilities" if rep["vulnerabilities"] else "FAIL: no vulnerabilities after recheck")
EOF
	cat py2.out
	pass=$((pass + $(grep -c '^ok:' py2.out)))
	fail=$((fail + $(grep -c '^FAIL:\|Traceback' py2.out)))
	expect "recheck again: nothing changed, nothing logged" 0 "$vouch" recheck --lab lab --db vdb.sqlite --policy waive.json --now 2027-01-15 --json
	python3 -c 'import json,sys; rc=json.load(open(sys.argv[1])); sys.exit(0 if all(not r["changed"] for r in rc) else 1)' "$work/out" &&
		ok "second recheck: unchanged" || bad "second recheck changed something"
	"$vouch" bundle --lab lab -o b2.bundle "$id2" 2>/dev/null
	python3 - <<'EOF' && ok "the new bundle carries the recheck attestation" || bad "bundle lacks the recheck"
import base64, json, sys
b = json.load(open("b2.bundle"))
st = json.loads(base64.b64decode(json.loads(b["attestations"][0]["envelope"])["payload"]))
sys.exit(0 if st["predicate"]["kind"] == "recheck" and "supersedes" in st["predicate"] else 1)
EOF
else
	echo "skip: re-check (no $shared/vulndb)"
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
