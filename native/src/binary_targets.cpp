// The driver of binary targets (LOGITS or PROBABILITIES input): the two steps of the binary form
// that driver.h runs. Every element is a position. Pass 1 checks the sample weights and sums them;
// pass 2 hands each block to the vector kernel of the current instruction set
// (kernels/binary.h), or to the scalar reference (binary_scalar.h) on the scalar ISA.
#include <cmath>
#include <cstdint>

#include "binary_scalar.h"
#include "blocks.h"
#include "driver.h"
#include "isa.h"
#include "job.h"
#include "kernels/vector_kernels.h"
#include "xent.h"

namespace xent {

namespace {

template <typename T, int kInput>
class BinaryForm {
public:
    explicit BinaryForm(const Job& job) : job_(job), s_(static_cast<const T*>(job.sample_weights)) {
        if (const VectorKernels* v = vector_kernels()) {
            binary_ = sizeof(T) == 4 ? v->binary_f32 : v->binary_f64;
            fill_kernel_job(job, 0.0, kernel_job_);
        }
    }

    bool counts_every_position() const { return s_ == nullptr; }

    // Pass 1 (sample weights only): validates them and sums them, the MEAN divisor.
    void count(int64_t first, int64_t end, BlockSums& sums) const {
        sums.count += end - first;
        double weight = 0.0;  // local: summing into `sums` chains every element through memory
        for (int64_t e = first; e < end; ++e) {
            const double s = static_cast<double>(s_[e]);
            if (!(s >= 0.0 && std::isfinite(s))) {
                sums.note_bad(e, s, 0, true);
                continue;
            }
            weight += s;
        }
        sums.weight += weight;
    }

    void set_factors(const Factors& factors) { factor_ = factors.loss; }

    // Pass 2: the vector kernel, or the reference.
    void compute(int64_t first, int64_t end, BlockSums& sums) const {
        const double factor = factor_;
        KernelSums ks{0.0, 0, 0.0};
        if (binary_ != nullptr) binary_(kernel_job_, first, end, factor, &ks);
        else BinaryReference<T, kInput>(job_).compute_block(first, end, factor, ks);
        sums.loss += ks.loss;
        sums.correct += ks.correct;
    }

private:
    const Job& job_;
    const T* s_;
    RowsFn binary_ = nullptr;
    KernelJob kernel_job_;  // filled when binary_ is set
    double factor_ = 0.0;
};

template <typename T, int kInput>
int run(const Job& job, xent_result* result) {
    // One "class" per element: blocks of kElementsPerBlock elements.
    BinaryForm<T, kInput> form(job);
    return run_passes(job, plan_blocks(job.layout.elements, 1), form, result);
}

}  // namespace

int compute_binary(const Job& job, xent_result* result) {
    const bool logits = job.problem.input_kind == XENT_INPUT_LOGITS;
    if (job.problem.dtype == XENT_FLOAT32)
        return logits ? run<float, XENT_INPUT_LOGITS>(job, result) : run<float, XENT_INPUT_PROBABILITIES>(job, result);
    return logits ? run<double, XENT_INPUT_LOGITS>(job, result) : run<double, XENT_INPUT_PROBABILITIES>(job, result);
}

}  // namespace xent
