package io.github.xent;

/**
 * The checks of the options that the plain and the fused form share, in one place, with the C
 * API's rules and messages (checks.h): each throws IllegalArgumentException naming the option.
 */
final class OptionChecks {
    /**
     * The smallest soft-cap and nonzero class weight: float32's smallest normal number, 2^-126.
     * Below it, 1 / c and 1 / (summed weight) overflow, so the gradient would be NaN or infinite
     * where the answer is finite (docs/bad-input.md).
     */
    static final double MIN_NORMAL = Float.MIN_NORMAL;

    private OptionChecks() {}

    /** index base, smoothing, scale, z-loss, soft-cap, threads and class weights. */
    static void common(int indexBase, double labelSmoothing, double scale, double zLoss, double softcap, int threads,
                       double[] classWeights) {
        if (indexBase != 0 && indexBase != 1) throw new IllegalArgumentException("indexBase: must be 0 or 1, got " + indexBase);
        if (!(labelSmoothing >= 0.0 && labelSmoothing <= 1.0)) {
            throw new IllegalArgumentException("labelSmoothing: must be in [0, 1], got " + labelSmoothing);
        }
        if (!Double.isFinite(scale)) throw new IllegalArgumentException("scale: must be finite, got " + scale);
        if (!(zLoss >= 0) || !Double.isFinite(zLoss)) {
            throw new IllegalArgumentException("zLoss: must be finite and >= 0 (0: off), got " + zLoss);
        }
        if (!(softcap == 0 || softcap >= MIN_NORMAL) || !Double.isFinite(softcap)) {
            throw new IllegalArgumentException("softcap: must be 0 (off) or finite and >= " + MIN_NORMAL
                    + " (float32's smallest normal number), got " + softcap);
        }
        int maxThreads = Xent.maxThreads();
        if (threads < 0 || threads > maxThreads) {
            throw new IllegalArgumentException("threads: must be in [0, " + maxThreads + "] (0: all; " + maxThreads
                    + " is the CPUs this process may use, or XENT_MAX_THREADS), got " + threads);
        }
        if (classWeights != null) {
            if (classWeights.length == 0) throw new IllegalArgumentException("classWeights: is empty");
            for (int c = 0; c < classWeights.length; c++) {
                double w = classWeights[c];
                if (!(w == 0 || w >= MIN_NORMAL) || !Double.isFinite(w)) {
                    throw new IllegalArgumentException("classWeights: weight of class " + c + " is " + w
                            + ", must be 0 or finite and >= " + MIN_NORMAL);
                }
            }
        }
    }
}
