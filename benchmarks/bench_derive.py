"""Item 2 — derivation cost against depth and width, and against naive explicit differentiation.

Times are CPU seconds of the (single-threaded) process: its wall time on an idle
machine, unaffected by other processes sharing the cores.

* depth 1..8 with symbolic widths: the first ``derive(net)`` in a fresh process after
  import ("first", what ``symbackprop derive`` pays; best of two processes) and
  further calls with SymPy's cache warm ("warm", median of 3);
* width: the same network at concrete widths 2, 16, 256, 1024 (every layer) against
  symbolic widths — the closed forms keep Σ_{k=1}^{n}, so the cost must not grow;
* baseline: what one would otherwise do to get the gradients symbolically — write
  the loss out at width n and ``sympy.diff`` it for every weight and bias (no
  simplification), capped per case.  Ratio = baseline / derive (symbolic, first call).

Target: < 0.2 s per network after import.
"""

from __future__ import annotations

import time
from typing import Any

from common import capped, environment, fmt_ratio, fmt_seconds, table, write_json

HIDDEN = ("sigmoid", "tanh", "relu", "softplus")
FAMILIES = {"softmax+cross_entropy": ("softmax", "cross_entropy"), "identity+sse": ("identity", "sse")}
LETTERS = "ijkpqrsvz"
TARGET = 0.2


def network(depth: int, family: str, widths=None):
    """Input + depth layers; hidden activations cycle through HIDDEN; symbolic widths n0, n1, …."""
    from symbackprop.model import Layer, Network

    out_act, loss = FAMILIES[family]
    layers = [Layer(widths[0] if widths else "n0", LETTERS[0])]
    for n in range(1, depth + 1):
        act = out_act if n == depth else HIDDEN[(n - 1) % len(HIDDEN)]
        layers.append(Layer(widths[n] if widths else f"n{n}", LETTERS[n], act, bias=True))
    return Network(tuple(layers), loss, title=f"depth {depth}, {family}")


_FRESH = """
import json, sys, time
sys.path[:0] = {paths!r}
import sympy as sp
from symbackprop.derive import derive
import bench_derive
sp.Symbol("a") + sp.Symbol("b")   # SymPy imports sympy.tensor on the first Add: import cost, not derive
net = bench_derive.network({depth}, {family!r}, {widths!r})
c0, t0 = time.process_time(), time.perf_counter(); derive(net)
first, first_cpu = time.perf_counter() - t0, time.process_time() - c0
warm = []
for _ in range(3):
    c0 = time.process_time(); derive(net); warm.append(time.process_time() - c0)
print(json.dumps([first_cpu, sorted(warm)[1], first]))
"""


def time_derive(depth: int, family: str, widths=None) -> tuple[float, float]:
    """CPU seconds of (the first derive() in a fresh process after import, the median of 3
    further calls), best of 2 processes.  derive is single-threaded, so its CPU time is
    its wall time on an idle machine, and robust when other processes share the cores."""
    import json
    import subprocess
    import sys

    from common import HERE, ROOT

    code = _FRESH.format(paths=[str(HERE), str(ROOT)], depth=depth, family=family, widths=widths)
    runs = []
    for _ in range(2):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return min(r[0] for r in runs), min(r[1] for r in runs)


def naive_gradients(width: int) -> int:
    """Baseline: explicit E of a sigmoid → softmax + cross-entropy network at width n; diff for every parameter."""
    import sympy as sp

    n = width
    x = sp.symbols(f"x1:{n + 1}")
    t = sp.symbols(f"t1:{n + 1}")
    W1 = sp.Matrix(n, n, lambda j, k: sp.Symbol(f"w1_{j + 1}_{k + 1}"))
    W2 = sp.Matrix(n, n, lambda j, k: sp.Symbol(f"w2_{j + 1}_{k + 1}"))
    b1 = sp.symbols(f"b1_1:{n + 1}")
    b2 = sp.symbols(f"b2_1:{n + 1}")
    u1 = [sum(x[i] * W1[i, j] for i in range(n)) + b1[j] for j in range(n)]
    y1 = [1 / (1 + sp.exp(-u)) for u in u1]
    u2 = [sum(y1[j] * W2[j, k] for j in range(n)) + b2[k] for k in range(n)]
    Z = sum(sp.exp(u) for u in u2)
    y2 = [sp.exp(u) / Z for u in u2]
    E = -sum(t[k] * sp.log(y2[k]) for k in range(n))
    params = list(W1) + list(W2) + list(b1) + list(b2)
    grads = [sp.diff(E, p) for p in params]
    return len(grads)


