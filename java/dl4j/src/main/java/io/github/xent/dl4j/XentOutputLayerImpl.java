package io.github.xent.dl4j;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The layer of a {@link XentOutputLayer}: rows are examples. */
public class XentOutputLayerImpl extends XentHeadImpl<XentOutputLayer> {
    private static final long serialVersionUID = 1L;

    public XentOutputLayerImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    INDArray rows(INDArray input, LayerWorkspaceMgr workspaceMgr, ArrayType type) {
        if (input.rank() != 2) {
            throw new IllegalArgumentException("input: shape " + java.util.Arrays.toString(input.shape())
                    + ", expected (minibatch, nIn) for a XentOutputLayer; sequences go to a XentRnnOutputLayer" + layerId());
        }
        return input;
    }

    @Override
    INDArray rowsBack(INDArray epsilon2d, LayerWorkspaceMgr workspaceMgr) {
        return epsilon2d;
    }

    @Override
    ArrayType rowsGradientType() {
        return ArrayType.ACTIVATION_GRAD;
    }

    @Override
    protected INDArray getLabels2d(LayerWorkspaceMgr workspaceMgr, ArrayType arrayType) {
        return labels;
    }

    @Override
    public INDArray computeScoreForExamples(double fullNetRegTerm, LayerWorkspaceMgr workspaceMgr) {
        if (input == null || labels == null) throw new IllegalStateException("Cannot calculate score without input and labels " + layerId());
        INDArray scores = rowScores(workspaceMgr);
        if (fullNetRegTerm != 0.0) scores.addi(fullNetRegTerm);
        return workspaceMgr.leverageTo(ArrayType.ACTIVATIONS, scores);
    }

    @Override
    INDArray rowWeights() {
        if (maskArray == null) return null;
        return maskArray.length() == maskArray.size(0) ? maskArray : null;
    }

    @Override
    INDArray outputMask() {
        return maskArray != null && maskArray.length() != maskArray.size(0) ? maskArray : null;
    }
}
