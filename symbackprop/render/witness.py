"""A witness (the values where the two sides of a claim differ) as rich text, its variables
and values typeset as LaTeX where they can be read (``n_{i}``, ``-1/2``, ``x ↦ x**3 + 1``),
as text otherwise.  Used by the verification section and the check report."""

from __future__ import annotations

import re
from typing import Any, Mapping, Optional

from .context import as_rich, fill
from .translate import balanced

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
