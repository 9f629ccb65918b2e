#!/bin/bash
# The module's own PIN prompt for a card that wants the PIN for every signature, for clients
# that never do a context-specific login: a scripted pinentry (Assuan, as GnuPG's pinentries
# speak it) configured through OPGP_PKCS11_CONF gives the PIN from a file and logs what it was
# asked. (OpenSSL's engine does not get here: libp11 does its own context-specific login through
# OpenSSL's UI before C_Sign, and fails without a terminal.) Each case gets a fresh card (its own tests/with-card run, whose sim counts VERIFYs):
#   twice   a C client signs twice after one C_Login: two prompts, both verified
#   wrong   a wrong PIN: CKR_PIN_INCORRECT, one failed VERIFY only, PW1 down by one; the
#           next C_Sign asks again (showing 2 tries) and signs
#   cancel  CKR_FUNCTION_CANCELED, nothing sent to the card
#   broken  the configured pinentry does not exist: CKR_FUNCTION_FAILED, nothing sent
#   none    no pinentry configured: CKR_USER_NOT_LOGGED_IN, nobody asked
. "$(dirname "$0")/common.inc"
T=${OPGP_BUILD_DIR:?}/bridge/pkcs11/tests/p11_pinentry_test

if [ -z "${OPGP_TEST_PUBKEYS:-}" ]; then
    [ -x "$T" ] || { echo "SKIP: no $T"; exit 77; }
    d=$(mktemp -d /tmp/opgp-pinentry.XXXXXX) || exit 1
    trap 'rm -rf "$d"' EXIT
    scripted_pinentry "$d"
    printf '# opgp-pkcs11 test configuration\n  pinentry =  %s  \n' "$d/pinentry" > "$d/conf"
    printf 'pinentry = %s\n' "$d/no-such-pinentry" > "$d/broken.conf"
    count() { local n; n=$(grep -c "^$1" "$d/log" 2>/dev/null); echo "${n:-0}"; }
    stat_of() { awk -v k="$1" '$1 == k { print $2 }' "$d/stats"; }
    for mode in twice wrong cancel broken none; do
        rm -f "$d/log" "$d/stats" "$d"/sig*
        case $mode in
            wrong) echo 654321 > "$d/pin" ;;
            cancel) echo CANCEL > "$d/pin" ;;
            *) echo 123456 > "$d/pin" ;;
        esac
        conf=$d/conf; [ $mode = none ] && conf=$d/missing.conf
        [ $mode = broken ] && conf=$d/broken.conf
        OPGP_PKCS11_CONF=$conf "$WITH_CARD" --alg rsa2048 --pin-per-signature --stats "$d/stats" \
            "$0" "$mode" "$d" || fail "$mode: client"
        case $mode in
            twice)
                [ "$(count GETPIN)" = 2 ] || fail "$mode: pinentry asked $(count GETPIN) times, want 2"
                [ "$(count BYE)" = 2 ] || fail "$mode: no BYE"
                grep -q '^SETDESC .*OpenPGP card.*signature key (RSA 2048)\.%0A3 tries left\.$' "$d/log" ||
                    fail "$mode: SETDESC: $(grep SETDESC "$d/log")"
                [ "$(stat_of verifies_failed)" = 0 ] || fail "$mode: a VERIFY failed" ;;
            wrong)
                [ "$(count GETPIN)" = 2 ] || fail "wrong: pinentry asked $(count GETPIN) times, want 2"
                [ "$(stat_of verifies_failed)" = 1 ] ||
                    fail "wrong: $(stat_of verifies_failed) failed VERIFYs, want 1 (never resent)"
                grep -q '^SETDESC .*%0A2 tries left\.$' "$d/log" || fail "wrong: second prompt: $(grep SETDESC "$d/log")" ;;
            cancel)
                [ "$(count GETPIN)" = 1 ] || fail "cancel: pinentry asked $(count GETPIN) times"
                [ "$(stat_of verifies_failed)" = 0 ] || fail "cancel: a PIN reached the card"
                [ "$(stat_of signatures)" = 0 ] || fail "cancel: the card signed" ;;
            broken)
                [ "$(stat_of verifies_failed)" = 0 ] || fail "broken: a PIN reached the card"
                [ "$(stat_of signatures)" = 0 ] || fail "broken: the card signed" ;;
            none)
                [ ! -e "$d/log" ] || fail "none: pinentry ran"
                [ "$(stat_of signatures)" = 0 ] || fail "none: the card signed" ;;
        esac
        echo "ok $mode"
    done
    echo PASS
    exit 0
fi

# Inside tests/with-card: $1 the case, $2 the directory.
mode=$1 d=$2
"$T" "$M" "$mode" "$d" || fail "$mode"
if [ -f "$d/sig1" ] && [ "$mode" != wrong ]; then
    openssl dgst -sha256 -verify "$OPGP_TEST_PUBKEYS/sig.pem" -signature "$d/sig1" "$d/data" ||
        fail "$mode: verify 1"
fi
if [ -f "$d/sig2" ]; then
    openssl dgst -sha256 -verify "$OPGP_TEST_PUBKEYS/sig.pem" -signature "$d/sig2" "$d/data" ||
        fail "$mode: verify 2"
fi
