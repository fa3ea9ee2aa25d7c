// The fused linear + cross-entropy form: the logits x = h W^T + b of one block of positions at a
// time, by GEMM into a scratch block; the row kernel of the INDEX form (class_targets.cpp) turns
// them into the loss and, in place, dL/dx; then dL/dW += dx^T h, dL/db += sum dx and dL/dh = dx W
// for the block. Extra memory is the scratch block, whatever M.
//
// Bit-identical for any thread count: the block size depends on V alone (or the caller's choice),
// each GEMM covers a piece fixed for the process (a chunk of classes, or of rows and hidden units;
// see Pieces) on one thread, and every sum over positions (dW, db, the loss) is taken in block
// order.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "blas.h"
#include "error.h"
#include "job.h"
#include "linear.h"
#include "scratch.h"
#include "thread_pool.h"

namespace xent {

namespace {

// Rows of a block per task of the row kernel.
constexpr int64_t kKernelRows = 16;

// How a block's GEMMs are cut: into as many pieces as the process may have threads
// (max_threads(), fixed while it runs), whatever one call's thread count, so that every call of the
// process cuts them alike and gets the same bits; and no finer, since each piece repacks a shared
// operand. Classes go in chunks of a multiple of 64; dh in chunks of hidden units of at least 128,
// and then in groups of rows when the threads outnumber those.
struct Pieces {
    int64_t class_chunk, class_chunks;
    int64_t hidden_chunk, hidden_chunks;
    int64_t group_rows;

    Pieces(int64_t block_rows, int64_t hidden, int64_t classes) {
        const int64_t p = max_threads();
        class_chunk = round_up((classes + p - 1) / p, 64);
        class_chunks = (classes + class_chunk - 1) / class_chunk;
        hidden_chunks = std::max<int64_t>(1, std::min(p, hidden / 128));
        hidden_chunk = (hidden + hidden_chunks - 1) / hidden_chunks;
        hidden_chunks = (hidden + hidden_chunk - 1) / hidden_chunk;
        const int64_t groups = (p + hidden_chunks - 1) / hidden_chunks;
        group_rows = round_up((block_rows + groups - 1) / groups, 16);
    }

