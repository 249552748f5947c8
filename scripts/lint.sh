#!/usr/bin/env bash
# scripts/lint.sh: checks of the conventions in STYLE.md that a script can make.
#   - banned functions (curl's list, adapted): strcpy strcat sprintf vsprintf strtok gets
#     atoi atol atoll alloca, and VLAs (caught by -Wvla in the build);
#   - OpenSSL headers only under lib/crypto/;
#   - every .c file opens with a design comment.
# Prints offenders and exits 1 if any; ends with 'N passed, N failed' for the test runner.
set -uo pipefail
cd "$(dirname "$0")/.."
fail=0
pass=0
check() { # description, command producing offenders
	local out
	out=$(eval "$2" || true)
	if [ -n "$out" ]; then
		echo "FAIL: $1"
		echo "$out" | sed 's/^/  /'
		fail=$((fail + 1))
	else
		echo "ok: $1"
		pass=$((pass + 1))
	fi
}
src="lib src fuzz"
check "no banned functions" \
	"grep -rnE '\\b(strcpy|strcat|sprintf|vsprintf|strtok|gets|atoi|atol|atoll|alloca)[[:space:]]*\\(' $src --include='*.c' --include='*.h'"
check "OpenSSL only in lib/crypto" \
	"grep -rln '#include <openssl/' $src --include='*.c' --include='*.h' | grep -v '^lib/crypto/'"
check "every .c file opens with a design comment" \
	"for f in \$(find $src -name '*.c'); do head -c 2 \"\$f\" | grep -q '/\\*' || echo \"\$f\"; done"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
