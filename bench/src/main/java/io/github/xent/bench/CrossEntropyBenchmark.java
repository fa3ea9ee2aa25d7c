package io.github.xent.bench;

import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Cross-entropy forward and forward+backward, side by side in one run: xent native (1 thread, all
 * threads), xent's pure-Java backend, a Java Vector API implementation, libtorch (1 thread, all
 * threads), and the memory floor (read-only, read+write over the same bytes; probability targets
 * are read by it too). Index targets by default (see {@link #variant}), class-last rows or class
 * axis 1 (see {@link #shape}), mean reduction. Data is allocated once per trial; each trial first
 * checks the contender's loss against xent's native one.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-modules=jdk.incubator.vector", "-Xmx8g"})
public class CrossEntropyBenchmark {
    /** rows x classes (class-last), or N x C x H x W (class axis 1). */
    @Param({"32x10", "65536x10", "256x1000", "4096x32000", "1024x128256", "8x21x256x256"})
    public String shape;

    /** index targets, index targets with label smoothing 0.1, or probability targets. */
    @Param({"index"})
    public String variant;

    @Param({"xent-native-1", "xent-native-all", "xent-java", "vector-api", "libtorch-1", "libtorch-all",
            "floor-read", "floor-readwrite"})
    public String contender;

    Problem problem;
    Contender impl;

    @Setup(Level.Trial)
    public void setUp() {
        problem = new Problem(shape, variant);
        impl = Contender.create(contender, problem);
        if (!impl.computesLoss()) return;
        double expected;
        try (Contender reference = Contender.create("xent-native-1", problem)) {
            expected = reference.forward();
        }
        double actual = impl.forwardBackward();
        if (!(Math.abs(actual - expected) <= 1e-4 * Math.abs(expected))) {
            throw new IllegalStateException(contender + " computes " + actual + ", xent native " + expected);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        impl.close();
    }

    @Benchmark
    public void forwardBackward(Blackhole bh) {
        bh.consume(impl.forwardBackward());
    }

    @Benchmark
    public void forward(Blackhole bh) {
        bh.consume(impl.forward());
    }
}
