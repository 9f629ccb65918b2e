#!/bin/bash
# OpenSSH on a card that wants the PIN for every signature, with the module's pinentry
# configured (OPGP_PKCS11_CONF; a scripted pinentry logs every request). OpenSSH never does a
# context-specific login:
#   - with the authentication key (INTERNAL AUTHENTICATE, never CKA_ALWAYS_AUTHENTICATE) ssh -I
#     logs in on the C_Login PIN alone: the pinentry is not run and no signature is made;
#   - with the signature key (CKA_ALWAYS_AUTHENTICATE) the module asks the pinentry for the
#     signature PIN when ssh signs: one prompt, the card's one signature, no failed VERIFY.
. "$(dirname "$0")/common.inc"
need_tool ssh
[ -x /usr/sbin/sshd ] || { echo "SKIP: openssh-server not installed (scripts/deps.sh)"; exit 77; }

if [ -z "${OPGP_TEST_PUBKEYS:-}" ]; then
    d=$(mktemp -d /tmp/opgp-ssh-pps.XXXXXX) || exit 1
    trap 'rm -rf "$d"' EXIT
    scripted_pinentry "$d"
    echo 123456 > "$d/pin"
    printf 'pinentry = %s\n' "$d/pinentry" > "$d/conf"
    OPGP_PKCS11_CONF=$d/conf "$WITH_CARD" --alg rsa2048 --pin-per-signature --stats "$d/stats" \
        "$0" "$d" || fail "ssh runs"
    stat_of() { awk -v k="$1" '$1 == k { print $2 }' "$d/stats"; }
    [ "$(grep -c '^GETPIN' "$d/log")" = 1 ] || { cat "$d/log"; fail "pinentry asked $(grep -c '^GETPIN' "$d/log") times, want 1"; }
    grep -q '^SETDESC .*signature key (RSA 2048)' "$d/log" || { cat "$d/log"; fail "prompt was not for the signature key"; }
    [ "$(stat_of signatures)" = 1 ] || fail "$(stat_of signatures) signatures on the card, want 1"
    [ "$(stat_of authentications)" -ge 1 ] || fail "no INTERNAL AUTHENTICATE"
    [ "$(stat_of verifies_failed)" = 0 ] || fail "a VERIFY failed"
    echo PASS
    exit 0
fi

# Inside tests/with-card: $1 the directory of the pinentry and its log.
d=$1
t=$OPGP_TEST_TMP
ssh-keygen -i -m PKCS8 -f "$OPGP_TEST_PUBKEYS/aut.pem" > "$t/aut.pub" || fail "convert aut.pem"
ssh-keygen -i -m PKCS8 -f "$OPGP_TEST_PUBKEYS/sig.pem" > "$t/sig.pub" || fail "convert sig.pem"
cat "$t/aut.pub" "$t/sig.pub" > "$t/authorized_keys"
start_sshd "$t/authorized_keys"

out=$(ssh_with_card "$t/aut.pub")
[ "$out" = ok ] || { cat "$t/ssh.log" "$t/sshd.log"; fail "ssh with the authentication key: '$out'"; }
aut_fp=$(ssh-keygen -lf "$t/aut.pub" | awk '{ print $2 }')
grep -qF "Accepted publickey for $(id -un) from 127.0.0.1 port" "$t/sshd.log" &&
    grep -qF "RSA $aut_fp" "$t/sshd.log" || { cat "$t/sshd.log"; fail "sshd did not accept the authentication key"; }
[ ! -e "$d/log" ] || { cat "$d/log"; fail "the pinentry ran for the authentication key"; }

out=$(ssh_with_card "$t/sig.pub")
[ "$out" = ok ] || { cat "$t/ssh.log" "$t/sshd.log"; fail "ssh with the signature key: '$out'"; }
sig_fp=$(ssh-keygen -lf "$t/sig.pub" | awk '{ print $2 }')
grep -qF "RSA $sig_fp" "$t/sshd.log" || { cat "$t/sshd.log"; fail "sshd did not accept the signature key"; }
