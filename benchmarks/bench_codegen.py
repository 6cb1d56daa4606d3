"""Item 3 — generated NumPy code against torch.autograd on CPU.

For each spec × width × dtype, one interleaved run times:

* ``generated``  — ``symbackprop.compile(d).module.gradients`` (loss, every dW, db, dX);
* ``generated_out`` — the same with ``out=`` an earlier result (gradient arrays reused);
* ``torch``      — the same network written in PyTorch, ``torch.autograd.grad`` of the
                   loss w.r.t. X, every W and b (forward + backward, as a user would);
* ``lambdify``   — ``symbackprop.matrix.batch_backprop`` (the lambdify-built batch
                   form; float64 only);
* ``gemm``       — only the matrix products the gradients need (per layer: the
                   forward Y W, the weight gradient Yᵀ Δ and the input gradient Δ Wᵀ),
                   into preallocated outputs: the matrix-multiplication bound.

Batch 64, every layer of the width under test.  Before timing, the generated
gradients are checked against torch's.  With one thread (the default) the
statistic is the minimum CPU time of the calling thread (= wall time when not
preempted; both libraries then compute in that thread); otherwise minimum wall time.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from common import ROOT, environment, fmt_ratio, fmt_seconds, interleave, table, write_json

SPECS = ("classification", "deep_tanh_relu")
WIDTHS = (16, 256, 1024)
DTYPES = ("float64", "float32")
BATCH = 64


def torch_step(torch, net, X, T, Ws, bs):
    """A closure: forward + torch.autograd.grad for the network, written the way a torch user would."""
    F = torch.nn.functional
    x = torch.from_numpy(X).requires_grad_()
    t = torch.from_numpy(T)
    Wt = [torch.from_numpy(W.copy()).requires_grad_() for W in Ws]
    bt = [torch.from_numpy(b.copy()).requires_grad_() if b is not None else None for b in bs]
    acts = {"identity": lambda u: u, "sigmoid": torch.sigmoid, "tanh": torch.tanh,
            "relu": torch.relu, "softplus": F.softplus, "softmax": lambda u: torch.softmax(u, 1)}
    layers = [(acts[l.activation], l.activation) for l in net.layers[1:]]
    out = net.layers[-1].activation
    params = [x] + Wt + [b for b in bt if b is not None]

    def loss(y, u):
        if net.loss == "sse":
            return 0.5 * ((y - t) ** 2).sum()
        if net.loss == "mse":
            return ((y - t) ** 2).sum() / y.shape[1]
        if net.loss == "cross_entropy":
            if out == "softmax":
                return -(t * torch.log_softmax(u, 1)).sum()
            return -(t * torch.log(y)).sum()
        if out == "sigmoid":
            return F.binary_cross_entropy_with_logits(u, t, reduction="sum")
        return -(t * torch.log(y) + (1 - t) * torch.log(1 - y)).sum()

    # softmax + cross-entropy: the loss reads the logits (log_softmax), so skip the softmax
    logits_only = out == "softmax" and net.loss == "cross_entropy"

    def run():
        y, u = x, None
        for n, ((f, name), W, b) in enumerate(zip(layers, Wt, bt), start=1):
            u = torch.addmm(b, y, W) if b is not None else y @ W   # what nn.Linear does
            y = u if (logits_only and n == len(layers)) else f(u)
        E = loss(y, u)
        return E, torch.autograd.grad(E, params)

    return run


def gemm_step(X, Ws, dtype):
    """Only the products: per layer U = Y W, dW = Yᵀ Δ, G = Δ Wᵀ, into preallocated arrays."""
    B = X.shape[0]
    widths = [X.shape[1]] + [W.shape[1] for W in Ws]
    Ys = [X] + [np.ones((B, n), dtype=dtype) for n in widths[1:]]
    Ds = [np.ones((B, n), dtype=dtype) for n in widths]
    dWs = [np.empty_like(W) for W in Ws]
    mm = np.matmul

    def run():
        for n, W in enumerate(Ws):
            mm(Ys[n], W, out=Ys[n + 1])
        for n in range(len(Ws) - 1, -1, -1):
            mm(Ys[n].T, Ds[n + 1], out=dWs[n])
            mm(Ds[n + 1], Ws[n].T, out=Ds[n])

    return run


def case(net, width: int, dtype: str, seed: int):
    """X, T, Ws, bs at one width (every layer), scaled so no unit saturates."""
    rng = np.random.default_rng(seed)
    sizes = [width] * len(net.layers)
    X = rng.normal(size=(BATCH, width)).astype(dtype)
    Ws = [(rng.normal(size=(a, b)) / np.sqrt(a)).astype(dtype) for a, b in zip(sizes, sizes[1:])]
    bs = [(0.1 * rng.normal(size=b)).astype(dtype) if l.bias else None
          for b, l in zip(sizes[1:], net.layers[1:])]
    T = np.eye(width, dtype=dtype)[rng.integers(0, width, size=BATCH)]
    return X, T, Ws, bs


def flops(net, width: int) -> float:
    """2·B·n_in·n_out per product, three products per layer (forward, dW, dX)."""
    return 3 * 2 * BATCH * width * width * (len(net.layers) - 1)


def run(quick: bool = False, threads: int = 1, out_dir=None) -> dict[str, Any]:
    import torch

    import symbackprop as sb
    from symbackprop.codegen import compile as compile_numpy
    from symbackprop.derive import derive
    from symbackprop.matrix import batch_backprop

    torch.set_num_threads(threads)
    rounds = 3 if quick else 7
    per_round = 0.15 if quick else 0.35
    rows, records = [], []
    for spec in SPECS:
        net = sb.load(ROOT / "derivations" / f"{spec}.toml")
        d = derive(net)
        lam = batch_backprop(d)
        for dtype in DTYPES:
            gen = compile_numpy(d, dtype=dtype).module.gradients
            for width in WIDTHS:
                X, T, Ws, bs = case(net, width, dtype, seed=width)
                tor = torch_step(torch, net, X, T, Ws, bs)
                E, grads = tor()
                got = gen(X, T, Ws, bs)
                rtol = 1e-9 if dtype == "float64" else 2e-3
                np.testing.assert_allclose(got["loss"], E.item(), rtol=rtol)
                for g, w in zip(got["dW"], grads[1:1 + len(Ws)]):
                    np.testing.assert_allclose(g, w.numpy(), rtol=rtol, atol=rtol * np.abs(w.numpy()).max())
                prev = gen(X, T, Ws, bs)
                contenders = {"generated": lambda: gen(X, T, Ws, bs),
                              "generated_out": lambda: gen(X, T, Ws, bs, out=prev),
                              "torch": tor, "gemm": gemm_step(X, Ws, dtype)}
                if dtype == "float64":
                    contenders["lambdify"] = lambda: lam(X, T, Ws, bs)
                t = interleave(contenders, rounds=rounds, seconds_per_round=per_round,
                               cpu_time=threads == 1)
                key = "cpu_min" if threads == 1 else "min"
                best = {name: v[key] for name, v in t.items()}
                g, go, tt, mm = best["generated"], best["generated_out"], best["torch"], best["gemm"]
                f = flops(net, width)
                rec = {"spec": spec, "width": width, "dtype": dtype, "batch": BATCH, "threads": threads,
                       "layers": len(net.layers) - 1, "flops": f, "statistic": key, "times": t,
                       "generated_over_torch": g / tt, "generated_out_over_torch": go / tt,
                       "generated_over_gemm": g / mm, "generated_out_over_gemm": go / mm,
                       "generated_gflops": f / g / 1e9, "generated_out_gflops": f / go / 1e9,
                       "torch_gflops": f / tt / 1e9, "gemm_gflops": f / mm / 1e9,
                       "wall_generated_over_torch": t["generated"]["min"] / t["torch"]["min"],
                       "median_generated_over_torch":
                           t["generated"][key.replace("min", "median")] / t["torch"][key.replace("min", "median")]}
                if "lambdify" in best:
                    rec["lambdify_over_torch"] = best["lambdify"] / tt
                records.append(rec)
                rows.append((spec, dtype, width, fmt_seconds(g), fmt_seconds(tt), fmt_ratio(g / tt),
                             fmt_ratio(go / tt), fmt_ratio(rec.get("lambdify_over_torch")),
                             fmt_ratio(rec["median_generated_over_torch"]),
                             fmt_ratio(rec["wall_generated_over_torch"]),
                             fmt_seconds(mm), fmt_ratio(g / mm), fmt_ratio(go / mm),
                             f"{f / g / 1e9:.1f}", f"{f / go / 1e9:.1f}", f"{f / mm / 1e9:.1f}"))
                print(f"  {spec} {dtype} width {width}: generated/torch {g / tt:.2f} "
                      f"(out= {go / tt:.2f}), generated/gemm {g / mm:.2f} (out= {go / mm:.2f})",
                      flush=True)
    text = table(("spec", "dtype", "width", "generated", "torch", "gen/torch", "gen(out=)/torch",
                  "lambdify/torch", "gen/torch (median)", "gen/torch (wall)", "gemm bound", "gen/gemm", "gen(out=)/gemm",
                  "gen GFLOP/s", "gen(out=) GFLOP/s", "gemm GFLOP/s"), rows)
    targets = {
        "never_slower_than_torch": all(r["generated_over_torch"] <= 1.0 for r in records),
        "worst_generated_over_torch": max(r["generated_over_torch"] for r in records),
        "within_1.3x_of_gemm_at_1024": all(r["generated_over_gemm"] <= 1.3
                                           for r in records if r["width"] == 1024),
        "worst_generated_over_gemm_at_1024": max(r["generated_over_gemm"] for r in records
                                                 if r["width"] == 1024),
    }
    data = {"item": "codegen", "threads": threads, "batch": BATCH, "environment": environment(),
            "results": records, "targets": targets}
    write_json(f"codegen_threads{threads}", data, out_dir)
    what = ("CPU time of the calling thread" if threads == 1 else "wall time")
    print(f"\nGenerated NumPy vs torch.autograd (batch {BATCH}, {threads} thread(s); "
          f"minimum {what} over interleaved calls)")
    print(text)
    print(f"targets: {targets}")
    return data
