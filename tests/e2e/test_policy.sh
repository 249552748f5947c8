#!/usr/bin/env bash
# tests/e2e/test_policy.sh VOUCH: `vouch policy` on a real scan report.
#
# The image (tests/fixtures/make-policy-image.sh): real Debian busybox-static:mipsel and
# dropbear-bin:armhf in an xz squashfs behind 64 KiB of padding, with a vendor default root
# password, a second uid-0 account, telnetd handing out a shell on port 2323 from the init
# script, and public endpoints in a configuration file. The report is `vouch scan --json`
# with a MaxMind DB (countries; when libmaxmind-db-writer-perl is installed) and a
# vulnerability database imported from ../shared/vulndb (skipped cleanly when absent).
#
# Every verdict is checked by tests/e2e/policy_check.py, written independently of vouch's C:
# each reason must point to a finding or vulnerability that is really in the report (all its
# fields equal), and for each rule the SET of items it flags is recomputed in Python from the
# report (fnmatch, ipaddress, the documented thresholds) and compared with vouch's reasons.
# Then: a waiver before and after its expiry (--now), the exit statuses, bad policy files
# (exit 2 with the key path), unreadable files and non-reports (exit 3), YAML policies, the
# human output. The last line is 'N passed, N failed'.
set -uo pipefail
vouch=${1:?usage: $0 VOUCH}
vouch=$(cd "$(dirname "$vouch")" && pwd)/$(basename "$vouch")
here=$(cd "$(dirname "$0")/.." && pwd)
shared=${VOUCH_SHARED:-$here/../../shared}
check=$here/fixtures/policy_check.py
. "$(dirname "$0")/common.sh"
finish() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit $?
}
expect() { # as common.sh, keeping the command's output for the checks after it
	local d=$1 want=$2 rc
	shift 2
	"$@" >"$work/out" 2>"$work/err"
	rc=$?
	if [ "$rc" -eq "$want" ]; then ok "$d"; else bad "$d (exit $rc, wanted $want: $(head -c 300 "$work/err"))"; fi
}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for tool in python3 mksquashfs openssl; do
	command -v "$tool" >/dev/null || {
		echo "skip: $tool not installed (scripts/install-deps.sh installs it)"
		finish
	}
done

# ---- the image and its report ----
if ! bash "$here/fixtures/make-policy-image.sh" "$work/fx" 2>"$work/fx.log"; then
	cat "$work/fx.log"
	bad "make-policy-image.sh failed"
	finish
fi
img=$work/fx/policy-router.bin
scanopts=()
if [ -s "$work/fx/geo.mmdb" ]; then
	scanopts+=(--geoip "$work/fx/geo.mmdb")
else
	echo "skip: no MaxMind DB (libmaxmind-db-writer-perl): jurisdictions checked without countries"
fi
if [ -d "$shared/vulndb" ]; then
	if "$vouch" vulndb import --db "$work/vdb.sqlite" "$shared/vulndb" >/dev/null 2>"$work/err"; then
		scanopts+=(--db "$work/vdb.sqlite")
	else
		bad "vulndb import of $shared/vulndb failed: $(head -2 "$work/err")"
	fi
else
	echo "skip: $shared/vulndb absent: the report has no vulnerabilities (CVE parts skipped)"
fi
"$vouch" scan --json -q "${scanopts[@]}" "$img" >"$work/report.json" 2>"$work/err"
rc=$?
if [ "$rc" -ne 8 ] || ! python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$work/report.json"; then
	bad "vouch scan --json: exit $rc (wanted 8: planted critical findings), $(head -2 "$work/err")"
	finish
fi
ok "scan report written ($(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(len(r["findings"]), "findings,", len(r["vulnerabilities"] or []), "vulnerabilities")' "$work/report.json"))"
have_vulns=$(python3 -c 'import json,sys; print(1 if json.load(open(sys.argv[1]))["vulnerabilities"] else 0)' "$work/report.json")
have_geo=$(python3 -c 'import json,sys; print(1 if any("country=" in (f["detail"] or "") for f in json.load(open(sys.argv[1]))["findings"]) else 0)' "$work/report.json")
have_bin=1
[ -e "$work/fx/no-binaries" ] && have_bin=0 && echo "skip: no Debian binaries could be fetched: hardening checks skipped"

