"""The proof report's data: each identity of the catalog with its statement, assumptions,
proof chain (one row per step, with its rule and note), facts, premises and verdict."""

from __future__ import annotations

import re
from typing import Any, Mapping, Optional

import sympy as sp

from ..printing import latex
from ..rules.steps import STEP_RULES
from .context import as_rich, fill, messages
from .translate import Translator

_TEXT_WORD = re.compile(r"(?<![\\{A-Za-z])[A-Za-z]{3,}(?![A-Za-z}])")


def note_rich(note: str, tr: Optional[Translator] = None) -> str:
    """A note from the catalog as rich text: ``$…$`` kept; ``words: formula`` split there;
    otherwise a formula when it has no plain English word (``\\sigma' = \\sigma(1 - \\sigma)``),
    else text (``divide by e^{u}``).  With a translator, the words are put into its language."""
    note = str(note).strip()
    if not note or "$" in note:
        return tr.rich_text(note) if tr and note else note
    head, sep, tail = note.partition(": ")
    if sep and _TEXT_WORD.search(head) and "\\" not in head:
        colon = tr.colon if tr else ": "
        return (tr.rich(head) if tr else as_rich(head)) + colon + note_rich(tail, tr)
    if _TEXT_WORD.search(note):
        return tr.rich(note) if tr else as_rich(note)
    return f"${tr.latex(note) if tr else note}$"


def proof_rule_rich(m: Mapping[str, Any], lang: str, rule: str, note: str = "",
                    tr: Optional[Translator] = None) -> str:
    """The rule of a proof step in ``lang`` (step rules, then the catalog's own rules), with its note."""
    if rule in STEP_RULES:
        text = as_rich(STEP_RULES[rule].name(lang))
    else:
        text = m["proof_rules"].get(rule) or (tr.rich(rule.replace("_", " ")) if tr
                                              else as_rich(rule.replace("_", " ")))
    return text + (m["colon"] + note_rich(note, tr) if note else "")


def _step_parts(step: Any) -> tuple[str, str, str]:
    """(latex, rule, note) of a proof step: a ProofStep-like object or a (latex, rule) pair."""
    if hasattr(step, "latex"):
        return str(step.latex), str(getattr(step, "rule", "")), str(getattr(step, "note", "") or "")
    if isinstance(step, Mapping):
        return str(step.get("latex", "")), str(step.get("rule", "")), str(step.get("note", ""))
    latex_, rule = step[0], step[1]
    return str(latex_), str(rule), str(step[2]) if len(step) > 2 else ""


def proof_rows(ident: Any, m: Mapping[str, Any], lang: str,
               tr: Optional[Translator] = None) -> list[dict[str, str]]:
    """The proof as a chain ``lhs = s₁ = s₂ = … = rhs``, one row per step with its rule;
    when the steps stop short of the right-hand side, a last row reaches it by the statement."""
    steps = [_step_parts(s) for s in (getattr(ident, "steps", ()) or ())]
    lhs = getattr(ident, "lhs", None)
    rhs = getattr(ident, "rhs", None)
    rows = [{"latex": tex, "rule_rich": proof_rule_rich(m, lang, rule, note, tr)} for tex, rule, note in steps]
    if rhs is not None:
        rhs_latex = latex(rhs)
        if not rows or rows[-1]["latex"] != rhs_latex:
            rows.append({"latex": rhs_latex, "rule_rich": proof_rule_rich(m, lang, "statement", tr=tr)})
    return [{"lhs": latex(lhs) if (i == 0 and lhs is not None) else "", **row}
            for i, row in enumerate(rows)]


