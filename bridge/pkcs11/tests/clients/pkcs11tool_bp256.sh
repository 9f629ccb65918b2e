#!/bin/bash
# A brainpoolP256r1 card (keys cardmod cannot express, through opgp's vendor key specs):
# ECDSA-SHA256 and raw ECDSA with the signature and authentication keys verified by OpenSSL;
# ECDH with CKD_NULL equal to OpenSSL's secret; the certificates are listed.
. "$(dirname "$0")/common.inc"
need_card --alg bp256
t=$OPGP_TEST_TMP
out=$(pkcs11-tool --module "$M" -O 2>&1) || fail "-O: $out"
grep -q "EC_PARAMS:  06092b2403030208010107" <<<"$out" || fail "brainpool parameters not listed"
n=$(grep -c "Certificate Object" <<<"$out")
[ "$n" = 3 ] || fail "$n certificates listed"
head -c 700 /dev/urandom > "$t/in"
openssl dgst -sha256 -binary "$t/in" > "$t/h"
for id in 01 03; do
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
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:brainpoolP256r1 -out "$t/eph.pem" ||
    fail "genpkey"
openssl pkey -in "$t/eph.pem" -pubout -outform DER -out "$t/eph.der" || fail "eph pub"
openssl pkeyutl -derive -inkey "$t/eph.pem" -peerkey "$OPGP_TEST_PUBKEYS/dec.pem" -out "$t/want" ||
    fail "openssl derive"
pkcs11-tool --module "$M" --login --pin 123456 --derive -m ECDH1-DERIVE --id 02 \
    -i "$t/eph.der" -o "$t/got" || fail "pkcs11-tool --derive"
cmp "$t/want" "$t/got" || fail "brainpool ECDH secret differs from OpenSSL's"
echo PASS
