#!/bin/bash
# OpenSC's openpgp-tool reads the card: AID/serial, cardholder data, key algorithms and fingerprints.
. "$(dirname "$0")/common.inc"
need_card rsa2048
out=$(openpgp-tool --reader 0 -K 2>&1) || fail "openpgp-tool -K: $out"
echo "$out"
for slot in Sig Dec Aut; do
    lower=$(tr 'A-Z' 'a-z' <<<"$slot")
    fpr=$(tr 'A-F' 'a-f' < "$OPGP_TEST_PUBKEYS/$lower.fpr" | sed -E 's/(..)/\1:/g; s/:$//')
    grep -q "^$slot Algorithm: *RSA2048" <<<"$out" || fail "$slot algorithm"
    grep -q "^$slot Fingerprint: *$fpr" <<<"$out" || fail "$slot fingerprint $fpr"
done
out=$(openpgp-tool --reader 0 -C -U 2>&1) || fail "openpgp-tool -C -U: $out"
grep -q "https://example.invalid/opgp-test.asc" <<<"$out" || fail "URL"
grep -q "Test Card" <<<"$out" || fail "name"
grep -q "opgp-test" <<<"$out" || fail "login"
out=$(opensc-tool --reader 0 --serial 2>&1) || fail "opensc-tool --serial: $out"
serial=$(cat "$OPGP_TEST_PUBKEYS/serial")
tr -d ' \n' <<<"$out" | grep -qi "$serial" || fail "serial $serial not in: $out"
echo PASS
