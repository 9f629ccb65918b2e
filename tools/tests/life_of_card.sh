#!/bin/bash
# The life of a card, through opgp-tool only (plus openssl as the CA and gpg as the witness):
# factory reset; three keys generated on the card; CSRs for sig and aut signed by an openssl test
# CA; the certificates written; status shows keys, subjects and validity, and agrees with gpg
# --card-status; a Reset Code set; the user PIN changed, blocked with wrong PINs (each message
# says the tries left) and unblocked with the Reset Code; a factory reset again leaves an empty
# card with the factory PINs.
. "$(dirname "$0")/common.inc"
need_card rsa2048
t=$OPGP_TEST_TMP
step() { echo "== $*"; }

step "factory reset"
with_pins 12345678 reset --yes || fail "reset"
[ "$(json_get 'sum(k["present"] for k in d["keys"])')" = 0 ] || fail "keys after reset"

step "generate sig (RSA 2048), dec (X25519), aut (NIST P-256)"
with_pins 12345678 key generate sig --alg rsa2048 || fail "generate sig"
with_pins 12345678 key generate dec --alg cv25519 || fail "generate dec"
with_pins 12345678 key generate aut --alg p256 || fail "generate aut"
python3 - "$("$TOOL" --json status)" <<'PY' || fail "status after generation"
import json, sys
d = json.loads(sys.argv[1])
algs = [k["algorithm"] for k in d["keys"]]
assert algs == ["RSA 2048", "ECDH X25519", "ECDSA NIST P-256"], algs
assert all(k["present"] and k["origin"] == "generated on card" and k["certificate"] is None
           for k in d["keys"]), d["keys"]
assert len({k["fingerprint"] for k in d["keys"]}) == 3
PY

step "an openssl test CA signs CSRs made by the card"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$t/ca.key" \
    -subj "/O=opgp test CA/CN=Life Of Card CA" -days 30 -out "$t/ca.crt" 2>/dev/null || fail "CA"
serial=100
for slot in sig aut; do
    with_pins 123456 key csr $slot --subject "/CN=Ada Lovelace $slot/O=Example" >"$t/$slot.csr" ||
        fail "csr $slot"
    openssl req -in "$t/$slot.csr" -verify -noout || fail "$slot CSR signature"
    openssl req -in "$t/$slot.csr" -pubkey -noout |
        cmp -s - <("$TOOL" key export $slot) || fail "$slot CSR key is not the card's"
    serial=$((serial + 1))
    openssl x509 -req -in "$t/$slot.csr" -CA "$t/ca.crt" -CAkey "$t/ca.key" -set_serial $serial \
        -days 10 -out "$t/$slot.crt" 2>/dev/null || fail "CA signs $slot"
    openssl verify -CAfile "$t/ca.crt" "$t/$slot.crt" || fail "$slot certificate"
    with_pins 12345678 cert write $slot "$t/$slot.crt" || fail "cert write $slot"
    "$TOOL" cert read $slot | cmp -s - <(openssl x509 -in "$t/$slot.crt") ||
        fail "$slot certificate read back differs"
done

step "status shows it all"
out=$("$TOOL" status) || fail "status"
echo "$out"
json=$("$TOOL" --json status)
for slot in sig aut; do
    python3 - "$json" "$slot" \
        "$(openssl x509 -in "$t/$slot.crt" -noout -subject -nameopt RFC2253 | sed 's/^subject=//')" \
        "$(openssl x509 -in "$t/$slot.crt" -noout -issuer -nameopt RFC2253 | sed 's/^issuer=//')" \
        "$(date -u -d "$(openssl x509 -in "$t/$slot.crt" -noout -startdate | cut -d= -f2)" '+%F %T')" \
        "$(date -u -d "$(openssl x509 -in "$t/$slot.crt" -noout -enddate | cut -d= -f2)" '+%F %T')" \
        <<'PY' || fail "$slot certificate in status"
import json, sys
d = json.loads(sys.argv[1])
k = [k for k in d["keys"] if k["slot"] == sys.argv[2]][0]
c = k["certificate"]
want = dict(subject=sys.argv[3], issuer=sys.argv[4], not_before=sys.argv[5], not_after=sys.argv[6])
got = {f: c[f] for f in want}
assert got == want, (got, want)
PY
    grep -qF "Subject ........: $(openssl x509 -in "$t/$slot.crt" -noout -subject \
        -nameopt RFC2253 | sed 's/^subject=//')" <<<"$out" || fail "$slot subject in text"
done
[ "$(json_get 'd["keys"][1]["certificate"]')" = None ] || fail "dec has a certificate"
[ "$(json_get 'd["signature_counter"]')" = 1 ] || fail "signature counter (one CSR by sig)"
compare_with_gpg

step "Reset Code, PIN change"
with_pins "12345678 11223344" pin set-reset-code || fail "set-reset-code"
[ "$(json_get 'd["pin_retries"]["rc"]')" = 3 ] || fail "RC counter"
with_pins "123456 24682468" pin change || fail "pin change"
with_pins 123456 key csr aut --subject /CN=old >/dev/null 2>&1 && fail "old PIN still works"
with_pins 24682468 key csr aut --subject /CN=new >/dev/null || fail "new PIN"

step "block the user PIN with wrong PINs"
left=$(json_get 'd["pin_retries"]["pw1"]')
[ "$left" = 3 ] || fail "PW1 counter $left before blocking"
for want in 2 1 0; do
    err=$(with_pins "99999999 13571357" pin change 2>&1) && fail "wrong PIN accepted"
    echo "$err"
    case $want in
    0) grep -q "PIN blocked (user PIN" <<<"$err" || fail "last try message: $err"
       grep -q "unblock it with the Reset Code" <<<"$err" || fail "advice: $err"
       grep -q "^after: user PIN (PW1): 0 tries left" <<<"$err" || fail "tries after: $err" ;;
    1) grep -q "wrong user PIN.*1 try left" <<<"$err" || fail "message with 1 try: $err" ;;
    *) grep -q "wrong user PIN.*$want tries left" <<<"$err" || fail "message: $err" ;;
    esac
    [ "$(json_get 'd["pin_retries"]["pw1"]')" = $want ] || fail "counter after a wrong PIN"
done
err=$(with_pins 24682468 key csr sig --subject /CN=blocked 2>&1) && fail "blocked PIN signed"
grep -q "user PIN is blocked" <<<"$err" || fail "blocked message: $err"

step "unblock with the Reset Code"
out=$(with_pins "11223344 97539753" pin unblock) || fail "unblock: $out"
echo "$out"
grep -q "^after: user PIN (PW1): 3 tries left" <<<"$out" || fail "tries after unblock"
with_pins 97539753 key csr sig --subject /CN=unblocked >/dev/null || fail "PIN after unblock"
compare_with_gpg

step "factory reset again: an empty card"
with_pins 12345678 reset --yes || fail "second reset"
python3 - "$("$TOOL" --json status)" <<'PY' || fail "card not empty"
import json, sys
d = json.loads(sys.argv[1])
assert all(not k["present"] and k["certificate"] is None for k in d["keys"]), d["keys"]
assert d["name"] is None and d["url"] is None and d["login"] is None
assert d["pin_retries"]["pw1"] == 3 and d["pin_retries"]["pw3"] == 3
assert d["pin_retries"]["rc"] == 0          # no Reset Code after a reset
assert d["signature_counter"] == 0
PY
compare_with_gpg
with_pins "123456 123456" pin change >/dev/null || fail "factory user PIN"
with_pins "12345678 12345678" pin change --admin >/dev/null || fail "factory admin PIN"
echo PASS
