// The fused form's test harness, shared by test_linear.cpp and test_linear_edges.cpp: problems
// (Options, Data), a long-double reference written from docs/semantics.md (logits h W^T + b
// formed whole, then the INDEX form's loss and gradients, dh = dx W, dW = dx^T h, db = sum dx),
// one call of xent_linear_compute, and the comparison of the two.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
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

}  // namespace
