package io.github.xent;

/**
 * The pure-Java reference: docs/semantics.md written out plainly, in double precision.
 *
 * <p>It is the oracle of the differential tests and the fallback where the native library cannot
 * load, so it favours obviousness over speed: each position's logits are gathered into a row,
 * log-softmax is materialised, and the loss and gradient follow the spec's formulas term by term.
 */
final class JavaBackend implements Backend {
    @Override
    public BackendKind kind() {
        return BackendKind.JAVA;
    }

    @Override
    public void compute(Call call, LossResult into) {
        CrossEntropyLoss loss = call.loss;
        final int classes = (int) call.classes;
        final double eps = loss.labelSmoothing();
        final double[] w = loss.classWeightsArray();
        double weightTotal = 0;
        for (int c = 0; c < classes; c++) weightTotal += weight(w, c);

        // Pass 1: check lengths and every target, and sum the MEAN divisor, before anything is written.
        for (long n = 0; n < call.sequences; n++) {
            long length = call.lengths.getLong(n);
            if (length < 0 || length > call.steps) {
                throw Call.error("lengths", "sequence " + n + " has length " + length + ", must be in [0, " + call.steps + "]");
            }
        }
        double weightSum = 0;
        long count = 0;
        for (long p = 0; p < call.positions; p++) {
            double s = sampleWeight(call, p);
            long raw = call.target.getLong(p);
            if (excluded(call, p, raw)) continue;
            int y = classOf(call, p, raw);
            weightSum += s * weight(w, y);
            count++;
        }

        double factor = loss.scale() * call.gradOutputScalar;
        if (loss.reduction() == Reduction.MEAN) factor = weightSum > 0 ? factor / weightSum : 0;

        // Pass 2: per position, log q = x - logsumexp(x), then the loss and the gradient.
        double[] logq = new double[classes];
        double total = 0;
        long correct = 0;
        for (long p = 0; p < call.positions; p++) {
            long o = p / call.inner, i = p % call.inner;
            long first = o * classes * call.inner + i;  // element of class 0; class c is c * inner further
            long raw = call.target.getLong(p);
            if (excluded(call, p, raw)) {
                if (call.lossOut.present()) call.lossOut.putDouble(p, 0);
                if (call.wantsGradient()) {
                    for (int c = 0; c < classes; c++) call.gradInput.putDouble(first + c * call.inner, 0);
                }
                continue;
            }
            int y = classOf(call, p, raw);
            double max = Double.NEGATIVE_INFINITY;
            int argmax = 0;
            for (int c = 0; c < classes; c++) {
                logq[c] = call.input.getDouble(first + c * call.inner);
                if (logq[c] > max) {
                    max = logq[c];
                    argmax = c;
                }
            }
            double sum = 0;
            for (int c = 0; c < classes; c++) sum += Math.exp(logq[c] - max);
            double lse = max + Math.log(sum);
            for (int c = 0; c < classes; c++) logq[c] -= lse;

            double s = sampleWeight(call, p);
            double l = -(1 - eps) * weight(w, y) * logq[y];
            if (eps > 0) {
                for (int c = 0; c < classes; c++) l -= eps / classes * weight(w, c) * logq[c];
            }
            l *= s;
            total += l;
            if (argmax == y) correct++;
            if (call.lossOut.present()) call.lossOut.putDouble(p, loss.scale() * l);
            if (!call.wantsGradient()) continue;

            double f = factor;
            if (loss.reduction() == Reduction.NONE) {
                f = loss.scale() * (call.gradOutput.present() ? call.gradOutput.getDouble(p) : 1.0);
            }
            f *= s;
            for (int c = 0; c < classes; c++) {
                double q = Math.exp(logq[c]);
                double g = q * ((1 - eps) * weight(w, y) + eps / classes * weightTotal) - eps / classes * weight(w, c);
                if (c == y) g -= (1 - eps) * weight(w, y);
                call.gradInput.putDouble(first + c * call.inner, f * g);
            }
        }
        total *= loss.scale();
        if (loss.reduction() == Reduction.MEAN) total /= weightSum;
        into.set(total, weightSum, count, correct);
    }

    private static double weight(double[] w, int c) {
        return w == null ? 1.0 : w[c];
    }

    private static double sampleWeight(Call call, long p) {
        if (!call.sampleWeights.present()) return 1.0;
        double s = call.sampleWeights.getDouble(p);
        if (!(s >= 0) || !Double.isFinite(s)) {
            throw Call.error("sampleWeights", "weight at position " + p + " is " + s + ", must be finite and >= 0");
        }
        return s;
    }

    private static boolean excluded(Call call, long p, long raw) {
        if (raw == call.loss.ignoreIndex()) return true;
        return call.lengths.present() && p % call.steps >= call.lengths.getLong(p / call.steps);
    }

    private static int classOf(Call call, long p, long raw) {
        long c = raw - call.loss.indexBase();
        if (c < 0 || c >= call.classes) {
            throw Call.error("target", "value " + raw + " at position " + p + " is outside [" + call.loss.indexBase()
                    + ", " + (call.loss.indexBase() + call.classes) + ") and is not the ignore index "
                    + call.loss.ignoreIndex());
        }
        return (int) c;
    }
}
