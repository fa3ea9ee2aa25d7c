// INDEX targets with PROBABILITIES or LOG_PROBABILITIES input, without label smoothing
// (PyTorch's nll_loss, and cross-entropy on probabilities), class-last rows and class axis 1: the
// formulas of class_scalar.h, in the same order (the same bits, NaN payloads aside), a vector
// at a time. Only the target's log q enters the loss and only its gradient element is not zero,
// so a row is one sweep for its arg-max (the accuracy) and one that writes the gradient.
//
// The other elements' gradient is -f * 0 * dlog_q(x): a zero with the sign of -f, or NaN where f
// is not finite or (probability input) where x is NaN, as the scalar kernel's arithmetic gives.
#pragma once

#include <cstdint>

#include "kernels/job_access.h"
#include "kernels/tile.h"
#include "kernels/vector_kernels.h"
#include "vec/ops.h"
#include "vec/primitives.h"

namespace xent {
namespace XENT_ISA {

// One counted position: its loss (added to the sums in position order, and written when asked)
// and its accuracy, and, for the gradient, the target's element and the zero of the others.
// v is the input at the target class.
template <typename T, bool kProbs>
inline void nll_position(const KernelJob& j, int64_t pos, int64_t cls, bool hit, double v, double factor,
                         KernelSums* sums, T* zero, T* g_y) {
    // (max as std::max: a < b ? b : a. No standard-library inline code in an ISA's kernels.)
    const double log_v = kProbs ? __builtin_log(v) : v;
    const double log_q = kProbs ? (log_v < -100.0 ? -100.0 : log_v) : v;
    const double wy = static_cast<double>(class_weight<T>(j, cls));
    double l = -(1.0 - j.eps) * wy * log_q;
    l *= sample_weight<T>(j, pos);
    sums->loss += l;
    sums->correct += hit;
    if (j.loss_out) static_cast<T*>(j.loss_out)[pos] = static_cast<T>(j.scale * l);
    if (zero == nullptr) return;
    const double f = gradient_factor<T>(j, pos, factor);
    *zero = static_cast<T>(-f * 0.0);
    *g_y = static_cast<T>(-f * ((1.0 - j.eps) * wy) * (kProbs ? 1.0 / (v < 1e-12 ? 1e-12 : v) : 1.0));
}

template <typename T, bool kProbs, bool kGrad>
void nll_rows(const KernelJob& j, int64_t first, int64_t end, double factor, KernelSums* sums) {
    using V = typename Simd<T>::V;
    constexpr int W = Simd<T>::kLanes;
    const int64_t C = j.classes;
    const T neg_inf = -static_cast<T>(__builtin_inf());
    for (int64_t pos = first; pos < end; ++pos) {
        const T* x = static_cast<const T*>(j.input) + pos * C;
        T* g = kGrad ? static_cast<T*>(j.grad) + pos * C : nullptr;
        const int64_t cls = class_of(j, pos);
        // Arg-max: the max skipping NaN (as vmax, from -inf), then the first element equal to it;
        // none (class 0) when the row holds nothing above -inf.
        V top = V{} + neg_inf;
        int64_t c = 0;
        for (; c + W <= C; c += W) top = vmax<T>(top, load<T>(x + c));
        if (c < C) top = vmax<T>(top, load_partial<T>(x + c, static_cast<int>(C - c), neg_inf));
        const T best = hmax<T>(top);
        int64_t best_index = 0;
        if (best > neg_inf) {
            for (c = 0; c + W <= C; c += W) {
                const int l = first_lane_equal<T>(load<T>(x + c), best);
                if (l >= 0) break;
            }
            for (; c < C; ++c)
                if (x[c] == best) break;
            best_index = c;
        }
        if (cls < 0) {
            if (j.loss_out) static_cast<T*>(j.loss_out)[pos] = T(0);
            if (kGrad) {
                for (c = 0; c + W <= C; c += W) store<T>(g + c, V{});
                for (; c < C; ++c) g[c] = T(0);
            }
            continue;
        }
        // (x_y is read before an in-place gradient overwrites it.)
        T zero = T(0), g_y = T(0);
        nll_position<T, kProbs>(j, pos, cls, best_index == cls, static_cast<double>(x[cls]), factor, sums,
                                kGrad ? &zero : nullptr, &g_y);
        if (!kGrad) continue;
        const V zeros = V{} + zero;
        for (c = 0; c + W <= C; c += W) {
            V out = zeros;
            if (kProbs) {
                const V xv = load<T>(x + c);
                out = xv == xv ? out : xv;  // NaN where x is NaN
            }
            store<T>(g + c, out);
        }
        for (; c < C; ++c) g[c] = kProbs && x[c] != x[c] ? x[c] : zero;
        g[cls] = g_y;
    }
}

template <typename T>
void select_nll_rows(const KernelJob& j, int64_t first, int64_t end, double factor, KernelSums* sums) {
    const bool probs = j.input_probabilities;
    if (j.grad) {
        if (probs) nll_rows<T, true, true>(j, first, end, factor, sums);
        else nll_rows<T, false, true>(j, first, end, factor, sums);
    } else {
        if (probs) nll_rows<T, true, false>(j, first, end, factor, sums);
        else nll_rows<T, false, false>(j, first, end, factor, sums);
    }
}

// The same for class axis 1: the `width` positions (o, i0 ..) one vector wide, a lane each. The
// arg-max and x_y come from one sweep over the class rows and the gradient from a second; the
// per-position loss, in the scalar kernel's order, lane by lane.
template <typename T, bool kProbs, bool kGrad>
void nll_tile(const KernelJob& j, int64_t o, int64_t i0, int width, double factor, KernelSums* sums) {
    using V = typename Simd<T>::V;
    using I = typename Simd<T>::I;
    using IV = typename Simd<T>::Int;
    constexpr int W = Simd<T>::kLanes;
    const int64_t C = j.classes, S = j.inner, p0 = o * S + i0;
    const T* x = static_cast<const T*>(j.input) + o * C * S + i0;
    T* g = kGrad ? static_cast<T*>(j.grad) + o * C * S + i0 : nullptr;
    const bool partial = width < W;
    auto load_at = [&](const T* p) { return partial ? load_partial<T>(p, width, T(0)) : load<T>(p); };
    I cls{}, excluded{};
    lane_targets<T>(j, p0, width, cls, excluded);
    for (int l = 0; l < W; ++l)
        if (l >= width || (j.lengths != nullptr && class_of(j, p0 + l) < 0)) excluded[l] = -1;
    const T neg_inf = -static_cast<T>(__builtin_inf());
    V best = V{} + neg_inf, xy{};
    I best_index{};
    for (int64_t c = 0; c < C; ++c) {
        const V v = load_at(x + c * S);
        __builtin_prefetch(x + c * S + kPrefetchTiles * W);  // as in tile(): C streams in, C out
        if (kGrad) __builtin_prefetch(g + c * S + kPrefetchTiles * W, 1);
        const I ci = I{} + static_cast<IV>(c);
        const I better = v > best;  // the first max; NaN never wins
        best = better ? v : best;
        best_index = better ? ci : best_index;
        xy = ci == cls ? v : xy;
    }
    T zero[W], g_y[W];
    for (int l = 0; l < width; ++l) {
        const int64_t pos = p0 + l;
        zero[l] = T(0);
        if (excluded[l]) {
            if (j.loss_out) static_cast<T*>(j.loss_out)[pos] = T(0);
            continue;
        }
        nll_position<T, kProbs>(j, pos, cls[l], best_index[l] == cls[l], static_cast<double>(xy[l]), factor, sums,
                                kGrad ? &zero[l] : nullptr, &g_y[l]);
    }
    if (!kGrad) return;
    for (int l = width; l < W; ++l) zero[l] = T(0);
    const V zeros = load<T>(zero);
    for (int64_t c = 0; c < C; ++c) {
        V out = zeros;
        if (kProbs) {
            const V v = load_at(x + c * S);
            out = (v == v) | excluded ? out : v;  // NaN where x is NaN (counted positions)
        }
        if (partial) store_partial<T>(g + c * S, out, width);
        else store<T>(g + c * S, out);
    }
    for (int l = 0; l < width; ++l)
        if (!excluded[l]) g[cls[l] * S + l] = g_y[l];
}

template <typename T>
void select_nll_tile(const KernelJob& j, int64_t o, int64_t i0, int width, double factor, KernelSums* sums) {
    const bool probs = j.input_probabilities;
    if (j.grad) {
        if (probs) nll_tile<T, true, true>(j, o, i0, width, factor, sums);
        else nll_tile<T, false, true>(j, o, i0, width, factor, sums);
    } else {
        if (probs) nll_tile<T, true, false>(j, o, i0, width, factor, sums);
        else nll_tile<T, false, false>(j, o, i0, width, factor, sums);
    }
}

}  // namespace XENT_ISA
}  // namespace xent
