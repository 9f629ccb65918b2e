#!/bin/bash
# set uif SLOT on|off|permanent: the touch requirement (UIF DOs D6-D8) changes with the admin PIN;
# status, the raw DO and gpg --card-status show it; a permanent setting is never switched off.
. "$(dirname "$0")/common.inc"
need_card rsa2048
touch_of() { json_get "d[\"keys\"][$1][\"touch\"]"; }
[ "$(touch_of 0)" = off ] || fail "sig touch not off at first"
out=$(with_pins 12345678 set uif sig on 2>&1) || fail "set uif sig on: $out"
grep -q "touch (UIF) of the signature key: on" <<<"$out" || fail "message: $out"
[ "$(touch_of 0)" = on ] || fail "status: sig touch $(touch_of 0)"
[ "$(touch_of 1)" = off ] || fail "dec touch changed"
grep -q "^  Touch (UIF) \.*: on$" <<<"$("$TOOL" status)" || fail "text status"
# The data object itself: D6 = 01 and the card's button byte.
raw=$("$TOOL" apdu 00CA00D600 2>&1) || fail "GET DATA D6: $raw"
[[ $(tr -d ' \n' <<<"$raw") == 01??9000 ]] || fail "D6 raw: $raw"
gpg_out=$(gpg --batch --card-status 2>&1)
if grep -q "^UIF setting" <<<"$gpg_out"; then # gpg 2.2 shows it only for some cards
    grep -q "^UIF setting ......: Sign=on Decrypt=off Auth=off" <<<"$gpg_out" ||
        fail "gpg UIF: $(grep UIF <<<"$gpg_out")"
fi
gpgconf --kill gpg-agent
with_pins 12345678 set uif sig off >/dev/null || fail "set uif sig off"
[ "$(touch_of 0)" = off ] || fail "sig touch not off again"
with_pins 12345678 set uif aut permanent >/dev/null || fail "set uif aut permanent"
[ "$(touch_of 2)" = "on (permanent)" ] || fail "aut touch $(touch_of 2)"
tries=$(json_get 'd["pin_retries"]["pw3"]')
out=$(with_pins 12345678 set uif aut off 2>&1); rc=$?
[ $rc = 2 ] || fail "permanent switched off? exit $rc"
grep -q "touch setting of the authentication key is permanent" <<<"$out" || fail "$out"
[ "$(touch_of 2)" = "on (permanent)" ] || fail "permanent setting changed"
[ "$(json_get 'd["pin_retries"]["pw3"]')" = "$tries" ] || fail "refusal used an admin PIN try"
# Usage errors ask for no PIN; a wrong admin PIN says the tries left and changes nothing.
with_pins 12345678 set uif sig sometimes 2>/dev/null; [ $? = 1 ] || fail "bad value exit"
with_pins 12345678 set uif card on 2>/dev/null; [ $? = 1 ] || fail "bad slot exit"
with_pins 12345678 set uif sig 2>/dev/null; [ $? = 1 ] || fail "missing value exit"
out=$(with_pins 11111111 set uif dec on 2>&1); rc=$?
[ $rc = 2 ] && grep -q "wrong admin PIN.*2 tries left" <<<"$out" || fail "wrong PIN: $rc $out"
[ "$(touch_of 1)" = off ] || fail "dec touch changed after a wrong PIN"
echo PASS
