# tests/e2e/common.sh: the counting every end-to-end script shares (sourced, not run:
# run-all.sh only runs test_*.sh). Each script prints one "ok: ..." or "FAIL: ..." line per
# check and ends with "N passed, N failed"; run-all.sh adds those up.
pass=0
fail=0
ok() { echo "ok: $1"; pass=$((pass + 1)); }
bad() { echo "FAIL: $1"; fail=$((fail + 1)); }
tally() { # FILE: print a python check's lines and count its ok:/FAIL: verdicts
	cat "$1"
	pass=$((pass + $(grep -c '^ok:' "$1")))
	fail=$((fail + $(grep -c '^FAIL:' "$1")))
	grep -q '^ok:' "$1" || bad "the check printed no verdict"
}
expect() { # description, wanted exit status, command...
	local d=$1 want=$2 rc
	shift 2
	"$@" >/dev/null 2>&1
	rc=$?
	if [ "$rc" -eq "$want" ]; then ok "$d"; else bad "$d (exit $rc, wanted $want)"; fi
}
