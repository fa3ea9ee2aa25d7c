package io.github.xent;

import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A cross-entropy loss: immutable, thread-safe, built once and called for every batch.
 *
 * <pre>{@code
 * CrossEntropyLoss loss = CrossEntropyLoss.builder().labelSmoothing(0.1).build();
 * LossResult r = loss.forwardBackward(new long[] {n, c}, logits, targets, grad);
 * }</pre>
 *
 * <p>What it computes is defined in docs/semantics.md. Every argument is checked before anything
 * is written; a bad one raises {@link IllegalArgumentException} whose message starts with the
 * argument's name.
 */
public final class CrossEntropyLoss {
    private static final ThreadLocal<Call> CALLS = ThreadLocal.withInitial(Call::new);
    private static final AtomicLong SERIALS = new AtomicLong();

    /** Tells losses apart without holding on to one (the native backend's per-thread struct caches its options). */
    final long serial = SERIALS.incrementAndGet();

    private final TargetKind targetKind;
    private final InputKind inputKind;
    private final int classAxis;
    private final Reduction reduction;
    private final long ignoreIndex;
    private final int indexBase;
    private final double labelSmoothing;
    private final double[] classWeights;
    private final double scale;
    private final double zLoss;
    private final double softcap;
    private final int threads;
    private final Backend backend;

    private CrossEntropyLoss(Builder b) {
        targetKind = b.targetKind;
        inputKind = b.inputKind;
        classAxis = b.classAxis;
        reduction = b.reduction;
        ignoreIndex = b.ignoreIndex;
        indexBase = b.indexBase;
        labelSmoothing = b.labelSmoothing;
        classWeights = b.classWeights;
        scale = b.scale;
        zLoss = b.zLoss;
        softcap = b.softcap;
        threads = b.threads;
        backend = chooseBackend(b.backend);
    }

