// Native benchmark of the fused linear + cross-entropy form (xent_linear_compute) against the bare
// GEMMs it contains, on the same OpenBLAS with the same threads, in the same run: the three GEMMs of
// a fwd+bwd (logits, dh, dW) and the one of a forward, each one OpenBLAS call on all the threads.
// The head has no bias, as LLM heads have none (bare GEMMs have none either); a row with one says
// what it adds.
// Then the peak extra memory of a call: the high-water mark of the process's resident memory
// (reset through /proc/self/clear_refs) less what was resident before it.
//
//   xent_linear_bench [--shape MxDxV] [--threads N,N...] [--repeats N] [--memory-shape MxDxV]
//
// Ratios are medians over blocks of four runs a b b a (xent_bench.cpp says why).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <malloc.h>
#include <string>
#include <thread>
#include <vector>

#include "xent.h"

extern "C" {
void cblas_sgemm(int order, int trans_a, int trans_b, int m, int n, int k, float alpha, const float* a, int lda,
                 const float* b, int ldb, float beta, float* c, int ldc);
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
}

namespace {

constexpr int kRowMajor = 101, kNoTrans = 111, kTrans = 112;
int repeats = 3;

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

double seconds(const std::function<void()>& run) {
    const double start = now();
    run();
    return now() - start;
}

double median_seconds(const std::function<void()>& run) {
    run();  // warm-up: pages, OpenBLAS's buffers, the pool's threads
    std::vector<double> t;
    for (int r = 0; r < repeats; ++r) t.push_back(seconds(run));
    std::sort(t.begin(), t.end());
    return t[t.size() / 2];
}

// time(a) / time(b), the median over blocks a b b a.
double paired_ratio(const std::function<void()>& a, const std::function<void()>& b) {
    std::vector<double> ratios;
    for (int r = 0; r < repeats; ++r) {
        double ta = seconds(a), tb = seconds(b);
        tb += seconds(b);
        ta += seconds(a);
        ratios.push_back(ta / tb);
    }
    std::sort(ratios.begin(), ratios.end());
    return ratios[ratios.size() / 2];
}

long status_kb(const char* key) {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(key, 0) == 0) return std::atol(line.c_str() + std::strlen(key));
    return -1;
}

// Bytes the process's resident set rose to above where it stood, during `run`.
double peak_extra_mb(const std::function<void()>& run) {
    { std::ofstream("/proc/self/clear_refs") << "5"; }  // resets VmHWM to the current VmRSS
    const long before = status_kb("VmRSS:");
    run();
    const long peak = status_kb("VmHWM:");
    return before < 0 || peak < 0 ? NAN : (peak - before) / 1024.0;
}

// peak_extra_mb of `run` on a thread of its own: the first call of a calling thread, which makes
// the thread's block of logits (kept for its later calls) and its OpenBLAS work buffer.
double peak_extra_mb_new_thread(const std::function<void()>& run) {
    double mb = NAN;
    std::thread t([&] { mb = peak_extra_mb(run); });
    t.join();
    return mb;
}

struct Shape {
    int64_t M, D, V;
    std::string text() const {
        return std::to_string(M) + "x" + std::to_string(D) + "x" + std::to_string(V);
    }
};

bool parse_shape(const char* s, Shape* out) {
    long long m, d, v;
    if (std::sscanf(s, "%lldx%lldx%lld", &m, &d, &v) != 3 || m < 1 || d < 1 || v < 1) return false;
    *out = {m, d, v};
    return true;
}

std::vector<float> filled(int64_t n, float scale, uint64_t seed) {
    std::vector<float> v(static_cast<size_t>(n));
    uint64_t s = seed;
    for (auto& x : v) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        x = scale * (static_cast<float>(s >> 40) / 16777216.0f * 2.0f - 1.0f);
    }
    return v;
}

// The tensors of one shape, and the calls on them.
struct Bench {
    Shape s;
    std::vector<float> h, w, b, dh, dw, db;
    std::vector<int64_t> y;

    explicit Bench(Shape shape) : s(shape) {
        h = filled(s.M * s.D, 1.0f, 1);
        w = filled(s.V * s.D, 2.0f / std::sqrt(static_cast<float>(s.D)), 2);
        b = filled(s.V, 0.1f, 3);
        dh.assign(static_cast<size_t>(s.M * s.D), 0.0f);
        dw.assign(static_cast<size_t>(s.V * s.D), 0.0f);
        db.assign(static_cast<size_t>(s.V), 0.0f);
        y.resize(static_cast<size_t>(s.M));
        for (int64_t i = 0; i < s.M; ++i) y[static_cast<size_t>(i)] = (i * 7919) % s.V;
    }