# apply POLICY NOW WANT_EXIT NAME: the verdict JSON to $work/NAME.json, checked by policy_check.py
apply() {
	local pol=$1 now=$2 want=$3 name=$4 rc
	"$vouch" policy apply --policy "$pol" "$work/report.json" --now "$now" --json \
		>"$work/$name.json" 2>"$work/err"
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		bad "$name: policy apply exits $rc, wanted $want ($(head -c 300 "$work/err"))"
		return 1
	fi
	python3 "$check" "$pol" "$work/report.json" "$work/$name.json" "$now" >"$work/check.out" 2>&1
	sed "s/^\(ok\|FAIL\): /\1: $name: /" "$work/check.out" >"$work/check.tagged"
	tally "$work/check.tagged"
}

# ---- 1. the built-in policy ----
"$vouch" policy show-default >"$work/default.json"
if python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); sys.exit(a!=b)' \
	"$work/default.json" "$here/../data/policy-default.json"; then
	ok "show-default prints data/policy-default.json"
else
	bad "show-default differs from data/policy-default.json"
fi
expect "the built-in policy is valid" 0 "$vouch" policy check "$work/default.json"
expect "the built-in policy rejects the planted backdoors (exit 8)" 8 \
	"$vouch" policy apply "$work/report.json" --now 2026-11-23
apply "$work/default.json" 2026-11-23 8 builtin

# ---- 2. one rule kind at a time, each recomputed independently ----
cat >"$work/p-sev.json" <<'EOF'
{"policy_version": 1, "name": "severity", "findings": {"reject_at": "critical", "condition_at": "medium", "exempt": ["endpoint.*"]}}
EOF
apply "$work/p-sev.json" 2026-11-23 8 severity
cat >"$work/p-kinds.json" <<'EOF'
{"policy_version": 1, "name": "kinds",
 "forbid": {"finding_kinds": ["account.*", "service.bind-shell"], "min_severity": "high"},
 "conditional": {"finding_kinds": ["service.*", "account.*"]}}
EOF
apply "$work/p-kinds.json" 2026-11-23 8 kinds
cat >"$work/p-cond.json" <<'EOF'
{"policy_version": 1, "name": "conditions-only", "conditional": {"finding_kinds": ["service.telnet"]}}
EOF
apply "$work/p-cond.json" 2026-11-23 0 conditions-only
cat >"$work/p-ep.json" <<'EOF'
{"policy_version": 1, "name": "egress",
 "endpoints": {"action": "reject", "allow_cidrs": ["9.9.9.0/24", "2001:db8::/32"],
   "allow_hosts": ["*.ucc.asn.au", "github.com", "*.debian.org"],
   "allow_urls": ["https://fw.acme-routers.com/images/"]}}
EOF
apply "$work/p-ep.json" 2026-11-23 8 endpoints
cat >"$work/p-ep2.json" <<'EOF'
{"policy_version": 1, "name": "egress-prefix-boundary",
 "endpoints": {"action": "condition", "scopes": ["public", "private"],
   "allow_urls": ["https://fw.acme-routers.com/image", "https://fw.acme-routers"]}}
EOF
apply "$work/p-ep2.json" 2026-11-23 0 endpoints-boundary
cat >"$work/p-jur.json" <<'EOF'
{"policy_version": 1, "name": "jurisdictions",
 "endpoints": {"action": "condition", "allow_hosts": ["fw.acme-routers.com"]},
 "jurisdictions": {"deny": ["CN", "RU"], "action": "reject", "unknown": "condition"}}
EOF
if [ "$have_geo" = 1 ]; then
	apply "$work/p-jur.json" 2026-11-23 8 jurisdictions
else
	apply "$work/p-jur.json" 2026-11-23 0 jurisdictions
fi
cat >"$work/p-jur2.json" <<'EOF'
{"policy_version": 1, "name": "jurisdictions-allow", "jurisdictions": {"allow": ["CH", "DE"], "action": "condition", "unknown": "ignore"}}
EOF
apply "$work/p-jur2.json" 2026-11-23 0 jurisdictions-allow
if [ "$have_bin" = 1 ]; then
	cat >"$work/p-hard.json" <<'EOF'
{"policy_version": 1, "name": "hardening",
 "hardening": [{"require": ["nx", "pie"], "kinds": ["exec", "pie"], "paths": ["/bin/*"], "action": "reject"},
               {"require": ["relro", "canary"], "paths": ["/usr/sbin/*"], "action": "condition"}]}
