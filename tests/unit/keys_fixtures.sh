#!/usr/bin/env bash
# tests/unit/keys_fixtures.sh OUT: real keys and certificates for test_keys, made by
# independent tools (openssl, ssh-keygen, dropbearkey/dropbearconvert), with the facts the
# test must find computed by those same tools, never by vouch:
#   OUT/keys.tsv   file <TAB> type <TAB> bits <TAB> spki-sha256 <TAB> ssh-fp <TAB> encrypted
#                  <TAB> format (as made here: the command that wrote the file decides it)
#                  (bits "-" when not compared; spki "-" when the key has no public part in
#                   the file; ssh-fp "-" when the type has no SSH form)
#   OUT/certs.tsv  file <TAB> subject (RFC 2253) <TAB> notAfter (ISO 8601) <TAB> spki-sha256
#                  <TAB> the finding ids the certificate must produce (comma-separated)
# spki-sha256 is `openssl pkey -pubout -outform DER | sha256sum` (or the same over the
# public key exported by ssh-keygen -e -m PKCS8, which covers RSA, DSA and ECDSA); ssh-fp is `ssh-keygen -l -E sha256`.
# Exits 77 (skip) when a tool is missing.
set -euo pipefail
out=${1:?usage: $0 OUT}
for t in openssl ssh-keygen dropbearkey dropbearconvert base64 sha256sum; do
	command -v "$t" >/dev/null 2>&1 || { echo "keys_fixtures: $t missing" >&2; exit 77; }
done
mkdir -p "$out"
cd "$out"
: >keys.tsv
: >certs.tsv

spki_of_priv() { openssl pkey -in "$1" -pubout -outform DER 2>/dev/null | sha256sum | cut -d' ' -f1; }
spki_of_sshpub() { # an OpenSSH .pub line (RSA, ECDSA via ssh-keygen; Ed25519 by its definition)
	local pub=$1 type
	type=$(cut -d' ' -f1 "$pub")
	if [ "$type" = ssh-ed25519 ]; then
		# RFC 8410 SubjectPublicKeyInfo: fixed prefix + the 32 bytes at the end of the blob,
		# checked by openssl parsing it back
		{ printf '\x30\x2a\x30\x05\x06\x03\x2b\x65\x70\x03\x21\x00'
		  cut -d' ' -f2 "$pub" | base64 -d | tail -c 32; } >"$pub.spki.der"
		openssl pkey -pubin -inform DER -in "$pub.spki.der" -outform DER | sha256sum | cut -d' ' -f1
	else
		ssh-keygen -e -m PKCS8 -f "$pub" | openssl pkey -pubin -outform DER | sha256sum | cut -d' ' -f1
	fi
}
sshfp() { ssh-keygen -l -E sha256 -f "$1" | cut -d' ' -f2; }
sshbits() { ssh-keygen -l -E sha256 -f "$1" | cut -d' ' -f1; }
row() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>keys.tsv; }

# ---- PEM and DER keys from openssl ----
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out rsa1024.pem 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa2048.pem 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec256.pem 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out ec384.pem 2>/dev/null
openssl genpkey -algorithm ED25519 -out ed25519.pem 2>/dev/null
openssl pkey -in rsa2048.pem -traditional -out rsa2048.pkcs1.pem
openssl ec -in ec256.pem -out ec256.sec1.pem 2>/dev/null
openssl pkcs8 -topk8 -nocrypt -in rsa2048.pem -outform DER -out rsa2048.p8.der
openssl rsa -in rsa1024.pem -traditional -outform DER -out rsa1024.pkcs1.der 2>/dev/null
openssl ec -in ec256.pem -outform DER -out ec256.sec1.der 2>/dev/null
openssl pkcs8 -topk8 -nocrypt -in ed25519.pem -outform DER -out ed25519.p8.der
openssl pkey -in ec256.pem -aes256 -passout pass:not-a-default -out ec256.enc.pem
openssl rsa -in rsa1024.pem -aes128 -traditional -passout pass:not-a-default -out rsa1024.legacyenc.pem 2>/dev/null
# ssh fingerprints of PEM keys, from ssh-keygen (which reads PEM private keys)
for f in rsa1024.pem rsa2048.pem ec256.pem ec384.pem; do chmod 600 "$f"; done
bits() { openssl pkey -in "$1" -noout -text | head -1 | sed -n 's/.*(\([0-9]*\) bit.*/\1/p'; }
row rsa1024.pem RSA "$(bits rsa1024.pem)" "$(spki_of_priv rsa1024.pem)" "$(sshfp rsa1024.pem)" no pem-pkcs8
row rsa2048.pem RSA "$(bits rsa2048.pem)" "$(spki_of_priv rsa2048.pem)" "$(sshfp rsa2048.pem)" no pem-pkcs8
row rsa2048.pkcs1.pem RSA 2048 "$(spki_of_priv rsa2048.pem)" "$(sshfp rsa2048.pem)" no pem-pkcs1
row ec256.pem EC "$(bits ec256.pem)" "$(spki_of_priv ec256.pem)" "$(sshfp ec256.pem)" no pem-pkcs8
row ec256.sec1.pem EC 256 "$(spki_of_priv ec256.pem)" "$(sshfp ec256.pem)" no pem-sec1
row ec384.pem EC "$(bits ec384.pem)" "$(spki_of_priv ec384.pem)" "$(sshfp ec384.pem)" no pem-pkcs8
row ed25519.pem ED25519 - "$(spki_of_priv ed25519.pem)" - no pem-pkcs8
row rsa2048.p8.der RSA 2048 "$(spki_of_priv rsa2048.pem)" - no der-pkcs8
row rsa1024.pkcs1.der RSA 1024 "$(spki_of_priv rsa1024.pem)" - no der-pkcs1
row ec256.sec1.der EC 256 "$(spki_of_priv ec256.pem)" - no der-sec1
row ed25519.p8.der ED25519 - "$(spki_of_priv ed25519.pem)" - no der-pkcs8
row ec256.enc.pem - - - - yes pem-pkcs8-encrypted
row rsa1024.legacyenc.pem - - - - yes pem-encrypted

