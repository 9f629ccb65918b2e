#!/bin/bash
# Cards that differ: a KDF-DO card (PINs sent derived) shows its KDF setting and its PINs change
# and fail exactly like on others; a short-APDU card shows no extended length; a card set to ask
# the PIN for every signature shows it and signs a request each time the PIN is given.
. "$(dirname "$0")/common.inc"
if [ -z "${OPGP_TEST_PUBKEYS:-}" ]; then
    [ -x "$TOOL" ] || { echo "no opgp-tool at $TOOL" >&2; exit 2; }
    "$WITH_CARD" --kdf "$0" kdf || exit $?
    "$WITH_CARD" --no-extended "$0" no-extended || exit $?
    exec "$WITH_CARD" --pin-per-signature "$0" pin-per-signature
fi
case $1 in
kdf)
    grep -q "^KDF setting .*: on (iterated salted S2K, SHA-256, 100000 bytes)" <<<"$("$TOOL" status)" ||
        fail "KDF setting"
    [ "$(json_get 'd["kdf"]["enabled"]')" = True ] || fail "kdf json"
    with_pins "123456 654321" pin change >/dev/null || fail "KDF: change PW1"
    with_pins "654321 123456" pin change >/dev/null || fail "KDF: change PW1 back"
    err=$(with_pins "999999 654321" pin change 2>&1); rc=$?
    [ $rc = 2 ] && grep -q "wrong user PIN (PW1), 2 tries left" <<<"$err" || fail "KDF wrong PIN: $err"
    [ "$(json_get 'd["pin_retries"]["pw1"]')" = 2 ] || fail "KDF: counter"
    "$TOOL" key export aut | cmp - "$OPGP_TEST_PUBKEYS/aut.pem" || fail "KDF: key export"
    ;;
no-extended)
    out=$("$TOOL" status)
    grep -q "^Extended length .*: no\$" <<<"$out" || fail "extended length"
    grep -q "^Command chaining .*: yes\$" <<<"$out" || fail "chaining"
    # Certificates longer than one short APDU still come back whole.
    "$TOOL" cert read aut | cmp - "$OPGP_TEST_PUBKEYS/aut.crt" || fail "cert over short APDUs"
    ;;
pin-per-signature)
    grep -q "^Signature PIN .*: forced" <<<"$("$TOOL" status)" || fail "pin per signature"
    [ "$(json_get 'd["pin_per_signature"]')" = True ] || fail "json"
    # The token's signature login (a context-specific one on such a card) signs each request.
    for n in 1 2; do
        with_pins 123456 key csr sig --subject /CN=pps$n | openssl req -verify -noout 2>&1 |
            grep -q "verify OK" || fail "request $n with the PIN for every signature"
    done
    [ "$(json_get 'd["signature_counter"]')" = 2 ] || fail "signature counter"
    ;;
esac
echo "PASS $1"
