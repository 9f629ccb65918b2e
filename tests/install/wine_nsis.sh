#!/bin/bash
# The NSIS installer under Wine, silently, in a fresh prefix of our own, with a simulated card
# (tests/with-card): after `setup.exe /S` the minidriver is in System32 (x64) and SysWOW64 (x86),
# the PKCS#11 module, the CSP and opgp-tool in Program Files\opgp (x86 builds in x86\), every card
# entry of inf/opgpmd.reg is in the registry (64-bit and WOW64 views), the CSP's provider key
# (both views) and the uninstall entry exist; opgp-tool.exe runs. Then as Windows finds a card's
# minidriver: card-provider.exe takes the reader's ATR, gets the card type (SCardListCards) and
# its minidriver, CSP and KSP (SCardGetCardTypeProviderName) from the registry and loads the
# minidriver by that name from System32; md-sign.exe signs through the DLL of that name and
# OpenSSL verifies the signature with the card's key. After `uninstall.exe /S` no file and no
# registry key of opgp is left, and the ATR has no card type any more.
#   wine_nsis.sh SETUP_EXE SCRATCH_DIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
fail() { echo "FAIL: $*" >&2; exit 1; }
win_path() { local p; p=$(realpath -m "$1"); printf 'Z:%s' "${p//\//\\}"; }
RUN=${OPGP_WINE_RUN:-$repo/tests/wine/wine-run}
[ $# = 2 ] || { echo "usage: wine_nsis.sh SETUP_EXE SCRATCH_DIR" >&2; exit 2; }
setup=$1 scratch=$2
[ -f "$setup" ] || { echo "no $setup (build the native tree first)" >&2; exit 2; }
# What the installer was made from: the Windows builds, or their signed copies (packaging/sign.cmake).
x64=${OPGP_NSIS_X64:-$OPGP_MINGW64_DIR} x86=${OPGP_NSIS_X86:-$OPGP_MINGW32_DIR}
card_provider=${OPGP_CARD_PROVIDER:-$(dirname "$setup")/card-provider.exe}
md_sign=$OPGP_WINE_BIN/md-sign.exe
for f in "$card_provider" "$md_sign"; do
    [ -f "$f" ] || { echo "no $f (build the native tree first)" >&2; exit 2; }
done
# A simulated card on a private pcscd (exit 77, skipped, where that is impossible).
if [ -z "${OPGP_TEST_PUBKEYS:-}" ]; then
    exec "$repo/tests/with-card" "$0" "$@"
fi
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
cd "$scratch" || exit 1
c=$prefix/drive_c
snapshot() { (cd "$c" && find . -path ./users -prune -o -path ./windows/temp -prune -o -print | sort); }
snapshot > before.txt
tr -d '\r' < "$repo/inf/opgpmd.reg" | sed -n 's/^\[\(HKEY_LOCAL_MACHINE\\[^]]*\)\]$/\1/p' |
    sed 's/^HKEY_LOCAL_MACHINE/HKLM/' > keys.txt
uninstall_key='HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall\opgp'
csp_key='HKLM\SOFTWARE\Microsoft\Cryptography\Defaults\Provider\opgp OpenPGP CSP'
csp_key_wow64='HKLM\SOFTWARE\Wow6432Node\Microsoft\Cryptography\Defaults\Provider\opgp OpenPGP CSP'

"$RUN" "$setup" /S || fail "setup.exe /S exit $?"
files=("Program Files/opgp/opgp-tool.exe" "Program Files/opgp/opgp-pkcs11.dll"
       "Program Files/opgp/x86/opgp-pkcs11.dll" "Program Files/opgp/uninstall.exe"
       "Program Files/opgp/opgpcsp.dll" "Program Files/opgp/x86/opgpcsp.dll"
       windows/system32/opgpmd.dll windows/syswow64/opgpmd.dll)
# The KSP, once bridge/ksp builds one: System32 and SysWOW64, registered under a bare name.
ksp_key='HKLM\SYSTEM\CurrentControlSet\Control\Cryptography\Providers\opgp OpenPGP Key Storage Provider'
ksp=
if [ -f "$x64/bridge/ksp/opgpksp.dll" ] && [ -f "$x86/bridge/ksp/opgpksp.dll" ]; then
    ksp=1
    files+=(windows/system32/opgpksp.dll windows/syswow64/opgpksp.dll)
fi
for f in "${files[@]}"; do [ -f "$c/$f" ] || fail "not installed: $f"; done
cmp -s "$c/Program Files/opgp/opgpcsp.dll" "$x64/bridge/csp/opgpcsp.dll" ||
    fail "Program Files\\opgp\\opgpcsp.dll is not the x64 build"
cmp -s "$c/Program Files/opgp/x86/opgpcsp.dll" "$x86/bridge/csp/opgpcsp.dll" ||
    fail "Program Files\\opgp\\x86\\opgpcsp.dll is not the x86 build"
cmp -s "$c/windows/system32/opgpmd.dll" "$x64/minidriver/opgpmd.dll" ||
    fail "system32\\opgpmd.dll is not the x64 build"
cmp -s "$c/windows/syswow64/opgpmd.dll" "$x86/minidriver/opgpmd.dll" ||
    fail "syswow64\\opgpmd.dll is not the x86 build"
n=0
while read -r key; do
    "$RUN" reg query "$key" > q.txt 2>&1 || fail "reg query $key: $(cat q.txt)"
    tr -d '\r' < q.txt > q
    for v in ATR ATRMask; do grep -Eq "^ +$v +REG_BINARY +[0-9A-F]+\$" q || fail "$key: $v"; done
    grep -Eq "^ +80000001 +REG_SZ +opgpmd\.dll\$" q || fail "$key: 80000001"
    grep -q "Microsoft Base Smart Card Crypto Provider" q || fail "$key: Crypto Provider"
    grep -q "Microsoft Smart Card Key Storage Provider" q || fail "$key: KSP"
    n=$((n + 1))
done < keys.txt
# The installer and opgpmd.reg write the same values: compare the registry's ATRs with the .reg's.
"$RUN" reg query 'HKLM\SOFTWARE\Microsoft\Cryptography\Calais\SmartCards' /s | tr -d '\r' |
    sed -n 's/^ *ATR *REG_BINARY *//p' | sort > atrs-installed.txt
tr -d '\r' < "$repo/inf/opgpmd.reg" | sed -n 's/^"ATR"=hex://p' | tr -d , | tr a-f A-F | sort -u \
    > atrs-reg.txt
cmp -s atrs-installed.txt atrs-reg.txt || fail "ATRs differ from opgpmd.reg: $(diff atrs-reg.txt atrs-installed.txt)"
"$RUN" reg query "$uninstall_key" /v QuietUninstallString >/dev/null 2>&1 || fail "no uninstall entry"
# A signed installer (packaging/sign.cmake) installs a signed uninstaller and signed DLLs.
if command -v osslsigncode >/dev/null &&
   rm -f setup.sig && osslsigncode extract-signature -in "$setup" -out setup.sig >/dev/null 2>&1; then
    for f in "Program Files/opgp/uninstall.exe" windows/system32/opgpmd.dll "Program Files/opgp/opgpcsp.dll"; do
        rm -f installed.sig
        osslsigncode extract-signature -in "$c/$f" -out installed.sig >/dev/null 2>&1 ||
            fail "the installer is signed but the installed $f is not"
    done
    echo "signed installer: uninstall.exe and the installed DLLs are signed"
fi
# The CSP as bridge/csp/opgpcsp.reg registers it, pointing at the installed DLLs.
check_csp() { # KEY IMAGE_PATH
    "$RUN" reg query "$1" > q.txt 2>&1 || fail "reg query $1: $(cat q.txt)"
    tr -d '\r' < q.txt > q
    grep -Fq "$2" q || fail "$1: Image Path is not $2: $(cat q)"
    grep -Eq "^ +Type +REG_DWORD +0x1\$" q || fail "$1: Type is not 1 (PROV_RSA_FULL)"
    grep -Eq "^ +SigInFile +REG_DWORD +0x0\$" q || fail "$1: SigInFile"
}
check_csp "$csp_key" 'C:\Program Files\opgp\opgpcsp.dll'
check_csp "$csp_key_wow64" 'C:\Program Files\opgp\x86\opgpcsp.dll'
if [ -n "$ksp" ]; then
    cmp -s "$c/windows/system32/opgpksp.dll" "$x64/bridge/ksp/opgpksp.dll" ||
        fail "system32\\opgpksp.dll is not the x64 build"
    cmp -s "$c/windows/syswow64/opgpksp.dll" "$x86/bridge/ksp/opgpksp.dll" ||
        fail "syswow64\\opgpksp.dll is not the x86 build"
    "$RUN" reg query "$ksp_key\UM" /v Image 2>&1 | tr -d '\r' |
        grep -Eq '^ +Image +REG_SZ +opgpksp\.dll$' || fail "$ksp_key\UM: Image is not opgpksp.dll"
    "$RUN" reg query "$ksp_key\UM\00010001" /v Functions 2>&1 | tr -d '\r' |
        grep -Eq '^ +Functions +REG_MULTI_SZ +KEY_STORAGE$' || fail "$ksp_key\UM\00010001: Functions"
fi
"$RUN" "$c/Program Files/opgp/opgp-tool.exe" --help > help.txt 2>&1 || fail "opgp-tool.exe --help"
grep -q "key generate" help.txt || fail "opgp-tool.exe --help output"
echo "setup.exe /S: ${#files[@]} files, $n card keys, CSP keys${ksp:+, KSP key}, uninstall entry ($((SECONDS - t0)) s)"

# The card in the reader -> its card type -> its minidriver, from the registry the installer wrote.
atr=$(opensc-tool -a 2>/dev/null | tr -d ': \r\n')
[ -n "$atr" ] || fail "opensc-tool -a: no ATR"
"$RUN" "$card_provider" > cp.txt 2>&1 || fail "card-provider.exe exit $?: $(cat cp.txt)"
tr -d '\r' < cp.txt > cp && cat cp
grep -qix "ATR: $atr" cp || fail "card-provider.exe ATR (opensc-tool says $atr)"
grep -qx "Card: opgp OpenPGP card v2-v3" cp || fail "card type of the simulated card's ATR"
grep -qx "Minidriver: opgpmd.dll" cp || fail "minidriver name"
grep -qx "CSP: Microsoft Base Smart Card Crypto Provider" cp || fail "CSP name"
grep -qx "KSP: Microsoft Smart Card Key Storage Provider" cp || fail "KSP name"
grep -qix 'Loaded: C:\\windows\\system32\\opgpmd.dll' cp || fail "the minidriver was not loaded from System32"
md=$(sed -n 's/^Minidriver: //p' cp)
head -c 3000 /dev/urandom > msg
# The bare name, as the Base CSP loads it: the installed System32 copy, not the build's.
printf '123456\n' | "$RUN" "$md_sign" --dll "$md" --container 0 --pin-stdin --in msg --out sig \
    > sign.txt 2>&1 || fail "md-sign.exe --dll $md exit $?: $(cat sign.txt)"
openssl dgst -sha256 -verify "$OPGP_TEST_PUBKEYS/aut.pem" -signature sig msg >/dev/null ||
    fail "openssl does not verify the signature made through the installed $md"
printf x >> msg
openssl dgst -sha256 -verify "$OPGP_TEST_PUBKEYS/aut.pem" -signature sig msg >/dev/null 2>&1 &&
    fail "a changed message verified"
echo "card type $atr -> $md (System32) signed, openssl verified ($((SECONDS - t0)) s)"
# The rest of the database functions, on a card type of our own (removed again before uninstall):
# SCardGetProviderId and the primary provider's name, SCardListCards with an interface filter.
test_key='HKLM\SOFTWARE\Microsoft\Cryptography\Calais\SmartCards\opgp-test interfaces'
guid=00112233445566778899AABBCCDDEEFF
"$RUN" reg add "$test_key" /v ATR /t REG_BINARY /d 3B0100 /f >/dev/null &&
"$RUN" reg add "$test_key" /v "Primary Provider" /t REG_BINARY /d $guid /f >/dev/null &&
"$RUN" reg add "$test_key" /v "Supported Interfaces" /t REG_BINARY /d FFEEDDCCBBAA99887766554433221100$guid /f \
    >/dev/null || fail "reg add $test_key"
"$RUN" "$card_provider" --database "opgp-test interfaces" $guid > db.txt 2>&1 ||
    fail "card-provider.exe --database: $(cat db.txt)"
tr -d '\r' < db.txt
grep -q "^Primary Provider: {33221100-5544-7766-8899-AABBCCDDEEFF}" db.txt || fail "primary provider GUID string"
"$RUN" reg delete "$test_key" /f >/dev/null || fail "reg delete $test_key"

"$RUN" "$c/Program Files/opgp/uninstall.exe" /S || fail "uninstall.exe /S exit $?"
# NSIS's uninstaller copies itself to %TEMP% and returns at once: wait for it to finish.
for _ in $(seq 1 100); do [ -e "$c/Program Files/opgp" ] || break; sleep 0.1; done
for f in "${files[@]}"; do [ ! -e "$c/$f" ] || fail "left after uninstall: $f"; done
[ ! -e "$c/Program Files/opgp" ] || fail "Program Files\\opgp left"
while read -r key; do
    "$RUN" reg query "$key" >/dev/null 2>&1 && fail "$key left after uninstall"
done < keys.txt
"$RUN" reg query "$uninstall_key" >/dev/null 2>&1 && fail "uninstall entry left"
"$RUN" reg query "$csp_key" >/dev/null 2>&1 && fail "CSP provider key left after uninstall"
"$RUN" reg query "$csp_key_wow64" >/dev/null 2>&1 && fail "WOW64 CSP provider key left after uninstall"
[ -z "$ksp" ] || ! "$RUN" reg query "$ksp_key" >/dev/null 2>&1 || fail "KSP provider key left after uninstall"
"$RUN" "$card_provider" --expect-none > cp-after.txt 2>&1 ||
    fail "card type lookup after uninstall: $(cat cp-after.txt)"
"$RUN" reg export HKLM export.reg /y >/dev/null 2>&1 || fail "reg export HKLM"
iconv -f UTF-16LE -t UTF-8 export.reg > export.txt 2>/dev/null || fail "export.reg is not UTF-16LE"
grep -q 'Microsoft\\Cryptography\\Calais' export.txt || fail "reg export: no Calais key in it"
grep -i 'opgp' export.txt > left.txt
[ ! -s left.txt ] || fail "registry still mentions opgp: $(head -5 left.txt)"
snapshot > after.txt
diff before.txt after.txt > diff.txt || fail "files differ after uninstall: $(cat diff.txt)"
echo "uninstall.exe /S: no file, no registry entry left ($((SECONDS - t0)) s)"
echo PASS
