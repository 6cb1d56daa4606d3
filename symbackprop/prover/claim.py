"""A claim lhs = rhs: its assumptions sorted by kind, and the index structure read off it.

Assumptions come in three kinds:

* definition  ``y_k := f(k)`` — an equality whose left side is a symbol, or an indexed
  symbol with distinct symbol indices, not used on its right side.  It holds for every
  index value and is applied by substitution (never inside ∂/∂y for the defined y).
* constraint  ``Σ_k t_k = 1`` — any other equality.  Applied as a rewrite in symbolic
  proofs, solved for one unknown at concrete sizes.
* exclusion   ``u ≠ 0`` — an inequation.  Points where it fails are never used, and a
  non-differentiable point it excludes is not a counterexample.

Index structure: a *free index* is a symbol used as an index (of an Indexed, a matrix
entry or a Kronecker delta) and not bound by a sum; a *size* is a free symbol of a sum
bound, an index range or a matrix shape.  Ranges of free indices are given, or inferred
from the slot they fill: k in u_k ranges like k' in Σ_{k'=1}^{n} u_{k'}.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Optional

import sympy as sp

from .sums import lengths_from_vectors
from sympy.matrices.expressions.matexpr import MatrixElement

from ..errors import SymbackpropError

Pair = tuple[sp.Expr, sp.Expr]
Range = tuple[sp.Expr, sp.Expr]


class UnsupportedClaim(SymbackpropError):
    """The claim or an assumption has a form the prover does not handle; restate it."""


@dataclass(frozen=True)
class Assumptions:
    """The assumptions of a claim, by kind (see the module docstring)."""

    definitions: tuple[Pair, ...] = ()
    constraints: tuple[Pair, ...] = ()
    exclusions: tuple[Pair, ...] = ()


def _is_definition(lhs: sp.Expr, rhs: sp.Expr) -> bool:
    """True for ``y := …`` or ``y_{k…} := …`` with y not occurring on the right."""
    if isinstance(lhs, sp.Symbol):
        return lhs not in rhs.free_symbols
    if isinstance(lhs, sp.Indexed):
        idx = lhs.indices
        if not all(isinstance(i, sp.Symbol) for i in idx) or len(set(idx)) != len(idx):
            return False
        return not any(e.base == lhs.base for e in rhs.atoms(sp.Indexed))
    return False


def _pair(a: Any) -> Optional[Pair]:
    if isinstance(a, tuple) and len(a) == 2:
        return sp.sympify(a[0]), sp.sympify(a[1])
    if isinstance(a, sp.Eq) or (hasattr(a, "lhs") and hasattr(a, "rhs") and not isinstance(a, sp.Rel)):
        return sp.sympify(a.lhs), sp.sympify(a.rhs)
    return None


def sort_assumptions(items: Iterable[Any]) -> Assumptions:
    """Sort ``Eq``/``(lhs, rhs)``/``Ne`` assumptions into definitions, constraints, exclusions."""
    defs, cons, excl = [], [], []
    for a in items:
        if a is True or a is sp.true:
            continue
        if isinstance(a, sp.Ne):
            excl.append((a.lhs, a.rhs))
            continue
        pair = _pair(a)
        if pair is None:
            raise UnsupportedClaim(f"unsupported assumption {a!r}: use Eq(lhs, rhs), (lhs, rhs) or Ne(a, b)")
        (defs if _is_definition(*pair) else cons).append(pair)
    return Assumptions(tuple(defs), tuple(cons), tuple(excl))


# ── α-conversion and substitution that respect bound indices ──────────────
def rename_bound(expr: sp.Expr, avoid: set) -> sp.Expr:
    """Rename the dummies of sums that are in ``avoid`` (Σ_k a_k = Σ_κ a_κ)."""
    if not avoid:
        return expr

    def rule(s: sp.Sum) -> sp.Expr:
        mapping = {d: sp.Dummy(d.name, **d.assumptions0) for d in s.variables if d in avoid}
        return s.xreplace(mapping) if mapping else s

    return expr.replace(lambda e: isinstance(e, sp.Sum), rule)


def unshadowed(exprs: list) -> list:
    """α-conversion: a sum whose dummy is also a free index of the claim (``Σ_j … δ_{jk}`` beside
    a free ``j``, left by a definition put in), or the dummy of sums over different ranges
    (``Σ_{k=1}^{n^{(2)}} w_{kj} Σ_{k=1}^{n^{(1)}} …``), gets a fresh dummy per sum, so the ranges
    read off the claim by letter (:func:`index_structure`) never mix two of them (a free j of
    layer 1 tried at j ≤ n^{(2)}).  Read off the claim's two sides only: a stated constraint with
    a free index named like a dummy of the claim (``Σ_k t_{bk} = 1`` beside ``Σ_b Σ_k t_{bk}``)
    holds for every value of that dummy, and keeps it."""
    sides = exprs[:2]  # a constraint's free index (Σ_k t_{bk} = 1) speaks of the claim's dummy b: for every b
    free = set().union(*(e.free_symbols for e in sides))
    ranges: dict = {}
    for e in sides:
        for s in e.atoms(sp.Sum):
            for d, lo, hi in s.limits:
                ranges.setdefault(d, set()).add((lo, hi))
    clash = (free & set(ranges)) | {d for d, rs in ranges.items() if len(rs) > 1}
    return [rename_bound(e, clash) for e in exprs] if clash else list(exprs)


def bound_symbols(expr: sp.Expr) -> set:
    """Every symbol bound by a sum somewhere in ``expr``."""
    return {d for s in expr.atoms(sp.Sum) for d in s.variables}


def substitute_free(expr: sp.Expr, mapping: Mapping) -> sp.Expr:
    """``expr`` with the free occurrences of mapping's keys replaced (bound ones untouched)."""
    expr = rename_bound(expr, bound_symbols(expr) & set(mapping))
    return expr.xreplace(dict(mapping))


