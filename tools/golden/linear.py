"""Golden cases of the fused linear + cross-entropy form (docs/semantics.md, "Fused linear +
cross-entropy"): PyTorch's F.linear, then F.cross_entropy plus the z term written out, with the
soft-cap written out too, differentiated by autograd. make_golden.py writes them."""
import torch
import torch.nn.functional as F

DTYPES = {"float32": torch.float32, "float64": torch.float64}


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def linear_case(name, hidden_shape, classes, *, layout="vd", bias=True, dtype="float32", target_dtype="int64",
                reduction="mean", ignore_index=-100, ignore_some=False, weighted=False, label_smoothing=0.0,
                z_loss=0.0, softcap=0.0, sample_weights=False, grad_output=None, accumulate=False, frozen=False,
                index_base=0, scale=1.0, seed=0):
    g = torch.Generator().manual_seed(seed)
    tdtype = DTYPES[dtype]
    D = hidden_shape[-1]
    positions = list(hidden_shape[:-1])
    M = 1
    for n in positions:
        M *= n
    h = torch.randn(hidden_shape, generator=g, dtype=torch.float64).to(tdtype).requires_grad_(True)
    W = (torch.randn(classes, D, generator=g, dtype=torch.float64) * (2.0 / D ** 0.5)).to(tdtype).requires_grad_(True)
    b = (torch.randn(classes, generator=g, dtype=torch.float64) * 0.5).to(tdtype).requires_grad_(True) if bias else None
    y = torch.randint(0, classes, [M], generator=g)
    if ignore_some and M > 1:
        y[::3] = ignore_index
    counted = y != ignore_index
    w = (torch.rand(classes, generator=g, dtype=torch.float64) * 2 + 0.1).to(tdtype) if weighted else None
    s = (torch.rand(M, generator=g, dtype=torch.float64) * 2).to(tdtype) if sample_weights else None
    sw = s if s is not None else torch.ones(M, dtype=tdtype)

    x = F.linear(h, W, b).reshape(M, classes)
    if softcap > 0:
        x = softcap * torch.tanh(x / softcap)
    per = F.cross_entropy(x, y, weight=w, ignore_index=ignore_index, reduction="none", label_smoothing=label_smoothing)
    lse = torch.logsumexp(x, 1)
    z_per = z_loss * lse ** 2 * counted if z_loss > 0 else torch.zeros(M, dtype=tdtype)
    wy = w[y.clamp(0, classes - 1)] if w is not None else torch.ones(M, dtype=tdtype)
    divisor = (sw * wy * counted).sum()
    z_divisor = (sw * counted).sum()
    if reduction == "none":
        loss = (per + z_per) * sw * scale
        z_part = (z_per * sw).sum() * scale
    else:
        z_part = (z_per * sw).sum() / (z_divisor if reduction == "mean" else 1) * scale
        loss = (per * sw).sum() / (divisor if reduction == "mean" else 1) * scale + z_part
    if grad_output is None:
        upstream = torch.ones_like(loss)
    elif isinstance(grad_output, float):
        upstream = torch.tensor(grad_output, dtype=tdtype)
    else:
        upstream = (torch.rand(loss.shape, generator=g, dtype=torch.float64) * 2 - 0.5).to(tdtype)
    loss.backward(upstream)

    # What an accumulating call finds in its gradient buffers first.
    start_w = (torch.randn(classes, D, generator=g, dtype=torch.float64) * 0.1).to(tdtype) if accumulate else None
    start_b = (torch.randn(classes, generator=g, dtype=torch.float64) * 0.1).to(tdtype) if accumulate and bias else None
    grad_w = W.grad + start_w if accumulate else W.grad
    grad_b = (b.grad + start_b if accumulate else b.grad) if bias else None
    dv = layout == "dv"
    hits = (x.detach().argmax(1) == y) & counted
    return {
        "name": name,
        "shape": list(hidden_shape),
        "classes": classes,
        "weight_layout": layout,
        "dtype": dtype,
        "target_dtype": target_dtype,
        "reduction": reduction,
        "ignore_index": ignore_index,
        "index_base": index_base,
        "label_smoothing": label_smoothing,
        "scale": scale,
        "z_loss": z_loss,
        "softcap": softcap,
        "z_part": float(z_part) if z_loss > 0 else 0.0,
        "accumulate": accumulate,
        "frozen": frozen,
        "weight": flat(w) if w is not None else None,
        "sample_weights": flat(s) if s is not None else None,
        "grad_output": None if grad_output is None else (float(upstream) if upstream.dim() == 0 else flat(upstream)),
        "hidden": flat(h),
        "linear_weight": flat(W.t().contiguous() if dv else W),
        "linear_bias": flat(b) if bias else None,
        "target": [int(v) if v == ignore_index else int(v) + index_base for v in y.tolist()],
        "loss": flat(loss) if reduction == "none" else float(loss),
        "lse": flat(lse),
        "grad_hidden": flat(h.grad),
        "grad_weight": None if frozen else flat(grad_w.t().contiguous() if dv else grad_w),
        "grad_weight_start": None if start_w is None else flat(start_w.t().contiguous() if dv else start_w),
        "grad_bias": None if frozen or not bias else flat(grad_b),
        "grad_bias_start": None if start_b is None else flat(start_b),
        "count": int(counted.sum()),
        "weight_sum": float(divisor),
        "correct": int(hits.sum()),
    }


