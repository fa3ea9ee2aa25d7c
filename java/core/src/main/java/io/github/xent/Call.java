package io.github.xent;

import java.util.Arrays;

/**
 * One call, validated: the loss, the shape seen as (outer, C, inner), and every tensor argument.
 * Backends compute from a Call only, so no backend sees an unchecked argument. One instance per
 * thread is reused (see {@link CrossEntropyLoss}), which keeps the call path free of garbage.
 */
final class Call implements ShapeText {
    CrossEntropyLoss loss;
    /** The batch being computed (its address cache is used by the native backend). */
    Batch batch;
    final long[] dims = new long[Batch.MAX_RANK];
    int rank;
    /** Element (o, c, i) lies at (o * classes + c) * inner + i; position p = o * inner + i. */
    long outer, classes, inner, positions, elements;
    /** N and T of an (N, T, C) / (N, C, T) input with lengths; 0 without. */
    long sequences, steps;
    double gradOutputScalar;
    /** The native backend's per-thread structs (NativeBackend.Scratch), made on first use. */
    Object nativeScratch;
    /** The Java backend's three rows (input, log q, coefficients), grown to the widest row seen up to KEPT_ROW classes. */
    private double[][] javaRows = new double[3][16];
    /** Wider rows are made per call: a thread would otherwise keep 24 bytes per class for good. */
    private static final int KEPT_ROW = 4096;

    final Arg input = new Arg("input", 0);
    final Arg target = new Arg("target", 1);
    final Arg sampleWeights = new Arg("sampleWeights", 2);
    final Arg lengths = new Arg("lengths", 3);
    final Arg gradOutput = new Arg("gradOutput", 4);
    final Arg lossOut = new Arg("lossOut", 5);
    final Arg gradInput = new Arg("gradInput", 6);

    static IllegalArgumentException error(String argument, String problem) {
        return new IllegalArgumentException(argument + ": " + problem);
    }

    @Override
    public String shapeText() {
        return Arrays.toString(Arrays.copyOf(dims, rank));
    }

    /** Drops the references to the caller's buffers, so a thread's idle Call keeps none alive. */
    void release() {
        loss = null;
        batch = null;
        input.clear();
        target.clear();
        sampleWeights.clear();
        lengths.clear();
        gradOutput.clear();
        lossOut.clear();
        gradInput.clear();
    }

    /** Rows of at least {@code classes} doubles for the Java backend: no garbage once this thread has seen its widest row. */
    double[][] javaRows(int classes) {
        if (javaRows[0].length >= classes) return javaRows;
        double[][] rows = new double[3][classes];
        if (classes <= KEPT_ROW) javaRows = rows;
        return rows;
    }

    boolean wantsGradient() {
        return gradInput.present();
    }

    /**
     * Checks a batch against a loss; throws IllegalArgumentException naming the first bad argument.
     * Each field of the batch is read once, so what is checked is what is computed, even if another
     * thread changes the batch meanwhile.
     */
    void resolve(CrossEntropyLoss loss, Batch batch) {
        this.loss = loss;
        this.batch = batch;
        resolveShape(loss, batch);
        TargetKind kind = loss.targetKind();
        Reduction reduction = loss.reduction();

        Object inputSource = batch.input, targetSource = batch.target;
        DType inputType = batch.inputType, declaredTargetType = batch.targetType;
        if (inputSource == null) throw error("input", "is required");
        DType floatType = inputType != null ? inputType : Arg.typeOf(inputSource);
        if (floatType == null) throw error("input", "a ByteBuffer or BytePointer needs its dtype: batch.input(buffer, DType.FLOAT32)");
        if (!floatType.isFloat()) throw error("input", "dtype is " + floatType + ", must be FLOAT32 or FLOAT64");
        input.bind(inputSource, floatType, elements, false, this);

        if (targetSource == null) throw error("target", "is required");
        DType targetType = declaredTargetType != null ? declaredTargetType : Arg.typeOf(targetSource);
        if (kind == TargetKind.INDEX) {
            if (targetType == null) throw error("target", "a ByteBuffer or BytePointer needs its dtype: batch.target(buffer, DType.INT64)");
            if (targetType.isFloat()) {
                throw error("target", "index targets must be INT32 or INT64 (IntBuffer, LongBuffer), not " + targetType);
            }
            target.bind(targetSource, targetType, positions, false, this);
        } else {
            if (targetType == null) targetType = floatType;
            if (targetType != floatType) {
                throw error("target", kind + " targets must have the input's dtype " + floatType + ", not " + targetType);
            }
            target.bind(targetSource, targetType, elements, false, this);
        }

        bindOptionalFloat(sampleWeights, batch.sampleWeights, floatType, positions, false);
        bindLengths(batch.lengths);
        Object upstream = batch.gradOutput, losses = batch.lossOut;
        double upstreamScalar = batch.gradOutputScalar;
        if (reduction == Reduction.NONE) {
            if (upstreamScalar != 1.0) {
                throw error("gradOutput", "a NONE loss takes one upstream gradient per position (batch.gradOutput(Buffer)), "
                        + "not the scalar " + upstreamScalar);
            }
            bindOptionalFloat(gradOutput, upstream, floatType, positions, false);
            bindOptionalFloat(lossOut, losses, floatType, positions, true);
            gradOutputScalar = 1.0;
        } else {
            if (upstream != null) {
                throw error("gradOutput", "a " + reduction + " loss takes a scalar upstream gradient: batch.gradOutput(double)");
            }
            if (losses != null) {
                throw error("lossOut", "only reduction NONE writes per-position losses; this loss reduces with " + reduction);
            }
            if (Double.isNaN(upstreamScalar)) throw error("gradOutput", "the scalar upstream gradient is NaN");
            gradOutput.clear();
            lossOut.clear();
            gradOutputScalar = upstreamScalar;
        }
        bindOptionalFloat(gradInput, batch.gradInput, floatType, elements, true);
        resolveAddresses();
        checkOverlaps();
    }

