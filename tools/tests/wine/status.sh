#!/bin/bash
# The Windows build, opgp-tool.exe (x64, mingw), under Wine with the winscard bridge: list and
# status reach the simulated card through winscard.dll and show its serial and fingerprints
# (certificates parsed by crypt32); --json parses; a missing reader gives exit code 3; PINs from a
# descriptor (stdin: Wine passes no other) change and fail as natively; DER on stdout stays binary;
# a request signed with BCrypt's SHA-256 verifies; key import reads unencrypted PEM keys. The commands that go through bridge/host's token
# API (list, pin change, cert read, key csr) find the card's minidriver as on Windows, registered for
# its ATR as the INF does (tests/wine/tests/common.inc: register_card).
. "$(dirname "$0")/../common.inc"
EXE=${OPGP_TOOL_EXE:?OPGP_TOOL_EXE: the mingw opgp-tool.exe}
RUN=${OPGP_WINE_RUN:?OPGP_WINE_RUN: tests/wine/wine-run}
[ -f "$EXE" ] || { echo "no $EXE" >&2; exit 2; }
OPGP_MINGW64_DIR=${OPGP_MINGW64_DIR:-$(dirname "$(dirname "$EXE")")}
. "$REPO/tests/wine/tests/common.inc"
RUN=${OPGP_WINE_RUN}
if [ -z "${OPGP_TEST_PUBKEYS:-}" ]; then
    exec "$WITH_CARD" --alg rsa2048 "$0"
fi
[ -f "$MD_DLL" ] || fail "no $MD_DLL"
register_card
out=$("$RUN" "$EXE" status | tr -d '\r') || fail "opgp-tool.exe status exit $?"
echo "$out"
grep -q "^Reader .*: $OPGP_TEST_READER\$" <<<"$out" || fail "reader"
grep -q "^Serial number .*: $(cat "$OPGP_TEST_PUBKEYS/serial")\$" <<<"$out" || fail "serial"
for slot in sig dec aut; do
    spaced=$(sed -E 's/(....)/\1 /g; s/ $//' "$OPGP_TEST_PUBKEYS/$slot.fpr" |
             sed -E 's/^((.... ){4}....) /\1  /')
    grep -qF "Fingerprint ......: $spaced" <<<"$out" || fail "$slot fingerprint"
done
# crypt32 parsed the certificates (its quoting of the O= value may differ from OpenSSL's).
[ "$(grep -c '^    Subject .*CN=opgp-sim ' <<<"$out")" = 3 ] || fail "certificate subjects"
[ "$(grep -c '^    Valid until .*: 20[0-9][0-9]-' <<<"$out")" = 3 ] || fail "validity"
json=$("$RUN" "$EXE" --json status | tr -d '\r') || fail "--json exit"
python3 -m json.tool <<<"$json" >/dev/null || fail "--json is not JSON: $json"
"$RUN" "$EXE" list | tr -d '\r' | grep -q "^OpenPGP .*: yes" || fail "list"
"$RUN" "$EXE" --reader "no such reader" status >/dev/null 2>&1; rc=$?
[ $rc = 3 ] || fail "missing reader: exit $rc"
printf '123456\n654321\n' | "$RUN" "$EXE" --pin-fd 0 pin change >/dev/null || fail "pin change"
printf '123456\n111111\n' | "$RUN" "$EXE" --pin-fd 0 pin change > "$OPGP_TEST_TMP/wrong" 2>&1
rc=$?
err=$(tr -d '\r' < "$OPGP_TEST_TMP/wrong")
[ "$rc" = 2 ] && grep -q "wrong user PIN (PW1), 2 tries left" <<<"$err" || fail "wrong PIN: $rc $err"
printf '654321\n123456\n' | "$RUN" "$EXE" --pin-fd 0 pin change >/dev/null || fail "pin change back"
"$RUN" "$EXE" cert read aut --der > "$OPGP_TEST_TMP/aut.der" || fail "cert read --der"
openssl x509 -in "$OPGP_TEST_PUBKEYS/aut.crt" -outform DER | cmp - "$OPGP_TEST_TMP/aut.der" ||
    fail "DER certificate differs (text mode stdout?)"
printf '123456\n' | "$RUN" "$EXE" --pin-fd 0 key csr aut --subject /CN=wine | tr -d '\r' |
    openssl req -verify -noout 2>&1 | grep -q "verify OK" || fail "key csr"
# key import in the Windows build (key_der.c): an unencrypted PKCS#8 P-256 key and a PKCS#1 RSA
# key go in and come out as the same public keys; an encrypted file is refused before any PIN.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$OPGP_TEST_TMP/ec.pem"
openssl pkey -in "$OPGP_TEST_TMP/ec.pem" -pubout -out "$OPGP_TEST_TMP/ec.pub"
printf '12345678\n' | "$RUN" "$EXE" --pin-fd 0 key import aut "$(win_path "$OPGP_TEST_TMP/ec.pem")" |
    tr -d '\r' | grep -q "authentication key imported: ECDSA NIST P-256" || fail "import P-256"
"$RUN" "$EXE" key export aut | tr -d '\r' | cmp -s - "$OPGP_TEST_TMP/ec.pub" ||
    fail "imported P-256 key differs"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$OPGP_TEST_TMP/rsa.pem" 2>/dev/null
openssl rsa -in "$OPGP_TEST_TMP/rsa.pem" -traditional -out "$OPGP_TEST_TMP/rsa1.pem" 2>/dev/null
openssl pkey -in "$OPGP_TEST_TMP/rsa.pem" -pubout -out "$OPGP_TEST_TMP/rsa.pub"
printf '12345678\n' | "$RUN" "$EXE" --pin-fd 0 key import sig "$(win_path "$OPGP_TEST_TMP/rsa1.pem")" \
    >/dev/null || fail "import RSA (PKCS#1)"
"$RUN" "$EXE" key export sig | tr -d '\r' | cmp -s - "$OPGP_TEST_TMP/rsa.pub" ||
    fail "imported RSA key differs"
openssl pkcs8 -topk8 -in "$OPGP_TEST_TMP/ec.pem" -passout pass:x -out "$OPGP_TEST_TMP/enc.pem"
printf '12345678\n' | "$RUN" "$EXE" --pin-fd 0 key import aut "$(win_path "$OPGP_TEST_TMP/enc.pem")" \
    > "$OPGP_TEST_TMP/enc.out" 2>&1; rc=$?
[ $rc = 1 ] && grep -q "is encrypted" "$OPGP_TEST_TMP/enc.out" || fail "encrypted: $rc"
echo PASS
