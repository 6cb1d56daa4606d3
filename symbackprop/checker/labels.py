"""Layer labels: a definition written for a general layer holds at every layer.

Notes define ``z^l_j = Σ_k w^l_{jk} a^{l-1}_k + b^l_j`` once, for a general layer ``l``, and
then write ``z^{l+1}_k``, ``δ^L_j`` or ``a^{L-1}_k``.  The reader folds a label into the name
(``z^{l+1}``); here the label is read back as an expression, so the general definition is
instantiated at the label wanted — every labelled name of its body shifted alike
(``w^{l}`` → ``w^{l+1}``, ``a^{l-1}`` → ``a^{l}``) — with the index letters renamed as usual.

Only a label that is one lowercase letter (``l``, ``i``, ``(l)``, ``[l]``) makes a definition
general; ``z^L_j = …`` speaks of the layer L only.
"""

from __future__ import annotations

import re
from typing import Optional

import sympy as sp

_LABELLED = re.compile(r"^(?P<base>[^\^]+)\^\{(?P<open>[(\[]?)(?P<label>[A-Za-z0-9+\-\s]+)(?P<close>[)\]]?)\}(?P<rest>'*)$")


def split(name: str) -> Optional[tuple[str, str, sp.Expr, str, str]]:
    """``z^{l+1}`` → ("z", "", l + 1, "", ""); None for a name without a layer label."""
    m = _LABELLED.match(name)
    if not m:
        return None
    try:
        label = sp.sympify(m["label"].replace(" ", ""), locals={c: sp.Symbol(c) for c in set(re.findall(r"[A-Za-z]", m["label"]))})
    except (sp.SympifyError, SyntaxError, TypeError):
        return None
    return m["base"], m["open"], label, m["close"], m["rest"]


def _show(label: sp.Expr) -> str:
    return str(label).replace(" ", "")


def general_variable(name: str) -> Optional[sp.Symbol]:
    """The layer variable of a general definition's name (``z^{l}`` → l), else None."""
    parts = split(name)
    if parts is None:
        return None
    label = parts[2]
    if isinstance(label, sp.Symbol) and len(label.name) == 1 and label.name.islower():
        return label
    return None


def shift(expr: sp.Basic, var: sp.Symbol, target: sp.Expr, style: tuple[str, str]) -> sp.Basic:
    """Every name of ``expr`` labelled in ``style`` with an expression in ``var`` relabelled at
    ``var = target`` (``a^{l-1}`` at l = l + 1 → ``a^{l}``)."""
    def relabel(name: str) -> str:
        parts = split(name)
        if parts is None or (parts[1], parts[3]) != style or var not in parts[2].free_symbols:
            return name
        base, o, label, c, rest = parts
        return f"{base}^{{{o}{_show(sp.expand(label.subs(var, target)))}{c}}}{rest}"

    mapping: dict = {}
    for b in expr.atoms(sp.IndexedBase):
        new = relabel(str(b.label))
        if new != str(b.label):
            mapping[b] = sp.IndexedBase(new, **b.assumptions0)
    for s in expr.atoms(sp.Symbol):
        if not isinstance(s, sp.Dummy):
            new = relabel(s.name)
            if new != s.name:
                mapping[s] = sp.Symbol(new, **s.assumptions0)
    return expr.xreplace(mapping) if mapping else expr


def at_label(name: str, general: str) -> Optional[tuple[sp.Symbol, sp.Expr, tuple[str, str]]]:
    """Does the name ``name`` (``z^{l+1}``) instantiate the general name ``general`` (``z^{l}``)?
    (the layer variable, the label wanted, the bracket style), else None."""
    want, have = split(name), split(general)
    var = general_variable(general)
    if want is None or have is None or var is None:
        return None
    if (want[0], want[1], want[3], want[4]) != (have[0], have[1], have[3], have[4]) or want[2] == have[2]:
        return None
    return var, want[2], (have[1], have[3])
