// Vectorised exp for the ISA kernels, included inside an ISA namespace (see ce_logits_simd.h).
//
// exp(x) = 2^n * p(r), n = round(x / ln 2), r = x - n ln2_hi - n ln2_lo (Cody-Waite: n * ln2_hi
// is exact), p a degree-6 (float) or degree-11 (double) polynomial with p(0) = p'(0) = 1 fitted by
// tools/exp/fit_exp.py. AVX-512 reduces by ln2/16 instead and reads 2^(j/16) from a table held in
// registers (vexp_table_ps, vexp_table_pd), which leaves polynomials of degree 3 and 6.
// native/tests/test_exp measures every ISA's exp against long double: at most 1.6 ulp wherever the
// result is normal. Inputs below the smallest normal result give 0 (AVX-512:
// 0 or a subnormal), so a -inf logit has probability 0; NaN stays NaN, and every comparison is
// written so that a NaN operand falls through unchanged.

template <typename T>
struct ExpConstants;

template <>
struct ExpConstants<float> {
    using Int = int32_t;
    static constexpr float kLow = -87.33654f;  // exp(kLow) is the smallest normal float
    static constexpr float kHigh = 88.0f;
    static constexpr float kLog2e = 1.44269504088896341f;
    static constexpr float kLn2Hi = 0.69140625f;
    static constexpr float kLn2Lo = 0.0017409306019544601f;
    static constexpr float kRound = 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer
    static constexpr int kMantissaBits = 23;
    static constexpr int kBias = 127;
};

template <>
struct ExpConstants<double> {
    using Int = int64_t;
    static constexpr double kLow = -708.3964185322641;
    static constexpr double kHigh = 709.0;
    static constexpr double kLog2e = 1.4426950408889634;
    static constexpr double kLn2Hi = 0.6931471803691238;
    static constexpr double kLn2Lo = 1.9082149293851713e-10;
    static constexpr double kRound = 6755399441055744.0;  // 1.5 * 2^52
    static constexpr int kMantissaBits = 52;
    static constexpr int kBias = 1023;
};

template <typename V, typename T>
inline V exp_polynomial(V r);

template <>
inline Simd<float>::V exp_polynomial<Simd<float>::V, float>(Simd<float>::V r) {
    Simd<float>::V p = 0.0013751407386735082f * r + 0.008368915878236294f;
    p = p * r + 0.04166953265666962f;
    p = p * r + 0.166665181517601f;
    p = p * r + 0.49999988079071045f;
    p = p * r + 1.0f;
    return p * r + 1.0f;
}

template <>
inline Simd<double>::V exp_polynomial<Simd<double>::V, double>(Simd<double>::V r) {
    Simd<double>::V p = 2.4815708004545154e-08 * r + 2.762577471004051e-07;
    p = p * r + 2.7558081402852513e-06;
    p = p * r + 2.480150439731219e-05;
    p = p * r + 0.00019841269051340754;
    p = p * r + 0.0013888888934127236;
    p = p * r + 0.00833333333365827;
    p = p * r + 0.04166666666656002;
    p = p * r + 0.16666666666666152;
    p = p * r + 0.5000000000000002;
    p = p * r + 1.0;
    return p * r + 1.0;
}

#if defined(__AVX512F__) && XENT_VECTOR_BYTES == 64
// exp for AVX-512 float, as vexp_table_pd below: the 16 values of 2^(j/16) fill one register
// (vpermps) and e^r - 1 needs degree 3: 10 instructions after the clamp instead of 11 (at most
// 0.98 ulp over [-87, 0], tools/exp/fit_exp.py).
__attribute__((always_inline)) inline __m512 vexp_table_ps(__m512 x) {
    using K = ExpConstants<float>;
    const __m512 magic = _mm512_set1_ps(1.5f * 524288.0f);  // 1.5 * 2^19: rounds to a multiple of 1/16
    const __m512 shifted = _mm512_fmadd_ps(x, _mm512_set1_ps(K::kLog2e), magic);
    const __m512 n16 = _mm512_sub_ps(shifted, magic);
    // (n / 16 * ln2_hi is exact: n has at most 12 bits and ln2_hi 9.)
    __m512 r = _mm512_fnmadd_ps(n16, _mm512_set1_ps(K::kLn2Hi), x);
    r = _mm512_fnmadd_ps(n16, _mm512_set1_ps(K::kLn2Lo), r);
    __m512 s = _mm512_fmadd_ps(_mm512_set1_ps(0.16666845977306366f), r, _mm512_set1_ps(0.5000162720680237f));
    s = _mm512_fmadd_ps(s, r, _mm512_set1_ps(1.0f));
    const __m512 q = _mm512_mul_ps(s, r);  // e^r - 1
    const __m512 powers = _mm512_setr_ps(1.0f, 1.0442737340927124f, 1.0905077457427979f, 1.1387885808944702f,
                                         1.1892070770263672f, 1.2418577671051025f, 1.2968395948410034f,
                                         1.3542555570602417f, 1.4142135381698608f, 1.4768261909484863f,
                                         1.5422108173370361f, 1.610490322113037f, 1.6817928552627563f,
                                         1.7562521696090698f, 1.8340080976486206f, 1.9152065515518188f);
    const __m512 t = _mm512_permutexvar_ps(_mm512_castps_si512(shifted), powers);  // 2^(j/16)
    return _mm512_scalef_ps(_mm512_fmadd_ps(t, q, t), n16);
}

