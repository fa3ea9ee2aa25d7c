// xent_linear_compute against the long-double reference of linear_reference.h, over layouts, bias,
// blocks that do not divide M, every reduction and option, both dtypes and target types; the same
// bits for 1, 2 and 4 threads; and its argument checks.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "linear_reference.h"

namespace {

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
