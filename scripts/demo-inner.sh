#!/usr/bin/env bash
# The demo's steps, run by ./demo.sh inside tests/with-card (a private pcscd and a simulated card).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
b=$repo/build/native
tmp=$OPGP_TEST_TMP
pub=$OPGP_TEST_PUBKEYS

echo
echo "== the card, read through opgp's core (opgp-tool status)"
"$b/tools/opgp-tool" status

echo
echo "== PKCS#11: sign with the authentication key through opgp-pkcs11.so"
module=$b/bridge/pkcs11/opgp-pkcs11.so
printf 'Signed through opgp on %s\n' "$(date -u +%FT%TZ)" > "$tmp/message.txt"
if openssl pkey -pubin -in "$pub/aut.pem" -noout -text 2>/dev/null | grep -q '^RSA\|Modulus'; then
    mech=SHA256-RSA-PKCS fmt=()
else
    mech=ECDSA-SHA256 fmt=(--signature-format openssl)
fi
pkcs11-tool --module "$module" --login --pin 123456 --sign --id 03 -m "$mech" \
    "${fmt[@]}" -i "$tmp/message.txt" -o "$tmp/message.p11.sig" 2>&1 | sed 's/^/  /'
printf '  openssl: '
openssl dgst -sha256 -verify "$pub/aut.pem" -signature "$tmp/message.p11.sig" "$tmp/message.txt"

if [[ -x "$repo/tests/wine/demo-sign" ]]; then
    echo
    echo "== Windows: opgpmd.dll and opgp-pkcs11.dll under Wine, through the winscard bridge"
    "$repo/tests/wine/demo-sign" "$tmp/message.txt"
fi
echo
echo "demo: done"
