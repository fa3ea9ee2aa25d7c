package io.github.xent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Random;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** JavaCPP pointers give the same bits as NIO buffers, on both backends, from position() to limit(). */
class PointerTest {
    static final int N = 37, C = 11;

    static float[] logits(long seed) {
        Random r = new Random(seed);
        float[] x = new float[N * C];
        for (int i = 0; i < x.length; i++) x[i] = (float) (4 * r.nextGaussian());
        return x;
    }

    static long[] targets(long seed) {
        Random r = new Random(seed);
        long[] t = new long[N];
        for (int i = 0; i < N; i++) t[i] = i % 5 == 0 ? -100 : r.nextInt(C);
        return t;
    }

    static CrossEntropyLoss loss(BackendKind backend) {
        return CrossEntropyLoss.builder().backend(backend).reduction(Reduction.SUM).labelSmoothing(0.05).build();
    }

    @ParameterizedTest
    @EnumSource(value = BackendKind.class, names = {"NATIVE", "JAVA"})
    void typedPointersMatchBuffers(BackendKind backend) {
        float[] x = logits(1);
        long[] t = targets(2);
        FloatBuffer gradBuffer = CrossEntropyLoss.direct(new float[N * C]);
        LossResult expected = loss(backend).compute(new Batch().shape(N, C).input(CrossEntropyLoss.direct(x))
                .target(CrossEntropyLoss.direct(t)).gradInput(gradBuffer));

        // Pointers with room around the data: only position() .. limit() may be read or written.
        try (FloatPointer input = new FloatPointer(N * C + 6); LongPointer target = new LongPointer(N + 2);
                FloatPointer grad = new FloatPointer(N * C + 6)) {
            input.position(3).put(x).limit(3 + N * C);
            target.position(1).put(t).limit(1 + N);
            for (long i = 0; i < N * C + 6; i++) grad.put(i, 7f);
            grad.position(3).limit(3 + N * C);
            LossResult got = loss(backend).compute(new Batch().shape(N, C).inputPointer(input).targetPointer(target)
                    .gradInputPointer(grad));
            assertEquals(expected.loss(), got.loss());
            assertEquals(expected.count(), got.count());
            for (int i = 0; i < N * C; i++) assertEquals(gradBuffer.get(i), grad.get(i), "gradient " + i);
            grad.position(0);
            for (int i = 0; i < 3; i++) assertEquals(7f, grad.get(i), "before the gradient");
            for (int i = 3 + N * C; i < N * C + 6; i++) assertEquals(7f, grad.get(i), "after the gradient");
        }
    }

    @ParameterizedTest
    @EnumSource(value = BackendKind.class, names = {"NATIVE", "JAVA"})
    void bytePointersWithADtypeAndInPlaceGradients(BackendKind backend) {
        float[] x32 = logits(3);
        double[] x = new double[x32.length];
        for (int i = 0; i < x.length; i++) x[i] = x32[i];
        long[] t = targets(4);
        var inPlaceBuffer = CrossEntropyLoss.direct(x.clone());
        LossResult expected = loss(backend).compute(new Batch().shape(N, C).input(inPlaceBuffer)
                .target(CrossEntropyLoss.direct(t)).gradInput(inPlaceBuffer));

        try (BytePointer input = new BytePointer(8L * (N * C + 1)); LongPointer target = new LongPointer(t)) {
            new DoublePointer(input).position(1).put(x);
            input.position(8).limit(8L * (N * C + 1));  // bytes
            LossResult got = loss(backend).compute(new Batch().shape(N, C).inputPointer(input, DType.FLOAT64)
                    .targetPointer(target).gradInputPointer(input));
            assertEquals(expected.loss(), got.loss());
            for (int i = 0; i < N * C; i++) assertEquals(inPlaceBuffer.get(i), input.getDouble(8L * i), "gradient " + i);
        }
    }

    @ParameterizedTest
    @EnumSource(value = BackendKind.class, names = {"NATIVE", "JAVA"})
    void perPositionLossesIntoAPointer(BackendKind backend) {
        float[] x = logits(5);
        long[] t = targets(6);
        CrossEntropyLoss none = CrossEntropyLoss.builder().backend(backend).reduction(Reduction.NONE).build();
        FloatBuffer lossBuffer = CrossEntropyLoss.direct(new float[N]);
        none.compute(new Batch().shape(N, C).input(CrossEntropyLoss.direct(x)).target(CrossEntropyLoss.direct(t))
                .lossOut(lossBuffer));
        try (FloatPointer input = new FloatPointer(x); FloatPointer losses = new FloatPointer(N)) {
            LongBuffer target = CrossEntropyLoss.direct(t);
            none.compute(new Batch().shape(N, C).inputPointer(input).target(target).lossOutPointer(losses));
            for (int i = 0; i < N; i++) assertEquals(lossBuffer.get(i), losses.get(i), "loss " + i);
        }
    }
}
