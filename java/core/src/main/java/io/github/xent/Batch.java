package io.github.xent;

import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.bytedeco.javacpp.Pointer;

/**
 * The tensors of one call: the shape, the input and target, and the optional per-call buffers.
 *
 * <p>Every buffer must be direct and in native byte order; xent reads and writes it in place from
 * its {@code position()}, and its {@code remaining()} must be exactly the element count that the
 * shape implies. A {@link ByteBuffer} input or target also needs its {@link DType}; other buffers
 * of the input's float type may be {@code FloatBuffer}, {@code DoubleBuffer} or {@code ByteBuffer}.
 *
 * <p>A Batch is a mutable, reusable holder, so a training loop can describe each step without
 * allocating: set what changes, then pass it to {@link CrossEntropyLoss#compute(Batch, LossResult)}.
 * It is meant for one thread at a time, and nothing checks it until it is computed. A call reads
 * each of its fields once and validates what it read, so a Batch shared by threads that change it
 * gives each call some consistent set of arguments, or an exception; never a call on memory that
 * was not validated.
 *
 * <p>Every buffer argument may instead be a JavaCPP {@link Pointer} to native memory, set with the
 * {@code ...Pointer} setters ({@link #inputPointer(Pointer)} and so on): a
 * {@code FloatPointer}, {@code DoublePointer}, {@code IntPointer} or {@code LongPointer}, or a
 * {@code BytePointer} with its {@link DType}. xent uses its elements from {@code position()} to
 * {@code limit()}, which must be exactly the element count that the shape implies. Pointers are
 * how tensors of 2^31 elements or more are passed (an NIO buffer cannot hold them), and how memory
 * from other JavaCPP libraries is used without a copy. A deallocated pointer is rejected.
 * (Allocating a pointer needs JavaCPP's native code: any JavaCPP preset on the class path brings
 * it, and so does xent's own library once loaded, for example by {@link Xent#isNativeAvailable()}.)
 */
public final class Batch {
    /** The most dimensions an input may have: (N, C, d1, ..., d6). */
    public static final int MAX_DIMENSIONS = 8;

    static final int MAX_RANK = MAX_DIMENSIONS;

    final long[] shape = new long[MAX_RANK];
    int rank;
    Object input;  // a Buffer or a Pointer
    DType inputType;
    Object target;  // a Buffer or a Pointer
    DType targetType;
    Object sampleWeights;  // a Buffer or a Pointer
    Object lengths;  // a Buffer or a Pointer
    Object gradOutput;  // a Buffer or a Pointer
    double gradOutputScalar = 1.0;
    Object lossOut;  // a Buffer or a Pointer
    Object gradInput;  // a Buffer or a Pointer

    /** Base addresses of the buffers last passed, per argument slot ({@link Arg#slot}). */
    private final AddressCache bases = new AddressCache(Arg.SLOTS);

    /** The base address of {@code buffer}, a direct buffer passed as argument {@code slot}. */
    long baseAddress(int slot, Buffer buffer) {
        return bases.base(slot, buffer);
    }

    /**
     * The input's shape: {@code (C)}, {@code (N, C)}, {@code (N, C, d1, ..., dK)} with class axis 1,
     * or {@code (..., C)} with class axis -1. At most 8 dimensions.
     */
    public Batch shape(long... dims) {
        if (dims == null || dims.length == 0 || dims.length > MAX_RANK) {
            throw new IllegalArgumentException("shape: rank must be 1.." + MAX_RANK + ", got "
                    + (dims == null ? "null" : Integer.toString(dims.length)));
        }
        System.arraycopy(dims, 0, shape, 0, dims.length);
        rank = dims.length;
        return this;
    }

    /** The input ({@code FloatBuffer} or {@code DoubleBuffer}): logits, probabilities or log-probabilities. */
    public Batch input(Buffer input) {
        return input(input, null);
    }