def _definition_rule(lhs: sp.Expr, rhs: sp.Expr):
    """y_{i…} ↦ f(i…): the right side with the pattern indices replaced (capture-free)."""
    if isinstance(lhs, sp.Symbol):
        return (lambda e: e == lhs), (lambda e: rhs)
    pattern = lhs.indices

    def match(e) -> bool:
        return isinstance(e, sp.Indexed) and e.base == lhs.base and len(e.indices) == len(pattern)

    def build(e):
        used = set().union(*(sp.sympify(i).free_symbols for i in e.indices))
        body = rename_bound(rhs, bound_symbols(rhs) & used)
        return body.xreplace(dict(zip(pattern, e.indices)))

    return match, build


def _defined_name(lhs: sp.Expr):
    return lhs if isinstance(lhs, sp.Symbol) else lhs.base


def _var_names(d: sp.Derivative) -> set:
    out = set()
    for v in d.variables:
        out.add(v.base if isinstance(v, sp.Indexed) else v)
    return out


def apply_definitions(expr: sp.Expr, definitions: tuple[Pair, ...], rounds: int = 10) -> sp.Expr:
    """Substitute every definition y_k := f(k), except inside ∂/∂y of the defined y itself."""
    if not definitions:
        return expr
    for _ in range(rounds):
        new = _apply_once(expr, definitions)
        if new == expr:
            return new
        expr = new
    raise UnsupportedClaim("the definitions are circular (still changing after 10 rounds)")


def _apply_once(expr: sp.Expr, definitions: tuple[Pair, ...]) -> sp.Expr:
    if isinstance(expr, sp.Derivative):
        names = _var_names(expr)
        defs = tuple(d for d in definitions if _defined_name(d[0]) not in names)
        inner = _apply_once(expr.expr, defs) if defs else expr.expr
        return sp.Derivative(inner, *expr.variable_count)
    for lhs, rhs in definitions:
        match, build = _definition_rule(lhs, rhs)
        if match(expr):
            return build(expr)
    if not expr.args or isinstance(expr, (sp.IndexedBase, sp.MatrixSymbol)):
        return expr
    args = tuple(_apply_once(a, definitions) for a in expr.args)
    return expr.func(*args) if args != expr.args else expr


# ── index structure ────────────────────────────────────────────────────────
def _slots(e: sp.Basic):
    """(container, position, index) of an Indexed or a matrix entry."""
    if isinstance(e, sp.Indexed):
        return [(e.base, p, i) for p, i in enumerate(e.indices)]
    if isinstance(e, MatrixElement):
        return [(e.parent, 0, e.i), (e.parent, 1, e.j)]
    return []


