// The exported C API: validates, then hands the call to the kernel for its form.
#include <cstddef>
#include <cstring>
#include <new>

#include "error.h"
#include "blas.h"
#include "job.h"
#include "linear.h"
#include "thread_pool.h"
#include "validate.h"
#include "xent.h"

#ifndef XENT_VERSION_STRING
#define XENT_VERSION_STRING "0.0.0"
#endif

// Layout promised by xent.h: 8-byte slots, no padding.
static_assert(sizeof(xent_problem) == 33 * 8, "xent_problem must be 33 slots of 8 bytes");
static_assert(sizeof(xent_result) == 5 * 8, "xent_result must be 5 slots of 8 bytes");
static_assert(sizeof(xent_linear_problem) == 37 * 8, "xent_linear_problem must be 37 slots of 8 bytes");

namespace {

// Every member of the two structs, by name, for xent_field_offset(): a binding that writes the
// structs as bytes checks its own offsets against these when it loads.
struct Field {
    const char* name;
    size_t offset;
};

#define XENT_PROBLEM_FIELD(member) {"problem." #member, offsetof(xent_problem, member)}
#define XENT_RESULT_FIELD(member) {"result." #member, offsetof(xent_result, member)}
#define XENT_LINEAR_FIELD(member) {"linear." #member, offsetof(xent_linear_problem, member)}
const Field kFields[] = {
    XENT_PROBLEM_FIELD(abi_version), XENT_PROBLEM_FIELD(rank), XENT_PROBLEM_FIELD(dims),
    XENT_PROBLEM_FIELD(class_axis), XENT_PROBLEM_FIELD(target_kind), XENT_PROBLEM_FIELD(input_kind),
    XENT_PROBLEM_FIELD(reduction), XENT_PROBLEM_FIELD(dtype), XENT_PROBLEM_FIELD(target_dtype),
    XENT_PROBLEM_FIELD(lengths_dtype), XENT_PROBLEM_FIELD(ignore_index), XENT_PROBLEM_FIELD(index_base),
    XENT_PROBLEM_FIELD(threads), XENT_PROBLEM_FIELD(input_count), XENT_PROBLEM_FIELD(target_count),
    XENT_PROBLEM_FIELD(class_weights_count), XENT_PROBLEM_FIELD(sample_weights_count),
    XENT_PROBLEM_FIELD(lengths_count), XENT_PROBLEM_FIELD(grad_output_count), XENT_PROBLEM_FIELD(loss_out_count),
    XENT_PROBLEM_FIELD(grad_input_count), XENT_PROBLEM_FIELD(label_smoothing), XENT_PROBLEM_FIELD(scale),
    XENT_PROBLEM_FIELD(grad_output_scalar), XENT_PROBLEM_FIELD(z_loss), XENT_PROBLEM_FIELD(softcap),
    XENT_RESULT_FIELD(loss), XENT_RESULT_FIELD(weight_sum), XENT_RESULT_FIELD(count), XENT_RESULT_FIELD(correct),
    XENT_RESULT_FIELD(z_loss),
    XENT_LINEAR_FIELD(abi_version), XENT_LINEAR_FIELD(rank), XENT_LINEAR_FIELD(dims), XENT_LINEAR_FIELD(classes),
    XENT_LINEAR_FIELD(weight_layout), XENT_LINEAR_FIELD(reduction), XENT_LINEAR_FIELD(dtype),
    XENT_LINEAR_FIELD(target_dtype), XENT_LINEAR_FIELD(ignore_index), XENT_LINEAR_FIELD(index_base),
    XENT_LINEAR_FIELD(threads), XENT_LINEAR_FIELD(block_rows), XENT_LINEAR_FIELD(accumulate),
    XENT_LINEAR_FIELD(hidden_count), XENT_LINEAR_FIELD(weight_count), XENT_LINEAR_FIELD(bias_count),
    XENT_LINEAR_FIELD(target_count), XENT_LINEAR_FIELD(class_weights_count), XENT_LINEAR_FIELD(sample_weights_count),
    XENT_LINEAR_FIELD(grad_output_count), XENT_LINEAR_FIELD(loss_out_count), XENT_LINEAR_FIELD(lse_out_count),
    XENT_LINEAR_FIELD(grad_hidden_count), XENT_LINEAR_FIELD(grad_weight_count), XENT_LINEAR_FIELD(grad_bias_count),
    XENT_LINEAR_FIELD(label_smoothing), XENT_LINEAR_FIELD(scale), XENT_LINEAR_FIELD(grad_output_scalar),
    XENT_LINEAR_FIELD(z_loss), XENT_LINEAR_FIELD(softcap),
};
#undef XENT_PROBLEM_FIELD
#undef XENT_RESULT_FIELD
#undef XENT_LINEAR_FIELD

}  // namespace

extern "C" {

int xent_compute(const xent_problem* problem, const void* input, const void* target,
                 const void* class_weights, const void* sample_weights, const void* lengths,
                 const void* grad_output, void* loss_out, void* grad_input, xent_result* result) {
    // The message is not cleared here: it is thread-local, touching it costs a TLS lookup on every
    // call, and xent_last_error() is read only after a failure.
    try {
        xent::Job job;
        int status = xent::validate(problem, input, target, class_weights, sample_weights, lengths,
                                    grad_output, loss_out, grad_input, &job);
        if (status != XENT_OK) return status;
        if (job.problem.target_kind == XENT_TARGET_BINARY) return xent::compute_binary(job, result);
        return xent::compute_class(job, result);
    } catch (const std::bad_alloc&) {
        return xent::fail(XENT_ERR_INTERNAL, "out of memory");
    } catch (...) {
        return xent::fail(XENT_ERR_INTERNAL, "unexpected internal error");
    }
}

int xent_linear_compute(const xent_linear_problem* problem, const void* hidden, const void* weight, const void* bias,
                        const void* target, const void* class_weights, const void* sample_weights,
                        const void* grad_output, void* loss_out, void* lse_out, void* grad_hidden, void* grad_weight,
                        void* grad_bias, xent_result* result) {
    try {
        xent::LinearJob job;
        const int status = xent::validate_linear(problem, hidden, weight, bias, target, class_weights, sample_weights,
                                                 grad_output, loss_out, lse_out, grad_hidden, grad_weight, grad_bias,
                                                 &job);
        if (status != XENT_OK) return status;
        return xent::compute_linear(job, result);
    } catch (const std::bad_alloc&) {
        return xent::fail(XENT_ERR_INTERNAL, "out of memory");
    } catch (...) {
        return xent::fail(XENT_ERR_INTERNAL, "unexpected internal error");
    }
}

const char* xent_blas_core(void) {
    const char* core = openblas_get_corename();
    return core ? core : "unknown";
}

const char* xent_last_error(void) { return xent::last_error(); }

const char* xent_version(void) { return XENT_VERSION_STRING; }

int xent_abi_version(void) { return XENT_ABI_VERSION; }

size_t xent_problem_size(void) { return sizeof(xent_problem); }

size_t xent_result_size(void) { return sizeof(xent_result); }

size_t xent_linear_problem_size(void) { return sizeof(xent_linear_problem); }

int64_t xent_field_offset(const char* name) {
    if (name == nullptr) return -1;
    for (const Field& f : kFields)
        if (std::strcmp(f.name, name) == 0) return static_cast<int64_t>(f.offset);
    return -1;
}

int xent_default_threads(void) { return xent::max_threads(); }

int xent_max_threads(void) { return xent::max_threads(); }

}  // extern "C"
