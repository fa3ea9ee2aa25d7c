package io.github.xent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The fused linear + cross-entropy form: both backends against PyTorch (F.linear + F.cross_entropy
 * + the z term, autograd) on tools/golden/linear.py's cases, on every ISA and at block sizes that
 * cut M unevenly; native against the Java reference on 300 random problems; the same bits for 1,
 * 2 and 4 threads.
 */
class LinearTest {
    /** What one call wrote, as doubles. */
    record Out(LossResult result, double[] loss, double[] lse, double[] gradHidden, double[] gradWeight, double[] gradBias) {}

    /** A problem in the golden files' terms. */
    static final class Problem {
        long[] shape;
        int classes;
        WeightLayout layout = WeightLayout.VD;
        DType dtype = DType.FLOAT32, targetType = DType.INT64;
        Reduction reduction = Reduction.MEAN;
        long ignoreIndex = -100;
        int indexBase;
        double smoothing, scale = 1, zLoss, softcap;
        double[] classWeights, sampleWeights, gradOutput, hidden, weight, bias, target, gradWeightStart, gradBiasStart;
        double gradOutputScalar = 1;
        boolean accumulate, frozen, wantHidden = true;
        int blockRows;

        long positions() {
            long m = 1;
            for (int d = 0; d < shape.length - 1; d++) m *= shape[d];
            return m;
        }

        Out run(BackendKind backend, int threads) {
            LinearCrossEntropyLoss.Builder b = LinearCrossEntropyLoss.builder().backend(backend).weightLayout(layout)
                    .reduction(reduction).ignoreIndex(ignoreIndex).indexBase(indexBase).labelSmoothing(smoothing)
                    .scale(scale).zLoss(zLoss).softcap(softcap).accumulate(accumulate).blockRows(blockRows).threads(threads);
            if (classWeights != null) b.classWeights(classWeights);
            LinearCrossEntropyLoss loss = b.build();
            int m = (int) positions(), d = (int) shape[shape.length - 1];
            LinearBatch batch = new LinearBatch().shape(shape).classes(classes).hidden(Tensors.of(dtype, hidden).buffer)
                    .weight(Tensors.of(dtype, weight).buffer).target(Tensors.of(targetType, target).buffer);
            if (bias != null) batch.bias(Tensors.of(dtype, bias).buffer);
            if (sampleWeights != null) batch.sampleWeights(Tensors.of(dtype, sampleWeights).buffer);
            Tensors.T lossOut = null;
            if (reduction == Reduction.NONE) {
                lossOut = Tensors.output(dtype, m, Tensors.Kind.TYPED, 0);
                batch.lossOut(lossOut.buffer);
                if (gradOutput != null) batch.gradOutput(Tensors.of(dtype, gradOutput).buffer);
            } else {
                batch.gradOutput(gradOutputScalar);
            }
            Tensors.T lse = Tensors.output(dtype, m, Tensors.Kind.TYPED, 0);
            Tensors.T gh = wantHidden ? Tensors.output(dtype, m * d, Tensors.Kind.TYPED, 0) : null;
            Tensors.T gw = frozen ? null : gradWeightStart != null ? Tensors.of(dtype, gradWeightStart) : Tensors.output(dtype, weight.length, Tensors.Kind.TYPED, 0);
            Tensors.T gb = frozen || bias == null ? null : gradBiasStart != null ? Tensors.of(dtype, gradBiasStart) : Tensors.output(dtype, classes, Tensors.Kind.TYPED, 0);
            batch.lseOut(lse.buffer);
            if (gh != null) batch.gradHidden(gh.buffer);
            if (gw != null) batch.gradWeight(gw.buffer);
            if (gb != null) batch.gradBias(gb.buffer);
            LossResult r = loss.compute(batch);
            assertEquals(backend, loss.backend());
            return new Out(r, lossOut == null ? null : lossOut.toArray(), lse.toArray(), gh == null ? null : gh.toArray(),
                    gw == null ? null : gw.toArray(), gb == null ? null : gb.toArray());
        }
    }

