#!/usr/bin/env bash
# Runs the native tests (ctest) once per instruction set this CPU has, each kernel path in turn:
# the README's test command runs this through Maven, so does CI. Fails if any run fails.
#   native/tests/every_isa.sh BUILD_DIR
set -uo pipefail
build="${1:?usage: native/tests/every_isa.sh BUILD_DIR}"
isas="scalar portable"
if [ "$(uname -m)" = x86_64 ]; then
    flags="$(grep -m 1 '^flags' /proc/cpuinfo 2>/dev/null || true)"
    [[ " $flags " == *" avx2 "* && " $flags " == *" fma "* ]] && isas="$isas avx2"
    [[ " $flags " == *" avx512f "* && " $flags " == *" avx512bw "* ]] && isas="$isas avx512"
fi
status=0
for isa in $isas; do
    if ! out="$(XENT_MAX_ISA=$isa ctest --test-dir "$build" --output-on-failure 2>&1)"; then
        echo "$out"
        status=1
    fi
    echo "native tests, $isa kernels: $(grep -E 'tests passed' <<<"$out" || echo 'no summary')"
done
exit $status
