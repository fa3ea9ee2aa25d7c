// The table of this instruction set's vector kernels (one per kernel/table_<isa>.cpp), in the
// order of VectorKernels.
#pragma once

#include <cstdint>

#include "kernels/binary.h"
#include "kernels/class_last.h"
#include "kernels/count.h"
#include "kernels/nll.h"
#include "kernels/tile.h"
#include "kernels/vector_kernels.h"
#include "vec/types.h"

#define XENT_STRINGIFY(x) #x
#define XENT_NAME_OF(x) XENT_STRINGIFY(x)

namespace xent {
namespace XENT_ISA {

const VectorKernels kernels = {
    XENT_NAME_OF(XENT_ISA),
    Simd<float>::kLanes,
    Simd<double>::kLanes,
    class_last_rows<float>,
    class_last_rows<double>,
    select_rows<float>,
    select_rows<double>,
    tile_staged<float, false>,
    tile_staged<double, false>,
    select_binary<float>,
    select_binary<double>,
    select_nll_rows<float>,
    select_nll_rows<double>,
    select_nll_tile<float>,
    select_nll_tile<double>,
    count_index<int32_t>,
    count_index<int64_t>,
};

}  // namespace XENT_ISA
}  // namespace xent
