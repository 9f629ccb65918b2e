#!/bin/bash
# opgpksp.dll under Wine, driven through its function table by ksp-test.exe (Wine's ncrypt does
# not load third-party KSPs), with a simulated card: keys enumerated and their properties
# checked, public key blobs compared with the card's keys, signatures (RSA PKCS#1 v1.5 with
# SHA-1/256/384/512, ECDSA r||s) verified by OpenSSL, an RSA cryptogram OpenSSL made decrypted,
# ECDH secrets (raw and SHA-256 KDF) compared with what OpenSSL derives from the peer's private
# key, and the documented errors of bad calls.
#   ksp_test.sh rsa2048|p256|bp256|p384   (with tests/with-card --alg ALG)
#   ksp_test.sh rsa2048-pps               (a card that wants the PIN for every signature)
#   ksp_test.sh nocard                    (no PC/SC service at all)
set -u
. "$(dirname "$0")/../../../tests/wine/tests/provider.inc"
KSP_TEST=${OPGP_KSP_TEST:-$WINE_BIN/ksp-test.exe}
KSP_DLL=$MINGW/bridge/ksp/opgpksp.dll
PIN=123456
mode=${1:-rsa2048}
check_built "$KSP_TEST" "$KSP_DLL" "$MD_DLL"
alg=${mode%-pps}
if [ "$mode" != nocard ] && [ -z "${OPGP_TEST_PUBKEYS:-}" ]; then
    opts=(--alg "$alg")
    [ "$alg" != "$mode" ] && opts+=(--pin-per-signature)
    exec "$WITH_CARD" "${opts[@]}" "$0" "$@"
fi

PROGRAM=("$KSP_TEST" "$(win_path "$KSP_DLL")")
start_mode "$mode"
P=$OPGP_TEST_PUBKEYS
step info.txt info "$R"
for role in aut sig dec; do
    name=$(sed -n "s/^Key: \(opgp-[0-9A-Fa-f]*-$role\) .*/\1/p" info.txt)
    [ -n "$name" ] || fail "EnumKeys: no $role key"
    printf -v "k_$role" '%s' "$name"