    static int64_t round_up(int64_t n, int64_t m) { return (n + m - 1) / m * m; }
};

int64_t target_at(const LinearJob& job, int64_t pos) {
    return job.problem.target_dtype == XENT_INT32 ? static_cast<const int32_t*>(job.target)[pos]
                                                  : static_cast<const int64_t*>(job.target)[pos];
}

// Pass 1: every target and sample weight is checked before anything is written, and the MEAN
// divisors are summed (in position order).
template <typename T>
int count_targets(const LinearJob& job, double* weight, double* z_weight, int64_t* count) {
    const xent_linear_problem& p = job.problem;
    const T* s = static_cast<const T*>(job.sample_weights);
    const T* w = static_cast<const T*>(job.class_weights);
    double weight_sum = 0.0, sample_sum = 0.0;
    int64_t counted = 0;
    for (int64_t pos = 0; pos < job.positions; ++pos) {
        const double sp = s ? static_cast<double>(s[pos]) : 1.0;
        if (s && !(sp >= 0.0 && std::isfinite(sp)))
            return fail(XENT_ERR_ARGUMENT, "sample_weights: weight at position %lld is %g, must be finite and >= 0",
                        (long long)pos, sp);
        const int64_t raw = target_at(job, pos);
        if (raw == p.ignore_index) continue;
        const uint64_t cls = static_cast<uint64_t>(raw) - static_cast<uint64_t>(p.index_base);
        if (cls >= static_cast<uint64_t>(job.classes))
            return fail(XENT_ERR_TARGET,
                        "target: value %lld at position %lld is outside [%lld, %lld) and is not the ignore index %lld",
                        (long long)raw, (long long)pos, (long long)p.index_base, (long long)(p.index_base + job.classes),
                        (long long)p.ignore_index);
        weight_sum += sp * (w ? static_cast<double>(w[cls]) : 1.0);
        sample_sum += sp;
        counted += 1;
    }
    *weight = weight_sum;
    *z_weight = sample_sum;
    *count = counted;
    return XENT_OK;
}

// The INDEX form's call on rows [first, first + rows) of the logits, kept in `logits`.
template <typename T>
Job row_job(const LinearJob& job, int64_t first, int64_t rows, T* logits, bool gradient) {
    const xent_linear_problem& lp = job.problem;
    Job j;
    xent_problem& p = j.problem;
    p.abi_version = XENT_ABI_VERSION;
    p.rank = 2;
    p.dims[0] = rows;
    p.dims[1] = job.classes;
    p.class_axis = -1;
    p.target_kind = XENT_TARGET_INDEX;
    p.input_kind = XENT_INPUT_LOGITS;
    p.reduction = lp.reduction;
    p.dtype = lp.dtype;
    p.target_dtype = lp.target_dtype;
    p.ignore_index = lp.ignore_index;
    p.index_base = lp.index_base;
    p.threads = 1;
    p.label_smoothing = lp.label_smoothing;
    p.scale = lp.scale;
    p.grad_output_scalar = lp.grad_output_scalar;
    p.z_loss = lp.z_loss;
    p.softcap = lp.softcap;
    j.layout.outer = rows;
    j.layout.classes = job.classes;
    j.layout.inner = 1;
    j.layout.positions = rows;
    j.layout.elements = rows * job.classes;
    const int64_t target_bytes = lp.target_dtype == XENT_INT32 ? 4 : 8;
    j.input = logits;
    j.target = static_cast<const char*>(job.target) + first * target_bytes;
    j.class_weights = job.class_weights;
    j.sample_weights = job.sample_weights ? static_cast<const T*>(job.sample_weights) + first : nullptr;
    j.grad_output = job.grad_output ? static_cast<const T*>(job.grad_output) + first : nullptr;
    j.loss_out = job.loss_out ? static_cast<T*>(job.loss_out) + first : nullptr;
    j.lse_out = job.lse_out ? static_cast<T*>(job.lse_out) + first : nullptr;
    j.grad_input = gradient ? logits : nullptr;
    j.threads = 1;
    return j;
}

struct Sums {
    double loss = 0.0, z = 0.0;
    int64_t correct = 0;
};

template <typename T>
int run(const LinearJob& job, xent_result* result) {
    const xent_linear_problem& p = job.problem;
    double weight = 0.0, z_weight = 0.0;
    int64_t count = 0;
    int status = count_targets<T>(job, &weight, &z_weight, &count);
    if (status != XENT_OK) return status;

    const int64_t M = job.positions, D = job.hidden, V = job.classes, B = job.block_rows;
    const bool vd = p.weight_layout == XENT_WEIGHT_VD;
    const bool gradient = job.grad_hidden || job.grad_weight || job.grad_bias;
    const T* h = static_cast<const T*>(job.h);
    const T* W = static_cast<const T*>(job.weight);
    const T* bias = static_cast<const T*>(job.bias);
    T* gh = static_cast<T*>(job.grad_hidden);
    T* gW = static_cast<T*>(job.grad_weight);
    T* gb = static_cast<T*>(job.grad_bias);

    const size_t scratch_bytes = static_cast<size_t>(B * V) * sizeof(T);  // bounded by validate_linear
    T* logits = static_cast<T*>(block_scratch(scratch_bytes));
    if (logits == nullptr && p.block_rows > 0)  // the caller's block size: theirs to choose again
        return fail(XENT_ERR_ARGUMENT, "block_rows: a block of %lld x %lld logits needs %lld bytes, which could not be "
                    "allocated; pass fewer rows (0: automatic)", (long long)B, (long long)V, (long long)scratch_bytes);
    if (logits == nullptr)
        return fail(XENT_ERR_INTERNAL, "out of memory: a block of logits (%lld x %lld) needs %lld bytes",
                    (long long)B, (long long)V, (long long)scratch_bytes);

    // The reduced factors, as the INDEX form's driver takes them (driver.h).
    double loss_factor = p.scale * p.grad_output_scalar, z_factor = loss_factor;
    if (p.reduction == XENT_REDUCTION_MEAN) {
        loss_factor = weight > 0.0 ? loss_factor / weight : 0.0;
        z_factor = z_weight > 0.0 ? z_factor / z_weight : 0.0;
    }

    const int threads = job.threads;
    const Pieces pieces(B, D, V);
    const int64_t class_chunk = pieces.class_chunk, class_chunks = pieces.class_chunks;
    const int64_t hidden_chunk = pieces.hidden_chunk, hidden_chunks = pieces.hidden_chunks;
    const int64_t group_rows = pieces.group_rows;
    std::vector<Sums> kernel_sums(static_cast<size_t>((B + kKernelRows - 1) / kKernelRows));
    Sums total;
    for (int64_t r0 = 0; r0 < M; r0 += B) {
        const int64_t rows = std::min(B, M - r0);
        const T* hb = h + r0 * D;
        const bool first_block = r0 == 0;

        // The block's logits, a chunk of classes per task.
        auto logits_task = [&](int64_t task) {
            SingleThreadedBlas::ensure();
            const int64_t v0 = task * class_chunk, vc = std::min(class_chunk, V - v0);
            if (bias)
                for (int64_t r = 0; r < rows; ++r) std::memcpy(logits + r * V + v0, bias + v0, vc * sizeof(T));
            const T beta = bias ? T(1) : T(0);
            if (vd) gemm(false, true, rows, vc, D, T(1), hb, D, W + v0 * D, D, beta, logits + v0, V);
            else gemm(false, false, rows, vc, D, T(1), hb, D, W + v0, V, beta, logits + v0, V);
        };
        parallel_for(class_chunks, threads, logits_task);

        // Loss, metrics, log-sum-exps and dL/dx in place, a few rows per task.
        const int64_t kernel_tasks = (rows + kKernelRows - 1) / kKernelRows;
        const Job rj = row_job<T>(job, r0, rows, logits, gradient);
        auto kernel_task = [&](int64_t task) {
            const int64_t first = task * kKernelRows, end = std::min(rows, first + kKernelRows);
            Sums& s = kernel_sums[static_cast<size_t>(task)];
            s = Sums{};
            compute_class_range(rj, loss_factor, z_factor, first, end, &s.loss, &s.z, &s.correct);
        };
        parallel_for(kernel_tasks, threads, kernel_task);
        for (int64_t t = 0; t < kernel_tasks; ++t) {
            total.loss += kernel_sums[static_cast<size_t>(t)].loss;
            total.z += kernel_sums[static_cast<size_t>(t)].z;
            total.correct += kernel_sums[static_cast<size_t>(t)].correct;
        }
        if (!gradient) continue;

        // dW (and db) by chunks of classes, then dh by rows x hidden units, one list of tasks.
        const T* dx = logits;
        const int64_t weight_tasks = (gW || gb) ? class_chunks : 0;
        const int64_t row_groups = (rows + group_rows - 1) / group_rows;
        const int64_t hidden_tasks = gh ? row_groups * hidden_chunks : 0;
        auto backward_task = [&](int64_t task) {
            SingleThreadedBlas::ensure();
            if (task < weight_tasks) {
                const int64_t v0 = task * class_chunk, vc = std::min(class_chunk, V - v0);
                const bool overwrite = first_block && !p.accumulate;
                if (gW) {
                    const T beta = overwrite ? T(0) : T(1);
                    if (vd) gemm(true, false, vc, D, rows, T(1), dx + v0, V, hb, D, beta, gW + v0 * D, D);
                    else gemm(true, false, D, vc, rows, T(1), hb, D, dx + v0, V, beta, gW + v0, V);
                }
                if (gb) {
                    T* out = gb + v0;
                    if (overwrite) std::fill(out, out + vc, T(0));
                    for (int64_t r = 0; r < rows; ++r) {
                        const T* row = dx + r * V + v0;
                        for (int64_t v = 0; v < vc; ++v) out[v] += row[v];
                    }
                }
                return;
            }
            const int64_t t = task - weight_tasks;
            const int64_t g0 = (t / hidden_chunks) * group_rows, gr = std::min(group_rows, rows - g0);
            const int64_t d0 = (t % hidden_chunks) * hidden_chunk, dc = std::min(hidden_chunk, D - d0);
            T* out = gh + (r0 + g0) * D + d0;
            if (vd) gemm(false, false, gr, dc, V, T(1), dx + g0 * V, V, W + d0, D, T(0), out, D);
            else gemm(false, true, gr, dc, V, T(1), dx + g0 * V, V, W + d0 * V, V, T(0), out, D);
        };
        parallel_for(weight_tasks + hidden_tasks, threads, backward_task);
    }

    if (result) {
        double loss = total.loss * p.scale, z = total.z * p.scale;
        if (p.reduction == XENT_REDUCTION_MEAN) {  // 0/0 = NaN when nothing counts
            loss /= weight;
            if (p.z_loss > 0.0) z /= z_weight;
        }
        result->loss = p.z_loss > 0.0 ? loss + z : loss;
        result->weight_sum = weight;
        result->count = count;
        result->correct = total.correct;
        result->z_loss = z;
    }
    return XENT_OK;
}

}  // namespace

int compute_linear(const LinearJob& job, xent_result* result) {
    SingleThreadedBlas one_thread;
    if (job.problem.dtype == XENT_FLOAT32) return run<float>(job, result);
    return run<double>(job, result);
}

}  // namespace xent
