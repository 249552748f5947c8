#!/usr/bin/env bash
# tests/e2e/test_tlog_cli.sh: `vouch log` end to end: init (key 0600), append, checkpoints,
# proofs verified offline, tlog-proof bundles (every bit flip of entry, index, proof, size,
# root or signature refused with exit 7), witnesses (vouch as a witness for another vouch
# log, cosignatures accepted and published), tiles with the 3-digit path encoding, audit
# catching a tampered database, refusal of an inconsistent checkpoint.
#
# Usage: test_tlog_cli.sh /path/to/vouch. Last line: 'N passed, N failed'.
set -uo pipefail
vouch=$(realpath "${1:?usage: $0 VOUCH}")
. "$(dirname "$0")/common.sh"
check() {
	local d=$1
	shift
	if "$@" >/dev/null 2>&1; then ok "$d"; else bad "$d"; fi
}
exit7() { # description, command... (must exit 7: verification failed)
	local d=$1 rc
	shift
	"$@" >/dev/null 2>&1
	rc=$?
	if [ "$rc" -eq 7 ]; then ok "$d"; else bad "$d (exit $rc, want 7)"; fi
}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
L="--log $work/log"

"$vouch" log $L init --origin lab.example/log >vkey 2>/dev/null
check "init prints a verifier key" grep -q '^lab.example/log+[0-9a-f]\{8\}+' vkey
check "log key is mode 0600" test "$(stat -c %a log/log.key)" = 600
"$vouch" log $L init --origin lab.example/log >/dev/null 2>&1
[ $? -ne 0 ] && ok "init refuses an existing log" || bad "init over an existing log"
for i in $(seq 1 20); do echo "verdict $i" >v$i.json; done
"$vouch" log $L append v1.json v2.json v3.json >idx 2>/dev/null
check "append prints indices 0..2" test "$(tr '\n' ' ' <idx)" = "0 1 2 "
check "the object is stored beside the log" test -f "log/objects/$(sha256sum v2.json | cut -c1-64)"
echo "from stdin" | "$vouch" log $L append - >idx 2>/dev/null
check "append - reads stdin" test "$(cat idx)" = 3
"$vouch" log $L checkpoint >cp1 2>/dev/null
check "checkpoint size 4" test "$(sed -n 2p cp1)" = 4
check "vouch note verify opens the checkpoint" "$vouch" note verify --key "$(cat vkey)" cp1
"$vouch" log $L append v4.json v5.json v6.json v7.json v8.json v9.json >/dev/null 2>&1
"$vouch" log $L checkpoint >cp2 2>/dev/null
"$vouch" log $L prove 5 >p5.json 2>/dev/null
check "prove prints the JSON form" grep -q '^{"index":5,"tree_size":10,"hashes":\["' p5.json
# indices: v1..v3 = 0..2, stdin = 3, v4..v9 = 4..9: index 5 is v5.json
check "verify-proof accepts the right object" "$vouch" log verify-proof --key vkey --checkpoint cp2 --file v5.json p5.json
exit7 "verify-proof refuses another object" "$vouch" log verify-proof --key vkey --checkpoint cp2 --file v6.json p5.json
exit7 "verify-proof refuses an older checkpoint" "$vouch" log verify-proof --key vkey --checkpoint cp1 --file v5.json p5.json
"$vouch" log $L consistency 4 10 >c.json 2>/dev/null
check "consistency 4 -> 10 verifies between the signed checkpoints" "$vouch" log verify-proof --key vkey --old cp1 --checkpoint cp2 c.json
exit7 "consistency refuses the checkpoints swapped" "$vouch" log verify-proof --key vkey --old cp2 --checkpoint cp1 c.json

# witnesses: a second vouch acts as witness
"$vouch" key generate --name witness.example -o w.key >/dev/null 2>&1
wvkey=$("$vouch" key public w.key 2>/dev/null)
"$vouch" log witness cosign --key w.key --log-key vkey --new cp1 >cos1 2>/dev/null
check "witness cosigns the first checkpoint (trust on first use)" grep -q '^— witness.example ' cos1
"$vouch" log witness cosign --key w.key --log-key vkey --old cp1 --new cp2 --proof c.json >cos2 2>/dev/null
check "witness cosigns cp2 after checking consistency" grep -q '^— witness.example ' cos2
sed 's/"hashes":\["./"hashes":["A/; s/"hashes":\["AA/"hashes":["BA/' c.json >c.bad
exit7 "witness refuses a bad consistency proof" "$vouch" log witness cosign --key w.key --log-key vkey --old cp1 --new cp2 --proof c.bad
exit7 "witness refuses to go backwards" "$vouch" log witness cosign --key w.key --log-key vkey --old cp2 --new cp1 --proof c.json
echo "$wvkey" >w.vkey01
# the log accepts the cosignature once the witness key (type 0x04, tlog-cosignature) is
# configured; `vouch key public` prints the 0x01 form, so derive the 0x04 form here with the
# signed-note key id rule (SHA-256(name || 0x0A || type || pub)[:4])
wkey04=$(python3 - "$wvkey" <<'PY'
import base64, hashlib, sys
name, _, b = sys.argv[1].split('+', 2)
pub = base64.b64decode(b)[1:]
kid = hashlib.sha256(name.encode() + b'\n' + b'\x04' + pub).digest()[:4].hex()
print(name + "+" + kid + "+" + base64.b64encode(bytes([4]) + pub).decode())
PY
)
check "derive the witness's cosignature verifier key" test -n "$wkey04"
if [ -n "$wkey04" ]; then
	check "witness add-key" "$vouch" log $L witness add-key "$wkey04"
	cat cp2 cos2 >cp2.cosigned
	check "witness add-cosig accepts the cosigned checkpoint" "$vouch" log $L witness add-cosig cp2.cosigned
	"$vouch" log $L checkpoint >cp2.pub 2>/dev/null
	check "the published checkpoint carries the cosignature" grep -q '^— witness.example ' cp2.pub
	cat cp1 cos2 >wrong.cosigned
	exit7 "add-cosig refuses a cosignature over another text" "$vouch" log $L witness add-cosig wrong.cosigned
