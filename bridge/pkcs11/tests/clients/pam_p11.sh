#!/bin/bash
# PAM: pam_p11 (libpam-p11) authenticates root with the card through opgp (pamtester, the PIN on
# stdin): the right PIN succeeds, a wrong one fails and costs exactly one try of the user PIN.
# The PAM service file and root's ~/.ssh/authorized_keys (what pam_p11 0.3 matches the token's keys
# against) live in bind mounts of this script's private mount namespace (tests/with-card): the
# machine's /etc/pam.d and /root are not touched.
. "$(dirname "$0")/common.inc"
need_card --alg rsa2048
need_tool pamtester
pam_p11=/lib/x86_64-linux-gnu/security/pam_p11.so
[ -f "$pam_p11" ] || { echo "SKIP: libpam-p11 not installed (scripts/deps.sh)"; exit 77; }
t=$OPGP_TEST_TMP
tool=${OPGP_BUILD_DIR:?}/tools/opgp-tool
retries() { "$tool" --json status | grep -o '"pw1":[0-9]*' | head -1 | cut -d: -f2; }

mkdir "$t/pam.d" "$t/root"
cp -a /etc/pam.d/. "$t/pam.d/"
printf 'auth required %s %s\naccount required pam_permit.so\n' "$pam_p11" "$M" > "$t/pam.d/opgp-test"
private_mount "$t/pam.d" /etc/pam.d
mkdir -m 700 "$t/root/.ssh"
ssh-keygen -i -m PKCS8 -f "$OPGP_TEST_PUBKEYS/aut.pem" > "$t/root/.ssh/authorized_keys" || fail "aut key"
private_mount "$t/root" /root
user=root

[ "$(retries)" = 3 ] || fail "user PIN tries before: $(retries)"
echo 123456 | pamtester opgp-test "$user" authenticate > "$t/good.log" 2>&1 ||
    { cat "$t/good.log"; fail "pam_p11 with the right PIN"; }
grep -q "successfully authenticated" "$t/good.log" || { cat "$t/good.log"; fail "no success"; }
[ "$(retries)" = 3 ] || fail "user PIN tries after the right PIN: $(retries)"
if echo 654321 | pamtester opgp-test "$user" authenticate > "$t/bad.log" 2>&1; then
    cat "$t/bad.log"; fail "pam_p11 accepted a wrong PIN"
fi
[ "$(retries)" = 2 ] || { cat "$t/bad.log"; fail "a wrong PIN cost $((3 - $(retries))) tries, not 1"; }
grep -q "PIN not verified" "$t/bad.log" || { cat "$t/bad.log"; fail "pam_p11 did not report the wrong PIN"; }
echo PASS
