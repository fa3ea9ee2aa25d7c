// The vectorised exp of every instruction set this CPU runs (portable everywhere; AVX2 and AVX-512
// where the CPU has them): within 2 ulp of the correctly rounded exp wherever the result is a
// normal number up to the clamp, exactly 1 at 0, 0 far below, NaN for NaN. And the soft-cap's
// tanh: within 2.5 ulp everywhere, exact at 0 and at +-inf, NaN for NaN. Each ISA's functions are
// compiled with that ISA's flags (exp_<isa>.cpp); the references are long double expl and tanhl.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <vector>

#include "check.h"
#include "exp_api.h"

namespace {

using xent::ExpFunctions;

// Distance from `want` in units of the last place of T at `want`.
template <typename T>
double ulps(T got, long double want) {
    int exponent = 0;
    std::frexp(want, &exponent);
    const long double ulp = std::ldexp(1.0L, exponent - std::numeric_limits<T>::digits);
    return static_cast<double>(std::fabs(static_cast<long double>(got) - want) / ulp);
}

template <typename T>
void check_isa(const char* isa, void (*exp_general)(const T*, T*, int64_t), void (*exp_nonpositive)(const T*, T*, int64_t)) {
    const bool f32 = sizeof(T) == 4;
    const char* type = f32 ? "float" : "double";
    // The results that are normal numbers: x from log(smallest normal) up to the clamp (88 / 709).
    const long double low = std::log(static_cast<long double>(std::numeric_limits<T>::min()));
    const long double high = f32 ? 88.0L : 709.0L;
    const int64_t n = int64_t(1) << 20;  // a multiple of every ISA's lanes
    for (int positive = 0; positive < 2; ++positive) {
        std::vector<T> x(n), y(n);
        for (int64_t i = 0; i < n; ++i) {
            const long double at = static_cast<long double>(i) / (n - 1);
            x[i] = static_cast<T>(positive ? at * high : low + (0.0L - low) * at);
            if (!positive && x[i] < low) x[i] = static_cast<T>(0);  // (rounding may step past it)
        }
        double worst = 0.0;
        T worst_x = 0;
        for (int variant = 0; variant < 2 - positive; ++variant) {  // x <= 0: both variants
            (variant ? exp_nonpositive : exp_general)(x.data(), y.data(), n);
            for (int64_t i = 0; i < n; ++i) {
                const double e = ulps<T>(y[i], std::exp(static_cast<long double>(x[i])));
                if (!(e <= worst)) worst = e, worst_x = x[i];
            }
        }
        CHECK_MSG(worst <= 2.0, "%s %s exp: %.3f ulp at x = %.17g", isa, type, worst, static_cast<double>(worst_x));
        std::printf("test_exp: %s %s, x %s 0: at most %.3f ulp\n", isa, type, positive ? ">=" : "<=", worst);
    }

    // The edges, through both variants.
    const T nan = std::numeric_limits<T>::quiet_NaN(), inf = std::numeric_limits<T>::infinity();
    std::vector<T> edges(16, static_cast<T>(0)), out(16);
    edges[1] = nan;
    edges[2] = -inf;
    edges[3] = static_cast<T>(f32 ? -200.0 : -2000.0);      // far below: 0
    edges[4] = static_cast<T>(low * 1.01L);                  // just below the normal results
    edges[5] = -std::numeric_limits<T>::max();
    for (int variant = 0; variant < 2; ++variant) {
        (variant ? exp_nonpositive : exp_general)(edges.data(), out.data(), 16);
        CHECK_MSG(out[0] == static_cast<T>(1), "%s %s exp(0) = %.17g", isa, type, static_cast<double>(out[0]));
        CHECK_MSG(std::isnan(out[1]), "%s %s exp(NaN) = %.17g", isa, type, static_cast<double>(out[1]));
        CHECK_MSG(out[2] == 0 && out[3] == 0 && out[5] == 0, "%s %s exp of -inf, far below, lowest: %g %g %g", isa, type,
                  static_cast<double>(out[2]), static_cast<double>(out[3]), static_cast<double>(out[5]));
        // Below the normal results: 0, or a subnormal (AVX-512's vscalef keeps them).
        CHECK_MSG(out[4] >= 0 && out[4] < std::numeric_limits<T>::min(), "%s %s exp just below the normal range = %g",
                  isa, type, static_cast<double>(out[4]));
    }
}

// tanh over [-20, 20] densely (both branches, the switch between them at 0.625, the saturation)
// and near 0 (where it must keep its relative precision), and its edges.
template <typename T>
void check_tanh(const char* isa, void (*tanh_of)(const T*, T*, int64_t)) {
    const char* type = sizeof(T) == 4 ? "float" : "double";
    const int64_t n = int64_t(1) << 20;
    std::vector<T> x(n), y(n);
    for (int64_t i = 0; i < n; ++i) {
        const long double at = static_cast<long double>(i) / (n - 1);
        x[i] = static_cast<T>(i % 2 ? -40.0L * at + 20.0L : std::ldexp(1.0L, -40) * std::pow(2.0L, 40.0L * at));
    }
    tanh_of(x.data(), y.data(), n);
    double worst = 0.0;
    T worst_x = 0;
    for (int64_t i = 0; i < n; ++i) {
        const long double want = std::tanh(static_cast<long double>(x[i]));
        const double e = want == 0 ? std::fabs(static_cast<double>(y[i])) : ulps<T>(y[i], want);
        if (!(e <= worst)) worst = e, worst_x = x[i];
    }
    CHECK_MSG(worst <= 2.5, "%s %s tanh: %.3f ulp at x = %.17g", isa, type, worst, static_cast<double>(worst_x));
    std::printf("test_exp: %s %s tanh: at most %.3f ulp\n", isa, type, worst);
    const T nan = std::numeric_limits<T>::quiet_NaN(), inf = std::numeric_limits<T>::infinity();
    std::vector<T> edges(16, static_cast<T>(0)), out(16);
    edges[1] = nan;
    edges[2] = inf;
    edges[3] = -inf;
    edges[4] = std::numeric_limits<T>::max();
    tanh_of(edges.data(), out.data(), 16);
    CHECK_MSG(out[0] == 0 && std::isnan(out[1]) && out[2] == 1 && out[3] == -1 && out[4] == 1,
              "%s %s tanh of 0, NaN, inf, -inf, max: %g %g %g %g %g", isa, type, static_cast<double>(out[0]),
              static_cast<double>(out[1]), static_cast<double>(out[2]), static_cast<double>(out[3]), static_cast<double>(out[4]));
}

void check_functions(const char* isa, const ExpFunctions& f) {
    check_isa<float>(isa, f.f32, f.f32_nonpositive);
    check_isa<double>(isa, f.f64, f.f64_nonpositive);
    check_tanh<float>(isa, f.tanh_f32);
    check_tanh<double>(isa, f.tanh_f64);
}

}  // namespace

int main() {
    check_functions("portable", xent::portable::exp_functions);
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        check_functions("avx2", xent::avx2::exp_functions);
    } else {
        std::printf("test_exp: this CPU has no AVX2: its exp is not run\n");
    }
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vl")) {
        check_functions("avx512", xent::avx512::exp_functions);
    } else {
        std::printf("test_exp: this CPU has no AVX-512: its exp is not run\n");
    }
#endif
    return check_summary("test_exp");
}
