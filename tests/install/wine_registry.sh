#!/bin/bash
# inf/opgpmd.reg and inf/opgpmd-uninstall.reg under Wine, in a fresh prefix of our own, with a
# simulated card (its ATR is the generic OpenPGP 3.x one):
#   1. opgpmd.dll copied to system32 (x86 build to syswow64), as the INF's CopyFiles do; no card
#      registration yet: p11-sign.exe (opgp-pkcs11.dll finds minidrivers in Calais\SmartCards)
#      finds no token;
#   2. regedit /S opgpmd.reg; `reg query` shows every card of the .reg with its ATR, ATRMask,
#      providers and DLL, in the 64-bit and the WOW64 view; the card's ATR matches exactly one entry;
#   3. p11-sign.exe signs with the authentication key, and OpenSSL verifies the signature;
#   4. regedit /S opgpmd-uninstall.reg: every key is gone (reg query fails), p11-sign finds no token.
#   wine_registry.sh SCRATCH_DIR
# Environment: OPGP_WINE_RUN, OPGP_WINE_DLLDIR, OPGP_WINE_BIN (tests/wine build dir: template prefix,
# bridge, p11-sign.exe), OPGP_MINGW64_DIR, OPGP_MINGW32_DIR (optional), OPGP_BUILD_DIR.
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
fail() { echo "FAIL: $*" >&2; exit 1; }
win_path() { local p; p=$(realpath -m "$1"); printf 'Z:%s' "${p//\//\\}"; }
RUN=${OPGP_WINE_RUN:-$repo/tests/wine/wine-run}
REG=$repo/inf/opgpmd.reg
UNREG=$repo/inf/opgpmd-uninstall.reg
P11_DLL=$OPGP_MINGW64_DIR/bridge/pkcs11/opgp-pkcs11.dll
P11_SIGN=$OPGP_WINE_BIN/p11-sign.exe

if [ "${1:-}" = --with-card ]; then
    cd "$OPGP_TEST_TMP" || exit 1
    head -c 2000 /dev/urandom > msg
    dll=$(win_path "$P11_DLL")
    sign() { printf '123456\n' | "$RUN" "$P11_SIGN" --dll "$dll" --key aut --pin-stdin \
                 --in msg --out sig > out.txt 2>&1; }
    tr -d '\r' < "$REG" > reg.txt  # .reg files have CRLF lines
    # Every card key of the .reg, as `reg` names it.
    keys() { sed -n 's/^\[\(HKEY_LOCAL_MACHINE\\[^]]*\)\]$/\1/p' reg.txt | sed 's/^HKEY_LOCAL_MACHINE/HKLM/'; }

    atr=$(opensc-tool -a 2>/dev/null | tr -d ': \r\n')
    entry=$(python3 "$repo/inf/gen-registry.py" --match "$atr") ||
        fail "the card's ATR $atr matches no single entry of inf/cards.txt"
    echo "card ATR $atr: entry '$entry'"

    sign && fail "signed before any card registration"
    echo "before opgpmd.reg: $(tr -d '\r' < out.txt | tail -1)"

    "$RUN" regedit /S "$(win_path "$REG")" || fail "regedit /S opgpmd.reg"
    n=0
    while read -r key; do
        "$RUN" reg query "$key" > q.txt 2>&1 || fail "reg query $key: $(cat q.txt)"
        tr -d '\r' < q.txt > q
        name=${key##*\\}
        want_atr=$(awk -v k="[${key/HKLM/HKEY_LOCAL_MACHINE}]" '$0==k{on=1;next} /^\[/{on=0}
                   on && /^"ATR"=hex:/{sub(/^"ATR"=hex:/,""); gsub(/,/,""); print toupper($0)}' reg.txt)
        grep -Eq "^ +ATR +REG_BINARY +$want_atr\$" q || fail "$key: ATR (want $want_atr): $(cat q)"
        grep -Eq "^ +ATRMask +REG_BINARY +[0-9A-F]+\$" q || fail "$key: ATRMask"
        grep -Eq "^ +80000001 +REG_SZ +opgpmd\.dll\$" q || fail "$key: 80000001"
        grep -Eq "^ +Crypto Provider +REG_SZ +Microsoft Base Smart Card Crypto Provider\$" q ||
            fail "$key: Crypto Provider"
        grep -Eq "^ +Smart Card Key Storage Provider +REG_SZ +Microsoft Smart Card Key Storage Provider\$" q ||
            fail "$key: Smart Card Key Storage Provider"
        n=$((n + 1))
    done < <(keys)
    [ $n -ge 2 ] || fail "only $n keys in $REG"
    grep -q "Wow6432Node" <(keys) || fail "no WOW64 entries"
    echo "reg query: $n card keys (64-bit and WOW64 views) as opgpmd.reg says"

    sign || fail "p11-sign.exe after opgpmd.reg: $(cat out.txt)"
    tr -d '\r' < out.txt
    openssl dgst -sha256 -verify "$OPGP_TEST_PUBKEYS/aut.pem" -signature sig msg ||
        fail "openssl verify"

    "$RUN" regedit /S "$(win_path "$UNREG")" || fail "regedit /S opgpmd-uninstall.reg"
    while read -r key; do
        "$RUN" reg query "$key" >/dev/null 2>&1 && fail "$key still there after the uninstall .reg"
    done < <(keys)
    "$RUN" reg query 'HKLM\SOFTWARE\Microsoft\Cryptography\Calais\SmartCards' /s > all.txt 2>&1
    grep -qi "opgpmd" all.txt && fail "an opgpmd entry is left: $(cat all.txt)"
    rm -f sig
    sign && fail "signed after the uninstall .reg"
    echo "after opgpmd-uninstall.reg: no key left, no token"
    exit 0
fi

[ $# = 1 ] || { echo "usage: wine_registry.sh SCRATCH_DIR" >&2; exit 2; }
scratch=$1
for f in "$P11_DLL" "$OPGP_MINGW64_DIR/minidriver/opgpmd.dll" "$P11_SIGN" \
         "$OPGP_WINE_BIN/pe/winscard.dll"; do
    [ -f "$f" ] || { echo "no $f (build the native tree first)" >&2; exit 2; }
done
[ "$(id -u)" = 0 ] || { echo "wine_registry: needs root (tests/with-card); skipped" >&2; exit 77; }
prefix=$scratch/prefix
cleanup() {
    local rc=$?
    "$repo/tests/wine/make-prefix" down "$prefix"
    rm -rf "$prefix"
    exit $rc
}
trap cleanup EXIT
t0=$SECONDS
mkdir -p "$scratch"
"$repo/tests/wine/make-prefix" up "$OPGP_WINE_BIN/prefix-template" "$prefix" "$OPGP_WINE_BIN/pe" ||
    fail "make-prefix up"
export OPGP_WINE_PREFIX=$prefix
# What the INF's CopyFiles do.
cp "$OPGP_MINGW64_DIR/minidriver/opgpmd.dll" "$prefix/drive_c/windows/system32/opgpmd.dll"
if [ -f "${OPGP_MINGW32_DIR:-}/minidriver/opgpmd.dll" ] && [ -d "$prefix/drive_c/windows/syswow64" ]; then
    cp "$OPGP_MINGW32_DIR/minidriver/opgpmd.dll" "$prefix/drive_c/windows/syswow64/opgpmd.dll"
fi
"$repo/tests/with-card" "$0" --with-card
rc=$?
[ $rc = 0 ] || exit $rc
echo "install_wine_registry: $((SECONDS - t0)) s"
echo PASS
