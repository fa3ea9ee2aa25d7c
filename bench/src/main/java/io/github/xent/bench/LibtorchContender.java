package io.github.xent.bench;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * libtorch's CPU cross-entropy through org.bytedeco:pytorch: {@code from_blob} wraps the same
 * direct buffers without a copy, {@code cross_entropy_loss} computes the loss and autograd the
 * gradient (libtorch has no fused backward: it materialises log-softmax and allocates its
 * gradient). Each call runs in a PointerScope, which frees what it made. The allocator setting
 * ({@code THP_MEM_ALLOC_ENABLE}) is the process's: the report prints it.
 */
final class LibtorchContender implements Contender {
    private static final long MEAN = 1;  // at::Reduction::Mean
    private final FloatPointer logits, probs;
    private final LongPointer targets;
    private final long[] dims, targetDims;
    private final TensorOptions floats, longs;
    private final double smoothing;
    private final int threads;

    LibtorchContender(Problem p, int threads) {
        this.threads = threads;
        logits = new FloatPointer(p.logits);
        probs = p.probabilities ? new FloatPointer(p.probs) : null;
        targets = new LongPointer(p.targets64);
        dims = p.dims;
        targetDims = p.positionDims();
        smoothing = p.smoothing;
        floats = new TensorOptions().dtype(new ScalarTypeOptional(torch.ScalarType.Float));
        longs = new TensorOptions().dtype(new ScalarTypeOptional(torch.ScalarType.Long));
    }

    /** The target: int64 class indices, or (probability targets) floats of the input's shape. */
    private Tensor target() {
        return probs != null ? torch.from_blob(probs, dims, floats) : torch.from_blob(targets, targetDims, longs);
    }

    @Override
    public double forwardBackward() {
        torch.set_num_threads(threads);  // libtorch keeps it per calling thread
        try (PointerScope scope = new PointerScope()) {
            Tensor x = torch.from_blob(logits, dims, floats).requires_grad_(true);
            Tensor loss = torch.cross_entropy_loss(x, target(), new TensorOptional(), MEAN, -100, smoothing);
            loss.backward();
            Tensor grad = x.grad();
            return loss.item_double() + 0 * grad.numel();
        }
    }

    @Override
    public double forward() {
        torch.set_num_threads(threads);
        try (PointerScope scope = new PointerScope()) {
            Tensor x = torch.from_blob(logits, dims, floats);
            return torch.cross_entropy_loss(x, target(), new TensorOptional(), MEAN, -100, smoothing).item_double();
        }
    }
}
