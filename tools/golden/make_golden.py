#!/usr/bin/env python3
"""Writes xent's golden files: PyTorch's loss and gradient for seeded inputs and every option.

Tests read the JSON this writes (java/core/src/test/resources/golden/); they never need Python.
Regenerate after adding cases, with PyTorch >= 1.13 (Debian: apt-get install python3-torch):

    /usr/bin/python3 tools/golden/make_golden.py

Each case holds the options in xent's terms, the flat row-major input and target, and PyTorch's
loss (a scalar, or per-position for reduction "none") and gradient w.r.t. the input, computed in
the input's dtype. Non-finite numbers are written as JSON's Infinity / -Infinity / NaN.
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

from linear import linear_cases, linear_cli_cases

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
OUT = os.path.join(ROOT, "java", "core", "src", "test", "resources", "golden")
NPY_OUT = os.path.join(ROOT, "java", "cli", "src", "test", "resources", "npy")
NPY_LINEAR_OUT = os.path.join(ROOT, "java", "cli", "src", "test", "resources", "npy_linear")
DTYPES = {"float32": torch.float32, "float64": torch.float64}


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


class ClampedLog(torch.autograd.Function):
    """log(p) clamped at -100, with 1/max(p, 1e-12) as its derivative: docs/semantics.md's
    PROBABILITIES input, which is how PyTorch's binary_cross_entropy treats its input."""

    @staticmethod
    def forward(ctx, p):
        ctx.save_for_backward(p)
        return torch.log(p).clamp(min=-100)

    @staticmethod
    def backward(ctx, grad):
        (p,) = ctx.saved_tensors
        return grad / p.clamp(min=1e-12)


def make_input(g, shape, c_axis, input_kind, tdtype, binary):
    raw = torch.randn(shape, generator=g, dtype=torch.float64) * 3
    if input_kind == "logits":
        x = raw
    elif binary:
        x = torch.sigmoid(raw) if input_kind == "probabilities" else None
    else:
        x = torch.softmax(raw, c_axis) if input_kind == "probabilities" else torch.log_softmax(raw, c_axis)
    return x.to(tdtype)


