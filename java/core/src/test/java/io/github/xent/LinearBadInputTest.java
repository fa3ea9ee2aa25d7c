package io.github.xent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every bad argument of the fused linear form raises an exception whose message starts with the
 * argument's name, on both backends, and leaves every output as it was: docs/bad-input.md's rows
 * L1 and on.
 */
class LinearBadInputTest {
    static final int M = 4, D = 3, V = 5;
    static final float SENTINEL = 42f;

    /** A valid call (4 positions of 3 values, 5 classes, a bias, every output); each row breaks it. */
    static final class Fixture {
        final LinearCrossEntropyLoss.Builder builder;
        final LinearBatch batch = new LinearBatch();
        final FloatBuffer hidden = CrossEntropyLoss.direct(new float[M * D]);
        final FloatBuffer weight = CrossEntropyLoss.direct(new float[V * D]);
        final FloatBuffer bias = CrossEntropyLoss.direct(new float[V]);
        final FloatBuffer losses = sentinels(M), lse = sentinels(M), gradHidden = sentinels(M * D),
                gradWeight = sentinels(V * D), gradBias = sentinels(V);

        Fixture(BackendKind backend) {
            builder = LinearCrossEntropyLoss.builder().backend(backend).reduction(Reduction.NONE);
            for (int i = 0; i < M * D; i++) hidden.put(i, (float) Math.sin(i));
            for (int i = 0; i < V * D; i++) weight.put(i, (float) Math.cos(i));
            batch.shape(M, D).classes(V).hidden(hidden).weight(weight).bias(bias)
                    .target(CrossEntropyLoss.direct(new long[] {0, 1, 4, 2})).lossOut(losses).lseOut(lse)
                    .gradHidden(gradHidden).gradWeight(gradWeight).gradBias(gradBias);
        }

        static FloatBuffer sentinels(int n) {
            FloatBuffer b = CrossEntropyLoss.direct(new float[n]);
            for (int i = 0; i < n; i++) b.put(i, SENTINEL);
            return b;
        }

        void run() {
            builder.build().compute(batch);
        }

        boolean outputsUntouched() {
            for (FloatBuffer b : new FloatBuffer[] {losses, lse, gradHidden, gradWeight, gradBias}) {
                for (int i = 0; i < b.capacity(); i++) if (b.get(i) != SENTINEL) return false;
            }
            return true;
        }
    }

    record Row(String what, String message, Consumer<Fixture> breakIt) {}