def _walk(e: sp.Basic, bound: frozenset, sink: list) -> None:
    """Collect (node, symbols bound around it) for every node."""
    sink.append((e, bound))
    if isinstance(e, sp.Sum):
        inner = bound | frozenset(e.variables)
        _walk(e.function, inner, sink)
        for _d, lo, hi in e.limits:
            _walk(lo, bound, sink)
            _walk(hi, bound, sink)
        return
    for a in e.args:
        _walk(a, bound, sink)


def index_structure(exprs: Iterable[sp.Expr]) -> tuple[dict, set, set]:
    """(candidate ranges per index symbol, free index symbols, size symbols)."""
    nodes: list = []
    for e in exprs:
        _walk(sp.sympify(e), frozenset(), nodes)
    slot_range: dict[tuple, set] = {}
    dummy_range: dict = {}
    sizes: set = set()
    for e, _b in nodes:
        if isinstance(e, sp.Sum):
            for d, lo, hi in e.limits:
                dummy_range.setdefault(d, set()).add((lo, hi))
                sizes |= (lo.free_symbols | hi.free_symbols)
        if isinstance(e, sp.MatrixSymbol) or (isinstance(e, sp.MatrixExpr) and e.shape):
            rows, cols = e.shape
            slot_range.setdefault((e, 0), set()).add((sp.Integer(0), rows - 1))
            slot_range.setdefault((e, 1), set()).add((sp.Integer(0), cols - 1))
            if isinstance(e, sp.MatrixSymbol):
                sizes |= (sp.sympify(rows).free_symbols | sp.sympify(cols).free_symbols)
    for e, _b in nodes:
        for base, p, i in _slots(e):
            if i in dummy_range:
                slot_range.setdefault((base, p), set()).update(dummy_range[i])
    candidates: dict = {}
    free_idx: set = set()
    for e, bound in nodes:
        used = [(base, p, i) for base, p, i in _slots(e)]
        for base, p, i in used:
            if isinstance(i, sp.Symbol) and i not in bound:
                free_idx.add(i)
                candidates.setdefault(i, set()).update(slot_range.get((base, p), ()))
        if isinstance(e, sp.KroneckerDelta):
            a, c = e.args
            for x, y in ((a, c), (c, a)):
                if isinstance(x, sp.Symbol) and x not in bound:
                    free_idx.add(x)
                    if y in dummy_range:
                        candidates.setdefault(x, set()).update(dummy_range[y])
    for d, rs in dummy_range.items():
        candidates.setdefault(d, set()).update(rs)
    return candidates, free_idx, sizes - free_idx


@dataclass(frozen=True)
class Claim:
    """lhs = rhs under assumptions, with definitions applied and the index structure known."""

    lhs: sp.Expr
    rhs: sp.Expr
    assumptions: Assumptions
    lhs0: sp.Expr  # definitions applied
    rhs0: sp.Expr
    ranges: dict = field(default_factory=dict)          # symbolic passes: one agreed range each
    candidates: dict = field(default_factory=dict)      # every range an index could have
    free_indices: tuple = ()
    sizes: tuple = ()
    trial_sizes: tuple = (1, 2, 3)
    seed: int = 0

    @property
    def symbolic_sizes(self) -> bool:
        """True when the statement is about every size, not about fixed ones."""
        return bool(self.sizes) or any(not self.candidates.get(i) for i in self.free_indices)

    def constraint_pairs(self) -> tuple[Pair, ...]:
        """Constraints with definitions applied."""
        d = self.assumptions.definitions
        return tuple((apply_definitions(a, d), apply_definitions(b, d))
                     for a, b in self.assumptions.constraints)

    def exclusion_pairs(self) -> tuple[Pair, ...]:
        """Exclusions with definitions applied."""
        d = self.assumptions.definitions
        return tuple((apply_definitions(a, d), apply_definitions(b, d))
                     for a, b in self.assumptions.exclusions)


