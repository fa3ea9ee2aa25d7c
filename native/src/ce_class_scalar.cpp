// Cross-entropy over a class axis (INDEX or PROBABILITIES targets; LOGITS, PROBABILITIES or
// LOG_PROBABILITIES input), portable scalar version: loss and gradient fused, no C-sized
// temporaries. docs/semantics.md defines every formula used here.
//
// Each position has target coefficients a_c and the loss l = -s * sum_c a_c * log q_c, with
//   INDEX y:          a_c = (1-eps) w_y [c == y] + (eps/C) w_c
//   PROBABILITIES t:  a_c = w_c ((1-eps) t_c + eps/C)
// and, with A = sum_c a_c and f the gradient factor of the position,
//   LOGITS:            dl/dx_c = f s (A q_c - a_c)       (q = softmax(x), log q = x - lse)
//   PROBABILITIES:     dl/dx_c = -f s a_c / max(x_c, 1e-12)   (log q = max(log x, -100))
//   LOG_PROBABILITIES: dl/dx_c = -f s a_c                 (log q = x)
// For logits the first sweep over a position's classes keeps a running max m and the sum of
// exp(x_c - m), rescaled whenever m grows (online softmax); the second writes the gradient. The
// other inputs need one sweep. Class axis 1 is walked as tiles of up to kTile neighbouring
// positions, so every sweep reads memory contiguously. Index targets without smoothing never touch
// log q of other classes, so a masked (-inf) class costs nothing, as in PyTorch.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "blocks.h"
#include "ce_logits.h"
#include "error.h"
#include "isa.h"
#include "job.h"
#include "reduce.h"

namespace xent {

namespace {

// eps / C, without the division when there is no smoothing (a small call's fixed cost counts).
inline double per_class(double eps, int64_t classes) {
    return eps > 0.0 ? eps / static_cast<double>(classes) : 0.0;
}

}  // namespace

// The call as the vectorised kernels take it (job.h).
LogitsJob logits_job(const Job& job, double weight_total) {
    const xent_problem& p = job.problem;
    LogitsJob j;
    j.classes = job.layout.classes;
    j.inner = job.layout.inner;
    j.steps = job.layout.steps;
    j.input = job.input;
    j.target = job.target;
    j.class_weights = job.class_weights;
    j.sample_weights = job.sample_weights;
    j.lengths = job.lengths;
    j.grad_output = job.grad_output;
    j.loss_out = job.loss_out;
    j.grad = job.grad_input;
    j.ignore_index = p.ignore_index;
    j.index_base = p.index_base;
    j.eps = p.label_smoothing;
    j.eps_per_class = per_class(p.label_smoothing, job.layout.classes);
    j.weight_total = weight_total;
    j.scale = p.scale;
    j.index_targets = p.target_kind == XENT_TARGET_INDEX;
    j.input_logits = p.input_kind == XENT_INPUT_LOGITS;
    j.input_probabilities = p.input_kind == XENT_INPUT_PROBABILITIES;
    j.target_int32 = p.target_dtype == XENT_INT32;
    j.lengths_int32 = p.lengths_dtype == XENT_INT32;
    j.reduction_none = p.reduction == XENT_REDUCTION_NONE;
    return j;
}

namespace {

constexpr int64_t kTile = 64;
constexpr double kLogFloor = -100.0;      // PyTorch's clamp of log(p)
constexpr double kDenominatorFloor = 1e-12;

// What one block of positions contributes; summed in block order afterwards.
struct BlockSums {
    double loss = 0.0;
    double weight = 0.0;
    int64_t count = 0;
    int64_t correct = 0;
    int64_t bad_position = -1;  // first position whose target or sample weight is invalid
    double bad_weight = 0.0;     // its sample weight, or
    int64_t bad_target = 0;      // its target (an int64 printed through a double would lose digits)
    bool bad_is_weight = false;
};

template <typename T, int kTarget, int kInput>
class ClassKernel {
    static constexpr bool kIndex = kTarget == XENT_TARGET_INDEX;
    static constexpr bool kLogits = kInput == XENT_INPUT_LOGITS;

public:
    explicit ClassKernel(const Job& job)
        : p_(job.problem),
          layout_(job.layout),
          x_(static_cast<const T*>(job.input)),
          target_(job.target),
          w_(static_cast<const T*>(job.class_weights)),
          s_(static_cast<const T*>(job.sample_weights)),
          lengths_(job.lengths),
          g_(static_cast<const T*>(job.grad_output)),
          loss_out_(static_cast<T*>(job.loss_out)),
          grad_(static_cast<T*>(job.grad_input)),
          eps_(p_.label_smoothing),
          eps_per_class_(per_class(p_.label_smoothing, job.layout.classes)) {}

