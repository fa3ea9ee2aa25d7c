package io.github.xent.bench;

import io.github.xent.BackendKind;
import io.github.xent.Batch;
import io.github.xent.CrossEntropyLoss;
import io.github.xent.LossResult;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Soak: a million (or --calls N) native fwd+bwd calls through the allocation-free path, cycling
 * through shapes and options, reporting resident memory, direct-buffer memory and bytes allocated
 * per call, after a warm-up and then every tenth of the run. Growth after warm-up means a leak.
 *
 *   java --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar io.github.xent.bench.Soak [--calls N]
 */
public final class Soak {
    private Soak() {}

    public static void main(String[] args) throws IOException {
        long calls = 1_000_000;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--calls") && i + 1 < args.length) calls = Long.parseLong(args[++i]);
            else {
                System.err.println("usage: Soak [--calls N]");
                System.exit(2);
            }
        }
        String[] shapes = {"32x10", "64x1000", "2x21x16x16", "8x4000"};
        String[] variants = {"index", "smoothing", "probabilities", "index"};
        Problem[] problems = new Problem[shapes.length];
        CrossEntropyLoss[] losses = new CrossEntropyLoss[shapes.length];
        Batch[] batches = new Batch[shapes.length];
        for (int k = 0; k < shapes.length; k++) {
            problems[k] = new Problem(shapes[k], variants[k]);
            Problem p = problems[k];
            losses[k] = CrossEntropyLoss.builder().backend(BackendKind.NATIVE).labelSmoothing(p.smoothing)
                    .targetKind(p.probabilities ? io.github.xent.TargetKind.PROBABILITIES : io.github.xent.TargetKind.INDEX)
                    .threads(k == 3 ? 2 : 1).build();
            batches[k] = new Batch().shape(p.dims).input(p.logits).target(p.probabilities ? p.probs : p.targets).gradInput(p.grad);
        }
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        LossResult result = new LossResult();
        long warmup = Math.min(100_000, calls / 10);
        for (long i = 0; i < warmup; i++) losses[(int) (i % 4)].compute(batches[(int) (i % 4)], result);

        long rss0 = kilobytes("VmRSS"), direct0 = directBytes(), allocated0 = threads.getThreadAllocatedBytes(thread);
        System.out.printf(Locale.ROOT, "after %,d warm-up calls: RSS %,d kB, direct buffers %,d bytes%n", warmup, rss0, direct0);
        long start = System.nanoTime();
        long reporting = 0;  // bytes the progress lines themselves allocate (reading /proc, formatting)
        for (long i = 0; i < calls; i++) {
            losses[(int) (i % 4)].compute(batches[(int) (i % 4)], result);
            if ((i + 1) % (calls / 10) == 0) {
                long before = threads.getThreadAllocatedBytes(thread);
                System.out.printf(Locale.ROOT, "%,12d calls: RSS %+,d kB, direct %+,d bytes, allocated %.3f bytes/call%n", i + 1,
                        kilobytes("VmRSS") - rss0, directBytes() - direct0,
                        (double) (before - allocated0 - reporting) / (i + 1));
                reporting += threads.getThreadAllocatedBytes(thread) - before;
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long rssGrowth = kilobytes("VmRSS") - rss0;
        System.out.printf(Locale.ROOT, "%,d calls in %.1f s; RSS growth %+,d kB (target < 1 MB), direct growth %+,d bytes, "
                + "%.3f bytes allocated per call; last loss %.6f%n", calls, seconds, rssGrowth, directBytes() - direct0,
                (double) (threads.getThreadAllocatedBytes(thread) - allocated0 - reporting) / calls, result.loss());
        System.exit(rssGrowth < 1024 ? 0 : 1);
    }

    static long kilobytes(String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(field + ":")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
        return -1;
    }

    static long directBytes() {
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) return pool.getMemoryUsed();
        }
        return -1;
    }
}
