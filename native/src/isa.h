// Which instruction set the kernels use: chosen once from the CPU's features, capped by
// XENT_MAX_ISA and xent_set_max_isa().
#pragma once

#include "ce_logits.h"

namespace xent {

int current_isa();

// The logits kernels for the current instruction set, or nullptr for the scalar reference.
const LogitsKernels* logits_kernels();

}  // namespace xent
