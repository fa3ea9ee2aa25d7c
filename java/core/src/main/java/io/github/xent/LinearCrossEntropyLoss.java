package io.github.xent;

import java.util.Objects;

/**
 * The vocabulary projection and the cross-entropy in one: the loss of the logits
 * {@code x = h W^T + b} against class indices, and its gradients with respect to {@code h},
 * {@code W} and {@code b}, without ever holding the M x V logits (docs/semantics.md, "Fused linear
 * + cross-entropy"). Immutable and thread-safe: build once, call per step with a reused
 * {@link LinearBatch} and {@link LossResult}, which allocates nothing.
 *
 * <pre>{@code
 * LinearCrossEntropyLoss loss = LinearCrossEntropyLoss.builder().zLoss(1e-4).build();
 * LinearBatch batch = new LinearBatch().shape(m, d).classes(v)
 *         .hidden(h).weight(w).target(y).gradHidden(dh).gradWeight(dw);
 * LossResult r = new LossResult();
 * loss.compute(batch, r);
 * }</pre>
 *
 * <p>The native backend computes the logits a block of positions at a time with OpenBLAS (the
 * JavaCPP preset's), whose threads it keeps to one per task of its own: {@code threads(n)} bounds
 * both, and the results are bit-identical for any {@code threads(n)}. Every argument is checked before
 * anything is written; a bad one raises {@link IllegalArgumentException} naming it.
 */
public final class LinearCrossEntropyLoss {
    private static final ThreadLocal<LinearCall> CALLS = ThreadLocal.withInitial(LinearCall::new);

    private final Reduction reduction;
    private final long ignoreIndex;
    private final int indexBase;
    private final double labelSmoothing;
    private final double[] classWeights;
    private final double scale;
    private final double zLoss;
    private final double softcap;
    private final int threads;
    private final WeightLayout weightLayout;
    private final boolean accumulate;
    private final int blockRows;
    private final LinearBackend backend;

    /** One implementation of the fused form; both compute from a validated {@link LinearCall}. */
    interface LinearBackend {
        BackendKind kind();

        void compute(LinearCall call, LossResult into);
    }

