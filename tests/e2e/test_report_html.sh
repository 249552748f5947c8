#!/usr/bin/env bash
# tests/e2e/test_report_html.sh: `vouch report --html` rendered by a real browser.
# Usage: test_report_html.sh VOUCH
#
# 1. An image is built as scripts/demo.sh builds one: real Debian binaries (busybox-static
#    mipsel, dropbear-bin armhf) in a squashfs behind a uImage (LZMA) and 0xFF padding, with
#    planted findings (a default root password in /etc/shadow, a telnetd bind shell in rcS, a
#    hardcoded endpoint and password in a config file) and hostile names: a nested path
#    holding "<script>alert(1)</script>", a file named '"><img src=x onerror=alert(2)>', one
#    with a right-to-left override, and a uImage name '<svg onload=alert(3)>' (it reaches the
#    SVG plot through the region's format). A hand-written NVD 2.0 feed (two records, one
#    with an <img onerror> in its description) gives vulnerabilities; the verdict is written
#    by hand here, its reasons naming findings by offsets python finds in the source files.
# 2. The page is rendered with Debian's chromium (headless): a screenshot (a real PNG of the
#    window's size, decoded with python's zlib: not blank, many colours) and --dump-dom.
#    The DOM is parsed with python's html.parser and checked against the report JSON: the
#    verdict before the findings; every finding, component, vulnerability and file present
#    (by the anchors the page gives them, and their text); each reason linked to the row of
#    the finding it names; no <script>, <img> or on* attribute anywhere (the injected names
#    are text); nothing external (every href is a fragment, no src, no url()); the CSP meta;
#    the entropy polyline has one point per value and its heights give the values back,
#    which python recomputes from the image's bytes.
# 3. A 13,000-file report (made by python) renders, with every file in the tree.
# 4. Exit statuses and messages of bad inputs; the page is written atomically.
# Skips cleanly (saying why) without chromium or mksquashfs. The screenshot is kept in
# $VOUCH_TEST_OUT (default: beside VOUCH, e2e-out/report_html) and its path printed.
set -uo pipefail
vouch=${1:?usage: $0 VOUCH}
vouch=$(cd "$(dirname "$vouch")" && pwd)/$(basename "$vouch")
here=$(cd "$(dirname "$0")/../.." && pwd)
. "$(dirname "$0")/common.sh"
expect() { # as common.sh, keeping the command's output for the checks after it
	local d=$1 want=$2 rc
	shift 2
	"$@" >/dev/null 2>"$work/expect.err"
	rc=$?
	if [ "$rc" -eq "$want" ]; then ok "$d"; else bad "$d (exit $rc, wanted $want)"; fi
}
skip() {
	echo "skip: $1"
	echo "$pass passed, $fail failed"
	exit 0
}
chromium=$(command -v chromium || command -v chromium-browser || true)
[ -n "$chromium" ] || skip "chromium is not installed (scripts/install-deps.sh test installs Debian's chromium)"
for t in mksquashfs mkimage xz openssl python3 dpkg-deb; do
	command -v "$t" >/dev/null || skip "$t is not installed (scripts/install-deps.sh)"
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out=${VOUCH_TEST_OUT:-$(dirname "$vouch")/e2e-out}/report_html
mkdir -p "$out"

# ---- 1. the image, the report, the verdict ----
cache=$here/tests/fixtures/cache
mkdir -p "$cache"
log() { echo "$*" >&2; }
die() {
	bad "$*"
	echo "$pass passed, $fail failed"
	exit 1
}
# shellcheck source=../fixtures/debfetch.sh
. "$here/tests/fixtures/debfetch.sh"
r=$work/rootfs
mkdir -p "$r"
for p in busybox-static:mipsel dropbear-bin:armhf; do
	deb=$(fetch "$p") || die "could not fetch $p"
	dpkg-deb -x "$deb" "$r"
