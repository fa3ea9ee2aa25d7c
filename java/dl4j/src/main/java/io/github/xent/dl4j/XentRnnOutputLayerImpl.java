package io.github.xent.dl4j;

import java.util.Arrays;
import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The layer of a {@link XentRnnOutputLayer}: the rows are (sequence, time step) pairs, sequence
 * after sequence, so the (minibatch, T) mask, the labels and the input line up row for row.
 */
public class XentRnnOutputLayerImpl extends XentHeadImpl<XentRnnOutputLayer> {
    private static final long serialVersionUID = 1L;

    public XentRnnOutputLayerImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    private boolean nwc() {
        return layerConf().getRnnDataFormat() == RNNFormat.NWC;
    }

    /** (N, size, T) in NCW or (N, T, size) in NWC as rows (N * T, size), row n * T + t. */
    private INDArray toRows(INDArray a, String name, LayerWorkspaceMgr workspaceMgr, ArrayType type) {
        if (a.rank() != 3) {
            throw new IllegalArgumentException(name + ": shape " + Arrays.toString(a.shape()) + ", expected rank 3 "
                    + (nwc() ? "(minibatch, T, size)" : "(minibatch, size, T)") + layerId());
        }
        INDArray ntc = nwc() ? a : a.permute(0, 2, 1);
        INDArray rows = workspaceMgr.createUninitialized(type, a.dataType(), new long[] {ntc.size(0), ntc.size(1), ntc.size(2)}, 'c');
        rows.assign(ntc);
        return rows.reshape('c', ntc.size(0) * ntc.size(1), ntc.size(2));
    }

    /** Rows (N * T, size) back to the input's layout, in {@code type}'s workspace. */
    private INDArray fromRows(INDArray rows, long n, LayerWorkspaceMgr workspaceMgr, ArrayType type) {
        INDArray ntc = rows.reshape('c', n, rows.size(0) / n, rows.size(1));
        INDArray out = workspaceMgr.createUninitialized(type, rows.dataType(),
                nwc() ? ntc.shape() : new long[] {n, rows.size(1), rows.size(0) / n}, 'c');
        out.assign(nwc() ? ntc : ntc.permute(0, 2, 1));
        return out;
    }

    @Override
    INDArray rows(INDArray input, LayerWorkspaceMgr workspaceMgr, ArrayType type) {
        return toRows(input, "input", workspaceMgr, type);
    }

    @Override
    INDArray rowsBack(INDArray epsilon2d, LayerWorkspaceMgr workspaceMgr) {
        return fromRows(epsilon2d, input.size(0), workspaceMgr, ArrayType.ACTIVATION_GRAD);
    }

    @Override
    ArrayType rowsGradientType() {
        return ArrayType.BP_WORKING_MEM;  // rowsBack copies it into the input's layout
    }

    @Override
    protected INDArray getLabels2d(LayerWorkspaceMgr workspaceMgr, ArrayType arrayType) {
        long steps = input.size(nwc() ? 1 : 2), labelSteps = labels.rank() == 3 ? labels.size(nwc() ? 1 : 2) : -1;
        if (labelSteps != steps || labels.size(0) != input.size(0)) {
            throw new IllegalArgumentException("labels: shape " + Arrays.toString(labels.shape()) + " for input of shape "
                    + Arrays.toString(input.shape()) + ": expected one label (or one-hot row) per example and time step" + layerId());
        }
        return toRows(labels, "labels", workspaceMgr, arrayType);
    }

    /** The (N, T) mask as one weight per row, or null. */
    @Override
    INDArray rowWeights() {
        if (maskArray == null || maskArray.rank() != 2) return null;
        return maskArray.dup('c').reshape('c', maskArray.length(), 1);
    }

    @Override
    INDArray outputMask() {
        if (maskArray == null || maskArray.rank() == 2) return null;
        return toRows(maskArray, "mask", org.deeplearning4j.nn.workspace.LayerWorkspaceMgr.noWorkspaces(), ArrayType.INPUT);
    }

    /** Keeps the mask as given, (N, T) or the labels' shape: rows are built from it as from the labels. */
    @Override
    public void setMaskArray(INDArray maskArray) {
        if (maskArray != null && maskArray.rank() != 2 && maskArray.rank() != 3) {
            throw new IllegalArgumentException("mask: shape " + Arrays.toString(maskArray.shape())
                    + ", expected (minibatch, T) or the labels' shape" + layerId());
        }
        this.maskArray = maskArray;
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArray(INDArray maskArray, MaskState currentMaskState, int minibatchSize) {
        this.inputMaskArray = currentMaskState == MaskState.Active ? maskArray : null;
        this.inputMaskArrayState = currentMaskState == MaskState.Active ? currentMaskState : null;
        return null;  // the last layer
    }

    @Override
    public Type type() {
        return Type.RECURRENT;
    }

    /** The softmax probabilities, (N, nOut, T) (NWC: (N, T, nOut)), times the mask as DL4J's RnnOutputLayer does. */
    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        applyDropOutIfNecessary(training, workspaceMgr);
        INDArray w = getParamWithNoise(DefaultParamInitializer.WEIGHT_KEY, training, workspaceMgr);
        INDArray h = toRows(input.castTo(w.dataType()), "input", workspaceMgr, ArrayType.FF_WORKING_MEM);
        INDArray z = h.mmul(w);
        if (hasBias()) z.addiRowVector(getParamWithNoise(DefaultParamInitializer.BIAS_KEY, training, workspaceMgr));
        INDArray p = layerConf().getActivationFn().getActivation(z, training);
        INDArray weights = rowWeights(), perOutput = outputMask();
        if (weights != null) p.muliColumnVector(weights.castTo(p.dataType()));
        if (perOutput != null) p.muli(perOutput.castTo(p.dataType()));
        return fromRows(p, input.size(0), workspaceMgr, ArrayType.ACTIVATIONS);
    }

    @Override
    public INDArray computeScoreForExamples(double fullNetRegTerm, LayerWorkspaceMgr workspaceMgr) {
        if (input == null || labels == null) throw new IllegalStateException("Cannot calculate score without input and labels " + layerId());
        INDArray rows = rowScores(workspaceMgr);
        INDArray perSequence = rows.reshape('c', input.size(0), rows.length() / input.size(0)).sum(true, 1);
        if (fullNetRegTerm != 0.0) perSequence.addi(fullNetRegTerm);
        return workspaceMgr.leverageTo(ArrayType.ACTIVATIONS, perSequence);
    }

    @Override
    public double f1Score(INDArray examples, INDArray labels) {
        throw new UnsupportedOperationException("f1Score: use an Evaluation on output() " + layerId());
    }
}
