#!/usr/bin/env bash
# Builds the libFuzzer targets with ASan + UBSan (clang: apt-get install clang libclang-rt-14-dev).
#   native/fuzz/build.sh [OUT_DIR]   (default build-fuzz), then
#   build-fuzz/fuzz_compute -max_total_time=600 native/fuzz/corpus
#   build-fuzz/fuzz_linear -max_total_time=600 native/fuzz/corpus_linear
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="${1:-$root/build-fuzz}"
mkdir -p "$out"
# The OpenBLAS preset's library (native/openblas.sh), which the fused linear form calls.
openblas="$("$root/native/openblas.sh" "$out/openblas")"
san="-g -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
objects=()
for src in "$root"/native/src/*.cpp "$root"/native/src/kernels/*.cpp; do
    flags=""
    case "$(basename "$src")" in
        table_avx2.cpp) flags="-mavx2 -mfma" ;;
        table_avx512.cpp) flags="-mavx512f -mavx512dq -mavx512bw -mavx512vl -mfma -mavx2" ;;
    esac
    obj="$out/$(basename "$src" .cpp).o"
    clang++ -std=c++17 $san -pthread $flags -ffp-contract=fast -DXENT_VERSION_STRING='"fuzz"' \
        -I"$root/native/include" -I"$root/native/src" -c "$src" -o "$obj"
    objects+=("$obj")
done
for target in fuzz_compute fuzz_linear; do
    clang++ -std=c++17 -g -O1 -pthread -fsanitize=fuzzer,address,undefined -I"$root/native/include" \
        "$root/native/fuzz/$target.cpp" "${objects[@]}" "$openblas/libopenblas.so.0" -Wl,-rpath,"$openblas" \
        -o "$out/$target"
    echo "$out/$target"
done