    static Problem fromGolden(JsonNode c) {
        Problem p = new Problem();
        JsonNode s = c.get("shape");
        p.shape = new long[s.size()];
        for (int i = 0; i < p.shape.length; i++) p.shape[i] = s.get(i).asLong();
        p.classes = c.get("classes").asInt();
        p.layout = WeightLayout.valueOf(c.get("weight_layout").asText().toUpperCase(Locale.ROOT));
        p.dtype = DType.valueOf(GoldenTest.enumName(c.get("dtype").asText()));
        p.targetType = DType.valueOf(GoldenTest.enumName(c.get("target_dtype").asText()));
        p.reduction = Reduction.valueOf(c.get("reduction").asText().toUpperCase(Locale.ROOT));
        p.ignoreIndex = c.get("ignore_index").asLong();
        p.indexBase = c.get("index_base").asInt();
        p.smoothing = c.get("label_smoothing").asDouble();
        p.scale = c.get("scale").asDouble();
        p.zLoss = c.get("z_loss").asDouble();
        p.softcap = c.get("softcap").asDouble();
        p.accumulate = c.get("accumulate").asBoolean();
        p.frozen = c.get("frozen").asBoolean();
        p.classWeights = optional(c, "weight");
        p.sampleWeights = optional(c, "sample_weights");
        p.hidden = GoldenTest.doubles(c.get("hidden"));
        p.weight = GoldenTest.doubles(c.get("linear_weight"));
        p.bias = optional(c, "linear_bias");
        p.target = GoldenTest.doubles(c.get("target"));
        p.gradWeightStart = optional(c, "grad_weight_start");
        p.gradBiasStart = optional(c, "grad_bias_start");
        JsonNode g = c.get("grad_output");
        if (!g.isNull()) {
            if (g.isNumber()) p.gradOutputScalar = g.asDouble();
            else p.gradOutput = GoldenTest.doubles(g);
        }
        return p;
    }

    static double[] optional(JsonNode c, String field) {
        JsonNode n = c.get(field);
        return n == null || n.isNull() ? null : GoldenTest.doubles(n);
    }

