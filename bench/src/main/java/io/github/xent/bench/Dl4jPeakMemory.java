package io.github.xent.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Peak extra memory of training (heap and ND4J's off-heap memory alike): the process's peak
 * resident set (VmHWM, reset through /proc/self/clear_refs) over two training steps, less its
 * resident set once the network and the data exist. The steps are the process's first, so the
 * workspaces DL4J sizes and keeps for them are counted (DL4J shares them between the networks of a
 * thread: no reference network is trained here; the benchmarks check the scores). One contender
 * per JVM:
 *
 *   java -Xmx8g -cp bench/target/benchmarks.jar io.github.xent.bench.Dl4jPeakMemory xent-layer 4096x256x32000
 *   java -Xmx8g -cp bench/target/benchmarks.jar io.github.xent.bench.Dl4jPeakMemory xent-rnn-layer 32x128x32000
 */
public final class Dl4jPeakMemory {
    private Dl4jPeakMemory() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: Dl4jPeakMemory CONTENDER SHAPE   (contenders: " + String.join(", ", Dl4jHead.DENSE) + ", "
                    + String.join(", ", Dl4jHead.RNN) + ")");
            System.exit(2);
        }
        boolean rnn = Arrays.asList(Dl4jHead.RNN).contains(args[0]);
        try (Dl4jHead head = rnn ? Dl4jHead.rnn(args[0], args[1], false) : Dl4jHead.dense(args[0], args[1], false)) {
            System.gc();
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            long before = LinearPeakMemory.kilobytes("VmRSS:");
            head.step();
            head.step();
            long peak = LinearPeakMemory.kilobytes("VmHWM:");
            System.out.printf(Locale.ROOT, "{\"contender\": \"%s\", \"shape\": \"%s\", \"extra_peak_mb\": %.1f}%n", args[0], args[1],
                    (peak - before) / 1024.0);
        }
    }
}
