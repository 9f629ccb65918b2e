#!/bin/bash
# gpg --card-status shows the simulator's serial, cardholder data and the three fingerprints it holds.
. "$(dirname "$0")/common.inc"
need_card rsa2048
out=$(gpg --batch --card-status 2>&1) || fail "gpg --card-status: $out"
echo "$out"
serial=$(cat "$OPGP_TEST_PUBKEYS/serial")
aid=$(cat "$OPGP_TEST_PUBKEYS/aid")
grep -q "^Application ID ...: $aid\$" <<<"$out" || fail "AID $aid not shown"
grep -q "^Serial number ....: $serial\$" <<<"$out" || fail "serial $serial not shown"
grep -q "^Version ..........: 3.4" <<<"$out" || fail "version"
grep -q "^Login data .......: opgp-test" <<<"$out" || fail "login data"
grep -q "^Key attributes ...: rsa2048 rsa2048 rsa2048" <<<"$out" || fail "key attributes"
grep -q "^PIN retry counter : 3 3 3" <<<"$out" || fail "retry counters"
for slot in sig dec aut; do
    fpr=$(cat "$OPGP_TEST_PUBKEYS/$slot.fpr")
    spaced=$(sed -E 's/(....)/\1 /g; s/ $//' <<<"$fpr" | sed -E 's/^((.... ){4}....) /\1  /')
    grep -qF "$spaced" <<<"$out" || fail "$slot fingerprint $spaced not shown"
done
echo PASS