    /** The arguments in the C API's order (xent.h), which is the order overlaps are reported in. */
    private final Arg[] all = {input, target, sampleWeights, lengths, gradOutput, lossOut, gradInput};

    /** Every present argument's first-element address (the native backend passes these). */
    private void resolveAddresses() {
        if (!BufferAddress.available()) return;  // no native code at all: the Java backend needs none
        for (Arg arg : all) {
            if (!arg.present()) continue;
            arg.address = arg.pointer != null ? arg.pointerAddress : batch.baseAddress(arg.slot, arg.buffer) + arg.byteOffset();
            arg.checkAligned();
        }
    }

    /**
     * Outputs may not overlap any other argument, except that the gradient may be the input itself
     * (in place): the C API's rule and message (validate.cpp), for both backends. Without native
     * addresses (no native library at all), only the same buffer object is recognised.
     */
    private void checkOverlaps() {
        for (int o = 5; o < all.length; o++) {  // lossOut, gradInput
            Arg out = all[o];
            if (!out.present()) continue;
            for (Arg other : all) {
                if (other == out || !other.present() || !overlap(out, other)) continue;
                if (out == gradInput && other == input && inPlace()) continue;
                throw error(out.name, "overlaps " + other.name + " (only gradInput == input is allowed)");
            }
        }
    }

    private static boolean overlap(Arg a, Arg b) {
        if (a.address != 0 && b.address != 0) {
            return a.address < b.address + b.bytes() && b.address < a.address + a.bytes();
        }
        return a.source() == b.source();
    }

    private boolean inPlace() {
        if (gradInput.address != 0) return gradInput.address == input.address;
        return gradInput.source() == input.source() && gradInput.position == input.position;
    }

    private void resolveShape(CrossEntropyLoss loss, Batch batch) {
        if (batch.rank == 0) throw error("shape", "is not set; call batch.shape(n, c)");
        rank = batch.rank;
        System.arraycopy(batch.shape, 0, dims, 0, rank);
        elements = 1;
        for (int d = 0; d < rank; d++) {
            if (dims[d] < 1) throw error("shape", "dimension " + d + " of " + shapeText() + " is " + dims[d] + ", must be >= 1");
            // (No division: a call's fixed cost counts at small sizes. Elements stay below 2^60.)
            long product = elements * dims[d];
            if (Math.multiplyHigh(elements, dims[d]) != 0 || product > Long.MAX_VALUE / 8) {
                throw error("shape", shapeText() + " has too many elements");
            }
            elements = product;
        }
        int axis = rank == 1 ? 0 : (loss.classAxis() == 1 ? 1 : rank - 1);
        classes = dims[axis];
        outer = 1;
        for (int d = 0; d < axis; d++) outer *= dims[d];
        inner = 1;
        for (int d = axis + 1; d < rank; d++) inner *= dims[d];
        if (loss.targetKind() == TargetKind.BINARY) {
            outer = elements;
            classes = 1;
            inner = 1;
        }
        positions = outer * inner;
        double[] weights = loss.classWeightsArray();
        if (weights != null && weights.length != classes) {
            throw error("classWeights", "has " + weights.length + " weights, but shape " + shapeText() + " has "
                    + classes + " classes on axis " + axis);
        }
    }

    private void bindOptionalFloat(Arg arg, Object buffer, DType floatType, long count, boolean output) {
        if (buffer == null) {
            arg.clear();
            return;
        }
        DType type = Arg.typeOf(buffer);
        if (type == null) type = floatType;
        if (type != floatType) throw error(arg.name, "must have the input's dtype " + floatType + ", not " + type);
        arg.bind(buffer, type, count, output, this);
    }

    private void bindLengths(Object buffer) {
        sequences = steps = 0;
        if (buffer == null) {
            lengths.clear();
            return;
        }
        if (rank != 3 || loss.targetKind() == TargetKind.BINARY) {
            throw error("lengths", "need an (N, T, C) or (N, C, T) input with class targets; shape is " + shapeText());
        }
        DType type = Arg.typeOf(buffer);
        if (type != DType.INT32 && type != DType.INT64) {
            throw error("lengths", "must be an IntBuffer, LongBuffer, IntPointer or LongPointer, not "
                    + buffer.getClass().getSimpleName());
        }
        sequences = dims[0];
        steps = positions / dims[0];
        lengths.bind(buffer, type, sequences, false, this);
    }
}
