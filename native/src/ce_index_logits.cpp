// Cross-entropy with INDEX targets and LOGITS input (docs/semantics.md, "Per-position loss"),
// portable scalar version: loss and gradient fused, no C-sized temporaries.
//
// For position p with target class y, logits x, class weights w (W = sum w), sample weight s,
// label smoothing eps and lse = log sum_c exp(x_c):
//   l   = s * [ -(1-eps) * w_y * (x_y - lse)  -  (eps/C) * (sum_c w_c x_c - lse * W) ]
//   dl/dx_c = s * [ q_c * ((1-eps) w_y + (eps/C) W)  -  (1-eps) w_y [c == y]  -  (eps/C) w_c ]
// with q_c = exp(x_c - lse). The first sweep over a position's classes keeps a running max m,
// the sum of exp(x_c - m) rescaled whenever m grows (online softmax), the arg-max, x_y and
// sum w_c x_c; the second sweep writes the gradient. Class axis 1 is walked as tiles of up to
// kTile neighbouring positions, so both sweeps read memory contiguously.
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "blocks.h"
#include "error.h"
#include "job.h"

namespace xent {

namespace {

constexpr int64_t kTile = 64;

// What one block of positions contributes; summed in block order afterwards.
struct BlockSums {
    double loss = 0.0;
    double weight = 0.0;
    int64_t count = 0;
    int64_t correct = 0;
    int64_t bad_position = -1;  // first position whose target or sample weight is invalid
    double bad_value = 0.0;
    bool bad_is_weight = false;
};

template <typename T>
class IndexLogitsKernel {
public:
    explicit IndexLogitsKernel(const Job& job)
        : p_(*job.problem),
          layout_(job.layout),
          x_(static_cast<const T*>(job.input)),
          target_(job.target),
          w_(static_cast<const T*>(job.class_weights)),
          s_(static_cast<const T*>(job.sample_weights)),
          lengths_(job.lengths),
          g_(static_cast<const T*>(job.grad_output)),
          loss_out_(static_cast<T*>(job.loss_out)),
          grad_(static_cast<T*>(job.grad_input)),
          eps_(p_.label_smoothing) {}

    // Checks the small per-class and per-sequence inputs; returns a status.
    int check_small_inputs() {
        weight_total_ = 0.0;
        for (int64_t c = 0; c < layout_.classes; ++c) {
            double wc = w_ ? static_cast<double>(w_[c]) : 1.0;
            if (!(wc >= 0.0) || !std::isfinite(wc))
                return fail(XENT_ERR_ARGUMENT, "class_weights: weight of class %lld is %g, must be finite and >= 0",
                            (long long)c, wc);
            weight_total_ += wc;
        }
        for (int64_t n = 0; n < layout_.sequences; ++n) {
            int64_t len = length(n);
            if (len < 0 || len > layout_.steps)
                return fail(XENT_ERR_ARGUMENT, "lengths: sequence %lld has length %lld, must be in [0, %lld]",
                            (long long)n, (long long)len, (long long)layout_.steps);
        }
        return XENT_OK;
    }

    // Pass 1, targets only: validates them and sums the MEAN divisor, before anything is written.
    void count_block(int64_t first, int64_t end, BlockSums& sums) const {
        for (int64_t pos = first; pos < end; ++pos) {
            double sp = s_ ? static_cast<double>(s_[pos]) : 1.0;
            if (s_ && !(sp >= 0.0 && std::isfinite(sp))) {
                note_bad(sums, pos, sp, true);
                continue;
            }
            int64_t raw = target_at(pos);
            if (excluded(pos, raw)) continue;
            int64_t c = raw - p_.index_base;
            if (c < 0 || c >= layout_.classes) {
                note_bad(sums, pos, static_cast<double>(raw), false);
                continue;
            }
            sums.weight += sp * (w_ ? static_cast<double>(w_[c]) : 1.0);
            sums.count += 1;
        }
    }

