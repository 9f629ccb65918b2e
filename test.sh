#!/usr/bin/env bash
# Build opgp natively and for Windows (mingw-w64 x64 and x86), then run every test through ctest.
# Installs what is missing on Debian 12 first (quietly, idempotently).
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")"

scripts/deps.sh test

step() { printf '\n== %s\n' "$*"; }
configure() { cmake --preset "$1" >/dev/null || cmake --preset "$1"; }

step "build: native"
configure native
cmake --build --preset native

step "build: Windows x64 (mingw-w64)"
configure mingw64
cmake --build --preset mingw64

step "build: Windows x86 (mingw-w64)"
configure mingw32
cmake --build --preset mingw32

step "tests"
ctest --preset native -j "$(nproc)"

step "sanitizers: ASan + UBSan build and tests"
configure asan
cmake --build --preset asan
ctest --preset asan -j "$(nproc)"

step "fuzz: libFuzzer targets (60 s in all)"
configure fuzz
cmake --build --preset fuzz
tests/fuzz/run-all 60
