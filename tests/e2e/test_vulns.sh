#!/usr/bin/env bash
# tests/e2e/test_vulns.sh: `vouch vulns` end to end. Usage: test_vulns.sh VOUCH
#
# The database is ../shared/vulndb (real NVD/CVE 5/OSV records; skipped without it), the image
# is the ground-truth fixture of tests/fixtures/make-sbom-fixture.sh. Checks: matching an
# image and matching its stored CycloneDX and SPDX SBOMs give the same answer (the life-cycle
# path); for every identified component, the NVD CVE ids vouch reports equal those of an
# independent Python range checker (tests/fixtures/vulndb_check.py) over the same records;
# VEX documents (OpenVEX and CycloneDX) suppress exactly what they name, with their
# justification; the report states the database's coverage; errors have distinct statuses.
set -uo pipefail
vouch=${1:?usage: $0 VOUCH}
here=$(cd "$(dirname "$0")/.." && pwd)
shared=${VOUCH_SHARED:-$here/../../shared}
vulndb=$shared/vulndb
fx=${VOUCH_SBOM_FIXTURES:-$here/fixtures/out/sbom}
check=$here/fixtures/vulndb_check.py
. "$(dirname "$0")/common.sh"
if [ ! -d "$vulndb" ]; then
	echo "skip: $vulndb absent (../shared not beside the project)"
	echo "0 passed, 0 failed"
	exit 0
fi
if [ ! -s "$fx/sbom.bin" ]; then
	bash "$here/fixtures/make-sbom-fixture.sh" "$fx" >/dev/null || {
		bad "make-sbom-fixture.sh failed"
		echo "$pass passed, $fail failed"
		exit 1
	}
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db=$work/v.sqlite
"$vouch" vulndb import --db "$db" "$vulndb" >/dev/null 2>&1 || bad "vulndb import"

"$vouch" vulns -q --db "$db" --json "$fx/sbom.bin" >"$work/img.json" || bad "vulns IMAGE exits $?"
"$vouch" sbom -q --format cyclonedx -o "$work/cdx.json" "$fx/sbom.bin" || bad "sbom cyclonedx"
"$vouch" sbom -q --format spdx -o "$work/spdx.json" "$fx/sbom.bin" || bad "sbom spdx"
"$vouch" vulns -q --db "$db" --json --sbom "$work/cdx.json" >"$work/cdx-v.json" || bad "vulns --sbom cdx exits $?"
"$vouch" vulns -q --db "$db" --json --sbom "$work/spdx.json" >"$work/spdx-v.json" || bad "vulns --sbom spdx exits $?"
"$vouch" vulndb info --db "$db" --json >"$work/info.json" || bad "vulndb info"

python3 - "$work" "$check" "$vulndb" >"$work/py1.out" 2>&1 <<'EOF'
import json, subprocess, sys
work, check, vulndb = sys.argv[1:4]
def load(n):
    return json.load(open(f"{work}/{n}"))
img, cdx, spdx, info = load("img.json"), load("cdx-v.json"), load("spdx-v.json"), load("info.json")
def pairs(d):
    comps = {c["bom_ref"]: (c["name"], c["version"]) for c in d["components"]}
    return {(v["component"], v["version"], v["id"]) for v in d["vulnerabilities"]}
a, b, c = pairs(img), pairs(cdx), pairs(spdx)
print((f"ok: image and its CycloneDX SBOM give the same {len(a)} matches" if a == b and len(a) > 50
       else f"FAIL: image vs CycloneDX: {sorted(a ^ b)[:6]} ({len(a)} vs {len(b)})"))
print((f"ok: image and its SPDX SBOM give the same {len(a)} matches" if a == c
       else f"FAIL: image vs SPDX: {sorted(a ^ c)[:6]} ({len(a)} vs {len(c)})"))
# coverage stated, and it is the database's
cov = img["database"]
print(("ok: " if cov["records"] == info["records"] and cov["digest"] == info["digest"] else "FAIL: ")
      + f"coverage in the report: {cov['records']} records, digest {cov['digest'][:12]}")
print(("ok: " if "not proof" in cov["note"] else "FAIL: ") + "the report says what no match means")
# every match carries the fields a lab needs
bad = [v["id"] for v in img["vulnerabilities"] if not v["reason"] or not v["severity"] or not v["source"]]
print("ok: every match has reason, severity and source" if not bad else f"FAIL: incomplete matches {bad[:5]}")
withcvss = [v for v in img["vulnerabilities"] if v["cvss3"] is not None]
print(("ok: " if withcvss and all(v["cvss3_vector"].startswith("CVSS:3.") for v in withcvss) else "FAIL: ")
      + f"{len(withcvss)} matches carry a CVSS v3 score and vector")
