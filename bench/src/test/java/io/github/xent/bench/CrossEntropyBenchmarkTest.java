package io.github.xent.bench;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Every contender's trial setup passes its agreement check and runs both benchmark bodies. libtorch
 * is left to the benchmark runs themselves: on a machine with Debian's python3-torch, its system
 * libtorch can break the first load of the bytedeco peer (see BUILD-NOTES), and a test must not flake.
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
        assertDoesNotThrow(b::setUp);
        b.forwardBackward(BLACKHOLE);
        b.forward(BLACKHOLE);
    }
}
