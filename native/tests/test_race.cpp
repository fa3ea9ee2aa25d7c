// Data changed during a call: while calls run, another thread rewrites the targets and the
// sequence lengths with anything at all (valid classes, the ignore index, values far outside the
// classes, negative lengths, lengths past T). Results may then be garbage, or the call may report
// a bad target; memory must stay safe: nothing outside the outputs is written, and nothing outside
// any buffer is read (CI runs this under AddressSanitizer, every buffer its own allocation).
#include <atomic>
#include <cmath>
#include <cstdio>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <random>
#include <thread>
#include <vector>

#include "check.h"
#include "problem.h"

namespace {

constexpr float kGuard = -12345.5f;
constexpr int64_t kGuardElements = 64;

// An output with guard elements before and after the part the call may write.
struct Guarded {
    std::vector<float> all;
    explicit Guarded(int64_t n) : all(static_cast<size_t>(n + 2 * kGuardElements), kGuard) {}
    float* data() { return all.data() + kGuardElements; }
    bool guards_intact() const {
        for (int64_t k = 0; k < kGuardElements; ++k)
            if (all[k] != kGuard || all[all.size() - 1 - k] != kGuard) return false;
        return true;
    }
};

struct Config {
    const char* name;
    std::vector<int64_t> dims;
    int64_t class_axis;
    int64_t input_kind;
    int64_t reduction;
    bool int32_targets;
    bool lengths;  // rank 3 only
    bool class_weights;
    double smoothing;
};

// Any value a careless data loader might leave: mostly valid classes, sometimes anything.
int64_t hostile_target(std::mt19937_64& rng, int64_t classes) {
    switch (rng() % 8) {
        case 0: return -100;
        case 1: return static_cast<int64_t>(rng());  // anywhere in int64
        case 2: return classes + static_cast<int64_t>(rng() % 1000);
        case 3: return -1 - static_cast<int64_t>(rng() % 1000);
        case 4: return rng() % 2 ? INT64_MAX : INT64_MIN;
        default: return static_cast<int64_t>(rng() % static_cast<uint64_t>(classes));
    }
}

void race(const Config& c, double seconds) {
    xent_problem p = make_problem({}, c.class_axis);
    p.rank = static_cast<int64_t>(c.dims.size());
    int64_t elements = 1;
    for (size_t d = 0; d < c.dims.size(); ++d) {
        p.dims[d] = c.dims[d];
        elements *= c.dims[d];
    }
    const int axis = p.rank == 1 ? 0 : (c.class_axis == 1 ? 1 : static_cast<int>(p.rank) - 1);
    const int64_t classes = c.dims[axis], positions = elements / classes;
    p.input_count = elements;
    p.input_kind = c.input_kind;
    p.reduction = c.reduction;
    p.target_dtype = c.int32_targets ? XENT_INT32 : XENT_INT64;
    p.target_count = positions;
    p.label_smoothing = c.smoothing;
    p.threads = 2;

    std::mt19937_64 rng(42);
    std::vector<float> x(static_cast<size_t>(elements));
    for (auto& v : x) v = static_cast<float>(static_cast<int64_t>(rng() % 2001) - 1000) / 200.0f;
    if (c.input_kind == XENT_INPUT_LOG_PROBABILITIES)
        for (auto& v : x) v = -std::fabs(v);
    std::vector<int64_t> y64(static_cast<size_t>(positions));
    std::vector<int32_t> y32(static_cast<size_t>(positions));
    for (int64_t i = 0; i < positions; ++i) y64[i] = y32[i] = static_cast<int32_t>(i % classes);
    std::vector<int64_t> lengths(c.lengths ? static_cast<size_t>(c.dims[0]) : 0, 1);
    std::vector<float> weights(static_cast<size_t>(classes), 0.5f);
    std::vector<float> upstream(static_cast<size_t>(positions), 1.5f);
    if (c.lengths) {
        p.lengths_dtype = XENT_INT64;
        p.lengths_count = c.dims[0];
    }
    if (c.class_weights) p.class_weights_count = classes;
    const bool none = c.reduction == XENT_REDUCTION_NONE;
    if (none) p.grad_output_count = positions;
    Guarded grad(elements), loss(positions);
    p.grad_input_count = elements;
    if (none) p.loss_out_count = positions;
    const int64_t steps = c.lengths ? positions / c.dims[0] : 0;

    // The writer alternates: valid data for a while (so that calls get past their checks), then a
    // burst of hostile values held for a while (which calls already computing read), then valid
    // data again.
    std::atomic<bool> stop{false};
    auto set_target = [&](size_t at, int64_t t) {
        if (c.int32_targets) __atomic_store_n(&y32[at], static_cast<int32_t>(t), __ATOMIC_RELAXED);
        else __atomic_store_n(&y64[at], t, __ATOMIC_RELAXED);
    };
    auto hold = [](int microseconds) {
        const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(microseconds);
        while (std::chrono::steady_clock::now() < until) {}
    };
    std::thread writer([&] {
        std::mt19937_64 w(7);
        std::vector<size_t> touched;
        while (!stop.load(std::memory_order_relaxed)) {
            touched.clear();
            for (int64_t k = 0; k < 1 + positions / 8; ++k) {
                const size_t at = static_cast<size_t>(w() % static_cast<uint64_t>(positions));
                set_target(at, hostile_target(w, classes));
                touched.push_back(at);
            }
            for (size_t n = 0; n < lengths.size(); ++n) {
                const int64_t len = w() % 3 == 0 ? static_cast<int64_t>(w()) : static_cast<int64_t>(w() % (steps + 3)) - 1;
                __atomic_store_n(&lengths[n], len, __ATOMIC_RELAXED);
            }
            hold(static_cast<int>(w() % 100));
            for (size_t at : touched) set_target(at, static_cast<int64_t>(at % classes));
            for (size_t n = 0; n < lengths.size(); ++n) __atomic_store_n(&lengths[n], int64_t(1), __ATOMIC_RELAXED);
            hold(static_cast<int>(w() % 200));
        }
    });
    int calls = 0, ok = 0;
    const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < end || calls < 3) {
        xent_result r{};
        const void* target = c.int32_targets ? static_cast<const void*>(y32.data()) : static_cast<const void*>(y64.data());
        const int s = xent_compute(&p, x.data(), target, c.class_weights ? weights.data() : nullptr, nullptr,
                                   c.lengths ? lengths.data() : nullptr, none ? upstream.data() : nullptr,
                                   none ? loss.data() : nullptr, grad.data(), &r);
        CHECK_MSG(s == XENT_OK || s == XENT_ERR_TARGET || s == XENT_ERR_ARGUMENT, "%s: status %d (%s)", c.name, s,
                  xent_last_error());
        ++calls;
        ok += s == XENT_OK;
    }
    stop = true;
    writer.join();
    CHECK_MSG(grad.guards_intact(), "%s: a write outside the gradient", c.name);
    CHECK_MSG(loss.guards_intact(), "%s: a write outside the losses", c.name);
    std::printf("%-32s %6d calls, %6d completed\n", c.name, calls, ok);
}

}  // namespace

