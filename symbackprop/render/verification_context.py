"""The verification section of the derivation report: the verdict, the sizes checked, one row
per (layer, quantity), the methods once (numbered), and every check not proved with its witness."""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Optional

from ..printing import latex
from .context import as_rich, fill
from .translate import Translator
from .witness import witness_rich

STATUS_ORDER = ("refuted", "inconclusive", "proved")  # worst first


def worst(statuses: Iterable[str]) -> str:
    """The overall status of several checks: refuted beats inconclusive beats proved."""
    present = set(statuses)
    return next((s for s in STATUS_ORDER if s in present), "proved")


def sizes_latex(net, sizes: Optional[Iterable[int]]) -> str:
    """``l = 3,\\ m = 2,\\ n = 3`` for the symbolic widths; a tuple when all widths are numbers."""
    if not sizes:
        return ""
    sizes = list(sizes)
    symbols = net.symbols
    if len(sizes) != len(symbols):
        return "(" + ", ".join(map(str, sizes)) + ")"
    parts = [f"{latex(s.size, net)} = {v}" for s, v in zip(symbols, sizes) if not s.size.is_Integer]
    return r",\ ".join(parts) if parts else "(" + ", ".join(map(str, sizes)) + ")"


def verification_context(m: Mapping[str, Any], net, report: Optional[Mapping[str, Any]],
                         note: str = "", lhs_of: Optional[Mapping] = None,
                         lang: Optional[str] = None) -> dict[str, Any]:
    """The verification section: verdict, sizes, one row per (layer, quantity), the methods
    once (numbered; a row names its methods by number)."""
    mv = m["verification"]
    if report is None:
        reason = mv.get(note, note) or mv["missing_module"]
        return {"available": False, "note_rich": fill(mv["unavailable"], reason=as_rich(reason))}
    tr = Translator(lang or m.get("lang", "en"))
    lhs_of = lhs_of or {}
    groups: dict[tuple, list] = {}
    for c in report.get("checks", []):
        groups.setdefault((c.get("layer"), c.get("quantity")), []).append(c)
    methods: list[str] = []
    for c in report.get("checks", []):
        if c.get("method") and c["method"] not in methods:
            methods.append(c["method"])
    number = {method: n for n, method in enumerate(methods, 1)}
    rows, problems = [], []
    for (layer, quantity), checks in groups.items():
        status = worst(c.get("status", "inconclusive") for c in checks)
        refs = sorted({number[c["method"]] for c in checks if c.get("method")})
        rows.append({
            "layer": layer,
            "quantity": m["roles"].get(quantity, str(quantity)),
            "quantity_latex": lhs_of.get((layer, quantity), ""),
            "entries": len(checks),
            "method_refs": refs,
            "methods": ", ".join(f"({n})" for n in refs),
            "status": status,
            "status_word": m["status"].get(status, status),
        })
        for c in checks:
            if c.get("status") != "proved":
                problems.append({
                    "entry": str(c.get("entry", "")),
                    "status": c.get("status"),
                    "status_word": m["status"].get(c.get("status"), str(c.get("status"))),
                    "reason_rich": tr.rich(c.get("reason") or ""),
                    "witness_rich": witness_rich(m, c.get("witness")),
                    "expected": str(c.get("expected") or ""),
                })
    summary = report.get("summary") or {}
    status = summary.get("status") or worst(r["status"] for r in rows)
    return {
        "available": True,
        "sizes_latex": sizes_latex(net, report.get("sizes")),
        "status": status,
        "status_word": m["status"].get(status, status),
        "total": summary.get("total", sum(r["entries"] for r in rows)),
        "methods": [{"number": number[x], "rich": tr.rich(x)} for x in methods],
        "rows": rows,
        "problems": problems,
        "untranslated": list(tr.leftovers),
    }
