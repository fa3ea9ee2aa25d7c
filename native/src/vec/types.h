// The vector types of one instruction set: XENT_VECTOR_BYTES wide, GCC vector extensions.
#pragma once

#include <cstdint>

#include "vec/config.h"

namespace xent {
namespace XENT_ISA {

template <typename T>
struct Simd;

template <>
struct Simd<float> {
    typedef float V __attribute__((vector_size(XENT_VECTOR_BYTES)));
    typedef int32_t I __attribute__((vector_size(XENT_VECTOR_BYTES)));
    typedef double D __attribute__((vector_size(XENT_VECTOR_BYTES * 2)));  // the lanes in double
    typedef int32_t I32 __attribute__((vector_size(XENT_VECTOR_BYTES)));    // the lanes in int32
    using Int = int32_t;
    static constexpr int kLanes = XENT_VECTOR_BYTES / 4;
    static constexpr float kLowest = -3.402823466e+38f;
};

template <>
struct Simd<double> {
    typedef double V __attribute__((vector_size(XENT_VECTOR_BYTES)));
    typedef int64_t I __attribute__((vector_size(XENT_VECTOR_BYTES)));
    typedef double D __attribute__((vector_size(XENT_VECTOR_BYTES)));
    typedef int32_t I32 __attribute__((vector_size(XENT_VECTOR_BYTES / 2)));
    using Int = int64_t;
    static constexpr int kLanes = XENT_VECTOR_BYTES / 8;
    static constexpr double kLowest = -1.7976931348623157e+308;
};

// One register of doubles, and of int64 lanes: the unit of the double-lane arithmetic.
using RegD = Simd<double>::V;
using RegL = Simd<double>::I;

}  // namespace XENT_ISA
}  // namespace xent