def linear_cases():
    """Bias and none, both layouts, accumulate, frozen head, 3-D input, ignored positions, class
    weights, smoothing, z-loss, soft-cap, every reduction, float32 and float64, int32 and int64."""
    cases = []
    seed = 2000
    for dtype in ("float32", "float64"):
        for layout in ("vd", "dv"):
            for reduction in ("mean", "sum", "none"):
                for variant in range(4):
                    seed += 1
                    cases.append(linear_case(
                        f"{dtype} {layout} {reduction} {variant}",
                        (13, 8) if variant != 2 else (3, 5, 8), 37 if variant % 2 else 70,
                        layout=layout, dtype=dtype, reduction=reduction, bias=variant != 1,
                        target_dtype="int32" if variant == 3 else "int64",
                        ignore_some=variant in (0, 2), weighted=variant == 1, label_smoothing=0.1 if variant >= 2 else 0.0,
                        z_loss=1e-2 if variant in (1, 3) else 0.0, softcap=3.0 if variant in (2, 3) else 0.0,
                        sample_weights=variant == 3, grad_output="random" if variant == 0 else None,
                        accumulate=variant == 3, frozen=variant == 2 and reduction == "sum",
                        index_base=1 if variant == 1 else 0, scale=0.5 if variant == 2 else 1.0, seed=seed))
    # Every option at once, on a shape with several blocks in any block size the tests try.
    cases.append(linear_case("all options", (40, 12), 150, layout="dv", ignore_some=True, weighted=True,
                             label_smoothing=0.2, z_loss=1e-3, softcap=10.0, sample_weights=True, grad_output=0.7,
                             accumulate=True, seed=2100))
    cases.append(linear_case("unbatched", (8,), 11, seed=2101))
    return cases


def linear_cli_cases():
    """Cases for `xent linear-loss`: (folder name, case, extra options)."""
    return [
        ("linear_mean_bias", linear_case("a", (12, 8), 40, seed=2200), ""),
        ("linear_dv_none_ignore", linear_case("b", (2, 5, 6), 17, layout="dv", reduction="none", ignore_some=True,
                                              seed=2201), "--weight-layout dv --reduction none"),
        ("linear_zloss_softcap_smoothing", linear_case("c", (9, 7), 50, bias=False, z_loss=1e-2, softcap=5.0,
                                                       label_smoothing=0.1, weighted=True, seed=2202),
         "--z-loss 0.01 --softcap 5 --label-smoothing 0.1"),
        ("linear_float64_int32_sum", linear_case("d", (6, 4), 9, dtype="float64", target_dtype="int32",
                                                 reduction="sum", sample_weights=True, seed=2203), "--reduction sum"),
    ]
