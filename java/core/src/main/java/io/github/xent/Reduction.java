package io.github.xent;

/** How per-position losses become the result (docs/semantics.md, "Reductions"). */
public enum Reduction {
    /** Per-position losses, written to {@link Batch#lossOut}. */
    NONE(0),
    /** The sum of the per-position losses. */
    SUM(1),
    /** The weighted mean: the sum divided by the summed weight of the counted positions. */
    MEAN(2);

    /** The value of {@code enum xent_reduction} in xent.h (ContractTest checks each). */
    final int code;

    Reduction(int code) {
        this.code = code;
    }
}
