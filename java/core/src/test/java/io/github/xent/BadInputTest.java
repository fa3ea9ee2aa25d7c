package io.github.xent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every bad argument raises an exception whose message starts with the argument's name, on both
 * backends, and leaves every output exactly as it was.
 */
class BadInputTest {
    static final int N = 4, C = 5;
    static final float SENTINEL = 42f;

    /** A valid call (4x5 float logits, int64 targets, gradient and NONE losses); each row breaks it. */
    static final class Fixture {
        final CrossEntropyLoss.Builder builder;
        final Batch batch = new Batch();
        final FloatBuffer input = CrossEntropyLoss.direct(new float[N * C]);
        final FloatBuffer grad = CrossEntropyLoss.direct(new float[N * C]);
        final FloatBuffer losses = CrossEntropyLoss.direct(new float[N]);

        Fixture(BackendKind backend) {
            builder = CrossEntropyLoss.builder().backend(backend).reduction(Reduction.NONE);
            for (int i = 0; i < N * C; i++) input.put(i, (float) Math.sin(i));
            for (int i = 0; i < N * C; i++) grad.put(i, SENTINEL);
            for (int i = 0; i < N; i++) losses.put(i, SENTINEL);
            batch.shape(N, C).input(input).target(CrossEntropyLoss.direct(new long[] {0, 1, 4, 2}))
                    .gradInput(grad).lossOut(losses);
        }

        void run() {
            builder.build().compute(batch);
        }

        boolean outputsUntouched() {
            for (int i = 0; i < N * C; i++) if (grad.get(i) != SENTINEL) return false;
            for (int i = 0; i < N; i++) if (losses.get(i) != SENTINEL) return false;
            return true;
        }
    }

    record Row(String what, Class<? extends RuntimeException> type, String message, Consumer<Fixture> breakIt) {}

    static ByteBuffer bytes(int count) {
        return ByteBuffer.allocateDirect(count).order(ByteOrder.nativeOrder());
    }

