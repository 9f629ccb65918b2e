#!/bin/bash
# ECC cards: status names the curves; key export matches the simulator's keys for NIST P-256
# (ECDSA/ECDH) and for Ed25519/X25519, and --ssh works for the curves OpenSSH knows.
. "$(dirname "$0")/common.inc"
if [ -z "${OPGP_TEST_PUBKEYS:-}" ]; then
    [ -x "$TOOL" ] || { echo "no opgp-tool at $TOOL" >&2; exit 2; }
    "$WITH_CARD" --alg p256 "$0" p256 || exit $?
    exec "$WITH_CARD" --alg cv25519 "$0" cv25519
fi
alg=$1
out=$("$TOOL" status) || fail "status"
case $alg in
    p256) want_sig="ECDSA NIST P-256"; want_dec="ECDH NIST P-256"; ssh_type=ecdsa-sha2-nistp256 ;;
    cv25519) want_sig="EdDSA Ed25519"; want_dec="ECDH X25519"; ssh_type=ssh-ed25519 ;;
esac
grep -q "Algorithm .*: $want_sig\$" <<<"$out" || fail "$alg: sig algorithm $want_sig"
grep -q "Algorithm .*: $want_dec\$" <<<"$out" || fail "$alg: dec algorithm $want_dec"
for slot in sig dec aut; do
    "$TOOL" key export $slot > "$OPGP_TEST_TMP/$slot.pem" || fail "$alg: key export $slot"
    cmp "$OPGP_TEST_TMP/$slot.pem" "$OPGP_TEST_PUBKEYS/$slot.pem" || fail "$alg: $slot differs"
    grep -qF "$(sed -E 's/(....)/\1 /g; s/ $//' "$OPGP_TEST_PUBKEYS/$slot.fpr" |
               sed -E 's/^((.... ){4}....) /\1  /')" <<<"$out" || fail "$alg: $slot fingerprint"
done
ssh=$("$TOOL" key export aut --ssh) || fail "$alg: --ssh"
# The reference line from the simulator's PEM: ssh-keygen for ECDSA, python for Ed25519 (which
# ssh-keygen -i cannot read from PKCS#8).
if [ $alg = p256 ]; then
    want=$(ssh-keygen -i -m PKCS8 -f "$OPGP_TEST_PUBKEYS/aut.pem") || fail "ssh-keygen"
else
    want=$(python3 - "$OPGP_TEST_PUBKEYS/aut.pem" <<'PY'
import base64, struct, sys
from cryptography.hazmat.primitives import serialization
key = serialization.load_pem_public_key(open(sys.argv[1], "rb").read())
print(key.public_bytes(serialization.Encoding.OpenSSH,
                       serialization.PublicFormat.OpenSSH).decode())
PY
) || fail "python reference"
fi
[ "$(cut -d' ' -f1,2 <<<"$ssh")" = "$(cut -d' ' -f1,2 <<<"$want")" ] || fail "$alg ssh: $ssh"
[ "$(cut -d' ' -f1 <<<"$ssh")" = "$ssh_type" ] || fail "$alg ssh type"
if [ $alg = cv25519 ]; then
    err=$("$TOOL" key export dec --ssh 2>&1); rc=$?
    [ $rc = 2 ] && grep -q "OpenSSH has no format for ECDH X25519" <<<"$err" || fail "x25519 ssh: $rc $err"
fi
echo "PASS $alg"
