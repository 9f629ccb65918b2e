#!/bin/bash
# key import: private keys made by openssl (PEM: PKCS#8 RSA, traditional EC, encrypted PKCS#8,
# brainpool, Ed25519, X25519; PKCS#12 with a passphrase and a certificate) go into the card; the card then signs (or
# derives) through the PKCS#11 module and OpenSSL checks the result with the ORIGINAL key.
# Refusals: a wrong passphrase and a key the slot cannot hold use no admin PIN try; a wrong
# admin PIN says how many tries are left and leaves the slot unchanged.
. "$(dirname "$0")/common.inc"
need_card rsa2048
t=$OPGP_TEST_TMP
M=${OPGP_BUILD_DIR:-$REPO/build/native}/bridge/pkcs11/opgp-pkcs11.so
[ -f "$M" ] || fail "no PKCS#11 module at $M"
head -c 700 /dev/urandom > "$t/in"
p11sign() { # id mechanism out
    pkcs11-tool --module "$M" --login --pin 123456 --sign --id "$1" -m "$2" \
        --signature-format openssl -i "$t/in" -o "$3" >/dev/null 2>&1
}
pw3_tries() { json_get 'd["pin_retries"]["pw3"]'; }

# RSA 2048, PKCS#8 PEM, into sig.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$t/rsa.pem" 2>/dev/null
openssl pkey -in "$t/rsa.pem" -pubout -out "$t/rsa.pub"
out=$(with_pins 12345678 key import sig "$t/rsa.pem" 2>&1) || fail "import rsa: $out"
echo "$out"
grep -q "signature key imported: RSA 2048" <<<"$out" || fail "import message"
[ "$(json_get 'd["keys"][0]["origin"]')" = imported ] || fail "origin not imported"
"$TOOL" key export sig | cmp -s - "$t/rsa.pub" || fail "sig public key is not the file's"
p11sign 01 SHA256-RSA-PKCS "$t/s1" || fail "PKCS#11 RSA signature"
openssl dgst -sha256 -verify "$t/rsa.pub" -signature "$t/s1" "$t/in" || fail "RSA verify"
grep -qF "Signature key ....: $(json_get 'd["keys"][0]["fingerprint_grouped"]')" \
    <<<"$(gpg --batch --card-status 2>&1)" || fail "gpg sees another sig fingerprint"
gpgconf --kill gpg-agent

# NIST P-256 in the traditional "EC PRIVATE KEY" form, into aut.
openssl ecparam -name prime256v1 -genkey -noout -out "$t/p256.pem"
openssl ec -in "$t/p256.pem" -pubout -out "$t/p256.pub" 2>/dev/null
with_pins 12345678 key import aut "$t/p256.pem" >/dev/null || fail "import p256"
[ "$(json_get 'd["keys"][2]["algorithm"]')" = "ECDSA NIST P-256" ] || fail "aut algorithm"
p11sign 03 ECDSA-SHA256 "$t/s3" || fail "PKCS#11 ECDSA signature"
openssl dgst -sha256 -verify "$t/p256.pub" -signature "$t/s3" "$t/in" || fail "P-256 verify"

# The same P-256 key as encrypted PKCS#8: the passphrase comes first on --pin-fd.
openssl pkcs8 -topk8 -in "$t/p256.pem" -v2 aes-256-cbc -passout pass:pem-pass -out "$t/p256e.pem"
grep -q "BEGIN ENCRYPTED PRIVATE KEY" "$t/p256e.pem" || fail "not encrypted"
with_pins "pem-pass 12345678" key import aut "$t/p256e.pem" >/dev/null ||
    fail "import encrypted PEM"
"$TOOL" key export aut | cmp -s - "$t/p256.pub" || fail "encrypted PEM: another key"

# brainpoolP384r1 into sig, signed through the card's CSR (verified with the file's key).
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:brainpoolP384r1 -out "$t/bp.pem"
openssl pkey -in "$t/bp.pem" -pubout -out "$t/bp.pub"
with_pins 12345678 key import sig "$t/bp.pem" >/dev/null || fail "import bp384"
[ "$(json_get 'd["keys"][0]["algorithm"]')" = "ECDSA brainpoolP384r1" ] || fail "bp algorithm"
p11sign 01 ECDSA-SHA384 "$t/sbp" || fail "PKCS#11 brainpool signature"
openssl dgst -sha384 -verify "$t/bp.pub" -signature "$t/sbp" "$t/in" || fail "bp384 verify"

# Ed25519 into aut: a CSR signed by the card, verified with the file's public key.
openssl genpkey -algorithm ED25519 -out "$t/ed.pem"
openssl pkey -in "$t/ed.pem" -pubout -out "$t/ed.pub"
with_pins 12345678 key import aut "$t/ed.pem" >/dev/null || fail "import ed25519"
with_pins 123456 key csr aut --subject /CN=imported >"$t/ed.csr" || fail "ed25519 csr"
openssl req -in "$t/ed.csr" -pubkey -noout | cmp -s - "$t/ed.pub" || fail "csr key not the file's"
python3 - "$t/ed.csr" "$t/ed.tbs" "$t/ed.sig" <<'PY' || fail "cannot split the request"
import base64, sys
der = base64.b64decode("".join(l for l in open(sys.argv[1]) if "-----" not in l))
def tlv(b, i):  # (start of value, end of value) of the DER element at i
    n = b[i + 1]; i += 2
    if n & 0x80:
        k = n & 0x7F; n = int.from_bytes(b[i:i + k], "big"); i += k
    return i, i + n
