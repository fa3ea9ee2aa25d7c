package io.github.xent;

/** How the weight of a {@link LinearCrossEntropyLoss} is laid out: both row-major. */
public enum WeightLayout {
    /**
     * {@code (V, D)}: one row per class, as PyTorch's {@code nn.Linear} keeps it, and the bytes of
     * DL4J's nIn x nOut weight, which DL4J keeps in 'f' (column-major) order.
     */
    VD(0),
    /** {@code (D, V)}: one column per class, row-major (DL4J's logical nIn x nOut shape, in 'c' order). */
    DV(1);

    /** The C API's {@code enum xent_weight_layout} value. */
    final int code;

    WeightLayout(int code) {
        this.code = code;
    }
}
