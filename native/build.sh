#!/usr/bin/env bash
# Configures and builds the native library and its tests into the folder given as $1.
# Maven runs this through the JavaCPP plugin; by hand: native/build.sh build
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:?usage: native/build.sh BUILD_DIR}"
cmake -S "$root" -B "$out" -DCMAKE_BUILD_TYPE="${XENT_BUILD_TYPE:-Release}" ${XENT_CMAKE_ARGS:-} >/dev/null
cmake --build "$out" --parallel "$(nproc 2>/dev/null || echo 2)"
