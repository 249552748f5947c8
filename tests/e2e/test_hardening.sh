#!/usr/bin/env bash
# tests/e2e/test_hardening.sh VOUCH: `vouch elf --json` on every ELF file of the fixture trees
# against the independent tools, field by field (tests/fixtures/hardening_check.py):
#   checksec 2.6 --dir (RELRO, canary, NX, PIE, RPATH, RUNPATH, symbols, FORTIFY_SOURCE,
#   fortified and fortifiable counts), hardening-check (PIE, stack protector, fortify, RELRO,
#   BIND_NOW), readelf (SONAME, DT_NEEDED, RPATH, RUNPATH, interpreter, build-id, .comment)
#   and kmod's modinfo (.modinfo of the kernel module).
# Trees: the router tree of make-fixtures.sh (busybox-static mipsel, dropbear/curl armhf,
# dnsmasq arm64, libssl/libcrypto/zlib mipsel) and make-elf-fixtures.sh's (x86-64 hardening
# variants, a kernel module, zlib s390x big-endian), plus section-less copies of real
# binaries that must give the facts of their originals. Every disagreement fails unless it is
# on the documented list of deliberate differences (docs/hardening.md). Prints the agreement
# counts per field; the last line is 'N passed, N failed'.
set -uo pipefail

vouch=${1:?usage: test_hardening.sh VOUCH}
repo=$(cd "$(dirname "$0")/../.." && pwd)
fix=${VOUCH_FIXTURES:-$repo/tests/fixtures/out}
elffix=${VOUCH_ELF_FIXTURES:-$repo/tests/fixtures/out-elf}
pass=0
fail=0
ok() { echo "ok: $*"; pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
finish() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit $?
}

for tool in python3 checksec hardening-check readelf modinfo gcc objcopy file; do
	command -v "$tool" >/dev/null 2>&1 || {
		bad "required tool $tool is missing (scripts/install-deps.sh installs it)"
		finish
	}
done
[ -x "$vouch" ] || {
	bad "vouch binary $vouch is not executable"
	finish
}

# ---- fixtures (built when missing or older than their script) ---------------------------------
log=${TMPDIR:-/tmp}/vouch-hardening-fixtures.log
if [ ! -f "$fix/tree.tsv" ] || [ "$repo/tests/fixtures/make-fixtures.sh" -nt "$fix/tree.tsv" ]; then
	echo "building fixtures in $fix"
	bash "$repo/tests/fixtures/make-fixtures.sh" "$fix" >"$log" 2>&1 || {
		tail -n 20 "$log" | sed 's/^/    /'
		bad "make-fixtures.sh failed"
		finish
	}
fi
if [ ! -d "$elffix/tree" ] || [ "$repo/tests/fixtures/make-elf-fixtures.sh" -nt "$elffix/tree" ]; then
	echo "building ELF fixtures in $elffix"
	bash "$repo/tests/fixtures/make-elf-fixtures.sh" "$elffix" >"$log" 2>&1 || {
		tail -n 20 "$log" | sed 's/^/    /'
		bad "make-elf-fixtures.sh failed"
		finish
	}
fi
[ -d "$fix/rootfs" ] || {
	bad "no router tree in $fix/rootfs"
	finish
}

# ---- the comparisons ------------------------------------------------------------------------------
out=$(mktemp)
trap 'rm -f "$out"' EXIT
python3 "$repo/tests/fixtures/hardening_check.py" "$vouch" "$fix/rootfs" "$elffix/tree" \
	--nosections "$elffix/nosections" >"$out" 2>&1
rc=$?
grep -v '^[0-9]* passed, [0-9]* failed$' "$out"
line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out" | tail -n 1)
if [ -z "$line" ]; then
	bad "hardening_check.py ended without a summary (exit $rc)"
else
	read -r p _ f _ <<<"$line"
	pass=$((pass + p))
	fail=$((fail + f))
	[ "$rc" -eq 0 ] || [ "$f" -gt 0 ] || bad "hardening_check.py exited $rc"
fi

# ---- the command line itself -----------------------------------------------------------------------
"$vouch" elf /etc/hostname >/dev/null 2>&1
rc=$?
[ "$rc" -eq 4 ] && ok "a file that is not ELF: exit 4" || bad "a file that is not ELF: exit $rc, wanted 4"
"$vouch" elf /nonexistent/file >/dev/null 2>&1
rc=$?
[ "$rc" -eq 3 ] && ok "a missing file: exit 3" || bad "a missing file: exit $rc, wanted 3"
"$vouch" elf >/dev/null 2>&1
rc=$?
[ "$rc" -eq 2 ] && ok "no file: exit 2" || bad "no file: exit $rc, wanted 2"
# a truncated ELF file still gives a report, with a note, and exit 0
tmp=$(mktemp)
head -c 100 "$fix/rootfs/usr/sbin/dnsmasq" >"$tmp"
if "$vouch" elf --json "$tmp" 2>/dev/null | python3 -c '
import json, sys
r = json.load(sys.stdin)["files"][0]
sys.exit(0 if r["machine"] == "aarch64" and r["notes"] else 1)'; then
	ok "a truncated ELF file: a report with notes"
else
	bad "a truncated ELF file: no report with notes"
fi
# strings from the file are escaped: a control byte in DT_SONAME never reaches the terminal
python3 - "$elffix/tree/libvouchfixture.so.1.0" "$tmp" <<'PY'
import sys
b = open(sys.argv[1], 'rb').read()
open(sys.argv[2], 'wb').write(b.replace(b'libvouchfixture', b'libvouch\x1bixture'))
PY
text=$("$vouch" elf "$tmp" 2>&1)
if grep -q 'soname.*libvouch\\x1bixture' <<<"$text" && ! grep -q $'\x1b' <<<"$text"; then
	ok "a control byte in DT_SONAME is printed as \\x1b"
else
	bad "a control byte in DT_SONAME is not escaped: $(grep soname <<<"$text" | od -c | head -2)"
fi
rm -f "$tmp"
finish
