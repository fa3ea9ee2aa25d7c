package io.github.xent;

/**
 * The pure-Java reference: docs/semantics.md written out plainly, in double precision.
 *
 * <p>It is the oracle of the differential tests and the fallback where the native library cannot
 * load, so it favours obviousness over speed: each position's input is gathered into a row,
 * {@code log q} is materialised, and the loss and gradient follow the spec's formulas term by term
 * through the target coefficients {@code a_c} (loss {@code -s * sum a_c log q_c}). The rows live in
 * the thread's {@link Call}, so a call allocates nothing once its thread has seen its widest row:
 * the native backend hands its smallest calls to this class ({@link NativeBackend#JAVA_MAX_ELEMENTS}).
 */
final class JavaBackend implements Backend {
    static final double LOG_FLOOR = -100.0;
    static final double DENOMINATOR_FLOOR = 1e-12;

    @Override
    public BackendKind kind() {
        return BackendKind.JAVA;
    }

    @Override
    public void compute(Call call, LossResult into) {
        if (call.loss.targetKind() == TargetKind.BINARY) {
            computeBinary(call, into);
        } else {
            computeClasses(call, into);
        }
    }

    private static void computeClasses(Call call, LossResult into) {
        CrossEntropyLoss loss = call.loss;
        final boolean index = loss.targetKind() == TargetKind.INDEX;
        final InputKind input = loss.inputKind();
        final int classes = (int) call.classes;
        final double eps = loss.labelSmoothing();
        final double[] w = loss.classWeightsArray();

        // Pass 1: check lengths, sample weights and targets, and sum the MEAN divisor, before
        // anything is written.
        for (long n = 0; n < call.sequences; n++) {
            long length = call.lengths.getLong(n);
            if (length < 0 || length > call.steps) {
                throw Call.error("lengths", "sequence " + n + " has length " + length + ", must be in [0, " + call.steps + "]");
            }
        }
        double weightSum = 0, zWeightSum = 0;
        long count = 0;
        for (long p = 0; p < call.positions; p++) {
            double s = sampleWeight(call, p);
            if (excluded(call, p)) continue;
            weightSum += index ? s * weight(w, classOf(call, p)) : s;
            zWeightSum += s;
            count++;
        }

        // dL/dl_p of each part: the z-loss's MEAN divides by the counted positions' sample weight.
        final double lambda = loss.zLoss(), cap = loss.softcap();
        double factor = loss.scale() * call.gradOutputScalar, zFactor = factor;
        if (loss.reduction() == Reduction.MEAN) {
            factor = weightSum > 0 ? factor / weightSum : 0;
            zFactor = zWeightSum > 0 ? zFactor / zWeightSum : 0;
        }

        // Pass 2: per position, log q, the coefficients a_c, then the loss and the gradient.
        double[][] rows = call.javaRows(classes);
        double[] x = rows[0], logq = rows[1], a = rows[2];
        double total = 0, zTotal = 0;
        long correct = 0;
        for (long p = 0; p < call.positions; p++) {
            long o = p / call.inner, i = p % call.inner;
            long first = o * classes * call.inner + i;  // element of class 0; class c is c * inner further
            if (excluded(call, p)) {
                if (call.lossOut.present()) call.lossOut.putDouble(p, 0);
                if (call.wantsGradient()) {
                    for (int c = 0; c < classes; c++) call.gradInput.putDouble(first + c * call.inner, 0);
                }
                continue;
            }
            for (int c = 0; c < classes; c++) {
                double v = call.input.getDouble(first + c * call.inner);
                x[c] = cap > 0 ? cap * Math.tanh(v / cap) : v;  // the soft-cap, z = c tanh(x / c)
            }
            double lse = logQ(input, x, logq, classes);

            // a_c: INDEX y -> (1-eps) w_y [c == y] + (eps/C) w_c; PROBABILITIES t -> w_c ((1-eps) t_c + eps/C).
            int y = index ? classOf(call, p) : -1;
            for (int c = 0; c < classes; c++) {
                double t = index ? (c == y ? 1 : 0) : call.target.getDouble(first + c * call.inner);
                a[c] = weight(w, c) * ((1 - eps) * t + eps / classes);
            }
            double l;
            if (index) {
                // Only the target's log q, plus the smoothing term when there is one: a masked (-inf)
                // class must not turn 0 * -inf into NaN (PyTorch's nll_loss does not touch it either).
                l = -(1 - eps) * weight(w, y) * logq[y];
                if (eps > 0) for (int c = 0; c < classes; c++) l -= eps / classes * weight(w, c) * logq[c];
            } else {
                l = 0;
                for (int c = 0; c < classes; c++) l -= a[c] * logq[c];
            }
            double s = sampleWeight(call, p);
            l *= s;
            total += l;
            double zTerm = lambda > 0 ? lambda * s * lse * lse : 0;  // the z-loss
            zTotal += zTerm;
            int target = index ? y : argmax(call.target, first, classes, call.inner);
            if (argmax(x, classes) == target) correct++;
            if (call.lossOut.present()) call.lossOut.putDouble(p, loss.scale() * (l + zTerm));
            if (!call.wantsGradient()) continue;

            double upstream = loss.scale() * (call.gradOutput.present() ? call.gradOutput.getDouble(p) : 1.0);
            boolean none = loss.reduction() == Reduction.NONE;
            double f = (none ? upstream : factor) * s, fz = (none ? upstream : zFactor) * s;
            double aTotal = 0;
            for (int c = 0; c < classes; c++) aTotal += a[c];
            for (int c = 0; c < classes; c++) {
                double g;
                switch (input) {
                    case LOGITS:  // d(-sum a log softmax)/dx_c = A q_c - a_c, times f term by term (PyTorch's
                        // order: with an infinite f, a class with a_c = 0 gets f A q_c, the target NaN)
                        g = f * aTotal * Math.exp(logq[c]);
                        if (a[c] != 0 || !index || eps > 0) g -= f * a[c];
                        if (lambda > 0) g += fz * 2 * lambda * lse * Math.exp(logq[c]);  // d(lambda lse^2)/dz_c
                        if (cap > 0) g *= 1 - (x[c] / cap) * (x[c] / cap);  // dz/dx of the soft-cap
                        break;
                    case PROBABILITIES:  // d(-a log x)/dx = -a / x, with x floored
                        g = f * (-a[c] / Math.max(x[c], DENOMINATOR_FLOOR));
                        break;
                    default:
                        g = f * -a[c];
                        break;
                }
                call.gradInput.putDouble(first + c * call.inner, g);
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

    /**
     * log q of one position's {@code classes} values, for each input kind; returns the log of the
     * softmax's denominator (logits: max + log sum), NaN for the other kinds.
     */
    static double logQ(InputKind input, double[] x, double[] logq, int classes) {
        switch (input) {
            case LOGITS: {
                double max = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < classes; c++) max = Math.max(max, x[c]);
                double sum = 0;
                for (int c = 0; c < classes; c++) sum += Math.exp(x[c] - max);
                // (x - max) - log sum, PyTorch's order: max + log sum first loses the log sum of
                // large logits (1000 logits of 1e17 would give log q = 0).
                double logSum = Math.log(sum);
                for (int c = 0; c < classes; c++) logq[c] = (x[c] - max) - logSum;
                return max + logSum;
            }
            case PROBABILITIES:
                for (int c = 0; c < classes; c++) logq[c] = Math.max(Math.log(x[c]), LOG_FLOOR);
                return Double.NaN;
            default:
                System.arraycopy(x, 0, logq, 0, classes);
                return Double.NaN;
        }
    }

    private static void computeBinary(Call call, LossResult into) {
        CrossEntropyLoss loss = call.loss;
        boolean logits = loss.inputKind() == InputKind.LOGITS;
        double weightSum = 0;
        for (long e = 0; e < call.positions; e++) weightSum += sampleWeight(call, e);
        double factor = loss.scale() * call.gradOutputScalar;
        if (loss.reduction() == Reduction.MEAN) factor = weightSum > 0 ? factor / weightSum : 0;
        double total = 0;
        long correct = 0;
        for (long e = 0; e < call.positions; e++) {
            double x = call.input.getDouble(e), t = call.target.getDouble(e), s = sampleWeight(call, e);
            double l, dl;
            if (logits) {  // binary_cross_entropy_with_logits, stable form
                l = Math.max(x, 0) - x * t + Math.log1p(Math.exp(-Math.abs(x)));
                dl = 1 / (1 + Math.exp(-x)) - t;
            } else {  // binary_cross_entropy: logs clamped at -100, denominator floored
                l = -(t * Math.max(Math.log(x), LOG_FLOOR) + (1 - t) * Math.max(Math.log1p(-x), LOG_FLOOR));
                dl = (x - t) / Math.max(x * (1 - x), DENOMINATOR_FLOOR);
            }
            l *= s;
            total += l;
            if ((logits ? x > 0 : x > 0.5) == (t > 0.5)) correct++;
            if (call.lossOut.present()) call.lossOut.putDouble(e, loss.scale() * l);
            if (call.wantsGradient()) {
                double f = loss.reduction() == Reduction.NONE
                        ? loss.scale() * (call.gradOutput.present() ? call.gradOutput.getDouble(e) : 1.0)
                        : factor;
                call.gradInput.putDouble(e, f * s * dl);
            }
        }
        total *= loss.scale();
        if (loss.reduction() == Reduction.MEAN) total /= weightSum;
        into.set(total, weightSum, call.positions, correct, 0);
    }

    /** Index of the first largest of {@code v[0, classes)} (NaN never wins). */
    static int argmax(double[] v, int classes) {
        int best = 0;
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < classes; c++) {
            if (v[c] > max) {
                max = v[c];
                best = c;
            }
        }
        return best;
    }

    private static int argmax(Arg arg, long first, int classes, long stride) {
        int best = 0;
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < classes; c++) {
            double v = arg.getDouble(first + c * stride);
            if (v > max) {
                max = v;
                best = c;
            }
        }
        return best;
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

    /** Past its sequence's length, or (INDEX) targeting the ignore index. */
    private static boolean excluded(Call call, long p) {
        if (call.lengths.present() && p % call.steps >= call.lengths.getLong(p / call.steps)) return true;
        return call.loss.targetKind() == TargetKind.INDEX && call.target.getLong(p) == call.loss.ignoreIndex();
    }

    private static int classOf(Call call, long p) {
        long raw = call.target.getLong(p);
        long c = raw - call.loss.indexBase();
        if (c < 0 || c >= call.classes) {
            throw Call.error("target", "value " + raw + " at position " + p + " is outside [" + call.loss.indexBase()
                    + ", " + (call.loss.indexBase() + call.classes) + ") and is not the ignore index "
                    + call.loss.ignoreIndex());
        }
        return (int) c;
    }
}
