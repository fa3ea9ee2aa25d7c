// One instruction set's vectorised exp over arrays, for test_exp: each exp_<isa>.cpp defines
// XENT_VECTOR_BYTES and XENT_ISA and includes this, compiled with that ISA's flags, as the
// library's kernels are. Only builtins here (no standard-library inline code), so nothing compiled
// for one ISA can be merged into code the others run.
#pragma once

#include <cstdint>

#include "exp_api.h"
#include "vec/math.h"
#include "vec/primitives.h"

namespace xent {
namespace XENT_ISA {

// y = exp(x) over n values, n a multiple of the ISA's lanes; kNonPositive as vexp's.
template <typename T, bool kNonPositive>
void exp_array(const T* x, T* y, int64_t n) {
    using V = typename Simd<T>::V;
    for (int64_t i = 0; i < n; i += Simd<T>::kLanes) {
        V v;
        __builtin_memcpy(&v, x + i, sizeof v);
        v = vexp<T, kNonPositive>(v);
        __builtin_memcpy(y + i, &v, sizeof v);
    }
}

// y = tanh(x) over n values, as the soft-cap computes it.
template <typename T>
void tanh_array(const T* x, T* y, int64_t n) {
    using V = typename Simd<T>::V;
    for (int64_t i = 0; i < n; i += Simd<T>::kLanes) {
        V v;
        __builtin_memcpy(&v, x + i, sizeof v);
        v = vtanh<T>(v);
        __builtin_memcpy(y + i, &v, sizeof v);
    }
}

const ExpFunctions exp_functions = {
    exp_array<float, false>, exp_array<float, true>, exp_array<double, false>, exp_array<double, true>,
    tanh_array<float>, tanh_array<double>,
};

}  // namespace XENT_ISA
}  // namespace xent
