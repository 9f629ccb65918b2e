#!/bin/bash
# OpenSSL 3 with libp11's engine (libengine-pkcs11-openssl): an RSA signature with the
# authentication key named by a PKCS#11 URI, verified by OpenSSL.
. "$(dirname "$0")/common.inc"
need_card --alg rsa2048
[ -f /usr/lib/x86_64-linux-gnu/engines-3/pkcs11.so ] ||
    { echo "SKIP: libengine-pkcs11-openssl not installed"; exit 77; }
t=$OPGP_TEST_TMP
export PKCS11_MODULE_PATH="$M"
head -c 1000 /dev/urandom > "$t/in"
openssl dgst -engine pkcs11 -keyform engine -sha256 \
    -sign 'pkcs11:object=Authentication%20key;type=private;pin-value=123456' \
    -out "$t/sig" "$t/in" || fail "engine sign"
openssl dgst -sha256 -verify "$OPGP_TEST_PUBKEYS/aut.pem" -signature "$t/sig" "$t/in" ||
    fail "verify"
echo PASS
