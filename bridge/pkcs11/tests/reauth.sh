#!/bin/bash
# Re-authentication with the login's PIN (bridge/host token_pin.c) through opgp-pkcs11:
#  1. four processes at once each log in, sign 20 times and log out (each logout clears PW1 for
#     everyone on the shared card): every signature succeeds; some are checked with openssl;
#  2. the PIN changed by another process (opgp-tool pin change --pin-fd, then its PW1 logged out)
#     between two signatures of a logged-in session: a wrong-PIN error after exactly one more
#     VERIFY (the simulator's counters), and no VERIFY after that.
# Env: OPGP_P11_MODULE, OPGP_P11_REAUTH_TEST, OPGP_BUILD_DIR (opgp-tool, opgp-sim).
set -u
WITH_CARD=${OPGP_WITH_CARD:-$(cd "$(dirname "$0")/../../.." && pwd)/tests/with-card}
M=${OPGP_P11_MODULE:?}
T=${OPGP_P11_REAUTH_TEST:?}
TOOL=${OPGP_BUILD_DIR:?}/tools/opgp-tool
fail() { echo "FAIL: $*" >&2; exit 1; }
stat_of() { awk -v k="$1" '$1 == k { print $2 }' "$2"; }

if [ "${1:-}" = concurrent ]; then
    t=$OPGP_TEST_TMP
    pids=()
    for i in 1 2 3 4; do
        mkdir -p "$t/p$i"
        "$T" "$M" loop 20 "$t/p$i" > "$t/p$i/log" 2>&1 &
        pids+=($!)
    done
    for _ in $(seq 500); do
        [ "$(ls "$t"/p*/ready 2>/dev/null | wc -l)" = 4 ] && break
        sleep 0.02
    done
    touch "$t/go"
    rc=0
    for i in 1 2 3 4; do
        wait "${pids[$((i - 1))]}" || { cat "$t/p$i/log"; rc=1; }
    done
    [ $rc = 0 ] || fail "a process failed to sign"
    for i in 1 2 3 4; do
        for k in 0 2; do
            openssl dgst -sha256 -verify "$OPGP_TEST_PUBKEYS/aut.pem" -signature "$t/p$i/sig$k" \
                "$t/p$i/in" > /dev/null || fail "process $i signature $k does not verify"
        done
    done
    echo "4 x 20 signatures, all verified"
    exit 0
fi
if [ "${1:-}" = changed ]; then
    # What another process does: change PW1 (old, new on --pin-fd) and log PW1 out (VERIFY FF 82).
    export OPGP_REAUTH_BEHIND="printf '123456\n654321\n' | $TOOL --pin-fd 0 pin change > /dev/null &&
        $TOOL apdu 0020FF82 > /dev/null"
    exec "$T" "$M" changed
fi

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (tests/with-card)"; exit 77; }
out=$(mktemp -d) || exit 1
trap 'rm -rf "$out"' EXIT
"$WITH_CARD" --alg rsa2048 --delay-ms 2 --stats "$out/s1" "$0" concurrent
rc=$?
[ $rc = 77 ] && exit 77
[ $rc = 0 ] || fail "concurrent signing (exit $rc)"
echo "concurrent: $(stat_of authentications "$out/s1") signatures," \
     "$(stat_of verifies "$out/s1") VERIFY ($(stat_of verifies_failed "$out/s1") failed)"
[ "$(stat_of authentications "$out/s1")" = 80 ] || fail "not 80 signatures on the card"
[ "$(stat_of verifies_failed "$out/s1")" = 0 ] || fail "a VERIFY failed"
# 4 logins; more VERIFYs show that logouts did land among the others' signatures (the case).
[ "$(stat_of verifies "$out/s1")" -gt 4 ] || echo "note: no logout landed among signatures"

"$WITH_CARD" --alg rsa2048 --stats "$out/s2" "$0" changed || fail "PIN changed behind our back"
# login, pin change (the card counts CHANGE REFERENCE DATA as a VERIFY), ONE VERIFY again with the
# old PIN (rejected), the new login: 4, one failed.
v=$(stat_of verifies "$out/s2"); vf=$(stat_of verifies_failed "$out/s2")
echo "changed: $v VERIFY ($vf failed)"
[ "$v" = 4 ] && [ "$vf" = 1 ] || fail "want 4 VERIFY (1 failed), got $v ($vf failed)"
echo PASS