def case(name, shape, *, target_kind="index", input_kind="logits", class_axis=1, dtype="float32",
         target_dtype="int64", reduction="mean", ignore_index=-100, label_smoothing=0.0, weighted=False,
         index_base=0, grad_output=None, seed=0, logits=None, target=None, ignore_some=False,
         sample_weights=False, lengths=None, scale=1.0, z_loss=0.0, softcap=0.0):
    """One golden case: PyTorch's loss and gradient for the input laid out as xent sees it."""
    g = torch.Generator().manual_seed(seed)
    tdtype = DTYPES[dtype]
    rank = len(shape)
    binary = target_kind == "binary"
    c_axis = 0 if rank == 1 else (1 if class_axis == 1 else rank - 1)
    classes = 1 if binary else shape[c_axis]
    per_position = list(shape) if binary else [d for i, d in enumerate(shape) if i != c_axis]

    x = logits.to(tdtype).reshape(shape) if logits is not None else make_input(g, shape, c_axis, input_kind, tdtype, binary)
    x = x.clone().requires_grad_(True)
    if target_kind == "index":
        if target is not None:
            y = torch.tensor(target, dtype=torch.int64).reshape(per_position)
        else:
            y = torch.randint(0, classes, per_position if per_position else [], generator=g)
            if ignore_some and y.numel() > 1:
                y.view(-1)[::3] = ignore_index
    elif target is not None:
        y = torch.tensor(target, dtype=tdtype).reshape(shape)
    elif binary:
        y = torch.rand(shape, generator=g, dtype=torch.float64).to(tdtype)
        if seed % 2:
            y = torch.round(y)
    else:
        y = torch.softmax(torch.randn(shape, generator=g, dtype=torch.float64) * 2, c_axis).to(tdtype)
    w = (torch.rand(classes, generator=g, dtype=torch.float64) * 2 + 0.1).to(tdtype) if weighted else None
    s = (torch.rand(per_position, generator=g, dtype=torch.float64) * 2).to(tdtype) if sample_weights else None

    # Positions that count: within their sequence's length, and not ignored.
    counted = torch.ones(per_position, dtype=torch.bool)
    if lengths is not None:
        steps = torch.arange(per_position[1]).unsqueeze(0)
        counted &= steps < torch.tensor(lengths).unsqueeze(1)
    if target_kind == "index":
        counted &= y != ignore_index

    # PyTorch wants the class axis at 1 (or 0 unbatched).
    moved = rank > 2 and class_axis == -1
    xt = x.movedim(-1, 1) if moved else x
    yt = y.movedim(-1, 1) if (moved and target_kind == "probabilities") else y
    cdim = 0 if rank == 1 else 1
    wb = (w if w is not None else torch.ones(classes, dtype=tdtype)).view([-1] + [1] * (xt.dim() - cdim - 1))
    if softcap > 0:  # Gemma 2's final-logit soft-cap, written out: every logit becomes c tanh(x / c)
        xt = softcap * torch.tanh(xt / softcap)
    if target_kind == "index":
        yi = torch.where(counted, y, torch.full_like(y, ignore_index))
        if input_kind == "logits":
            per = F.cross_entropy(xt, yi, weight=w, ignore_index=ignore_index, reduction="none",
                                  label_smoothing=label_smoothing)
        else:
            logq = xt if input_kind == "log-probabilities" else ClampedLog.apply(xt)
            per = F.nll_loss(logq, yi, weight=w, ignore_index=ignore_index, reduction="none")
            if label_smoothing > 0:  # as PyTorch's cross_entropy composes it
                smooth = -(logq * wb).sum(cdim).masked_fill(~counted, 0.0)
                per = (1 - label_smoothing) * per + label_smoothing / classes * smooth
        divisor_weights = (w[y.clamp(0, classes - 1)] if w is not None else torch.ones(per_position, dtype=tdtype))
    elif target_kind == "probabilities":
        if input_kind == "logits":
            per = F.cross_entropy(xt, yt, weight=w, reduction="none", label_smoothing=label_smoothing)
        else:
            logq = xt if input_kind == "log-probabilities" else ClampedLog.apply(xt)
            per = -(logq * ((1 - label_smoothing) * yt + label_smoothing / classes) * wb).sum(cdim)
        per = per * counted
        divisor_weights = torch.ones(per_position, dtype=tdtype)
    elif input_kind == "logits":
        per = F.binary_cross_entropy_with_logits(x, y, reduction="none")
        divisor_weights = torch.ones(per_position, dtype=tdtype)
    else:
        per = F.binary_cross_entropy(x, y, reduction="none")
        divisor_weights = torch.ones(per_position, dtype=tdtype)

    sw = s if s is not None else torch.ones(per_position, dtype=tdtype)
    divisor = (sw * divisor_weights * counted).sum()
    # PaLM's z-loss, written out: lambda lse^2 per counted position, times its sample weight; a
    # mean divides it by the counted positions' sample weight.
    z_per = z_loss * torch.logsumexp(xt, cdim) ** 2 * counted if z_loss > 0 else torch.zeros(per_position, dtype=tdtype)
    z_divisor = (sw * counted).sum()
    if reduction == "none":
        loss = (per + z_per) * sw * scale
        z_part = (z_per * sw).sum() * scale
    else:
        denominator = divisor if reduction == "mean" else 1
        z_part = (z_per * sw).sum() / (z_divisor if reduction == "mean" else 1) * scale
        loss = (per * sw).sum() / denominator * scale + z_part
        if s is None and lengths is None and z_loss == 0 and softcap == 0:
            # Where PyTorch has the reduction itself, the golden value is PyTorch's own, and our
            # divisor must agree with it.
            native = pytorch_reduced(reduction, target_kind, input_kind, xt, yt if target_kind != "binary" else y,
                                     x, w, ignore_index, label_smoothing)
            if native is not None:
                assert torch.isnan(native) and torch.isnan(loss) or torch.allclose(native * scale, loss, rtol=1e-5, atol=1e-7), \
                    (name, float(native), float(loss))
                loss = native * scale

    if grad_output is None:
        upstream = torch.ones_like(loss)
    elif isinstance(grad_output, float):
        upstream = torch.tensor(grad_output, dtype=tdtype)
    elif isinstance(grad_output, list):
        upstream = torch.tensor(grad_output, dtype=tdtype).reshape(loss.shape)
    else:
        upstream = (torch.rand(loss.shape, generator=g, dtype=torch.float64) * 2 - 0.5).to(tdtype)
    loss.backward(upstream)

    # Metrics: the first arg-max, as torch.argmax picks it.
    if binary:
        hits = ((x > (0.0 if input_kind == "logits" else 0.5)) == (y > 0.5))
    else:
        capped = softcap * torch.tanh(x.detach() / softcap) if softcap > 0 else x.detach()
        predicted = capped.argmax(c_axis)
        truth = y if target_kind == "index" else y.argmax(c_axis)
        hits = predicted == truth
    hits = hits & counted

    if target_kind == "index":
        y_user = torch.where(y == ignore_index, y, y + index_base)
        target_values = [int(v) for v in y_user.reshape(-1).tolist()]
    else:
        target_values = flat(y)
    return {
        "name": name,
        "target_kind": target_kind,
        "input_kind": input_kind,
        "shape": list(shape),
        "class_axis": class_axis,
        "dtype": dtype,
        "target_dtype": target_dtype if target_kind == "index" else dtype,
        "reduction": reduction,
        "ignore_index": ignore_index,
        "index_base": index_base,
        "label_smoothing": label_smoothing,
        "scale": scale,
        "z_loss": z_loss,
        "softcap": softcap,
        "z_part": float(z_part) if z_loss > 0 else 0.0,
        "weight": flat(w) if w is not None else None,
        "sample_weights": flat(s) if s is not None else None,
        "lengths": lengths,
        "grad_output": None if grad_output is None else (float(upstream) if upstream.dim() == 0 else flat(upstream)),
        "input": flat(x),
        "target": target_values,
        "loss": float(loss) if loss.dim() == 0 else flat(loss),
        "grad": flat(x.grad),
        "count": int(counted.sum()),
        "weight_sum": float(divisor),
        "correct": int(hits.sum()),
    }


