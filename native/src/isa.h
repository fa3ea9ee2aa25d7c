// Which instruction set the kernels use: chosen once from the CPU's features, capped by
// XENT_MAX_ISA and xent_set_max_isa().
#pragma once

#include "kernels/vector_kernels.h"

namespace xent {

int current_isa();

// The vector kernels of the current instruction set, or nullptr for the scalar reference.
const VectorKernels* vector_kernels();

}  // namespace xent