done
rm -rf "$r/usr/share/doc" "$r/usr/share/man" "$r/usr/share/lintian"
mkdir -p "$r"/{etc/init.d,www,tmp}
ln -sf busybox "$r/bin/sh"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$r/etc/passwd"
printf 'root:%s:19000:0:99999:7:::\n' "$(openssl passwd -1 -salt Vd7qPz2L admin)" >"$r/etc/shadow"
printf '#!/bin/sh\ntelnetd -l /bin/sh -p 2323 &\n/usr/sbin/dropbear -p 22\n' >"$r/etc/init.d/rcS"
chmod 755 "$r/etc/init.d/rcS"
printf '[cloud]\nserver = http://update.vendor-cloud.example.net/fw\npassword = "x9!Qm2#vLp7Z"\n' \
	>"$r/etc/cloud.conf"
# hostile names: a '/' cannot be in a name, so the script tag spans a directory and a file
mkdir -p "$r/www/<script>alert(1)<"
printf 'fetch http://203.0.114.23/beacon\n' >"$r/www/<script>alert(1)</script>"
printf 'password = "Zq8mN3vB!local"\n' >"$r/www/\"><img src=x onerror=alert(2)>"
printf 'plain\n' >"$r/www/report$(printf '\u202e')fdp.exe"
printf 'x\n' >"$r/www/a&b'c.txt"
mksquashfs "$r" "$work/rootfs.sqfs" -comp xz -noappend -all-root -quiet >/dev/null
{
	cat "$r/bin/busybox"
	printf '\nLinux version 4.14.180 (builder@vendor) (gcc version 7.5.0) #0 SMP\n'
} | xz --format=lzma -c >"$work/kernel.lzma"
mkimage -A mips -O linux -T kernel -C lzma -a 0x80000000 -e 0x80000000 \
	-n '<svg onload=alert(3)>' -d "$work/kernel.lzma" "$work/kernel.uimg" >/dev/null
ksize=$(stat -c %s "$work/kernel.uimg")
part=$(((ksize + 65535) / 65536 * 65536))
img=$work/fw.bin
{
	cat "$work/kernel.uimg"
	head -c $((part - ksize)) /dev/zero | tr '\0' '\377'
	cat "$work/rootfs.sqfs"
} >"$img"
sq=$(printf 'squashfs@0x%x' "$part")

