"""The printer of the reports: a derivation, a verification and the identity catalog
turned into the plain data the templates receive (LaTeX strings, rich text, numbers).

Templates never see SymPy objects.  Text that a template prints is *plain*
(escaped by the environment), *LaTeX* (a formula, printed with ``math``,
``display`` or ``latex``) or *rich* (text with ``$…$`` formulas, printed with
``rich`` or ``mathtext``); the key names say which: ``…_latex`` or ``lhs``/``rhs``/
``latex`` are formulas, ``…_rich`` is rich text, anything else is plain text.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional

from ..derive import Derivation
from ..matrix import matrix_letter
from ..present import derivation_data
from ..printing import latex
from ..rules.steps import STEP_RULES

LANGS = ("en", "ja")
MESSAGES = Path(__file__).parent / "messages"
STATUS_ORDER = ("refuted", "inconclusive", "proved")  # worst first


@functools.lru_cache(maxsize=None)
def _load_messages(lang: str) -> str:
    return (MESSAGES / f"{lang}.json").read_text(encoding="utf-8")


def messages(lang: str) -> dict[str, Any]:
    """Every fixed text of the reports in ``lang`` (``en`` or ``ja``), a fresh copy."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; allowed: {', '.join(LANGS)}")
    return json.loads(_load_messages(lang))


def fill(template: str, **values: str) -> str:
    """Put values into ``{name}`` fields, leaving every other brace alone (LaTeX has many)."""
    for key, value in values.items():
        template = template.replace("{" + key + "}", value)
    return template


def as_rich(text: str) -> str:
    """Plain text written as rich text (its dollars are not formulas)."""
    return text.replace("$", r"\$")


# ── derivation ─────────────────────────────────────────────────────────────
def layer_name(m: Mapping[str, Any], n: int, depth: int) -> str:
    """Input layer, hidden layer (numbered when there are several), output layer."""
    names = m["layer_names"]
    if n == 0:
        return names["input"]
    if n == depth:
        return names["output"]
    return names["hidden"] if depth == 2 else fill(names["hidden_n"], n=str(n))


def rule_rich(m: Mapping[str, Any], step: Mapping[str, Any]) -> str:
    """The rule of one step as rich text: its name and, when given, which identity or assumption."""
    text = as_rich(step["rule_name"])
    if step.get("detail"):
        parts = [m["details"].get(p.strip(), as_rich(p.strip())) for p in step["detail"].split(",")]
        text += m["colon"] + ", ".join(parts)
    return text


def _block(m: Mapping[str, Any], r: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "name": r["name"],
        "title": m["roles"].get(r["name"], r["name"]),
        "lhs": r["lhs"],
        "rhs": r["rhs"],
        "steps": [{"latex": s["latex"], "rule_rich": rule_rich(m, s)} for s in r["steps"]],
    }


def _braced(s: str) -> str:
    return "{" + s + "}" if "^" in s else s


def matrix_lhs(d: Derivation, n: int) -> dict[str, str]:
    """The left-hand sides of the batch formulas of layer ``n`` (Δ, ∂E/∂W, ∂E/∂b, ∂E/∂Y below),
    in the letters :mod:`symbackprop.matrix` uses for the right-hand sides."""
    nt = d.network.notation
    sup = f"^{{({n})}}"
    below = matrix_letter(nt.input) if n == 1 else matrix_letter(nt.activation) + f"^{{({n - 1})}}"
    E = nt.loss

    def grad(x: str) -> str:
        return rf"\frac{{\partial {E}}}{{\partial {_braced(x)}}}"

    return {
        "delta": _braced(matrix_letter(nt.delta) + sup),
        "weight": grad(matrix_letter(nt.weight) + sup),
        "bias": grad(nt.bias + sup),
        "input": grad(below),
    }


