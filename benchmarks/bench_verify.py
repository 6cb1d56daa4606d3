"""Item 1 — verification time against width, against the naive route.

Two 2-layer MLPs with a sigmoid hidden layer, width n everywhere (sizes n, n, n):
``regression`` (identity output + sse) and ``classification`` (softmax + cross-entropy,
Σ_k t_k = 1), at n = 2, 4, 8, 16, 32:

* ``verify``    — ``symbackprop.verify.verify(derivation, sizes)``: every δ, ∂E/∂w, ∂E/∂b
                  and ∂E/∂y entry, randomized exact test on the shared graph (the error
                  bound it states is recorded);
* ``symbolic``  — ``verify(…, symbolic=True)``: SymEngine expansion first (a deterministic
                  proof), small widths only;
* ``naive``     — what one would otherwise do: the explicit loss at width n, then for every
                  weight ``sympy.diff(E, w)`` and ``simplify(diff − closed) == 0`` (closed
                  forms and the explicit loss from ``symbackprop.instantiate``, the
                  assumption substituted).  Weights only, n ≤ 4.

Each case runs in its own process with a wall-time cap (reported "> cap"; a ratio
against a capped baseline is a lower bound, "> r×"); a series stops at its first
timeout.  Times are CPU seconds of that process and its children; derivation is done
before the clock starts (item 2 measures it).

Targets: verify at n = 32 in < 20 s, and ≥ 100× faster than the naive route at n = 4,
for both losses.

Large widths (``classification``, n = 128, 256; with ``large=True`` also 512, 1024), each
in its own capped process, against peers measured in that same process:

* ``floor``  — one forward + backward pass of the network in the same modular integer
               arithmetic (random prime of ``PRIME_BITS`` bits, atoms as random field
               elements), written minimal here: the cost of evaluating the gradients once;
* ``torch``  — ``torch.autograd`` in float64, batch 1 (skipped when torch is missing).

Targets: n = 512 in < 10 s and < 1 GB; n = 1024 in < 60 s; verify ≤ 3× the floor at
n ≥ 128; depth 32 at width 16 proved.  Growth exponents: least squares of log time on
log n over the large widths.
"""

from __future__ import annotations

import math
import random
import time
from typing import Any, Optional

from common import ROOT, capped, environment, fmt_seconds, module_available, table, write_json

SPECS = ("regression", "classification")
WIDTHS = (2, 4, 8, 16, 32)
NAIVE_WIDTHS = (2, 4)
SYMBOLIC_WIDTHS = (2, 4, 8)
TARGET_SECONDS = 20.0   # verify at the largest width
TARGET_RATIO = 100.0    # naive / verify at n = 4
RATIO_WIDTH = 4
LARGE_WIDTHS = (128, 256)
LARGER_WIDTHS = (512, 1024)          # with large=True (benchmarks/run.py verify --large)
FLOOR_RATIO = 3.0                    # verify / modular floor at n ≥ 128
LARGE_TARGETS = {512: (10.0, 1024.0), 1024: (60.0, None)}  # seconds, MB
DEEP = (32, 16)                      # depth, width


def _derivation(spec: str):
    from symbackprop.derive import derive
    from symbackprop.spec import load

    return derive(load(ROOT / "derivations" / f"{spec}.toml"))


def verify_case(spec: str, width: int, cap: float, symbolic: bool) -> dict[str, Any]:
    """symbackprop's verifier at widths (n, n, n); the derivation is made before timing."""
    import resource
    import time

    from symbackprop.verify import verify

    def cpu() -> float:  # this process and its finished children (the bounded calls)
        c = resource.getrusage(resource.RUSAGE_CHILDREN)
        return time.process_time() + c.ru_utime + c.ru_stime

    d = _derivation(spec)
    c0 = cpu()
    report = verify(d, [width] * 3, timeout=cap, symbolic=symbolic)
    methods = sorted({c.verdict.method for c in report.checks})
    return {"status": report.verdict.status.value, "entries": len(report.checks),
            "cpu": cpu() - c0, "wall": report.seconds, "methods": methods}


def naive_case(spec: str, width: int) -> dict[str, Any]:
    """Explicit E at width n; sympy.diff for every weight; simplify(diff − closed) == 0."""
    import sympy as sp

    from symbackprop.instantiate import instantiate

    inst = instantiate(_derivation(spec), [width] * 3)
    subs = inst.assumptions
    proved = checked = 0
    for layer, entries in inst.weight.items():
        for (p, a), closed in entries.items():
            w = inst.parameters[("w", layer, p, a)]
            checked += 1
            if sp.simplify((sp.diff(inst.loss, w) - closed).xreplace(subs)) == 0:
                proved += 1
    return {"checked": checked, "proved": proved}


