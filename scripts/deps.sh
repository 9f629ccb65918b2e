#!/usr/bin/env bash
# Install what opgp needs on Debian 12, idempotently and quietly: nothing happens (and nothing is
# printed) when every package is already there.  Usage: scripts/deps.sh [build|test|demo]
set -euo pipefail

build=(cmake ninja-build pkg-config gcc libc6-dev libssl-dev openssl libpcsclite-dev
       mingw-w64 xxd libp11-kit-dev)
runtime=(pcscd vsmartcard-vpcd iproute2)  # iproute2: tests/with-card brings up lo in its namespace
tests=(libcmocka-dev gnupg scdaemon opensc opensc-pkcs11 python3 procps util-linux
       wine64 wine64-tools libwine-dev
       clang libclang-rt-14-dev
       libengine-pkcs11-openssl gnutls-bin openssh-client libnss3-tools p11-kit
       openssh-server curl libpam-p11 pamtester  # client tests: sshd, curl, pam_p11
       gnuplot-nox valgrind
       python3-cryptography  # bridge/ksp tests: CNG blobs and r||s signatures
       dpkg-dev man-db nsis osslsigncode)  # packaging tests: dpkg-shlibdeps (cpack), man -l, makensis, Authenticode

want=("${build[@]}" "${runtime[@]}")
case "${1:-test}" in
  build) want=("${build[@]}") ;;
  demo|test) want+=("${tests[@]}") ;;
esac

missing=()
for p in "${want[@]}"; do
  st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$st" == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "deps: installing ${missing[*]}" >&2
sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
# Packages such as pcscd and openssh-server start system services when installed; the tests run
# their own private ones, so forbid service starts during the install (policy-rc.d, exit 101),
# unless the machine already has a policy of its own.
if [[ ! -e /usr/sbin/policy-rc.d ]]; then
  printf '#!/bin/sh\n# opgp scripts/deps.sh: no service starts during installs\nexit 101\n' |
    $sudo tee /usr/sbin/policy-rc.d >/dev/null
  $sudo chmod 755 /usr/sbin/policy-rc.d
  trap '$sudo rm -f /usr/sbin/policy-rc.d' EXIT
fi
$sudo apt-get update -qq >/dev/null
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
