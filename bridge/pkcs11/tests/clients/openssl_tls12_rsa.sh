#!/bin/bash
# OpenSSL 3 s_client with libp11's engine: TLS 1.2 client authentication with the card's RSA
# authentication key (PKCS#1 v1.5 only, hence RSA+SHA256) against s_server on 127.0.0.1, which
# requires and verifies the card's certificate.
. "$(dirname "$0")/common.inc"
need_card --alg rsa2048
[ -f /usr/lib/x86_64-linux-gnu/engines-3/pkcs11.so ] ||
    { echo "SKIP: libengine-pkcs11-openssl not installed"; exit 77; }
t=$OPGP_TEST_TMP
export PKCS11_MODULE_PATH="$M"
start_tls_server "$OPGP_TEST_PUBKEYS/aut.crt" -rev
printf 'hello\nCLOSE\n' | openssl s_client -ign_eof -connect "127.0.0.1:$PORT" -tls1_2 -client_sigalgs RSA+SHA256 \
    -engine pkcs11 -keyform engine -cert "$OPGP_TEST_PUBKEYS/aut.crt" \
    -key 'pkcs11:object=Authentication%20key;type=private;pin-value=123456' \
    -CAfile "$t/server.crt" -verify_return_error > "$t/client.log" 2>&1 ||
    { cat "$t/client.log" "$t/server.log"; fail "s_client"; }
wait "$server_pid"; server_pid=
server_saw_client_cert authentication TLSv1.2
grep -q "^olleh" "$t/client.log" || { cat "$t/client.log" "$t/server.log"; fail "no reply through the channel"; }
# PKCS#1 v1.5 (the card cannot do PSS)
grep -q "^Signature type: RSA$" "$t/server.log" || { cat "$t/server.log"; fail "not RSA PKCS#1"; }
echo PASS
