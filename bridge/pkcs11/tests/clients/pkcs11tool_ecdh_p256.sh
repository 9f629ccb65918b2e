#!/bin/bash
# ECDH with CKD_NULL on a P-256 card: pkcs11-tool --derive with an ephemeral key's public half
# gives the shared secret OpenSSL computes from that key and the card's decryption key.
. "$(dirname "$0")/common.inc"
need_card --alg p256
t=$OPGP_TEST_TMP
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$t/eph.pem" || fail "genpkey"
openssl pkey -in "$t/eph.pem" -pubout -outform DER -out "$t/eph.der" || fail "eph pub"
openssl pkeyutl -derive -inkey "$t/eph.pem" -peerkey "$OPGP_TEST_PUBKEYS/dec.pem" -out "$t/want" ||
    fail "openssl derive"
pkcs11-tool --module "$M" --login --pin 123456 --derive -m ECDH1-DERIVE --id 02 \
    -i "$t/eph.der" -o "$t/got" || fail "pkcs11-tool --derive"
[ "$(stat -c %s "$t/got")" = 32 ] || fail "secret is not 32 bytes"
cmp "$t/want" "$t/got" || fail "the card's secret differs from OpenSSL's"
# The same through the module's own API test tool (raw point, not DER).
openssl pkey -in "$t/eph.pem" -pubout -outform DER | tail -c 65 > "$t/eph.raw"
"${OPGP_P11_ECDH_TOOL:?}" "$M" 123456 "$t/eph.raw" "$t/got2" || fail "p11_ecdh_tool"
cmp "$t/want" "$t/got2" || fail "raw point: secret differs"
echo PASS
