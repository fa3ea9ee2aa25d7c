#!/usr/bin/env bash
# Cross-builds the native library and its tests for 64-bit ARM Linux (there only the portable
# kernels exist: NEON through GCC's vector extensions, and the scalar ones) and runs the tests under
# qemu-user on both:
#   native/cross/arm64.sh BUILD_DIR
# Needs Debian's g++-aarch64-linux-gnu and qemu-user, and installs them with apt-get when it runs as
# root. Exit status 3: not run, because they could not be had (the reason is printed).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="${1:?usage: native/cross/arm64.sh BUILD_DIR}"
. "$root/native/cross/packages.sh"
ensure_packages arm64 "$out.apt.log" $(missing_cross_packages)
# The OpenBLAS preset's arm64 jar, as the linux-arm64 platform jar links it.
openblas="$("$root/native/openblas.sh" "$out.openblas" linux-arm64)"
cmake -S "$root" -B "$out" -DCMAKE_BUILD_TYPE=Release -DCMAKE_TOOLCHAIN_FILE="$root/native/cross/aarch64-linux-gnu.cmake" \
    -DXENT_OPENBLAS_DIR="$openblas" >/dev/null
cmake --build "$out" --parallel "$(nproc 2>/dev/null || echo 2)" >/dev/null
aarch64-linux-gnu-readelf -h "$out/lib/libxent.so" | grep -E "Machine:"
# Both kernel sets ARM64 has, as .ci/run does on x86-64 (test_exp checks every ISA's exp itself).
# (A test that hangs under emulation fails after 5 minutes rather than holding CI.)
echo "ISA portable:"
XENT_MAX_ISA=portable ctest --test-dir "$out" --output-on-failure --timeout 300
echo "ISA scalar:"
XENT_MAX_ISA=scalar ctest --test-dir "$out" --output-on-failure --timeout 300 -E test_exp
