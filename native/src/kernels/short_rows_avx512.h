// Class-last float32 rows of at most 16 classes, 16 rows per step, for AVX-512 only (included by
// kernels/table_avx512.cpp before the table). This is the small-call path: a
// trainer's 32x10 step is two steps of this loop and nothing else.
//
// The 16 rows are loaded with masked loads (never past a row, never past the last row) and
// transposed in registers, so that vector c holds class c of every row. From there it is the
// arithmetic of tile<..., kGather> with the plain options folded in, but with every class vector
// in a register: C is a template constant (one instance per class count, select_short_rows), so the
// loops over classes unroll to exactly C steps and all 16 vectors stay in registers, where the
// generic tile stages them through memory and splits its double vectors with spills. The per-row
// numbers in double are two 8-lane halves. Rows past the end of the call are computed as
// excluded rows and never stored.
//
// Plain INDEX targets only, with or without a z-loss: class weights, label smoothing, sequence
// lengths and the soft-cap take the generic tile, which handles every option.
#pragma once

// First: opened alone, this header takes the AVX-512 instruction set from it.
#include "vec/avx512.h"

#include <immintrin.h>

#include <cstdint>

#include "kernels/class_last.h"
#include "kernels/job_access.h"
#include "kernels/vector_kernels.h"
#include "vec/math.h"

