#!/usr/bin/env bash
# Cross-builds the native library and its tests for 64-bit Windows with MinGW-w64 and runs the
# tests under wine, once per instruction set this CPU has (as native/tests/every_isa.sh does here):
#   native/cross/windows.sh BUILD_DIR
# Links the OpenBLAS preset's windows-x86_64 libopenblas.dll. Needs Debian's
# g++-mingw-w64-x86-64-posix and wine64, and installs them with apt-get when it runs as root.
# Exit status 3: not run, because they could not be had (the reason is printed).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="${1:?usage: native/cross/windows.sh BUILD_DIR}"
. "$root/native/cross/packages.sh"
need=()
command -v x86_64-w64-mingw32-g++-posix >/dev/null 2>&1 || need+=(g++-mingw-w64-x86-64-posix)
command -v wine64 >/dev/null 2>&1 || [ -x /usr/lib/wine/wine64 ] || need+=(wine64)
ensure_packages windows "$out.apt.log" "${need[@]}"
openblas="$("$root/native/openblas.sh" "$out.openblas" windows-x86_64)"
cmake -S "$root" -B "$out" -DCMAKE_BUILD_TYPE=Release -DCMAKE_TOOLCHAIN_FILE="$root/native/cross/x86_64-w64-mingw32.cmake" \
    -DXENT_OPENBLAS_DIR="$openblas" >/dev/null
cmake --build "$out" --parallel "$(nproc 2>/dev/null || echo 2)" >/dev/null
x86_64-w64-mingw32-objdump -f "$out/bin/xent.dll" | grep -E "file format"
# The DLLs the tests load, in wine's search path: xent.dll beside them, OpenBLAS, the MinGW runtime.
export WINEPATH="$out/bin;$openblas;$(native_runtime_dirs)"
export WINEPREFIX="${WINEPREFIX:-$out.wine}"
"$root/native/tests/every_isa.sh" "$out"
