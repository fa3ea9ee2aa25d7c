// The primitives of the portable kernels: 128-bit vectors through GCC's vector extensions, which
// it lowers to SSE2 on x86-64 and NEON on ARM64. The same functions as vec/avx2.h and
// vec/avx512.h, with lane loops where those have a mask instruction.
#pragma once

#include <cstdint>

#include "vec/exp_polynomial.h"
#include "vec/ops.h"
#include "vec/types.h"

namespace xent {
namespace XENT_ISA {

// n < lanes elements from p, the other lanes set to `fill`; never touches p[n] and beyond.
template <typename T>
inline typename Simd<T>::V load_partial(const T* p, int n, T fill) {
    typename Simd<T>::V v = typename Simd<T>::V{} + fill;
    for (int l = 0; l < n; ++l) v[l] = p[l];
    return v;
}

// The first n lanes of v to p[0, n).
template <typename T>
inline void store_partial(T* p, typename Simd<T>::V v, int n) {
    for (int l = 0; l < n; ++l) p[l] = v[l];
}

// Whether every lane of a comparison's result is true.
template <typename T>
inline bool all_lanes(typename Simd<T>::I mask) {
    bool all = true;
    for (int l = 0; l < Simd<T>::kLanes; ++l) all &= mask[l] != 0;
    return all;
}

// The first lane of v equal to `value`, or -1.
template <typename T>
inline int first_lane_equal(typename Simd<T>::V v, T value) {
    unsigned bits = 0;
    for (int l = Simd<T>::kLanes - 1; l >= 0; --l) bits = (bits << 1) | (v[l] == value ? 1u : 0u);
    return bits ? __builtin_ctz(bits) : -1;
}

// W rows of C elements (rows C apart) to class-major staging (c * W + lane), and back: element by
// element (no in-register transpose at this width).
template <typename T>
inline void rows_to_lanes(const T* rows, int64_t C, T* staged) {
    constexpr int W = Simd<T>::kLanes;
    for (int l = 0; l < W; ++l)
        for (int64_t c = 0; c < C; ++c) staged[c * W + l] = rows[l * C + c];
}

template <typename T>
inline void lanes_to_rows(const T* staged, int64_t C, T* rows) {
    constexpr int W = Simd<T>::kLanes;
    for (int l = 0; l < W; ++l)
        for (int64_t c = 0; c < C; ++c) rows[l * C + c] = staged[c * W + l];
}

}  // namespace XENT_ISA
}  // namespace xent
