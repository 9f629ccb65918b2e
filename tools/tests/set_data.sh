#!/bin/bash
# set name/url/login/lang/pin-policy with the admin PIN: status and gpg --card-status show them.
. "$(dirname "$0")/common.inc"
need_card rsa2048
with_pins 12345678 set name "Ada Lovelace" >/dev/null || fail "set name"
with_pins 12345678 set url https://example.invalid/ada.asc >/dev/null || fail "set url"
with_pins 12345678 set login ada >/dev/null || fail "set login"
with_pins 12345678 set lang deen >/dev/null || fail "set lang"
with_pins 12345678 set pin-policy per-signature >/dev/null || fail "set pin-policy"
out=$("$TOOL" status)
grep -q "^Name of cardholder .*: Ada Lovelace\$" <<<"$out" || fail "name"
grep -q "^URL of public key .*: https://example.invalid/ada.asc\$" <<<"$out" || fail "url"
grep -q "^Login data .*: ada\$" <<<"$out" || fail "login"
grep -q "^Language prefs .*: deen\$" <<<"$out" || fail "lang"
grep -q "^Signature PIN .*: forced" <<<"$out" || fail "pin policy"
[ "$(json_get 'd["name_raw"]')" = "Lovelace<<Ada" ] || fail "stored name form"
gpg_out=$(gpg --batch --card-status 2>&1)
grep -q "^Name of cardholder: Ada Lovelace" <<<"$gpg_out" || fail "gpg name: $gpg_out"
grep -q "^Signature PIN ....: forced" <<<"$gpg_out" || fail "gpg pin policy"
with_pins 12345678 set pin-policy once >/dev/null || fail "set pin-policy once"
grep -q "^Signature PIN .*: not forced" <<<"$("$TOOL" status)" || fail "pin policy once"
"$TOOL" set colour blue 2>/dev/null; [ $? = 1 ] || fail "unknown setting exit"
echo PASS
