// Cross-entropy over a class axis (INDEX or PROBABILITIES targets; LOGITS, PROBABILITIES or
// LOG_PROBABILITIES input), the scalar reference kernel: loss and gradient fused, no C-sized
// temporaries. It is the kernel of the scalar ISA and of the forms the vector kernels do not
// take (smoothing or soft targets with non-logits input), and the definition they follow.
// docs/semantics.md defines every formula used here.
//
// Each position has target coefficients a_c and the loss l = -s * sum_c a_c * log q_c, with
//   INDEX y:          a_c = (1-eps) w_y [c == y] + (eps/C) w_c
//   PROBABILITIES t:  a_c = w_c ((1-eps) t_c + eps/C)
// and, with A = sum_c a_c and f the gradient factor of the position,
//   LOGITS:            dl/dx_c = f s (A q_c - a_c)       (q = softmax(x), log q = (x - m) - log sum)
// For logits, a soft-cap c replaces every x by z = c tanh(x / c) first and multiplies the
// gradient by 1 - (z / c)^2; a z-loss lambda adds lambda s lse^2 (lse = m + log sum) and, to the
// gradient, f_z s 2 lambda lse q_c, with f_z the z part's own factor (its MEAN divides by sum s).
//   PROBABILITIES:     dl/dx_c = -f s a_c / max(x_c, 1e-12)   (log q = max(log x, -100))
//   LOG_PROBABILITIES: dl/dx_c = -f s a_c                 (log q = x)
// For logits the first sweep over a position's classes keeps a running max m and the sum of
// exp(x_c - m), rescaled whenever m grows (online softmax); the second writes the gradient. The
// other inputs need one sweep. Class axis 1 is walked as tiles of up to kTile neighbouring
// positions, so every sweep reads memory contiguously. Index targets without smoothing never touch
// log q of other classes, so a masked (-inf) class costs nothing, as in PyTorch.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "job.h"
#include "kernels/vector_kernels.h"
#include "xent.h"

namespace xent {

// What class_of() gives for a position that does not count, or (INDEX) whose target is out of
// range.
constexpr int64_t kExcluded = -1;
constexpr int64_t kInvalid = -2;

// The tensors of a class-target call, and what the form and the reference kernel read of them per
// position or class.
template <typename T>
struct ClassData {
    explicit ClassData(const Job& job)
        : p(job.problem),
          layout(job.layout),
          x(static_cast<const T*>(job.input)),
          target(job.target),
          w(static_cast<const T*>(job.class_weights)),
          s(static_cast<const T*>(job.sample_weights)),
          lengths(job.lengths),
          g(static_cast<const T*>(job.grad_output)),
          loss_out(static_cast<T*>(job.loss_out)),
          grad(static_cast<T*>(job.grad_input)),
          lse_out(static_cast<T*>(job.lse_out)) {}

    double weight(int64_t c) const { return w ? static_cast<double>(w[c]) : 1.0; }
    double sample_weight(int64_t pos) const { return s ? static_cast<double>(s[pos]) : 1.0; }

    // (Read once, whatever the compiler would like: another thread may be rewriting the targets.)
    int64_t target_index(int64_t pos) const {
        return p.target_dtype == XENT_INT32 ? __atomic_load_n(static_cast<const int32_t*>(target) + pos, __ATOMIC_RELAXED)
                                            : __atomic_load_n(static_cast<const int64_t*>(target) + pos, __ATOMIC_RELAXED);
    }

    int64_t length(int64_t n) const {
        return p.lengths_dtype == XENT_INT32 ? static_cast<const int32_t*>(lengths)[n] : static_cast<const int64_t*>(lengths)[n];
    }

    // INDEX: the position's class, kExcluded or kInvalid. PROBABILITIES: 0 or kExcluded.
    template <bool kIndex>
    int64_t class_of(int64_t pos) const {
        if (lengths != nullptr && pos % layout.steps >= length(pos / layout.steps)) return kExcluded;
        if constexpr (!kIndex) return 0;
        const int64_t raw = target_index(pos);
        if (raw == p.ignore_index) return kExcluded;
        const uint64_t c = static_cast<uint64_t>(raw) - static_cast<uint64_t>(p.index_base);  // below the base wraps high
        return c >= static_cast<uint64_t>(layout.classes) ? kInvalid : static_cast<int64_t>(c);
    }

