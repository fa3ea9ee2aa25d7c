package io.github.xent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;
import java.nio.LongBuffer;
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
            final Tensors.T grad = Tensors.output(p.dtype, p.input.length, Tensors.Kind.TYPED, 0);
            final Tensors.T losses = p.reduction == Reduction.NONE ? Tensors.output(p.dtype, (int) p.positions, Tensors.Kind.TYPED, 0) : null;
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

    /**
     * One Batch shared by threads (which its documentation asks not to do): each thread sets its
     * own shape and buffers, of three sizes in turn, and computes at once. Each call sees some
     * consistent set of arguments (and then the loss of one of the three) or a clear exception;
     * never a gradient written outside its buffer, never a crash.
     */
    @Test
    void aBatchSharedByThreadsGivesResultsOrExceptions() throws Exception {
        long[][] shapes = {{64, 10}, {33, 1000}, {3, 7}};
        FloatBuffer[] inputs = new FloatBuffer[3], guarded = new FloatBuffer[3], grads = new FloatBuffer[3];
        LongBuffer[] targets = new LongBuffer[3];
        double[] expected = new double[3];
        CrossEntropyLoss loss = CrossEntropyLoss.builder().threads(Math.min(2, Xent.maxThreads())).build();
        for (int s = 0; s < 3; s++) {
            int n = (int) shapes[s][0], c = (int) shapes[s][1];
            inputs[s] = CrossEntropyLoss.direct(new float[n * c]);
            for (int i = 0; i < n * c; i++) inputs[s].put(i, (float) Math.sin(i + s));
            long[] t = new long[n];
            for (int i = 0; i < n; i++) t[i] = (i * 7L + s) % c;
            targets[s] = CrossEntropyLoss.direct(t);
            guarded[s] = CrossEntropyLoss.direct(new float[n * c + 64]);
            for (int i = 0; i < n * c + 64; i++) guarded[s].put(i, -1f);
            grads[s] = guarded[s].duplicate().position(32).limit(32 + n * c).slice();
            expected[s] = loss.compute(new Batch().shape(shapes[s]).input(inputs[s]).target(targets[s])).loss();
        }
        Batch shared = new Batch();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<int[]>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                final int thread = t;
                results.add(pool.submit(() -> {
                    LossResult result = new LossResult();
                    int good = 0, refused = 0;
                    long end = System.nanoTime() + 1_000_000_000L;
                    for (int i = 0; System.nanoTime() < end; i++) {
                        int s = (thread + i) % 3;
                        shared.shape(shapes[s]).input(inputs[s]).target(targets[s]).gradInput(grads[s]);
                        try {
                            loss.compute(shared, result);
                        } catch (IllegalArgumentException mixed) {  // another thread's shape with this one's buffers
                            refused++;
                            continue;
                        }
                        double got = result.loss();
                        assertTrue(got == expected[0] || got == expected[1] || got == expected[2], "loss " + got);
                        good++;
                    }
                    return new int[] {good, refused};
                }));
            }
            int good = 0;
            for (Future<int[]> f : results) good += f.get()[0];
            assertTrue(good > 0, "no call completed");
        } finally {
            pool.shutdownNow();
        }
        for (int s = 0; s < 3; s++) {
            for (int i = 0; i < 32; i++) {
                assertEquals(-1f, guarded[s].get(i), "before gradient " + s);
                assertEquals(-1f, guarded[s].get(guarded[s].capacity() - 1 - i), "after gradient " + s);
            }
        }
    }
}