    static List<Row> rows() {
        Class<IllegalArgumentException> iae = IllegalArgumentException.class;
        List<Row> rows = new ArrayList<>();
        rows.add(new Row("shape not set", iae, "shape:", f -> f.batch.clear().input(f.input)));
        rows.add(new Row("zero dimension", iae, "shape:", f -> f.batch.shape(N, 0)));
        rows.add(new Row("negative dimension", iae, "shape:", f -> f.batch.shape(-N, C)));
        rows.add(new Row("rank 9", iae, "shape:", f -> f.batch.shape(1, 1, 1, 1, 1, 1, 1, 1, 1)));
        rows.add(new Row("overflowing shape", iae, "shape:", f -> f.batch.shape(1L << 40, 1L << 40)));
        rows.add(new Row("shape product != input size", iae, "input:", f -> f.batch.shape(N, C - 1)));
        rows.add(new Row("input missing", iae, "input:", f -> f.batch.input(null)));
        rows.add(new Row("heap input buffer", iae, "input:", f -> f.batch.input(FloatBuffer.allocate(N * C))));
        rows.add(new Row("big-endian input", iae, "input:",
                f -> f.batch.input(bytes(4 * N * C).order(ByteOrder.BIG_ENDIAN).asFloatBuffer())));
        rows.add(new Row("misaligned ByteBuffer input", iae, "input:",
                f -> f.batch.input(bytes(4 * N * C + 2).position(2), DType.FLOAT32)));
        rows.add(new Row("ByteBuffer input without dtype", iae, "input:", f -> f.batch.input(bytes(4 * N * C))));
        rows.add(new Row("integer input", iae, "input:", f -> f.batch.input(CrossEntropyLoss.direct(new int[N * C]))));
        rows.add(new Row("target missing", iae, "target:", f -> f.batch.target(null)));
        rows.add(new Row("target of wrong length", iae, "target:", f -> f.batch.target(CrossEntropyLoss.direct(new long[N + 1]))));
        rows.add(new Row("float index target", iae, "target:", f -> f.batch.target(CrossEntropyLoss.direct(new float[N]))));
        rows.add(new Row("target above range", iae, "target: value 5 at position 2",
                f -> f.batch.target(CrossEntropyLoss.direct(new long[] {0, 1, 5, 2}))));
        rows.add(new Row("target below range", iae, "target: value -1 at position 3",
                f -> f.batch.target(CrossEntropyLoss.direct(new int[] {0, 1, 2, -1}))));
        rows.add(new Row("target 0 with index base 1", iae, "target: value 0 at position 0", f -> {
            f.builder.indexBase(1);
            f.batch.target(CrossEntropyLoss.direct(new long[] {0, 1, 5, 2}));
        }));
        rows.add(new Row("target 6 with index base 1", iae, "target: value 6 at position 1", f -> {
            f.builder.indexBase(1);
            f.batch.target(CrossEntropyLoss.direct(new long[] {1, 6, 5, 2}));
        }));
        rows.add(new Row("gradient too small", iae, "gradInput:", f -> f.batch.gradInput(CrossEntropyLoss.direct(new float[N * C - 1]))));
        rows.add(new Row("read-only gradient", iae, "gradInput:", f -> f.batch.gradInput(f.grad.asReadOnlyBuffer())));
        rows.add(new Row("float64 gradient for float32 input", iae, "gradInput:",
                f -> f.batch.gradInput(CrossEntropyLoss.direct(new double[N * C]))));
        rows.add(new Row("per-position losses too small", iae, "lossOut:", f -> f.batch.lossOut(CrossEntropyLoss.direct(new float[N - 1]))));
        rows.add(new Row("per-position losses for MEAN", iae, "lossOut:", f -> f.builder.reduction(Reduction.MEAN)));
        rows.add(new Row("tensor upstream gradient for SUM", iae, "gradOutput:", f -> {
            f.builder.reduction(Reduction.SUM);
            f.batch.lossOut(null).gradOutput(CrossEntropyLoss.direct(new float[N]));
        }));
        rows.add(new Row("upstream gradient of wrong shape", iae, "gradOutput:", f -> f.batch.gradOutput(CrossEntropyLoss.direct(new float[N + 2]))));
        rows.add(new Row("class weights of wrong length", iae, "classWeights:", f -> f.builder.classWeights(1, 1, 1)));
        rows.add(new Row("negative class weight", iae, "classWeights:", f -> f.builder.classWeights(1, -1, 1, 1, 1)));
        rows.add(new Row("NaN class weight", iae, "classWeights:", f -> f.builder.classWeights(1, Double.NaN, 1, 1, 1)));
        rows.add(new Row("NaN label smoothing", iae, "labelSmoothing:", f -> f.builder.labelSmoothing(Double.NaN)));
        rows.add(new Row("label smoothing above 1", iae, "labelSmoothing:", f -> f.builder.labelSmoothing(1.5)));
        rows.add(new Row("class axis 2", iae, "classAxis:", f -> f.builder.classAxis(2)));
        rows.add(new Row("index base 2", iae, "indexBase:", f -> f.builder.indexBase(2)));
        rows.add(new Row("negative threads", iae, "threads:", f -> f.builder.threads(-1)));
        rows.add(new Row("infinite scale", iae, "scale:", f -> f.builder.scale(Double.POSITIVE_INFINITY)));
        rows.add(new Row("ignoreIndex with probability targets", iae, "ignoreIndex:",
                f -> f.builder.targetKind(TargetKind.PROBABILITIES).ignoreIndex(3)));
        rows.add(new Row("class weights with binary targets", iae, "classWeights:",
                f -> f.builder.targetKind(TargetKind.BINARY).classWeights(1, 1, 1, 1, 1)));
        rows.add(new Row("lengths for a rank-2 input", iae, "lengths:", f -> f.batch.lengths(CrossEntropyLoss.direct(new long[] {1}))));
        rows.add(new Row("length longer than T", iae, "lengths:", f -> {
            f.batch.shape(2, 2, C).lengths(CrossEntropyLoss.direct(new long[] {2, 3}));
            f.builder.classAxis(-1);
        }));
        rows.add(new Row("negative length", iae, "lengths:", f -> {
            f.batch.shape(2, 2, C).lengths(CrossEntropyLoss.direct(new int[] {-1, 1}));
            f.builder.classAxis(-1);
        }));
        rows.add(new Row("negative sample weight", iae, "sampleWeights:",
                f -> f.batch.sampleWeights(CrossEntropyLoss.direct(new float[] {1, 1, -2, 1}))));
        rows.add(new Row("NaN sample weight", iae, "sampleWeights:",
                f -> f.batch.sampleWeights(CrossEntropyLoss.direct(new float[] {1, Float.NaN, 1, 1}))));
        rows.add(new Row("probability target of the per-position shape", iae, "target:", f -> {
            f.builder.targetKind(TargetKind.PROBABILITIES);
            f.batch.target(CrossEntropyLoss.direct(new float[N]));
        }));
        rows.add(new Row("probability target of another dtype", iae, "target:", f -> {
            f.builder.targetKind(TargetKind.PROBABILITIES);
            f.batch.target(CrossEntropyLoss.direct(new double[N * C]));
        }));
        rows.add(new Row("label smoothing with binary targets", iae, "labelSmoothing:",
                f -> f.builder.targetKind(TargetKind.BINARY).labelSmoothing(0.1)));
        rows.add(new Row("log-probabilities with binary targets", iae, "inputKind:",
                f -> f.builder.targetKind(TargetKind.BINARY).inputKind(InputKind.LOG_PROBABILITIES)));
        rows.add(new Row("lengths with binary targets", iae, "lengths:", f -> {
            f.builder.targetKind(TargetKind.BINARY);
            f.batch.shape(2, 2, C).target(CrossEntropyLoss.direct(new float[N * C]))
                    .lossOut(CrossEntropyLoss.direct(new float[N * C])).lengths(CrossEntropyLoss.direct(new long[] {1, 1}));
        }));
        rows.add(new Row("closed (deallocated) input pointer", iae, "input:", f -> {
            FloatPointer p = new FloatPointer(N * C);
            p.close();
            f.batch.inputPointer(p);
        }));
        rows.add(new Row("gradient pointer too small", iae, "gradInput:", f -> f.batch.gradInputPointer(new FloatPointer(N * C - 1))));
        rows.add(new Row("pointer without a limit", iae, "input:", f -> f.batch.inputPointer(new FloatPointer(N * C).limit(0))));
        rows.add(new Row("untyped pointer", iae, "target:", f -> f.batch.targetPointer(new Pointer(new LongPointer(N)))));
        rows.add(new Row("BytePointer input without dtype", iae, "input:", f -> f.batch.inputPointer(new BytePointer(4L * N * C))));
        rows.add(new Row("LongPointer given as INT32 target", iae, "target:", f -> f.batch.targetPointer(new LongPointer(N), DType.INT32)));
        rows.add(new Row("misaligned BytePointer input", iae, "input:", f -> {
            BytePointer p = new BytePointer(4L * N * C + 2);
            f.batch.inputPointer(p.position(2), DType.FLOAT32);
        }));
        // Declared dtype against the buffer's own type: only a ByteBuffer or BytePointer takes one.
        rows.add(new Row("FloatBuffer input declared FLOAT64", iae, "input:", f -> f.batch.input(f.input, DType.FLOAT64)));
        rows.add(new Row("IntBuffer input declared FLOAT32", iae, "input:",
                f -> f.batch.input(CrossEntropyLoss.direct(new int[N * C]), DType.FLOAT32)));
        rows.add(new Row("LongBuffer target declared INT32", iae, "target:",
                f -> f.batch.target(CrossEntropyLoss.direct(new long[N]), DType.INT32)));
        rows.add(new Row("IntBuffer target declared INT64", iae, "target:",
                f -> f.batch.target(CrossEntropyLoss.direct(new int[N]), DType.INT64)));
        rows.add(new Row("IntBuffer probability target", iae, "target:", f -> {
            f.builder.targetKind(TargetKind.PROBABILITIES);
            f.batch.target(CrossEntropyLoss.direct(new int[N * C]));
        }));
        rows.add(new Row("IntBuffer probability target declared FLOAT32", iae, "target:", f -> {
            f.builder.targetKind(TargetKind.PROBABILITIES);
            f.batch.target(CrossEntropyLoss.direct(new int[N * C]), DType.FLOAT32);
        }));
        rows.add(new Row("ShortBuffer target", iae, "target:", f -> f.batch.target(bytes(2 * N).asShortBuffer())));
        rows.add(new Row("FloatPointer input declared FLOAT64", iae, "input:",
                f -> f.batch.inputPointer(new FloatPointer(N * C), DType.FLOAT64)));
        rows.add(new Row("IntPointer sample weights", iae, "sampleWeights:",
                f -> f.batch.sampleWeightsPointer(new IntPointer(N))));
        // Pointer bounds: what a pointer's own fields show to be outside its allocation.
        rows.add(new Row("pointer with a negative position", iae, "input:", f -> {
            FloatPointer p = new FloatPointer(N * C);
            f.batch.inputPointer(p.position(-2).limit(N * C - 2));
        }));
        rows.add(new Row("gradient pointer with limit past its capacity", iae, "gradInput:", f -> {
            FloatPointer p = new FloatPointer(N * C - 4);
            f.batch.gradInputPointer(p.limit(N * C));
        }));
        rows.add(new Row("pointer whose bytes overflow the address space", iae, "input:", f -> {
            FloatPointer p = new FloatPointer(N * C);
            f.batch.inputPointer(p.capacity(0).position(Long.MAX_VALUE - N * C).limit(Long.MAX_VALUE));
        }));
        // Overlaps: an output may not share a byte with another argument (the gradient may be the input).
        rows.add(new Row("gradient overlapping the target", iae, "gradInput: overlaps target", f -> {
            ByteBuffer shared = bytes(8 * N + 4 * N * C);
            f.batch.target(shared.duplicate().order(ByteOrder.nativeOrder()).limit(8 * N).slice().order(ByteOrder.nativeOrder())
                    .asLongBuffer().put(new long[] {0, 1, 4, 2}).flip())
                    .gradInput(shared.duplicate().order(ByteOrder.nativeOrder()).position(8).limit(8 + 4 * N * C).slice()
                            .order(ByteOrder.nativeOrder()).asFloatBuffer());
        }));
        rows.add(new Row("gradient one element past the input", iae, "gradInput: overlaps input", f -> {
            FloatBuffer shared = CrossEntropyLoss.direct(new float[N * C + 1]);
            f.batch.input(shared.duplicate().limit(N * C).slice()).gradInput(shared.duplicate().position(1).slice());
        }));
        rows.add(new Row("per-position losses inside the input", iae, "lossOut: overlaps input",
                f -> f.batch.lossOut(f.input.duplicate().position(C).limit(C + N).slice())));
        rows.add(new Row("per-position losses inside the gradient", iae, "lossOut: overlaps gradInput",
                f -> f.batch.lossOut(f.grad.duplicate().position(C).limit(C + N).slice())));
        rows.add(new Row("gradient over the upstream gradient", iae, "gradInput: overlaps gradOutput", f -> {
            FloatBuffer upstream = CrossEntropyLoss.direct(new float[N * C]);
            f.batch.gradOutput(upstream.duplicate().limit(N).slice()).gradInput(upstream);
        }));
        rows.add(new Row("gradient pointer over the input pointer's second half", iae, "gradInput: overlaps input", f -> {
            FloatPointer all = new FloatPointer(N * C * 3 / 2);
            f.batch.inputPointer(new FloatPointer(all).limit(N * C))
                    .gradInputPointer(new FloatPointer(all).position(N * C / 2).limit(N * C * 3 / 2));
        }));
        // Threads: bounded by the machine (XENT_MAX_THREADS, which the tests set to 16).
        rows.add(new Row("4096 threads", iae, "threads:", f -> f.builder.threads(4096)));
        rows.add(new Row("one thread more than the machine's bound", iae, "threads:",
                f -> f.builder.threads(Xent.maxThreads() + 1)));
        // Options that cannot apply are errors, not silently ignored.
        rows.add(new Row("scalar upstream gradient for NONE", iae, "gradOutput:", f -> f.batch.gradOutput(2.0)));
        rows.add(new Row("index base with probability targets", iae, "indexBase:",
                f -> f.builder.targetKind(TargetKind.PROBABILITIES).indexBase(1)));
        rows.add(new Row("negative label smoothing", iae, "labelSmoothing:", f -> f.builder.labelSmoothing(-0.1)));
        // Numbers in messages keep every digit.
        rows.add(new Row("target Long.MAX_VALUE", iae, "target: value 9223372036854775807 at position 2",
                f -> f.batch.target(CrossEntropyLoss.direct(new long[] {0, 1, Long.MAX_VALUE, 2}))));
        rows.add(new Row("target Long.MIN_VALUE", iae, "target: value -9223372036854775808 at position 1",
                f -> f.batch.target(CrossEntropyLoss.direct(new long[] {0, Long.MIN_VALUE, 1, 2}))));
        // z-loss and soft-cap: finite, >= 0, and for logits with class targets only.
        rows.add(new Row("negative z-loss", iae, "zLoss:", f -> f.builder.zLoss(-1e-4)));
        rows.add(new Row("NaN z-loss", iae, "zLoss:", f -> f.builder.zLoss(Double.NaN)));
        rows.add(new Row("infinite z-loss", iae, "zLoss:", f -> f.builder.zLoss(Double.POSITIVE_INFINITY)));
        rows.add(new Row("negative soft-cap", iae, "softcap:", f -> f.builder.softcap(-30)));
        rows.add(new Row("NaN soft-cap", iae, "softcap:", f -> f.builder.softcap(Double.NaN)));
        rows.add(new Row("infinite soft-cap", iae, "softcap:", f -> f.builder.softcap(Double.POSITIVE_INFINITY)));
        rows.add(new Row("z-loss with probability input", iae, "zLoss:",
                f -> f.builder.inputKind(InputKind.PROBABILITIES).zLoss(1e-4)));
        rows.add(new Row("soft-cap with log-probability input", iae, "softcap:",
                f -> f.builder.inputKind(InputKind.LOG_PROBABILITIES).softcap(30)));
        rows.add(new Row("z-loss with binary targets", iae, "zLoss:", f -> f.builder.targetKind(TargetKind.BINARY).zLoss(1e-4)));
        rows.add(new Row("soft-cap with binary targets", iae, "softcap:",
                f -> f.builder.targetKind(TargetKind.BINARY).softcap(30)));
        // Below float32's smallest normal number 1 / c and 1 / (summed weight) overflow.
        rows.add(new Row("soft-cap 1e-40", iae, "softcap:", f -> f.builder.softcap(1e-40)));
        rows.add(new Row("soft-cap Double.MIN_VALUE", iae, "softcap:", f -> f.builder.softcap(Double.MIN_VALUE)));
        rows.add(new Row("class weight 4.9e-324", iae, "classWeights: weight of class 1",
                f -> f.builder.classWeights(1, Double.MIN_VALUE, 1, 1, 1)));
        rows.add(new Row("NaN scalar upstream gradient", iae, "gradOutput:", f -> {
            f.builder.reduction(Reduction.SUM);
            f.batch.lossOut(null).gradOutput(Double.NaN);
        }));
        rows.add(new Row("FloatBuffer viewing a ByteBuffer from byte 1", iae, "input:",
                f -> f.batch.input(bytes(4 * N * C + 1).position(1).slice().order(ByteOrder.nativeOrder()).asFloatBuffer())));
        return rows;
    }

