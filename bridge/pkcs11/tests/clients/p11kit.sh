#!/bin/bash
# p11-kit: a module file pointing at opgp makes `p11-kit list-modules` list the module with the
# card's token, and p11-kit's proxy module (what p11-kit-aware applications load) reaches it.
. "$(dirname "$0")/common.inc"
need_card --alg rsa2048
need_tool p11-kit
t=$OPGP_TEST_TMP
private_p11kit_modules
out=$(p11-kit list-modules 2>&1) || fail "p11-kit list-modules: $out"
grep -q "^opgp: $M\$" <<<"$out" || fail "module not listed: $out"
serial=$(tr -d '\n' < "$OPGP_TEST_PUBKEYS/serial")
grep -q "^    token: Card Test\$" <<<"$out" || fail "token not listed: $out"
grep -qi "^        serial-number: .*$serial\$" <<<"$out" || fail "card serial $serial not listed: $out"
proxy=/usr/lib/x86_64-linux-gnu/p11-kit-proxy.so
if [ -f "$proxy" ]; then
    out=$(pkcs11-tool --module "$proxy" -O 2>&1) || fail "pkcs11-tool through the proxy: $out"
    grep -q "label: *Authentication certificate" <<<"$out" || fail "proxy: no objects: $out"
fi
echo PASS
