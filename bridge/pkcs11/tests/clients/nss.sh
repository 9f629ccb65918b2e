#!/bin/bash
# NSS: modutil adds the module to a fresh database; certutil lists the three certificates as
# user certificates (their keys found on the token) and, with the PIN, the three private keys.
. "$(dirname "$0")/common.inc"
need_card --alg rsa2048
need_tool certutil
need_tool modutil
t=$OPGP_TEST_TMP
mkdir "$t/nss"
certutil -N -d "sql:$t/nss" --empty-password || fail "certutil -N"
echo | modutil -force -add opgp -libfile "$M" -dbdir "sql:$t/nss" >/dev/null 2>&1 || fail "modutil -add"
certs=$(certutil -L -d "sql:$t/nss" -h all 2>&1) || fail "certutil -L: $certs"
for c in Authentication Signature Decryption; do
    grep -qE ":$c certificate +u,u,u" <<<"$certs" || fail "$c certificate not a user cert: $certs"
done
echo 123456 > "$t/pw"
keys=$(certutil -K -d "sql:$t/nss" -h all -f "$t/pw" 2>&1)
for k in "03 +Authentication key" "01 +Signature key" "02 +Decryption key"; do
    grep -qE "rsa +$k" <<<"$keys" || fail "key '$k' not listed: $keys"
done
echo PASS
