#!/bin/bash
# A wrong PIN: a sentence with the tries left, exit code 2, and the retry counter down by exactly
# one (the PIN is never sent twice).
. "$(dirname "$0")/common.inc"
need_card rsa2048
before=$(json_get 'd["pin_retries"]["pw1"]')
err=$(with_pins "999999 654321" pin change 2>&1); rc=$?
echo "$err"
[ $rc = 2 ] || fail "exit $rc, want 2"
grep -q "wrong user PIN (PW1), 2 tries left" <<<"$err" || fail "message"
grep -q "^after: user PIN (PW1): 2 tries left\$" <<<"$err" || fail "tries after"
after=$(json_get 'd["pin_retries"]["pw1"]')
[ $((before - after)) = 1 ] || fail "counter went $before -> $after"
# The admin PIN likewise, through a command that needs it.
before=$(json_get 'd["pin_retries"]["pw3"]')
err=$(with_pins "00000000" set url https://x.invalid 2>&1); rc=$?
[ $rc = 2 ] && grep -q "wrong admin PIN (PW3), 2 tries left" <<<"$err" || fail "admin: $rc $err"
after=$(json_get 'd["pin_retries"]["pw3"]')
[ $((before - after)) = 1 ] || fail "PW3 counter went $before -> $after"
grep -q "^URL of public key .*: https://example.invalid/opgp-test.asc" <<<"$("$TOOL" status)" ||
    fail "URL changed after a wrong admin PIN"
echo PASS
