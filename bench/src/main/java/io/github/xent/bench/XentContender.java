package io.github.xent.bench;

import io.github.xent.BackendKind;
import io.github.xent.Batch;
import io.github.xent.CrossEntropyLoss;
import io.github.xent.LossResult;
import io.github.xent.TargetKind;

/** xent through its facade, on the allocation-free path (reused Batch and LossResult). */
final class XentContender implements Contender {
    private final CrossEntropyLoss loss;
    private final Batch forwardBackward = new Batch(), forward = new Batch();
    private final LossResult result = new LossResult();

    XentContender(Problem p, BackendKind backend, int threads) {
        loss = CrossEntropyLoss.builder().backend(backend).threads(threads).labelSmoothing(p.smoothing)
                .targetKind(p.probabilities ? TargetKind.PROBABILITIES : TargetKind.INDEX).build();
        forwardBackward.shape(p.dims).input(p.logits).target(p.probabilities ? p.probs : p.targets).gradInput(p.grad);
        forward.shape(p.dims).input(p.logits).target(p.probabilities ? p.probs : p.targets);
    }

    @Override
    public double forwardBackward() {
        loss.compute(forwardBackward, result);
        return result.loss();
    }

    @Override
    public double forward() {
        loss.compute(forward, result);
        return result.loss();
    }
}
