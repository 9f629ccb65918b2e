#!/bin/bash
# status shows the simulator's AID, serial, cardholder data and the three fingerprints in GnuPG's
# grouped form, and they are the very fingerprints gpg --card-status shows for the same card.
# Then, with a signature counted and a wrong user PIN spent, every field both show (serial,
# version, name, fingerprints and times, PIN counters, signature counter...) is compared.
. "$(dirname "$0")/common.inc"
need_card rsa2048
out=$("$TOOL" status) || fail "status exit $?: $out"
echo "$out"
aid=$(cat "$OPGP_TEST_PUBKEYS/aid"); serial=$(cat "$OPGP_TEST_PUBKEYS/serial")
grep -q "^Reader .*: $OPGP_TEST_READER\$" <<<"$out" || fail "reader"
grep -q "^Application ID .*: $aid\$" <<<"$out" || fail "AID $aid"
grep -q "^Serial number .*: $serial\$" <<<"$out" || fail "serial $serial"
grep -q "^Version .*: 3.4\$" <<<"$out" || fail "version"
grep -q "^Manufacturer .*: test card (FFFF)\$" <<<"$out" || fail "manufacturer"
grep -q "^Name of cardholder .*: Card Test\$" <<<"$out" || fail "name"
grep -q "^URL of public key .*: https://example.invalid/opgp-test.asc\$" <<<"$out" || fail "url"
grep -q "^Login data .*: opgp-test\$" <<<"$out" || fail "login"
grep -q "^PIN retry counter .*: 3 3 3 " <<<"$out" || fail "retry counters"
grep -q "^Signature PIN .*: not forced\$" <<<"$out" || fail "signature PIN policy"
grep -q "^Extended length .*: yes" <<<"$out" || fail "extended length"
[ "$(grep -c '^  Algorithm .*: RSA 2048$' <<<"$out")" = 3 ] || fail "three RSA 2048 keys"
for slot in sig dec aut; do
    spaced=$(sed -E 's/(....)/\1 /g; s/ $//' "$OPGP_TEST_PUBKEYS/$slot.fpr" |
             sed -E 's/^((.... ){4}....) /\1  /')
    grep -qF "Fingerprint ......: $spaced" <<<"$out" || fail "$slot fingerprint $spaced"
    subject=$(openssl x509 -in "$OPGP_TEST_PUBKEYS/$slot.crt" -noout -subject -nameopt RFC2253 |
              sed 's/^subject=//')
    grep -qF "Subject ........: $subject" <<<"$out" || fail "$slot certificate subject $subject"
done

gpg_out=$(gpg --batch --card-status 2>&1) || fail "gpg --card-status: $gpg_out"
mine=$(sed -n 's/^  Fingerprint \.*: //p' <<<"$out")
theirs=$(sed -nE 's/^(Signature key|Encryption key|Authentication key) ?\.*: //p' <<<"$gpg_out")
echo "opgp-tool: $mine"; echo "gpg:       $theirs"
[ "$(wc -l <<<"$mine")" = 3 ] || fail "three fingerprints from opgp-tool"
[ "$mine" = "$theirs" ] || fail "fingerprints differ from gpg --card-status"
gpg_serial=$(sed -n 's/^Serial number \.*: //p' <<<"$gpg_out")
[ "$gpg_serial" = "$serial" ] || fail "gpg serial $gpg_serial"
gpgconf --kill gpg-agent

with_pins 123456 key csr sig --subject /CN=count >/dev/null || fail "a signature"
with_pins 000000 key csr aut --subject /CN=wrong >/dev/null 2>&1 && fail "wrong PIN accepted"
[ "$(json_get 'd["signature_counter"]')" = 1 ] || fail "signature counter"
[ "$(json_get 'd["pin_retries"]["pw1"]')" = 2 ] || fail "PW1 counter"
compare_with_gpg
echo PASS
