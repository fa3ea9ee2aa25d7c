// Vector operations that GCC's vector extensions express for every instruction set: whole loads
// and stores, lane masks, maxima, halves and horizontal reductions by halving.
#pragma once

#include <cstdint>

#include "vec/types.h"

namespace xent {
namespace XENT_ISA {

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

// `inside` in the first n lanes, `outside` in the rest.
template <typename T>
inline typename Simd<T>::V first_lanes(int n, T inside, T outside) {
    using V = typename Simd<T>::V;
    return lanes_below<T>(n) ? V{} + inside : V{} + outside;
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

// Two vectors of 4-byte lanes side by side, in registers (a copy through memory would stall on
// store forwarding).
template <typename Out, typename H>
__attribute__((always_inline)) inline Out concat(H a, H b) {
    constexpr int n = sizeof(H) / 4;
    if constexpr (n == 8) return (Out)__builtin_shufflevector(a, b, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    else if constexpr (n == 4) return (Out)__builtin_shufflevector(a, b, 0, 1, 2, 3, 4, 5, 6, 7);
    else return (Out)__builtin_shufflevector(a, b, 0, 1, 2, 3);
}

}  // namespace XENT_ISA
}  // namespace xent
