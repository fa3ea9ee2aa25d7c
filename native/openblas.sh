#!/usr/bin/env bash
# The OpenBLAS that xent's native code links: the JavaCPP preset's platform jar (pom.xml's
# openblas.version), unpacked under DIR. Prints the folder that holds libopenblas.so.0 (and the
# libraries it needs; libopenblas.dll for windows-x86_64), to pass as XENT_OPENBLAS_DIR; fetches the
# jar with Maven when it is not there.
#   native/openblas.sh DIR [PLATFORM]   (PLATFORM: linux-x86_64, the default, linux-arm64, windows-x86_64)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="${1:?usage: native/openblas.sh DIR [PLATFORM]}"
platform="${2:-linux-x86_64}"
version="$(sed -n 's:.*<openblas.version>\(.*\)</openblas.version>.*:\1:p' "$root/pom.xml")"
folder="$dir/org/bytedeco/openblas/$platform"
library=libopenblas.so.0 pattern="*.so*"
case "$platform" in windows-*) library=libopenblas.dll pattern=libopenblas.dll ;; esac
if [ ! -e "$folder/$library" ]; then
    mkdir -p "$dir"
    mvn -B -q -N -Dstyle.color=never -f "$root/pom.xml" org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
        -Dartifact="org.bytedeco:openblas:$version:jar:$platform" -DoutputDirectory="$dir" >&2
    unzip -q -o "$dir/openblas-$version-$platform.jar" "org/bytedeco/openblas/$platform/$pattern" -d "$dir"
fi
echo "$folder"
