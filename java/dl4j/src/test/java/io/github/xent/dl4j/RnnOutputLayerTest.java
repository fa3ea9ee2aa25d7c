package io.github.xent.dl4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

/**
 * {@link XentRnnOutputLayer} at the end of an LSTM sequence model (a 12-token vocabulary, sequences
 * of 6 to 20 steps through masks) against DL4J's RnnOutputLayer with LossMCXENT, from one seed:
 * every score within 1e-5 relative, the final parameters within 1e-4.
 */
class RnnOutputLayerTest {
    static final int V = 12, N = 16, T = 20, HIDDEN = 24, ITERATIONS = 50;

    static MultiLayerNetwork network(Layer head) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.FLOAT).updater(new Adam(0.02))
                .weightInit(WeightInit.XAVIER).list()
                .layer(new LSTM.Builder().nIn(V).nOut(HIDDEN).activation(Activation.TANH).build())
                .layer(head)
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /**
     * A minibatch of token sequences from a small grammar (each token mostly determines the next),
     * one-hot inputs, the next token as the label, and masks for each sequence's length.
     * {@code indices}: labels as (N, 1, T) class indices instead of one-hot (N, V, T).
     */
    static DataSet batch(int iteration, boolean indices, RNNFormat format) {
        SplittableRandom r = new SplittableRandom(1000 + iteration);
        INDArray x = Nd4j.zeros(DataType.FLOAT, N, V, T), y = Nd4j.zeros(DataType.FLOAT, N, indices ? 1 : V, T);
        INDArray mask = Nd4j.zeros(DataType.FLOAT, N, T);
        for (int n = 0; n < N; n++) {
            int length = 6 + r.nextInt(T - 5), token = r.nextInt(V);
            for (int t = 0; t < length; t++) {
                int next = r.nextInt(10) < 8 ? (3 * token + 1) % V : r.nextInt(V);
                x.putScalar(n, token, t, 1);
                if (indices) y.putScalar(n, 0, t, next);
                else y.putScalar(n, next, t, 1);
                mask.putScalar(n, t, 1);
                token = next;
            }
        }
        if (format == RNNFormat.NWC) {
            x = x.permute(0, 2, 1).dup('c');
            y = y.permute(0, 2, 1).dup('c');
        }
        return new DataSet(x, y, mask, mask);
    }

    static void sideBySide(String what, MultiLayerNetwork reference, MultiLayerNetwork ours, boolean indices) {
        assertEquals(reference.params(), ours.params(), what + ": the same seed gives the same initial parameters");
        double worstScore = 0;
        for (int it = 0; it < ITERATIONS; it++) {
            reference.fit(batch(it, false, RNNFormat.NCW));
            ours.fit(batch(it, indices, RNNFormat.NCW));
            double want = reference.score(), got = ours.score();
            worstScore = Math.max(worstScore, Math.abs(got - want) / Math.abs(want));
            assertEquals(want, got, 1e-5 * Math.abs(want), what + ": score of iteration " + it);
        }
        double worstParam = OutputLayerTest.largest(reference.params().sub(ours.params()));
        System.out.printf("RnnOutputLayerTest %s: %d iterations, final score DL4J %.5f, xent %.5f, largest score difference %.2e "
                + "relative, largest parameter difference %.2e%n", what, ITERATIONS, reference.score(), ours.score(), worstScore, worstParam);
        assertTrue(worstParam <= 1e-4, what + ": parameters differ by " + worstParam);
    }

    static Layer dl4j() {
        return new RnnOutputLayer.Builder(new LossMCXENT()).nIn(HIDDEN).nOut(V).activation(Activation.SOFTMAX).build();
    }

    static Layer xent() {
        return new XentRnnOutputLayer.Builder().nIn(HIDDEN).nOut(V).build();
    }

    @Test
    void oneHotSequencesTrainAsRnnOutputLayer() {
        sideBySide("one-hot sequences vs RnnOutputLayer + LossMCXENT", network(dl4j()), network(xent()), false);
    }

    @Test
    void indexSequencesTrainAsRnnOutputLayer() {
        sideBySide("index sequences vs RnnOutputLayer + LossMCXENT", network(dl4j()), network(xent()), true);
    }

    @Test
    void nwcSequencesTrainAsRnnOutputLayer() {
        MultiLayerNetwork reference = nwc(new RnnOutputLayer.Builder(new LossMCXENT()).nIn(HIDDEN).nOut(V).activation(Activation.SOFTMAX)
                .dataFormat(RNNFormat.NWC).build());
        MultiLayerNetwork ours = nwc(new XentRnnOutputLayer.Builder().nIn(HIDDEN).nOut(V).dataFormat(RNNFormat.NWC).build());
        assertEquals(reference.params(), ours.params());
        for (int it = 0; it < 20; it++) {
            reference.fit(batch(it, false, RNNFormat.NWC));
            ours.fit(batch(it, true, RNNFormat.NWC));
            assertEquals(reference.score(), ours.score(), 1e-5 * reference.score(), "NWC score of iteration " + it);
        }
        assertTrue(OutputLayerTest.largest(reference.params().sub(ours.params())) <= 1e-4);
        DataSet test = batch(78, false, RNNFormat.NWC);
        INDArray want = reference.output(test.getFeatures(), false, test.getFeaturesMaskArray(), test.getLabelsMaskArray());
        INDArray got = ours.output(test.getFeatures(), false, test.getFeaturesMaskArray(), test.getLabelsMaskArray());
        assertTrue(OutputLayerTest.largest(want.sub(got)) < 1e-5, "NWC output() differs by " + OutputLayerTest.largest(want.sub(got)));
    }

    static MultiLayerNetwork nwc(Layer head) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.FLOAT).updater(new Adam(0.02))
                .weightInit(WeightInit.XAVIER).list()
                .layer(new LSTM.Builder().nIn(V).nOut(HIDDEN).activation(Activation.TANH).dataFormat(RNNFormat.NWC).build())
                .layer(head)
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    @Test
    void outputAndScoresPerSequenceMatchRnnOutputLayer() {
        MultiLayerNetwork reference = network(dl4j()), ours = network(xent());
        for (int it = 0; it < 10; it++) {
            reference.fit(batch(it, false, RNNFormat.NCW));
            ours.fit(batch(it, true, RNNFormat.NCW));
        }
        DataSet test = batch(77, false, RNNFormat.NCW);
        INDArray want = reference.output(test.getFeatures(), false, test.getFeaturesMaskArray(), test.getLabelsMaskArray());
        INDArray got = ours.output(test.getFeatures(), false, test.getFeaturesMaskArray(), test.getLabelsMaskArray());
        assertEquals(java.util.Arrays.toString(want.shape()), java.util.Arrays.toString(got.shape()));
        assertTrue(OutputLayerTest.largest(want.sub(got)) < 1e-5, "output() differs by " + OutputLayerTest.largest(want.sub(got)));
        INDArray wantEach = reference.scoreExamples(test, false), gotEach = ours.scoreExamples(batch(77, true, RNNFormat.NCW), false);
        assertTrue(OutputLayerTest.largest(wantEach.sub(gotEach)) < 1e-4, "scoreExamples differs by " + OutputLayerTest.largest(wantEach.sub(gotEach)));
        assertEquals(reference.score(test), ours.score(batch(77, true, RNNFormat.NCW)), 1e-5);
    }
}