# independent: per component, NVD CVE ids equal the python range checker's
for comp in img["components"]:
    if not comp["cpe"] or not comp["version"]:
        continue
    f = comp["cpe"].split(":")
    products = ",".join([f"{f[3]}:{f[4]}"] + comp["cpe_aliases"])
    out = subprocess.run(["python3", check, "nvd-match", vulndb, comp["version"], products],
                         capture_output=True, text=True, check=True).stdout.split()
    want = set(out)
    got = {v["id"] for v in img["vulnerabilities"] if v["component_ref"] == comp["bom_ref"]
           and "NVD: " in v["reason"]}
    if got == want:
        print(f"ok: {comp['name']} {comp['version']}: the same {len(want)} NVD CVE ids as the python checker")
    else:
        print(f"FAIL: {comp['name']} {comp['version']}: vouch-only {sorted(got - want)[:5]}, python-only {sorted(want - got)[:5]}")
EOF
tally "$work/py1.out"

# ---- VEX ----
curl_ref=$(python3 -c 'import json,sys; print([c["bom_ref"] for c in json.load(open(sys.argv[1]))["components"] if c["name"] == "expat"][0])' "$work/img.json")
cat >"$work/openvex.json" <<'EOF'
{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://lab.example/vex/1", "author": "lab analyst",
 "timestamp": "2026-11-01T00:00:00Z", "version": 1,
 "statements": [{"vulnerability": {"name": "CVE-2023-38545"}, "products": [{"@id": "pkg:generic/curl@7.88.1"}],
   "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path",
   "impact_statement": "SOCKS5 proxy support is never configured on this device"}]}
EOF
cat >"$work/cdxvex.json" <<EOF
{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
 "vulnerabilities": [{"id": "CVE-2024-45491", "analysis": {"state": "resolved", "detail": "patched by the vendor, build 42"},
   "affects": [{"ref": "$curl_ref"}]}]}
EOF
"$vouch" vulns -q --db "$db" --json --vex "$work/openvex.json" --vex "$work/cdxvex.json" "$fx/sbom.bin" >"$work/vex.json" ||
	bad "vulns --vex exits $?"
python3 - "$work/img.json" "$work/vex.json" >"$work/py2.out" 2>&1 <<'EOF'
import json, sys
before, after = (json.load(open(p)) for p in sys.argv[1:3])
ids = lambda d, k: {(v["component"], v["id"]) for v in d[k]}
sup = {(v["component"], v["id"]): v for v in after["suppressed"]}
want = {("curl", "CVE-2023-38545"), ("expat", "CVE-2024-45491")}
print(("ok: " if set(sup) == want else "FAIL: ") + f"suppressed exactly {sorted(sup)}")
print(("ok: " if ids(before, "vulnerabilities") - want == ids(after, "vulnerabilities") else "FAIL: ")
      + "everything else still reported")
v = sup.get(("curl", "CVE-2023-38545"), {})
print(("ok: " if v.get("vex") == "not_affected" and "vulnerable_code_not_in_execute_path" in (v.get("vex_detail") or "") else "FAIL: ")
      + f"OpenVEX not_affected with its justification: {v.get('vex')} / {v.get('vex_detail')}")
v = sup.get(("expat", "CVE-2024-45491"), {})
print(("ok: " if v.get("vex") == "fixed" and "build 42" in (v.get("vex_detail") or "") else "FAIL: ")
      + f"CycloneDX resolved -> fixed with its detail: {v.get('vex')} / {v.get('vex_detail')}")
EOF
tally "$work/py2.out"

# ---- errors ----
expect "vulns without a database says so (3)" 3 "$vouch" vulns --db "$work/none.sqlite" "$fx/sbom.bin"
expect "vulns with IMAGE and --sbom is a usage error" 2 "$vouch" vulns --db "$db" --sbom "$work/cdx.json" "$fx/sbom.bin"
expect "vulns with nothing is a usage error" 2 "$vouch" vulns --db "$db"
echo '{"not": "an sbom"}' >"$work/junk.json"
expect "vulns --sbom of a non-SBOM is an input error" 3 "$vouch" vulns --db "$db" --sbom "$work/junk.json"
expect "vulns --vex of a non-VEX is an input error" 3 "$vouch" vulns --db "$db" --vex "$work/junk.json" --sbom "$work/cdx.json"
head -c 1000 "$work/cdx.json" >"$work/trunc.json"
expect "vulns --sbom of a truncated SBOM is an input error" 3 "$vouch" vulns --db "$db" --sbom "$work/trunc.json"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
