package io.github.xent;

import static org.junit.jupiter.api.Assertions.fail;

/** Tolerance checks shared by the numerical tests. */
final class Close {
    private Close() {}

    /**
     * Passes when {@code actual} is within {@code tol} relative of {@code expected}, measured against
     * max(|expected|, scale); NaN and infinities must match exactly.
     */
    static boolean close(double expected, double actual, double tol, double scale) {
        if (Double.isNaN(expected)) return Double.isNaN(actual);
        if (Double.isInfinite(expected)) return expected == actual;
        return Math.abs(actual - expected) <= tol * Math.max(Math.abs(expected), scale);
    }

    static void scalar(String what, double expected, double actual, double tol) {
        if (!close(expected, actual, tol, 1e-30)) {
            fail(what + ": expected " + expected + ", got " + actual + " (relative tolerance " + tol + ")");
        }
    }

    /** Element-wise, relative to the largest finite |expected| of the array (like allclose's atol). */
    static void arrays(String what, double[] expected, double[] actual, double tol) {
        arrays(what, expected, actual, tol, 1e-30);
    }

    /**
     * As above, with an absolute floor: {@code unit} is the size of the terms whose difference makes
     * an element (a gradient of 0 is computed as q * a - b with a, b of that size).
     */
    static void arrays(String what, double[] expected, double[] actual, double tol, double unit) {
        if (expected.length != actual.length) fail(what + ": length " + actual.length + ", expected " + expected.length);
        double scale = unit;
        for (double e : expected) if (Double.isFinite(e)) scale = Math.max(scale, Math.abs(e));
        for (int i = 0; i < expected.length; i++) {
            if (!close(expected[i], actual[i], tol, scale)) {
                fail(what + "[" + i + "]: expected " + expected[i] + ", got " + actual[i] + " (tolerance " + tol
                        + " of " + scale + ")");
            }
        }
    }
}
