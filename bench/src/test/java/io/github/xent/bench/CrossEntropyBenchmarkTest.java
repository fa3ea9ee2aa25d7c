package io.github.xent.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Every contender's trial setup passes its agreement check, runs both benchmark bodies, and computes
 * what it claims: a contender with a loss gives xent's native loss from both bodies (so a contender
 * that skipped work would fail here, not just look fast), a read floor the sum of what it reads, a
 * read+write floor x / 2 (+ t) in every element. libtorch is left to the benchmark runs themselves:
 * on a machine with Debian's python3-torch, its system libtorch can break the first load of the
 * bytedeco peer (see the README), and a test must not flake.
 */
class CrossEntropyBenchmarkTest {
    static final Blackhole BLACKHOLE =
            new Blackhole("Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");

    @ParameterizedTest
    @CsvSource({"32x10,index,xent-native-1", "32x10,index,xent-native-all", "32x10,index,xent-java",
        "32x10,index,vector-api", "256x1000,index,xent-native-1", "256x1000,index,xent-java",
        "256x1000,index,vector-api", "256x1000,index,floor-read", "256x1000,index,floor-readwrite",
        "64x1000,smoothing,xent-native-1", "64x1000,smoothing,xent-java", "64x1000,smoothing,vector-api",
        "64x1000,probabilities,xent-native-1", "64x1000,probabilities,xent-java", "64x1000,probabilities,vector-api",
        "2x21x16x16,index,xent-native-1", "2x21x16x16,index,xent-java", "2x21x16x16,index,vector-api",
        "2x7x8x16,probabilities,vector-api", "2x7x8x16,smoothing,vector-api",
        "64x1000,probabilities,floor-read", "64x1000,probabilities,floor-readwrite"})
    void contenderAgreesAndRuns(String shape, String variant, String contender) {
        CrossEntropyBenchmark b = new CrossEntropyBenchmark();
        b.shape = shape;
        b.variant = variant;
        b.contender = contender;
        b.setUp();
        b.forwardBackward(BLACKHOLE);
        b.forward(BLACKHOLE);
        Problem p = b.problem;
        if (b.impl.computesLoss()) {
            double expected;
            try (Contender reference = Contender.create("xent-native-1", p)) {
                expected = reference.forward();
            }
            assertTrue(Double.isFinite(expected) && expected > 0, "reference loss " + expected);
            assertEquals(expected, b.impl.forwardBackward(), 1e-4 * expected, contender + " fwd+bwd");
            assertEquals(expected, b.impl.forward(), 1e-4 * expected, contender + " forward");
        } else if (contender.equals("floor-read")) {
            double sum = 0;
            for (float v : p.logitsArray) sum += v;
            if (p.probsArray != null) for (float v : p.probsArray) sum += v;
            assertEquals(sum, b.impl.forward(), 1e-3 * (1 + Math.abs(sum)), "the read floor sums what it reads");
        } else {
            b.impl.forwardBackward();
            for (int i = 0; i < p.logitsArray.length; i++) {
                float expected = p.logitsArray[i] * 0.5f + (p.probsArray == null ? 0f : p.probsArray[i]);
                assertEquals(expected, p.gradArray[i], "the read+write floor wrote element " + i);
            }
        }
    }
}
