// Argument checks of xent_linear_compute, as validate.cpp's for xent_compute: everything that
// decides where memory is read or written, before anything is.
#include <cmath>
#include <cstdint>
#include <limits>

#include "checks.h"
#include "error.h"
#include "linear.h"
#include "thread_pool.h"

namespace xent {

namespace {

// The largest block of logits: half the address space of a 64-bit process (int64's range / 2).
constexpr int64_t limit_bytes() { return std::numeric_limits<int64_t>::max() / 2; }

// BLAS takes int dimensions and leading dimensions.
constexpr int64_t kBlasMax = std::numeric_limits<int32_t>::max();

int check_linear_options(const xent_linear_problem& p) {
    if (p.abi_version != XENT_ABI_VERSION) {
        return fail(XENT_ERR_ARGUMENT, "problem: abi_version %lld, this library speaks %d", (long long)p.abi_version,
                    XENT_ABI_VERSION);
    }
    if (p.weight_layout != XENT_WEIGHT_VD && p.weight_layout != XENT_WEIGHT_DV)
        return fail(XENT_ERR_ARGUMENT, "weight_layout: unknown value %lld", (long long)p.weight_layout);
    if (p.reduction < XENT_REDUCTION_NONE || p.reduction > XENT_REDUCTION_MEAN)
        return fail(XENT_ERR_ARGUMENT, "reduction: unknown value %lld", (long long)p.reduction);
    if (p.dtype != XENT_FLOAT32 && p.dtype != XENT_FLOAT64)
        return fail(XENT_ERR_ARGUMENT, "dtype: must be float32 or float64, not %s", dtype_name(p.dtype));
    if (p.target_dtype != XENT_INT32 && p.target_dtype != XENT_INT64)
        return fail(XENT_ERR_ARGUMENT, "target_dtype: index targets must be int32 or int64, not %s",
                    dtype_name(p.target_dtype));
    if (p.block_rows < 0 || p.block_rows > kBlasMax)
        return fail(XENT_ERR_ARGUMENT, "block_rows: must be in [0, %lld] (0: automatic), not %lld", (long long)kBlasMax,
                    (long long)p.block_rows);
    if (p.accumulate != 0 && p.accumulate != 1)
        return fail(XENT_ERR_ARGUMENT, "accumulate: must be 0 or 1, not %lld", (long long)p.accumulate);
    return check_shared_options(p.index_base, p.threads, p.label_smoothing, p.scale, p.grad_output_scalar, p.z_loss,
                                p.softcap);
}

// M and D from the hidden state's shape, V from classes; every product the call forms must fit.
int linear_shape(const xent_linear_problem& p, LinearJob* job) {
    if (p.rank < 1 || p.rank > XENT_MAX_RANK)
        return fail(XENT_ERR_ARGUMENT, "shape: rank must be in [1, %d], not %lld", XENT_MAX_RANK, (long long)p.rank);
    const int64_t limit = std::numeric_limits<int64_t>::max() / 8;  // bytes of any buffer fit in int64
    int64_t positions = 1;
    for (int64_t d = 0; d < p.rank; ++d) {
        const int64_t n = p.dims[d];
        if (n < 1) return fail(XENT_ERR_ARGUMENT, "shape: dimension %lld is %lld, must be >= 1", (long long)d, (long long)n);
        if (d < p.rank - 1 && (__builtin_mul_overflow(positions, n, &positions) || positions > limit))
            return fail(XENT_ERR_ARGUMENT, "shape: element count overflows");
    }
    const int64_t hidden = p.dims[p.rank - 1];
    if (hidden > kBlasMax)
        return fail(XENT_ERR_ARGUMENT, "shape: the hidden size (last dimension) is %lld, at most %lld", (long long)hidden,
                    (long long)kBlasMax);
    if (p.classes < 1 || p.classes > kBlasMax)
        return fail(XENT_ERR_ARGUMENT, "classes: must be in [1, %lld], not %lld", (long long)kBlasMax, (long long)p.classes);
    int64_t product;
    if (__builtin_mul_overflow(positions, hidden, &product) || product > limit)
        return fail(XENT_ERR_ARGUMENT, "shape: element count overflows");
    if (__builtin_mul_overflow(p.classes, hidden, &product) || product > limit)
        return fail(XENT_ERR_ARGUMENT, "classes: the weight's element count (classes x hidden size) overflows");
    job->positions = positions;
    job->hidden = hidden;
    job->classes = p.classes;
    return XENT_OK;
}

}  // namespace

int64_t auto_block_rows(int64_t positions, int64_t classes, int64_t element_bytes) {
    int64_t rows = kLogitsBudgetBytes / (classes * element_bytes) / 16 * 16;
    if (rows < kMinBlockRows) rows = kMinBlockRows;
    return rows < positions ? rows : positions;
}

int validate_linear(const xent_linear_problem* problem, const void* hidden, const void* weight, const void* bias,
                    const void* target, const void* class_weights, const void* sample_weights,
                    const void* grad_output, void* loss_out, void* lse_out, void* grad_hidden, void* grad_weight,
                    void* grad_bias, LinearJob* job) {
    if (problem == nullptr) return fail(XENT_ERR_ARGUMENT, "problem: is NULL");
    job->problem = *problem;  // every check and the computation read this copy
    const xent_linear_problem& p = job->problem;
    int status = check_linear_options(p);
    if (status != XENT_OK) return status;
    if ((status = linear_shape(p, job)) != XENT_OK) return status;
    const int64_t M = job->positions, D = job->hidden, V = job->classes;

    struct Buffer {
        const char* name;
        const void* data;
        int64_t count, needed;
        bool required;
    };
    const Buffer buffers[] = {
        {"hidden", hidden, p.hidden_count, M * D, true},
        {"weight", weight, p.weight_count, V * D, true},
        {"bias", bias, p.bias_count, V, false},
        {"target", target, p.target_count, M, true},
        {"class_weights", class_weights, p.class_weights_count, V, false},
        {"sample_weights", sample_weights, p.sample_weights_count, M, false},
        {"grad_output", grad_output, p.grad_output_count, M, false},
        {"loss_out", loss_out, p.loss_out_count, M, false},
        {"lse_out", lse_out, p.lse_out_count, M, false},
        {"grad_hidden", grad_hidden, p.grad_hidden_count, M * D, false},
        {"grad_weight", grad_weight, p.grad_weight_count, V * D, false},
        {"grad_bias", grad_bias, p.grad_bias_count, V, false},
    };
    for (const Buffer& b : buffers)
        if ((status = check_buffer(b.name, b.data, b.count, b.needed, b.required)) != XENT_OK) return status;
    const bool reduced = p.reduction != XENT_REDUCTION_NONE;
    if (reduced && grad_output != nullptr)
        return fail(XENT_ERR_ARGUMENT, "grad_output: a reduced loss takes the scalar grad_output_scalar, not a tensor");
    if (reduced && loss_out != nullptr)
        return fail(XENT_ERR_ARGUMENT, "loss_out: only reduction NONE writes per-position losses");
    if (grad_bias != nullptr && bias == nullptr)
        return fail(XENT_ERR_ARGUMENT, "grad_bias: the problem has no bias");

    // No output may share a byte with any other argument.
    const int64_t fsize = element_size(p.dtype);
    Spans<12> spans;
    spans.add("hidden", hidden, M * D * fsize);
    spans.add("weight", weight, V * D * fsize);
    spans.add("bias", bias, bias ? V * fsize : 0);
    spans.add("target", target, M * element_size(p.target_dtype));
    spans.add("class_weights", class_weights, class_weights ? V * fsize : 0);
    spans.add("sample_weights", sample_weights, sample_weights ? M * fsize : 0);
    spans.add("grad_output", grad_output, grad_output ? M * fsize : 0);
    spans.add("loss_out", loss_out, loss_out ? M * fsize : 0, true);
    spans.add("lse_out", lse_out, lse_out ? M * fsize : 0, true);
    spans.add("grad_hidden", grad_hidden, grad_hidden ? M * D * fsize : 0, true);
    spans.add("grad_weight", grad_weight, grad_weight ? V * D * fsize : 0, true);
    spans.add("grad_bias", grad_bias, grad_bias ? V * fsize : 0, true);
    status = check_overlaps(spans, "no output may share memory with another argument", [](int, int) { return false; });
    if (status != XENT_OK) return status;

    // The class weights are few and read here, like xent_compute's pass 1 does.
    for (int64_t c = 0; class_weights != nullptr && c < V; ++c) {
        const double wc = p.dtype == XENT_FLOAT32 ? static_cast<const float*>(class_weights)[c]
                                                  : static_cast<const double*>(class_weights)[c];
        if ((status = check_class_weight(c, wc)) != XENT_OK) return status;
    }

    job->block_rows = p.block_rows > 0 ? (p.block_rows < M ? p.block_rows : M) : auto_block_rows(M, V, fsize);
    // The block of logits is block_rows x V elements: its bytes must fit in int64 (and a size_t).
    int64_t block_bytes;
    if (__builtin_mul_overflow(job->block_rows, V, &block_bytes) ||
        __builtin_mul_overflow(block_bytes, fsize, &block_bytes) || block_bytes > limit_bytes())
        return fail(XENT_ERR_ARGUMENT, "block_rows: a block of %lld x %lld logits has more bytes than fit in memory; "
                    "pass fewer rows (0: automatic)", (long long)job->block_rows, (long long)V);
    job->h = hidden;
    job->weight = weight;
    job->bias = bias;
    job->target = target;
    job->class_weights = class_weights;
    job->sample_weights = sample_weights;
    job->grad_output = grad_output;
    job->loss_out = loss_out;
    job->lse_out = lse_out;
    job->grad_hidden = grad_hidden;
    job->grad_weight = grad_weight;
    job->grad_bias = grad_bias;
    job->threads = p.threads == 0 ? max_threads() : static_cast<int>(p.threads);
    return XENT_OK;
}

}  // namespace xent