    // Pass 2: loss, metrics and (when asked) gradient of every position in [first, end).
    // `factor` is the reduced loss's dL/dl_p (upstream gradient * scale / divisor).
    void compute_block(int64_t first, int64_t end, double factor, BlockSums& sums) const {
        const int64_t inner = layout_.inner;
        for (int64_t pos = first; pos < end;) {
            int64_t o = pos / inner, i = pos % inner;
            int64_t width = std::min({kTile, end - pos, inner - i});
            compute_tile(o, i, width, factor, sums);
            pos += width;
        }
    }

    double weight_total() const { return weight_total_; }

private:
    int64_t target_at(int64_t pos) const {
        return p_.target_dtype == XENT_INT32 ? static_cast<const int32_t*>(target_)[pos]
                                             : static_cast<const int64_t*>(target_)[pos];
    }

    int64_t length(int64_t n) const {
        return p_.lengths_dtype == XENT_INT32 ? static_cast<const int32_t*>(lengths_)[n]
                                              : static_cast<const int64_t*>(lengths_)[n];
    }

    bool excluded(int64_t pos, int64_t raw) const {
        if (raw == p_.ignore_index) return true;
        return lengths_ != nullptr && pos % layout_.steps >= length(pos / layout_.steps);
    }

    static void note_bad(BlockSums& sums, int64_t pos, double value, bool is_weight) {
        if (sums.bad_position >= 0) return;
        sums.bad_position = pos;
        sums.bad_value = value;
        sums.bad_is_weight = is_weight;
    }

    void compute_tile(int64_t o, int64_t i0, int64_t width, double factor, BlockSums& sums) const {
        const int64_t C = layout_.classes, S = layout_.inner;
        const bool smoothing = eps_ > 0.0;
        const T* xb = x_ + o * C * S + i0;
        T* gb = grad_ ? grad_ + o * C * S + i0 : nullptr;
        const T neg_inf = -std::numeric_limits<T>::infinity();

        T m[kTile], xy[kTile];
        double sum[kTile], wx[kTile];
        int64_t cls[kTile], argmax[kTile];
        for (int64_t k = 0; k < width; ++k) {
            int64_t pos = o * S + i0 + k, raw = target_at(pos);
            cls[k] = excluded(pos, raw) ? -1 : raw - p_.index_base;
            m[k] = neg_inf;
            xy[k] = 0;
            sum[k] = 0.0;
            wx[k] = 0.0;
            argmax[k] = 0;
        }

        // Sweep 1: online max / sum of exponentials, arg-max, x_y, sum w_c x_c.
        for (int64_t c = 0; c < C; ++c) {
            const T* row = xb + c * S;
            const double wc = w_ ? static_cast<double>(w_[c]) : 1.0;
            for (int64_t k = 0; k < width; ++k) {
                const T v = row[k];
                if (v > m[k]) {
                    sum[k] = sum[k] * std::exp(m[k] - v) + 1.0;
                    m[k] = v;
                    argmax[k] = c;
                } else if (v != neg_inf) {  // -inf adds nothing; skipping it avoids -inf - -inf
                    sum[k] += std::exp(v - m[k]);
                }
                if (smoothing) wx[k] += wc * static_cast<double>(v);
                if (c == cls[k]) xy[k] = v;
            }
        }

        // Per position: loss, metrics, and the gradient's coefficients.
        double coef[kTile], hit[kTile], smooth[kTile];
        const double inv_classes = 1.0 / static_cast<double>(C);
        for (int64_t k = 0; k < width; ++k) {
            const int64_t pos = o * S + i0 + k;
            coef[k] = hit[k] = smooth[k] = 0.0;
            if (cls[k] < 0) {
                if (loss_out_) loss_out_[pos] = T(0);
                continue;
            }
            const double lse = static_cast<double>(m[k]) + std::log(sum[k]);
            const double wy = w_ ? static_cast<double>(w_[cls[k]]) : 1.0;
            const double sp = s_ ? static_cast<double>(s_[pos]) : 1.0;
            double l = -(1.0 - eps_) * wy * (static_cast<double>(xy[k]) - lse);
            if (smoothing) l -= eps_ * inv_classes * (wx[k] - lse * weight_total_);
            l *= sp;
            sums.loss += l;
            sums.correct += argmax[k] == cls[k];
            if (loss_out_) loss_out_[pos] = static_cast<T>(p_.scale * l);
            if (gb) {
                double f = factor;
                if (p_.reduction == XENT_REDUCTION_NONE)
                    f = p_.scale * (g_ ? static_cast<double>(g_[pos]) : 1.0);
                f *= sp;
                coef[k] = f * ((1.0 - eps_) * wy + eps_ * inv_classes * weight_total_) / sum[k];
                hit[k] = f * (1.0 - eps_) * wy;
                smooth[k] = f * eps_ * inv_classes;
            }
        }
        if (!gb) return;

        // Sweep 2: the gradient. Each element is read before it is written, so grad == input works.
        for (int64_t c = 0; c < C; ++c) {
            const T* row = xb + c * S;
            T* out = gb + c * S;
            const double wc = w_ ? static_cast<double>(w_[c]) : 1.0;
            for (int64_t k = 0; k < width; ++k) {
                if (cls[k] < 0) {
                    out[k] = T(0);
                    continue;
                }
                double g = coef[k] * std::exp(row[k] - m[k]) - smooth[k] * wc;
                if (c == cls[k]) g -= hit[k];
                out[k] = static_cast<T>(g);
            }
        }
    }

