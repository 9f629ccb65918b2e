#!/bin/bash
# key generate: a new key with the admin PIN, with the algorithm changed when asked; status shows
# it with the fingerprint gpg --card-status computes, and key export gives that key.
. "$(dirname "$0")/common.inc"
need_card rsa2048
old=$(json_get 'd["keys"][2]["fingerprint"]')
out=$(with_pins 12345678 key generate aut --alg p256 2>&1) || fail "generate aut p256: $out"
echo "$out"
grep -q "generating the authentication key (ECDSA NIST P-256)... done" <<<"$out" ||
    fail "progress message"
new=$(json_get 'd["keys"][2]["fingerprint"]')
[ "$new" != "$old" ] || fail "fingerprint unchanged"
[ "$(json_get 'd["keys"][2]["algorithm"]')" = "ECDSA NIST P-256" ] || fail "algorithm"
grouped=$(json_get 'd["keys"][2]["fingerprint_grouped"]')
grep -qF "Authentication key: $grouped" <<<"$(gpg --batch --card-status 2>&1)" ||
    fail "gpg shows another fingerprint than $grouped"
"$TOOL" key export aut | openssl pkey -pubin -noout -text | grep -q "NIST CURVE: P-256" ||
    fail "exported key is not P-256"
# The same algorithm again (no attribute change), in the dec slot (ECDH there).
with_pins 12345678 key generate dec --alg p256 >/dev/null 2>&1 || fail "generate dec p256"
[ "$(json_get 'd["keys"][1]["algorithm"]')" = "ECDH NIST P-256" ] || fail "dec algorithm"
# Refusals: unknown algorithm (usage, no PIN used), wrong admin PIN (nothing generated).
with_pins 12345678 key generate sig --alg rsa1024 2>/dev/null; [ $? = 1 ] || fail "rsa1024"
sig=$(json_get 'd["keys"][0]["fingerprint"]')
with_pins 00000000 key generate sig 2>/dev/null; [ $? = 2 ] || fail "wrong admin PIN"
[ "$(json_get 'd["keys"][0]["fingerprint"]')" = "$sig" ] || fail "sig key changed"
echo PASS
