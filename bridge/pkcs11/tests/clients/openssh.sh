#!/bin/bash
# OpenSSH: ssh-keygen -D lists the card's authentication key; ssh -I (the module, PIN from an
# SSH_ASKPASS script) logs in with it to a private sshd on 127.0.0.1 and runs a command.
. "$(dirname "$0")/common.inc"
need_card --alg rsa2048
need_tool ssh
[ -x /usr/sbin/sshd ] || { echo "SKIP: openssh-server not installed (scripts/deps.sh)"; exit 77; }
t=$OPGP_TEST_TMP
ssh-keygen -i -m PKCS8 -f "$OPGP_TEST_PUBKEYS/aut.pem" > "$t/aut.pub" || fail "convert aut.pem"
ssh-keygen -D "$M" > "$t/keys" 2>/dev/null || fail "ssh-keygen -D"
grep -qF "$(cut -d' ' -f2 "$t/aut.pub")" "$t/keys" || { cat "$t/keys"; fail "aut key not listed"; }

start_sshd "$t/aut.pub"
out=$(ssh_with_card "$t/aut.pub")
[ "$out" = ok ] || { cat "$t/ssh.log" "$t/sshd.log"; fail "ssh login with the card: '$out'"; }
grep -q "Accepted publickey for $(id -un) from 127.0.0.1 .* RSA SHA256:" "$t/sshd.log" ||
    { cat "$t/sshd.log"; fail "sshd did not accept the card's key"; }
echo PASS
