package io.github.xent.cli;

import io.github.xent.BackendKind;
import io.github.xent.Batch;
import io.github.xent.CrossEntropyLoss;
import io.github.xent.LossResult;
import io.github.xent.Xent;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Times one fused forward+backward on a large batch, native against pure Java, same data.
 * A demonstration, not a benchmark: the JMH suite in bench/ is where speed claims come from.
 */
final class SpeedComparison {
    private final long rows, classes;
    private final int repeats, threads;
    private final PrintStream out;
    private final Progress progress;

    SpeedComparison(String shape, int repeats, int threads, PrintStream out, Progress progress) {
        String[] parts = shape.toLowerCase(Locale.ROOT).split("x");
        try {
            if (parts.length != 2) throw new NumberFormatException();
            rows = Long.parseLong(parts[0].trim());
            classes = Long.parseLong(parts[1].trim());
        } catch (NumberFormatException e) {
            throw new Main.UserException("--bench-shape: expected ROWSxCLASSES such as 4096x32000, got " + shape);
        }
        if (rows < 1 || classes < 1 || rows * classes > Integer.MAX_VALUE / 4) {
            throw new Main.UserException("--bench-shape: " + shape + " must have between 1 and 2^29 elements");
        }
        this.repeats = repeats;
        this.threads = threads;
        this.out = out;
        this.progress = progress;
    }

    void run() {
        int n = (int) (rows * classes);
        out.printf(Locale.ROOT, "timing: fused forward+backward, %d x %d float32 (%.0f MB of logits)%n", rows, classes,
                n * 4 / 1e6);
        if (!Xent.isNativeAvailable()) {
            out.println("timing: skipped, the native library is not available: " + Xent.nativeUnavailableReason());
            return;
        }
        progress.note("timing: filling " + n + " random logits");
        FloatBuffer logits = ByteBuffer.allocateDirect(4 * n).order(ByteOrder.nativeOrder()).asFloatBuffer();
        FloatBuffer grad = ByteBuffer.allocateDirect(4 * n).order(ByteOrder.nativeOrder()).asFloatBuffer();
        IntBuffer targets = ByteBuffer.allocateDirect(4 * (int) rows).order(ByteOrder.nativeOrder()).asIntBuffer();
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < n; i++) logits.put(i, (float) (4 * random.nextDouble() - 2));
        for (int r = 0; r < rows; r++) targets.put(r, random.nextInt((int) classes));
        Batch batch = new Batch().shape(rows, classes).input(logits).target(targets).gradInput(grad);

        CrossEntropyLoss nativeLoss = CrossEntropyLoss.builder().backend(BackendKind.NATIVE).threads(threads).build();
        CrossEntropyLoss javaLoss = CrossEntropyLoss.builder().backend(BackendKind.JAVA).build();
        int nativeThreads = threads > 0 ? threads : Xent.defaultThreads();
        LossResult result = new LossResult();
        nativeLoss.compute(batch, result);  // warm-up: first touch of the gradient's pages, JIT
        double nativeLossValue = result.loss();
        double[] times = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            progress.show("timing: native", i, repeats);
            long start = System.nanoTime();
            nativeLoss.compute(batch, result);
            times[i] = (System.nanoTime() - start) / 1e9;
        }
        progress.clear();
        Arrays.sort(times);
        double nativeSeconds = times[repeats / 2];
        report("native xent (" + nativeThreads + " thread" + (nativeThreads == 1 ? "" : "s") + ")", nativeSeconds, n, "median of " + repeats);

        progress.note("timing: pure-Java backend (one run, this takes a while)");
        long start = System.nanoTime();
        javaLoss.compute(batch, result);
        double javaSeconds = (System.nanoTime() - start) / 1e9;
        progress.clear();
        report("pure-Java xent (1 thread)", javaSeconds, n, "one run");
        out.printf(Locale.ROOT, "speed-up: native is %.1fx faster than pure Java (losses %.6f and %.6f agree to %.1e)%n",
                javaSeconds / nativeSeconds, nativeLossValue, result.loss(),
                Math.abs(nativeLossValue - result.loss()) / Math.abs(result.loss()));
    }

    private void report(String what, double seconds, long elements, String how) {
        out.printf(Locale.ROOT, "  %-28s %8.3f s  %6.2f ns/element  (%s)%n", what, seconds, seconds * 1e9 / elements, how);
    }
}
