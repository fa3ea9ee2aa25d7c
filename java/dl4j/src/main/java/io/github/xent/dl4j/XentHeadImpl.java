package io.github.xent.dl4j;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.BaseOutputLayer;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The layer behind a {@link XentHeadLayer}: DL4J's training calls (backpropGradient, then
 * computeScore) become one fused call, whose summed loss is kept for the score of the same
 * iteration rather than running the vocabulary twice. Subclasses say how their input becomes rows
 * (examples, or examples x time steps) and the epsilon goes back.
 */
public abstract class XentHeadImpl<C extends XentHeadLayer> extends BaseOutputLayer<C> {
    private static final long serialVersionUID = 1L;

    private transient FusedHead head;
    /** The summed loss of the last backpropGradient, for the computeScore that follows it; NaN: none. */
    private transient double lastSum = Double.NaN;
    private double regularization;

    protected XentHeadImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /** The input as rows (M x nIn); a copy, if one is needed, goes to {@code type}'s workspace. */
    abstract INDArray rows(INDArray input, LayerWorkspaceMgr workspaceMgr, ArrayType type);

    /** dL/d(rows) (M x nIn) in the input's shape. */
    abstract INDArray rowsBack(INDArray epsilon2d, LayerWorkspaceMgr workspaceMgr);

    /** Where dL/d(rows) is made: the epsilon's own workspace when the rows are the input itself (no copy back). */
    abstract ArrayType rowsGradientType();

    /** One weight per row from the mask, or null. */
    abstract INDArray rowWeights();

    /** A per-output mask as rows x nOut, or null. */
    abstract INDArray outputMask();

    private FusedHead head() {
        if (head == null) head = new FusedHead(layerConf());
        return head;
    }

    private INDArray weight(boolean training, LayerWorkspaceMgr workspaceMgr) {
        return getParamWithNoise(DefaultParamInitializer.WEIGHT_KEY, training, workspaceMgr);
    }

    private INDArray bias(boolean training, LayerWorkspaceMgr workspaceMgr) {
        return hasBias() ? getParamWithNoise(DefaultParamInitializer.BIAS_KEY, training, workspaceMgr) : null;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        if (labels == null) throw new IllegalStateException("labels: not set; a xent output layer trains on labels " + layerId());
        applyDropOutIfNecessary(true, workspaceMgr);
        INDArray h = rows(input, workspaceMgr, ArrayType.BP_WORKING_MEM), w = weight(true, workspaceMgr);
        FusedHead.Outputs out = new FusedHead.Outputs();
        out.gradWeight = gradientViews.get(DefaultParamInitializer.WEIGHT_KEY);
        out.gradBias = hasBias() ? gradientViews.get(DefaultParamInitializer.BIAS_KEY) : null;
        INDArray epsilon2d = workspaceMgr.createUninitialized(rowsGradientType(), w.dataType(), new long[] {h.size(0), h.size(1)}, 'c');
        out.epsilon = epsilon2d;
        lastSum = head().run(h, w, bias(true, workspaceMgr), getLabels2d(workspaceMgr, ArrayType.BP_WORKING_MEM), rowWeights(),
                outputMask(), out);
        Gradient gradient = new DefaultGradient();
        gradient.gradientForVariable().put(DefaultParamInitializer.WEIGHT_KEY, out.gradWeight);
        if (hasBias()) gradient.gradientForVariable().put(DefaultParamInitializer.BIAS_KEY, out.gradBias);
        INDArray epsilonNext = workspaceMgr.leverageTo(ArrayType.ACTIVATION_GRAD, rowsBack(epsilon2d, workspaceMgr));
        return new Pair<>(gradient, backpropDropOutIfPresent(epsilonNext));
    }

    /** The summed loss, kept from this iteration's backpropGradient, or a forward pass of its own. */
    private double summedLoss(boolean training, LayerWorkspaceMgr workspaceMgr) {
        double sum = lastSum;
        lastSum = Double.NaN;
        if (!Double.isNaN(sum)) return sum;
        applyDropOutIfNecessary(training, workspaceMgr);
        return head().run(rows(input, workspaceMgr, ArrayType.FF_WORKING_MEM), weight(training, workspaceMgr), bias(training, workspaceMgr),
                getLabels2d(workspaceMgr, ArrayType.FF_WORKING_MEM), rowWeights(), outputMask(), new FusedHead.Outputs());
    }

    @Override
    public double computeScore(double fullNetRegTerm, boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (input == null || labels == null) throw new IllegalStateException("Cannot calculate score without input and labels " + layerId());
        regularization = fullNetRegTerm;
        double score = summedLoss(training, workspaceMgr);
        if (conf().isMiniBatch()) score /= getInputMiniBatchSize();
        score += fullNetRegTerm;
        this.score = score;
        return score;
    }

    @Override
    public void computeGradientAndScore(LayerWorkspaceMgr workspaceMgr) {
        if (input == null || labels == null) return;
        gradient = backpropGradient(null, workspaceMgr).getFirst();
        score = computeScore(regularization, true, workspaceMgr);
    }

    /** One score per row (M), by the NONE form. */
    INDArray rowScores(LayerWorkspaceMgr workspaceMgr) {
        applyDropOutIfNecessary(false, workspaceMgr);
        INDArray h = rows(input, workspaceMgr, ArrayType.FF_WORKING_MEM), w = weight(false, workspaceMgr);
        FusedHead.Outputs out = new FusedHead.Outputs();
        out.scores = workspaceMgr.createUninitialized(ArrayType.FF_WORKING_MEM, w.dataType(), new long[] {h.size(0), 1}, 'c');
        head().run(h, w, bias(false, workspaceMgr), getLabels2d(workspaceMgr, ArrayType.FF_WORKING_MEM), rowWeights(), outputMask(), out);
        return out.scores;
    }

    @Override
    public void setInput(INDArray input, LayerWorkspaceMgr workspaceMgr) {
        lastSum = Double.NaN;
        super.setInput(input, workspaceMgr);
    }

    @Override
    public void setLabels(INDArray labels) {
        lastSum = Double.NaN;
        super.setLabels(labels);
    }

    @Override
    public void clear() {
        lastSum = Double.NaN;
        super.clear();
    }

    @Override
    public int numLabels() {
        return (int) layerConf().getNOut();
    }
}
