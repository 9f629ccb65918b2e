#!/bin/bash
# The SO (admin PIN) manages the card: deletes and writes a certificate (C_DestroyObject,
# C_CreateObject), generates a P-256 key in the authentication slot (C_GenerateKeyPair) which
# then signs; the signature verifies with the public key read back from the token.
. "$(dirname "$0")/common.inc"
need_card --alg rsa2048
t=$OPGP_TEST_TMP
so=(--login --login-type so --so-pin 12345678)
openssl x509 -in "$OPGP_TEST_PUBKEYS/sig.crt" -outform DER -out "$t/sig.der" || fail "cert to DER"
pkcs11-tool --module "$M" "${so[@]}" --delete-object --type cert --id 03 || fail "delete cert"
n=$(pkcs11-tool --module "$M" -O --type cert | grep -c "Certificate Object")
[ "$n" = 2 ] || fail "$n certificates after delete"
pkcs11-tool --module "$M" "${so[@]}" --write-object "$t/sig.der" --type cert --id 03 || fail "write cert"
pkcs11-tool --module "$M" --read-object --type cert --id 03 -o "$t/back.der" || fail "read cert"
cmp "$t/sig.der" "$t/back.der" || fail "certificate read back differs"
pkcs11-tool --module "$M" "${so[@]}" --keypairgen --key-type EC:prime256v1 --id 03 || fail "keypairgen"
pkcs11-tool --module "$M" --read-object --type pubkey --id 03 -o "$t/pub.der" || fail "read pubkey"
head -c 500 /dev/urandom > "$t/in"
pkcs11-tool --module "$M" --login --pin 123456 --sign --id 03 -m ECDSA-SHA256 \
    --signature-format openssl -i "$t/in" -o "$t/sig" || fail "sign with the new key"
openssl dgst -sha256 -verify "$t/pub.der" -keyform DER -signature "$t/sig" "$t/in" ||
    fail "verify with the generated key"
# The user cannot write certificates.
pkcs11-tool --module "$M" --login --pin 123456 --write-object "$t/sig.der" --type cert --id 01 \
    2>/dev/null && fail "user wrote a certificate"
echo PASS
