#!/bin/bash
# A secp256k1 card (OID 1.3.132.0.10) through GnuPG and OpenSC, unchanged clients:
#   - gpg --card-status shows secp256k1 in the three slots and the exported fingerprints;
#   - gpg builds an OpenPGP key from the card's SIG (ECDSA) and DEC (ECDH) keys with the card's
#     creation date and arrives at the fingerprints the simulator computed (RFC 6637 KDF params):
#     gpg_fingerprints.sh's steps, run on this card;
#   - gpg signs with the card (PSO:CDS) and verifies; encrypts to the DEC key and decrypts with
#     the card (PSO:DECIPHER, ECDH with the 0xA6/7F49/86 template);
#   - OpenSC's openpgp-tool names ECDSA/ECDH and the fingerprints; pkcs15-tool reads the
#     authentication certificate (the one OpenSC 0.23 maps), on the card's key. (OpenSC 0.23
#     lists no key objects for secp256k1 on an OpenPGP 3.x card: its openpgp driver accepts the
#     curve for Gnuk only; that is not asserted.)
. "$(dirname "$0")/common.inc"
need_card secp256k1
t=$OPGP_TEST_TMP
echo allow-loopback-pinentry >> "$GNUPGHOME/gpg-agent.conf"
# gpg_fingerprints.sh's steps on this card: gpg builds the key and arrives at the simulator's
# fingerprints; the key stays in $GNUPGHOME for what follows.
"$(dirname "$0")/gpg_fingerprints.sh" secp256k1 || fail "gpg did not rebuild the card's key"
TZ=UTC gpg --batch --card-status > "$t/cs" 2>&1 || fail "card-status: $(cat "$t/cs")"
grep -q "^Key attributes ...: secp256k1 secp256k1 secp256k1" "$t/cs" || fail "attributes: $(cat "$t/cs")"
for slot in sig dec aut; do
    spaced=$(sed -E 's/(....)/\1 /g; s/ $//' "$OPGP_TEST_PUBKEYS/$slot.fpr" |
             sed -E 's/^((.... ){4}....) /\1  /')
    grep -qF "$spaced" "$t/cs" || fail "$slot fingerprint not shown"
done
fprs=("$(cat "$OPGP_TEST_PUBKEYS/sig.fpr")" "$(cat "$OPGP_TEST_PUBKEYS/dec.fpr")")
head -c 500 /dev/urandom > "$t/m"
gpg --batch --pinentry-mode loopback --passphrase 123456 -u "${fprs[0]}!" -o "$t/m.sig" \
    --detach-sign "$t/m" || fail "gpg sign with the card"
gpg --batch --status-fd 1 --verify "$t/m.sig" "$t/m" 2>/dev/null |
    grep -q "^\[GNUPG:\] VALIDSIG ${fprs[0]}" || fail "the card's signature does not verify"
gpg --batch --trust-model always -r "${fprs[1]}!" -o "$t/m.gpg" --encrypt "$t/m" || fail "encrypt"
gpg --batch --pinentry-mode loopback --passphrase 123456 -o "$t/m.out" --decrypt "$t/m.gpg" \
    2>/dev/null || fail "gpg decrypt with the card"
cmp "$t/m" "$t/m.out" || fail "decrypted text differs"
gpgconf --kill all
out=$(openpgp-tool --reader 0 -K 2>&1) || fail "openpgp-tool -K: $out"
for slot in Sig Dec Aut; do
    lower=$(tr 'A-Z' 'a-z' <<<"$slot")
    want=$([ $slot = Dec ] && echo ECDH || echo ECDSA)
    fpr=$(tr 'A-F' 'a-f' < "$OPGP_TEST_PUBKEYS/$lower.fpr" | sed -E 's/(..)/\1:/g; s/:$//')
    grep -q "^$slot Algorithm: *$want\$" <<<"$out" || fail "openpgp-tool: $slot algorithm: $out"
    grep -q "^$slot Fingerprint: *$fpr" <<<"$out" || fail "openpgp-tool: $slot fingerprint"
done
pkcs15-tool --reader 0 --read-certificate 03 > "$t/aut.crt" 2>/dev/null || fail "pkcs15-tool --read-certificate 03"
openssl x509 -in "$t/aut.crt" -noout -pubkey | cmp - "$OPGP_TEST_PUBKEYS/aut.pem" ||
    fail "OpenSC's authentication certificate carries another key"
echo PASS
