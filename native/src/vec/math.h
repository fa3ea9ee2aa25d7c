// Vector math over the ISA's primitives: exp of one number, logs (of sums of exps, of any
// positive lanes, log1p), and the double-lane arithmetic (Wide) in which the kernels keep their
// per-position numbers: GCC lowers vectors wider than a register lane by lane, through the stack,
// so a float vector's lanes in double are held as the registers that hold them.
#pragma once

#include <cstdint>

#include "vec/ops.h"
#include "vec/primitives.h"
#include "vec/types.h"

namespace xent {
namespace XENT_ISA {

// exp of one number through the same polynomial, for per-chunk rescale factors.
template <typename T>
inline T sexp(T x) {
    typename Simd<T>::V v = typename Simd<T>::V{} + x;
    return vexp<T>(v)[0];
}

// libm's log of the lanes of x where `normal` is false, into out. Out of line and cold: calls in
// a vector loop make the compiler keep its vectors on the stack, even on the path without them.
template <typename V, typename I>
__attribute__((noinline, cold)) void log_lanes(V x, I normal, V& out) {
    for (unsigned l = 0; l < sizeof(V) / sizeof(x[0]); ++l)
        if (!normal[l]) out[l] = sizeof(x[0]) == 4 ? __builtin_logf(static_cast<float>(x[l])) : __builtin_log(x[l]);
}

// log of a register of doubles >= 1 (sums of exps that include exp(0)): log x = k ln 2 + log m
// with x = 2^k m, m in [sqrt(1/2), sqrt(2)), and log m = 2 atanh(s), s = (m - 1) / (m + 1),
// |s| < 0.172, as an odd series to s^23 (error below 1e-17). Lanes outside (0, inf) get libm's
// answer. One register wide: GCC lowers compares on wider vectors lane by lane.
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
    if (!all_lanes<double>(normal)) log_lanes(x, normal, out);
    return out;
}

// tanh of the lanes (the soft-cap, c * tanh(x / c)): for |y| < 0.625 the odd polynomial
// y + y^3 R(y^2), for larger |y| 1 - 2 / (exp(2|y|) + 1) with the sign of y (no cancellation there:
// the term subtracted is at most 0.45). tools/tanh/fit_tanh.py fits R; native/tests/test_exp
// measures every ISA's tanh against long double. NaN stays NaN; +-inf give +-1.
template <typename T>
struct TanhPolynomial;

template <>
struct TanhPolynomial<float> {
    static constexpr int kCount = 5;
    static constexpr float kR[kCount] = {-0.33333287f, 0.13331513f, -0.05374466f, 0.020653125f, -0.0057189628f};
};

template <>
struct TanhPolynomial<double> {
    static constexpr int kCount = 11;
    static constexpr double kR[kCount] = {-0.333333333333331,      0.1333333333328543,     -0.05396825394170876,
                                          0.021869487808432255,    -0.008863223976946269,  0.0035920127244474746,
                                          -0.0014550780094560803,  0.0005867021733580739,  -0.00022933696370774104,
                                          7.80171887794205e-05,    -1.649733619147108e-05};
};

template <typename T>
__attribute__((always_inline)) inline typename Simd<T>::V vtanh(typename Simd<T>::V y) {
    using V = typename Simd<T>::V;
    using I = typename Simd<T>::I;
    using K = TanhPolynomial<T>;
    const V sign = (V)((I)y & (I)(-V{}));  // -0.0 in every lane: the sign bit alone
    const V a = (V)((I)y ^ (I)sign);            // |y|
    const V u = y * y;
    V r = V{} + K::kR[K::kCount - 1];
    for (int k = K::kCount - 2; k >= 0; --k) r = r * u + K::kR[k];
    const V small = (y * u) * r + y;
    const I is_small = a < T(0.625);
    // Logits within 0.625 c of 0 (most of a vocabulary's, at the caps in use) skip the exp and
    // the division.
    if (all_lanes<T>(is_small)) return small;
    const V large = T(1) - T(2) / (vexp<T>(a + a) + T(1));
    return is_small ? small : (V)((I)large | (I)sign);
}

// The soft-cap of logits: z = c tanh(x / c) (docs/semantics.md); inv_c is 1 / c.
template <typename T>
__attribute__((always_inline)) inline typename Simd<T>::V vsoftcap(typename Simd<T>::V x, T c, T inv_c) {
    return c * vtanh<T>(x * inv_c);
}

// dz/dx of the soft-cap from z itself: 1 - tanh^2 = 1 - (z / c)^2, never below 0: where tanh
// saturates, z = c and c * (1 / c) may round above 1, which would give a gradient where there is none.
template <typename T>
__attribute__((always_inline)) inline typename Simd<T>::V vsoftcap_slope(typename Simd<T>::V z, T inv_c) {
    using V = typename Simd<T>::V;
    const V t = z * inv_c;
    const V slope = T(1) - t * t;
    return slope > V{} ? slope : V{};
}

// The soft-cap of one number, through the same arithmetic as the vector's (so the same bits).
template <typename T>
inline T ssoftcap(T x, T c, T inv_c) {
    return vsoftcap<T>(typename Simd<T>::V{} + x, c, inv_c)[0];
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

// log of the lanes, for positive normal x; other lanes get libm's answer (log 0 = -inf, NaN
// stays NaN). x = 2^k m with m in [sqrt(1/2), sqrt(2)), log m = 2 atanh(s), s = (m - 1) / (m + 1),
// |s| < 0.172, as an odd series: to s^9 in float (error below 1e-9), to s^23 in double.
template <typename T>
inline typename Simd<T>::V vlog_any(typename Simd<T>::V x) {
    using V = typename Simd<T>::V;
    using I = typename Simd<T>::I;
    if constexpr (sizeof(T) == 8) {
        return vlog_reg(x);
    } else {
        const I bits = (I)x;
        I k = ((bits >> 23) & 0xff) - 127;
        V m = (V)((bits & 0x007fffff) | 0x3f800000);
        const I big = m > 1.41421356f;
        m = big ? m * 0.5f : m;
        k -= big;  // true lanes are -1
        const V s = (m - 1.0f) / (m + 1.0f), z = s * s;
        const V p = (((z * (1.0f / 9) + 1.0f / 7) * z + 1.0f / 5) * z + 1.0f / 3) * z + 1.0f;
        V out = __builtin_convertvector(k, V) * 0.693147182f + 2.0f * s * p;
        const I normal = (x >= 1.17549435e-38f) & (x < __builtin_inff());
        if (!all_lanes<T>(normal)) log_lanes(x, normal, out);
        return out;
    }
}

// log1p(u) for u > -1, from w = 1 + u and its reciprocal r (see above); -inf where w is 0.
template <typename T>
inline typename Simd<T>::V vlog1p(typename Simd<T>::V u, typename Simd<T>::V w, typename Simd<T>::V r) {
    using V = typename Simd<T>::V;
    const V log_w = vlog_any<T>(w);
    return w > T(0) ? log_w + (u - (w - T(1))) * r : log_w;
}


}  // namespace XENT_ISA
}  // namespace xent
