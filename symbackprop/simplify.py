"""Index-aware simplification: the passes SymPy lacks for sums over layer indices.

Every pass is a named function whose docstring states the identity; each takes
an expression and returns an equal one.  Index ranges come from the network:
``ranges[k] = (1, n)`` says that the free index k runs over 1..n, which is
what licenses  Σ_{k'=1}^{n} a_{k'} δ_{k'k} = a_k  (no ``Piecewise``).
"""

from __future__ import annotations

from typing import Callable, Mapping

import sympy as sp

Ranges = Mapping[sp.Symbol, tuple[sp.Expr, sp.Expr]]


def _split(expr: sp.Expr, d: sp.Symbol) -> tuple[sp.Expr, sp.Expr]:
    """Split a product into (factors free of d, factors with d)."""
    free, bound = [], []
    for f in sp.Mul.make_args(expr):
        (bound if d in f.free_symbols else free).append(f)
    return sp.Mul(*free), sp.Mul(*bound)


def _fresh_dummies(expr: sp.Expr, avoid: set) -> sp.Expr:
    """Sums of ``expr`` whose dummy is in ``avoid`` get a fresh dummy (α-conversion), so that
    substituting an index from ``avoid`` cannot be captured by them."""
    def rule(s: sp.Sum) -> sp.Expr:
        mapping = {d: sp.Dummy(d.name, **d.assumptions0) for d in s.variables if d in avoid}
        return s.xreplace(mapping) if mapping else s
    return expr.replace(lambda e: isinstance(e, sp.Sum), rule) if avoid else expr


def _collapse_term(term: sp.Expr, d: sp.Symbol, lo: sp.Expr, hi: sp.Expr, ranges: Ranges):
    """Σ_{d=lo}^{hi} a_d δ_{d i} = a_i when i runs over lo..hi; None if no δ applies.  A sum
    inside the summand that binds i is renamed first (Σ_k δ_{kj} a_k Σ_j x_{jk} = a_j Σ_{j'} x_{j'j})."""
    for f in sp.Mul.make_args(term):
        if isinstance(f, sp.KroneckerDelta) and d in f.args:
            other = f.args[0] if f.args[1] == d else f.args[1]
            if other == d:
                continue
            licensed = (isinstance(other, sp.Symbol) and ranges.get(other) == (lo, hi)) or (
                other.is_Integer and (sp.Ge(other, lo) == sp.true) and (sp.Le(other, hi) == sp.true))
            if licensed:
                rest = _fresh_dummies(term / f, sp.sympify(other).free_symbols)
                return rest.xreplace({d: other})
    return None


def sum_linearity(expr: sp.Expr) -> sp.Expr:
    """Σ_d (a x_d + b y_d) = a Σ_d x_d + b Σ_d y_d  (a, b free of d)."""

    def rule(s: sp.Sum) -> sp.Expr:
        if len(s.limits) != 1:
            return s
        d, lo, hi = s.limits[0]
        out = sp.Integer(0)
        for term in sp.Add.make_args(sp.expand(s.function)):
            const, rest = _split(term, d)
            out += const * (sp.Sum(rest, (d, lo, hi)) if rest != 1 else (hi - lo + 1))
        return out

    return expr.replace(lambda e: isinstance(e, sp.Sum), rule)


def collapse_kronecker(expr: sp.Expr, ranges: Ranges) -> sp.Expr:
    """Σ_{k'} a_{k'} δ_{k'k} = a_k, for k in the summation range (the sifting property).  An
    index bound by an enclosing sum has that sum's range there, not the free index's."""

    def rule(s: sp.Sum, env: Ranges) -> sp.Expr:
        if len(s.limits) != 1:
            return s
        d, lo, hi = s.limits[0]
        out = sp.Integer(0)
        changed = False
        for term in sp.Add.make_args(sp.expand(s.function)):
            hit = _collapse_term(term, d, lo, hi, env)
            if hit is None:
                out += sp.Sum(term, (d, lo, hi))
            else:
                out += hit
                changed = True
        return out if changed else s

    def walk(e: sp.Expr, env: Ranges) -> sp.Expr:
        if isinstance(e, sp.Sum):
            inner = dict(env)
            for d, lo, hi in e.limits:
                inner[d] = (lo, hi)
            return rule(sp.Sum(walk(e.function, inner), *e.limits), env)
        if not e.args or isinstance(e, (sp.Indexed, sp.IndexedBase)):
            return e
        args = tuple(walk(a, env) for a in e.args)
        return e.func(*args) if args != e.args else e

    return walk(expr, dict(ranges))


