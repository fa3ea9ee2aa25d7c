package io.github.xent.dl4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.zip.GZIPInputStream;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
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
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.impl.LossBinaryXENT;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

/**
 * Whole networks trained on the UCI digits with XentLoss and with DL4J's own loss from the same
 * seed: the score of every iteration and the final parameters agree.
 */
class TrainingTest {
    static final int ITERATIONS = 60, BATCH = 250, TRAIN = 1500;
    static float[][] features;
    static int[] digits;

    @BeforeAll
    static void readDigits() throws IOException {
        Path file = Path.of(System.getProperty("xent.digits", "../cli/src/main/resources/io/github/xent/cli/digits.csv.gz"));
        List<float[]> rows = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(file)), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.isBlank() || line.startsWith("#")) continue;
                String[] cells = line.split(",");
                float[] x = new float[cells.length - 1];
                for (int i = 0; i < x.length; i++) x[i] = Float.parseFloat(cells[i]) / 16;
                rows.add(x);
                labels.add(Integer.parseInt(cells[cells.length - 1].trim()));
            }
        }
        features = rows.toArray(new float[0][]);
        digits = labels.stream().mapToInt(Integer::intValue).toArray();
        assertEquals(1797, features.length);
    }

    static MultiLayerNetwork network(ILossFunction loss, Activation output, int outputs) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(42).dataType(DataType.FLOAT).updater(new Sgd(0.2))
                .weightInit(WeightInit.XAVIER).list()
                .layer(new DenseLayer.Builder().nIn(64).nOut(32).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(loss).nIn(32).nOut(outputs).activation(output).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** The minibatch of an iteration: BATCH training rows from a fixed shuffle, labels made by `labels`. */
    static DataSet batch(int iteration, Function<int[], INDArray> labels, Function<int[], INDArray> mask) {
        int[] rows = new int[BATCH];
        for (int i = 0; i < BATCH; i++) rows[i] = (int) (((long) iteration * BATCH + i) * 7919 % TRAIN);
        float[][] x = new float[BATCH][];
        for (int i = 0; i < BATCH; i++) x[i] = features[rows[i]];
        return new DataSet(Nd4j.create(x), labels.apply(rows), null, mask == null ? null : mask.apply(rows));
    }

    static INDArray oneHot(int[] rows) {
        INDArray y = Nd4j.zeros(DataType.FLOAT, rows.length, 10);
        for (int i = 0; i < rows.length; i++) y.putScalar(i, digits[rows[i]], 1);
        return y;
    }

    /** Four yes/no questions about a digit: even, above 4, prime, drawn with a closed loop. */
    static INDArray questions(int[] rows) {
        INDArray y = Nd4j.zeros(DataType.FLOAT, rows.length, 4);
        for (int i = 0; i < rows.length; i++) {
            int d = digits[rows[i]];
            y.putScalar(i, 0, d % 2 == 0 ? 1 : 0);
            y.putScalar(i, 1, d > 4 ? 1 : 0);
            y.putScalar(i, 2, d == 2 || d == 3 || d == 5 || d == 7 ? 1 : 0);
            y.putScalar(i, 3, d == 0 || d == 6 || d == 8 || d == 9 ? 1 : 0);
        }
        return y;
    }

    /** A fixed pseudo-random 0/1 mask per training row, of `width` columns. */
    static Function<int[], INDArray> mask(int width, double keep) {
        return rows -> {
            INDArray m = Nd4j.zeros(DataType.FLOAT, rows.length, width);
            for (int i = 0; i < rows.length; i++) {
                SplittableRandom r = new SplittableRandom(rows[i]);
                for (int j = 0; j < width; j++) m.putScalar(i, j, r.nextDouble() < keep ? 1 : 0);
            }
            return m;
        };
    }

    /** Trains both networks in step; returns them after checking every score and the final parameters. */
    static MultiLayerNetwork[] trainSideBySide(String what, ILossFunction dl4j, ILossFunction xent, Activation output, int outputs,
            Function<int[], INDArray> labels, Function<int[], INDArray> mask) {
        MultiLayerNetwork reference = network(dl4j, output, outputs), ours = network(xent, output, outputs);
        assertEquals(reference.params(), ours.params(), "the same seed gives the same initial parameters");
        double worstScore = 0;
        for (int it = 0; it < ITERATIONS; it++) {
            DataSet data = batch(it, labels, mask);
            reference.fit(data);
            ours.fit(data);
            double want = reference.score(), got = ours.score();
            worstScore = Math.max(worstScore, Math.abs(got - want) / Math.abs(want));
            assertEquals(want, got, 1e-5 * Math.abs(want), what + ": score of iteration " + it);
        }
        INDArray diff = reference.params().sub(ours.params());
        double worstParam = Math.abs(diff.maxNumber().doubleValue()) > Math.abs(diff.minNumber().doubleValue())
                ? Math.abs(diff.maxNumber().doubleValue()) : Math.abs(diff.minNumber().doubleValue());
        System.out.printf("TrainingTest %s: %d iterations, final score DL4J %.5f, xent %.5f, largest score difference %.2e relative, "
                + "largest parameter difference %.2e%n", what, ITERATIONS, reference.score(), ours.score(), worstScore, worstParam);
        assertTrue(worstParam <= 1e-4, what + ": parameters differ by " + worstParam);
        return new MultiLayerNetwork[] {reference, ours};
    }

    static double accuracy(MultiLayerNetwork net) {
        float[][] x = new float[features.length - TRAIN][];
        for (int i = TRAIN; i < features.length; i++) x[i - TRAIN] = features[i];
        INDArray predicted = net.output(Nd4j.create(x)).argMax(1);
        int correct = 0;
        for (int i = TRAIN; i < features.length; i++) if (predicted.getInt(i - TRAIN) == digits[i]) correct++;
        return (double) correct / (features.length - TRAIN);
    }

    @Test
    void softmaxNetworkTrainsAsWithLossMCXENT() {
        MultiLayerNetwork[] nets = trainSideBySide("softmax 64-32-10", new LossMCXENT(), new XentLoss(), Activation.SOFTMAX, 10,
                TrainingTest::oneHot, null);
        double a = accuracy(nets[0]), b = accuracy(nets[1]);
        System.out.printf("TrainingTest held-out accuracy on %d digits: LossMCXENT %.4f, XentLoss %.4f%n", features.length - TRAIN, a, b);
        assertEquals(a, b, 1.0 / (features.length - TRAIN) + 1e-12);
        assertTrue(b > 0.8, "held-out accuracy " + b);
    }

    @Test
    void weightedSoftmaxWithExampleMasks() {
        double[] w = {1, 2, 0.5, 1, 1.5, 1, 0.75, 1, 3, 1};
        trainSideBySide("weighted softmax, per-example masks", new LossMCXENT(Nd4j.createFromArray(w).reshape(1, 10)),
                XentLoss.builder().classWeights(w).build(), Activation.SOFTMAX, 10, TrainingTest::oneHot, mask(1, 0.8));
    }

    @Test
    void sigmoidMultiLabelNetworkTrainsAsWithLossBinaryXENT() {
        trainSideBySide("sigmoid multi-label 64-32-4", new LossBinaryXENT(), new XentLoss(), Activation.SIGMOID, 4,
                TrainingTest::questions, null);
        trainSideBySide("sigmoid multi-label, per-output masks", new LossBinaryXENT(), new XentLoss(), Activation.SIGMOID, 4,
                TrainingTest::questions, mask(4, 0.7));
    }

    @Test
    void theConfigurationSurvivesJson() {
        XentLoss loss = XentLoss.builder().classWeights(1, 2, 3, 4, 5, 6, 7, 8, 9, 10).labelSmoothing(0.05).zLoss(1e-4).softcap(30).threads(1).build();
        MultiLayerConfiguration conf = network(loss, Activation.SOFTMAX, 10).getLayerWiseConfigurations();
        String json = conf.toJson();
        assertTrue(json.contains("io.github.xent.dl4j.XentLoss"), json);
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(json);
        assertEquals(conf, back);
        ILossFunction restored = ((OutputLayer) back.getConf(1).getLayer()).getLossFn();
        assertInstanceOf(XentLoss.class, restored);
        assertEquals(loss, restored);
        assertEquals(conf, MultiLayerConfiguration.fromYaml(conf.toYaml()));
    }
}