    private LinearCrossEntropyLoss(Builder b) {
        reduction = b.reduction;
        ignoreIndex = b.ignoreIndex;
        indexBase = b.indexBase;
        labelSmoothing = b.labelSmoothing;
        classWeights = b.classWeights;
        scale = b.scale;
        zLoss = b.zLoss;
        softcap = b.softcap;
        threads = b.threads;
        weightLayout = b.weightLayout;
        accumulate = b.accumulate;
        blockRows = b.blockRows;
        if (b.backend == BackendKind.JAVA) {
            backend = new LinearJavaBackend();
        } else if (NativeLibrary.available()) {
            backend = new LinearNativeBackend(classWeights);
        } else if (b.backend == BackendKind.NATIVE) {
            throw new IllegalStateException("backend: NATIVE was asked for, but the native library could not be loaded: "
                    + NativeLibrary.reason());
        } else {
            NativeLibrary.warnFallbackOnce();
            backend = new LinearJavaBackend();
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Computes what the batch asks for; allocates nothing. Reuse {@code batch} and {@code into}. */
    public void compute(LinearBatch batch, LossResult into) {
        Objects.requireNonNull(batch, "batch");
        Objects.requireNonNull(into, "into");
        LinearCall call = CALLS.get();
        try {
            call.resolve(this, batch);
            backend.compute(call, into);
        } finally {
            call.release();
        }
    }

    /** {@link #compute(LinearBatch, LossResult)} into a new result. */
    public LossResult compute(LinearBatch batch) {
        LossResult result = new LossResult();
        compute(batch, result);
        return result;
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

    /** A copy of the class weights, or null. */
    public double[] classWeights() {
        return classWeights == null ? null : classWeights.clone();
    }

    double[] classWeightsArray() {
        return classWeights;
    }

    public double scale() {
        return scale;
    }

    public double zLoss() {
        return zLoss;
    }

    public double softcap() {
        return softcap;
    }

    public int threads() {
        return threads;
    }

    public WeightLayout weightLayout() {
        return weightLayout;
    }

    public boolean accumulate() {
        return accumulate;
    }

    /** Positions per block of logits; 0: chosen from V (at most 48 MB of logits). */
    public int blockRows() {
        return blockRows;
    }

    public BackendKind backend() {
        return backend.kind();
    }

    @Override
    public String toString() {
        return "LinearCrossEntropyLoss{weightLayout=" + weightLayout + ", reduction=" + reduction + ", ignoreIndex="
                + ignoreIndex + ", indexBase=" + indexBase + ", labelSmoothing=" + labelSmoothing + ", classWeights="
                + (classWeights == null ? "none" : classWeights.length + " classes") + ", scale=" + scale
                + (zLoss > 0 ? ", zLoss=" + zLoss : "") + (softcap > 0 ? ", softcap=" + softcap : "")
                + (accumulate ? ", accumulate" : "") + (blockRows > 0 ? ", blockRows=" + blockRows : "") + ", threads="
                + threads + ", backend=" + backend.kind() + "}";
    }

    /** Options of a {@link LinearCrossEntropyLoss}; each setter's argument is checked by {@link #build()}. */
    public static final class Builder {
        private Reduction reduction = Reduction.MEAN;
        private long ignoreIndex = -100;
        private int indexBase;
        private double labelSmoothing;
        private double[] classWeights;
        private double scale = 1.0;
        private double zLoss;
        private double softcap;
        private int threads;
        private WeightLayout weightLayout = WeightLayout.VD;
        private boolean accumulate;
        private int blockRows;
        private BackendKind backend = BackendKind.AUTO;

        private Builder() {}

        /** MEAN (the default: over the counted positions' weights), SUM or NONE. */
        public Builder reduction(Reduction reduction) {
            this.reduction = Objects.requireNonNull(reduction, "reduction");
            return this;
        }

        /** Positions whose target is this value are excluded (default -100, PyTorch's). */
        public Builder ignoreIndex(long ignoreIndex) {
            this.ignoreIndex = ignoreIndex;
            return this;
        }

        /** 1 for 1-based class indices; default 0. */
        public Builder indexBase(int base) {
            this.indexBase = base;
            return this;
        }

        /** Label smoothing in [0, 1]. */
        public Builder labelSmoothing(double epsilon) {
            this.labelSmoothing = epsilon;
            return this;
        }

        /** One weight per class (V of them), finite and >= 0; copied. */
        public Builder classWeights(double... weights) {
            this.classWeights = weights == null ? null : weights.clone();
            return this;
        }

        /** Multiplies the loss and every gradient (default 1). */
        public Builder scale(double scale) {
            this.scale = scale;
            return this;
        }

        /** PaLM's z-loss weight lambda >= 0 (0: off): adds lambda * lse^2 per counted position. */
        public Builder zLoss(double lambda) {
            this.zLoss = lambda;
            return this;
        }

        /** Gemma 2's final-logit soft-cap c >= 0 (0: off): every logit x becomes c * tanh(x / c). */
        public Builder softcap(double c) {
            this.softcap = c;
            return this;
        }

        /** At most this many threads, OpenBLAS's included; 0 (the default): {@link Xent#maxThreads()}. */
        public Builder threads(int threads) {
            this.threads = threads;
            return this;
        }

        /** How the weight is laid out: {@link WeightLayout#VD} (the default) or {@link WeightLayout#DV}. */
        public Builder weightLayout(WeightLayout layout) {
            this.weightLayout = Objects.requireNonNull(layout, "weightLayout");
            return this;
        }

        /** Adds dL/dW and dL/db to what their buffers hold (gradient accumulation over micro-batches). */
        public Builder accumulate(boolean accumulate) {
            this.accumulate = accumulate;
            return this;
        }

        /**
         * Positions per block of logits (0, the default: as many as fit in 48 MB). Results depend on
         * it in the last bits (the GEMMs' shapes do); blocks under ~256 rows cost GEMM speed.
         */
        public Builder blockRows(int rows) {
            this.blockRows = rows;
            return this;
        }

        /** NATIVE, JAVA, or AUTO (the default: native when its library loads). */
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
        public LinearCrossEntropyLoss build() {
            OptionChecks.common(indexBase, labelSmoothing, scale, zLoss, softcap, threads, classWeights);
            if (blockRows < 0) throw new IllegalArgumentException("blockRows: must be >= 0 (0: automatic), got " + blockRows);
            return new LinearCrossEntropyLoss(this);
        }
    }
}
