// The vector exp of the portable and AVX2 kernels (AVX-512 has a table variant, vec/avx512.h).
//
// exp(x) = 2^n * p(r), n = round(x / ln 2), r = x - n ln2_hi - n ln2_lo (Cody-Waite: n * ln2_hi
// is exact), p a degree-6 (float) or degree-11 (double) polynomial with p(0) = p'(0) = 1 fitted by
// tools/exp/fit_exp.py. native/tests/test_exp measures every ISA's exp against long double.
// Inputs below the smallest normal result give 0, so a -inf logit has probability 0; NaN stays
// NaN, and every comparison is written so that a NaN operand falls through unchanged.
#pragma once

#include "vec/exp_constants.h"
#include "vec/types.h"

namespace xent {
namespace XENT_ISA {

template <typename V, typename T>
inline V exp_polynomial(V r);

template <>
inline Simd<float>::V exp_polynomial<Simd<float>::V, float>(Simd<float>::V r) {
    Simd<float>::V p = 0.0013751407386735082f * r + 0.008368915878236294f;
    p = p * r + 0.04166953265666962f;
    p = p * r + 0.166665181517601f;
    p = p * r + 0.49999988079071045f;
    p = p * r + 1.0f;
    return p * r + 1.0f;
}

template <>
inline Simd<double>::V exp_polynomial<Simd<double>::V, double>(Simd<double>::V r) {
    Simd<double>::V p = 2.4815708004545154e-08 * r + 2.762577471004051e-07;
    p = p * r + 2.7558081402852513e-06;
    p = p * r + 2.480150439731219e-05;
    p = p * r + 0.00019841269051340754;
    p = p * r + 0.0013888888934127236;
    p = p * r + 0.00833333333365827;
    p = p * r + 0.04166666666656002;
    p = p * r + 0.16666666666666152;
    p = p * r + 0.5000000000000002;
    p = p * r + 1.0;
    return p * r + 1.0;
}

// kNonPositive: the caller guarantees x <= 0 or NaN (softmax's x - max), so no overflow clamp.
template <typename T, bool kNonPositive = false>
__attribute__((always_inline)) inline typename Simd<T>::V vexp(typename Simd<T>::V x) {
    using V = typename Simd<T>::V;
    using K = ExpConstants<T>;
    using I = typename Simd<T>::I;
    const I underflow = x < K::kLow;                 // false for NaN
    x = x < K::kLow ? V{} + K::kLow : x;             // NaN falls through
    if (!kNonPositive) x = K::kHigh < x ? V{} + K::kHigh : x;
    const V shifted = x * K::kLog2e + K::kRound;     // n in the low mantissa bits
    const V n = shifted - K::kRound;
    V r = x - n * K::kLn2Hi;
    r = r - n * K::kLn2Lo;
    const V p = exp_polynomial<V, T>(r);
    // A cast between vector types of one size reinterprets the bits (GCC vector extensions).
    const I exponent = (((I)shifted - (I)(V{} + K::kRound)) + K::kBias) << K::kMantissaBits;
    const V result = p * (V)exponent;
    return (V)((I)result & ~underflow);
}

}  // namespace XENT_ISA
}  // namespace xent
