"""Symbolic passes: exact proofs that hold for every value and every size.

``canonical``   cheap: linearity of Σ, α-renamed dummies, expand, cancel, and the
                constraints (Σ_k t_k = 1) as rewrites.
``index_aware`` our passes from :mod:`symbackprop.simplify` (linearity, Kronecker
                collapse Σ_{k'} a_{k'} δ_{k'k} = a_k, stated equalities) to a fixed point,
                then algebra with every remaining sum treated as an unknown.

Both return a ``proved`` verdict when lhs − rhs reduces to exactly 0, else None.
"""

from __future__ import annotations

from typing import Optional

import sympy as sp

from ..simplify import apply_equalities, collapse_kronecker, sum_linearity
from ..verdict import Verdict, inconclusive, proved
from .claim import Claim, substitute_free
from .prepare import Prepared
from .sums import may_run_backwards, write_out


def canonical_dummies(expr: sp.Basic, depth: int = 0) -> sp.Basic:
    """Σ_{k'} a_{k'} = Σ_{κ} a_{κ}: rename each sum's dummy by its nesting depth (α-conversion)."""
    if isinstance(expr, sp.Sum):
        # every dummy renamed at once, in the body and in the bounds of the other limits
        # (Σ_{j} Σ_{k=1}^{j}: the inner bound names the outer dummy)
        names = {d: sp.Symbol(f"_s{depth}_{n}", integer=True) for n, (d, _lo, _hi) in enumerate(expr.limits)}
        limits = [(names[d], canonical_dummies(lo.xreplace(names), depth), canonical_dummies(hi.xreplace(names), depth))
                  for d, lo, hi in expr.limits]
        return sp.Sum(canonical_dummies(expr.function.xreplace(names), depth + 1), *limits)
    if not expr.args or isinstance(expr, (sp.IndexedBase, sp.MatrixSymbol)):
        return expr
    args = tuple(canonical_dummies(a, depth) for a in expr.args)
    return expr.func(*args) if args != expr.args else expr


def finite_sums(expr: sp.Expr) -> sp.Expr:
    """Σ_{k=1}^{3} a_k = a_1 + a_2 + a_3: sums with numeric bounds written out."""
    return write_out(expr)  # an empty range (3..1) is 0, as textbooks read it


def normal_form(expr: sp.Expr) -> sp.Expr:
    """Sums of monomials with constants outside (linearity), canonical dummies, expanded."""
    return sp.expand(canonical_dummies(sum_linearity(sp.expand(finite_sums(expr)))))


def sums_as_unknowns(expr: sp.Expr) -> sp.Expr:
    """Replace each (canonical) sum by a fresh symbol: a rational identity in them is exact."""
    sums = sorted(expr.atoms(sp.Sum), key=sp.default_sort_key)
    return expr.xreplace({s: sp.Dummy(f"S{n}") for n, s in enumerate(sums)})


def scalar_constraints(claim: Claim) -> dict:
    """Constraints without sums (a + b = 1), each solved for one unknown it is linear in."""
    out: dict = {}
    for a, b in claim.constraint_pairs():
        eq = sp.sympify(a - b).xreplace(out)
        if eq.has(sp.Sum):
            continue
        sol = solve_linear_for_one(eq)
        if sol is not None:
            out[sol[0]] = sol[1]
    return out


def solve_linear_for_one(eq: sp.Expr, prefer_last: bool = True):
    """(x, value) with eq = 0 ⇔ x = value, for an unknown x in which eq is linear; else None."""
    atoms = sorted(value_atoms(eq), key=sp.default_sort_key, reverse=prefer_last)
    for x in atoms:
        c = sp.expand(sp.diff(eq, x))
        if c.is_zero is False and x not in c.free_symbols and not c.has(x):
            return x, sp.expand(x - eq / c)
    return None


def value_atoms(expr: sp.Expr) -> set:
    """The quantities a value can be assigned to: symbols, indexed symbols, matrix entries."""
    from sympy.matrices.expressions.matexpr import MatrixElement

    atoms = set(expr.atoms(sp.Indexed))
    labels = {a.base.label for a in atoms}
    atoms |= {e for e in expr.atoms(MatrixElement) if isinstance(e.parent, sp.MatrixSymbol)}
    atoms |= {s for s in expr.free_symbols if isinstance(s, sp.Symbol) and s not in labels}
    return atoms


