package io.github.xent.dl4j;

import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.InputTypeUtil;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The sequence form of {@link XentOutputLayer}, as DL4J's {@code RnnOutputLayer}: input (minibatch,
 * nIn, T) in NCW (or (minibatch, T, nIn) with {@code dataFormat(RNNFormat.NWC)}), labels one-hot
 * (minibatch, nOut, T) or class indices (minibatch, 1, T), and a mask of (minibatch, T) that
 * leaves out the steps past each sequence's end. Every time step of every sequence is one row of
 * the fused call. This is what an LSTM language model in DL4J ends with:
 *
 * <pre>{@code
 * .layer(new LSTM.Builder().nIn(vocabulary).nOut(256).build())
 * .layer(new XentRnnOutputLayer.Builder().nIn(256).nOut(vocabulary).build())
 * }</pre>
 */
public class XentRnnOutputLayer extends XentHeadLayer {
    private static final long serialVersionUID = 1L;

    private RNNFormat rnnDataFormat;

    /** For Jackson. */
    public XentRnnOutputLayer() {}

    protected XentRnnOutputLayer(Builder builder) {
        super(builder);
        initializeConstraints(builder);
        rnnDataFormat = builder.rnnDataFormat;
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int layerIndex,
                             INDArray paramsView, boolean initializeParams, DataType dataType) {
        LayerValidation.assertNInNOutSet("XentRnnOutputLayer", getLayerName(), layerIndex, getNIn(), getNOut());
        return wire(new XentRnnOutputLayerImpl(conf, dataType), conf, listeners, layerIndex, paramsView, initializeParams);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        InputType.InputTypeRecurrent r = recurrent(inputType);
        return InputType.recurrent(nOut, r.getTimeSeriesLength(), r.getFormat());
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        InputType.InputTypeRecurrent r = recurrent(inputType);
        if (rnnDataFormat == null || override) rnnDataFormat = r.getFormat();
        if (nIn <= 0 || override) nIn = r.getSize();
    }

    private InputType.InputTypeRecurrent recurrent(InputType inputType) {
        if (inputType == null || inputType.getType() != InputType.Type.RNN) {
            throw new IllegalStateException("XentRnnOutputLayer \"" + getLayerName() + "\": expected recurrent input, got " + inputType);
        }
        return (InputType.InputTypeRecurrent) inputType;
    }

    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        return InputTypeUtil.getPreprocessorForInputTypeRnnLayers(inputType, rnnDataFormat, getLayerName());
    }

    /** NCW (the default) or NWC. */
    public RNNFormat getRnnDataFormat() {
        return rnnDataFormat;
    }

    public void setRnnDataFormat(RNNFormat rnnDataFormat) {
        this.rnnDataFormat = rnnDataFormat;
    }

    @Override
    public boolean equals(Object o) {
        return super.equals(o) && o instanceof XentRnnOutputLayer && rnnDataFormat == ((XentRnnOutputLayer) o).rnnDataFormat;
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + (rnnDataFormat == null ? 0 : rnnDataFormat.hashCode());
    }

    /** nIn, nOut, the data format and xent's options; the activation is softmax. */
    public static class Builder extends XentHeadLayer.Builder<Builder> {
        RNNFormat rnnDataFormat;

        /** NCW: (minibatch, size, T), the default; NWC: (minibatch, T, size). */
        public Builder dataFormat(RNNFormat format) {
            this.rnnDataFormat = format;
            return this;
        }

        @Override
        @SuppressWarnings("unchecked")
        public XentRnnOutputLayer build() {
            return new XentRnnOutputLayer(this);
        }
    }
}