def derivation_context(d: Derivation, lang: str, verification: Optional[Mapping[str, Any]] = None,
                       verification_note: str = "", source: str = "") -> dict[str, Any]:
    """Everything the derivation templates print, in ``lang``.

    ``verification`` is the JSON of a :class:`~symbackprop.verify.VerificationReport`
    (or None, then ``verification_note`` — a key of ``messages.verification`` or a
    text — says why there is none).  ``source`` names the spec in the header comment.
    """
    m = messages(lang)
    data = derivation_data(d, lang)
    net = d.network
    depth = net.depth
    sizes = [latex(s.size, net) for s in net.symbols]

    table = []
    for row in data["table"]:
        n = row["layer"]
        table.append({
            "layer": n,
            "name": layer_name(m, n, depth),
            "index_latex": row["index"],
            "size_latex": sizes[n],
            "activation": m["activations"].get(row["activation"], row["activation"]) if n else None,
            "bias": None if n == 0 else (m["derivation"]["yes"] if row["bias"] else m["derivation"]["no"]),
        })

    layers = []
    for ld in data["layers"]:
        n = ld["layer"]
        results = {r["name"]: r for r in ld["results"]}
        mlhs = matrix_lhs(d, n)
        matrix_rows = [{"lhs": mlhs[q], "rhs": ld["matrix"][q]}
                       for q in ("delta", "weight", "bias", "input") if ld["matrix"].get(q)]
        activation = m["activations"].get(ld["activation"], ld["activation"])
        intro = fill(m["derivation"]["layer_intro"], activation=as_rich(activation),
                     index=ld["index"], size=sizes[n],
                     bias="" if ld["bias"] else m["derivation"]["layer_no_bias"])
        layers.append({
            "layer": n,
            "output": ld["output"],
            "heading": fill(m["derivation"]["layer_heading"], n=str(n), name=layer_name(m, n, depth)),
            "intro_rich": intro,
            "lemmas": [_block(m, r) for r in ld["lemmas"]],
            "results": [_block(m, r) for r in ld["results"]],
            "summary": {
                "index": [{"lhs": r["lhs"], "rhs": r["rhs"]} for r in results.values()],
                "matrix": matrix_rows,
            },
        })

    lhs_of = {(ld["layer"], r["name"]): r["lhs"] for ld in data["layers"] for r in ld["results"]}
    return {
        "lang": lang,
        "m": m,
        "generated_by": fill(m["generated_by"], source=source or "a spec"),
        "title": data["title"] or m["derivation"]["untitled"],
        "loss_rich": fill(m["derivation"]["loss_intro"],
                          loss=as_rich(m["losses"].get(data["loss"], data["loss_title"]))),
        "assumptions": [a["latex"] for a in data["assumptions"]],
        "table": table,
        "loss": [{"lhs": f["lhs"], "rhs": f["rhs"]} for f in data["forward"] if f["name"] == "loss"],
        "forward": [{"layer": f["layer"], "name": f["name"], "lhs": f["lhs"], "rhs": f["rhs"]}
                    for f in data["forward"] if f["name"] != "loss"],
        "layers": layers,
        "verification": verification_context(m, net, verification, verification_note, lhs_of),
    }


# ── verification ───────────────────────────────────────────────────────────
def worst(statuses: Iterable[str]) -> str:
    """The overall status of several checks: refuted beats inconclusive beats proved."""
    present = set(statuses)
    return next((s for s in STATUS_ORDER if s in present), "proved")


def _witness_text(w: Any) -> str:
    if not w:
        return ""
    if isinstance(w, Mapping):
        values = w.get("values") or {}
        parts = [", ".join(f"{k} = {v}" for k, v in values.items())]
        for key in ("lhs", "rhs", "difference"):
            if w.get(key):
                parts.append(f"{key} = {w[key]}")
        return "; ".join(p for p in parts if p)
    return str(w)


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
                         note: str = "", lhs_of: Optional[Mapping] = None) -> dict[str, Any]:
    """The verification section: verdict, sizes, methods, one row per (layer, quantity)."""
    mv = m["verification"]
    if report is None:
        reason = mv.get(note, note) or mv["missing_module"]
        return {"available": False, "note_rich": fill(mv["unavailable"], reason=as_rich(reason))}
    lhs_of = lhs_of or {}
    groups: dict[tuple, list] = {}
    for c in report.get("checks", []):
        groups.setdefault((c.get("layer"), c.get("quantity")), []).append(c)
    rows, problems = [], []
    for (layer, quantity), checks in groups.items():
        status = worst(c.get("status", "inconclusive") for c in checks)
        rows.append({
            "layer": layer,
            "quantity": m["roles"].get(quantity, str(quantity)),
            "quantity_latex": lhs_of.get((layer, quantity), ""),
            "entries": len(checks),
            "methods": "; ".join(sorted({c.get("method") or "" for c in checks} - {""})),
            "status": status,
            "status_word": m["status"].get(status, status),
        })
        for c in checks:
            if c.get("status") != "proved":
                problems.append({
                    "entry": str(c.get("entry", "")),
                    "status": c.get("status"),
                    "status_word": m["status"].get(c.get("status"), str(c.get("status"))),
                    "reason": c.get("reason") or "",
                    "witness": _witness_text(c.get("witness")),
                    "expected": str(c.get("expected") or ""),
                })
    summary = report.get("summary") or {}
    status = summary.get("status") or worst(r["status"] for r in rows)
    methods = sorted({c.get("method") for c in report.get("checks", []) if c.get("method")})
    return {
        "available": True,
        "sizes_latex": sizes_latex(net, report.get("sizes")),
        "status": status,
        "status_word": m["status"].get(status, status),
        "total": summary.get("total", sum(r["entries"] for r in rows)),
        "methods": methods,
        "rows": rows,
        "problems": problems,
    }


# ── proofs ─────────────────────────────────────────────────────────────────
_TEXT_WORD = re.compile(r"(?<![\\{A-Za-z])[A-Za-z]{3,}(?![A-Za-z}])")


