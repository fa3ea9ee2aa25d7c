package io.github.xent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.DynamicTest;
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
        return rows;
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

    @org.junit.jupiter.api.Test
    void nativeRejectsAPartialOverlapOfGradientAndInput() {
        FloatBuffer all = CrossEntropyLoss.direct(new float[N * C + 1]);
        FloatBuffer input = all.duplicate().position(0).limit(N * C).slice();
        FloatBuffer grad = all.duplicate().position(1).slice();
        CrossEntropyLoss loss = CrossEntropyLoss.builder().backend(BackendKind.NATIVE).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> loss.compute(
                new Batch().shape(N, C).input(input).target(CrossEntropyLoss.direct(new long[N])).gradInput(grad)));
        assertTrue(e.getMessage().startsWith("gradInput: overlaps input"), e.getMessage());
        assertEquals(0f, grad.get(N * C - 1));
    }
}
