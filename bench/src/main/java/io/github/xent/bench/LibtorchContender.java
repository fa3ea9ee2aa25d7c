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
    private final FloatPointer logits;
    private final LongPointer targets;
    private final long[] dims, targetDims;
    private final TensorOptions floats, longs;
    private final int threads;

    LibtorchContender(Problem p, int threads) {
        this.threads = threads;
        logits = new FloatPointer(p.logits);
        targets = new LongPointer(p.targets64);
        dims = new long[] {p.rows, p.classes};
        targetDims = new long[] {p.rows};
        floats = new TensorOptions().dtype(new ScalarTypeOptional(torch.ScalarType.Float));
        longs = new TensorOptions().dtype(new ScalarTypeOptional(torch.ScalarType.Long));
    }

    @Override
    public double forwardBackward() {
        torch.set_num_threads(threads);  // libtorch keeps it per calling thread
        try (PointerScope scope = new PointerScope()) {
            Tensor x = torch.from_blob(logits, dims, floats).requires_grad_(true);
            Tensor loss = torch.cross_entropy_loss(x, torch.from_blob(targets, targetDims, longs), new TensorOptional(), MEAN, -100, 0.0);
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
            return torch.cross_entropy_loss(x, torch.from_blob(targets, targetDims, longs), new TensorOptional(), MEAN, -100, 0.0)
                    .item_double();
        }
    }
}
