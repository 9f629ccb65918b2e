#!/bin/bash
# gpg --card-status on a P-256 card: attributes and fingerprints.
. "$(dirname "$0")/common.inc"
need_card p256
out=$(gpg --batch --card-status 2>&1) || fail "gpg --card-status: $out"
grep -q "^Key attributes ...: nistp256 nistp256 nistp256" <<<"$out" || fail "attributes: $out"
for slot in sig dec aut; do
    fpr=$(cat "$OPGP_TEST_PUBKEYS/$slot.fpr")
    spaced=$(sed -E 's/(....)/\1 /g; s/ $//' <<<"$fpr" | sed -E 's/^((.... ){4}....) /\1  /')
    grep -qF "$spaced" <<<"$out" || fail "$slot fingerprint not shown"
done
echo PASS
