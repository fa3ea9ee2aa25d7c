// The fused linear + cross-entropy form (docs/semantics.md, "Fused linear + cross-entropy"): the
// validated call, and its computation (linear.cpp).
#pragma once

#include <cstdint>

#include "xent.h"

namespace xent {

struct LinearJob {
    // A copy, taken before validation, like Job's.
    xent_linear_problem problem{};
    int64_t positions = 0;  // M
    int64_t hidden = 0;     // D
    int64_t classes = 0;    // V
    int64_t block_rows = 0; // positions per block of logits
    const void* h = nullptr;
    const void* weight = nullptr;
    const void* bias = nullptr;
    const void* target = nullptr;
    const void* class_weights = nullptr;
    const void* sample_weights = nullptr;
    const void* grad_output = nullptr;
    void* loss_out = nullptr;
    void* lse_out = nullptr;
    void* grad_hidden = nullptr;
    void* grad_weight = nullptr;
    void* grad_bias = nullptr;
    int threads = 0;  // 1 .. max_threads()
};

// Checks the call and fills `job`; XENT_OK or a status with its message (nothing written).
int validate_linear(const xent_linear_problem* problem, const void* hidden, const void* weight, const void* bias,
                    const void* target, const void* class_weights, const void* sample_weights,
                    const void* grad_output, void* loss_out, void* lse_out, void* grad_hidden, void* grad_weight,
                    void* grad_bias, LinearJob* job);

// Pass 1 (targets, sample weights), then the blocks; XENT_OK or a status (a bad target or sample
// weight, found before anything is written; out of memory).
int compute_linear(const LinearJob& job, xent_result* result);

// The automatic block: as many positions as keep a block's logits within kLogitsBudgetBytes (at
// least kMinBlockRows, a multiple of 16), never more than the positions there are.
constexpr int64_t kLogitsBudgetBytes = int64_t(48) << 20;
constexpr int64_t kMinBlockRows = 16;
int64_t auto_block_rows(int64_t positions, int64_t classes, int64_t element_bytes);

}  // namespace xent
