#!/bin/bash
# opgpcsp.dll under Wine, driven through advapi32/crypt32 by csp-test.exe, with a simulated
# RSA-2048 card: the provider registered as an INF would, containers enumerated, signatures by
# the authentication (AT_KEYEXCHANGE) and signature (AT_SIGNATURE) keys verified by OpenSSL
# (CryptoAPI's little-endian order reversed), a cryptogram OpenSSL made for the decryption key
# decrypted, KP_CERTIFICATE compared with the card's certificates, a CMS message signed through
# the MY store verified by OpenSSL, and the documented errors of bad calls.
#   csp_test.sh card      (with tests/with-card)
#   csp_test.sh card-pps  (a card that wants the PIN for every signature: PP_SIGNATURE_PIN)
#   csp_test.sh nocard    (no PC/SC service at all)
set -u
. "$(dirname "$0")/../../../tests/wine/tests/provider.inc"
CSP_TEST=${OPGP_CSP_TEST:-$WINE_BIN/csp-test.exe}
CSP_DLL=$MINGW/bridge/csp/opgpcsp.dll
PROVIDER='opgp OpenPGP CSP'
PIN=123456
mode=${1:-card}
check_built "$CSP_TEST" "$CSP_DLL" "$MD_DLL"
if [ "$mode" != nocard ] && [ -z "${OPGP_TEST_PUBKEYS:-}" ]; then
    opts=(--alg rsa2048)
    [ "$mode" = card-pps ] && opts+=(--pin-per-signature)
    exec "$WITH_CARD" "${opts[@]}" "$0" "$@"
fi

# What opgpcsp.reg does, with the DLL where the build put it.
register_csp() {
    local key="HKLM\\SOFTWARE\\Microsoft\\Cryptography\\Defaults\\Provider\\$PROVIDER"
    "$RUN" reg add "$key" /v "Image Path" /t REG_SZ /d "$(win_path "$CSP_DLL")" /f >/dev/null &&
    "$RUN" reg add "$key" /v Type /t REG_DWORD /d 1 /f >/dev/null &&
    "$RUN" reg add "$key" /v SigInFile /t REG_DWORD /d 0 /f >/dev/null || fail "reg add (CSP)"
}
reverse() { perl -0777 -pe '$_ = reverse $_' < "$1" > "$2"; }
PROGRAM=("$CSP_TEST")

register_csp
start_mode "$mode"
step info.txt info "$R"
grep -q "^Name: $PROVIDER$" info.txt || fail "PP_NAME"
grep -q '^Containers: 3$' info.txt || fail "three containers"
for role in aut sig dec; do
    name=$(sed -n "s/^Container: \(opgp-[0-9A-Fa-f]*-$role\)$/\1/p" info.txt)
    [ -n "$name" ] || fail "no $role container listed"
    printf -v "c_$role" '\\\\.\\%s\\%s' "$R" "$name"
done
echo "containers: $c_aut $c_sig $c_dec"

# Before any PIN: the card refuses, and says so the documented way.
step nopin.txt nopin "$c_sig" sig
step nopin2.txt nopin "$c_aut" kx

head -c 3000 /dev/urandom > msg
dll=$(win_path "$CSP_DLL")
# keyspec and the PIN parameter per container; the signature key gets its own PIN parameter.
for pair in "aut kx kx" "sig sig sig"; do
    set -- $pair
    role=$1 spec=$2 pinparam=$3
    c=c_$role
    step "errors-$role.txt" errors "${!c}" "$spec" "$dll"
    once=()
    [ "$mode" = card-pps ] && [ "$role" = sig ] && once=(pin-once)
    step "sign-$role.txt" sign "${!c}" "$spec" "$pinparam" "$PIN" msg "sig-$role.le" "${once[@]}"
    reverse "sig-$role.le" "sig-$role"
    openssl dgst -sha256 -verify "$OPGP_TEST_PUBKEYS/$role.pem" -signature "sig-$role" msg ||
        fail "openssl verify ($role)"
    mod=$(openssl rsa -pubin -in "$OPGP_TEST_PUBKEYS/$role.pem" -noout -modulus | cut -d= -f2)
    grep -q "^Modulus: $mod$" "sign-$role.txt" || fail "PUBLICKEYBLOB modulus ($role)"
    printf x >> msg
    openssl dgst -sha256 -verify "$OPGP_TEST_PUBKEYS/$role.pem" -signature "sig-$role" msg \
        >/dev/null 2>&1 && fail "a changed message verified ($role)"
done

head -c 32 /dev/urandom > secret
openssl pkeyutl -encrypt -pubin -inkey "$OPGP_TEST_PUBKEYS/dec.pem" -pkeyopt rsa_padding_mode:pkcs1 \
    -in secret -out ct || fail "openssl pkeyutl -encrypt"
reverse ct ct.le
step decrypt.txt decrypt "$c_dec" "$PIN" ct.le plain
cmp -s secret plain || fail "CryptDecrypt returned other bytes"

certs=0
for pair in "aut kx" "sig sig" "dec kx"; do
    set -- $pair
    [ -f "$OPGP_TEST_PUBKEYS/$1.crt" ] || continue
    c=c_$1
    step "cert-$1.txt" cert "${!c}" "$2" "cert-$1.der"
    openssl x509 -in "$OPGP_TEST_PUBKEYS/$1.crt" -outform DER -out "card-$1.der"
    cmp -s "card-$1.der" "cert-$1.der" || fail "KP_CERTIFICATE differs from the card's ($1)"
    certs=$((certs + 1))
done
[ $certs -gt 0 ] || fail "the simulated card has no certificate"

# The certificate path: MY store -> CryptAcquireCertificatePrivateKey -> CryptSignMessage.
for pair in "aut kx" "sig sig"; do
    set -- $pair
    [ -f "$OPGP_TEST_PUBKEYS/$1.crt" ] || continue
    c=c_$1
    step "cms-$1.txt" cms "${!c}" "$2" "$PIN" msg "msg-$1.p7"
    openssl cms -verify -noverify -inform DER -in "msg-$1.p7" -out "content-$1" ||
        fail "openssl cms -verify ($1)"
    cmp -s msg "content-$1" || fail "CMS content differs ($1)"
done
echo PASS
