#!/bin/bash
# key csr: a PKCS#10 request signed on the card verifies with openssl, carries the subject asked
# for and the slot's public key; for RSA 2048, NIST P-384 (SHA-384) and Ed25519. A signature with
# the signature key counts on the card; a wrong user PIN signs nothing.
. "$(dirname "$0")/common.inc"
if [ -z "${OPGP_TEST_PUBKEYS:-}" ]; then
    [ -x "$TOOL" ] || { echo "no opgp-tool at $TOOL" >&2; exit 2; }
    "$WITH_CARD" --alg rsa2048 "$0" rsa2048 || exit $?
    "$WITH_CARD" --alg p384 "$0" p384 || exit $?
    exec "$WITH_CARD" --alg cv25519 "$0" cv25519
fi
subject="/CN=Alice Example/O=Example/C=DE/emailAddress=a@example.invalid"
for slot in sig aut; do
    before=$(json_get 'd["signature_counter"]')
    with_pins 123456 key csr $slot --subject "$subject" > "$OPGP_TEST_TMP/$slot.csr" ||
        fail "$1: key csr $slot"
    openssl req -in "$OPGP_TEST_TMP/$slot.csr" -verify -noout 2>&1 | grep -q "verify OK" ||
        fail "$1: $slot request does not verify"
    got=$(openssl req -in "$OPGP_TEST_TMP/$slot.csr" -noout -subject -nameopt compat)
    [ "$got" = "subject=$subject" ] || fail "$1: subject $got"
    openssl req -in "$OPGP_TEST_TMP/$slot.csr" -noout -pubkey | cmp - "$OPGP_TEST_PUBKEYS/$slot.pem" ||
        fail "$1: $slot request has another key"
    after=$(json_get 'd["signature_counter"]')
    want=$before; [ $slot = sig ] && want=$((before + 1))
    [ "$after" = "$want" ] || fail "$1: signature counter $before -> $after after $slot"
done
with_pins 123456 key csr aut --subject "/CN=x" --der | openssl req -inform DER -verify -noout 2>&1 |
    grep -q "verify OK" || fail "$1: --der"
err=$(with_pins 654321 key csr sig --subject /CN=x 2>&1); rc=$?
[ $rc = 2 ] && grep -q "wrong user PIN" <<<"$err" || fail "$1: wrong PIN: $rc $err"
"$TOOL" key csr dec --subject /CN=x 2>/dev/null; [ $? = 1 ] || fail "$1: dec slot"
"$TOOL" key csr sig --subject "CN=x" 2>/dev/null; [ $? = 1 ] || fail "$1: bad subject"
echo "PASS $1"
