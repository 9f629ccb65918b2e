#!/bin/bash
# cert delete empties a slot; cert write puts a PEM or DER certificate back; both need the admin
# PIN, and a wrong one changes nothing.
. "$(dirname "$0")/common.inc"
need_card rsa2048
with_pins 12345678 cert delete aut >/dev/null || fail "cert delete aut"
[ "$(json_get 'd["keys"][2]["certificate"]')" = None ] || fail "aut certificate still there"
"$TOOL" cert read aut >/dev/null 2>&1; [ $? = 2 ] || fail "reading an empty slot should fail"
# PEM file into the aut slot, DER file of the sig certificate into the dec slot.
with_pins 12345678 cert write aut "$OPGP_TEST_PUBKEYS/aut.crt" >/dev/null || fail "write PEM"
"$TOOL" cert read aut | cmp - "$OPGP_TEST_PUBKEYS/aut.crt" || fail "aut round trip"
openssl x509 -in "$OPGP_TEST_PUBKEYS/sig.crt" -outform DER > "$OPGP_TEST_TMP/sig.der"
with_pins 12345678 cert write dec "$OPGP_TEST_TMP/sig.der" >/dev/null || fail "write DER"
"$TOOL" cert read dec --der | cmp - "$OPGP_TEST_TMP/sig.der" || fail "dec round trip"
err=$(with_pins 00000000 cert delete sig 2>&1); rc=$?
[ $rc = 2 ] && grep -q "wrong admin PIN" <<<"$err" || fail "wrong admin PIN: $rc $err"
"$TOOL" cert read sig | cmp - "$OPGP_TEST_PUBKEYS/sig.crt" || fail "sig changed"
echo "not a certificate" > "$OPGP_TEST_TMP/junk"
with_pins 12345678 cert write sig "$OPGP_TEST_TMP/junk" 2>/dev/null; [ $? = 1 ] || fail "junk"
echo PASS
