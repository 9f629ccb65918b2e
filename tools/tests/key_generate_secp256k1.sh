#!/bin/bash
# key generate with --alg secp256k1 on a NIST P-256 card: ECDSA in sig, ECDH in dec. status names the
# curve and agrees with gpg --card-status field by field (fingerprints, dates; gpg names the
# curve too); key export gives secp256k1 keys; key csr signs with the new signature key (through
# the minidriver's vendor key spec) and openssl verifies the request with the exported key; an
# openssl-made secp256k1 key imported into aut signs a request for that key.
. "$(dirname "$0")/common.inc"
need_card p256
t=$OPGP_TEST_TMP
# Algorithm and fingerprint of the three keys in $t/status.json, one line per key.
keys() { python3 -c 'import json,sys
for k in json.load(open(sys.argv[1]))["keys"]: print(k["slot"], k["algorithm"], k["fingerprint"])' \
    "$t/status.json"; }
"$TOOL" --json status > "$t/status.json" || fail "status --json"
before=$(keys)
out=$(with_pins 12345678 key generate sig --alg secp256k1 2>&1) || fail "generate sig secp256k1: $out"
grep -q "generating the signature key (ECDSA secp256k1)... done" <<<"$out" ||
    fail "progress message: $out"
out=$(with_pins 12345678 key generate dec --alg secp256k1 2>&1) || fail "generate dec secp256k1: $out"
grep -q "generating the decryption key (ECDH secp256k1)... done" <<<"$out" ||
    fail "progress message: $out"
"$TOOL" --json status > "$t/status.json" || fail "status --json"
after=$(keys)
grep -q "^sig ECDSA secp256k1 [0-9A-F]\{40\}\$" <<<"$after" || fail "sig: $after"
grep -q "^dec ECDH secp256k1 [0-9A-F]\{40\}\$" <<<"$after" || fail "dec: $after"
[ "$(grep ^aut <<<"$after")" = "$(grep ^aut <<<"$before")" ] || fail "aut changed: $after"
grep -q "^aut ECDSA NIST P-256 " <<<"$after" || fail "aut: $after"
status=$("$TOOL" status) || fail "status"
grep -q "Algorithm .*: ECDSA secp256k1\$" <<<"$status" || fail "status: $status"
grep -q "Algorithm .*: ECDH secp256k1\$" <<<"$status" || fail "status: $status"
gpg --batch --card-status > "$t/gpg-status.txt" 2>/dev/null || fail "gpg --card-status"
gpgconf --kill gpg-agent
grep -q "^Key attributes ...: secp256k1 secp256k1 nistp256" "$t/gpg-status.txt" ||
    fail "gpg: $(cat "$t/gpg-status.txt")"
python3 "$REPO/tools/tests/gpg_compare.py" "$t/status.json" "$t/gpg-status.txt" ||
    fail "opgp-tool status and gpg --card-status differ"
for slot in sig dec; do
    "$TOOL" key export $slot > "$t/$slot.pem" || fail "key export $slot"
    openssl pkey -pubin -in "$t/$slot.pem" -noout -text | grep -q "ASN1 OID: secp256k1" ||
        fail "exported $slot key is not secp256k1"
done
with_pins 123456 key csr sig --subject /CN=k1-test > "$t/req.pem" || fail "key csr sig"
openssl req -in "$t/req.pem" -noout -verify 2>&1 | grep -q "verify OK" || fail "CSR does not verify"
openssl req -in "$t/req.pem" -noout -pubkey | cmp - "$t/sig.pem" ||
    fail "the CSR carries another key than the exported one"
# An openssl secp256k1 key imported into aut: the card signs (key csr) for that very key.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:secp256k1 -out "$t/k1.pem" ||
    fail "genpkey secp256k1"
openssl pkey -in "$t/k1.pem" -pubout -out "$t/k1.pub"
out=$(with_pins 12345678 key import aut "$t/k1.pem" 2>&1) || fail "import secp256k1: $out"
grep -q "authentication key imported: ECDSA secp256k1" <<<"$out" || fail "import message: $out"
with_pins 123456 key csr aut --subject /CN=k1-import > "$t/req2.pem" || fail "key csr aut"
openssl req -in "$t/req2.pem" -noout -verify 2>&1 | grep -q "verify OK" || fail "aut CSR does not verify"
openssl req -in "$t/req2.pem" -noout -pubkey | cmp - "$t/k1.pub" || fail "aut CSR has another key"
echo PASS
