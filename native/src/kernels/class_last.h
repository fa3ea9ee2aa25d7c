// The class-last entry of the kernel table: rows by length to the tile or the row kernel.
#pragma once

#include <cstdint>

#include "kernels/rows.h"
#include "kernels/tile.h"
#include "kernels/vector_kernels.h"
#include "vec/types.h"

namespace xent {
namespace XENT_ISA {

// Class-last rows [first, end), whatever their length: a vector of rows at a time through the tile
// kernel for rows of up to kGatherMaxClasses classes, one at a time through the row kernel
// otherwise. AVX-512 float rows of at most 16 classes take their own kernel first
// (kernels/short_rows_avx512.h specialises class_last_rows<float> there).
template <typename T>
void class_last_rows_generic(const KernelJob& j, int64_t first, int64_t end, double factor, KernelSums* sums) {
    constexpr int W = Simd<T>::kLanes;
    if (j.classes <= kGatherMaxClasses) {
        for (; first + W <= end; first += W) tile_staged<T, true>(j, 0, first, W, factor, sums);
        // The rows left as one partial tile when they are at least half a tile (fewer cost no more
        // one at a time: docs/design.md), and unless sequence lengths index their positions from
        // the call's first.
        if (first < end && 2 * (end - first) >= W && j.lengths == nullptr) {
            tile_rows_partial<T>(j, first, end, factor, sums);
            return;
        }
    }
    if (first < end) select_rows<T>(j, first, end, factor, sums);
}

template <typename T>
void class_last_rows(const KernelJob& j, int64_t first, int64_t end, double factor, KernelSums* sums) {
    class_last_rows_generic<T>(j, first, end, factor, sums);
}

}  // namespace XENT_ISA
}  // namespace xent
