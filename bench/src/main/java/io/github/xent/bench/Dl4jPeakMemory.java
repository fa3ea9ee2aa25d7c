package io.github.xent.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Peak extra memory of one DL4J training step (heap and ND4J's off-heap memory alike: the
 * process's peak resident set, VmHWM, reset through /proc/self/clear_refs, less its resident set
 * before the step). The step is the first at its shape after the network, the data and the check
 * against DL4J's own, so the workspaces it sizes are counted. One contender per JVM:
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
        try (Dl4jHead head = rnn ? Dl4jHead.rnn(args[0], args[1]) : Dl4jHead.dense(args[0], args[1])) {
            System.gc();
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            long before = LinearPeakMemory.kilobytes("VmRSS:");
            head.step();
            long peak = LinearPeakMemory.kilobytes("VmHWM:");
            System.out.printf(Locale.ROOT, "{\"contender\": \"%s\", \"shape\": \"%s\", \"extra_peak_mb\": %.1f}%n", args[0], args[1],
                    (peak - before) / 1024.0);
        }
    }
}
