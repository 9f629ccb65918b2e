#!/bin/bash
# OpenSC's pkcs11-tool generates Curve25519 keys through the module (SO login): --keypairgen
# --key-type EC:edwards25519 in the signature slot, EC:curve25519 in the decryption slot (its
# CKA_EC_PARAMS for curve25519 carries a length byte one too large; the module accepts it).
# The Ed25519 key then signs with -m EDDSA and openssl verifies against the public key the token
# lists; the X25519 key agrees with an openssl key on the same secret (p11_ecdh_tool: pkcs11-tool
# cannot derive with X25519).
. "$(dirname "$0")/common.inc"
need_card --alg rsa2048
t=$OPGP_TEST_TMP
so=(--login --login-type so --so-pin 12345678)
# The 32-byte point of the public key with CKA_ID $1, from pkcs11-tool's listing, as SPKI DER
# (RFC 8410) with algorithm OID byte $2 (70 Ed25519, 6e X25519).
spki() {
    local hex
    hex=$(pkcs11-tool --module "$M" -O --type pubkey |
          awk -v id="$1" '/^Public Key Object/ { p = "" } $1 == "EC_POINT:" { p = $2 }
                          $1 == "ID:" && $2 == id && p != "" { print p }')
    [[ $hex =~ ^0420[0-9a-f]{64}$ ]] || fail "id $1: EC_POINT '$hex'"
    printf '302a300506032b65%s032100%s' "$2" "${hex:4}" | tr a-f A-F | basenc --base16 -d
}
pkcs11-tool --module "$M" "${so[@]}" --keypairgen --key-type EC:edwards25519 --id 01 ||
    fail "keypairgen EC:edwards25519"
pkcs11-tool --module "$M" "${so[@]}" --keypairgen --key-type EC:curve25519 --id 02 ||
    fail "keypairgen EC:curve25519"
pkcs11-tool --module "$M" -O --type privkey --login --pin 123456 > "$t/priv" || fail "list"
grep -q "EC_EDWARDS" "$t/priv" && grep -q "EC_MONTGOMERY" "$t/priv" || { cat "$t/priv"; fail "key types"; }
spki 01 70 > "$t/ed.der"
spki 02 6e > "$t/x.der"
head -c 600 /dev/urandom > "$t/in"
pkcs11-tool --module "$M" --login --pin 123456 --sign --id 01 -m EDDSA -i "$t/in" \
    -o "$t/sig" || fail "EDDSA with the generated key"
openssl pkeyutl -verify -rawin -pubin -keyform DER -inkey "$t/ed.der" -in "$t/in" \
    -sigfile "$t/sig" || fail "verify EdDSA with the generated key"
openssl genpkey -algorithm X25519 -out "$t/eph.pem" || fail "genpkey"
openssl pkey -in "$t/eph.pem" -pubout -outform DER | tail -c 32 > "$t/eph.raw"
openssl pkeyutl -derive -inkey "$t/eph.pem" -peerkey "$t/x.der" -peerform DER -out "$t/want" ||
    fail "openssl derive"
"${OPGP_P11_ECDH_TOOL:?}" "$M" 123456 "$t/eph.raw" "$t/got" || fail "p11_ecdh_tool"
cmp "$t/want" "$t/got" || fail "X25519 secret differs from openssl's"
echo PASS
