"""Names in a document's mathematics: what a quantity is called, its index letters, its shape.

Shared by every pass of the checker.  ``y_k`` is known by ``y`` (an ``Indexed`` of the
base ``y``), ``E`` by ``E``, ``f_L(u)`` by ``f_L``; index letters are ``k`` for k, k′, k″.
Derivatives of quantities nothing defines become *opaque* unknowns whose names start
with :data:`OPAQUE` (``[∂E/∂y_k]``).
"""

from __future__ import annotations

import re
from typing import Optional

import sympy as sp
from sympy.core.function import AppliedUndef

from ..notation import GREEK_NAMES
from ..printing import latex as _latex
from ..prover.claim import bound_symbols
from ..prover.symbolic import value_atoms

OPAQUE = "\\partial "
#: The Greek letters' names as one regex alternation, longest first (``varphi`` before ``phi``).
GREEK_ALTERNATION = "|".join(sorted(GREEK_NAMES, key=len, reverse=True))
GREEK = re.compile(r"^(" + GREEK_ALTERNATION + r")(?=$|[\^_'{ ])")


def key(e: sp.Basic) -> Optional[str]:
    """The name a quantity is known by: ``y`` for ``y_k``, ``E`` for ``E``, ``f_{L}`` for ``f_L(u)``."""
    if isinstance(e, sp.Indexed):
        return str(e.base.label).split("⟨", 1)[0]  # w⟨jk⟩ (layers.py) is known as w
    if isinstance(e, sp.IndexedBase):
        return str(e.label).split("⟨", 1)[0]
    if isinstance(e, sp.Symbol):
        return e.name
    if isinstance(e, AppliedUndef):
        return e.func.__name__
    return None


def indices(e: sp.Basic) -> tuple:
    return tuple(e.indices) if isinstance(e, sp.Indexed) else ()


def is_quantity(e: sp.Basic) -> bool:
    """A symbol or indexed symbol that stands for a value (not an index or a size)."""
    if isinstance(e, sp.Indexed):
        return True
    return isinstance(e, sp.Symbol) and not isinstance(e, sp.Dummy) and not e.is_integer


def is_opaque(e: sp.Basic) -> bool:
    k = key(e)
    return bool(k) and k.startswith(OPAQUE)


def sizes_of(expr: sp.Basic) -> set:
    """Symbols in the bounds of sums (sizes, never values)."""
    return {s for x in expr.atoms(sp.Sum) for _d, lo, hi in x.limits for s in (lo.free_symbols | hi.free_symbols)}


def plain_symbols(expr: sp.Basic) -> set:
    """Quantity symbols used as such (not the labels of indexed symbols)."""
    out, stack = set(), [expr]
    while stack:
        e = stack.pop()
        if isinstance(e, sp.IndexedBase):
            continue
        if isinstance(e, sp.Symbol):
            if is_quantity(e):
                out.add(e)
            continue
        stack.extend(e.args)
    return out


def unknowns(expr: sp.Basic) -> set:
    """The value atoms of ``expr``: symbols and indexed symbols, not indices or sizes."""
    sizes = sizes_of(expr)
    return {a for a in value_atoms(expr) if is_quantity(a) and a not in sizes}


def keys(expr: sp.Basic) -> set[str]:
    """Every name used in ``expr``, including functions and derivative variables."""
    out = {key(a) for a in expr.atoms(sp.Indexed)} | {s.name for s in plain_symbols(expr)}
    out |= {a.func.__name__ for a in expr.atoms(AppliedUndef)}
    return {k for k in out if k}


def shorthand(e: sp.Basic) -> sp.Basic:
    """``δy_j`` is parsed δ·y_j; as a whole side of a relation it is the name ``δy_j``."""
    if isinstance(e, sp.Mul) and len(e.args) == 2:
        a, b = e.args
        if isinstance(b, sp.Symbol) and b.name in ("delta", "Delta"):
            a, b = b, a
        if isinstance(a, sp.Symbol) and a.name in ("delta", "Delta") and isinstance(b, (sp.Indexed, sp.Symbol)):
            name = f"\\{a.name} {key(b)}"
            return sp.IndexedBase(name)[b.indices] if isinstance(b, sp.Indexed) else sp.Symbol(name)
    return e


