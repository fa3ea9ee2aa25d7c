// What both validators (validate.cpp, linear_validate.cpp) check the same way: buffer capacities,
// and the byte spans of the buffers for the overlap rule.
#pragma once

#include <cstdint>

#include "error.h"
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
