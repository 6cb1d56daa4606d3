"""Concrete instances and counterexamples.

An *instance* fixes every symbolic size and free index (n = 2, k = 1); at an instance
every sum is finite.  A *witness* is an instance plus a value for every remaining
unknown (random rationals; an undefined function φ becomes a random cubic) at which
lhs and rhs differ at 50 digits — and the difference is confirmed exactly, or at
100 digits, by substituting the values back before the witness is reported.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from itertools import product
from typing import Optional

import sympy as sp
from sympy.core.function import AppliedUndef

from ..verdict import Witness
from .claim import Claim, substitute_free
from .prepare import Prepared, elementary, evaluated
from .sums import write_out
from .symbolic import solve_linear_for_one, value_atoms

MAX_SIZE_COMBOS = 27
MAX_INDEX_COMBOS = 64
DIGITS, CHECK_DIGITS = 50, 100


# ── instances ──────────────────────────────────────────────────────────────
def _size_assignments(claim: Claim) -> list[dict]:
    if not claim.sizes:
        return [{}]
    combos = sorted(product(claim.trial_sizes, repeat=len(claim.sizes)),
                    key=lambda c: (max(c), sum(c), c))
    return [dict(zip(claim.sizes, map(sp.Integer, c))) for c in combos[:MAX_SIZE_COMBOS]]


def _index_range(claim: Claim, i: sp.Symbol, sizes: dict) -> Optional[tuple[int, int]]:
    cands = claim.candidates.get(i, ())
    if not cands:
        return None
    los, his = [], []
    for lo, hi in cands:
        lo, hi = sp.sympify(lo).xreplace(sizes), sp.sympify(hi).xreplace(sizes)
        if not (lo.is_Integer and hi.is_Integer):
            return None
        los.append(int(lo))
        his.append(int(hi))
    # the union: where the candidates disagree (δ_{jk} with k in 2..3 and in 1..3) j may take
    # every value of either; checking only the intersection "proved" a claim false at j = 1
    return min(los), max(his)


def in_every_range(claim: Claim, inst: dict) -> bool:
    """Does every free index of the instance lie in every range the claim gives it, where those
    ranges run to different widths?  An index that meets sums to M_{i-1} in one place and to
    M_{i-2} in another is read as belonging to two layers; a value in only one of them is no value
    the document speaks of, so no counterexample is taken there.  Written numeric ranges (k from
    2 to 3 and from 1 to 3) are the author's own: any value of either is one (the union)."""
    for i in claim.free_indices:
        v = inst.get(i)
        cands = claim.candidates.get(i, ())
        if len({hi for _lo, hi in cands if not sp.sympify(hi).is_number}) < 2:
            continue
        for lo, hi in cands:
            lo, hi = sp.sympify(lo).xreplace(inst), sp.sympify(hi).xreplace(inst)
            if v is None or not (lo.is_Integer and hi.is_Integer) or not lo <= v <= hi:
                return False
    return True


def instances(claim: Claim) -> tuple[list[dict], bool]:
    """Every instance at the trial sizes (smallest first), and whether the list is complete."""
    out, complete = [], len(_size_assignments(claim)) == len(claim.trial_sizes) ** len(claim.sizes)
    for sizes in _size_assignments(claim):
        ranges = []
        for i in claim.free_indices:
            r = _index_range(claim, i, sizes)
            if r is None:
                complete = False
                r = (1, max(claim.trial_sizes))
            ranges.append(range(r[0], r[1] + 1))
        combos = list(product(*ranges))
        if len(combos) > MAX_INDEX_COMBOS:
            complete = False
            combos = combos[:MAX_INDEX_COMBOS]
        for c in combos:
            out.append({**sizes, **dict(zip(claim.free_indices, map(sp.Integer, c)))})
    return out, complete


def describe(instance: dict) -> str:
    """"n = 2, k = 1"."""
    return ", ".join(f"{k} = {v}" for k, v in instance.items()) or "the given values"


@dataclass
class Form:
    """lhs and rhs at one instance, with the constraints solved for some unknowns."""

    instance: dict
    lhs: sp.Expr
    rhs: sp.Expr
    solved: dict = field(default_factory=dict)
    unsolved: list = field(default_factory=list)
    exclusions: list = field(default_factory=list)
    mentioned: set = field(default_factory=set)


def _at(expr: sp.Expr, instance: dict) -> sp.Expr:
    return write_out(elementary(evaluated(substitute_free(sp.sympify(expr), instance)))).doit()


def at_instance(claim: Claim, prepared: Prepared, instance: dict) -> Optional[Form]:
    """Both sides at ``instance`` (finite sums written out), constraints solved where linear;
    None where an index value lies outside some matrix of the claim (no such entry)."""
    try:
        return _at_instance(claim, prepared, instance)
    except IndexError:
        return None


def _at_instance(claim: Claim, prepared: Prepared, instance: dict) -> Form:
    solved: dict = {}
    unsolved = []
    for a, b in claim.constraint_pairs():
        eq = sp.expand(_at(a - b, instance).xreplace(solved))
        if eq == 0:
            continue
        sol = solve_linear_for_one(eq)
        if sol is None:
            unsolved.append(eq)
            continue
        solved = {k: v.xreplace({sol[0]: sol[1]}) for k, v in solved.items()}
        solved[sol[0]] = sol[1]
    lhs = _at(prepared.lhs, instance).xreplace(solved)
    rhs = _at(prepared.rhs, instance).xreplace(solved)
    excl = [_at(a - b, instance).xreplace(solved) for a, b in claim.exclusion_pairs()]
    return Form(instance, lhs, rhs, solved, unsolved, excl, _mentioned(claim, instance))