def tex(expr: sp.Basic) -> str:
    """LaTeX with Greek names written as Greek letters."""
    def greek(name: str) -> str:
        return GREEK.sub(lambda m: "\\" + m.group(1), name)

    # a generic function named by a Greek letter (φ_i) printed as the letter, not \operatorname{phi}_i
    expr = expr.replace(lambda e: isinstance(e, AppliedUndef) and greek(e.func.__name__) != e.func.__name__,
                        lambda e: sp.Function(greek(e.func.__name__))(*e.args))
    # plain names for printing (assumptions and dummies only matter to the prover)
    mapping: dict = {b: sp.IndexedBase(greek(str(b.label))) for b in expr.atoms(sp.IndexedBase)}
    # every dummy gets a name of its own: one printed like an enclosing sum's letter would be
    # captured by it (Σ_k w_{kj} Σ_{k} a_k w_{kk} for Σ_k w_{kj} Σ_{k'} a_{k'} w_{kk'})
    names = {s.name for s in expr.atoms(sp.Symbol) if not isinstance(s, sp.Dummy)}
    for s in sorted(expr.atoms(sp.Dummy), key=sp.default_sort_key):
        name = s.name
        while name in names:
            name += "'"
        names.add(name)
        mapping[s] = sp.Symbol(name, integer=True)
    for s in expr.atoms(sp.Symbol):
        if isinstance(s, sp.Dummy):
            continue
        elif s.assumptions0 or greek(s.name) != s.name:
            mapping[s] = sp.Symbol(greek(s.name), integer=True) if s.is_integer else sp.Symbol(greek(s.name))
    try:
        return _latex(expr.xreplace(mapping) if mapping else expr)
    except Exception:  # printing must never stop a check
        try:
            return sp.sstr(expr)
        except Exception:  # a number past Python's 4,300 digits for str()
            return "(a number too long to print)"


def definable(e: sp.Basic) -> Optional[str]:
    """The shape of a side that can be defined: symbol, indexed (pattern), atom (y_2), function."""
    if isinstance(e, sp.Symbol) and is_quantity(e):
        return "symbol"
    if isinstance(e, sp.Indexed):
        idx = e.indices
        if all(isinstance(i, sp.Symbol) for i in idx) and len(set(idx)) == len(idx):
            return "indexed"
        return "atom"
    if isinstance(e, sp.Function) and e.args and all(isinstance(a, sp.Symbol) for a in e.args) \
            and len(set(e.args)) == len(e.args) and not isinstance(e, (sp.Derivative,)):
        return "function"
    return None


def self_reference(a: sp.Basic, b: sp.Basic) -> bool:
    """``y = y(x)``, ``C = Σ_x C_x``, ``u_k = u_k + …``: the defined quantity on its own right side.
    ``y_k = Σ_j w_{jk} y_j`` is not (another index letter is another layer)."""
    if isinstance(a, sp.Indexed):
        bound = bound_symbols(b)
        return any(key(x) == key(a) and letters_of(x) == letters_of(a) and not (set(x.indices) & bound)
                   for x in b.atoms(sp.Indexed)) or key(a) in {s.name for s in plain_symbols(b)}
    return key(a) in keys(b) if not isinstance(a, sp.Function) or isinstance(a, AppliedUndef) \
        else a.func.__name__ in keys(b)


def letter(i: sp.Basic) -> Optional[str]:
    """The index letter of a subscript: ``k`` for k, k′, k″ (and a renamed dummy k); None for 2, k+1."""
    return i.name.rstrip("'") if isinstance(i, sp.Symbol) else None


def letters_of(e: sp.Indexed) -> tuple:
    return tuple(letter(i) for i in e.indices)
