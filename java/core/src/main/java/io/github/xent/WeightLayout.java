package io.github.xent;

/** How the weight of a {@link LinearCrossEntropyLoss} is laid out: both row-major. */
public enum WeightLayout {
    /** {@code (V, D)}: one row per class, as PyTorch's {@code nn.Linear} keeps it. */
    VD(0),
    /** {@code (D, V)}: one column per class, as DL4J's dense and output layers keep it. */
    DV(1);

    /** The C API's {@code enum xent_weight_layout} value. */
    final int code;

    WeightLayout(int code) {
        this.code = code;
    }
}
