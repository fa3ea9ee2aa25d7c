package io.github.xent.dl4j;

import io.github.xent.LinearBatch;
import io.github.xent.LinearCrossEntropyLoss;
import io.github.xent.LossResult;
import io.github.xent.Reduction;
import java.util.Arrays;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One step of a xent head on rows: hidden states h (M x nIn), DL4J's W (nIn x nOut in 'f' order,
 * whose bytes are xent's (V, D) layout) and b, labels, one weight per row (the mask). With index
 * or one-hot labels it is one call of the fused linear + cross-entropy, which writes dL/dW and
 * dL/db into DL4J's gradient views and dL/dh into the epsilon, and never holds the M x nOut logits.
 * Soft labels and per-output masks take DL4J's way round (logits by ND4J, {@link XentLoss}, two
 * GEMMs): the fused form takes class indices only.
 */
final class FusedHead {
    private static final ActivationSoftmax SOFTMAX = new ActivationSoftmax();

    private final LinearCrossEntropyLoss sum, each;
    private final XentLoss soft;
    private final long ignoreIndex;

    FusedHead(XentHeadLayer conf) {
        sum = conf.fusedLoss(Reduction.SUM);
        each = conf.fusedLoss(Reduction.NONE);
        soft = (XentLoss) conf.getLossFn();
        ignoreIndex = conf.getIgnoreIndex();
    }

    /** Where a step writes: gradient views (null: not wanted, e.g. a frozen weight) and the epsilon (M x nIn, 'c'). */
    static final class Outputs {
        INDArray gradWeight, gradBias, epsilon, scores;
    }

    /**
     * The summed loss of the rows (DL4J's score before it divides by the minibatch), and what
     * {@code out} asks for. {@code rowWeights}: M weights or null; {@code outputMask}: (M, nOut) or null.
     */
    double run(INDArray h, INDArray w, INDArray b, INDArray labels, INDArray rowWeights, INDArray outputMask, Outputs out) {
        long m = h.size(0), nIn = h.size(1), nOut = w.size(1);
        if (labels.size(0) != m) {
            throw new IllegalArgumentException("labels: " + labels.size(0) + " rows for " + m + " examples (input shape "
                    + Arrays.toString(h.shape()) + ")");
        }
        DataType type = w.dataType();
        if (type != DataType.FLOAT && type != DataType.DOUBLE) {
            throw new IllegalArgumentException("dataType: a xent output layer computes in FLOAT or DOUBLE, not " + type);
        }
        INDArray targets = outputMask == null ? Labels.indices(labels, nOut, ignoreIndex) : null;
        if (targets == null) return unfused(h, w, b, labels, rowWeights, outputMask, out);

        INDArray hc = Nd4jArrays.asContiguous(h, type);
        INDArray wf = w.ordering() == 'f' && isDense(w) ? w : w.dup('f');
        LinearBatch batch = new LinearBatch().shape(m, nIn).classes(nOut).hiddenPointer(Nd4jArrays.pointer(hc, "input"))
                .weightPointer(Nd4jArrays.pointer(wf, "W")).targetPointer(Nd4jArrays.pointer(targets, "labels"));
        if (b != null) batch.biasPointer(Nd4jArrays.pointer(Nd4jArrays.asContiguous(b, type), "b"));
        if (rowWeights != null) batch.sampleWeightsPointer(Nd4jArrays.pointer(Nd4jArrays.asContiguous(rowWeights.reshape(m, 1), type), "mask"));
        INDArray gw = out.gradWeight, gwTemp = null;
        if (gw != null) {
            if (!(gw.ordering() == 'f' && isDense(gw))) gwTemp = gw = Nd4j.createUninitialized(type, new long[] {nIn, nOut}, 'f');
            batch.gradWeightPointer(Nd4jArrays.pointer(gw, "gradient of W"));
        }
        if (out.gradBias != null) batch.gradBiasPointer(Nd4jArrays.pointer(out.gradBias, "gradient of b"));
        if (out.epsilon != null) batch.gradHiddenPointer(Nd4jArrays.pointer(out.epsilon, "epsilon"));
        if (out.scores != null) batch.lossOutPointer(Nd4jArrays.pointer(out.scores, "scores"));
        LossResult r;
        try {
            r = (out.scores != null ? each : sum).compute(batch);
        } catch (IllegalArgumentException e) {
            throw Nd4jArrays.rename(e, NAMES);
        }
        if (gwTemp != null) out.gradWeight.assign(gwTemp);
        return r.loss();
    }

    /** Soft labels or a per-output mask: logits by ND4J, the loss and dL/dz by {@link XentLoss}, two GEMMs back. */
    private double unfused(INDArray h, INDArray w, INDArray b, INDArray labels, INDArray rowWeights, INDArray outputMask, Outputs out) {
        INDArray hc = h.castTo(w.dataType());
        INDArray z = hc.mmul(w);
        if (b != null) z.addiRowVector(b);
        INDArray mask = outputMask != null ? outputMask : rowWeights == null ? null : rowWeights.reshape(h.size(0), 1);
        if (out.scores != null) {
            out.scores.assign(soft.computeScoreArray(labels, z, SOFTMAX, mask).reshape(out.scores.shape()));
            return out.scores.sumNumber().doubleValue();
        }
        if (out.gradWeight == null && out.gradBias == null && out.epsilon == null) {
            return soft.computeScore(labels, z, SOFTMAX, mask, false);
        }
        Pair<Double, INDArray> scoreAndDelta = soft.computeGradientAndScore(labels, z, SOFTMAX, mask, false);
        INDArray delta = scoreAndDelta.getSecond();
        if (out.gradWeight != null) Nd4j.gemm(hc, delta, out.gradWeight, true, false, 1.0, 0.0);
        if (out.gradBias != null) delta.sum(out.gradBias, 0);
        if (out.epsilon != null) Nd4j.gemm(delta, w, out.epsilon, false, true, 1.0, 0.0);
        return scoreAndDelta.getFirst();
    }

    /** Every element of a 2-d array's buffer is one of its own, in its order's sequence. */
    static boolean isDense(INDArray a) {
        long rows = a.size(0), cols = a.size(1);
        return a.ordering() == 'f' ? (rows <= 1 || a.stride(0) == 1) && (cols <= 1 || a.stride(1) == rows)
                : Nd4jArrays.contiguous(a);
    }

    /** The fused form's argument names, as the layer's user knows them. */
    private static final String[][] NAMES = {{"target: ", "labels: "}, {"sampleWeights: ", "mask: "}, {"hidden: ", "input: "}};
}
