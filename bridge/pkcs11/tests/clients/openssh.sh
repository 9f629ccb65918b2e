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

# sshd's privilege-separation directory, on the private /run of tests/with-card.
[ "${OPGP_WITH_CARD_INNER:-}" = 1 ] || fail "not in tests/with-card's private /run"
mkdir -p /run/sshd && chmod 755 /run/sshd
ssh-keygen -q -t ed25519 -N '' -f "$t/hostkey" || fail "host key"
port=$((20000 + RANDOM % 20000))
: > "$t/sshd.log"
/usr/sbin/sshd -D -e -f /dev/null -o "ListenAddress=127.0.0.1:$port" -o "HostKey=$t/hostkey" \
    -o "AuthorizedKeysFile=$t/aut.pub" -o "PidFile=$t/sshd.pid" -o StrictModes=no -o UsePAM=no \
    -o PermitRootLogin=prohibit-password -o PasswordAuthentication=no \
    -o KbdInteractiveAuthentication=no -o AuthenticationMethods=publickey 2> "$t/sshd.log" &
sshd_pid=$!
trap 'kill "$sshd_pid" 2>/dev/null; wait "$sshd_pid" 2>/dev/null' EXIT
for _ in $(seq 100); do grep -q "Server listening" "$t/sshd.log" && break; sleep 0.05; done
grep -q "Server listening" "$t/sshd.log" || { cat "$t/sshd.log"; fail "sshd did not start"; }

echo "[127.0.0.1]:$port $(cat "$t/hostkey.pub")" > "$t/known_hosts"
printf '#!/bin/sh\necho 123456\n' > "$t/askpass"; chmod 700 "$t/askpass"
out=$(SSH_ASKPASS=$t/askpass SSH_ASKPASS_REQUIRE=force DISPLAY=:0 setsid -w \
    ssh -F /dev/null -p "$port" -I "$M" -i "$t/aut.pub" -o IdentitiesOnly=yes -o BatchMode=no \
    -o UserKnownHostsFile="$t/known_hosts" -o GlobalKnownHostsFile=/dev/null \
    -o PasswordAuthentication=no -o KbdInteractiveAuthentication=no -o ConnectTimeout=10 \
    "$(id -un)@127.0.0.1" echo ok < /dev/null 2> "$t/ssh.log")
[ "$out" = ok ] || { cat "$t/ssh.log" "$t/sshd.log"; fail "ssh login with the card: '$out'"; }
grep -q "Accepted publickey for $(id -un) from 127.0.0.1 .* RSA SHA256:" "$t/sshd.log" ||
    { cat "$t/sshd.log"; fail "sshd did not accept the card's key"; }
echo PASS
