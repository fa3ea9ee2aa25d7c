// Binary cross-entropy (BINARY targets), the scalar reference kernel (and the kernel of the
// scalar ISA; the others take kernels/binary.h): every element is its own two-class problem
// (docs/semantics.md). With sample weight s, target t and gradient factor f:
//   PROBABILITIES input x (PyTorch's binary_cross_entropy):
//     l = s * [ (t - 1) * max(log1p(-x), -100) - t * max(log x, -100) ]
//     dl/dx = f s (x - t) / max(x (1 - x), 1e-12)
//   LOGITS input x (binary_cross_entropy_with_logits, in its stable form):
//     l = s * [ max(x, 0) - x t + log1p(exp(-|x|)) ]
//     dl/dx = f s (sigmoid(x) - t)
// Input and target values are data, not arguments: out-of-range ones are not rejected (NaN
// propagates), so one sweep reads each element once.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "job.h"
#include "kernels/vector_kernels.h"
#include "xent.h"

namespace xent {

template <typename T, int kInput>
class BinaryReference {
    static constexpr bool kLogits = kInput == XENT_INPUT_LOGITS;

public:
    explicit BinaryReference(const Job& job)
        : p_(job.problem),
          x_(static_cast<const T*>(job.input)),
          t_(static_cast<const T*>(job.target)),
          s_(static_cast<const T*>(job.sample_weights)),
          g_(static_cast<const T*>(job.grad_output)),
          loss_out_(static_cast<T*>(job.loss_out)),
          grad_(static_cast<T*>(job.grad_input)) {}

    void compute_block(int64_t first, int64_t end, double factor, KernelSums& sums) const {
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

}  // namespace xent
