#!/usr/bin/env bash
# tests/e2e/test_tlog_crash.sh: crash safety and concurrency of the transparency log.
#
# 30 times: start `vouch log append` on a batch of objects (and sometimes a checkpoint),
# SIGKILL it at a random moment, then check that `vouch log verify` passes (the log opens:
# its stored state is consistent) and that every index the appender printed (printed only
# once durable) is present with the digest of the object it was given. Then two appenders
# run at once and every index each acknowledged must be distinct and hold its object.
#
# Usage: test_tlog_crash.sh /path/to/vouch. Last line: 'N passed, N failed'.
set -uo pipefail
vouch=$(realpath "${1:?usage: $0 VOUCH}")
. "$(dirname "$0")/common.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
L="--log $work/log"
"$vouch" log $L init --origin crash.example/log >vkey 2>/dev/null || bad "init"
mkdir objs
for i in $(seq 1 300); do echo "crash object $i $RANDOM" >objs/o$i; done

# every acknowledged index must hold the digest of the object it was printed for
check_acks() { # ackfile objects...
	local ack=$1 n=0 i d want
	shift
	local objs=("$@")
	while read -r i; do
		[ -n "$i" ] || continue
		want=$(sha256sum "${objs[$n]}" | cut -c1-64)
		d=$("$vouch" log $L bundle "$i" 2>/dev/null | sed -n 's/^extra //p' | base64 -d | od -An -tx1 | tr -d ' \n')
		if [ -z "$d" ]; then
			# no checkpoint covers it yet: ask for one, then look again
			"$vouch" log $L checkpoint >/dev/null 2>&1
			d=$("$vouch" log $L bundle "$i" 2>/dev/null | sed -n 's/^extra //p' | base64 -d | od -An -tx1 | tr -d ' \n')
		fi
		if [ "$d" != "$want" ]; then
			echo "index $i: have '$d' want '$want'"
			return 1
		fi
		n=$((n + 1))
	done <"$ack"
	return 0
}

lost=0
broken=0
for it in $(seq 1 30); do
	batch=()
	for j in $(seq 1 $((RANDOM % 40 + 1))); do batch+=("objs/o$((RANDOM % 300 + 1))"); done
	# several appends in a row so that the kill can land between and inside them
	(
		for k in 1 2 3; do
			"$vouch" log $L append "${batch[@]}" || exit
			[ $((RANDOM % 2)) -eq 0 ] && "$vouch" log $L checkpoint >/dev/null
		done
	) >"ack.$it" 2>/dev/null &
	pid=$!
	sleep "0.0$((RANDOM % 10))$((RANDOM % 10))"
	kill -KILL "$pid" 2>/dev/null
	pkill -KILL -P "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	# the child vouch may have been killed too (it is in the subshell's group)
	if ! "$vouch" log $L verify >verify.out 2>&1; then
		broken=$((broken + 1))
		cat verify.out
	fi
	# acks come in groups of ${#batch[@]} per append; objects repeat per group
	objs=()
	for k in 1 2 3; do objs+=("${batch[@]}"); done
	if ! check_acks "ack.$it" "${objs[@]}"; then
		lost=$((lost + 1))
	fi
done
[ "$broken" -eq 0 ] && ok "30 SIGKILLs: 'vouch log verify' passes every time" || bad "$broken of 30 kills left a log that does not verify"
[ "$lost" -eq 0 ] && ok "30 SIGKILLs: every acknowledged index holds its object's digest" || bad "$lost of 30 kills lost an acknowledged entry"
acked=$(cat ack.* | wc -l)
echo "  ($acked acknowledged appends across the kills)"

# a damaged database refuses to start
cp -r log damaged
sqlite3 damaged/log.db "UPDATE hashes SET h = zeroblob(32) WHERE id = (SELECT max(id) FROM hashes WHERE id < (1 << 56))" 2>/dev/null
"$vouch" log --log "$work/damaged" append objs/o1 >/dev/null 2>&1
rc=$?
[ "$rc" -eq 7 ] && ok "a log with a damaged stored hash refuses to start (exit 7)" || bad "damaged log: exit $rc"

# two appenders at once
"$vouch" log $L checkpoint >/dev/null 2>&1
before=$("$vouch" log $L checkpoint 2>/dev/null | sed -n 2p)
a=()
b=()
for i in $(seq 1 150); do a+=("objs/o$i"); b+=("objs/o$((i + 150))"); done
(for o in "${a[@]:0:60}"; do "$vouch" log $L append "$o" || exit 1; done) >ackA 2>errA &
pa=$!
(for o in "${b[@]:0:60}"; do "$vouch" log $L append "$o" || exit 1; done) >ackB 2>errB &
pb=$!
wait "$pa"
ra=$?
wait "$pb"
rb=$?
[ "$ra" -eq 0 ] && [ "$rb" -eq 0 ] && ok "two concurrent appenders both succeed" || bad "concurrent appenders failed ($ra, $rb): $(cat errA errB)"
dups=$(cat ackA ackB | sort | uniq -d | wc -l)
total=$(cat ackA ackB | wc -l)
[ "$dups" -eq 0 ] && [ "$total" -eq 120 ] && ok "120 distinct indices acknowledged" || bad "indices: $total acknowledged, $dups duplicated"
"$vouch" log $L checkpoint >/dev/null 2>&1
if check_acks ackA "${a[@]:0:60}" && check_acks ackB "${b[@]:0:60}"; then
	ok "every concurrent append holds its own object"
else
	bad "concurrent appends mixed up"
fi
after=$("$vouch" log $L checkpoint 2>/dev/null | sed -n 2p)
[ "$after" -eq $((before + 120)) ] && ok "the tree grew by exactly 120" || bad "tree $before -> $after"
"$vouch" log $L verify >/dev/null 2>&1 && ok "log verify after concurrent appends" || bad "log verify after concurrent appends"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
