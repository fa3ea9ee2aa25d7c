package io.github.xent.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Every DL4J contender passes its trial setup (which checks its score against DL4J's own) and runs at small shapes. */
class Dl4jBenchmarkTest {
    @ParameterizedTest
    @ValueSource(strings = {"dl4j-mcxent", "xent-dl4j"})
    void contenderAgreesAndRuns(String contender) {
        Dl4jBenchmark.Loss loss = new Dl4jBenchmark.Loss();
        loss.shape = "64x100";
        loss.contender = contender;
        loss.setUp();
        new Dl4jBenchmark().gradientAndScore(loss, CrossEntropyBenchmarkTest.BLACKHOLE);
        Pair<Double, INDArray> mine = loss.loss.computeGradientAndScore(loss.labels, loss.preOutput, Dl4jBenchmark.SOFTMAX, null, true);
        Pair<Double, INDArray> theirs = Dl4jBenchmark.loss("dl4j-mcxent").computeGradientAndScore(loss.labels, loss.preOutput,
                Dl4jBenchmark.SOFTMAX, null, true);
        assertEquals(theirs.getFirst(), mine.getFirst(), 1e-5 * theirs.getFirst());
        assertEquals(0, theirs.getSecond().sub(mine.getSecond()).norm1Number().doubleValue(), 1e-4);

    }

    @ParameterizedTest
    @ValueSource(strings = {"dl4j-mcxent", "xent-dl4j", "xent-layer-onehot", "xent-layer", "gemm"})
    void fitContenderAgreesAndRuns(String contender) {
        Dl4jBenchmark.Fit fit = new Dl4jBenchmark.Fit();
        fit.shape = "128x16x300";
        fit.contender = contender;
        fit.setUp();
        new Dl4jBenchmark().fitIteration(fit, CrossEntropyBenchmarkTest.BLACKHOLE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"dl4j-rnn-mcxent", "xent-rnn-layer"})
    void rnnContenderAgreesAndRuns(String contender) {
        Dl4jBenchmark.RnnFit fit = new Dl4jBenchmark.RnnFit();
        fit.shape = "4x6x50";
        fit.contender = contender;
        fit.setUp();
        new Dl4jBenchmark().rnnFitIteration(fit, CrossEntropyBenchmarkTest.BLACKHOLE);
    }
}
