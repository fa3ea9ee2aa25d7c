package io.github.xent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The numbers at the edges where the backends once disagreed: a soft-cap far below the logits
 * (tanh saturates, so every gradient is exactly 0, on every ISA), a NaN hidden state at an ignored
 * position (PyTorch's rule on both backends: its dW entries are 0 * NaN), and a block size that
 * must reach the native GEMMs.
 */
class EdgeCaseTest {
    @Test
    void aSaturatedSoftcapGivesZeroGradientsOnEveryIsaAndBackend() throws Throwable {
        int n = 64, c = 1000;
        Random rng = new Random(1);
        FloatBuffer in = CrossEntropyLoss.direct(new float[n * c]);
        DoubleBuffer in64 = CrossEntropyLoss.direct(new double[n * c]);
        for (int i = 0; i < n * c; i++) in64.put(i, in.put(i, (float) rng.nextGaussian()).get(i));
        long[] y = new long[n];
        for (int i = 0; i < n; i++) y[i] = rng.nextInt(c);
        LongBuffer target = CrossEntropyLoss.direct(y);
        for (Isa isa : Isas.available()) {
            Isas.with(isa, () -> {
                for (BackendKind backend : BackendKind.values()) {
                    if (backend == BackendKind.AUTO) continue;
                    CrossEntropyLoss loss = CrossEntropyLoss.builder().softcap(1e-30).backend(backend).build();
                    FloatBuffer g = CrossEntropyLoss.direct(new float[n * c]);
                    DoubleBuffer g64 = CrossEntropyLoss.direct(new double[n * c]);
                    double l = loss.forwardBackward(new long[] {n, c}, in, target, g).loss();
                    double l64 = loss.forwardBackward(new long[] {n, c}, in64, target, g64).loss();
                    assertEquals(Math.log(c), l, 1e-5, isa + " " + backend + " loss");
                    assertEquals(Math.log(c), l64, 1e-12, isa + " " + backend + " float64 loss");
                    for (int i = 0; i < n * c; i++) {
                        assertEquals(0.0, Math.abs(g.get(i)), isa + " " + backend + " float32 gradient " + i);
                        assertEquals(0.0, Math.abs(g64.get(i)), isa + " " + backend + " float64 gradient " + i);
                    }
                }
            });
        }
    }

    /** A fused problem with an ignored position 1 whose hidden unit 2 is NaN. */
    static LinearTest.Problem nanAtIgnored(WeightLayout layout) {
        Random rng = new Random(5);
        LinearTest.Problem p = new LinearTest.Problem();
        p.shape = new long[] {6, 5};
        p.classes = 40;
        p.layout = layout;
        p.dtype = DType.FLOAT64;
        p.hidden = LinearTest.values(rng, 30, 1);
        p.weight = LinearTest.values(rng, 200, 0.4);
        p.bias = LinearTest.values(rng, 40, 0.1);
        p.target = new double[] {3, -100, 7, 0, 39, 12};
        p.hidden[1 * 5 + 2] = Double.NaN;
        return p;
    }

    @Test
    void aNanHiddenStateAtAnIgnoredPositionPoisonsOnlyItsColumnOfDwOnBothBackends() {
        for (WeightLayout layout : WeightLayout.values()) {
            LinearTest.Problem p = nanAtIgnored(layout);
            LinearTest.Out nat = p.run(BackendKind.NATIVE, 0), java = p.run(BackendKind.JAVA, 0);
            p.hidden[1 * 5 + 2] = 0;
            LinearTest.Out clean = p.run(BackendKind.NATIVE, 0);
            for (LinearTest.Out out : new LinearTest.Out[] {nat, java}) {
                Close.scalar("loss", clean.result().loss(), out.result().loss(), 1e-12);
                Close.arrays("gradBias", clean.gradBias(), out.gradBias(), 1e-12);
                for (int k = 0; k < 5; k++) assertEquals(0.0, out.gradHidden()[5 + k], "dL/dh of the ignored row");
                for (int v = 0; v < 40; v++) {
                    for (int k = 0; k < 5; k++) {
                        int at = layout == WeightLayout.VD ? v * 5 + k : k * 40 + v;
                        if (k == 2) assertTrue(Double.isNaN(out.gradWeight()[at]), layout + " dW[" + v + ", 2] is not NaN");
                        else Close.scalar("dW", clean.gradWeight()[at], out.gradWeight()[at], 1e-12);
                    }
                }
            }
        }
    }

    /** 4-row blocks sum dW in another order than one block: the bits differ, so the size reached C. */
    @Test
    void theBlockSizeReachesTheNativeGemms() {
        Random rng = new Random(8);
        LinearTest.Problem p = new LinearTest.Problem();
        p.shape = new long[] {64, 24};
        p.classes = 300;
        p.reduction = Reduction.SUM;
        p.hidden = LinearTest.values(rng, 64 * 24, 1);
        p.weight = LinearTest.values(rng, 300 * 24, 0.3);
        p.target = new double[64];
        for (int i = 0; i < 64; i++) p.target[i] = rng.nextInt(300);
        p.blockRows = 4;
        double[] blocks = p.run(BackendKind.NATIVE, 1).gradWeight();
        p.blockRows = 0;
        double[] whole = p.run(BackendKind.NATIVE, 1).gradWeight();
        assertFalse(Arrays.equals(blocks, whole), "blockRows(4) gave the one-block bits: the block size was dropped");
        p.blockRows = 64;
        assertEquals(Arrays.hashCode(whole), Arrays.hashCode(p.run(BackendKind.NATIVE, 1).gradWeight()), "blockRows(64) is one block");
        Close.arrays("4-row blocks vs one", whole, blocks, 1e-5);
        assertNotEquals(0, whole.length);
    }
}
