#!/bin/bash
# secp256k1 key pair generation through the module after an SO login (p11_keygen_test secp256k1):
# ECDSA in the signature slot and ECDH in the decryption slot of a NIST P-256 card. The CKM_ECDSA
# signature of the generated key verifies with openssl and not for another message; the
# CKM_ECDH1_DERIVE secret equals `openssl pkeyutl -derive`; pkcs11-tool then lists the new keys
# on secp256k1 and signs with the new signature key.
. "$(dirname "$0")/common.inc"
need_card --alg p256
T=${OPGP_P11_KEYGEN_TEST:?OPGP_P11_KEYGEN_TEST: the p11_keygen_test program}
t=$OPGP_TEST_TMP
head -c 700 /dev/urandom > "$t/msg"
openssl dgst -sha256 -binary "$t/msg" > "$t/msg.sha256"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:secp256k1 -out "$t/peer.pem" ||
    fail "genpkey secp256k1"
openssl pkey -in "$t/peer.pem" -pubout -outform DER | tail -c 65 > "$t/peer.raw"
"$T" "$M" "$t" secp256k1 || fail "p11_keygen_test secp256k1"
for f in k1_sig.der k1_dec.der; do
    openssl pkey -pubin -inform DER -in "$t/$f" -noout -text | grep -q "ASN1 OID: secp256k1" ||
        fail "$f is not a secp256k1 key"
done
openssl pkeyutl -verify -pubin -keyform DER -inkey "$t/k1_sig.der" -in "$t/msg.sha256" \
    -sigfile "$t/k1.sig" || fail "the generated key's ECDSA signature does not verify"
openssl dgst -sha256 -binary "$t/k1.sig" > "$t/other"
openssl pkeyutl -verify -pubin -keyform DER -inkey "$t/k1_sig.der" -in "$t/other" \
    -sigfile "$t/k1.sig" >/dev/null 2>&1 && fail "the signature verifies another digest"
openssl pkeyutl -derive -inkey "$t/peer.pem" -peerkey "$t/k1_dec.der" -peerform DER \
    -out "$t/want" || fail "openssl derive"
cmp "$t/want" "$t/k1.secret" || fail "ECDH secret differs from openssl's"
out=$(pkcs11-tool --module "$M" -O 2>&1) || fail "-O: $out"
n=$(grep -c "EC_PARAMS:  06052b8104000a" <<<"$out")
[ "$n" = 2 ] || fail "the new keys are not listed on secp256k1 ($n): $out"
pkcs11-tool --module "$M" --login --pin 123456 --sign --id 01 -m ECDSA-SHA256 \
    --signature-format openssl -i "$t/msg" -o "$t/tool.sig" || fail "pkcs11-tool sign with 01"
openssl dgst -sha256 -verify "$t/k1_sig.der" -keyform DER -signature "$t/tool.sig" "$t/msg" ||
    fail "pkcs11-tool's signature does not verify"
echo PASS
