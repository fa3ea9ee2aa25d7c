// INDEX targets with LOGITS input against a two-pass long-double reference written from
// docs/semantics.md, plus in-place gradients and bit-identical results for any thread count.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "check.h"
#include "problem.h"

namespace {

struct Options {
    int64_t n = 5, c = 7, d = 1;  // input (n, c, d) with class axis 1; d == 1 means (n, c)
    int64_t class_axis = 1;
    int64_t reduction = XENT_REDUCTION_MEAN;
    double eps = 0.0;
    bool weights = false;
    bool ignore_some = false;
    bool int32_targets = false;
    int64_t index_base = 0;  // targets passed as class + index_base
    double z_loss = 0.0;     // lambda of the z-loss
    double softcap = 0.0;    // c of the soft-cap
    bool forward_only = false;
};

struct Reference {
    double loss = 0.0, weight_sum = 0.0, z_loss = 0.0;
    int64_t count = 0, correct = 0;  // counted positions, and those whose first arg-max is the target
    std::vector<double> per_position, grad;
};

// Straightforward definition: materialise log-softmax, then apply the formulas.
Reference reference(const Options& o, const std::vector<double>& x, const std::vector<int64_t>& y,
                    const std::vector<double>& w) {
    const int64_t M = o.n * o.d, C = o.c;
    auto at = [&](int64_t pos, int64_t cls) {
        int64_t n = pos / o.d, i = pos % o.d;
        return o.class_axis == 1 ? (n * C + cls) * o.d + i : pos * C + cls;
    };
    Reference r;
    r.per_position.assign(M, 0.0);
    r.grad.assign(M * C, 0.0);
    double W = 0.0, divisor = 0.0, total = 0.0, z_total = 0.0;
    for (double v : w) W += v;
    // The logits as the loss sees them: z = c tanh(x / c) with a soft-cap.
    auto logit = [&](int64_t pos, int64_t c) {
        const long double v = x[at(pos, c)];
        return o.softcap > 0 ? o.softcap * std::tanh(v / o.softcap) : v;
    };
    std::vector<long double> logq(C), ce_grad(M * C, 0.0L), z_grad(M * C, 0.0L);
    for (int64_t pos = 0; pos < M; ++pos) {
        if (y[pos] == -100) continue;
        long double mx = -INFINITY, s = 0.0L;
        for (int64_t c = 0; c < C; ++c) mx = std::max<long double>(mx, logit(pos, c));
        for (int64_t c = 0; c < C; ++c) s += std::exp(logit(pos, c) - mx);
        for (int64_t c = 0; c < C; ++c) logq[c] = logit(pos, c) - mx - std::log(s);
        long double l = -(1.0L - o.eps) * w[y[pos]] * logq[y[pos]];
        for (int64_t c = 0; c < C; ++c) l -= o.eps / C * w[c] * logq[c];
        const long double lse = mx + std::log(s), z_term = o.z_loss * lse * lse;
        r.per_position[pos] = (double)(l + z_term);
        total += (double)l;
        z_total += (double)z_term;
        divisor += w[y[pos]];
        int64_t best = 0;
        for (int64_t c = 1; c < C; ++c)
            if (logit(pos, c) > logit(pos, best)) best = c;
        r.count += 1;
        r.correct += best == y[pos];
        for (int64_t c = 0; c < C; ++c) {
            long double q = std::exp(logq[c]);
            long double g = q * ((1.0L - o.eps) * w[y[pos]] + o.eps / C * W) - o.eps / C * w[c];
            if (c == y[pos]) g -= (1.0L - o.eps) * w[y[pos]];
            // d z / d x of the soft-cap, 1 - tanh^2.
            const long double t = o.softcap > 0 ? std::tanh((long double)x[at(pos, c)] / o.softcap) : 0.0L;
            ce_grad[at(pos, c)] = g * (1.0L - t * t);
            z_grad[at(pos, c)] = 2.0L * o.z_loss * lse * q * (1.0L - t * t);
        }
    }
    const bool mean = o.reduction == XENT_REDUCTION_MEAN;
    const double factor = mean ? 1.0 / divisor : 1.0, z_factor = mean ? 1.0 / r.count : 1.0;
    for (int64_t e = 0; e < M * C; ++e) r.grad[e] = (double)(ce_grad[e] * factor + z_grad[e] * z_factor);
    r.z_loss = mean ? z_total / r.count : z_total;
    r.loss = (mean ? total / divisor : total) + r.z_loss;
    r.weight_sum = divisor;
    return r;
}

template <typename T>
void run_case(const Options& o, uint32_t seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<double> normal(0.0, 3.0);
    const int64_t M = o.n * o.d, C = o.c;
    std::vector<double> xd(M * C), wd(C, 1.0);
    for (double& v : xd) v = (double)(T)normal(rng);
    std::vector<int64_t> y(M);
    for (int64_t& v : y) v = std::uniform_int_distribution<int64_t>(0, C - 1)(rng);
    if (o.ignore_some) {
        y[M / 2] = -100;
        for (int64_t pos = 2; pos < M; pos += 5) y[pos] = -100;
    }
    if (o.weights) for (double& v : wd) v = (double)(T)std::uniform_real_distribution<double>(0.1, 2.0)(rng);
    // Outputs start as NaN: an element the call fails to write shows (zeros would pass for a 0).
    std::vector<T> x(xd.begin(), xd.end()), w(wd.begin(), wd.end()), grad(M * C, T(NAN)), loss(M, T(NAN));
    std::vector<int64_t> y_user(y);  // as the caller passes them: 1-based when index_base is 1
    for (int64_t& v : y_user) v = v == -100 ? v : v + o.index_base;
    std::vector<int32_t> y32(y_user.begin(), y_user.end());
    const void* targets = o.int32_targets ? static_cast<const void*>(y32.data()) : static_cast<const void*>(y_user.data());

    xent_problem p = o.d == 1 ? make_problem({o.n, o.c}) : (o.class_axis == 1 ? make_problem({o.n, o.c, o.d}, 1)
                                                                               : make_problem({o.n, o.d, o.c}, -1));
    p.dtype = sizeof(T) == 4 ? XENT_FLOAT32 : XENT_FLOAT64;
    p.target_dtype = o.int32_targets ? XENT_INT32 : XENT_INT64;
    p.reduction = o.reduction;
    p.label_smoothing = o.eps;
    p.index_base = o.index_base;
    p.z_loss = o.z_loss;
    p.softcap = o.softcap;
    p.target_count = M;
    p.grad_input_count = o.forward_only ? 0 : M * C;
    p.class_weights_count = o.weights ? C : 0;
    const bool none = o.reduction == XENT_REDUCTION_NONE;
    p.loss_out_count = none ? M : 0;
    xent_result r{};
    int s = xent_compute(&p, x.data(), targets, o.weights ? w.data() : nullptr, nullptr, nullptr, nullptr,
                         none ? loss.data() : nullptr, o.forward_only ? nullptr : grad.data(), &r);
    CHECK_MSG(s == XENT_OK, "%s", xent_last_error());
    Reference ref = reference(o, xd, y, wd);
    const double tol = sizeof(T) == 4 ? 2e-6 : 1e-12;
    double loss_expected = none ? 0.0 : ref.loss;
    if (none) for (double v : ref.per_position) loss_expected += v;
    CHECK_MSG(std::fabs(r.loss - loss_expected) <= tol * (1.0 + std::fabs(loss_expected)),
              "seed %u: loss %.17g vs %.17g", seed, r.loss, loss_expected);
    CHECK_MSG(std::fabs(r.z_loss - ref.z_loss) <= tol * (1.0 + std::fabs(ref.z_loss)), "seed %u: z_loss %.17g vs %.17g", seed,
              r.z_loss, ref.z_loss);
    CHECK_MSG(r.count == ref.count && r.correct == ref.correct, "seed %u: count %lld correct %lld, expected %lld and %lld",
              seed, (long long)r.count, (long long)r.correct, (long long)ref.count, (long long)ref.correct);
    CHECK_MSG(std::fabs(r.weight_sum - ref.weight_sum) <= 1e-6 * ref.weight_sum, "seed %u: weight_sum %.17g vs %.17g", seed,
              r.weight_sum, ref.weight_sum);
    if (none)
        for (int64_t pos = 0; pos < M; ++pos)
            CHECK(std::fabs(loss[pos] - ref.per_position[pos]) <= tol * (1.0 + std::fabs(ref.per_position[pos])));
    if (o.forward_only) return;
    double gmax = 0.0;
    for (double g : ref.grad) gmax = std::max(gmax, std::fabs(g));
    int bad = 0;
    for (int64_t e = 0; e < M * C; ++e)
        if (std::fabs(grad[e] - ref.grad[e]) > tol * (std::fabs(ref.grad[e]) + gmax)) ++bad;
    CHECK_MSG(bad == 0, "seed %u: %d gradient elements differ", seed, bad);

    // In place: the same gradient when grad_input is the input.
    std::vector<T> inplace = x;
    s = xent_compute(&p, inplace.data(), targets, o.weights ? w.data() : nullptr, nullptr, nullptr, nullptr,
                     none ? loss.data() : nullptr, inplace.data(), nullptr);
    CHECK(s == XENT_OK);
    CHECK(std::memcmp(inplace.data(), grad.data(), grad.size() * sizeof(T)) == 0);
}

// Loss and gradient must not change by a single bit with the thread count.
void thread_determinism(int64_t N, int64_t C, double eps) {
    std::mt19937 rng(7);
    std::normal_distribution<float> normal(0.0f, 4.0f);
    std::vector<float> x(N * C);
    for (float& v : x) v = normal(rng);
    std::vector<int64_t> y(N);
    for (int64_t& v : y) v = std::uniform_int_distribution<int64_t>(0, C - 1)(rng);
    xent_problem p = make_problem({N, C});
    p.target_count = N;
    p.grad_input_count = N * C;
    p.label_smoothing = eps;
    std::vector<float> first(N * C), grad(N * C);
    xent_result r1{}, r{};
    const int counts[] = {1, 2, 3, 4, 8, 16};
    for (int t : counts) {
        p.threads = t;
        CHECK(xent_compute(&p, x.data(), y.data(), nullptr, nullptr, nullptr, nullptr, nullptr,
                           (t == 1 ? first : grad).data(), t == 1 ? &r1 : &r) == XENT_OK);
        if (t == 1) continue;
        CHECK_MSG(std::memcmp(&r.loss, &r1.loss, sizeof(double)) == 0, "threads %d: loss %.17g vs %.17g", t, r.loss, r1.loss);
        CHECK_MSG(std::memcmp(grad.data(), first.data(), grad.size() * sizeof(float)) == 0, "threads %d: gradient differs", t);
    }
}

// docs/semantics.md: a MEAN over no counted position is NaN with an all-zero gradient.
void all_ignored() {
    xent_problem p = make_problem({2, 3});
    p.target_count = 2;
    p.grad_input_count = 6;
    std::vector<float> x = {1, 2, 3, 4, 5, 6}, grad(6, 9.0f);
    std::vector<int64_t> y = {-100, -100};
    xent_result r{};
    CHECK(xent_compute(&p, x.data(), y.data(), nullptr, nullptr, nullptr, nullptr, nullptr, grad.data(), &r) == XENT_OK);
    CHECK(std::isnan(r.loss));
    CHECK(r.count == 0);
    for (float g : grad) CHECK(g == 0.0f);
}

// A -inf logit is a masked class: probability 0, gradient 0; an all -inf row is NaN.
void masked_classes() {
    const float inf = INFINITY;
    xent_problem p = make_problem({2, 3});
    p.target_count = 2;
    p.grad_input_count = 6;
    p.reduction = XENT_REDUCTION_NONE;
    p.loss_out_count = 2;
    std::vector<float> x = {-inf, 0.0f, 0.0f, -inf, -inf, -inf}, grad(6), loss(2);
    std::vector<int64_t> y = {1, 0};
    CHECK(xent_compute(&p, x.data(), y.data(), nullptr, nullptr, nullptr, nullptr, loss.data(), grad.data(), nullptr) == XENT_OK);
    CHECK(std::fabs(loss[0] - std::log(2.0f)) < 1e-6f);
    CHECK(grad[0] == 0.0f);
    CHECK(std::fabs(grad[1] + 0.5f) < 1e-6f && std::fabs(grad[2] - 0.5f) < 1e-6f);
    CHECK(std::isnan(loss[1]));
}

// NaN, -inf and extreme logits give what the scalar kernel gives, per position: the same NaN
// losses, the same arg-max count, gradients within float rounding. Short rows (one at a time and
// in steps) and longer ones.
void special_values() {
    const float inf = INFINITY, nan = NAN;
    const float specials[] = {nan, -inf, -inf, 88.0f, -88.0f, 1e-30f, 50.0f};
    for (int64_t C : {3, 10, 16, 40}) {
        for (int64_t N : {1, 2, 5, 16, 33}) {
            std::mt19937 rng(static_cast<uint32_t>(N * 131 + C));
            std::normal_distribution<float> normal(0.0f, 3.0f);
            std::vector<float> x(N * C);
            for (float& v : x) v = normal(rng);
            for (int64_t r = 0; r < N; ++r) {
                const int kind = static_cast<int>(r % 5);
                if (kind == 1) x[r * C + (r % C)] = specials[r % 7];      // one special value
                if (kind == 2) for (int64_t c = 0; c < C; ++c) x[r * C + c] = -inf;  // a masked row
                if (kind == 3) x[r * C + C - 1] = nan;                     // NaN in the last class
            }
            std::vector<int64_t> y(N);
            for (int64_t r = 0; r < N; ++r) y[r] = (r * 7 + 1) % C;
            xent_problem p = make_problem({N, C});
            p.target_count = N;
            p.grad_input_count = N * C;
            p.reduction = XENT_REDUCTION_NONE;
            p.loss_out_count = N;
            std::vector<float> grad(N * C), loss(N), grad_ref(N * C), loss_ref(N);
            xent_result r{}, r_ref{};
            const int isa = xent_isa();
            xent_set_max_isa(XENT_ISA_SCALAR);
            CHECK(xent_compute(&p, x.data(), y.data(), nullptr, nullptr, nullptr, nullptr, loss_ref.data(), grad_ref.data(), &r_ref) == XENT_OK);
            xent_set_max_isa(isa);
            CHECK(xent_compute(&p, x.data(), y.data(), nullptr, nullptr, nullptr, nullptr, loss.data(), grad.data(), &r) == XENT_OK);
            CHECK_MSG(r.correct == r_ref.correct, "%lldx%lld: correct %lld vs %lld", (long long)N, (long long)C,
                      (long long)r.correct, (long long)r_ref.correct);
            for (int64_t k = 0; k < N; ++k) {
                const bool same = std::isnan(loss_ref[k]) ? std::isnan(loss[k])
                                                          : std::fabs(loss[k] - loss_ref[k]) <= 2e-6f * (1.0f + std::fabs(loss_ref[k]));
                CHECK_MSG(same, "%lldx%lld row %lld: loss %g vs %g", (long long)N, (long long)C, (long long)k, loss[k], loss_ref[k]);
            }
            int bad = 0;
            for (int64_t e = 0; e < N * C; ++e) {
                const float a = grad[e], b = grad_ref[e];
                if (std::isnan(b) ? !std::isnan(a) : !(std::fabs(a - b) <= 2e-6f)) ++bad;
            }
            CHECK_MSG(bad == 0, "%lldx%lld: %d gradient elements differ", (long long)N, (long long)C, bad);
        }
    }
}

// Binary targets: the current ISA's kernel against the scalar one, on logits and probabilities
// with extreme, special and out-of-range values, sample weights, every reduction, and lengths
// that end in a partial vector. Per element losses within float rounding, NaN where it is NaN.
template <typename T>
void binary_vs_scalar() {
    const T inf = INFINITY, nan = NAN;
    const T logits[] = {0, -0.0f, 1, -1, 20, -20, 88, -88, 100, -100, inf, -inf, nan, 1e-30f, 3.5f, -7.25f};
    const T probs[] = {0, 1, 0.5f, 1e-30f, 1 - 1e-7f, 0.25f, 0.999f, 1e-3f, nan, 2, -0.5f, 0.75f, 0.1f, 0.9f, 0.3f, 0.6f};
    for (int input = 0; input < 2; ++input) {
        for (int64_t n : {1, 7, 16, 33, 100}) {
            for (int64_t reduction : {XENT_REDUCTION_NONE, XENT_REDUCTION_MEAN}) {
                std::vector<T> x(n), t(n), w(n), grad(n), grad_ref(n), loss(n), loss_ref(n);
                for (int64_t e = 0; e < n; ++e) {
                    x[e] = input == 0 ? logits[e % 16] * (e < 16 ? T(1) : T(0.37)) : probs[(e * 7) % 16];
                    t[e] = (e % 3 == 0) ? T(1) : (e % 3 == 1) ? T(0) : T(0.3);
                    w[e] = T(0.5) + T(e % 4);
                }
                xent_problem p = make_problem({n});
                p.target_kind = XENT_TARGET_BINARY;
                p.input_kind = input == 0 ? XENT_INPUT_LOGITS : XENT_INPUT_PROBABILITIES;
                p.dtype = p.target_dtype = sizeof(T) == 4 ? XENT_FLOAT32 : XENT_FLOAT64;
                p.target_count = p.grad_input_count = p.sample_weights_count = n;
                p.reduction = reduction;
                const bool none = reduction == XENT_REDUCTION_NONE;
                p.loss_out_count = none ? n : 0;
                xent_result r{}, r_ref{};
                const int isa = xent_isa();
                xent_set_max_isa(XENT_ISA_SCALAR);
                CHECK(xent_compute(&p, x.data(), t.data(), nullptr, w.data(), nullptr, nullptr, none ? loss_ref.data() : nullptr,
                                   grad_ref.data(), &r_ref) == XENT_OK);
                xent_set_max_isa(isa);
                CHECK(xent_compute(&p, x.data(), t.data(), nullptr, w.data(), nullptr, nullptr, none ? loss.data() : nullptr,
                                   grad.data(), &r) == XENT_OK);
                const double tol = sizeof(T) == 4 ? 2e-6 : 1e-12;
                CHECK_MSG(r.correct == r_ref.correct, "binary %d n %lld: correct %lld vs %lld", input, (long long)n,
                          (long long)r.correct, (long long)r_ref.correct);
                const bool same_total = std::isnan(r_ref.loss) ? std::isnan(r.loss) : std::fabs(r.loss - r_ref.loss) <= tol * (1 + std::fabs(r_ref.loss));
                CHECK_MSG(same_total, "binary %d n %lld: loss %.17g vs %.17g", input, (long long)n, r.loss, r_ref.loss);
                int bad = 0;
                for (int64_t e = 0; e < n; ++e) {
                    auto close = [&](T a, T b) {
                        if (std::isnan(b)) return std::isnan(a);
                        if (std::isinf(b)) return a == b;
                        return std::fabs(double(a) - double(b)) <= tol * (1 + std::fabs(double(b)));
                    };
                    if (!close(grad[e], grad_ref[e])) ++bad;
                    if (none && !close(loss[e], loss_ref[e])) ++bad;
                }
                CHECK_MSG(bad == 0, "binary %d n %lld reduction %lld: %d values differ", input, (long long)n, (long long)reduction, bad);
            }
        }
    }
}

// Probabilities and log-probabilities with index targets (no smoothing), class-last rows and
// class axis 1: the current ISA's kernel against the scalar one, with NaN, infinities, zeros and out-of-range
// values, ignored targets, class and sample weights, and an in-place gradient. The kernel keeps
// the scalar kernel's order, so values agree exactly (NaN for NaN).
template <typename T>
void nll_vs_scalar() {
    const T inf = INFINITY, nan = NAN;
    const T specials[] = {0, 1, 0.5f, 1e-30f, -2, inf, -inf, nan, 0.25f, 3, 1e-13f, 0.75f};
    for (int input = 0; input < 2; ++input) {
        for (int64_t C : {1, 5, 16, 17, 100}) {
            for (int variant = 0; variant < 6; ++variant) {
                // Class-last rows, then class axis 1 with 5 and with 17 positions per sample.
                const int64_t d = variant < 3 ? 1 : variant == 3 ? 5 : 17;
                const int64_t n = 7 + variant % 3, N = n * d;  // N: positions
                std::vector<T> x(N * C), w(C), s(N);
                for (int64_t e = 0; e < N * C; ++e) x[e] = specials[(e * 5 + variant) % 12];
                for (int64_t c = 0; c < C; ++c) w[c] = T(0.5) + T(c % 3);
                for (int64_t r = 0; r < N; ++r) s[r] = T(1) + T(r % 2);
                std::vector<int64_t> y(N);
                for (int64_t r = 0; r < N; ++r) y[r] = r % 4 == 3 ? -100 : (r * 3) % C;
                xent_problem p = d == 1 ? make_problem({N, C}) : make_problem({n, C, d});
                p.input_kind = input == 0 ? XENT_INPUT_PROBABILITIES : XENT_INPUT_LOG_PROBABILITIES;
                p.dtype = sizeof(T) == 4 ? XENT_FLOAT32 : XENT_FLOAT64;
                p.target_count = N;
                p.grad_input_count = N * C;
                p.class_weights_count = variant % 3 == 1 ? C : 0;
                p.sample_weights_count = variant % 3 == 2 ? N : 0;
                p.reduction = variant % 3 == 0 ? XENT_REDUCTION_NONE : XENT_REDUCTION_MEAN;
                p.loss_out_count = variant % 3 == 0 ? N : 0;
                std::vector<T> grad(N * C), grad_ref(N * C), loss(N), loss_ref(N);
                xent_result r{}, r_ref{};
                const T* cw = variant % 3 == 1 ? w.data() : nullptr;
                const T* sw = variant % 3 == 2 ? s.data() : nullptr;
                const int isa = xent_isa();
                xent_set_max_isa(XENT_ISA_SCALAR);
                CHECK(xent_compute(&p, x.data(), y.data(), cw, sw, nullptr, nullptr, variant % 3 == 0 ? loss_ref.data() : nullptr,
                                   grad_ref.data(), &r_ref) == XENT_OK);
                xent_set_max_isa(isa);
                std::vector<T> inplace = x;
                CHECK(xent_compute(&p, inplace.data(), y.data(), cw, sw, nullptr, nullptr, variant % 3 == 0 ? loss.data() : nullptr,
                                   inplace.data(), &r) == XENT_OK);
                auto same = [](double a, double b) { return std::isnan(b) ? std::isnan(a) : a == b; };
                CHECK_MSG(same(r.loss, r_ref.loss) && r.correct == r_ref.correct, "nll %d %lldx%lld: loss %.17g vs %.17g, correct %lld vs %lld",
                          input, (long long)N, (long long)C, r.loss, r_ref.loss, (long long)r.correct, (long long)r_ref.correct);
                int bad = 0;
                for (int64_t e = 0; e < N * C; ++e) bad += !same(inplace[e], grad_ref[e]);
                for (int64_t k = 0; variant % 3 == 0 && k < N; ++k) bad += !same(loss[k], loss_ref[k]);
                CHECK_MSG(bad == 0, "nll %d %lldx%lld variant %d: %d values differ", input, (long long)N, (long long)C, variant, bad);
            }
        }
    }
}

}  // namespace