def one_symbol_per_name(exprs: list) -> list:
    r"""A letter is one quantity: the ``n`` of ``\sum_{k=1}^{n}`` and the ``n`` of ``a_n`` reach
    SymPy as two symbols (one with ``integer=True``), which a witness would give two values.
    Symbols sharing a name become one, with the assumptions of all of them (integer, positive)."""
    def parts(e):
        return e if isinstance(e, (tuple, list)) else (e,)

    by_name: dict = {}
    for e in (p for item in exprs for p in parts(item)):
        for x in sp.sympify(e).free_symbols:
            if isinstance(x, sp.Symbol) and not isinstance(x, sp.Dummy):
                by_name.setdefault(x.name, set()).add(x)
    mapping = {}
    for name, group in by_name.items():
        if len(group) < 2:
            continue
        merged = {}
        for flag in ("integer", "positive", "nonnegative", "real"):
            if any(x.assumptions0.get(flag) for x in group):
                merged[flag] = True
        if any(x.assumptions0.get(f) is False for x in group for f in merged):
            continue  # contradictory readings: leave them apart
        one = sp.Symbol(name, **merged)
        mapping.update({x: one for x in group if x != one})
    if not mapping:
        return list(exprs)

    def one(e):
        return type(e)(sp.sympify(p).xreplace(mapping) for p in e) if isinstance(e, (tuple, list)) \
            else sp.sympify(e).xreplace(mapping)
    return [one(e) for e in exprs]


def _ordered(symbols: Iterable) -> tuple:
    return tuple(sorted(symbols, key=sp.default_sort_key))


def make_claim(lhs: Any, rhs: Any, assumptions: Iterable[Any] = (), ranges: Optional[Mapping] = None,
               sizes: tuple[int, ...] = (1, 2, 3)) -> Claim:
    """Build a :class:`Claim` (structural work only: nothing here can blow up)."""
    lhs, rhs = sp.sympify(lhs, strict=True), sp.sympify(rhs, strict=True)
    assumptions = list(assumptions)
    if not any(isinstance(x, (sp.MatrixBase,)) or getattr(x, "is_Matrix", False) for x in (lhs, rhs)):
        lhs, rhs, *assumptions = one_symbol_per_name([lhs, rhs, *assumptions])
        lhs, rhs = lengths_from_vectors([lhs, rhs])
    for side in (lhs, rhs):
        if isinstance(side, sp.MatrixBase) or getattr(side, "is_Matrix", False):
            raise UnsupportedClaim("matrix-valued sides: state the claim for an entry (A)_{ij}")
        if isinstance(side, sp.Rel) or side.is_Boolean:
            raise UnsupportedClaim("the sides of a claim must be expressions, not relations")
    sorted_ = sort_assumptions(assumptions)
    lhs0 = apply_definitions(lhs, sorted_.definitions)
    rhs0 = apply_definitions(rhs, sorted_.definitions)
    cons = [apply_definitions(a - b, sorted_.definitions) for a, b in sorted_.constraints]
    lhs0, rhs0, *cons = unshadowed([lhs0, rhs0, *cons])
    cand, free_idx, size_syms = index_structure([lhs0, rhs0, *cons])
    for i in free_idx:  # an inferred range starts at 1: Σ_{k=2}^{n} δ_{jk} a_k = a_j is not about j ≥ 2 only
        if i in cand:
            cand[i] = {(sp.Integer(1) if lo.is_Integer and lo > 1 else lo, hi) for lo, hi in cand[i]}
    given = {sp.sympify(k): (sp.sympify(v[0]), sp.sympify(v[1])) for k, v in (ranges or {}).items()}
    for k, (lo, hi) in given.items():
        cand[k] = {(lo, hi)}
        size_syms |= (lo.free_symbols | hi.free_symbols)
    free_idx |= {k for k in given if k in (lhs0.free_symbols | rhs0.free_symbols)}
    agreed = {k: next(iter(v)) for k, v in cand.items() if len(v) == 1}
    size_syms -= free_idx
    size_syms -= set(agreed)
    seed = zlib.crc32(sp.srepr((lhs, rhs)).encode())
    return Claim(lhs, rhs, sorted_, lhs0, rhs0, agreed, {k: tuple(v) for k, v in cand.items()},
                 _ordered(free_idx), _ordered(size_syms), tuple(sizes), seed)
