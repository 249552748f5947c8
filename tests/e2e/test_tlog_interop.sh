#!/usr/bin/env bash
# tests/e2e/test_tlog_interop.sh: vouch's transparency log against Go's
# golang.org/x/mod/sumdb/tlog and sumdb/note (an implementation we did not write):
# checkpoints open with note.Open, tiles authenticate through tlog.TileHashReader, entry
# bundles hash to the level-0 tiles, Go's proofs computed from vouch's tiles equal vouch's
# proofs byte for byte, and tlog.CheckRecord / CheckTree accept vouch's proofs (and reject
# tampered ones).
#
# Usage: test_tlog_interop.sh /path/to/vouch. Skips cleanly (0 passed, 0 failed) without go.
set -uo pipefail
vouch=$(realpath "${1:?usage: $0 VOUCH}")
here=$(cd "$(dirname "$0")/../.." && pwd)
. "$(dirname "$0")/common.sh"
check() { # description, command...
	local d=$1
	shift
	if "$@" >/dev/null 2>&1; then ok "$d"; else bad "$d"; fi
}
refuse() { # description, command... (must exit non-zero)
	local d=$1
	shift
	if "$@" >/dev/null 2>&1; then bad "$d"; else ok "$d"; fi
}

if ! command -v go >/dev/null 2>&1 || [ ! -d /usr/share/gocode/src/golang.org/x/mod/sumdb/tlog ]; then
	echo "skip: go or golang-golang-x-mod-dev not installed"
	echo "0 passed, 0 failed"
	exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GOPATH=/usr/share/gocode GO111MODULE=off GOFLAGS= GOCACHE="$work/gocache" GOTOOLCHAIN=local
if ! go build -o "$work/gotlog" "$here/tests/interop/tlog/main.go" 2>"$work/build.err"; then
	cat "$work/build.err"
	bad "build the Go interop program"
	echo "$pass passed, $fail failed"
	exit 1
fi
gotlog=$work/gotlog
cd "$work" || exit 1
L="--log $work/log"

"$vouch" log $L init --origin interop.example/log >vkey 2>/dev/null
check "log init" test -s vkey
mkdir objs
# 700 objects first (a checkpoint), then up to 66000 in total: full and partial tiles at
# levels 0, 1 and 2 (65536 = 256^2 leaves make the first level-2 hash)
for i in $(seq 1 700); do echo "object $i" >objs/$i; done
(cd objs && "$vouch" log $L append $(seq 1 700)) >idx1 2>/dev/null
check "append 700 objects" test "$(wc -l <idx1)" -eq 700
"$vouch" log $L checkpoint >cp1 2>/dev/null
# then 66000 more, in batches of 6000 (the same objects again: a log may hold an object
# twice, and making 66000 small files costs minutes on some file systems)
seq -f "bulk %g" 1 6000 >chunk
split -l 1 -a 4 chunk part.
for c in $(seq 0 10); do
	"$vouch" log $L append part.* >/dev/null 2>&1
done
"$vouch" log $L checkpoint >cp2 2>/dev/null
size2=$(sed -n 2p cp2)
check "checkpoint 2 past 65536 entries ($size2)" test "$size2" -gt 65536
"$vouch" log $L tiles -o tiles >/dev/null 2>&1
check "tile export" test -f tiles/checkpoint
check "a level-2 tile exists" test -e tiles/tile/2/000.p/1
check "Go authenticates every tile and entry bundle against the checkpoint" "$gotlog" tiles tiles vkey

same=0
for idx in 0 1 255 256 699 1000 4095 65535 65536 $((size2 - 1)) $((RANDOM % size2)) $((RANDOM % size2)); do
	"$vouch" log $L prove "$idx" >v.json 2>/dev/null
	"$gotlog" prove tiles vkey "$idx" >g.json 2>/dev/null
	cmp -s v.json g.json && same=$((same + 1))
	e=$("$vouch" log $L bundle "$idx" 2>/dev/null | sed -n 's/^extra //p' | base64 -d | od -An -tx1 | tr -d ' \n')
	if ! "$gotlog" verify-incl vkey cp2 v.json "$e" >/dev/null 2>&1; then bad "CheckRecord index $idx"; fi
done
check "Go's inclusion proofs equal vouch's (12 indices)" test "$same" -eq 12
for old in 1 7 700 4096 65536 $((size2 - 1)); do
	"$vouch" log $L consistency "$old" "$size2" >vc.json 2>/dev/null
	"$gotlog" consistency tiles vkey "$old" >gc.json 2>/dev/null
	check "Go's consistency proof $old -> $size2 equals vouch's" cmp -s vc.json gc.json
done
"$vouch" log $L consistency 700 "$size2" >c.json 2>/dev/null
check "tlog.CheckTree accepts vouch's consistency proof cp1 -> cp2" "$gotlog" verify-cons vkey cp1 cp2 c.json
# tampering: a changed hash in the proof is refused by Go
sed 's/"hashes":\["./"hashes":["A/; s/"hashes":\["AA/"hashes":["BA/' c.json >c.bad
refuse "tlog.CheckTree rejects a tampered consistency proof" "$gotlog" verify-cons vkey cp1 cp2 c.bad
"$vouch" log $L prove 5 >p5.json 2>/dev/null
e5=$("$vouch" log $L bundle 5 2>/dev/null | sed -n 's/^extra //p' | base64 -d | od -An -tx1 | tr -d ' \n')
check "tlog.CheckRecord accepts entry 5" "$gotlog" verify-incl vkey cp2 p5.json "$e5"
refuse "tlog.CheckRecord rejects entry 5 with another entry" "$gotlog" verify-incl vkey cp2 p5.json "00$e5"
sed 's/^interop.example\/log$/interop.example\/other/' cp2 >cp2.bad
refuse "note.Open rejects a checkpoint with a changed origin" "$gotlog" verify-incl vkey cp2.bad p5.json "$e5"
# a tampered tile is caught by Go's tile authentication
t0=tiles/tile/0/000
printf '\x01' | dd of="$t0" bs=1 seek=17 conv=notrunc 2>/dev/null
refuse "Go rejects a tampered level-0 tile" "$gotlog" tiles tiles vkey

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
