// Native benchmark: ns/element and GB/s of xent_compute for the shapes the speed targets name,
// next to a memory floor measured in the same run with the same thread count: a streaming
// read-only pass over the input's bytes, and a read+write pass (input -> gradient buffer).
//
//   xent_bench [--quick] [--repeats N] [--isa NAME] [--only TEXT]   (TEXT: part of a case's name)
//
// Medians of N timed runs after one warm-up run (which also faults the output pages in).
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "xent.h"

namespace {

int repeats = 7;

double seconds_now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double median_seconds(const std::function<void()>& run) {
    run();  // warm-up
    std::vector<double> t;
    for (int r = 0; r < repeats; ++r) {
        double start = seconds_now();
        run();
        t.push_back(seconds_now() - start);
    }
    std::sort(t.begin(), t.end());
    return t[t.size() / 2];
}

template <typename T>
T* alloc(size_t n) {
    void* p = std::aligned_alloc(64, (n * sizeof(T) + 63) / 64 * 64);
    if (!p) {
        std::fprintf(stderr, "out of memory allocating %zu bytes\n", n * sizeof(T));
        std::exit(1);
    }
    return static_cast<T*>(p);
}

uint64_t rng_state = 88172645463325252ull;
double uniform() {  // xorshift64*
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return static_cast<double>((rng_state * 2685821657736338717ull) >> 11) * (1.0 / 9007199254740992.0);
}

struct Case {
    std::string name;
    std::vector<int64_t> dims;
    int64_t class_axis = 1;
    bool f64 = false;
    bool backward = true;
    int64_t target_kind = XENT_TARGET_INDEX;
    double eps = 0.0;
    bool weights = false;
    int threads = 1;
};

struct Result {
    double ns_per_element, gb_per_s, floor_ratio;
};

// The floors: the same bytes, the same threads, nothing computed.
double read_floor(const float* x, size_t bytes, int threads) {
    const size_t n = bytes / sizeof(float);
    volatile float sink = 0;
    double s = median_seconds([&] {
        float total = 0;
#pragma omp parallel for reduction(+ : total) num_threads(threads) schedule(static)
        for (size_t i = 0; i < n; ++i) total += x[i];
        sink = total;
    });
    (void)sink;
    return s;
}

double read_write_floor(const float* x, float* y, size_t bytes, int threads) {
    const size_t n = bytes / sizeof(float);
    return median_seconds([&] {
#pragma omp parallel for num_threads(threads) schedule(static)
        for (size_t i = 0; i < n; ++i) y[i] = x[i] * 0.5f;
    });
}

template <typename T>
Result run_case(const Case& c) {
    int64_t elements = 1;
    for (int64_t d : c.dims) elements *= d;
    const int rank = static_cast<int>(c.dims.size());
    const int axis = rank == 1 ? 0 : (c.class_axis == 1 ? 1 : rank - 1);
    const int64_t classes = c.dims[axis], positions = elements / classes;
    const int64_t inner = [&] { int64_t s = 1; for (int d = axis + 1; d < rank; ++d) s *= c.dims[d]; return s; }();

    T* x = alloc<T>(elements);
    T* grad = alloc<T>(elements);
    for (int64_t i = 0; i < elements; ++i) x[i] = static_cast<T>(8.0 * uniform() - 4.0);
    std::memset(grad, 0, elements * sizeof(T));
    std::vector<int64_t> index(positions);
    for (auto& y : index) y = static_cast<int64_t>(uniform() * classes);
    T* probs = nullptr;
    if (c.target_kind == XENT_TARGET_PROBABILITIES) {
        probs = alloc<T>(elements);
        for (int64_t p = 0; p < positions; ++p) {
            const int64_t o = p / inner, i = p % inner;
            double sum = 0;
            for (int64_t k = 0; k < classes; ++k) sum += (probs[(o * classes + k) * inner + i] = static_cast<T>(uniform()));
            for (int64_t k = 0; k < classes; ++k) probs[(o * classes + k) * inner + i] /= static_cast<T>(sum);
        }
    }
    std::vector<T> w(classes);
    for (auto& v : w) v = static_cast<T>(0.5 + uniform());

    xent_problem p{};
    p.abi_version = XENT_ABI_VERSION;
    p.rank = rank;
    for (int d = 0; d < rank; ++d) p.dims[d] = c.dims[d];
    p.class_axis = c.class_axis;
    p.target_kind = c.target_kind;
    p.input_kind = XENT_INPUT_LOGITS;
    p.reduction = XENT_REDUCTION_MEAN;
    p.dtype = sizeof(T) == 4 ? XENT_FLOAT32 : XENT_FLOAT64;
    p.target_dtype = probs ? p.dtype : XENT_INT64;
    p.ignore_index = -100;
    p.threads = c.threads;
    p.input_count = elements;
    p.target_count = probs ? elements : positions;
    p.class_weights_count = c.weights ? classes : 0;
    p.grad_input_count = c.backward ? elements : 0;
    p.label_smoothing = c.eps;
    p.scale = 1.0;
    p.grad_output_scalar = 1.0;
    const void* target = probs ? static_cast<const void*>(probs) : static_cast<const void*>(index.data());

    xent_result r{};
    double s = median_seconds([&] {
        if (xent_compute(&p, x, target, c.weights ? w.data() : nullptr, nullptr, nullptr, nullptr, nullptr,
                         c.backward ? grad : nullptr, &r) != XENT_OK) {
            std::fprintf(stderr, "%s: %s\n", c.name.c_str(), xent_last_error());
            std::exit(1);
        }
    });
    const size_t bytes = elements * sizeof(T);
    // Floors over the same number of bytes: read-only for a forward pass, read+write for fwd+bwd.
    const double floor = c.backward ? read_write_floor(reinterpret_cast<const float*>(x), reinterpret_cast<float*>(grad), bytes, c.threads)
                                    : read_floor(reinterpret_cast<const float*>(x), bytes, c.threads);
    const double moved = static_cast<double>(bytes) * (c.backward ? 2 : 1) + (probs ? bytes : 0);
    std::free(x);
    std::free(grad);
    std::free(probs);
    return {s * 1e9 / elements, moved / s / 1e9, s / floor};
}

Result run(const Case& c) { return c.f64 ? run_case<double>(c) : run_case<float>(c); }

std::string shape_text(const std::vector<int64_t>& dims) {
    std::string s;
    for (size_t i = 0; i < dims.size(); ++i) s += (i ? "x" : "") + std::to_string(dims[i]);
    return s;
}

}  // namespace

