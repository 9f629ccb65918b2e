#!/bin/bash
# GnuTLS p11tool signs and verifies with the authentication key (--test-sign); OpenSSH's
# ssh-keygen -D lists the card's public keys, the authentication key among them (P-256 card).
. "$(dirname "$0")/common.inc"
need_card --alg p256
need_tool p11tool
need_tool ssh-keygen
t=$OPGP_TEST_TMP
url=$(p11tool --provider "$M" --list-token-urls 2>/dev/null | head -1)
[ -n "$url" ] || fail "p11tool lists no token"
GNUTLS_PIN=123456 p11tool --provider "$M" --login --test-sign "$url;object=Authentication%20key" \
    > "$t/p11tool.out" 2>&1 || { cat "$t/p11tool.out"; fail "p11tool --test-sign"; }
grep -q "Verifying against public key" "$t/p11tool.out" || { cat "$t/p11tool.out"; fail "no verify"; }
ssh-keygen -D "$M" > "$t/keys" 2>/dev/null || fail "ssh-keygen -D"
ssh-keygen -i -m PKCS8 -f "$OPGP_TEST_PUBKEYS/aut.pem" > "$t/aut.pub" || fail "convert aut.pem"
grep -qF "$(cut -d' ' -f2 "$t/aut.pub")" "$t/keys" || { cat "$t/keys"; fail "authentication key not listed by ssh-keygen"; }
echo PASS
