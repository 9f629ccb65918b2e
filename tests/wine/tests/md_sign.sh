#!/bin/bash
# md-sign.exe under Wine with a simulated card: opgpmd.dll signs SHA-256 of a message in
# container ALG's CONTAINER (0 authentication, ROLE_USER; 1 signature, PIN 3) and OpenSSL
# verifies it with the card's public key. A wrong PIN first fails in CardAuthenticateEx with
# SCARD_W_WRONG_CHV; a changed message does not verify.
#   md_sign.sh rsa2048|p256 0|1
set -u
. "$(dirname "$0")/common.inc"
[ $# = 2 ] || { echo "usage: md_sign.sh ALG CONTAINER" >&2; exit 2; }
alg=$1 container=$2
check_built "$MD_SIGN" "$MD_DLL"
if [ -z "${OPGP_TEST_PUBKEYS:-}" ]; then
    exec "$WITH_CARD" --alg "$alg" "$0" "$@"
fi
case $container in 0) pem=aut.pem pin_id=1 ;; 1) pem=sig.pem pin_id=3 ;; *) fail "container $container" ;; esac
case $alg in rsa*) key="Key: RSA ${alg#rsa} bits" ;; p256) key="Key: ECDSA P-256" ;; *) key="Key: " ;; esac
cd "$OPGP_TEST_TMP" || exit 1
head -c 3000 /dev/urandom > msg
dll=$(win_path "$MD_DLL")

printf '000000\n' > wrong-pin; printf '123456\n' > pin
wine_to wrong.txt --stdin wrong-pin "$MD_SIGN" --dll "$dll" --container "$container" --pin-stdin \
    --in msg --out sig && fail "a wrong PIN signed"
grep -q "CardAuthenticateEx failed: 0x8010006B" wrong.txt || fail "wrong PIN: $(cat wrong.txt)"

t0=$(now_ms)
wine_to out.txt --stdin pin "$MD_SIGN" --dll "$dll" --container "$container" --pin-stdin \
    --in msg --out sig || fail "md-sign.exe exit $?: $(cat out.txt)"
t1=$(now_ms)
tr -d '\r' < out.txt > out && cat out
grep -q "^Reader: $OPGP_TEST_READER\$" out || fail "reader"
atr=$(opensc-tool -a 2>/dev/null | tr -d ': \r\n')
grep -qi "^ATR: $atr" out || fail "ATR (opensc-tool says $atr)"
grep -q "^$key" out || fail "key line ($key)"
grep -q "^Container $container: PIN id $pin_id" out || fail "PIN id $pin_id"
openssl dgst -sha256 -verify "$OPGP_TEST_PUBKEYS/$pem" -signature sig msg || fail "openssl verify"
printf x >> msg
openssl dgst -sha256 -verify "$OPGP_TEST_PUBKEYS/$pem" -signature sig msg >/dev/null 2>&1 &&
    fail "a changed message verified"
echo "md-sign.exe ($alg, container $container): $((t1 - t0)) ms under Wine"
echo PASS
