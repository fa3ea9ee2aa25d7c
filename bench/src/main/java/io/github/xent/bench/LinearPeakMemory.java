package io.github.xent.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Peak extra memory of one fused-form fwd+bwd: the process's peak resident set (VmHWM, reset
 * through /proc/self/clear_refs) less its resident set before the call. The call is the first at
 * its shape (after a warm-up at a small one, for the JIT and the libraries' own setup), so memory a
 * contender keeps between calls (xent's block of logits, a BLAS's buffers) is counted. One
 * contender per JVM:
 *
 *   java -cp bench/target/benchmarks.jar io.github.xent.bench.LinearPeakMemory xent-linear-all 2048x512x32000
 */
public final class LinearPeakMemory {
    private LinearPeakMemory() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: LinearPeakMemory CONTENDER MxDxV");
            System.exit(2);
        }
        try (LinearContender warm = LinearContender.create(args[0], new LinearProblem("64x32x500"))) {
            for (int i = 0; i < 20; i++) warm.forwardBackward();
        } catch (Exception e) {
            throw new IOException(e);
        }
        LinearProblem p = new LinearProblem(args[1]);
        try (LinearContender c = LinearContender.create(args[0], p)) {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            long before = kilobytes("VmRSS:");
            c.forwardBackward();
            long peak = kilobytes("VmHWM:");
            System.out.printf(Locale.ROOT, "{\"contender\": \"%s\", \"shape\": \"%s\", \"extra_peak_mb\": %.1f, \"logits_mb\": %.1f}%n",
                    args[0], args[1], (peak - before) / 1024.0, 4.0 * p.m * p.v / (1 << 20));
        } catch (Exception e) {
            throw new IOException(e);
        }
    }

    static long kilobytes(String key) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(key)) return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
        throw new IOException("no " + key + " in /proc/self/status");
    }
}
