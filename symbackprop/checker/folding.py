r"""The value a refuted step should have, written in the document's own notation.

The checker decides a step with every definition put in, so the value it computes for the
left side is in the network's leaves: ``e^{u_k} / Σ_{k'} e^{u_{k'}} − t_k`` where the document
writes ``y_k − t_k``.  Here that value is written back:

* the layer tags of letter-layered documents go (``u⟨k⟩`` is the document's ``u``);
* a subexpression that is the right side of one of the document's indexed definitions, at
  some index, becomes its left side (``e^{u_k}/Σ_{k'} e^{u_{k'}}`` → ``y_k``), innermost first,
  bound sum letters compared up to renaming;
* the gradient of a cost the document leaves generic prints as the derivative it is
  (``\partial E/\partial a^{l}_k`` → ``\frac{\partial E}{\partial a^{l}_{k}}``).

Folding only renames equal things: the value shown is the value computed.
"""

from __future__ import annotations

import re
from typing import Iterable

import sympy as sp
from sympy.core.function import AppliedUndef

from ..prover.symbolic import canonical_dummies
from .names import OPAQUE, tex

_TAG = re.compile(r"⟨[^⟩]*⟩")


def untagged(expr: sp.Basic) -> sp.Basic:
    """``u⟨k⟩[k]`` → ``u[k]``: the layer tags of letter-layered documents removed."""
    mapping = {b: sp.IndexedBase(_TAG.sub("", str(b.label))) for b in expr.atoms(sp.IndexedBase)
               if _TAG.search(str(b.label))}
    return expr.xreplace(mapping) if mapping else expr


def _plain(expr: sp.Basic) -> sp.Basic:
    """Every symbol by its name only: the prover's assumptions (integer, real, positive) and
    the reader's differ, and a name is a name to the reader."""
    return expr.xreplace({s: sp.Symbol(s.name) for s in expr.atoms(sp.Symbol) if s.assumptions0 or isinstance(s, sp.Dummy)})


def _widths(expr: sp.Basic) -> sp.Basic:
    """A sum up to a layer's width as the document names it (``n_{l-1}``, read ``n[l - 1]``) is
    the sum up to ``n^{(l-1)}``, as the walk reads it (``scan._layer_widths``): one width."""
    def named(s: sp.Sum) -> sp.Basic:
        (var, lo, hi), *rest = s.limits
        if rest or not (isinstance(hi, sp.Indexed) and len(hi.indices) == 1 and len(str(hi.base.label)) == 1):
            return s
        return sp.Sum(s.function, (var, lo, sp.Symbol(f"n^{{({hi.indices[0]})}}")))

    return expr.replace(lambda e: isinstance(e, sp.Sum), named)


def _shape(expr: sp.Basic) -> sp.Basic:
    return _plain(_widths(canonical_dummies(expr)))


def _templates(definitions: Iterable) -> list[tuple[sp.Indexed, sp.Basic]]:
    out = []
    for d in definitions:
        lhs, rhs = d.lhs, d.rhs
        if (getattr(d, "shape", "") == "indexed" and isinstance(lhs, sp.Indexed) and len(lhs.indices) == 1
                and not rhs.has(sp.Derivative) and not getattr(d, "loose", ())):
            out.append((untagged(lhs), _shape(untagged(rhs))))
    return out


def in_range(expr: sp.Basic) -> sp.Basic:
    """``{v if 1 ≤ i ≤ n; 0 otherwise}`` shown as ``v``: an index is taken inside its own range,
    as the document takes it (the prover keeps the case; the reader does not need it)."""
    def first(p: sp.Piecewise) -> sp.Basic:
        (v, cond), *rest = p.args
        ranges = all(isinstance(c, (sp.GreaterThan, sp.LessThan, sp.StrictGreaterThan, sp.StrictLessThan))
                     for c in (cond.args if isinstance(cond, sp.And) else (cond,)))
        return v if ranges and len(rest) == 1 and rest[0][0] == 0 else p

    return expr.replace(lambda e: isinstance(e, sp.Piecewise), first)


def folded(expr: sp.Basic, definitions: Iterable) -> sp.Basic:
    """``expr`` with every subexpression equal to a definition's right side (at one of its
    free indices) replaced by the defined quantity, innermost first."""
    expr = in_range(untagged(expr))
    templates = _templates(definitions)
    if not templates:
        return expr

    def fold(e: sp.Basic) -> sp.Basic:
        if e.args and not isinstance(e, (sp.Indexed, sp.IndexedBase)):
            args = tuple(fold(a) for a in e.args)
            e = e.func(*args) if args != e.args else e
        if not e.args or isinstance(e, sp.Indexed):
            return e
        shape = _shape(e)
        free = [s for s in e.free_symbols if isinstance(s, sp.Symbol)]
        for lhs, rhs in templates:
            i = sp.Symbol(str(lhs.indices[0]))
            for m in free:
                if rhs.xreplace({i: sp.Symbol(m.name)}) == shape:
                    return lhs.base[m]
        if isinstance(e, sp.Subs) and len(e.variables) == 1 and isinstance(e.expr, sp.Derivative) \
                and e.expr.expr.args == e.variables and isinstance(e.point[0], (sp.Indexed, sp.Symbol)):
            x = e.point[0]  # φ′(ξ)|ξ=u_j, u_j a quantity again: φ′(u_j)
            return sp.Derivative(e.expr.expr.func(x), x)
        return e

    try:
        return fold(expr)
    except (TypeError, ValueError, RecursionError):
        return expr


def document_tex(expr: sp.Basic) -> str:
    """LaTeX of a value in the document's notation: a generic cost's gradient as ∂E/∂a, the
    derivative of a generic function at its argument as the textbook writes it, ``φ'_{i+1}(z^{i+1}_k)``
    (not ``∂/∂z^{i+1}_k (φ_{i+1}(z^{i+1}_k))``)."""
    primed: dict = {}

    def prime(d: sp.Derivative) -> sp.Basic:
        f = d.expr
        if isinstance(f, AppliedUndef) and len(f.args) == 1 and d.variable_count == ((f.args[0], 1),):
            name = "PRIMED" + "".join(chr(ord("a") + int(c)) for c in str(len(primed)))
            base, rest = re.match(r"([^_^]*)(.*)", f.func.__name__).groups()
            primed[name] = rf"{tex(sp.Symbol(base))}'{rest}\left({tex(f.args[0])}\right)"
            return sp.Symbol(name)
        return d

    out = tex(expr.replace(lambda e: isinstance(e, sp.Derivative), prime))
    for name in sorted(primed, key=len, reverse=True):
        out = out.replace(name, primed[name])
    return re.sub(re.escape(OPAQUE) + r"(?P<f>[^/{}\s]+)/" + re.escape(OPAQUE) + r"(?P<x>[^\s}]*?(?:\{[^{}]*\})*)_\{(?P<i>[^{}]*)\}",
                  lambda m: rf"\frac{{\partial {m['f']}}}{{\partial {m['x']}_{{{m['i']}}}}}", out)
