// What both validators (validate.cpp, linear_validate.cpp) check the same way: the options the two
// forms share, class weights, buffer capacities, and the byte spans of the buffers for the overlap
// rule.
#pragma once

#include <cmath>
#include <cstdint>

#include "error.h"
#include "thread_pool.h"
#include "xent.h"

namespace xent {

inline int64_t element_size(int64_t dtype) {
    return (dtype == XENT_FLOAT32 || dtype == XENT_INT32) ? 4 : 8;
}

inline const char* dtype_name(int64_t dtype) {
    switch (dtype) {
        case XENT_FLOAT32: return "float32";
        case XENT_FLOAT64: return "float64";
        case XENT_INT32: return "int32";
        case XENT_INT64: return "int64";
        default: return "unknown";
    }
}

// The smallest soft-cap and nonzero class weight: float32's smallest normal number, 2^-126. Below
// it 1 / c and 1 / (summed weight) overflow, and the gradient is NaN or infinite where the answer
// is finite; the same bound for both dtypes keeps one rule for every caller.
constexpr double kMinNormal = 1.17549435082228750797e-38;

// The options of xent_problem and xent_linear_problem that mean the same thing.
inline int check_shared_options(int64_t index_base, int64_t threads, double label_smoothing, double scale,
                                double grad_output_scalar, double z_loss, double softcap) {
    if (index_base != 0 && index_base != 1)
        return fail(XENT_ERR_ARGUMENT, "index_base: must be 0 or 1, not %lld", (long long)index_base);
    if (threads < 0 || threads > max_threads())
        return fail(XENT_ERR_ARGUMENT,
                    "threads: must be in [0, %d] (0: all; %d is the CPUs this process may use, or XENT_MAX_THREADS), not %lld",
                    max_threads(), max_threads(), (long long)threads);
    if (!(label_smoothing >= 0.0 && label_smoothing <= 1.0))
        return fail(XENT_ERR_ARGUMENT, "label_smoothing: must be in [0, 1], not %g", label_smoothing);
    if (!std::isfinite(scale)) return fail(XENT_ERR_ARGUMENT, "scale: must be finite, not %g", scale);
    // An infinite upstream gradient propagates as in PyTorch; a NaN one would only make every
    // gradient NaN.
    if (std::isnan(grad_output_scalar)) return fail(XENT_ERR_ARGUMENT, "grad_output_scalar: is NaN");
    if (!(z_loss >= 0.0) || !std::isfinite(z_loss))
        return fail(XENT_ERR_ARGUMENT, "z_loss: must be finite and >= 0, not %g", z_loss);
    if (!(softcap == 0.0 || softcap >= kMinNormal) || !std::isfinite(softcap))
        return fail(XENT_ERR_ARGUMENT, "softcap: must be 0 (off) or finite and >= %g, not %g", kMinNormal, softcap);
    return XENT_OK;
}

// One class weight: 0, or finite and at least kMinNormal.
inline int check_class_weight(int64_t c, double w) {
    if (!(w == 0.0 || w >= kMinNormal) || !std::isfinite(w))
        return fail(XENT_ERR_ARGUMENT, "class_weights: weight of class %lld is %g, must be 0 or finite and >= %g",
                    (long long)c, w, kMinNormal);
    return XENT_OK;
}

// The bytes [begin, end) that one present argument buffer lets the call touch.
struct Span {
    const char* name;
    uintptr_t begin, end;
    bool output;
};

// Spans of the present buffers only: a typical call has three, so the overlap check is a few
// comparisons.
template <int kMax>
struct Spans {
    Span span[kMax];
    int count = 0;
    __attribute__((always_inline)) void add(const char* name, const void* data, int64_t bytes, bool output = false) {
        if (data == nullptr || bytes == 0) return;
        const auto begin = reinterpret_cast<uintptr_t>(data);
        span[count++] = {name, begin, begin + static_cast<uintptr_t>(bytes), output};
    }
};

// A buffer is either absent (NULL, count 0) or present with at least `needed` elements.
inline int check_buffer(const char* name, const void* data, int64_t count, int64_t needed, bool required) {
    if (count < 0) return fail(XENT_ERR_BUFFER, "%s: negative element count %lld", name, (long long)count);
    if (data == nullptr) {
        if (required) return fail(XENT_ERR_BUFFER, "%s: is required but NULL", name);
        if (count != 0) return fail(XENT_ERR_BUFFER, "%s: NULL with element count %lld", name, (long long)count);
        return XENT_OK;
    }
    if (count < needed) {
        return fail(XENT_ERR_BUFFER, "%s: holds %lld elements, the problem needs %lld", name,
                    (long long)count, (long long)needed);
    }
    return XENT_OK;
}

// The first output span that shares a byte with another span, as a failed status; `allowed(o, k)`
// exempts a pair (xent_compute's in-place gradient).
template <int kMax, class Allowed>
int check_overlaps(const Spans<kMax>& spans, const char* rule, Allowed allowed) {
    for (int o = 0; o < spans.count; ++o) {
        const Span& out = spans.span[o];
        if (!out.output) continue;
        for (int k = 0; k < spans.count; ++k) {
            const Span& other = spans.span[k];
            if (k == o || out.end <= other.begin || other.end <= out.begin || allowed(o, k)) continue;
            return fail(XENT_ERR_BUFFER, "%s: overlaps %s (%s)", out.name, other.name, rule);
        }
    }
    return XENT_OK;
}

}  // namespace xent
