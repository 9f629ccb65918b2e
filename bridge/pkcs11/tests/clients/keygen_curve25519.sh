#!/bin/bash
# Key pair generation through the module after an SO login (p11_keygen_test curve25519): Ed25519
# in the signature slot, X25519 in the decryption slot, brainpoolP256r1 in the authentication slot
# of an RSA card. The CKM_EDDSA signature verifies with openssl (-rawin) against the generated
# public key and not for another message; the X25519 secret from C_DeriveKey equals openssl's;
# the brainpool key signs through pkcs11-tool and openssl verifies it.
. "$(dirname "$0")/common.inc"
need_card --alg rsa2048
T=${OPGP_P11_KEYGEN_TEST:?OPGP_P11_KEYGEN_TEST: the p11_keygen_test program}
t=$OPGP_TEST_TMP
head -c 700 /dev/urandom > "$t/msg"
openssl genpkey -algorithm X25519 -out "$t/peer.pem" || fail "genpkey X25519"
openssl pkey -in "$t/peer.pem" -pubout -outform DER | tail -c 32 > "$t/peer.raw"
"$T" "$M" "$t" curve25519 || fail "p11_keygen_test curve25519"
openssl pkeyutl -verify -rawin -pubin -keyform DER -inkey "$t/ed25519.der" -in "$t/msg" \
    -sigfile "$t/ed25519.sig" || fail "Ed25519 signature of the generated key does not verify"
{ cat "$t/msg"; echo x; } > "$t/other"
openssl pkeyutl -verify -rawin -pubin -keyform DER -inkey "$t/ed25519.der" -in "$t/other" \
    -sigfile "$t/ed25519.sig" >/dev/null 2>&1 && fail "Ed25519 signature verifies another message"
openssl pkeyutl -derive -inkey "$t/peer.pem" -peerkey "$t/x25519.der" -peerform DER \
    -out "$t/want" || fail "openssl X25519 derive"
cmp "$t/want" "$t/x25519.secret" || fail "X25519 secret differs from openssl's"
pkcs11-tool --module "$M" --login --pin 123456 --sign --id 03 -m ECDSA-SHA256 \
    --signature-format openssl -i "$t/msg" -o "$t/bp.sig" || fail "brainpool sign"
openssl dgst -sha256 -verify "$t/bp256.der" -keyform DER -signature "$t/bp.sig" "$t/msg" ||
    fail "brainpool signature of the generated key does not verify"
echo PASS
