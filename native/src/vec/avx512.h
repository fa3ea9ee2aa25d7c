// The primitives of the AVX-512 kernels (F, DQ, BW, VL): 16 floats or 8 doubles per vector.
// Masked loads and stores, mask registers, in-register transposes, and an exp that reads 2^(j/16)
// from a table held in registers. Compiled only into the AVX-512 kernel table
// (kernels/table_avx512.cpp), which isa.cpp calls only on CPUs that have it;
// tools/isa/check_isa.py checks that no AVX-512 instruction lies outside namespace xent::avx512.
#pragma once

#ifndef XENT_ISA  // opened alone (an editor, a linter): this header's own instruction set
#define XENT_ISA avx512
#define XENT_VECTOR_BYTES 64
#endif

#include <immintrin.h>

#include <cstdint>

#include "vec/exp_constants.h"
#include "vec/ops.h"
#include "vec/types.h"

namespace xent {
namespace XENT_ISA {

// n < lanes elements from p, the other lanes set to `fill`; never touches p[n] and beyond.
template <typename T>
inline typename Simd<T>::V load_partial(const T* p, int n, T fill) {
    using V = typename Simd<T>::V;
    if constexpr (sizeof(T) == 4) {
        return (V)_mm512_mask_loadu_ps(_mm512_set1_ps(fill), static_cast<__mmask16>((1u << n) - 1), p);
    } else {
        return (V)_mm512_mask_loadu_pd(_mm512_set1_pd(fill), static_cast<__mmask8>((1u << n) - 1), p);
    }
}

// The first n lanes of v to p[0, n).
template <typename T>
inline void store_partial(T* p, typename Simd<T>::V v, int n) {
    if constexpr (sizeof(T) == 4) _mm512_mask_storeu_ps(p, static_cast<__mmask16>((1u << n) - 1), (__m512)v);
    else _mm512_mask_storeu_pd(p, static_cast<__mmask8>((1u << n) - 1), (__m512d)v);
}

// Whether every lane of a comparison's result is true: one mask test.
template <typename T>
inline bool all_lanes(typename Simd<T>::I mask) {
    if constexpr (sizeof(T) == 4) return _mm512_test_epi32_mask((__m512i)mask, (__m512i)mask) == 0xffff;
    else return _mm512_test_epi64_mask((__m512i)mask, (__m512i)mask) == 0xff;
}

// The first lane of v equal to `value`, or -1: one comparison into a mask and a bit scan.
template <typename T>
inline int first_lane_equal(typename Simd<T>::V v, T value) {
    unsigned bits;
    if constexpr (sizeof(T) == 4) bits = _mm512_cmpeq_ps_mask((__m512)v, _mm512_set1_ps(value));
    else bits = _mm512_cmpeq_pd_mask((__m512d)v, _mm512_set1_pd(value));
    return bits ? __builtin_ctz(bits) : -1;
}

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

// The W x W transpose of this ISA and type, on W vectors.
template <typename T>
__attribute__((always_inline)) inline void transpose_tile(typename Simd<T>::V* r) {
    if constexpr (sizeof(T) == 4) transpose16(reinterpret_cast<__m512*>(r));
    else transpose8d(reinterpret_cast<__m512d*>(r));
}

// Lanes moved by `shift` (lane k takes lane k + shift, modulo W).
template <typename T>
inline typename Simd<T>::V rotate_lanes(typename Simd<T>::V v, int shift) {
    using V = typename Simd<T>::V;
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
}

// The exp: x = (16k + j) ln2/16 + r, exp(x) = 2^k * 2^(j/16) * e^r, with 2^(j/16) read from a
// table in registers, so e^r - 1 needs a polynomial of degree 3 (float) or 6 (double) where the
// portable exp (vec/exp_polynomial.h) needs 6 and 11; vscalef applies 2^k and underflows to 0.
// tools/exp/fit_exp.py fits both; native/tests/test_exp measures them against long double.
// exp for AVX-512 float, as vexp_table_pd below: the 16 values of 2^(j/16) fill one register
// (vpermps) and e^r - 1 needs degree 3: 10 instructions after the clamp instead of 11 (at most
// 0.98 ulp over [-87, 0], tools/exp/fit_exp.py).
__attribute__((always_inline)) inline __m512 vexp_table_ps(__m512 x) {
    using K = ExpConstants<float>;
    const __m512 magic = _mm512_set1_ps(1.5f * 524288.0f);  // 1.5 * 2^19: rounds to a multiple of 1/16
    const __m512 shifted = _mm512_fmadd_ps(x, _mm512_set1_ps(K::kLog2e), magic);
    const __m512 n16 = _mm512_sub_ps(shifted, magic);
    // (n / 16 * ln2_hi is exact: n has at most 12 bits and ln2_hi 9.)
    __m512 r = _mm512_fnmadd_ps(n16, _mm512_set1_ps(K::kLn2Hi), x);
    r = _mm512_fnmadd_ps(n16, _mm512_set1_ps(K::kLn2Lo), r);
    __m512 s = _mm512_fmadd_ps(_mm512_set1_ps(0.16666845977306366f), r, _mm512_set1_ps(0.5000162720680237f));
    s = _mm512_fmadd_ps(s, r, _mm512_set1_ps(1.0f));
    const __m512 q = _mm512_mul_ps(s, r);  // e^r - 1
    const __m512 powers = _mm512_setr_ps(1.0f, 1.0442737340927124f, 1.0905077457427979f, 1.1387885808944702f,
                                         1.1892070770263672f, 1.2418577671051025f, 1.2968395948410034f,
                                         1.3542555570602417f, 1.4142135381698608f, 1.4768261909484863f,
                                         1.5422108173370361f, 1.610490322113037f, 1.6817928552627563f,
                                         1.7562521696090698f, 1.8340080976486206f, 1.9152065515518188f);
    const __m512 t = _mm512_permutexvar_ps(_mm512_castps_si512(shifted), powers);  // 2^(j/16)
    return _mm512_scalef_ps(_mm512_fmadd_ps(t, q, t), n16);
}

// exp for AVX-512 double: x = (16k + j) ln2/16 + r, |r| <= ln2/32, exp(x) = 2^k * 2^(j/16) * e^r.
// The 16 values of 2^(j/16) fit in two registers, read by one vpermt2pd, and e^r - 1 on the
// small interval needs degree 6 where the whole [-ln2/2, ln2/2] needed 11: 13 instructions after
// the clamp instead of 16, in a loop bound by them (float64 rows: tools/exp/fit_exp.py fits the
// polynomial and measures at most 1.20 ulp over [-708, 0]). x is clamped by the caller.
__attribute__((always_inline)) inline __m512d vexp_table_pd(__m512d x) {
    using K = ExpConstants<double>;
    // Adding 1.5 * 2^48 rounds x * 16 / ln2 to an integer n = 16k + j held in the low mantissa
    // bits: their low 4 bits are j (for negative n too), which is all vpermt2pd reads of an index.
    const __m512d magic = _mm512_set1_pd(1.5 * 281474976710656.0);
    const __m512d shifted = _mm512_fmadd_pd(x, _mm512_set1_pd(K::kLog2e), magic);
    const __m512d n16 = _mm512_sub_pd(shifted, magic);  // n / 16, exact
    // (n / 16 * ln2_hi is exact: n has at most 15 bits and ln2_hi 32.)
    __m512d r = _mm512_fnmadd_pd(n16, _mm512_set1_pd(K::kLn2Hi), x);
    r = _mm512_fnmadd_pd(n16, _mm512_set1_pd(K::kLn2Lo), r);
    __m512d s = _mm512_fmadd_pd(_mm512_set1_pd(0.0013888309351086086), r, _mm512_set1_pd(0.00833347296770633));
    s = _mm512_fmadd_pd(s, r, _mm512_set1_pd(0.04166666671326068));
    s = _mm512_fmadd_pd(s, r, _mm512_set1_pd(0.16666666664373764));
    s = _mm512_fmadd_pd(s, r, _mm512_set1_pd(0.49999999999999295));
    s = _mm512_fmadd_pd(s, r, _mm512_set1_pd(1.0));
    const __m512d q = _mm512_mul_pd(s, r);  // e^r - 1
    const __m512d low = _mm512_setr_pd(1.0, 1.0442737824274138, 1.0905077326652577, 1.1387886347566916,
                                       1.189207115002721, 1.241857812073484, 1.2968395546510096, 1.3542555469368927);
    const __m512d high = _mm512_setr_pd(1.4142135623730951, 1.4768261459394993, 1.5422108254079407, 1.6104903319492543,
                                        1.681792830507429, 1.7562521603732995, 1.8340080864093424, 1.9152065613971474);
    const __m512d t = _mm512_permutex2var_pd(low, _mm512_castpd_si512(shifted), high);  // 2^(j/16)
    // t + t q rounds once; scalef multiplies by 2^floor(n / 16) = 2^k and underflows to 0.
    return _mm512_scalef_pd(_mm512_fmadd_pd(t, q, t), n16);
}

// kNonPositive: the caller guarantees x <= 0 or NaN (softmax's x - max), so no overflow clamp.
// Clamping at 1.2 * kLow keeps n finite (a -inf input would make r NaN) and still underflows.
// vmax/vmin(bound, x) return x when it is NaN, and are one instruction where the selects
// they equal would take a compare and a blend.
template <typename T, bool kNonPositive = false>
__attribute__((always_inline)) inline typename Simd<T>::V vexp(typename Simd<T>::V x) {
    using V = typename Simd<T>::V;
    using K = ExpConstants<T>;
    if constexpr (sizeof(T) == 4) {
        x = (V)_mm512_max_ps(_mm512_set1_ps(K::kLow * 1.2f), (__m512)x);
        if (!kNonPositive) x = (V)_mm512_min_ps(_mm512_set1_ps(K::kHigh), (__m512)x);
    } else {
        x = (V)_mm512_max_pd(_mm512_set1_pd(K::kLow * 1.2), (__m512d)x);
        if (!kNonPositive) x = (V)_mm512_min_pd(_mm512_set1_pd(K::kHigh), (__m512d)x);
    }
    if constexpr (sizeof(T) == 4) return (V)vexp_table_ps((__m512)x);
    else return (V)vexp_table_pd((__m512d)x);
}

}  // namespace XENT_ISA
}  // namespace xent

#include "vec/staging_transposed.h"
