#!/usr/bin/env python3
"""Fails when a shared library has AVX-512 instructions outside xent's AVX-512 kernels.

The shipped library must run on any x86-64 CPU: only code in namespace xent::avx512 (compiled
from native/src/kernels/table_avx512.cpp, called after a CPU check) may use AVX-512. An instruction counts as
AVX-512 when it names a zmm register, a mask register k0-k7, or xmm/ymm 16-31, or is an
EVEX-only operation.

    python3 tools/isa/check_isa.py java/core/target/native/lib/libxent.so [more.so ...]
"""
import re
import subprocess
import sys

AVX512_OPERAND = re.compile(r"%zmm\d+|%k[0-7]\b|%[xy]mm(1[6-9]|2\d|3[01])\b")
AVX512_ONLY = re.compile(r"\b(vpternlog|vpermt2|vpermi2|vscalef|vrndscale|vgetexp|vgetmant|vfixupimm|vrange|vreduce|"
                         r"vpcompress|vpexpand|vcompress|vexpand|vpmov[a-z]*2m|vpmovm2|kmov|kand|kor|kxor|kxnor|knot)")
FUNCTION = re.compile(r"^[0-9a-f]+ <(.+)>:$")


def check(path):
    out = subprocess.run(["objdump", "-d", "-C", "--no-show-raw-insn", path], capture_output=True, text=True, check=True).stdout
    function, allowed, found, bad = "?", False, 0, []
    for line in out.splitlines():
        m = FUNCTION.match(line)
        if m:
            function = m.group(1)
            allowed = "xent::avx512::" in function
            continue
        if "\t" not in line:
            continue
        instruction = line.split("\t", 1)[1]
        if AVX512_OPERAND.search(instruction) or AVX512_ONLY.search(instruction):
            found += 1
            if not allowed:
                bad.append(f"{function}: {instruction.strip()}")
    print(f"{path}: {found} AVX-512 instructions, {len(bad)} outside xent::avx512")
    for b in bad[:20]:
        print("  " + b)
    return not bad


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    ok = all([check(p) for p in sys.argv[1:]])
    sys.exit(0 if ok else 1)
