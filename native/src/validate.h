// The C API's argument checks: everything that can be checked without reading the data.
#pragma once

#include "job.h"
#include "xent.h"

namespace xent {

// Checks the call and fills `job` (a copy of the problem, the layout, the buffers). Returns
// XENT_OK or a status with its message set (error.h); nothing is written on failure.
int validate(const xent_problem* problem, const void* input, const void* target,
             const void* class_weights, const void* sample_weights, const void* lengths,
             const void* grad_output, void* loss_out, void* grad_input, Job* job);

}  // namespace xent