def _ratio(naive: dict[str, Any], ours: dict[str, Any]) -> tuple[Optional[float], bool]:
    """(naive / verify, whether it is a lower bound because the naive route hit its cap)."""
    v = ours.get("cpu")
    if not v:
        return None, False
    if naive.get("status") == "ok" and naive.get("cpu"):
        return naive["cpu"] / v, False
    if naive.get("status") == "timeout":
        return naive["cap"] / v, True
    return None, False


def _fmt_ratio(r: Optional[float], lower: bool) -> str:
    return "—" if r is None else f"{'> ' if lower else ''}{r:,.0f}×"


def _run(name: str, fn, args, cap: float) -> dict[str, Any]:
    res = capped(fn, args, cap)
    out = {"status": res["status"], "cpu": res["cpu"], "wall": res["seconds"], "cap": cap,
           "result": res["value"]}
    if res["status"] == "ok" and isinstance(res["value"], dict) and "cpu" in res["value"]:
        out["cpu"], out["wall"] = res["value"]["cpu"], res["value"]["wall"]  # verify alone
    if res["status"] == "error":
        print(f"  {name} failed: {res['value']}", flush=True)
    return out


def _floor(n: int, bits: int, rng: random.Random) -> float:
    """One forward + backward pass in F_p, minimal: seconds."""
    from symbackprop.verifier.modular import random_prime

    p = random_prime(rng, bits)
    r = rng.randrange
    x = [r(p) for _ in range(n)]
    W1 = [[r(p) for _ in range(n)] for _ in range(n)]
    W2 = [[r(p) for _ in range(n)] for _ in range(n)]
    b1, b2, t = [r(p) for _ in range(n)], [r(p) for _ in range(n)], [r(p) for _ in range(n)]
    atoms: dict = {}

    def atom(key):  # σ(u), exp(u): a random field element per argument value
        v = atoms.get(key)
        if v is None:
            v = atoms[key] = r(p)
        return v

    t0 = time.process_time()
    cols1, cols2 = list(zip(*W1)), list(zip(*W2))
    u1 = [(sum(a * w for a, w in zip(x, col)) + b) % p for col, b in zip(cols1, b1)]
    y1 = [atom(("s", u)) for u in u1]
    u2 = [(sum(a * w for a, w in zip(y1, col)) + b) % p for col, b in zip(cols2, b2)]
    e = [atom(("e", u)) for u in u2]
    inv = pow(sum(e) % p, -1, p)
    y2 = [v * inv % p for v in e]
    d2 = [(a - b) % p for a, b in zip(y2, t)]
    g2 = [[a * d % p for d in d2] for a in y1]
    back = [sum(w * d for w, d in zip(row, d2)) % p for row in W2]
    d1 = [s * (1 - s) * g % p for s, g in zip(y1, back)]
    g1 = [[a * d % p for d in d1] for a in x]
    gx = [sum(w * d for w, d in zip(row, d1)) % p for row in W1]
    assert len(g1) == len(g2) == len(gx) == n
    return time.process_time() - t0


def _torch(n: int) -> Optional[float]:
    """torch.autograd, float64, batch 1: best of 5, seconds (None without torch)."""
    if not module_available("torch"):
        return None
    import torch

    torch.set_num_threads(1)
    g = torch.Generator().manual_seed(0)
    x = torch.randn(1, n, dtype=torch.float64, generator=g, requires_grad=True)
    W1 = torch.randn(n, n, dtype=torch.float64, generator=g, requires_grad=True)
    W2 = torch.randn(n, n, dtype=torch.float64, generator=g, requires_grad=True)
    b1 = torch.randn(n, dtype=torch.float64, generator=g, requires_grad=True)
    b2 = torch.randn(n, dtype=torch.float64, generator=g, requires_grad=True)
    t = torch.softmax(torch.randn(1, n, dtype=torch.float64, generator=g), 1)
    best = math.inf
    for _ in range(5):
        t0 = time.process_time()
        h = torch.sigmoid(torch.addmm(b1, x, W1))
        loss = -(t * torch.log_softmax(torch.addmm(b2, h, W2), 1)).sum()
        torch.autograd.grad(loss, [x, W1, b1, W2, b2])
        best = min(best, time.process_time() - t0)
    return best


def large_case(width: int, cap: float) -> dict[str, Any]:
    """verify at (n, n, n), then the floor and torch in the same process; CPU s, peak MB."""
    import resource

    from symbackprop.verifier.randomized import PRIME_BITS

    case = verify_case("classification", width, cap, False)
    rng = random.Random(width)
    case["floor"] = min(_floor(width, PRIME_BITS, rng) for _ in range(2))
    case["torch"] = _torch(width)
    kb = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
             resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    case["peak_mb"] = round(kb / 1024, 1)
    case["bound"] = _bound(case["methods"])
    return case


