#!/bin/bash
# Authenticode-signs Windows PE files (DLL, EXE, the NSIS installer) in place with osslsigncode:
# SHA-256 digest, the certificate chain of a PKCS#12 file, optionally an RFC 3161 timestamp.
# The build calls this for every DLL and EXE and for the installer when OPGP_SIGN_PKCS12 is set
# (packaging/sign.cmake); tests/install/authenticode.sh calls it with a throwaway certificate.
#   authenticode-sign.sh --pkcs12 FILE [--pass-file FILE] [--timestamp URL] [--name TEXT] PE...
# The password is read from --pass-file by osslsigncode itself (never on a command line, never
# printed). A file that is already signed is re-signed (osslsigncode replaces the signature).
set -u
prog=authenticode-sign
die() { echo "$prog: $*" >&2; exit 1; }
pkcs12= pass_file= timestamp= name=opgp
while [ $# -gt 0 ]; do
    case $1 in
        --pkcs12) pkcs12=${2-}; shift 2 ;;
        --pass-file) pass_file=${2-}; shift 2 ;;
        --timestamp) timestamp=${2-}; shift 2 ;;
        --name) name=${2-}; shift 2 ;;
        --) shift; break ;;
        -*) die "unknown option $1" ;;
        *) break ;;
    esac
done
[ -n "$pkcs12" ] && [ $# -gt 0 ] ||
    { echo "usage: $prog --pkcs12 FILE [--pass-file FILE] [--timestamp URL] [--name TEXT] PE..." >&2
      exit 2; }
[ -r "$pkcs12" ] || die "cannot read the signing certificate $pkcs12"
[ -z "$pass_file" ] || [ -r "$pass_file" ] || die "cannot read the password file $pass_file"
signer=${OSSLSIGNCODE:-osslsigncode}
command -v "$signer" >/dev/null || die "osslsigncode not found (Debian package osslsigncode)"

args=(-pkcs12 "$pkcs12" -h sha256 -n "$name")
# Without a password file the PKCS#12 must have an empty password: say so rather than prompt.
if [ -n "$pass_file" ]; then args+=(-readpass "$pass_file"); else args+=(-pass ""); fi
[ -z "$timestamp" ] || args+=(-ts "$timestamp")

for pe in "$@"; do
    [ -f "$pe" ] || die "no file $pe to sign"
    tmp=$(mktemp "$pe.signing.XXXXXX") || die "mktemp next to $pe"
    rm -f "$tmp"
    if ! out=$("$signer" sign "${args[@]}" -in "$pe" -out "$tmp" 2>&1); then
        rm -f "$tmp"
        die "signing $pe with $pkcs12 failed: $(printf '%s' "$out" | tail -3)"
    fi
    # Keep the mode (the build's DLLs are executable) and replace atomically.
    chmod --reference="$pe" "$tmp" 2>/dev/null
    mv -f "$tmp" "$pe" || die "replacing $pe"
    echo "$prog: signed $pe"
done
