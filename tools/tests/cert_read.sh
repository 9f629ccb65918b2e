#!/bin/bash
# cert read gives each slot's certificate as PEM (openssl x509 reads it from a pipe) and as DER,
# byte for byte the certificate the simulator stored.
. "$(dirname "$0")/common.inc"
need_card rsa2048
for slot in sig dec aut; do
    want_subject=$(openssl x509 -in "$OPGP_TEST_PUBKEYS/$slot.crt" -noout -subject)
    got_subject=$("$TOOL" cert read $slot | openssl x509 -noout -subject) ||
        fail "cert read $slot | openssl x509"
    [ "$got_subject" = "$want_subject" ] || fail "$slot: '$got_subject' != '$want_subject'"
    "$TOOL" cert read $slot --der > "$OPGP_TEST_TMP/$slot.der" || fail "cert read $slot --der"
    openssl x509 -in "$OPGP_TEST_PUBKEYS/$slot.crt" -outform DER > "$OPGP_TEST_TMP/$slot.want"
    cmp "$OPGP_TEST_TMP/$slot.der" "$OPGP_TEST_TMP/$slot.want" || fail "$slot DER differs"
    echo "$slot: $got_subject"
done
"$TOOL" cert read aut --pem | openssl x509 -noout -fingerprint -sha256 > /dev/null ||
    fail "--pem"
"$TOOL" cert read nowhere >/dev/null 2>&1; rc=$?
[ $rc = 1 ] || fail "unknown slot: exit $rc, want 1"
echo PASS
