package io.github.xent;

/** How per-position losses become the result (docs/semantics.md, "Reductions"). */
public enum Reduction {
    /** Per-position losses, written to {@link Batch#lossOut}. */
    NONE,
    /** The sum of the per-position losses. */
    SUM,
    /** The weighted mean: the sum divided by the summed weight of the counted positions. */
    MEAN
}
