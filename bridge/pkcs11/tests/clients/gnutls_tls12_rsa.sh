#!/bin/bash
# GnuTLS gnutls-cli: TLS 1.2 client authentication with the card's RSA authentication key and the
# certificate read from the card (both named by PKCS#11 URIs, the module found through p11-kit),
# against openssl s_server on 127.0.0.1, which requires and verifies the card's certificate.
. "$(dirname "$0")/common.inc"
need_card --alg rsa2048
need_tool gnutls-cli
t=$OPGP_TEST_TMP
private_p11kit_modules
start_tls_server "$OPGP_TEST_PUBKEYS/aut.crt" -rev
tok='pkcs11:token=Card%20Test;id=%03'
printf 'hello\nCLOSE\n' | GNUTLS_PIN=123456 gnutls-cli 127.0.0.1 -p "$PORT" \
    --priority NORMAL:-VERS-TLS1.3 --x509cafile "$t/server.crt" \
    --x509certfile "$tok;type=cert" --x509keyfile "$tok;type=private" > "$t/client.log" 2>&1 ||
    { cat "$t/client.log" "$t/server.log"; fail "gnutls-cli"; }
wait "$server_pid"; server_pid=
server_saw_client_cert authentication TLSv1.2
grep -q "^Signature type: RSA$" "$t/server.log" || { cat "$t/server.log"; fail "not RSA PKCS#1"; }
grep -q "^olleh" "$t/client.log" || { cat "$t/client.log"; fail "no reply through the channel"; }
echo PASS
