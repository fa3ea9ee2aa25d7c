// One vector of positions at a time, a lane each, logits input, index or probability targets:
// class axis 1 (neighbouring positions, so every load is contiguous) and short class-last rows
// (a vector of rows, transposed in registers on the way in and out: vec/staging_transposed.h).
// The max comes first (the tile is small and stays in cache), then the exps, then the gradient.
#pragma once

#include <cstdint>

#include "kernels/job_access.h"
#include "kernels/vector_kernels.h"
#include "vec/math.h"
#include "vec/ops.h"
#include "vec/primitives.h"

namespace xent {
namespace XENT_ISA {

// The targets of the positions p0 .. p0 + W, as vectors of T's width: the class (0 where
// excluded) and whether the position is excluded: by the ignore index, or by a target outside
// [0, C) after the base (rewritten by another thread since pass 1: see class_of). Every comparison is on vectors of
// one register: GCC lowers a comparison of wider vectors (int64 lanes for float) lane by lane,
// through the stack, which cost more than the tile's arithmetic on short class axes.
// (A partial tile's `width` targets are copied into a zero-padded array first: the lanes past
// them are excluded by the caller.)
template <typename T>
__attribute__((always_inline)) inline void lane_targets(const KernelJob& j, int64_t p0, int width, typename Simd<T>::I& cls,
                                                        typename Simd<T>::I& excluded) {
    using I = typename Simd<T>::I;
    using RegL = Simd<double>::I;  // one register of int64 lanes
    constexpr int W = Simd<T>::kLanes, kPerReg = sizeof(RegL) / 8;
    const void* target = j.target;
    int64_t first = p0;
    int32_t local32[W];
    int64_t local64[W];
    if (width < W) {
        for (int l = 0; l < W; ++l) {
            local32[l] = l < width && j.target_int32 ? static_cast<const int32_t*>(j.target)[p0 + l] : 0;
            local64[l] = l < width && !j.target_int32 ? static_cast<const int64_t*>(j.target)[p0 + l] : 0;
        }
        target = j.target_int32 ? static_cast<const void*>(local32) : static_cast<const void*>(local64);
        first = 0;
    }
    // Unsigned lanes: a target below the base wraps high, past C.
    typedef uint64_t U64 __attribute__((vector_size(sizeof(RegL))));
    if constexpr (sizeof(T) == 8) {
        const I raw = j.target_int32 ? __builtin_convertvector(load_any<typename Simd<T>::I32>(static_cast<const int32_t*>(target) + first), I)
                                     : load_any<I>(static_cast<const int64_t*>(target) + first);
        const I shifted = (I)((U64)raw - static_cast<uint64_t>(j.index_base));
        excluded = (raw == j.ignore_index) | (I)((U64)shifted >= static_cast<uint64_t>(j.classes));
        cls = shifted & ~excluded;
    } else if (j.target_int32) {
        typedef uint32_t U32 __attribute__((vector_size(sizeof(I))));
        const I raw = load_any<I>(static_cast<const int32_t*>(target) + first);
        // An ignore index outside int32 matches no int32 target.
        const bool fits = j.ignore_index >= INT32_MIN && j.ignore_index <= INT32_MAX;
        const I shifted = (I)((U32)raw - static_cast<uint32_t>(j.index_base));
        excluded = fits ? raw == static_cast<int32_t>(j.ignore_index) : I{};
        excluded |= (I)((U32)shifted >= static_cast<uint32_t>(j.classes));  // (C < 2^31 here)
        cls = shifted & ~excluded;
    } else {
        typedef int32_t Half __attribute__((vector_size(kPerReg * 4)));
        Half cls_half[2], excluded_half[2];
        for (int h = 0; h < 2; ++h) {
            const RegL raw = load_any<RegL>(static_cast<const int64_t*>(target) + first + h * kPerReg);
            const RegL shifted = (RegL)((U64)raw - static_cast<uint64_t>(j.index_base));
            const RegL ex = (raw == j.ignore_index) | (RegL)((U64)shifted >= static_cast<uint64_t>(j.classes));
            // Kept targets lie in [0, C): int32 holds them.
            cls_half[h] = __builtin_convertvector(shifted & ~ex, Half);
            excluded_half[h] = __builtin_convertvector(ex, Half);
        }
        cls = concat<I>(cls_half[0], cls_half[1]);
        excluded = concat<I>(excluded_half[0], excluded_half[1]);
    }
}

constexpr int64_t kPrefetchTiles = 16;  // class axis 1: how many tiles ahead to prefetch
constexpr int64_t kGatherMaxClasses = 64;  // class-last rows this short go a vector of rows at a time
constexpr int64_t kStagedMaxClasses = 256;  // tiles this tall are staged in a buffer on the stack

// One vector of positions, a lane each: (o, i0 + lane) of a class-axis-1 input (kGather false,
// class stride inner), or rows i0 .. i0 + lanes of a class-last input (kGather, transposed on the
// way in and out). kStaged copies the tile into a buffer on the stack as sweep 1 reads it: class
// rows lie `inner` elements apart, and with inner a multiple of 1024 they would all share one L1
// set, so re-reading them from the buffers themselves would miss. The input is read once and the
// gradient written once. Everything per position is vector arithmetic too, so short class axes
// cost little more per element than long ones. With a soft-cap (kCap), sweep 1 turns x into
// z = c tanh(x / c) and keeps z where the exps would be kept (staged, or in the gradient buffer),
// and sweeps 2 and 3 each take the exps of z.
template <typename T, bool kIndex, bool kSmooth, bool kGrad, bool kGather, bool kStaged, bool kCap>
void tile(const KernelJob& j, int64_t o, int64_t i0, int width, double factor, KernelSums* sums) {
    using V = typename Simd<T>::V;
    using I = typename Simd<T>::I;
    using Wd = Wide<T>;
    using IV = typename Simd<T>::Int;
    constexpr int W = Simd<T>::kLanes;
    const int64_t C = j.classes, S = kGather ? 1 : j.inner;
    const int64_t p0 = kGather ? i0 : o * j.inner + i0;  // first position of the tile
    const int64_t base = kGather ? i0 * C : o * C * S + i0;
    const T* x = static_cast<const T*>(j.input) + base;
    const T* t = j.index_targets ? nullptr : static_cast<const T*>(j.target) + base;
    T* g = kGrad ? static_cast<T*>(j.grad) + base : nullptr;
    // Staged copies, class-major: element (c, lane) at c * W + lane.
    // (Sized for the tile's kind: a large frame is probed page by page on every call.)
    constexpr int64_t kMaxStaged = kGather ? kGatherMaxClasses : kStagedMaxClasses;
    alignas(64) T xs[kStaged ? kMaxStaged * W : 1];
    alignas(64) T ts[kStaged && !kIndex ? kMaxStaged * W : 1];
    if (kGather) {  // rows -> lanes
        rows_to_lanes<T>(x, C, xs);
        if (!kIndex) rows_to_lanes<T>(t, C, ts);
    }
    // A tile may be partial: the last `width` < W positions of a row of inner (class axis 1), or
    // the rows left after a call's whole tiles (kGather: tile_rows_partial() gives it W rows,
    // zero-padded, in buffers of its own). Its per-position loads and stores then take `width`
    // lanes, and the rest are excluded.
    const bool partial = width < W;
    auto load_at = [&](const T* p) { return partial ? load_partial<T>(p, width, T(0)) : load<T>(p); };
    auto store_at = [&](T* p, V v) {
        if (partial) store_partial<T>(p, v, width);
        else store<T>(p, v);
    };
    auto load_x = [&](int64_t c) { return kStaged ? load<T>(xs + c * W) : load_at(x + c * S); };
    auto load_t = [&](int64_t c) { return kStaged ? load<T>(ts + c * W) : load_at(t + c * S); };

    // Per lane: class (or exclusion), sample weight, gradient factor; positions p0 .. p0 + W are
    // contiguous in every per-position buffer, so these are vector loads.
    I cls{}, excluded{};  // excluded lanes point at class 0, harmlessly
    if (j.index_targets) lane_targets<T>(j, p0, width, cls, excluded);
    if (partial) {
        I lane{};
        for (int l = 0; l < W; ++l) lane[l] = l;
        excluded |= lane >= static_cast<IV>(width);
    }
    if (j.lengths != nullptr) {
        for (int l = 0; l < (partial ? width : W); ++l) if (class_of(j, p0 + l) < 0) excluded[l] = -1;
    }
    Wd sp = Wd::splat(1.0), f = Wd::splat(factor), f_z = Wd::splat(j.z_factor);
    if (j.sample_weights) sp = widen<T>(load_at(static_cast<const T*>(j.sample_weights) + p0));
    if (j.reduction_none) {
        f = Wd::splat(j.scale);
        if (j.grad_output) f *= widen<T>(load_at(static_cast<const T*>(j.grad_output) + p0));
        f_z = f;
    }
    f = zero_where<T>(f * sp, excluded);
    const T cap = static_cast<T>(j.softcap), inv_cap = static_cast<T>(j.inv_softcap);

    // Sweep 1: max, arg-max, x_y and the target's arg-max.
    const T neg_inf = -static_cast<T>(__builtin_inf());
    V best = V{} + neg_inf, target_best = V{} + neg_inf, xy{};
    I best_index{}, target_index{};
    for (int64_t c = 0; c < C; ++c) {
        V v = kGather ? load_x(c) : load_at(x + c * S);
        if (!kGather) {
            // Each class row is its own stream, C of them in, C out: more than the hardware
            // prefetchers follow, so fetch the tiles a few ahead (a prefetch never faults).
            __builtin_prefetch(x + c * S + kPrefetchTiles * W);
            if (kGrad) __builtin_prefetch(g + c * S + kPrefetchTiles * W, 1);
        }
        if (kCap) v = vsoftcap<T>(v, cap, inv_cap);
        if (kStaged && (kCap || !kGather)) store<T>(xs + c * W, v);
        else if (kCap && kGrad) store_at(g + c * S, v);
        const I ci = I{} + static_cast<IV>(c);
        const I better = v > best;  // false for NaN, as in vmax
        best = better ? v : best;
        best_index = better ? ci : best_index;
        if (kIndex) {
            xy = ci == cls ? v : xy;
        } else {
            const V tv = kGather ? load_t(c) : load_at(t + c * S);
            if (kStaged && !kGather) store<T>(ts + c * W, tv);
            const I t_better = tv > target_best;
            target_best = t_better ? tv : target_best;
            target_index = t_better ? ci : target_index;
        }
    }
    // The max is the arg-max's value, at least the lowest float (as vmax from m = kLowest).
    const V m = vmax<T>(V{} + Simd<T>::kLowest, best);

    // Sweep 2: exps against the final max, kept for sweep 3 (over the staged input, or in the
    // gradient buffer), and the weighted sums of x - m (see RowState).
    Wd sum_d = Wd::splat(0.0), weighted_d = Wd::splat(0.0), a_total_d = Wd::splat(0.0);
    V acc{}, weighted{}, a_total{};
    // The logits of class c as sweep 1 kept them: staged, or z in the gradient buffer (a forward
    // pass of a tile too tall to stage takes the soft-cap again).
    auto load_z = [&](int64_t c) {
        if (kStaged || !kCap) return load_x(c);
        return kGrad ? load_at(g + c * S) : vsoftcap<T>(load_at(x + c * S), cap, inv_cap);
    };
    for (int64_t c = 0; c < C; ++c) {
        const V d = load_z(c) - m;
        const V e = vexp<T, true>(d);
        acc += e;
        if (!kIndex || kSmooth) {
            const T wc = class_weight<T>(j, c);
            if (kIndex) {
                weighted += d * wc;
            } else {
                const V a = (load_t(c) * static_cast<T>(1.0 - j.eps) + static_cast<T>(j.eps_per_class)) * wc;
                weighted += a * d;
                a_total += a;
            }
        }
        if (kGrad && !kCap) {
            if (kStaged) store<T>(xs + c * W, e);
            else store_at(g + c * S, e);
        }
        if ((c & 7) == 7) {  // move to double every 8 classes: long float sums drift
            sum_d += widen<T>(acc);
            if (!kIndex || kSmooth) weighted_d += widen<T>(weighted);
            if (!kIndex) a_total_d += widen<T>(a_total);
            acc = weighted = a_total = V{};
        }
    }
    sum_d += widen<T>(acc);
    if (!kIndex || kSmooth) weighted_d += widen<T>(weighted);
    if (!kIndex) a_total_d += widen<T>(a_total);

    // Per lane, in double vectors: loss, metrics, and the gradient's coefficients.
    const Wd log_sum = vlog_wide<T>(sum_d);
    Wd wy = Wd::splat(1.0);
    if (kIndex && j.class_weights) {
        for (int l = 0; l < W; ++l) wy.set_lane(l, excluded[l] ? 0.0 : static_cast<double>(class_weight<T>(j, cls[l])));
    }
    Wd loss, coef;
    if (kIndex) {
        loss = -(1.0 - j.eps) * wy * ((widen<T>(xy) - widen<T>(m)) - log_sum);  // as in rows()
        if (kSmooth) loss -= j.eps_per_class * (weighted_d - j.weight_total * log_sum);
        coef = f * ((1.0 - j.eps) * wy + j.eps_per_class * j.weight_total) / sum_d;
    } else {
        loss = a_total_d * log_sum - weighted_d;
        coef = f * a_total_d / sum_d;
    }
    loss = zero_where<T>(loss * sp, excluded);
    const I hits = (best_index == (kIndex ? cls : target_index)) & ~excluded;
    sums->loss += hsum_wide(loss);
    sums->correct -= hsum_tree(hits);  // true lanes are -1
    if (j.z_loss > 0.0) {  // lambda s lse^2, and its gradient 2 lambda lse q through the coefficient
        const Wd lse = widen<T>(m) + log_sum;
        const Wd z_term = zero_where<T>(j.z_loss * sp * lse * lse, excluded);
        sums->z += hsum_wide(z_term);
        coef += zero_where<T>(f_z * sp, excluded) * (2.0 * j.z_loss) * lse / sum_d;
        loss += z_term;
    }
    if (j.loss_out) {
        for (int l = 0; l < (partial ? width : W); ++l) static_cast<T*>(j.loss_out)[p0 + l] = static_cast<T>(j.scale * loss.lane(l));
    }
    if (!kGrad) return;

    // Sweep 3: gradient from the stored exps. The target's element, where q_y - 1 cancels, is
    // computed in double first and blended in.
    const V coef_t = narrow<T>(coef);
    const V smooth = narrow<T>(f * j.eps_per_class);
    const V f_t = narrow<T>(f);
    V g_y{};
    if (kIndex) {
        const V e_y = vexp<T, true>(xy - m);  // the same bits as the target's exp in sweep 2
        Wd g_y_d = coef * widen<T>(e_y) - f * j.eps_per_class * wy - f * (1.0 - j.eps) * wy;
        if (kCap) g_y_d *= widen<T>(vsoftcap_slope<T>(xy, inv_cap));
        g_y = narrow<T>(g_y_d);
    }
    for (int64_t c = 0; c < C; ++c) {
        const I ci = I{} + static_cast<IV>(c);
        const T wc = class_weight<T>(j, c);
        const V kept = kStaged ? load<T>(xs + c * W) : load_at(g + c * S);  // e, or z with a soft-cap
        V out = (kCap ? vexp<T, true>(kept - m) : kept) * coef_t;
        if (kIndex) {
            if (kSmooth) out -= smooth * wc;
            if (kCap) out *= vsoftcap_slope<T>(kept, inv_cap);
            out = ci == cls ? g_y : out;
        } else {
            out -= (load_t(c) * static_cast<T>(1.0 - j.eps) + static_cast<T>(j.eps_per_class)) * wc * f_t;
            if (kCap) out *= vsoftcap_slope<T>(kept, inv_cap);
        }
        out = excluded ? V{} : out;
        if (kGather) store<T>(xs + c * W, out);
        else store_at(g + c * S, out);
    }
    if (kGather) lanes_to_rows<T>(xs, C, g);  // lanes -> rows
}

template <typename T, bool kGather, bool kStaged, bool kCap>
void select_tile(const KernelJob& j, int64_t o, int64_t i0, int width, double factor, KernelSums* sums) {
    const bool grad = j.grad != nullptr, smooth = j.eps > 0.0;
    if (j.index_targets) {
        if (smooth) {
            if (grad) tile<T, true, true, true, kGather, kStaged, kCap>(j, o, i0, width, factor, sums);
            else tile<T, true, true, false, kGather, kStaged, kCap>(j, o, i0, width, factor, sums);
        } else {
            if (grad) tile<T, true, false, true, kGather, kStaged, kCap>(j, o, i0, width, factor, sums);
            else tile<T, true, false, false, kGather, kStaged, kCap>(j, o, i0, width, factor, sums);
        }
    } else {
        if (grad) tile<T, false, true, true, kGather, kStaged, kCap>(j, o, i0, width, factor, sums);
        else tile<T, false, true, false, kGather, kStaged, kCap>(j, o, i0, width, factor, sums);
    }
}

// A tile of the call: staged on the stack when its classes fit there (always, for gathered rows).
template <typename T, bool kGather, bool kCap>
void select_tile_staged(const KernelJob& j, int64_t o, int64_t i0, int width, double factor, KernelSums* sums) {
    if (kGather || j.classes <= kStagedMaxClasses) select_tile<T, kGather, true, kCap>(j, o, i0, width, factor, sums);
    else select_tile<T, false, false, kCap>(j, o, i0, width, factor, sums);
}

template <typename T, bool kGather>
void tile_staged(const KernelJob& j, int64_t o, int64_t i0, int width, double factor, KernelSums* sums) {
    if (j.softcap > 0.0) select_tile_staged<T, kGather, true>(j, o, i0, width, factor, sums);
    else select_tile_staged<T, kGather, false>(j, o, i0, width, factor, sums);
}

// Rows [first, end), fewer than W, of at most kGatherMaxClasses classes, as one partial tile: the
// rows are copied into a zero-padded tile of W rows and the gradient out of one, and the job's
// per-position pointers start at `first`. (Copies of a few rows cost less than those rows one
// at a time.)
template <typename T>
void tile_rows_partial(const KernelJob& j, int64_t first, int64_t end, double factor, KernelSums* sums) {
    constexpr int W = Simd<T>::kLanes;
    const int64_t C = j.classes, n = (end - first) * C;
    alignas(64) T rows[kGatherMaxClasses * W], targets[kGatherMaxClasses * W], grad[kGatherMaxClasses * W];
    const T* x = static_cast<const T*>(j.input) + first * C;
    for (int64_t e = 0; e < W * C; ++e) rows[e] = e < n ? x[e] : T(0);
    KernelJob k = j;
    k.input = rows;
    k.grad = j.grad ? grad : nullptr;
    if (j.index_targets) {
        k.target = j.target_int32 ? static_cast<const void*>(static_cast<const int32_t*>(j.target) + first)
                                  : static_cast<const void*>(static_cast<const int64_t*>(j.target) + first);
    } else {
        const T* t = static_cast<const T*>(j.target) + first * C;
        for (int64_t e = 0; e < W * C; ++e) targets[e] = e < n ? t[e] : T(0);
        k.target = targets;
    }
    if (j.sample_weights) k.sample_weights = static_cast<const T*>(j.sample_weights) + first;
    if (j.grad_output) k.grad_output = static_cast<const T*>(j.grad_output) + first;
    if (j.loss_out) k.loss_out = static_cast<T*>(j.loss_out) + first;
    tile_staged<T, true>(k, 0, 0, static_cast<int>(end - first), factor, sums);
    if (j.grad) {
        T* g = static_cast<T*>(j.grad) + first * C;
        for (int64_t e = 0; e < n; ++e) g[e] = grad[e];
    }
}

}  // namespace XENT_ISA
}  // namespace xent
