package io.github.xent.bench;

import io.github.xent.dl4j.XentLoss;
import io.github.xent.dl4j.XentOutputLayer;
import io.github.xent.dl4j.XentRnnOutputLayer;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

/**
 * The DL4J training steps the benchmarks time, one per contender: a softmax head of N rows x D
 * features -> C classes (fit() of a one-layer network), its three bare GEMMs (the floor), and an
 * LSTM(256) sequence model with a C-class head. Each contender's first step is checked against
 * DL4J's own (OutputLayer or RnnOutputLayer with LossMCXENT) before anything is timed.
 */
final class Dl4jHead implements AutoCloseable {
    static final String[] DENSE = {"dl4j-mcxent", "xent-dl4j", "xent-layer-onehot", "xent-layer", "gemm"};
    static final String[] RNN = {"dl4j-rnn-mcxent", "xent-rnn-layer"};

    final String contender;
    MultiLayerNetwork net;
    DataSet data;
    /** gemm: X (N x D), W (D x C, 'f' as DL4J keeps it), Z and dZ (N x C), dW, dX. */
    INDArray x, w, z, dz, dw, dx;

    static INDArray uniform(long seed, double scale, long... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        long n = 1;
        for (long s : shape) n *= s;
        float[] v = new float[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) v[i] = (float) (scale * (2 * r.nextDouble() - 1));
        return Nd4j.create(v, shape, 'c');
    }

    static int[] classes(long n, long c, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] y = new int[Math.toIntExact(n)];
        for (int i = 0; i < y.length; i++) y[i] = r.nextInt((int) c);
        return y;
    }

    static INDArray oneHot(int[] y, long c) {
        INDArray out = Nd4j.zeros(DataType.FLOAT, y.length, c);
        for (int i = 0; i < y.length; i++) out.putScalar(i, y[i], 1);
        return out;
    }

    static INDArray indices(int[] y) {
        INDArray out = Nd4j.zeros(DataType.FLOAT, y.length, 1);
        for (int i = 0; i < y.length; i++) out.putScalar(i, 0, y[i]);
        return out;
    }

    static MultiLayerNetwork network(Layer... layers) {
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.FLOAT)
                .updater(new Sgd(0.01)).weightInit(WeightInit.XAVIER).list();
        for (Layer l : layers) list.layer(l);
        MultiLayerNetwork net = new MultiLayerNetwork(list.build());
        net.init();
        return net;
    }

    /** A dense head: "NxDxC", checked against DL4J's own. */
    static Dl4jHead dense(String contender, String shape) {
        return dense(contender, shape, true);
    }

    /** A dense head: "NxDxC"; {@code check}: first against DL4J's own (which trains both once). */
    static Dl4jHead dense(String contender, String shape, boolean check) {
        String[] ndc = shape.split("x");
        long n = Long.parseLong(ndc[0]), d = Long.parseLong(ndc[1]), c = Long.parseLong(ndc[2]);
        Dl4jHead h = new Dl4jHead(contender);
        INDArray features = uniform(3, 1, n, d);
        int[] y = classes(n, c, 4);
        if (contender.equals("gemm")) {
            h.x = features;
            h.w = Nd4j.createUninitialized(DataType.FLOAT, new long[] {d, c}, 'f').assign(uniform(5, 0.1, d, c));
            h.z = Nd4j.createUninitialized(DataType.FLOAT, new long[] {n, c}, 'c');
            h.dz = uniform(6, 1e-4, n, c);
            h.dw = Nd4j.createUninitialized(DataType.FLOAT, new long[] {d, c}, 'f');
            h.dx = Nd4j.createUninitialized(DataType.FLOAT, new long[] {n, d}, 'c');
            return h;
        }
        Layer head;
        switch (contender) {
            case "dl4j-mcxent": head = new OutputLayer.Builder(new LossMCXENT()).nIn(d).nOut(c).activation(Activation.SOFTMAX).build(); break;
            case "xent-dl4j": head = new OutputLayer.Builder(new XentLoss()).nIn(d).nOut(c).activation(Activation.SOFTMAX).build(); break;
            case "xent-layer-onehot": case "xent-layer": head = new XentOutputLayer.Builder().nIn(d).nOut(c).build(); break;
            default: throw new IllegalArgumentException("contender: unknown " + contender + " (" + String.join(", ", DENSE) + ")");
        }
        h.net = network(head);
        h.data = new DataSet(features, contender.equals("xent-layer") ? indices(y) : oneHot(y, c));
        if (check) h.check(network(new OutputLayer.Builder(new LossMCXENT()).nIn(d).nOut(c).activation(Activation.SOFTMAX).build()),
                new DataSet(features, oneHot(y, c)));
        return h;
    }

    /** An LSTM sequence model: "NxTxC" (features 64, LSTM 256), checked against DL4J's own. */
    static Dl4jHead rnn(String contender, String shape) {
        return rnn(contender, shape, true);
    }

    static Dl4jHead rnn(String contender, String shape, boolean check) {
        String[] ntc = shape.split("x");
        long n = Long.parseLong(ntc[0]), t = Long.parseLong(ntc[1]), c = Long.parseLong(ntc[2]);
        Dl4jHead h = new Dl4jHead(contender);
        INDArray features = uniform(8, 1, n, 64, t);
        int[] y = classes(n * t, c, 9);
        INDArray oneHot = Nd4j.zeros(DataType.FLOAT, n, c, t), indices = Nd4j.zeros(DataType.FLOAT, n, 1, t);
        for (int i = 0; i < y.length; i++) {
            oneHot.putScalar(i / t, y[i], i % t, 1);
            indices.putScalar(i / t, 0, i % t, y[i]);
        }
        Layer lstm = new LSTM.Builder().nIn(64).nOut(256).activation(Activation.TANH).build();
        Layer dl4j = new RnnOutputLayer.Builder(new LossMCXENT()).nIn(256).nOut(c).activation(Activation.SOFTMAX).build();
        switch (contender) {
            case "dl4j-rnn-mcxent": h.net = network(lstm, dl4j); h.data = new DataSet(features, oneHot); break;
            case "xent-rnn-layer":
                h.net = network(lstm, new XentRnnOutputLayer.Builder().nIn(256).nOut(c).build());
                h.data = new DataSet(features, indices);
                break;
            default: throw new IllegalArgumentException("contender: unknown " + contender + " (" + String.join(", ", RNN) + ")");
        }
        if (check) h.check(network(lstm, dl4j), new DataSet(features, oneHot));
        return h;
    }

    private Dl4jHead(String contender) {
        this.contender = contender;
    }

    private void check(MultiLayerNetwork reference, DataSet referenceData) {
        reference.fit(referenceData);
        net.fit(data);
        double want = reference.score(), got = net.score();
        if (!(Math.abs(got - want) <= 1e-5 * Math.abs(want))) {
            throw new IllegalStateException(contender + " scores " + got + ", DL4J's own " + want);
        }
    }

    /** One training step: fit() of one minibatch, or the three GEMMs of the head. */
    double step() {
        if (net == null) {
            Nd4j.gemm(x, w, z, false, false, 1.0, 0.0);
            Nd4j.gemm(x, dz, dw, true, false, 1.0, 0.0);
            Nd4j.gemm(dz, w, dx, false, true, 1.0, 0.0);
            return z.getDouble(0) + dw.getDouble(0) + dx.getDouble(0);
        }
        net.fit(data);
        return net.score();
    }

    @Override
    public void close() {
        if (net != null) net.close();
    }
}
