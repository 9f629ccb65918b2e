#!/usr/bin/env bash
# The main job on the embedded default: a simulated OpenPGP card on a private pcscd, shown through
# opgp, then a signature made through PKCS#11 (Linux) and through the Windows DLLs under Wine,
# each verified by openssl against the card's public key.
#   ./demo.sh [--alg rsa2048|p256|...]
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")"
alg=rsa2048
[[ "${1:-}" == --alg ]] && alg=$2

scripts/deps.sh demo
echo "== building (native, with the Windows DLLs for Wine)"
cmake --preset native >/dev/null
cmake --build --preset native >/dev/null
exec tests/with-card --alg "$alg" scripts/demo-inner.sh
