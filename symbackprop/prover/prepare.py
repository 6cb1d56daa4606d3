"""Preparation: put both sides into elementary form and carry out the derivatives.

The order matters for honesty: σ, ReLU, softplus and tanh are rewritten into their
elementary definitions *before* differentiating, so a proof of σ′ = σ(1 − σ) comes
from d/du (1 + e^{−u})^{−1}, not from the rule stored in ``sigmoid.fdiff``.

Non-smooth functions (max, |·|, H, sign, piecewise) are differentiable only off their
kinks; SymPy's derivative (e.g. d/du max(0, u) = H(u), with H(0) = 1/2) is trusted
only where the kink is excluded by an assumption (u ≠ 0) or shown differentiable.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement

from ..rules.notation_table import explicit
from .claim import Claim

_NONSMOOTH = (sp.Max, sp.Min, sp.Abs, sp.Heaviside, sp.sign, sp.Piecewise)


def elementary(expr: sp.Expr) -> sp.Expr:
    """σ(u) = 1/(1 + e^{−u}), ReLU(u) = max(0, u), softplus(u) = log(1 + e^{u}), tanh = (e^u − e^{−u})/(e^u + e^{−u})."""
    expr = explicit(expr)
    return expr.replace(lambda e: isinstance(e, (sp.tanh, sp.sinh, sp.cosh)),
                        lambda e: e.rewrite(sp.exp))


def matrix_entries(expr: sp.Expr) -> sp.Expr:
    """(A B)_{ij} = Σ_c A_{ic} B_{cj},  (Aᵀ)_{ij} = A_{ji}: entries of compound matrices written out."""
    return expr.replace(lambda e: isinstance(e, MatrixElement) and not isinstance(e.parent, sp.MatrixSymbol),
                        lambda e: e.doit())


def evaluate_derivatives(expr: sp.Expr) -> sp.Expr:
    """Carry out every ∂ (∂u_{k'}/∂u_k = δ_{k'k}), then every substitution f′(x)|_{x=a}."""
    expr = expr.replace(lambda e: isinstance(e, sp.Derivative), _carry_out)
    return expr.replace(lambda e: isinstance(e, sp.Subs), lambda e: e.doit(deep=False))


def _carry_out(d: sp.Derivative) -> sp.Expr:
    """∂f/∂x; where f has kinks (|x|, max) SymPy keeps it for a complex x, so it is taken
    for a real x: d|x|/dx = sign(x), d max(0, x)/dx = H(x) — the derivative off the kinks,
    which :func:`find_kinks` records (an open kink blocks a proof)."""
    out = sp.Derivative(d.expr, *d.variable_count, evaluate=True)
    if not out.has(sp.Derivative) or not d.expr.atoms(*_NONSMOOTH):
        return out  # (for a complex x SymPy writes d|x|/dx with re(x), im(x) and their derivatives)
    real = {x: sp.Dummy("x", real=True) for x in d.variables}
    try:
        taken = sp.diff(d.expr.xreplace(real), *[(real[x], n) for x, n in d.variable_count])
    except (TypeError, ValueError):
        return out
    return out if taken.has(sp.Derivative) else taken.xreplace({v: x for x, v in real.items()})


def evaluated(expr: sp.Basic) -> sp.Basic:
    """Rebuild unevaluated products and sums (written in textbook order) canonically."""
    if not expr.args or isinstance(expr, (sp.IndexedBase, sp.MatrixSymbol, sp.Derivative)):
        if isinstance(expr, sp.Derivative):
            return sp.Derivative(evaluated(expr.expr), *expr.variable_count)
        return expr
    return expr.func(*(evaluated(a) for a in expr.args))


@dataclass(frozen=True)
class Kink:
    """A point x = x0 where a differentiated function may have no derivative."""

    function: sp.Expr
    variable: sp.Expr
    point: Optional[sp.Expr]  # None: the kinks could not be located
    side: str
    excluded: bool

    def describe(self) -> str:
        return f"{self.variable} ≠ {self.point}"


@dataclass(frozen=True)
class Prepared:
    """Both sides in elementary form with derivatives carried out, and the kinks met."""

    lhs: sp.Expr
    rhs: sp.Expr
    kinks: tuple[Kink, ...] = ()

    @property
    def diff(self) -> sp.Expr:
        return self.lhs - self.rhs

    @property
    def open_kinks(self) -> tuple[Kink, ...]:
        return tuple(k for k in self.kinks if not k.excluded)

    @property
    def conditions(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(k.describe() for k in self.kinks if k.excluded))


def _kink_expressions(f: sp.Expr, x: sp.Expr) -> list[sp.Expr]:
    """g with g(x) = 0 at the kinks of the non-smooth parts of f that depend on x."""
    out = []
    for a in f.atoms(*_NONSMOOTH):
        if not a.has(x):
            continue
        if isinstance(a, (sp.Max, sp.Min)):
            args = a.args
            out += [args[i] - args[j] for i in range(len(args)) for j in range(i + 1, len(args))]
        elif isinstance(a, sp.Piecewise):
            for _e, cond in a.args:
                out += [r.lhs - r.rhs for r in getattr(cond, "atoms", lambda *_: ())(sp.Rel)]
        else:
            out.append(a.args[0])
    return out


def _excluded(x: sp.Expr, x0: sp.Expr, exclusions) -> bool:
    for a, b in exclusions:
        if sp.expand((a - b) - (x - x0)) == 0 or sp.expand((a - b) + (x - x0)) == 0:
            return True
    return False


def find_kinks(expr: sp.Expr, side: str, exclusions) -> list[Kink]:
    """Kinks x0 of every ∂f/∂x in ``expr`` (solved for x), marked excluded when assumed x ≠ x0."""
    out = []
    for d in expr.atoms(sp.Derivative):
        for x in d.variables:
            X = sp.Dummy("x", real=True)
            for g in _kink_expressions(d.expr, x):
                try:
                    points = sp.solve(g.xreplace({x: X}), X)
                except (NotImplementedError, ValueError, TypeError):
                    points = [None]  # kinks not found: undecided
                for x0 in points:  # numeric (x = 0) or symbolic (x = a) alike
                    excluded = x0 is not None and _excluded(x, x0, exclusions)
                    out.append(Kink(d.expr, x, x0, side, excluded))
    return out


def prepare(claim: Claim) -> Prepared:
    """Definitions (already in the claim) → matrix entries → elementary form → kinks → derivatives."""
    sides = {}
    kinks: list[Kink] = []
    excl = claim.exclusion_pairs()
    for name, expr in (("lhs", claim.lhs0), ("rhs", claim.rhs0)):
        e = elementary(matrix_entries(evaluated(expr)))
        kinks += find_kinks(e, name, excl)
        sides[name] = evaluate_derivatives(e)
    return Prepared(sides["lhs"], sides["rhs"], tuple(kinks))