    static List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        rows.add(new Row("shape not set", "shape:", f -> f.batch.clear().classes(V).hidden(f.hidden).weight(f.weight)
                .target(CrossEntropyLoss.direct(new long[] {0, 1, 4, 2}))));
        rows.add(new Row("classes not set", "classes:", f -> f.batch.classes(0)));
        rows.add(new Row("zero dimension", "shape:", f -> f.batch.shape(0, D)));
        rows.add(new Row("2^31 classes", "classes:", f -> f.batch.classes(1L << 31)));
        rows.add(new Row("hidden missing", "hidden:", f -> f.batch.hidden(null)));
        rows.add(new Row("heap hidden buffer", "hidden:", f -> f.batch.hidden(FloatBuffer.allocate(M * D))));
        rows.add(new Row("hidden of wrong length", "hidden:", f -> f.batch.shape(M, D + 1)
                .weight(CrossEntropyLoss.direct(new float[V * (D + 1)]))));
        rows.add(new Row("weight missing", "weight:", f -> f.batch.weight(null)));
        rows.add(new Row("weight of wrong length", "weight:", f -> f.batch.weight(CrossEntropyLoss.direct(new float[V * D - 1]))));
        rows.add(new Row("float64 weight for float32 hidden states", "weight:",
                f -> f.batch.weight(CrossEntropyLoss.direct(new double[V * D]))));
        rows.add(new Row("bias of wrong length", "bias:", f -> f.batch.bias(CrossEntropyLoss.direct(new float[V + 1]))));
        rows.add(new Row("target missing", "target:", f -> f.batch.target(null)));
        rows.add(new Row("float target", "target:", f -> f.batch.target(CrossEntropyLoss.direct(new float[M]))));
        rows.add(new Row("target above range", "target: value 5 at position 3",
                f -> f.batch.target(CrossEntropyLoss.direct(new long[] {0, 1, 4, 5}))));
        rows.add(new Row("class weights of wrong length", "classWeights:", f -> f.builder.classWeights(1, 1, 1)));
        rows.add(new Row("negative sample weight", "sampleWeights:",
                f -> f.batch.sampleWeights(CrossEntropyLoss.direct(new float[] {1, -1, 1, 1}))));
        rows.add(new Row("bias gradient without a bias", "gradBias:", f -> f.batch.bias(null)));
        rows.add(new Row("weight gradient too small", "gradWeight:", f -> f.batch.gradWeight(Fixture.sentinels(V * D - 1))));
        rows.add(new Row("read-only weight gradient", "gradWeight:", f -> f.batch.gradWeight(f.gradWeight.asReadOnlyBuffer())));
        rows.add(new Row("hidden gradient over the hidden states", "gradHidden: overlaps hidden",
                f -> f.batch.gradHidden(f.hidden)));
        rows.add(new Row("weight gradient over the weight", "gradWeight: overlaps weight", f -> f.batch.gradWeight(f.weight)));
        rows.add(new Row("log-sum-exps inside the hidden gradient", "lseOut: overlaps gradHidden",
                f -> f.batch.lseOut(f.gradHidden.duplicate().position(2).limit(2 + M).slice())));
        rows.add(new Row("per-position losses for MEAN", "lossOut:", f -> f.builder.reduction(Reduction.MEAN)));
        rows.add(new Row("tensor upstream gradient for SUM", "gradOutput:", f -> {
            f.builder.reduction(Reduction.SUM);
            f.batch.lossOut(null).gradOutput(CrossEntropyLoss.direct(new float[M]));
        }));
        rows.add(new Row("negative block rows", "blockRows:", f -> f.builder.blockRows(-1)));
        rows.add(new Row("NaN z-loss", "zLoss:", f -> f.builder.zLoss(Double.NaN)));
        rows.add(new Row("negative soft-cap", "softcap:", f -> f.builder.softcap(-1)));
        rows.add(new Row("4096 threads", "threads:", f -> f.builder.threads(4096)));
        rows.add(new Row("index base 2", "indexBase:", f -> f.builder.indexBase(2)));
        rows.add(new Row("soft-cap 1e-40", "softcap:", f -> f.builder.softcap(1e-40)));
        rows.add(new Row("class weight 4.9e-324", "classWeights: weight of class 1",
                f -> f.builder.classWeights(1, Double.MIN_VALUE, 1, 1, 1)));
        rows.add(new Row("NaN scalar upstream gradient", "gradOutput:", f -> {
            f.builder.reduction(Reduction.SUM);
            f.batch.lossOut(null).gradOutput(Double.NaN);
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
                    f.run();  // the fixture itself is valid
                    Fixture broken = new Fixture(backend);
                    RuntimeException e = assertThrows(IllegalArgumentException.class, () -> {
                        row.breakIt().accept(broken);
                        broken.run();
                    });
                    assertTrue(e.getMessage().startsWith(row.message()),
                            "message '" + e.getMessage() + "' should start with '" + row.message() + "'");
                    assertTrue(broken.outputsUntouched(), "an output was written before the error");
                }));
            }
        }
        return tests.stream();
    }

    /** docs/bad-input.md lists exactly these rows as L1, L2, ..., with these messages. */
    @Test
    void theCatalogueIsTheseRows() throws Exception {
        List<String> documented = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("../../docs/bad-input.md"))) {
            if (line.matches("\\| L[0-9]+ \\|.*")) documented.add(line);
        }
        List<Row> rows = rows();
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            String expected = "| L" + (i + 1) + " | " + r.what() + " | `IllegalArgumentException` | `" + r.message() + "` |";
            assertEquals(expected, i < documented.size() ? documented.get(i) : "(missing)", "docs/bad-input.md row L" + (i + 1));
        }
        assertEquals(rows.size(), documented.size(), "L rows in docs/bad-input.md");
    }
}
