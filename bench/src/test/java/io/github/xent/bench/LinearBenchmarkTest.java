package io.github.xent.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every fused-form contender but libtorch (left to the runs, as in CrossEntropyBenchmarkTest) passes
 * its trial setup, runs both bodies, and the ones with a loss give xent's native loss.
 */
class LinearBenchmarkTest {
    @ParameterizedTest
    @ValueSource(strings = {"xent-linear-1", "xent-linear-all", "xent-linear-java", "gemm-1", "gemm-all"})
    void contenderAgreesAndRuns(String contender) throws Exception {
        LinearBenchmark b = new LinearBenchmark();
        b.shape = "64x32x500";
        b.contender = contender;
        b.setUp();
        b.forwardBackward(CrossEntropyBenchmarkTest.BLACKHOLE);
        b.forward(CrossEntropyBenchmarkTest.BLACKHOLE);
        if (!contender.startsWith("gemm")) {
            double expected;
            try (LinearContender reference = LinearContender.create("xent-linear-1", b.problem)) {
                expected = reference.forward();
            }
            assertEquals(expected, b.impl.forwardBackward(), 1e-4 * expected, contender + " fwd+bwd");
            assertEquals(expected, b.impl.forward(), 1e-4 * expected, contender + " forward");
        }
        b.tearDown();
    }
}
