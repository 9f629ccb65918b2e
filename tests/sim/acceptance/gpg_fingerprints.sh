#!/bin/bash
# The fingerprints the simulator computes at provisioning (C7/C8) are those GnuPG computes: gpg builds
# an OpenPGP key from the card's SIG key (primary) and DEC key (subkey) with the card's creation date
# and must arrive at the same fingerprints. Covers RSA, NIST, brainpool and 25519 (ECDH KDF params).
# Run with ALG inside tests/with-card: that card only, the key left in $GNUPGHOME (the
# secp256k1 test, gpg_opensc_secp256k1.sh, goes on from there).
. "$(dirname "$0")/common.inc"
if [ -z "${OPGP_TEST_PUBKEYS:-}" ]; then
    for alg in rsa2048 p256 p384 bp256 cv25519; do
        "$WITH_CARD" --alg "$alg" "$0" "$alg" || exit $?
    done
    exit 0
fi
alg=$1
t=$OPGP_TEST_TMP
echo allow-loopback-pinentry >> "$GNUPGHOME/gpg-agent.conf"
TZ=UTC gpg --card-status --with-keygrip > "$t/cs" 2>&1 || fail "$alg: card-status"
gpg-connect-agent "learn --force" /bye > /dev/null || fail "$alg: learn"
mapfile -t grips < <(sed -n 's/^ *keygrip \.*: //p' "$t/cs")
created=$(sed -n 's/^ *created \.*: //p' "$t/cs" | head -1)
[ ${#grips[@]} = 3 ] && [ -n "$created" ] || fail "$alg: keygrips/dates not shown"
case "$alg" in
    rsa*) kt=RSA; st=RSA ;;
    cv25519) kt=EDDSA; st=ECDH ;;
    *) kt=ECDSA; st=ECDH ;;
esac
cat > "$t/batch" <<B
Key-Type: $kt
Key-Grip: ${grips[0]}
Key-Usage: sign
Subkey-Type: $st
Subkey-Grip: ${grips[1]}
Subkey-Usage: encrypt
Name-Real: Fingerprint Check
Creation-Date: $(TZ=UTC date -d "$created" +%Y%m%dT%H%M%S)
Expire-Date: 0
%no-protection
B
TZ=UTC gpg --batch --pinentry-mode loopback --passphrase 123456 --gen-key "$t/batch" > "$t/gen" 2>&1 ||
    { cat "$t/gen"; fail "$alg: gpg could not build the key"; }
mapfile -t fprs < <(gpg -k --with-subkey-fingerprints --with-colons | sed -n 's/^fpr:*\([0-9A-F]*\):$/\1/p')
[ "${fprs[0]}" = "$(cat "$OPGP_TEST_PUBKEYS/sig.fpr")" ] || fail "$alg: SIG ${fprs[0]} != $(cat "$OPGP_TEST_PUBKEYS/sig.fpr")"
[ "${fprs[1]}" = "$(cat "$OPGP_TEST_PUBKEYS/dec.fpr")" ] || fail "$alg: DEC ${fprs[1]} != $(cat "$OPGP_TEST_PUBKEYS/dec.fpr")"
echo "PASS $alg"
