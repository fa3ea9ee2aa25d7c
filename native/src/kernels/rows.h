// Class-last rows one at a time (long rows), logits input, index or probability targets: the
// formulas of class_scalar.h, one vector of classes at a time.
//
// A row takes two sweeps. Sweep 1 reads the row once, in chunks of kChunk vectors: the chunk's max
// updates the row's running max m (rescaling the running sum when it grows: online softmax), then
// e = exp(x - m) is summed and, when a gradient is wanted, stored in the gradient buffer with the m
// it was taken against. Sweep 2 turns the stored e into the gradient while the row is still in
// cache: one exp per element, plus one per chunk. Rows of up to two chunks go eight at a time,
// with one vector log for their sums.
//
// With a soft-cap (kCap), sweep 1 turns x into z = c tanh(x / c) and keeps z where it would keep
// the exps (the gradient buffer, or a chunk on the stack for a forward pass), and sweep 2 takes
// the exps of z again against the row's final max: one tanh and two exps per element. A z-loss
// costs a few operations per row. With lse_out (the fused linear form), every row's log-sum-exp is
// written, an excluded row's too.
#pragma once

#include <algorithm>
#include <cstdint>

#include "kernels/job_access.h"
#include "kernels/vector_kernels.h"
#include "vec/math.h"
#include "vec/ops.h"
#include "vec/primitives.h"

