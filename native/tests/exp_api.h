// What each exp_<isa>.cpp gives test_exp: its exp over arrays (n a multiple of 16).
#pragma once

#include <cstdint>

namespace xent {

struct ExpFunctions {
    void (*f32)(const float* x, float* y, int64_t n);
    void (*f32_nonpositive)(const float* x, float* y, int64_t n);  // for x <= 0 or NaN only
    void (*f64)(const double* x, double* y, int64_t n);
    void (*f64_nonpositive)(const double* x, double* y, int64_t n);
    void (*tanh_f32)(const float* x, float* y, int64_t n);  // vtanh, the soft-cap's
    void (*tanh_f64)(const double* x, double* y, int64_t n);
};

namespace portable { extern const ExpFunctions exp_functions; }
#if defined(__x86_64__)
namespace avx2 { extern const ExpFunctions exp_functions; }
namespace avx512 { extern const ExpFunctions exp_functions; }
#endif

}  // namespace xent
