package io.github.xent.dl4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.impl.LossBinaryXENT;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

/** XentLoss against DL4J's own losses, call by call, on the forms and arguments DL4J passes. */
class XentLossTest {
    static final IActivation SOFTMAX = new ActivationSoftmax(), SIGMOID = new ActivationSigmoid();
    final Random random = new Random(11);

    INDArray logits(DataType type, int n, int c) {
        double[][] x = new double[n][c];
        for (double[] row : x) for (int j = 0; j < c; j++) row[j] = 8 * random.nextDouble() - 4;
        return Nd4j.create(x).castTo(type);
    }

    INDArray oneHot(DataType type, int n, int c) {
        INDArray y = Nd4j.zeros(type, n, c);
        for (int i = 0; i < n; i++) y.putScalar(i, random.nextInt(c), 1);
        return y;
    }

    INDArray soft(DataType type, int n, int c) {
        double[][] y = new double[n][c];
        for (double[] row : y) {
            double sum = 0;
            for (int j = 0; j < c; j++) sum += row[j] = 0.01 + random.nextDouble();
            for (int j = 0; j < c; j++) row[j] /= sum;
        }
        return Nd4j.create(y).castTo(type);
    }

    INDArray bits(DataType type, int n, int c, double p) {
        INDArray y = Nd4j.zeros(type, n, c);
        for (int i = 0; i < n; i++) for (int j = 0; j < c; j++) if (random.nextDouble() < p) y.putScalar(i, j, 1);
        return y;
    }

    /**
     * Every method of both losses on the same arguments: scores, score arrays and gradients agree.
     * DL4J's sigmoid backprop overwrites preOutput, so DL4J gets a copy each time.
     */
    static void agree(ILossFunction dl4j, ILossFunction xent, INDArray labels, INDArray preOutput, IActivation act, INDArray mask,
            boolean checkGradient) {
        double tol = preOutput.dataType() == DataType.DOUBLE ? 1e-12 : 2e-6;
        // DL4J sums a float32 score in float32 (xent in double): up to ~1e-5 relative over 64,000 terms.
        double scoreTol = preOutput.dataType() == DataType.DOUBLE ? 1e-12 : 1e-5;
        for (boolean average : new boolean[] {false, true}) {
            double want = dl4j.computeScore(labels, preOutput.dup(), act, mask, average);
            assertEquals(want, xent.computeScore(labels, preOutput, act, mask, average), scoreTol * Math.max(1, Math.abs(want)), "score");
        }
        INDArray wantEach = dl4j.computeScoreArray(labels, preOutput.dup(), act, mask), gotEach = xent.computeScoreArray(labels, preOutput, act, mask);
        assertArrayEquals(wantEach.shape(), gotEach.shape(), "score array shape");
        assertEquals(wantEach.dataType(), gotEach.dataType());
        assertClose(wantEach, gotEach, scoreTol, "score array");
        if (!checkGradient) return;
        INDArray before = preOutput.dup();
        INDArray want = dl4j.computeGradient(labels, preOutput.dup(), act, mask), got = xent.computeGradient(labels, preOutput, act, mask);
        assertClose(before, preOutput, 0, "preOutput after xent's gradient");
        assertArrayEquals(want.shape(), got.shape(), "gradient shape");
        assertEquals(want.dataType(), got.dataType());
        assertClose(want, got, tol, "gradient");
        var both = xent.computeGradientAndScore(labels, preOutput, act, mask, true);
        assertClose(want, both.getSecond(), tol, "gradient of computeGradientAndScore");
        double score = dl4j.computeScore(labels, preOutput.dup(), act, mask, true);
        assertEquals(score, both.getFirst(), scoreTol * Math.max(1, Math.abs(score)), "score of computeGradientAndScore");
    }

    static void assertClose(INDArray want, INDArray got, double tol, String what) {
        double[] w = want.castTo(DataType.DOUBLE).dup('c').data().asDouble(), g = got.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        assertEquals(w.length, g.length, what);
        for (int i = 0; i < w.length; i++) assertEquals(w[i], g[i], tol * Math.max(1, Math.abs(w[i])), what + " element " + i);
    }