def sum_constraints(claim: Claim) -> tuple:
    """Constraints with sums, as rewrites lhs → rhs (Σ_k t_k → 1)."""
    return tuple((a, b) for a, b in claim.constraint_pairs() if sp.sympify(a).has(sp.Sum))


def with_constraints(claim: Claim, expr: sp.Expr) -> sp.Expr:
    """Apply the stated constraints: sum rewrites, then the solved scalar ones."""
    expr = apply_equalities(expr, sum_constraints(claim))
    return substitute_free(expr, scalar_constraints(claim))


def _kronecker_in_sums(expr: sp.Expr) -> bool:
    """True when a sum still holds a Kronecker delta (a job for the index-aware pass, not algebra)."""
    return any(s.function.has(sp.KroneckerDelta) for s in expr.atoms(sp.Sum))


def is_zero(expr: sp.Expr, heavy: bool = False) -> bool:
    """Exact zero test: normal form, then cancel (and simplify if ``heavy``) with sums as unknowns."""
    nf = normal_form(expr)
    if nf == 0:
        return True
    if not heavy and _kronecker_in_sums(nf):
        return False
    flat = sums_as_unknowns(nf)
    if sp.cancel(flat) == 0:
        return True
    if not heavy:
        return False
    if flat.has(*_CASES):
        return sp.simplify(sp.piecewise_fold(flat.rewrite(sp.Piecewise))) == 0
    return sp.simplify(flat) == 0


#: Functions defined by cases: compared after rewriting as one piecewise expression.
_CASES = (sp.Max, sp.Min, sp.Abs, sp.Heaviside, sp.sign)


def _method(claim: Claim, prepared: Prepared, how: str) -> str:
    sizes = ", ".join(str(s) for s in claim.sizes)
    head = f"exact symbolic proof for all {sizes}" if claim.sizes else "exact symbolic proof"
    cond = f", for {', '.join(prepared.conditions)}" if prepared.conditions else ""
    return f"{head} ({how}){cond}"


def canonical_pass(claim: Claim, prepared: Prepared, seconds: float = 0) -> Optional[Verdict]:
    """Cheap exact canonicalisation of lhs − rhs."""
    if may_run_backwards(finite_sums(prepared.diff), claim.ranges):  # numeric ranges are written out
        return inconclusive("a sum's upper bound may fall below its lower bound for some sizes (read as an "
                            "empty sum, 0): no symbolic proof, only the concrete sizes are checked")
    diff = with_constraints(claim, normal_form(prepared.diff))
    if is_zero(diff):
        return proved(_method(claim, prepared, "canonical form"))
    return None


def index_rounds(expr: sp.Expr, claim: Claim, rounds: int = 8) -> tuple[sp.Expr, list[str]]:
    """Linearity, Kronecker collapse and the stated equalities, to a fixed point."""
    used: list[str] = []
    eqs = sum_constraints(claim)
    passes = (("linearity", sum_linearity),
              ("kronecker", lambda e: collapse_kronecker(e, claim.ranges)),
              ("assumption", lambda e: apply_equalities(e, eqs)))
    for _ in range(rounds):
        start = expr
        for name, step in passes:
            new = step(expr)
            if new != expr and name not in used:
                used.append(name)
            expr = new
        if expr == start:
            break
    return expr, used


def simplify_summands(expr: sp.Expr) -> sp.Expr:
    """Σ_d f(d) = Σ_d g(d) when f = g: simplify inside every sum."""
    return expr.replace(lambda e: isinstance(e, sp.Sum),
                        lambda s: sp.Sum(sp.simplify(s.function), *s.limits))


def index_aware_pass(claim: Claim, prepared: Prepared, seconds: float = 0) -> Optional[Verdict]:
    """Our index-aware simplifier, then exact algebra."""
    start = finite_sums(prepared.diff)  # numeric ranges written out: Σ_{k=3}^{1} 1 is 0, not −1
    if may_run_backwards(start, claim.ranges):
        return None  # (the canonical pass says why)
    diff, used = index_rounds(start, claim)
    diff = substitute_free(diff, scalar_constraints(claim))
    if is_zero(diff, heavy=True):
        return proved(_method(claim, prepared, ", ".join(used + ["algebra"]) + " passes"))
    inner, more = index_rounds(simplify_summands(diff), claim)
    if is_zero(inner, heavy=True):
        return proved(_method(claim, prepared, ", ".join(used + more + ["summands", "algebra"]) + " passes"))
    return None
