// The last step every kernel shares (docs/semantics.md, "Reductions").
#pragma once

#include <cstdint>

#include "xent.h"

namespace xent {

// dL/dl_p of a reduced loss: upstream gradient times scale, over the divisor for MEAN; 0 when
// nothing counts, so that such a call's gradient is all zeros.
inline double reduced_factor(const xent_problem& p, double weight) {
    double factor = p.scale * p.grad_output_scalar;
    if (p.reduction == XENT_REDUCTION_MEAN) factor = weight > 0.0 ? factor / weight : 0.0;
    return factor;
}

// Scales and reduces the summed per-position losses and reports them with the metrics.
inline void write_result(const xent_problem& p, double loss_sum, double weight, int64_t count, int64_t correct,
                         xent_result* result) {
    double loss = loss_sum * p.scale;
    if (p.reduction == XENT_REDUCTION_MEAN) loss /= weight;  // 0/0 = NaN when nothing counts
    if (result) {
        result->loss = loss;
        result->weight_sum = weight;
        result->count = count;
        result->correct = correct;
    }
}

}  // namespace xent
