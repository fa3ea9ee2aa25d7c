#!/usr/bin/env bash
# Configures and builds the native library and its tests into the folder given as $1, against the
# OpenBLAS in the folder given as $2 (include/cblas.h, libopenblas.so.0; Maven passes the JavaCPP
# preset's, unpacked). By hand: native/build.sh build [OPENBLAS_DIR]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:?usage: native/build.sh BUILD_DIR [OPENBLAS_DIR]}"
openblas=()
[ -n "${2:-}" ] && openblas=(-DXENT_OPENBLAS_DIR="$2")
cmake -S "$root" -B "$out" -DCMAKE_BUILD_TYPE="${XENT_BUILD_TYPE:-Release}" "${openblas[@]}" ${XENT_CMAKE_ARGS:-} >/dev/null
cmake --build "$out" --parallel "$(nproc 2>/dev/null || echo 2)"
