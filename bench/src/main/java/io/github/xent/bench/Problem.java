package io.github.xent.bench;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.SplittableRandom;

/**
 * One benchmark problem: rows x classes float32 logits and index targets (class-last, mean loss),
 * in every form a contender reads: direct buffers (xent, libtorch) and heap arrays (Java code).
 * Allocated once per trial; every contender sees the same numbers.
 */
final class Problem {
    final int rows, classes;
    final float[] logitsArray, gradArray;
    final int[] targetsArray;
    final FloatBuffer logits, grad;
    final IntBuffer targets;
    final LongBuffer targets64;

    Problem(String shape) {
        String[] parts = shape.split("x");
        rows = Integer.parseInt(parts[0]);
        classes = Integer.parseInt(parts[1]);
        int n = Math.multiplyExact(rows, classes);
        logitsArray = new float[n];
        gradArray = new float[n];
        targetsArray = new int[rows];
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < n; i++) logitsArray[i] = (float) (8 * random.nextDouble() - 4);
        for (int r = 0; r < rows; r++) targetsArray[r] = random.nextInt(classes);
        logits = bytes(4L * n).asFloatBuffer().put(logitsArray).flip();
        grad = bytes(4L * n).asFloatBuffer();
        targets = bytes(4L * rows).asIntBuffer().put(targetsArray).flip();
        targets64 = bytes(8L * rows).asLongBuffer();
        for (int r = 0; r < rows; r++) targets64.put(r, targetsArray[r]);
    }

    long elements() {
        return (long) rows * classes;
    }

    static ByteBuffer bytes(long n) {
        return ByteBuffer.allocateDirect(Math.toIntExact(n)).order(ByteOrder.nativeOrder());
    }
}
