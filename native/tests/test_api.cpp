// The C API's own guard: bad arguments give a status and a message naming the argument, and
// leave every output untouched.
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "check.h"
#include "problem.h"

namespace {

bool message_has(const char* text) { return std::strstr(xent_last_error(), text) != nullptr; }

// A valid 4x3 problem with its buffers; tests break one thing each.
struct Case {
    xent_problem p = make_problem({4, 3});
    std::vector<float> x = std::vector<float>(12, 0.5f);
    std::vector<int64_t> y = {0, 1, 2, 1};
    std::vector<float> grad = std::vector<float>(12, 7.0f);
    xent_result r{};
    Case() { p.target_count = 4; p.grad_input_count = 12; }
    int run() { return xent_compute(&p, x.data(), y.data(), nullptr, nullptr, nullptr, nullptr, nullptr, grad.data(), &r); }
    bool grad_untouched() const {
        for (float g : grad) if (g != 7.0f) return false;
        return true;
    }
};

void expect_error(Case& c, int status, const char* words) {
    int got = c.run();
    CHECK_MSG(got == status, "status %d, expected %d (%s)", got, status, xent_last_error());
    CHECK_MSG(message_has(words), "message '%s' lacks '%s'", xent_last_error(), words);
    CHECK(c.grad_untouched());
}

}  // namespace

