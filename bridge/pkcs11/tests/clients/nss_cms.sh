#!/bin/bash
# NSS cmsutil signs a message (CMS SignedData) with the card's signature key, found by its
# certificate's nickname, the PIN from a password file; OpenSSL verifies the signature and that the
# signer is the card's signature certificate.
. "$(dirname "$0")/common.inc"
need_card --alg rsa2048
need_tool cmsutil
need_tool modutil
t=$OPGP_TEST_TMP
mkdir "$t/nss"
certutil -N -d "sql:$t/nss" --empty-password || fail "certutil -N"
echo | modutil -force -add opgp -libfile "$M" -dbdir "sql:$t/nss" >/dev/null 2>&1 || fail "modutil -add"
certs=$(certutil -L -d "sql:$t/nss" -h all 2>&1) || fail "certutil -L: $certs"
grep -qE "^Card Test:Signature certificate +u,u,u" <<<"$certs" || fail "nickname not listed: $certs"
echo 123456 > "$t/pw"
head -c 3000 /dev/urandom | base64 > "$t/msg"
# -Y NONE: no S/MIME EncryptionKeyPreference attribute (by default cmsutil looks for an
# email-recipient certificate to name there, and the card has none).
cmsutil -S -d "sql:$t/nss" -f "$t/pw" -N "Card Test:Signature certificate" -H SHA256 -Y NONE \
    -i "$t/msg" -o "$t/msg.p7" > "$t/cms.log" 2>&1 || { cat "$t/cms.log"; fail "cmsutil -S"; }
openssl cms -verify -inform DER -in "$t/msg.p7" -noverify -signer "$t/signer.pem" \
    -out "$t/out" 2>"$t/verify.log" || { cat "$t/verify.log"; fail "openssl cms -verify"; }
cmp -s "$t/msg" "$t/out" || fail "signed content differs"
[ "$(openssl x509 -in "$t/signer.pem" -noout -fingerprint -sha256)" = \
  "$(openssl x509 -in "$OPGP_TEST_PUBKEYS/sig.crt" -noout -fingerprint -sha256)" ] ||
    fail "signer is not the card's signature certificate"
echo PASS
