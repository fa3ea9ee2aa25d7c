package io.github.xent.cli;

import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemv;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sger;

import io.github.xent.BackendKind;
import io.github.xent.Batch;
import io.github.xent.CrossEntropyLoss;
import io.github.xent.LinearBatch;
import io.github.xent.LinearCrossEntropyLoss;
import io.github.xent.LossResult;
import io.github.xent.Xent;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.FloatPointer;

/**
 * The vocabulary projection and its loss, two ways on the same data: xent's fused form, which never
 * holds the M x V logits, against the GEMMs on the OpenBLAS preset around plain xent, which does;
 * the time of a fwd+bwd (logits, loss, dh, dW, db) and the peak extra memory of each. A
 * demonstration, not a benchmark (bench/ and xent_linear_bench are where speed claims come from).
 */
final class LinearHeadComparison {
    private static final int ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112;
    private final int m, d, v, repeats, threads;
    private final PrintStream out;
    private final Progress progress;

    LinearHeadComparison(String shape, int repeats, int threads, PrintStream out, Progress progress) {
        String[] parts = shape.toLowerCase(Locale.ROOT).split("x");
        long[] n = new long[3];
        try {
            if (parts.length != 3) throw new NumberFormatException();
            for (int i = 0; i < 3; i++) n[i] = Long.parseLong(parts[i].trim());
        } catch (NumberFormatException e) {
            throw new Main.UserException("--head-shape: expected MxDxV such as 2048x256x32000, got " + shape);
        }
        if (n[0] < 1 || n[1] < 1 || n[2] < 1 || n[0] * n[2] > Integer.MAX_VALUE / 4 || n[1] * n[2] > Integer.MAX_VALUE / 4
                || n[0] * n[1] > Integer.MAX_VALUE / 4) {
            throw new Main.UserException("--head-shape: " + shape + ": each of M x V, D x V and M x D must be 1 to 2^29");
        }
        m = (int) n[0];
        d = (int) n[1];
        v = (int) n[2];
        this.repeats = repeats;
        this.threads = threads;
        this.out = out;
        this.progress = progress;
    }

