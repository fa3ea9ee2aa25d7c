package io.github.xent.dl4j;

import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A softmax output layer (the configuration, as DL4J's {@code OutputLayer}) whose training step is
 * one call of xent's fused linear + cross-entropy: the (minibatch x nOut) logits, their softmax,
 * the one-hot labels and the gradient of the logits are never held. Labels are class indices
 * (minibatch, 1), as {@code LossSparseMCXENT} takes them, or one-hot rows (minibatch, nOut), as
 * {@code LossMCXENT}; soft labels work too, the unfused way. A mask of (minibatch, 1) weighs whole
 * examples. {@code output()} gives the softmax probabilities.
 *
 * <pre>{@code
 * .layer(new XentOutputLayer.Builder().nIn(256).nOut(32000).build())
 * }</pre>
 */
public class XentOutputLayer extends XentHeadLayer {
    private static final long serialVersionUID = 1L;

    /** For Jackson. */
    public XentOutputLayer() {}

    protected XentOutputLayer(Builder builder) {
        super(builder);
        initializeConstraints(builder);
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int layerIndex,
                             INDArray paramsView, boolean initializeParams, DataType dataType) {
        LayerValidation.assertNInNOutSet("XentOutputLayer", getLayerName(), layerIndex, getNIn(), getNOut());
        return wire(new XentOutputLayerImpl(conf, dataType), conf, listeners, layerIndex, paramsView, initializeParams);
    }

    /** nIn, nOut and xent's options; the activation is softmax. */
    public static class Builder extends XentHeadLayer.Builder<Builder> {
        @Override
        @SuppressWarnings("unchecked")
        public XentOutputLayer build() {
            return new XentOutputLayer(this);
        }
    }
}
