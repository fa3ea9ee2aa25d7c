package io.github.xent;

import java.util.Locale;

/** Instruction sets of the native vectorised kernels, from the most portable up (xent.h's enum xent_isa). */
public enum Isa {
    /** The plain C++ reference kernels. */
    SCALAR(0),
    /** 128-bit vectors: SSE2 on x86-64, NEON on ARM64. */
    PORTABLE(1),
    /** AVX2 with FMA. */
    AVX2(2),
    /** AVX-512 F, DQ, BW, VL. */
    AVX512(3);

    /** The value of {@code enum xent_isa} in xent.h (ContractTest checks each). */
    final int code;

    Isa(int code) {
        this.code = code;
    }

    /** The set of xent.h's code {@code code}. */
    static Isa ofCode(int code) {
        for (Isa isa : values()) if (isa.code == code) return isa;
        throw new IllegalStateException("the native library reports an unknown instruction set " + code);
    }

    /** The lower-case name that the XENT_MAX_ISA environment variable takes. */
    public String envName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
