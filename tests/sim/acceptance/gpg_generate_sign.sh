#!/bin/bash
# GnuPG end to end: gpg --card-edit generates the three keys on the card (GENERATE, PUT DATA of
# fingerprints and dates, PSO:CDS for the self-signatures), then signs a file with the card and
# verifies it. The signature counter and PIN counters must follow.
. "$(dirname "$0")/common.inc"
need_card rsa2048
t=$OPGP_TEST_TMP
echo allow-loopback-pinentry >> "$GNUPGHOME/gpg-agent.conf"
# answers: admin, generate, no backup, replace keys, PW1, no expiry, name, email, comment, PW3, PW1...
printf 'admin\ngenerate\nn\ny\n123456\n0\nCard Tester\ncard@example.invalid\n\n12345678\n123456\n123456\n' > "$t/cmds"
gpg --no-tty --command-fd 0 --status-fd 1 --pinentry-mode loopback --card-edit < "$t/cmds" > "$t/status" 2>&1
fpr=$(sed -n 's/^\[GNUPG:\] KEY_CREATED B \([0-9A-F]*\)$/\1/p' "$t/status")
[ -n "$fpr" ] || { cat "$t/status"; fail "no key created"; }
out=$(gpg --card-status 2>&1)
spaced=$(sed -E 's/(....)/\1 /g; s/ $//' <<<"$fpr" | sed -E 's/^((.... ){4}....) /\1  /')
grep -q "^Signature key ....: $spaced" <<<"$out" || fail "card does not hold $fpr"
echo "signed by the card" > "$t/m"
gpg --batch --pinentry-mode loopback --passphrase 123456 -u "$fpr" -o "$t/m.gpg" --sign "$t/m" ||
    fail "sign"
gpg --batch --status-fd 1 --verify "$t/m.gpg" 2>/dev/null | grep -q "^\[GNUPG:\] VALIDSIG $fpr" ||
    fail "signature does not verify"
after=$(gpg --card-status 2>&1)
before_count=$(sed -n 's/^Signature counter : //p' <<<"$out")
after_count=$(sed -n 's/^Signature counter : //p' <<<"$after")
[ "$after_count" = $((before_count + 1)) ] || fail "signature counter $before_count -> $after_count"
grep -q "^PIN retry counter : 3 3 3" <<<"$after" || fail "PIN counters"
echo PASS
