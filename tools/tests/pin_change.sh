#!/bin/bash
# pin change with --pin-fd: the user PIN and the admin PIN are changed and changed back; the new
# PIN is the one the card accepts afterwards (gpg could not otherwise change it back), the tries
# are shown before and after.
. "$(dirname "$0")/common.inc"
need_card rsa2048
out=$(with_pins "123456 654321" pin change) || fail "change PW1: $out"
echo "$out"
grep -q "^before: user PIN (PW1): 3 tries left\$" <<<"$out" || fail "tries before"
grep -q "^after: user PIN (PW1): 3 tries left\$" <<<"$out" || fail "tries after"
# The old PIN is gone: a change from it fails (and costs one try) ...
with_pins "123456 111111" pin change >/dev/null 2>&1 && fail "old PIN still accepted"
[ "$(json_get 'd["pin_retries"]["pw1"]')" = 2 ] || fail "old PIN should have cost one try"
# ... the new one works, and a good verification restores the counter.
with_pins "654321 123456" pin change >/dev/null || fail "change PW1 back"
[ "$(json_get 'd["pin_retries"]["pw1"]')" = 3 ] || fail "counter after a good PIN"
with_pins "12345678 87654321" pin change --admin >/dev/null || fail "change PW3"
with_pins "87654321 12345678" pin change --admin >/dev/null || fail "change PW3 back"
[ "$(json_get 'd["pin_retries"]["pw3"]')" = 3 ] || fail "PW3 counter"
# Too short a new PIN is refused before the card sees anything.
err=$(with_pins "123456 123" pin change 2>&1); rc=$?
[ $rc = 1 ] && grep -q "must have at least 6 characters" <<<"$err" || fail "short PIN: $rc $err"
[ "$(json_get 'd["pin_retries"]["pw1"]')" = 3 ] || fail "short PIN cost a try"
# The PIN is the original again.
with_pins "123456 123456" pin change >/dev/null || fail "final PIN is not 123456"
echo PASS
