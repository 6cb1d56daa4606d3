"""The instance passes: non-differentiable points, exact checks at concrete sizes, witness search.

Each pass takes (claim, prepared, seconds) and returns a Verdict or None.  An
``inconclusive`` verdict from a pass is a note; the engine goes on to the next pass.
"""

from __future__ import annotations

import random
import time
from typing import Optional

import sympy as sp

from ..verdict import Verdict, inconclusive, proved
from .claim import Claim, index_structure
from .prepare import Prepared, elementary, evaluated
from .symbolic import value_atoms
from .witness import Form, Found, at_instance, describe, in_every_range, instances, search


def _frozen(claim: Claim) -> set:
    """Sizes and indices: never given random values."""
    return set(claim.sizes) | set(claim.free_indices) | set(claim.candidates)


def _exact_zero(expr: sp.Expr) -> bool:
    """0 exactly: cancel, then simplify."""
    expr = sp.expand(expr)
    return expr == 0 or sp.cancel(expr) == 0 or sp.simplify(expr) == 0


def _refuted(found: Found, method: str) -> Verdict:
    return Verdict("refuted", reason="the two sides differ at the witness", method=method,
                   witness=found.witness,
                   details={"substitution": found.substitution, "instance": found.instance,
                            "functions": found.functions, "check": found.check})


