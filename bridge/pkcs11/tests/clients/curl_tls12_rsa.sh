#!/bin/bash
# curl through libp11's engine: certificate and RSA authentication key named by PKCS#11 URIs,
# TLS 1.2 to openssl s_server -www on 127.0.0.1, which requires and verifies the card's
# certificate and offers only RSA+SHA256 (PKCS#1 v1.5) for it; the page comes back.
. "$(dirname "$0")/common.inc"
need_card --alg rsa2048
need_tool curl
[ -f /usr/lib/x86_64-linux-gnu/engines-3/pkcs11.so ] ||
    { echo "SKIP: libengine-pkcs11-openssl not installed"; exit 77; }
t=$OPGP_TEST_TMP
export PKCS11_MODULE_PATH="$M"
start_tls_server "$OPGP_TEST_PUBKEYS/aut.crt" -www -client_sigalgs RSA+SHA256
curl -sS --max-time 15 --tlsv1.2 --tls-max 1.2 --cacert "$t/server.crt" --engine pkcs11 \
    --cert-type ENG --cert 'pkcs11:object=Authentication%20certificate;type=cert' \
    --key-type ENG --key 'pkcs11:object=Authentication%20key;type=private;pin-value=123456' \
    -o "$t/page" "https://127.0.0.1:$PORT/" > "$t/client.log" 2>&1 ||
    { cat "$t/client.log" "$t/server.log"; fail "curl"; }
stop_server
grep -q "^depth=0 CN = .*authentication" "$t/server.log" && grep -q "^verify return:1" "$t/server.log" ||
    { cat "$t/server.log"; fail "server did not verify the client certificate"; }
for want in "Protocol  : TLSv1.2" "Peer signature type: RSA" "Verify return code: 0 (ok)"; do
    grep -qF "$want" "$t/page" || { cat "$t/page"; fail "page lacks '$want'"; }
done
sed -n '/^Client certificate/,/END CERTIFICATE/p' "$t/page" | sed 1d > "$t/seen.crt"
cmp -s <(openssl x509 -in "$t/seen.crt" -outform DER) <(openssl x509 -in "$OPGP_TEST_PUBKEYS/aut.crt" -outform DER) ||
    { cat "$t/page"; fail "the server did not get the card's certificate"; }
echo PASS
