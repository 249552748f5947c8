#!/usr/bin/env bash
# tests/e2e/test_sbom_schema.sh: SBOM documents written by libvouch (through the test emitter
# <build>/tests/sbom-emit, a hand-built model with hostile strings) validated against the
# official CycloneDX 1.6 and SPDX 2.3 JSON schemas by an independent validator (ajv, via
# tests/schema/validate.mjs), plus independent checks of the content: file digests against
# coreutils sha1sum/sha256sum, the creation time against date(1). Deliberately broken
# documents must FAIL validation, so we know the validator really runs.
# Needs node with tests/schema/node_modules (scripts/install-deps.sh) and the schemas in
# ../shared/vectors/schemas (VOUCH_SHARED): skips cleanly without them.
# Usage: test_sbom_schema.sh /path/to/vouch
set -uo pipefail
vouch=${1:?usage: $0 VOUCH}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
emit=$(dirname "$vouch")/tests/sbom-emit
validate="$root/tests/schema/validate.mjs"
export VOUCH_SHARED=${VOUCH_SHARED:-$root/../shared}
. "$(dirname "$0")/common.sh"
skip() { echo "skip: $1"; echo "$pass passed, $fail failed, 1 skipped"; exit 0; }

[ -d "$VOUCH_SHARED/vectors/schemas" ] || skip "no schemas in $VOUCH_SHARED/vectors/schemas"
command -v node >/dev/null || skip "node is not installed (scripts/install-deps.sh)"
[ -d "$root/tests/schema/node_modules/ajv" ] || skip "ajv is not installed (scripts/install-deps.sh)"
[ -x "$emit" ] || { bad "no emitter at $emit"; echo "$pass passed, $fail failed"; exit 1; }
command -v jq >/dev/null || skip "jq is not installed"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

valid() { # description, kind, file
	local out
	if out=$(node "$validate" "$2" "$3" 2>&1); then ok "$1"; else bad "$1"; echo "$out" | head -20; fi
}
invalid() { # description, kind, file, expected text in the errors
	local out
	if out=$(node "$validate" "$2" "$3" 2>&1); then
		bad "$1 (validator accepted it)"
	elif grep -qF -- "$4" <<<"$out"; then
		ok "$1"
	else
		bad "$1 (rejected, but not for '$4')"
		echo "$out" | head -10
	fi
}

for kind in cyclonedx spdx; do
	for variant in plain hostile empty; do
		f="$work/$kind-$variant.json"
		if "$emit" "$kind" "$variant" >"$f" 2>"$work/err"; then
			valid "$kind ($variant model) is valid against the official schema" "$kind" "$f"
		else
			bad "$kind ($variant model): the writer failed: $(cat "$work/err")"
		fi
	done
done

cdx="$work/cyclonedx-hostile.json"
spdx="$work/spdx-hostile.json"

# the output is valid UTF-8 whatever the model held (iconv rejects invalid sequences)
for f in "$cdx" "$spdx"; do
	if iconv -f UTF-8 -t UTF-8 "$f" >/dev/null 2>&1; then ok "$(basename "$f") is valid UTF-8"
	else bad "$(basename "$f") is not valid UTF-8"; fi
done

# file digests, checked with coreutils against the contents the model was built from
sha1=$(printf 'busybox binary\n' | sha1sum | cut -d' ' -f1)
sha256=$(printf 'busybox binary\n' | sha256sum | cut -d' ' -f1)
got=$(jq -r '.files[] | select(.fileName=="./router.bin/squashfs/bin/busybox") | .checksums[] | select(.algorithm=="SHA1") | .checksumValue' "$spdx")
[ "$got" = "$sha1" ] && ok "SPDX SHA1 of a file is sha1sum's" || bad "SPDX SHA1 $got, sha1sum says $sha1"
got=$(jq -r '.components[] | select(.name=="router.bin/squashfs/bin/busybox") | .hashes[] | select(.alg=="SHA-256") | .content' "$cdx")
[ "$got" = "$sha256" ] && ok "CycloneDX SHA-256 of a file is sha256sum's" || bad "CycloneDX SHA-256 $got, sha256sum says $sha256"
want=$(printf 'router image' | sha256sum | cut -d' ' -f1)
got=$(jq -r '.metadata.component.hashes[0].content' "$cdx")
[ "$got" = "$want" ] && ok "the image's SHA-256 is sha256sum's" || bad "image SHA-256 $got, wanted $want"
want=$(date -u -d @1700000000 +%Y-%m-%dT%H:%M:%SZ)
got=$(jq -r '.metadata.timestamp' "$cdx")
[ "$got" = "$want" ] && ok "the timestamp is date(1)'s for the model's time" || bad "timestamp $got, date says $want"
got=$(jq -r '.creationInfo.created' "$spdx")
[ "$got" = "$want" ] && ok "SPDX created is date(1)'s" || bad "created $got, date says $want"

# dependency edges: DT_NEEDED busybox -> libssl -> libcrypto, in both formats
n=$(jq '[.relationships[] | select(.relationshipType=="DYNAMIC_LINK")] | length' "$spdx")
[ "$n" = 3 ] && ok "SPDX has the 3 DT_NEEDED edges as DYNAMIC_LINK" || bad "SPDX DYNAMIC_LINK count $n, wanted 3"
n=$(jq '[.dependencies[].dependsOn[]] | length' "$cdx")
[ "$n" = 4 ] && ok "CycloneDX has the 4 resolvable edges" || bad "CycloneDX dependsOn count $n, wanted 4"

# the same model twice gives the same bytes
"$emit" cyclonedx hostile >"$work/again.json"
cmp -s "$cdx" "$work/again.json" && ok "the same model gives the same bytes" || bad "output differs between runs"

# broken documents must fail, each for the reason we broke it
jq '.components[0].type = "librarie"' "$work/cyclonedx-plain.json" >"$work/b1.json"
invalid "CycloneDX with an unknown component type is rejected" cyclonedx "$work/b1.json" "type"
jq '.components[0].evidence.identity[0].methods[0].technique = "guessing"' "$work/cyclonedx-plain.json" >"$work/b2.json"
invalid "CycloneDX with an identity technique outside the enum is rejected" cyclonedx "$work/b2.json" "technique"
jq '.components[1]."bom-ref" = .components[0]."bom-ref"' "$work/cyclonedx-plain.json" >"$work/b3.json"
invalid "CycloneDX with a duplicate bom-ref is rejected" cyclonedx "$work/b3.json" "not unique"
jq 'del(.packages[1].downloadLocation)' "$work/spdx-plain.json" >"$work/b4.json"
invalid "SPDX package without downloadLocation is rejected" spdx "$work/b4.json" "downloadLocation"
jq '.relationships[0].relationshipType = "LINKS_TO"' "$work/spdx-plain.json" >"$work/b5.json"
invalid "SPDX with an unknown relationship type is rejected" spdx "$work/b5.json" "relationshipType"
jq '.packages[1].SPDXID = "SPDXRef-has space"' "$work/spdx-plain.json" >"$work/b6.json"
invalid "SPDX with an invalid SPDX identifier is rejected" spdx "$work/b6.json" "SPDXRef-[A-Za-z0-9.-]+"
jq '.files[0].checksums |= map(select(.algorithm != "SHA1"))' "$work/spdx-plain.json" >"$work/b7.json"
invalid "SPDX file without SHA1 is rejected" spdx "$work/b7.json" "no SHA1"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