def pytorch_reduced(reduction, target_kind, input_kind, xt, yt, x, w, ignore_index, label_smoothing):
    """PyTorch's own "mean" or "sum" for the forms that have one, else None."""
    r = reduction
    if target_kind == "index" and input_kind == "logits":
        return F.cross_entropy(xt, yt, weight=w, ignore_index=ignore_index, label_smoothing=label_smoothing, reduction=r)
    if target_kind == "index" and input_kind == "log-probabilities" and label_smoothing == 0:
        return F.nll_loss(xt, yt, weight=w, ignore_index=ignore_index, reduction=r)
    if target_kind == "probabilities" and input_kind == "logits":
        return F.cross_entropy(xt, yt, weight=w, label_smoothing=label_smoothing, reduction=r)
    if target_kind == "binary":
        if input_kind == "logits":
            return F.binary_cross_entropy_with_logits(x, yt, reduction=r)
        return F.binary_cross_entropy(x, yt, reduction=r)
    return None


def index_case(name, shape, **options):
    return case(name, shape, **options)


def options_sweep():
    """Every combination of layout, dtype, reduction and option, on small random inputs."""
    cases, seed = [], 1
    layouts = [((7,), 1), ((5, 7), 1), ((3, 6, 4), 1), ((2, 5, 3, 2), 1), ((3, 4, 6), -1), ((2, 2, 3, 5), -1)]
    for shape, axis in layouts:
        for dtype in ("float32", "float64"):
            for reduction in ("mean", "sum", "none"):
                for smoothing in (0.0, 0.15):
                    for weighted in (False, True):
                        ignore = len(shape) > 1 and seed % 2 == 0
                        name = f"{'x'.join(map(str, shape))}_axis{axis}_{dtype}_{reduction}_ls{smoothing}_w{int(weighted)}"
                        cases.append(index_case(name, shape, class_axis=axis, dtype=dtype, reduction=reduction,
                                                label_smoothing=smoothing, weighted=weighted, seed=seed,
                                                ignore_some=ignore,
                                                target_dtype="int32" if seed % 3 == 0 else "int64"))
                        seed += 1
    return cases


