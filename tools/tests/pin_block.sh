#!/bin/bash
# Block the user PIN with three wrong PINs; then it is refused up front with advice, unblocked with
# the admin PIN; blocked again and unblocked with the Reset Code; set-reset-code works.
. "$(dirname "$0")/common.inc"
need_card rsa2048
block() {
    for i in 1 2 3; do
        err=$(with_pins "000000 111111" pin change 2>&1) && fail "wrong PIN accepted"
    done
    # The last wrong try says what now.
    grep -q "unblock it with the Reset Code or the admin PIN" <<<"$err" ||
        fail "no advice after the last try: $err"
    [ "$(json_get 'd["pin_retries"]["pw1"]')" = 0 ] || fail "PW1 not blocked"
}
block
err=$(with_pins "123456 654321" pin change 2>&1); rc=$?
echo "$err"
[ $rc = 2 ] && grep -q "user PIN is blocked: unblock it with the Reset Code" <<<"$err" ||
    fail "blocked: $rc $err"
out=$(with_pins "12345678 112233" pin unblock --admin) || fail "unblock --admin: $out"
echo "$out"
grep -q "^after: user PIN (PW1): 3 tries left" <<<"$out" || fail "tries after unblock"
with_pins "112233 123456" pin change >/dev/null || fail "new PIN after admin unblock"

block
out=$(with_pins "87654321 223344" pin unblock) || fail "unblock with Reset Code: $out"
echo "$out"
with_pins "223344 123456" pin change >/dev/null || fail "new PIN after RC unblock"
# A wrong Reset Code costs exactly one of its tries.
err=$(with_pins "11111111 223344" pin unblock 2>&1); rc=$?
[ $rc = 2 ] && grep -q "wrong Reset Code" <<<"$err" || fail "wrong RC: $rc $err"
[ "$(json_get 'd["pin_retries"]["rc"]')" = 2 ] || fail "RC counter"
# A new Reset Code (admin PIN, then the code).
with_pins "12345678 55667788" pin set-reset-code >/dev/null || fail "set-reset-code"
[ "$(json_get 'd["pin_retries"]["rc"]')" = 3 ] || fail "RC counter after set"
block
with_pins "55667788 123456" pin unblock >/dev/null || fail "unblock with the new Reset Code"
echo PASS
