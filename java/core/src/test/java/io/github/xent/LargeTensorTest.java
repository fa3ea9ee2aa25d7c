package io.github.xent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * A tensor of more than 2^31 elements (70,000 x 32,000 float32, 8.96 GB, gradient in place), checked
 * against the pure-Java backend on sampled rows, including the rows around element 2^31 and the
 * last one. Needs ~9.5 GB of free memory and about a minute, so it runs only when asked:
 *
 * <pre>mvn -B -q -pl java/core test -Dtest=LargeTensorTest -Dsurefire.failIfNoSpecifiedTests=false -Dxent.large=true</pre>
 */
@EnabledIfSystemProperty(named = "xent.large", matches = "true")
class LargeTensorTest {
    static final long N = Long.getLong("xent.large.rows", 70_000), C = 32_000;
    static final int CHUNK = 1 << 20;

    static {
        // JavaCPP refuses allocations beyond -Xmx unless told otherwise; this must be set before
        // its Pointer class initialises (this test alone in its JVM, as the command above runs it).
        if (System.getProperty("org.bytedeco.javacpp.maxBytes") == null) System.setProperty("org.bytedeco.javacpp.maxBytes", "0");
    }

    @Test
    void moreThan2To31ElementsMatchTheJavaBackendOnSampledRows() {
        long elements = N * C;
        assertTrue(elements > Integer.MAX_VALUE || Long.getLong("xent.large.rows") != null, "the tensor must pass 2^31 elements");
        assertTrue(Xent.isNativeAvailable(), "the native library must load");  // also JavaCPP's Pointer natives
        assertTrue(Pointer.maxBytes() == 0 || Pointer.maxBytes() > 2 * elements * 4,
                "JavaCPP caps native memory at " + Pointer.maxBytes() + " bytes: run this test alone, or with -Dorg.bytedeco.javacpp.maxBytes=0");
        try (FloatPointer x = new FloatPointer(elements); LongPointer target = new LongPointer(N); FloatPointer losses = new FloatPointer(N)) {
            log("filling %,d elements (%.2f GB)", elements, elements * 4 / 1e9);
            fill(x, elements);
            SplittableRandom random = new SplittableRandom(7);
            for (long n = 0; n < N; n++) target.put(n, n % 97 == 0 ? -100 : random.nextInt((int) C));

            long straddling = (1L << 31) / C;  // the row that holds element 2^31
            long[] rows = {0, 1, N / 2, straddling - 1, straddling, straddling + 1, N - 2, N - 1, 97 * 700};
            float[][] saved = new float[rows.length][];
            for (int k = 0; k < rows.length; k++) saved[k] = row(x, rows[k]);

            CrossEntropyLoss loss = CrossEntropyLoss.builder().reduction(Reduction.NONE).backend(BackendKind.NATIVE).build();
            long start = System.nanoTime();
            LossResult result = loss.compute(new Batch().shape(N, C).inputPointer(x).targetPointer(target)
                    .lossOutPointer(losses).gradInputPointer(x));
            log("native forward+backward in place: %.2f s, loss sum %.6f over %d rows", (System.nanoTime() - start) / 1e9,
                    result.loss(), result.count());

            long counted = 0;
            double sum = 0;
            for (long n = 0; n < N; n++) {
                if (target.get(n) != -100) counted++;
                sum += losses.get(n);
            }
            assertEquals(counted, result.count());
            assertEquals(sum, result.loss(), 1e-9 * Math.abs(sum));

            CrossEntropyLoss reference = CrossEntropyLoss.builder().reduction(Reduction.NONE).backend(BackendKind.JAVA).build();
            for (int k = 0; k < rows.length; k++) {
                long n = rows[k];
                FloatBuffer in = CrossEntropyLoss.direct(saved[k]);
                FloatBuffer grad = CrossEntropyLoss.direct(new float[(int) C]);
                FloatBuffer rowLoss = CrossEntropyLoss.direct(new float[1]);
                reference.compute(new Batch().shape(1, C).input(in).target(CrossEntropyLoss.direct(new long[] {target.get(n)}))
                        .lossOut(rowLoss).gradInput(grad));
                assertEquals(rowLoss.get(0), losses.get(n), 1e-6 * Math.max(1, Math.abs(rowLoss.get(0))), "loss of row " + n);
                float[] got = row(x, n);
                double scale = 0;
                for (int c = 0; c < C; c++) scale = Math.max(scale, Math.abs(grad.get(c)));
                for (int c = 0; c < C; c++) {
                    assertEquals(grad.get(c), got[c], 1e-6 * Math.max(scale, 1e-30), "gradient of row " + n + ", class " + c);
                }
            }
            log("%d sampled rows agree with the Java backend", rows.length);
        }
    }

    /** Seeded per chunk, so any chunk could be regenerated; uniform in [-8, 8). */
    static void fill(FloatPointer x, long elements) {
        float[] chunk = new float[CHUNK];
        for (long at = 0, k = 0; at < elements; at += CHUNK, k++) {
            SplittableRandom random = new SplittableRandom(k);
            int n = (int) Math.min(CHUNK, elements - at);
            for (int i = 0; i < n; i++) chunk[i] = (float) (16 * random.nextDouble() - 8);
            x.position(at).put(chunk, 0, n);
        }
        x.position(0);
    }

    static float[] row(FloatPointer x, long n) {
        float[] r = new float[(int) C];
        x.position(n * C).get(r);
        x.position(0);
        return r;
    }

    static void log(String format, Object... args) {
        System.out.printf("LargeTensorTest: " + format + "%n", args);
    }
}
