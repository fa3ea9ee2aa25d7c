package io.github.xent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The fused linear form with a weight of more than 2^31 elements (32,800 classes x 65,536 hidden,
 * float32, 8.6 GB, and its gradient as much again), through pointers, checked against a plain
 * double-precision computation in Java: every loss, the hidden-state gradient, and the weight
 * gradient's rows on both sides of element 2^31 and the last one. Needs ~18 GB of free memory and
 * about a minute, so it runs only when asked, alone in its JVM:
 *
 * <pre>mvn -B -q -pl java/core test -Dtest=LinearLargeTensorTest -Dsurefire.failIfNoSpecifiedTests=false -Dxent.large=true</pre>
 */
@EnabledIfSystemProperty(named = "xent.large", matches = "true")
class LinearLargeTensorTest {
    static final int M = 4, D = 65_536, V = 32_800;
    static final float SCALE = 0.02f;  // logits of a few units

    static {
        if (System.getProperty("org.bytedeco.javacpp.maxBytes") == null) System.setProperty("org.bytedeco.javacpp.maxBytes", "0");
    }

    @Test
    void aWeightOfMoreThan2To31ElementsMatchesADoubleReference() {
        long elements = (long) V * D;
        assertTrue(elements > Integer.MAX_VALUE, "the weight must pass 2^31 elements");
        assertTrue(Xent.isNativeAvailable(), "the native library must load");
        assertTrue(Pointer.maxBytes() == 0 || Pointer.maxBytes() > 2 * elements * 4,
                "JavaCPP caps native memory at " + Pointer.maxBytes() + " bytes: run this test alone");
        try (FloatPointer w = new FloatPointer(elements); FloatPointer gw = new FloatPointer(elements);
                FloatPointer h = new FloatPointer((long) M * D); FloatPointer gh = new FloatPointer((long) M * D);
                LongPointer target = new LongPointer(M); FloatPointer losses = new FloatPointer(M)) {
            log("filling a %,d x %,d weight (%.2f GB)", V, D, elements * 4 / 1e9);
            float[] row = new float[D];
            for (int v = 0; v < V; v++) {
                SplittableRandom random = new SplittableRandom(v);
                for (int d = 0; d < D; d++) row[d] = SCALE * (float) (2 * random.nextDouble() - 1);
                w.position((long) v * D).put(row);
            }
            w.position(0);
            float[] hidden = new float[M * D];
            SplittableRandom random = new SplittableRandom(-1);
            for (int i = 0; i < hidden.length; i++) hidden[i] = (float) (2 * random.nextDouble() - 1);
            h.put(hidden);
            long straddling = (1L << 31) / D;  // the class whose weight row holds element 2^31
            long[] targets = {0, straddling - 1, straddling, V - 1};
            for (int m = 0; m < M; m++) target.put(m, targets[m]);

            LinearCrossEntropyLoss loss = LinearCrossEntropyLoss.builder().reduction(Reduction.NONE).backend(BackendKind.NATIVE).build();
            long start = System.nanoTime();
            LossResult result = loss.compute(new LinearBatch().shape(M, D).classes(V).hiddenPointer(h).weightPointer(w)
                    .targetPointer(target).lossOutPointer(losses).gradHiddenPointer(gh).gradWeightPointer(gw));
            log("native fwd+bwd: %.2f s, loss sum %.6f", (System.nanoTime() - start) / 1e9, result.loss());

            // The reference: logits in double, then softmax - one-hot per row (reduction none: each
            // row's gradient is its own, unscaled).
            double[][] logits = new double[M][V];
            for (int v = 0; v < V; v++) {
                w.position((long) v * D).get(row);
                for (int m = 0; m < M; m++) logits[m][v] = dot(hidden, m * D, row);
            }
            w.position(0);
            double[][] dx = new double[M][V];
            for (int m = 0; m < M; m++) {
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (double x : logits[m]) max = Math.max(max, x);
                for (double x : logits[m]) sum += Math.exp(x - max);
                double lse = max + Math.log(sum);
                assertEquals(lse - logits[m][(int) targets[m]], losses.get(m), 1e-4 * Math.max(1, lse), "loss of row " + m);
                for (int v = 0; v < V; v++) dx[m][v] = Math.exp(logits[m][v] - lse) - (v == targets[m] ? 1 : 0);
            }
            double[] dh = new double[M * D];
            for (int v = 0; v < V; v++) {
                w.position((long) v * D).get(row);
                for (int m = 0; m < M; m++) {
                    for (int d = 0; d < D; d++) dh[m * D + d] += dx[m][v] * row[d];
                }
            }
            w.position(0);
            float[] got = new float[M * D];
            gh.get(got);
            for (int i = 0; i < got.length; i++) assertEquals(dh[i], got[i], 1e-4 * SCALE, "grad hidden " + i);
            for (long v : new long[] {0, straddling - 1, straddling, straddling + 1, V - 1}) {
                gw.position(v * D).get(row);
                for (int d = 0; d < D; d++) {
                    double want = 0;
                    for (int m = 0; m < M; m++) want += dx[m][(int) v] * hidden[m * D + d];
                    assertEquals(want, row[d], 1e-5 * Math.max(1, Math.abs(want)), "grad weight row " + v + ", column " + d);
                }
            }
            gw.position(0);
            log("losses, the hidden gradient and 5 weight-gradient rows (2 beyond element 2^31) agree");
        }
    }

    static double dot(float[] a, int offset, float[] b) {
        double s = 0;
        for (int i = 0; i < b.length; i++) s += (double) a[offset + i] * b[i];
        return s;
    }

    static void log(String format, Object... args) {
        System.out.printf("LinearLargeTensorTest: " + format + "%n", args);
    }
}
