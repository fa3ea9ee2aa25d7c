package io.github.xent;

/** What the input holds (docs/semantics.md, "Input kinds"). */
public enum InputKind {
    /** Unnormalised scores; log-softmax is applied along the class axis (PyTorch, R torch, brainpy). */
    LOGITS(0),
    /** Probabilities; logs are clamped at -100 (Mathematica, theanets). */
    PROBABILITIES(1),
    /** Log-probabilities, used as they are (PyTorch's {@code NLLLoss}). */
    LOG_PROBABILITIES(2);

    /** The value of {@code enum xent_input_kind} in xent.h (ContractTest checks each). */
    final int code;

    InputKind(int code) {
        this.code = code;
    }
}
