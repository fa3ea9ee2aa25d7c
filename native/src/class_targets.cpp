// The driver of class targets (INDEX or PROBABILITIES; LOGITS, PROBABILITIES or LOG_PROBABILITIES
// input): the two steps of the class form that driver.h runs. Pass 1 checks the class weights,
// the lengths, the targets and the sample weights and sums the MEAN divisor; pass 2 hands each
// block to the vector kernels of the current instruction set (kernels/), or to the scalar
// reference (class_scalar.h) where there are none for the form.
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "blocks.h"
#include "checks.h"
#include "class_scalar.h"
#include "driver.h"
#include "error.h"
#include "isa.h"
#include "job.h"
#include "kernels/vector_kernels.h"
#include "xent.h"

namespace xent {

namespace {

template <typename T, int kTarget, int kInput>
class ClassForm {
    static constexpr bool kIndex = kTarget == XENT_TARGET_INDEX;

public:
    explicit ClassForm(const Job& job) : job_(job), d_(job) {}

    // The per-class and per-sequence inputs, read before the blocks; returns a status.
    int check_small_inputs() {
        const Layout& layout = job_.layout;
        weight_total_ = d_.w == nullptr ? static_cast<double>(layout.classes) : 0.0;  // every weight 1
        for (int64_t c = 0; d_.w != nullptr && c < layout.classes; ++c) {
            const double wc = d_.weight(c);
            const int status = check_class_weight(c, wc);
            if (status != XENT_OK) return status;
            weight_total_ += wc;
        }
        for (int64_t n = 0; n < layout.sequences; ++n) {
            const int64_t len = d_.length(n);
            if (len < 0 || len > layout.steps)
                return fail(XENT_ERR_ARGUMENT, "lengths: sequence %lld has length %lld, must be in [0, %lld]",
                            (long long)n, (long long)len, (long long)layout.steps);
        }
        // Logits go to the vector kernels of the current instruction set, when there are any, and
        // so do (log-)probabilities with plain index targets (nll_loss).
        const bool nll = kInput != XENT_INPUT_LOGITS && kIndex && job_.problem.label_smoothing == 0.0;
        if ((kInput == XENT_INPUT_LOGITS || nll) && layout.classes < (int64_t(1) << 31)) {
            if (const VectorKernels* v = vector_kernels()) {
                const bool f32 = sizeof(T) == 4;
                lanes_ = f32 ? v->lanes_f32 : v->lanes_f64;
                rows_ = nll ? (f32 ? v->nll_rows_f32 : v->nll_rows_f64) : (f32 ? v->rows_f32 : v->rows_f64);
                // Only the row kernel writes log-sum-exps (the fused linear form's class-last rows).
                if (job_.lse_out != nullptr) rows_ = f32 ? v->long_rows_f32 : v->long_rows_f64;
                tile_ = nll ? (f32 ? v->nll_tile_f32 : v->nll_tile_f64) : (f32 ? v->tile_f32 : v->tile_f64);
                fill_kernel_job(job_, weight_total_, kernel_job_);
            }
        }
        return XENT_OK;
    }

    bool counts_every_position() const { return false; }

    // Pass 1, no input read: validates targets and sample weights and sums the MEAN divisor.
    void count(int64_t first, int64_t end, BlockSums& sums) const {
        if constexpr (kIndex) {
            // The common case, plain index targets: no branch and no chain of double adds per
            // position (a position's weight is 1, so the sum is the count).
            if (d_.s == nullptr && d_.w == nullptr && d_.lengths == nullptr) {
                const bool counted = job_.problem.target_dtype == XENT_INT32
                                         ? count_plain(static_cast<const int32_t*>(d_.target), first, end, sums)
                                         : count_plain(static_cast<const int64_t*>(d_.target), first, end, sums);
                if (counted) return;  // else a target is out of range: the loop below finds the first
            }
        }
        // Local accumulators: summing into `sums` directly chains every position through memory.
        double weight_sum = 0.0, sample_sum = 0.0;
        int64_t count = 0;
        for (int64_t pos = first; pos < end; ++pos) {
            const double sp = d_.sample_weight(pos);
            if (d_.s && !(sp >= 0.0 && std::isfinite(sp))) {
                sums.note_bad(pos, sp, 0, true);
                continue;
            }
            const int64_t cls = d_.template class_of<kIndex>(pos);
            if (cls == kExcluded) continue;
            if (cls == kInvalid) {
                sums.note_bad(pos, 0.0, d_.target_index(pos), false);
                continue;
            }
            weight_sum += kIndex ? sp * d_.weight(cls) : sp;
            sample_sum += sp;
            count += 1;
        }
        sums.weight += weight_sum;
        sums.z_weight += sample_sum;
        sums.count += count;
    }

    void set_factors(const Factors& factors) {
        factors_ = factors;
        kernel_job_.z_factor = factors.z;
    }

