#!/bin/bash
# pkcs11-tool signs with the P-256 authentication key (id 03); OpenSSL verifies the signature.
. "$(dirname "$0")/common.inc"
need_card p256
t=$OPGP_TEST_TMP
out=$(pkcs11-tool --module "$P11" -O 2>&1) || fail "pkcs11-tool -O: $out"
grep -q "EC_POINT 256 bits" <<<"$out" || fail "P-256 key not listed: $out"
head -c 1000 /dev/urandom > "$t/in"
pkcs11-tool --module "$P11" --login --pin 123456 --sign --id 03 -m ECDSA-SHA256 \
    --signature-format openssl -i "$t/in" -o "$t/sig" || fail "sign"
openssl dgst -sha256 -verify "$OPGP_TEST_PUBKEYS/aut.pem" -signature "$t/sig" "$t/in" || fail "verify"
echo PASS