// exp for AVX-512 double: x = (16k + j) ln2/16 + r, |r| <= ln2/32, exp(x) = 2^k * 2^(j/16) * e^r.
// The 16 values of 2^(j/16) fit in two registers, read by one vpermt2pd, and e^r - 1 on the
// small interval needs degree 6 where the whole [-ln2/2, ln2/2] needed 11: 13 instructions after
// the clamp instead of 16, in a loop bound by them (float64 rows: tools/exp/fit_exp.py fits the
// polynomial and measures at most 1.20 ulp over [-708, 0]). x is clamped by the caller.
__attribute__((always_inline)) inline __m512d vexp_table_pd(__m512d x) {
    using K = ExpConstants<double>;
    // Adding 1.5 * 2^48 rounds x * 16 / ln2 to an integer n = 16k + j held in the low mantissa
    // bits: their low 4 bits are j (for negative n too), which is all vpermt2pd reads of an index.
    const __m512d magic = _mm512_set1_pd(1.5 * 281474976710656.0);
    const __m512d shifted = _mm512_fmadd_pd(x, _mm512_set1_pd(K::kLog2e), magic);
    const __m512d n16 = _mm512_sub_pd(shifted, magic);  // n / 16, exact
    // (n / 16 * ln2_hi is exact: n has at most 15 bits and ln2_hi 32.)
    __m512d r = _mm512_fnmadd_pd(n16, _mm512_set1_pd(K::kLn2Hi), x);
    r = _mm512_fnmadd_pd(n16, _mm512_set1_pd(K::kLn2Lo), r);
    __m512d s = _mm512_fmadd_pd(_mm512_set1_pd(0.0013888309351086086), r, _mm512_set1_pd(0.00833347296770633));
    s = _mm512_fmadd_pd(s, r, _mm512_set1_pd(0.04166666671326068));
    s = _mm512_fmadd_pd(s, r, _mm512_set1_pd(0.16666666664373764));
    s = _mm512_fmadd_pd(s, r, _mm512_set1_pd(0.49999999999999295));
    s = _mm512_fmadd_pd(s, r, _mm512_set1_pd(1.0));
    const __m512d q = _mm512_mul_pd(s, r);  // e^r - 1
    const __m512d low = _mm512_setr_pd(1.0, 1.0442737824274138, 1.0905077326652577, 1.1387886347566916,
                                       1.189207115002721, 1.241857812073484, 1.2968395546510096, 1.3542555469368927);
    const __m512d high = _mm512_setr_pd(1.4142135623730951, 1.4768261459394993, 1.5422108254079407, 1.6104903319492543,
                                        1.681792830507429, 1.7562521603732995, 1.8340080864093424, 1.9152065613971474);
    const __m512d t = _mm512_permutex2var_pd(low, _mm512_castpd_si512(shifted), high);  // 2^(j/16)
    // t + t q rounds once; scalef multiplies by 2^floor(n / 16) = 2^k and underflows to 0.
    return _mm512_scalef_pd(_mm512_fmadd_pd(t, q, t), n16);
}
#endif

// kNonPositive: the caller guarantees x <= 0 or NaN (softmax's x - max), so no overflow clamp.
template <typename T, bool kNonPositive = false>
__attribute__((always_inline)) inline typename Simd<T>::V vexp(typename Simd<T>::V x) {
    using V = typename Simd<T>::V;
    using K = ExpConstants<T>;
#if defined(__AVX512F__) && XENT_VECTOR_BYTES == 64
    // AVX-512: a table of 2^(j/16) (vexp_table_ps/_pd), and vscalef applies 2^k and underflows to 0.
    // Clamping at 1.2 * kLow keeps n finite (a -inf input would make r NaN) and still underflows.
    // vmax/vmin(bound, x) return x when it is NaN, and are one instruction where the selects
    // they equal would take a compare and a blend.
    if constexpr (sizeof(T) == 4) {
        x = (V)_mm512_max_ps(_mm512_set1_ps(K::kLow * 1.2f), (__m512)x);
        if (!kNonPositive) x = (V)_mm512_min_ps(_mm512_set1_ps(K::kHigh), (__m512)x);
    } else {
        x = (V)_mm512_max_pd(_mm512_set1_pd(K::kLow * 1.2), (__m512d)x);
        if (!kNonPositive) x = (V)_mm512_min_pd(_mm512_set1_pd(K::kHigh), (__m512d)x);
    }
    if constexpr (sizeof(T) == 4) return (V)vexp_table_ps((__m512)x);
    else return (V)vexp_table_pd((__m512d)x);
#else
    using I = typename Simd<T>::I;
    const I underflow = x < K::kLow;                 // false for NaN
    x = x < K::kLow ? V{} + K::kLow : x;             // NaN falls through
    if (!kNonPositive) x = K::kHigh < x ? V{} + K::kHigh : x;
    const V shifted = x * K::kLog2e + K::kRound;     // n in the low mantissa bits
    const V n = shifted - K::kRound;
    V r = x - n * K::kLn2Hi;
    r = r - n * K::kLn2Lo;
    const V p = exp_polynomial<V, T>(r);
    // A cast between vector types of one size reinterprets the bits (GCC vector extensions).
    const I exponent = (((I)shifted - (I)(V{} + K::kRound)) + K::kBias) << K::kMantissaBits;
    const V result = p * (V)exponent;
    return (V)((I)result & ~underflow);
#endif
}

// exp of one number through the same polynomial, for per-chunk rescale factors.
template <typename T>
inline T sexp(T x) {
    typename Simd<T>::V v = typename Simd<T>::V{} + x;
    return vexp<T>(v)[0];
}