namespace xent {
namespace XENT_ISA {

// Vectors per chunk of sweep 1: one max, rescale check and horizontal sum per chunk, so large
// chunks amortise them; the chunk is read twice (max, then exps), the second time from L1.
constexpr int kChunk = 32;

// Sweep state of one class-last row.
template <typename T>
struct RowState {
    using V = typename Simd<T>::V;
    using I = typename Simd<T>::I;
    T m = Simd<T>::kLowest;  // running max; the lowest finite value keeps -inf - m at -inf
    double sum = 0.0;         // sum of exp(x - m)
    // Arg-max per chunk: only a chunk whose max beats every earlier one is searched, so the
    // common chunk pays one comparison. Ties keep the earlier index.
    T best = -static_cast<T>(__builtin_inf());
    int64_t best_index = 0;
    T target_best = -static_cast<T>(__builtin_inf());
    int64_t target_index = 0;
    // Against the running max m: sum w_c (x_c - m) and sum w_c (index targets with smoothing), or
    // sum a_c (x_c - m) and sum a_c (probability targets). Measuring from m keeps the terms small,
    // so the loss does not cancel (a single class gives exactly 0). Summed in float within a chunk,
    // in double across chunks, like the exps.
    double weighted = 0.0;
    double a_total = 0.0;
};

// Sweep 1 over `count` vectors at class c (the last one holding `tail` valid lanes, tail == lanes
// when all are full): max, rescale, exp, sum, store, arg-max and the target-side sums. With kCap,
// the chunk's z goes to `z` first (the gradient buffer, or the stack) and everything reads it.
template <typename T, bool kIndex, bool kSmooth, bool kGrad, bool kCap>
inline void sweep1_chunk(const KernelJob& j, const T* x, const T* t, T* g, T* z, int64_t c, int count, int tail,
                         RowState<T>& st) {
    using V = typename Simd<T>::V;
    constexpr int W = Simd<T>::kLanes;
    const T* w = static_cast<const T*>(j.class_weights);
    const T neg_inf = -static_cast<T>(__builtin_inf());
    if (kCap) {  // z = c tanh(x / c); padded lanes stay -inf
        const T cap = static_cast<T>(j.softcap), inv_cap = static_cast<T>(j.inv_softcap);
        for (int k = 0; k < count; ++k) {
            const bool partial = k == count - 1 && tail < W;
            const V zk = vsoftcap<T>(partial ? load_partial<T>(x + c + k * W, tail, T(0)) : load<T>(x + c + k * W), cap, inv_cap);
            if (partial) store_partial<T>(z + k * W, zk, tail);
            else store<T>(z + k * W, zk);
        }
    }
    // The chunk's logits, from the element at class `at`: x, or z from where it was just kept.
    auto logits = [&](int64_t at) { return kCap ? z + (at - c) : x + at; };
    auto load_x = [&](int k) {
        const bool partial = k == count - 1 && tail < W;
        return partial ? load_partial<T>(logits(c + k * W), tail, neg_inf) : load<T>(logits(c + k * W));
    };
    V top = load_x(0), top2 = V{} + neg_inf;
    int k0 = 1;
    for (; k0 + 1 < count; k0 += 2) {  // two accumulators: max has latency
        top = vmax<T>(top, load_x(k0));
        top2 = vmax<T>(top2, load_x(k0 + 1));
    }
    if (k0 < count) top = vmax<T>(top, load_x(k0));
    const T chunk_max = hmax<T>(vmax<T>(top, top2));
    if (chunk_max > st.best) {  // the first element equal to the new best
        st.best = chunk_max;
        st.best_index = c;
        for (int k = 0; k < count; ++k) {
            const int l = first_lane_equal<T>(load_x(k), chunk_max);
            if (l >= 0) {
                st.best_index = c + k * W + l;
                break;
            }
        }
    }
    if (chunk_max > st.m) {
        // (Nothing to rescale before the first finite chunk: skip its exp, which short rows wait on.)
        if (st.sum != 0.0) st.sum *= static_cast<double>(sexp<T>(st.m - chunk_max));
        // Re-measure the weighted sums from the new max. While m is still the lowest float only
        // -inf (or NaN) has been seen, and those sums must stay as they are.
        if (st.m != Simd<T>::kLowest) st.weighted -= st.a_total * (static_cast<double>(chunk_max) - st.m);
        st.m = chunk_max;
    }
    const V m = V{} + st.m;
    // Read from the job once: the vector stores below may alias anything, so the compiler would
    // read and convert these again for every vector.
    const V keep = V{} + static_cast<T>(1.0 - j.eps), per_class = V{} + static_cast<T>(j.eps_per_class);
    V acc = V{}, weighted = V{}, a_total = V{}, target_top = V{} + neg_inf;
    for (int k = 0; k < count; ++k) {
        const bool partial = k == count - 1 && tail < W;
        const int64_t at = c + k * W;
        const V xk = load_x(k);
        const V e = vexp<T, true>(xk - m);
        acc += e;
        if (!kIndex || kSmooth) {
            // Padded lanes must add nothing: x and w are read as 0 there. (x is read before e is
            // stored: with an in-place gradient they are the same memory.)
            const V d = partial ? load_partial<T>(logits(at), tail, T(0)) - m : xk - m;
            const V wv = w ? (partial ? load_partial<T>(w + at, tail, T(0)) : load<T>(w + at))
                           : (partial ? first_lanes<T>(tail, T(1), T(0)) : V{} + T(1));
            if (kIndex) {
                weighted += wv * d;
                a_total += wv;
            } else {
                const V tv = partial ? load_partial<T>(t + at, tail, T(0)) : load<T>(t + at);
                V a = tv * keep + per_class;
                if (w || partial) a *= wv;  // (no multiply by 1 per vector)
                weighted += a * d;
                a_total += a;
                target_top = vmax<T>(target_top, partial ? load_partial<T>(t + at, tail, neg_inf) : tv);
            }
        }
        if (kGrad && !kCap) {
            if (partial) store_partial<T>(g + at, e, tail);
            else store<T>(g + at, e);
        }
    }
    st.sum += hsum<T>(acc);
    if (!kIndex || kSmooth) {
        st.weighted += hsum<T>(weighted);
        st.a_total += hsum<T>(a_total);
    }
    if (!kIndex) {  // the target's arg-max, per chunk like the input's
        const T t_max = hmax<T>(target_top);
        if (t_max > st.target_best) {
            st.target_best = t_max;
            for (int k = 0; k < count; ++k) {
                const bool partial = k == count - 1 && tail < W;
                const V tv = partial ? load_partial<T>(t + c + k * W, tail, neg_inf) : load<T>(t + c + k * W);
                const int l = first_lane_equal<T>(tv, t_max);
                if (l >= 0) {
                    st.target_index = c + k * W + l;
                    break;
                }
            }
        }
    }
}

// Sweep 2 over the same vectors: stored e -> gradient.
template <typename T, bool kIndex, bool kSmooth>
inline void sweep2_chunk(const KernelJob& j, const T* t, T* g, int64_t c, int count, int tail, T scale_e,
                         T smooth, T f) {
    using V = typename Simd<T>::V;
    constexpr int W = Simd<T>::kLanes;
    const T* w = static_cast<const T*>(j.class_weights);
    // Once, not per vector: the stores may alias the job (see sweep1_chunk).
    const V keep_f = V{} + static_cast<T>((1.0 - j.eps) * f), per_class_f = V{} + static_cast<T>(j.eps_per_class * f);
    for (int k = 0; k < count; ++k) {
        const bool partial = k == count - 1 && tail < W;
        const int64_t at = c + k * W;
        const V e = partial ? load_partial<T>(g + at, tail, T(0)) : load<T>(g + at);
        V out = e * scale_e;
        if (kIndex) {
            if (kSmooth) {
                const V wv = w ? (partial ? load_partial<T>(w + at, tail, T(0)) : load<T>(w + at)) : V{} + T(1);
                out -= wv * smooth;
            }
        } else {
            const V wv = w ? (partial ? load_partial<T>(w + at, tail, T(0)) : load<T>(w + at)) : V{} + T(1);
            const V tv = partial ? load_partial<T>(t + at, tail, T(0)) : load<T>(t + at);
            out -= wv * (tv * keep_f + per_class_f);
        }
        if (partial) store_partial<T>(g + at, out, tail);
        else store<T>(g + at, out);
    }
}

// Sweep 2 with a soft-cap, over the z kept in the gradient buffer: e = exp(z - m) against the
// row's max, the gradient of z, times the soft-cap's slope 1 - (z / c)^2.
template <typename T, bool kIndex, bool kSmooth>
inline void sweep2_chunk_capped(const KernelJob& j, const T* t, T* g, int64_t c, int count, int tail, T m, T coef,
                                T smooth, T f) {
    using V = typename Simd<T>::V;
    constexpr int W = Simd<T>::kLanes;
    const T* w = static_cast<const T*>(j.class_weights);
    const T inv_cap = static_cast<T>(j.inv_softcap);
    const V keep_f = V{} + static_cast<T>((1.0 - j.eps) * f), per_class_f = V{} + static_cast<T>(j.eps_per_class * f);
    for (int k = 0; k < count; ++k) {
        const bool partial = k == count - 1 && tail < W;
        const int64_t at = c + k * W;
        const V z = partial ? load_partial<T>(g + at, tail, T(0)) : load<T>(g + at);
        V out = vexp<T, true>(z - m) * coef;
        if (kIndex) {
            if (kSmooth) {
                const V wv = w ? (partial ? load_partial<T>(w + at, tail, T(0)) : load<T>(w + at)) : V{} + T(1);
                out -= wv * smooth;
            }
        } else {
            const V wv = w ? (partial ? load_partial<T>(w + at, tail, T(0)) : load<T>(w + at)) : V{} + T(1);
            const V tv = partial ? load_partial<T>(t + at, tail, T(0)) : load<T>(t + at);
            out -= wv * (tv * keep_f + per_class_f);
        }
        out *= vsoftcap_slope<T>(z, inv_cap);
        if (partial) store_partial<T>(g + at, out, tail);
        else store<T>(g + at, out);
    }
}

template <typename T, bool kIndex, bool kSmooth, bool kGrad, bool kCap>
void rows(const KernelJob& j, int64_t first, int64_t end, double factor, KernelSums* sums) {
    constexpr int W = Simd<T>::kLanes;
    const int64_t C = j.classes;
    const T cap = static_cast<T>(j.softcap), inv_cap = static_cast<T>(j.inv_softcap);
    alignas(64) T z_chunk[kCap && !kGrad ? kChunk * W : 1];  // a forward pass's z, one chunk at a time
    // A row is read in chunks of kChunk vectors, the last one shorter: one chunk for rows up to
    // kChunk * W elements (a chunk's max, rescale and horizontal sums are paid once per chunk).
    constexpr int64_t kChunkElements = kChunk * W;
    auto chunk_shape = [&](int64_t c, int& count, int& tail) {
        const int64_t left = C - c;
        count = left >= kChunkElements ? kChunk : static_cast<int>((left + W - 1) / W);
        tail = left >= kChunkElements ? W : static_cast<int>(left - (count - 1) * W);
    };
    const int64_t chunks = (C + kChunkElements - 1) / kChunkElements;
    // Rows of up to kGroupChunks chunks go kGroup at a time: sweep 1 of each, one vector log of
    // their sums (libm's log per row was a sixth of a 100-class row's time), then the rest of
    // each. Longer rows gain nothing from it (a log per 1000 elements is lost in the noise).
    constexpr int kGroup = 8, kGroupChunks = 2;
    const int group = chunks <= kGroupChunks ? kGroup : 1;
    // Chunk maxima of the group's rows, for sweep 2; very long rows take a heap buffer once per call.
    T local[1024];
    T* chunk_max = group * chunks <= 1024 ? local : static_cast<T*>(__builtin_malloc(sizeof(T) * group * chunks));
    RowState<T> state[kGroup];
    double xy[kGroup];
    int64_t cls[kGroup];
    alignas(64) double log_sum[kGroup];
    for (int64_t g0 = first; g0 < end; g0 += group) {
        const int n = static_cast<int>(end - g0 < group ? end - g0 : group);
        // Sweep 1 of each row.
        for (int r = 0; r < n; ++r) {
            const int64_t pos = g0 + r;
            const T* x = static_cast<const T*>(j.input) + pos * C;
            const T* t = j.index_targets ? nullptr : static_cast<const T*>(j.target) + pos * C;
            T* g = kGrad ? static_cast<T*>(j.grad) + pos * C : nullptr;
            cls[r] = class_of(j, pos);
            state[r] = RowState<T>{};
            log_sum[r] = 0.0;
            // (An excluded row's sweep 1 only for its log-sum-exp.)
            if (cls[r] < 0 && j.lse_out == nullptr) continue;
            // (Before an in-place sweep 1 overwrites it.)
            if (kIndex && cls[r] >= 0) xy[r] = static_cast<double>(kCap ? ssoftcap<T>(x[cls[r]], cap, inv_cap) : x[cls[r]]);
            int64_t chunk = 0;
            for (int64_t c = 0; c < C; c += kChunkElements, ++chunk) {
                int count, tail;
                chunk_shape(c, count, tail);
                sweep1_chunk<T, kIndex, kSmooth, kGrad, kCap>(j, x, t, g, kGrad ? g + c : z_chunk, c, count, tail, state[r]);
                chunk_max[r * chunks + chunk] = state[r].m;
            }
        }
        // The logs of the sums (excluded rows: log 1, unused).
        const bool lse_out = j.lse_out != nullptr;
        if (group == 1) {
            if (cls[0] >= 0 || lse_out) log_sum[0] = __builtin_log(state[0].sum);
        } else {
            alignas(64) double sum[kGroup];
            for (int r = 0; r < kGroup; ++r) sum[r] = r < n && (cls[r] >= 0 || lse_out) ? state[r].sum : 1.0;
            constexpr int kPerReg = sizeof(RegD) / sizeof(double);
            for (int r = 0; r < kGroup; r += kPerReg) {
                const RegD v = vlog_reg(load_any<RegD>(sum + r));
                __builtin_memcpy(log_sum + r, &v, sizeof v);
            }
        }
        // The rest of each row: loss, metrics and sweep 2.
        for (int r = 0; r < n; ++r) {
            const int64_t pos = g0 + r;
            const T* t = j.index_targets ? nullptr : static_cast<const T*>(j.target) + pos * C;
            T* g = kGrad ? static_cast<T*>(j.grad) + pos * C : nullptr;
            if (lse_out) static_cast<T*>(j.lse_out)[pos] = static_cast<T>(static_cast<double>(state[r].m) + log_sum[r]);
            if (cls[r] < 0) {
                if (j.loss_out) static_cast<T*>(j.loss_out)[pos] = T(0);
                if (kGrad) for (int64_t c = 0; c < C; ++c) g[c] = T(0);
                continue;
            }
            const RowState<T>& st = state[r];
            const T* row_max = chunk_max + r * chunks;
            const double sp = sample_weight<T>(j, pos);
            double l;
            double a_total = 0.0, wy = 0.0;
            if (kIndex) {
                wy = static_cast<double>(class_weight<T>(j, cls[r]));
                // (x_y - m) - log sum, PyTorch's order: m + log sum first would lose the log sum
                // of large logits.
                l = -(1.0 - j.eps) * wy * ((xy[r] - static_cast<double>(st.m)) - log_sum[r]);
                if (kSmooth) l -= j.eps_per_class * (st.weighted - j.weight_total * log_sum[r]);
            } else {
                a_total = st.a_total;
                l = a_total * log_sum[r] - st.weighted;
            }
            l *= sp;
            sums->loss += l;
            sums->correct += st.best_index == (kIndex ? cls[r] : st.target_index);
            // The z-loss: lambda s lse^2, and its gradient 2 lambda lse q through the coefficient.
            const double lse = j.z_loss > 0.0 ? static_cast<double>(st.m) + log_sum[r] : 0.0;
            const double z_term = j.z_loss * sp * lse * lse;
            sums->z += z_term;
            if (j.loss_out) static_cast<T*>(j.loss_out)[pos] = static_cast<T>(j.scale * (l + z_term));
            if (!kGrad) continue;

            const double f = gradient_factor<T>(j, pos, factor);
            double coef = kIndex ? f * ((1.0 - j.eps) * wy + j.eps_per_class * j.weight_total) / st.sum
                                 : f * a_total / st.sum;
            if (j.z_loss > 0.0) coef += z_gradient_factor<T>(j, pos) * 2.0 * j.z_loss * lse / st.sum;
            if (kCap) {
                const T smooth = static_cast<T>(f * j.eps_per_class);
                for (int64_t c = 0; c < C; c += kChunkElements) {
                    int count, tail;
                    chunk_shape(c, count, tail);
                    sweep2_chunk_capped<T, kIndex, kSmooth>(j, t, g, c, count, tail, st.m, static_cast<T>(coef), smooth,
                                                            static_cast<T>(f));
                }
                if (kIndex) {  // the target's element in double, as below
                    const double e_y = static_cast<double>(sexp<T>(static_cast<T>(xy[r]) - st.m));
                    // z / c against the cap as z was computed (in T), so a saturated z gives 0.
                    const double t_y = xy[r] / static_cast<double>(static_cast<T>(j.softcap));
                    const double slope_y = std::max(0.0, 1.0 - t_y * t_y);
                    g[cls[r]] = static_cast<T>((coef * e_y - f * j.eps_per_class * wy - f * (1.0 - j.eps) * wy) * slope_y);
                }
                continue;
            }
            // The target's element is where q_y - 1 cancels: redo it in double from its stored e.
            const int64_t y_chunk = kIndex ? cls[r] / kChunkElements : 0;
            const double e_y = kIndex ? static_cast<double>(g[cls[r]]) : 0.0;
            const T smooth = static_cast<T>(f * j.eps_per_class);
            // exp(chunk max - row max): 1 for the chunks that hold the row's max (every chunk of a
            // short row), without an exp.
            auto rescale = [&](int64_t k) { return row_max[k] == st.m ? 1.0 : static_cast<double>(sexp<T>(row_max[k] - st.m)); };
            int64_t chunk = 0;
            for (int64_t c = 0; c < C; c += kChunkElements, ++chunk) {
                int count, tail;
                chunk_shape(c, count, tail);
                const T scale_e = static_cast<T>(coef * rescale(chunk));
                sweep2_chunk<T, kIndex, kSmooth>(j, t, g, c, count, tail, scale_e, smooth, static_cast<T>(f));
            }
            if (kIndex) {
                const double q_coef = coef * rescale(y_chunk);
                g[cls[r]] = static_cast<T>(q_coef * e_y - f * j.eps_per_class * wy - f * (1.0 - j.eps) * wy);
            }
        }
    }
    if (chunk_max != local) __builtin_free(chunk_max);
}

// The instance of rows() for the call's options.
template <typename T, bool kCap>
void select_rows_capped(const KernelJob& j, int64_t first, int64_t end, double factor, KernelSums* sums) {
    const bool grad = j.grad != nullptr, smooth = j.eps > 0.0;
    if (j.index_targets) {
        if (smooth) {
            if (grad) rows<T, true, true, true, kCap>(j, first, end, factor, sums);
            else rows<T, true, true, false, kCap>(j, first, end, factor, sums);
        } else {
            if (grad) rows<T, true, false, true, kCap>(j, first, end, factor, sums);
            else rows<T, true, false, false, kCap>(j, first, end, factor, sums);
        }
    } else {
        if (grad) rows<T, false, true, true, kCap>(j, first, end, factor, sums);
        else rows<T, false, true, false, kCap>(j, first, end, factor, sums);
    }
}

template <typename T>
void select_rows(const KernelJob& j, int64_t first, int64_t end, double factor, KernelSums* sums) {
    if (j.softcap > 0.0) select_rows_capped<T, true>(j, first, end, factor, sums);
    else select_rows_capped<T, false>(j, first, end, factor, sums);
}

}  // namespace XENT_ISA
}  // namespace xent
