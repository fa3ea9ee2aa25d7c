#!/usr/bin/env bash
# Runs a Windows test executable under wine (CMake's emulator for the MinGW build). WINEPATH
# (set by native/cross/windows.sh) names the folders of the DLLs it needs: libxent, OpenBLAS,
# and the MinGW runtime. Wine's own messages (fixme:, err:) go nowhere.
set -euo pipefail
wine="$(command -v wine64 || echo /usr/lib/wine/wine64)"
export WINEDEBUG="${WINEDEBUG:--all}"
exec "$wine" "$@"
