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
from sympy.core.function import AppliedUndef

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


def general_label(name: str) -> bool:
    """Is ``name`` labelled with a general layer, shifted or not (``W^{l}``, ``W^{l+1}``,
    ``W^{(l-1)}``: one lower-case letter plus a whole number)?  A statement made for such a
    label (``W^{l+1} = (w^{l+1}_{ij})_{ij}`` for every l) holds at every label."""
    parts = split(name)
    label = parts[2] if parts is not None else None
    free = label.free_symbols if isinstance(label, sp.Expr) else set()
    var = next(iter(free)) if len(free) == 1 else None
    return var is not None and len(var.name) == 1 and var.name.islower() and (label - var).is_Integer


def shift(expr: sp.Basic, var: sp.Symbol, target: sp.Expr, style: tuple[str, str]) -> sp.Basic:
    """Every name of ``expr`` labelled in ``style`` with an expression in ``var`` relabelled at
    ``var = target`` (``a^{l-1}`` at l = l + 1 → ``a^{l}``), and so the widths a sum runs to
    (``M_{l-1}`` → ``M_{l}``) and the functions labelled by the layer (``φ_l`` → ``φ_{l+1}``)."""
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
    for size in {a for x in expr.atoms(sp.Sum) for _v, _lo, hi in x.limits for a in hi.atoms(sp.Indexed)}:
        same = {s: _alike(target, s) for i in size.indices for s in sp.sympify(i).free_symbols if s.name == var.name}
        if same:  # M_{l-1}: the width of layer l − 1 (its l read with whatever assumptions)
            mapping[size] = size.base[tuple(sp.expand(sp.sympify(i).xreplace(same)) for i in size.indices)]
    expr = expr.xreplace(mapping) if mapping else expr
    return _shift_functions(expr, var, target)


def _alike(target: sp.Expr, s: sp.Symbol) -> sp.Expr:
    """``target`` (read from a label: plain symbols) written with symbols as the reader writes
    indices, ``Symbol(name, integer=True)`` — ``s`` itself for its own name — so that
    ``n_{L-1}`` reached by a shift and ``n_{L-1}`` written are one size."""
    t = sp.sympify(target)
    return t.xreplace({x: s if x.name == s.name else sp.Symbol(x.name, integer=True) for x in t.free_symbols})


#: A function named with a layer label, ``phi_{i+1}``: its base and its label.
FUNCTION_LABELLED = re.compile(r"^(?P<base>[^_^{}]+)_\{(?P<label>[A-Za-z0-9+\-\s]+)\}$")


def _shift_functions(expr: sp.Basic, var: sp.Symbol, target: sp.Expr) -> sp.Basic:
    """A function labelled by the layer variable (``φ_l``, ``f_{l}``: the activation of layer l)
    relabelled with the layer: ``a^{l}_j = φ_l(z^{l}_j)`` at l + 1 is ``φ_{l+1}(z^{l+1}_j)``."""
    def relabelled(f: AppliedUndef) -> AppliedUndef:
        m = FUNCTION_LABELLED.match(f.func.__name__)
        if not m or m["label"].strip() not in _letters_and_offsets(var):
            return f
        try:
            label = sp.sympify(m["label"].replace(" ", ""), locals={var.name: var})
        except (sp.SympifyError, SyntaxError, TypeError):
            return f
        new = f"{m['base']}_{{{_show(sp.expand(label.subs(var, target)))}}}"
        return sp.Function(new)(*f.args)

    return expr.replace(lambda e: isinstance(e, AppliedUndef), relabelled)


def _letters_and_offsets(var: sp.Symbol) -> set:
    """The labels of a function that name the layer ``var``: ``l``, ``l+1``, ``l-1``, …"""
    return {var.name} | {f"{var.name}{sign}{n}" for sign in "+-" for n in range(1, 4)}


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


def at_general_label(name: str, names) -> Optional[tuple[str, sp.Symbol, sp.Expr]]:
    """The first of ``names`` written for a general layer that ``name`` is an instance of
    (``Δ^{l+1}`` of ``Δ^{l}``): that name, its layer variable, and the value to give it
    (``l + 1``) — for :func:`shift` or a width's label.  None when there is none."""
    want = split(name)
    if want is None:
        return None
    for other in names:
        have, var = split(other), general_variable(other)
        if have and var is not None and (have[0], have[1], have[3]) == (want[0], want[1], want[3]):
            return other, var, want[2] - have[2] + var
    return None

