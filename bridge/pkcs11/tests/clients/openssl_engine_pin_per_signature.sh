#!/bin/bash
# OpenSSL's engine (libp11) on a card that wants the PIN for every signature: the signature key
# carries CKA_ALWAYS_AUTHENTICATE, so libp11 does the context-specific login itself, asking for
# the PIN on the terminal (OpenSSL's UI reads /dev/tty: a pseudo-terminal answers it here). The
# module's pinentry is not involved: it serves only clients that never do that login (see
# pinentry.sh, openssh_pin_per_signature.sh). Without a terminal, the signature fails cleanly.
. "$(dirname "$0")/common.inc"
need_card --alg rsa2048 --pin-per-signature
[ -f /usr/lib/x86_64-linux-gnu/engines-3/pkcs11.so ] ||
    { echo "SKIP: libengine-pkcs11-openssl not installed"; exit 77; }
t=$OPGP_TEST_TMP
export PKCS11_MODULE_PATH="$M"
head -c 1000 /dev/urandom > "$t/in"
uri='pkcs11:object=Signature%20key;type=private;pin-value=123456'
sign() {
    openssl dgst -engine pkcs11 -keyform engine -sha256 -sign "$uri" -out "$t/sig" "$t/in"
}
# Answer the first PIN prompt on a pseudo-terminal; print what the program wrote; its exit code.
on_tty() {
    python3 - "$@" <<'PY'
import os, pty, select, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
out, sent, deadline = b"", False, time.time() + 60
while time.time() < deadline:
    r, _, _ = select.select([fd], [], [], 0.5)
    if not r:
        continue
    try:
        d = os.read(fd, 4096)
    except OSError:
        break
    if not d:
        break
    out += d
    if not sent and b"PIN" in out:
        os.write(fd, b"123456\n")
        sent = True
_, st = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors="replace"))
sys.exit(os.waitstatus_to_exitcode(st) if sent else 3)
PY
}
export -f sign; export t uri
out=$(on_tty bash -c sign) || fail "engine signature with a PIN typed at libp11's prompt: $out"
grep -q "PIN for Signature key" <<<"$out" || fail "no PIN prompt for the signature key: $out"
openssl dgst -sha256 -verify "$OPGP_TEST_PUBKEYS/sig.pem" -signature "$t/sig" "$t/in" ||
    fail "verify"
rm -f "$t/sig"
# No terminal: libp11 cannot ask, the module refuses the signature, nothing is signed.
if sign < /dev/null > "$t/notty.log" 2>&1; then fail "signed without a per-signature PIN"; fi
[ ! -s "$t/sig" ] || fail "a signature was written without a PIN"
echo PASS