    void fused(int threads, bool backward, bool with_bias = false) {
        xent_linear_problem p{};
        p.abi_version = XENT_ABI_VERSION;
        p.rank = 2;
        p.dims[0] = s.M;
        p.dims[1] = s.D;
        p.classes = s.V;
        p.weight_layout = XENT_WEIGHT_VD;
        p.reduction = XENT_REDUCTION_MEAN;
        p.dtype = XENT_FLOAT32;
        p.target_dtype = XENT_INT64;
        p.ignore_index = -100;
        p.threads = threads;
        p.hidden_count = s.M * s.D;
        p.weight_count = s.V * s.D;
        p.bias_count = with_bias ? s.V : 0;
        p.target_count = s.M;
        p.grad_hidden_count = backward ? s.M * s.D : 0;
        p.grad_weight_count = backward ? s.V * s.D : 0;
        p.scale = 1.0;
        p.grad_output_scalar = 1.0;
        xent_result r{};
        p.grad_bias_count = backward && with_bias ? s.V : 0;
        if (xent_linear_compute(&p, h.data(), w.data(), with_bias ? b.data() : nullptr, y.data(), nullptr, nullptr, nullptr,
                                nullptr, nullptr, backward ? dh.data() : nullptr, backward ? dw.data() : nullptr,
                                backward && with_bias ? db.data() : nullptr, &r) != XENT_OK) {
            std::fprintf(stderr, "xent_linear_compute: %s\n", xent_last_error());
            std::exit(1);
        }
    }
};

// The bare GEMMs of the same shape on OpenBLAS's own threads, with the M x V logits they need.
struct Bare {
    const Bench& bench;
    std::vector<float> logits;

    explicit Bare(const Bench& b) : bench(b), logits(static_cast<size_t>(b.s.M * b.s.V), 0.0f) {}

    void run(int threads, bool backward) {
        const int M = static_cast<int>(bench.s.M), D = static_cast<int>(bench.s.D), V = static_cast<int>(bench.s.V);
        const int previous = openblas_get_num_threads();
        openblas_set_num_threads(threads);
        cblas_sgemm(kRowMajor, kNoTrans, kTrans, M, V, D, 1.0f, bench.h.data(), D, bench.w.data(), D, 0.0f,
                    logits.data(), V);
        if (backward) {
            float* dh = const_cast<float*>(bench.dh.data());
            float* dw = const_cast<float*>(bench.dw.data());
            cblas_sgemm(kRowMajor, kNoTrans, kNoTrans, M, D, V, 1.0f, logits.data(), V, bench.w.data(), D, 0.0f, dh, D);
            cblas_sgemm(kRowMajor, kTrans, kNoTrans, V, D, M, 1.0f, logits.data(), V, bench.h.data(), D, 0.0f, dw, D);
        }
        openblas_set_num_threads(previous);
    }
};

}  // namespace