int main() {
    uint32_t seed = 1;
    const int64_t reductions[] = {XENT_REDUCTION_NONE, XENT_REDUCTION_SUM, XENT_REDUCTION_MEAN};
    for (int64_t reduction : reductions) {
        for (int layout = 0; layout < 3; ++layout) {
            for (int variant = 0; variant < 4; ++variant) {
                Options o;
                o.reduction = reduction;
                o.d = layout == 0 ? 1 : 9;
                o.class_axis = layout == 2 ? -1 : 1;
                o.eps = variant & 1 ? 0.2 : 0.0;
                o.weights = variant & 2;
                o.ignore_some = seed % 2;
                run_case<float>(o, seed++);
                run_case<double>(o, seed++);
            }
        }
    }
    Options big;  // big enough to take the parallel path
    big.n = 64;
    big.c = 1500;
    run_case<float>(big, 99);
    // The vector kernels' own paths: short class-last rows a vector of rows at a time (C <= 64),
    // class axis 1 a vector of positions at a time (inner >= 16, partial tiles too), long rows
    // with tails, each with int32 and int64 targets, in both float types.
    for (int variant = 0; variant < 16; ++variant) {
        Options o;
        o.int32_targets = variant & 1;
        o.weights = variant & 2;
        o.eps = variant & 4 ? 0.1 : 0.0;
        o.reduction = variant & 8 ? XENT_REDUCTION_NONE : XENT_REDUCTION_MEAN;
        o.ignore_some = true;
        o.index_base = variant % 3 == 1;
        o.n = 37, o.c = 10;  // two full 16-row tiles and a remainder
        run_case<float>(o, 500 + variant);
        run_case<double>(o, 600 + variant);
        o.n = 3, o.c = 21, o.d = 40, o.class_axis = 1;  // 40 positions: 16 + 16 + 8
        run_case<float>(o, 700 + variant);
        run_case<double>(o, 800 + variant);
        o.n = 5, o.c = 1000 + 7 * variant, o.d = 1;  // long rows with tails
        run_case<float>(o, 900 + variant);
        run_case<double>(o, 1000 + variant);
    }
    // The AVX-512 short-row paths (C <= 16, plain index targets): every class count (each is its
    // own instance of the step), calls of 1 and 2 rows (one row at a time: plain, moved-down and
    // masked loads) and steps of 1 .. 16 rows, including steps whose rows hold fewer than 16
    // floats in all.
    for (int64_t c = 1; c <= 16; ++c) {
        for (int64_t n : {1, 2, 3, 4, 16, 17, 19, 40}) {
            Options o;
            o.n = n, o.c = c;
            o.int32_targets = (n + c) % 2;
            o.index_base = (n + c) % 3 == 0;
            o.ignore_some = n != 16;
            o.reduction = n % 2 ? XENT_REDUCTION_NONE : XENT_REDUCTION_MEAN;
            run_case<float>(o, 1100 + static_cast<uint32_t>(n * 17 + c));
        }
    }
    // Rows a vector at a time through the generic tile: blocks of W columns, the last one partial,
    // and tiles whose last rows end the buffer (float: AVX2, and AVX-512 for C > 16; double: both).
    for (int64_t c : {3, 7, 8, 9, 24, 33, 64}) {
        for (int64_t n : {8, 9, 13, 17, 40}) {
            Options o;
            o.n = n, o.c = c;
            o.int32_targets = n % 2;
            o.ignore_some = n != 8;
            o.reduction = n % 2 ? XENT_REDUCTION_MEAN : XENT_REDUCTION_NONE;
            run_case<float>(o, 1400 + static_cast<uint32_t>(n * 67 + c));
            run_case<double>(o, 1500 + static_cast<uint32_t>(n * 67 + c));
        }
    }
    // Class-last rows one at a time (C > 64): one chunk, a chunk and a short rest, whole chunks
    // (a chunk is 512 floats or 256 doubles on AVX-512), with and without smoothing and weights.
    for (int64_t c : {65, 100, 257, 511, 512, 513, 1000}) {
        for (int variant = 0; variant < 4; ++variant) {
            Options o;
            o.n = 3 + variant * 5, o.c = c;
            o.eps = variant & 1 ? 0.1 : 0.0;
            o.weights = variant & 2;
            o.ignore_some = variant != 0;
            o.int32_targets = variant == 1;
            o.reduction = variant == 3 ? XENT_REDUCTION_NONE : XENT_REDUCTION_MEAN;
            run_case<float>(o, 1600 + static_cast<uint32_t>(c * 4 + variant));
            run_case<double>(o, 1700 + static_cast<uint32_t>(c * 4 + variant));
        }
    }
    // Class axis 1 with rows of inner that end in a partial vector (and one shorter than a vector).
    for (int64_t d : {3, 15, 17, 33}) {
        for (int variant = 0; variant < 4; ++variant) {
            Options o;
            o.n = 2 + variant, o.c = 5 + 4 * variant, o.d = d;
            o.eps = variant & 1 ? 0.1 : 0.0;
            o.weights = variant & 2;
            o.ignore_some = variant != 2;
            o.int32_targets = variant == 3;
            o.reduction = variant == 1 ? XENT_REDUCTION_NONE : XENT_REDUCTION_SUM;
            run_case<float>(o, 1800 + static_cast<uint32_t>(d * 4 + variant));
            run_case<double>(o, 1900 + static_cast<uint32_t>(d * 4 + variant));
        }
    }
    // z-loss and soft-cap on every path: short rows (the AVX-512 step takes the z-loss, the
    // soft-cap goes to the tile), gathered tiles, long rows of one chunk, several, and a tail,
    // class axis 1 staged and not (more than 256 classes), forward passes and gradients.
    for (int variant = 0; variant < 24; ++variant) {
        Options o;
        o.z_loss = variant % 3 == 1 ? 0.0 : 1e-2 * (1 + variant % 4);
        o.softcap = variant % 3 == 0 ? 0.0 : 3.0 + variant;
        o.eps = variant % 4 == 3 ? 0.1 : 0.0;
        o.weights = variant % 5 == 4;
        o.ignore_some = true;
        o.index_base = variant % 2;
        o.int32_targets = variant % 7 < 3;
        o.forward_only = variant % 6 == 5;
        o.reduction = variant % 3 == 2 ? XENT_REDUCTION_NONE : variant % 3 == 1 ? XENT_REDUCTION_SUM : XENT_REDUCTION_MEAN;
        const uint32_t seed = 2000 + 100 * static_cast<uint32_t>(variant);
        o.n = 37, o.c = 10;
        run_case<float>(o, seed);
        run_case<double>(o, seed + 1);
        o.n = 19, o.c = 40;
        run_case<float>(o, seed + 2);
        o.n = 5, o.c = 1000 + 7 * variant;
        run_case<float>(o, seed + 3);
        run_case<double>(o, seed + 4);
        o.n = 3, o.c = 2600;  // several chunks with a tail
        run_case<float>(o, seed + 5);
        o.n = 3, o.c = 21, o.d = 40, o.class_axis = 1;
        run_case<float>(o, seed + 6);
        run_case<double>(o, seed + 7);
        o.n = 2, o.c = 300, o.d = 17;  // too tall to stage
        run_case<float>(o, seed + 8);
        o.n = 4, o.c = 30, o.d = 9, o.class_axis = -1;
        run_case<float>(o, seed + 9);
    }
    thread_determinism(300, 1000, 0.1);
    thread_determinism(70000, 10, 0.0);  // short rows, many blocks
    thread_determinism(3279, 10, 0.0);   // short rows, a last block of one row (1639 rows a block)
    all_ignored();
    masked_classes();
    special_values();
    binary_vs_scalar<float>();
    binary_vs_scalar<double>();
    nll_vs_scalar<float>();
    nll_vs_scalar<double>();
    return check_summary("test_index_logits");
}
