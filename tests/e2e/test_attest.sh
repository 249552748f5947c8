#!/usr/bin/env bash
# tests/e2e/test_attest.sh: `vouch key` and `vouch attest` from the command line: exit
# statuses (0 ok, 7 verification failed, distinct from 2/3/4 errors), key file safety, and the
# subject digest checked against coreutils sha256sum. Usage: test_attest.sh /path/to/vouch
set -uo pipefail
vouch=${1:?usage: $0 VOUCH}
pass=0
fail=0
expect() { # description, wanted exit status, command...
	local d=$1 want=$2 rc
	shift 2
	"$@" >/dev/null 2>&1
	rc=$?
	if [ "$rc" -eq "$want" ]; then echo "ok: $d"; pass=$((pass + 1)); else
		echo "FAIL: $d (exit $rc, wanted $want)"; fail=$((fail + 1)); fi
}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
printf 'firmware image\n' >fw.bin
printf 'something else\n' >other.bin
printf '{"verdict":"pass","findings":[],"checks":12}\n' >pred.json

expect "key generate" 0 "$vouch" key generate --name lab.example/attest -o lab.key
expect "key generate refuses to overwrite" 3 "$vouch" key generate --name x -o lab.key
expect "key generate refuses a bad name" 2 "$vouch" key generate --name 'bad name' -o bad.key
"$vouch" key public lab.key >lab.vkey 2>/dev/null
expect "key public" 0 test -s lab.vkey
expect "attest sign" 0 "$vouch" attest sign --key lab.key --subject fw.bin \
	--predicate-type https://vouch.example/verdict/v1 --predicate pred.json -o env.json
expect "attest sign refuses to overwrite its output" 3 "$vouch" attest sign --key lab.key \
	--subject fw.bin --predicate-type t --predicate pred.json -o env.json
expect "attest verify" 0 "$vouch" attest verify env.json --key lab.vkey --subject fw.bin
expect "attest verify with the vkey as text" 0 "$vouch" attest verify env.json --key "$(cat lab.vkey)"
"$vouch" attest verify env.json --key lab.vkey >stmt.json 2>/dev/null
sum=$(sha256sum fw.bin | cut -d' ' -f1)
expect "the statement's subject digest is sha256sum's" 0 grep -q "\"sha256\":\"$sum\"" stmt.json
expect "wrong subject: exit 7" 7 "$vouch" attest verify env.json --key lab.vkey --subject other.bin
"$vouch" key generate --name other -o other.key >other.vkey 2>/dev/null
expect "wrong key: exit 7" 7 "$vouch" attest verify env.json --key other.vkey
sed 's/"payloadType":"application\/vnd.in-toto+json"/"payloadType":"text\/plain"/' env.json >swapped.json
expect "payload type changed: exit 7" 7 "$vouch" attest verify swapped.json --key lab.vkey
printf 'not json' >junk.json
expect "malformed envelope: exit 4" 4 "$vouch" attest verify junk.json --key lab.vkey
expect "missing envelope: exit 3" 3 "$vouch" attest verify nothere.json --key lab.vkey
chmod 644 lab.key
expect "a world-readable key file is refused (exit 6)" 6 "$vouch" attest sign --key lab.key \
	--subject fw.bin --predicate-type t --predicate pred.json
chmod 600 lab.key
printf '{"x":0.5}' >real.json
expect "a real number in the predicate is refused" 4 "$vouch" attest sign --key lab.key \
	--subject fw.bin --predicate-type t --predicate real.json
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
