#!/usr/bin/env bash
# tests/e2e/test_interop_note.sh: vouch's signed notes, keys and checkpoints against Go's
# golang.org/x/mod/sumdb/note (an implementation we did not write).
#
# Usage: test_interop_note.sh /path/to/vouch
# Builds tests/interop/note/main.go offline in GOPATH mode against Debian's
# golang-golang-x-mod-dev (/usr/share/gocode). Skips cleanly (0 passed, 0 failed) when go or
# the package is missing. Last line: 'N passed, N failed'.
set -uo pipefail
vouch=${1:?usage: $0 VOUCH}
here=$(cd "$(dirname "$0")/../.." && pwd)
. "$(dirname "$0")/common.sh"
check() { # description, command...
	local d=$1
	shift
	if "$@" >/dev/null 2>&1; then ok "$d"; else bad "$d"; fi
}

if ! command -v go >/dev/null 2>&1 || [ ! -d /usr/share/gocode/src/golang.org/x/mod/sumdb/note ]; then
	echo "skip: go or golang-golang-x-mod-dev not installed"
	echo "0 passed, 0 failed"
	exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GOPATH=/usr/share/gocode GO111MODULE=off GOFLAGS= GOCACHE="$work/gocache" GOTOOLCHAIN=local
if ! go build -o "$work/gonote" "$here/tests/interop/note/main.go" 2>"$work/build.err"; then
	cat "$work/build.err"
	bad "build the Go interop program"
	echo "$pass passed, $fail failed"
	exit 1
fi
gonote=$work/gonote
cd "$work" || exit 1

# keys: vouch's key file is Go's signer key format, both ways
"$vouch" key generate --name vouch.example/log -o v.key >v.vkey 2>/dev/null
check "vouch key generate" test -s v.vkey
check "vouch key file is mode 0600" test "$(stat -c %a v.key)" = 600
"$gonote" generate go.example/log g.key >g.vkey
"$vouch" key public g.key >g.vkey.vouch 2>/dev/null
check "vouch derives the same verifier key from a Go key file" cmp -s g.vkey g.vkey.vouch

# a checkpoint body (C2SP tlog-checkpoint) with an extension line
printf 'vouch.example/log\n1234\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\nextension line\n' >cp.txt

# vouch signs, Go verifies
"$vouch" note sign --key v.key cp.txt >v.note 2>/dev/null
"$gonote" verify v.vkey v.note >v.text 2>/dev/null
check "Go opens a note signed by vouch" cmp -s v.text cp.txt
# Ed25519 is deterministic: Go signing with vouch's key gives the same bytes
"$gonote" sign v.key cp.txt >v.note.go
check "Go and vouch produce byte-identical notes with the same key" cmp -s v.note v.note.go

# Go signs, vouch verifies
"$gonote" sign g.key cp.txt >g.note
"$vouch" note verify --key g.vkey g.note >g.text 2>/dev/null
check "vouch opens a note signed by Go" cmp -s g.text cp.txt
# both signatures on one note: each side accepts with either key alone
{ cat g.note; sed -n '$p' v.note; } >both.note
check "Go accepts a two-signature note with its key (vouch's line unknown)" "$gonote" verify g.vkey both.note
check "vouch accepts the same note with only vouch's key" "$vouch" note verify --key v.vkey both.note

# rejections agree: a changed tree size fails in both
sed 's/^1234$/1235/' v.note >tampered.note
if "$gonote" verify v.vkey tampered.note >/dev/null 2>&1; then bad "Go rejects tampered"; else ok "Go rejects a tampered note"; fi
"$vouch" note verify --key v.vkey tampered.note >/dev/null 2>&1
rc=$?
check "vouch rejects a tampered note with exit 7" test "$rc" -eq 7
# wrong key: both refuse
if "$gonote" verify g.vkey v.note >/dev/null 2>&1; then bad "Go rejects wrong key"; else ok "Go rejects a note by an unknown key"; fi
"$vouch" note verify --key g.vkey v.note >/dev/null 2>&1
rc=$?
check "vouch rejects a note by an unknown key with exit 7" test "$rc" -eq 7

# many random texts: vouch signs, Go verifies
n_ok=0
for i in $(seq 1 20); do
	head -c $((RANDOM % 200 + 1)) /dev/urandom | base64 -w 60 >r.txt
	"$vouch" note sign --key v.key r.txt >r.note 2>/dev/null &&
		"$gonote" verify v.vkey r.note >r.out 2>/dev/null && cmp -s r.out r.txt && n_ok=$((n_ok + 1))
done
check "20 random texts signed by vouch open in Go" test "$n_ok" -eq 20

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
