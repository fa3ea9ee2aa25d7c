package io.github.xent;

import java.util.Arrays;

/**
 * One {@link LinearCrossEntropyLoss} call, validated: the shape as M positions of D values and V
 * classes, and every tensor argument. One instance per thread is reused, so the call path makes no
 * garbage; each field of the batch is read once, so what is checked is what is computed.
 */
final class LinearCall implements ShapeText {
    /** The largest M, D or V the BLAS takes (its dimensions are 32-bit ints). */
    static final long BLAS_MAX = Integer.MAX_VALUE;

    LinearCrossEntropyLoss loss;
    LinearBatch batch;
    final long[] dims = new long[Batch.MAX_RANK];
    int rank;
    long positions, hidden, classes;
    double gradOutputScalar;
    /** The native backend's per-thread structs, made on first use. */
    Object nativeScratch;

    // In the C API's order (xent.h), which is the order overlaps are reported in.
    final Arg hiddenArg = new Arg("hidden", 0);
    final Arg weight = new Arg("weight", 1);
    final Arg bias = new Arg("bias", 2);
    final Arg target = new Arg("target", 3);
    final Arg sampleWeights = new Arg("sampleWeights", 4);
    final Arg gradOutput = new Arg("gradOutput", 5);
    final Arg lossOut = new Arg("lossOut", 6);
    final Arg lseOut = new Arg("lseOut", 7);
    final Arg gradHidden = new Arg("gradHidden", 8);
    final Arg gradWeight = new Arg("gradWeight", 9);
    final Arg gradBias = new Arg("gradBias", 10);
    private final Arg[] all = {hiddenArg, weight, bias, target, sampleWeights, gradOutput, lossOut, lseOut, gradHidden,
        gradWeight, gradBias};
    private static final int FIRST_OUTPUT = 6;

    @Override
    public String shapeText() {
        return Arrays.toString(Arrays.copyOf(dims, rank)) + " with " + classes + " classes";
    }

    boolean wantsGradient() {
        return gradHidden.present() || gradWeight.present() || gradBias.present();
    }

    void release() {
        loss = null;
        batch = null;
        for (Arg arg : all) arg.clear();
    }

    void resolve(LinearCrossEntropyLoss loss, LinearBatch batch) {
        this.loss = loss;
        this.batch = batch;
        resolveShape(batch);
        double[] weights = loss.classWeightsArray();
        if (weights != null && weights.length != classes) {
            throw Call.error("classWeights", "has " + weights.length + " weights, but the batch has " + classes + " classes");
        }
        Object source = batch.hidden;
        DType declared = batch.hiddenType;
        if (source == null) throw Call.error("hidden", "is required");
        DType floatType = declared != null ? declared : Arg.typeOf(source);
        if (floatType == null) throw Call.error("hidden", "a ByteBuffer or BytePointer needs its dtype: batch.hidden(buffer, DType.FLOAT32)");
        if (!floatType.isFloat()) throw Call.error("hidden", "dtype is " + floatType + ", must be FLOAT32 or FLOAT64");
        hiddenArg.bind(source, floatType, positions * hidden, false, this);
        Object w = batch.weight;
        if (w == null) throw Call.error("weight", "is required");
        bindFloat(weight, w, floatType, classes * hidden, false);
        bindOptional(bias, batch.bias, floatType, classes, false);

        Object targets = batch.target;
        if (targets == null) throw Call.error("target", "is required");
        DType targetType = batch.targetType != null ? batch.targetType : Arg.typeOf(targets);
        if (targetType == null) throw Call.error("target", "a ByteBuffer or BytePointer needs its dtype: batch.target(buffer, DType.INT64)");
        if (targetType.isFloat()) throw Call.error("target", "class indices must be INT32 or INT64 (IntBuffer, LongBuffer), not " + targetType);
        target.bind(targets, targetType, positions, false, this);
        bindOptional(sampleWeights, batch.sampleWeights, floatType, positions, false);

        Object upstream = batch.gradOutput, losses = batch.lossOut;
        double scalar = batch.gradOutputScalar;
        Reduction reduction = loss.reduction();
        if (reduction == Reduction.NONE) {
            if (scalar != 1.0) {
                throw Call.error("gradOutput", "a NONE loss takes one upstream gradient per position (batch.gradOutput(Buffer)), "
                        + "not the scalar " + scalar);
            }
            bindOptional(gradOutput, upstream, floatType, positions, false);
            bindOptional(lossOut, losses, floatType, positions, true);
            gradOutputScalar = 1.0;
        } else {
            if (upstream != null) throw Call.error("gradOutput", "a " + reduction + " loss takes a scalar upstream gradient: batch.gradOutput(double)");
            if (losses != null) throw Call.error("lossOut", "only reduction NONE writes per-position losses; this loss reduces with " + reduction);
            if (Double.isNaN(scalar)) throw Call.error("gradOutput", "the scalar upstream gradient is NaN");
            gradOutput.clear();
            lossOut.clear();
            gradOutputScalar = scalar;
        }
        bindOptional(lseOut, batch.lseOut, floatType, positions, true);
        bindOptional(gradHidden, batch.gradHidden, floatType, positions * hidden, true);
        bindOptional(gradWeight, batch.gradWeight, floatType, classes * hidden, true);
        bindOptional(gradBias, batch.gradBias, floatType, classes, true);
        if (gradBias.present() && !bias.present()) throw Call.error("gradBias", "the batch has no bias");
        long blockRows = Math.min(loss.blockRows(), positions);  // the C API's rule (linear_validate.cpp)
        if (blockRows > 0 && (Math.multiplyHigh(blockRows * classes, floatType.bytes()) != 0
                || blockRows * classes * floatType.bytes() > Long.MAX_VALUE / 2)) {
            throw Call.error("blockRows", "a block of " + blockRows + " x " + classes
                    + " logits has more bytes than fit in memory; pass fewer rows (0: automatic)");
        }
        resolveAddresses();
        checkOverlaps();
    }

