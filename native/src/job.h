// The validated form of one xent_compute call, in the terms the kernels use.
#pragma once

#include <cstdint>

#include "xent.h"

namespace xent {

// Every supported shape is viewed as (outer, C, inner), row-major: element (o, c, i) lies at
// (o * C + c) * inner + i. Class axis 1 puts the batch in `outer` and d1..dK in `inner`;
// class-last puts everything before C in `outer` and has inner == 1. A position is a pair
// (o, i); its index p = o * inner + i addresses every per-position tensor.
struct Layout {
    int64_t outer = 0;
    int64_t classes = 0;
    int64_t inner = 0;
    int64_t positions = 0;  // outer * inner
    int64_t elements = 0;   // positions * classes
    int64_t sequences = 0;  // N of an (N, T, C) / (N, C, T) input with lengths, else 0
    int64_t steps = 0;      // T: positions per sequence, when lengths are given
};

struct Job {
    // A copy, taken before validation: a caller that rewrites its struct during the call cannot
    // change what was checked.
    xent_problem problem{};
    Layout layout;
    const void* input = nullptr;
    const void* target = nullptr;
    const void* class_weights = nullptr;
    const void* sample_weights = nullptr;
    const void* lengths = nullptr;
    const void* grad_output = nullptr;
    void* loss_out = nullptr;
    void* grad_input = nullptr;
    void* lse_out = nullptr;  // the fused linear form's per-position log-sum-exp (linear.cpp), else NULL
    int threads = 0;  // 0: max_threads() (see for_each_block)
};

// INDEX or PROBABILITIES targets, any input kind (class_targets.cpp).
int compute_class(const Job& job, xent_result* result);

// Positions [first, end) of a class-target job whose pass 1 the caller has done (the fused linear
// form's blocks of logits, linear.cpp): loss, metrics and gradient with the whole call's reduced
// factors, added to *loss, *z and *correct. The class weights must have been checked.
void compute_class_range(const Job& job, double loss_factor, double z_factor, int64_t first, int64_t end,
                         double* loss, double* z, int64_t* correct);

// BINARY targets, LOGITS or PROBABILITIES input (binary_targets.cpp).
int compute_binary(const Job& job, xent_result* result);

}  // namespace xent
