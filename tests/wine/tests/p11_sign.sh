#!/bin/bash
# p11-sign.exe under Wine with a simulated card: opgp-pkcs11.dll (reaching the card through the
# minidriver registered for its ATR, as the INF does) signs a message with the authentication or
# signature key (CKM_SHA256_RSA_PKCS / CKM_ECDSA_SHA256) and OpenSSL verifies it. A wrong PIN
# first fails in C_Login with CKR_PIN_INCORRECT; a changed message does not verify.
#   p11_sign.sh rsa2048|p256 aut|sig
set -u
. "$(dirname "$0")/common.inc"
[ $# = 2 ] || { echo "usage: p11_sign.sh ALG aut|sig" >&2; exit 2; }
alg=$1 which=$2
check_built "$P11_SIGN" "$P11_DLL" "$MD_DLL"
if [ -z "${OPGP_TEST_PUBKEYS:-}" ]; then
    exec "$WITH_CARD" --alg "$alg" "$0" "$@"
fi
case $which in aut) label="Authentication key" id=03 ;; sig) label="Signature key" id=01 ;; *) fail "key $which" ;; esac
case $alg in rsa*) mech=CKM_SHA256_RSA_PKCS type=RSA ;; *) mech=CKM_ECDSA_SHA256 type=EC ;; esac
cd "$OPGP_TEST_TMP" || exit 1
register_card
head -c 3000 /dev/urandom > msg
dll=$(win_path "$P11_DLL")

printf '000000\n' > wrong-pin; printf '123456\n' > pin
wine_to wrong.txt --stdin wrong-pin "$P11_SIGN" --dll "$dll" --key "$which" --pin-stdin \
    --in msg --out sig && fail "a wrong PIN signed"
grep -q "C_Login(CKU_USER) failed: CKR 0x000000A0" wrong.txt || fail "wrong PIN: $(cat wrong.txt)"

t0=$(now_ms)
wine_to out.txt --stdin pin "$P11_SIGN" --dll "$dll" --key "$which" --pin-stdin \
    --in msg --out sig || fail "p11-sign.exe exit $?: $(cat out.txt)"
t1=$(now_ms)
tr -d '\r' < out.txt > out && cat out
grep -q "^Slot: $OPGP_TEST_READER" out || fail "slot"
grep -q "^Key: \"$label\" (CKA_ID $id), $type" out || fail "key line"
grep -q "^Signature: $mech" out || fail "mechanism"
openssl dgst -sha256 -verify "$OPGP_TEST_PUBKEYS/$which.pem" -signature sig msg ||
    fail "openssl verify"
printf x >> msg
openssl dgst -sha256 -verify "$OPGP_TEST_PUBKEYS/$which.pem" -signature sig msg >/dev/null 2>&1 &&
    fail "a changed message verified"
echo "p11-sign.exe ($alg, $which key): $((t1 - t0)) ms under Wine"
echo PASS
