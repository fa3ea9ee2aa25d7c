// Vectorised cross-entropy for class targets with LOGITS input: the one shared definition that
// ce_logits_<isa>.cpp compiles once per instruction set (XENT_VECTOR_BYTES, XENT_ISA set first).
// It computes what ce_class_scalar.cpp computes (see the formulas there); the scalar kernel stays
// the reference and the fallback.
//
// Class-last rows (inner == 1) take two sweeps. Sweep 1 reads the row once, in chunks of kChunk
// vectors: the chunk's max updates the row's running max m (rescaling the running sum when it
// grows: online softmax), then e = exp(x - m) is summed and, when a gradient is wanted, stored in
// the gradient buffer with the m it was taken against. Sweep 2 turns the stored e into the
// gradient while the row is still in cache: one exp per element, plus one per chunk. Class axis 1
// is walked one vector of neighbouring positions at a time, each lane a position, so every load is
// contiguous; there the max comes first (the tile is small and stays in cache), then the exps.
//
// Everything lives in an anonymous namespace inside the ISA's namespace and uses no inline code
// of the standard library, so nothing compiled here for one instruction set can be merged into
// another's code path.
#include <cstdint>

#include "ce_logits.h"

#ifndef XENT_VECTOR_BYTES
#error "define XENT_VECTOR_BYTES and XENT_ISA before including ce_logits_simd.h"
#endif

