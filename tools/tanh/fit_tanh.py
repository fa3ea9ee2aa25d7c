#!/usr/bin/env python3
"""Fits the odd polynomial of xent's vector tanh (the soft-cap, c * tanh(x / c)) and measures it.

tanh(y) for |y| < 0.625 is y + y^3 R(y^2), R fitted by weighted least squares on Chebyshev nodes
against mpmath's tanh so that the relative error of tanh itself is near minimax; for |y| >= 0.625
it is 1 - 2 / (exp(2|y|) + 1) with the sign of y (no cancellation there: tanh >= 0.55, and the
term subtracted is at most 0.45). Prints the C++ constants for native/src/vec/math.h and the worst
error of each branch in ulps, evaluated in the target precision (polynomial with fused
multiply-adds; the exp branch with a correctly rounded exp: native/tests/test_exp measures the
real one on every ISA).
Run: /usr/bin/python3 tools/tanh/fit_tanh.py
"""
import mpmath
import numpy as np

mpmath.mp.dps = 50
SPLIT = 0.625
DEGREES = {np.float32: 5, np.float64: 11}  # coefficients of R


def tanh_of(values):
    return np.array([float(mpmath.tanh(mpmath.mpf(float(v)))) for v in values])


def fit(count):
    k = np.arange(3000)
    y = (np.cos(np.pi * (k + 0.5) / len(k)) + 1) * SPLIT / 2
    y = y[y > 1e-4]
    exact = [mpmath.tanh(mpmath.mpf(float(v))) for v in y]
    target = np.array([float((t - mpmath.mpf(float(v))) / mpmath.mpf(float(v)) ** 3) for t, v in zip(exact, y)])
    weight = y ** 3 / np.abs(np.array([float(t) for t in exact]))  # error in R, as error of tanh
    u = y * y
    coef, *_ = np.linalg.lstsq(np.vander(u, count, increasing=True) * weight[:, None], target * weight, rcond=None)
    return coef


def fma(a, b, c, dtype):
    return (np.longdouble(a) * np.longdouble(b) + np.longdouble(c)).astype(dtype)


def polynomial(coef, y, dtype):
    u = (y * y).astype(dtype)
    acc = np.full_like(u, dtype(coef[-1]))
    for c in coef[-2::-1]:
        acc = fma(acc, u, dtype(c), dtype)
    return fma((y * u).astype(dtype), acc, y, dtype)


def exp_branch(y, dtype):
    e = np.exp(np.longdouble(2) * np.abs(y.astype(np.longdouble))).astype(dtype)
    return (dtype(1) - (dtype(2) / (e + dtype(1))).astype(dtype)).astype(dtype)


def ulps(got, truth, dtype):
    return (np.abs(got.astype(np.float64) - truth) / np.spacing(np.abs(truth).astype(dtype)).astype(np.float64)).max()


def main():
    for dtype, count in DEGREES.items():
        coef = fit(count)
        name = "float" if dtype == np.float32 else "double"
        suffix = "f" if dtype == np.float32 else ""
        print(f"// {name}: R(u), u = y^2")
        print(", ".join(f"{dtype(c)!r}{suffix}" for c in coef))
        small = np.concatenate([np.geomspace(1e-6, SPLIT, 3000), np.linspace(0.5, SPLIT, 2000)]).astype(dtype)
        small = small[small < SPLIT]
        large = np.linspace(SPLIT, 9.0 if dtype == np.float32 else 19.0, 4000).astype(dtype)
        print(f"// worst error: {ulps(polynomial(coef, small, dtype), tanh_of(small), dtype):.2f} ulp below {SPLIT}, "
              f"{ulps(exp_branch(large, dtype), tanh_of(large), dtype):.2f} ulp above")


if __name__ == "__main__":
    main()