int main(int argc, char** argv) {
    // Every large allocation its own mapping, returned when freed: glibc otherwise raises its mmap
    // threshold after the first free and serves later blocks from a heap that stays resident, which
    // would hide a call's allocations from the resident-set measurement.
    mallopt(M_MMAP_THRESHOLD, 1 << 20);
    Shape shape{2048, 512, 32000}, memory_shape{4096, 1024, 128256};
    std::vector<int> thread_counts;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--shape") && i + 1 < argc && parse_shape(argv[i + 1], &shape)) ++i;
        else if (!std::strcmp(argv[i], "--memory-shape") && i + 1 < argc && parse_shape(argv[i + 1], &memory_shape)) ++i;
        else if (!std::strcmp(argv[i], "--repeats") && i + 1 < argc) repeats = std::max(1, std::atoi(argv[++i]));
        else if (!std::strcmp(argv[i], "--threads") && i + 1 < argc) {
            for (char* t = std::strtok(argv[++i], ","); t; t = std::strtok(nullptr, ",")) thread_counts.push_back(std::atoi(t));
        } else {
            std::fprintf(stderr, "usage: xent_linear_bench [--shape MxDxV] [--threads N,N...] [--repeats N] [--memory-shape MxDxV]\n");
            return 2;
        }
    }
    if (thread_counts.empty()) {
        thread_counts.push_back(1);
        if (xent_max_threads() > 1) thread_counts.push_back(xent_max_threads());
    }
    std::printf("xent %s, BLAS core %s, isa %s, %d threads available; medians of %d runs\n\n", xent_version(),
                xent_blas_core(), xent_isa_name(xent_isa()), xent_max_threads(), repeats);

    const double flop = 2.0 * static_cast<double>(shape.M) * shape.D * shape.V;
    std::printf("| case | shape MxDxV | threads | time | GFLOP/s |\n|---|---|---|---|---|\n");
    struct Ratio {
        std::string what;
        double value, wanted;
    };
    std::vector<Ratio> ratios;
    double first_call_mb = NAN;
    {
        Bench bench(shape);
        Bare bare(bench);
        for (int threads : thread_counts) {
            if (std::isnan(first_call_mb)) first_call_mb = peak_extra_mb([&] { bench.fused(threads, true); });
            auto fwd_bwd = [&] { bench.fused(threads, true); };
            auto forward = [&] { bench.fused(threads, false); };
            auto bare3 = [&] { bare.run(threads, true); };
            auto bare1 = [&] { bare.run(threads, false); };
            auto biased = [&] { bench.fused(threads, true, true); };
            const double t_fb = median_seconds(fwd_bwd), t_b3 = median_seconds(bare3);
            const double t_f = median_seconds(forward), t_b1 = median_seconds(bare1);
            const double t_bias = median_seconds(biased);
            auto row = [&](const char* what, double t, double flops) {
                std::printf("| %s | %s | %d | %.3f s | %.1f |\n", what, shape.text().c_str(), threads, t, flops / t / 1e9);
            };
            row("xent linear fwd+bwd", t_fb, 3 * flop);
            row("bare GEMMs x3 (logits, dh, dW)", t_b3, 3 * flop);
            row("xent linear forward", t_f, flop);
            row("bare GEMM x1 (logits)", t_b1, flop);
            row("xent linear fwd+bwd with a bias", t_bias, 3 * flop);
            std::fflush(stdout);
            const std::string on = ", " + std::to_string(threads) + (threads == 1 ? " thread" : " threads");
            ratios.push_back({"fwd+bwd vs the three bare GEMMs" + on, paired_ratio(fwd_bwd, bare3), 1.15});
            ratios.push_back({"forward vs one bare GEMM" + on, paired_ratio(forward, bare1), 1.10});
        }
    }

    // Peak extra memory of one fwd+bwd, the first of a new calling thread, at the shape, at twice
    // its M, and at the memory shape; less OpenBLAS's work buffer for that thread (measured by a
    // small GEMM on another new thread), which any caller of OpenBLAS pays once per thread.
    std::printf("\n| peak extra memory of one call | shape MxDxV | threads | MB |\n|---|---|---|---|\n");
    const double blas_mb = peak_extra_mb_new_thread([] {
        std::vector<float> a(64 * 64, 1.0f), c(64 * 64);
        const int previous = openblas_get_num_threads();
        openblas_set_num_threads(1);
        cblas_sgemm(kRowMajor, kNoTrans, kNoTrans, 64, 64, 64, 1.0f, a.data(), 64, a.data(), 64, 0.0f, c.data(), 64);
        openblas_set_num_threads(previous);
    });
    std::printf("| OpenBLAS's work buffer of a new thread (a 64x64 GEMM) | | 1 | %.1f |\n", blas_mb);
    std::printf("| xent linear fwd+bwd, first call of the process | %s | %d | %.1f |\n", shape.text().c_str(),
                thread_counts[0], first_call_mb);
    const int all = thread_counts.back();
    std::vector<double> warm;
    for (Shape s : {shape, Shape{2 * shape.M, shape.D, shape.V}, memory_shape}) {
        Bench bench(s);
        bench.fused(all, true);  // the pool's threads have their buffers
        const double mb = peak_extra_mb_new_thread([&] { bench.fused(all, true); });
        warm.push_back(mb - blas_mb);
        std::printf("| xent linear fwd+bwd, a new calling thread's first call | %s | %d | %.1f (%.1f without OpenBLAS's buffer) |\n",
                    s.text().c_str(), all, mb, mb - blas_mb);
        std::printf("| (the M x V logits a GEMM + plain loss would hold) | %s | | %.1f |\n", s.text().c_str(),
                    static_cast<double>(s.M) * s.V * 4 / (1 << 20));
        std::fflush(stdout);
    }

    std::printf("\n| target | this run | wanted |\n|---|---|---|\n");
    for (const Ratio& r : ratios)
        std::printf("| %s | %.3gx | <= %.3g %s |\n", r.what.c_str(), r.value, r.wanted, r.value <= r.wanted ? "(met)" : "(missed)");
    const double worst = *std::max_element(warm.begin(), warm.end());
    std::printf("| peak extra memory, both shapes (xent's own) | %.1f MB | <= 64 MB %s |\n", worst, worst <= 64 ? "(met)" : "(missed)");
    std::printf("| peak extra memory at 2M vs M | %+.1f MB | unchanged %s |\n", warm[1] - warm[0],
                std::fabs(warm[1] - warm[0]) <= 2 ? "(met)" : "(missed)");
    return 0;
}