def apply_equalities(expr: sp.Expr, equalities: tuple[tuple[sp.Expr, sp.Expr], ...]) -> sp.Expr:
    """Replace each stated left side (e.g. Σ_k t_k) by its right side (1), up to the dummy's name."""
    for lhs, rhs in equalities:
        def inner(e: sp.Expr, lhs=lhs) -> int:
            """How many inner limits of ``e`` form the stated sum (0: no match).  Σ_b Σ_k t_{bk}
            holds Σ_k t_{bk} inside (SymPy lists the innermost limit first); it is not Σ_k t_{bk}."""
            if not (isinstance(e, sp.Sum) and isinstance(lhs, sp.Sum)) or len(e.limits) < len(lhs.limits):
                return 0
            m = len(lhs.limits)
            names = {d: d2 for (d, _l, _h), (d2, _l2, _h2) in zip(e.limits[:m], lhs.limits)}
            if any(d2 != d and d2 in e.function.free_symbols for d, d2 in names.items()):
                return 0  # Σ_{k=1}^{n} t_{k'}: renaming k to k' would capture the free k' (it is n t_{k'})
            if any((lo.xreplace(names), hi.xreplace(names)) != (lo2, hi2)
                   for (_d, lo, hi), (_d2, lo2, hi2) in zip(e.limits[:m], lhs.limits)):
                return 0
            return m if e.function.xreplace(names) == lhs.function else 0

        def replace(e: sp.Expr, lhs=lhs, rhs=rhs) -> sp.Expr:
            if not isinstance(e, sp.Sum):
                return rhs
            m = inner(e)
            return sp.Sum(rhs, *e.limits[m:]) if m < len(e.limits) else rhs

        expr = expr.replace(lambda e, lhs=lhs: e == lhs if not isinstance(lhs, sp.Sum) else inner(e) > 0, replace)
    return expr


def has_kronecker(expr: sp.Expr) -> bool:
    """True when a Kronecker delta is left (it must not reach the user unexplained)."""
    return expr.has(sp.KroneckerDelta)


def tidy(expr: sp.Expr) -> sp.Expr:
    """Collect the result into few factors when that is simpler (cancel, then factor)."""
    if isinstance(expr, (sp.Atom, sp.Indexed)):  # nothing to collect (y_p, w_{pa}, 1)
        return expr
    candidates = [expr, sp.factor_terms(expr)]
    try:
        candidates.append(sp.factor(sp.cancel(expr)))
    except sp.PolynomialError:
        pass
    return min(candidates, key=lambda e: (sp.count_ops(e), -candidates.index(e)))


def combine_sums(expr: sp.Expr) -> sp.Expr:
    """a Σ_d x_d + a Σ_d y_d = a Σ_d (x_d + y_d): one sum per range, common factors outside."""
    groups: dict[tuple, list[sp.Expr]] = {}
    rest = sp.Integer(0)
    for term in sp.Add.make_args(sp.expand(expr)):
        sums = [f for f in sp.Mul.make_args(term) if isinstance(f, sp.Sum) and len(f.limits) == 1]
        if len(sums) != 1:
            rest += term
            continue
        s = sums[0]
        coeff = term / s
        if s.limits[0][0] in coeff.free_symbols:  # k Σ_k x_k: the k outside is another k
            d = s.limits[0][0]
            fresh = sp.Dummy(d.name, **d.assumptions0)
            s = sp.Sum(s.function.xreplace({d: fresh}), (fresh, *s.limits[0][1:]))
        groups.setdefault(tuple(s.limits[0]), []).append(coeff * s.function)
    out = sp.factor_terms(rest)
    for (d, lo, hi), parts in groups.items():
        summand = sp.factor(sp.Add(*parts))
        const, bound = _split(summand, d)
        out += const * sp.Sum(bound, (d, lo, hi))
    return out


#: The passes, by name, in the order the engine applies them.
PASSES: dict[str, Callable[..., sp.Expr]] = {
    "linearity": sum_linearity,
    "kronecker": collapse_kronecker,
    "assumption": apply_equalities,
    "combine": combine_sums,
    "algebra": tidy,
}
