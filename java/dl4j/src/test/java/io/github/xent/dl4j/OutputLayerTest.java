package io.github.xent.dl4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Function;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.nd4j.linalg.lossfunctions.impl.LossSparseMCXENT;

/**
 * {@link XentOutputLayer} in a network trained on the UCI digits against DL4J's OutputLayer with
 * LossMCXENT (one-hot labels) and LossSparseMCXENT (class indices), from one seed: every score
 * within 1e-5 relative, the final parameters within 1e-4.
 */
class OutputLayerTest {
    static final int ITERATIONS = 60;

    @BeforeAll
    static void digits() throws Exception {
        TrainingTest.readDigits();
    }

    static MultiLayerNetwork network(Layer head, DataType type) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(42).dataType(type).updater(new Adam(0.01))
                .weightInit(WeightInit.XAVIER).list()
                .layer(new DenseLayer.Builder().nIn(64).nOut(32).activation(Activation.TANH).build())
                .layer(head)
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    static INDArray indices(int[] rows) {
        INDArray y = Nd4j.zeros(DataType.FLOAT, rows.length, 1);
        for (int i = 0; i < rows.length; i++) y.putScalar(i, 0, TrainingTest.digits[rows[i]]);
        return y;
    }

    /** One weight per example: about one in five left out. */
    static INDArray exampleMask(int[] rows) {
        INDArray m = Nd4j.ones(DataType.FLOAT, rows.length, 1);
        for (int i = 0; i < rows.length; i++) if (rows[i] % 5 == 3) m.putScalar(i, 0, 0);
        return m;
    }

    static double largest(INDArray a) {
        return Math.max(Math.abs(a.maxNumber().doubleValue()), Math.abs(a.minNumber().doubleValue()));
    }

    /** Trains both in step on the same minibatches; checks every score and the final parameters. */
    static void sideBySide(String what, MultiLayerNetwork reference, MultiLayerNetwork ours, Function<int[], INDArray> referenceLabels,
            Function<int[], INDArray> ourLabels, Function<int[], INDArray> mask) {
        assertEquals(reference.params(), ours.params(), what + ": the same seed gives the same initial parameters");
        double worstScore = 0;
        for (int it = 0; it < ITERATIONS; it++) {
            DataSet a = TrainingTest.batch(it, referenceLabels, mask), b = TrainingTest.batch(it, ourLabels, mask);
            reference.fit(a);
            ours.fit(b);
            double want = reference.score(), got = ours.score();
            worstScore = Math.max(worstScore, Math.abs(got - want) / Math.abs(want));
            assertEquals(want, got, 1e-5 * Math.abs(want), what + ": score of iteration " + it);
        }
        double worstParam = largest(reference.params().sub(ours.params()));
        System.out.printf("OutputLayerTest %s: %d iterations, final score DL4J %.5f, xent %.5f, largest score difference %.2e "
                + "relative, largest parameter difference %.2e%n", what, ITERATIONS, reference.score(), ours.score(), worstScore, worstParam);
        assertTrue(worstParam <= 1e-4, what + ": parameters differ by " + worstParam);
    }

    static Layer dl4j(org.nd4j.linalg.lossfunctions.ILossFunction loss) {
        return new OutputLayer.Builder(loss).nIn(32).nOut(10).activation(Activation.SOFTMAX).build();
    }

    static Layer xent() {
        return new XentOutputLayer.Builder().nIn(32).nOut(10).build();
    }

    @Test
    void oneHotLabelsTrainAsOutputLayerWithLossMcxent() {
        sideBySide("one-hot vs LossMCXENT", network(dl4j(new LossMCXENT()), DataType.FLOAT), network(xent(), DataType.FLOAT),
                TrainingTest::oneHot, TrainingTest::oneHot, null);
    }

    @Test
    void indexLabelsTrainAsOutputLayerWithLossSparseMcxent() {
        sideBySide("indices vs LossSparseMCXENT", network(dl4j(new LossSparseMCXENT()), DataType.FLOAT), network(xent(), DataType.FLOAT),
                OutputLayerTest::indices, OutputLayerTest::indices, null);
    }

    @Test
    void indexLabelsWithExampleMasksInDoubleTrainAsLossMcxent() {
        sideBySide("indices + example mask, float64 vs LossMCXENT", network(dl4j(new LossMCXENT()), DataType.DOUBLE),
                network(xent(), DataType.DOUBLE), TrainingTest::oneHot, OutputLayerTest::indices, OutputLayerTest::exampleMask);
    }

    @Test
    void outputGivesSoftmaxProbabilitiesAndEvaluationWorks() {
        MultiLayerNetwork reference = network(dl4j(new LossMCXENT()), DataType.FLOAT), ours = network(xent(), DataType.FLOAT);
        for (int it = 0; it < 20; it++) {
            reference.fit(TrainingTest.batch(it, TrainingTest::oneHot, null));
            ours.fit(TrainingTest.batch(it, OutputLayerTest::indices, null));
        }
        DataSet test = TrainingTest.batch(99, TrainingTest::oneHot, null);
        INDArray want = reference.output(test.getFeatures()), got = ours.output(test.getFeatures());
        assertTrue(largest(want.sub(got)) < 1e-4, "output() differs by " + largest(want.sub(got)));
        assertEquals(1.0, got.sum(1).meanNumber().doubleValue(), 1e-5, "rows of probabilities");
        double accuracy = ours.evaluate(new org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator<>(test.asList(), 50)).accuracy();
        assertEquals(reference.evaluate(new org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator<>(test.asList(), 50)).accuracy(),
                accuracy, 1e-9);
        System.out.printf("OutputLayerTest evaluation on 250 digits after 20 iterations: accuracy %.4f%n", accuracy);
    }
}
