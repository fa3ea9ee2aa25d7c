// xent_linear_compute against a long-double reference written from docs/semantics.md (logits
// h W^T + b formed whole, then the INDEX form's loss and gradients, dh = dx W, dW = dx^T h, db =
// sum dx), over layouts, bias, blocks that do not divide M, every reduction and option, both
// dtypes and target types; the same bits for 1, 2 and 4 threads; and its argument checks.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "check.h"
#include "xent.h"

// OpenBLAS's one global thread setting (the preset's build), which fused calls must leave as they found it.
extern "C" {
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
}

namespace {

struct Options {
    int64_t M = 7, D = 5, V = 11;
    bool dv = false, bias = true, f64 = false, int32 = false;
    int64_t reduction = XENT_REDUCTION_MEAN;
    double eps = 0.0, z_loss = 0.0, softcap = 0.0, scale = 1.0, g = 1.0;
    bool class_weights = false, sample_weights = false, ignore = false, grad_output = false;
    bool want_dh = true, want_dw = true, want_db = true, want_lse = true, accumulate = false;
    int64_t block_rows = 0;
    int threads = 1;
};

struct Expected {
    std::vector<long double> loss_each, lse, dh, dw, db;
    long double loss = 0, z = 0;
    int64_t count = 0, correct = 0;
};

struct Data {
    std::vector<double> h, w, b, cw, sw, go;
    std::vector<int64_t> y;
};

Data make_data(const Options& o, unsigned seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(-1.0, 1.0);
    Data d;
    d.h.resize(o.M * o.D);
    d.w.resize(o.V * o.D);
    d.b.resize(o.V);
    for (auto& v : d.h) v = 2.0 * u(rng);
    for (auto& v : d.w) v = u(rng);
    for (auto& v : d.b) v = u(rng);
    d.cw.resize(o.V);
    for (auto& v : d.cw) v = 0.5 + 0.5 * (u(rng) + 1.0);
    d.sw.resize(o.M);
    for (auto& v : d.sw) v = 0.25 + (u(rng) + 1.0);
    d.go.resize(o.M);
    for (auto& v : d.go) v = u(rng);
    d.y.resize(o.M);
    for (int64_t i = 0; i < o.M; ++i) d.y[i] = static_cast<int64_t>(rng() % o.V);
    if (o.ignore) d.y[1 % o.M] = -100;
    return d;
}

// W(v, d) of either layout.
long double weight_at(const Options& o, const Data& d, int64_t v, int64_t k) {
    return o.dv ? d.w[k * o.V + v] : d.w[v * o.D + k];
}

Expected reference(const Options& o, const Data& d) {
    const int64_t M = o.M, D = o.D, V = o.V;
    Expected e;
    e.loss_each.assign(M, 0);
    e.lse.assign(M, 0);
    e.dh.assign(M * D, 0);
    e.dw.assign(V * D, 0);
    e.db.assign(V, 0);
    long double weight = 0, z_weight = 0, wsum = 0;
    for (int64_t c = 0; c < V; ++c) wsum += o.class_weights ? d.cw[c] : 1.0;
    for (int64_t i = 0; i < M; ++i) {
        if (d.y[i] == -100) continue;
        const long double s = o.sample_weights ? d.sw[i] : 1.0;
        weight += s * (o.class_weights ? d.cw[d.y[i]] : 1.0);
        z_weight += s;
        e.count += 1;
    }
    std::vector<long double> dx(V), z(V);
    for (int64_t i = 0; i < M; ++i) {
        long double m = -INFINITY;
        int64_t best = 0;
        for (int64_t v = 0; v < V; ++v) {
            long double x = o.bias ? d.b[v] : 0.0;
            for (int64_t k = 0; k < D; ++k) x += static_cast<long double>(d.h[i * D + k]) * weight_at(o, d, v, k);
            z[v] = o.softcap > 0 ? o.softcap * std::tanh(x / o.softcap) : x;
            if (z[v] > m) m = z[v], best = v;
        }
        long double sum = 0;
        for (int64_t v = 0; v < V; ++v) sum += std::exp(z[v] - m);
        const long double lse = m + std::log(sum);
        e.lse[i] = lse;
        const int64_t y = d.y[i];
        if (y == -100) continue;
        e.correct += best == y;
        const long double s = o.sample_weights ? d.sw[i] : 1.0;
        const long double wy = o.class_weights ? d.cw[y] : 1.0;
        long double l = -(1 - o.eps) * wy * (z[y] - lse);
        for (int64_t v = 0; v < V; ++v) l -= o.eps / V * (o.class_weights ? d.cw[v] : 1.0) * (z[v] - lse);
        l *= s;
        const long double zt = o.z_loss * s * lse * lse;
        e.loss_each[i] = o.scale * (l + zt);
        e.loss += l;
        e.z += zt;
        // dL/dl and dL/dz of this position.
        const long double up = o.reduction == XENT_REDUCTION_NONE ? (o.grad_output ? d.go[i] : 1.0) : o.g;
        const long double f = o.scale * up / (o.reduction == XENT_REDUCTION_MEAN ? weight : 1.0) * s;
        const long double fz = o.scale * up / (o.reduction == XENT_REDUCTION_MEAN ? z_weight : 1.0) * s;
        for (int64_t v = 0; v < V; ++v) {
            const long double q = std::exp(z[v] - lse);
            const long double wv = o.class_weights ? d.cw[v] : 1.0;
            const long double a = (1 - o.eps) * wy * (v == y) + o.eps / V * wv;
            const long double A = (1 - o.eps) * wy + o.eps / V * wsum;
            long double g = f * (A * q - a) + fz * 2 * o.z_loss * lse * q;
            if (o.softcap > 0) g *= 1 - (z[v] / o.softcap) * (z[v] / o.softcap);
            dx[v] = g;
        }
        for (int64_t v = 0; v < V; ++v) {
            e.db[v] += dx[v];
            for (int64_t k = 0; k < D; ++k) {
                e.dh[i * D + k] += dx[v] * weight_at(o, d, v, k);
                const int64_t at = o.dv ? k * V + v : v * D + k;
                e.dw[at] += dx[v] * d.h[i * D + k];
            }
        }
    }
    e.loss *= o.scale;
    e.z *= o.scale;
    if (o.reduction == XENT_REDUCTION_MEAN) {
        e.loss /= weight;
        e.z /= z_weight;
    }
    if (o.z_loss > 0) e.loss += e.z;
    else e.z = 0;
    if (o.reduction == XENT_REDUCTION_NONE) {
        e.loss = 0;
        for (auto v : e.loss_each) e.loss += v;
    }
    return e;
}

template <typename T>
std::vector<T> cast(const std::vector<double>& v) {
    return std::vector<T>(v.begin(), v.end());
}

struct Outputs {
    std::vector<double> loss_each, lse, dh, dw, db;
    xent_result r{};
    int status = 0;
};

xent_linear_problem problem_of(const Options& o) {
    xent_linear_problem p{};
    p.abi_version = XENT_ABI_VERSION;
    p.rank = 2;
    p.dims[0] = o.M;
    p.dims[1] = o.D;
    p.classes = o.V;
    p.weight_layout = o.dv ? XENT_WEIGHT_DV : XENT_WEIGHT_VD;
    p.reduction = o.reduction;
    p.dtype = o.f64 ? XENT_FLOAT64 : XENT_FLOAT32;
    p.target_dtype = o.int32 ? XENT_INT32 : XENT_INT64;
    p.ignore_index = -100;
    p.threads = o.threads;
    p.block_rows = o.block_rows;
    p.accumulate = o.accumulate;
    p.label_smoothing = o.eps;
    p.scale = o.scale;
    p.grad_output_scalar = o.g;
    p.z_loss = o.z_loss;
    p.softcap = o.softcap;
    return p;
}

// One call; gradients accumulate onto `start` when accumulating.
template <typename T>
Outputs run(const Options& o, const Data& d, double start = 0.0) {
    xent_linear_problem p = problem_of(o);
    std::vector<T> h = cast<T>(d.h), w = cast<T>(d.w), b = cast<T>(d.b), cw = cast<T>(d.cw), sw = cast<T>(d.sw),
                   go = cast<T>(d.go);
    std::vector<int32_t> y32(d.y.begin(), d.y.end());
    const bool none = o.reduction == XENT_REDUCTION_NONE;
    std::vector<T> loss(o.M, T(-7)), lse(o.M, T(-7)), dh(o.M * o.D, T(start)), dw(o.V * o.D, T(start)), db(o.V, T(start));
    p.hidden_count = h.size();
    p.weight_count = w.size();
    p.bias_count = o.bias ? b.size() : 0;
    p.target_count = o.M;
    p.class_weights_count = o.class_weights ? o.V : 0;
    p.sample_weights_count = o.sample_weights ? o.M : 0;
    p.grad_output_count = none && o.grad_output ? o.M : 0;
    p.loss_out_count = none ? o.M : 0;
    p.lse_out_count = o.want_lse ? o.M : 0;
    p.grad_hidden_count = o.want_dh ? dh.size() : 0;
    p.grad_weight_count = o.want_dw ? dw.size() : 0;
    p.grad_bias_count = o.want_db && o.bias ? db.size() : 0;
    Outputs out;
    out.status = xent_linear_compute(
        &p, h.data(), w.data(), o.bias ? b.data() : nullptr,
        o.int32 ? static_cast<const void*>(y32.data()) : static_cast<const void*>(d.y.data()),
        o.class_weights ? cw.data() : nullptr, o.sample_weights ? sw.data() : nullptr,
        none && o.grad_output ? go.data() : nullptr, none ? loss.data() : nullptr, o.want_lse ? lse.data() : nullptr,
        o.want_dh ? dh.data() : nullptr, o.want_dw ? dw.data() : nullptr, o.want_db && o.bias ? db.data() : nullptr, &out.r);
    out.loss_each.assign(loss.begin(), loss.end());
    out.lse.assign(lse.begin(), lse.end());
    out.dh.assign(dh.begin(), dh.end());
    out.dw.assign(dw.begin(), dw.end());
    out.db.assign(db.begin(), db.end());
    return out;
}

Outputs run_any(const Options& o, const Data& d, double start = 0.0) {
    return o.f64 ? run<double>(o, d, start) : run<float>(o, d, start);
}

void compare(const char* what, const std::string& name, const std::vector<double>& got,
             const std::vector<long double>& want, double tol, double offset = 0.0) {
    long double scale = 1e-30L;
    for (auto v : want) scale = std::max(scale, std::fabs(v));
    for (size_t i = 0; i < want.size(); ++i) {
        const long double err = std::fabs(got[i] - offset - want[i]);
        if (!(err <= tol * scale)) {
            CHECK_MSG(false, "%s %s[%zu]: got %.10g, want %.10Lg", name.c_str(), what, i, got[i] - offset, want[i]);
            return;
        }
    }
}

void check_case(const Options& o, const std::string& name, unsigned seed) {
    const Data d = make_data(o, seed);
    const Expected e = reference(o, d);
    const double start = o.accumulate ? 0.5 : 0.0;
    const Outputs out = run_any(o, d, start);
    CHECK_MSG(out.status == XENT_OK, "%s: %s", name.c_str(), xent_last_error());
    if (out.status != XENT_OK) return;
    const double tol = o.f64 ? 1e-11 : 3e-5;
    const long double scale = std::max(1.0L, std::fabs(e.loss));
    CHECK_MSG(std::fabs(out.r.loss - e.loss) <= tol * scale, "%s loss: got %.10g, want %.10Lg", name.c_str(), out.r.loss, e.loss);
    CHECK_MSG(std::fabs(out.r.z_loss - e.z) <= tol * scale, "%s z: got %.10g, want %.10Lg", name.c_str(), out.r.z_loss, e.z);
    CHECK_MSG(out.r.count == e.count, "%s count %lld, want %lld", name.c_str(), (long long)out.r.count, (long long)e.count);
    if (o.softcap == 0) CHECK_MSG(out.r.correct == e.correct, "%s correct", name.c_str());
    if (o.reduction == XENT_REDUCTION_NONE) compare("loss_out", name, out.loss_each, e.loss_each, tol);
    if (o.want_lse) compare("lse", name, out.lse, e.lse, tol);
    if (o.want_dh) compare("dh", name, out.dh, e.dh, tol);
    if (o.want_dw) compare("dw", name, out.dw, e.dw, tol, start);
    if (o.want_db && o.bias) compare("db", name, out.db, e.db, tol, start);
    // Outputs not asked for stay untouched.
    if (!o.want_dw) CHECK_MSG(out.dw[0] == start, "%s: dW written without a buffer", name.c_str());
}

void check_many() {
    int n = 0;
    for (int f64 = 0; f64 < 2; ++f64)
        for (int dv = 0; dv < 2; ++dv)
            for (int64_t reduction : {XENT_REDUCTION_MEAN, XENT_REDUCTION_SUM, XENT_REDUCTION_NONE})
                for (int variant = 0; variant < 8; ++variant) {
                    Options o;
                    o.f64 = f64;
                    o.dv = dv;
                    o.reduction = reduction;
                    o.M = 5 + variant * 3;
                    o.V = variant % 2 ? 37 : 11;
                    o.D = variant % 3 ? 6 : 3;
                    o.block_rows = variant % 4 == 0 ? 0 : (variant % 4 == 1 ? 4 : 1 + variant);
                    o.bias = variant % 3 != 1;
                    o.int32 = variant % 2;
                    o.eps = variant & 2 ? 0.1 : 0.0;
                    o.z_loss = variant & 4 ? 0.01 : 0.0;
                    o.softcap = variant % 3 == 2 ? 2.0 : 0.0;
                    o.class_weights = variant % 4 == 3;
                    o.sample_weights = variant % 5 == 1;
                    o.ignore = variant % 3 == 0;
                    o.grad_output = variant & 1;
                    o.scale = variant == 5 ? 0.5 : 1.0;
                    o.g = variant == 6 ? 0.3 : 1.0;
                    o.accumulate = variant == 7;
                    o.want_dh = variant != 3;
                    o.want_dw = variant != 4;
                    o.want_lse = variant != 2;
                    o.threads = variant % 2 ? 2 : 1;
                    const std::string name = std::string(f64 ? "f64" : "f32") + (dv ? " dv" : " vd") + " reduction " +
                                             std::to_string(reduction) + " variant " + std::to_string(variant);
                    check_case(o, name, 100 + n++);
                }
    // A forward pass alone, and a frozen head (dh only).
    Options fwd;
    fwd.want_dh = fwd.want_dw = fwd.want_db = false;
    check_case(fwd, "forward only", 7);
    Options frozen;
    frozen.want_dw = frozen.want_db = false;
    frozen.block_rows = 3;
    check_case(frozen, "frozen head", 8);
}

// Blocks of fixed size, each GEMM on one thread, sums in block order: 1, 2 and 4 threads agree bit for bit.
void check_threads() {
    Options o;
    o.M = 300;
    o.D = 40;
    o.V = 2500;  // two chunks of classes
    o.block_rows = 130;
    o.eps = 0.1;
    o.z_loss = 1e-3;
    o.softcap = 5.0;
    o.reduction = XENT_REDUCTION_MEAN;
    const Data d = make_data(o, 42);
    o.threads = 1;
    const Outputs one = run<float>(o, d);
    CHECK_MSG(one.status == XENT_OK, "threads: %s", xent_last_error());
    for (int threads : {2, 4}) {
        o.threads = threads;
        const Outputs other = run<float>(o, d);
        CHECK_MSG(other.status == XENT_OK, "threads: %s", xent_last_error());
        CHECK_MSG(std::memcmp(&one.r.loss, &other.r.loss, sizeof(double)) == 0, "%d threads: loss %.17g vs %.17g",
                  threads, other.r.loss, one.r.loss);
        CHECK_MSG(one.dh == other.dh && one.dw == other.dw && one.db == other.db && one.lse == other.lse,
                  "%d threads: the gradients differ from 1 thread's", threads);
    }
    // And the reference agrees at this size too.
    const Expected e = reference(o, d);
    compare("dw", "threads case", one.dw, e.dw, 1e-4);
    compare("dh", "threads case", one.dh, e.dh, 1e-4);
}

// OpenBLAS's thread count is one setting for the whole process. Fused calls run concurrently from
// several threads, each on several of xent's threads, while OpenBLAS is set to more than one
// thread: every call keeps the bits of a lone one-thread call (its GEMMs never split), and the
// setting is as it was once they are done. (A worker that put its "previous" setting back while
// another's GEMM ran once made about one run in a hundred differ.)
void check_blas_threads() {
    Options o;
    o.M = 300;
    o.D = 40;
    o.V = 2500;
    o.block_rows = 64;
    const Data d = make_data(o, 43);
    o.threads = 1;
    const Outputs want = run<float>(o, d);
    CHECK_MSG(want.status == XENT_OK, "blas threads: %s", xent_last_error());
    openblas_set_num_threads(2);
    std::vector<int> differing(3, 0);
    std::vector<std::thread> callers;
    for (int c = 0; c < 3; ++c) {
        callers.emplace_back([&, c] {
            Options mine = o;
            mine.threads = 2 + c;
            for (int i = 0; i < 15; ++i) {
                const Outputs got = run<float>(mine, d);
                if (got.status != XENT_OK || std::memcmp(&got.r.loss, &want.r.loss, sizeof(double)) != 0 || got.dh != want.dh ||
                    got.dw != want.dw || got.db != want.db)
                    differing[static_cast<size_t>(c)]++;
            }
        });
    }
    for (std::thread& t : callers) t.join();
    for (int c = 0; c < 3; ++c) CHECK_MSG(differing[static_cast<size_t>(c)] == 0, "caller %d: %d of 15 calls differ from one thread's", c, differing[static_cast<size_t>(c)]);
    CHECK_MSG(openblas_get_num_threads() == 2, "OpenBLAS left at %d threads, was 2", openblas_get_num_threads());
}

void expect_error(const char* what, int status, const char* prefix) {
    const char* message = xent_last_error();
    CHECK_MSG(status != XENT_OK && std::strncmp(message, prefix, std::strlen(prefix)) == 0,
              "%s: status %d, message '%s', expected '%s...'", what, status, message, prefix);
}

void check_errors() {
    Options o;
    const Data d = make_data(o, 1);
    std::vector<float> h = cast<float>(d.h), w = cast<float>(d.w), b = cast<float>(d.b), dh(o.M * o.D, 42.f),
                       dw(o.V * o.D, 42.f), db(o.V, 42.f);
    std::vector<int64_t> y = d.y;
    auto call = [&](xent_linear_problem p, const void* hidden, void* grad_hidden, void* grad_weight) {
        xent_result r{};
        return xent_linear_compute(&p, hidden, w.data(), b.data(), y.data(), nullptr, nullptr, nullptr, nullptr, nullptr,
                                   grad_hidden, grad_weight, db.data(), &r);
    };
    auto good = [&] {
        xent_linear_problem p = problem_of(o);
        p.hidden_count = h.size();
        p.weight_count = w.size();
        p.bias_count = b.size();
        p.target_count = o.M;
        p.grad_hidden_count = dh.size();
        p.grad_weight_count = dw.size();
        p.grad_bias_count = db.size();
        return p;
    };
    CHECK(call(good(), h.data(), dh.data(), dw.data()) == XENT_OK);
    std::fill(dh.begin(), dh.end(), 42.f);
    std::fill(dw.begin(), dw.end(), 42.f);
    std::fill(db.begin(), db.end(), 42.f);
    xent_linear_problem p;
    p = good(); p.abi_version = 2; expect_error("abi", call(p, h.data(), dh.data(), dw.data()), "problem:");
    p = good(); p.rank = 0; expect_error("rank", call(p, h.data(), dh.data(), dw.data()), "shape:");
    p = good(); p.dims[1] = 0; expect_error("dims", call(p, h.data(), dh.data(), dw.data()), "shape:");
    p = good(); p.classes = 0; expect_error("classes", call(p, h.data(), dh.data(), dw.data()), "classes:");
    p = good(); p.classes = int64_t(1) << 31; expect_error("classes 2^31", call(p, h.data(), dh.data(), dw.data()), "classes:");
    p = good(); p.dims[1] = int64_t(1) << 31; expect_error("D 2^31", call(p, h.data(), dh.data(), dw.data()), "shape:");
    p = good(); p.weight_layout = 2; expect_error("layout", call(p, h.data(), dh.data(), dw.data()), "weight_layout:");
    p = good(); p.accumulate = 2; expect_error("accumulate", call(p, h.data(), dh.data(), dw.data()), "accumulate:");
    p = good(); p.block_rows = -1; expect_error("block_rows", call(p, h.data(), dh.data(), dw.data()), "block_rows:");
    p = good(); p.dtype = XENT_INT32; expect_error("dtype", call(p, h.data(), dh.data(), dw.data()), "dtype:");
    p = good(); p.target_dtype = XENT_FLOAT32; expect_error("target dtype", call(p, h.data(), dh.data(), dw.data()), "target_dtype:");
    p = good(); p.threads = 4096; expect_error("threads", call(p, h.data(), dh.data(), dw.data()), "threads:");
    p = good(); p.softcap = -1; expect_error("softcap", call(p, h.data(), dh.data(), dw.data()), "softcap:");
    p = good(); p.z_loss = NAN; expect_error("z_loss", call(p, h.data(), dh.data(), dw.data()), "z_loss:");
    p = good(); p.label_smoothing = 2; expect_error("smoothing", call(p, h.data(), dh.data(), dw.data()), "label_smoothing:");
    p = good(); p.hidden_count -= 1; expect_error("hidden short", call(p, h.data(), dh.data(), dw.data()), "hidden:");
    p = good(); p.weight_count -= 1; expect_error("weight short", call(p, h.data(), dh.data(), dw.data()), "weight:");
    p = good(); p.grad_weight_count -= 1; expect_error("dW short", call(p, h.data(), dh.data(), dw.data()), "grad_weight:");
    p = good(); p.grad_hidden_count = -1; expect_error("dh negative", call(p, h.data(), dh.data(), dw.data()), "grad_hidden:");
    p = good(); expect_error("in place", call(p, h.data(), h.data(), dw.data()), "grad_hidden: overlaps hidden");
    p = good(); p.grad_weight_count = w.size();
    {
        xent_result r{};
        expect_error("dW over W", xent_linear_compute(&p, h.data(), w.data(), b.data(), y.data(), nullptr, nullptr, nullptr,
                                                      nullptr, nullptr, dh.data(), w.data(), db.data(), &r),
                     "grad_weight: overlaps weight");
        p.bias_count = 0;
        expect_error("db without bias", xent_linear_compute(&p, h.data(), w.data(), nullptr, y.data(), nullptr, nullptr,
                                                            nullptr, nullptr, nullptr, dh.data(), dw.data(), db.data(), &r),
                     "grad_bias:");
        expect_error("null problem", xent_linear_compute(nullptr, h.data(), w.data(), nullptr, y.data(), nullptr, nullptr,
                                                         nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, &r),
                     "problem:");
    }
    y[3] = o.V;  // out of range: found before anything is written
    p = good();
    expect_error("target", call(p, h.data(), dh.data(), dw.data()), "target: value 11 at position 3");
    bool untouched = true;
    for (float v : dh) untouched &= v == 42.f;
    for (float v : dw) untouched &= v == 42.f;
    for (float v : db) untouched &= v == 42.f;
    CHECK_MSG(untouched, "an output was written by a call that failed");
}

}  // namespace

int main() {
    std::printf("test_linear: isa %s, BLAS core %s\n", xent_isa_name(xent_isa()), xent_blas_core());
    check_many();
    check_threads();
    check_blas_threads();
    check_errors();
    return check_summary("test_linear");
}