def upstream_and_index_options():
    cases = []
    for reduction in ("mean", "sum"):
        cases.append(index_case(f"upstream_scalar_{reduction}", (6, 5), reduction=reduction, grad_output=0.37, seed=200))
    cases.append(index_case("upstream_tensor_none", (6, 5), reduction="none", grad_output="random", seed=201))
    cases.append(index_case("upstream_tensor_none_axis1", (2, 5, 4), reduction="none", grad_output="random", seed=202))
    cases.append(index_case("ignore_index_0", (8, 4), ignore_index=0, seed=203))
    cases.append(index_case("ignore_index_7_weighted", (8, 4), ignore_index=7, weighted=True, ignore_some=True, seed=204))
    cases.append(index_case("index_base_1", (6, 5), index_base=1, seed=205))
    cases.append(index_case("index_base_1_axis_last", (2, 3, 5), class_axis=-1, index_base=1, ignore_some=True, seed=206))
    cases.append(index_case("label_smoothing_1", (4, 6), label_smoothing=1.0, weighted=True, seed=207))
    cases.append(index_case("single_class", (5, 1), seed=208))
    return cases


def hostile():
    """Extreme logits, masked classes and empty means, where naive kernels overflow or divide by 0."""
    inf = float("inf")
    cases = []
    big = torch.tensor([[1000.0, -1000.0, 999.0, 0.0], [-1000.0, -999.0, -1000.0, -998.5],
                        [1000.0, 1000.0, 1000.0, 1000.0]])
    for dtype in ("float32", "float64"):
        for reduction in ("mean", "none"):
            cases.append(index_case(f"logits_pm1000_{dtype}_{reduction}", (3, 4), dtype=dtype, reduction=reduction,
                                    logits=big, target=[0, 3, 2]))
    masked = torch.tensor([[-inf, 2.0, 0.5, -inf], [1.0, -inf, -inf, -inf], [0.0, 0.0, -inf, 3.0]])
    for reduction in ("mean", "sum", "none"):
        cases.append(index_case(f"masked_classes_{reduction}", (3, 4), reduction=reduction, logits=masked, target=[1, 0, 3]))
    cases.append(index_case("masked_classes_weighted", (3, 4), weighted=True, logits=masked, target=[1, 0, 0]))
    cases.append(index_case("all_ignored_mean", (3, 4), reduction="mean", target=[-100, -100, -100], seed=300))
    cases.append(index_case("all_ignored_mean_smoothing", (3, 4), reduction="mean", label_smoothing=0.2,
                            target=[-100, -100, -100], seed=301))
    cases.append(index_case("all_ignored_sum", (3, 4), reduction="sum", target=[-100, -100, -100], seed=302))
    return cases


def edges():
    """Where the arithmetic's order matters: tied logits so large that m + log(sum) loses the log
    (each kernel path: long rows, AVX-512 short rows, tiles of 40 classes, class axis 1; float32 and
    float64; smoothing and soft targets), infinite upstream gradients, and 1-based int32 targets on
    the short-row paths (whole 16-row steps and the rows left one at a time), with ignored rows."""
    inf = float("inf")
    cases = []
    for dtype in ("float32", "float64"):
        row = torch.full((2, 1000), 1e17)
        row[1, :500] = -1e17
        cases.append(case(f"tied_1e17_long_rows_{dtype}", (2, 1000), dtype=dtype, logits=row, target=[3, 700],
                          reduction="none"))
    cases.append(case("tied_1e17_long_rows_smoothing", (2, 1000), logits=torch.full((2, 1000), 1e17), target=[3, 7],
                      label_smoothing=0.1))
    cases.append(case("tied_1e17_soft_targets", (2, 1000), target_kind="probabilities",
                      logits=torch.full((2, 1000), 1e17), seed=310))
    cases.append(case("tied_1e17_short_rows", (20, 10), logits=torch.full((20, 10), 1e17), reduction="none",
                      target=[k % 10 for k in range(20)]))
    cases.append(case("tied_1e17_tile_40_classes", (8, 40), logits=torch.full((8, 40), 1e17),
                      target=[k * 5 for k in range(8)]))
    cases.append(case("tied_1e17_class_axis_1", (2, 10, 16), logits=torch.full((2, 10, 16), 1e17), seed=311))
    for reduction in ("mean", "sum"):
        for value in (inf, -inf):
            cases.append(case(f"upstream_{value}_{reduction}", (6, 5), reduction=reduction, grad_output=value, seed=312))
    cases.append(case("upstream_inf_none", (6, 5), reduction="none", grad_output=[inf, 1.0, -inf, 0.5, inf, 2.0],
                      seed=313))
    cases.append(case("upstream_inf_long_rows", (3, 700), grad_output=inf, seed=314))
    for shape, reduction, target_dtype in (((37, 10), "mean", "int32"), ((3, 10), "none", "int32"),
                                           ((37, 10), "sum", "int64"), ((40, 16), "none", "int32"),
                                           ((5, 7), "mean", "int32")):
        cases.append(case(f"index_base_1_{target_dtype}_short_rows_{shape[0]}x{shape[1]}_{reduction}", shape,
                          class_axis=-1, index_base=1, target_dtype=target_dtype, reduction=reduction,
                          ignore_some=True, seed=320 + shape[0],
                          grad_output="random" if reduction == "none" else None))
    return cases


