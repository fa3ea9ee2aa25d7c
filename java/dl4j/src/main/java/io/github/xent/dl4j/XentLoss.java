package io.github.xent.dl4j;

import io.github.xent.Batch;
import io.github.xent.CrossEntropyLoss;
import io.github.xent.InputKind;
import io.github.xent.LossResult;
import io.github.xent.Reduction;
import io.github.xent.TargetKind;
import java.util.Arrays;
import java.util.Objects;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * DL4J's cross-entropy losses computed by xent: a drop-in {@link ILossFunction} for an output
 * layer, which picks its form from the layer's activation, as Mathematica's NetTrain does.
 *
 * <ul>
 *   <li>softmax: the class cross-entropy of {@code LossMCXENT} on the pre-activations (logits),
 *       with one-hot or soft labels, class weights, label smoothing, z-loss and soft-cap;
 *   <li>sigmoid: the binary cross-entropy of {@code LossBinaryXENT} on the logits, with class
 *       weights;
 *   <li>any other activation: an error that says which to use.
 * </ul>
 *
 * <p>Scores and gradients follow DL4J's conventions: the gradient is with respect to the
 * pre-activations and is not divided by the minibatch (DL4J's updater does that); the score is the
 * sum over the minibatch, divided by its size when {@code average} is true; the score array holds
 * one score per example. A mask of shape (N, 1) weights whole examples, one of the labels' shape
 * weights each output. Labels of another data type, order or a view are copied once to a
 * contiguous array of the activations' type; contiguous arrays are used in place, and the gradient
 * is written straight into the array returned.
 *
 * <p>Where it differs from DL4J, on purpose: probabilities are not clipped (DL4J clips the softmax
 * at 1e-10 and the sigmoid at 1e-5 before the log), so scores agree until an output passes those
 * bounds and stay exact beyond them; with a per-output mask on a softmax layer the gradient is the
 * gradient of the masked score (DL4J refuses that case); with soft labels that do not sum to 1 the
 * gradient is the gradient of the score ({@code LossMCXENT} without weights returns
 * {@code softmax - labels}).
 *
 * <p>Immutable and safe to share between threads and networks.
 */
public final class XentLoss implements ILossFunction {
    private static final long serialVersionUID = 1L;

    private final double[] classWeights;
    private final double labelSmoothing;
    private final double zLoss;
    private final double softcap;
    private final int threads;

    private static final String[][] MASK = {{"sampleWeights: ", "mask: "}};

    private final transient CrossEntropyLoss softmaxSum, softmaxEach, sigmoidSum, sigmoidEach;

    /** Plain cross-entropy: no class weights, no smoothing, no z-loss, no soft-cap, all threads. */
    public XentLoss() {
        this(null, 0, 0, 0, 0);
    }

    @JsonCreator
    XentLoss(@JsonProperty("classWeights") double[] classWeights, @JsonProperty("labelSmoothing") double labelSmoothing,
            @JsonProperty("zLoss") double zLoss, @JsonProperty("softcap") double softcap, @JsonProperty("threads") int threads) {
        Versions.require();
        this.classWeights = classWeights == null ? null : classWeights.clone();
        this.labelSmoothing = labelSmoothing;
        this.zLoss = zLoss;
        this.softcap = softcap;
        this.threads = threads;
        CrossEntropyLoss.Builder softmax = CrossEntropyLoss.builder().targetKind(TargetKind.PROBABILITIES).inputKind(InputKind.LOGITS)
                .classWeights(this.classWeights).labelSmoothing(labelSmoothing).zLoss(zLoss).softcap(softcap).threads(threads);
        softmaxSum = softmax.reduction(Reduction.SUM).build();
        softmaxEach = softmax.reduction(Reduction.NONE).build();
        CrossEntropyLoss.Builder sigmoid = CrossEntropyLoss.builder().targetKind(TargetKind.BINARY).inputKind(InputKind.LOGITS).threads(threads);
        sigmoidSum = sigmoid.reduction(Reduction.SUM).build();
        sigmoidEach = sigmoid.reduction(Reduction.NONE).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A copy of the class weights, or null. */
    @JsonProperty("classWeights")
    public double[] getClassWeights() {
        return classWeights == null ? null : classWeights.clone();
    }

    @JsonProperty("labelSmoothing")
    public double getLabelSmoothing() {
        return labelSmoothing;
    }

    @JsonProperty("zLoss")
    public double getZLoss() {
        return zLoss;
    }

    @JsonProperty("softcap")
    public double getSoftcap() {
        return softcap;
    }

    @JsonProperty("threads")
    public int getThreads() {
        return threads;
    }

    @Override
    public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask, boolean average) {
        double score = run(labels, preOutput, activationFn, mask, false, false).score;
        return average ? score / preOutput.size(0) : score;
    }

    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        return run(labels, preOutput, activationFn, mask, false, true).scores;
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        return run(labels, preOutput, activationFn, mask, true, false).gradient;
    }

    @Override
    public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput, IActivation activationFn,
            INDArray mask, boolean average) {
        Outcome o = run(labels, preOutput, activationFn, mask, true, false);
        return new Pair<>(average ? o.score / preOutput.size(0) : o.score, o.gradient);
    }

    private static final class Outcome {
        double score;
        INDArray gradient, scores;
    }

    /** One call of xent: the summed score and, when asked, the gradient; or the score array. */
    private Outcome run(INDArray labels, INDArray preOutput, IActivation activation, INDArray mask, boolean gradient, boolean scoreArray) {
        boolean softmax = form(activation);
        Objects.requireNonNull(preOutput, "preOutput");
        Objects.requireNonNull(labels, "labels");
        requireOpen(preOutput, "preOutput");
        requireOpen(labels, "labels");
        if (mask != null) requireOpen(mask, "mask");
        if (preOutput.rank() != 2) {
            throw new IllegalArgumentException("preOutput: shape " + Arrays.toString(preOutput.shape()) + ", expected (examples, outputs)");
        }
        if (!Arrays.equals(labels.shape(), preOutput.shape())) {
            throw new IllegalArgumentException("labels: shape " + Arrays.toString(labels.shape()) + " differs from preOutput's "
                    + Arrays.toString(preOutput.shape()));
        }
        if (!preOutput.dataType().isFPType()) {
            throw new IllegalArgumentException("preOutput: data type " + preOutput.dataType() + ", expected a floating-point type");
        }
        long n = preOutput.size(0), c = preOutput.size(1);
        if (n == 0 || c == 0) {
            throw new IllegalArgumentException("preOutput: shape " + Arrays.toString(preOutput.shape()) + " has no elements");
        }
        if (classWeights != null && classWeights.length != c) {
            throw new IllegalArgumentException("classWeights: " + classWeights.length + " weights for " + c + " outputs");
        }
        if (!softmax && (labelSmoothing > 0 || zLoss > 0 || softcap > 0)) {
            throw new IllegalArgumentException((labelSmoothing > 0 ? "labelSmoothing" : zLoss > 0 ? "zLoss" : "softcap")
                    + ": applies to a softmax output layer; this one's activation is sigmoid (binary cross-entropy)");
        }
        // float32 and float64 run as they are; half and bfloat16 go through float32.
        DataType type = preOutput.dataType() == DataType.DOUBLE ? DataType.DOUBLE : DataType.FLOAT;
        INDArray x = Nd4jArrays.asContiguous(preOutput, type), y = Nd4jArrays.asContiguous(labels, type), weights = null;
        boolean perExample = mask != null && perExample(mask, n, c);
        if (softmax) {
            if (perExample) weights = Nd4jArrays.asContiguous(mask.reshape(n, 1), type);
            else if (mask != null) y = y.mul(mask.castTo(type));  // a masked output is a label of 0
        } else {
            weights = sigmoidWeights(mask, perExample, n, c, type);
        }

        Outcome out = new Outcome();
        INDArray grad = gradient ? Nd4j.createUninitialized(type, new long[] {n, c}, 'c') : null;
        INDArray each = scoreArray ? Nd4j.createUninitialized(type, softmax ? new long[] {n, 1} : new long[] {n, c}, 'c') : null;
        Batch batch = new Batch().shape(n, c).inputPointer(Nd4jArrays.pointer(x, "preOutput")).targetPointer(Nd4jArrays.pointer(y, "labels"));
        if (weights != null) batch.sampleWeightsPointer(Nd4jArrays.pointer(weights, "mask"));
        if (grad != null) batch.gradInputPointer(Nd4jArrays.pointer(grad, "gradient"));
        if (each != null) batch.lossOutPointer(Nd4jArrays.pointer(each, "score array"));
        CrossEntropyLoss loss = each != null ? (softmax ? softmaxEach : sigmoidEach) : (softmax ? softmaxSum : sigmoidSum);
        LossResult result;
        try {
            result = loss.compute(batch);
        } catch (IllegalArgumentException e) {
            // The sample weights are the mask's values (times the class weights, which are checked).
            throw Nd4jArrays.rename(e, MASK);
        }
        out.score = result.loss();
        if (grad != null) out.gradient = grad.dataType() == preOutput.dataType() ? grad : grad.castTo(preOutput.dataType());
        if (each != null) {
            INDArray rows = softmax ? each : each.sum(true, 1);
            out.scores = rows.dataType() == preOutput.dataType() ? rows : rows.castTo(preOutput.dataType());
        }
        return out;
    }

    /** An array closed by its owner has no memory left: named here, before ND4J's own message. */
    private static void requireOpen(INDArray a, String name) {
        if (a.wasClosed()) throw new IllegalArgumentException(name + ": the array was closed; pass an open one");
    }

    /** true for softmax, false for sigmoid; any other activation is an error. */
    private static boolean form(IActivation activation) {
        if (activation instanceof ActivationSoftmax) return true;
        if (activation instanceof ActivationSigmoid) return false;
        throw new IllegalArgumentException("activationFn: XentLoss needs a softmax (class cross-entropy) or sigmoid (binary"
                + " cross-entropy) output layer, got " + (activation == null ? "none" : activation.getClass().getSimpleName())
                + "; set .activation(Activation.SOFTMAX) or .activation(Activation.SIGMOID) on the output layer");
    }

    /** Whether a mask weighs whole examples (N or N x 1 values); one of the labels' shape weighs outputs. */
    private static boolean perExample(INDArray mask, long n, long c) {
        long[] s = mask.shape();
        boolean column = mask.length() == n && (s.length == 1 || s.length == 2 && s[1] == 1);
        if (column && !(c == 1 && s.length == 2)) return true;
        if (s.length == 2 && s[0] == n && s[1] == c) return false;
        throw new IllegalArgumentException("mask: shape " + Arrays.toString(s) + ", expected (" + n + ", 1) for one weight per example"
                + " or (" + n + ", " + c + ") for one per output");
    }

    /** The per-element weights of the binary form: class weights times the mask, or null for all 1. */
    private INDArray sigmoidWeights(INDArray mask, boolean perExample, long n, long c, DataType type) {
        if (classWeights == null && mask == null) return null;
        if (classWeights == null && !perExample) return Nd4jArrays.asContiguous(mask, type);
        INDArray w = Nd4j.zeros(type, n, c);
        if (classWeights != null) w.addiRowVector(Nd4j.createFromArray(classWeights).castTo(type).reshape(1, c));
        else w.addi(1);
        if (mask == null) return w;
        INDArray m = mask.castTo(type);
        return perExample ? w.muliColumnVector(m.reshape(n, 1)) : w.muli(m);
    }

    @Override
    public String name() {
        return toString();
    }

    @Override
    public String toString() {
        return "XentLoss(" + (classWeights == null ? "" : "classWeights=" + Arrays.toString(classWeights) + ", ")
                + (labelSmoothing > 0 ? "labelSmoothing=" + labelSmoothing + ", " : "") + (zLoss > 0 ? "zLoss=" + zLoss + ", " : "")
                + (softcap > 0 ? "softcap=" + softcap + ", " : "") + "threads=" + (threads == 0 ? "all" : threads) + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof XentLoss && Arrays.equals(classWeights, ((XentLoss) o).classWeights)
                && labelSmoothing == ((XentLoss) o).labelSmoothing && zLoss == ((XentLoss) o).zLoss
                && softcap == ((XentLoss) o).softcap && threads == ((XentLoss) o).threads;
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(classWeights), labelSmoothing, zLoss, softcap, threads);
    }

    /** Java serialization keeps the options; the xent losses are rebuilt from them. */
    private Object readResolve() {
        return new XentLoss(classWeights, labelSmoothing, zLoss, softcap, threads);
    }

    /** Options of a {@link XentLoss}; checked by {@link #build()}, each error naming its option. */
    public static final class Builder {
        private double[] classWeights;
        private double labelSmoothing, zLoss, softcap;
        private int threads;

        private Builder() {}

        /** One weight per output (class), finite and >= 0, as LossMCXENT's and LossBinaryXENT's weights; copied. */
        public Builder classWeights(double... weights) {
            this.classWeights = weights == null ? null : weights.clone();
            return this;
        }

        /** Label smoothing in [0, 1] (softmax layers). */
        public Builder labelSmoothing(double epsilon) {
            this.labelSmoothing = epsilon;
            return this;
        }

        /** PaLM's z-loss weight >= 0 (softmax layers): adds zLoss * lse^2 per example. */
        public Builder zLoss(double lambda) {
            this.zLoss = lambda;
            return this;
        }

        /** Gemma 2's logit soft-cap c >= 0 (softmax layers): each logit x becomes c * tanh(x / c). */
        public Builder softcap(double c) {
            this.softcap = c;
            return this;
        }

        /** At most this many threads per call; 0 (the default): all of {@code Xent.maxThreads()}. */
        public Builder threads(int threads) {
            this.threads = threads;
            return this;
        }

        public XentLoss build() {
            return new XentLoss(classWeights, labelSmoothing, zLoss, softcap, threads);
        }
    }
}
