package io.github.xent.bench;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.SplittableRandom;

/**
 * One fused linear + cross-entropy problem, "MxDxV": M positions of D hidden values, V classes,
 * float32, a bias, int64 targets; the inputs and every gradient as direct buffers, allocated and
 * touched once.
 */
final class LinearProblem {
    final int m, d, v;
    final FloatBuffer hidden, weight, bias, gradHidden, gradWeight, gradBias;
    final LongBuffer targets;

    LinearProblem(String shape) {
        String[] parts = shape.split("x");
        if (parts.length != 3) throw new IllegalArgumentException("shape: MxDxV, not " + shape);
        m = Integer.parseInt(parts[0]);
        d = Integer.parseInt(parts[1]);
        v = Integer.parseInt(parts[2]);
        SplittableRandom rng = new SplittableRandom(42);
        hidden = floats((long) m * d, rng, 1.0);
        weight = floats((long) v * d, rng, 2.0 / Math.sqrt(d));
        bias = floats(v, rng, 0.1);
        gradHidden = floats((long) m * d, null, 0);
        gradWeight = floats((long) v * d, null, 0);
        gradBias = floats(v, null, 0);
        targets = ByteBuffer.allocateDirect(8 * m).order(ByteOrder.nativeOrder()).asLongBuffer();
        for (int i = 0; i < m; i++) targets.put(i, rng.nextInt(v));
    }

    static FloatBuffer floats(long n, SplittableRandom rng, double scale) {
        FloatBuffer b = ByteBuffer.allocateDirect(Math.toIntExact(4 * n)).order(ByteOrder.nativeOrder()).asFloatBuffer();
        for (int i = 0; i < n; i++) b.put(i, rng == null ? 0f : (float) (scale * (2 * rng.nextDouble() - 1)));
        return b;
    }

    /** Floating-point operations of one GEMM of the shape. */
    double gemmFlops() {
        return 2.0 * m * d * v;
    }
}
