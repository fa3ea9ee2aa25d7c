// What a kernel reads of a job per position or class: its target's class (or its exclusion), its
// weights, its gradient factor.
#pragma once

#include <cstdint>

#include "kernels/vector_kernels.h"
#include "vec/config.h"

namespace xent {
namespace XENT_ISA {

// (Read once, whatever the compiler would like: another thread may be rewriting the targets.)
inline int64_t target_index(const KernelJob& j, int64_t pos) {
    return j.target_int32 ? __atomic_load_n(static_cast<const int32_t*>(j.target) + pos, __ATOMIC_RELAXED)
                          : __atomic_load_n(static_cast<const int64_t*>(j.target) + pos, __ATOMIC_RELAXED);
}

// The position's class, or -1 when it is excluded. Pass 1 found every target valid; one outside
// [0, C) now was rewritten by another thread during the call, and is excluded too, so that no
// kernel reads or writes through it.
inline int64_t class_of(const KernelJob& j, int64_t pos) {
    if (j.lengths != nullptr) {
        const int64_t n = pos / j.steps;
        const int64_t len = j.lengths_int32 ? static_cast<const int32_t*>(j.lengths)[n]
                                            : static_cast<const int64_t*>(j.lengths)[n];
        if (pos % j.steps >= len) return -1;
    }
    if (!j.index_targets) return 0;
    const int64_t raw = target_index(j, pos);
    const uint64_t cls = static_cast<uint64_t>(raw) - static_cast<uint64_t>(j.index_base);
    return raw == j.ignore_index || cls >= static_cast<uint64_t>(j.classes) ? -1 : static_cast<int64_t>(cls);
}

template <typename T>
inline double sample_weight(const KernelJob& j, int64_t pos) {
    return j.sample_weights ? static_cast<double>(static_cast<const T*>(j.sample_weights)[pos]) : 1.0;
}

// dL/dl_p of the position, sample weight included.
template <typename T>
inline double gradient_factor(const KernelJob& j, int64_t pos, double factor) {
    double f = factor;
    if (j.reduction_none) f = j.scale * (j.grad_output ? static_cast<double>(static_cast<const T*>(j.grad_output)[pos]) : 1.0);
    return f * sample_weight<T>(j, pos);
}

// dL/d(lambda s lse^2) of the position, sample weight included: the z-loss part's own factor.
template <typename T>
inline double z_gradient_factor(const KernelJob& j, int64_t pos) {
    double f = j.z_factor;
    if (j.reduction_none) f = j.scale * (j.grad_output ? static_cast<double>(static_cast<const T*>(j.grad_output)[pos]) : 1.0);
    return f * sample_weight<T>(j, pos);
}

template <typename T>
inline T class_weight(const KernelJob& j, int64_t c) {
    return j.class_weights ? static_cast<const T*>(j.class_weights)[c] : T(1);
}

}  // namespace XENT_ISA
}  // namespace xent
