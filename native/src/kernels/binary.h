// Binary cross-entropy (BINARY targets), vectorised: the formulas of binary_scalar.h, one vector of
// elements at a time, in the input's own precision.
//
// With u = exp(-|x|) and w = 1 + u, logits input gives
//   l = max(x, 0) - x t + log1p(u)               (two terms >= 0 for t in [0, 1])
//   dl/dx = sigmoid(x) - t = (x >= 0 ? (1 - t) - u / w : u / w - t)
// where the second form never subtracts two numbers near 1 (sigmoid(20) - 1 keeps its digits).
// log1p(u) is log(w) + (u - (w - 1)) / w: the correction restores what rounding 1 + u lost, so
// it stays accurate down to u = 1e-38. A block's last, partial vector is read and written with
// masked loads and stores.
#pragma once

#include <cstdint>

#include "kernels/vector_kernels.h"
#include "vec/math.h"
#include "vec/ops.h"
#include "vec/primitives.h"

namespace xent {
namespace XENT_ISA {

// Elements [first, end) of a binary problem.
template <typename T, bool kLogits, bool kGrad>
void binary(const KernelJob& j, int64_t first, int64_t end, double factor, KernelSums* sums) {
    using V = typename Simd<T>::V;
    using I = typename Simd<T>::I;
    constexpr int W = Simd<T>::kLanes;
    const T* x = static_cast<const T*>(j.input);
    const T* t = static_cast<const T*>(j.target);
    const T* sw = static_cast<const T*>(j.sample_weights);
    const T* go = static_cast<const T*>(j.grad_output);
    T* loss_out = static_cast<T*>(j.loss_out);
    T* g = static_cast<T*>(j.grad);
    // Per lane: in T for 8 vectors, then in double (a block's sum must not drift; float lanes in
    // two halves, plain variables: GCC keeps a loop-carried Wide on the stack).
    RegD loss_lo{}, loss_hi{};
    V loss_t{};
    int pending = 0;
    auto flush = [&] {
        if constexpr (sizeof(T) == 4) {
            loss_lo += __builtin_convertvector(low_half(loss_t), RegD);
            loss_hi += __builtin_convertvector(high_half(loss_t), RegD);
        } else {
            loss_lo += loss_t;
        }
        loss_t = V{};
        pending = 0;
    };
    I correct{};
    for (int64_t e = first; e < end; e += W) {
        const int n = end - e < W ? static_cast<int>(end - e) : W;
        const bool part = n < W;
        // A last, partial vector: its lanes past the end are read as 0 and add nothing.
        auto get = [&](const T* p) { return part ? load_partial<T>(p + e, n, T(0)) : load<T>(p + e); };
        const V xv = get(x), tv = get(t);
        const V valid = part ? first_lanes<T>(n, T(1), T(0)) : V{} + T(1);
        V l, dl;
        I right;
        if constexpr (kLogits) {
            const V ax = xv < T(0) ? -xv : xv;
            const V u = vexp<T>(-ax);
            const V w = u + T(1), r = T(1) / w;
            const V q = u * r;  // sigmoid(-|x|)
            l = (xv < T(0) ? V{} : xv) - xv * tv + vlog1p<T>(u, w, r);
            dl = xv >= T(0) ? (T(1) - tv) - q : q - tv;
            right = (xv > T(0)) == (tv > T(0.5));
        } else {
            const V w = T(1) - xv;
            const V log_x = vlog_any<T>(xv), log_1mx = vlog1p<T>(-xv, w, T(1) / w);
            const V floor = V{} + T(-100);
            // (max(a, b) as std::max: a < b ? b : a, so a NaN stays NaN, as in the scalar kernel)
            l = (tv - T(1)) * (log_1mx < floor ? floor : log_1mx) - tv * (log_x < floor ? floor : log_x);
            const V d = xv * (T(1) - xv);
            dl = (xv - tv) / (d < T(1e-12) ? V{} + T(1e-12) : d);
            right = (xv > T(0.5)) == (tv > T(0.5));
        }
        const V s = sw ? get(sw) : valid;
        l = part ? (valid > T(0) ? l * s : V{}) : l * s;  // (padded lanes: 0, not 0 * NaN)
        loss_t += l;
        if (++pending == 8) flush();
        correct += part ? (right & (valid > T(0))) : right;  // true lanes are -1
        if (loss_out) {
            const V out = l * static_cast<T>(j.scale);
            if (part) store_partial<T>(loss_out + e, out, n);
            else store<T>(loss_out + e, out);
        }
        if constexpr (kGrad) {
            V f = V{} + static_cast<T>(factor);
            if (j.reduction_none) f = (go ? get(go) : V{} + T(1)) * static_cast<T>(j.scale);
            const V out = f * s * dl;
            if (part) store_partial<T>(g + e, out, n);
            else store<T>(g + e, out);
        }
    }
    flush();
    sums->loss += hsum_tree(loss_lo + loss_hi);
    sums->correct -= hsum_tree(correct);
}

template <typename T>
void select_binary(const KernelJob& j, int64_t first, int64_t end, double factor, KernelSums* sums) {
    if (j.input_logits) {
        if (j.grad) binary<T, true, true>(j, first, end, factor, sums);
        else binary<T, true, false>(j, first, end, factor, sums);
    } else {
        if (j.grad) binary<T, false, true>(j, first, end, factor, sums);
        else binary<T, false, false>(j, first, end, factor, sums);
    }
}

}  // namespace XENT_ISA
}  // namespace xent
