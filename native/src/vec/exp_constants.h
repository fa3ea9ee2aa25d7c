// The constants of the vector exp (vec/exp_polynomial.h, and AVX-512's table exp in vec/avx512.h):
// the range where exp is normal, ln 2 split for Cody-Waite reduction, the rounding shift.
#pragma once

#include <cstdint>

#include "vec/types.h"

namespace xent {
namespace XENT_ISA {

template <typename T>
struct ExpConstants;

template <>
struct ExpConstants<float> {
    using Int = int32_t;
    static constexpr float kLow = -87.33654f;  // exp(kLow) is the smallest normal float
    static constexpr float kHigh = 88.0f;
    static constexpr float kLog2e = 1.44269504088896341f;
    static constexpr float kLn2Hi = 0.69140625f;
    static constexpr float kLn2Lo = 0.0017409306019544601f;
    static constexpr float kRound = 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer
    static constexpr int kMantissaBits = 23;
    static constexpr int kBias = 127;
};

template <>
struct ExpConstants<double> {
    using Int = int64_t;
    static constexpr double kLow = -708.3964185322641;
    static constexpr double kHigh = 709.0;
    static constexpr double kLog2e = 1.4426950408889634;
    static constexpr double kLn2Hi = 0.6931471803691238;
    static constexpr double kLn2Lo = 1.9082149293851713e-10;
    static constexpr double kRound = 6755399441055744.0;  // 1.5 * 2^52
    static constexpr int kMantissaBits = 52;
    static constexpr int kBias = 1023;
};

}  // namespace XENT_ISA
}  // namespace xent
