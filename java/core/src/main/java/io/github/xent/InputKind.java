package io.github.xent;

/** What the input holds (docs/semantics.md, "Input kinds"). */
public enum InputKind {
    /** Unnormalised scores; log-softmax is applied along the class axis (PyTorch, R torch, brainpy). */
    LOGITS,
    /** Probabilities; logs are clamped at -100 (Mathematica, theanets). */
    PROBABILITIES,
    /** Log-probabilities, used as they are (PyTorch's {@code NLLLoss}). */
    LOG_PROBABILITIES
}
