"""Item 3 — generated code (NumPy and torch targets) against torch.autograd on CPU.

For each spec × batch × width × dtype, one interleaved run times:

* ``numpy``      — ``symbackprop.compile(d).module.gradients`` (loss, every dW, db, dX);
* ``numpy_out``  — the same with ``out=`` an earlier result (every buffer reused);
* ``torch_target`` / ``torch_target_out`` — ``compile(d, target="torch")``: plain torch ops,
                   no autograd, fresh buffers / ``out=`` an earlier result;
* ``autograd``   — the same network written in PyTorch, ``torch.autograd.grad`` of the
                   loss w.r.t. X, every W and b (forward + backward, as a user would);
* ``gemm_numpy`` / ``gemm_torch`` — only the matrix products the step must do (per layer:
                   the forward Y W, the weight gradient Yᵀ Δ and the input gradient Δ Wᵀ),
                   into preallocated outputs, with ``np.matmul`` / ``torch.mm``: each
                   library's matrix-multiplication bound.

Every layer has the width under test.  Before timing, both targets' gradients are
checked against torch.autograd's.  Thread counts are equal for both libraries
(``torch.set_num_threads`` and OPENBLAS/OMP/MKL_NUM_THREADS, set by ``run.py --threads``
before NumPy is imported).  With one thread (the default) the statistic is the
CPU time of the calling thread (= wall time when not preempted; both libraries then
compute in that thread); otherwise wall time.

The machine is shared and its load changes within seconds, so the headline ratio is
*paired*: in each round every contender runs a few calls in turn, the ratio of the two
round minima is taken, and the median of these per-round ratios is reported
(``*_over_autograd``).  The ratio of the overall minima is recorded too (``min_*``).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

import numpy as np

import statistics
import time

from common import ROOT, calls_per_round, environment, fmt_ratio, fmt_seconds, table, write_json

SPECS = ("classification", "deep_tanh_relu")
WIDTHS = (16, 64, 256, 1024, 2048)
BATCHES = (64, 256)
DTYPES = ("float32", "float64")
CONTENDERS = ("numpy", "numpy_out", "torch_target", "torch_target_out", "autograd",
              "gemm_numpy", "gemm_torch")


def torch_step(torch, net, X, T, Ws, bs):
    """A closure: forward + torch.autograd.grad for the network, written the way a torch user would."""
    F = torch.nn.functional
    x = torch.from_numpy(X).requires_grad_()
    t = torch.from_numpy(T)
    # the same parameter arrays as the generated code reads (no copies: a GEMM's speed depends
    # on where W lies, by up to 1.4× for W of 1024 × 1024 at batch 64, measured)
    Wt = [torch.from_numpy(W).requires_grad_() for W in Ws]
    bt = [torch.from_numpy(b).requires_grad_() if b is not None else None for b in bs]
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
    """Only the products, NumPy: per layer U = Y W, dW = Yᵀ Δ, G = Δ Wᵀ, into preallocated arrays."""
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


def gemm_torch_step(torch, X, Ws):
    """The same products with torch.mm (out=): torch's matrix-multiplication bound."""
    B = X.shape[0]
    Wt = [torch.from_numpy(W) for W in Ws]
    widths = [X.shape[1]] + [W.shape[1] for W in Ws]
    Ys = [torch.from_numpy(X)] + [torch.ones((B, n), dtype=Wt[0].dtype) for n in widths[1:]]
    Ds = [torch.ones((B, n), dtype=Wt[0].dtype) for n in widths]
    dWs = [torch.empty_like(W) for W in Wt]
    mm = torch.mm

    def run():
        for n, W in enumerate(Wt):
            mm(Ys[n], W, out=Ys[n + 1])
        for n in range(len(Wt) - 1, -1, -1):
            mm(Ys[n].T, Ds[n + 1], out=dWs[n])
            mm(Ds[n + 1], Wt[n].T, out=Ds[n])

    return run


def case(net, batch: int, width: int, dtype: str, seed: int):
    """X, T, Ws, bs at one width (every layer), scaled so no unit saturates."""
    rng = np.random.default_rng(seed)
    sizes = [width] * len(net.layers)
    X = rng.normal(size=(batch, width)).astype(dtype)
    Ws = [(rng.normal(size=(a, b)) / np.sqrt(a)).astype(dtype) for a, b in zip(sizes, sizes[1:])]
    bs = [(0.1 * rng.normal(size=b)).astype(dtype) if l.bias else None
          for b, l in zip(sizes[1:], net.layers[1:])]
    T = np.eye(width, dtype=dtype)[rng.integers(0, width, size=batch)]
    return X, T, Ws, bs


def flops(net, batch: int, width: int) -> float:
    """2·B·n_in·n_out per product, three products per layer (forward, dW, dX)."""
    return 3 * 2 * batch * width * width * (len(net.layers) - 1)


