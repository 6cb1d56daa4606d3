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
"""

from __future__ import annotations

from typing import Any, Optional

from common import ROOT, capped, environment, fmt_seconds, table, write_json

SPECS = ("regression", "classification")
WIDTHS = (2, 4, 8, 16, 32)
NAIVE_WIDTHS = (2, 4)
SYMBOLIC_WIDTHS = (2, 4, 8)
TARGET_SECONDS = 20.0   # verify at the largest width
TARGET_RATIO = 100.0    # naive / verify at n = 4
RATIO_WIDTH = 4


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


def run(quick: bool = False, cap: float = 30.0, out_dir=None) -> dict[str, Any]:
    widths = (2, 4) if quick else WIDTHS
    naive_cap = cap if quick else max(cap, 120.0)
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
    targets = _targets(records, widths)
    data = {"item": "verify", "specs": list(SPECS), "environment": environment(), "cap": cap,
            "naive_cap": naive_cap, "results": records, "targets": targets}
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
            return m.split("error ≤ ")[1].split(" ")[0]
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