done
echo "keys: $k_aut $k_sig $k_dec"
# Per role, what the card holds and what CNG must call it.
prop() { awk -v r="$1" -v k="$2" '$0 == "Role: " r {on=1; next} /^Role: / {on=0}
                                  on && index($0, k ": ") == 1 {print substr($0, length(k) + 3)}' info.txt; }
case $alg in
rsa*) sign_alg=RSA; dec_alg=RSA; group_sig=RSA; group_dec=RSA; curve=-; usage_dec=0x1 ;;
p256|p384|p521)
    n=${alg#p}; sign_alg=ECDSA_P$n; dec_alg=ECDH_P$n; group_sig=ECDSA; group_dec=ECDH
    curve=nistP$n; usage_dec=0x4 ;;
bp*)
    n=${alg#bp}; sign_alg=ECDSA; dec_alg=ECDH; group_sig=ECDSA; group_dec=ECDH
    curve=brainpoolP${n}r1; usage_dec=0x4 ;;
esac
for role in aut sig dec; do
    want_alg=$sign_alg want_group=$group_sig want_usage=0x2
    [ $role = dec ] && want_alg=$dec_alg want_group=$group_dec want_usage=$usage_dec
    k=k_$role
    [ "$(prop $role Name)" = "${!k}" ] || fail "NCRYPT_UNIQUE_NAME_PROPERTY ($role)"
    [ "$(prop $role Algorithm)" = "$want_alg" ] || fail "NCRYPT_ALGORITHM_PROPERTY ($role)"
    [ "$(prop $role Group)" = "$want_group" ] || fail "NCRYPT_ALGORITHM_GROUP_PROPERTY ($role)"
    [ "$(prop $role Usage)" = "$want_usage" ] || fail "NCRYPT_KEY_USAGE_PROPERTY ($role)"
    [ "$(prop $role Curve)" = "$curve" ] || fail "NCRYPT_ECC_CURVE_NAME_PROPERTY ($role)"
    [ "$(prop $role Reader)" = "$R" ] || fail "NCRYPT_READER_PROPERTY ($role)"
    bits=$(openssl pkey -pubin -in "$P/$role.pem" -noout -text | sed -n 's/.*(\([0-9]*\) bit).*/\1/p' | head -1)
    [ "$(prop $role Length)" = "$bits" ] || fail "NCRYPT_LENGTH_PROPERTY ($role: want $bits)"
    if [ -f "$P/$role.crt" ]; then
        size=$(openssl x509 -in "$P/$role.crt" -outform DER | wc -c)
        [ "$(prop $role Certificate)" = "$size" ] || fail "NCRYPT_CERTIFICATE_PROPERTY ($role)"
    fi
done

# Before any PIN: the bad calls, the silent and non-silent no-PIN answers, a wrong PIN.
step errors.txt errors "$k_sig"

# Public key blobs against the card's keys (and the magic each kind of key must carry).
for role in aut sig dec; do
    k=k_$role
    step "export-$role.txt" export "${!k}" "blob-$role"
    python3 "$(dirname "$0")/ksp_blob.py" check "blob-$role" "$P/$role.pem" "$role" ||
        fail "ExportKey blob differs from the card's $role key"
done

head -c 3000 /dev/urandom > msg
verify() { # role hash sigfile
    local sig=$3
    if [ "$sign_alg" != RSA ]; then
        python3 "$(dirname "$0")/ksp_blob.py" der "$3" "$3.der" || fail "r||s to DER"
        sig=$3.der
    fi
    openssl dgst "-$2" -verify "$P/$1.pem" -signature "$sig" msg || fail "openssl verify ($1, $2)"
    printf x >> msg
    openssl dgst "-$2" -verify "$P/$1.pem" -signature "$sig" msg >/dev/null 2>&1 &&
        fail "a changed message verified ($1)"
    head -c 3000 msg > msg.tmp && mv msg.tmp msg
}
hashes="sha256"
[ "$sign_alg" = RSA ] && hashes="sha1 sha256 sha384 sha512"
for h in $hashes; do
    H=$(echo "$h" | tr a-z A-Z)
    step "sign-sig-$h.txt" sign "$k_sig" "$PIN" "$H" msg "sig-sig-$h"
    verify sig "$h" "sig-sig-$h"
done
step sign-aut.txt sign "\\\\.\\$R\\$k_aut" "$PIN" SHA256 msg sig-aut
verify aut sha256 sig-aut

if [ "$dec_alg" = RSA ]; then
    head -c 32 /dev/urandom > secret
    openssl pkeyutl -encrypt -pubin -inkey "$P/dec.pem" -pkeyopt rsa_padding_mode:pkcs1 \
        -in secret -out ct || fail "openssl pkeyutl -encrypt"
    step decrypt.txt decrypt "$k_dec" "$PIN" ct plain
    cmp -s secret plain || fail "Decrypt returned other bytes"
else
    openssl genpkey -algorithm EC -pkeyopt "ec_paramgen_curve:$curve" -out peer.pem 2>/dev/null ||
        openssl genpkey -algorithm EC -pkeyopt "ec_paramgen_curve:${curve/nistP/P-}" -out peer.pem ||
        fail "openssl genpkey ($curve)"
    python3 "$(dirname "$0")/ksp_blob.py" point peer.pem peer.point || fail "peer point"
    step ecdh.txt ecdh "$k_dec" "$PIN" peer.point z.le z.sha256
    openssl pkeyutl -derive -inkey peer.pem -peerkey "$P/dec.pem" -out z || fail "openssl derive"
    perl -0777 -pe '$_ = reverse $_' < z.le > z.be
    cmp -s z z.be || fail "ECDH raw secret differs from OpenSSL's"
    openssl dgst -sha256 -binary z > z.want
    cmp -s z.want z.sha256 || fail "ECDH SHA-256 KDF differs from SHA-256 of OpenSSL's secret"
    { printf pre; cat z; printf post; } | openssl dgst -sha256 -binary > z.want-pa
    cmp -s z.want-pa z.sha256.pre-post || fail "ECDH SHA-256 KDF with prepend/append differs"
fi
echo PASS
