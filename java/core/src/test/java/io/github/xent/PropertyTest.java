package io.github.xent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Invariants of cross-entropy that hold whatever the data, checked on both backends in float64. */
class PropertyTest {
    static final int N = 6, C = 9;

    static double[] logits(long seed, int count) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] x = new double[count];
        for (int i = 0; i < count; i++) x[i] = 4 * (r.nextDouble() - 0.5);
        return x;
    }

    static long[] targets(long seed) {
        SplittableRandom r = new SplittableRandom(seed + 1);
        long[] y = new long[N];
        for (int i = 0; i < N; i++) y[i] = r.nextInt(C);
        return y;
    }

    static CrossEntropyLoss.Builder base(BackendKind backend) {
        return CrossEntropyLoss.builder().backend(backend);
    }

    @ParameterizedTest
    @EnumSource(value = BackendKind.class, names = {"NATIVE", "JAVA"})
    void gradientRowsSumToZero(BackendKind backend) {
        // Sum_c dl/dx_c = (1-eps) w_y + (eps/C) W - (1-eps) w_y - (eps/C) W = 0, weights or not.
        double[] w = {0.5, 1, 2, 1, 1, 0.1, 3, 1, 1};
        for (CrossEntropyLoss loss : new CrossEntropyLoss[] {
                base(backend).build(),
                base(backend).labelSmoothing(0.3).classWeights(w).reduction(Reduction.SUM).build()}) {
            for (long seed = 0; seed < 20; seed++) {
                double[] x = logits(seed, N * C), grad = new double[N * C];
                loss.forwardBackward(new long[] {N, C}, x, targets(seed), grad);
                for (int n = 0; n < N; n++) {
                    double sum = 0, abs = 0;
                    for (int c = 0; c < C; c++) {
                        sum += grad[n * C + c];
                        abs += Math.abs(grad[n * C + c]);
                    }
                    assertTrue(Math.abs(sum) <= 1e-14 * Math.max(abs, 1), "row " + n + " sums to " + sum);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = BackendKind.class, names = {"NATIVE", "JAVA"})
    void finiteDifferencesMatchTheGradient(BackendKind backend) {
        double[] w = {0.5, 1, 2, 1, 1, 0.1, 3, 1, 1};
        CrossEntropyLoss loss = base(backend).labelSmoothing(0.2).classWeights(w).scale(1.7).build();
        long[] shape = {N, C};
        for (long seed = 0; seed < 5; seed++) {
            double[] x = logits(seed, N * C), grad = new double[N * C];
            long[] y = targets(seed);
            loss.forwardBackward(shape, x, y, grad);
            double h = 1e-5;
            for (int e = 0; e < x.length; e += 5) {
                double[] plus = x.clone(), minus = x.clone();
                plus[e] += h;
                minus[e] -= h;
                double numeric = (loss.forward(shape, plus, y).loss() - loss.forward(shape, minus, y).loss()) / (2 * h);
                assertEquals(numeric, grad[e], 1e-8, "element " + e + " of seed " + seed);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = BackendKind.class, names = {"NATIVE", "JAVA"})
    void shiftingARowChangesNothing(BackendKind backend) {
        CrossEntropyLoss loss = base(backend).labelSmoothing(0.1).reduction(Reduction.NONE).build();
        long[] shape = {N, C};
        double[] x = logits(3, N * C), shifted = x.clone();
        for (int n = 0; n < N; n++) {
            double shift = 50.0 * (n - 2);  // exactly representable, so x + shift is exact for |x| < 4
            for (int c = 0; c < C; c++) shifted[n * C + c] += shift;
        }
        long[] y = targets(3);
        double[] g1 = new double[N * C], g2 = new double[N * C];
        double l1 = loss.forwardBackward(shape, x, y, g1).loss();
        double l2 = loss.forwardBackward(shape, shifted, y, g2).loss();
        assertEquals(l1, l2, 1e-12 * Math.abs(l1));
        for (int e = 0; e < g1.length; e++) assertEquals(g1[e], g2[e], 1e-13, "element " + e);
    }

    @ParameterizedTest
    @EnumSource(value = BackendKind.class, names = {"NATIVE", "JAVA"})
    void lossIsNonNegative(BackendKind backend) {
        CrossEntropyLoss loss = base(backend).labelSmoothing(0.05).reduction(Reduction.NONE).build();
        for (long seed = 0; seed < 20; seed++) {
            double[] x = logits(seed, N * C);
            java.nio.DoubleBuffer losses = CrossEntropyLoss.direct(new double[N]);
            loss.compute(new Batch().shape(N, C).input(CrossEntropyLoss.direct(x))
                    .target(CrossEntropyLoss.direct(targets(seed))).lossOut(losses));
            for (int n = 0; n < N; n++) assertTrue(losses.get(n) >= 0, "loss " + losses.get(n));
        }
    }
}
