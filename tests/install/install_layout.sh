#!/bin/bash
# `cmake --install` of a build into a scratch DESTDIR: the module in ${libdir}/pkcs11, its p11-kit
# config naming it, opgp-tool and its man page, opgp.pc pointing at the module.
#   install_layout.sh BUILD_DIR SCRATCH
set -u
[ $# = 2 ] || { echo "usage: install_layout.sh BUILD_DIR SCRATCH" >&2; exit 2; }
build=$1 dest=$2
fail() { echo "FAIL: $*" >&2; exit 1; }
rm -rf "$dest"
DESTDIR=$dest cmake --install "$build" >/dev/null || fail "cmake --install"
prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$build/CMakeCache.txt")
libdir=$(sed -n 's/^CMAKE_INSTALL_LIBDIR:PATH=//p' "$build/CMakeCache.txt")
[ -n "$prefix" ] && [ -n "$libdir" ] || fail "no prefix/libdir in the cache"
case $libdir in /*) ;; *) libdir=$prefix/$libdir ;; esac
root=$dest
module=$libdir/pkcs11/opgp-pkcs11.so
for f in "$module" "$prefix/bin/opgp-tool" "$prefix/share/man/man1/opgp-tool.1" \
         "$prefix/share/p11-kit/modules/opgp.module" "$libdir/pkgconfig/opgp.pc"; do
    [ -f "$root$f" ] || fail "missing $f"
    echo "installed: $f"
done
# The module loads (its symbols resolve) and exports C_GetFunctionList.
nm -D --defined-only "$root$module" | grep -q ' C_GetFunctionList$' || fail "no C_GetFunctionList"
line=$(sed -n 's/^module: *//p' "$root$prefix/share/p11-kit/modules/opgp.module")
p11dir=$(pkg-config --variable=p11_module_path p11-kit-1 2>/dev/null)
if [ "$p11dir" = "$libdir/pkcs11" ]; then
    [ "$line" = opgp-pkcs11.so ] || fail "opgp.module says '$line', want the bare name"
else
    [ "$line" = "$module" ] || fail "opgp.module says '$line', want $module"
fi
pc=$(PKG_CONFIG_PATH=$root$libdir/pkgconfig PKG_CONFIG_SYSROOT_DIR= \
     pkg-config --variable=pkcs11_module opgp) || fail "pkg-config opgp"
[ "$pc" = "$module" ] || fail "opgp.pc pkcs11_module=$pc, want $module"
version=$(PKG_CONFIG_PATH=$root$libdir/pkgconfig pkg-config --modversion opgp)
man -l "$root$prefix/share/man/man1/opgp-tool.1" 2>/dev/null | grep -q 'key generate' ||
    fail "man page does not render"
# Nothing else is installed: every file is one of the five (no test programs, no static libs).
count=$(find "$root" -type f | wc -l)
[ "$count" = 5 ] || { find "$root" -type f >&2; fail "$count files installed, want 5"; }
echo "opgp $version: module line '$line', pkg-config pkcs11_module=$pc"
rm -rf "$dest"
echo PASS