# ---- OpenSSH keys ----
ssh-keygen -q -t ed25519 -N '' -C fixture -f ssh_ed25519
ssh-keygen -q -t rsa -b 2048 -N '' -C fixture -f ssh_rsa
ssh-keygen -q -t ecdsa -b 256 -N '' -C fixture -f ssh_ecdsa
ssh-keygen -q -t ed25519 -N 'a passphrase' -C fixture -f ssh_ed25519_enc
for k in ssh_ed25519 ssh_rsa ssh_ecdsa ssh_ed25519_enc; do
	enc=no
	[ "$k" = ssh_ed25519_enc ] && enc=yes
	t=$(ssh-keygen -l -f "$k.pub" | sed 's/.*(\(.*\))$/\1/')
	case $t in ECDSA) t=EC ;; esac
	b=$(sshbits "$k.pub")
	[ "$t" = ED25519 ] && b=-
	row "$k" "$t" "$b" "$(spki_of_sshpub "$k.pub")" "$(sshfp "$k.pub")" "$enc" pem-openssh
done

# ---- Dropbear keys (dropbearkey), fingerprints through dropbearconvert + ssh-keygen ----
dropbearkey -t rsa -s 2048 -f db_rsa >/dev/null 2>&1
dropbearkey -t ecdsa -s 256 -f db_ecdsa >/dev/null 2>&1
dropbearkey -t ed25519 -f db_ed25519 >/dev/null 2>&1
dropbearkey -t dss -f db_dss >/dev/null 2>&1
for k in db_rsa db_ecdsa db_ed25519 db_dss; do
	dropbearconvert dropbear openssh "$k" "$k.openssh" >/dev/null 2>&1
	chmod 600 "$k.openssh"
	ssh-keygen -y -f "$k.openssh" >"$k.pub"
	t=$(ssh-keygen -l -f "$k.pub" | sed 's/.*(\(.*\))$/\1/')
	case $t in ECDSA) t=EC ;; esac
	b=$(sshbits "$k.pub")
	[ "$t" = ED25519 ] && b=-
	row "$k" "$t" "$b" "$(spki_of_sshpub "$k.pub")" "$(sshfp "$k.pub")" no dropbear
done

# ---- PKCS#12 ----
openssl req -x509 -newkey rsa:2048 -nodes -keyout p12.key -out p12.crt -subj /CN=p12 -days 30 2>/dev/null
openssl pkcs12 -export -inkey p12.key -in p12.crt -passout pass: -out empty.p12
openssl pkcs12 -export -inkey p12.key -in p12.crt -passout pass:changeit -out changeit.p12
openssl pkcs12 -export -inkey p12.key -in p12.crt -passout pass:Kq7-not-a-default -out real.p12
openssl pkcs12 -export -inkey p12.key -in p12.crt -passout pass:x -iter 65536 -maciter -out giant.p12 2>/dev/null ||
	openssl pkcs12 -export -inkey p12.key -in p12.crt -passout pass:x -iter 65536 -out giant.p12
# every INTEGER 65536 (02 03 01 00 00) becomes 8388607 (02 03 7f ff ff): same length
python3 - giant.p12 <<'EOF'
import sys
p = sys.argv[1]
b = open(p, 'rb').read()
n = b.count(b'\x02\x03\x01\x00\x00')
assert n >= 1, n
open(p, 'wb').write(b.replace(b'\x02\x03\x01\x00\x00', b'\x02\x03\x7f\xff\xff'))
EOF
p12spki=$(spki_of_priv p12.key)
row empty.p12 RSA 2048 "$p12spki" - no pkcs12
row changeit.p12 RSA 2048 "$p12spki" - no pkcs12
row real.p12 - - - - yes pkcs12

