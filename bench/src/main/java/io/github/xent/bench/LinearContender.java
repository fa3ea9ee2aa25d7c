package io.github.xent.bench;

import io.github.xent.BackendKind;
import io.github.xent.LinearBatch;
import io.github.xent.LinearCrossEntropyLoss;
import io.github.xent.LossResult;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.openblas.global.openblas_full;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/** One way of computing the fused form of a {@link LinearProblem}: loss and the three gradients, or the loss. */
interface LinearContender extends AutoCloseable {
    double forwardBackward();

    double forward();

    @Override
    default void close() {}

    static LinearContender create(String name, LinearProblem p) {
        int all = Runtime.getRuntime().availableProcessors();
        switch (name) {
            case "xent-linear-1": return new Xent(p, BackendKind.NATIVE, 1);
            case "xent-linear-all": return new Xent(p, BackendKind.NATIVE, 0);
            case "xent-linear-java": return new Xent(p, BackendKind.JAVA, 1);
            case "libtorch-linear-1": return new Libtorch(p, 1);
            case "libtorch-linear-all": return new Libtorch(p, all);
            case "gemm-1": return new BareGemms(p, 1);
            case "gemm-all": return new BareGemms(p, all);
            default: throw new IllegalArgumentException("contender: unknown " + name);
        }
    }

    /** xent's LinearCrossEntropyLoss, one reused batch and result. */
    final class Xent implements LinearContender {
        private final LinearCrossEntropyLoss loss;
        private final LinearBatch full, forwardOnly;
        private final LossResult result = new LossResult();

        Xent(LinearProblem p, BackendKind backend, int threads) {
            loss = LinearCrossEntropyLoss.builder().backend(backend).threads(threads).build();
            forwardOnly = new LinearBatch().shape(p.m, p.d).classes(p.v).hidden(p.hidden).weight(p.weight).bias(p.bias)
                    .target(p.targets);
            full = new LinearBatch().shape(p.m, p.d).classes(p.v).hidden(p.hidden).weight(p.weight).bias(p.bias)
                    .target(p.targets).gradHidden(p.gradHidden).gradWeight(p.gradWeight).gradBias(p.gradBias);
        }

        @Override
        public double forwardBackward() {
            loss.compute(full, result);
            return result.loss();
        }

        @Override
        public double forward() {
            loss.compute(forwardOnly, result);
            return result.loss();
        }
    }

    /**
     * libtorch: F.linear, cross_entropy, autograd for h, W and b (what a PyTorch CPU trainer runs),
     * on its OpenMP threads and OpenBLAS's, both set to the contender's count.
     */
    final class Libtorch implements LinearContender {
        private final FloatPointer hidden, weight, bias;
        private final LongPointer targets;
        private final long[] hiddenDims, weightDims, biasDims, targetDims;
        private final TensorOptions floats, longs;
        private final int threads;

        Libtorch(LinearProblem p, int threads) {
            this.threads = threads;
            hidden = new FloatPointer(p.hidden);
            weight = new FloatPointer(p.weight);
            bias = new FloatPointer(p.bias);
            targets = new LongPointer(p.targets);
            hiddenDims = new long[] {p.m, p.d};
            weightDims = new long[] {p.v, p.d};
            biasDims = new long[] {p.v};
            targetDims = new long[] {p.m};
            floats = new TensorOptions().dtype(new ScalarTypeOptional(torch.ScalarType.Float));
            longs = new TensorOptions().dtype(new ScalarTypeOptional(torch.ScalarType.Long));
        }

        private double run(boolean backward) {
            // libtorch's GEMMs run on OpenBLAS (the preset's), whose own pool set_num_threads does not
            // reach: both are set, so "1 thread" means one.
            torch.set_num_threads(threads);
            openblas_full.openblas_set_num_threads(threads);
            try (PointerScope scope = new PointerScope()) {
                Tensor h = torch.from_blob(hidden, hiddenDims, floats).requires_grad_(backward);
                Tensor w = torch.from_blob(weight, weightDims, floats).requires_grad_(backward);
                Tensor b = torch.from_blob(bias, biasDims, floats).requires_grad_(backward);
                Tensor logits = torch.linear(h, w, b);
                Tensor loss = torch.cross_entropy_loss(logits, torch.from_blob(targets, targetDims, longs), new TensorOptional(),
                        1, -100, 0.0);
                if (backward) loss.backward();
                return loss.item_double();
            }
        }

        @Override
        public double forwardBackward() {
            return run(true);
        }

        @Override
        public double forward() {
            return run(false);
        }
    }

    /**
     * The bare GEMMs of the shape on the OpenBLAS preset, on its own threads: logits = h W^T, then
     * dh = logits W and dW = logits^T h (a stand-in for dx: the same shapes and flops). No loss.
     */
    final class BareGemms implements LinearContender {
        private static final int ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112;
        private final LinearProblem p;
        private final FloatPointer hidden, weight, gradHidden, gradWeight, logits;
        private final int threads;

        BareGemms(LinearProblem p, int threads) {
            this.p = p;
            this.threads = threads;
            hidden = new FloatPointer(p.hidden);
            weight = new FloatPointer(p.weight);
            gradHidden = new FloatPointer(p.gradHidden);
            gradWeight = new FloatPointer(p.gradWeight);
            logits = new FloatPointer((long) p.m * p.v);
        }

        @Override
        public double forwardBackward() {
            openblas_full.openblas_set_num_threads(threads);
            openblas_full.cblas_sgemm(ROW_MAJOR, NO_TRANS, TRANS, p.m, p.v, p.d, 1f, hidden, p.d, weight, p.d, 0f, logits, p.v);
            openblas_full.cblas_sgemm(ROW_MAJOR, NO_TRANS, NO_TRANS, p.m, p.d, p.v, 1f, logits, p.v, weight, p.d, 0f, gradHidden, p.d);
            openblas_full.cblas_sgemm(ROW_MAJOR, TRANS, NO_TRANS, p.v, p.d, p.m, 1f, logits, p.v, hidden, p.d, 0f, gradWeight, p.d);
            return gradWeight.get(0);
        }

        @Override
        public double forward() {
            openblas_full.openblas_set_num_threads(threads);
            openblas_full.cblas_sgemm(ROW_MAJOR, NO_TRANS, TRANS, p.m, p.v, p.d, 1f, hidden, p.d, weight, p.d, 0f, logits, p.v);
            return logits.get(0);
        }

        @Override
        public void close() {
            logits.close();
        }
    }
}
