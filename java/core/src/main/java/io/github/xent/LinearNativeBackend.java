package io.github.xent;

import static io.github.xent.LinearLayout.*;

import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** The fused form through the native library: fills xent_linear_problem, one JNI call, reads xent_result. */
final class LinearNativeBackend implements LinearCrossEntropyLoss.LinearBackend {
    /** Per thread (in its LinearCall): the struct followed by xent_result, and their address. */
    private static final class Scratch {
        final ByteBuffer bytes = ByteBuffer.allocateDirect(SIZE + ProblemLayout.RESULT_SIZE).order(ByteOrder.nativeOrder());
        final long address = BufferAddress.base(bytes);
    }

    private final NativeClassWeights weights;

    LinearNativeBackend(double[] classWeights) {
        weights = NativeClassWeights.of(classWeights);
    }

    @Override
    public BackendKind kind() {
        return BackendKind.NATIVE;
    }

    @Override
    public void compute(LinearCall call, LossResult into) {
        LinearCrossEntropyLoss loss = call.loss;
        Scratch scratch = (Scratch) call.nativeScratch;
        if (scratch == null) call.nativeScratch = scratch = new Scratch();
        ByteBuffer p = scratch.bytes;
        p.putLong(ABI, ProblemLayout.ABI_VERSION);
        p.putLong(RANK, call.rank);
        for (int d = 0; d < call.rank; d++) p.putLong(DIMS + 8 * d, call.dims[d]);
        p.putLong(CLASSES, call.classes);
        p.putLong(WEIGHT_LAYOUT, loss.weightLayout().code);
        p.putLong(REDUCTION, loss.reduction().code);
        p.putLong(DTYPE, call.hiddenArg.dtype.code);
        p.putLong(TARGET_DTYPE, call.target.dtype.code);
        p.putLong(IGNORE_INDEX, loss.ignoreIndex());
        p.putLong(INDEX_BASE, loss.indexBase());
        p.putLong(THREADS, loss.threads());
        p.putLong(BLOCK_ROWS, loss.blockRows());
        p.putLong(ACCUMULATE, loss.accumulate() ? 1 : 0);
        long m = call.positions, d = call.hidden, v = call.classes;
        boolean weighted = weights != null;
        p.putLong(HIDDEN_COUNT, m * d);
        p.putLong(WEIGHT_COUNT, v * d);
        p.putLong(BIAS_COUNT, call.bias.present() ? v : 0);
        p.putLong(TARGET_COUNT, m);
        p.putLong(CLASS_WEIGHTS_COUNT, weighted ? v : 0);
        p.putLong(SAMPLE_WEIGHTS_COUNT, call.sampleWeights.present() ? m : 0);
        p.putLong(GRAD_OUTPUT_COUNT, call.gradOutput.present() ? m : 0);
        p.putLong(LOSS_OUT_COUNT, call.lossOut.present() ? m : 0);
        p.putLong(LSE_OUT_COUNT, call.lseOut.present() ? m : 0);
        p.putLong(GRAD_HIDDEN_COUNT, call.gradHidden.present() ? m * d : 0);
        p.putLong(GRAD_WEIGHT_COUNT, call.gradWeight.present() ? v * d : 0);
        p.putLong(GRAD_BIAS_COUNT, call.gradBias.present() ? v : 0);
        p.putDouble(LABEL_SMOOTHING, loss.labelSmoothing());
        p.putDouble(SCALE, loss.scale());
        p.putDouble(GRAD_OUTPUT_SCALAR, call.gradOutputScalar);
        p.putDouble(Z_LOSS, loss.zLoss());
        p.putDouble(SOFTCAP, loss.softcap());

        long weightsAddress = NativeClassWeights.address(weights, call.hiddenArg.dtype);
        int status = XentNative.xent_linear_compute(scratch.address, NativeBackend.address(call.hiddenArg),
                NativeBackend.address(call.weight), NativeBackend.address(call.bias), NativeBackend.address(call.target),
                weightsAddress, NativeBackend.address(call.sampleWeights), NativeBackend.address(call.gradOutput),
                NativeBackend.address(call.lossOut), NativeBackend.address(call.lseOut),
                NativeBackend.address(call.gradHidden), NativeBackend.address(call.gradWeight),
                NativeBackend.address(call.gradBias), scratch.address + SIZE);
        // The native code used raw addresses: every buffer stays reachable until it has returned.
        Reference.reachabilityFence(call.hiddenArg.source());
        Reference.reachabilityFence(call.weight.source());
        Reference.reachabilityFence(call.bias.source());
        Reference.reachabilityFence(call.target.source());
        Reference.reachabilityFence(call.sampleWeights.source());
        Reference.reachabilityFence(call.gradOutput.source());
        Reference.reachabilityFence(call.lossOut.source());
        Reference.reachabilityFence(call.lseOut.source());
        Reference.reachabilityFence(call.gradHidden.source());
        Reference.reachabilityFence(call.gradWeight.source());
        Reference.reachabilityFence(call.gradBias.source());
        NativeClassWeights.keepAlive(weights);
        if (status != XentNative.XENT_OK) throw NativeBackend.failure(status, XentNative.xent_last_error());
        int r = SIZE;
        into.set(p.getDouble(r + ProblemLayout.RESULT_LOSS), p.getDouble(r + ProblemLayout.RESULT_WEIGHT_SUM),
                p.getLong(r + ProblemLayout.RESULT_COUNT), p.getLong(r + ProblemLayout.RESULT_CORRECT),
                p.getDouble(r + ProblemLayout.RESULT_Z_LOSS));
    }
}