    /** docs/bad-input.md lists exactly these rows, in this order, with these messages. */
    @Test
    void theCatalogueIsTheseRows() throws Exception {
        List<String> documented = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("../../docs/bad-input.md"))) {
            if (line.matches("\\| [0-9]+ \\|.*")) documented.add(line);
        }
        List<Row> rows = rows();
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            String expected = "| " + (i + 1) + " | " + r.what() + " | `" + r.type().getSimpleName() + "` | `" + r.message() + "` |";
            assertEquals(expected, i < documented.size() ? documented.get(i) : "(missing)", "docs/bad-input.md row " + (i + 1));
        }
        assertEquals(rows.size(), documented.size(), "rows in docs/bad-input.md");
    }

    @TestFactory
    Stream<DynamicTest> everyBadArgumentIsNamed() {
        List<DynamicTest> tests = new ArrayList<>();
        for (BackendKind backend : new BackendKind[] {BackendKind.NATIVE, BackendKind.JAVA}) {
            for (Row row : rows()) {
                tests.add(DynamicTest.dynamicTest(row.what() + " [" + backend + "]", () -> {
                    Fixture f = new Fixture(backend);
                    RuntimeException e = assertThrows(row.type(), () -> {
                        row.breakIt().accept(f);
                        f.run();
                    });
                    assertTrue(e.getMessage().startsWith(row.message()),
                            "message '" + e.getMessage() + "' should start with '" + row.message() + "'");
                    assertTrue(f.outputsUntouched(), "an output was written before the error");
                }));
            }
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> theFixtureItselfIsValid() {
        return Stream.of(BackendKind.NATIVE, BackendKind.JAVA).map(b -> DynamicTest.dynamicTest(b.name(), () -> {
            Fixture f = new Fixture(b);
            f.run();
            assertTrue(!f.outputsUntouched());
        }));
    }

    /**
     * The smallest calls, which the native backend hands to the Java code, reject overlaps with the
     * same message as larger calls and as the Java backend: one rule for every path.
     */
    @TestFactory
    Stream<DynamicTest> overlapsAreRejectedAlikeOnEveryPath() {
        List<DynamicTest> tests = new ArrayList<>();
        for (long[] shape : new long[][] {{2, 4}, {N, C}}) {  // 2x4: handed to the Java code
            int n = (int) shape[0], c = (int) shape[1];
            for (BackendKind backend : new BackendKind[] {BackendKind.NATIVE, BackendKind.JAVA}) {
                String name = shape[0] + "x" + shape[1] + " [" + backend + "]";
                tests.add(DynamicTest.dynamicTest("gradient over the target " + name, () -> {
                    ByteBuffer shared = bytes(8 * n + 4 * n * c);
                    LongBufferView target = new LongBufferView(shared, n);
                    FloatBuffer grad = shared.duplicate().order(ByteOrder.nativeOrder()).position(8 * n - 8).slice()
                            .order(ByteOrder.nativeOrder()).asFloatBuffer().limit(n * c);
                    expectOverlap(backend, new Batch().shape(shape).input(CrossEntropyLoss.direct(new float[n * c]))
                            .target(target.longs).gradInput(grad), "gradInput: overlaps target (only gradInput == input is allowed)");
                    for (int i = 0; i < n; i++) assertEquals(i % c, target.longs.get(i), "the target was written");
                }));
                tests.add(DynamicTest.dynamicTest("gradient one element past the input " + name, () -> {
                    FloatBuffer all = CrossEntropyLoss.direct(new float[n * c + 1]);
                    FloatBuffer input = all.duplicate().limit(n * c).slice(), grad = all.duplicate().position(1).slice();
                    for (int i = 0; i <= n * c; i++) all.put(i, 0.25f * i);
                    expectOverlap(backend, new Batch().shape(shape).input(input).target(CrossEntropyLoss.direct(new long[n]))
                            .gradInput(grad), "gradInput: overlaps input (only gradInput == input is allowed)");
                    for (int i = 0; i <= n * c; i++) assertEquals(0.25f * i, all.get(i), "the input was written");
                }));
                tests.add(DynamicTest.dynamicTest("losses over the input " + name, () -> {
                    FloatBuffer input = CrossEntropyLoss.direct(new float[n * c]);
                    expectOverlapNone(backend, new Batch().shape(shape).input(input).target(CrossEntropyLoss.direct(new long[n]))
                            .lossOut(input.duplicate().position(1).limit(1 + n).slice()), "lossOut: overlaps input (only gradInput == input is allowed)");
                }));
            }
        }
        return tests.stream();
    }

    /** n int64 targets 0, 1, ... (modulo nothing: callers keep n below C) at the start of a shared buffer. */
    record LongBufferView(java.nio.LongBuffer longs) {
        LongBufferView(ByteBuffer shared, int n) {
            this(shared.duplicate().order(ByteOrder.nativeOrder()).limit(8 * n).slice().order(ByteOrder.nativeOrder()).asLongBuffer());
            for (int i = 0; i < n; i++) longs.put(i, i);
        }
    }

    static void expectOverlap(BackendKind backend, Batch batch, String message) {
        CrossEntropyLoss loss = CrossEntropyLoss.builder().backend(backend).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> loss.compute(batch));
        assertEquals(message, e.getMessage());
    }

    static void expectOverlapNone(BackendKind backend, Batch batch, String message) {
        CrossEntropyLoss loss = CrossEntropyLoss.builder().backend(backend).reduction(Reduction.NONE).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> loss.compute(batch));
        assertEquals(message, e.getMessage());
    }
}
