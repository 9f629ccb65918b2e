#!/bin/bash
# A Curve25519 card (Ed25519 signature and authentication keys, X25519 decryption key: keys
# cardmod cannot express): CKM_EDDSA signatures of the message verified by OpenSSL (-rawin);
# the signature certificate read back; X25519 ECDH (pkcs11-tool cannot: p11_ecdh_tool) equal
# to OpenSSL's secret.
. "$(dirname "$0")/common.inc"
need_card --alg cv25519
t=$OPGP_TEST_TMP
head -c 900 /dev/urandom > "$t/in"
for id in 01 03; do
    pem=$([ $id = 03 ] && echo aut || echo sig)
    pkcs11-tool --module "$M" --login --pin 123456 --sign --id $id -m EDDSA -i "$t/in" \
        -o "$t/sig$id" || fail "EDDSA with $id"
    [ "$(stat -c %s "$t/sig$id")" = 64 ] || fail "signature $id is not 64 bytes"
    openssl pkeyutl -verify -rawin -pubin -inkey "$OPGP_TEST_PUBKEYS/$pem.pem" -in "$t/in" \
        -sigfile "$t/sig$id" || fail "verify EdDSA $id"
done
openssl x509 -in "$OPGP_TEST_PUBKEYS/sig.crt" -outform DER -out "$t/sig.der" || fail "cert to DER"
pkcs11-tool --module "$M" --read-object --type cert --id 01 -o "$t/back.der" || fail "read cert"
cmp "$t/sig.der" "$t/back.der" || fail "certificate read back differs"
openssl genpkey -algorithm X25519 -out "$t/eph.pem" || fail "genpkey"
openssl pkey -in "$t/eph.pem" -pubout -outform DER | tail -c 32 > "$t/eph.raw"
openssl pkeyutl -derive -inkey "$t/eph.pem" -peerkey "$OPGP_TEST_PUBKEYS/dec.pem" -out "$t/want" ||
    fail "openssl derive"
"${OPGP_P11_ECDH_TOOL:?}" "$M" 123456 "$t/eph.raw" "$t/got" || fail "p11_ecdh_tool"
cmp "$t/want" "$t/got" || fail "X25519 secret differs from OpenSSL's"
echo PASS
