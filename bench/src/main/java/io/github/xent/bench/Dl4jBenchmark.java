package io.github.xent.bench;

import io.github.xent.dl4j.XentLoss;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * DL4J's own cross-entropy against XentLoss, as DL4J calls them: {@code computeGradientAndScore}
 * on ND4J arrays (float32 logits, one-hot labels, all threads for both), and one whole
 * {@code fit()} iteration of a softmax output layer of 4096 rows x 32,000 classes with each loss.
 * Each trial first checks that the two losses give the same score. The loss calls run in a
 * workspace that is reused from call to call, as they do inside {@code fit()}: ND4J's allocation
 * of a new 524 MB array outside one takes longer than either loss.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx8g"})
public class Dl4jBenchmark {
    static final IActivation SOFTMAX = new ActivationSoftmax();

    static ILossFunction loss(String contender) {
        switch (contender) {
            case "dl4j-mcxent": return new LossMCXENT();
            case "xent-dl4j": return new XentLoss();
            default: throw new IllegalArgumentException("contender: unknown " + contender + " (dl4j-mcxent, xent-dl4j)");
        }
    }

    static INDArray logits(long n, long c, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[Math.toIntExact(n * c)];
        for (int i = 0; i < x.length; i++) x[i] = (float) (8 * r.nextDouble() - 4);
        return Nd4j.create(x, new long[] {n, c}, 'c');
    }

    static INDArray oneHot(long n, long c, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        INDArray y = Nd4j.zeros(DataType.FLOAT, n, c);
        for (long i = 0; i < n; i++) y.putScalar(i, r.nextInt((int) c), 1);
        return y;
    }

    /** The loss alone, on arrays that stay the same between calls. */
    @State(Scope.Thread)
    public static class Loss {
        /** N x C. */
        @Param({"32x10", "65536x10", "4096x32000"})
        public String shape;

        @Param({"dl4j-mcxent", "xent-dl4j"})
        public String contender;

        INDArray labels, preOutput;
        ILossFunction loss;
        final WorkspaceConfiguration workspace = WorkspaceConfiguration.builder().policyAllocation(AllocationPolicy.STRICT)
                .policyLearning(LearningPolicy.FIRST_LOOP).build();

        @Setup(Level.Trial)
        public void setUp() {
            String[] nc = shape.split("x");
            long n = Long.parseLong(nc[0]), c = Long.parseLong(nc[1]);
            preOutput = logits(n, c, 1);
            labels = oneHot(n, c, 2);
            loss = loss(contender);
            double want = new LossMCXENT().computeScore(labels, preOutput, SOFTMAX, null, true);
            double got = loss.computeGradientAndScore(labels, preOutput, SOFTMAX, null, true).getFirst();
            if (!(Math.abs(got - want) <= 1e-5 * Math.abs(want))) throw new IllegalStateException(contender + " scores " + got + ", LossMCXENT " + want);
        }
    }

    @Benchmark
    public void gradientAndScore(Loss s, Blackhole bh) {
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(s.workspace, "Dl4jBenchmark")) {
            var result = s.loss.computeGradientAndScore(s.labels, s.preOutput, SOFTMAX, null, true);
            bh.consume(result.getFirst());
            bh.consume(result.getSecond().data().address());
        }
    }

    /**
     * One training step of a softmax head of N rows x D features -> C classes: fit() with DL4J's
     * OutputLayer and LossMCXENT, the same with XentLoss, XentOutputLayer with one-hot and with
     * index labels, and the head's three bare GEMMs on ND4J's BLAS (the floor of any exact method).
     */
    @State(Scope.Thread)
    public static class Fit {
        /** N x D x C: minibatch, features, classes. */
        @Param({"4096x256x32000"})
        public String shape;

        @Param({"dl4j-mcxent", "xent-dl4j", "xent-layer-onehot", "xent-layer", "gemm"})
        public String contender;

        Dl4jHead head;

        @Setup(Level.Trial)
        public void setUp() {
            head = Dl4jHead.dense(contender, shape);
        }
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public void fitIteration(Fit s, Blackhole bh) {
        bh.consume(s.head.step());
    }

    /** One fit() of an LSTM(256) sequence model of N sequences x T steps with a C-class head. */
    @State(Scope.Thread)
    public static class RnnFit {
        /** N x T x C: sequences, steps, classes. */
        @Param({"32x128x32000"})
        public String shape;

        @Param({"dl4j-rnn-mcxent", "xent-rnn-layer"})
        public String contender;

        Dl4jHead head;

        @Setup(Level.Trial)
        public void setUp() {
            head = Dl4jHead.rnn(contender, shape);
        }
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public void rnnFitIteration(RnnFit s, Blackhole bh) {
        bh.consume(s.head.step());
    }
}
