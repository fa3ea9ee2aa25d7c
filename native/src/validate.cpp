// Argument checks of the C API. The Java facade checks the same things first and with friendlier
// messages; these exist so that no caller of the C library can make it touch memory it was not
// given, whatever it passes (docs/semantics.md, "Bad input").
#include <cmath>
#include <cstdint>
#include <limits>

#include "validate.h"

#include "checks.h"
#include "error.h"
#include "job.h"
#include "thread_pool.h"

namespace xent {

namespace {

int check_options(const xent_problem& p) {
    if (p.abi_version != XENT_ABI_VERSION) {
        return fail(XENT_ERR_ARGUMENT, "problem: abi_version %lld, this library speaks %d",
                    (long long)p.abi_version, XENT_ABI_VERSION);
    }
    if (p.target_kind < XENT_TARGET_INDEX || p.target_kind > XENT_TARGET_BINARY)
        return fail(XENT_ERR_ARGUMENT, "target_kind: unknown value %lld", (long long)p.target_kind);
    if (p.input_kind < XENT_INPUT_LOGITS || p.input_kind > XENT_INPUT_LOG_PROBABILITIES)
        return fail(XENT_ERR_ARGUMENT, "input_kind: unknown value %lld", (long long)p.input_kind);
    if (p.reduction < XENT_REDUCTION_NONE || p.reduction > XENT_REDUCTION_MEAN)
        return fail(XENT_ERR_ARGUMENT, "reduction: unknown value %lld", (long long)p.reduction);
    if (p.dtype != XENT_FLOAT32 && p.dtype != XENT_FLOAT64)
        return fail(XENT_ERR_ARGUMENT, "dtype: must be float32 or float64, not %s", dtype_name(p.dtype));
    if (p.target_kind == XENT_TARGET_INDEX) {
        if (p.target_dtype != XENT_INT32 && p.target_dtype != XENT_INT64)
            return fail(XENT_ERR_ARGUMENT, "target_dtype: index targets must be int32 or int64, not %s",
                        dtype_name(p.target_dtype));
    } else if (p.target_dtype != p.dtype) {
        return fail(XENT_ERR_ARGUMENT, "target_dtype: %s targets must have the input's dtype %s",
                    p.target_kind == XENT_TARGET_BINARY ? "binary" : "probability", dtype_name(p.dtype));
    }
    if (p.target_kind == XENT_TARGET_BINARY && p.input_kind == XENT_INPUT_LOG_PROBABILITIES)
        return fail(XENT_ERR_ARGUMENT, "input_kind: log-probabilities input is undefined for binary targets");
    const int status = check_shared_options(p.index_base, p.threads, p.label_smoothing, p.scale,
                                            p.grad_output_scalar, p.z_loss, p.softcap);
    if (status != XENT_OK) return status;
    if (p.label_smoothing > 0.0 && p.target_kind == XENT_TARGET_BINARY)
        return fail(XENT_ERR_ARGUMENT, "label_smoothing: undefined for binary targets");
    const bool class_logits = p.input_kind == XENT_INPUT_LOGITS && p.target_kind != XENT_TARGET_BINARY;
    if (p.z_loss > 0.0 && !class_logits)
        return fail(XENT_ERR_ARGUMENT, "z_loss: applies to logits input with index or probability targets only");
    if (p.softcap > 0.0 && !class_logits)
        return fail(XENT_ERR_ARGUMENT, "softcap: applies to logits input with index or probability targets only");
    return XENT_OK;
}

int build_layout(const xent_problem& p, Layout* layout) {
    if (p.rank < 1 || p.rank > XENT_MAX_RANK)
        return fail(XENT_ERR_ARGUMENT, "shape: rank must be in [1, %d], not %lld", XENT_MAX_RANK, (long long)p.rank);
    if (p.class_axis != 1 && p.class_axis != -1)
        return fail(XENT_ERR_ARGUMENT, "class_axis: must be 1 or -1, not %lld", (long long)p.class_axis);
    // Bytes of the largest buffer must fit in int64: keep elements <= INT64_MAX / 8.
    const int64_t limit = std::numeric_limits<int64_t>::max() / 8;
    int64_t elements = 1;
    for (int64_t d = 0; d < p.rank; ++d) {
        int64_t n = p.dims[d];
        if (n < 1) return fail(XENT_ERR_ARGUMENT, "shape: dimension %lld is %lld, must be >= 1", (long long)d, (long long)n);
        if (__builtin_mul_overflow(elements, n, &elements) || elements > limit)
            return fail(XENT_ERR_ARGUMENT, "shape: element count overflows");
    }
    // Rank 1 is one unbatched sample (C); for rank <= 2 both class axes are the same one.
    int64_t axis = (p.rank == 1) ? 0 : (p.class_axis == 1 ? 1 : p.rank - 1);
    layout->classes = p.dims[axis];
    layout->outer = 1;
    for (int64_t d = 0; d < axis; ++d) layout->outer *= p.dims[d];
    layout->inner = 1;
    for (int64_t d = axis + 1; d < p.rank; ++d) layout->inner *= p.dims[d];
    layout->positions = layout->outer * layout->inner;
    layout->elements = elements;
    if (p.target_kind == XENT_TARGET_BINARY) {
        // Every element is its own binary problem: one "class", one position per element.
        layout->outer = elements;
        layout->classes = 1;
        layout->inner = 1;
        layout->positions = elements;
    }
    return XENT_OK;
}

}  // namespace

int validate(const xent_problem* problem, const void* input, const void* target,
             const void* class_weights, const void* sample_weights, const void* lengths,
             const void* grad_output, void* loss_out, void* grad_input, Job* job) {
    if (problem == nullptr) return fail(XENT_ERR_ARGUMENT, "problem: is NULL");
    job->problem = *problem;  // every check and every kernel reads this copy
    const xent_problem& p = job->problem;
    int status = check_options(p);
    if (status != XENT_OK) return status;
    Layout layout;
    status = build_layout(p, &layout);
    if (status != XENT_OK) return status;

    const int64_t per_position = layout.positions;
    const int64_t target_needed = p.target_kind == XENT_TARGET_INDEX ? per_position : layout.elements;
    const bool reduced = p.reduction != XENT_REDUCTION_NONE;
    if ((status = check_buffer("input", input, p.input_count, layout.elements, true)) != XENT_OK) return status;
    if ((status = check_buffer("target", target, p.target_count, target_needed, true)) != XENT_OK) return status;
    if ((status = check_buffer("class_weights", class_weights, p.class_weights_count, layout.classes, false)) != XENT_OK)
        return status;
    if ((status = check_buffer("sample_weights", sample_weights, p.sample_weights_count, per_position, false)) != XENT_OK)
        return status;
    if ((status = check_buffer("grad_output", grad_output, p.grad_output_count, per_position, false)) != XENT_OK)
        return status;
    if ((status = check_buffer("loss_out", loss_out, p.loss_out_count, per_position, false)) != XENT_OK) return status;
    if ((status = check_buffer("grad_input", grad_input, p.grad_input_count, layout.elements, false)) != XENT_OK)
        return status;
    if (reduced && grad_output != nullptr)
        return fail(XENT_ERR_ARGUMENT, "grad_output: a reduced loss takes the scalar grad_output_scalar, not a tensor");
    if (reduced && loss_out != nullptr)
        return fail(XENT_ERR_ARGUMENT, "loss_out: only reduction NONE writes per-position losses");
    if (class_weights != nullptr && p.target_kind == XENT_TARGET_BINARY)
        return fail(XENT_ERR_ARGUMENT, "class_weights: undefined for binary targets");

    if (lengths != nullptr) {
        if (p.rank != 3 || p.target_kind == XENT_TARGET_BINARY)
            return fail(XENT_ERR_ARGUMENT, "lengths: need an (N, T, C) or (N, C, T) input with class targets");
        if (p.lengths_dtype != XENT_INT32 && p.lengths_dtype != XENT_INT64)
            return fail(XENT_ERR_ARGUMENT, "lengths_dtype: must be int32 or int64, not %s", dtype_name(p.lengths_dtype));
        layout.sequences = p.dims[0];
        layout.steps = per_position / p.dims[0];
        if ((status = check_buffer("lengths", lengths, p.lengths_count, layout.sequences, true)) != XENT_OK) return status;
    } else if (p.lengths_count != 0) {
        return fail(XENT_ERR_BUFFER, "lengths: NULL with element count %lld", (long long)p.lengths_count);
    }

    // Outputs may not overlap anything, except that the gradient may be the input itself.
    const int64_t fsize = element_size(p.dtype);
    Spans<8> spans;
    spans.add("input", input, layout.elements * fsize);
    spans.add("target", target, target_needed * element_size(p.target_dtype));
    spans.add("class_weights", class_weights, class_weights ? layout.classes * fsize : 0);
    spans.add("sample_weights", sample_weights, sample_weights ? per_position * fsize : 0);
    spans.add("lengths", lengths, lengths ? layout.sequences * element_size(p.lengths_dtype) : 0);
    spans.add("grad_output", grad_output, grad_output ? per_position * fsize : 0);
    spans.add("loss_out", loss_out, loss_out ? per_position * fsize : 0, true);
    spans.add("grad_input", grad_input, grad_input ? layout.elements * fsize : 0, true);
    const bool in_place = grad_input != nullptr && grad_input == input;
    // The input is the first span and the gradient the last: they may be one buffer.
    const int last = spans.count - 1;
    status = check_overlaps(spans, "only grad_input == input is allowed",
                            [&](int o, int k) { return in_place && k == 0 && o == last; });
    if (status != XENT_OK) return status;

    job->layout = layout;
    job->input = input;
    job->target = target;
    job->class_weights = class_weights;
    job->sample_weights = sample_weights;
    job->lengths = lengths;
    job->grad_output = grad_output;
    job->loss_out = loss_out;
    job->grad_input = grad_input;
    job->threads = static_cast<int>(p.threads);  // 0: max_threads(), asked only for parallel work
    return XENT_OK;
}

}  // namespace xent
