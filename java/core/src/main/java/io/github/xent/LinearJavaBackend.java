package io.github.xent;

/**
 * The fused form in plain Java, in double precision: the oracle of the differential tests and the
 * fallback without the native library. Correct, not fast: one position at a time, its logits
 * {@code h W^T + b} formed whole, then the INDEX form's formulas as {@link JavaBackend} writes them.
 */
final class LinearJavaBackend implements LinearCrossEntropyLoss.LinearBackend {
    @Override
    public BackendKind kind() {
        return BackendKind.JAVA;
    }

    @Override
    public void compute(LinearCall call, LossResult into) {
        LinearCrossEntropyLoss loss = call.loss;
        final long m = call.positions, d = call.hidden;
        final int v = (int) call.classes;
        final double eps = loss.labelSmoothing(), lambda = loss.zLoss(), cap = loss.softcap();
        final double[] w = loss.classWeightsArray();
        final boolean vd = loss.weightLayout() == WeightLayout.VD;

        // Pass 1: sample weights and targets, before anything is written; the MEAN divisors.
        double weightSum = 0, zWeightSum = 0;
        long count = 0;
        for (long p = 0; p < m; p++) {
            double s = sampleWeight(call, p);
            long raw = call.target.getLong(p);
            if (raw == loss.ignoreIndex()) continue;
            weightSum += s * weight(w, classOf(call, p, raw));
            zWeightSum += s;
            count++;
        }
        double factor = loss.scale() * call.gradOutputScalar, zFactor = factor;
        if (loss.reduction() == Reduction.MEAN) {
            factor = weightSum > 0 ? factor / weightSum : 0;
            zFactor = zWeightSum > 0 ? zFactor / zWeightSum : 0;
        }
        if (!loss.accumulate()) {
            if (call.gradWeight.present()) for (long i = 0; i < v * d; i++) call.gradWeight.putDouble(i, 0);
            if (call.gradBias.present()) for (long i = 0; i < v; i++) call.gradBias.putDouble(i, 0);
        }

        double[] x = new double[v], logq = new double[v], dx = new double[v], h = new double[(int) Math.min(d, Integer.MAX_VALUE)];
        double weightTotal = 0;
        for (int c = 0; c < v; c++) weightTotal += weight(w, c);
        double total = 0, zTotal = 0;
        long correct = 0;
        for (long p = 0; p < m; p++) {
            for (int k = 0; k < d; k++) h[k] = call.hiddenArg.getDouble(p * d + k);
            for (int c = 0; c < v; c++) {
                double sum = call.bias.present() ? call.bias.getDouble(c) : 0;
                for (int k = 0; k < d; k++) sum += h[k] * call.weight.getDouble(vd ? (long) c * d + k : (long) k * v + c);
                x[c] = cap > 0 ? cap * Math.tanh(sum / cap) : sum;
            }
            double lse = JavaBackend.logQ(InputKind.LOGITS, x, logq, v);
            if (call.lseOut.present()) call.lseOut.putDouble(p, lse);
            long raw = call.target.getLong(p);
            if (raw == loss.ignoreIndex()) {
                if (call.lossOut.present()) call.lossOut.putDouble(p, 0);
                if (call.gradHidden.present()) for (int k = 0; k < d; k++) call.gradHidden.putDouble(p * d + k, 0);
                // dW = dx^T h counts this row with dx = 0, as PyTorch's GEMM does: a NaN or infinite
                // hidden value still makes its column of dW NaN (0 * NaN), as on the native backend.
                if (call.gradWeight.present() && call.wantsGradient()) poisonColumns(call, h, v, d, vd);
                continue;
            }
            int y = classOf(call, p, raw);
            double s = sampleWeight(call, p);
            double l = -(1 - eps) * weight(w, y) * logq[y];
            if (eps > 0) for (int c = 0; c < v; c++) l -= eps / v * weight(w, c) * logq[c];
            l *= s;
            total += l;
            double zTerm = lambda > 0 ? lambda * s * lse * lse : 0;
            zTotal += zTerm;
            if (JavaBackend.argmax(x, v) == y) correct++;
            if (call.lossOut.present()) call.lossOut.putDouble(p, loss.scale() * (l + zTerm));
            if (!call.wantsGradient()) continue;

            boolean none = loss.reduction() == Reduction.NONE;
            double upstream = loss.scale() * (call.gradOutput.present() ? call.gradOutput.getDouble(p) : 1.0);
            double f = (none ? upstream : factor) * s, fz = (none ? upstream : zFactor) * s;
            double aTotal = (1 - eps) * weight(w, y) + eps / v * weightTotal;
            for (int c = 0; c < v; c++) {
                double q = Math.exp(logq[c]);
                double a = eps / v * weight(w, c) + (c == y ? (1 - eps) * weight(w, y) : 0);
                double g = f * aTotal * q;
                if (a != 0 || eps > 0) g -= f * a;
                if (lambda > 0) g += fz * 2 * lambda * lse * q;
                if (cap > 0) g *= 1 - (x[c] / cap) * (x[c] / cap);
                dx[c] = g;
            }
            if (call.gradBias.present()) {
                for (int c = 0; c < v; c++) call.gradBias.putDouble(c, call.gradBias.getDouble(c) + dx[c]);
            }
            if (call.gradWeight.present()) {
                for (int c = 0; c < v; c++) {
                    for (int k = 0; k < d; k++) {
                        long at = vd ? (long) c * d + k : (long) k * v + c;
                        call.gradWeight.putDouble(at, call.gradWeight.getDouble(at) + dx[c] * h[k]);
                    }
                }
            }
            if (call.gradHidden.present()) {
                for (int k = 0; k < d; k++) {
                    double sum = 0;
                    for (int c = 0; c < v; c++) sum += dx[c] * call.weight.getDouble(vd ? (long) c * d + k : (long) k * v + c);
                    call.gradHidden.putDouble(p * d + k, sum);
                }
            }
        }
        total *= loss.scale();
        zTotal *= loss.scale();
        if (loss.reduction() == Reduction.MEAN) {
            total /= weightSum;
            if (lambda > 0) zTotal /= zWeightSum;
        }
        into.set(lambda > 0 ? total + zTotal : total, weightSum, count, correct, zTotal);
    }

    /** dW's entries of the hidden units that are not finite in {@code h}: 0 * NaN and 0 * inf are NaN. */
    private static void poisonColumns(LinearCall call, double[] h, int v, long d, boolean vd) {
        for (int k = 0; k < d; k++) {
            if (Double.isFinite(h[k])) continue;
            for (int c = 0; c < v; c++) {
                long at = vd ? (long) c * d + k : (long) k * v + c;
                call.gradWeight.putDouble(at, call.gradWeight.getDouble(at) + 0.0 * h[k]);
            }
        }
    }

    private static double weight(double[] w, int c) {
        return w == null ? 1.0 : w[c];
    }

    private static double sampleWeight(LinearCall call, long p) {
        if (!call.sampleWeights.present()) return 1.0;
        double s = call.sampleWeights.getDouble(p);
        if (!(s >= 0) || !Double.isFinite(s)) {
            throw Call.error("sampleWeights", "weight at position " + p + " is " + s + ", must be finite and >= 0");
        }
        return s;
    }

    private static int classOf(LinearCall call, long p, long raw) {
        long base = call.loss.indexBase();
        long c = raw - base;
        if (c < 0 || c >= call.classes) {
            throw Call.error("target", "value " + raw + " at position " + p + " is outside [" + base + ", "
                    + (base + call.classes) + ") and is not the ignore index " + call.loss.ignoreIndex());
        }
        return (int) c;
    }
}