# two NVD 2.0 records written here: busybox up to 1.35.0, dropbear before 2022.84
cat >"$work/feed.json" <<'EOF'
{"format":"NVD_CVE","version":"2.0","timestamp":"2099-01-01T00:00:00.000","vulnerabilities":[
{"cve":{"id":"CVE-2099-1001","published":"2099-01-01T00:00:00.000","lastModified":"2099-01-02T00:00:00.000",
 "descriptions":[{"lang":"en","value":"BusyBox through 1.35.0 lets <img src=x onerror=alert(5)> run & more."}],
 "metrics":{"cvssMetricV31":[{"source":"nvd@nist.gov","type":"Primary","cvssData":{"version":"3.1",
  "vectorString":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H","baseScore":9.8,"baseSeverity":"CRITICAL"}}]},
 "configurations":[{"nodes":[{"operator":"OR","negate":false,"cpeMatch":[{"vulnerable":true,
  "criteria":"cpe:2.3:a:busybox:busybox:*:*:*:*:*:*:*:*","versionEndIncluding":"1.35.0",
  "matchCriteriaId":"00000000-0000-0000-0000-000000000001"}]}]}]}},
{"cve":{"id":"CVE-2099-1002","published":"2099-01-01T00:00:00.000","lastModified":"2099-01-02T00:00:00.000",
 "descriptions":[{"lang":"en","value":"Dropbear before 2022.84 has a flaw."}],
 "metrics":{"cvssMetricV31":[{"source":"nvd@nist.gov","type":"Primary","cvssData":{"version":"3.1",
  "vectorString":"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:L/A:N","baseScore":4.8,"baseSeverity":"MEDIUM"}}]},
 "configurations":[{"nodes":[{"operator":"OR","negate":false,"cpeMatch":[{"vulnerable":true,
  "criteria":"cpe:2.3:a:dropbear_ssh_project:dropbear_ssh:*:*:*:*:*:*:*:*","versionEndExcluding":"2022.84",
  "matchCriteriaId":"00000000-0000-0000-0000-000000000002"}]}]}]}}]}
EOF
"$vouch" vulndb import --db "$work/db.sqlite" "$work/feed.json" >/dev/null 2>&1 ||
	bad "vulndb import of the hand-written feed"
"$vouch" scan --json -q --db "$work/db.sqlite" "$img" >"$work/report.json" 2>"$work/scan.err"
rc=$?
if [ "$rc" -eq 8 ]; then ok "scan: exit 8 (planted findings)"; else bad "scan exit $rc, wanted 8"; fi

# the verdict, by hand: offsets found by python in the source files, not taken from vouch
python3 - "$r" "fw.bin/$sq" >"$work/verdict.json" <<'EOF'
import json, sys
root, pre = sys.argv[1], sys.argv[2]
shadow = open(root + '/etc/shadow', 'rb').read()
rcs = open(root + '/etc/init.d/rcS', 'rb').read()
tel = rcs.index(b'telnetd -l /bin/sh')
line = rcs[tel:rcs.index(b'\n', tel)].decode()
f = lambda i, p, o, e, s: {"id": i, "path": pre + p, "offset": o, "evidence": e, "severity": s}
v = {
  "verdict": "rejected",
  "policy": {"name": "lab-baseline <b>", "policy_version": 1},
  "evaluated_at": "2026-11-23T12:00:00Z",
  "reasons": [
    {"outcome": "reject", "rule": "forbid.finding-kinds",
     "text": "The root account has a vendor default password.",
     "finding": f("account.default-password", "/etc/shadow", 0, None, "critical")},
    {"outcome": "reject", "rule": "forbid.finding-kinds",
     "text": "A telnet server hands out a shell without login <i>at boot</i>.",
     "finding": f("service.bind-shell", "/etc/init.d/rcS", tel, line, "critical")},
    {"outcome": "condition", "rule": "vulnerabilities.max-cvss",
     "text": "BusyBox has a critical known vulnerability.",
     "vulnerability": {"id": "CVE-2099-1001", "component": "busybox", "version": "1.35.0",
                       "severity": "critical", "cvss": 9.8}},
    {"outcome": "reject", "rule": "forbid.finding-kinds", "text": "A finding that is not there.",
     "finding": f("key.private-key", "/etc/nothere", 7, None, "high")},
  ],
  "waivers": [
    {"id": "W-2026-7", "author": "analyst@lab.example", "justification": "Dropbear is replaced "
     "in the next release; accepted until then.", "expires": "2027-01-31", "status": "applied",
     "covers": [{"vulnerability": {"id": "CVE-2099-1002", "component": "dropbear",
                 "version": "2022.83", "severity": "medium", "cvss": 4.8}}]},
  ],
  "summary": {"findings": 0, "vulnerabilities": 2, "reject": 3, "conditions": 1, "waived": 1},
}
print(json.dumps(v))
EOF
cat >"$work/delivery.json" <<'EOF'
{"id":"5c1f0e9a2b","vendor":"ACME","product":"R1 router","version":"1.2.0","verdict":"rejected",
 "evaluated_at":"2026-11-23T12:00:00Z","policy":"lab-baseline","log_index":41,
 "attestation_sha256":"0000000000000000000000000000000000000000000000000000000000000000",
 "artefacts":[{"name":"fw/<b>fw.bin</b>","role":"firmware","sha256":"ab","size":123456}]}
EOF

# ---- 2. the page in a browser ----
page=$out/report.html
rm -f "$page"
expect "report --html: exit 0" 0 "$vouch" report --html "$page" --delivery "$work/delivery.json" \
	--verdict "$work/verdict.json" "$work/report.json"
[ -s "$page" ] || die "no page written"
ls "$out" | grep -q '\.tmp\.' && bad "a temporary file was left beside the page" ||
	ok "no temporary file left beside the page"
shot=$out/report.png
rm -f "$shot"
timeout 180 "$chromium" --headless --no-sandbox --disable-gpu --hide-scrollbars \
	--screenshot="$shot" --window-size=1280,2000 "file://$page" >"$work/shot.log" 2>&1 ||
	bad "chromium --screenshot failed: $(tail -1 "$work/shot.log")"
timeout 180 "$chromium" --headless --no-sandbox --disable-gpu --dump-dom "file://$page" \
	>"$work/dom.html" 2>"$work/dom.log" || bad "chromium --dump-dom failed: $(tail -1 "$work/dom.log")"
echo "screenshot: $shot"

python3 - "$shot" "$work/dom.html" "$page" "$work/report.json" "$work/verdict.json" "$img" \
	>"$work/check.out" 2>&1 <<'EOF'
import json, math, re, struct, sys, zlib
from html.parser import HTMLParser
shot, dom_path, page_path, rep_path, ver_path, img_path = sys.argv[1:]
def ok(m): print('ok: ' + m)
def bad(m): print('FAIL: ' + m)
def check(c, m): ok(m) if c else bad(m)

# -- the screenshot: a PNG decoded here (zlib + the five PNG filters), not blank
def png(path):
    d = open(path, 'rb').read()
    if d[:8] != b'\x89PNG\r\n\x1a\n':
        return None
    i, idat = 8, b''
    while i < len(d):
        n, = struct.unpack('>I', d[i:i + 4]); t = d[i + 4:i + 8]; c = d[i + 8:i + 8 + n]
        i += 12 + n
        if t == b'IHDR': w, h, depth, ct, _, _, il = struct.unpack('>IIBBBBB', c)
        elif t == b'IDAT': idat += c
    if depth != 8 or il != 0 or ct not in (2, 6):
        return w, h, None
    bpp = 3 if ct == 2 else 4
    raw, stride, prev, p, rows = zlib.decompress(idat), w * bpp, bytearray(w * bpp), 0, []
    for y in range(h):
        f = raw[p]; line = bytearray(raw[p + 1:p + 1 + stride]); p += 1 + stride
        if f == 2:
            line = bytearray((a + b) & 255 for a, b in zip(line, prev))
        elif f:
            for x in range(stride):
                a = line[x - bpp] if x >= bpp else 0; b = prev[x]; c = prev[x - bpp] if x >= bpp else 0
                if f == 1: line[x] = (line[x] + a) & 255
                elif f == 3: line[x] = (line[x] + ((a + b) >> 1)) & 255
                elif f == 4:
                    pp = a + b - c; pa, pb, pc = abs(pp - a), abs(pp - b), abs(pp - c)
                    line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line)); prev = line
    return w, h, (rows, bpp)
try:
    w, h, px = png(shot)
except Exception as e:
    w = h = px = None
    bad('screenshot is not a PNG: %s' % e)
check((w, h) == (1280, 2000), 'screenshot is a PNG of 1280x2000 (%sx%s)' % (w, h))
if px:
    rows, bpp = px
    colours = {}
    for row in rows:
        for x in range(0, len(row), bpp):
            k = row[x:x + 3]; colours[k] = colours.get(k, 0) + 1
    top = max(colours.values()) / (w * h)
    check(len(colours) >= 50, 'screenshot has %d distinct colours (>= 50: text, badges, tables)' % len(colours))
    check(top < 0.97, 'screenshot is not blank (most common colour covers %.1f%%)' % (100 * top))
    red = sum(n for k, n in colours.items() if k[0] > 180 and k[1] < 80 and k[2] < 80)
    check(red > 2000, 'the rejected banner shows in red (%d red pixels)' % red)

# -- the DOM chromium built
class P(HTMLParser):
    def __init__(s):
        super().__init__(convert_charrefs=True)
        s.tags, s.ids, s.stack, s.text, s.svgtext = [], {}, [], [], []
        s.attrs_on, s.hrefs, s.srcs, s.polyline, s.gridy, s.meta = [], [], [], None, [], []
        s.cur = None
    def handle_starttag(s, t, a):
        a = dict(a); s.tags.append(t)
        for k, v in a.items():
            if k.lower().startswith('on'): s.attrs_on.append((t, k))
            if k == 'href': s.hrefs.append(v)
            if k == 'src': s.srcs.append(v)
        if t == 'meta': s.meta.append(a)
        if t == 'polyline' and 'entropy-line' in (a.get('class') or ''): s.polyline = a.get('points')
        if t == 'line' and a.get('stroke-dasharray'): s.gridy.append(float(a['y1']))
        if 'id' in a:
            s.ids[a['id']] = len(s.tags)
            s.cur = (a['id'], [])
            s.stack.append((t, s.cur))
        elif t not in ('br', 'meta', 'line', 'rect', 'polyline', 'hr', 'img', 'input'):
            s.stack.append((t, None))
    def handle_endtag(s, t):
        while s.stack:
            tt, c = s.stack.pop()
            if tt == t: break
    def handle_data(s, d):
        s.text.append(d)
        for tt, c in s.stack:
            if c: c[1].append(d)
dom = open(dom_path, encoding='utf-8').read()
p = P(); p.feed(dom)
idtext = {}
for i, (t, c) in enumerate([]): pass
rep = json.load(open(rep_path)); ver = json.load(open(ver_path))
# text of an element with an id: collect again with a dedicated pass
class T(HTMLParser):
    def __init__(s):
        super().__init__(convert_charrefs=True); s.open, s.txt = [], {}
    def handle_starttag(s, t, a):
        a = dict(a)
        if t in ('br', 'meta', 'line', 'rect', 'polyline', 'img', 'link', 'input', 'hr'): return
        s.open.append((t, a.get('id')))
        if a.get('id'): s.txt[a['id']] = []
    def handle_endtag(s, t):
        while s.open:
            tt, i = s.open.pop()
            if tt == t: break
    def handle_data(s, d):
        for tt, i in s.open:
            if i: s.txt[i].append(d)
tp = T(); tp.feed(dom)
txt = {k: ''.join(v) for k, v in tp.txt.items()}
alltext = ''.join(p.text)

check(p.tags.count('script') == 0, 'no <script> element in the DOM')
check(p.tags.count('img') == 0, 'no <img> element in the DOM (the injected names stayed text)')
check(not p.attrs_on, 'no on* attribute in the DOM (%s)' % p.attrs_on[:3])
check(all(h.startswith('#') for h in p.hrefs) and p.hrefs, 'every href is a fragment of the page (%d links)' % len(p.hrefs))
check(not p.srcs, 'no src attribute')
raw = open(page_path, encoding='utf-8').read()
check(not re.search(r'url\(|@import|(src|href)\s*=\s*["\']?\s*(https?:|//|javascript:)', raw, re.I),
      'the page references nothing external (no url(), @import, remote src/href)')
csp = [m.get('content') for m in p.meta if (m.get('http-equiv') or '').lower() == 'content-security-policy']
check(csp == ["default-src 'none'; style-src 'unsafe-inline'; img-src data:"], 'the CSP meta tag: %s' % csp)
for needle in ['<script>alert(1)</script>', '"><img src=x onerror=alert(2)>', '<svg onload=alert(3)>',
               '<img src=x onerror=alert(5)>', "a&b'c.txt", 'fw/<b>fw.bin</b>', 'lab-baseline <b>']:
    check(needle in alltext, 'shown as text: %r' % needle)
check('\u202e' not in dom and 'report\\u+202Efdp.exe' in alltext,
      'the right-to-left override is shown as \\u+202E, not applied')

# order: verdict first
pos = lambda i: p.ids.get(i, 10**9)
check(pos('verdict') < pos('i0-findings') and pos('i0-verdict') < pos('i0-findings'),
      'the verdict comes before the findings')
check('rejected' in txt.get('verdict', '').lower(), 'the verdict says rejected')

# every finding, component, vulnerability, file
shown = lambda s: s.replace('\u202e', '\\u+202E')  # the page shows bidi controls as text
F, C, V, L = rep['findings'], rep['components'], rep['vulnerabilities'] or [], rep['inventory']['file_list']
fr = sorted(int(k[4:]) for k in p.ids if re.fullmatch(r'i0-f\d+', k))
check(fr == list(range(len(F))), 'one finding row per finding of the report (%d)' % len(F))
miss = [j for j, f in enumerate(F) if not (txt.get('i0-f%d' % j, '').startswith(f['id']) and shown(f['path']) in txt.get('i0-f%d' % j, ''))]
check(not miss, 'each finding row shows its id and path (%d wrong)' % len(miss))
cr = sorted(int(k[4:]) for k in p.ids if re.fullmatch(r'i0-c\d+', k))
check(cr == list(range(len(C))) and all(txt['i0-c%d' % j].startswith(c['name']) for j, c in enumerate(C)),
      'one component row per component, with its name (%d)' % len(C))
vr = sorted(int(k[4:]) for k in p.ids if re.fullmatch(r'i0-v\d+', k))
check(len(V) == 2 and vr == list(range(len(V))) and all(txt['i0-v%d' % j].startswith(v['id']) for j, v in enumerate(V)),
      'one vulnerability row per vulnerability, with its id (%d)' % len(V))
tr = sorted(int(k[4:]) for k in p.ids if re.fullmatch(r'i0-t\d+', k))
check(tr == list(range(len(L))), 'one tree entry per file of the inventory (%d)' % len(L))
names = [shown(f['path'].rsplit('/', 1)[-1]) for f in L]
check(all(n in txt.get('i0-t%d' % j, '') for j, n in enumerate(names)), 'each tree entry shows its name')
ids = {f['id'] for f in F}
for want in ('account.default-password', 'service.bind-shell', 'service.telnet'):
    check(want in ids, 'the report has the planted %s' % want)
check(any(f['path'].endswith('/www/<script>alert(1)</script>') for f in F),
      'a finding lies in the file whose path holds <script>alert(1)</script>')

# reasons: each linked to the row of the finding it names
for j, rs in enumerate(ver['reasons']):
    m = re.search(r'href="#(i0-[fv]\d+)"', re.search(r'<tr id="i0-r%d">(.*?)</tr>' % j, dom, re.S).group(1))
    if 'finding' in rs:
        ref = rs['finding']
        real = [k for k, f in enumerate(F) if (f['id'], f['path'], f['offset']) == (ref['id'], ref['path'], ref['offset'])]
        if real:
            check(m and m.group(1) == 'i0-f%d' % real[0], 'reason %d links to its finding %s' % (j, ref['id']))
        else:
            check(not m and 'no such finding' in txt.get('i0-r%d' % j, ''), 'reason %d: a finding that is not there says so' % j)
    else:
        ref = rs['vulnerability']
        real = [k for k, v in enumerate(V) if (v['id'], v['component']) == (ref['id'], ref['component'])]
        check(real and m and m.group(1) == 'i0-v%d' % real[0], 'reason %d links to its vulnerability %s' % (j, ref['id']))
check('W-2026-7' in txt.get('i0-w0', '') and 'analyst@lab.example' in txt['i0-w0'] and '2027-01-31' in txt['i0-w0'],
      'the waiver shows its id, author and expiry')

# the entropy plot: one point per value, heights give the values back
E = rep['entropy']; vals = E['values']
pts = [tuple(map(float, q.split(','))) for q in (p.polyline or '').split()]
check(len(pts) == len(vals) and len(vals) > 100, 'the entropy polyline has one point per value (%d / %d)' % (len(pts), len(vals)))
if len(p.gridy) >= 2 and pts:
    y0, y8 = max(p.gridy), min(p.gridy)
    back = [8 * (y0 - y) / (y0 - y8) for _, y in pts]
    check(max(abs(a - b) for a, b in zip(back, vals)) < 0.06, 'the plotted heights are the report\'s values')
    check(all(b[0] > a[0] for a, b in zip(pts, pts[1:])), 'the points go left to right')
# ... and the values are the image's: python's per-block Shannon entropy
data = open(img_path, 'rb').read()
bs = E['block_size']
def H(b):
    n = len(b); c = {}
    for x in b: c[x] = c.get(x, 0) + 1
    return -sum(k / n * math.log2(k / n) for k in c.values())
mine = [H(data[i:i + bs]) for i in range(0, len(data), bs)]
check(len(mine) == len(vals) and max(abs(a - b) for a, b in zip(mine, vals)) < 0.01,
      'the report\'s entropy values are python\'s per-block entropy of the image')
check('<svg onload=alert(3)>' in ''.join(re.findall(r'<title>(.*?)</title>', dom.replace('&lt;', '<').replace('&gt;', '>'))),
      'the uImage name is in the plot, as SVG text')
EOF
tally "$work/check.out"

# ---- 3. a report of 13,000 files ----
python3 - "$work/report.json" "$work/big.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
fl = [{"path": "big.bin", "kind": "file", "depth": 0, "size": 1 << 30}]
for d in range(130):
    fl.append({"path": "big.bin/ext@0x0/dir%03d" % d, "kind": "dir", "depth": 1})
    for f in range(99):
        fl.append({"path": "big.bin/ext@0x0/dir%03d/file%02d.so" % (d, f), "kind": "file", "depth": 1,
                   "size": 1000 + f, "sha256": "%064x" % (d * 100 + f), "type": "ELF"})
r['inventory']['file_list'] = fl
r['regions'] = []
json.dump(r, open(sys.argv[2], 'w'))
EOF
expect "a 13,000-file report renders" 0 "$vouch" report --html "$work/big.html" "$work/big.json"
timeout 300 "$chromium" --headless --no-sandbox --disable-gpu --dump-dom "file://$work/big.html" \
	>"$work/big.dom" 2>/dev/null
n=$(grep -oE 'id="i0-t[0-9]+"' "$work/big.dom" | sort -u | wc -l)
if [ "$n" -eq 13001 ]; then ok "all 13,001 files are in the browser's tree"; else bad "$n of 13,001 files in the tree"; fi
n=$(grep -c '<details open=""><summary><span class="name">dir' "$work/big.dom")
if [ "$n" -eq 0 ]; then ok "directories start collapsed"; else bad "$n directories open"; fi

# ---- 4. bad inputs ----
expect "no --html: usage" 2 "$vouch" report "$work/report.json"
expect "no report: usage" 2 "$vouch" report --html "$work/x.html"
expect "two verdicts for one report: usage" 2 "$vouch" report --html "$work/x.html" \
	--verdict "$work/verdict.json" --verdict "$work/verdict.json" "$work/report.json"
expect "a missing report: exit 3" 3 "$vouch" report --html "$work/x.html" "$work/nothere.json"
sed 's/"rejected"/"maybe"/' "$work/verdict.json" >"$work/maybe.json"
expect "a verdict that is not one of the three words: exit 3" 3 "$vouch" report --html \
	"$work/x.html" --verdict "$work/maybe.json" "$work/report.json"
grep -q "maybe.json" "$work/expect.err" && grep -q '"verdict" must be' "$work/expect.err" &&
	ok "the message names the verdict file and what is wrong" || bad "message: $(cat "$work/expect.err")"
printf '{"findings": {}}' >"$work/notarray.json"
expect "a report whose findings are not an array: exit 3" 3 "$vouch" report --html \
	"$work/x.html" "$work/notarray.json"
printf '{"a":1,"a":2}' >"$work/dup.json"
expect "duplicate keys: exit 3" 3 "$vouch" report --html "$work/x.html" "$work/dup.json"
[ -e "$work/x.html" ] && bad "a failed run left a page" || ok "no page is written when an input is bad"
expect "--no-verdict holds a place" 0 "$vouch" report --html "$work/two.html" --no-verdict \
	--verdict "$work/verdict.json" "$work/report.json" "$work/report.json"
grep -q 'No policy verdict was given' "$work/two.html" && grep -q 'id="i1-r0"' "$work/two.html" &&
	! grep -q 'id="i0-r0"' "$work/two.html" && ok "the verdict went with the second report" ||
	bad "--no-verdict did not hold the first report's place"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