def _mentioned(claim: Claim, instance: dict) -> set:
    """The unknowns the claim mentions at this instance (a witness names them all, even if they cancel)."""
    out: set = set()
    for e in (claim.lhs0, claim.rhs0):
        e = substitute_free(e, instance)
        out |= value_atoms(e.replace(lambda s: isinstance(s, sp.Sum), lambda s: s.doit(deep=False)))
    return out


# ── random values ──────────────────────────────────────────────────────────
def random_value(atom: sp.Expr, rng: random.Random) -> sp.Expr:
    """A small nonzero rational (a positive one, an integer, when the atom says so)."""
    if atom.is_integer:
        return sp.Integer(rng.randint(1, 4) if atom.is_positive else rng.choice([-2, -1, 1, 2, 3]))
    value = sp.Rational(rng.randint(1, 15), rng.randint(1, 7))
    if atom.is_positive or atom.is_nonnegative:
        return value
    return value if rng.random() < 0.5 else -value


def random_function(f, rng: random.Random) -> sp.Lambda:
    """φ(x) = c₀ + c₁x + c₂x² + c₃x³ with random rationals (φ′ and φ″ not constant)."""
    x = sp.Symbol("x")
    c = [sp.Rational(rng.randint(-9, 9), rng.randint(1, 5)) for _ in range(4)]
    c[3] = c[3] or sp.Rational(1, 3)
    return sp.Lambda(x, c[0] + c[1] * x + c[2] * x**2 + c[3] * x**3)


def _numeric(expr: sp.Expr, digits: int) -> Optional[sp.Expr]:
    try:
        v = sp.N(expr, digits)
    except (TypeError, ValueError, ZeroDivisionError, ArithmeticError):
        return None
    if not v.is_number or v.has(sp.nan, sp.zoo, sp.oo, -sp.oo) or v.free_symbols:
        return None
    return v


def _show(value: sp.Expr, digits: int = 30) -> str:
    return str(value) if value.is_Rational else str(sp.N(value, digits))


def _differ(a: sp.Expr, b: sp.Expr, rel: int) -> bool:
    scale = 1 + abs(a) + abs(b)
    return bool(abs(a - b) > sp.Float(10) ** (-rel) * scale)


def _instantiate(expr: sp.Expr, values: dict, funcs: dict) -> sp.Expr:
    """Functions first (so ∂φ(z₁)/∂z₁ is taken before z₁ gets a value), then the values."""
    if funcs:
        for f, lam in funcs.items():
            expr = expr.replace(f, lam)
        expr = expr.doit()
    return expr.xreplace(values)


@dataclass(frozen=True)
class Found:
    """A confirmed counterexample."""

    witness: Witness
    check: str
    substitution: dict
    instance: dict
    functions: dict
    real: bool = True  # both sides real there (a point outside the real domain is a last resort)


def search(form: Form, rng: random.Random, tries: int, frozen: set) -> tuple[Optional[Found], int]:
    """Up to ``tries`` random points at this instance; (a confirmed witness or None, points used)."""
    if form.unsolved:
        return None, 0
    exprs = [form.lhs, form.rhs, *form.exclusions]
    atoms = set().union(form.mentioned, *(value_atoms(e) for e in exprs)) - frozen - set(form.solved)
    atoms = sorted(atoms, key=sp.default_sort_key)
    ufuncs = sorted({a.func for e in (form.lhs, form.rhs) for a in e.atoms(AppliedUndef)}, key=str)
    used, complex_found = 0, None  # a witness leaving the reals only if no real one turns up
    for _ in range(tries):
        point = {a: random_value(a, rng) for a in atoms}
        full = {**point, **{k: v.xreplace(point) for k, v in form.solved.items()}}
        funcs = {f: random_function(f, rng) for f in ufuncs}
        if any(_instantiate(e, full, funcs) == 0 for e in form.exclusions):
            continue
        used += 1
        lx, rx = _instantiate(form.lhs, full, funcs), _instantiate(form.rhs, full, funcs)
        lv, rv = _numeric(lx, DIGITS), _numeric(rx, DIGITS)
        if lv is None or rv is None or not _differ(lv, rv, 25):
            continue
        exact = sp.expand(lx - rx) if (lx.is_Rational and rx.is_Rational) else None
        if exact is not None and exact != 0:
            check = "exact"
        else:
            l2, r2 = _numeric(lx, CHECK_DIGITS), _numeric(rx, CHECK_DIGITS)
            if l2 is None or r2 is None or not _differ(l2, r2, 60):
                continue
            check = f"{CHECK_DIGITS} digits"
        values = {str(k): str(v) for k, v in form.instance.items()}
        values.update({str(k): str(v) for k, v in sorted(full.items(), key=lambda kv: sp.default_sort_key(kv[0]))})
        values.update({str(f): f"x ↦ {lam.expr}" for f, lam in funcs.items()})
        diff = lx - rx if check == "exact" else sp.N(lx - rx, 30)
        w = Witness(values, _show(lx), _show(rx), _show(diff))
        real = not (lv.is_real is False or rv.is_real is False)  # artanh(3), log(−2) are not
        found = Found(w, check, full, dict(form.instance), funcs, real)
        if not real:
            complex_found = complex_found or found
            continue
        return found, used
    return complex_found, used
