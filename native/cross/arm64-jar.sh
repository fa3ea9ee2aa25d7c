#!/usr/bin/env bash
# Builds the linux-arm64 platform jar on an x86-64 machine, libxent and the JNI glue both with the
# cross compiler, in a copy of the checkout (the build's own target/ stays x86-64), then runs a
# fwd+bwd through that jar on an ARM64 JVM under qemu-user (native/cross/Arm64Smoke.java):
#   native/cross/arm64-jar.sh OUT_DIR     (OUT_DIR receives xent-VERSION-linux-arm64.jar)
# Needs what native/cross/arm64.sh needs and, for the run, Debian's openjdk-17-jre-headless:arm64
# (multiarch); installs them with apt-get when it runs as root. Exit status 3: not run (the reason
# is printed).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="${1:?usage: native/cross/arm64-jar.sh OUT_DIR}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
arm_java=/usr/lib/jvm/java-17-openjdk-arm64/bin/java
. "$root/native/cross/packages.sh"
need=($(missing_cross_packages))
[ -x "$arm_java" ] || need+=(openjdk-17-jre-headless:arm64)
ensure_packages "arm64 jar" "$out/apt.log" "${need[@]}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$root" && git ls-files -z | tar --null -T - -cf -) | tar -xf - -C "$work"
(cd "$work" && XENT_CMAKE_ARGS="-DCMAKE_TOOLCHAIN_FILE=$work/native/cross/aarch64-linux-gnu.cmake" \
    mvn -B -q -pl java/core -am package -DskipTests -Djavacpp.platform=linux-arm64 -Dxent.module.platform=linux.arm64 \
    -Dxent.cxx=aarch64-linux-gnu-g++)
jar="$(ls "$work"/java/core/target/xent-*-linux-arm64.jar)"
cp "$jar" "$out/"
unzip -l "$jar" | grep -E '\.so'
for lib in libxent.so libjniXentNative.so; do
    unzip -p "$jar" "io/github/xent/linux-arm64/$lib" >"$work/$lib"
    echo "$lib: $(aarch64-linux-gnu-readelf -h "$work/$lib" | grep -E 'Machine:' | xargs)"
done

# The classes jar and JavaCPP's (plain Java) from the same build, and the smoke test against them.
# (The OpenBLAS preset's arm64 natives with them: xent loads OpenBLAS through the preset.)
(cd "$work" && mvn -B -q -pl java/core dependency:build-classpath -Djavacpp.platform=linux-arm64 \
    -Dmdep.outputFile="$work/classpath.txt" -Dmdep.includeScope=runtime)
classpath="$(ls "$work"/java/core/target/xent-*[0-9T].jar | grep -v linux):$jar:$(cat "$work/classpath.txt")"
javac -d "$work/smoke" -cp "$classpath" "$root/native/cross/Arm64Smoke.java"
qemu-aarch64 -L / "$arm_java" --enable-native-access=ALL-UNNAMED -cp "$work/smoke:$classpath" Arm64Smoke