    @TestFactory
    Stream<DynamicTest> matchesPyTorch() throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : GoldenTest.cases("linear.json")) {
            String name = c.get("name").asText();
            tests.add(DynamicTest.dynamicTest(name + " [JAVA]", () -> checkGolden(c, BackendKind.JAVA, 0)));
            for (Isa isa : Isas.available()) {
                for (int blockRows : new int[] {0, 4}) {
                    tests.add(DynamicTest.dynamicTest(name + " [NATIVE " + isa + ", blocks of " + blockRows + "]",
                            () -> Isas.with(isa, () -> checkGolden(c, BackendKind.NATIVE, blockRows))));
                }
            }
        }
        return tests.stream();
    }

    static void checkGolden(JsonNode c, BackendKind backend, int blockRows) {
        Problem p = fromGolden(c);
        p.blockRows = blockRows;
        Out out = p.run(backend, 0);
        double tol = p.dtype == DType.FLOAT32 ? 5e-5 : 1e-10;
        if (p.reduction == Reduction.NONE) Close.arrays("loss", GoldenTest.doubles(c.get("loss")), out.loss(), tol);
        else Close.scalar("loss", c.get("loss").asDouble(), out.result().loss(), tol);
        Close.scalar("zLoss", c.get("z_part").asDouble(), out.result().zLoss(), tol);
        Close.arrays("lse", GoldenTest.doubles(c.get("lse")), out.lse(), tol);
        Close.arrays("gradHidden", GoldenTest.doubles(c.get("grad_hidden")), out.gradHidden(), tol);
        if (!p.frozen) Close.arrays("gradWeight", GoldenTest.doubles(c.get("grad_weight")), out.gradWeight(), tol);
        if (!p.frozen && p.bias != null) Close.arrays("gradBias", GoldenTest.doubles(c.get("grad_bias")), out.gradBias(), tol);
        assertEquals(c.get("count").asLong(), out.result().count(), "count");
        assertEquals(c.get("correct").asLong(), out.result().correct(), "correct");
        Close.scalar("weightSum", c.get("weight_sum").asDouble(), out.result().weightSum(), 1e-6);
    }

    /** A random problem: any option, shapes that make several blocks of uneven size. */
    static Problem random(Random rng) {
        Problem p = new Problem();
        int rank = 1 + rng.nextInt(3);
        p.shape = new long[rank];
        for (int d = 0; d < rank - 1; d++) p.shape[d] = 1 + rng.nextInt(rank == 2 ? 40 : 7);
        int d = 1 + rng.nextInt(24);
        p.shape[rank - 1] = d;
        p.classes = 1 + rng.nextInt(rng.nextBoolean() ? 20 : 600);
        p.layout = rng.nextBoolean() ? WeightLayout.VD : WeightLayout.DV;
        p.dtype = rng.nextBoolean() ? DType.FLOAT32 : DType.FLOAT64;
        p.targetType = rng.nextBoolean() ? DType.INT32 : DType.INT64;
        p.reduction = Reduction.values()[rng.nextInt(3)];
        p.indexBase = rng.nextInt(4) == 0 ? 1 : 0;
        p.smoothing = rng.nextInt(3) == 0 ? rng.nextDouble() * 0.3 : 0;
        p.zLoss = rng.nextInt(3) == 0 ? 1e-2 : 0;
        p.softcap = rng.nextInt(3) == 0 ? 1 + rng.nextDouble() * 10 : 0;
        p.scale = rng.nextInt(4) == 0 ? 0.5 : 1;
        p.accumulate = rng.nextInt(4) == 0;
        p.frozen = rng.nextInt(5) == 0;
        p.wantHidden = rng.nextInt(6) != 0;
        p.blockRows = rng.nextInt(3) == 0 ? 0 : 1 + rng.nextInt(12);
        int m = (int) p.positions();
        p.hidden = values(rng, m * d, 1.0);
        p.weight = values(rng, p.classes * d, 1.5 / Math.sqrt(d));
        p.bias = rng.nextBoolean() ? values(rng, p.classes, 0.5) : null;
        p.target = new double[m];
        for (int i = 0; i < m; i++) p.target[i] = rng.nextInt(5) == 0 ? -100 : rng.nextInt(p.classes) + p.indexBase;
        if (rng.nextInt(3) == 0) {
            p.classWeights = new double[p.classes];
            for (int c = 0; c < p.classes; c++) p.classWeights[c] = 0.1 + rng.nextDouble();
        }
        if (rng.nextInt(3) == 0) {
            p.sampleWeights = new double[m];
            for (int i = 0; i < m; i++) p.sampleWeights[i] = rng.nextDouble() * 2;
        }
        if (p.reduction == Reduction.NONE && rng.nextBoolean()) p.gradOutput = values(rng, m, 1.0);
        if (p.reduction != Reduction.NONE && rng.nextBoolean()) p.gradOutputScalar = 0.3;
        if (p.accumulate) {
            p.gradWeightStart = values(rng, p.classes * d, 0.1);
            if (p.bias != null) p.gradBiasStart = values(rng, p.classes, 0.1);
        }
        return p;
    }

    static double[] values(Random rng, int n, double scale) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = rng.nextGaussian() * scale;
        return v;
    }

    @TestFactory
    Stream<DynamicTest> nativeAgreesWithJavaOn300Problems() {
        List<DynamicTest> tests = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            int seed = 7000 + i;
            tests.add(DynamicTest.dynamicTest("problem " + seed, () -> {
                Problem p = random(new Random(seed));
                Out java = p.run(BackendKind.JAVA, 0), nat = p.run(BackendKind.NATIVE, 0);
                double tol = p.dtype == DType.FLOAT32 ? 1e-4 : 1e-10;
                if (p.reduction == Reduction.NONE) Close.arrays("loss", java.loss(), nat.loss(), tol);
                Close.scalar("loss", java.result().loss(), nat.result().loss(), tol);
                Close.scalar("zLoss", java.result().zLoss(), nat.result().zLoss(), tol);
                Close.arrays("lse", java.lse(), nat.lse(), tol);
                // (A gradient that should be 0 comes out as a difference of terms of about 1 / M.)
                double unit = 1e-3;
                if (p.wantHidden) Close.arrays("gradHidden", java.gradHidden(), nat.gradHidden(), tol, unit);
                if (!p.frozen) Close.arrays("gradWeight", java.gradWeight(), nat.gradWeight(), tol, unit);
                if (!p.frozen && p.bias != null) Close.arrays("gradBias", java.gradBias(), nat.gradBias(), tol, unit);
                assertEquals(java.result().count(), nat.result().count(), "count");
                Close.scalar("weightSum", java.result().weightSum(), nat.result().weightSum(), tol);
            }));
        }
        return tests.stream();
    }

    /** Blocks of fixed size, each GEMM on one thread, sums in block order: the same bits for 1, 2 and 4 threads. */
    @Test
    void threadsDoNotChangeTheBits() {
        Random rng = new Random(99);
        Problem p = random(rng);
        p.shape = new long[] {300, 32};
        p.classes = 2500;
        p.frozen = false;
        p.wantHidden = true;
        p.blockRows = 0;
        p.reduction = Reduction.MEAN;
        p.hidden = values(rng, 300 * 32, 1);
        p.weight = values(rng, 2500 * 32, 0.3);
        p.bias = values(rng, 2500, 0.1);
        p.target = new double[300];
        for (int i = 0; i < 300; i++) p.target[i] = rng.nextInt(2500) + p.indexBase;
        p.sampleWeights = null;
        p.gradWeightStart = p.accumulate ? values(rng, 2500 * 32, 0.1) : null;
        p.gradBiasStart = p.accumulate ? values(rng, 2500, 0.1) : null;
        Out one = p.run(BackendKind.NATIVE, 1);
        for (int threads : new int[] {2, 4}) {
            Out other = p.run(BackendKind.NATIVE, threads);
            assertEquals(Double.doubleToRawLongBits(one.result().loss()), Double.doubleToRawLongBits(other.result().loss()),
                    threads + " threads: loss");
            assertArrayEquals(one.gradHidden(), other.gradHidden(), threads + " threads: gradHidden");
            assertArrayEquals(one.gradWeight(), other.gradWeight(), threads + " threads: gradWeight");
            assertArrayEquals(one.gradBias(), other.gradBias(), threads + " threads: gradBias");
            assertArrayEquals(one.lse(), other.lse(), threads + " threads: lse");
        }
    }

    @Test
    void badArgumentsAreNamedOnBothBackends() {
        for (BackendKind backend : new BackendKind[] {BackendKind.NATIVE, BackendKind.JAVA}) {
            Problem p = random(new Random(5));
            p.shape = new long[] {4, 3};
            p.classes = 5;
            p.hidden = values(new Random(1), 12, 1);
            p.weight = values(new Random(2), 15, 1);
            p.bias = null;
            p.gradWeightStart = p.gradBiasStart = null;
            p.sampleWeights = null;
            p.classWeights = null;
            p.reduction = Reduction.MEAN;
            p.gradOutput = null;
            p.target = new double[] {0, 1, 7 + p.indexBase, 2};
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.run(backend, 0));
            assertTrue(e.getMessage().startsWith("target: value " + (7 + p.indexBase) + " at position 2"), e.getMessage());
        }
    }
}