# ---- certificates ----
crow() { # file ids
	local f=$1 subj end spki
	subj=$(openssl x509 -in "$f" -noout -subject -nameopt RFC2253 | sed 's/^subject=//')
	end=$(date -u -d "$(openssl x509 -in "$f" -noout -enddate | sed 's/^notAfter=//')" +%Y-%m-%dT%H:%M:%SZ)
	spki=$(openssl x509 -in "$f" -noout -pubkey | openssl pkey -pubin -outform DER | sha256sum | cut -d' ' -f1)
	printf '%s\t%s\t%s\t%s\t%s\n' "$f" "$subj" "$end" "$spki" "$2" >>certs.tsv
}
# a CA (req -x509 marks it CA:TRUE by default) and a leaf it signs (CA:FALSE, sha256)
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -subj "/O=Fixture/CN=Fixture Root" -days 3650 2>/dev/null
openssl req -new -newkey rsa:2048 -nodes -keyout leaf.key -out leaf.csr -subj /CN=device.example 2>/dev/null
printf 'basicConstraints=CA:FALSE\n' >leaf.ext
openssl x509 -req -in leaf.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 365 -sha256 -extfile leaf.ext -out leaf.crt 2>/dev/null
openssl x509 -in leaf.crt -outform DER -out leaf.der
# weak: RSA-1024 leaf signed with SHA-1 by the CA
openssl req -new -newkey rsa:1024 -nodes -keyout weak.key -out weak.csr -subj /CN=weak.example 2>/dev/null
openssl x509 -req -in weak.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 365 -sha1 -extfile leaf.ext -out weak.crt 2>/dev/null
# expired, self-signed, not a CA (openssl ca with explicit dates)
mkdir -p caw && touch caw/index.txt && echo 01 >caw/serial
cat >caw/ca.cnf <<'EOF'
[ca]
default_ca = c
[c]
database = caw/index.txt
new_certs_dir = caw
serial = caw/serial
policy = p
default_md = sha256
unique_subject = no
[p]
commonName = supplied
[ext]
basicConstraints = CA:FALSE
EOF
openssl req -new -newkey rsa:2048 -nodes -keyout expired.key -out expired.csr -subj /CN=expired.example 2>/dev/null
openssl ca -batch -config caw/ca.cnf -selfsign -keyfile expired.key -in expired.csr \
	-startdate 20000101000000Z -enddate 20010101000000Z -extensions ext -out expired.crt >/dev/null 2>&1
openssl x509 -in expired.crt -out expired.pem # drop the text dump openssl ca prepends
crow ca.crt "certificate.ca,certificate.self-signed"
crow leaf.crt ""
crow weak.crt "certificate.weak-key,certificate.weak-signature"
crow expired.pem "certificate.expired,certificate.self-signed"
cp leaf.der leaf.der.crt
printf '%s\t%s\t%s\t%s\t%s\n' leaf.der "$(cut -f2 <(grep '^leaf.crt' certs.tsv))" \
	"$(cut -f3 <(grep '^leaf.crt' certs.tsv))" "$(cut -f4 <(grep '^leaf.crt' certs.tsv))" "" >>certs.tsv
# a bundle of 6 (5 copies of the CA would be one cert 5 times: use distinct ones)
for i in 1 2 3 4; do
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout b$i.key -out b$i.crt -subj "/CN=Bundle Root $i" -days 3650 2>/dev/null
done
cat ca.crt b1.crt b2.crt b3.crt b4.crt weak.crt >bundle.pem

# ---- keys inside a copy of a real ELF binary ----
elf=$(command -v ssh-keygen) # it also holds "-----BEGIN OPENSSH PRIVATE KEY-----" as a constant
cp "$elf" host.elf
cp host.elf appended.elf
cat rsa2048.pkcs1.pem >>appended.elf
row appended.elf RSA 2048 "$(spki_of_priv rsa2048.pem)" "$(sshfp rsa2048.pem)" no pem-pkcs1
# DER inside .rodata: overwrite bytes in the middle of the section of a copy
ro=$(objdump -h host.elf | awk '$2 == ".rodata" { print $6, $3 }')
rooff=$((16#${ro% *}))
rosize=$((16#${ro#* }))
cp host.elf embedded.elf
dd if=ec256.sec1.der of=embedded.elf bs=1 seek=$((rooff + rosize / 2)) conv=notrunc status=none
dd if=db_ed25519 of=embedded.elf bs=1 seek=$((rooff + rosize / 4)) conv=notrunc status=none
row embedded.elf EC 256 "$(spki_of_priv ec256.pem)" - no der-sec1
row embedded.elf ED25519 - "$(spki_of_sshpub db_ed25519.pub)" "$(sshfp db_ed25519.pub)" no dropbear
# the OpenSSH binary container (base64 body decoded) inside a blob
sed '1d;$d' ssh_ecdsa | tr -d '\n' | base64 -d >ssh_ecdsa.bin
{ head -c 1000 /dev/urandom; cat ssh_ecdsa.bin; head -c 1000 /dev/urandom; } >opensshbin.blob
row opensshbin.blob EC 256 "$(spki_of_sshpub ssh_ecdsa.pub)" "$(sshfp ssh_ecdsa.pub)" no openssh-binary
echo ok
