package io.github.xent;

import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.bytedeco.javacpp.Pointer;

/**
 * The tensors of one {@link LinearCrossEntropyLoss} call: the hidden states {@code h} of shape
 * {@code (..., D)}, the weight {@code W} ({@code V x D} or {@code D x V}, see {@link WeightLayout}),
 * an optional bias, the class indices, and the outputs wanted. Like {@link Batch}: mutable and
 * reusable, direct buffers in native order (or JavaCPP pointers, for tensors of 2^31 elements or
 * more, with the {@code ...Pointer} setters), each holding exactly the elements the shape implies.
 *
 * <pre>{@code
 * batch.shape(m, d).classes(v).hidden(h).weight(w).target(y)
 *      .gradHidden(dh).gradWeight(dw);       // no gradWeight: a frozen head; no gradient: a forward pass
 * }</pre>
 */
public final class LinearBatch {
    static final int SLOTS = 12;

    final long[] shape = new long[Batch.MAX_RANK];
    int rank;
    long classes;
    Object hidden;  // each a Buffer or a Pointer
    DType hiddenType;
    Object weight;
    Object bias;
    Object target;
    DType targetType;
    Object sampleWeights;
    Object gradOutput;
    double gradOutputScalar = 1.0;
    Object lossOut;
    Object lseOut;
    Object gradHidden;
    Object gradWeight;
    Object gradBias;

    private final AddressCache bases = new AddressCache(SLOTS);

    long baseAddress(int slot, Buffer buffer) {
        return bases.base(slot, buffer);
    }

    /** The hidden states' shape {@code (..., D)}: M positions (all but the last dimension) of D values. */
    public LinearBatch shape(long... dims) {
        if (dims == null || dims.length == 0 || dims.length > Batch.MAX_RANK) {
            throw new IllegalArgumentException("shape: rank must be 1.." + Batch.MAX_RANK + ", got "
                    + (dims == null ? "null" : Integer.toString(dims.length)));
        }
        System.arraycopy(dims, 0, shape, 0, dims.length);
        rank = dims.length;
        return this;
    }

    /** V, the number of classes: the weight's rows ({@link WeightLayout#VD}) or columns ({@link WeightLayout#DV}). */
    public LinearBatch classes(long classes) {
        this.classes = classes;
        return this;
    }

    /** The hidden states, {@code FloatBuffer} or {@code DoubleBuffer}. */
    public LinearBatch hidden(Buffer hidden) {
        return hidden(hidden, null);
    }

    /** The hidden states with their element type (required for a {@link ByteBuffer}). */
    public LinearBatch hidden(Buffer hidden, DType dtype) {
        this.hidden = hidden;
        this.hiddenType = dtype;
        return this;
    }

    /** The weight, of the hidden states' float type, laid out as the loss's {@link WeightLayout} says. */
    public LinearBatch weight(Buffer weight) {
        this.weight = weight;
        return this;
    }

    /** The bias, V values, or null for none. */
    public LinearBatch bias(Buffer bias) {
        this.bias = bias;
        return this;
    }

    /** The class indices, one per position: {@code IntBuffer} or {@code LongBuffer}. */
    public LinearBatch target(Buffer target) {
        return target(target, null);
    }

    /** The class indices with their element type (required for a {@link ByteBuffer}). */
    public LinearBatch target(Buffer target, DType dtype) {
        this.target = target;
        this.targetType = dtype;
        return this;
    }

    /** One weight per position, or null for all 1. */
    public LinearBatch sampleWeights(Buffer weights) {
        this.sampleWeights = weights;
        return this;
    }

    /** Upstream gradient of a SUM or MEAN loss (default 1). */
    public LinearBatch gradOutput(double gradOutput) {
        this.gradOutputScalar = gradOutput;
        return this;
    }

    /** Upstream gradient of a NONE loss, one per position, or null for all 1. */
    public LinearBatch gradOutput(Buffer gradOutput) {
        this.gradOutput = gradOutput;
        return this;
    }

    /** Receives the per-position losses of a NONE loss, or null. */
    public LinearBatch lossOut(Buffer lossOut) {
        this.lossOut = lossOut;
        return this;
    }

    /** Receives each position's log-sum-exp of its (soft-capped) logits, or null. */
    public LinearBatch lseOut(Buffer lseOut) {
        this.lseOut = lseOut;
        return this;
    }

    /** Receives dL/dh, the hidden states' shape, or null. */
    public LinearBatch gradHidden(Buffer gradHidden) {
        this.gradHidden = gradHidden;
        return this;
    }

    /** Receives (or, with {@link LinearCrossEntropyLoss.Builder#accumulate}, adds) dL/dW, or null for a frozen head. */
    public LinearBatch gradWeight(Buffer gradWeight) {
        this.gradWeight = gradWeight;
        return this;
    }

    /** Receives (or adds) dL/db, or null; needs a bias. */
    public LinearBatch gradBias(Buffer gradBias) {
        this.gradBias = gradBias;
        return this;
    }

    /** The hidden states as native memory; the element type is required for a BytePointer. */
    public LinearBatch hiddenPointer(Pointer hidden, DType dtype) {
        this.hidden = hidden;
        this.hiddenType = dtype;
        return this;
    }

    /** The hidden states as native memory. */
    public LinearBatch hiddenPointer(Pointer hidden) {
        return hiddenPointer(hidden, null);
    }

    /** The weight as native memory (weights of 2^31 elements or more must come this way). */
    public LinearBatch weightPointer(Pointer weight) {
        this.weight = weight;
        return this;
    }

    /** The bias as native memory, or null. */
    public LinearBatch biasPointer(Pointer bias) {
        this.bias = bias;
        return this;
    }

    /** The class indices as native memory ({@code IntPointer} or {@code LongPointer}). */
    public LinearBatch targetPointer(Pointer target) {
        this.target = target;
        this.targetType = null;
        return this;
    }

    /** Sample weights as native memory, or null. */
    public LinearBatch sampleWeightsPointer(Pointer weights) {
        this.sampleWeights = weights;
        return this;
    }

    /** Per-position losses of a NONE loss, into native memory, or null. */
    public LinearBatch lossOutPointer(Pointer lossOut) {
        this.lossOut = lossOut;
        return this;
    }

    /** Log-sum-exps, into native memory, or null. */
    public LinearBatch lseOutPointer(Pointer lseOut) {
        this.lseOut = lseOut;
        return this;
    }

    /** dL/dh, into native memory, or null. */
    public LinearBatch gradHiddenPointer(Pointer gradHidden) {
        this.gradHidden = gradHidden;
        return this;
    }

    /** dL/dW, into native memory, or null. */
    public LinearBatch gradWeightPointer(Pointer gradWeight) {
        this.gradWeight = gradWeight;
        return this;
    }

    /** dL/db, into native memory, or null. */
    public LinearBatch gradBiasPointer(Pointer gradBias) {
        this.gradBias = gradBias;
        return this;
    }

    /** Forgets every buffer, the shape and V, keeping the instance for reuse. */
    public LinearBatch clear() {
        rank = 0;
        classes = 0;
        hidden = weight = bias = target = sampleWeights = gradOutput = lossOut = lseOut = null;
        gradHidden = gradWeight = gradBias = null;
        hiddenType = targetType = null;
        gradOutputScalar = 1.0;
        bases.clear();
        return this;
    }

    @Override
    public String toString() {
        return "LinearBatch" + Arrays.toString(Arrays.copyOf(shape, rank)) + " x " + classes + " classes";
    }
}