namespace xent {
namespace XENT_ISA {

// Fewer rows than this, in a call or left after its whole steps, go one at a time
// (short_rows_singly): four rows one at a time already cost what a step does (docs/design.md).
constexpr int64_t kShortRowsMin = 4;

// True when short_rows() handles the call.
inline bool short_rows_apply(const KernelJob& j) {
    return j.classes <= 16 && j.index_targets && j.class_weights == nullptr && j.eps == 0.0 && j.lengths == nullptr &&
           j.softcap == 0.0;
}

// `total` floats from an aligned buffer to `out`. No masked loads or stores reach past the end of
// a caller's buffer anywhere in this file: on AMD a masked access whose masked-off lanes overlap
// stores still in flight (another buffer's, just written) waits for them, which cost more than
// the whole step. So the last vector is a whole one ending exactly at `total`, overlapping the one
// before, and fewer than 16 floats go one by one. (No plain loop of vector copies either: GCC
// turns that into a call to memcpy.)
inline void copy_out(const float* buffer, float* out, int total) {
    if (total < 16) {
        for (int k = 0; k < total; ++k) out[k] = buffer[k];
        return;
    }
    int k = 0;
    for (; k + 16 < total; k += 16) _mm512_mask_storeu_ps(out + k, __mmask16(0xffff), _mm512_load_ps(buffer + k));
    _mm512_storeu_ps(out + total - 16, _mm512_loadu_ps(buffer + total - 16));
}

// The 16 per-row values at p for a step of n rows: p itself when n == 16, else a zero-padded
// copy of its n values in `local` (see copy_out for why not a masked load).
template <typename E>
inline const E* step_values(const E* p, int n, E* local) {
    if (n == 16) return p;
    for (int l = 0; l < 16; ++l) local[l] = l < n ? p[l] : E(0);
    return local;
}

// log of 8 sums of float exps (each >= 1: it holds exp(0)), shorter than vlog_reg because the
// step waits on it: x = 2^k m with m in [0.75, 1.5) from getmant/getexp (exact), log m =
// 2 atanh(s), s = (m - 1) / (m + 1), |s| <= 0.2, as an odd series to s^15 (error below 2e-13,
// far inside what float32 logits carry) evaluated in Estrin's order. Lanes outside (0, inf) get
// libm's answer.
__attribute__((always_inline)) inline RegD log_of_sums(RegD x) {
    const __m512d xv = (__m512d)x;
    const __m512d m = _mm512_getmant_pd(xv, _MM_MANT_NORM_p75_1p5, _MM_MANT_SIGN_src);
    const RegD k = (RegD)_mm512_sub_pd(_mm512_getexp_pd(xv), _mm512_getexp_pd(m));
    const RegD s = ((RegD)m - 1.0) / ((RegD)m + 1.0), z = s * s, z2 = z * z;
    const RegD p01 = z * (1.0 / 3) + 1.0, p23 = z * (1.0 / 7) + 1.0 / 5;
    const RegD p45 = z * (1.0 / 11) + 1.0 / 9, p67 = z * (1.0 / 15) + 1.0 / 13;
    const RegD p = (p67 * z2 + p45) * (z2 * z2) + (p23 * z2 + p01);
    RegD out = k * 0.6931471805599453 + 2.0 * s * p;
    const __mmask8 normal = _mm512_cmp_pd_mask(xv, _mm512_setzero_pd(), _CMP_GT_OQ) &
                            _mm512_cmp_pd_mask(xv, _mm512_set1_pd(__builtin_inf()), _CMP_LT_OQ);
    if (normal != 0xff) log_lanes(x, (RegL)_mm512_movm_epi64(normal), out);
    return out;
}

// Rows one at a time, each in one register with its lanes >= C at -inf: the path of calls too
// small for a step, and of the rows left after a call's whole steps. Every access stays inside the
// rows [first, end), masked-off lanes included (see copy_out for why): a row with 16 floats after
// its start is one plain load, the last rows come from the vector that ends at `end`, moved down,
// and their gradients go back into that vector's place. Only rows that hold fewer than 16 floats in
// all (a tiny call, or a call's small last block) reach past their end, with masked-off lanes.
template <bool kGrad>
void short_rows_singly(const KernelJob& j, int64_t first, int64_t end, double factor, KernelSums* sums) {
    const int C = static_cast<int>(j.classes);
    const __mmask16 class_mask = static_cast<__mmask16>((1u << C) - 1);
    const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const __m512 neg_inf = _mm512_set1_ps(-__builtin_inff());
    const __m512 lowest = _mm512_set1_ps(Simd<float>::kLowest);
    const float* input = static_cast<const float*>(j.input);
    const float* rows_end = input + end * C;
    // Whether these rows hold a whole vector. (Only these: with threads, rows before `first` may be
    // another thread's, and with an in-place gradient it may be writing them.)
    const bool whole_vector = (end - first) * C >= 16;
    // The row's C lanes at g, `left` floats before the rows end: masked-off lanes stay inside the
    // rows (after the row, or for the last rows before it, in the vector that ends with them).
    auto store_row = [&](float* g, __m512 row, int64_t left) {
        if (left >= 16 || !whole_vector) {
            _mm512_mask_storeu_ps(g, class_mask, row);
        } else {
            const int at = static_cast<int>(16 - left);  // the row's first lane in that vector
            const __m512i from = _mm512_sub_epi32(lane, _mm512_set1_epi32(at));
            _mm512_mask_storeu_ps(g + left - 16, static_cast<__mmask16>(class_mask << at), _mm512_permutexvar_ps(from, row));
        }
    };
    double loss_total = 0.0, z_total = 0.0;
    int64_t correct = 0;
    for (int64_t r = first; r < end; ++r) {
        const float* x = input + r * C;
        float* g = kGrad ? static_cast<float*>(j.grad) + r * C : nullptr;
        const int64_t raw = target_index(j, r);
        const uint64_t shifted = static_cast<uint64_t>(raw) - static_cast<uint64_t>(j.index_base);
        // (A target outside [0, C) was rewritten since pass 1: excluded, as in class_of.)
        if (raw == j.ignore_index || shifted >= static_cast<uint64_t>(C)) {
            if (j.loss_out) static_cast<float*>(j.loss_out)[r] = 0.0f;
            if (kGrad) store_row(g, _mm512_setzero_ps(), rows_end - x);
            continue;
        }
        const int cls = static_cast<int>(shifted);
        const float xy = x[cls];  // before an in-place gradient overwrites it
        __m512 v;
        if (rows_end - x >= 16) {
            v = _mm512_loadu_ps(x);
        } else if (whole_vector) {
            const __m512i shift = _mm512_add_epi32(lane, _mm512_set1_epi32(static_cast<int>(16 - (rows_end - x))));
            v = _mm512_permutexvar_ps(shift, _mm512_loadu_ps(rows_end - 16));
        } else {
            v = _mm512_maskz_loadu_ps(class_mask, x);
        }
        v = _mm512_mask_mov_ps(neg_inf, class_mask, v);
        // The max skips NaN (max_ps returns its second operand for a NaN) and starts at the lowest
        // float, as vmax does from m = kLowest.
        const float m = _mm512_reduce_max_ps(_mm512_max_ps(v, lowest));
        const __m512 e = (__m512)vexp<float, true>((Simd<float>::V)_mm512_sub_ps(v, _mm512_set1_ps(m)));
        const double sum = _mm512_reduce_add_pd(_mm512_add_pd(_mm512_cvtps_pd(_mm512_castps512_ps256(e)),
                                                              _mm512_cvtps_pd(_mm512_extractf32x8_ps(e, 1))));
        // The arg-max: the first class equal to the max (class 0 for a row of -inf or NaN).
        const unsigned at_max = _mm512_mask_cmp_ps_mask(class_mask, v, _mm512_set1_ps(m), _CMP_EQ_OQ);
        correct += (at_max ? __builtin_ctz(at_max) : 0) == cls;
        const double sp = sample_weight<float>(j, r);
        // (m - x_y) + log sum, PyTorch's order: m + log sum first would lose the log sum of large logits.
        const double log_sum = __builtin_log(sum);
        const double l = ((static_cast<double>(m) - static_cast<double>(xy)) + log_sum) * sp;
        loss_total += l;
        const double lse = static_cast<double>(m) + log_sum, z_term = j.z_loss * sp * lse * lse;  // the z-loss
        z_total += z_term;
        if (j.loss_out) static_cast<float*>(j.loss_out)[r] = static_cast<float>(j.scale * (l + z_term));
        if (!kGrad) continue;
        const double f = gradient_factor<float>(j, r, factor);
        double coef = f / sum;
        if (j.z_loss > 0.0) coef += z_gradient_factor<float>(j, r) * 2.0 * j.z_loss * lse / sum;
        const double e_y = _mm_cvtss_f32(_mm512_castps512_ps128(_mm512_permutexvar_ps(_mm512_set1_epi32(cls), e)));
        const __m512 out = _mm512_mask_mov_ps(_mm512_mul_ps(e, _mm512_set1_ps(static_cast<float>(coef))),
                                              static_cast<__mmask16>(1u << cls), _mm512_set1_ps(static_cast<float>(coef * e_y - f)));
        store_row(g, out, rows_end - x);
    }
    sums->loss += loss_total;
    sums->z += z_total;
    sums->correct += correct;
}

template <bool kGrad, int C>
void short_rows(const KernelJob& j, int64_t first, int64_t end, double factor, KernelSums* sums) {
    using V = Simd<float>::V;
    const __mmask16 class_mask = static_cast<__mmask16>((1u << C) - 1);
    const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    // Lane k of the last row is lane 16 - C + k of the vector that ends with it.
    const __m512i tail_shift = _mm512_add_epi32(lane, _mm512_set1_epi32(16 - C));
    const V lowest = V{} + Simd<float>::kLowest;
    // An ignore index outside int32 matches no int32 target.
    const bool ignore_fits_int32 = j.ignore_index >= INT32_MIN && j.ignore_index <= INT32_MAX;
    double loss_total = 0.0, z_total = 0.0;
    int64_t correct = 0;
    alignas(64) float buffers[2][16 * 16 + 16];  // the gradient of the last two steps, as rows
    float* pending = nullptr;                     // where the previous step's rows go
    int pending_total = 0, step = 0;
    for (int64_t r0 = first; r0 < end; r0 += 16) {
        const int n = end - r0 < 16 ? static_cast<int>(end - r0) : 16;
        const __mmask16 row_mask = static_cast<__mmask16>((1u << n) - 1);
        const float* x = static_cast<const float*>(j.input) + r0 * C;

        // Row l is C floats at x + l * C; a masked load of it reads no further than row l + 1. The
        // last row instead comes from the whole vector that ends where it ends, moved down.
        __m512 v[16];
        const bool tail_vector = n * C >= 16;
        alignas(64) float small[32];  // room for a masked load at any row
        if (!tail_vector) {
            for (int k = 0; k < 32; ++k) small[k] = 0.0f;
            for (int k = 0; k < n * C; ++k) small[k] = x[k];
        }
#pragma GCC unroll 16
        for (int l = 0; l < 16; ++l) {
            if (l < n - 1) v[l] = _mm512_maskz_loadu_ps(class_mask, x + l * C);
            else if (l > n - 1) v[l] = _mm512_setzero_ps();
            else if (tail_vector) v[l] = _mm512_maskz_permutexvar_ps(class_mask, tail_shift, _mm512_loadu_ps(x + n * C - 16));
            else v[l] = _mm512_maskz_loadu_ps(class_mask, small + l * C);
        }
        transpose16(v);  // v[c]: class c of the 16 rows

        // Targets as int32 lanes; lanes not kept (ignored, past the last row, or outside [0, C):
        // rewritten since pass 1, as in class_of) point at class 0.
        __mmask16 ignored;
        __m512i cls;
        if (j.target_int32) {
            int32_t local[16];
            cls = _mm512_loadu_si512(step_values(static_cast<const int32_t*>(j.target) + r0, n, local));
            ignored = ignore_fits_int32 ? _mm512_cmpeq_epi32_mask(cls, _mm512_set1_epi32(static_cast<int32_t>(j.ignore_index)))
                                        : __mmask16(0);
            cls = _mm512_sub_epi32(cls, _mm512_set1_epi32(static_cast<int32_t>(j.index_base)));
            ignored |= _mm512_cmpge_epu32_mask(cls, _mm512_set1_epi32(C));
        } else {
            int64_t local[16];
            const int64_t* t = step_values(static_cast<const int64_t*>(j.target) + r0, n, local);
            const __m512i lo = _mm512_loadu_si512(t), hi = _mm512_loadu_si512(t + 8);
            const __m512i ignore = _mm512_set1_epi64(j.ignore_index), base = _mm512_set1_epi64(j.index_base);
            const __m512i lo_cls = _mm512_sub_epi64(lo, base), hi_cls = _mm512_sub_epi64(hi, base), classes = _mm512_set1_epi64(C);
            ignored = static_cast<__mmask16>((_mm512_cmpeq_epi64_mask(lo, ignore) | _mm512_cmpge_epu64_mask(lo_cls, classes)) |
                                             ((_mm512_cmpeq_epi64_mask(hi, ignore) | _mm512_cmpge_epu64_mask(hi_cls, classes)) << 8));
            // Kept targets lie in [0, C): int32 holds them.
            cls = _mm512_inserti64x4(_mm512_castsi256_si512(_mm512_cvtepi64_epi32(lo_cls)), _mm512_cvtepi64_epi32(hi_cls), 1);
        }
        const __mmask16 kept = static_cast<__mmask16>(~ignored & row_mask);
        cls = _mm512_maskz_mov_epi32(kept, cls);

        // Sweep 1: the max (NaN lanes are skipped, as in vmax) and x_y, picked from the class
        // vectors (excluded lanes: class 0, harmlessly).
        // (max_ps returns its second operand when either is NaN, so a NaN class never replaces
        // the running max; two chains, even and odd classes, halve the dependent steps.)
        __m512 m_even = (__m512)lowest, m_odd = (__m512)lowest;
        __m512 xy = _mm512_setzero_ps();
#pragma GCC unroll 16
        for (int c = 0; c < 16; ++c) {
            if (c >= C) break;
            if (c & 1) m_odd = _mm512_max_ps(v[c], m_odd);
            else m_even = _mm512_max_ps(v[c], m_even);
            xy = _mm512_mask_mov_ps(xy, _mm512_cmpeq_epi32_mask(cls, _mm512_set1_epi32(c)), v[c]);
        }
        const V m = (V)_mm512_max_ps(m_odd, m_even);
        // The arg-max is the first class equal to the max (none, for a row of -inf or NaN: class 0,
        // as in tile()): last to first, so the first match is the one left.
        __m512i best_index = _mm512_setzero_si512();
#pragma GCC unroll 16
        for (int c = 15; c >= 1; --c) {
            if (c >= C) continue;
            best_index = _mm512_mask_mov_epi32(best_index, _mm512_cmp_ps_mask(v[c], (__m512)m, _CMP_EQ_OQ), _mm512_set1_epi32(c));
        }
        // Sweep 2: exps against the max, summed in float 8 classes at a time and then in double.
        // (Two float accumulators, even and odd classes, each holding at most 8 exps.)
        V acc_even{}, acc_odd{};
        __m512 e_y = _mm512_setzero_ps();  // the target's exp
#pragma GCC unroll 16
        for (int c = 0; c < 16; ++c) {
            if (c >= C) break;
            const V e = vexp<float, true>((V)v[c] - m);
            if (c & 1) acc_odd += e;
            else acc_even += e;
            v[c] = (__m512)e;
            e_y = _mm512_mask_mov_ps(e_y, _mm512_cmpeq_epi32_mask(cls, _mm512_set1_epi32(c)), v[c]);
        }
        const RegD sum_lo = (RegD)_mm512_cvtps_pd(_mm512_castps512_ps256((__m512)acc_even)) +
                 (RegD)_mm512_cvtps_pd(_mm512_castps512_ps256((__m512)acc_odd));
        const RegD sum_hi = (RegD)_mm512_cvtps_pd(_mm512_extractf32x8_ps((__m512)acc_even, 1)) +
                 (RegD)_mm512_cvtps_pd(_mm512_extractf32x8_ps((__m512)acc_odd, 1));

        // Per row, in double halves: loss, metrics, the gradient's coefficient.
        auto half = [](V a, int h) {
            return (RegD)_mm512_cvtps_pd(h ? _mm512_extractf32x8_ps((__m512)a, 1) : _mm512_castps512_ps256((__m512)a));
        };
        RegD loss[2], loss_with_z[2], coef[2], f[2];
        float sp_local[16], go_local[16];
        const float* sp_row = j.sample_weights ? step_values(static_cast<const float*>(j.sample_weights) + r0, n, sp_local) : nullptr;
        const float* go_row = j.reduction_none && j.grad_output
                                  ? step_values(static_cast<const float*>(j.grad_output) + r0, n, go_local) : nullptr;
        for (int h = 0; h < 2; ++h) {
            const __mmask8 keep = static_cast<__mmask8>(kept >> (8 * h));
            RegD sp = RegD{} + 1.0;
            if (sp_row) sp = (RegD)_mm512_cvtps_pd(_mm256_loadu_ps(sp_row + 8 * h));
            RegD fh = RegD{} + factor;
            if (j.reduction_none) {
                fh = RegD{} + j.scale;
                if (go_row) fh *= (RegD)_mm512_cvtps_pd(_mm256_loadu_ps(go_row + 8 * h));
            }
            f[h] = (RegD)_mm512_maskz_mov_pd(keep, (__m512d)(fh * sp));
            const RegD sum = h ? sum_hi : sum_lo;
            // (m - x_y) + log sum, as in short_rows_singly.
            const RegD log_sum = log_of_sums(sum);
            const RegD nll = (half(m, h) - half((V)xy, h)) + log_sum;
            loss[h] = (RegD)_mm512_maskz_mov_pd(keep, (__m512d)(nll * sp));
            coef[h] = f[h] / sum;
            if (j.z_loss > 0.0) {  // lambda s lse^2, and 2 lambda lse q through the coefficient
                const RegD lse = half(m, h) + log_sum;
                const RegD z_term = (RegD)_mm512_maskz_mov_pd(keep, (__m512d)(j.z_loss * sp * lse * lse));
                z_total += hsum_tree(z_term);
                const RegD f_z = (RegD)_mm512_maskz_mov_pd(keep, (__m512d)((j.reduction_none ? fh : RegD{} + j.z_factor) * sp));
                coef[h] += f_z * (2.0 * j.z_loss) * lse / sum;
                loss_with_z[h] = loss[h] + z_term;
            } else {
                loss_with_z[h] = loss[h];
            }
        }
        const __mmask16 hits = static_cast<__mmask16>(_mm512_cmpeq_epi32_mask(best_index, cls) & kept);
        loss_total += hsum_tree(loss[0] + loss[1]);
        correct += __builtin_popcount(hits);
        if (j.loss_out) {
            const __m256 lo = _mm512_cvtpd_ps((__m512d)(loss_with_z[0] * j.scale));
            const __m256 hi = _mm512_cvtpd_ps((__m512d)(loss_with_z[1] * j.scale));
            const __m512 both = _mm512_insertf32x8(_mm512_castps256_ps512(lo), hi, 1);
            float* out = static_cast<float*>(j.loss_out) + r0;
            if (n == 16) {
                _mm512_storeu_ps(out, both);
            } else {
                alignas(64) float local[16];
                _mm512_store_ps(local, both);
                for (int l = 0; l < n; ++l) out[l] = local[l];
            }
        }
        if (!kGrad) continue;

        // Sweep 3: the gradient; the target's element, where q_y - 1 cancels, in double.
        auto to_float = [](RegD lo, RegD hi) {
            return (V)_mm512_insertf32x8(_mm512_castps256_ps512(_mm512_cvtpd_ps((__m512d)lo)), _mm512_cvtpd_ps((__m512d)hi), 1);
        };
        const V coef_t = to_float(coef[0], coef[1]);
        const V g_y = to_float(coef[0] * half((V)e_y, 0) - f[0], coef[1] * half((V)e_y, 1) - f[1]);
#pragma GCC unroll 16
        for (int c = 0; c < 16; ++c) {
            if (c >= C) break;
            // Rows not kept get 0 (even from a NaN exp): the mask is part of the multiply.
            const __m512 out = _mm512_maskz_mul_ps(kept, v[c], (__m512)coef_t);
            v[c] = _mm512_mask_mov_ps(out, _mm512_mask_cmpeq_epi32_mask(kept, cls, _mm512_set1_epi32(c)), (__m512)g_y);
        }
        for (int c = C; c < 16; ++c) v[c] = _mm512_setzero_ps();  // known zero: their shuffles fold away
        transpose16(v);  // back to rows: v[l] holds row l in its first C lanes
        // The rows are n * C contiguous floats: written to a stack buffer in order (each row's
        // spill into the next is overwritten by it) and copied out as whole vectors (see
        // copy_out). The copy is of the previous step's buffer: by then its stores have left the
        // store queue, where reading them back at once would stall on store forwarding (each
        // vector spans several row stores).
        float* buffer = buffers[step & 1];
#pragma GCC unroll 16
        for (int l = 0; l < 16; ++l) _mm512_storeu_ps(buffer + l * C, v[l]);
        if (step > 0) copy_out(buffers[(step - 1) & 1], pending, pending_total);
        pending = static_cast<float*>(j.grad) + r0 * C;
        pending_total = n * C;
        ++step;
    }
    if (kGrad && step > 0) copy_out(buffers[(step - 1) & 1], pending, pending_total);
    sums->loss += loss_total;
    sums->z += z_total;
    sums->correct += correct;
}

// short_rows for the call's class count, a constant in each instance: the loops over classes
// unroll to exactly C steps and the transposes drop the shuffles of the unused class vectors.
// (short_rows_apply admits 1 <= C <= 16 only.)
template <bool kGrad>
void select_short_rows(const KernelJob& j, int64_t first, int64_t end, double factor, KernelSums* sums) {
    switch (j.classes) {
#define XENT_SHORT_ROWS_CASE(n) \
    case n: return short_rows<kGrad, n>(j, first, end, factor, sums);
        XENT_SHORT_ROWS_CASE(1) XENT_SHORT_ROWS_CASE(2) XENT_SHORT_ROWS_CASE(3) XENT_SHORT_ROWS_CASE(4)
        XENT_SHORT_ROWS_CASE(5) XENT_SHORT_ROWS_CASE(6) XENT_SHORT_ROWS_CASE(7) XENT_SHORT_ROWS_CASE(8)
        XENT_SHORT_ROWS_CASE(9) XENT_SHORT_ROWS_CASE(10) XENT_SHORT_ROWS_CASE(11) XENT_SHORT_ROWS_CASE(12)
        XENT_SHORT_ROWS_CASE(13) XENT_SHORT_ROWS_CASE(14) XENT_SHORT_ROWS_CASE(15) XENT_SHORT_ROWS_CASE(16)
#undef XENT_SHORT_ROWS_CASE
    }
}

// The class-last entry of the AVX-512 table for float rows: this file's kernel where it applies
// (whole 16-row steps, and the rows left one at a time), the generic rows otherwise.
template <>
inline void class_last_rows<float>(const KernelJob& j, int64_t first, int64_t end, double factor, KernelSums* sums) {
    if (!short_rows_apply(j)) {
        class_last_rows_generic<float>(j, first, end, factor, sums);
        return;
    }
    const int64_t left = (end - first) % 16;
    const int64_t steps_end = left < kShortRowsMin ? end - left : end;
    if (j.grad != nullptr) {
        if (first < steps_end) select_short_rows<true>(j, first, steps_end, factor, sums);
        if (steps_end < end) short_rows_singly<true>(j, steps_end, end, factor, sums);
    } else {
        if (first < steps_end) select_short_rows<false>(j, first, steps_end, factor, sums);
        if (steps_end < end) short_rows_singly<false>(j, steps_end, end, factor, sums);
    }
}

}  // namespace XENT_ISA
}  // namespace xent