    private Backend chooseBackend(BackendKind kind) {
        if (kind == BackendKind.JAVA) return new JavaBackend();
        if (NativeLibrary.available()) return new NativeBackend(classWeights);
        if (kind == BackendKind.NATIVE) {
            throw new IllegalStateException("backend: NATIVE was asked for, but the native library could not be loaded: "
                    + NativeLibrary.reason());
        }
        NativeLibrary.warnFallbackOnce();
        return new JavaBackend();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Computes what the batch asks for: the loss, and the gradient when the batch has a
     * {@link Batch#gradInput} buffer. Allocates nothing: reuse {@code batch} and {@code into}.
     */
    public void compute(Batch batch, LossResult into) {
        Objects.requireNonNull(batch, "batch");
        Objects.requireNonNull(into, "into");
        Call call = CALLS.get();
        try {
            call.resolve(this, batch);
            backend.compute(call, into);
        } finally {
            call.release();
        }
    }

    /** {@link #compute(Batch, LossResult)} into a new result. */
    public LossResult compute(Batch batch) {
        LossResult result = new LossResult();
        compute(batch, result);
        return result;
    }

    /** The loss of direct buffers {@code input} and {@code target} of the given shape. */
    public LossResult forward(long[] shape, Buffer input, Buffer target) {
        return compute(new Batch().shape(shape).input(input).target(target));
    }

    /** The loss, and its gradient written into {@code gradInput} (which may be {@code input}). */
    public LossResult forwardBackward(long[] shape, Buffer input, Buffer target, Buffer gradInput) {
        return compute(new Batch().shape(shape).input(input).target(target).gradInput(gradInput));
    }

    // Array conveniences. They copy every array into a new direct buffer and back, so they
    // allocate per call; a training loop should use direct buffers and compute(Batch, LossResult).

    /** Copying convenience: the loss of float logits against int class indices. */
    public LossResult forward(long[] shape, float[] input, int[] target) {
        return copying(shape, direct(input), direct(target), null, null);
    }

    /** Copying convenience: the loss of float logits against long class indices. */
    public LossResult forward(long[] shape, float[] input, long[] target) {
        return copying(shape, direct(input), direct(target), null, null);
    }

    /** Copying convenience: the loss of double logits against long class indices. */
    public LossResult forward(long[] shape, double[] input, long[] target) {
        return copying(shape, direct(input), direct(target), null, null);
    }

    /** Copying convenience: loss and gradient (into {@code gradInput}) of float logits, int targets. */
    public LossResult forwardBackward(long[] shape, float[] input, int[] target, float[] gradInput) {
        FloatBuffer grad = direct(new float[gradInput.length]);
        LossResult r = copying(shape, direct(input), direct(target), grad, null);
        grad.get(0, gradInput);
        return r;
    }

    /** Copying convenience: loss and gradient (into {@code gradInput}) of float logits, long targets. */
    public LossResult forwardBackward(long[] shape, float[] input, long[] target, float[] gradInput) {
        FloatBuffer grad = direct(new float[gradInput.length]);
        LossResult r = copying(shape, direct(input), direct(target), grad, null);
        grad.get(0, gradInput);
        return r;
    }

    /** Copying convenience: loss and gradient (into {@code gradInput}) of double logits, long targets. */
    public LossResult forwardBackward(long[] shape, double[] input, long[] target, double[] gradInput) {
        DoubleBuffer grad = direct(new double[gradInput.length]);
        LossResult r = copying(shape, direct(input), direct(target), grad, null);
        grad.get(0, gradInput);
        return r;
    }

    private LossResult copying(long[] shape, Buffer input, Buffer target, Buffer grad, Buffer lossOut) {
        return compute(new Batch().shape(shape).input(input).target(target).gradInput(grad).lossOut(lossOut));
    }

    private static ByteBuffer bytes(int count, int size) {
        return ByteBuffer.allocateDirect(Math.multiplyExact(count, size)).order(ByteOrder.nativeOrder());
    }

    static FloatBuffer direct(float[] a) {
        return bytes(Objects.requireNonNull(a, "array").length, 4).asFloatBuffer().put(a).flip();
    }

    static DoubleBuffer direct(double[] a) {
        return bytes(Objects.requireNonNull(a, "array").length, 8).asDoubleBuffer().put(a).flip();
    }

    static IntBuffer direct(int[] a) {
        return bytes(Objects.requireNonNull(a, "array").length, 4).asIntBuffer().put(a).flip();
    }

    static LongBuffer direct(long[] a) {
        return bytes(Objects.requireNonNull(a, "array").length, 8).asLongBuffer().put(a).flip();
    }

    public TargetKind targetKind() {
        return targetKind;
    }

    public InputKind inputKind() {
        return inputKind;
    }

    public int classAxis() {
        return classAxis;
    }

    public Reduction reduction() {
        return reduction;
    }

    public long ignoreIndex() {
        return ignoreIndex;
    }

    public int indexBase() {
        return indexBase;
    }

    public double labelSmoothing() {
        return labelSmoothing;
    }

    /** A copy of the class weights, or null for all 1. */
    public double[] classWeights() {
        return classWeights == null ? null : classWeights.clone();
    }

    double[] classWeightsArray() {
        return classWeights;
    }

    public double scale() {
        return scale;
    }

    /** The z-loss's lambda (0: none). */
    public double zLoss() {
        return zLoss;
    }

    /** The soft-cap's c (0: none). */
    public double softcap() {
        return softcap;
    }

    /** Threads per call; 0 means the library's default ({@link Xent#defaultThreads()}). */
    public int threads() {
        return threads;
    }

    /** The backend that computes this loss: NATIVE or JAVA, never AUTO. */
    public BackendKind backend() {
        return backend.kind();
    }

    @Override
    public String toString() {
        return "CrossEntropyLoss{target=" + targetKind + ", input=" + inputKind + ", classAxis=" + classAxis
                + ", reduction=" + reduction + ", ignoreIndex=" + ignoreIndex + ", indexBase=" + indexBase
                + ", labelSmoothing=" + labelSmoothing + ", classWeights="
                + (classWeights == null ? "none" : classWeights.length + " weights") + ", scale=" + scale
                + (zLoss > 0 ? ", zLoss=" + zLoss : "") + (softcap > 0 ? ", softcap=" + softcap : "")
                + ", threads=" + threads + ", backend=" + backend.kind() + "}";
    }

    /** Options of a loss, with the spec's defaults; {@link #build()} checks them together. */
    public static final class Builder {
        private TargetKind targetKind = TargetKind.INDEX;
        private InputKind inputKind = InputKind.LOGITS;
        private int classAxis = 1;
        private Reduction reduction = Reduction.MEAN;
        private long ignoreIndex = -100;
        private boolean ignoreIndexSet;
        private int indexBase;
        private double labelSmoothing;
        private double[] classWeights;
        private double scale = 1.0;
        private double zLoss;
        private double softcap;
        private int threads;
        private BackendKind backend = BackendKind.AUTO;

        private Builder() {}

        public Builder targetKind(TargetKind kind) {
            this.targetKind = Objects.requireNonNull(kind, "targetKind");
            return this;
        }

        public Builder inputKind(InputKind kind) {
            this.inputKind = Objects.requireNonNull(kind, "inputKind");
            return this;
        }

        /** 1 for (N, C, d1, ..., dK) (PyTorch, R torch), -1 for class-last (..., C). Default 1. */
        public Builder classAxis(int axis) {
            this.classAxis = axis;
            return this;
        }

        public Builder reduction(Reduction reduction) {
            this.reduction = Objects.requireNonNull(reduction, "reduction");
            return this;
        }

        /** Index targets equal to this are excluded. Default -100, as in PyTorch. */
        public Builder ignoreIndex(long ignoreIndex) {
            this.ignoreIndex = ignoreIndex;
            this.ignoreIndexSet = true;
            return this;
        }

        /** 0 (default) or 1 (Mathematica): the index value that means the first class. */
        public Builder indexBase(int base) {
            this.indexBase = base;
            return this;
        }

        /** Label smoothing epsilon in [0, 1]. Default 0. */
        public Builder labelSmoothing(double epsilon) {
            this.labelSmoothing = epsilon;
            return this;
        }

        /** One finite, non-negative weight per class (copied), or null for all 1. */
        public Builder classWeights(double... weights) {
            this.classWeights = weights == null ? null : weights.clone();
            return this;
        }

        /** Class weights given as floats (copied). */
        public Builder classWeights(float[] weights) {
            if (weights == null) {
                this.classWeights = null;
            } else {
                this.classWeights = new double[weights.length];
                for (int i = 0; i < weights.length; i++) classWeights[i] = weights[i];
            }
            return this;
        }

        /** Multiplies the loss and its gradient (theanets' {@code weight}). Default 1. */
        public Builder scale(double scale) {
            this.scale = scale;
            return this;
        }

        /**
         * PaLM's z-loss: each counted position adds {@code lambda * s * lse^2}, lse the log of its
         * softmax's denominator (after the soft-cap). Finite, {@code >= 0}; 0 (default) is off. Logits
         * input with index or probability targets only. {@link LossResult#zLoss()} reports it.
         */
        public Builder zLoss(double lambda) {
            this.zLoss = lambda;
            return this;
        }

        /**
         * Gemma 2's final-logit soft-cap: every logit x becomes {@code c * tanh(x / c)} first. Finite,
         * {@code >= 0}; 0 (default) is off. Logits input with index or probability targets only.
         */
        public Builder softcap(double c) {
            this.softcap = c;
            return this;
        }

        /**
         * At most this many threads per call for the native backend, up to {@link Xent#maxThreads()};
         * 0 (default) uses {@link Xent#defaultThreads()}. Results are the same bits for any count.
         */
        public Builder threads(int threads) {
            this.threads = threads;
            return this;
        }

        public Builder backend(BackendKind backend) {
            this.backend = Objects.requireNonNull(backend, "backend");
            return this;
        }

        /**
         * Checks the options together and builds the loss.
         *
         * @throws IllegalArgumentException naming the first bad option
         * @throws IllegalStateException if NATIVE was asked for and the native library cannot load
         */
        public CrossEntropyLoss build() {
            if (classAxis != 1 && classAxis != -1) {
                throw new IllegalArgumentException("classAxis: must be 1 or -1, got " + classAxis);
            }
            OptionChecks.common(indexBase, labelSmoothing, scale, zLoss, softcap, threads, classWeights);
            boolean classLogits = inputKind == InputKind.LOGITS && targetKind != TargetKind.BINARY;
            if (zLoss > 0 && !classLogits) {
                throw new IllegalArgumentException("zLoss: applies to LOGITS input with INDEX or PROBABILITIES targets only, not "
                        + inputKind + " input with " + targetKind + " targets");
            }
            if (softcap > 0 && !classLogits) {
                throw new IllegalArgumentException("softcap: applies to LOGITS input with INDEX or PROBABILITIES targets only, not "
                        + inputKind + " input with " + targetKind + " targets");
            }
            if (ignoreIndexSet && targetKind != TargetKind.INDEX) {
                throw new IllegalArgumentException("ignoreIndex: applies to INDEX targets only, not " + targetKind);
            }
            if (indexBase != 0 && targetKind != TargetKind.INDEX) {
                throw new IllegalArgumentException("indexBase: applies to INDEX targets only, not " + targetKind);
            }
            if (targetKind == TargetKind.BINARY) {
                if (classWeights != null) throw new IllegalArgumentException("classWeights: undefined for BINARY targets");
                if (labelSmoothing > 0) throw new IllegalArgumentException("labelSmoothing: undefined for BINARY targets");
                if (inputKind == InputKind.LOG_PROBABILITIES) {
                    throw new IllegalArgumentException("inputKind: LOG_PROBABILITIES is undefined for BINARY targets");
                }
            }
            return new CrossEntropyLoss(this);
        }
    }
}
