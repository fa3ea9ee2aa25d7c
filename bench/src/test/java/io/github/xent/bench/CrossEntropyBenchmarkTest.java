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
    @CsvSource({"32x10,xent-native-1", "32x10,xent-native-all", "32x10,xent-java", "32x10,vector-api",
        "256x1000,xent-native-1", "256x1000,xent-java", "256x1000,vector-api", "256x1000,floor-read",
        "256x1000,floor-readwrite"})
    void contenderAgreesAndRuns(String shape, String contender) {
        CrossEntropyBenchmark b = new CrossEntropyBenchmark();
        b.shape = shape;
        b.contender = contender;
        assertDoesNotThrow(b::setUp);
        b.forwardBackward(BLACKHOLE);
        b.forward(BLACKHOLE);
    }
}