def _reals(ident: Any) -> list[str]:
    """``u \\in \\mathbb{R}`` for each plain real variable of the statement (σ′(u)'s u): the
    report's identities are separate settings, and the next may write ``u_k`` for a layer's
    vector; declared, ``u`` is a number in its own section (``DocumentScan.scalar_in``)."""
    sides = [getattr(ident, side, None) for side in ("lhs", "rhs")]
    exprs = [e for e in sides if isinstance(e, sp.Basic)]
    labels = {b.label for e in exprs for b in e.atoms(sp.IndexedBase)}  # u of u_k is no variable
    names = {s for e in exprs for s in e.atoms(sp.Symbol) if s.is_real and not s.is_integer} - labels
    return [f"{latex(s)} \\in \\mathbb{{R}}" for s in sorted(names, key=str)]


def _setting(ident: Any) -> list[str]:
    """The identity's setting as LaTeX, printed before its statement: its plain real variables
    declared (:func:`_reals`), a definition written with ``:=`` (``y_k := σ(u_k)`` says what the
    name means here — each identity is its own setting, and the next may define ``y_k``
    otherwise; the statement that restates it is then a claim about the defined name), any other
    assumption (``Σ_k t_k = 1``, ``u ≠ 0``) as stated."""
    assumptions = tuple(getattr(ident, "assumptions", ()) or ())
    written = getattr(ident, "assumptions_latex", None)
    if written is None:
        return [str(a) for a in assumptions]
    definitions = set(getattr(ident, "definitions", ()) or ())
    return _reals(ident) + [f"{latex(a.lhs)} := {latex(a.rhs)}" if a in definitions else tex
                            for a, tex in zip(assumptions, written)]


def _fact_latex(fact: Any, tr: Translator) -> str:
    return tr.latex(str(getattr(fact, "title", fact)))


def proofs_context(lang: str, identities: Optional[Mapping[str, Any]],
                   verdicts: Optional[Mapping[str, Any]] = None, note: str = "") -> dict[str, Any]:
    """The proof report: one item per identity of the catalog, with its verdict.

    ``identities`` maps names to :class:`~symbackprop.identity_types.Identity` objects
    (``title``, ``statement_latex``, ``lhs``, ``rhs``, ``assumptions_latex``, ``steps``,
    ``facts``, ``premises``); ``verdicts`` maps the names to verdicts (``status``,
    ``method``, ``reason``).  Without a catalog, ``note`` says why.
    """
    m = messages(lang)
    mp = m["proofs"]
    ctx: dict[str, Any] = {"lang": lang, "m": m, "title": mp["heading"], "untranslated": [],
                           "generated_by": fill(m["generated_by"], source="symbackprop.identities")}
    if identities is None:
        reason = mp.get(note, note) or mp["missing_module"]
        ctx.update(available=False, note_rich=fill(mp["unavailable"], reason=as_rich(reason)), items=[])
        return ctx
    items = []
    tr = Translator(lang)
    for name, ident in identities.items():
        v = (verdicts or {}).get(name)
        status = getattr(getattr(v, "status", None), "value", None) or str(getattr(v, "status", ""))
        assumptions = _setting(ident)
        items.append({
            "name": name,
            "title_rich": m["identities"].get(name) or tr.rich(getattr(ident, "title", "") or name),
            "statement": tr.latex(getattr(ident, "statement_latex", "")),
            "assumptions": [tr.latex(a) for a in assumptions],
            "steps": proof_rows(ident, m, lang, tr),
            "facts": [_fact_latex(f, tr) for f in (getattr(ident, "facts", ()) or ())],
            "premises_rich": [note_rich(p, tr) for p in (getattr(ident, "premises", ()) or ())],
            "notation_rich": [mp["notation"][n] for n in (getattr(ident, "notation", ()) or ())],
            "verdict": None if v is None else {
                "status": status,
                "status_word": m["status"].get(status, status),
                "method_rich": tr.rich(getattr(v, "method", "") or ""),
                "reason_rich": tr.rich(getattr(v, "reason", "") or ""),
            },
        })
    ctx.update(available=True, note_rich="", items=items, untranslated=sorted(set(tr.leftovers)))
    return ctx