EOF
	apply "$work/p-hard.json" 2026-11-23 8 hardening
	cat >"$work/p-hard2.json" <<'EOF'
{"policy_version": 1, "name": "hardening-elsewhere", "hardening": [{"require": ["nx", "pie"], "paths": ["/usr/lib/*"]}]}
EOF
	apply "$work/p-hard2.json" 2026-11-23 0 hardening-elsewhere
fi
if [ "$have_vulns" = 1 ]; then
	cat >"$work/p-cve.json" <<'EOF'
{"policy_version": 1, "name": "cvss", "vulnerabilities": {"reject_cvss": 8.5, "condition_cvss": 7.0, "unscored": "condition"}}
EOF
	apply "$work/p-cve.json" 2026-11-23 8 cvss
	# the same report with every vulnerability marked not_affected by VEX: none counts
	python3 - "$work/report.json" "$work/report-vex.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
for v in r["vulnerabilities"]:
    v["vex"] = "not_affected"
json.dump(r, open(sys.argv[2], "w"))
EOF
	"$vouch" policy apply --policy "$work/p-cve.json" "$work/report-vex.json" --json >"$work/vex.json"
	rc=$?
	if [ "$rc" -eq 0 ] && python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d["verdict"] == "approved" and not d["reasons"] else 1)' "$work/vex.json"; then
		ok "vulnerabilities marked not_affected by VEX never count (approved)"
	else
		bad "VEX not_affected still counted (exit $rc)"
	fi
fi

# ---- 3. a waiver that expires: the verdict changes on the day after ----
cat >"$work/p-waiver.json" <<'EOF'
{"policy_version": 1, "name": "waivers",
 "forbid": {"finding_kinds": ["service.bind-shell"]},
 "vulnerabilities": {"reject_cvss": 7.0},
 "waivers": [
  {"id": "LAB-2026-017", "author": "j.doe@lab.example",
   "justification": "the customer build removes telnetd; verified on the delivered unit",
   "expires": "2026-06-30",
   "finding": {"id": "service.bind-shell", "path": "/etc/init.d/rcS", "evidence": "telnetd -l /bin/sh"}},
  {"id": "LAB-2026-018", "author": "j.doe@lab.example", "justification": "awk is not reachable from the network",
   "expires": "2027-01-31", "vulnerability": {"id": "CVE-2022-30065", "component": "busybox"}},
  {"id": "LAB-2026-019", "author": "j.doe@lab.example", "justification": "busybox netstat is not installed",
   "expires": "2027-01-31", "vulnerability": {"id": "cve-2022-28391"}},
  {"id": "LAB-2026-020", "author": "r.roe@lab.example", "justification": "no such key in this image",
   "expires": "2027-01-31", "finding": {"id": "key.private-key"}}
 ]}
EOF
apply "$work/p-waiver.json" 2026-06-30 0 waiver-valid
apply "$work/p-waiver.json" 2026-07-01 8 waiver-expired
python3 - "$work/waiver-valid.json" "$work/waiver-expired.json" "$have_vulns" >"$work/w.out" <<'EOF'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
have_vulns = sys.argv[3] == "1"
st = lambda d, i: next(w["status"] for w in d["waivers"] if w["id"] == i)
def say(cond, msg):
    print(("ok: " if cond else "FAIL: ") + msg)
say(a["verdict"] == "approved" and b["verdict"] == "rejected",
    "waiver on its last day: %s; the day after: %s" % (a["verdict"], b["verdict"]))
say(st(a, "LAB-2026-017") == "applied" and st(b, "LAB-2026-017") == "expired",
    "LAB-2026-017 applied, then expired")
say(any(r["finding"]["id"] == "service.bind-shell" and r["finding"]["path"].endswith("/etc/init.d/rcS")
        for r in b["reasons"] if "finding" in r), "after expiry the bind shell is a reason again")
