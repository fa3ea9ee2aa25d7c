#!/usr/bin/env bash
# CI for the platforms (called by .ci/run with its scratch folder): the windows-x86_64 native
# tests under wine, the windows-x86_64 and linux-arm64 platform jars, and examples/consumer built
# against the installed artifacts, as a user's project sees them.
set -euo pipefail
cd "$(dirname "$0")/.."
cache="${1:?usage: .ci/platforms.sh SCRATCH_DIR}"
version="$(sed -n '0,/<version>/s:.*<version>\(.*\)</version>.*:\1:p' pom.xml)"
fail() { echo "ci: FAILED: $*" >&2; exit 1; }
# Maven, quiet; its console library leaves colour resets without a newline on stderr, which would
# run into the next line of the log.
mvnq() {
    local status=0
    mvn -B -q -Dstyle.color=never "$@" || status=$?
    echo >&2
    return "$status"
}

echo "== windows-x86_64: MinGW-w64 build, native tests under wine on every instruction set"
win_out="$(native/cross/windows.sh "$cache/windows" 2>&1)" || { echo "$win_out"; fail "the windows-x86_64 native build or tests failed (or could not run)"; }
grep -E '^native tests' <<<"$win_out" | sed 's/^/ci: windows-x86_64: /'

echo "== windows-x86_64 platform jar: every DLL loads under wine, the JNI glue is whole"
jar_out="$(native/cross/windows-jar.sh "$cache/jars" 2>&1)" || { echo "$jar_out"; fail "the windows-x86_64 platform jar"; }
grep -E '^(loaded|FAILED|missing|jniXentNative|.*AVX-512 instructions)' <<<"$jar_out" | sed 's/^/ci: windows jar: /'

echo "== linux-arm64 platform jar (a fwd+bwd on an ARM64 JVM under qemu-user)"
set +e
arm_out="$(native/cross/arm64-jar.sh "$cache/jars" 2>&1)"
arm_status=$?
set -e
case "$arm_status" in
    0) tail -n 3 <<<"$arm_out" | sed 's/^/ci: arm64 jar: /' ;;
    3) [ "${CI:-}" != true ] || { echo "$arm_out"; fail "the linux-arm64 jar was not tested: its packages could not be installed"; }
       echo "ci: note: $(tail -n 1 <<<"$arm_out")" ;;
    *) echo "$arm_out"; fail "the linux-arm64 platform jar" ;;
esac

echo "== the artifacts, installed as a user's repository would hold them"
mvnq install -DskipTests >"$cache/install.log" 2>&1 || { tail -n 30 "$cache/install.log"; fail "mvn install"; }
for jar in "$cache"/jars/xent-"$version"-*.jar; do
    classifier="${jar##*/xent-$version-}"
    mvnq install:install-file -Dfile="$jar" -DgroupId=io.github.xent -DartifactId=xent -Dversion="$version" \
        -Dclassifier="${classifier%.jar}" -Dpackaging=jar -DgeneratePom=false
done

echo "== each platform jar's natives (OpenBLAS comes from its preset, never from a xent jar)"
for jar in java/core/target/xent-"$version"-linux-x86_64.jar "$cache"/jars/xent-"$version"-*.jar; do
    listing="$(unzip -l "$jar" | awk '/io\/github\/xent\/[a-z0-9_-]+\/[^\/]+$/ {print $4}')"
    echo "ci: ${jar##*/}: $(tr '\n' ' ' <<<"$listing")"
    [ -n "$listing" ] || fail "${jar##*/} holds no natives"
    if grep -qi openblas <<<"$listing"; then fail "${jar##*/} bundles OpenBLAS"; fi
done

echo "== examples/consumer: the BOM and xent-platform, -Djavacpp.platform=linux-x86_64"
consumer=(-f examples/consumer/pom.xml -Djavacpp.platform=linux-x86_64)
mvnq "${consumer[@]}" package exec:exec | tee "$cache/consumer.log"
grep -q '^consumer: OK' "$cache/consumer.log" || fail "the consumer project did not complete its training steps"
mvnq "${consumer[@]}" dependency:build-classpath -Dmdep.outputFile="$cache/consumer.classpath" >/dev/null
jars="$(tr ':' '\n' <"$cache/consumer.classpath")"
sed 's|.*/|ci: consumer class path: |' <<<"$jars"
[ "$(grep -c 'openblas-.*-linux-x86_64\.jar$' <<<"$jars")" -eq 1 ] || fail "the consumer does not have exactly one OpenBLAS natives jar"
if grep -E 'openblas-.*-(linux-arm64|windows-x86_64)\.jar$|xent-.*-(linux-arm64|windows-x86_64)\.jar$' <<<"$jars"; then
    fail "-Djavacpp.platform=linux-x86_64 still brought another platform's natives"
fi
echo "== the same program on the module path (automatic modules)"
java --enable-native-access=ALL-UNNAMED --module-path "$(cat "$cache/consumer.classpath")" \
    --add-modules io.github.xent,io.github.xent.linux.x86_64,org.bytedeco.openblas.linux.x86_64 \
    -cp examples/consumer/target/classes example.Consumer | tail -n 1 | grep -q '^consumer: OK' || fail "the consumer on the module path"
echo "ci: consumer: OK on the class path and on the module path"
echo "== examples/language-model: an LSTM ending in a XentRnnOutputLayer, trained for 30 s"
mvnq -f examples/language-model/pom.xml -Djavacpp.platform=linux-x86_64 -Dseconds=30 package exec:exec | tee "$cache/lm.log"
grep -q '^language model: OK' "$cache/lm.log" || fail "the language model example did not train"
grep -E '^(text|trained|sample)' "$cache/lm.log" | sed 's/^/ci: language model: /'
if [ -f "$cache/jars/xent-$version-linux-arm64.jar" ]; then
    echo "== xent-platform without -Djavacpp.platform: every platform's natives"
    mvnq -f examples/consumer/pom.xml dependency:build-classpath -Dmdep.outputFile="$cache/all.classpath" >/dev/null
    tr ':' '\n' <"$cache/all.classpath" | grep -E 'linux-|windows-' | sed 's|.*/|ci: every platform: |'
fi