def zloss_softcap():
    """z-loss alone, soft-cap alone, both with label smoothing: over class weights, ignored and
    weighted positions, K-dim, class-last, unbatched, the kernels' row lengths (short rows, tiles,
    long rows), soft targets, every reduction, upstream gradients, float32 and float64."""
    cases, seed = [], 1000
    layouts = [((6, 5), 1), ((3, 5, 4), 1), ((2, 3, 7), -1), ((7,), 1), ((20, 10), 1), ((9, 40), 1), ((3, 300), 1),
               ((2, 30, 17), 1)]
    combos = [(1e-3, 0.0, 0.0), (0.0, 5.0, 0.0), (2e-2, 3.0, 0.1)]
    for shape, axis in layouts:
        for z_loss, softcap, smoothing in combos:
            for dtype in ("float32", "float64"):
                reduction = ("mean", "sum", "none")[seed % 3]
                target_kind = "probabilities" if seed % 7 == 3 else "index"
                name = f"zloss{z_loss}_cap{softcap}_ls{smoothing}_{target_kind}_{'x'.join(map(str, shape))}_axis{axis}_{dtype}_{reduction}"
                cases.append(case(name, shape, target_kind=target_kind, class_axis=axis, dtype=dtype, reduction=reduction,
                                  label_smoothing=smoothing, weighted=seed % 4 == 1, sample_weights=seed % 5 == 2,
                                  ignore_some=target_kind == "index" and seed % 2 == 0, z_loss=z_loss, softcap=softcap,
                                  grad_output="random" if reduction == "none" else (0.6 if seed % 3 == 1 else None),
                                  target_dtype="int32" if seed % 4 == 0 else "int64", seed=seed))
                seed += 1
    # Large logits, where the soft-cap saturates and the z-loss is large.
    big = torch.tensor([[40.0, -25.0, 60.0, 0.5], [-100.0, -90.0, -95.0, 3.0]])
    for reduction in ("mean", "none"):
        cases.append(case(f"zloss_softcap_large_logits_{reduction}", (2, 4), logits=big, target=[0, 3], reduction=reduction,
                          z_loss=1e-4, softcap=30.0))
    return cases


def every_form():
    """Each target kind with each input kind it allows, over layouts, dtypes and reductions."""
    cases, seed = [], 400
    forms = [(t, i) for t in ("index", "probabilities") for i in ("logits", "probabilities", "log-probabilities")]
    forms += [("binary", "logits"), ("binary", "probabilities")]
    for target_kind, input_kind in forms:
        for shape, axis in (((5, 6), 1), ((2, 4, 3), 1), ((2, 3, 4), -1)):
            for dtype in ("float32", "float64"):
                for reduction in ("mean", "sum", "none"):
                    binary = target_kind == "binary"
                    smoothing = 0.1 if not binary and seed % 2 else 0.0
                    weighted = not binary and seed % 4 >= 2
                    name = f"{target_kind}_{input_kind}_{'x'.join(map(str, shape))}_axis{axis}_{dtype}_{reduction}" \
                           f"_ls{smoothing}_w{int(weighted)}"
                    cases.append(case(name, shape, target_kind=target_kind, input_kind=input_kind, class_axis=axis,
                                      dtype=dtype, reduction=reduction, label_smoothing=smoothing, weighted=weighted,
                                      seed=seed, ignore_some=target_kind == "index" and seed % 3 == 0,
                                      target_dtype="int32" if seed % 5 == 0 else "int64"))
                    seed += 1
    return cases


