package io.github.xent;

import java.util.Locale;

/** Instruction sets of the native vectorised kernels, from the most portable up (xent.h's enum xent_isa). */
public enum Isa {
    /** The plain C++ reference kernels. */
    SCALAR,
    /** 128-bit vectors: SSE2 on x86-64, NEON on ARM64. */
    PORTABLE,
    /** AVX2 with FMA. */
    AVX2,
    /** AVX-512 F, DQ, BW, VL. */
    AVX512;

    /** The lower-case name that the XENT_MAX_ISA environment variable takes. */
    public String envName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