    const xent_problem& p;
    const Layout& layout;
    const T* x;
    const void* target;
    const T* w;
    const T* s;
    const void* lengths;
    const T* g;
    T* loss_out;
    T* grad;
    T* lse_out;
};

template <typename T, int kTarget, int kInput>
class ClassReference {
    static constexpr bool kIndex = kTarget == XENT_TARGET_INDEX;
    static constexpr bool kLogits = kInput == XENT_INPUT_LOGITS;
    static constexpr int64_t kTile = 64;
    static constexpr double kLogFloor = -100.0;  // PyTorch's clamp of log(p)
    static constexpr double kDenominatorFloor = 1e-12;

public:
    ClassReference(const ClassData<T>& data, double weight_total, double z_factor)
        : d_(data),
          eps_(data.p.label_smoothing),
          eps_per_class_(eps_ > 0.0 ? eps_ / static_cast<double>(data.layout.classes) : 0.0),
          weight_total_(weight_total),
          z_loss_(data.p.z_loss),
          z_factor_(z_factor),
          cap_(data.p.softcap) {}

    // Loss, metrics and (when asked) gradient of every position in [first, end). `factor` is the
    // reduced loss's dL/dl_p (upstream gradient * scale / divisor).
    void compute_block(int64_t first, int64_t end, double factor, KernelSums& sums) const {
        const int64_t inner = d_.layout.inner;
        for (int64_t pos = first; pos < end;) {
            const int64_t o = pos / inner, i = pos % inner;
            const int64_t width = std::min({kTile, end - pos, inner - i});
            compute_tile(o, i, width, factor, sums);
            pos += width;
        }
    }

private:
    // log q_c and d(log q_c)/dx_c of a non-logits input.
    static double log_q(T v) {
        if constexpr (kInput == XENT_INPUT_PROBABILITIES) return std::max(std::log(static_cast<double>(v)), kLogFloor);
        return static_cast<double>(v);
    }
    static double dlog_q(T v) {
        if constexpr (kInput == XENT_INPUT_PROBABILITIES) return 1.0 / std::max(static_cast<double>(v), kDenominatorFloor);
        return 1.0;
    }

    // The logit as the loss sees it: x, or z = c tanh(x / c) with a soft-cap.
    T logit(T x) const { return cap_ > 0.0 ? static_cast<T>(cap_ * std::tanh(static_cast<double>(x) / cap_)) : x; }

