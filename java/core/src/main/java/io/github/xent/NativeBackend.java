package io.github.xent;

import static io.github.xent.ProblemLayout.*;

import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Computes through the native library: fills xent_problem, makes one JNI call, reads xent_result. */
final class NativeBackend implements Backend {
    /**
     * Per thread (kept in the thread's Call, so a call looks up one thread-local, not two): the
     * xent_problem struct followed by the xent_result struct, and their address. (Buffer addresses
     * are cached in the Batch, which holds its buffers anyway: a cache here would have to hold them
     * weakly, and a miss would allocate, which the call path must never do.)
     */
    private static final class Scratch {
        final ByteBuffer bytes = ByteBuffer.allocateDirect(PROBLEM_SIZE + RESULT_SIZE).order(ByteOrder.nativeOrder());
        final long address = BufferAddress.base(bytes);
        /** Serial of the loss whose options the struct holds (0: none): a trainer calls one loss again and again. */
        long optionsOf;
    }

    /**
     * Calls of at most JAVA_MAX_ELEMENTS elements in at most JAVA_MAX_POSITIONS positions are
     * computed by {@link JavaBackend} on the calling thread: the JNI crossing, the struct and the
     * native checks cost more than such a call's work (the measurements: docs/design.md). Both
     * follow docs/semantics.md, so the results agree to rounding; the choice depends on the shape
     * alone, never on threads or on the ISA.
     */
    static final long JAVA_MAX_ELEMENTS = 8;
    static final long JAVA_MAX_POSITIONS = 3;
    private static final JavaBackend JAVA = new JavaBackend();

    private final NativeClassWeights weights;

    NativeBackend(double[] classWeights) {
        weights = NativeClassWeights.of(classWeights);
    }

    @Override
    public BackendKind kind() {
        return BackendKind.NATIVE;
    }

    @Override
    public void compute(Call call, LossResult into) {
        if (call.elements <= JAVA_MAX_ELEMENTS && call.positions <= JAVA_MAX_POSITIONS) {
            JAVA.compute(call, into);
            return;
        }
        CrossEntropyLoss loss = call.loss;
        Scratch scratch = (Scratch) call.nativeScratch;
        if (scratch == null) call.nativeScratch = scratch = new Scratch();
        ByteBuffer p = scratch.bytes;
        if (scratch.optionsOf != loss.serial) {  // the loss's own options (a loss is immutable)
            p.putLong(ABI, ABI_VERSION);
            p.putLong(CLASS_AXIS, loss.classAxis());
            p.putLong(TARGET_KIND, loss.targetKind().code);
            p.putLong(INPUT_KIND, loss.inputKind().code);
            p.putLong(REDUCTION, loss.reduction().code);
            p.putLong(IGNORE_INDEX, loss.ignoreIndex());
            p.putLong(INDEX_BASE, loss.indexBase());
            p.putLong(THREADS, loss.threads());
            p.putDouble(LABEL_SMOOTHING, loss.labelSmoothing());
            p.putDouble(SCALE, loss.scale());
            p.putDouble(Z_LOSS, loss.zLoss());
            p.putDouble(SOFTCAP, loss.softcap());
            scratch.optionsOf = loss.serial;
        }
        p.putLong(RANK, call.rank);
        for (int d = 0; d < call.rank; d++) p.putLong(DIMS + 8 * d, call.dims[d]);  // the C side reads dims[0, rank)
        p.putLong(DTYPE, call.input.dtype.code);
        p.putLong(TARGET_DTYPE, call.target.dtype.code);
        p.putLong(LENGTHS_DTYPE, call.lengths.present() ? call.lengths.dtype.code : 0);
        boolean perElementTarget = loss.targetKind() != TargetKind.INDEX;
        boolean weighted = weights != null;
        p.putLong(INPUT_COUNT, call.elements);
        p.putLong(TARGET_COUNT, perElementTarget ? call.elements : call.positions);
        p.putLong(CLASS_WEIGHTS_COUNT, weighted ? call.classes : 0);
        p.putLong(SAMPLE_WEIGHTS_COUNT, call.sampleWeights.present() ? call.positions : 0);
        p.putLong(LENGTHS_COUNT, call.lengths.present() ? call.sequences : 0);
        p.putLong(GRAD_OUTPUT_COUNT, call.gradOutput.present() ? call.positions : 0);
        p.putLong(LOSS_OUT_COUNT, call.lossOut.present() ? call.positions : 0);
        p.putLong(GRAD_INPUT_COUNT, call.gradInput.present() ? call.elements : 0);
        p.putDouble(GRAD_OUTPUT_SCALAR, call.gradOutputScalar);

        long weightsAddress = NativeClassWeights.address(weights, call.input.dtype);
        int status = XentNative.xent_compute(scratch.address,
                address(call.input), address(call.target), weightsAddress, address(call.sampleWeights),
                address(call.lengths), address(call.gradOutput), address(call.lossOut), address(call.gradInput),
                scratch.address + PROBLEM_SIZE);
        // The native code used raw addresses: keep every buffer alive until it has returned.
        Reference.reachabilityFence(call.input.source());
        Reference.reachabilityFence(call.target.source());
        Reference.reachabilityFence(call.sampleWeights.source());
        Reference.reachabilityFence(call.lengths.source());
        Reference.reachabilityFence(call.gradOutput.source());
        Reference.reachabilityFence(call.lossOut.source());
        Reference.reachabilityFence(call.gradInput.source());
        NativeClassWeights.keepAlive(weights);
        if (status != XentNative.XENT_OK) throw failure(status, XentNative.xent_last_error());
        into.set(p.getDouble(PROBLEM_SIZE + RESULT_LOSS), p.getDouble(PROBLEM_SIZE + RESULT_WEIGHT_SUM),
                p.getLong(PROBLEM_SIZE + RESULT_COUNT), p.getLong(PROBLEM_SIZE + RESULT_CORRECT),
                p.getDouble(PROBLEM_SIZE + RESULT_Z_LOSS));
    }

    /** The argument's address (resolved and checked for alignment by Call), 0 when absent. */
    static long address(Arg arg) {
        return arg.present() ? arg.address : 0;
    }

    /** The C API's argument names and the facade's, for messages that come from the native checks. */
    private static final String[][] NAMES = {
        {"class_weights:", "classWeights:"}, {"sample_weights:", "sampleWeights:"}, {"grad_output:", "gradOutput:"}, {"grad_output_scalar:", "gradOutput:"},
        {"loss_out:", "lossOut:"}, {"grad_input:", "gradInput:"}, {"label_smoothing:", "labelSmoothing:"},
        {"class_axis:", "classAxis:"}, {"index_base:", "indexBase:"}, {"z_loss:", "zLoss:"},
        {"lse_out:", "lseOut:"}, {"grad_hidden:", "gradHidden:"}, {"grad_weight:", "gradWeight:"},
        {"grad_bias:", "gradBias:"}, {"block_rows:", "blockRows:"}, {"weight_layout:", "weightLayout:"},
    };

    static RuntimeException failure(int status, String nativeMessage) {
        String message = nativeMessage;
        for (String[] name : NAMES) {
            if (message.startsWith(name[0])) message = name[1] + message.substring(name[0].length());
        }
        switch (status) {
            case XentNative.XENT_ERR_ARGUMENT:
            case XentNative.XENT_ERR_BUFFER:
            case XentNative.XENT_ERR_TARGET:
                return new IllegalArgumentException(message);
            case XentNative.XENT_ERR_UNSUPPORTED:
                return new UnsupportedOperationException(message);
            default:
                return new IllegalStateException("native xent failed (status " + status + "): " + message);
        }
    }
}