    /** The input, with its element type given (required for a {@link ByteBuffer}). */
    public Batch input(Buffer input, DType dtype) {
        this.input = input;
        this.inputType = dtype;
        return this;
    }

    /** The target: {@code IntBuffer} or {@code LongBuffer} class indices, or probabilities. */
    public Batch target(Buffer target) {
        return target(target, null);
    }

    /** The target, with its element type given (required for a {@link ByteBuffer}). */
    public Batch target(Buffer target, DType dtype) {
        this.target = target;
        this.targetType = dtype;
        return this;
    }

    /** One weight per position (theanets' {@code weighted}), or {@code null} for all 1. */
    public Batch sampleWeights(Buffer weights) {
        this.sampleWeights = weights;
        return this;
    }

    /** One length per sequence of an (N, T, C) or (N, C, T) input ({@code IntBuffer}/{@code LongBuffer}), or null. */
    public Batch lengths(Buffer lengths) {
        this.lengths = lengths;
        return this;
    }

    /** Upstream gradient of a SUM or MEAN loss (default 1; a NONE loss refuses any other value). */
    public Batch gradOutput(double gradOutput) {
        this.gradOutputScalar = gradOutput;
        this.gradOutput = null;
        return this;
    }

    /** Upstream gradient of a NONE loss, one per position, or null for all 1. */
    public Batch gradOutput(Buffer gradOutput) {
        this.gradOutput = gradOutput;
        this.gradOutputScalar = 1.0;
        return this;
    }

    /** Receives the per-position losses of a NONE loss (the input's float type), or null. */
    public Batch lossOut(Buffer lossOut) {
        this.lossOut = lossOut;
        return this;
    }

    /**
     * Receives the gradient (the input's shape and type); null for a forward pass only. It may be
     * the input buffer itself, to compute the gradient in place.
     */
    public Batch gradInput(Buffer gradInput) {
        this.gradInput = gradInput;
        return this;
    }

    /** The input as native memory (see the class comment). */
    public Batch inputPointer(Pointer input) {
        return inputPointer(input, null);
    }

    /** The input as native memory, with its element type given (required for a BytePointer). */
    public Batch inputPointer(Pointer input, DType dtype) {
        this.input = input;
        this.inputType = dtype;
        return this;
    }

    /** The target as native memory. */
    public Batch targetPointer(Pointer target) {
        return targetPointer(target, null);
    }

    /** The target as native memory, with its element type given (required for a BytePointer). */
    public Batch targetPointer(Pointer target, DType dtype) {
        this.target = target;
        this.targetType = dtype;
        return this;
    }

    /** Sample weights as native memory, or null. */
    public Batch sampleWeightsPointer(Pointer weights) {
        this.sampleWeights = weights;
        return this;
    }

    /** Lengths as native memory ({@code IntPointer}/{@code LongPointer}), or null. */
    public Batch lengthsPointer(Pointer lengths) {
        this.lengths = lengths;
        return this;
    }

    /** Upstream gradient of a NONE loss as native memory, or null. */
    public Batch gradOutputPointer(Pointer gradOutput) {
        this.gradOutput = gradOutput;
        this.gradOutputScalar = 1.0;
        return this;
    }

    /** Per-position losses of a NONE loss, into native memory, or null. */
    public Batch lossOutPointer(Pointer lossOut) {
        this.lossOut = lossOut;
        return this;
    }

    /** The gradient, into native memory (may be the input pointer itself), or null. */
    public Batch gradInputPointer(Pointer gradInput) {
        this.gradInput = gradInput;
        return this;
    }

    /** Forgets every buffer and the shape, keeping the instance for reuse. */
    public Batch clear() {
        rank = 0;
        input = target = sampleWeights = lengths = gradOutput = lossOut = gradInput = null;
        inputType = targetType = null;
        gradOutputScalar = 1.0;
        bases.clear();
        return this;
    }

    @Override
    public String toString() {
        return "Batch" + Arrays.toString(Arrays.copyOf(shape, rank));
    }
}
