package io.github.xent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * docs/semantics.md, "Numerics": the same input gives bit-identical loss and gradient with any
 * thread count. Checked on every kernel path, for shapes large enough to take the parallel path,
 * in both layouts and for both kinds of class target.
 */
class DeterminismTest {
    static final int[] THREADS = {1, 2, 3, 4, 8, 16};

    record Shape(String name, long[] dims, int classAxis, TargetKind kind) {}

    static final Shape[] SHAPES = {
        new Shape("rows 300x1000", new long[] {300, 1000}, 1, TargetKind.INDEX),
        new Shape("short rows 4000x21", new long[] {4000, 21}, -1, TargetKind.INDEX),
        new Shape("class axis 1 4x21x40x40", new long[] {4, 21, 40, 40}, 1, TargetKind.INDEX),
        new Shape("soft targets 200x700", new long[] {200, 700}, 1, TargetKind.PROBABILITIES),
    };

    @TestFactory
    Stream<DynamicTest> bitIdenticalForAnyThreadCount() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Isa isa : Isas.available()) {
            for (Shape shape : SHAPES) {
                tests.add(DynamicTest.dynamicTest(shape.name() + " [" + isa + "]", () -> Isas.with(isa, () -> check(shape))));
            }
        }
        return tests.stream();
    }

    static void check(Shape shape) {
        long elements = 1;
        for (long d : shape.dims()) elements *= d;
        int axis = shape.classAxis() == 1 ? 1 : shape.dims().length - 1;
        long classes = shape.dims()[axis], positions = elements / classes;
        SplittableRandom random = new SplittableRandom(11);
        float[] x = new float[(int) elements];
        for (int i = 0; i < x.length; i++) x[i] = (float) (8 * random.nextDouble() - 4);
        Batch batch = new Batch().shape(shape.dims()).input(CrossEntropyLoss.direct(x));
        if (shape.kind() == TargetKind.INDEX) {
            long[] y = new long[(int) positions];
            for (int i = 0; i < y.length; i++) y[i] = random.nextInt((int) classes);
            batch.target(CrossEntropyLoss.direct(y));
        } else {
            float[] t = new float[(int) elements];
            for (int i = 0; i < t.length; i++) t[i] = (float) random.nextDouble();
            batch.target(CrossEntropyLoss.direct(t));
        }
        float[] first = null;
        double firstLoss = 0;
        for (int threads : THREADS) {
            CrossEntropyLoss loss = CrossEntropyLoss.builder().backend(BackendKind.NATIVE).targetKind(shape.kind())
                    .classAxis(shape.classAxis()).labelSmoothing(0.1).threads(threads).build();
            FloatBuffer grad = CrossEntropyLoss.direct(new float[(int) elements]);
            double value = loss.compute(batch.gradInput(grad)).loss();
            float[] g = new float[(int) elements];
            grad.get(0, g);
            if (first == null) {
                first = g;
                firstLoss = value;
            } else {
                assertEquals(Double.doubleToRawLongBits(firstLoss), Double.doubleToRawLongBits(value),
                        "loss with " + threads + " threads: " + value + " vs " + firstLoss);
                assertArrayEquals(first, g, "gradient with " + threads + " threads");
            }
        }
    }
}