def _check(got: dict, E, grads, n_layers: int, dtype: str, what: str) -> None:
    """Loss and every dW against torch.autograd's."""
    rtol = 1e-9 if dtype == "float64" else 2e-3
    np.testing.assert_allclose(got["loss"], E.item(), rtol=rtol, err_msg=what)
    for g, w in zip(got["dW"], grads[1:1 + n_layers]):
        g = g.numpy() if hasattr(g, "numpy") else g
        np.testing.assert_allclose(g, w.numpy(), rtol=rtol, atol=rtol * np.abs(w.numpy()).max(),
                                   err_msg=what)


def interleave_rounds(contenders, rounds: int, seconds_per_round: float, cpu_time: bool,
                      max_calls: int = 400) -> dict[str, dict[str, Any]]:
    """Each contender in turn, ``rounds`` times (order rotated); per round its minimum time.

    A call is timed by the calling thread's CPU time when ``cpu_time`` (else wall time).
    """
    clock = time.thread_time if cpu_time else time.perf_counter
    calls = calls_per_round(contenders, seconds_per_round, max_calls, least=2)
    names = list(contenders)
    per_round: dict[str, list[float]] = {n: [] for n in names}
    every: dict[str, list[float]] = {n: [] for n in names}
    for r in range(rounds):
        for name in names[r % len(names):] + names[:r % len(names)]:
            fn = contenders[name]
            fn()
            times = []
            for _ in range(calls[name]):
                c0 = clock()
                fn()
                times.append(clock() - c0)
            per_round[name].append(min(times))
            every[name] += times
    return {n: {"min": min(every[n]), "median": statistics.median(every[n]), "calls": len(every[n]),
                "round_min": per_round[n]} for n in names}


def paired(t: dict, name: str, base: str = "autograd") -> float:
    """Median over rounds of (round minimum of name) / (round minimum of base)."""
    return statistics.median(a / b for a, b in zip(t[name]["round_min"], t[base]["round_min"]))