# ── non-differentiable points ──────────────────────────────────────────────
def _one_sided(f: sp.Expr, x: sp.Expr, x0: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    """(lim_{h→0⁻}, lim_{h→0⁺}) of (f(x0 + h) − f(x0))/h."""
    h = sp.Dummy("h", positive=True)
    at = f.xreplace({x: x0})
    right = sp.limit((f.xreplace({x: x0 + h}) - at) / h, h, 0, "+")
    left = sp.limit((f.xreplace({x: x0 - h}) - at) / (-h), h, 0, "+")
    return left, right


def nonsmooth_pass(claim: Claim, prepared: Prepared, seconds: float = 0) -> Optional[Verdict]:
    """A derivative at a kink that is not excluded blocks a proof, and is never a witness.

    Where the one-sided derivatives differ (ReLU′ at 0: 0 and 1) the derivative does not
    exist, so the claim has no value there to compare: a refutation needs a point where both
    sides have values that differ (the witness pass looks for one away from the kink).  The
    verdict is at best *inconclusive*, naming the kink and the assumption that would remove
    it; a kink where both one-sided derivatives agree (max(0, x)² at 0) is no obstacle.
    """
    for kink in prepared.open_kinks:
        if kink.point is None:
            return inconclusive(f"the kinks of {kink.function} in {kink.variable} could not be located")
        if any(k.point == kink.point and k.side != kink.side for k in prepared.kinks):
            continue
        elem = elementary(evaluated(claim.lhs0 - claim.rhs0))
        rest = value_atoms(elem) - {kink.variable} - set(claim.candidates) - kink.point.free_symbols
        if rest:
            return inconclusive(f"∂/∂{kink.variable} at the kink {kink.variable} = {kink.point} not decided "
                                f"(other unknowns present); state the assumption {kink.variable} ≠ {kink.point}")
        try:
            left, right = _one_sided(kink.function, kink.variable, kink.point)
        except (NotImplementedError, ValueError, TypeError):
            left = right = None
        if left is None or not (left.is_number and right.is_number):
            return inconclusive(f"one-sided derivatives at {kink.variable} = {kink.point} not found; "
                                f"state the assumption {kink.variable} ≠ {kink.point}")
        if left == right:
            continue
        return Verdict("inconclusive", method="non-differentiable point (one-sided difference quotients, exact)",
                       reason=f"the derivative does not exist at the kink {kink.variable} = {kink.point} "
                              f"(one-sided derivatives {left} and {right}); state the assumption "
                              f"{kink.variable} ≠ {kink.point}",
                       details={"kink": {kink.variable: kink.point}, "one_sided": (left, right)})
    return None


# ── exact at concrete sizes ────────────────────────────────────────────────
def _size_text(claim: Claim, insts: list[dict]) -> str:
    if not claim.sizes:
        idx = ", ".join(str(i) for i in claim.free_indices)
        return f"every value of {idx}"
    parts = []
    for s in claim.sizes:
        vals = sorted({int(i[s]) for i in insts if s in i})
        parts.append(f"{s} ∈ {{{', '.join(map(str, vals))}}}")
    return "sizes " + ", ".join(parts)


def concrete_pass(claim: Claim, prepared: Prepared, seconds: float = 5.0) -> Optional[Verdict]:
    """Exact comparison at sizes 1..k and every index value; a difference is turned into a witness."""
    if not claim.sizes and not claim.free_indices:
        return None
    deadline = time.monotonic() + 0.8 * seconds
    rng = random.Random(claim.seed)
    insts, complete = instances(claim)
    done: list[dict] = []
    open_: list[str] = []
    for inst in insts:
        if time.monotonic() > deadline:
            complete = False
            break
        form = at_instance(claim, prepared, inst)
        if form is None:  # an index value outside some matrix: no entry to compare there
            complete = False
            continue
        if form.unsolved:
            return inconclusive(f"at {describe(inst)} the constraint {form.unsolved[0]} = 0 "
                                "could not be solved for an unknown")
        if _exact_zero(form.lhs - form.rhs):
            done.append(inst)
            continue
        found, _ = search(form, rng, 6, _frozen(claim))
        if found and found.real and in_every_range(claim, inst):
            return _refuted(found, f"counterexample at {describe(inst)} (checked {found.check})")
        open_.append(describe(inst))
    if open_:
        return inconclusive(f"not reduced to 0 at {open_[0]} and no counterexample found there")
    text = _size_text(claim, done)
    if claim.symbolic_sizes or not complete:
        what = ", ".join(str(s) for s in claim.sizes) or ", ".join(str(i) for i in claim.free_indices)
        return inconclusive(f"exact at {text}; no proof for all {what}")
    return proved(f"exact at {text} (the sizes are fixed)")


def first_look_pass(claim: Claim, prepared: Prepared, seconds: float = 5.0) -> Optional[Verdict]:
    """Two random points at the first instance of one common size, 1 and then 2 (every size
    equal, the first index values), before any symbolic work: a wrong step whose symbolic
    passes would run out of time is refuted here in a second.  Size 2 too, because at size 1
    a softmax is the constant 1 and much else degenerates; one common size, because sums without
    bounds may all be over one range.  A difference is a witness like any other (checked at 100
    digits, inside every range); no difference decides nothing."""
    if any(index_structure([x - y])[1] for x, y in claim.assumptions.constraints):
        # a constraint with a free index (Σ_k t_{bk} = 1 for every row b) is solved at the
        # instance's value of it only: a point that breaks it in another row is no witness
        return None
    start = time.monotonic()
    rng = random.Random(claim.seed ^ 0xF1257)
    insts = [inst for inst in instances(claim)[0] if in_every_range(claim, inst)]
    for size in (1, 2):
        if time.monotonic() - start > 0.25 * seconds:  # size 2 costs several times size 1
            return None
        inst = next((i for i in insts if all(i.get(s) == size for s in claim.sizes)), None)
        if inst is None or (size == 2 and not claim.sizes):
            continue
        form = at_instance(claim, prepared, inst)
        if form is None or form.unsolved:
            continue
        found, _ = search(form, rng, 2, _frozen(claim))
        if found and found.real:
            where = f" at {describe(inst)}" if inst else ""
            return _refuted(found, f"counterexample{where} (checked {found.check})")
    return None


# ── random high-precision witness search ───────────────────────────────────
def witness_pass(claim: Claim, prepared: Prepared, seconds: float = 5.0,
                 max_points: int = 48) -> Optional[Verdict]:
    """Random rationals at every instance, 50 digits; a difference is confirmed before it is reported."""
    deadline = time.monotonic() + 0.8 * seconds
    rng = random.Random(claim.seed ^ 0x5EED)
    insts, _ = instances(claim)
    insts = [inst for inst in insts if in_every_range(claim, inst)][:24]
    forms: dict[int, Form] = {}
    points = 0
    unsolved = False
    rounds = 0
    outside = None  # a counterexample outside the real domain: reported only if no real one is found
    while points < max_points and time.monotonic() < deadline and rounds < 8:
        rounds += 1
        before = points
        for n, inst in enumerate(insts):
            if time.monotonic() > deadline or points >= max_points:
                break
            if n not in forms:
                forms[n] = at_instance(claim, prepared, inst)
            form = forms[n]
            if form is None:
                continue
            if form.unsolved:
                unsolved = True
                continue
            found, used = search(form, rng, 2, _frozen(claim))
            points += used
            if found:
                where = f" at {describe(inst)}" if inst else ""
                refuted_here = _refuted(found, f"random search, counterexample{where} (checked {found.check})")
                if found.real:
                    return refuted_here
                outside = outside or refuted_here
        if points == before:
            break
    if outside is not None:
        return inconclusive("the only counterexample found leaves the real domain (e.g. the logarithm of "
                            f"a negative number): {outside.witness.to_json()['values'] if outside.witness else ''}")
    if points == 0:
        why = "the constraints could not be solved" if unsolved else "no point could be evaluated"
        return inconclusive(f"no counterexample search possible: {why}")
    where = f" at {_size_text(claim, insts)}" if claim.sizes else ""
    return inconclusive(f"only numerically consistent at {points} random points (50 digits){where}")