def run(quick: bool = False, cap: float = 30.0, out_dir=None) -> dict[str, Any]:
    depths = range(1, 5) if quick else range(1, 9)
    depth_rows, depth_recs = [], []
    for depth in depths:
        row = [depth]
        for family in FAMILIES:
            first, warm = time_derive(depth, family)
            depth_recs.append({"depth": depth, "family": family, "first": first, "warm": warm})
            row += [fmt_seconds(first), fmt_seconds(warm)]
        depth_rows.append(row)
        print(f"  depth {depth}: " + ", ".join(f"{r['family']} {r['first']:.3f} s"
                                                for r in depth_recs[-len(FAMILIES):]), flush=True)

    width_rows, width_recs = [], []
    for depth in (2, 4):
        sym_first, sym_warm = time_derive(depth, "softmax+cross_entropy")
        width_recs.append({"depth": depth, "width": "symbolic", "first": sym_first, "warm": sym_warm})
        width_rows.append((depth, "symbolic", fmt_seconds(sym_first), fmt_seconds(sym_warm), "1.00×"))
        for w in ((2, 1024) if quick else (2, 16, 256, 1024)):
            first, warm = time_derive(depth, "softmax+cross_entropy", [w] * (depth + 1))
            width_recs.append({"depth": depth, "width": w, "first": first, "warm": warm,
                               "over_symbolic": first / sym_first})
            width_rows.append((depth, w, fmt_seconds(first), fmt_seconds(warm), fmt_ratio(first / sym_first)))

    base_rows, base_recs = [], []
    sym_first = next(r["first"] for r in width_recs if r["depth"] == 2 and r["width"] == "symbolic")
    for w in ((2, 3, 4) if quick else (2, 3, 4, 6, 8, 12, 16)):
        res = capped(naive_gradients, (w,), cap)
        secs = res["cpu"]
        rec = {"width": w, "naive": secs, "naive_wall": res["seconds"], "status": res["status"], "cap": cap,
               "derive_symbolic": sym_first, "naive_over_derive": secs / sym_first if secs else None}
        if res["status"] == "error":
            rec["error"] = res["value"]
        base_recs.append(rec)
        base_rows.append((w, 2 * w * w + 2 * w, fmt_seconds(secs, cap), fmt_seconds(sym_first),
                          fmt_ratio(rec["naive_over_derive"]) if secs else f"> {cap / sym_first:.0f}×"))
        print(f"  naive width {w}: {fmt_seconds(secs, cap)}", flush=True)
        if secs is None:
            break

    worst = max(r["first"] for r in depth_recs)
    targets = {"under_0.2s_per_network": worst < TARGET, "worst_first_seconds": worst,
               "width_independent": all(r["over_symbolic"] < 1.5 for r in width_recs if "over_symbolic" in r)}
    data = {"item": "derive", "environment": environment(), "depth": depth_recs, "width": width_recs,
            "baseline": base_recs, "targets": targets}
    write_json("derive", data, out_dir)

    heads = ["depth"] + [f"{f} {k}" for f in FAMILIES for k in ("first", "warm")]
    print("\nderive() with symbolic widths: first call in a fresh process after import, and warm")
    print(table(heads, depth_rows))
    print("\nderive() at concrete widths (every layer) vs symbolic, softmax + cross-entropy")
    print(table(("depth", "width", "first", "warm", "first/symbolic"), width_rows))
    print(f"\nnaive explicit sympy.diff for every parameter (depth 2, sigmoid → softmax + CE), cap {cap:g} s wall")
    print(table(("width", "parameters", "naive", "derive (symbolic, first)", "naive/derive"), base_rows))
    print(f"targets: {targets}")
    return data
