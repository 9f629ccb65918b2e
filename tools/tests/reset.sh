#!/bin/bash
# reset: refused without a confirmation; reset --yes erases everything (the admin PIN is blocked
# on purpose when not given); status then shows empty slots and default PINs. With --pin-fd the
# admin PIN is verified instead.
. "$(dirname "$0")/common.inc"
need_card rsa2048
# No terminal to confirm on (setsid: no controlling tty) and no --yes: nothing happens.
setsid -w "$TOOL" reset </dev/null >/dev/null 2>&1; rc=$?
[ $rc = 1 ] || fail "reset without confirmation: exit $rc"
[ "$(json_get 'd["keys"][0]["present"]')" = True ] || fail "key gone without confirmation"

out=$("$TOOL" reset --yes) || fail "reset --yes: $out"
echo "$out"
status=$("$TOOL" status) || fail "status after reset"
echo "$status"
[ "$(grep -c '^  Key \.*: \[none\]$' <<<"$status")" = 3 ] || fail "slots not empty"
[ "$(grep -c '^  Certificate .*: \[none\]$' <<<"$status")" = 3 ] || fail "certificates left"
grep -q "^Name of cardholder .*: \[none\]" <<<"$status" || fail "name left"
grep -q "^PIN retry counter .*: 3 0 3 " <<<"$status" || fail "PIN counters after reset"
python3 - "$("$TOOL" --json status)" <<'PY' || fail "json after reset"
import json, sys
d = json.loads(sys.argv[1])
assert all(not k["present"] and k["certificate"] is None for k in d["keys"]), d["keys"]
assert d["name"] is None and d["url"] is None and d["login"] is None
PY
# The factory PINs work; with --pin-fd the reset verifies the admin PIN and does not block it.
with_pins "123456 123456" pin change >/dev/null || fail "factory user PIN"
with_pins "12345678" reset --yes >/dev/null || fail "reset with the admin PIN"
err=$(with_pins "87654321" reset --yes 2>&1); rc=$?
[ $rc = 2 ] && grep -q "wrong admin PIN" <<<"$err" || fail "reset with a wrong admin PIN: $rc $err"
[ "$(json_get 'd["pin_retries"]["pw3"]')" = 2 ] || fail "wrong admin PIN for reset"
echo PASS
