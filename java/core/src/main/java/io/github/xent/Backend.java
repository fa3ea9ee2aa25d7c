package io.github.xent;

/** One implementation of the spec. Both backends compute from a validated {@link Call}. */
interface Backend {
    BackendKind kind();

    /** Computes the call; writes outputs and the result, or throws before writing anything. */
    void compute(Call call, LossResult into);
}