def per_call_options():
    """Sample weights (theanets' weighted), sequence lengths (Mathematica's "Varying"), scale,
    1-based indices and upstream gradients, with every target kind."""
    cases, seed = [], 600
    for target_kind, input_kind in (("index", "logits"), ("index", "probabilities"), ("probabilities", "logits"),
                                    ("probabilities", "log-probabilities"), ("binary", "logits"),
                                    ("binary", "probabilities")):
        for reduction in ("mean", "sum", "none"):
            binary = target_kind == "binary"
            cases.append(case(f"sample_weights_{target_kind}_{input_kind}_{reduction}", (6, 5), target_kind=target_kind,
                              input_kind=input_kind, reduction=reduction, sample_weights=True, weighted=not binary,
                              label_smoothing=0.0 if binary else 0.1, ignore_some=target_kind == "index", seed=seed,
                              grad_output="random" if reduction == "none" else 0.5))
            seed += 1
    for target_kind in ("index", "probabilities"):
        for shape, axis in (((3, 5, 4), -1), ((3, 4, 5), 1)):
            for reduction in ("mean", "none"):
                cases.append(case(f"lengths_{target_kind}_{'x'.join(map(str, shape))}_axis{axis}_{reduction}", shape,
                                  target_kind=target_kind, class_axis=axis, reduction=reduction, lengths=[5, 2, 0],
                                  weighted=True, sample_weights=reduction == "mean", seed=seed))
                seed += 1
    cases.append(case("lengths_all_zero_mean", (2, 3, 4), class_axis=-1, lengths=[0, 0], seed=seed))
    for target_kind, input_kind in (("index", "logits"), ("probabilities", "probabilities"), ("binary", "logits")):
        cases.append(case(f"scale_{target_kind}_{input_kind}", (4, 5), target_kind=target_kind, input_kind=input_kind,
                          scale=2.5, seed=seed + 1))
        seed += 1
    cases.append(case("index_base_1_log_probabilities", (5, 4), input_kind="log-probabilities", index_base=1,
                      label_smoothing=0.2, weighted=True, seed=seed + 2))
    cases.append(case("index_base_1_probabilities_lengths", (2, 3, 4), class_axis=-1, input_kind="probabilities",
                      index_base=1, lengths=[2, 3], seed=seed + 3))
    return cases


def hostile_forms():
    """Probabilities of exactly 0 and 1 (clamped logs, floored denominators), -inf log-probabilities
    and +-1000 logits for binary targets."""
    inf = float("inf")
    probs = torch.tensor([[0.0, 1.0, 0.0], [0.5, 0.5, 0.0], [0.2, 0.3, 0.5]])
    cases = [
        case("probabilities_input_zero_target", (3, 3), input_kind="probabilities", logits=probs, target=[0, 2, 1],
             reduction="none"),
        case("probabilities_input_zero_smoothing", (3, 3), input_kind="probabilities", logits=probs, target=[1, 0, 2],
             label_smoothing=0.1),
        case("log_probabilities_minus_inf", (3, 3), input_kind="log-probabilities", logits=torch.log(probs),
             target=[1, 0, 2], reduction="none"),
        case("binary_probabilities_0_and_1", (2, 3), target_kind="binary", input_kind="probabilities",
             logits=torch.tensor([0.0, 1.0, 0.0, 1.0, 0.5, 1e-30]), target=[0.0, 1.0, 1.0, 0.0, 0.5, 1.0],
             reduction="none"),
        case("binary_logits_pm1000", (2, 3), target_kind="binary", input_kind="logits",
             logits=torch.tensor([1000.0, -1000.0, 1000.0, -1000.0, 0.0, 30.0]), target=[1.0, 0.0, 0.0, 1.0, 0.3, 0.9]),
        case("soft_targets_masked_logits", (2, 3), target_kind="probabilities",
             logits=torch.tensor([[0.0, -inf, 1.0], [2.0, 1.0, 0.0]]), target=[0.5, 0.0, 0.5, 0.2, 0.3, 0.5]),
    ]
    return cases


