// xent_linear_compute where a realistic bug would hide (docs/bad-input.md, issue of 2026-12-08): a
// hidden size past the chunking of dL/dh (D >= 256), a bias gradient that accumulates, z-loss with
// ignored targets, block sizes that must reach the GEMMs; NaN hidden states at ignored positions
// (PyTorch's rule: dW = dx^T h still multiplies them by 0); the soft-cap and class-weight floor; a
// NaN scalar upstream gradient; a block of logits whose bytes overflow; and the OpenBLAS lease
// keeping a thread setting the application makes while fused calls run.
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "linear_reference.h"

namespace {

// dL/dh splits the hidden units into chunks of 128 or more: D = 257 leaves a last chunk of one.
void check_wide_hidden() {
    for (int dv = 0; dv < 2; ++dv)
        for (int threads : {1, 2, 4}) {
            Options o;
            o.M = 33;
            o.D = 257;
            o.V = 70;
            o.dv = dv;
            o.block_rows = 16;
            o.threads = threads;
            o.ignore = true;
            check_case(o, std::string("D 257") + (dv ? " dv" : " vd") + " threads " + std::to_string(threads), 300 + dv);
        }
}

// Every combination of z-loss with ignored targets, and a bias gradient that accumulates.
void check_combinations() {
    int n = 0;
    for (int f64 = 0; f64 < 2; ++f64)
        for (int64_t reduction : {XENT_REDUCTION_MEAN, XENT_REDUCTION_SUM, XENT_REDUCTION_NONE})
            for (int variant = 0; variant < 4; ++variant) {
                Options o;
                o.f64 = f64;
                o.reduction = reduction;
                o.M = 9 + variant;
                o.V = 23;
                o.z_loss = 0.02;
                o.ignore = true;
                o.eps = variant & 1 ? 0.1 : 0.0;
                o.softcap = variant & 2 ? 3.0 : 0.0;
                o.class_weights = variant == 3;
                o.sample_weights = variant == 2;
                o.bias = true;
                o.accumulate = true;
                o.block_rows = 1 + variant;
                o.dv = variant % 2;
                check_case(o, std::string("z-loss, ignore, accumulated bias, variant ") + std::to_string(variant) +
                                  (f64 ? " f64" : " f32") + " reduction " + std::to_string(reduction), 400 + n++);
            }
}

// The block size decides the order of dW's sums: 4-row blocks give the bits of four calls on
// 4-row slices that accumulate (SUM, so each slice's factor is the whole call's), not those of one block.
void check_block_rows_reach_the_gemms() {
    Options o;
    o.M = 64;
    o.D = 24;
    o.V = 300;
    o.reduction = XENT_REDUCTION_SUM;
    o.want_lse = false;
    o.want_dh = false;
    const Data d = make_data(o, 77);
    o.block_rows = 4;
    const Outputs blocks = run<float>(o, d);
    o.block_rows = 0;  // automatic: the whole call is one block here
    const Outputs whole = run<float>(o, d);
    CHECK_MSG(blocks.status == XENT_OK && whole.status == XENT_OK, "block rows: %s", xent_last_error());
    CHECK_MSG(blocks.dw != whole.dw, "4-row blocks gave one block's bits: the block size did not reach the GEMMs");
    Options slice = o;
    slice.M = 4;
    slice.accumulate = true;
    std::vector<double> dw(o.V * o.D, 0.0), db(o.V, 0.0);
    for (int64_t r0 = 0; r0 < o.M; r0 += 4) {
        Data part = d;
        part.h.assign(d.h.begin() + r0 * o.D, d.h.begin() + (r0 + 4) * o.D);
        part.y.assign(d.y.begin() + r0, d.y.begin() + r0 + 4);
        // Accumulate onto the float sums so far (run() starts from one value: pass it element-wise).
        xent_linear_problem p = problem_of(slice);
        std::vector<float> h(part.h.begin(), part.h.end()), w(d.w.begin(), d.w.end()), b(d.b.begin(), d.b.end());
        std::vector<float> gw(dw.begin(), dw.end()), gb(db.begin(), db.end());
        p.hidden_count = h.size();
        p.weight_count = w.size();
        p.bias_count = b.size();
        p.target_count = 4;
        p.grad_weight_count = gw.size();
        p.grad_bias_count = gb.size();
        xent_result r{};
        CHECK(xent_linear_compute(&p, h.data(), w.data(), b.data(), part.y.data(), nullptr, nullptr, nullptr, nullptr,
                                  nullptr, nullptr, gw.data(), gb.data(), &r) == XENT_OK);
        dw.assign(gw.begin(), gw.end());
        db.assign(gb.begin(), gb.end());
    }
    CHECK_MSG(dw == blocks.dw, "4-row blocks differ from 4-row calls that accumulate");
}

// A NaN hidden state at an ignored position: its row of dL/dh is 0, its loss 0; dW = dx^T h
// multiplies it by dx = 0, which is NaN in that hidden unit's entries (as PyTorch's GEMM gives);
// every other entry, the bias gradient and the loss are those of the call without it.
void check_nan_at_ignored_position() {
    for (int dv = 0; dv < 2; ++dv) {
        Options o;
        o.dv = dv;
        o.f64 = true;
        o.ignore = true;  // position 1
        const Data clean = make_data(o, 9);
        Data poisoned = clean;
        const int64_t k = 2;
        poisoned.h[1 * o.D + k] = NAN;
        const Outputs want = run<double>(o, clean), got = run<double>(o, poisoned);
        CHECK(want.status == XENT_OK && got.status == XENT_OK);
        CHECK_MSG(got.r.loss == want.r.loss, "NaN at an ignored position changed the loss: %g vs %g", got.r.loss, want.r.loss);
        CHECK_MSG(got.db == want.db, "NaN at an ignored position changed dL/db");
        for (int64_t j = 0; j < o.D; ++j) CHECK_MSG(got.dh[1 * o.D + j] == 0.0, "dL/dh of the ignored row is not 0");
        for (int64_t v = 0; v < o.V; ++v)
            for (int64_t j = 0; j < o.D; ++j) {
                const size_t at = static_cast<size_t>(dv ? j * o.V + v : v * o.D + j);
                if (j == k) CHECK_MSG(std::isnan(got.dw[at]), "dW[%lld, %lld] = %g, want NaN (0 * NaN)", (long long)v, (long long)j, got.dw[at]);
                else CHECK_MSG(got.dw[at] == want.dw[at], "dW[%lld, %lld] changed", (long long)v, (long long)j);
            }
    }
}

void expect_error(const char* what, int status, const char* prefix) {
    const char* message = xent_last_error();
    CHECK_MSG(status != XENT_OK && std::strncmp(message, prefix, std::strlen(prefix)) == 0,
              "%s: status %d, message '%s', expected '%s...'", what, status, message, prefix);
}

// The floor of soft-caps and class weights (float32's smallest normal number), a NaN scalar
// upstream gradient, and a block whose bytes overflow: refused before anything is read or written.
void check_refusals() {
    Options o;
    const Data d = make_data(o, 5);
    std::vector<float> h(d.h.begin(), d.h.end()), w(d.w.begin(), d.w.end()), dw(o.V * o.D, 42.f);
    std::vector<float> cw(o.V, 1.f);
    auto call = [&](xent_linear_problem p, const float* weights) {
        p.hidden_count = h.size();
        p.weight_count = w.size();
        p.target_count = o.M;
        p.grad_weight_count = dw.size();
        p.class_weights_count = weights ? o.V : 0;
        xent_result r{};
        return xent_linear_compute(&p, h.data(), w.data(), nullptr, d.y.data(), weights, nullptr, nullptr, nullptr,
                                   nullptr, nullptr, dw.data(), nullptr, &r);
    };
    Options nb = o;
    nb.bias = false;
    xent_linear_problem p = problem_of(nb);
    CHECK(call(p, nullptr) == XENT_OK);
    std::fill(dw.begin(), dw.end(), 42.f);
    p = problem_of(nb); p.softcap = 1e-40; expect_error("softcap 1e-40", call(p, nullptr), "softcap:");
    p = problem_of(nb); p.softcap = 4.9e-324; expect_error("softcap 4.9e-324", call(p, nullptr), "softcap:");
    p = problem_of(nb); p.grad_output_scalar = NAN; expect_error("NaN upstream", call(p, nullptr), "grad_output_scalar:");
    cw[3] = 1e-40f;  // subnormal in float32
    p = problem_of(nb); expect_error("subnormal class weight", call(p, cw.data()), "class_weights: weight of class 3");
    // 2^31 - 1 rows of 2^31 - 1 classes: the block's bytes overflow int64. The counts claim more than
    // the buffers hold: the call must refuse before it reads any of them.
    p = problem_of(nb);
    p.dims[0] = (int64_t(1) << 31) - 1;
    p.dims[1] = 1;
    p.classes = (int64_t(1) << 31) - 1;
    p.block_rows = (int64_t(1) << 31) - 1;
    p.hidden_count = p.dims[0];
    p.weight_count = p.classes;
    p.target_count = p.dims[0];
    xent_result r{};
    expect_error("block bytes overflow", xent_linear_compute(&p, h.data(), w.data(), nullptr, d.y.data(), nullptr, nullptr,
                                                             nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, &r),
                 "block_rows:");
    bool untouched = true;
    for (float v : dw) untouched &= v == 42.f;
    CHECK_MSG(untouched, "an output was written by a call that failed");
}

// A soft-cap far below the logits saturates tanh: dz/dx is 0, and so is every gradient, exactly.
void check_saturated_softcap() {
    for (int f64 = 0; f64 < 2; ++f64) {
        Options o;
        o.f64 = f64;
        o.softcap = 1e-30;  // (the floor is float32's smallest normal, for both dtypes)
        const Data d = make_data(o, 11);
        const Outputs out = run_any(o, d);
        CHECK_MSG(out.status == XENT_OK, "saturated soft-cap: %s", xent_last_error());
        double largest = 0;
        for (double v : out.dh) largest = std::max(largest, std::fabs(v));
        for (double v : out.dw) largest = std::max(largest, std::fabs(v));
        for (double v : out.db) largest = std::max(largest, std::fabs(v));
        CHECK_MSG(largest == 0.0, "soft-cap %g (%s): largest |gradient| %g, want 0", o.softcap, f64 ? "f64" : "f32", largest);
    }
}

// The application sets OpenBLAS's threads from its own thread while fused calls run: its setting is
// the one left once they are done (the lease used to put back the one it saved first).
void check_lease_keeps_the_applications_setting() {
    Options o;
    o.M = 200;
    o.D = 32;
    o.V = 2000;
    o.block_rows = 16;
    o.threads = 2;
    const Data d = make_data(o, 44);
    openblas_set_num_threads(2);
    std::atomic<bool> set{false};
    std::atomic<int> failed{0};
    std::vector<std::thread> callers;
    for (int c = 0; c < 2; ++c)
        callers.emplace_back([&] {
            for (int i = 0; i < 12; ++i) {
                if (run<float>(o, d).status != XENT_OK) failed++;
                if (i == 3 && !set.exchange(true)) openblas_set_num_threads(3);  // mid-way, as an application would
            }
        });
    for (std::thread& t : callers) t.join();
    CHECK_MSG(failed == 0, "%d fused calls failed", failed.load());
    CHECK_MSG(openblas_get_num_threads() == 3, "OpenBLAS left at %d threads; the application set 3", openblas_get_num_threads());
    openblas_set_num_threads(1);
}

}  // namespace

int main() {
    std::printf("test_linear_edges: isa %s\n", xent_isa_name(xent_isa()));
    check_wide_hidden();
    check_combinations();
    check_block_rows_reach_the_gemms();
    check_nan_at_ignored_position();
    check_refusals();
    check_saturated_softcap();
    check_lease_keeps_the_applications_setting();
    return check_summary("test_linear_edges");
}
