package io.github.xent.bench;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.openjdk.jmh.infra.Blackhole;

/** Every contender's trial setup passes its agreement check and runs both benchmark bodies. */
class CrossEntropyBenchmarkTest {
    static final Blackhole BLACKHOLE =
            new Blackhole("Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");

    @ParameterizedTest
    @CsvSource({"32x10,native-1", "32x10,native-all", "32x10,java", "256x1000,native-1", "256x1000,java"})
    void contenderAgreesAndRuns(String shape, String contender) {
        CrossEntropyBenchmark b = new CrossEntropyBenchmark();
        b.shape = shape;
        b.contender = contender;
        assertDoesNotThrow(b::setUp);
        b.forwardBackward(BLACKHOLE);
        b.forward(BLACKHOLE);
    }
}
