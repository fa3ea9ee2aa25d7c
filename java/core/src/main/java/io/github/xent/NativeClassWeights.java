package io.github.xent;

import java.lang.ref.Reference;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

/**
 * A loss's class weights as native memory in both float types, so that either input dtype can
 * point the C API at them without a copy. Made once per loss; both native backends hold one.
 */
final class NativeClassWeights {
    private final FloatBuffer weights32;
    private final DoubleBuffer weights64;
    private final long address32, address64;

    private NativeClassWeights(double[] weights) {
        float[] w32 = new float[weights.length];
        for (int c = 0; c < w32.length; c++) w32[c] = (float) weights[c];
        weights32 = CrossEntropyLoss.direct(w32);
        weights64 = CrossEntropyLoss.direct(weights);
        address32 = BufferAddress.base(weights32);
        address64 = BufferAddress.base(weights64);
    }

    /** The weights of a loss, or null for none. */
    static NativeClassWeights of(double[] weights) {
        return weights == null ? null : new NativeClassWeights(weights);
    }

    /** The address of the weights in the given float type. */
    static long address(NativeClassWeights w, DType dtype) {
        return w == null ? 0 : dtype == DType.FLOAT32 ? w.address32 : w.address64;
    }

    /** Keeps the buffers alive up to this point (call after the native call that reads them). */
    static void keepAlive(NativeClassWeights w) {
        Reference.reachabilityFence(w);
    }
}