cov = [c["finding"]["path"] for w in b["waivers"] if w["id"] == "LAB-2026-017" for c in w["covers"]]
say(len(cov) == 1 and cov[0].endswith("/etc/init.d/rcS"), "the expired waiver still says what it covered")
say(st(a, "LAB-2026-020") == "unused", "a waiver matching nothing is unused")
if have_vulns:
    say(st(a, "LAB-2026-018") == "applied" and st(a, "LAB-2026-019") == "applied",
        "vulnerability waivers by id (any case) and component applied")
    say(a["summary"]["waived"] == 3, "summary.waived counts the 3 waived reasons: %d" % a["summary"]["waived"])
EOF
tally "$work/w.out"
"$vouch" policy apply --policy "$work/p-waiver.json" "$work/report.json" --now 2026-07-01 >"$work/human.txt"
if head -1 "$work/human.txt" | grep -q '^rejected ' && grep -q 'expired .*LAB-2026-017' "$work/human.txt" &&
	grep -q 'service.bind-shell at policy-router.bin/squashfs@0x10000/etc/init.d/rcS+0x' "$work/human.txt"; then
	ok "human output: verdict first, the reason with path+offset, the waiver's status"
else
	bad "human output: $(head -5 "$work/human.txt")"
fi

# ---- 4. bad policies, bad inputs ----
badpol() { # description, wanted message, policy text
	printf '%s' "$3" >"$work/bad.json"
	"$vouch" policy check "$work/bad.json" >/dev/null 2>"$work/err"
	local rc=$?
	if [ "$rc" -eq 2 ] && grep -qF -- "$2" "$work/err"; then
		ok "$1: exit 2, '$2'"
	else
		bad "$1: exit $rc, $(cat "$work/err")"
	fi
	"$vouch" policy apply --policy "$work/bad.json" "$work/report.json" >/dev/null 2>&1
	rc=$?
	[ "$rc" -eq 2 ] || bad "$1: apply with it exits $rc, wanted 2"
}
badpol "unknown key" "findings.reject_above: unknown key" \
	'{"policy_version": 1, "name": "x", "findings": {"reject_above": "high"}}'
badpol "bad CIDR" "endpoints.allow_cidrs[0]: '10.1.2.3/8': host bits are set" \
	'{"policy_version": 1, "name": "x", "endpoints": {"allow_cidrs": ["10.1.2.3/8"]}}'
badpol "bad date" "waivers[0].expires: '2026-02-29' is not a date" \
	'{"policy_version": 1, "name": "x", "waivers": [{"id": "w", "author": "a", "justification": "j", "expires": "2026-02-29", "finding": {"id": "x"}}]}'
badpol "waiver without author" "waivers[0].author: is required" \
	'{"policy_version": 1, "name": "x", "waivers": [{"id": "w", "justification": "j", "expires": "2026-01-01", "finding": {"id": "x"}}]}'
badpol "wrong type" "vulnerabilities.reject_cvss: must be a number" \
	'{"policy_version": 1, "name": "x", "vulnerabilities": {"reject_cvss": "high"}}'
badpol "newer version" "policy_version: version 2" '{"policy_version": 2, "name": "x"}'
badpol "not JSON" "not valid JSON" '{"policy_version": 1,'
expect "a missing policy file: exit 3" 3 "$vouch" policy check "$work/nonexistent.json"
grep -q 'cannot open policy' "$work/err" || bad "missing policy: message '$(cat "$work/err")'"
expect "a missing report: exit 3" 3 "$vouch" policy apply "$work/nonexistent.json"
expect "a report that is not a vouch report: exit 3" 3 "$vouch" policy apply "$work/default.json"
grep -q 'not a vouch report: tool' "$work/err" || bad "non-report: message '$(cat "$work/err")'"
expect "--now that is no date: exit 2" 2 "$vouch" policy apply "$work/report.json" --now 2026-13-01
expect "no subcommand: exit 2" 2 "$vouch" policy frobnicate
expect "--help: exit 0" 0 "$vouch" policy --help
printf 'policy_version: 1\nname: yaml\nforbid:\n  finding_kinds: [service.bind-shell]\n' >"$work/p.yaml"
expect "a YAML policy is applied too (exit 8: the bind shell)" 8 \
	"$vouch" policy apply --policy "$work/p.yaml" "$work/report.json" --json
"$vouch" policy check --json "$work/p.yaml" >"$work/norm.json" 2>/dev/null
expect "the normalised policy loads again" 0 "$vouch" policy check "$work/norm.json"
finish