    void compute_tile(int64_t o, int64_t i0, int64_t width, double factor, KernelSums& sums) const {
        const int64_t C = d_.layout.classes, S = d_.layout.inner;
        const bool smoothing = eps_ > 0.0;
        const int64_t base = o * C * S + i0;
        const T* xb = d_.x + base;
        const T* tb = kIndex ? nullptr : static_cast<const T*>(d_.target) + base;
        T* gb = d_.grad ? d_.grad + base : nullptr;
        const T neg_inf = -std::numeric_limits<T>::infinity();

        // Per position of the tile: class (or exclusion), gradient factor, sweep accumulators.
        int64_t cls[kTile], argmax[kTile], target_argmax[kTile];
        T m[kTile], best_target[kTile];
        double sum[kTile], f[kTile], f_z[kTile], at_y[kTile], weighted[kTile], a_total[kTile];
        for (int64_t k = 0; k < width; ++k) {
            const int64_t pos = o * S + i0 + k;
            cls[k] = d_.template class_of<kIndex>(pos);
            // Pass 1 found every target valid: one that is not now was rewritten during the call
            // by another thread. Such a position is excluded, so nothing is read through it.
            if (cls[k] == kInvalid) cls[k] = kExcluded;
            f[k] = f_z[k] = 0.0;
            if (cls[k] != kExcluded) {
                const bool none = d_.p.reduction == XENT_REDUCTION_NONE;
                const double upstream = d_.p.scale * (d_.g ? static_cast<double>(d_.g[pos]) : 1.0);
                f[k] = (none ? upstream : factor) * d_.sample_weight(pos);
                f_z[k] = (none ? upstream : z_factor_) * d_.sample_weight(pos);
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
            const double wc = d_.weight(c);
            for (int64_t k = 0; k < width; ++k) {
                const T v = kLogits ? logit(row[k]) : row[k];
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
                    const double wc = d_.weight(c);
                    for (int64_t k = 0; k < width; ++k) {
                        if (cls[k] == kExcluded) continue;
                        const double a = kIndex ? wc : wc * ((1.0 - eps_) * static_cast<double>(tb[c * S + k]) + eps_per_class_);
                        weighted[k] += a * (static_cast<double>(logit(row[k])) - static_cast<double>(m[k]));
                    }
                }
            }
        }

        // Per position: loss and metrics; for logits, the gradient's coefficient of q_c.
        double coef[kTile];
        for (int64_t k = 0; k < width; ++k) {
            const int64_t pos = o * S + i0 + k;
            coef[k] = 0.0;
            if constexpr (kLogits) {
                if (d_.lse_out) d_.lse_out[pos] = static_cast<T>(static_cast<double>(m[k]) + std::log(sum[k]));
            }
            if (cls[k] == kExcluded) {
                if (d_.loss_out) d_.loss_out[pos] = T(0);
                continue;
            }
            double l;
            if constexpr (kLogits) {
                // log q_y = (x_y - m) - log sum, in that order (PyTorch's): with m + log sum first,
                // logits of 1e17 would lose the log sum.
                const double log_sum = std::log(sum[k]);
                if constexpr (kIndex) {
                    const double wy = d_.weight(cls[k]);
                    l = -(1.0 - eps_) * wy * ((at_y[k] - static_cast<double>(m[k])) - log_sum);
                    if (smoothing) l -= eps_per_class_ * (weighted[k] - log_sum * weight_total_);
                    coef[k] = f[k] * ((1.0 - eps_) * wy + eps_per_class_ * weight_total_) / sum[k];
                } else {
                    l = -(weighted[k] - a_total[k] * log_sum);
                    coef[k] = f[k] * a_total[k] / sum[k];
                }
                if (z_loss_ > 0.0) {
                    const double lse = static_cast<double>(m[k]) + log_sum;
                    const double z_term = z_loss_ * d_.sample_weight(pos) * lse * lse;
                    sums.z += z_term;
                    if (d_.loss_out) d_.loss_out[pos] = static_cast<T>(d_.p.scale * (l * d_.sample_weight(pos) + z_term));
                    coef[k] += f_z[k] * 2.0 * z_loss_ * lse / sum[k];
                }
            } else if constexpr (kIndex) {
                l = -(1.0 - eps_) * d_.weight(cls[k]) * at_y[k];
                if (smoothing) l -= eps_per_class_ * weighted[k];
            } else {
                l = -weighted[k];
            }
            l *= d_.sample_weight(pos);
            sums.loss += l;
            sums.correct += argmax[k] == (kIndex ? cls[k] : target_argmax[k]);
            if (d_.loss_out && !(kLogits && z_loss_ > 0.0)) d_.loss_out[pos] = static_cast<T>(d_.p.scale * l);
        }
        if (!kLogits || !gb) return;

        // Sweep 2 (logits): the gradient. Each element is read before it is written, so
        // grad == input works.
        for (int64_t c = 0; c < C; ++c) {
            const T* row = xb + c * S;
            T* out = gb + c * S;
            const double wc = d_.weight(c);
            for (int64_t k = 0; k < width; ++k) {
                if (cls[k] == kExcluded) {
                    out[k] = T(0);
                    continue;
                }
                const T z = logit(row[k]);
                // d z / d x of the soft-cap, 1 - tanh^2, or 1 without one.
                // (z / c against the cap in T, as z was rounded: a saturated z gives 0, never below.)
                const double t = cap_ > 0.0 ? static_cast<double>(z) / static_cast<double>(static_cast<T>(cap_)) : 0.0;
                const double cap_slope = std::max(0.0, 1.0 - t * t);
                const double q_part = coef[k] * std::exp(z - m[k]);
                if (kIndex && !smoothing && c != cls[k]) {  // a_c = 0: no f * a term (inf * 0 would be NaN)
                    out[k] = static_cast<T>(cap_ > 0.0 ? q_part * cap_slope : q_part);
                    continue;
                }
                double a;
                if constexpr (kIndex) {
                    a = eps_per_class_ * wc + (c == cls[k] ? (1.0 - eps_) * wc : 0.0);
                } else {
                    a = wc * ((1.0 - eps_) * static_cast<double>(tb[c * S + k]) + eps_per_class_);
                }
                out[k] = static_cast<T>(cap_ > 0.0 ? (q_part - f[k] * a) * cap_slope : q_part - f[k] * a);
            }
        }
    }

    const ClassData<T>& d_;
    const double eps_;
    const double eps_per_class_;
    const double weight_total_;
    const double z_loss_;
    const double z_factor_;
    const double cap_;
};

}  // namespace xent
