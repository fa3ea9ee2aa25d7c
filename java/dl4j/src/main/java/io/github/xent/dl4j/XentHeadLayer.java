package io.github.xent.dl4j;

import io.github.xent.LinearCrossEntropyLoss;
import io.github.xent.Reduction;
import io.github.xent.WeightLayout;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What {@link XentOutputLayer} and {@link XentRnnOutputLayer} share: a softmax output layer whose
 * training step is one call of xent's fused linear + cross-entropy on the layer's own weights,
 * and xent's options (class weights, label smoothing, z-loss, soft-cap, ignore index, threads,
 * rows per block). The options are bean properties, so DL4J's JSON and YAML keep them.
 */
public abstract class XentHeadLayer extends BaseOutputLayer {
    private static final long serialVersionUID = 1L;

    private double[] classWeights;
    private double labelSmoothing;
    private double zLoss;
    private double softcap;
    private long ignoreIndex = -100;
    private int threads;
    private int blockRows;

    /** For Jackson. */
    protected XentHeadLayer() {
        setActivationFn(new ActivationSoftmax());
    }

    protected XentHeadLayer(Builder<?> builder) {
        super(builder);
        classWeights = builder.classWeights == null ? null : builder.classWeights.clone();
        labelSmoothing = builder.labelSmoothing;
        zLoss = builder.zLoss;
        softcap = builder.softcap;
        ignoreIndex = builder.ignoreIndex;
        threads = builder.threads;
        blockRows = builder.blockRows;
        requireSoftmax(getActivationFn());
        fusedLoss(Reduction.SUM);  // every option checked now, each error naming its option
        // DL4J's own paths that ask the layer for its loss (and soft labels) see the same options.
        lossFn = XentLoss.builder().classWeights(classWeights).labelSmoothing(labelSmoothing).zLoss(zLoss).softcap(softcap)
                .threads(threads).build();
    }

    static void requireSoftmax(IActivation activation) {
        if (activation != null && !(activation instanceof ActivationSoftmax)) {
            throw new IllegalArgumentException("activation: a xent output layer is a softmax layer, not "
                    + activation.getClass().getSimpleName() + "; leave the activation unset (softmax) or use an OutputLayer");
        }
    }

    /** The fused loss of these options, reducing with {@code reduction}; W in DL4J's (nIn x nOut, 'f') bytes. */
    LinearCrossEntropyLoss fusedLoss(Reduction reduction) {
        LinearCrossEntropyLoss.Builder b = LinearCrossEntropyLoss.builder().weightLayout(WeightLayout.VD).reduction(reduction)
                .labelSmoothing(labelSmoothing).zLoss(zLoss).softcap(softcap).ignoreIndex(ignoreIndex).threads(threads)
                .blockRows(blockRows);
        if (classWeights != null) b.classWeights(classWeights);
        return b.build();
    }

    /** Wires a new layer of this configuration to its network, as DL4J's own output layers do. */
    protected Layer wire(XentHeadImpl<?> layer, NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int layerIndex,
                         INDArray paramsView, boolean initializeParams) {
        layer.setListeners(listeners);
        layer.setIndex(layerIndex);
        layer.setParamsViewArray(paramsView);
        Map<String, INDArray> params = initializer().init(conf, paramsView, initializeParams);
        layer.setParamTable(params);
        layer.setConf(conf);
        return layer;
    }

    @Override
    public ParamInitializer initializer() {
        return DefaultParamInitializer.getInstance();
    }

    /** A copy of the class weights, or null. */
    public double[] getClassWeights() {
        return classWeights == null ? null : classWeights.clone();
    }

    public void setClassWeights(double[] classWeights) {
        this.classWeights = classWeights == null ? null : classWeights.clone();
    }

    public double getLabelSmoothing() {
        return labelSmoothing;
    }

    public void setLabelSmoothing(double labelSmoothing) {
        this.labelSmoothing = labelSmoothing;
    }

    public double getZLoss() {
        return zLoss;
    }

    public void setZLoss(double zLoss) {
        this.zLoss = zLoss;
    }

    public double getSoftcap() {
        return softcap;
    }

    public void setSoftcap(double softcap) {
        this.softcap = softcap;
    }

    public long getIgnoreIndex() {
        return ignoreIndex;
    }

    public void setIgnoreIndex(long ignoreIndex) {
        this.ignoreIndex = ignoreIndex;
    }

    public int getThreads() {
        return threads;
    }

    public void setThreads(int threads) {
        this.threads = threads;
    }

    public int getBlockRows() {
        return blockRows;
    }

    public void setBlockRows(int blockRows) {
        this.blockRows = blockRows;
    }

    @Override
    public boolean equals(Object o) {
        if (!super.equals(o) || !(o instanceof XentHeadLayer)) return false;
        XentHeadLayer other = (XentHeadLayer) o;
        return Arrays.equals(classWeights, other.classWeights) && labelSmoothing == other.labelSmoothing && zLoss == other.zLoss
                && softcap == other.softcap && ignoreIndex == other.ignoreIndex && threads == other.threads
                && blockRows == other.blockRows;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), Arrays.hashCode(classWeights), labelSmoothing, zLoss, softcap, ignoreIndex, threads,
                blockRows);
    }

    /** xent's options on top of DL4J's output-layer builder; softmax is the activation. */
    public abstract static class Builder<T extends Builder<T>> extends BaseOutputLayer.Builder<T> {
        double[] classWeights;
        double labelSmoothing, zLoss, softcap;
        long ignoreIndex = -100;
        int threads, blockRows;

        protected Builder() {
            setActivationFn(new ActivationSoftmax());
        }

        /** One weight per class, 0 or >= 2^-126 and finite (as LossMCXENT's weights); copied. */
        @SuppressWarnings("unchecked")
        public T classWeights(double... weights) {
            this.classWeights = weights == null ? null : weights.clone();
            return (T) this;
        }

        /** Label smoothing in [0, 1]. */
        @SuppressWarnings("unchecked")
        public T labelSmoothing(double epsilon) {
            this.labelSmoothing = epsilon;
            return (T) this;
        }

        /** PaLM's z-loss weight >= 0: adds zLoss * lse^2 per example. */
        @SuppressWarnings("unchecked")
        public T zLoss(double lambda) {
            this.zLoss = lambda;
            return (T) this;
        }

        /** Gemma 2's logit soft-cap c (0: off): each logit x becomes c * tanh(x / c). */
        @SuppressWarnings("unchecked")
        public T softcap(double c) {
            this.softcap = c;
            return (T) this;
        }

        /** The class index that marks an example (or time step) to leave out, with index labels; default -100. */
        @SuppressWarnings("unchecked")
        public T ignoreIndex(long index) {
            this.ignoreIndex = index;
            return (T) this;
        }

        /** At most this many threads per call; 0 (the default): all of {@code Xent.maxThreads()}. */
        @SuppressWarnings("unchecked")
        public T threads(int threads) {
            this.threads = threads;
            return (T) this;
        }

        /** Rows of logits per block (0, the default: as many as fit 48 MB); changes the last bits only. */
        @SuppressWarnings("unchecked")
        public T blockRows(int rows) {
            this.blockRows = rows;
            return (T) this;
        }
    }
}
