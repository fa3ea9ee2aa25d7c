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
#if defined(__AVX2__) || defined(__AVX512F__)
#include <immintrin.h>  // always-inline intrinsics only: nothing out of line to merge
#endif

#include "ce_logits.h"

#ifndef XENT_VECTOR_BYTES
#error "define XENT_VECTOR_BYTES and XENT_ISA before including ce_logits_simd.h"
#endif

namespace xent {
namespace XENT_ISA {
namespace {

#include "simd_types.h"
#include "exp_simd.h"

// Vectors per chunk of sweep 1: one max, rescale check and horizontal sum per chunk, so large
// chunks amortise them; the chunk is read twice (max, then exps), the second time from L1.
constexpr int kChunk = 32;

template <typename T>
inline typename Simd<T>::V load(const T* p) {
    typename Simd<T>::V v;
    __builtin_memcpy(&v, p, sizeof v);
    return v;
}

// Any vector type from memory (unaligned).
template <typename Vec, typename E>
inline Vec load_any(const E* p) {
    Vec v;
    __builtin_memcpy(&v, p, sizeof v);
    return v;
}

template <typename T>
inline void store(T* p, typename Simd<T>::V v) {
    __builtin_memcpy(p, &v, sizeof v);
}

// Lanes [0, n) set, as the mask type of a masked load or store.
template <typename T>
inline typename Simd<T>::I lanes_below(int n) {
    typename Simd<T>::I index{};
    for (int l = 0; l < Simd<T>::kLanes; ++l) index[l] = l;
    return index < static_cast<typename Simd<T>::Int>(n);
}

// n < lanes elements from p, the other lanes set to `fill`; never touches p[n] and beyond. Masked
// loads where the ISA has them: building the vector lane by lane through memory stalls on store
// forwarding, which dominated short rows.
template <typename T>
inline typename Simd<T>::V load_partial(const T* p, int n, T fill) {
    using V = typename Simd<T>::V;
#if defined(__AVX512F__) && XENT_VECTOR_BYTES == 64
    if constexpr (sizeof(T) == 4) {
        return (V)_mm512_mask_loadu_ps(_mm512_set1_ps(fill), static_cast<__mmask16>((1u << n) - 1), p);
    } else {
        return (V)_mm512_mask_loadu_pd(_mm512_set1_pd(fill), static_cast<__mmask8>((1u << n) - 1), p);
    }
#elif defined(__AVX2__) && XENT_VECTOR_BYTES == 32
    const auto mask = lanes_below<T>(n);
    V v;
    if constexpr (sizeof(T) == 4) v = (V)_mm256_maskload_ps(p, (__m256i)mask);
    else v = (V)_mm256_maskload_pd(p, (__m256i)mask);
    return mask ? v : V{} + fill;
#else
    V v = V{} + fill;
    for (int l = 0; l < n; ++l) v[l] = p[l];
    return v;
#endif
}

// `inside` in the first n lanes, `outside` in the rest.
template <typename T>
inline typename Simd<T>::V first_lanes(int n, T inside, T outside) {
    using V = typename Simd<T>::V;
    return lanes_below<T>(n) ? V{} + inside : V{} + outside;
}

template <typename T>
inline void store_partial(T* p, typename Simd<T>::V v, int n) {
#if defined(__AVX512F__) && XENT_VECTOR_BYTES == 64
    if constexpr (sizeof(T) == 4) _mm512_mask_storeu_ps(p, static_cast<__mmask16>((1u << n) - 1), (__m512)v);
    else _mm512_mask_storeu_pd(p, static_cast<__mmask8>((1u << n) - 1), (__m512d)v);
#elif defined(__AVX2__) && XENT_VECTOR_BYTES == 32
    if constexpr (sizeof(T) == 4) _mm256_maskstore_ps(p, (__m256i)lanes_below<T>(n), (__m256)v);
    else _mm256_maskstore_pd(p, (__m256i)lanes_below<T>(n), (__m256d)v);
#else
    for (int l = 0; l < n; ++l) p[l] = v[l];
#endif
}

template <typename T>
inline typename Simd<T>::V vmax(typename Simd<T>::V a, typename Simd<T>::V b) {
    return b > a ? b : a;  // a NaN in b is not taken; the exp of it still makes the sum NaN
}

// The low and high halves of a vector (4 to 16 lanes), in registers: the horizontal reductions
// below halve in registers rather than through an array on the stack, where each step would wait
// on store forwarding.
template <typename Vec>
__attribute__((always_inline)) inline auto low_half(Vec v) {
    constexpr int n = sizeof(Vec) / sizeof(v[0]);
    if constexpr (n == 16) return __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7);
    else if constexpr (n == 8) return __builtin_shufflevector(v, v, 0, 1, 2, 3);
    else return __builtin_shufflevector(v, v, 0, 1);
}
template <typename Vec>
__attribute__((always_inline)) inline auto high_half(Vec v) {
    constexpr int n = sizeof(Vec) / sizeof(v[0]);
    if constexpr (n == 16) return __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15);
    else if constexpr (n == 8) return __builtin_shufflevector(v, v, 4, 5, 6, 7);
    else return __builtin_shufflevector(v, v, 2, 3);
}

// Max of the lanes by halving (few dependent steps): lane l takes lane l + w where that is
// greater, so a NaN there is skipped, as in vmax.
template <typename Vec>
__attribute__((always_inline)) inline auto hmax_tree(Vec v) {
    constexpr int n = sizeof(Vec) / sizeof(v[0]);
    if constexpr (n == 2) {
        return v[1] > v[0] ? v[1] : v[0];
    } else {
        const auto lo = low_half(v), hi = high_half(v);
        return hmax_tree(hi > lo ? hi : lo);
    }
}

template <typename T>
inline T hmax(typename Simd<T>::V v) {
    return hmax_tree(v);
}

// Sum of a vector's lanes by halving (pairwise, fixed order): few dependent steps.
template <typename Vec>
__attribute__((always_inline)) inline auto hsum_tree(Vec v) {
    constexpr int n = sizeof(Vec) / sizeof(v[0]);
    if constexpr (n == 1) {
        return v[0];
    } else if constexpr (n == 2) {
        return v[0] + v[1];
    } else {
        return hsum_tree(low_half(v) + high_half(v));
    }
}

// Sum of the lanes in double, by halving (defined after Wide).
template <typename T>
inline double hsum(typename Simd<T>::V v);

// Whether every lane of a comparison's result is true, with one mask test where the ISA has one.
template <typename T>
inline bool all_lanes(typename Simd<T>::I mask) {
#if defined(__AVX512F__) && XENT_VECTOR_BYTES == 64
    if constexpr (sizeof(T) == 4) return _mm512_test_epi32_mask((__m512i)mask, (__m512i)mask) == 0xffff;
    else return _mm512_test_epi64_mask((__m512i)mask, (__m512i)mask) == 0xff;
#elif defined(__AVX2__) && XENT_VECTOR_BYTES == 32
    if constexpr (sizeof(T) == 4) return _mm256_movemask_ps((__m256)mask) == 0xff;
    else return _mm256_movemask_pd((__m256d)mask) == 0xf;
#else
    bool all = true;
    for (int l = 0; l < Simd<T>::kLanes; ++l) all &= mask[l] != 0;
    return all;
#endif
}

// The first lane of v equal to `value`, or -1: one comparison and a bit scan where the ISA has a
// lane mask.
template <typename T>
inline int first_lane_equal(typename Simd<T>::V v, T value) {
    unsigned bits;
#if defined(__AVX512F__) && XENT_VECTOR_BYTES == 64
    if constexpr (sizeof(T) == 4) bits = _mm512_cmpeq_ps_mask((__m512)v, _mm512_set1_ps(value));
    else bits = _mm512_cmpeq_pd_mask((__m512d)v, _mm512_set1_pd(value));
#elif defined(__AVX2__) && XENT_VECTOR_BYTES == 32
    using V = typename Simd<T>::V;
    if constexpr (sizeof(T) == 4) bits = _mm256_movemask_ps((__m256)(v == V{} + value));
    else bits = _mm256_movemask_pd((__m256d)(v == V{} + value));
#else
    bits = 0;
    for (int l = Simd<T>::kLanes - 1; l >= 0; --l) bits = (bits << 1) | (v[l] == value ? 1u : 0u);
#endif
    return bits ? __builtin_ctz(bits) : -1;
}

// (Read once, whatever the compiler would like: another thread may be rewriting the targets.)
inline int64_t target_index(const LogitsJob& j, int64_t pos) {
    return j.target_int32 ? __atomic_load_n(static_cast<const int32_t*>(j.target) + pos, __ATOMIC_RELAXED)
                          : __atomic_load_n(static_cast<const int64_t*>(j.target) + pos, __ATOMIC_RELAXED);
}

// The position's class, or -1 when it is excluded. Pass 1 found every target valid; one outside
// [0, C) now was rewritten by another thread during the call, and is excluded too, so that no
// kernel reads or writes through it.
inline int64_t class_of(const LogitsJob& j, int64_t pos) {
    if (j.lengths != nullptr) {
        const int64_t n = pos / j.steps;
        const int64_t len = j.lengths_int32 ? static_cast<const int32_t*>(j.lengths)[n]
                                            : static_cast<const int64_t*>(j.lengths)[n];
        if (pos % j.steps >= len) return -1;
    }
    if (!j.index_targets) return 0;
    const int64_t raw = target_index(j, pos);
    const uint64_t cls = static_cast<uint64_t>(raw) - static_cast<uint64_t>(j.index_base);
    return raw == j.ignore_index || cls >= static_cast<uint64_t>(j.classes) ? -1 : static_cast<int64_t>(cls);
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
// when all are full): max, rescale, exp, sum, store, arg-max and the target-side sums.
template <typename T, bool kIndex, bool kSmooth, bool kGrad>
inline void sweep1_chunk(const LogitsJob& j, const T* x, const T* t, T* g, int64_t c, int count, int tail,
                         RowState<T>& st) {
    using V = typename Simd<T>::V;
    constexpr int W = Simd<T>::kLanes;
    const T* w = static_cast<const T*>(j.class_weights);
    const T neg_inf = -static_cast<T>(__builtin_inf());
    auto load_x = [&](int k) {
        const bool partial = k == count - 1 && tail < W;
        return partial ? load_partial<T>(x + c + k * W, tail, neg_inf) : load<T>(x + c + k * W);
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
            const V d = partial ? load_partial<T>(x + at, tail, T(0)) - m : xk - m;
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
inline void sweep2_chunk(const LogitsJob& j, const T* t, T* g, int64_t c, int count, int tail, T scale_e,
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

// log of a register of doubles >= 1 (sums of exps that include exp(0)): log x = k ln 2 + log m
// with x = 2^k m, m in [sqrt(1/2), sqrt(2)), and log m = 2 atanh(s), s = (m - 1) / (m + 1),
// |s| < 0.172, as an odd series to s^23 (error below 1e-17). Lanes outside (0, inf) get libm's
// answer. One register wide: GCC lowers compares on wider vectors lane by lane.
using RegD = Simd<double>::V;
using RegL = Simd<double>::I;

// libm's log of the lanes of x where `normal` is false, into out. Out of line and cold: calls in
// a vector loop make the compiler keep its vectors on the stack, even on the path without them.
template <typename V, typename I>
__attribute__((noinline, cold)) void log_lanes(V x, I normal, V& out) {
    for (unsigned l = 0; l < sizeof(V) / sizeof(x[0]); ++l)
        if (!normal[l]) out[l] = sizeof(x[0]) == 4 ? __builtin_logf(static_cast<float>(x[l])) : __builtin_log(x[l]);
}

__attribute__((always_inline)) inline RegD vlog_reg(RegD x) {
    const RegL bits = (RegL)x;
    RegL k = ((bits >> 52) & 0x7ff) - 1023;
    RegD m = (RegD)((bits & 0x000fffffffffffffLL) | 0x3ff0000000000000LL);
    const RegL big = m > 1.4142135623730951;
    m = big ? m * 0.5 : m;
    k -= big;  // true lanes are -1
    const RegD s = (m - 1.0) / (m + 1.0), s2 = s * s;
    RegD p = RegD{} + 1.0 / 23;
    for (int n = 21; n >= 1; n -= 2) p = p * s2 + 1.0 / n;
    RegD out = __builtin_convertvector(k, RegD) * 0.6931471805599453 + 2.0 * s * p;
    const RegL normal = (x > 0.0) & (x < __builtin_inf());
    // Whether every lane is normal, without taking the lanes out one by one.
#if defined(__AVX512F__) && XENT_VECTOR_BYTES == 64
    const bool all_normal = _mm512_test_epi64_mask((__m512i)normal, (__m512i)normal) == 0xff;
#elif defined(__AVX2__) && XENT_VECTOR_BYTES == 32
    const bool all_normal = _mm256_movemask_pd((__m256d)normal) == 0xf;
#else
    bool all_normal = true;
    for (unsigned l = 0; l < sizeof(RegD) / sizeof(double); ++l) all_normal &= normal[l] != 0;
#endif
    if (!all_normal) log_lanes(x, normal, out);
    return out;
}

template <typename T, bool kIndex, bool kSmooth, bool kGrad>
void rows(const LogitsJob& j, int64_t first, int64_t end, double factor, LogitsSums* sums) {
    constexpr int W = Simd<T>::kLanes;
    const int64_t C = j.classes;
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
            if (cls[r] < 0) continue;
            xy[r] = kIndex ? static_cast<double>(x[cls[r]]) : 0.0;  // before an in-place sweep 1 overwrites it
            int64_t chunk = 0;
            for (int64_t c = 0; c < C; c += kChunkElements, ++chunk) {
                int count, tail;
                chunk_shape(c, count, tail);
                sweep1_chunk<T, kIndex, kSmooth, kGrad>(j, x, t, g, c, count, tail, state[r]);
                chunk_max[r * chunks + chunk] = state[r].m;
            }
        }
        // The logs of the sums (excluded rows: log 1, unused).
        if (group == 1) {
            if (cls[0] >= 0) log_sum[0] = __builtin_log(state[0].sum);
        } else {
            alignas(64) double sum[kGroup];
            for (int r = 0; r < kGroup; ++r) sum[r] = r < n && cls[r] >= 0 ? state[r].sum : 1.0;
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
            if (j.loss_out) static_cast<T*>(j.loss_out)[pos] = static_cast<T>(j.scale * l);
            if (!kGrad) continue;

            const double f = gradient_factor<T>(j, pos, factor);
            const double coef = kIndex ? f * ((1.0 - j.eps) * wy + j.eps_per_class * j.weight_total) / st.sum
                                       : f * a_total / st.sum;
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

// The lanes of T in double, as the registers that hold them: one for double, two for float. GCC
// lowers vectors wider than a register lane by lane, through the stack (even a splat), so the
// per-lane double arithmetic of tile() is written on these, register by register.
template <typename T>
struct Wide {
    static constexpr int kParts = sizeof(typename Simd<T>::D) / sizeof(RegD);
    static constexpr int kPerPart = sizeof(RegD) / sizeof(double);
    RegD part[kParts];

    static Wide splat(double x) {
        Wide w;
        for (int p = 0; p < kParts; ++p) w.part[p] = RegD{} + x;
        return w;
    }
    double lane(int l) const { return part[l / kPerPart][l % kPerPart]; }
    void set_lane(int l, double x) { part[l / kPerPart][l % kPerPart] = x; }
};

#define XENT_WIDE_OP(op)                                                                               \
    template <typename T>                                                                             \
    __attribute__((always_inline)) inline Wide<T> operator op(Wide<T> a, const Wide<T>& b) {          \
        for (int p = 0; p < Wide<T>::kParts; ++p) a.part[p] = a.part[p] op b.part[p];                 \
        return a;                                                                                     \
    }                                                                                                 \
    template <typename T>                                                                             \
    __attribute__((always_inline)) inline Wide<T> operator op(Wide<T> a, double b) {                  \
        for (int p = 0; p < Wide<T>::kParts; ++p) a.part[p] = a.part[p] op b;                         \
        return a;                                                                                     \
    }                                                                                                 \
    template <typename T>                                                                             \
    __attribute__((always_inline)) inline Wide<T> operator op(double a, Wide<T> b) {                  \
        for (int p = 0; p < Wide<T>::kParts; ++p) b.part[p] = a op b.part[p];                        \
        return b;                                                                                     \
    }                                                                                                 \
    template <typename T, typename B>                                                                 \
    __attribute__((always_inline)) inline Wide<T>& operator op##=(Wide<T>& a, const B& b) {           \
        return a = a op b;                                                                            \
    }
XENT_WIDE_OP(+)
XENT_WIDE_OP(-)
XENT_WIDE_OP(*)
XENT_WIDE_OP(/)
#undef XENT_WIDE_OP

// Two vectors of 4-byte lanes side by side, in registers (a copy through memory would stall on
// store forwarding).
template <typename Out, typename H>
__attribute__((always_inline)) inline Out concat(H a, H b) {
    constexpr int n = sizeof(H) / 4;
    if constexpr (n == 8) return (Out)__builtin_shufflevector(a, b, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    else if constexpr (n == 4) return (Out)__builtin_shufflevector(a, b, 0, 1, 2, 3, 4, 5, 6, 7);
    else return (Out)__builtin_shufflevector(a, b, 0, 1, 2, 3);
}

// A vector of T in double.
template <typename T>
__attribute__((always_inline)) inline Wide<T> widen(typename Simd<T>::V v) {
    Wide<T> w;
    if constexpr (Wide<T>::kParts == 1) {
        w.part[0] = v;
    } else {
        w.part[0] = __builtin_convertvector(low_half(v), RegD);
        w.part[1] = __builtin_convertvector(high_half(v), RegD);
    }
    return w;
}

// Back to a vector of T (rounded).
template <typename T>
__attribute__((always_inline)) inline typename Simd<T>::V narrow(const Wide<T>& w) {
    using V = typename Simd<T>::V;
    if constexpr (Wide<T>::kParts == 1) {
        return w.part[0];
    } else {
        typedef float Half __attribute__((vector_size(sizeof(V) / 2)));
        return concat<V>(__builtin_convertvector(w.part[0], Half), __builtin_convertvector(w.part[1], Half));
    }
}

// Zero where the lane mask (T's width, true lanes -1) is set.
template <typename T>
__attribute__((always_inline)) inline Wide<T> zero_where(Wide<T> w, typename Simd<T>::I mask) {
    if constexpr (Wide<T>::kParts == 1) {
        w.part[0] = (RegD)((RegL)w.part[0] & ~mask);
    } else {
        w.part[0] = (RegD)((RegL)w.part[0] & ~__builtin_convertvector(low_half(mask), RegL));
        w.part[1] = (RegD)((RegL)w.part[1] & ~__builtin_convertvector(high_half(mask), RegL));
    }
    return w;
}

// Sum of the lanes, in the order hsum_tree() gives the whole vector (halving).
template <typename T>
__attribute__((always_inline)) inline double hsum_wide(const Wide<T>& w) {
    RegD total = w.part[0];
    for (int p = 1; p < Wide<T>::kParts; ++p) total += w.part[p];
    return hsum_tree(total);
}

template <typename T>
inline double hsum(typename Simd<T>::V v) {
    return hsum_wide(widen<T>(v));
}

// log of the lanes (sums of exps, >= 1).
template <typename T>
__attribute__((always_inline)) inline Wide<T> vlog_wide(Wide<T> x) {
    for (int p = 0; p < Wide<T>::kParts; ++p) x.part[p] = vlog_reg(x.part[p]);
    return x;
}

#if defined(__AVX512F__) && XENT_VECTOR_BYTES == 64
// In-register 16x16 transpose of floats (its own inverse): unpack, shuffle, two cross-lane steps.
__attribute__((always_inline)) inline void transpose16(__m512 r[16]) {
    __m512 t[16], u[16], v[16];
    for (int i = 0; i < 8; ++i) {
        t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
    for (int i = 0; i < 4; ++i) {
        u[4 * i + 0] = _mm512_shuffle_ps(t[4 * i + 0], t[4 * i + 2], 0x44);
        u[4 * i + 1] = _mm512_shuffle_ps(t[4 * i + 0], t[4 * i + 2], 0xEE);
        u[4 * i + 2] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0x44);
        u[4 * i + 3] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0xEE);
    }
    for (int k = 0; k < 4; ++k) {
        v[k] = _mm512_shuffle_f32x4(u[k], u[k + 4], 0x88);
        v[k + 4] = _mm512_shuffle_f32x4(u[k], u[k + 4], 0xDD);
        v[k + 8] = _mm512_shuffle_f32x4(u[k + 8], u[k + 12], 0x88);
        v[k + 12] = _mm512_shuffle_f32x4(u[k + 8], u[k + 12], 0xDD);
    }
    for (int k = 0; k < 4; ++k) {
        r[k] = _mm512_shuffle_f32x4(v[k], v[k + 8], 0x88);
        r[k + 8] = _mm512_shuffle_f32x4(v[k], v[k + 8], 0xDD);
        r[k + 4] = _mm512_shuffle_f32x4(v[k + 4], v[k + 12], 0x88);
        r[k + 12] = _mm512_shuffle_f32x4(v[k + 4], v[k + 12], 0xDD);
    }
}
#endif

#if defined(__AVX2__) && XENT_VECTOR_BYTES == 32
// In-register 8x8 transpose of floats (its own inverse).
__attribute__((always_inline)) inline void transpose8(__m256 r[8]) {
    __m256 t[8], u[8];
    for (int i = 0; i < 4; ++i) {
        t[2 * i] = _mm256_unpacklo_ps(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm256_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
    for (int i = 0; i < 2; ++i) {
        u[4 * i + 0] = _mm256_shuffle_ps(t[4 * i + 0], t[4 * i + 2], 0x44);
        u[4 * i + 1] = _mm256_shuffle_ps(t[4 * i + 0], t[4 * i + 2], 0xEE);
        u[4 * i + 2] = _mm256_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0x44);
        u[4 * i + 3] = _mm256_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0xEE);
    }
    for (int k = 0; k < 4; ++k) {
        r[k] = _mm256_permute2f128_ps(u[k], u[k + 4], 0x20);
        r[k + 4] = _mm256_permute2f128_ps(u[k], u[k + 4], 0x31);
    }
}

// In-register 4x4 transpose of doubles (its own inverse).
__attribute__((always_inline)) inline void transpose4d(__m256d r[4]) {
    const __m256d t0 = _mm256_unpacklo_pd(r[0], r[1]), t1 = _mm256_unpackhi_pd(r[0], r[1]);
    const __m256d t2 = _mm256_unpacklo_pd(r[2], r[3]), t3 = _mm256_unpackhi_pd(r[2], r[3]);
    r[0] = _mm256_permute2f128_pd(t0, t2, 0x20);
    r[1] = _mm256_permute2f128_pd(t1, t3, 0x20);
    r[2] = _mm256_permute2f128_pd(t0, t2, 0x31);
    r[3] = _mm256_permute2f128_pd(t1, t3, 0x31);
}
#endif

#if defined(__AVX512F__) && XENT_VECTOR_BYTES == 64
// In-register 8x8 transpose of doubles (its own inverse): pairs, then 128-bit blocks twice.
__attribute__((always_inline)) inline void transpose8d(__m512d r[8]) {
    __m512d t[8], v[8];
    for (int i = 0; i < 4; ++i) {
        t[2 * i] = _mm512_unpacklo_pd(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm512_unpackhi_pd(r[2 * i], r[2 * i + 1]);
    }
    for (int i = 0; i < 2; ++i) {
        v[4 * i + 0] = _mm512_shuffle_f64x2(t[4 * i + 0], t[4 * i + 2], 0x88);
        v[4 * i + 1] = _mm512_shuffle_f64x2(t[4 * i + 0], t[4 * i + 2], 0xDD);
        v[4 * i + 2] = _mm512_shuffle_f64x2(t[4 * i + 1], t[4 * i + 3], 0x88);
        v[4 * i + 3] = _mm512_shuffle_f64x2(t[4 * i + 1], t[4 * i + 3], 0xDD);
    }
    r[0] = _mm512_shuffle_f64x2(v[0], v[4], 0x88);
    r[4] = _mm512_shuffle_f64x2(v[0], v[4], 0xDD);
    r[2] = _mm512_shuffle_f64x2(v[1], v[5], 0x88);
    r[6] = _mm512_shuffle_f64x2(v[1], v[5], 0xDD);
    r[1] = _mm512_shuffle_f64x2(v[2], v[6], 0x88);
    r[5] = _mm512_shuffle_f64x2(v[2], v[6], 0xDD);
    r[3] = _mm512_shuffle_f64x2(v[3], v[7], 0x88);
    r[7] = _mm512_shuffle_f64x2(v[3], v[7], 0xDD);
}
#endif

#if (defined(__AVX512F__) && XENT_VECTOR_BYTES == 64) || (defined(__AVX2__) && XENT_VECTOR_BYTES == 32)
#define XENT_TRANSPOSE_TILES 1
// The W x W transpose of this ISA and type, on W vectors.
template <typename T>
__attribute__((always_inline)) inline void transpose_tile(typename Simd<T>::V* r) {
#if defined(__AVX512F__) && XENT_VECTOR_BYTES == 64
    if constexpr (sizeof(T) == 4) transpose16(reinterpret_cast<__m512*>(r));
    else transpose8d(reinterpret_cast<__m512d*>(r));
#else
    if constexpr (sizeof(T) == 4) transpose8(reinterpret_cast<__m256*>(r));
    else transpose4d(reinterpret_cast<__m256d*>(r));
#endif
}

// Lanes moved by `shift` (lane k takes lane k + shift, modulo W).
template <typename T>
inline typename Simd<T>::V rotate_lanes(typename Simd<T>::V v, int shift) {
    using V = typename Simd<T>::V;
#if defined(__AVX512F__) && XENT_VECTOR_BYTES == 64
    if constexpr (sizeof(T) == 4) {
        const __m512i index = _mm512_and_si512(
            _mm512_add_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), _mm512_set1_epi32(shift)),
            _mm512_set1_epi32(15));
        return (V)_mm512_permutexvar_ps(index, (__m512)v);
    } else {
        const __m512i index = _mm512_and_si512(_mm512_add_epi64(_mm512_setr_epi64(0, 1, 2, 3, 4, 5, 6, 7), _mm512_set1_epi64(shift)),
                                               _mm512_set1_epi64(7));
        return (V)_mm512_permutexvar_pd(index, (__m512d)v);
    }
#else
    // Float lanes, or each double as its two float halves.
    constexpr int kHalves = sizeof(T) / 4;
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256i index = _mm256_and_si256(_mm256_add_epi32(lane, _mm256_set1_epi32(shift * kHalves)), _mm256_set1_epi32(7));
    return (V)_mm256_permutevar8x32_ps((__m256)v, index);
#endif
}
#endif

// W rows of C elements (row-major, rows C apart) -> class-major staging (c * W + lane), in
// blocks of W columns transposed in registers, with plain loads only (masked ones are slow, and on
// AMD one waits for any store in flight that its masked-off lanes overlap): a row's block may run
// on into the next row, whose values land in columns >= C and are not kept; a block that would
// run past the W rows is taken from the vector that ends where they end, moved down.
template <typename T>
inline void rows_to_lanes(const T* rows, int64_t C, T* staged) {
    constexpr int W = Simd<T>::kLanes;
#ifdef XENT_TRANSPOSE_TILES
    using V = typename Simd<T>::V;
    const T* last = rows + W * C - W;
    for (int64_t c0 = 0; c0 < C; c0 += W) {
        const int n = C - c0 < W ? static_cast<int>(C - c0) : W;
        V r[W];
        for (int l = 0; l < W; ++l) {
            const T* at = rows + l * C + c0;
            r[l] = at <= last ? load<T>(at) : rotate_lanes<T>(load<T>(last), static_cast<int>(at - last));
        }
        transpose_tile<T>(r);
        for (int k = 0; k < n; ++k) store<T>(staged + (c0 + k) * W, r[k]);
    }
#else
    for (int l = 0; l < W; ++l)
        for (int64_t c = 0; c < C; ++c) staged[c * W + l] = rows[l * C + c];
#endif
}

// The inverse, with plain stores only. Fewer than W columns: the rows go to a stack buffer in
// order (each one's spill into the next overwritten by it) and out as C whole vectors. Otherwise
// blocks from the last to the first: a row's partial block runs on into the next row's first
// columns, which that row's first block rewrites later; the last row's partial block is stored as
// the vector that ends where the row ends, its first lanes rewritten by the block before.
template <typename T>
inline void lanes_to_rows(const T* staged, int64_t C, T* rows) {
    constexpr int W = Simd<T>::kLanes;
#ifdef XENT_TRANSPOSE_TILES
    using V = typename Simd<T>::V;
    if (C < W) {
        V r[W];
        for (int k = 0; k < W; ++k) r[k] = k < C ? load<T>(staged + k * W) : V{};
        transpose_tile<T>(r);
        alignas(64) T buffer[W * W + W];
        for (int l = 0; l < W; ++l) store<T>(buffer + l * C, r[l]);
        for (int64_t k = 0; k < C; ++k) store<T>(rows + k * W, load<T>(buffer + k * W));
        return;
    }
    for (int64_t c0 = (C - 1) / W * W; c0 >= 0; c0 -= W) {
        const int n = C - c0 < W ? static_cast<int>(C - c0) : W;
        V r[W];
        for (int k = 0; k < W; ++k) r[k] = k < n ? load<T>(staged + (c0 + k) * W) : V{};
        transpose_tile<T>(r);
        for (int l = 0; l < W - 1; ++l) store<T>(rows + l * C + c0, r[l]);
        if (n == W) store<T>(rows + (W - 1) * C + c0, r[W - 1]);
        else store<T>(rows + W * C - W, rotate_lanes<T>(r[W - 1], n));
    }
#else
    for (int l = 0; l < W; ++l)
        for (int64_t c = 0; c < C; ++c) rows[l * C + c] = staged[c * W + l];
#endif
}

// The targets of the positions p0 .. p0 + W, as vectors of T's width: the class (0 where
// excluded) and whether the position is excluded: by the ignore index, or by a target outside
// [0, C) after the base (rewritten by another thread since pass 1: see class_of). Every comparison is on vectors of
// one register: GCC lowers a comparison of wider vectors (int64 lanes for float) lane by lane,
// through the stack, which cost more than the tile's arithmetic on short class axes.
// (A partial tile's `width` targets are copied into a zero-padded array first: the lanes past
// them are excluded by the caller.)
template <typename T>
__attribute__((always_inline)) inline void lane_targets(const LogitsJob& j, int64_t p0, int width, typename Simd<T>::I& cls,
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
// cost little more per element than long ones.
template <typename T, bool kIndex, bool kSmooth, bool kGrad, bool kGather, bool kStaged>
void tile(const LogitsJob& j, int64_t o, int64_t i0, int width, double factor, LogitsSums* sums) {
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
    Wd sp = Wd::splat(1.0), f = Wd::splat(factor);
    if (j.sample_weights) sp = widen<T>(load_at(static_cast<const T*>(j.sample_weights) + p0));
    if (j.reduction_none) {
        f = Wd::splat(j.scale);
        if (j.grad_output) f *= widen<T>(load_at(static_cast<const T*>(j.grad_output) + p0));
    }
    f = zero_where<T>(f * sp, excluded);

    // Sweep 1: max, arg-max, x_y and the target's arg-max.
    const T neg_inf = -static_cast<T>(__builtin_inf());
    V best = V{} + neg_inf, target_best = V{} + neg_inf, xy{};
    I best_index{}, target_index{};
    for (int64_t c = 0; c < C; ++c) {
        const V v = kGather ? load_x(c) : load_at(x + c * S);
        if (!kGather) {
            // Each class row is its own stream, C of them in, C out: more than the hardware
            // prefetchers follow, so fetch the tiles a few ahead (a prefetch never faults).
            __builtin_prefetch(x + c * S + kPrefetchTiles * W);
            if (kGrad) __builtin_prefetch(g + c * S + kPrefetchTiles * W, 1);
        }
        if (kStaged && !kGather) store<T>(xs + c * W, v);
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
    for (int64_t c = 0; c < C; ++c) {
        const V d = load_x(c) - m;
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
        if (kGrad) {
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
        g_y = narrow<T>(coef * widen<T>(e_y) - f * j.eps_per_class * wy - f * (1.0 - j.eps) * wy);
    }
    for (int64_t c = 0; c < C; ++c) {
        const I ci = I{} + static_cast<IV>(c);
        const T wc = class_weight<T>(j, c);
        const V e = kStaged ? load<T>(xs + c * W) : load_at(g + c * S);
        V out = e * coef_t;
        if (kIndex) {
            if (kSmooth) out -= smooth * wc;
            out = ci == cls ? g_y : out;
        } else {
            out -= (load_t(c) * static_cast<T>(1.0 - j.eps) + static_cast<T>(j.eps_per_class)) * wc * f_t;
        }
        out = excluded ? V{} : out;
        if (kGather) store<T>(xs + c * W, out);
        else store_at(g + c * S, out);
    }
    if (kGather) lanes_to_rows<T>(xs, C, g);  // lanes -> rows
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

template <typename T, bool kGather, bool kStaged>
void tile_options(const LogitsJob& j, int64_t o, int64_t i0, int width, double factor, LogitsSums* sums) {
    const bool grad = j.grad != nullptr, smooth = j.eps > 0.0;
    if (j.index_targets) {
        if (smooth) {
            if (grad) tile<T, true, true, true, kGather, kStaged>(j, o, i0, width, factor, sums);
            else tile<T, true, true, false, kGather, kStaged>(j, o, i0, width, factor, sums);
        } else {
            if (grad) tile<T, true, false, true, kGather, kStaged>(j, o, i0, width, factor, sums);
            else tile<T, true, false, false, kGather, kStaged>(j, o, i0, width, factor, sums);
        }
    } else {
        if (grad) tile<T, false, true, true, kGather, kStaged>(j, o, i0, width, factor, sums);
        else tile<T, false, true, false, kGather, kStaged>(j, o, i0, width, factor, sums);
    }
}

template <typename T, bool kGather>
void tile_entry(const LogitsJob& j, int64_t o, int64_t i0, int width, double factor, LogitsSums* sums) {
    if (kGather || j.classes <= kStagedMaxClasses) tile_options<T, kGather, true>(j, o, i0, width, factor, sums);
    else tile_options<T, false, false>(j, o, i0, width, factor, sums);
}

#if defined(__AVX512F__) && XENT_VECTOR_BYTES == 64
#include "short_rows_avx512.h"
#endif

// Rows [first, end), fewer than W, of at most kGatherMaxClasses classes, as one partial tile: the
// rows are copied into a zero-padded tile of W rows and the gradient out of one, and the job's
// per-position pointers start at `first`. (Copies of a few rows cost less than those rows one
// at a time.)
template <typename T>
void tile_rows_partial(const LogitsJob& j, int64_t first, int64_t end, double factor, LogitsSums* sums) {
    constexpr int W = Simd<T>::kLanes;
    const int64_t C = j.classes, n = (end - first) * C;
    alignas(64) T rows[kGatherMaxClasses * W], targets[kGatherMaxClasses * W], grad[kGatherMaxClasses * W];
    const T* x = static_cast<const T*>(j.input) + first * C;
    for (int64_t e = 0; e < W * C; ++e) rows[e] = e < n ? x[e] : T(0);
    LogitsJob k = j;
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
    tile_entry<T, true>(k, 0, 0, static_cast<int>(end - first), factor, sums);
    if (j.grad) {
        T* g = static_cast<T*>(j.grad) + first * C;
        for (int64_t e = 0; e < n; ++e) g[e] = grad[e];
    }
}

// Class-last rows [first, end): short rows a vector of rows at a time, long ones one by one.
template <typename T>
void rows_dispatch(const LogitsJob& j, int64_t first, int64_t end, double factor, LogitsSums* sums) {
    constexpr int W = Simd<T>::kLanes;
#if defined(__AVX512F__) && XENT_VECTOR_BYTES == 64
    if (sizeof(T) == 4 && short_rows_apply(j)) {
        const int64_t left = (end - first) % 16;
        const int64_t steps_end = left < kShortRowsMin ? end - left : end;
        if (j.grad != nullptr) {
            if (first < steps_end) short_rows_of<true>(j, first, steps_end, factor, sums);
            if (steps_end < end) short_rows_one<true>(j, steps_end, end, factor, sums);
        } else {
            if (first < steps_end) short_rows_of<false>(j, first, steps_end, factor, sums);
            if (steps_end < end) short_rows_one<false>(j, steps_end, end, factor, sums);
        }
        return;
    }
#endif
    if (j.classes <= kGatherMaxClasses) {
        for (; first + W <= end; first += W) tile_entry<T, true>(j, 0, first, W, factor, sums);
        // The rows left as one partial tile when they are at least half a tile (measured: 4 rows
        // of 17-64 classes one at a time cost about what a tile does, 8 rows clearly more), and
        // unless sequence lengths index their positions from the call's first.
        if (first < end && 2 * (end - first) >= W && j.lengths == nullptr) {
            tile_rows_partial<T>(j, first, end, factor, sums);
            return;
        }
    }
    if (first < end) rows_entry<T>(j, first, end, factor, sums);
}

#include "bce_simd.h"
#include "count_simd.h"
#include "nll_rows_simd.h"

}  // namespace

const LogitsKernels kernels = {
    XENT_ISA_NAME,
    Simd<float>::kLanes,
    Simd<double>::kLanes,
    rows_dispatch<float>,
    rows_dispatch<double>,
    tile_entry<float, false>,
    tile_entry<double, false>,
    binary_entry<float>,
    binary_entry<double>,
    nll_rows_entry<float>,
    nll_rows_entry<double>,
    nll_tile_entry<float>,
    nll_tile_entry<double>,
    count_index<int32_t>,
    count_index<int64_t>,
};

}  // namespace XENT_ISA
}  // namespace xent
