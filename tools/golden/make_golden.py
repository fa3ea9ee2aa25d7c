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

import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                   "java", "core", "src", "test", "resources", "golden")
DTYPES = {"float32": torch.float32, "float64": torch.float64}


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def index_case(name, shape, *, class_axis=1, dtype="float32", target_dtype="int64",
               reduction="mean", ignore_index=-100, label_smoothing=0.0, weighted=False,
               index_base=0, grad_output=None, seed=0, logits=None, target=None, ignore_some=False):
    """F.cross_entropy with index targets; the input is laid out as xent will see it."""
    g = torch.Generator().manual_seed(seed)
    tdtype = DTYPES[dtype]
    rank = len(shape)
    c_axis = 0 if rank == 1 else (1 if class_axis == 1 else rank - 1)
    classes = shape[c_axis]
    per_position = [d for i, d in enumerate(shape) if i != c_axis]

    x = logits.to(tdtype) if logits is not None else (torch.randn(shape, generator=g, dtype=torch.float64) * 3).to(tdtype)
    x = x.reshape(shape).clone().requires_grad_(True)
    if target is not None:
        y = torch.tensor(target, dtype=torch.int64).reshape(per_position)
    else:
        y = torch.randint(0, classes, per_position if per_position else [], generator=g)
        if ignore_some and y.numel() > 1:
            y.view(-1)[::3] = ignore_index
    w = (torch.rand(classes, generator=g, dtype=torch.float64) * 2 + 0.1).to(tdtype) if weighted else None

    # PyTorch wants the class axis at 1 (or 0 unbatched).
    x_torch = x if (rank <= 2 or class_axis == 1) else x.movedim(-1, 1)
    loss = F.cross_entropy(x_torch, y, weight=w, ignore_index=ignore_index,
                           reduction=reduction, label_smoothing=label_smoothing)
    if grad_output is None:
        upstream = torch.ones_like(loss)
    elif isinstance(grad_output, float):
        upstream = torch.tensor(grad_output, dtype=tdtype)
    else:
        upstream = (torch.rand(loss.shape, generator=g, dtype=torch.float64) * 2 - 0.5).to(tdtype)
    loss.backward(upstream)

    # Targets as the user passes them: shifted by the index base, ignored ones untouched.
    y_user = torch.where(y == ignore_index, y, y + index_base)
    return {
        "name": name,
        "shape": list(shape),
        "class_axis": class_axis,
        "dtype": dtype,
        "target_dtype": target_dtype,
        "reduction": reduction,
        "ignore_index": ignore_index,
        "index_base": index_base,
        "label_smoothing": label_smoothing,
        "weight": flat(w) if w is not None else None,
        "grad_output": None if grad_output is None else (float(upstream) if upstream.dim() == 0 else flat(upstream)),
        "input": flat(x),
        "target": [int(v) for v in y_user.reshape(-1).tolist()],
        "loss": float(loss) if loss.dim() == 0 else flat(loss),
        "grad": flat(x.grad),
    }


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


def main():
    torch.set_num_threads(1)
    os.makedirs(OUT, exist_ok=True)
    files = {
        "index_logits_options.json": options_sweep(),
        "index_logits_upstream.json": upstream_and_index_options(),
        "index_logits_hostile.json": hostile(),
    }
    for file, cases in files.items():
        with open(os.path.join(OUT, file), "w") as f:
            json.dump({"generator": "tools/golden/make_golden.py", "torch": torch.__version__, "cases": cases}, f,
                      separators=(",", ":"))
            f.write("\n")
        print(f"{file}: {len(cases)} cases", file=sys.stderr)


if __name__ == "__main__":
    main()
