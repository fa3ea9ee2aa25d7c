// The driver every form of the loss fills in: two passes over blocks of positions (blocks.h).
// Pass 1 reads what must be checked before anything is written (targets, sample weights) and sums
// the MEAN divisors; pass 2 computes the loss, the metrics and the gradient; the blocks' sums are
// reduced in block order, so results are bit-identical for any thread count. A form supplies its
// blocks and its steps (class_targets.cpp, binary_targets.cpp):
//
//   bool counts_every_position() const;  // true: pass 1 has nothing to read (each position counts 1)
//   void count(int64_t first, int64_t end, BlockSums& sums) const;  // pass 1
//   void set_factors(const Factors& factors);                        // between the passes
//   void compute(int64_t first, int64_t end, BlockSums& sums) const; // pass 2
#pragma once

#include <cstdint>
#include <vector>

#include "blocks.h"
#include "error.h"
#include "job.h"
#include "kernels/vector_kernels.h"
#include "xent.h"

namespace xent {

// What one block of positions contributes.
struct BlockSums {
    double loss = 0.0;
    double weight = 0.0;    // the cross-entropy's MEAN divisor: sum of s * w_y (INDEX) or of s
    double z = 0.0;         // the z-loss: sum of lambda * s * lse^2
    double z_weight = 0.0;  // the z-loss's MEAN divisor: sum of s over the counted positions
    int64_t count = 0;
    int64_t correct = 0;
    int64_t bad_position = -1;  // pass 1: the first position whose target or sample weight is invalid
    double bad_weight = 0.0;     // its sample weight, or
    int64_t bad_target = 0;      // its target (an int64 printed through a double would lose digits)
    bool bad_is_weight = false;

    void note_bad(int64_t position, double weight_value, int64_t target, bool is_weight) {
        if (bad_position >= 0) return;
        bad_position = position;
        bad_weight = weight_value;
        bad_target = target;
        bad_is_weight = is_weight;
    }
};

// dL/dl_p of a reduced loss: upstream gradient times scale, over the divisor for MEAN; 0 when
// nothing counts, so that such a call's gradient is all zeros.
inline double reduced_factor(const xent_problem& p, double weight) {
    double factor = p.scale * p.grad_output_scalar;
    if (p.reduction == XENT_REDUCTION_MEAN) factor = weight > 0.0 ? factor / weight : 0.0;
    return factor;
}

// The reduced factors of the two parts of a loss: the cross-entropy's, and the z-loss's, whose
// MEAN divides by the counted positions' sample weight (docs/semantics.md, "z-loss and logit
// soft-cap").
struct Factors {
    double loss;
    double z;
};

// The status and message of pass 1's first invalid position.
inline int report_bad(const Job& job, const BlockSums& s) {
    const xent_problem& p = job.problem;
    if (s.bad_is_weight)
        return fail(XENT_ERR_ARGUMENT, "sample_weights: weight at position %lld is %g, must be finite and >= 0",
                    (long long)s.bad_position, s.bad_weight);
    return fail(XENT_ERR_TARGET, "target: value %lld at position %lld is outside [%lld, %lld) and is not the ignore index %lld",
                (long long)s.bad_target, (long long)s.bad_position, (long long)p.index_base,
                (long long)(p.index_base + job.layout.classes), (long long)p.ignore_index);
}

template <class Form>
int run_passes(const Job& job, const Blocks& blocks, Form& form, xent_result* result) {
    const Layout& layout = job.layout;
    // A one-block call keeps its sums on the stack: no allocation per call. (One slot: it is
    // zeroed on every call, and calls of more blocks have work enough to amortise a vector.)
    constexpr int64_t kLocalBlocks = 1;
    BlockSums local[kLocalBlocks];
    std::vector<BlockSums> heap(blocks.count > kLocalBlocks ? static_cast<size_t>(blocks.count) : 0);
    BlockSums* sums = blocks.count > kLocalBlocks ? heap.data() : local;

    double weight = static_cast<double>(layout.positions), z_weight = weight;
    int64_t count = layout.positions;
    if (!form.counts_every_position()) {
        for_each_block(blocks, layout.positions, layout.positions, job.threads,
                       [&](int64_t b, int64_t first, int64_t end) { form.count(first, end, sums[b]); });
        weight = z_weight = 0.0;
        count = 0;
        for (int64_t b = 0; b < blocks.count; ++b) {
            if (sums[b].bad_position >= 0) return report_bad(job, sums[b]);
            weight += sums[b].weight;
            z_weight += sums[b].z_weight;
            count += sums[b].count;
        }
    }

    const xent_problem& p = job.problem;
    form.set_factors({reduced_factor(p, weight), reduced_factor(p, z_weight)});
    for_each_block(blocks, layout.positions, layout.elements, job.threads,
                   [&](int64_t b, int64_t first, int64_t end) { form.compute(first, end, sums[b]); });
    double loss = 0.0, z = 0.0;
    int64_t correct = 0;
    for (int64_t b = 0; b < blocks.count; ++b) {
        loss += sums[b].loss;
        z += sums[b].z;
        correct += sums[b].correct;
    }
    loss *= p.scale;
    z *= p.scale;
    if (p.reduction == XENT_REDUCTION_MEAN) {  // 0/0 = NaN when nothing counts
        loss /= weight;
        if (p.z_loss > 0.0) z /= z_weight;
    }
    if (result) {
        result->loss = p.z_loss > 0.0 ? loss + z : loss;
        result->weight_sum = weight;
        result->count = count;
        result->correct = correct;
        result->z_loss = z;
    }
    return XENT_OK;
}

// The call as the vector kernels take it, filled in place (a copy of it, made just before the
// kernels read it, would cost them store-forwarding stalls); weight_total is the sum of the class
// weights (C without).
inline void fill_kernel_job(const Job& job, double weight_total, KernelJob& j) {
    const xent_problem& p = job.problem;
    j.classes = job.layout.classes;
    j.inner = job.layout.inner;
    j.steps = job.layout.steps;
    j.input = job.input;
    j.target = job.target;
    j.class_weights = job.class_weights;
    j.sample_weights = job.sample_weights;
    j.lengths = job.lengths;
    j.grad_output = job.grad_output;
    j.loss_out = job.loss_out;
    j.grad = job.grad_input;
    j.lse_out = job.lse_out;
    j.ignore_index = p.ignore_index;
    j.index_base = p.index_base;
    j.eps = p.label_smoothing;
    j.eps_per_class = p.label_smoothing > 0.0 ? p.label_smoothing / static_cast<double>(job.layout.classes) : 0.0;
    j.weight_total = weight_total;
    j.scale = p.scale;
    j.z_loss = p.z_loss;
    j.z_factor = 0.0;  // set between the passes
    j.softcap = p.softcap;
    j.inv_softcap = p.softcap > 0.0 ? 1.0 / p.softcap : 0.0;
    j.index_targets = p.target_kind == XENT_TARGET_INDEX;
    j.input_logits = p.input_kind == XENT_INPUT_LOGITS;
    j.input_probabilities = p.input_kind == XENT_INPUT_PROBABILITIES;
    j.target_int32 = p.target_dtype == XENT_INT32;
    j.lengths_int32 = p.lengths_dtype == XENT_INT32;
    j.reduction_none = p.reduction == XENT_REDUCTION_NONE;
}

}  // namespace xent