    // Checks the small per-class and per-sequence inputs; returns a status.
    int check_small_inputs() {
        weight_total_ = 0.0;
        if (w_ == nullptr) weight_total_ = static_cast<double>(layout_.classes);  // every weight 1
        for (int64_t c = 0; w_ != nullptr && c < layout_.classes; ++c) {
            double wc = weight(c);
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

    // Pass 1, no input read: validates targets and sample weights and sums the MEAN divisor,
    // before anything is written.
    void count_block(int64_t first, int64_t end, BlockSums& sums) const {
        if constexpr (kIndex) {
            // The common case, plain index targets: no branch and no chain of double adds per
            // position (a position's weight is 1, so the sum is the count).
            if (s_ == nullptr && w_ == nullptr && lengths_ == nullptr) {
                const bool counted = p_.target_dtype == XENT_INT32
                                         ? count_plain(static_cast<const int32_t*>(target_), first, end, sums)
                                         : count_plain(static_cast<const int64_t*>(target_), first, end, sums);
                if (counted) return;  // else a target is out of range: the loop below finds the first
            }
        }
        // Local accumulators: summing into `sums` directly chains every position through memory.
        double weight_sum = 0.0;
        int64_t count = 0;
        for (int64_t pos = first; pos < end; ++pos) {
            double sp = sample_weight(pos);
            if (s_ && !(sp >= 0.0 && std::isfinite(sp))) {
                note_bad(sums, pos, sp, 0, true);
                continue;
            }
            int64_t cls = class_of(pos);
            if (cls == kExcluded) continue;
            if (cls == kInvalid) {
                note_bad(sums, pos, 0.0, target_index(pos), false);
                continue;
            }
            weight_sum += kIndex ? sp * weight(cls) : sp;
            count += 1;
        }
        sums.weight += weight_sum;
        sums.count += count;
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
    // count_block for index targets without weights or lengths; false (and nothing counted) when
    // a target is out of range. Out of line: inlined into run(), its counters lived on the stack.
    template <typename I>
    __attribute__((noinline)) bool count_plain(const I* target, int64_t first, int64_t end, BlockSums& sums) const {
        const int64_t ignore = p_.ignore_index;
        const uint64_t base = static_cast<uint64_t>(p_.index_base), classes = static_cast<uint64_t>(layout_.classes);
        // Count the ignored targets and those outside [base, base + C) (below the base wraps
        // high): every ignored one is outside too exactly when the ignore index is, and any other
        // outside target is bad. Two counters keep the loop short; the vector kernels count a
        // vector of targets at a time.
        int64_t ignored = 0, outside = 0;
        if (const LogitsKernels* simd = logits_kernels()) {
            const CountIndexFn count = sizeof(I) == 4 ? simd->count_i32 : simd->count_i64;
            count(target, first, end, ignore, p_.index_base, layout_.classes, &ignored, &outside);
        } else {
            for (int64_t pos = first; pos < end; ++pos) {
                const int64_t raw = target[pos];
                ignored += raw == ignore;
                outside += static_cast<uint64_t>(raw) - base >= classes;
            }
        }
        const bool ignore_outside = static_cast<uint64_t>(ignore) - base >= classes;
        if (outside != (ignore_outside ? ignored : 0)) return false;
        const int64_t count = end - first - ignored;
        sums.weight += static_cast<double>(count);
        sums.count += count;
        return true;
    }

    static constexpr int64_t kExcluded = -1;
    static constexpr int64_t kInvalid = -2;

    double weight(int64_t c) const { return w_ ? static_cast<double>(w_[c]) : 1.0; }
    double sample_weight(int64_t pos) const { return s_ ? static_cast<double>(s_[pos]) : 1.0; }

    // (Read once, whatever the compiler would like: another thread may be rewriting the targets.)
    int64_t target_index(int64_t pos) const {
        return p_.target_dtype == XENT_INT32 ? __atomic_load_n(static_cast<const int32_t*>(target_) + pos, __ATOMIC_RELAXED)
                                             : __atomic_load_n(static_cast<const int64_t*>(target_) + pos, __ATOMIC_RELAXED);
    }

    int64_t length(int64_t n) const {
        return p_.lengths_dtype == XENT_INT32 ? static_cast<const int32_t*>(lengths_)[n]
                                              : static_cast<const int64_t*>(lengths_)[n];
    }

    // INDEX: the position's class, kExcluded or kInvalid. PROBABILITIES: 0 or kExcluded.
    int64_t class_of(int64_t pos) const {
        if (lengths_ != nullptr && pos % layout_.steps >= length(pos / layout_.steps)) return kExcluded;
        if constexpr (!kIndex) return 0;
        int64_t raw = target_index(pos);
        if (raw == p_.ignore_index) return kExcluded;
        int64_t c = raw - p_.index_base;
        return (c < 0 || c >= layout_.classes) ? kInvalid : c;
    }

    static void note_bad(BlockSums& sums, int64_t pos, double weight, int64_t target, bool is_weight) {
        if (sums.bad_position >= 0) return;
        sums.bad_position = pos;
        sums.bad_weight = weight;
        sums.bad_target = target;
        sums.bad_is_weight = is_weight;
    }

    // log q_c and d(log q_c)/dx_c of a non-logits input.
    static double log_q(T v) {
        if constexpr (kInput == XENT_INPUT_PROBABILITIES) return std::max(std::log(static_cast<double>(v)), kLogFloor);
        return static_cast<double>(v);
    }
    static double dlog_q(T v) {
        if constexpr (kInput == XENT_INPUT_PROBABILITIES) return 1.0 / std::max(static_cast<double>(v), kDenominatorFloor);
        return 1.0;
    }

    void compute_tile(int64_t o, int64_t i0, int64_t width, double factor, BlockSums& sums) const {
        const int64_t C = layout_.classes, S = layout_.inner;
        const bool smoothing = eps_ > 0.0;
        const int64_t base = o * C * S + i0;
        const T* xb = x_ + base;
        const T* tb = kIndex ? nullptr : static_cast<const T*>(target_) + base;
        T* gb = grad_ ? grad_ + base : nullptr;
        const T neg_inf = -std::numeric_limits<T>::infinity();

        // Per position of the tile: class (or exclusion), gradient factor, sweep accumulators.
        int64_t cls[kTile], argmax[kTile], target_argmax[kTile];
        T m[kTile], best_target[kTile];
        double sum[kTile], f[kTile], at_y[kTile], weighted[kTile], a_total[kTile];
        for (int64_t k = 0; k < width; ++k) {
            const int64_t pos = o * S + i0 + k;
            cls[k] = class_of(pos);
            // Pass 1 found every target valid: one that is not now was rewritten during the call
            // by another thread. Such a position is excluded, so nothing is read through it.
            if (cls[k] == kInvalid) cls[k] = kExcluded;
            f[k] = 0.0;
            if (cls[k] != kExcluded) {
                f[k] = p_.reduction == XENT_REDUCTION_NONE ? p_.scale * (g_ ? static_cast<double>(g_[pos]) : 1.0) : factor;
                f[k] *= sample_weight(pos);
            }
            m[k] = best_target[k] = neg_inf;
            argmax[k] = target_argmax[k] = 0;
            sum[k] = at_y[k] = weighted[k] = a_total[k] = 0.0;
        }

        // Sweep 1. at_y: x_y or log q_y (INDEX). weighted (other inputs than logits): sum w_c log q_c
        // (INDEX with smoothing) or sum a_c log q_c (PROBABILITIES). a_total: A (PROBABILITIES).
        for (int64_t c = 0; c < C; ++c) {
            const T* row = xb + c * S;
            T* out = gb ? gb + c * S : nullptr;
            const double wc = weight(c);
            for (int64_t k = 0; k < width; ++k) {
                const T v = row[k];
                if constexpr (kLogits) {
                    if (v > m[k]) {
                        sum[k] = sum[k] * std::exp(m[k] - v) + 1.0;
                        m[k] = v;
                        argmax[k] = c;
                    } else if (v != neg_inf) {  // -inf adds nothing; skipping it avoids -inf - -inf
                        sum[k] += std::exp(v - m[k]);
                    }
                } else if (v > m[k]) {
                    m[k] = v;
                    argmax[k] = c;
                }
                if (cls[k] == kExcluded) {
                    if (out) out[k] = T(0);
                    continue;
                }
                double a;  // a_c, this class's coefficient
                if constexpr (kIndex) {
                    a = eps_per_class_ * wc;
                    if (c == cls[k]) {
                        a += (1.0 - eps_) * wc;
                        at_y[k] = kLogits ? static_cast<double>(v) : log_q(v);
                    }
                    if (smoothing && !kLogits) weighted[k] += wc * log_q(v);
                } else {
                    const T t = tb[c * S + k];
                    if (t > best_target[k]) {
                        best_target[k] = t;
                        target_argmax[k] = c;
                    }
                    a = wc * ((1.0 - eps_) * static_cast<double>(t) + eps_per_class_);
                    if constexpr (!kLogits) weighted[k] += a * log_q(v);
                    a_total[k] += a;
                }
                if constexpr (!kLogits) {
                    if (out) out[k] = static_cast<T>(-f[k] * a * dlog_q(v));
                }
            }
        }

        // Logits: the weighted sums measured from the row's max, sum a_c (x_c - m), so that the loss
        // never subtracts two large numbers (the SIMD kernels keep them so as they go).
        if constexpr (kLogits) {
            if (smoothing || !kIndex) {
                for (int64_t c = 0; c < C; ++c) {
                    const T* row = xb + c * S;
                    const double wc = weight(c);
                    for (int64_t k = 0; k < width; ++k) {
                        if (cls[k] == kExcluded) continue;
                        const double a = kIndex ? wc : wc * ((1.0 - eps_) * static_cast<double>(tb[c * S + k]) + eps_per_class_);
                        weighted[k] += a * (static_cast<double>(row[k]) - static_cast<double>(m[k]));
                    }
                }
            }
        }

        // Per position: loss and metrics; for logits, the gradient's coefficient of q_c.
        double coef[kTile];
        for (int64_t k = 0; k < width; ++k) {
            const int64_t pos = o * S + i0 + k;
            coef[k] = 0.0;
            if (cls[k] == kExcluded) {
                if (loss_out_) loss_out_[pos] = T(0);
                continue;
            }
            double l;
            if constexpr (kLogits) {
                // log q_y = (x_y - m) - log sum, in that order (PyTorch's): with m + log sum first,
                // logits of 1e17 would lose the log sum.
                const double log_sum = std::log(sum[k]);
                if constexpr (kIndex) {
                    const double wy = weight(cls[k]);
                    l = -(1.0 - eps_) * wy * ((at_y[k] - static_cast<double>(m[k])) - log_sum);
                    if (smoothing) l -= eps_per_class_ * (weighted[k] - log_sum * weight_total_);
                    coef[k] = f[k] * ((1.0 - eps_) * wy + eps_per_class_ * weight_total_) / sum[k];
                } else {
                    l = -(weighted[k] - a_total[k] * log_sum);
                    coef[k] = f[k] * a_total[k] / sum[k];
                }
            } else if constexpr (kIndex) {
                l = -(1.0 - eps_) * weight(cls[k]) * at_y[k];
                if (smoothing) l -= eps_per_class_ * weighted[k];
            } else {
                l = -weighted[k];
            }
            l *= sample_weight(pos);
            sums.loss += l;
            sums.correct += argmax[k] == (kIndex ? cls[k] : target_argmax[k]);
            if (loss_out_) loss_out_[pos] = static_cast<T>(p_.scale * l);
        }
        if (!kLogits || !gb) return;

        // Sweep 2 (logits): the gradient. Each element is read before it is written, so
        // grad == input works.
        for (int64_t c = 0; c < C; ++c) {
            const T* row = xb + c * S;
            T* out = gb + c * S;
            const double wc = weight(c);
            for (int64_t k = 0; k < width; ++k) {
                if (cls[k] == kExcluded) {
                    out[k] = T(0);
                    continue;
                }
                const double q_part = coef[k] * std::exp(row[k] - m[k]);
                if (kIndex && !smoothing && c != cls[k]) {  // a_c = 0: no f * a term (inf * 0 would be NaN)
                    out[k] = static_cast<T>(q_part);
                    continue;
                }
                double a;
                if constexpr (kIndex) {
                    a = eps_per_class_ * wc + (c == cls[k] ? (1.0 - eps_) * wc : 0.0);
                } else {
                    a = wc * ((1.0 - eps_) * static_cast<double>(tb[c * S + k]) + eps_per_class_);
                }
                out[k] = static_cast<T>(q_part - f[k] * a);
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
    const double eps_per_class_;
    double weight_total_ = 0.0;
};


template <typename T, int kTarget, int kInput>
int run(const Job& job, xent_result* result) {
    ClassKernel<T, kTarget, kInput> kernel(job);
    int status = kernel.check_small_inputs();
    if (status != XENT_OK) return status;

    const Layout& layout = job.layout;
    const xent_problem& p = job.problem;
    // Class axis 1: blocks of whole 64-position groups, so vector tiles never straddle blocks.
    const Blocks blocks = plan_blocks(layout.positions, layout.classes, layout.inner > 1 ? 64 : 1);
    // A one-block call keeps its sums on the stack: no allocation per call. (One slot: it is
    // zeroed on every call, and calls of more blocks have work enough to amortise a vector.)
    constexpr int64_t kLocalBlocks = 1;
    BlockSums local[kLocalBlocks];
    std::vector<BlockSums> heap(blocks.count > kLocalBlocks ? static_cast<size_t>(blocks.count) : 0);
    BlockSums* sums = blocks.count > kLocalBlocks ? heap.data() : local;

    for_each_block(blocks, layout.positions, layout.positions, job.threads,
                   [&](int64_t b, int64_t first, int64_t end) { kernel.count_block(first, end, sums[b]); });
    double weight = 0.0;
    int64_t count = 0;
    for (int64_t b = 0; b < blocks.count; ++b) {
        const BlockSums& s = sums[b];
        if (s.bad_position >= 0) {
            if (s.bad_is_weight)
                return fail(XENT_ERR_ARGUMENT, "sample_weights: weight at position %lld is %g, must be finite and >= 0",
                            (long long)s.bad_position, s.bad_weight);
            return fail(XENT_ERR_TARGET, "target: value %lld at position %lld is outside [%lld, %lld) and is not the ignore index %lld",
                        (long long)s.bad_target, (long long)s.bad_position, (long long)p.index_base,
                        (long long)(p.index_base + layout.classes), (long long)p.ignore_index);
        }
        weight += s.weight;
        count += s.count;
    }

    const double factor = reduced_factor(p, weight);

    // Logits go to the vectorised kernels of the current instruction set, when there are any, and
    // so do (log-)probabilities with plain index targets (nll_loss).
    const bool nll = kInput != XENT_INPUT_LOGITS && kTarget == XENT_TARGET_INDEX && p.label_smoothing == 0.0;
    const LogitsKernels* simd = (kInput == XENT_INPUT_LOGITS || nll) && layout.classes < (int64_t(1) << 31) ? logits_kernels() : nullptr;
    if (simd == nullptr) {
        for_each_block(blocks, layout.positions, layout.elements, job.threads,
                       [&](int64_t b, int64_t first, int64_t end) { kernel.compute_block(first, end, factor, sums[b]); });
    } else {
        const LogitsJob lj = logits_job(job, kernel.weight_total());
        const bool f32 = sizeof(T) == 4;
        const int64_t lanes = f32 ? simd->lanes_f32 : simd->lanes_f64;
        const LogitsRowsFn rows = nll ? (f32 ? simd->nll_rows_f32 : simd->nll_rows_f64) : (f32 ? simd->rows_f32 : simd->rows_f64);
        const LogitsTileFn tile = nll ? (f32 ? simd->nll_tile_f32 : simd->nll_tile_f64) : (f32 ? simd->tile_f32 : simd->tile_f64);
        for_each_block(blocks, layout.positions, layout.elements, job.threads, [&](int64_t b, int64_t first, int64_t end) {
            LogitsSums ls{0.0, 0};
            if (layout.inner == 1) {
                rows(lj, first, end, factor, &ls);
            } else {
                // Vectors of neighbouring positions; the last of a row of inner may be partial.
                for (int64_t pos = first; pos < end;) {
                    const int64_t o = pos / layout.inner, i = pos % layout.inner;
                    const int64_t width = std::min({lanes, end - pos, layout.inner - i});
                    tile(lj, o, i, static_cast<int>(width), factor, &ls);
                    pos += width;
                }
            }
            sums[b].loss += ls.loss;
            sums[b].correct += ls.correct;
        });
    }
    double loss = 0.0;
    int64_t correct = 0;
    for (int64_t b = 0; b < blocks.count; ++b) {
        const BlockSums& s = sums[b];
        loss += s.loss;
        correct += s.correct;
    }
    write_result(p, loss, weight, count, correct, result);
    return XENT_OK;
}

template <typename T, int kTarget>
int run_input(const Job& job, xent_result* result) {
    switch (job.problem.input_kind) {
        case XENT_INPUT_LOGITS: return run<T, kTarget, XENT_INPUT_LOGITS>(job, result);
        case XENT_INPUT_PROBABILITIES: return run<T, kTarget, XENT_INPUT_PROBABILITIES>(job, result);
        default: return run<T, kTarget, XENT_INPUT_LOG_PROBABILITIES>(job, result);
    }
}

template <typename T>
int run_target(const Job& job, xent_result* result) {
    if (job.problem.target_kind == XENT_TARGET_INDEX) return run_input<T, XENT_TARGET_INDEX>(job, result);
    return run_input<T, XENT_TARGET_PROBABILITIES>(job, result);
}

}  // namespace

int compute_class(const Job& job, xent_result* result) {
    if (job.problem.dtype == XENT_FLOAT32) return run_target<float>(job, result);
    return run_target<double>(job, result);
}

}  // namespace xent