def cli_cases():
    """Cases for `xent loss`: each becomes a folder of .npy files written by NumPy, the command's
    options (args.txt) and PyTorch's expected loss and gradient."""
    return [
        ("cross_entropy_4d_axis1", case("a", (2, 5, 3, 2), label_smoothing=0.1, weighted=True, ignore_some=True, seed=900),
         "--label-smoothing 0.1"),
        ("cross_entropy_class_last_none", case("b", (3, 4, 6), class_axis=-1, reduction="none", grad_output="random",
                                               seed=901), "--class-axis -1 --reduction none"),
        ("cross_entropy_index_base_1_lengths", case("c", (3, 5, 4), class_axis=-1, index_base=1, lengths=[5, 3, 1],
                                                    weighted=True, seed=902), "--class-axis -1 --index-base 1"),
        ("soft_targets_lengths_axis1", case("d", (3, 4, 5), target_kind="probabilities", lengths=[5, 0, 2],
                                            label_smoothing=0.2, seed=903), "--target-kind probabilities --label-smoothing 0.2"),
        ("nll_loss_int32_ignore_2_sum", case("e", (6, 5), input_kind="log-probabilities", target_dtype="int32",
                                             ignore_index=2, reduction="sum", seed=904),
         "--input-kind log-probabilities --ignore-index 2 --reduction sum"),
        ("soft_targets_float64_upstream", case("f", (4, 7), target_kind="probabilities", dtype="float64", weighted=True,
                                               grad_output=0.37, seed=905), "--target-kind probabilities"),
        ("binary_cross_entropy_sample_weights_none", case("g", (3, 4), target_kind="binary", input_kind="probabilities",
                                                          sample_weights=True, reduction="none", seed=906),
         "--target-kind binary --input-kind probabilities --reduction none"),
        ("binary_cross_entropy_with_logits_scale", case("h", (2, 3, 2), target_kind="binary", scale=2.5, seed=907),
         "--target-kind binary --scale 2.5"),
        ("mathematica_index_probabilities", case("i", (5, 4), input_kind="probabilities", index_base=1, seed=908),
         "--input-kind probabilities --index-base 1"),
        ("theanets_weighted_scaled", case("j", (6, 3), sample_weights=True, scale=0.5, seed=909), "--scale 0.5"),
        ("z_loss_softcap_smoothing", case("k", (4, 9), z_loss=1e-2, softcap=3.0, label_smoothing=0.1, weighted=True,
                                          ignore_some=True, seed=910), "--z-loss 0.01 --softcap 3 --label-smoothing 0.1"),
        ("z_loss_class_last_none", case("l", (2, 3, 7), class_axis=-1, reduction="none", grad_output="random",
                                        z_loss=0.05, seed=911), "--class-axis -1 --reduction none --z-loss 0.05"),
        ("softcap_soft_targets_float64", case("m", (3, 6, 2), target_kind="probabilities", dtype="float64",
                                              softcap=2.0, sample_weights=True, seed=912),
         "--target-kind probabilities --softcap 2"),
    ]


def write_cli_case(folder, c, args):
    """The case's tensors as .npy files in their own dtypes, plus args.txt and the expectations."""
    os.makedirs(folder, exist_ok=True)
    for f in os.listdir(folder):
        os.remove(os.path.join(folder, f))
    floats = np.float32 if c["dtype"] == "float32" else np.float64
    shape = c["shape"]
    axis = 0 if len(shape) == 1 else (1 if c["class_axis"] == 1 else len(shape) - 1)
    positions = shape if c["target_kind"] == "binary" else [d for i, d in enumerate(shape) if i != axis]
    np.save(os.path.join(folder, "input.npy"), np.asarray(c["input"], dtype=floats).reshape(shape))
    if c["target_kind"] == "index":
        ints = np.int32 if c["target_dtype"] == "int32" else np.int64
        np.save(os.path.join(folder, "target.npy"), np.asarray(c["target"], dtype=ints).reshape(positions))
    else:
        np.save(os.path.join(folder, "target.npy"), np.asarray(c["target"], dtype=floats).reshape(shape))
    files = ""
    if c["weight"] is not None:
        np.save(os.path.join(folder, "weight.npy"), np.asarray(c["weight"], dtype=floats))
        files += " --weight weight.npy"
    if c["sample_weights"] is not None:
        np.save(os.path.join(folder, "sample_weight.npy"), np.asarray(c["sample_weights"], dtype=floats).reshape(positions))
        files += " --sample-weight sample_weight.npy"
    if c["lengths"] is not None:
        np.save(os.path.join(folder, "lengths.npy"), np.asarray(c["lengths"], dtype=np.int64))
        files += " --lengths lengths.npy"
    if c["grad_output"] is not None:
        g = np.asarray(c["grad_output"], dtype=floats)
        np.save(os.path.join(folder, "grad_output.npy"), g.reshape(positions) if c["reduction"] == "none" else g)
        files += " --grad-output grad_output.npy"
    loss = np.asarray(c["loss"], dtype=np.float64)
    np.save(os.path.join(folder, "expected_loss.npy"), loss.reshape(positions) if c["reduction"] == "none" else loss)
    np.save(os.path.join(folder, "expected_grad.npy"), np.asarray(c["grad"], dtype=np.float64).reshape(shape))
    with open(os.path.join(folder, "args.txt"), "w") as f:
        f.write(f"--input input.npy --target target.npy{files} {args}\n")
    with open(os.path.join(folder, "expected_metrics.json"), "w") as f:
        json.dump({"count": c["count"], "weight_sum": c["weight_sum"], "correct": c["correct"], "z_loss": c["z_part"]}, f)
        f.write("\n")


