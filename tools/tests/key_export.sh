#!/bin/bash
# key export gives each slot's public key as the PEM SubjectPublicKeyInfo the simulator exported,
# and --ssh the OpenSSH line ssh-keygen derives from that same key.
. "$(dirname "$0")/common.inc"
need_card rsa2048
for slot in sig dec aut; do
    "$TOOL" key export $slot > "$OPGP_TEST_TMP/$slot.pem" || fail "key export $slot"
    cmp "$OPGP_TEST_TMP/$slot.pem" "$OPGP_TEST_PUBKEYS/$slot.pem" ||
        fail "$slot: exported key differs from the simulator's"
done
ssh=$("$TOOL" key export aut --ssh) || fail "key export aut --ssh"
want=$(ssh-keygen -i -m PKCS8 -f "$OPGP_TEST_PUBKEYS/aut.pem") || fail "ssh-keygen"
echo "$ssh"
[ "$(cut -d' ' -f1,2 <<<"$ssh")" = "$(cut -d' ' -f1,2 <<<"$want")" ] || fail "ssh line: $want"
grep -q " cardno:FFFF$(cat "$OPGP_TEST_PUBKEYS/serial")\$" <<<"$ssh" || fail "ssh comment"
echo PASS
