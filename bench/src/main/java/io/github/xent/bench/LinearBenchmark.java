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
 * The vocabulary projection and the loss, side by side in one run: xent's fused form (1 thread,
 * all threads), libtorch's linear + cross_entropy + autograd (1 thread, all), the bare GEMMs of the
 * same shape on the OpenBLAS preset (the three of a fwd+bwd, the one of a forward; no loss), and
 * xent's pure-Java backend (small shapes only: it is a reference, not fast). Each trial first
 * checks the contender's loss against xent's native one.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx8g"})
public class LinearBenchmark {
    /** M x D x V. */
    @Param({"2048x512x32000"})
    public String shape;

    @Param({"xent-linear-1", "xent-linear-all", "libtorch-linear-1", "libtorch-linear-all", "gemm-1", "gemm-all"})
    public String contender;

    LinearProblem problem;
    LinearContender impl;

    @Setup(Level.Trial)
    public void setUp() {
        problem = new LinearProblem(shape);
        impl = LinearContender.create(contender, problem);
        if (contender.startsWith("gemm")) return;
        double expected;
        try (LinearContender reference = LinearContender.create("xent-linear-all", problem)) {
            expected = reference.forward();
        }
        double actual = impl.forwardBackward();
        if (!(Math.abs(actual - expected) <= 1e-4 * Math.abs(expected))) {
            throw new IllegalStateException(contender + " computes " + actual + ", xent native " + expected);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
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