    const xent_problem& p_;
    const Layout& layout_;
    const T* x_;
    const void* target_;
    const T* w_;
    const T* s_;
    const void* lengths_;
    const T* g_;
    T* loss_out_;
    T* grad_;
    const double eps_;
    double weight_total_ = 0.0;
};

template <typename T>
int run(const Job& job, xent_result* result) {
    IndexLogitsKernel<T> kernel(job);
    int status = kernel.check_small_inputs();
    if (status != XENT_OK) return status;

    const Layout& layout = job.layout;
    const Blocks blocks = plan_blocks(layout.positions, layout.classes);
    std::vector<BlockSums> sums(static_cast<size_t>(blocks.count));

    // Targets are validated by a cheap pass (no logits read) so nothing is written on error.
    for_each_block(blocks, layout.positions, layout.positions, job.threads,
                   [&](int64_t b, int64_t first, int64_t end) { kernel.count_block(first, end, sums[b]); });
    double weight = 0.0;
    int64_t count = 0;
    for (const BlockSums& s : sums) {
        if (s.bad_position >= 0) {
            if (s.bad_is_weight)
                return fail(XENT_ERR_ARGUMENT, "sample_weights: weight at position %lld is %g, must be finite and >= 0",
                            (long long)s.bad_position, s.bad_value);
            return fail(XENT_ERR_TARGET, "target: value %lld at position %lld is outside [%lld, %lld) and is not the ignore index %lld",
                        (long long)s.bad_value, (long long)s.bad_position, (long long)job.problem->index_base,
                        (long long)(job.problem->index_base + layout.classes), (long long)job.problem->ignore_index);
        }
        weight += s.weight;
        count += s.count;
    }

    const xent_problem& p = *job.problem;
    double factor = p.scale * p.grad_output_scalar;
    if (p.reduction == XENT_REDUCTION_MEAN) factor = weight > 0.0 ? factor / weight : 0.0;

    for_each_block(blocks, layout.positions, layout.elements, job.threads,
                   [&](int64_t b, int64_t first, int64_t end) { kernel.compute_block(first, end, factor, sums[b]); });
    double loss = 0.0;
    int64_t correct = 0;
    for (const BlockSums& s : sums) {
        loss += s.loss;
        correct += s.correct;
    }
    loss *= p.scale;
    if (p.reduction == XENT_REDUCTION_MEAN) loss /= weight;  // 0/0 = NaN when nothing counts
    if (result) {
        result->loss = loss;
        result->weight_sum = weight;
        result->count = count;
        result->correct = correct;
    }
    return XENT_OK;
}

}  // namespace

int compute_index_logits(const Job& job, xent_result* result) {
    if (job.problem->dtype == XENT_FLOAT32) return run<float>(job, result);
    return run<double>(job, result);
}

}  // namespace xent