def deep_case(depth: int, width: int, cap: float) -> dict[str, Any]:
    """verify of a depth-``depth`` sigmoid network (softmax + CE) at width ``width``."""
    import resource

    from symbackprop.derive import derive
    from symbackprop.model import Layer, Network
    from symbackprop.verify import verify

    letters = "acdefghijklmnopqrsvzABCDFGHIJKLMNOPQRSVXZ"
    layers = [Layer(width, letters[0])] + [Layer(width, letters[i], "sigmoid") for i in range(1, depth)]
    d = derive(Network(tuple(layers + [Layer(width, letters[depth], "softmax")]), "cross_entropy"))
    c = resource.getrusage(resource.RUSAGE_CHILDREN)
    c0 = time.process_time() + c.ru_utime + c.ru_stime
    report = verify(d, [width] * (depth + 1), timeout=cap)
    c = resource.getrusage(resource.RUSAGE_CHILDREN)
    methods = sorted({x.verdict.method for x in report.checks})
    return {"status": report.verdict.status.value, "entries": len(report.checks),
            "cpu": time.process_time() + c.ru_utime + c.ru_stime - c0, "wall": report.seconds,
            "methods": methods, "bound": _bound(methods)}


def _exponent(points: list[tuple[int, float]]) -> Optional[float]:
    """Slope of log t against log n (least squares)."""
    pts = [(math.log(n), math.log(t)) for n, t in points if t]
    if len(pts) < 2:
        return None
    mx, my = sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts)
    return sum((a - mx) * (b - my) for a, b in pts) / sum((a - mx) ** 2 for a, _ in pts)


def run_large(quick: bool, large: bool, cap: float) -> dict[str, Any]:
    """The large widths and the deep network; prints the table, returns the records."""
    widths = LARGE_WIDTHS[:1] if quick else LARGE_WIDTHS + (LARGER_WIDTHS if large else ())
    records, rows = [], []
    for w in widths:
        wcap = max(cap, 120.0 if w <= 512 else 600.0)
        res = capped(large_case, (w, wcap), wcap)
        v = res["value"] if res["status"] == "ok" else {}
        rec = {"width": w, "run": res["status"], "cap": wcap, **v}
        rec["verify_over_floor"] = v["cpu"] / v["floor"] if v.get("floor") else None
        records.append(rec)
        rows.append((w, _fmt({"status": res["status"], "cpu": v.get("cpu"), "cap": wcap}),
                     f"{v.get('status', '—')} ({v.get('entries', '—')})", v.get("bound") or "—",
                     fmt_seconds(v.get("floor")) if v.get("floor") else "—",
                     f"{rec['verify_over_floor']:.1f}×" if rec["verify_over_floor"] else "—",
                     fmt_seconds(v["torch"]) if v.get("torch") else "—",
                     f"{v['peak_mb']:.0f} MB" if v.get("peak_mb") else "—"))
        print(f"  large n={w}: {rows[-1]}", flush=True)
    res = capped(deep_case, (*DEEP, cap), max(cap, 120.0))
    deep = {"depth": DEEP[0], "width": DEEP[1], "status": res["status"],
            **(res["value"] if res["status"] == "ok" else {})}
    done = [r for r in records if r["run"] == "ok"]
    exps = {k: _exponent([(r["width"], r.get(k)) for r in done]) for k in ("cpu", "floor", "torch")}
    exps["verify"] = exps.pop("cpu")
    print("\nclassification (n, n, n): verify vs modular floor vs torch.autograd (CPU seconds)")
    print(table(("n", "verify", "verdict (entries)", "error ≤", "floor", "verify/floor", "torch",
                 "peak RSS"), rows))
    print(f"depth {DEEP[0]} width {DEEP[1]}: {deep.get('status')} in "
          f"{fmt_seconds(deep.get('cpu'))}, error ≤ {deep.get('bound')}")
    print("growth exponents (t ∝ n^k): " + ", ".join(
        f"{k} {v:.2f}" for k, v in exps.items() if v is not None))
    return {"large": records, "deep": deep, "exponents": exps}


