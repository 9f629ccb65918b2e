#!/bin/bash
# The NSIS installer under Wine, silently, in a fresh prefix of our own: after `setup.exe /S` the
# minidriver is in System32 (x64) and SysWOW64 (x86), the PKCS#11 module and opgp-tool in
# Program Files\opgp, every card entry of inf/opgpmd.reg is in the registry (64-bit and WOW64
# views) and the uninstall entry exists; opgp-tool.exe runs. After `uninstall.exe /S` no file and
# no registry key of opgp is left.
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

"$RUN" "$setup" /S || fail "setup.exe /S exit $?"
files=("Program Files/opgp/opgp-tool.exe" "Program Files/opgp/opgp-pkcs11.dll"
       "Program Files/opgp/x86/opgp-pkcs11.dll" "Program Files/opgp/uninstall.exe"
       windows/system32/opgpmd.dll windows/syswow64/opgpmd.dll)
for f in "${files[@]}"; do [ -f "$c/$f" ] || fail "not installed: $f"; done
cmp -s "$c/windows/system32/opgpmd.dll" "$OPGP_MINGW64_DIR/minidriver/opgpmd.dll" ||
    fail "system32\\opgpmd.dll is not the x64 build"
cmp -s "$c/windows/syswow64/opgpmd.dll" "$OPGP_MINGW32_DIR/minidriver/opgpmd.dll" ||
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
"$RUN" "$c/Program Files/opgp/opgp-tool.exe" --help > help.txt 2>&1 || fail "opgp-tool.exe --help"
grep -q "key generate" help.txt || fail "opgp-tool.exe --help output"
echo "setup.exe /S: ${#files[@]} files, $n card keys, uninstall entry ($((SECONDS - t0)) s)"

"$RUN" "$c/Program Files/opgp/uninstall.exe" /S || fail "uninstall.exe /S exit $?"
# NSIS's uninstaller copies itself to %TEMP% and returns at once: wait for it to finish.
for _ in $(seq 1 100); do [ -e "$c/Program Files/opgp" ] || break; sleep 0.1; done
for f in "${files[@]}"; do [ ! -e "$c/$f" ] || fail "left after uninstall: $f"; done
[ ! -e "$c/Program Files/opgp" ] || fail "Program Files\\opgp left"
while read -r key; do
    "$RUN" reg query "$key" >/dev/null 2>&1 && fail "$key left after uninstall"
done < keys.txt
"$RUN" reg query "$uninstall_key" >/dev/null 2>&1 && fail "uninstall entry left"
"$RUN" reg export HKLM export.reg /y >/dev/null 2>&1 || fail "reg export HKLM"
iconv -f UTF-16LE -t UTF-8 export.reg > export.txt 2>/dev/null || fail "export.reg is not UTF-16LE"
grep -q 'Microsoft\\Cryptography\\Calais' export.txt || fail "reg export: no Calais key in it"
grep -i 'opgp' export.txt > left.txt
[ ! -s left.txt ] || fail "registry still mentions opgp: $(head -5 left.txt)"
snapshot > after.txt
diff before.txt after.txt > diff.txt || fail "files differ after uninstall: $(cat diff.txt)"
echo "uninstall.exe /S: no file, no registry entry left ($((SECONDS - t0)) s)"
echo PASS