int main() {
    CHECK(xent_abi_version() == XENT_ABI_VERSION);
    CHECK(xent_problem_size() == sizeof(xent_problem));
    CHECK(xent_result_size() == sizeof(xent_result));
    CHECK(std::strlen(xent_version()) >= 5);
    CHECK(xent_default_threads() >= 1);

    { Case c; CHECK(c.run() == XENT_OK); CHECK(std::string(xent_last_error()).empty()); CHECK(c.r.count == 4); }
    { int s = xent_compute(nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr);
      CHECK(s == XENT_ERR_ARGUMENT); CHECK(message_has("problem")); }
    { Case c; c.p.abi_version = 99; expect_error(c, XENT_ERR_ARGUMENT, "abi_version"); }
    { Case c; c.p.rank = 0; expect_error(c, XENT_ERR_ARGUMENT, "rank"); }
    { Case c; c.p.rank = 9; expect_error(c, XENT_ERR_ARGUMENT, "rank"); }
    { Case c; c.p.dims[1] = 0; expect_error(c, XENT_ERR_ARGUMENT, "dimension 1"); }
    { Case c; c.p.dims[0] = -4; expect_error(c, XENT_ERR_ARGUMENT, "dimension 0"); }
    { Case c; c.p.rank = 3; c.p.dims[0] = c.p.dims[1] = c.p.dims[2] = int64_t(1) << 30; expect_error(c, XENT_ERR_ARGUMENT, "overflow"); }
    { Case c; c.p.class_axis = 2; expect_error(c, XENT_ERR_ARGUMENT, "class_axis"); }
    { Case c; c.p.reduction = 7; expect_error(c, XENT_ERR_ARGUMENT, "reduction"); }
    { Case c; c.p.dtype = XENT_INT32; expect_error(c, XENT_ERR_ARGUMENT, "dtype"); }
    { Case c; c.p.target_dtype = XENT_FLOAT32; expect_error(c, XENT_ERR_ARGUMENT, "target_dtype"); }
    { Case c; c.p.index_base = 2; expect_error(c, XENT_ERR_ARGUMENT, "index_base"); }
    { Case c; c.p.threads = -1; expect_error(c, XENT_ERR_ARGUMENT, "threads"); }
    { Case c; c.p.threads = xent_max_threads() + 1; expect_error(c, XENT_ERR_ARGUMENT, "threads"); }
    { Case c; c.p.threads = 4096; expect_error(c, XENT_ERR_ARGUMENT, "threads"); }
    { Case c; c.p.threads = xent_max_threads(); CHECK(c.run() == XENT_OK); }
    { Case c; c.p.label_smoothing = -0.1; expect_error(c, XENT_ERR_ARGUMENT, "label_smoothing"); }
    { Case c; c.p.label_smoothing = -0.0; CHECK(c.run() == XENT_OK); }
    { Case c; c.p.label_smoothing = std::nan(""); expect_error(c, XENT_ERR_ARGUMENT, "label_smoothing"); }
    { Case c; c.p.label_smoothing = 1.5; expect_error(c, XENT_ERR_ARGUMENT, "label_smoothing"); }
    // z-loss and soft-cap: finite and >= 0 (0 and -0 are off).
    for (double bad : {-1e-4, std::nan(""), HUGE_VAL, -HUGE_VAL}) {
        { Case c; c.p.z_loss = bad; expect_error(c, XENT_ERR_ARGUMENT, "z_loss"); }
        { Case c; c.p.softcap = bad; expect_error(c, XENT_ERR_ARGUMENT, "softcap"); }
    }
    // Below float32's smallest normal number 1 / c overflows: refused, not NaN gradients.
    for (double tiny : {1e-40, 4.9e-324, 1e-310}) { Case c; c.p.softcap = tiny; expect_error(c, XENT_ERR_ARGUMENT, "softcap"); }
    { Case c; c.p.softcap = 1.1754943508222875e-38; CHECK(c.run() == XENT_OK); }
    // A NaN scalar upstream gradient, like a NaN scale; an infinite one propagates (PyTorch's rule).
    { Case c; c.p.grad_output_scalar = std::nan(""); expect_error(c, XENT_ERR_ARGUMENT, "grad_output_scalar"); }
    { Case c; c.p.grad_output_scalar = HUGE_VAL; CHECK(c.run() == XENT_OK); }
    { Case c; c.p.z_loss = -0.0; c.p.softcap = -0.0; CHECK(c.run() == XENT_OK); }
    { Case c; c.p.z_loss = 1e-4; c.p.softcap = 30; CHECK(c.run() == XENT_OK); }
    { Case c; c.p.scale = std::numeric_limits<double>::infinity(); expect_error(c, XENT_ERR_ARGUMENT, "scale"); }
    { Case c; c.p.input_count = 11; expect_error(c, XENT_ERR_BUFFER, "input"); }
    { Case c; c.p.target_count = 3; expect_error(c, XENT_ERR_BUFFER, "target"); }
    { Case c; c.p.grad_input_count = 5; expect_error(c, XENT_ERR_BUFFER, "grad_input"); }
    { Case c; c.p.class_weights_count = 3; expect_error(c, XENT_ERR_BUFFER, "class_weights"); }
    { Case c; c.y[2] = 3; expect_error(c, XENT_ERR_TARGET, "value 3 at position 2"); }
    { Case c; c.y[3] = -1; expect_error(c, XENT_ERR_TARGET, "value -1 at position 3"); }
    { Case c; c.p.index_base = 1; c.y = {1, 2, 3, 0}; expect_error(c, XENT_ERR_TARGET, "value 0 at position 3"); }
    { Case c; c.y[1] = -100; CHECK(c.run() == XENT_OK); CHECK(c.r.count == 3); }
    // Plain index targets are counted without a branch per position: the ignore index inside or
    // outside the classes, next to bad values, the lowest int64, and int32 targets.
    { Case c; c.p.ignore_index = 1; CHECK(c.run() == XENT_OK); CHECK(c.r.count == 2); CHECK(c.r.weight_sum == 2.0); }
    { Case c; c.p.ignore_index = 1; c.y[0] = 3; expect_error(c, XENT_ERR_TARGET, "value 3 at position 0"); }
    { Case c; c.y = {-100, 5, -100, 0}; expect_error(c, XENT_ERR_TARGET, "value 5 at position 1"); }
    { Case c; c.y = {-100, -100, -100, -100}; CHECK(c.run() == XENT_OK); CHECK(c.r.count == 0); }
    { Case c; c.y[3] = std::numeric_limits<int64_t>::min(); expect_error(c, XENT_ERR_TARGET, "value -9223372036854775808 at position 3"); }
    { Case c; c.y[1] = std::numeric_limits<int64_t>::max(); expect_error(c, XENT_ERR_TARGET, "value 9223372036854775807 at position 1"); }
    { Case c; c.p.ignore_index = std::numeric_limits<int64_t>::min(); c.y[3] = c.p.ignore_index; CHECK(c.run() == XENT_OK); CHECK(c.r.count == 3); }
    { Case c; c.p.index_base = 1; c.p.ignore_index = 0; c.y = {1, 0, 3, 0}; CHECK(c.run() == XENT_OK); CHECK(c.r.count == 2); }
    {   // int32 targets: an ignore index beyond int32 never matches; a target of 3 is bad.
        Case c;
        std::vector<int32_t> y32 = {0, 2, 1, 3};
        c.p.target_dtype = XENT_INT32;
        c.p.ignore_index = int64_t(1) << 40;
        int s = xent_compute(&c.p, c.x.data(), y32.data(), nullptr, nullptr, nullptr, nullptr, nullptr, c.grad.data(), &c.r);
        CHECK(s == XENT_ERR_TARGET);
        CHECK(message_has("value 3 at position 3"));
        y32[3] = 0;
        CHECK(xent_compute(&c.p, c.x.data(), y32.data(), nullptr, nullptr, nullptr, nullptr, nullptr, c.grad.data(), &c.r) == XENT_OK);
        CHECK(c.r.count == 4);
    }
    // The same counts over 37 positions, so the vector kernels' loops count whole vectors and a
    // tail: a bad target in every position in turn, the lowest int64, ignored targets in both.
    for (int int32 = 0; int32 < 2; ++int32) {
        const int64_t n = 37, C = 5;
        xent_problem p = make_problem({n, C});
        p.target_dtype = int32 ? XENT_INT32 : XENT_INT64;
        p.target_count = n;
        std::vector<float> x(n * C, 0.25f);
        std::vector<int64_t> y(n);
        for (int64_t i = 0; i < n; ++i) y[i] = i % 7 == 3 ? -100 : i % C;
        auto run = [&](xent_result* r) {
            std::vector<int32_t> y32(y.begin(), y.end());
            const void* t = int32 ? static_cast<const void*>(y32.data()) : static_cast<const void*>(y.data());
            return xent_compute(&p, x.data(), t, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, r);
        };
        xent_result r{};
        CHECK(run(&r) == XENT_OK);
        CHECK(r.count == n - 5);  // positions 3, 10, 17, 24, 31 ignored
        for (int64_t bad = 0; bad < n; ++bad) {
            const int64_t kept = y[bad];
            y[bad] = bad % 2 ? C : (int32 ? -1 : std::numeric_limits<int64_t>::min());
            CHECK_MSG(run(&r) == XENT_ERR_TARGET, "int32 %d, bad target at %lld", int32, (long long)bad);
            CHECK(message_has(("at position " + std::to_string(bad)).c_str()));
            y[bad] = kept;
        }
    }
    {   // The gradient may be the input itself, but no partial overlap.
        Case c;
        CHECK(xent_compute(&c.p, c.x.data(), c.y.data(), nullptr, nullptr, nullptr, nullptr, nullptr, c.x.data(), &c.r) == XENT_OK);
        int s = xent_compute(&c.p, c.x.data(), c.y.data(), nullptr, nullptr, nullptr, nullptr, nullptr, c.x.data() + 1, &c.r);
        CHECK(s == XENT_ERR_BUFFER);
        CHECK(message_has("grad_input: overlaps input"));
    }
    {   // Class weights must be finite and non-negative.
        Case c;
        std::vector<float> w = {1.0f, -2.0f, 1.0f};
        c.p.class_weights_count = 3;
        int s = xent_compute(&c.p, c.x.data(), c.y.data(), w.data(), nullptr, nullptr, nullptr, nullptr, c.grad.data(), &c.r);
        CHECK(s == XENT_ERR_ARGUMENT);
        CHECK(message_has("class_weights: weight of class 1"));
        CHECK(c.grad_untouched());
        w[1] = 1e-40f;  // subnormal: 1 / (summed weight) may overflow
        s = xent_compute(&c.p, c.x.data(), c.y.data(), w.data(), nullptr, nullptr, nullptr, nullptr, c.grad.data(), &c.r);
        CHECK(s == XENT_ERR_ARGUMENT && message_has("class_weights: weight of class 1"));
        CHECK(c.grad_untouched());
    }
    {   // A reduced loss has no per-position loss output.
        Case c;
        std::vector<float> loss(4, 0.0f);
        c.p.loss_out_count = 4;
        int s = xent_compute(&c.p, c.x.data(), c.y.data(), nullptr, nullptr, nullptr, nullptr, loss.data(), c.grad.data(), &c.r);
        CHECK(s == XENT_ERR_ARGUMENT);
        CHECK(message_has("loss_out"));
    }
    {   // Combinations the spec calls errors.
        Case c;
        c.p.target_kind = XENT_TARGET_BINARY;
        c.p.target_dtype = XENT_FLOAT32;
        c.p.input_kind = XENT_INPUT_LOG_PROBABILITIES;
        expect_error(c, XENT_ERR_ARGUMENT, "input_kind");
    }
    {   Case c; c.p.target_kind = XENT_TARGET_PROBABILITIES; expect_error(c, XENT_ERR_ARGUMENT, "target_dtype"); }
    {   Case c; c.p.target_kind = XENT_TARGET_BINARY; c.p.target_dtype = XENT_FLOAT32; c.p.label_smoothing = 0.1;
        expect_error(c, XENT_ERR_ARGUMENT, "label_smoothing"); }
    {   Case c; c.p.target_kind = XENT_TARGET_BINARY; c.p.target_dtype = XENT_FLOAT32; c.p.z_loss = 1e-4;
        expect_error(c, XENT_ERR_ARGUMENT, "z_loss"); }
    {   Case c; c.p.target_kind = XENT_TARGET_BINARY; c.p.target_dtype = XENT_FLOAT32; c.p.softcap = 30;
        expect_error(c, XENT_ERR_ARGUMENT, "softcap"); }
    {   Case c; c.p.input_kind = XENT_INPUT_PROBABILITIES; c.p.softcap = 30; expect_error(c, XENT_ERR_ARGUMENT, "softcap"); }
    {   Case c; c.p.input_kind = XENT_INPUT_LOG_PROBABILITIES; c.p.z_loss = 1; expect_error(c, XENT_ERR_ARGUMENT, "z_loss"); }
    return check_summary("test_api");
}
