package io.github.xent;

/** What the target holds (docs/semantics.md, "Target kinds"). */
public enum TargetKind {
    /** One integer class per position ({@code int32} or {@code int64}). */
    INDEX(0),
    /** A distribution over the classes per position, the input's shape and dtype. */
    PROBABILITIES(1),
    /** A probability in [0, 1] per element; every element is its own binary problem. */
    BINARY(2);

    /** The value of {@code enum xent_target_kind} in xent.h (ContractTest checks each). */
    final int code;

    TargetKind(int code) {
        this.code = code;
    }
}
