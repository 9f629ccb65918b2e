#!/bin/bash
# pkcs11-tool on an RSA-2048 card: lists slots and objects; signs with CKM_RSA_PKCS and
# SHA256-RSA-PKCS (authentication and signature keys), each signature verified by OpenSSL against
# the card's exported public keys; decrypts what OpenSSL encrypted to the decryption key.
. "$(dirname "$0")/common.inc"
need_card --alg rsa2048
t=$OPGP_TEST_TMP
out=$(pkcs11-tool --module "$M" -L -O 2>&1) || fail "-L -O: $out"
for want in "opgp-sim 00 00" "Authentication key" "Signature key" "Decryption key" \
            "Authentication certificate" "RSA 2048 bits"; do
    grep -q "$want" <<<"$out" || fail "'$want' not listed"
done
head -c 1000 /dev/urandom > "$t/in"
for id in 03 01; do
    pem=$([ $id = 03 ] && echo aut || echo sig)
    pkcs11-tool --module "$M" --login --pin 123456 --sign --id $id -m SHA256-RSA-PKCS \
        -i "$t/in" -o "$t/sig$id" || fail "SHA256-RSA-PKCS sign with $id"
    openssl dgst -sha256 -verify "$OPGP_TEST_PUBKEYS/$pem.pem" -signature "$t/sig$id" "$t/in" ||
        fail "verify $id"
done
# CKM_RSA_PKCS: the caller's DigestInfo, padded by the card.
openssl dgst -sha256 -binary "$t/in" > "$t/h"
printf '\x30\x31\x30\x0d\x06\x09\x60\x86\x48\x01\x65\x03\x04\x02\x01\x05\x00\x04\x20' |
    cat - "$t/h" > "$t/di"
pkcs11-tool --module "$M" --login --pin 123456 --sign --id 03 -m RSA-PKCS -i "$t/di" \
    -o "$t/raw" || fail "RSA-PKCS sign"
openssl dgst -sha256 -verify "$OPGP_TEST_PUBKEYS/aut.pem" -signature "$t/raw" "$t/in" ||
    fail "verify RSA-PKCS"
head -c 32 /dev/urandom > "$t/secret"
openssl pkeyutl -encrypt -pubin -inkey "$OPGP_TEST_PUBKEYS/dec.pem" \
    -pkeyopt rsa_padding_mode:pkcs1 -in "$t/secret" -out "$t/enc" || fail "openssl encrypt"
pkcs11-tool --module "$M" --login --pin 123456 --decrypt --id 02 -m RSA-PKCS \
    -i "$t/enc" -o "$t/dec" || fail "decrypt"
cmp "$t/secret" "$t/dec" || fail "decrypted data differs"
# Mechanisms: hardware, and no RSA-PSS or raw RSA.
mechs=$(pkcs11-tool --module "$M" -M 2>&1)
grep -q "SHA256-RSA-PKCS, keySize={1024,4096}, hw, sign" <<<"$mechs" || fail "mechanisms: $mechs"
grep -qE "RSA-PKCS-PSS|RSA-X-509" <<<"$mechs" && fail "PSS or raw RSA advertised"
echo PASS
