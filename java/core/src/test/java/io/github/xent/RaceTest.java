package io.github.xent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Data changed during a call: a second thread rewrites the targets and the sequence lengths with
 * anything at all while calls run on large shapes, on every ISA and on the Java backend. A call may
 * then give garbage, or an exception; it must never touch memory outside its outputs: every output
 * sits between guard regions that must come out intact. (native/tests/test_race.cpp runs the same
 * race on the C API, under AddressSanitizer in CI.)
 */
class RaceTest {
    /** Seconds per configuration and backend path: 4 configurations, so 2 s on each path. */
    static final double SECONDS = 0.5;
    static final int GUARD = 256;
    static final float SENTINEL = -7.25f;

    record Config(String name, long[] shape, int classAxis, boolean int32, boolean lengths, Reduction reduction) {
        long elements() {
            long n = 1;
            for (long d : shape) n *= d;
            return n;
        }

        long classes() {
            return shape[classAxis == 1 ? 1 : shape.length - 1];
        }
    }

    static final Config[] CONFIGS = {
        new Config("long rows, int64", new long[] {512, 1000}, -1, false, false, Reduction.MEAN),
        new Config("short rows, int32", new long[] {8192, 10}, -1, true, false, Reduction.NONE),
        new Config("class axis 1, int64 lengths", new long[] {8, 21, 256}, 1, false, true, Reduction.SUM),
        new Config("class last, int32 lengths", new long[] {16, 128, 30}, -1, true, true, Reduction.NONE),
    };

    @TestFactory
    Stream<DynamicTest> rewrittenTargetsAndLengthsNeverTouchOtherMemory() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Isa isa : Isas.available()) {
            tests.add(DynamicTest.dynamicTest("native " + isa, () -> Isas.with(isa, () -> {
                for (Config c : CONFIGS) race(c, BackendKind.NATIVE);
            })));
        }
        tests.add(DynamicTest.dynamicTest("java", () -> {
            for (Config c : CONFIGS) race(c, BackendKind.JAVA);
        }));
        return tests.stream();
    }

    /** An output of n floats between guard regions: a view of its middle, and the whole. */
    static final class Guarded {
        final FloatBuffer all;
        final FloatBuffer view;

        Guarded(long n) {
            all = ByteBuffer.allocateDirect((int) (4 * (n + 2 * GUARD))).order(ByteOrder.nativeOrder()).asFloatBuffer();
            for (int i = 0; i < all.capacity(); i++) all.put(i, SENTINEL);
            view = all.duplicate().position(GUARD).limit((int) (GUARD + n)).slice();
        }

        boolean intact() {
            for (int i = 0; i < GUARD; i++) {
                if (all.get(i) != SENTINEL || all.get(all.capacity() - 1 - i) != SENTINEL) return false;
            }
            return true;
        }
    }

    static void race(Config c, BackendKind backend) throws Exception {
        long elements = c.elements(), classes = c.classes(), positions = elements / classes;
        long sequences = c.shape[0], steps = positions / sequences;
        Random random = new Random(11);
        FloatBuffer input = CrossEntropyLoss.direct(new float[(int) elements]);
        for (int i = 0; i < elements; i++) input.put(i, (float) (3 * random.nextGaussian()));
        ByteBuffer targets = ByteBuffer.allocateDirect((int) (positions * (c.int32() ? 4 : 8))).order(ByteOrder.nativeOrder());
        ByteBuffer lengths = ByteBuffer.allocateDirect((int) (sequences * (c.int32() ? 4 : 8))).order(ByteOrder.nativeOrder());
        for (int p = 0; p < positions; p++) putTarget(c, targets, p, p % classes);
        for (int n = 0; n < sequences; n++) putLength(c, lengths, n, steps);
        Guarded grad = new Guarded(elements), losses = new Guarded(positions);

        CrossEntropyLoss loss = CrossEntropyLoss.builder().backend(backend).classAxis(c.classAxis()).reduction(c.reduction())
                .threads(Math.min(2, Xent.maxThreads())).build();
        Batch batch = new Batch().shape(c.shape()).input(input).gradInput(grad.view)
                .target(c.int32() ? targets.asIntBuffer() : targets.asLongBuffer());
        if (c.lengths()) batch.lengths(c.int32() ? lengths.asIntBuffer() : lengths.asLongBuffer());
        if (c.reduction() == Reduction.NONE) batch.lossOut(losses.view);

        // The writer: valid data for a while (calls get past their checks), then a burst of hostile
        // values held for a while (calls already computing read them), then valid data again.
        AtomicBoolean stop = new AtomicBoolean();
        Thread writer = new Thread(() -> {
            Random w = new Random(3);
            int[] touched = new int[(int) (1 + positions / 8)];
            while (!stop.get()) {
                for (int k = 0; k < touched.length; k++) {
                    touched[k] = w.nextInt((int) positions);
                    putTarget(c, targets, touched[k], hostile(w, classes));
                }
                for (int n = 0; n < sequences; n++) putLength(c, lengths, n, w.nextInt(3) == 0 ? w.nextLong() : w.nextInt((int) steps + 3) - 1);
                spin(w.nextInt(100));
                for (int p : touched) putTarget(c, targets, p, p % classes);
                for (int n = 0; n < sequences; n++) putLength(c, lengths, n, steps);
                spin(w.nextInt(200));
            }
        });
        writer.start();
        LossResult result = new LossResult();
        int calls = 0, completed = 0;
        long end = System.nanoTime() + (long) (SECONDS * 1e9);
        try {
            while (System.nanoTime() < end || calls < 3) {
                calls++;
                try {
                    loss.compute(batch, result);
                    completed++;
                } catch (IllegalArgumentException expected) {  // a bad target or length, seen by a check
                    assertTrue(expected.getMessage().startsWith("target:") || expected.getMessage().startsWith("lengths:"),
                            expected.getMessage());
                }
            }
        } finally {
            stop.set(true);
            writer.join();
        }
        assertTrue(grad.intact(), c.name() + " " + backend + ": a write outside the gradient");
        assertTrue(losses.intact(), c.name() + " " + backend + ": a write outside the losses");
        // With valid data restored, the same call computes again, and inside its outputs only.
        for (int p = 0; p < positions; p++) putTarget(c, targets, p, p % classes);
        for (int n = 0; n < sequences; n++) putLength(c, lengths, n, steps);
        loss.compute(batch, result);
        assertEquals(positions, result.count(), c.name());
        assertTrue(completed > 0 || backend == BackendKind.JAVA, c.name() + ": no call got past its checks in " + calls);
    }

    static long hostile(Random r, long classes) {
        switch (r.nextInt(8)) {
            case 0: return -100;
            case 1: return r.nextLong();
            case 2: return classes + r.nextInt(1000);
            case 3: return -1 - r.nextInt(1000);
            case 4: return r.nextBoolean() ? Long.MAX_VALUE : Long.MIN_VALUE;
            default: return r.nextInt((int) classes);
        }
    }

    static void putTarget(Config c, ByteBuffer targets, int p, long value) {
        if (c.int32()) targets.putInt(4 * p, (int) value);
        else targets.putLong(8 * p, value);
    }

    static void putLength(Config c, ByteBuffer lengths, int n, long value) {
        if (c.int32()) lengths.putInt(4 * n, (int) value);
        else lengths.putLong(8 * n, value);
    }

    static void spin(int micros) {
        long until = System.nanoTime() + micros * 1000L;
        while (System.nanoTime() < until) Thread.onSpinWait();
    }
}
