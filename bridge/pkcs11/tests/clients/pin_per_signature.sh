#!/bin/bash
# A card that wants the PIN for every signature: the signature key carries
# CKA_ALWAYS_AUTHENTICATE (the authentication key does not); two signatures, each with its own
# context-specific login done by pkcs11-tool, both verified. (C_Sign without that login failing
# with CKR_USER_NOT_LOGGED_IN is checked by pkcs11.api.pin_per_signature.)
. "$(dirname "$0")/common.inc"
need_card --alg rsa2048 --pin-per-signature
t=$OPGP_TEST_TMP
out=$(pkcs11-tool --module "$M" -O 2>&1) || fail "-O: $out"
head -c 300 /dev/urandom > "$t/a"
head -c 300 /dev/urandom > "$t/b"
pkcs11-tool --module "$M" --login --pin 123456 --sign --id 01 -m SHA256-RSA-PKCS \
    -i "$t/a" -o "$t/sa" || fail "first signature"
pkcs11-tool --module "$M" --login --pin 123456 --sign --id 01 -m SHA256-RSA-PKCS \
    -i "$t/b" -o "$t/sb" || fail "second signature"
openssl dgst -sha256 -verify "$OPGP_TEST_PUBKEYS/sig.pem" -signature "$t/sa" "$t/a" || fail "verify a"
openssl dgst -sha256 -verify "$OPGP_TEST_PUBKEYS/sig.pem" -signature "$t/sb" "$t/b" || fail "verify b"
# The authentication key is never per-signature: signing twice needs one login only.
pkcs11-tool --module "$M" --login --pin 123456 --sign --id 03 -m SHA256-RSA-PKCS \
    -i "$t/a" -o "$t/aa" || fail "authentication signature"
openssl dgst -sha256 -verify "$OPGP_TEST_PUBKEYS/aut.pem" -signature "$t/aa" "$t/a" || fail "verify aut"
echo PASS
