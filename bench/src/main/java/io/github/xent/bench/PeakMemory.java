package io.github.xent.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Peak extra memory of one forward+backward call: the process's peak resident set (VmHWM) after
 * the data is allocated and touched, against the peak after one call. Run one contender per JVM:
 *
 *   java -cp bench/target/benchmarks.jar io.github.xent.bench.PeakMemory xent-native-1 4096x32000
 */
public final class PeakMemory {
    private PeakMemory() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: PeakMemory CONTENDER ROWSxCLASSES");
            System.exit(2);
        }
        // Warm the contender up on a small problem first: a cold call runs interpreted, and the
        // Vector API then boxes every vector, which would count the JIT's absence as memory.
        try (Contender warm = Contender.create(args[0], new Problem("64x4000"))) {
            for (int i = 0; i < 200; i++) warm.forwardBackward();
        }
        Problem p = new Problem(args[1]);
        try (Contender c = Contender.create(args[0], p)) {
            for (int i = 0; i < p.gradArray.length; i += 1024) p.gradArray[i] = 0;  // touch every output page first
            for (int i = 0; i < p.grad.capacity(); i += 1024) p.grad.put(i, 0);
            long before = peakKilobytes();
            c.forwardBackward();
            long after = peakKilobytes();
            System.out.printf(Locale.ROOT, "{\"contender\": \"%s\", \"shape\": \"%s\", \"extra_peak_mb\": %.1f, \"data_mb\": %.1f}%n",
                    args[0], args[1], (after - before) / 1024.0, p.elements() * 4 * 2 / 1e6);
        }
    }

    static long peakKilobytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
        throw new IOException("no VmHWM in /proc/self/status");
    }
}
