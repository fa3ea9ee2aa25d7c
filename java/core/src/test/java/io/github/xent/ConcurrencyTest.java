package io.github.xent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Many Java threads share loss objects and input buffers: 8 threads x 10,000 calls over problems of
 * every form give the same bits as the same calls made serially, including calls large enough to
 * use the thread pool inside.
 */
class ConcurrencyTest {
    static final int THREADS = 8, CALLS = 10_000;

    /** One shared problem: its loss object and read-only inputs; outputs belong to each caller. */
    static final class Job {
        final DifferentialTest.Problem p;
        final CrossEntropyLoss loss;
        final Tensors.T input, target, sampleWeights, lengths, gradOutput;
        long lossBits;
        double[] grad, losses;

        Job(DifferentialTest.Problem p) {
            this.p = p;
            loss = p.loss(BackendKind.NATIVE);
            input = Tensors.of(p.dtype, p.input);
            target = Tensors.of(p.targetType, p.target);
            sampleWeights = p.sampleWeights == null ? null : Tensors.of(p.dtype, p.sampleWeights);
            lengths = p.lengths == null ? null : Tensors.of(DType.INT64, p.lengths);
            gradOutput = p.gradOutput == null ? null : Tensors.of(p.dtype, p.gradOutput);
        }

        /** Outputs of one caller: reused across that caller's calls. */
        final class Outputs {
            final Tensors.T grad = Tensors.allocate(p.dtype, p.input.length, Tensors.Kind.TYPED, 0);
            final Tensors.T losses = p.reduction == Reduction.NONE ? Tensors.allocate(p.dtype, (int) p.positions, Tensors.Kind.TYPED, 0) : null;
            final Batch batch = new Batch();
            final LossResult result = new LossResult();

            void run() {
                batch.clear().shape(p.shape).input(input.buffer).target(target.buffer).gradInput(grad.buffer);
                if (sampleWeights != null) batch.sampleWeights(sampleWeights.buffer);
                if (lengths != null) batch.lengths(lengths.buffer);
                if (losses != null) {
                    batch.lossOut(losses.buffer);
                    if (gradOutput != null) batch.gradOutput(gradOutput.buffer);
                } else {
                    batch.gradOutput(p.gradOutputScalar);
                }
                loss.compute(batch, result);
            }
        }
    }

    static List<Job> jobs() {
        List<Job> jobs = new ArrayList<>();
        for (int seed = 1; jobs.size() < 16; seed++) {
            DifferentialTest.Problem p = DifferentialTest.Problem.random(seed);
            if (p.inPlace || p.input.length > 20_000) continue;  // in place would write the shared input
            jobs.add(new Job(p));
        }
        for (int seed = 1; jobs.size() < 18; seed++) {  // two that take the thread pool
            DifferentialTest.Problem p = DifferentialTest.Problem.random(seed);
            if (p.inPlace || p.input.length < 40_000 || p.input.length > 200_000) continue;
            p.threads = 2;
            jobs.add(new Job(p));
        }
        return jobs;
    }

    @Test
    void eightThreadsGetTheSerialBits() throws Exception {
        List<Job> jobs = jobs();
        for (Job job : jobs) {  // the serial answer
            Job.Outputs out = job.new Outputs();
            out.run();
            job.lossBits = Double.doubleToRawLongBits(out.result.loss());
            job.grad = out.grad.toArray();
            job.losses = out.losses == null ? null : out.losses.toArray();
        }
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                final int thread = t;
                results.add(pool.submit(() -> {
                    List<Job.Outputs> outputs = new ArrayList<>();
                    for (Job job : jobs) outputs.add(job.new Outputs());
                    int checked = 0;
                    for (int i = 0; i < CALLS; i++) {
                        int k = (thread * 7 + i * 3) % jobs.size();
                        // The large jobs take milliseconds: run them a tenth as often.
                        if (k >= 16 && i % 10 != 0) k %= 16;
                        Job job = jobs.get(k);
                        Job.Outputs out = outputs.get(k);
                        out.run();
                        assertEquals(job.lossBits, Double.doubleToRawLongBits(out.result.loss()), "loss of job " + k + " on thread " + thread);
                        if (i % 5 == 0) {  // the full arrays, every fifth call
                            assertTrue(Arrays.equals(job.grad, out.grad.toArray()), "gradient of job " + k + " on thread " + thread);
                            if (job.losses != null) assertTrue(Arrays.equals(job.losses, out.losses.toArray()), "losses of job " + k);
                        }
                        checked++;
                    }
                    return checked;
                }));
            }
            int total = 0;
            for (Future<Integer> f : results) total += f.get();
            assertEquals(THREADS * CALLS, total);
        } finally {
            pool.shutdownNow();
        }
    }
}