start, _ = tlv(der, 0)
_, info_end = tlv(der, start)
open(sys.argv[2], "wb").write(der[start:info_end])  # CertificationRequestInfo, as signed
open(sys.argv[3], "wb").write(der[-64:])           # the BIT STRING's 64 signature bytes
PY
openssl pkeyutl -verify -pubin -inkey "$t/ed.pub" -rawin -in "$t/ed.tbs" -sigfile "$t/ed.sig" ||
    fail "Ed25519 signature does not verify with the file's key"

# NIST P-384 into dec: the card's ECDH gives the secret OpenSSL computes with the file's key.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$t/p384.pem"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$t/eph.pem"
openssl pkey -in "$t/eph.pem" -pubout -outform DER -out "$t/eph.der"
openssl pkey -in "$t/eph.pem" -pubout -out "$t/eph.pub"
openssl pkeyutl -derive -inkey "$t/p384.pem" -peerkey "$t/eph.pub" -out "$t/want" ||
    fail "openssl derive"
with_pins 12345678 key import dec "$t/p384.pem" >/dev/null || fail "import p384 into dec"
[ "$(json_get 'd["keys"][1]["algorithm"]')" = "ECDH NIST P-384" ] || fail "dec algorithm"
pkcs11-tool --module "$M" --login --pin 123456 --derive -m ECDH1-DERIVE --id 02 \
    -i "$t/eph.der" -o "$t/got" >/dev/null 2>&1 || fail "PKCS#11 ECDH"
cmp -s "$t/want" "$t/got" || fail "card's ECDH secret differs from OpenSSL's"

# X25519 into dec: the card (which derives the public key from the imported secret) shows the
# file's public key, so the secret went in the byte order the card expects.
openssl genpkey -algorithm X25519 -out "$t/x.pem"
openssl pkey -in "$t/x.pem" -pubout -out "$t/x.pub"
with_pins 12345678 key import dec "$t/x.pem" >/dev/null || fail "import x25519"
"$TOOL" key export dec | cmp -s - "$t/x.pub" || fail "dec public key is not the file's"

# PKCS#12 with a passphrase and a certificate, into aut: key and certificate both land.
openssl req -x509 -newkey rsa:3072 -nodes -keyout "$t/p12key.pem" -subj /CN=p12-import \
    -days 30 -out "$t/p12.crt" 2>/dev/null
openssl pkcs12 -export -inkey "$t/p12key.pem" -in "$t/p12.crt" -passout pass:s3cret \
    -out "$t/k.p12"
openssl pkey -in "$t/p12key.pem" -pubout -out "$t/p12.pub"
before=$(pw3_tries)
out=$(with_pins "wrong 12345678" key import aut "$t/k.p12" 2>&1); rc=$?
[ $rc = 1 ] || fail "wrong passphrase: exit $rc"
grep -q "wrong passphrase for" <<<"$out" || fail "wrong passphrase message: $out"
[ "$(pw3_tries)" = "$before" ] || fail "a wrong passphrase cost an admin PIN try"
out=$(with_pins "s3cret 12345678" key import aut "$t/k.p12" 2>&1) || fail "import p12: $out"
echo "$out"
grep -q "authentication key imported: RSA 3072" <<<"$out" || fail "p12 message"
grep -q "certificate written to the authentication slot" <<<"$out" || fail "p12 cert message"
"$TOOL" cert read aut | cmp -s - <(openssl x509 -in "$t/p12.crt") || fail "cert not the p12's"
[ "$(json_get 'd["keys"][2]["certificate"]["subject"]')" = "CN=p12-import" ] ||
    fail "status subject"
p11sign 03 SHA256-RSA-PKCS "$t/s4" || fail "PKCS#11 RSA 3072 signature"
openssl dgst -sha256 -verify "$t/p12.pub" -signature "$t/s4" "$t/in" || fail "p12 verify"
# --no-cert keeps the card's certificate.
openssl pkcs12 -export -inkey "$t/rsa.pem" -nocerts -passout pass: -out "$t/nocert.p12"
with_pins 12345678 key import sig "$t/nocert.p12" >/dev/null ||
    fail "PKCS#12 without passphrase or certificate"
out=$(with_pins "s3cret 12345678" key import aut "$t/k.p12" --no-cert 2>&1) || fail "$out"
grep -q "not written (--no-cert)" <<<"$out" || fail "--no-cert message"

# Refusals.
out=$(with_pins 12345678 key import dec "$t/ed.pem" 2>&1); rc=$?
[ $rc = 1 ] && grep -q "Ed25519 key signs only" <<<"$out" || fail "ed25519 into dec: $rc $out"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out "$t/rsa1k.pem" 2>/dev/null
out=$(with_pins 12345678 key import sig "$t/rsa1k.pem" 2>&1); rc=$?
[ $rc = 1 ] && grep -q "1024 bits" <<<"$out" || fail "rsa1024: $rc $out"
[ "$(pw3_tries)" = "$before" ] || fail "refused files cost admin PIN tries"
fpr=$(json_get 'd["keys"][0]["fingerprint"]')
out=$(with_pins 99999999 key import sig "$t/rsa.pem" 2>&1); rc=$?
[ $rc = 2 ] || fail "wrong admin PIN: exit $rc"
grep -q "wrong admin PIN.*2 tries left" <<<"$out" || fail "tries message: $out"
[ "$(json_get 'd["keys"][0]["fingerprint"]')" = "$fpr" ] || fail "sig key changed"
echo PASS
