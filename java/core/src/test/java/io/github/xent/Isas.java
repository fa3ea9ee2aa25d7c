package io.github.xent;

import java.util.ArrayList;
import java.util.List;

/** The instruction sets this machine can run, for tests that check every kernel path. */
final class Isas {
    private Isas() {}

    static List<Isa> available() {
        List<Isa> isas = new ArrayList<>();
        for (Isa isa : Isa.values()) if (isa.code <= Xent.supportedIsa().code) isas.add(isa);
        return isas;
    }

    /** Runs {@code body} with the native kernels capped at {@code isa}, then lifts the cap. */
    static void with(Isa isa, ThrowingRunnable body) throws Throwable {
        Xent.setMaxIsa(isa);
        try {
            body.run();
        } finally {
            Xent.setMaxIsa(Isa.AVX512);
        }
    }

    interface ThrowingRunnable {
        void run() throws Throwable;
    }
}
