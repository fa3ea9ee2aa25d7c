// Plain index targets (no weights, no lengths) counted a vector at a time: pass 1 of the common
// call, before anything is written.
//
// Counts the targets equal to the ignore index and those outside [base, base + classes) (a target
// below the base wraps high as unsigned), as count_plain in class_targets.cpp does one at a
// time; that caller decides from the two counts whether a target is bad. Lanes are int64, so an
// ignore index or a target anywhere in int64 compares exactly.
#pragma once

#include <cstdint>

#include "vec/config.h"

namespace xent {
namespace XENT_ISA {

template <typename I>
void count_index(const void* target, int64_t first, int64_t end, int64_t ignore, int64_t base, int64_t classes,
                 int64_t* ignored, int64_t* outside) {
    typedef int64_t L __attribute__((vector_size(XENT_VECTOR_BYTES)));
    typedef uint64_t U __attribute__((vector_size(XENT_VECTOR_BYTES)));
    typedef I Raw __attribute__((vector_size(XENT_VECTOR_BYTES / 8 * sizeof(I))));
    constexpr int kLanes = XENT_VECTOR_BYTES / 8;
    const I* t = static_cast<const I*>(target);
    const uint64_t limit = static_cast<uint64_t>(classes);
    // A true comparison is -1 in its lane: subtracting it counts.
    L ignored_lanes{}, outside_lanes{};
    int64_t pos = first;
    for (; pos + kLanes <= end; pos += kLanes) {
        Raw raw;
        __builtin_memcpy(&raw, t + pos, sizeof raw);
        const L v = __builtin_convertvector(raw, L);
        ignored_lanes -= (L)(v == ignore);
        outside_lanes -= (L)((U)(v - base) >= limit);
    }
    int64_t ignored_total = 0, outside_total = 0;
    for (int k = 0; k < kLanes; ++k) {
        ignored_total += ignored_lanes[k];
        outside_total += outside_lanes[k];
    }
    for (; pos < end; ++pos) {
        const int64_t raw = t[pos];
        ignored_total += raw == ignore;
        outside_total += static_cast<uint64_t>(raw) - static_cast<uint64_t>(base) >= limit;
    }
    *ignored = ignored_total;
    *outside = outside_total;
}

}  // namespace XENT_ISA
}  // namespace xent