def note_rich(note: str) -> str:
    """A note from the catalog as rich text: ``$…$`` kept; ``words: formula`` split there;
    otherwise a formula when it has no plain English word (``\\sigma' = \\sigma(1 - \\sigma)``),
    else text (``divide by e^{u}``)."""
    note = str(note).strip()
    if not note or "$" in note:
        return note
    head, sep, tail = note.partition(": ")
    if sep and _TEXT_WORD.search(head) and "\\" not in head:
        return as_rich(head) + ": " + note_rich(tail)
    return as_rich(note) if _TEXT_WORD.search(note) else f"${note}$"


def proof_rule_rich(m: Mapping[str, Any], lang: str, rule: str, note: str = "") -> str:
    """The rule of a proof step in ``lang`` (step rules, then the catalog's own rules), with its note."""
    if rule in STEP_RULES:
        text = as_rich(STEP_RULES[rule].name(lang))
    else:
        text = m["proof_rules"].get(rule) or as_rich(rule.replace("_", " "))
    return text + (m["colon"] + note_rich(note) if note else "")


def _step_parts(step: Any) -> tuple[str, str, str]:
    """(latex, rule, note) of a proof step: a ProofStep-like object or a (latex, rule) pair."""
    if hasattr(step, "latex"):
        return str(step.latex), str(getattr(step, "rule", "")), str(getattr(step, "note", "") or "")
    if isinstance(step, Mapping):
        return str(step.get("latex", "")), str(step.get("rule", "")), str(step.get("note", ""))
    latex_, rule = step[0], step[1]
    return str(latex_), str(rule), str(step[2]) if len(step) > 2 else ""


def proof_rows(ident: Any, m: Mapping[str, Any], lang: str) -> list[dict[str, str]]:
    """The proof as a chain ``lhs = s₁ = s₂ = … = rhs``, one row per step with its rule;
    when the steps stop short of the right-hand side, a last row reaches it by the statement."""
    steps = [_step_parts(s) for s in (getattr(ident, "steps", ()) or ())]
    lhs = getattr(ident, "lhs", None)
    rhs = getattr(ident, "rhs", None)
    rows = [{"latex": tex, "rule_rich": proof_rule_rich(m, lang, rule, note)} for tex, rule, note in steps]
    if rhs is not None:
        rhs_latex = latex(rhs)
        if not rows or rows[-1]["latex"] != rhs_latex:
            rows.append({"latex": rhs_latex, "rule_rich": proof_rule_rich(m, lang, "statement")})
    return [{"lhs": latex(lhs) if (i == 0 and lhs is not None) else "", **row}
            for i, row in enumerate(rows)]


def _fact_latex(fact: Any) -> str:
    return str(getattr(fact, "title", fact))


def proofs_context(lang: str, identities: Optional[Mapping[str, Any]],
                   verdicts: Optional[Mapping[str, Any]] = None, note: str = "") -> dict[str, Any]:
    """The proof report: one item per identity of the catalog, with its verdict.

    ``identities`` maps names to :class:`~symbackprop.identities.Identity` objects
    (``title``, ``statement_latex``, ``lhs``, ``rhs``, ``assumptions_latex``, ``steps``,
    ``facts``, ``premises``); ``verdicts`` maps the names to verdicts (``status``,
    ``method``, ``reason``).  Without a catalog, ``note`` says why.
    """
    m = messages(lang)
    mp = m["proofs"]
    ctx: dict[str, Any] = {"lang": lang, "m": m, "title": mp["heading"],
                           "generated_by": fill(m["generated_by"], source="symbackprop.identities")}
    if identities is None:
        reason = mp.get(note, note) or mp["missing_module"]
        ctx.update(available=False, note_rich=fill(mp["unavailable"], reason=as_rich(reason)), items=[])
        return ctx
    items = []
    for name, ident in identities.items():
        v = (verdicts or {}).get(name)
        status = getattr(getattr(v, "status", None), "value", None) or str(getattr(v, "status", ""))
        assumptions = getattr(ident, "assumptions_latex", None)
        if assumptions is None:
            assumptions = [str(a) for a in (getattr(ident, "assumptions", ()) or ())]
        items.append({
            "name": name,
            "title_rich": m["identities"].get(name) or as_rich(getattr(ident, "title", "") or name),
            "statement": getattr(ident, "statement_latex", ""),
            "assumptions": list(assumptions),
            "steps": proof_rows(ident, m, lang),
            "facts": [_fact_latex(f) for f in (getattr(ident, "facts", ()) or ())],
            "premises_rich": [note_rich(p) for p in (getattr(ident, "premises", ()) or ())],
            "verdict": None if v is None else {
                "status": status,
                "status_word": m["status"].get(status, status),
                "method": getattr(v, "method", "") or "",
                "reason": getattr(v, "reason", "") or "",
            },
        })
    ctx.update(available=True, note_rich="", items=items)
    return ctx