namespace xent {
namespace XENT_ISA {
namespace {

template <typename T>
struct Simd;

template <>
struct Simd<float> {
    typedef float V __attribute__((vector_size(XENT_VECTOR_BYTES)));
    typedef int32_t I __attribute__((vector_size(XENT_VECTOR_BYTES)));
    typedef double D __attribute__((vector_size(XENT_VECTOR_BYTES * 2)));  // the lanes in double
    using Int = int32_t;
    static constexpr int kLanes = XENT_VECTOR_BYTES / 4;
    static constexpr float kLowest = -3.402823466e+38f;
};

template <>
struct Simd<double> {
    typedef double V __attribute__((vector_size(XENT_VECTOR_BYTES)));
    typedef int64_t I __attribute__((vector_size(XENT_VECTOR_BYTES)));
    typedef double D __attribute__((vector_size(XENT_VECTOR_BYTES)));
    using Int = int64_t;
    static constexpr int kLanes = XENT_VECTOR_BYTES / 8;
    static constexpr double kLowest = -1.7976931348623157e+308;
};

#include "exp_simd.h"

constexpr int kChunk = 8;  // vectors per chunk of sweep 1: one rescale check per chunk

template <typename T>
inline typename Simd<T>::V load(const T* p) {
    typename Simd<T>::V v;
    __builtin_memcpy(&v, p, sizeof v);
    return v;
}

template <typename T>
inline void store(T* p, typename Simd<T>::V v) {
    __builtin_memcpy(p, &v, sizeof v);
}

// n < lanes elements from p, the other lanes set to `fill`.
template <typename T>
inline typename Simd<T>::V load_partial(const T* p, int n, T fill) {
    typename Simd<T>::V v = typename Simd<T>::V{} + fill;
    for (int l = 0; l < n; ++l) v[l] = p[l];
    return v;
}

// `inside` in the first n lanes, `outside` in the rest.
template <typename T>
inline typename Simd<T>::V first_lanes(int n, T inside, T outside) {
    typename Simd<T>::V v = typename Simd<T>::V{} + outside;
    for (int l = 0; l < n; ++l) v[l] = inside;
    return v;
}

template <typename T>
inline void store_partial(T* p, typename Simd<T>::V v, int n) {
    for (int l = 0; l < n; ++l) p[l] = v[l];
}

template <typename T>
inline typename Simd<T>::V vmax(typename Simd<T>::V a, typename Simd<T>::V b) {
    return b > a ? b : a;  // a NaN in b is not taken; the exp of it still makes the sum NaN
}

template <typename T>
inline T hmax(typename Simd<T>::V v) {
    T m = v[0];
    for (int l = 1; l < Simd<T>::kLanes; ++l) m = v[l] > m ? v[l] : m;
    return m;
}

template <typename T>
inline double hsum(typename Simd<T>::V v) {
    double s = 0.0;
    for (int l = 0; l < Simd<T>::kLanes; ++l) s += static_cast<double>(v[l]);
    return s;
}

template <typename T>
inline typename Simd<T>::I iota() {
    typename Simd<T>::I v{};
    for (int l = 0; l < Simd<T>::kLanes; ++l) v[l] = l;
    return v;
}

// First arg-max of a row from per-lane bests (ties go to the smallest index).
template <typename T>
inline int64_t first_argmax(typename Simd<T>::V best, typename Simd<T>::I index) {
    T top = hmax<T>(best);
    int64_t found = -1;
    for (int l = 0; l < Simd<T>::kLanes; ++l) {
        if (best[l] == top && (found < 0 || index[l] < found)) found = index[l];
    }
    return found < 0 ? 0 : found;
}

inline int64_t target_index(const LogitsJob& j, int64_t pos) {
    return j.target_int32 ? static_cast<const int32_t*>(j.target)[pos] : static_cast<const int64_t*>(j.target)[pos];
}

// The position's class, or -1 when it is excluded (targets were validated before).
inline int64_t class_of(const LogitsJob& j, int64_t pos) {
    if (j.lengths != nullptr) {
        const int64_t n = pos / j.steps;
        const int64_t len = j.lengths_int32 ? static_cast<const int32_t*>(j.lengths)[n]
                                            : static_cast<const int64_t*>(j.lengths)[n];
        if (pos % j.steps >= len) return -1;
    }
    if (!j.index_targets) return 0;
    const int64_t raw = target_index(j, pos);
    return raw == j.ignore_index ? -1 : raw - j.index_base;
}

template <typename T>
inline double sample_weight(const LogitsJob& j, int64_t pos) {
    return j.sample_weights ? static_cast<double>(static_cast<const T*>(j.sample_weights)[pos]) : 1.0;
}

// dL/dl_p of the position, sample weight included.
template <typename T>
inline double gradient_factor(const LogitsJob& j, int64_t pos, double factor) {
    double f = factor;
    if (j.reduction_none) f = j.scale * (j.grad_output ? static_cast<double>(static_cast<const T*>(j.grad_output)[pos]) : 1.0);
    return f * sample_weight<T>(j, pos);
}

template <typename T>
inline T class_weight(const LogitsJob& j, int64_t c) {
    return j.class_weights ? static_cast<const T*>(j.class_weights)[c] : T(1);
}

// Sweep state of one class-last row.
template <typename T>
struct RowState {
    using V = typename Simd<T>::V;
    using I = typename Simd<T>::I;
    T m = Simd<T>::kLowest;  // running max; the lowest finite value keeps -inf - m at -inf
    double sum = 0.0;         // sum of exp(x - m)
    V best = V{} - static_cast<T>(__builtin_inf());
    I best_index = I{};
    V target_best = V{} - static_cast<T>(__builtin_inf());
    I target_index = I{};
    // Against the running max m: sum w_c (x_c - m) and sum w_c (index targets with smoothing), or
    // sum a_c (x_c - m) and sum a_c (probability targets). Measuring from m keeps the terms small,
    // so the loss does not cancel (a single class gives exactly 0). Summed in float within a chunk,
    // in double across chunks, like the exps.
    double weighted = 0.0;
    double a_total = 0.0;
};

// Sweep 1 over `count` vectors at class c (the last one holding `tail` valid lanes, tail == lanes
// when all are full): max, rescale, exp, sum, store, arg-max and the target-side sums.
template <typename T, bool kIndex, bool kSmooth, bool kGrad>
inline void sweep1_chunk(const LogitsJob& j, const T* x, const T* t, T* g, int64_t c, int count, int tail,
                         RowState<T>& st) {
    using V = typename Simd<T>::V;
    using I = typename Simd<T>::I;
    constexpr int W = Simd<T>::kLanes;
    const T* w = static_cast<const T*>(j.class_weights);
    const T neg_inf = -static_cast<T>(__builtin_inf());
    V v[kChunk];
    for (int k = 0; k < count; ++k) {
        const bool partial = k == count - 1 && tail < W;
        v[k] = partial ? load_partial<T>(x + c + k * W, tail, neg_inf) : load<T>(x + c + k * W);
    }
    V top = v[0];
    for (int k = 1; k < count; ++k) top = vmax<T>(top, v[k]);
    const T chunk_max = hmax<T>(top);
    if (chunk_max > st.m) {
        st.sum *= static_cast<double>(sexp<T>(st.m - chunk_max));
        // Re-measure the weighted sums from the new max. While m is still the lowest float only
        // -inf (or NaN) has been seen, and those sums must stay as they are.
        if (st.m != Simd<T>::kLowest) st.weighted -= st.a_total * (static_cast<double>(chunk_max) - st.m);
        st.m = chunk_max;
    }
    const V m = V{} + st.m;
    V acc = V{}, weighted = V{}, a_total = V{};
    const I lane = iota<T>();
    for (int k = 0; k < count; ++k) {
        const bool partial = k == count - 1 && tail < W;
        const int64_t at = c + k * W;
        const V e = vexp<T>(v[k] - m);
        acc += e;
        const I index = lane + static_cast<typename Simd<T>::Int>(at);
        const I better = v[k] > st.best;
        st.best = better ? v[k] : st.best;
        st.best_index = better ? index : st.best_index;
        if (!kIndex || kSmooth) {
            // Padded lanes must add nothing: x and w are read as 0 there. (x is read before e is
            // stored: with an in-place gradient they are the same memory.)
            const V d = partial ? load_partial<T>(x + at, tail, T(0)) - m : v[k] - m;
            const V wv = w ? (partial ? load_partial<T>(w + at, tail, T(0)) : load<T>(w + at))
                           : (partial ? first_lanes<T>(tail, T(1), T(0)) : V{} + T(1));
            if (kIndex) {
                weighted += wv * d;
                a_total += wv;
            } else {
                const V tv = partial ? load_partial<T>(t + at, tail, T(0)) : load<T>(t + at);
                const V a = wv * (tv * static_cast<T>(1.0 - j.eps) + static_cast<T>(j.eps_per_class));
                weighted += a * d;
                a_total += a;
                const V tv_cmp = partial ? load_partial<T>(t + at, tail, neg_inf) : tv;
                const I t_better = tv_cmp > st.target_best;
                st.target_best = t_better ? tv_cmp : st.target_best;
                st.target_index = t_better ? index : st.target_index;
            }
        }
        if (kGrad) {
            if (partial) store_partial<T>(g + at, e, tail);
            else store<T>(g + at, e);
        }
    }
    st.sum += hsum<T>(acc);
    if (!kIndex || kSmooth) {
        st.weighted += hsum<T>(weighted);
        st.a_total += hsum<T>(a_total);
    }
}

// Sweep 2 over the same vectors: stored e -> gradient.
template <typename T, bool kIndex, bool kSmooth>
inline void sweep2_chunk(const LogitsJob& j, const T* t, T* g, int64_t c, int count, int tail, T scale_e,
                         T smooth, T f) {
    using V = typename Simd<T>::V;
    constexpr int W = Simd<T>::kLanes;
    const T* w = static_cast<const T*>(j.class_weights);
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
            out -= wv * (tv * static_cast<T>(1.0 - j.eps) + static_cast<T>(j.eps_per_class)) * f;
        }
        if (partial) store_partial<T>(g + at, out, tail);
        else store<T>(g + at, out);
    }
}

template <typename T, bool kIndex, bool kSmooth, bool kGrad>
void rows(const LogitsJob& j, int64_t first, int64_t end, double factor, LogitsSums* sums) {
    constexpr int W = Simd<T>::kLanes;
    const int64_t C = j.classes;
    // Chunk maxima of one row, for sweep 2; large rows take a heap buffer once per call.
    T local[4096];
    const int64_t chunks = C / (kChunk * W) + kChunk + 1;
    T* chunk_max = chunks <= 4096 ? local : static_cast<T*>(__builtin_malloc(sizeof(T) * chunks));
    for (int64_t pos = first; pos < end; ++pos) {
        const T* x = static_cast<const T*>(j.input) + pos * C;
        const T* t = j.index_targets ? nullptr : static_cast<const T*>(j.target) + pos * C;
        T* g = kGrad ? static_cast<T*>(j.grad) + pos * C : nullptr;
        const int64_t cls = class_of(j, pos);
        if (cls < 0) {
            if (j.loss_out) static_cast<T*>(j.loss_out)[pos] = T(0);
            if (kGrad) for (int64_t c = 0; c < C; ++c) g[c] = T(0);
            continue;
        }
        const double xy = kIndex ? static_cast<double>(x[cls]) : 0.0;  // before an in-place sweep 1 overwrites it

        RowState<T> st;
        int64_t c = 0, n_chunks = 0;
        for (; c + kChunk * W <= C; c += kChunk * W) {
            sweep1_chunk<T, kIndex, kSmooth, kGrad>(j, x, t, g, c, kChunk, W, st);
            chunk_max[n_chunks++] = st.m;
        }
        for (; c < C; c += W) {
            const int tail = C - c < W ? static_cast<int>(C - c) : W;
            sweep1_chunk<T, kIndex, kSmooth, kGrad>(j, x, t, g, c, 1, tail, st);
            chunk_max[n_chunks++] = st.m;
        }

        const double log_sum = __builtin_log(st.sum);
        const double lse = static_cast<double>(st.m) + log_sum;
        const double sp = sample_weight<T>(j, pos);
        double l;
        double a_total = 0.0, wy = 0.0;
        if (kIndex) {
            wy = static_cast<double>(class_weight<T>(j, cls));
            l = -(1.0 - j.eps) * wy * (xy - lse);
            if (kSmooth) l -= j.eps_per_class * (st.weighted - j.weight_total * log_sum);
        } else {
            a_total = st.a_total;
            l = a_total * log_sum - st.weighted;
        }
        l *= sp;
        sums->loss += l;
        const int64_t predicted = first_argmax<T>(st.best, st.best_index);
        sums->correct += predicted == (kIndex ? cls : first_argmax<T>(st.target_best, st.target_index));
        if (j.loss_out) static_cast<T*>(j.loss_out)[pos] = static_cast<T>(j.scale * l);
        if (!kGrad) continue;

        const double f = gradient_factor<T>(j, pos, factor);
        const double coef = kIndex ? f * ((1.0 - j.eps) * wy + j.eps_per_class * j.weight_total) / st.sum
                                   : f * a_total / st.sum;
        // The target's element is where q_y - 1 cancels: redo it in double from its stored e.
        const int64_t full = C / (kChunk * W) * (kChunk * W);
        const int64_t y_chunk = !kIndex ? 0 : cls < full ? cls / (kChunk * W) : full / (kChunk * W) + (cls - full) / W;
        const double e_y = kIndex ? static_cast<double>(g[cls]) : 0.0;
        const T smooth = static_cast<T>(f * j.eps_per_class);
        c = 0;
        int64_t chunk = 0;
        for (; c + kChunk * W <= C; c += kChunk * W, ++chunk) {
            const T scale_e = static_cast<T>(coef * static_cast<double>(sexp<T>(chunk_max[chunk] - st.m)));
            sweep2_chunk<T, kIndex, kSmooth>(j, t, g, c, kChunk, W, scale_e, smooth, static_cast<T>(f));
        }
        for (; c < C; c += W, ++chunk) {
            const int tail = C - c < W ? static_cast<int>(C - c) : W;
            const T scale_e = static_cast<T>(coef * static_cast<double>(sexp<T>(chunk_max[chunk] - st.m)));
            sweep2_chunk<T, kIndex, kSmooth>(j, t, g, c, 1, tail, scale_e, smooth, static_cast<T>(f));
        }
        if (kIndex) {
            const double q_coef = coef * static_cast<double>(sexp<T>(chunk_max[y_chunk] - st.m));
            g[cls] = static_cast<T>(q_coef * e_y - f * j.eps_per_class * wy - f * (1.0 - j.eps) * wy);
        }
    }
    if (chunk_max != local) __builtin_free(chunk_max);
}

// One vector of neighbouring positions (o, i0 + lane) of a class-axis-1 input.
template <typename T, bool kIndex, bool kSmooth, bool kGrad>
void tile(const LogitsJob& j, int64_t o, int64_t i0, double factor, LogitsSums* sums) {
    using V = typename Simd<T>::V;
    using I = typename Simd<T>::I;
    using IV = typename Simd<T>::Int;
    constexpr int W = Simd<T>::kLanes;
    const int64_t C = j.classes, S = j.inner, base = o * C * S + i0;
    const T* x = static_cast<const T*>(j.input) + base;
    const T* t = j.index_targets ? nullptr : static_cast<const T*>(j.target) + base;
    T* g = kGrad ? static_cast<T*>(j.grad) + base : nullptr;

    I cls{};
    V f{}, sp{};
    I excluded{};
    for (int l = 0; l < W; ++l) {
        const int64_t pos = o * S + i0 + l;
        const int64_t k = class_of(j, pos);
        cls[l] = static_cast<IV>(k);
        excluded[l] = k < 0 ? -1 : 0;
        sp[l] = static_cast<T>(sample_weight<T>(j, pos));
        f[l] = k < 0 ? T(0) : static_cast<T>(gradient_factor<T>(j, pos, factor));
    }

    // Sweep 1: max, arg-max, x_y and the target-side sums.
    V m = V{} + Simd<T>::kLowest, best = V{} - static_cast<T>(__builtin_inf()), target_best = V{} - static_cast<T>(__builtin_inf());
    V xy{}, weighted{}, a_total{};
    I best_index{}, target_index{};
    for (int64_t c = 0; c < C; ++c) {
        const V v = load<T>(x + c * S);
        const I ci = I{} + static_cast<IV>(c);
        m = vmax<T>(m, v);
        const I better = v > best;
        best = better ? v : best;
        best_index = better ? ci : best_index;
        if (kIndex) {
            xy = ci == cls ? v : xy;
        } else {
            const V tv = load<T>(t + c * S);
            const I t_better = tv > target_best;
            target_best = t_better ? tv : target_best;
            target_index = t_better ? ci : target_index;
        }
    }
    // Sweep 2: exps against the final max (the tile is still in cache), stored for sweep 3, and
    // the weighted sums of x - m (see RowState).
    using D = typename Simd<T>::D;
    D sum_d{}, weighted_d{}, a_total_d{};
    V acc{};
    for (int64_t c = 0; c < C; ++c) {
        const V d = load<T>(x + c * S) - m;
        const V e = vexp<T>(d);
        acc += e;
        if ((c & 7) == 7) {  // move to double every 8 classes: long float sums drift
            sum_d += __builtin_convertvector(acc, D);
            weighted_d += __builtin_convertvector(weighted, D);
            a_total_d += __builtin_convertvector(a_total, D);
            acc = weighted = a_total = V{};
        }
        if (!kIndex || kSmooth) {
            const T wc = class_weight<T>(j, c);
            if (kIndex) {
                weighted += d * wc;
            } else {
                const V a = (load<T>(t + c * S) * static_cast<T>(1.0 - j.eps) + static_cast<T>(j.eps_per_class)) * wc;
                weighted += a * d;
                a_total += a;
            }
        }
        if (kGrad) store<T>(g + c * S, e);
    }
    sum_d += __builtin_convertvector(acc, D);
    weighted_d += __builtin_convertvector(weighted, D);
    a_total_d += __builtin_convertvector(a_total, D);
    double sum[W];
    for (int l = 0; l < W; ++l) sum[l] = sum_d[l];

    // Per lane: loss, metrics and the gradient's coefficients.
    V coef{}, hit{}, smooth{};
    for (int l = 0; l < W; ++l) {
        const int64_t pos = o * S + i0 + l;
        if (excluded[l]) {
            if (j.loss_out) static_cast<T*>(j.loss_out)[pos] = T(0);
            continue;
        }
        const double log_sum = __builtin_log(sum[l]);
        const double lse = static_cast<double>(m[l]) + log_sum;
        double loss;
        if (kIndex) {
            const double wy = static_cast<double>(class_weight<T>(j, cls[l]));
            loss = -(1.0 - j.eps) * wy * (static_cast<double>(xy[l]) - lse);
            if (kSmooth) loss -= j.eps_per_class * (weighted_d[l] - j.weight_total * log_sum);
            coef[l] = static_cast<T>(static_cast<double>(f[l]) * ((1.0 - j.eps) * wy + j.eps_per_class * j.weight_total) / sum[l]);
            hit[l] = static_cast<T>(static_cast<double>(f[l]) * (1.0 - j.eps) * wy);
            smooth[l] = static_cast<T>(static_cast<double>(f[l]) * j.eps_per_class);
            sums->correct += best_index[l] == cls[l];
        } else {
            loss = a_total_d[l] * log_sum - weighted_d[l];
            coef[l] = static_cast<T>(static_cast<double>(f[l]) * a_total_d[l] / sum[l]);
            sums->correct += best_index[l] == target_index[l];
        }
        loss *= static_cast<double>(sp[l]);
        sums->loss += loss;
        if (j.loss_out) static_cast<T*>(j.loss_out)[pos] = static_cast<T>(j.scale * loss);
    }
    if (!kGrad) return;
    double e_y[W];
    if (kIndex) {
        for (int l = 0; l < W; ++l) e_y[l] = excluded[l] ? 0.0 : static_cast<double>(g[cls[l] * S + l]);
    }

    // Sweep 3: gradient from the stored exps.
    for (int64_t c = 0; c < C; ++c) {
        const I ci = I{} + static_cast<IV>(c);
        const T wc = class_weight<T>(j, c);
        V out = load<T>(g + c * S) * coef;
        if (kIndex) {
            if (kSmooth) out -= smooth * wc;
            out = ci == cls ? out - hit : out;
        } else {
            const V tv = load<T>(t + c * S);
            out -= (tv * static_cast<T>(1.0 - j.eps) + static_cast<T>(j.eps_per_class)) * wc * f;
        }
        out = excluded ? V{} : out;
        store<T>(g + c * S, out);
    }
    if (kIndex) {  // the target's element in double, where q_y - 1 cancels
        for (int l = 0; l < W; ++l) {
            if (excluded[l]) continue;
            const int64_t pos = o * S + i0 + l;
            const double f_l = gradient_factor<T>(j, pos, factor);
            const double wy = static_cast<double>(class_weight<T>(j, cls[l]));
            const double coef_l = f_l * ((1.0 - j.eps) * wy + j.eps_per_class * j.weight_total) / sum[l];
            g[cls[l] * S + l] = static_cast<T>(coef_l * e_y[l] - f_l * j.eps_per_class * wy - f_l * (1.0 - j.eps) * wy);
        }
    }
}

// Picks the instantiation for the call's options.
template <typename T>
void rows_entry(const LogitsJob& j, int64_t first, int64_t end, double factor, LogitsSums* sums) {
    const bool grad = j.grad != nullptr, smooth = j.eps > 0.0;
    if (j.index_targets) {
        if (smooth) {
            if (grad) rows<T, true, true, true>(j, first, end, factor, sums);
            else rows<T, true, true, false>(j, first, end, factor, sums);
        } else {
            if (grad) rows<T, true, false, true>(j, first, end, factor, sums);
            else rows<T, true, false, false>(j, first, end, factor, sums);
        }
    } else {
        if (grad) rows<T, false, true, true>(j, first, end, factor, sums);
        else rows<T, false, true, false>(j, first, end, factor, sums);
    }
}

template <typename T>
void tile_entry(const LogitsJob& j, int64_t o, int64_t i0, double factor, LogitsSums* sums) {
    const bool grad = j.grad != nullptr, smooth = j.eps > 0.0;
    if (j.index_targets) {
        if (smooth) {
            if (grad) tile<T, true, true, true>(j, o, i0, factor, sums);
            else tile<T, true, true, false>(j, o, i0, factor, sums);
        } else {
            if (grad) tile<T, true, false, true>(j, o, i0, factor, sums);
            else tile<T, true, false, false>(j, o, i0, factor, sums);
        }
    } else {
        if (grad) tile<T, false, true, true>(j, o, i0, factor, sums);
        else tile<T, false, true, false>(j, o, i0, factor, sums);
    }
}

}  // namespace

const LogitsKernels kernels = {
    XENT_ISA_NAME,
    Simd<float>::kLanes,
    Simd<double>::kLanes,
    rows_entry<float>,
    rows_entry<double>,
    tile_entry<float>,
    tile_entry<double>,
};

}  // namespace XENT_ISA
}  // namespace xent
