"""Sums as textbooks read them.

SymPy follows Karr's convention: Σ_{k=a}^{b} f with b < a − 1 is −Σ_{k=b+1}^{a−1} f, so
``Σ_{k=1}^{n−2} 1 = n − 2`` holds for every n and ``Σ_{k=3}^{1} a_k = −a_2``.  A textbook
reads a sum whose upper bound is below its lower bound as empty, 0.  The two agree exactly
when the range's length b − a + 1 is ≥ 0, so:

* a sum with several limits (SymPy flattens nested sums into one, innermost limit first)
  keeps its order: the bounds of an inner limit may name an outer dummy (Σ_j Σ_{k≤j});
* ``write_out``: a sum with numeric bounds is written out term by term (outermost first),
  an empty range giving 0 — the concrete and witness passes evaluate through it;
* ``may_run_backwards``: a sum whose length may be negative for some sizes and index
  values; the symbolic passes (which use SymPy's convention) do not prove such a claim.
"""

from __future__ import annotations

import re
from itertools import product
from typing import Mapping

import sympy as sp

#: More free variables than this in one sum's length: its sign is not examined (not proved).
MAX_CORNER_VARIABLES = 6


#: The most terms all written-out sums of one expression may have; past it nothing is written out.
MAX_TERMS = 10_000


class _TooMany(Exception):
    """Writing the sums out would take more than :data:`MAX_TERMS` terms."""


def write_out(expr: sp.Basic, budget: int = MAX_TERMS) -> sp.Basic:
    """Sums with numeric bounds written out, the outermost limit first (so the bounds of inner
    sums become numbers too); ``hi < lo`` is the empty sum, 0.  Bounded: when the sums would
    take more than ``budget`` terms in all (Σ_{k=1}^{10^{10}} k), ``expr`` is returned as it is."""
    left = [budget]

    def out(s: sp.Sum) -> sp.Basic:
        body, limits = s.function, list(s.limits)
        d, lo, hi = limits[-1]
        count = max(0, int(hi) - int(lo) + 1)
        if count > left[0]:
            raise _TooMany
        left[0] -= count
        inner = sp.Sum(body, *limits[:-1]) if limits[:-1] else body
        return sp.Add(*(walk(inner.xreplace({d: sp.Integer(v)})) for v in range(int(lo), int(hi) + 1)))

    def walk(e: sp.Basic) -> sp.Basic:
        return e.replace(lambda x: isinstance(x, sp.Sum) and x.limits[-1][1].is_Integer
                         and x.limits[-1][2].is_Integer, out)

    try:
        return walk(expr)
    except _TooMany:
        return expr


def _positive_sizes(expr: sp.Expr, indices: set) -> sp.Expr:
    """Every symbol that is not an index taken as a size: a positive integer."""
    return expr.xreplace({s: sp.Symbol(s.name, integer=True, positive=True)
                          for s in expr.free_symbols if s not in indices and isinstance(s, sp.Symbol)})


def _nonnegative_everywhere(length: sp.Expr, env: Mapping) -> bool:
    """length ≥ 0 for every value of its indices in their ranges (exact for a length linear in
    them: its minimum over the box of ranges is at a corner) and every positive size."""
    todo = [length]
    for _round in range(4):  # a range's bound may name another index: substitute again
        nxt = []
        for e in todo:
            vs = sorted((v for v in e.free_symbols if v in env), key=sp.default_sort_key)
            if not vs:
                nxt.append(e)
                continue
            if len(vs) > MAX_CORNER_VARIABLES or not sp.Poly(e, *vs).is_linear:
                return False
            for corner in product(*(env[v] for v in vs)):
                nxt.append(e.xreplace(dict(zip(vs, corner))))
        todo = nxt
    if any(v in env for e in todo for v in e.free_symbols):
        return False
    return all(_positive_sizes(e, set(env)).is_nonnegative is True for e in todo)


def may_run_backwards(expr: sp.Basic, ranges: Mapping) -> bool:
    """Does some sum of ``expr`` have a range that may be reversed (upper bound below the lower
    bound minus one) for some sizes or index values?  ``ranges``: the free indices' ranges."""
    def walk(e: sp.Basic, env: dict) -> bool:
        if isinstance(e, sp.Sum):
            inner = dict(env)
            for d, lo, hi in reversed(e.limits):  # outermost first: inner bounds may name it
                try:
                    if not _nonnegative_everywhere(sp.expand(sp.sympify(hi - lo + 1)), inner):
                        return True
                except (sp.PolynomialError, sp.GeneratorsNeeded, TypeError):
                    return True
                inner[d] = (lo, hi)
            return walk(e.function, inner)
        return any(walk(a, env) for a in e.args)
    return walk(expr, {sp.sympify(k): tuple(sp.sympify(x) for x in v) for k, v in ranges.items()})


#: The reader's name for the length of a sum written without bounds (``\sum_k`` → n_{k}).
_INVENTED = re.compile(r"^n_\{.+\}$")


def lengths_from_vectors(exprs: list) -> list:
    """A sum the document wrote without bounds (Σ_{k'} e^{u_{k'}}, read with an invented length
    n_{k'}) runs over the vector it sums: where the claim sums the same vector with a stated
    upper bound (Σ_{l=1}^{n} e^{u_l}), the invented length is that bound."""
    stated: dict = {}
    invented: dict = {}
    for e in exprs:
        for s in (e.atoms(sp.Sum) if isinstance(e, sp.Basic) else ()):
            for d, lo, hi in s.limits:
                bases = {a.base for a in s.function.atoms(sp.Indexed) if d in a.indices}
                if isinstance(hi, sp.Symbol) and _INVENTED.match(hi.name):
                    invented.setdefault(hi, set()).update((b, lo) for b in bases)
                else:
                    for b in bases:
                        stated.setdefault((b, lo), set()).add(hi)
    mapping = {}
    for size, uses in invented.items():
        bounds = set().union(*(stated.get(u, set()) for u in uses)) if uses else set()
        if len(bounds) == 1:
            mapping[size] = next(iter(bounds))
    return [e.xreplace(mapping) if mapping and isinstance(e, sp.Basic) else e for e in exprs]