    // Pass 2: the vector kernels, or the reference.
    void compute(int64_t first, int64_t end, BlockSums& sums) const {
        const double factor = factors_.loss;
        KernelSums ks{0.0, 0, 0.0};
        if (rows_ == nullptr) {
            ClassReference<T, kTarget, kInput>(d_, weight_total_, factors_.z).compute_block(first, end, factor, ks);
        } else if (job_.layout.inner == 1) {
            rows_(kernel_job_, first, end, factor, &ks);
        } else {
            // Vectors of neighbouring positions; the last of a row of inner may be partial.
            const int64_t inner = job_.layout.inner;
            for (int64_t pos = first; pos < end;) {
                const int64_t o = pos / inner, i = pos % inner;
                const int64_t width = std::min({lanes_, end - pos, inner - i});
                tile_(kernel_job_, o, i, static_cast<int>(width), factor, &ks);
                pos += width;
            }
        }
        sums.loss += ks.loss;
        sums.z += ks.z;
        sums.correct += ks.correct;
    }

private:
    // count() for index targets without weights or lengths; false (and nothing counted) when a
    // target is out of range. Out of line: inlined into the driver, its counters lived on the stack.
    template <typename I>
    __attribute__((noinline)) bool count_plain(const I* target, int64_t first, int64_t end, BlockSums& sums) const {
        const xent_problem& p = job_.problem;
        const int64_t ignore = p.ignore_index, classes = job_.layout.classes;
        const uint64_t base = static_cast<uint64_t>(p.index_base);
        // Count the ignored targets and those outside [base, base + C) (below the base wraps
        // high): every ignored one is outside too exactly when the ignore index is, and any other
        // outside target is bad. Two counters keep the loop short; the vector kernels count a
        // vector of targets at a time.
        int64_t ignored = 0, outside = 0;
        if (const VectorKernels* v = vector_kernels()) {
            const CountIndexFn count = sizeof(I) == 4 ? v->count_i32 : v->count_i64;
            count(target, first, end, ignore, p.index_base, classes, &ignored, &outside);
        } else {
            for (int64_t pos = first; pos < end; ++pos) {
                const int64_t raw = target[pos];
                ignored += raw == ignore;
                outside += static_cast<uint64_t>(raw) - base >= static_cast<uint64_t>(classes);
            }
        }
        const bool ignore_outside = static_cast<uint64_t>(ignore) - base >= static_cast<uint64_t>(classes);
        if (outside != (ignore_outside ? ignored : 0)) return false;
        const int64_t count = end - first - ignored;
        sums.weight += static_cast<double>(count);
        sums.z_weight += static_cast<double>(count);
        sums.count += count;
        return true;
    }

    const Job& job_;
    const ClassData<T> d_;
    double weight_total_ = 0.0;
    Factors factors_{0.0, 0.0};
    // The vector kernels of the call, when it has them.
    RowsFn rows_ = nullptr;
    TileFn tile_ = nullptr;
    int64_t lanes_ = 1;
    KernelJob kernel_job_;  // filled when rows_ is set
};

template <typename T>
void range(const Job& job, const Factors& factors, int64_t first, int64_t end, BlockSums& sums) {
    ClassForm<T, XENT_TARGET_INDEX, XENT_INPUT_LOGITS> form(job);
    form.check_small_inputs();  // (the caller has checked the class weights)
    form.set_factors(factors);
    form.compute(first, end, sums);
}

template <typename T, int kTarget, int kInput>
int run(const Job& job, xent_result* result) {
    ClassForm<T, kTarget, kInput> form(job);
    const int status = form.check_small_inputs();
    if (status != XENT_OK) return status;
    // Class axis 1: blocks of whole 64-position groups, so vector tiles never straddle blocks.
    const Blocks blocks = plan_blocks(job.layout.positions, job.layout.classes, job.layout.inner > 1 ? 64 : 1);
    return run_passes(job, blocks, form, result);
}

template <typename T, int kTarget>
int select_input(const Job& job, xent_result* result) {
    switch (job.problem.input_kind) {
        case XENT_INPUT_LOGITS: return run<T, kTarget, XENT_INPUT_LOGITS>(job, result);
        case XENT_INPUT_PROBABILITIES: return run<T, kTarget, XENT_INPUT_PROBABILITIES>(job, result);
        default: return run<T, kTarget, XENT_INPUT_LOG_PROBABILITIES>(job, result);
    }
}

template <typename T>
int select_target(const Job& job, xent_result* result) {
    if (job.problem.target_kind == XENT_TARGET_INDEX) return select_input<T, XENT_TARGET_INDEX>(job, result);
    return select_input<T, XENT_TARGET_PROBABILITIES>(job, result);
}

}  // namespace

void compute_class_range(const Job& job, double loss_factor, double z_factor, int64_t first, int64_t end,
                         double* loss, double* z, int64_t* correct) {
    BlockSums sums;
    if (job.problem.dtype == XENT_FLOAT32) range<float>(job, {loss_factor, z_factor}, first, end, sums);
    else range<double>(job, {loss_factor, z_factor}, first, end, sums);
    *loss += sums.loss;
    *z += sums.z;
    *correct += sums.correct;
}

int compute_class(const Job& job, xent_result* result) {
    if (job.problem.dtype == XENT_FLOAT32) return select_target<float>(job, result);
    return select_target<double>(job, result);
}

}  // namespace xent
