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
from .translate import Translator, balanced

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
        shown = " ".join(row["rhs"] for row in matrix_rows)
        note = ("odot" if r"\odot" in shown else "") + ("ones" if r"\mathbf{1}" in shown else "")
        layers.append({
            "layer": n,
            "output": ld["output"],
            "matrix_note_rich": m["derivation"]["matrix_note_" + (note or "plain")],
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
    biases = {bool(ld["bias"]) for ld in data["layers"]}
    prose = "all" if biases == {True} else "none" if biases == {False} else "some"
    title, spec_title = derivation_title(m, lang, data, depth)
    return {
        "lang": lang,
        "m": m,
        "generated_by": fill(m["generated_by"], source=(source or m["unnamed_source"]) + spec_title),
        "title": title,
        "intro_rich": m["derivation"]["intro_" + prose],
        "forward_intro_rich": m["derivation"]["forward_intro_" + prose],
        "loss_rich": fill(m["derivation"]["loss_intro"],
                          loss=as_rich(m["losses"].get(data["loss"], data["loss_title"]))),
        "assumptions": [a["latex"] for a in data["assumptions"]],
        "table": table,
        "loss": [{"lhs": f["lhs"], "rhs": f["rhs"]} for f in data["forward"] if f["name"] == "loss"],
        "forward": [{"layer": f["layer"], "name": f["name"], "lhs": f["lhs"], "rhs": f["rhs"]}
                    for f in data["forward"] if f["name"] != "loss"],
        "layers": layers,
        "verification": verification_context(m, net, verification, verification_note, lhs_of, lang),
    }


_JAPANESE = re.compile("[\u3040-\u30ff\u3400-\u9fff\uff01-\uff5e]")


def derivation_title(m: Mapping[str, Any], lang: str, data: Mapping[str, Any], depth: int) -> tuple[str, str]:
    """(the report's title, the spec's own title for the header comment when it is not shown).

    The spec's title is shown when it is written in the report's language (any title in
    English; a title with Japanese in it in Japanese); otherwise, and when the spec has none,
    the title says what the network is, from its layers and loss."""
    own = (data.get("title") or "").strip()
    if own and (lang == "en" or _JAPANESE.search(own)):
        return own, ""
    md = m["derivation"]
    acts = [m["activations"].get(ld["activation"], ld["activation"]) for ld in data["layers"]]
    output, hidden = acts[0] if data["layers"][0]["output"] else acts[-1], []
    for ld, name in sorted(zip(data["layers"], acts), key=lambda p: p[0]["layer"]):
        if not ld["output"] and name not in hidden:
            hidden.append(name)
    loss = m["losses"].get(data["loss"], data["loss_title"])
    key = "title_from_network" if hidden else "title_from_network_no_hidden"
    title = fill(md[key], layers=str(depth + 1), hidden=md["title_list_separator"].join(hidden),
                 output=output, loss=loss)
    return title, (fill(md["spec_title"], title=own) if own else "")


# ── verification ───────────────────────────────────────────────────────────
def worst(statuses: Iterable[str]) -> str:
    """The overall status of several checks: refuted beats inconclusive beats proved."""
    present = set(statuses)
    return next((s for s in STATUS_ORDER if s in present), "proved")


_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
_FRACTION = re.compile(r"(-?)(\d+)/(\d+)")
_NAME = re.compile(r"[A-Za-z\\][\w\\{}^,()' ]*")
_SIMPLE_EXPR = re.compile(r"[\w\s.+\-*/()^,]*")
_KNOWN = {"sqrt", "exp", "log", "sin", "cos", "tan", "tanh", "sinh", "cosh", "pi", "oo"}  # nothing else is read


_INDEXED = re.compile(r"([A-Za-z]\w*(?:\^\{[^{}]*\})?)\[([\d, ]+)\]")


def value_latex(value: Any) -> Optional[str]:
    """A witness value (``3``, ``-1/2``, ``0.2689…``, ``1 - t[1]``, ``x ↦ x**3 + 1``) as LaTeX, or None."""
    s = str(value).strip()
    if _NUMBER.fullmatch(s):
        return s
    f = _FRACTION.fullmatch(s)
    if f:
        return rf"{f.group(1)}\frac{{{f.group(2)}}}{{{f.group(3)}}}"
    if "↦" in s:
        var, _, body = s.partition("↦")
        inner = value_latex(body)
        return None if inner is None or not _NAME.fullmatch(var.strip()) else rf"{var.strip()} \mapsto {inner}"
    entries: dict[str, str] = {}

    def entry(m: re.Match) -> str:  # t[1] → a placeholder symbol printed t_{1}
        entries[f"Q{len(entries)}"] = name_latex(m.group(0)) or m.group(0)
        return f"Q{len(entries) - 1}"

    s = _INDEXED.sub(entry, s)
    words = set(re.findall(r"[A-Za-z_]\w*", s)) - set(entries)
    if _SIMPLE_EXPR.fullmatch(s) and len(s) < 400 and all(len(w) == 1 or w in _KNOWN for w in words):
        try:
            import sympy as sp

            local = {q: sp.Symbol(tex) for q, tex in entries.items()}
            return sp.latex(sp.sympify(s, locals=local, rational=False))
        except Exception:  # noqa: BLE001 - anything SymPy cannot read stays text
            return None
    return None


def name_latex(name: Any) -> Optional[str]:
    """A witness's variable (``n_{i}``, ``u_1``, ``\\sigma``) as LaTeX, or None."""
    s = str(name).strip()
    indexed = re.fullmatch(r"(.+?)\[([\d, ]+)\]", s)  # an entry of a vector or matrix: b[1], w[1, 2]
    if indexed:
        base = name_latex(indexed.group(1))
        index = ",".join(indexed.group(2).replace(" ", "").split(","))
        if base is None:
            return None
        return (f"{{{base}}}" if "_" in base else base) + f"_{{{index}}}"
    if not _NAME.fullmatch(s) or not balanced(s):
        return None
    return re.sub(r"_(\w)(\w+)$", r"_{\1\2}", s) if "{" not in s else s


def witness_rich(m: Mapping[str, Any], w: Any) -> str:
    """A witness as rich text, its values typeset: ``$n_{i} = 1$: left side $= 2$, right side $= 3$``."""
    if not w:
        return ""
    if not isinstance(w, Mapping):
        return as_rich(str(w))
    mw = m["witness"]
    values = []
    for k, v in (w.get("values") or {}).items():
        key, val = name_latex(k), value_latex(v)
        values.append(f"${key} = {val}$" if key is not None and val is not None
                      else as_rich(f"{k} = {v}"))
    sides = {}
    for side in ("lhs", "rhs", "difference"):
        if w.get(side) not in (None, ""):
            val = value_latex(w[side])
            sides[side] = f"${val}$" if val is not None else as_rich(str(w[side]))
    parts = [fill(mw["at"], values=mw["values_separator"].join(values))] if values else []
    if "lhs" in sides and "rhs" in sides:
        parts.append(fill(mw["sides"], lhs=sides["lhs"], rhs=sides["rhs"])
                     + (fill(mw["difference"], difference=sides["difference"]) if "difference" in sides else ""))
    return mw["join"].join(parts)


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


# ── proofs ─────────────────────────────────────────────────────────────────
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


def _fact_latex(fact: Any, tr: Translator) -> str:
    return tr.latex(str(getattr(fact, "title", fact)))


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
        assumptions = getattr(ident, "assumptions_latex", None)
        if assumptions is None:
            assumptions = [str(a) for a in (getattr(ident, "assumptions", ()) or ())]
        items.append({
            "name": name,
            "title_rich": m["identities"].get(name) or tr.rich(getattr(ident, "title", "") or name),
            "statement": tr.latex(getattr(ident, "statement_latex", "")),
            "assumptions": [tr.latex(a) for a in assumptions],
            "steps": proof_rows(ident, m, lang, tr),
            "facts": [_fact_latex(f, tr) for f in (getattr(ident, "facts", ()) or ())],
            "premises_rich": [note_rich(p, tr) for p in (getattr(ident, "premises", ()) or ())],
            "verdict": None if v is None else {
                "status": status,
                "status_word": m["status"].get(status, status),
                "method_rich": tr.rich(getattr(v, "method", "") or ""),
                "reason_rich": tr.rich(getattr(v, "reason", "") or ""),
            },
        })
    ctx.update(available=True, note_rich="", items=items, untranslated=sorted(set(tr.leftovers)))
    return ctx