int main(int argc, char** argv) {
    // Seconds per configuration: argv[1], else XENT_RACE_SECONDS, else 0.25.
    double seconds = 0.25;
    if (const char* env = std::getenv("XENT_RACE_SECONDS")) seconds = std::atof(env);
    if (argc > 1) seconds = std::atof(argv[1]);
    const std::vector<Config> configs = {
        {"long rows, int64", {256, 1000}, -1, XENT_INPUT_LOGITS, XENT_REDUCTION_MEAN, false, false, false, 0.0},
        {"long rows, smoothing, weights", {256, 1000}, -1, XENT_INPUT_LOGITS, XENT_REDUCTION_SUM, false, false, true, 0.1},
        {"short rows, int32", {8192, 10}, -1, XENT_INPUT_LOGITS, XENT_REDUCTION_MEAN, true, false, false, 0.0},
        {"short rows, int64, none", {8192, 10}, -1, XENT_INPUT_LOGITS, XENT_REDUCTION_NONE, false, false, false, 0.0},
        {"rows of 40, smoothing", {2048, 40}, -1, XENT_INPUT_LOGITS, XENT_REDUCTION_MEAN, false, false, false, 0.2},
        {"class axis 1, lengths", {8, 21, 512}, 1, XENT_INPUT_LOGITS, XENT_REDUCTION_MEAN, false, true, false, 0.0},
        {"class last, lengths, int32", {32, 128, 30}, -1, XENT_INPUT_LOGITS, XENT_REDUCTION_NONE, true, true, true, 0.0},
        {"log-probabilities rows", {1024, 100}, -1, XENT_INPUT_LOG_PROBABILITIES, XENT_REDUCTION_MEAN, false, false, true, 0.0},
        {"log-probabilities, class axis 1", {8, 30, 256}, 1, XENT_INPUT_LOG_PROBABILITIES, XENT_REDUCTION_NONE, true, false, false, 0.0},
    };
    std::printf("isa %s, %.2f s per configuration\n", xent_isa_name(xent_isa()), seconds);
    for (const Config& c : configs) race(c, seconds);
    return check_summary("test_race");
}