def run(quick: bool = False, threads: int = 1, out_dir=None, specs=SPECS, batches=BATCHES,
        widths=WIDTHS, dtypes=DTYPES) -> dict[str, Any]:
    import torch

    import symbackprop as sb
    from symbackprop.codegen import compile as compile_code
    from symbackprop.derive import derive

    torch.set_num_threads(threads)
    rounds = 3 if quick else 9
    per_round = 0.05 if quick else 0.12
    if quick:
        widths = tuple(w for w in widths if w <= 1024)
    key = ("thread CPU time" if threads == 1 else "wall time") + ": median over rounds of the ratio of round minima"
    rows, records = [], []
    for spec in specs:
        net = sb.load(ROOT / "derivations" / f"{spec}.toml")
        d = derive(net)
        layers = len(net.layers) - 1
        for dtype in dtypes:
            gen = compile_code(d, dtype=dtype).module.gradients
            tgen = compile_code(d, dtype=dtype, target="torch").module.gradients
            for batch in batches:
                for width in widths:
                    X, T, Ws, bs = case(net, batch, width, dtype, seed=width + batch)
                    auto = torch_step(torch, net, X, T, Ws, bs)
                    E, grads = auto()
                    prev, tprev = gen(X, T, Ws, bs), tgen(X, T, Ws, bs)
                    for name, got in (("numpy", prev), ("torch", tprev), ("numpy out=", gen(X, T, Ws, bs, out=prev)),
                                      ("torch out=", tgen(X, T, Ws, bs, out=tprev))):
                        _check(got, E, grads, layers, dtype, f"{spec} {dtype} {batch}×{width} {name}")
                    contenders = {"numpy": lambda: gen(X, T, Ws, bs),
                                  "numpy_out": lambda: gen(X, T, Ws, bs, out=prev),
                                  "torch_target": lambda: tgen(X, T, Ws, bs),
                                  "torch_target_out": lambda: tgen(X, T, Ws, bs, out=tprev),
                                  "autograd": auto,
                                  "gemm_numpy": gemm_step(X, Ws, dtype),
                                  "gemm_torch": gemm_torch_step(torch, X, Ws)}
                    t = interleave_rounds(contenders, rounds, per_round, cpu_time=threads == 1)
                    # times scaled so that best[name] / a is the paired ratio
                    a = t["autograd"]["min"]
                    best = {name: paired(t, name) * a for name in t}
                    f = flops(net, batch, width)
                    rec = {"spec": spec, "width": width, "dtype": dtype, "batch": batch, "threads": threads,
                           "layers": layers, "flops": f, "statistic": key, "times": t,
                           "gflops": {name: f / v / 1e9 for name, v in best.items()}}
                    for name in CONTENDERS:
                        rec[f"{name}_over_autograd"] = best[name] / a
                        rec[f"min_{name}_over_autograd"] = t[name]["min"] / a
                    # the NumPy step with torch's GEMM times instead of OpenBLAS's (what is left
                    # of a miss when the BLAS difference is taken out)
                    rec["numpy_out_with_torch_gemm_over_autograd"] = (
                        best["numpy_out"] - best["gemm_numpy"] + best["gemm_torch"]) / a
                    rec["numpy_over_gemm_numpy"] = best["numpy"] / best["gemm_numpy"]
                    rec["numpy_out_over_gemm_numpy"] = best["numpy_out"] / best["gemm_numpy"]
                    rec["torch_target_over_gemm_torch"] = best["torch_target"] / best["gemm_torch"]
                    rec["torch_target_out_over_gemm_torch"] = best["torch_target_out"] / best["gemm_torch"]
                    records.append(rec)
                    r = lambda name: fmt_ratio(best[name] / a)  # noqa: E731
                    gf = lambda name: f"{f / best[name] / 1e9:.1f}"  # noqa: E731
                    rows.append((spec, dtype, batch, width, fmt_seconds(a),
                                 r("numpy"), r("numpy_out"), r("torch_target"), r("torch_target_out"),
                                 r("gemm_numpy"), r("gemm_torch"),
                                 fmt_ratio(rec["numpy_out_with_torch_gemm_over_autograd"]),
                                 gf("numpy_out"), gf("torch_target_out"), gf("autograd"),
                                 gf("gemm_numpy"), gf("gemm_torch")))
                    print(f"  {spec} {dtype} B={batch} width {width}: numpy/autograd {best['numpy'] / a:.2f} "
                          f"(out= {best['numpy_out'] / a:.2f}), torch target/autograd "
                          f"{best['torch_target'] / a:.2f} (out= {best['torch_target_out'] / a:.2f}); "
                          f"GEMM bound/autograd numpy {best['gemm_numpy'] / a:.2f}, "
                          f"torch {best['gemm_torch'] / a:.2f}", flush=True)
    text = table(("spec", "dtype", "batch", "width", "autograd", "numpy/ag", "numpy(out=)/ag",
                  "torch/ag", "torch(out=)/ag", "gemm_np/ag", "gemm_torch/ag", "np(out=) w/ torch GEMM/ag",
                  "numpy(out=) GF/s", "torch(out=) GF/s", "autograd GF/s", "gemm_np GF/s",
                  "gemm_torch GF/s"), rows)
    worst = lambda name: max(rec[f"{name}_over_autograd"] for rec in records)  # noqa: E731
    targets = {
        "torch_target_never_slower_than_autograd": worst("torch_target") <= 1.0,
        "torch_target_out_never_slower_than_autograd": worst("torch_target_out") <= 1.0,
        "numpy_never_slower_than_autograd": worst("numpy") <= 1.0,
        "numpy_out_never_slower_than_autograd": worst("numpy_out") <= 1.0,
        "worst": {name: worst(name) for name in ("numpy", "numpy_out", "torch_target", "torch_target_out")},
        # a cell where NumPy loses: is its own GEMM bound already slower than autograd?
        "numpy_out_misses_gone_with_torch_gemm_times": all(
            rec["numpy_out_with_torch_gemm_over_autograd"] <= 1.0 or rec["numpy_out_over_autograd"] <= 1.0
            for rec in records),
    }
    data = {"item": "codegen", "threads": threads, "batches": list(batches), "environment": environment(),
            "results": records, "targets": targets}
    write_json(f"codegen_threads{threads}", data, out_dir)
    what = ("CPU time of the calling thread" if threads == 1 else "wall time")
    print(f"\nGenerated code (NumPy and torch targets) vs torch.autograd ({threads} thread(s); {what}; "
          f"ratios: median over {rounds} interleaved rounds of the ratio of round minima; "
          f"< 1 means faster than autograd; GFLOP/s from the same paired times)")
    print(text)
    print(f"targets: {targets}")
    return data


def main(argv=None) -> int:
    """``python benchmarks/bench_codegen.py [--specs …] [--batches …] [--widths …] [--threads N]``."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--specs", default=",".join(SPECS))
    p.add_argument("--batches", default=",".join(map(str, BATCHES)))
    p.add_argument("--widths", default=",".join(map(str, WIDTHS)))
    p.add_argument("--dtypes", default=",".join(DTYPES))
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--quick", action="store_true")
    p.add_argument("--out", default=None, help="results directory (default benchmarks/results)")
    args = p.parse_args(argv)
    from pathlib import Path

    run(args.quick, args.threads, Path(args.out) if args.out else None, tuple(args.specs.split(",")),
        tuple(int(b) for b in args.batches.split(",")), tuple(int(w) for w in args.widths.split(",")),
        tuple(args.dtypes.split(",")))
    return 0


if __name__ == "__main__":
    # thread counts must be fixed before NumPy's BLAS starts: re-run with them set
    n = next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--threads=")), None)
    if n is None and "--threads" in sys.argv:
        n = sys.argv[sys.argv.index("--threads") + 1]
    n = n or "1"
    if any(os.environ.get(v) != n for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")):
        os.environ.update({v: n for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")})
        os.execv(sys.executable, [sys.executable] + sys.argv)
    sys.path[:0] = [str(ROOT)]
    sys.exit(main())
