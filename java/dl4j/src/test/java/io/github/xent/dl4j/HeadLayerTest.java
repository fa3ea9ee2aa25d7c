package io.github.xent.dl4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

/**
 * The xent heads as DL4J networks use them beyond fit(): a ComputationGraph, JSON and YAML
 * configurations, ModelSerializer, TransferLearning, any updater, and every rejected configuration
 * or input (docs/bad-input.md, rows H1 and on).
 */
class HeadLayerTest {
    @BeforeAll
    static void digits() throws Exception {
        TrainingTest.readDigits();
    }

    static ComputationGraph graph(org.deeplearning4j.nn.conf.layers.Layer head) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(42).dataType(DataType.FLOAT)
                .updater(new Nesterovs(0.05, 0.9)).weightInit(WeightInit.XAVIER).l2(1e-4).graphBuilder()
                .addInputs("in")
                .addLayer("hidden", new DenseLayer.Builder().nIn(64).nOut(32).activation(Activation.RELU).build(), "in")
                .addLayer("out", head, "hidden")
                .setOutputs("out")
                .build();
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        return net;
    }

    @Test
    void aComputationGraphWithL2AndNesterovTrainsAsOutputLayer() {
        ComputationGraph reference = graph(new OutputLayer.Builder(new LossMCXENT()).nIn(32).nOut(10).activation(Activation.SOFTMAX).build());
        ComputationGraph ours = graph(new XentOutputLayer.Builder().nIn(32).nOut(10).build());
        assertEquals(reference.params(), ours.params());
        double worst = 0;
        for (int it = 0; it < 50; it++) {
            reference.fit(TrainingTest.batch(it, TrainingTest::oneHot, null));
            ours.fit(TrainingTest.batch(it, OutputLayerTest::indices, null));
            double want = reference.score(), got = ours.score();
            worst = Math.max(worst, Math.abs(got - want) / Math.abs(want));
            assertEquals(want, got, 1e-5 * Math.abs(want), "score of iteration " + it);
        }
        double params = OutputLayerTest.largest(reference.params().sub(ours.params()));
        System.out.printf("HeadLayerTest ComputationGraph (L2 1e-4, Nesterov): 50 iterations, largest score difference %.2e relative, "
                + "largest parameter difference %.2e%n", worst, params);
        assertTrue(params <= 1e-4, "parameters differ by " + params);
    }

    static MultiLayerNetwork withOptions() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.FLOAT).updater(new Adam(0.01))
                .weightInit(WeightInit.XAVIER).list()
                .layer(new DenseLayer.Builder().nIn(64).nOut(32).activation(Activation.TANH).build())
                .layer(new XentOutputLayer.Builder().nIn(32).nOut(10).classWeights(1, 2, 1, 1, 1, 1, 1, 1, 1, 0.5)
                        .labelSmoothing(0.05).zLoss(1e-3).softcap(20).ignoreIndex(-1).threads(1).blockRows(64).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    @Test
    void configurationsRoundTripThroughJsonAndYaml() {
        MultiLayerNetwork net = withOptions();
        String json = net.getLayerWiseConfigurations().toJson(), yaml = net.getLayerWiseConfigurations().toYaml();
        for (MultiLayerConfiguration back : new MultiLayerConfiguration[] {MultiLayerConfiguration.fromJson(json),
                MultiLayerConfiguration.fromYaml(yaml)}) {
            assertEquals(net.getLayerWiseConfigurations(), back);
            XentOutputLayer head = assertInstanceOf(XentOutputLayer.class, back.getConf(1).getLayer());
            assertEquals(0.05, head.getLabelSmoothing());
            assertEquals(1e-3, head.getZLoss());
            assertEquals(20, head.getSoftcap());
            assertEquals(-1, head.getIgnoreIndex());
            assertEquals(64, head.getBlockRows());
            assertEquals(2.0, head.getClassWeights()[1]);
        }
        String rnn = new NeuralNetConfiguration.Builder().list()
                .layer(new org.deeplearning4j.nn.conf.layers.LSTM.Builder().nIn(5).nOut(6).dataFormat(org.deeplearning4j.nn.conf.RNNFormat.NWC).build())
                .layer(new XentRnnOutputLayer.Builder().nIn(6).nOut(5).dataFormat(org.deeplearning4j.nn.conf.RNNFormat.NWC).build())
                .build().toJson();
        XentRnnOutputLayer head = assertInstanceOf(XentRnnOutputLayer.class, MultiLayerConfiguration.fromJson(rnn).getConf(1).getLayer());
        assertEquals(org.deeplearning4j.nn.conf.RNNFormat.NWC, head.getRnnDataFormat());
    }

    @Test
    void aSavedModelGivesTheSameOutputsAndKeepsTraining() throws Exception {
        MultiLayerNetwork net = withOptions(), copy;
        for (int it = 0; it < 10; it++) net.fit(TrainingTest.batch(it, OutputLayerTest::indices, null));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(net, bytes, true);
        copy = ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(bytes.toByteArray()), true);
        DataSet test = TrainingTest.batch(50, OutputLayerTest::indices, null);
        assertEquals(net.output(test.getFeatures()), copy.output(test.getFeatures()));
        assertEquals(net.score(test), copy.score(test), 0);
        for (int it = 10; it < 20; it++) {
            DataSet d = TrainingTest.batch(it, OutputLayerTest::indices, null);
            net.fit(d);
            copy.fit(d);
            assertEquals(net.score(), copy.score(), 0, "iteration " + it + " after the restore");
        }
        assertEquals(net.params(), copy.params());
    }

    @Test
    void aTransferredNetworkTrainsItsHeadOnly() {
        MultiLayerNetwork net = withOptions();
        for (int it = 0; it < 5; it++) net.fit(TrainingTest.batch(it, OutputLayerTest::indices, null));
        MultiLayerNetwork tuned = new TransferLearning.Builder(net)
                .fineTuneConfiguration(new FineTuneConfiguration.Builder().updater(new Adam(0.005)).build())
                .setFeatureExtractor(0).build();
        INDArray frozen = tuned.getLayer(0).params().dup(), head = tuned.getLayer(1).params().dup();
        for (int it = 5; it < 15; it++) tuned.fit(TrainingTest.batch(it, OutputLayerTest::indices, null));
        assertEquals(frozen, tuned.getLayer(0).params(), "the frozen layer moved");
        assertTrue(OutputLayerTest.largest(head.sub(tuned.getLayer(1).params())) > 0, "the head did not train");
    }

    /** A class index of ignoreIndex leaves its example out, as a mask of 0 does: the same score and step. */
    @Test
    void ignoredExamplesTrainAsMaskedOnes() {
        MultiLayerNetwork ignoring = OutputLayerTest.network(new XentOutputLayer.Builder().nIn(32).nOut(10).ignoreIndex(-1).build(),
                DataType.DOUBLE);
        MultiLayerNetwork masking = OutputLayerTest.network(new XentOutputLayer.Builder().nIn(32).nOut(10).build(), DataType.DOUBLE);
        for (int it = 0; it < 5; it++) {
            DataSet masked = TrainingTest.batch(it, OutputLayerTest::indices, OutputLayerTest::exampleMask);
            INDArray labels = masked.getLabels().dup(), mask = masked.getLabelsMaskArray();
            for (int i = 0; i < labels.rows(); i++) if (mask.getDouble(i, 0) == 0) labels.putScalar(i, 0, -1);
            masking.fit(masked);
            ignoring.fit(new DataSet(masked.getFeatures(), labels));
            assertEquals(masking.score(), ignoring.score(), 1e-12, "score of iteration " + it);
        }
        assertTrue(OutputLayerTest.largest(masking.params().sub(ignoring.params())) < 1e-12);
    }

    record Row(String what, String argument, Runnable call) {}

    static MultiLayerNetwork tiny(org.deeplearning4j.nn.conf.layers.Layer head, DataType type) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1).dataType(type).list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(3).build()).layer(head).build());
        net.init();
        return net;
    }

    static XentOutputLayer head() {
        return new XentOutputLayer.Builder().nIn(3).nOut(5).build();
    }

    /** The rejected configurations and inputs, as docs/bad-input.md lists them (H1, H2, ...). */
    static List<Row> rows() {
        INDArray x = Nd4j.rand(DataType.FLOAT, 6, 4);
        return List.of(
                new Row("sigmoid activation", "activation:",
                        () -> new XentOutputLayer.Builder().nIn(3).nOut(5).activation(Activation.SIGMOID).build()),
                new Row("negative label smoothing", "labelSmoothing:", () -> new XentOutputLayer.Builder().labelSmoothing(-1).build()),
                new Row("class weight 4.9e-324", "classWeights:", () -> new XentOutputLayer.Builder().classWeights(1, Double.MIN_VALUE).build()),
                new Row("4096 threads", "threads:", () -> new XentOutputLayer.Builder().threads(4096).build()),
                new Row("negative blockRows", "blockRows:", () -> new XentRnnOutputLayer.Builder().blockRows(-1).build()),
                new Row("labels of another width", "labels:", () -> tiny(head(), DataType.FLOAT).fit(x, Nd4j.zeros(DataType.FLOAT, 6, 4))),
                new Row("labels for other examples", "labels:", () -> tiny(head(), DataType.FLOAT).fit(x, Nd4j.zeros(DataType.FLOAT, 5, 1))),
                new Row("class index 5 of 5", "labels: value 5 at position 2",
                        () -> tiny(head(), DataType.FLOAT).fit(x, Nd4j.createFromArray(new float[][] {{0}, {1}, {5}, {2}, {3}, {4}}))),
                new Row("class index 1.5", "labels: 1.5 at row 1",
                        () -> tiny(head(), DataType.FLOAT).fit(x, Nd4j.createFromArray(new float[][] {{0}, {1.5f}, {1}, {2}, {3}, {4}}))),
                new Row("half-precision network", "dataType:", () -> {
                    MultiLayerNetwork net = tiny(head(), DataType.HALF);
                    net.fit(x.castTo(DataType.HALF), Nd4j.zeros(DataType.HALF, 6, 1));
                }),
                new Row("rank-2 labels for the sequence head", "labels:", () -> tiny(new XentRnnOutputLayer.Builder().nIn(3).nOut(5).build(),
                        DataType.FLOAT).fit(x, Nd4j.zeros(DataType.FLOAT, 6, 1))));
    }

    @Test
    void badConfigurationsAndInputsNameTheArgument() {
        for (Row r : rows()) {
            Exception e = assertThrows(Exception.class, r.call()::run, r.what());
            Throwable cause = e;
            while (!(cause instanceof IllegalArgumentException) && cause.getCause() != null) cause = cause.getCause();
            assertInstanceOf(IllegalArgumentException.class, cause, r.what() + ": " + e);
            assertTrue(cause.getMessage().startsWith(r.argument()), r.what() + ": the message should start with '" + r.argument()
                    + "': " + cause.getMessage());
        }
    }

    /** docs/bad-input.md lists exactly these rows as H1, H2, ... */
    @Test
    void theCatalogueIsTheseRows() throws Exception {
        List<String> documented = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("../../docs/bad-input.md"))) {
            if (line.matches("\\| H[0-9]+ \\|.*")) documented.add(line);
        }
        List<Row> rows = rows();
        for (int i = 0; i < rows.size(); i++) {
            String expected = "| H" + (i + 1) + " | " + rows.get(i).what() + " | `IllegalArgumentException` | `" + rows.get(i).argument() + "` |";
            assertEquals(expected, i < documented.size() ? documented.get(i) : "(missing)", "docs/bad-input.md row H" + (i + 1));
        }
        assertEquals(rows.size(), documented.size(), "H rows in docs/bad-input.md");
    }
}
