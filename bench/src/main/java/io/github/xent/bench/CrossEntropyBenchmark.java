package io.github.xent.bench;

import io.github.xent.BackendKind;
import io.github.xent.Batch;
import io.github.xent.CrossEntropyLoss;
import io.github.xent.LossResult;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.util.SplittableRandom;
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
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * xent's backends through the Java facade, index targets, class-last rows: what a trainer's call
 * costs, allocation-free path (a reused Batch and LossResult). Buffers are direct, allocated once
 * per trial; each trial first checks the contender's loss against the native library's.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class CrossEntropyBenchmark {
    /** rows x classes. */
    @Param({"32x10", "65536x10", "256x1000", "4096x32000"})
    public String shape;

    /** native-1: one thread; native-all: every core; java: the pure-Java backend. */
    @Param({"native-1", "native-all", "java"})
    public String contender;

    private CrossEntropyLoss loss;
    private final Batch forwardBackward = new Batch();
    private final Batch forward = new Batch();
    private final LossResult result = new LossResult();

    @Setup(Level.Trial)
    public void setUp() {
        String[] parts = shape.split("x");
        int rows = Integer.parseInt(parts[0]), classes = Integer.parseInt(parts[1]);
        FloatBuffer logits = floats(rows * classes), grad = floats(rows * classes);
        IntBuffer targets = ByteBuffer.allocateDirect(4 * rows).order(ByteOrder.nativeOrder()).asIntBuffer();
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < rows * classes; i++) logits.put(i, (float) (8 * random.nextDouble() - 4));
        for (int r = 0; r < rows; r++) targets.put(r, random.nextInt(classes));
        long[] dims = {rows, classes};
        forwardBackward.shape(dims).input(logits).target(targets).gradInput(grad);
        forward.shape(dims).input(logits).target(targets);

        CrossEntropyLoss.Builder builder = CrossEntropyLoss.builder();
        switch (contender) {
            case "native-1": builder.backend(BackendKind.NATIVE).threads(1); break;
            case "native-all": builder.backend(BackendKind.NATIVE).threads(0); break;
            case "java": builder.backend(BackendKind.JAVA); break;
            default: throw new IllegalArgumentException("contender: unknown " + contender);
        }
        loss = builder.build();
        double expected = CrossEntropyLoss.builder().backend(BackendKind.NATIVE).build().compute(forward).loss();
        double actual = loss.compute(forward).loss();
        if (!(Math.abs(actual - expected) <= 1e-5 * Math.abs(expected))) {
            throw new IllegalStateException(contender + " computes " + actual + ", the native library " + expected);
        }
    }

    private static FloatBuffer floats(int n) {
        return ByteBuffer.allocateDirect(4 * n).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    @Benchmark
    public void forwardBackward(Blackhole bh) {
        loss.compute(forwardBackward, result);
        bh.consume(result.loss());
    }

    @Benchmark
    public void forward(Blackhole bh) {
        loss.compute(forward, result);
        bh.consume(result.loss());
    }
}
