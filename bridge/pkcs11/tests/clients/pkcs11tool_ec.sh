#!/bin/bash
# pkcs11-tool on a card provisioned with EC keys on CURVE: p256, or bp256 and secp256k1 (curves
# cardmod cannot express, reached through opgp's vendor key specs). Usage: pkcs11tool_ec.sh CURVE
# [PART], PART (default all) one of:
#   sign:   -O lists the three public keys with the curve's CKA_EC_PARAMS and the simulator's
#           points, and the three certificates; after login, the private keys are EC keys for
#           sign (01, 03) and derive (02); ECDSA-SHA256 and raw ECDSA with 01 and 03 verify with
#           openssl against the simulator's public keys;
#   derive: ECDH1-DERIVE (CKD_NULL) with 02 and an ephemeral key's public half, as DER through
#           pkcs11-tool and as the raw point through p11_ecdh_tool, gives openssl's secret, of
#           the field's size.
# ctest runs every curve (p256 as two tests, pkcs11tool_p256 and pkcs11tool_ecdh_p256).
. "$(dirname "$0")/common.inc"
curve=${1:-}
part=${2:-all}
case $curve in
    p256) params=06082a8648ce3d030107 group=P-256 ;;
    bp256) params=06092b2403030208010107 group=brainpoolP256r1 ;;
    secp256k1) params=06052b8104000a group=secp256k1 ;;
    *) fail "curve '$curve': usage $0 p256|bp256|secp256k1 [all|sign|derive]" ;;
esac
case $part in all|sign|derive) ;; *) fail "part '$part': all, sign or derive" ;; esac
field_bytes=32
# Inside tests/with-card with a card of the curve (common.inc's need_card drops the arguments).
[ -n "${OPGP_TEST_PUBKEYS:-}" ] || exec "$WITH_CARD" --alg "$curve" "$0" "$@"
t=$OPGP_TEST_TMP

check_objects() {
    local out n id pem use want
    out=$(pkcs11-tool --module "$M" -O 2>&1) || fail "-O: $out"
    n=$(grep -c "EC_PARAMS:  $params\$" <<<"$out")
    [ "$n" = 3 ] || fail "$n public keys with $curve parameters (want 3): $out"
    n=$(grep -c "Certificate Object" <<<"$out")
    [ "$n" = 3 ] || fail "$n certificates listed (want 3): $out"
    for id in 01 02 03; do
        pem=$(case $id in 01) echo sig ;; 02) echo dec ;; 03) echo aut ;; esac)
        want=$(openssl pkey -pubin -in "$OPGP_TEST_PUBKEYS/$pem.pem" -outform DER |
               tail -c $((2 * field_bytes + 1)) | od -An -tx1 | tr -d " \n")
        grep -q "EC_POINT:   04$(printf %02x $((2 * field_bytes + 1)))$want\$" <<<"$out" ||
            fail "public key $id is not the card's $pem key: $out"
    done
    out=$(pkcs11-tool --module "$M" --login --pin 123456 -O 2>&1) || fail "--login -O: $out"
    # pkcs11-tool prints no curve for private keys: their kind and usage
    for id in 01 02 03; do
        use=$([ $id = 02 ] && echo derive || echo sign)
        grep -A3 "^Private Key Object; EC" <<<"$out" | grep -A1 "ID:         $id" |
            grep -q "Usage:      $use\$" || fail "private key $id: not an EC key for $use: $out"
    done
}

check_signatures() {
    local id pem
    head -c 700 /dev/urandom > "$t/in"
    openssl dgst -sha256 -binary "$t/in" > "$t/h"
    for id in 01 03; do
        pem=$([ $id = 03 ] && echo aut || echo sig)
        pkcs11-tool --module "$M" --login --pin 123456 --sign --id $id -m ECDSA-SHA256 \
            --signature-format openssl -i "$t/in" -o "$t/sig$id" || fail "ECDSA-SHA256 with $id"
        openssl dgst -sha256 -verify "$OPGP_TEST_PUBKEYS/$pem.pem" -signature "$t/sig$id" \
            "$t/in" || fail "verify ECDSA-SHA256 of $id"
        pkcs11-tool --module "$M" --login --pin 123456 --sign --id $id -m ECDSA \
            --signature-format openssl -i "$t/h" -o "$t/raw$id" || fail "ECDSA with $id"
        openssl pkeyutl -verify -pubin -inkey "$OPGP_TEST_PUBKEYS/$pem.pem" -in "$t/h" \
            -sigfile "$t/raw$id" || fail "verify raw ECDSA of $id"
    done
}

check_derive() {
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:$group -out "$t/eph.pem" ||
        fail "genpkey $group"
    openssl pkey -in "$t/eph.pem" -pubout -outform DER -out "$t/eph.der" || fail "eph pub"
    openssl pkeyutl -derive -inkey "$t/eph.pem" -peerkey "$OPGP_TEST_PUBKEYS/dec.pem" \
        -out "$t/want" || fail "openssl derive"
    pkcs11-tool --module "$M" --login --pin 123456 --derive -m ECDH1-DERIVE --id 02 \
        -i "$t/eph.der" -o "$t/got" || fail "pkcs11-tool --derive"
    [ "$(stat -c %s "$t/got")" = $field_bytes ] || fail "secret is not $field_bytes bytes"
    cmp "$t/want" "$t/got" || fail "$curve ECDH secret differs from openssl's"
    # The same through the module's own API test tool (raw point, not DER).
    tail -c $((2 * field_bytes + 1)) "$t/eph.der" > "$t/eph.raw"
    "${OPGP_P11_ECDH_TOOL:?}" "$M" 123456 "$t/eph.raw" "$t/got2" || fail "p11_ecdh_tool"
    cmp "$t/want" "$t/got2" || fail "raw point: $curve ECDH secret differs from openssl's"
}

if [ "$part" != derive ]; then
    check_objects
    check_signatures
fi
[ "$part" = sign ] || check_derive
echo "PASS $curve $part"