def _large_targets(big: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for r in big["large"]:
        if r["width"] >= 128:
            ratio = r.get("verify_over_floor")
            out.append({"target": f"verify/floor at n = {r['width']} ≤ {FLOOR_RATIO:g}×",
                        "measured": f"{ratio:.1f}×" if ratio else r["run"],
                        "met": bool(ratio and ratio <= FLOOR_RATIO)})
        if r["width"] in LARGE_TARGETS:
            secs, mb = LARGE_TARGETS[r["width"]]
            ok = r["run"] == "ok" and r.get("status") == "proved" and r.get("cpu", 1e9) < secs \
                and (mb is None or r.get("peak_mb", 1e9) < mb)
            out.append({"target": f"n = {r['width']} in < {secs:g} s" + (f" and < {mb:g} MB" if mb else ""),
                        "measured": f"{fmt_seconds(r.get('cpu'), r['cap'])}"
                                    + (f", {r.get('peak_mb')} MB" if mb else ""), "met": bool(ok)})
    d = big["deep"]
    out.append({"target": f"depth {DEEP[0]} at width {DEEP[1]} proved (error ≤ 1e-30)",
                "measured": f"{d.get('status')}, error ≤ {d.get('bound')}",
                "met": d.get("status") == "proved" and d.get("bound") is not None
                and float(d["bound"]) <= 1e-30})
    return out


def run(quick: bool = False, cap: float = 30.0, out_dir=None, large: bool = False) -> dict[str, Any]:
    widths = (2, 4) if quick else WIDTHS
    naive_cap = cap
    records, rows = [], []
    for spec in SPECS:
        alive = {"verify": True, "symbolic": True, "naive": True}
        for w in widths:
            rec: dict[str, Any] = {"spec": spec, "width": w}
            rec["verify"] = _run(f"verify {spec} n={w}", verify_case, (spec, w, cap, False), cap) \
                if alive["verify"] else {"status": "not run"}
            rec["symbolic"] = _run(f"symbolic {spec} n={w}", verify_case, (spec, w, cap, True), cap) \
                if alive["symbolic"] and w in SYMBOLIC_WIDTHS else {"status": "not run"}
            rec["naive"] = _run(f"naive {spec} n={w}", naive_case, (spec, w), naive_cap) \
                if alive["naive"] and w in NAIVE_WIDTHS else {"status": "not run"}
            for k in alive:
                alive[k] = alive[k] and rec[k]["status"] in ("ok", "not run")
            ratio, lower = _ratio(rec["naive"], rec["verify"])
            rec["naive_over_verify"], rec["ratio_is_lower_bound"] = ratio, lower
            vres = rec["verify"].get("result") if isinstance(rec["verify"].get("result"), dict) else {}
            rec["error_bound"] = _bound(vres.get("methods", []))
            records.append(rec)
            rows.append((spec, w, _fmt(rec["verify"]), f"{vres.get('status', '—')} "
                         f"({vres.get('entries', '—')})", rec["error_bound"] or "—",
                         _fmt(rec["symbolic"]), _fmt(rec["naive"]), _fmt_ratio(ratio, lower)))
            print(f"  {spec} n={w}: verify {_fmt(rec['verify'])}, symbolic {_fmt(rec['symbolic'])}, "
                  f"naive {_fmt(rec['naive'])}", flush=True)
    big = run_large(quick, large, cap)
    targets = _targets(records, widths) + _large_targets(big)
    data = {"item": "verify", "specs": list(SPECS), "environment": environment(), "cap": cap,
            "naive_cap": naive_cap, "results": records, "targets": targets, **big}
    write_json("verify", data, out_dir)
    print("\nverify vs naive sympy.diff + simplify (widths n,n,n; CPU seconds incl. children)")
    print(table(("spec", "n", "verify", "verdict (entries)", "error ≤", "symbolic", "naive",
                 "naive/verify"), rows))
    for t in targets:
        print(f"target {t['target']}: {t['measured']} — {'met' if t['met'] else 'MISSED'}")
    return data


def _fmt(rec: dict[str, Any]) -> str:
    if rec.get("status") == "not run":
        return "—"
    if rec.get("status") == "timeout":
        return f"> {rec['cap']:g} s"
    if rec.get("status") != "ok":
        return "error"
    return fmt_seconds(rec["cpu"])


def _bound(methods: list[str]) -> Optional[str]:
    for m in methods:
        if "error ≤ " in m:
            return m.split("error ≤ ")[1].split(" ")[0].rstrip(";")
    return None


def _targets(records: list[dict[str, Any]], widths: tuple[int, ...]) -> list[dict[str, Any]]:
    out = []
    for spec in SPECS:
        top = [r for r in records if r["spec"] == spec and r["width"] == max(widths)]
        if top:
            v = top[0]["verify"]
            ok = v.get("status") == "ok" and v["result"]["status"] == "proved" and v["cpu"] < TARGET_SECONDS
            out.append({"target": f"{spec}: verify at n = {max(widths)} < {TARGET_SECONDS:g} s",
                        "measured": _fmt(v), "met": bool(ok)})
        at = [r for r in records if r["spec"] == spec and r["width"] == RATIO_WIDTH]
        if at:
            r = at[0]
            out.append({"target": f"{spec}: naive/verify at n = {RATIO_WIDTH} ≥ {TARGET_RATIO:g}×",
                        "measured": _fmt_ratio(r["naive_over_verify"], r["ratio_is_lower_bound"]),
                        "met": bool(r["naive_over_verify"] and r["naive_over_verify"] >= TARGET_RATIO)})
    return out
