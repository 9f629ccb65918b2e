#!/bin/bash
# The .deb, installed into the real system (root; test machines are disposable) and purged again:
#   cpack -G DEB in the packaging build; Depends has libpcsclite1, libssl3 and pcscd; dpkg -i puts
#   the module in /usr/lib/<multiarch>/pkcs11 with its p11-kit config; with a simulated card,
#   `p11-kit list-modules` shows opgp with the card's token and `p11tool --list-tokens` lists the
#   token from opgp's module, with no configuration; dpkg --purge leaves none of the package's
#   files or directories behind. The package is removed on every exit path.
#   install_deb.sh DEB_BUILD_DIR          (OPGP_BUILD_DIR: the build with opgp-sim, for with-card)
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
fail() { echo "FAIL: $*" >&2; exit 1; }

if [ "${1:-}" = --with-card ]; then
    # Inside tests/with-card: $2 is the module's installed path.
    module=$2
    p11-kit list-modules > modules.txt 2>&1 || fail "p11-kit list-modules: $(cat modules.txt)"
    # Our module's block: from "opgp:" to the next module line (no leading blank).
    awk '/^opgp:/{on=1; print; next} /^[^ \t]/{on=0} on' modules.txt > opgp.txt
    cat opgp.txt
    [ -s opgp.txt ] || fail "p11-kit list-modules does not show opgp: $(cat modules.txt)"
    grep -q "token: " opgp.txt || fail "p11-kit shows no token of opgp's module"
    label=$(sed -n 's/^ *token: *//p' opgp.txt | head -1)
    p11tool --list-tokens > tokens.txt 2>&1 || fail "p11tool --list-tokens: $(cat tokens.txt)"
    # The token whose Module line is ours.
    # (GnuTLS names the module as p11-kit's config does: the bare file name.)
    awk -v m="$(basename "$module")" '/^Token [0-9]+:/{blk=$0 "\n"; next} {blk=blk $0 "\n"}
        /^[ \t]*Module:/ && ($NF == m || $NF ~ ("/" m "$")) {print blk}' tokens.txt > ours.txt
    cat ours.txt
    grep -q "Label: $label" ours.txt || fail "p11tool lists no token of $module labelled '$label': $(cat tokens.txt)"
    grep -q "URL: pkcs11:.*token=" ours.txt || fail "no token URL"
    echo "p11-kit and p11tool see the card through $module"
    exit 0
fi

[ $# = 1 ] || { echo "usage: install_deb.sh DEB_BUILD_DIR" >&2; exit 2; }
build=$1
[ "$(id -u)" = 0 ] || { echo "install_deb: needs root (dpkg -i); skipped" >&2; exit 77; }
for p in dpkg dpkg-deb cpack p11-kit p11tool; do
    command -v "$p" >/dev/null || { echo "install_deb: no $p (scripts/deps.sh); skipped" >&2; exit 77; }
done
if dpkg-query -W -f='${Status}' opgp 2>/dev/null | grep -q 'ok installed'; then
    echo "install_deb: an opgp package is installed already (not ours to remove); skipped" >&2
    exit 77
fi
[ -f "$build/CPackConfig.cmake" ] || fail "no $build/CPackConfig.cmake (build the tree first)"

tmp=$(mktemp -d /tmp/opgp-install-deb.XXXXXX)
installed=0
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [ "$installed" = 1 ]; then
        dpkg --purge opgp >/dev/null 2>&1 || echo "install_deb: dpkg --purge opgp failed" >&2
    fi
    rm -rf "$tmp"
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

t0=$SECONDS
(cd "$build" && cpack -G DEB -B "$tmp/pkg") > "$tmp/cpack.log" 2>&1 ||
    fail "cpack: $(cat "$tmp/cpack.log")"
deb=$(ls "$tmp"/pkg/opgp_*.deb 2>/dev/null | head -1)
[ -f "$deb" ] || fail "no opgp_*.deb: $(cat "$tmp/cpack.log")"
echo "built $(basename "$deb") in $((SECONDS - t0)) s"
dpkg-deb -f "$deb" Package Version Architecture Depends Recommends
depends=$(dpkg-deb -f "$deb" Depends)
for d in libpcsclite1 libssl3 pcscd libc6; do
    [[ ",$depends" == *", $d"* || "$depends" == "$d"* ]] || fail "Depends lacks $d: $depends"
done
[ "$(dpkg-deb -f "$deb" Package)" = opgp ] || fail "package name"

multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
module=/usr/lib/$multiarch/pkcs11/opgp-pkcs11.so
config=/usr/share/p11-kit/modules/opgp.module
# Directories the package will create (absent now): they must be gone after the purge.
dpkg-deb -c "$deb" | awk '{print $NF}' | sed 's|^\.||; s|/$||' | grep -v '^$' > "$tmp/contents"
while read -r p; do
    [ -e "$p" ] || echo "$p"
done < "$tmp/contents" > "$tmp/new"

dpkg -i "$deb" > "$tmp/dpkg.log" 2>&1 || { installed=1; fail "dpkg -i: $(cat "$tmp/dpkg.log")"; }
installed=1
dpkg -L opgp > "$tmp/list" || fail "dpkg -L"
for f in "$module" "$config" /usr/bin/opgp-tool /usr/share/man/man1/opgp-tool.1.gz \
         /usr/share/man/man1/opgp-tool.1 "/usr/lib/$multiarch/pkgconfig/opgp.pc"; do
    grep -qx "$f" "$tmp/list" || continue
    [ -f "$f" ] || fail "$f listed but not installed"
    echo "installed: $f"
done
for f in "$module" "$config" /usr/bin/opgp-tool "/usr/lib/$multiarch/pkgconfig/opgp.pc"; do
    grep -qx "$f" "$tmp/list" || fail "the package lacks $f"
done
[ "$(sed -n 's/^module: *//p' "$config")" = opgp-pkcs11.so ] || fail "opgp.module: $(cat "$config")"
[ "$(pkg-config --variable=pkcs11_module opgp)" = "$module" ] || fail "pkg-config opgp"
/usr/bin/opgp-tool --help >/dev/null || fail "opgp-tool --help"
man -w opgp-tool >/dev/null 2>&1 || fail "man -w opgp-tool"

OPGP_BUILD_DIR=${OPGP_BUILD_DIR:-$repo/build/native} "$repo/tests/with-card" \
    bash -c 'cd "$OPGP_TEST_TMP" && "$0" --with-card "$1"' "$0" "$module"
rc=$?
[ $rc = 0 ] || fail "with a simulated card (exit $rc)"

dpkg --purge opgp > "$tmp/purge.log" 2>&1 || fail "dpkg --purge: $(cat "$tmp/purge.log")"
installed=0
dpkg-query -W -f='${Status}' opgp 2>/dev/null | grep -q 'ok installed' && fail "still installed"
left=0
while read -r p; do
    if [ -e "$p" ] && { [ ! -d "$p" ] || grep -qx "$p" "$tmp/new"; }; then
        echo "left behind: $p" >&2
        left=1
    fi
done < "$tmp/list"
[ $left = 0 ] || fail "files left after dpkg --purge"
echo "dpkg --purge: all $(wc -l < "$tmp/list") paths of the package gone (or shared directories)"
echo "install_deb: $((SECONDS - t0)) s"
echo PASS