    private void resolveShape(LinearBatch batch) {
        if (batch.rank == 0) throw Call.error("shape", "is not set; call batch.shape(m, d)");
        rank = batch.rank;
        System.arraycopy(batch.shape, 0, dims, 0, rank);
        classes = batch.classes;
        positions = 1;
        for (int d = 0; d < rank; d++) {
            if (dims[d] < 1) throw Call.error("shape", "dimension " + d + " of " + Arrays.toString(Arrays.copyOf(dims, rank)) + " is " + dims[d] + ", must be >= 1");
            if (d == rank - 1) break;
            if (Math.multiplyHigh(positions, dims[d]) != 0 || positions * dims[d] > Long.MAX_VALUE / 8) {
                throw Call.error("shape", shapeText() + " has too many positions");
            }
            positions *= dims[d];
        }
        hidden = dims[rank - 1];
        if (hidden > BLAS_MAX) throw Call.error("shape", "the hidden size (last dimension) is " + hidden + ", at most " + BLAS_MAX);
        if (classes < 1) throw Call.error("classes", classes == 0 ? "is not set; call batch.classes(v)" : "is " + classes + ", must be >= 1");
        if (classes > BLAS_MAX) throw Call.error("classes", "is " + classes + ", at most " + BLAS_MAX);
        if (Math.multiplyHigh(positions, hidden) != 0 || positions * hidden > Long.MAX_VALUE / 8) {
            throw Call.error("shape", shapeText() + " has too many elements");
        }
    }

    private void bindFloat(Arg arg, Object source, DType floatType, long count, boolean output) {
        DType type = Arg.typeOf(source);
        if (type == null) type = floatType;
        if (type != floatType) throw Call.error(arg.name, "must have the hidden states' dtype " + floatType + ", not " + type);
        arg.bind(source, type, count, output, this);
    }

    private void bindOptional(Arg arg, Object source, DType floatType, long count, boolean output) {
        if (source == null) {
            arg.clear();
            return;
        }
        bindFloat(arg, source, floatType, count, output);
    }

    private void resolveAddresses() {
        if (!BufferAddress.available()) return;
        for (Arg arg : all) {
            if (!arg.present()) continue;
            arg.address = arg.pointer != null ? arg.pointerAddress : batch.baseAddress(arg.slot, arg.buffer) + arg.byteOffset();
            arg.checkAligned();
        }
    }

    /** No output may share a byte with any other argument: the C API's rule (linear_validate.cpp). */
    private void checkOverlaps() {
        for (int o = FIRST_OUTPUT; o < all.length; o++) {
            Arg out = all[o];
            if (!out.present()) continue;
            for (Arg other : all) {
                if (other == out || !other.present()) continue;
                boolean overlap = out.address != 0 && other.address != 0
                        ? out.address < other.address + other.bytes() && other.address < out.address + out.bytes()
                        : out.source() == other.source();
                if (overlap) throw Call.error(out.name, "overlaps " + other.name + " (no output may share memory with another argument)");
            }
        }
    }
}
