// Staging of W short rows for the tile kernel, for the ISAs with in-register transposes (AVX2,
// AVX-512): W rows of C elements to class-major lanes and back, a block of W columns at a time.
// Included by vec/avx2.h and vec/avx512.h after their transpose_tile and rotate_lanes.
#pragma once

#include <cstdint>

#include "vec/ops.h"
#include "vec/types.h"

namespace xent {
namespace XENT_ISA {

template <typename T>
void transpose_tile(typename Simd<T>::V* r);
template <typename T>
typename Simd<T>::V rotate_lanes(typename Simd<T>::V v, int shift);

// W rows of C elements (row-major, rows C apart) -> class-major staging (c * W + lane), in
// blocks of W columns transposed in registers, with plain loads only (masked ones are slow, and on
// AMD one waits for any store in flight that its masked-off lanes overlap): a row's block may run
// on into the next row, whose values land in columns >= C and are not kept; a block that would
// run past the W rows is taken from the vector that ends where they end, moved down.
template <typename T>
inline void rows_to_lanes(const T* rows, int64_t C, T* staged) {
    constexpr int W = Simd<T>::kLanes;
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
}

// The inverse, with plain stores only. Fewer than W columns: the rows go to a stack buffer in
// order (each one's spill into the next overwritten by it) and out as C whole vectors. Otherwise
// blocks from the last to the first: a row's partial block runs on into the next row's first
// columns, which that row's first block rewrites later; the last row's partial block is stored as
// the vector that ends where the row ends, its first lanes rewritten by the block before.
template <typename T>
inline void lanes_to_rows(const T* staged, int64_t C, T* rows) {
    constexpr int W = Simd<T>::kLanes;
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
}

}  // namespace XENT_ISA
}  // namespace xent
