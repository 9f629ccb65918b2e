#!/bin/bash
# pkcs11-tool lists the RSA card's objects; signing with the authentication key (id 03) verifies with
# OpenSSL against the simulator's public key; decryption with id 02 returns what OpenSSL encrypted.
. "$(dirname "$0")/common.inc"
need_card rsa2048
t=$OPGP_TEST_TMP
out=$(pkcs11-tool --module "$P11" -L -O 2>&1) || fail "pkcs11-tool -L -O: $out"
echo "$out"
grep -q "opgp-sim 00 00" <<<"$out" || fail "slot not listed"
grep -q "Authentication key" <<<"$out" || fail "authentication key not listed"
grep -q "AUT certificate" <<<"$out" || fail "certificate not listed"
head -c 1000 /dev/urandom > "$t/in"
pkcs11-tool --module "$P11" --login --pin 123456 --sign --id 03 -m SHA256-RSA-PKCS \
    -i "$t/in" -o "$t/sig" || fail "sign"
openssl dgst -sha256 -verify "$OPGP_TEST_PUBKEYS/aut.pem" -signature "$t/sig" "$t/in" || fail "verify"
head -c 32 /dev/urandom > "$t/secret"
openssl pkeyutl -encrypt -pubin -inkey "$OPGP_TEST_PUBKEYS/dec.pem" -pkeyopt rsa_padding_mode:pkcs1 \
    -in "$t/secret" -out "$t/enc" || fail "openssl encrypt"
pkcs11-tool --module "$P11" --login --pin 123456 --decrypt --id 02 -m RSA-PKCS \
    -i "$t/enc" -o "$t/dec" || fail "decrypt"
cmp "$t/secret" "$t/dec" || fail "decrypted data differs"
echo PASS
