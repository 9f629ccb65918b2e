#!/bin/bash
# OpenSC's own self-test of a module (pkcs11-tool --test --login) on RSA and P-256 cards: random,
# every signature mechanism of every key that signs, decryption. It must report "No errors".
. "$(dirname "$0")/common.inc"
if [ -z "${OPGP_TEST_PUBKEYS:-}" ]; then
    "$WITH_CARD" --alg rsa2048 "$0" || exit $?
    exec "$WITH_CARD" --alg p256 "$0"
fi
out=$(pkcs11-tool --module "$M" --test --login --pin 123456 2>&1) || fail "--test: $out"
grep -q '^No errors' <<<"$out" || fail "--test did not pass: $out"
grep -q 'seems to be OK' <<<"$out" || fail "C_GenerateRandom not tested: $out"
if grep -q 'RSA' <<<"$(pkcs11-tool --module "$M" -O 2>&1)"; then
    for want in "RSA-PKCS: OK" "SHA256-RSA-PKCS: OK"; do
        grep -q "$want" <<<"$out" || fail "'$want' missing: $out"
    done
fi
echo PASS
