// The exported C API: validates, then hands the call to the kernel for its form.
#include <cstddef>
#include <new>

#include "error.h"
#include "job.h"
#include "thread_pool.h"
#include "xent.h"

#ifndef XENT_VERSION_STRING
#define XENT_VERSION_STRING "0.0.0"
#endif

// Layout promised by xent.h: 8-byte slots, no padding.
static_assert(sizeof(xent_problem) == 31 * 8, "xent_problem must be 31 slots of 8 bytes");
static_assert(offsetof(xent_problem, class_axis) == 10 * 8, "xent_problem layout changed");
static_assert(offsetof(xent_problem, input_count) == 20 * 8, "xent_problem layout changed");
static_assert(offsetof(xent_problem, label_smoothing) == 28 * 8, "xent_problem layout changed");
static_assert(sizeof(xent_result) == 4 * 8, "xent_result must be 4 slots of 8 bytes");

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

const char* xent_last_error(void) { return xent::last_error(); }

const char* xent_version(void) { return XENT_VERSION_STRING; }

int xent_abi_version(void) { return XENT_ABI_VERSION; }

size_t xent_problem_size(void) { return sizeof(xent_problem); }

size_t xent_result_size(void) { return sizeof(xent_result); }

int xent_default_threads(void) { return xent::max_threads(); }

int xent_max_threads(void) { return xent::max_threads(); }

}  // extern "C"