int main(int argc, char** argv) {
    bool quick = false;
    const char* only = nullptr;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--quick")) quick = true;
        else if (!std::strcmp(argv[i], "--repeats") && i + 1 < argc) repeats = std::atoi(argv[++i]);
        else if (!std::strcmp(argv[i], "--only") && i + 1 < argc) only = argv[++i];
        else if (!std::strcmp(argv[i], "--isa") && i + 1 < argc) {
            const char* name = argv[++i];
            for (int isa = XENT_ISA_SCALAR; isa <= XENT_ISA_AVX512; ++isa)
                if (!std::strcmp(name, xent_isa_name(isa))) xent_set_max_isa(isa);
        } else {
            std::fprintf(stderr, "usage: xent_bench [--quick] [--repeats N] [--isa scalar|portable|avx2|avx512] [--only TEXT]\n");
            return 2;
        }
    }
    const int64_t rows = quick ? 512 : 4096;
    std::printf("xent %s, isa %s, %d threads available, median of %d runs\n\n", xent_version(), xent_isa_name(xent_isa()),
                omp_get_max_threads(), repeats);
    std::printf("| case | shape | threads | ns/element | GB/s | x floor |\n|---|---|---|---|---|---|\n");
    std::vector<Case> cases;
    auto add = [&](Case c) { cases.push_back(c); };
    add({"index fwd+bwd", {rows, 32000}, 1, false, true, XENT_TARGET_INDEX, 0.0, false, 1});
    add({"index fwd+bwd", {rows, 32000}, 1, false, true, XENT_TARGET_INDEX, 0.0, false, 2});
    add({"index forward", {rows, 32000}, 1, false, false, XENT_TARGET_INDEX, 0.0, false, 1});
    add({"index forward", {rows, 32000}, 1, false, false, XENT_TARGET_INDEX, 0.0, false, 2});
    add({"label smoothing 0.1 fwd+bwd", {rows, 32000}, 1, false, true, XENT_TARGET_INDEX, 0.1, false, 1});
    add({"class weights fwd+bwd", {rows, 32000}, 1, false, true, XENT_TARGET_INDEX, 0.0, true, 1});
    add({"probability targets fwd+bwd", {rows, 32000}, 1, false, true, XENT_TARGET_PROBABILITIES, 0.0, false, 1});
    add({"class axis 1 fwd+bwd", {quick ? 2 : 8, 21, 256, 256}, 1, false, true, XENT_TARGET_INDEX, 0.0, false, 1});
    add({"class last fwd+bwd", {(quick ? 2 : 8) * 256 * 256, 21}, -1, false, true, XENT_TARGET_INDEX, 0.0, false, 1});
    add({"class axis 1 fwd+bwd", {quick ? 2 : 8, 21, 256, 256}, 1, false, true, XENT_TARGET_INDEX, 0.0, false, 2});
    add({"class last fwd+bwd", {(quick ? 2 : 8) * 256 * 256, 21}, -1, false, true, XENT_TARGET_INDEX, 0.0, false, 2});
    add({"small rows fwd+bwd", {65536, 10}, 1, false, true, XENT_TARGET_INDEX, 0.0, false, 1});
    add({"small rows fwd+bwd", {65536, 10}, 1, false, true, XENT_TARGET_INDEX, 0.0, false, 2});
    add({"float64 fwd+bwd", {rows, 32000}, 1, true, true, XENT_TARGET_INDEX, 0.0, false, 1});
    add({"float64 fwd+bwd", {rows, 32000}, 1, true, true, XENT_TARGET_INDEX, 0.0, false, 2});
    for (const Case& c : cases) {
        if (only && c.name.find(only) == std::string::npos) continue;
        Result r = run(c);
        std::printf("| %s | %s%s | %d | %.3f | %.1f | %.2f |\n", c.name.c_str(), shape_text(c.dims).c_str(),
                    c.f64 ? " f64" : "", c.threads, r.ns_per_element, r.gb_per_s, r.floor_ratio);
        std::fflush(stdout);
    }
    // A tiny call: what a per-step overhead costs.
    Case tiny{"tiny call fwd+bwd", {32, 10}, 1, false, true, XENT_TARGET_INDEX, 0.0, false, 1};
    int saved = repeats;
    repeats = 2001;
    Result t = run(tiny);
    repeats = saved;
    std::printf("| %s | 32x10 | 1 | %.1f ns per call | | |\n", tiny.name.c_str(), t.ns_per_element * 320);
    return 0;
}