def write_linear_cli_case(folder, c, args):
    """A linear case as .npy files in their own dtypes, args.txt and PyTorch's expectations."""
    os.makedirs(folder, exist_ok=True)
    for f in os.listdir(folder):
        os.remove(os.path.join(folder, f))
    floats = np.float32 if c["dtype"] == "float32" else np.float64
    shape, V = c["shape"], c["classes"]
    D = shape[-1]
    positions = shape[:-1]
    wshape = (D, V) if c["weight_layout"] == "dv" else (V, D)

    def save(name, values, dtype, shape_):
        np.save(os.path.join(folder, name), np.asarray(values, dtype=dtype).reshape(shape_))

    save("hidden.npy", c["hidden"], floats, shape)
    save("linear_weight.npy", c["linear_weight"], floats, wshape)
    save("target.npy", c["target"], np.int32 if c["target_dtype"] == "int32" else np.int64, positions)
    files = ""
    if c["linear_bias"] is not None:
        save("linear_bias.npy", c["linear_bias"], floats, (V,))
        files += " --linear-bias linear_bias.npy"
    if c["weight"] is not None:
        save("weight.npy", c["weight"], floats, (V,))
        files += " --weight weight.npy"
    if c["sample_weights"] is not None:
        save("sample_weight.npy", c["sample_weights"], floats, positions)
        files += " --sample-weight sample_weight.npy"
    save("expected_loss.npy", c["loss"], np.float64, positions if c["reduction"] == "none" else ())
    save("expected_grad.npy", c["grad_hidden"], np.float64, shape)
    save("expected_grad_linear_weight.npy", c["grad_weight"], np.float64, wshape)
    if c["grad_bias"] is not None:
        save("expected_grad_linear_bias.npy", c["grad_bias"], np.float64, (V,))
    save("expected_lse.npy", c["lse"], np.float64, positions)
    with open(os.path.join(folder, "args.txt"), "w") as f:
        f.write(f"--input hidden.npy --linear-weight linear_weight.npy --target target.npy{files} {args}".rstrip() + "\n")
    with open(os.path.join(folder, "expected_metrics.json"), "w") as f:
        json.dump({"count": c["count"], "weight_sum": c["weight_sum"], "correct": c["correct"], "z_loss": c["z_part"]}, f)
        f.write("\n")


def main():
    torch.set_num_threads(1)
    os.makedirs(OUT, exist_ok=True)
    files = {
        "index_logits_options.json": options_sweep(),
        "index_logits_upstream.json": upstream_and_index_options(),
        "index_logits_hostile.json": hostile(),
        "every_form.json": every_form(),
        "per_call_options.json": per_call_options(),
        "hostile_forms.json": hostile_forms(),
        "edges.json": edges(),
        "zloss_softcap.json": zloss_softcap(),
        "linear.json": linear_cases(),
    }
    for file, cases in files.items():
        with open(os.path.join(OUT, file), "w") as f:
            json.dump({"generator": "tools/golden/make_golden.py", "torch": torch.__version__, "cases": cases}, f,
                      separators=(",", ":"))
            f.write("\n")
        print(f"{file}: {len(cases)} cases", file=sys.stderr)
    cli = cli_cases()
    for name, c, args in cli:
        write_cli_case(os.path.join(NPY_OUT, name), c, args)
    print(f"npy/: {len(cli)} command-line cases", file=sys.stderr)
    linear_cli = linear_cli_cases()
    for name, c, args in linear_cli:
        write_linear_cli_case(os.path.join(NPY_LINEAR_OUT, name), c, args)
    print(f"npy_linear/: {len(linear_cli)} command-line cases", file=sys.stderr)


if __name__ == "__main__":
    main()