    @Test
    void softmaxMatchesLossMCXENT() {
        for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            for (int[] shape : new int[][] {{1, 2}, {7, 10}, {64, 1000}, {300, 3}}) {
                int n = shape[0], c = shape[1];
                INDArray x = logits(type, n, c);
                agree(new LossMCXENT(), new XentLoss(), oneHot(type, n, c), x, SOFTMAX, null, true);
                agree(new LossMCXENT(), new XentLoss(), soft(type, n, c), x, SOFTMAX, null, true);
            }
        }
    }

    @Test
    void classWeightsMatchWeightedLossMCXENT() {
        double[] w = new double[10];
        for (int j = 0; j < w.length; j++) w[j] = 0.25 + random.nextDouble();
        for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            INDArray x = logits(type, 50, 10);
            ILossFunction dl4j = new LossMCXENT(Nd4j.createFromArray(w).reshape(1, 10)), xent = XentLoss.builder().classWeights(w).build();
            agree(dl4j, xent, oneHot(type, 50, 10), x, SOFTMAX, null, true);
            agree(dl4j, xent, soft(type, 50, 10), x, SOFTMAX, null, true);
        }
    }

    @Test
    void perExampleMasksWeighExamples() {
        INDArray x = logits(DataType.FLOAT, 40, 10), y = oneHot(DataType.FLOAT, 40, 10);
        INDArray mask = bits(DataType.FLOAT, 40, 1, 0.7);
        agree(new LossMCXENT(), new XentLoss(), y, x, SOFTMAX, mask, true);
        agree(new LossMCXENT(), new XentLoss(), y, x, SOFTMAX, logits(DataType.FLOAT, 40, 1).addi(4).divi(8), true);
        agree(new LossBinaryXENT(), new XentLoss(), bits(DataType.FLOAT, 40, 10, 0.3), x, SIGMOID, mask, true);
    }

    @Test
    void perOutputMasks() {
        INDArray x = logits(DataType.FLOAT, 40, 6), mask = bits(DataType.FLOAT, 40, 6, 0.6);
        agree(new LossBinaryXENT(), new XentLoss(), bits(DataType.FLOAT, 40, 6, 0.4), x, SIGMOID, mask, true);
        // DL4J scores a masked softmax layer but refuses its gradient; xent's is the gradient of that score.
        INDArray y = oneHot(DataType.FLOAT, 40, 6);
        agree(new LossMCXENT(), new XentLoss(), y, x, SOFTMAX, mask, false);
        INDArray g = new XentLoss().computeGradient(y, x, SOFTMAX, mask);
        INDArray masked = y.mul(mask), p = SOFTMAX.getActivation(x.dup(), false);
        assertClose(p.mulColumnVector(masked.sum(true, 1)).subi(masked), g, 2e-6, "masked softmax gradient");
    }

    @Test
    void sigmoidMatchesLossBinaryXENTWithWeights() {
        double[] w = {0.5, 1, 2, 0.1, 3};
        for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            INDArray x = logits(type, 33, 5), y = bits(type, 33, 5, 0.5);
            agree(new LossBinaryXENT(), new XentLoss(), y, x, SIGMOID, null, true);
            agree(new LossBinaryXENT(Nd4j.createFromArray(w).reshape(1, 5)), XentLoss.builder().classWeights(w).build(), y, x, SIGMOID,
                    bits(type, 33, 1, 0.8), true);
        }
    }

    @Test
    void labelsOfAnyOrderTypeOrViewAndViewsOfPreOutput() {
        INDArray x = logits(DataType.FLOAT, 20, 7), y = oneHot(DataType.FLOAT, 20, 7);
        XentLoss xent = new XentLoss();
        INDArray want = xent.computeGradient(y, x, SOFTMAX, null);
        double score = xent.computeScore(y, x, SOFTMAX, null, false);
        INDArray[] labelForms = {y.dup('f'), y.castTo(DataType.DOUBLE), y.castTo(DataType.INT32), y.castTo(DataType.HALF),
                Nd4j.concat(1, Nd4j.zeros(DataType.FLOAT, 20, 3), y).get(NDArrayIndex.all(), NDArrayIndex.interval(3, 10)),
                Nd4j.concat(0, Nd4j.zeros(DataType.FLOAT, 5, 7), y).get(NDArrayIndex.interval(5, 25), NDArrayIndex.all())};
        for (INDArray labels : labelForms) {
            assertClose(want, xent.computeGradient(labels, x, SOFTMAX, null), 0, "gradient with labels " + labels.dataType() + " " + labels.ordering());
            assertEquals(score, xent.computeScore(labels, x, SOFTMAX, null, false), 0);
        }
        INDArray rowsView = Nd4j.concat(0, Nd4j.ones(DataType.FLOAT, 3, 7), x).get(NDArrayIndex.interval(3, 23), NDArrayIndex.all());
        assertTrue(rowsView.isView());
        assertClose(want, xent.computeGradient(y, rowsView, SOFTMAX, null), 0, "gradient of a row view");
        assertClose(want, xent.computeGradient(y, x.dup('f'), SOFTMAX, null), 0, "gradient of an f-order preOutput");
        INDArray half = xent.computeGradient(y, x.castTo(DataType.HALF), SOFTMAX, null);
        assertEquals(DataType.HALF, half.dataType());
        assertClose(want, half, 2e-3, "gradient of a half preOutput");
        // The labels are never written.
        INDArray before = y.dup();
        xent.computeGradient(y, x, SOFTMAX, bits(DataType.FLOAT, 20, 7, 0.5));
        assertClose(before, y, 0, "labels after a masked call");
    }

    @Test
    void optionsChangeTheSoftmaxForm() {
        INDArray x = logits(DataType.DOUBLE, 16, 9), y = oneHot(DataType.DOUBLE, 16, 9);
        XentLoss plain = new XentLoss(), z = XentLoss.builder().zLoss(1e-2).build();
        INDArray lse = org.nd4j.linalg.ops.transforms.Transforms.log(org.nd4j.linalg.ops.transforms.Transforms.exp(x, true).sum(true, 1), false);
        double zPart = 1e-2 * lse.mul(lse).sumNumber().doubleValue();
        assertEquals(plain.computeScore(y, x, SOFTMAX, null, false) + zPart, z.computeScore(y, x, SOFTMAX, null, false), 1e-9);
        double smoothed = XentLoss.builder().labelSmoothing(0.1).build().computeScore(y, x, SOFTMAX, null, false);
        INDArray ySmooth = y.mul(0.9).addi(0.1 / 9);
        assertEquals(new LossMCXENT().computeScore(ySmooth, x, SOFTMAX, null, false), smoothed, 1e-9);
        INDArray capped = org.nd4j.linalg.ops.transforms.Transforms.tanh(x.div(3), true).muli(3);
        assertEquals(new LossMCXENT().computeScore(y, capped, SOFTMAX, null, false),
                XentLoss.builder().softcap(3).build().computeScore(y, x, SOFTMAX, null, false), 1e-9);
    }

    record Row(String what, String argument, Runnable call) {}

    /** The rejected inputs, as docs/bad-input.md lists them (D1, D2, ...). */
    List<Row> rows() {
        INDArray x = logits(DataType.FLOAT, 4, 3), y = oneHot(DataType.FLOAT, 4, 3);
        XentLoss loss = new XentLoss();
        return List.of(
                new Row("activation neither softmax nor sigmoid", "activationFn:", () -> loss.computeScore(y, x, new ActivationIdentity(), null, true)),
                new Row("labels of another shape", "labels:", () -> loss.computeGradient(oneHot(DataType.FLOAT, 4, 4), x, SOFTMAX, null)),
                new Row("integer preOutput", "preOutput:", () -> loss.computeGradient(y, x.castTo(DataType.INT32), SOFTMAX, null)),
                new Row("preOutput of rank 3", "preOutput:", () -> loss.computeGradient(y.reshape(4, 3, 1), x.reshape(4, 3, 1), SOFTMAX, null)),
                new Row("mask neither (N, 1) nor (N, C)", "mask:", () -> loss.computeGradient(y, x, SOFTMAX, Nd4j.ones(DataType.FLOAT, 4, 2))),
                new Row("class weights of another length", "classWeights:", () -> XentLoss.builder().classWeights(1, 2).build().computeScore(y, x, SOFTMAX, null, true)),
                new Row("negative class weight", "classWeights:", () -> XentLoss.builder().classWeights(1, -2).build()),
                new Row("z-loss on a sigmoid layer", "zLoss:", () -> XentLoss.builder().zLoss(1e-3).build().computeScore(y, x, SIGMOID, null, true)),
                new Row("label smoothing above 1", "labelSmoothing:", () -> XentLoss.builder().labelSmoothing(1.5).build()),
                new Row("negative soft-cap", "softcap:", () -> XentLoss.builder().softcap(-1).build()),
                new Row("negative threads", "threads:", () -> XentLoss.builder().threads(-3).build()),
                new Row("4096 threads", "threads:", () -> XentLoss.builder().threads(4096).build()),
                new Row("preOutput of 0 rows", "preOutput:", () -> loss.computeScore(Nd4j.create(DataType.FLOAT, 0, 3),
                        Nd4j.create(DataType.FLOAT, 0, 3), SOFTMAX, null, true)),
                new Row("negative mask value", "mask: weight at position 2",
                        () -> loss.computeGradient(y, x, SOFTMAX, Nd4j.createFromArray(new float[][] {{1}, {1}, {-1}, {1}}))),
                new Row("NaN mask value", "mask: weight at position 1",
                        () -> loss.computeGradient(y, x, SOFTMAX, Nd4j.createFromArray(new float[][] {{1}, {Float.NaN}, {1}, {1}}))),
                new Row("closed mask", "mask:", () -> {
                    INDArray m = Nd4j.ones(DataType.FLOAT, 4, 1);
                    m.close();
                    loss.computeGradient(y, x, SOFTMAX, m);
                }));
    }

    @Test
    void badArgumentsNameTheArgument() {
        for (Row r : rows()) assertMessage(r.argument(), r.call());
    }

    /** docs/bad-input.md lists exactly these rows as D1, D2, ... */
    @Test
    void theCatalogueIsTheseRows() throws Exception {
        List<String> documented = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("../../docs/bad-input.md"))) {
            if (line.matches("\\| D[0-9]+ \\|.*")) documented.add(line);
        }
        List<Row> rows = rows();
        for (int i = 0; i < rows.size(); i++) {
            String expected = "| D" + (i + 1) + " | " + rows.get(i).what() + " | `IllegalArgumentException` | `" + rows.get(i).argument() + "` |";
            assertEquals(expected, i < documented.size() ? documented.get(i) : "(missing)", "docs/bad-input.md row D" + (i + 1));
        }
        assertEquals(rows.size(), documented.size(), "D rows in docs/bad-input.md");
    }

    static void assertMessage(String argument, Runnable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        assertTrue(e.getMessage() != null && e.getMessage().startsWith(argument), "message should name " + argument + ": " + e.getMessage());
    }

    @Test
    void anOlderJavaCppIsRefusedNamingTheBom() {
        assertNull(Versions.problem(Versions.JAVACPP, Versions.OPENBLAS));
        assertNull(Versions.problem("1.5.14", "0.3.32-1.5.14"));
        assertNull(Versions.problem(null, null));
        IllegalStateException e = Versions.problem("1.5.7", Versions.OPENBLAS);
        assertTrue(e.getMessage().contains("io.github.xent:xent-bom") && e.getMessage().contains("JavaCPP 1.5.7"), e.getMessage());
        assertTrue(Versions.problem(Versions.JAVACPP, "0.3.19-1.5.7").getMessage().contains("OpenBLAS preset 0.3.19-1.5.7"));
        assertTrue(Versions.older("1.5.9", "1.5.13") && !Versions.older("1.5.13", "1.5.13") && Versions.older("0.3.31-1.5.12", "0.3.31-1.5.13"));
    }

    @Test
    void javaSerializationKeepsTheOptions() throws Exception {
        XentLoss loss = XentLoss.builder().classWeights(1, 2, 3).labelSmoothing(0.1).zLoss(1e-4).softcap(30).threads(2).build();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(loss);
        }
        Object back = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray())).readObject();
        assertEquals(loss, back);
        INDArray x = logits(DataType.FLOAT, 5, 3), y = oneHot(DataType.FLOAT, 5, 3);
        assertEquals(loss.computeScore(y, x, SOFTMAX, null, true), ((XentLoss) back).computeScore(y, x, SOFTMAX, null, true));
        assertEquals("XentLoss(classWeights=[1.0, 2.0, 3.0], labelSmoothing=0.1, zLoss=1.0E-4, softcap=30.0, threads=2)", loss.name());
    }
}
