// Binary cross-entropy (BINARY targets), portable scalar version (the reference, and the kernel of
// the scalar ISA; the others take bce_simd.h's): every element is its own
// two-class problem (docs/semantics.md). With sample weight s, target t and gradient factor f:
//   PROBABILITIES input x (PyTorch's binary_cross_entropy):
//     l = s * [ (t - 1) * max(log1p(-x), -100) - t * max(log x, -100) ]
//     dl/dx = f s (x - t) / max(x (1 - x), 1e-12)
//   LOGITS input x (binary_cross_entropy_with_logits, in its stable form):
//     l = s * [ max(x, 0) - x t + log1p(exp(-|x|)) ]
//     dl/dx = f s (sigmoid(x) - t)
// Input and target values are data, not arguments: out-of-range ones are not rejected (NaN
// propagates), so one sweep reads each element once.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "blocks.h"
#include "ce_logits.h"
#include "error.h"
#include "isa.h"
#include "job.h"
#include "reduce.h"

namespace xent {

namespace {

struct BlockSums {
    double loss = 0.0;
    double weight = 0.0;
    int64_t correct = 0;
    int64_t bad_position = -1;
    double bad_value = 0.0;
};

template <typename T, int kInput>
class BinaryKernel {
    static constexpr bool kLogits = kInput == XENT_INPUT_LOGITS;

public:
    explicit BinaryKernel(const Job& job)
        : p_(job.problem),
          x_(static_cast<const T*>(job.input)),
          t_(static_cast<const T*>(job.target)),
          s_(static_cast<const T*>(job.sample_weights)),
          g_(static_cast<const T*>(job.grad_output)),
          loss_out_(static_cast<T*>(job.loss_out)),
          grad_(static_cast<T*>(job.grad_input)) {}

    // Pass 1 (sample weights only): validates them and sums the MEAN divisor.
    void weigh_block(int64_t first, int64_t end, BlockSums& sums) const {
        double weight = 0.0;  // local: summing into `sums` chains every element through memory
        for (int64_t e = first; e < end; ++e) {
            const double s = static_cast<double>(s_[e]);
            if (!(s >= 0.0 && std::isfinite(s))) {
                if (sums.bad_position < 0) {
                    sums.bad_position = e;
                    sums.bad_value = s;
                }
                continue;
            }
            weight += s;
        }
        sums.weight += weight;
    }

    void compute_block(int64_t first, int64_t end, double factor, BlockSums& sums) const {
        const bool none = p_.reduction == XENT_REDUCTION_NONE;
        double loss = 0.0;
        int64_t correct = 0;
        for (int64_t e = first; e < end; ++e) {
            const double x = static_cast<double>(x_[e]), t = static_cast<double>(t_[e]);
            const double s = s_ ? static_cast<double>(s_[e]) : 1.0;
            double l, dl;
            if constexpr (kLogits) {
                l = std::max(x, 0.0) - x * t + std::log1p(std::exp(-std::fabs(x)));
                const double z = std::exp(-std::fabs(x));  // sigmoid without overflow
                dl = (x >= 0.0 ? 1.0 / (1.0 + z) : z / (1.0 + z)) - t;
            } else {
                l = (t - 1.0) * std::max(std::log1p(-x), -100.0) - t * std::max(std::log(x), -100.0);
                dl = (x - t) / std::max(x * (1.0 - x), 1e-12);
            }
            l *= s;
            loss += l;
            correct += (kLogits ? x > 0.0 : x > 0.5) == (t > 0.5);
            if (loss_out_) loss_out_[e] = static_cast<T>(p_.scale * l);
            if (grad_) {
                const double f = none ? p_.scale * (g_ ? static_cast<double>(g_[e]) : 1.0) : factor;
                grad_[e] = static_cast<T>(f * s * dl);
            }
        }
        sums.loss += loss;
        sums.correct += correct;
    }

private:
    const xent_problem& p_;
    const T* x_;
    const T* t_;
    const T* s_;
    const T* g_;
    T* loss_out_;
    T* grad_;
};

template <typename T, int kInput>
int run(const Job& job, xent_result* result) {
    BinaryKernel<T, kInput> kernel(job);
    const xent_problem& p = job.problem;
    const int64_t n = job.layout.elements;
    // One "class" per element: blocks of kElementsPerBlock elements.
    const Blocks blocks = plan_blocks(n, 1);
    // Small calls keep their block sums on the stack: no allocation per call. (Few slots: they
    // are zeroed on every call, and calls of more blocks have work enough to amortise a vector.)
    constexpr int64_t kLocalBlocks = 4;
    BlockSums local[kLocalBlocks];
    std::vector<BlockSums> heap(blocks.count > kLocalBlocks ? static_cast<size_t>(blocks.count) : 0);
    BlockSums* sums = blocks.count > kLocalBlocks ? heap.data() : local;

    double weight = static_cast<double>(n);
    if (job.sample_weights != nullptr) {
        for_each_block(blocks, n, n, job.threads,
                       [&](int64_t b, int64_t first, int64_t end) { kernel.weigh_block(first, end, sums[b]); });
        weight = 0.0;
        for (int64_t b = 0; b < blocks.count; ++b) {
        const BlockSums& s = sums[b];
            if (s.bad_position >= 0)
                return fail(XENT_ERR_ARGUMENT, "sample_weights: weight at position %lld is %g, must be finite and >= 0",
                            (long long)s.bad_position, s.bad_value);
            weight += s.weight;
        }
    }

    const double factor = reduced_factor(p, weight);
    if (const LogitsKernels* simd = logits_kernels()) {  // the vectorised kernel of the current ISA
        const LogitsJob lj = logits_job(job, 0.0);
        const LogitsRowsFn binary = sizeof(T) == 4 ? simd->binary_f32 : simd->binary_f64;
        for_each_block(blocks, n, n, job.threads, [&](int64_t b, int64_t first, int64_t end) {
            LogitsSums ls{0.0, 0};
            binary(lj, first, end, factor, &ls);
            sums[b].loss += ls.loss;
            sums[b].correct += ls.correct;
        });
    } else {
        for_each_block(blocks, n, n, job.threads,
                       [&](int64_t b, int64_t first, int64_t end) { kernel.compute_block(first, end, factor, sums[b]); });
    }
    double loss = 0.0;
    int64_t correct = 0;
    for (int64_t b = 0; b < blocks.count; ++b) {
        const BlockSums& s = sums[b];
        loss += s.loss;
        correct += s.correct;
    }
    write_result(p, loss, weight, n, correct, result);
    return XENT_OK;
}

}  // namespace

int compute_binary(const Job& job, xent_result* result) {
    const bool logits = job.problem.input_kind == XENT_INPUT_LOGITS;
    if (job.problem.dtype == XENT_FLOAT32)
        return logits ? run<float, XENT_INPUT_LOGITS>(job, result) : run<float, XENT_INPUT_PROBABILITIES>(job, result);
    return logits ? run<double, XENT_INPUT_LOGITS>(job, result) : run<double, XENT_INPUT_PROBABILITIES>(job, result);
}

}  // namespace xent
