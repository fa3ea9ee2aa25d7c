// Native benchmark: ns/element and GB/s of xent_compute for the shapes the speed targets name
// (and, as "form:" rows, other input kinds, targets and shapes), next to a memory floor measured in the same run with the same thread count: a streaming
// read-only pass over the input's bytes, and a read+write pass (input -> gradient buffer); a
// target per element (probability or binary targets) is read by the floor too.
//
//   xent_bench [--quick] [--repeats N] [--isa NAME] [--only TEXT[,TEXT...]]
//   (--only: the cases whose name contains one of the TEXTs)
//
// Medians of N timed runs after one warm-up run (which also faults the output pages in). A second
// table gives the speed targets; its ratios are medians of N back-to-back pairs of runs
// of the two cases compared, which a shared machine's drift between the table's rows does not skew.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "thread_pool.h"
#include "xent.h"

namespace {

int repeats = 7;

double seconds_now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Runs `run` for at least 20 ms: caches, page tables, and the pool's threads, which a sleeping
// virtual CPU wakes for only after as long as a millisecond.
void warm_up(const std::function<void()>& run) {
    const double until = seconds_now() + 0.02;
    do run();
    while (seconds_now() < until);
}

double median_seconds(const std::function<void()>& run) {
    warm_up(run);
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
    int calls = 1;  // calls per timed run (tiny calls: a loop, so the clock's own cost vanishes)
    int64_t input_kind = XENT_INPUT_LOGITS;
    double z_loss = 0.0;
    double softcap = 0.0;
    double spread = 4.0;  // logits uniform in [-spread, spread]
};

struct Result {
    double ns_per_element, gb_per_s, floor_ns_per_element, floor_ratio;
};

// The floors: the same bytes, the same threads, nothing computed; one pass each. They run on the
// library's own thread pool (the benchmark links the library's objects), one contiguous range per
// thread: the same threads, woken the same way, as the calls they are compared with.
template <class Range>
void split(size_t n, int threads, Range range) {
    auto task = [&](int64_t k) { range(n * k / threads, n * (k + 1) / threads); };
    xent::parallel_for(threads, threads, task);
}

// The read floor sums into 32 independent accumulators: one running sum would be bound by the
// add's latency (about 0.8 ns per element here), not by memory.
void read_pass(const float* x, size_t bytes, int threads) {
    constexpr size_t kWays = 32;
    static volatile float sink = 0;
    split(bytes / sizeof(float) / kWays, threads, [&](size_t first, size_t end) {
        float acc[kWays] = {};
        for (size_t i = first; i < end; ++i)
            for (size_t k = 0; k < kWays; ++k) acc[k] += x[i * kWays + k];
        float total = 0;
        for (size_t k = 0; k < kWays; ++k) total += acc[k];
        sink = total;
    });
}

void read_write_pass(const float* x, float* y, size_t bytes, int threads) {
    split(bytes / sizeof(float), threads, [&](size_t first, size_t end) {
        for (size_t i = first; i < end; ++i) y[i] = x[i] * 0.5f;
    });
}

// Two inputs read and one output written, side by side: the floor of a fwd+bwd with a target
// per element (probability or binary targets).
void read2_write_pass(const float* x, const float* t, float* y, size_t bytes, int threads) {
    split(bytes / sizeof(float), threads, [&](size_t first, size_t end) {
        for (size_t i = first; i < end; ++i) y[i] = x[i] * 0.5f + t[i];
    });
}

// One case with its buffers filled: `call` times one run of it (c.calls calls), `floor` one pass
// of its memory floor over the same bytes (read-only for a forward pass, read+write for fwd+bwd;
// per-element targets are read as well).
struct Prepared {
    std::function<void()> call, floor;
    int64_t elements = 0;
    int calls = 1;
    double moved = 0;  // bytes one call reads and writes
    std::vector<void*> owned;
    Prepared() = default;
    Prepared(const Prepared&) = delete;
    Prepared& operator=(const Prepared&) = delete;
    ~Prepared() {
        for (void* p : owned) std::free(p);
    }
};

template <typename T>
std::unique_ptr<Prepared> prepare(const Case& c) {
    auto prepared = std::make_unique<Prepared>();
    int64_t elements = 1;
    for (int64_t d : c.dims) elements *= d;
    const int rank = static_cast<int>(c.dims.size());
    const int axis = rank == 1 ? 0 : (c.class_axis == 1 ? 1 : rank - 1);
    const int64_t classes = c.dims[axis], positions = elements / classes;
    const int64_t inner = [&] { int64_t s = 1; for (int d = axis + 1; d < rank; ++d) s *= c.dims[d]; return s; }();

    // Every buffer belongs to `prepared`, whose call and floor point into them.
    auto own = [&](auto* buffer) {
        prepared->owned.push_back(buffer);
        return buffer;
    };
    T* x = own(alloc<T>(elements));
    T* grad = own(alloc<T>(elements));
    const bool probability_input = c.input_kind == XENT_INPUT_PROBABILITIES;
    for (int64_t i = 0; i < elements; ++i) x[i] = static_cast<T>(probability_input ? 0.001 + 0.998 * uniform() : c.spread * (2.0 * uniform() - 1.0));
    std::memset(grad, 0, elements * sizeof(T));
    int64_t* index = own(alloc<int64_t>(positions));
    for (int64_t k = 0; k < positions; ++k) index[k] = static_cast<int64_t>(uniform() * classes);
    T* probs = nullptr;
    if (c.target_kind == XENT_TARGET_BINARY) {  // one target probability per element
        probs = own(alloc<T>(elements));
        for (int64_t e = 0; e < elements; ++e) probs[e] = static_cast<T>(uniform());
    }
    if (c.target_kind == XENT_TARGET_PROBABILITIES) {
        probs = own(alloc<T>(elements));
        for (int64_t p = 0; p < positions; ++p) {
            const int64_t o = p / inner, i = p % inner;
            double sum = 0;
            for (int64_t k = 0; k < classes; ++k) sum += (probs[(o * classes + k) * inner + i] = static_cast<T>(uniform()));
            for (int64_t k = 0; k < classes; ++k) probs[(o * classes + k) * inner + i] /= static_cast<T>(sum);
        }
    }
    T* w = own(alloc<T>(classes));
    for (int64_t k = 0; k < classes; ++k) w[k] = static_cast<T>(0.5 + uniform());

    xent_problem p{};
    p.abi_version = XENT_ABI_VERSION;
    p.rank = rank;
    for (int d = 0; d < rank; ++d) p.dims[d] = c.dims[d];
    p.class_axis = c.class_axis;
    p.target_kind = c.target_kind;
    p.input_kind = c.input_kind;
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
    p.z_loss = c.z_loss;
    p.softcap = c.softcap;
    p.scale = 1.0;
    p.grad_output_scalar = 1.0;
    const void* target = probs ? static_cast<const void*>(probs) : static_cast<const void*>(index);
    const T* weights = c.weights ? w : nullptr;
    const std::string name = c.name;
    const int calls = c.calls;
    T* grad_out = c.backward ? grad : nullptr;
    prepared->call = [p, x, target, weights, grad_out, name, calls] {
        xent_result r{};
        for (int call = 0; call < calls; ++call) {
            if (xent_compute(&p, x, target, weights, nullptr, nullptr, nullptr, nullptr, grad_out, &r) != XENT_OK) {
                std::fprintf(stderr, "%s: %s\n", name.c_str(), xent_last_error());
                std::exit(1);
            }
        }
    };
    const size_t bytes = elements * sizeof(T);
    const int threads = c.threads;
    const float* xf = reinterpret_cast<const float*>(x);
    float* gf = reinterpret_cast<float*>(grad);
    // A target per element is a third stream (a second one read), and its floor reads it too.
    const float* tf = reinterpret_cast<const float*>(probs);
    if (c.backward && tf) prepared->floor = [xf, tf, gf, bytes, threads] { read2_write_pass(xf, tf, gf, bytes, threads); };
    else if (c.backward) prepared->floor = [xf, gf, bytes, threads] { read_write_pass(xf, gf, bytes, threads); };
    else if (tf) prepared->floor = [xf, tf, bytes, threads] {
        read_pass(xf, bytes, threads);
        read_pass(tf, bytes, threads);
    };
    else prepared->floor = [xf, bytes, threads] { read_pass(xf, bytes, threads); };
    prepared->elements = elements;
    prepared->calls = calls;
    prepared->moved = static_cast<double>(bytes) * (c.backward ? 2 : 1) + (probs ? bytes : 0);
    return prepared;
}

std::unique_ptr<Prepared> prepare(const Case& c) { return c.f64 ? prepare<double>(c) : prepare<float>(c); }

Result run(const Case& c) {
    const auto p = prepare(c);
    const double s = median_seconds(p->call) / p->calls;
    const double floor = median_seconds(p->floor);
    return {s * 1e9 / p->elements, p->moved / s / 1e9, floor * 1e9 / p->elements, s / floor};
}

// time(a) / time(b) per element, as the median over `repeats` back-to-back blocks of four runs,
// a b b a. On a shared machine, medians taken seconds apart drift by tens of percent; a block sees
// the same moment, so its ratio is steadier than the ratio of two medians. In a chain of a b b a
// blocks each side runs first and last equally often and follows itself equally often: with
// pairs alternating a b, b a, the side that ran first more often came out about 10% slower than
// itself (a case against its own copy read 1.1x).
double paired_ratio(const std::function<void()>& a, int64_t a_elements, const std::function<void()>& b,
                    int64_t b_elements) {
    warm_up(a);
    warm_up(b);
    auto time = [](const std::function<void()>& run) {
        const double start = seconds_now();
        run();
        return seconds_now() - start;
    };
    std::vector<double> ratios;
    for (int r = 0; r < repeats; ++r) {
        double ta = time(a);
        double tb = time(b);
        tb += time(b);
        ta += time(a);
        ratios.push_back((ta / a_elements) / (tb / b_elements));
    }
    std::sort(ratios.begin(), ratios.end());
    return ratios[ratios.size() / 2];
}

std::string shape_text(const std::vector<int64_t>& dims) {
    std::string s;
    for (size_t i = 0; i < dims.size(); ++i) s += (i ? "x" : "") + std::to_string(dims[i]);
    return s;
}

}  // namespace