    void run() throws IOException {
        out.printf(Locale.ROOT, "head: h (%d x %d) times W^T (%d x %d) plus a bias, cross-entropy, and every gradient "
                + "(%.0f MB of logits)%n", m, d, d, v, 4.0 * m * v / 1e6);
        if (!Xent.isNativeAvailable()) {
            out.println("head: skipped, the native library is not available: " + Xent.nativeUnavailableReason());
            return;
        }
        progress.note("head: filling the hidden states and the weight");
        SplittableRandom random = new SplittableRandom(2);
        FloatBuffer h = floats((long) m * d, random, 1), w = floats((long) v * d, random, 2 / Math.sqrt(d)),
                b = floats(v, random, 0.1), dh = floats((long) m * d, null, 0), dw = floats((long) v * d, null, 0),
                db = floats(v, null, 0);
        IntBuffer y = ByteBuffer.allocateDirect(4 * m).order(ByteOrder.nativeOrder()).asIntBuffer();
        for (int i = 0; i < m; i++) y.put(i, random.nextInt(v));

        LinearCrossEntropyLoss fused = LinearCrossEntropyLoss.builder().backend(BackendKind.NATIVE).threads(threads).build();
        LinearBatch batch = new LinearBatch().shape(m, d).classes(v).hidden(h).weight(w).bias(b).target(y)
                .gradHidden(dh).gradWeight(dw).gradBias(db);
        LossResult fusedResult = new LossResult();
        Runnable fusedCall = () -> fused.compute(batch, fusedResult);

        // The unfused way: GEMM into M x V logits, bias by a rank-1 update, xent in place, GEMMs back.
        CrossEntropyLoss plain = CrossEntropyLoss.builder().backend(BackendKind.NATIVE).threads(threads).build();
        FloatPointer hp = new FloatPointer(h), wp = new FloatPointer(w), bp = new FloatPointer(b), dhp = new FloatPointer(dh),
                dwp = new FloatPointer(dw), dbp = new FloatPointer(db);
        FloatPointer ones = new FloatPointer(Math.max(m, 1));
        for (int i = 0; i < m; i++) ones.put(i, 1f);
        LossResult plainResult = new LossResult();
        Runnable unfusedCall = () -> {
            FloatPointer logits = new FloatPointer((long) m * v);  // what an unfused step allocates
            try {
                cblas_sgemm(ROW_MAJOR, NO_TRANS, TRANS, m, v, d, 1f, hp, d, wp, d, 0f, logits, v);
                cblas_sger(ROW_MAJOR, m, v, 1f, ones, 1, bp, 1, logits, v);
                FloatBuffer x = logits.asBuffer();
                plain.compute(new Batch().shape(m, v).input(x).target(y).gradInput(x), plainResult);
                cblas_sgemm(ROW_MAJOR, NO_TRANS, NO_TRANS, m, d, v, 1f, logits, v, wp, d, 0f, dhp, d);
                cblas_sgemm(ROW_MAJOR, TRANS, NO_TRANS, v, d, m, 1f, logits, v, hp, d, 0f, dwp, d);
                cblas_sgemv(ROW_MAJOR, TRANS, m, v, 1f, logits, v, ones, 1, 0f, dbp, 1);
            } finally {
                logits.close();
            }
        };

        // Memory on each way's first call: later ones may reuse what the allocator kept.
        progress.note("head: xent fused, first call");
        double fusedMb = peakExtraMb(fusedCall);
        progress.note("head: GEMMs + plain xent, first call");
        double unfusedMb = peakExtraMb(unfusedCall);
        progress.clear();
        double fusedSeconds = time("head: xent fused", fusedCall);
        double unfusedSeconds = time("head: GEMMs + plain xent", unfusedCall);
        int shown = threads > 0 ? threads : Xent.defaultThreads();
        out.printf(Locale.ROOT, "  %-26s %7.3f s  %7.1f MB peak extra (%d thread%s, BLAS %s)%n", "xent fused linear + loss",
                fusedSeconds, fusedMb, shown, shown == 1 ? "" : "s", Xent.blasCore());
        out.printf(Locale.ROOT, "  %-26s %7.3f s  %7.1f MB peak extra (OpenBLAS's threads)%n", "GEMMs + plain xent",
                unfusedSeconds, unfusedMb);
        out.printf(Locale.ROOT, "head: fused takes %.2fx the time, %.1fx less extra memory (first calls);%n",
                fusedSeconds / unfusedSeconds, unfusedMb / Math.max(fusedMb, 0.1));
        out.printf(Locale.ROOT, "head: losses %.6f and %.6f agree to %.1e%n", fusedResult.loss(), plainResult.loss(),
                Math.abs(fusedResult.loss() - plainResult.loss()) / Math.abs(plainResult.loss()));
    }

    private double time(String label, Runnable call) {
        call.run();  // warm-up
        double[] t = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            progress.show(label, i, repeats);
            long start = System.nanoTime();
            call.run();
            t[i] = (System.nanoTime() - start) / 1e9;
        }
        progress.clear();
        Arrays.sort(t);
        return t[repeats / 2];
    }

    /** How far the resident set rose above where it stood, during one call (Linux; NaN elsewhere). */
    static double peakExtraMb(Runnable call) {
        Path status = Path.of("/proc/self/status");
        settle();
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");  // resets the peak to the current size
            long before = kilobytes(status, "VmRSS:");
            call.run();
            return (kilobytes(status, "VmHWM:") - before) / 1024.0;
        } catch (IOException | RuntimeException e) {
            call.run();
            return Double.NaN;
        }
    }

    /**
     * Frees what earlier work left for the collector first: the demo's 524 MB direct buffers, freed
     * by a collection during a measured call, hid that call's 262 MB of logits (it measured -0.0 MB).
     */
    private static void settle() {
        System.gc();
        try {
            Thread.sleep(200);  // the buffers' cleaners run on a thread of their own
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long kilobytes(Path status, String key) throws IOException {
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith(key)) return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
        throw new IOException("no " + key);
    }

    private static FloatBuffer floats(long n, SplittableRandom random, double scale) {
        FloatBuffer f = ByteBuffer.allocateDirect(Math.toIntExact(4 * n)).order(ByteOrder.nativeOrder()).asFloatBuffer();
        for (int i = 0; i < n; i++) f.put(i, random == null ? 0f : (float) (scale * (2 * random.nextDouble() - 1)));
        return f;
    }
}
