#!/bin/bash
# What a person sees when something is missing: exit codes as documented in --help (1 usage,
# 3 no reader/card) and sentences naming the reader; apdu sends raw commands.
. "$(dirname "$0")/common.inc"
need_card rsa2048
help=$("$TOOL" --help) || fail "--help exit"
grep -q "^Exit codes:" <<<"$help" && grep -q "3  no reader, no card" <<<"$help" || fail "help"
"$TOOL" frobnicate 2>/dev/null; [ $? = 1 ] || fail "unknown command"
"$TOOL" 2>/dev/null; [ $? = 1 ] || fail "no command"
err=$("$TOOL" --reader "no such reader" status 2>&1); rc=$?
[ $rc = 3 ] && grep -q 'no reader named "no such reader"' <<<"$err" || fail "reader: $rc $err"
empty=${OPGP_TEST_READER% 00}" 01"
err=$("$TOOL" --reader "$empty" status 2>&1); rc=$?
[ $rc = 3 ] && grep -q "no card in reader $empty" <<<"$err" || fail "empty reader: $rc $err"
"$TOOL" --reader "$OPGP_TEST_READER" status >/dev/null || fail "--reader"
"$TOOL" --pin-fd 3 pin change 3</dev/null 2>/dev/null; [ $? = 1 ] || fail "empty PIN input"
# apdu: GET DATA 5E (login data) answers "opgp-test" and 9000; an unknown instruction 6D00 and
# exit 2.
out=$("$TOOL" apdu 00CA005E00) || fail "apdu GET DATA"
[ "$out" = "$(printf opgp-test | od -An -tx1 | tr -d ' \n' | tr a-f A-F) 9000" ] ||
    fail "apdu output: $out"
out=$("$TOOL" apdu "00 EE 00 00"); rc=$?
[ $rc = 2 ] && [ "$out" = 6D00 ] || fail "apdu unknown INS: $rc $out"
"$TOOL" apdu 00C 2>/dev/null; [ $? = 1 ] || fail "bad hex"
echo PASS
