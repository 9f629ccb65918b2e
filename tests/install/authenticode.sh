#!/bin/bash
# Authenticode signing as the build does it (packaging/authenticode-sign.sh, osslsigncode), with a
# throwaway test CA and code-signing certificate made here by openssl: copies of the built
# opgpmd.dll, opgp-pkcs11.dll, opgpcsp.dll (x64 and x86) and of the installer are signed in a
# scratch directory and `osslsigncode verify -CAfile` accepts each one; it rejects the unsigned
# originals, a signed copy with one byte of code changed, and every signature against another CA.
# The signed DLLs still pass pe_check.py (hardening flags and version resource intact).
#   authenticode.sh SCRATCH_DIR PE...
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
fail() { echo "FAIL: $*" >&2; exit 1; }
[ $# -ge 2 ] || { echo "usage: authenticode.sh SCRATCH_DIR PE..." >&2; exit 2; }
scratch=$1
shift
command -v osslsigncode >/dev/null || { echo "osslsigncode missing (scripts/deps.sh)" >&2; exit 77; }
for pe in "$@"; do [ -f "$pe" ] || { echo "no $pe (build the native tree first)" >&2; exit 2; }; done
rm -rf "$scratch"
mkdir -p "$scratch/pki" "$scratch/signed"
cd "$scratch" || exit 1

# A CA, a code-signing certificate it issues, and a second CA that issued nothing of ours.
make_ca() { # NAME
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
        -subj "/CN=opgp throwaway test $1" -keyout "pki/$1.key" -out "pki/$1.pem" \
        -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
        2>pki/err.txt || fail "openssl: CA $1: $(cat pki/err.txt)"
}
make_ca ca
make_ca other-ca
openssl req -newkey rsa:3072 -nodes -subj "/CN=opgp test code signing" -keyout pki/sign.key \
    -out pki/sign.csr 2>pki/err.txt || fail "openssl: CSR: $(cat pki/err.txt)"
printf '%s\n' 'basicConstraints=critical,CA:FALSE' 'keyUsage=critical,digitalSignature' \
    'extendedKeyUsage=codeSigning' > pki/ext.cnf
openssl x509 -req -in pki/sign.csr -CA pki/ca.pem -CAkey pki/ca.key -CAcreateserial -days 2 \
    -extfile pki/ext.cnf -out pki/sign.pem 2>pki/err.txt || fail "openssl: issuing: $(cat pki/err.txt)"
# The PKCS#12 as a release manager would configure it: password in a file, never on a command line.
head -c 18 /dev/urandom | base64 > pki/pass.txt
openssl pkcs12 -export -inkey pki/sign.key -in pki/sign.pem -certfile pki/ca.pem \
    -passout file:pki/pass.txt -out pki/sign.p12 2>pki/err.txt || fail "openssl pkcs12: $(cat pki/err.txt)"

verify() { # FILE CA -> osslsigncode's exit status; its output in verify.txt
    osslsigncode verify -CAfile "$2" -in "$1" > verify.txt 2>&1
}

signed=()
i=0
for pe in "$@"; do
    # Same names from the x64 and x86 builds: one subdirectory per input.
    i=$((i + 1))
    mkdir -p "signed/$i"
    cp "$pe" "signed/$i/" || fail "copy $pe"
    f=signed/$i/$(basename "$pe")
    verify "$f" pki/ca.pem && fail "the unsigned $pe verified"
    signed+=("$f")
done

"$repo/packaging/authenticode-sign.sh" --pkcs12 pki/sign.p12 --pass-file pki/pass.txt \
    --name "opgp test" "${signed[@]}" > sign.txt 2>&1 || fail "authenticode-sign.sh: $(cat sign.txt)"
# The password never reaches the output.
grep -qF "$(cat pki/pass.txt)" sign.txt && fail "the PKCS#12 password was printed"
# A wrong password is refused with the certificate named.
printf 'wrong\n' > pki/wrong.txt
cp "${signed[0]}" wrongpass.dll
"$repo/packaging/authenticode-sign.sh" --pkcs12 pki/sign.p12 --pass-file pki/wrong.txt \
    wrongpass.dll > wrong.txt 2>&1 && fail "signing with a wrong password succeeded"
grep -q "sign.p12" wrong.txt || fail "the wrong-password error does not name the certificate: $(cat wrong.txt)"

n=0
for f in "${signed[@]}"; do
    verify "$f" pki/ca.pem || fail "osslsigncode verify $f: $(cat verify.txt)"
    grep -q "opgp test code signing" verify.txt || fail "$f: signer not in the verification"
    grep -qi "sha256" verify.txt || fail "$f: not a SHA-256 signature"
    verify "$f" pki/other-ca.pem && fail "$f verified against a CA that did not issue the certificate"
    n=$((n + 1))
done

# One byte of the first section's raw data changed (code, not the signature): rejected.
for f in "${signed[@]}"; do
    t=$f.tampered
    cp "$f" "$t"
    off=$(python3 - "$t" <<'EOF'
import struct, sys
d = open(sys.argv[1], "rb").read()
pe = struct.unpack_from("<I", d, 0x3C)[0]
nsect, opt_size = struct.unpack_from("<H", d, pe + 6)[0], struct.unpack_from("<H", d, pe + 20)[0]
sect = pe + 24 + opt_size
raw_size, raw_ptr = struct.unpack_from("<II", d, sect + 16)
print(raw_ptr + raw_size // 2)
EOF
    ) || fail "locating code in $t"
    byte=$(od -An -tu1 -j "$off" -N1 "$t" | tr -d ' ')
    printf "$(printf '\\%03o' $(((byte + 1) % 256)))" |
        dd of="$t" bs=1 seek="$off" conv=notrunc status=none || fail "tampering $t"
    cmp -s "$f" "$t" && fail "tampering changed nothing in $t"
    verify "$t" pki/ca.pem && fail "a tampered copy of $f verified"
done

# Hardening and version resources survive signing (the installer is not a DLL of ours).
dlls=()
for f in "${signed[@]}"; do case $f in *.dll) dlls+=("$f") ;; esac; done
python3 "$here/pe_check.py" "${dlls[@]}" > pe.txt 2>&1 || fail "pe_check.py on signed DLLs: $(cat pe.txt)"
echo "signed and verified $n files against the test CA; tampered copies, unsigned originals and another CA rejected"
echo PASS
