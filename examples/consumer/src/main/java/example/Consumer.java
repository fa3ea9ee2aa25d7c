package example;

import io.github.xent.CrossEntropyLoss;
import io.github.xent.LinearBatch;
import io.github.xent.LinearCrossEntropyLoss;
import io.github.xent.LossResult;
import io.github.xent.Xent;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Random;

/**
 * One training step of a small softmax classifier with each of xent's forms, as a user's program
 * would write it: the plain loss on logits it computed itself, then the fused projection + loss.
 * Each step must lower the loss.
 */
public final class Consumer {
    static final int M = 64, D = 16, V = 10;

    public static void main(String[] args) {
        System.out.printf("xent %s, native %s (isa %s, BLAS core %s)%n", Xent.version(), Xent.isNativeAvailable(),
                Xent.isa(), Xent.blasCore());
        if (!Xent.isNativeAvailable()) throw new IllegalStateException("the native library did not load");
        Random random = new Random(1);
        FloatBuffer h = floats(M * D), w = floats(V * D), gradH = floats(M * D), gradW = floats(V * D);
        LongBuffer y = ByteBuffer.allocateDirect(M * 8).order(ByteOrder.nativeOrder()).asLongBuffer();
        for (int i = 0; i < M * D; i++) h.put(i, (float) random.nextGaussian());
        for (int m = 0; m < M; m++) y.put(m, random.nextInt(V));

        // The plain form: logits = h W^T computed here, then xent's loss and gradient on them.
        CrossEntropyLoss plain = CrossEntropyLoss.builder().build();
        FloatBuffer logits = floats(M * V), gradLogits = floats(M * V);
        double before = plainStep(plain, h, w, y, logits, gradLogits, gradW);
        for (int i = 0; i < V * D; i++) w.put(i, w.get(i) - 0.5f * gradW.get(i));
        double after = plainStep(plain, h, w, y, logits, gradLogits, gradW);
        System.out.printf("plain cross-entropy: loss %.6f -> %.6f after one step%n", before, after);
        if (!(after < before)) throw new IllegalStateException("the plain step did not lower the loss");

        // The fused form: projection, loss and the three gradients in one call, no logits kept.
        LinearCrossEntropyLoss fused = LinearCrossEntropyLoss.builder().zLoss(1e-4).build();
        LinearBatch batch = new LinearBatch().shape(M, D).classes(V).hidden(h).weight(w).target(y).gradHidden(gradH).gradWeight(gradW);
        LossResult r = new LossResult();
        fused.compute(batch, r);
        double fusedBefore = r.loss();
        for (int i = 0; i < V * D; i++) w.put(i, w.get(i) - 0.5f * gradW.get(i));
        fused.compute(batch, r);
        System.out.printf("fused linear + cross-entropy: loss %.6f -> %.6f after one step (z part %.2e)%n", fusedBefore, r.loss(), r.zLoss());
        if (!(r.loss() < fusedBefore)) throw new IllegalStateException("the fused step did not lower the loss");
        System.out.println("consumer: OK");
    }

    static double plainStep(CrossEntropyLoss loss, FloatBuffer h, FloatBuffer w, LongBuffer y, FloatBuffer logits,
            FloatBuffer gradLogits, FloatBuffer gradW) {
        for (int m = 0; m < M; m++) {
            for (int v = 0; v < V; v++) {
                float s = 0;
                for (int d = 0; d < D; d++) s += h.get(m * D + d) * w.get(v * D + d);
                logits.put(m * V + v, s);
            }
        }
        LossResult r = loss.forwardBackward(new long[] {M, V}, logits, y, gradLogits);
        for (int v = 0; v < V; v++) {
            for (int d = 0; d < D; d++) {
                float s = 0;
                for (int m = 0; m < M; m++) s += gradLogits.get(m * V + v) * h.get(m * D + d);
                gradW.put(v * D + d, s);
            }
        }
        return r.loss();
    }

    static FloatBuffer floats(int n) {
        return ByteBuffer.allocateDirect(n * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }
}
