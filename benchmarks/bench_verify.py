"""Item 1 — verification time against width, against the naive route.

For the classification network (sigmoid hidden layer, softmax + cross-entropy) at
widths n = 2, 3, 4, … (every layer n):

* ``verify``  — ``symbackprop.verify.verify(net, sizes)``: every δ, ∂E/∂w, ∂E/∂b and
                ∂E/∂y entry checked (SymEngine, exact or randomized-exact);
* ``naive``   — what one would otherwise do: the explicit loss at width n, then for
                every weight ``sympy.diff(E, w)`` and ``simplify(diff − closed) == 0``
                (closed forms and the explicit loss from ``symbackprop.instantiate``,
                the assumption Σ_k t_k = 1 substituted).  Weights only.

Each case runs in its own process with a wall-time cap (reported "> cap"); a
series stops at its first timeout.  Times are CPU seconds of that process.
Skipped with "skipped: module not available" while symbackprop.verify is missing.
"""

from __future__ import annotations

from typing import Any

from common import (ROOT, capped, environment, fmt_ratio, fmt_seconds, module_available, table,
                    write_json)

SPEC = "classification"


def _net():
    from symbackprop.spec import load

    return load(ROOT / "derivations" / f"{SPEC}.toml")


def verify_case(width: int, cap: float) -> dict[str, Any]:
    """symbackprop's verifier at widths (n, n, n)."""
    from symbackprop.verify import verify

    report = verify(_net(), [width] * 3, timeout=cap)
    verdict = report.verdict
    status = getattr(getattr(verdict, "status", None), "value", str(verdict))
    return {"status": status, "entries": len(getattr(report, "checks", ()))}


def naive_case(width: int) -> dict[str, Any]:
    """Explicit E at width n; sympy.diff for every weight; simplify(diff − closed) == 0."""
    import sympy as sp

    from symbackprop.derive import derive
    from symbackprop.instantiate import instantiate

    inst = instantiate(derive(_net()), [width] * 3)
    subs = inst.assumptions
    proved = checked = 0
    for layer, entries in inst.weight.items():
        for (p, a), closed in entries.items():
            w = inst.parameters[("w", layer, p, a)]
            checked += 1
            if sp.simplify((sp.diff(inst.loss, w) - closed).xreplace(subs)) == 0:
                proved += 1
    return {"checked": checked, "proved": proved}


def run(quick: bool = False, cap: float = 30.0, out_dir=None) -> dict[str, Any]:
    if not (module_available("symbackprop.verify") and module_available("symbackprop.instantiate")):
        print("skipped: module not available (symbackprop.verify)")
        data = {"item": "verify", "skipped": "module not available"}
        write_json("verify", data, out_dir)
        return data
    widths = (2, 3) if quick else (2, 3, 4, 5, 6, 8)
    records, rows = [], []
    alive = {"verify": True, "naive": True}
    for w in widths:
        rec: dict[str, Any] = {"width": w, "cap": cap}
        for name, fn, args in (("verify", verify_case, (w, cap)), ("naive", naive_case, (w,))):
            if not alive[name]:
                rec[name] = {"status": "not run (smaller width timed out)", "cpu": None}
                continue
            res = capped(fn, args, cap)
            rec[name] = {"status": res["status"], "cpu": res["cpu"], "wall": res["seconds"],
                         "result": res["value"]}
            alive[name] = res["status"] == "ok"
        v, n = rec["verify"]["cpu"], rec["naive"]["cpu"]
        rec["naive_over_verify"] = n / v if (v and n) else None
        records.append(rec)
        for name in ("verify", "naive"):
            if rec[name]["status"] == "error":
                print(f"  {name} at width {w} failed: {rec[name]['result']}", flush=True)
        vres = rec["verify"].get("result") if isinstance(rec["verify"].get("result"), dict) else {}
        nres = rec["naive"].get("result") if isinstance(rec["naive"].get("result"), dict) else {}
        rows.append((w, fmt_seconds(v, cap if rec["verify"]["status"] == "timeout" else None),
                     f"{vres.get('status', '—')} ({vres.get('entries', '—')} entries)",
                     fmt_seconds(n, cap if rec["naive"]["status"] == "timeout" else None),
                     f"{nres.get('proved', '—')}/{nres.get('checked', '—')} weights",
                     fmt_ratio(rec["naive_over_verify"]) if rec["naive_over_verify"]
                     else (f"> {cap / v:.0f}×" if v and rec["naive"]["status"] == "timeout" else "—")))
        print(f"  width {w}: verify {fmt_seconds(v, cap)}, naive {fmt_seconds(n, cap)}", flush=True)
        if not any(alive.values()):
            break
    data = {"item": "verify", "spec": SPEC, "environment": environment(), "results": records}
    write_json("verify", data, out_dir)
    print(f"\nverify vs naive sympy.diff + simplify ({SPEC}, widths n,n,n; CPU seconds; cap {cap:g} s wall)")
    print(table(("width", "verify", "verify verdict", "naive", "naive proved", "naive/verify"), rows))
    return data