fi

# bundles
"$vouch" log $L bundle 5 >b5 2>/dev/null
check "bundle starts with the tlog-proof header" test "$(head -1 b5)" = "c2sp.org/tlog-proof@v1"
check "verify-bundle with the object" "$vouch" log verify-bundle --key vkey --file v5.json b5
check "verify-bundle with 1 required cosignature" "$vouch" log verify-bundle --key vkey --witness "$wkey04" --min-cosigs 1 --file v5.json b5
exit7 "verify-bundle refuses 2 required cosignatures" "$vouch" log verify-bundle --key vkey --witness "$wkey04" --min-cosigs 2 --file v5.json b5
exit7 "verify-bundle refuses another object" "$vouch" log verify-bundle --key vkey --file v6.json b5
# flip one bit in every line of the bundle in turn: every flip must be refused
n=$(wc -l <b5)
flips=0
caught=0
for ln in $(seq 1 "$n"); do
	line=$(sed -n "${ln}p" b5)
	[ -z "$line" ] && continue
	# flip the lowest bit of one character near the end of the line (before any padding)
	pos=$(( ${#line} > 3 ? ${#line} - 3 : 0 ))
	c=${line:$pos:1}
	o=$(printf '%d' "'$c")
	nc=$(printf "\\$(printf '%03o' $((o ^ 1)))")
	newline="${line:0:$pos}$nc${line:$((pos + 1))}"
	awk -v ln="$ln" -v nl="$newline" 'NR == ln { print nl; next } { print }' b5 >flip
	flips=$((flips + 1))
	if ! "$vouch" log verify-bundle --key vkey --file v5.json flip >/dev/null 2>&1; then
		caught=$((caught + 1))
	else
		echo "  accepted a flip in line $ln: $newline"
	fi
done
check "every one-bit flip in the bundle ($flips lines) is refused" test "$caught" -eq "$flips"

# tiles: paths per C2SP
for i in $(seq 1 300); do echo "t $i"; done >many
split -l 1 -a 3 many m.
"$vouch" log $L append m.* >/dev/null 2>&1
"$vouch" log $L checkpoint >/dev/null 2>&1
"$vouch" log $L tiles -o tiles >/dev/null 2>&1
check "full level-0 tile tile/0/000 (256 hashes)" test "$(stat -c %s tiles/tile/0/000)" -eq 8192
check "partial level-0 tile tile/0/001.p/54" test "$(stat -c %s tiles/tile/0/001.p/54)" -eq $((54 * 32))
check "level-1 partial tile tile/1/000.p/1" test -f tiles/tile/1/000.p/1
check "entry bundle tile/entries/000 (256 x (2 + 32) bytes)" test "$(stat -c %s tiles/tile/entries/000)" -eq $((256 * 34))
check "checkpoint file" cmp -s tiles/checkpoint <("$vouch" log $L checkpoint 2>/dev/null)

check "log verify (full audit)" "$vouch" log $L verify
cp -r log t1
sqlite3 t1/log.db "UPDATE entries SET data = zeroblob(32) WHERE idx = 3"
exit7 "audit catches a changed entry" "$vouch" log --log "$work/t1" verify
cp -r log t2
sqlite3 t2/log.db "DELETE FROM checkpoints WHERE size = (SELECT max(size) FROM checkpoints); UPDATE checkpoints SET note = replace(note, 'lab.example', 'lab.exampl3')"
exit7 "audit catches a checkpoint whose signature no longer verifies" "$vouch" log --log "$work/t2" verify
cp -r log t3
sqlite3 t3/log.db "UPDATE meta SET v = '5' WHERE k = 'size'"
exit7 "a log whose size was rolled back refuses to start" "$vouch" log --log "$work/t3" append v1.json

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
