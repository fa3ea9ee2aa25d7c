#!/usr/bin/env python3
"""Fits the polynomials of xent's vectorised exp and measures their error in ulps.

exp(x) = 2^n * p(r), n = round(x / ln 2), r = x - n ln 2 in [-ln2/2, ln2/2] (two-constant
Cody-Waite reduction). p is fitted by least squares on Chebyshev nodes with p(0) = 1 fixed, which
is close to minimax. Prints C++ constants for native/src/vec/exp_polynomial.h and vec/avx512.h and the worst error over a
dense sweep of [-87, 0] (float) and [-708, 0] (double), evaluated in the target precision.
The AVX-512 exp reduces further, x = (16k + j) ln2/16 + r with |r| <= ln2/32, and multiplies e^r
by 2^(j/16) from a 16-entry table (one register of floats, two of doubles): there p needs degree 3
(float) or 6 (double), evaluated as T + T*q with q = e^r - 1 (rounding measured with fused
multiply-adds).
Run: /usr/bin/python3 tools/exp/fit_exp.py
"""
import numpy as np

LN2 = np.log(2.0)


def fit(degree, half=LN2 / 2):
    k = np.arange(4000)
    r = np.cos(np.pi * (k + 0.5) / len(k)) * half  # Chebyshev nodes on [-half, half]
    rl = np.longdouble(r)
    # p(r) = 1 + r + r^2 (c2 + c3 r + ...): c0 = c1 = 1 exactly, the rest fitted to (e^r - 1 - r) / r^2,
    # weighted by r^2 / e^r so that the fit minimises the relative error of p itself.
    target = ((np.expm1(rl) - rl) / (rl * rl)).astype(np.float64)
    weight = (r * r) / np.exp(r)
    a = np.vander(r, degree - 1, increasing=True)
    coef, *_ = np.linalg.lstsq(a * weight[:, None], target * weight, rcond=None)
    return np.concatenate([[1.0, 1.0], coef])


def split_ln2(dtype):
    """ln 2 as hi + lo, hi with few enough bits that n * hi is exact for every n in range."""
    bits = 9 if dtype == np.float32 else 32
    hi = np.ldexp(np.floor(np.ldexp(LN2, bits)), -bits)
    return dtype(hi), dtype(np.longdouble(np.log(np.longdouble(2))) - np.longdouble(hi))


def evaluate(coef, x, dtype):
    x = x.astype(dtype)
    ln2_hi, ln2_lo = split_ln2(dtype)
    log2e = dtype(1 / LN2)
    n = np.rint(x * log2e)
    r = (x - n * ln2_hi) - n * ln2_lo
    p = dtype(coef[-1])
    for c in coef[-2::-1]:
        p = p * r + dtype(c)
    return np.ldexp(p, n.astype(np.int32)).astype(dtype)


def table(dtype):
    return np.array([dtype(np.exp2(np.longdouble(j) / 16)) for j in range(16)])


def fma(a, b, c, dtype=np.float64):
    """a * b + c rounded once to dtype (long double carries the product closely enough)."""
    return (np.longdouble(a) * np.longdouble(b) + np.longdouble(c)).astype(dtype)


def evaluate_table(coef, x, dtype):
    ln2_hi, ln2_lo = split_ln2(dtype)
    mantissa = 23 if dtype == np.float32 else 52
    magic = dtype(1.5 * 2.0 ** (mantissa - 4))  # adding it rounds to a multiple of 1/16
    shifted = fma(x, dtype(1 / LN2), magic, dtype)
    n16 = (shifted - magic).astype(dtype)
    r = fma(-n16, ln2_hi, x, dtype)
    r = fma(-n16, ln2_lo, r, dtype)
    s = dtype(coef[-1])
    for c in coef[-2:0:-1]:
        s = fma(s, r, dtype(c), dtype)
    q = (s * r).astype(dtype)
    n = np.rint(n16.astype(np.float64) * 16).astype(np.int64)
    t = table(dtype)[n & 15]
    return np.ldexp(fma(t, q, t, dtype), np.floor(n16).astype(np.int32)).astype(dtype)


def ulp_error(coef, lo, dtype, evaluate=evaluate):
    x = np.linspace(lo, 0, 2_000_001).astype(dtype)
    got = evaluate(coef, x, dtype).astype(np.longdouble)
    want = np.exp(x.astype(np.longdouble))
    ulp = np.spacing(want.astype(dtype)).astype(np.longdouble)
    return float(np.max(np.abs(got - want) / ulp))


for name, dtype, degree, lo in (("float", np.float32, 6, -87.0), ("double", np.float64, 11, -708.0)):
    coef = fit(degree)
    hi, lo_part = split_ln2(dtype)
    print(f"// {name}: degree {degree}, max error {ulp_error(coef, lo, dtype):.2f} ulp over [{lo}, 0]; "
          f"ln2_hi {float(hi)!r}, ln2_lo {float(lo_part)!r}")
    for i, c in enumerate(coef):
        print(f"    {float(dtype(c))!r},  // c{i}")

for name, dtype, degree, lo in (("float", np.float32, 3, -87.0), ("double", np.float64, 6, -708.0)):
    coef = fit(degree, LN2 / 32)
    print(f"// {name}, AVX-512 table of 2^(j/16): degree {degree}, max error "
          f"{ulp_error(coef, lo, dtype, evaluate_table):.2f} ulp over [{lo}, 0]")
    for i, c in enumerate(coef):
        print(f"    {float(dtype(c))!r},  // c{i}")
    for j, t in enumerate(table(dtype)):
        print(f"    {float(t)!r},  // 2^({j}/16)")
