package io.github.xent;

/**
 * What one call reports: the loss and the metrics of docs/semantics.md ("Metrics").
 *
 * <p>A trainer that wants no garbage per call passes the same instance to
 * {@link CrossEntropyLoss#compute(Batch, LossResult)} each time; it is overwritten by every call,
 * so it belongs to one thread at a time.
 */
public final class LossResult {
    private double loss = Double.NaN;
    private double weightSum;
    private long count;
    private long correct;
    private double zLoss;

    /**
     * The reduced loss, the z-loss included; for {@link Reduction#NONE}, the sum of the per-position
     * losses.
     */
    public double loss() {
        return loss;
    }

    /** Positions that count: not ignored, not past their sequence's length. */
    public long count() {
        return count;
    }

    /** The MEAN divisor: the summed weight ({@code s * w_y} for index targets) of the counted positions. */
    public double weightSum() {
        return weightSum;
    }

    /** Counted positions whose arg-max class is the target's. */
    public long correct() {
        return correct;
    }

    /**
     * The z-loss part of {@link #loss()}, reduced as it is ({@code MEAN}: over the counted positions'
     * sample weight); 0 without a z-loss.
     */
    public double zLoss() {
        return zLoss;
    }

    /** {@link #correct()} / {@link #count()}; NaN when nothing counts. */
    public double accuracy() {
        return count == 0 ? Double.NaN : (double) correct / count;
    }

    void set(double loss, double weightSum, long count, long correct, double zLoss) {
        this.loss = loss;
        this.weightSum = weightSum;
        this.count = count;
        this.correct = correct;
        this.zLoss = zLoss;
    }

    @Override
    public String toString() {
        return "LossResult{loss=" + loss + ", zLoss=" + zLoss + ", count=" + count + ", weightSum=" + weightSum
                + ", accuracy=" + accuracy() + "}";
    }
}
