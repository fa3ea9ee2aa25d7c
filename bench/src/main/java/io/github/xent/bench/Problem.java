package io.github.xent.bench;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.SplittableRandom;

/**
 * One benchmark problem, mean loss, float32: "ROWSxCLASSES" (class-last rows) or "NxCxHxW" (class
 * axis 1, as PyTorch lays out segmentation), and a variant: index targets ("index"), index targets
 * with label smoothing 0.1 ("smoothing"), or probability targets ("probabilities"). Held in every
 * form a contender reads: direct buffers (xent, libtorch) and heap arrays (Java code). Allocated
 * once per trial; every contender sees the same numbers.
 */
final class Problem {
    final long[] dims;
    final int classes, positions, inner;  // element (o, c, i) at (o * classes + c) * inner + i
    final boolean probabilities;
    final double smoothing;
    final float[] logitsArray, gradArray, probsArray;
    final int[] targetsArray;
    final FloatBuffer logits, grad, probs;
    final IntBuffer targets;
    final LongBuffer targets64;

    Problem(String shape) {
        this(shape, "index");
    }

    Problem(String shape, String variant) {
        String[] parts = shape.split("x");
        dims = new long[parts.length];
        for (int d = 0; d < dims.length; d++) dims[d] = Long.parseLong(parts[d]);
        if (dims.length != 2 && dims.length != 4) throw new IllegalArgumentException("shape: ROWSxCLASSES or NxCxHxW, not " + shape);
        classes = (int) dims[1];
        inner = dims.length == 4 ? Math.toIntExact(dims[2] * dims[3]) : 1;
        positions = Math.toIntExact(dims[0] * inner);
        probabilities = variant.equals("probabilities");
        smoothing = variant.equals("smoothing") ? 0.1 : 0.0;
        if (!probabilities && smoothing == 0 && !variant.equals("index")) {
            throw new IllegalArgumentException("variant: index, smoothing or probabilities, not " + variant);
        }
        int n = Math.multiplyExact(positions, classes);
        logitsArray = new float[n];
        gradArray = new float[n];
        targetsArray = new int[positions];
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < n; i++) logitsArray[i] = (float) (8 * random.nextDouble() - 4);
        for (int p = 0; p < positions; p++) targetsArray[p] = random.nextInt(classes);
        probsArray = probabilities ? new float[n] : null;
        if (probabilities) {
            for (int p = 0; p < positions; p++) {  // a random distribution over the classes
                int o = p / inner, i = p % inner;
                double sum = 0;
                for (int c = 0; c < classes; c++) sum += probsArray[(o * classes + c) * inner + i] = (float) random.nextDouble();
                for (int c = 0; c < classes; c++) probsArray[(o * classes + c) * inner + i] /= (float) sum;
            }
        }
        logits = bytes(4L * n).asFloatBuffer().put(logitsArray).flip();
        grad = bytes(4L * n).asFloatBuffer();
        probs = probabilities ? bytes(4L * n).asFloatBuffer().put(probsArray).flip() : null;
        targets = bytes(4L * positions).asIntBuffer().put(targetsArray).flip();
        targets64 = bytes(8L * positions).asLongBuffer();
        for (int p = 0; p < positions; p++) targets64.put(p, targetsArray[p]);
    }

    long elements() {
        return (long) positions * classes;
    }

    /** The per-position shape: dims without the class axis. */
    long[] positionDims() {
        return dims.length == 2 ? new long[] {dims[0]} : new long[] {dims[0], dims[2], dims[3]};
    }

    static ByteBuffer bytes(long n) {
        return ByteBuffer.allocateDirect(Math.toIntExact(n)).order(ByteOrder.nativeOrder());
    }
}
