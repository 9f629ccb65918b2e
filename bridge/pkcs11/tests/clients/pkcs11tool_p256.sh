#!/bin/bash
# pkcs11-tool on a P-256 card: EC objects listed; ECDSA (raw digest) and ECDSA-SHA256 signatures
# with the authentication and signature keys verified by OpenSSL.
. "$(dirname "$0")/common.inc"
need_card --alg p256
t=$OPGP_TEST_TMP
out=$(pkcs11-tool --module "$M" -O 2>&1) || fail "-O: $out"
grep -q "EC_PARAMS:  06082a8648ce3d030107" <<<"$out" || fail "P-256 parameters not listed"
head -c 1000 /dev/urandom > "$t/in"
openssl dgst -sha256 -binary "$t/in" > "$t/h"
for id in 03 01; do
    pem=$([ $id = 03 ] && echo aut || echo sig)
    pkcs11-tool --module "$M" --login --pin 123456 --sign --id $id -m ECDSA-SHA256 \
        --signature-format openssl -i "$t/in" -o "$t/sig$id" || fail "ECDSA-SHA256 with $id"
    openssl dgst -sha256 -verify "$OPGP_TEST_PUBKEYS/$pem.pem" -signature "$t/sig$id" "$t/in" ||
        fail "verify $id"
    pkcs11-tool --module "$M" --login --pin 123456 --sign --id $id -m ECDSA \
        --signature-format openssl -i "$t/h" -o "$t/raw$id" || fail "ECDSA with $id"
    openssl pkeyutl -verify -pubin -inkey "$OPGP_TEST_PUBKEYS/$pem.pem" -in "$t/h" \
        -sigfile "$t/raw$id" || fail "verify raw ECDSA $id"
done
echo PASS
