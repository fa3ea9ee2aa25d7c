#!/usr/bin/env bash
# Runs the JMH comparison and writes docs/bench/report.md and docs/bench/chart.png.
#   bench/report.sh quick   # 3 shapes, short iterations: under 10 minutes on a 2-core machine
#   bench/report.sh full    # 5 shapes + label smoothing, probability targets, class axis 1: ~25 minutes
# Build first with the benchmarks' profile: mvn -B -q package -Pbench -DskipTests
set -euo pipefail
cd "$(dirname "$0")/.."
profile="${1:-quick}"
jar=bench/target/benchmarks.jar
[ -f "$jar" ] || { echo "no $jar: build first with: mvn -B -q package -Pbench -DskipTests" >&2; exit 2; }
out=docs/bench
mkdir -p "$out"
flags=(--enable-native-access=ALL-UNNAMED --add-modules=jdk.incubator.vector -Xmx8g)
case "$profile" in
    quick) iterations=(-wi 1 -i 3 -w 1 -r 1 -f 1) ;;
    full) iterations=(-wi 3 -i 5 -w 1 -r 1 -f 1) ;;
    *) echo "usage: bench/report.sh quick|full" >&2; exit 2 ;;
esac
# libtorch's very first load on an empty JavaCPP cache can fail when Debian's python3-torch is
# installed: extract the cache once before the forks start.
java "${flags[@]}" -cp "$jar" io.github.xent.bench.PeakMemory libtorch-1 32x10 >/dev/null 2>&1 || true

echo "== JMH, $profile profile"
rm -f "$out"/results-"$profile"*.json
if [ "$profile" = quick ]; then
    java -jar "$jar" CrossEntropyBenchmark -p shape=32x10,65536x10,4096x32000 -p variant=index "${iterations[@]}" \
        -rf json -rff "$out/results-quick.json"
else
    java -jar "$jar" CrossEntropyBenchmark -p shape=32x10,65536x10,256x1000,4096x32000,1024x128256 -p variant=index \
        "${iterations[@]}" -rf json -rff "$out/results-full-index.json"
    # Label smoothing and probability targets at the LLM shape (the pure-Java backend adds nothing
    # new there, nor do the floors with smoothing: the same bytes as index targets; probability
    # targets are a third stream, which their floors read), and class axis 1 (N, C, H, W) for every
    # contender.
    java -jar "$jar" CrossEntropyBenchmark -p shape=4096x32000 -p variant=smoothing,probabilities \
        -p contender=xent-native-1,xent-native-all,vector-api,libtorch-1,libtorch-all "${iterations[@]}" \
        -rf json -rff "$out/results-full-variants.json"
    java -jar "$jar" CrossEntropyBenchmark -p shape=4096x32000 -p variant=probabilities \
        -p contender=floor-read,floor-readwrite "${iterations[@]}" -rf json -rff "$out/results-full-variant-floors.json"
    java -jar "$jar" CrossEntropyBenchmark -p shape=8x21x256x256 -p variant=index "${iterations[@]}" \
        -rf json -rff "$out/results-full-axis1.json"
fi

echo "== peak extra memory of one fwd+bwd at 4096x32000, one JVM per contender"
: > "$out/memory.jsonl"
for c in xent-native-1 xent-native-all xent-java vector-api libtorch-1 libtorch-all; do
    java "${flags[@]}" -cp "$jar" io.github.xent.bench.PeakMemory "$c" 4096x32000 | tee -a "$out/memory.jsonl"
done

# Index targets first, then the variants with their floors, then class axis 1.
if [ "$profile" = quick ]; then
    results=("$out/results-quick.json")
else
    results=("$out"/results-full-{index,variants,variant-floors,axis1}.json)
fi
java -Djava.awt.headless=true -cp "$jar" io.github.xent.bench.Report "$out" "$out/memory.jsonl" "${results[@]}"
