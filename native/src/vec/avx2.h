// The primitives of the AVX2 kernels (with FMA): 8 floats or 4 doubles per vector. Masked loads
// and stores, lane masks by movemask, in-register transposes. Compiled only into the AVX2 kernel
// table (kernels/table_avx2.cpp), which isa.cpp calls only on CPUs that have it.
#pragma once

#ifndef XENT_ISA  // opened alone (an editor, a linter): this header's own instruction set
#define XENT_ISA avx2
#define XENT_VECTOR_BYTES 32
#endif

#include <immintrin.h>

#include <cstdint>

#include "vec/exp_polynomial.h"
#include "vec/ops.h"
#include "vec/types.h"

namespace xent {
namespace XENT_ISA {

// n < lanes elements from p, the other lanes set to `fill`; never touches p[n] and beyond. Masked
// loads: building the vector lane by lane through memory stalls on store forwarding, which
// dominated short rows.
template <typename T>
inline typename Simd<T>::V load_partial(const T* p, int n, T fill) {
    using V = typename Simd<T>::V;
    const auto mask = lanes_below<T>(n);
    V v;
    if constexpr (sizeof(T) == 4) v = (V)_mm256_maskload_ps(p, (__m256i)mask);
    else v = (V)_mm256_maskload_pd(p, (__m256i)mask);
    return mask ? v : V{} + fill;
}

// The first n lanes of v to p[0, n).
template <typename T>
inline void store_partial(T* p, typename Simd<T>::V v, int n) {
    if constexpr (sizeof(T) == 4) _mm256_maskstore_ps(p, (__m256i)lanes_below<T>(n), (__m256)v);
    else _mm256_maskstore_pd(p, (__m256i)lanes_below<T>(n), (__m256d)v);
}

// Whether every lane of a comparison's result is true.
template <typename T>
inline bool all_lanes(typename Simd<T>::I mask) {
    if constexpr (sizeof(T) == 4) return _mm256_movemask_ps((__m256)mask) == 0xff;
    else return _mm256_movemask_pd((__m256d)mask) == 0xf;
}

// The first lane of v equal to `value`, or -1: one comparison and a bit scan.
template <typename T>
inline int first_lane_equal(typename Simd<T>::V v, T value) {
    using V = typename Simd<T>::V;
    unsigned bits;
    if constexpr (sizeof(T) == 4) bits = _mm256_movemask_ps((__m256)(v == V{} + value));
    else bits = _mm256_movemask_pd((__m256d)(v == V{} + value));
    return bits ? __builtin_ctz(bits) : -1;
}

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

// The W x W transpose of this ISA and type, on W vectors.
template <typename T>
__attribute__((always_inline)) inline void transpose_tile(typename Simd<T>::V* r) {
    if constexpr (sizeof(T) == 4) transpose8(reinterpret_cast<__m256*>(r));
    else transpose4d(reinterpret_cast<__m256d*>(r));
}

// Lanes moved by `shift` (lane k takes lane k + shift, modulo W): float lanes, or each double as
// its two float halves.
template <typename T>
inline typename Simd<T>::V rotate_lanes(typename Simd<T>::V v, int shift) {
    using V = typename Simd<T>::V;
    constexpr int kHalves = sizeof(T) / 4;
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256i index = _mm256_and_si256(_mm256_add_epi32(lane, _mm256_set1_epi32(shift * kHalves)), _mm256_set1_epi32(7));
    return (V)_mm256_permutevar8x32_ps((__m256)v, index);
}

}  // namespace XENT_ISA
}  // namespace xent

#include "vec/staging_transposed.h"