int main(int argc, char** argv) {
    bool quick = false;
    const char* only = nullptr;
    // --only's comma-separated parts: a case runs when its name contains one of them.
    auto selected = [&only](const std::string& name) {
        if (!only) return true;
        const std::string list = only;
        for (size_t start = 0; start <= list.size();) {
            const size_t end = std::min(list.find(',', start), list.size());
            if (end > start && name.find(list.substr(start, end - start)) != std::string::npos) return true;
            start = end + 1;
        }
        return false;
    };
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--quick")) quick = true;
        else if (!std::strcmp(argv[i], "--repeats") && i + 1 < argc) repeats = std::atoi(argv[++i]);
        else if (!std::strcmp(argv[i], "--only") && i + 1 < argc) only = argv[++i];
        else if (!std::strcmp(argv[i], "--isa") && i + 1 < argc) {
            const char* name = argv[++i];
            for (int isa = XENT_ISA_SCALAR; isa <= XENT_ISA_AVX512; ++isa)
                if (!std::strcmp(name, xent_isa_name(isa))) xent_set_max_isa(isa);
        } else {
            std::fprintf(stderr, "usage: xent_bench [--quick] [--repeats N] [--isa scalar|portable|avx2|avx512] [--only TEXT[,TEXT...]]\n");
            return 2;
        }
    }
    const int64_t rows = quick ? 512 : 4096;
    std::printf("xent %s, isa %s, %d threads available, median of %d runs\n\n", xent_version(), xent_isa_name(xent_isa()),
                xent_max_threads(), repeats);
    std::printf("| case | shape | threads | ns/element | GB/s | floor ns/element | x floor |\n"
                "|---|---|---|---|---|---|---|\n");
    std::vector<Case> cases;
    auto add = [&](Case c) { cases.push_back(c); };
    add({"index fwd+bwd", {rows, 32000}, 1, false, true, XENT_TARGET_INDEX, 0.0, false, 1});
    add({"index fwd+bwd", {rows, 32000}, 1, false, true, XENT_TARGET_INDEX, 0.0, false, 2});
    add({"index forward", {rows, 32000}, 1, false, false, XENT_TARGET_INDEX, 0.0, false, 1});
    add({"index forward", {rows, 32000}, 1, false, false, XENT_TARGET_INDEX, 0.0, false, 2});
    add({"label smoothing 0.1 fwd+bwd", {rows, 32000}, 1, false, true, XENT_TARGET_INDEX, 0.1, false, 1});
    add({"class weights fwd+bwd", {rows, 32000}, 1, false, true, XENT_TARGET_INDEX, 0.0, true, 1});
    add({"probability targets fwd+bwd", {rows, 32000}, 1, false, true, XENT_TARGET_PROBABILITIES, 0.0, false, 1});
    auto with = [&](const char* name, double eps, double z_loss, double softcap, double spread = 4.0) {
        Case c{name, {rows, 32000}, 1, false, true, XENT_TARGET_INDEX, eps, false, 1};
        c.z_loss = z_loss;
        c.softcap = softcap;
        c.spread = spread;
        add(c);
    };
    with("z-loss 1e-4 fwd+bwd", 0.0, 1e-4, 0.0);
    with("soft-cap 30 fwd+bwd", 0.0, 0.0, 30.0);
    with("soft-cap 30 + z-loss 1e-4 + smoothing 0.1 fwd+bwd", 0.1, 1e-4, 30.0);
    // Logits in [-60, 60]: nearly every vector has a lane past 0.625 c, where tanh takes an exp.
    with("soft-cap 30, logits in [-60, 60], fwd+bwd", 0.0, 0.0, 30.0, 60.0);
    add({"class axis 1 fwd+bwd", {quick ? 2 : 8, 21, 256, 256}, 1, false, true, XENT_TARGET_INDEX, 0.0, false, 1});
    add({"class last fwd+bwd", {(quick ? 2 : 8) * 256 * 256, 21}, -1, false, true, XENT_TARGET_INDEX, 0.0, false, 1});
    add({"class axis 1 fwd+bwd", {quick ? 2 : 8, 21, 256, 256}, 1, false, true, XENT_TARGET_INDEX, 0.0, false, 2});
    add({"class last fwd+bwd", {(quick ? 2 : 8) * 256 * 256, 21}, -1, false, true, XENT_TARGET_INDEX, 0.0, false, 2});
    add({"small rows fwd+bwd", {65536, 10}, 1, false, true, XENT_TARGET_INDEX, 0.0, false, 1});
    add({"small rows fwd+bwd", {65536, 10}, 1, false, true, XENT_TARGET_INDEX, 0.0, false, 2});
    add({"float64 fwd+bwd", {rows, 32000}, 1, true, true, XENT_TARGET_INDEX, 0.0, false, 1});
    add({"float64 fwd+bwd", {rows, 32000}, 1, true, true, XENT_TARGET_INDEX, 0.0, false, 2});
    // Other forms and shapes, 1 thread (no targets of their own: they show each path's speed).
    // Rows that stay in L2 (128 KB in float32), 200 calls a run: the kernels' own speed, memory aside.
    add({"form: rows in L2, float32", {4, 8192}, -1, false, true, XENT_TARGET_INDEX, 0.0, false, 1, 200});
    add({"form: rows in L2, float64", {4, 8192}, -1, true, true, XENT_TARGET_INDEX, 0.0, false, 1, 200});
    add({"form: class last, 65 classes", {(quick ? 1 : 8) * 2017, 65}, -1, false, true, XENT_TARGET_INDEX, 0.0, false, 1});
    add({"form: class last, 100 classes", {(quick ? 1 : 8) * 1311, 100}, -1, false, true, XENT_TARGET_INDEX, 0.0, false, 1});
    add({"form: class last, 1000 classes", {rows / 4, 1000}, -1, false, true, XENT_TARGET_INDEX, 0.0, false, 1});
    add({"form: class axis 1, 7 positions", {(quick ? 1 : 8) * 1024, 21, 7}, 1, false, true, XENT_TARGET_INDEX, 0.0, false, 1});
    add({"form: binary, logits", {rows, 256}, 1, false, true, XENT_TARGET_BINARY, 0.0, false, 1});
    add({"form: binary, probabilities", {rows, 256}, 1, false, true, XENT_TARGET_BINARY, 0.0, false, 1, 1,
         XENT_INPUT_PROBABILITIES});
    add({"form: index, log-probabilities (nll)", {rows, 1000}, 1, false, true, XENT_TARGET_INDEX, 0.0, false, 1, 1,
         XENT_INPUT_LOG_PROBABILITIES});
    add({"form: index, probabilities", {rows, 1000}, 1, false, true, XENT_TARGET_INDEX, 0.0, false, 1, 1,
         XENT_INPUT_PROBABILITIES});
    std::vector<std::pair<std::string, Result>> done;  // "name/threads" -> result, for the targets
    auto found = [&](const std::string& key) -> const Result* {
        for (const auto& d : done)
            if (d.first == key) return &d.second;
        return nullptr;
    };
    for (const Case& c : cases) {
        if (!selected(c.name)) continue;
        Result r = run(c);
        std::printf("| %s | %s%s | %d | %.3f | %.1f | %.3f | %.2f |\n", c.name.c_str(), shape_text(c.dims).c_str(),
                    c.f64 ? " f64" : "", c.threads, r.ns_per_element, r.gb_per_s, r.floor_ns_per_element, r.floor_ratio);
        std::fflush(stdout);
        done.emplace_back(c.name + "/" + std::to_string(c.threads), r);
    }
    // Tiny calls: what a per-step overhead costs (the median of 25 loops of 2000 calls each).
    double tiny_32x10 = 0.0;
    for (int64_t rows_tiny : {1, 16, 32, 256}) {
        Case tiny{"tiny call fwd+bwd", {rows_tiny, 10}, 1, false, true, XENT_TARGET_INDEX, 0.0, false, 1, 2000};
        const int saved = repeats;
        repeats = 25;
        const double ns = run(tiny).ns_per_element * rows_tiny * 10;
        repeats = saved;
        if (rows_tiny == 32) tiny_32x10 = ns;
        std::printf("| %s | %lldx10 | 1 | %.1f ns per call | | | |\n", tiny.name.c_str(), static_cast<long long>(rows_tiny), ns);
    }
    // The speed targets of the issue that this run measured. The ratios come from back-to-back
    // pairs of runs (paired_ratio), not from the table's medians, which were taken seconds apart.
    std::printf("\n| target | this run | wanted |\n|---|---|---|\n");
    auto line = [](const char* what, double value, const char* unit, const char* wanted, bool met) {
        std::printf("| %s | %.3g%s | %s %s |\n", what, value, unit, wanted, met ? "(met)" : "(missed)");
        std::fflush(stdout);
    };
    auto case_of = [&](const std::string& name, int threads) -> const Case* {
        for (const Case& c : cases)
            if (c.name == name && c.threads == threads && selected(c.name)) return &c;
        return nullptr;
    };
    // Per element, time(a) / time(b) of the calls, or of the two cases' memory floors.
    // Measured twice, a's buffers allocated first and then b's first: on the machine this was
    // written on, the case whose buffers came first ran about 10% slower than the other, even
    // against its own copy. The geometric mean of the two orders cancels that.
    auto paired = [&](const Case& a, const Case& b, bool floors) {
        double product = 1.0;
        for (bool a_first : {true, false}) {
            std::unique_ptr<Prepared> pa, pb;
            if (a_first) pa = prepare(a);
            pb = prepare(b);
            if (!a_first) pa = prepare(a);
            product *= floors ? paired_ratio(pa->floor, pa->elements, pb->floor, pb->elements)
                              : paired_ratio(pa->call, pa->elements, pb->call, pb->elements);
        }
        return std::sqrt(product);
    };
    const Result* i1 = found("index fwd+bwd/1");
    const Result* i2 = found("index fwd+bwd/2");
    const Case* index1 = case_of("index fwd+bwd", 1);
    const Case* index2 = case_of("index fwd+bwd", 2);
    if (i1) line("index fwd+bwd, 1 thread", i1->ns_per_element, " ns/element", "<= 0.6", i1->ns_per_element <= 0.6);
    if (i2) line("index fwd+bwd, 2 threads vs read+write floor", i2->floor_ratio, "x", "<= 1.5", i2->floor_ratio <= 1.5);
    if (index1 && index2) {
        const double speedup = paired(*index1, *index2, false);
        line("index fwd+bwd, 2 threads vs 1 (speed-up)", speedup, "x", ">= 1.7", speedup >= 1.7);
        std::printf("| read+write floor itself, 2 threads vs 1 | %.3gx | (what memory allows) |\n",
                    paired(*index1, *index2, true));
    }
    if (const Result* f = found("index forward/1")) line("index forward, 1 thread", f->ns_per_element, " ns/element", "<= 0.3", f->ns_per_element <= 0.3);
    for (const char* name : {"label smoothing 0.1 fwd+bwd", "class weights fwd+bwd", "probability targets fwd+bwd"}) {
        const Case* c = case_of(name, 1);
        if (c && index1) {
            const double ratio = paired(*c, *index1, false);
            line((std::string(name) + " vs index, 1 thread").c_str(), ratio, "x", "<= 1.25", ratio <= 1.25);
            if (c->target_kind == XENT_TARGET_PROBABILITIES)
                std::printf("| their floors: two reads and a write vs one read and a write | %.3gx | (what memory allows: the targets are a third stream) |\n",
                            paired(*c, *index1, true));
        }
    }
    const std::pair<const char*, double> capped[] = {{"z-loss 1e-4 fwd+bwd", 1.05}, {"soft-cap 30 fwd+bwd", 1.3},
                                                    {"soft-cap 30 + z-loss 1e-4 + smoothing 0.1 fwd+bwd", 1.35},
                                                    {"soft-cap 30, logits in [-60, 60], fwd+bwd", 1.3}};
    for (const auto& [name, wanted] : capped) {
        const Case* c = case_of(name, 1);
        if (c && index1) {
            const double ratio = paired(*c, *index1, false);
            char bound[16];
            std::snprintf(bound, sizeof bound, "<= %.3g", wanted);
            line((std::string(name) + " vs index, 1 thread").c_str(), ratio, "x", bound, ratio <= wanted);
        }
    }
    for (int threads : {1, 2}) {
        const std::string on = threads == 1 ? ", 1 thread" : ", 2 threads";
        const Case* a = case_of("class axis 1 fwd+bwd", threads);
        const Case* b = case_of("class last fwd+bwd", threads);
        if (a && b) {
            const double ratio = paired(*a, *b, false);
            line(("class axis 1 vs class last" + on).c_str(), ratio, "x", "<= 1.3", ratio <= 1.3);
        }
        const Case* d = case_of("float64 fwd+bwd", threads);
        const Case* f = case_of("index fwd+bwd", threads);
        if (d && f) {
            const double ratio = paired(*d, *f, false);
            line(("float64 vs float32 fwd+bwd" + on).c_str(), ratio, "x", "<= 2", ratio <= 2.0);
            std::printf("| float64's read+write floor vs float32's%s | %.3gx | (what memory allows) |\n", on.c_str(),
                        paired(*d, *f, true));
        }
    }
    std::printf("| tiny call 32x10 through the C API | %.0f ns | (the <= 300 ns target is for the Java facade: JMH) |\n",
                tiny_32x10);
    return 0;
}
