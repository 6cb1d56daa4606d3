"""Closed forms against the independent gradients at points: exactly, and in the reals.

*Prime-field identity test* (:func:`modular_test`, the default route).  The same
evaluators over :class:`.modular.ModularDomain`: at each point a fresh random prime p of
``PRIME_BITS`` bits and uniform field elements for every parameter and atom.  Equality at
every point drawn gives the error bound Π_points ε (ε from
:meth:`.modular.ModularDomain.point_error`); an entry is "same" only when that bound is at
most ``PROOF_THRESHOLD``.  Points are drawn until it is, up to ``MAX_POINTS``; past that
the entry is "weak" (equal at every point, bound not reached: never a proof).

*Randomized identity test over ℚ* (:func:`identity_test`, the second opinion).  At a point drawn from S = [0, 2^64)
for every parameter and every freed atom (:class:`.formal.FormalDomain`), the closed
forms (:class:`.closed.ClosedForms`) and the reverse-mode gradients of E
(:class:`.tape.Reference`) are evaluated in exact rational arithmetic.  A difference is a
*formal* difference; equality at every one of ``trials`` independent points means the
entry is an identity except with probability at most

    Π_points ( N/(|S| − D) + P(atom collision) )

with N, D the degree bounds of the difference (Schwartz–Zippel).  The stated
assumptions (Σ_k t_k = 1) are solved for one target each, so the test runs on the
subspace where they hold.

*Real comparison* (:func:`real_comparison`).  The same evaluators with the real
functions at random rational points (mpmath): a difference found here is a witness;
agreement alone never proves anything.
"""

from __future__ import annotations

import random
from collections import ChainMap
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Callable, Mapping, MutableMapping, Optional, Sequence

import mpmath
import sympy as sp

from ..derive import Derivation
from ..instantiate import parameter_table
from .closed import FUNCTION_NAMES, ClosedForms, OutOfRange, Unreadable
from .formal import REAL, Degenerate, Formal, FormalDomain, RealDomain, difference_bound
from .field_arrays import FieldParams, gc_paused
from .field_route import FieldPoint, group_entries, pairs
from .modular import ModularDomain
from .tape import Reference

Key = tuple[int, ...]
EntryKey = tuple[int, str, Key]  # (layer, quantity, indices)
RANDOM_BITS = 64
TRIALS = 2
MAX_TRIALS = 6          # more points while the bound is weaker than TARGET_BOUND
#: The one threshold: an entry is proved only when its stated error bound is at most this.
PROOF_THRESHOLD = 1e-30
TARGET_BOUND = PROOF_THRESHOLD
PRIME_BITS = 192        # primes of the field route: one point gives deg / 2^191 and less
MAX_POINTS = 6          # the field route's point budget (its cost limit)
REDRAWS = 10            # points drawn per wanted point when denominators vanish


class AssumptionError(ValueError):
    """A stated assumption that is not affine in one free target."""


@dataclass(frozen=True)
class Outcome:
    """One entry's result: "same" (bound ≤ PROOF_THRESHOLD for the field route), "weak" (equal
    at every point, bound above the threshold), "differs" (point or None), "error" (reason)."""

    kind: str
    bound: float = 1.0
    point: Optional[dict[str, Fraction]] = None
    lhs: Any = None
    rhs: Any = None
    reason: str = ""


# ── points ───────────────────────────────────────────────────────────────
def parameter_keys(d: Derivation, sizes: Sequence[int]) -> dict[tuple, str]:
    """(key → parameter name) for x, w, b, t in the instantiation's order and names."""
    return {k: s.name for k, s in parameter_table(sizes, [l.bias for l in d.network.layers]).items()}


def solve_assumptions(d: Derivation, sizes: Sequence[int], domain: Any,
                      params: MutableMapping[tuple, Any]) -> MutableMapping[tuple, Any]:
    """Replace one target per assumption (the last free one it depends on) by its solution.

    Each assumption lhs = rhs must be affine in that target: g(t) = lhs − rhs is evaluated
    at t = 0, 1, 2 and t = −g(0)/(g(1) − g(0)) is used when g(2) − g(1) = g(1) − g(0).
    """
    fixed: set[tuple] = set()
    zero, one, two = (domain.const(v) for v in (0, 1, 2))
    for a in d.assumptions:
        for k in range(sizes[-1], 0, -1):
            key = ("t", k)
            if key in fixed:
                continue

            def g(v: Any) -> Any:
                trial = ChainMap({key: v}, params)
                cf = ClosedForms(d, sizes, domain, trial)
                return cf.expression(a.lhs, {}) - cf.expression(a.rhs, {})

            g0, g1, g2 = g(zero), g(one), g(two)
            slope = g1 - g0
            if not _equal(g2 - g1, slope):
                raise AssumptionError(f"the assumption {a.lhs} = {a.rhs} is not affine in t_{k}")
            if _is_zero(slope):
                continue
            params[key] = -g0 / slope
            fixed.add(key)
            break
        else:
            raise AssumptionError(f"cannot apply the assumption {a.lhs} = {a.rhs} ({a.rule})")
    return params


def _equal(a: Any, b: Any) -> bool:
    return (a.q == b.q) if isinstance(a, Formal) else bool(a == b)


def _is_zero(a: Any) -> bool:
    return (a.q == 0) if isinstance(a, Formal) else bool(a == 0)


def _gradients(d: Derivation, sizes: Sequence[int], domain: Any, params: dict[tuple, Any]
               ) -> tuple[ClosedForms, Reference]:
    net = d.network
    ref = Reference(domain, sizes, [l.activation for l in net.layers], [l.bias for l in net.layers],
                    net.loss, params)
    return ClosedForms(d, sizes, domain, params), ref


def _pair(cf: ClosedForms, ref: Reference, e: EntryKey) -> tuple[Any, Any]:
    return cf.entry(*e), ref.entry(*e)


# ── the randomized identity test ─────────────────────────────────────────
def identity_test(d: Derivation, sizes: Sequence[int], entries: Sequence[EntryKey], seed: int,
                  bits: int = RANDOM_BITS) -> list[Outcome]:
    """Every entry: "same" with its error bound, "differs", or "error" (why it cannot be read).

    Points are drawn until every open entry has passed ``TRIALS`` points and its bound is
    at most ``TARGET_BOUND`` (at most ``MAX_TRIALS`` passes each)."""
    rng = random.Random(seed)
    keys = parameter_keys(d, sizes)
    bounds = [1.0] * len(entries)
    passed = [0] * len(entries)
    done: dict[int, Outcome] = {}

    def open_(j: int) -> bool:
        return j not in done and (passed[j] < TRIALS or bounds[j] > TARGET_BOUND) and passed[j] < MAX_TRIALS

    for _ in range(MAX_TRIALS * REDRAWS):
        todo = [j for j in range(len(entries)) if open_(j)]
        if not todo:
            break
        cf, ref, domain = _draw_exact(d, sizes, keys, rng, bits)
        collisions = domain.collision_bound()
        for j in todo:
            try:
                lhs, rhs = _pair(cf, ref, entries[j])
            except ZeroDivisionError:
                continue  # a denominator vanished at this point: the entry waits for the next
            except (OutOfRange, Unreadable, TypeError) as exc:
                done[j] = Outcome("error", reason=str(exc))
                continue
            if lhs.q != rhs.q:
                done[j] = Outcome("differs")
                continue
            bounds[j] *= min(1.0, difference_bound(lhs, rhs, domain.size) + collisions)
            passed[j] += 1
    for j in range(len(entries)):
        if j not in done and passed[j] == 0:
            done[j] = Outcome("error", reason="denominators vanished at every random point")
    return [done.get(j) or (Outcome("same", bound=bounds[j]) if bounds[j] <= TARGET_BOUND else
                            Outcome("weak", bound=bounds[j], reason=(
                                f"equal at all {passed[j]} points drawn, but the error bound reached "
                                f"only {bounds[j]:.1e} > {TARGET_BOUND:.0e}")))
            for j in range(len(entries))]


def modular_test(d: Derivation, sizes: Sequence[int], entries: Sequence[EntryKey], seed: int,
                 bits: Optional[int] = None, max_points: Optional[int] = None,
                 threshold: Optional[float] = None) -> list[Outcome]:
    """Every entry: "same" (bound ≤ threshold), "weak", "differs" or "error", by the field route.

    A difference at any point is "differs" (a formal difference, for the real functions to
    confirm); an entry equal at every point keeps drawing points while its bound is above
    ``threshold``, at most ``max_points`` of them."""
    with gc_paused():
        return _modular_test(d, sizes, entries, seed, PRIME_BITS if bits is None else bits,
                             MAX_POINTS if max_points is None else max_points,
                             PROOF_THRESHOLD if threshold is None else threshold)


def _modular_test(d: Derivation, sizes: Sequence[int], entries: Sequence[EntryKey], seed: int,
                  bits: int, max_points: int, threshold: float) -> list[Outcome]:
    rng = random.Random(seed)
    groups = group_entries(entries, sizes)
    common = {g: [1.0, 0] for g in groups}        # (bound, points passed) of a group's every entry
    each: dict[tuple, dict[int, list]] = {}       # per entry, once a group's entries part ways
    done: dict[int, Outcome] = {}
    differs = Outcome("differs")

    def open_(bound: float, passed: int) -> bool:
        return bound > threshold and passed < max_points

    for _ in range(max_points * REDRAWS):
        todo = {}
        for g, members in groups.items():
            if g not in each:
                todo[g] = members if open_(*common[g]) else []
            else:
                todo[g] = [(j, f) for j, f in pairs(members) if j not in done and open_(*each[g][j])]
        todo = {g: members for g, members in todo.items() if members}
        if not todo:
            break
        point = _draw_field(d, sizes, rng, bits, list(todo))
        collisions = point.dom.collision_bound()
        for g, members in todo.items():
            results = point.results(g, members, collisions)
            if g not in each and isinstance(results, tuple):  # every entry passed alike
                common[g][0] *= results[1]
                common[g][1] += 1
                continue
            if g not in each:
                each[g] = {j: list(common[g]) for j, _ in pairs(groups[g])}
            if isinstance(results, tuple):
                results = [(j, results) for j, _ in pairs(members)]
            for j, result in results:
                if result is None:
                    continue  # a denominator vanished at this point: the entry waits for the next
                if result[0] == "pass":
                    each[g][j][0] *= result[1]
                    each[g][j][1] += 1
                else:
                    done[j] = differs if result[0] == "differs" else Outcome("error", reason=result[1])
    shared: dict[tuple, Outcome] = {}  # one object per distinct outcome: cheap to send back
    out: list[Outcome] = [differs] * len(entries)
    for g, members in groups.items():
        if g not in each and isinstance(members, range):  # the whole group alike
            out[members.start:members.stop] = [_final(*common[g], threshold, shared)] * len(members)
            continue
        for j, _ in pairs(members):
            out[j] = done[j] if j in done else _final(*(each[g][j] if g in each else common[g]),
                                                      threshold, shared)
    return out


def _final(bound: float, passed: int, threshold: float, shared: dict[tuple, Outcome]) -> Outcome:
    """The outcome of an entry equal at every point it was evaluated at."""
    key = (bound, passed)
    hit = shared.get(key)
    if hit is None:
        if passed == 0:
            hit = Outcome("error", reason="denominators vanished at every random point")
        elif bound > threshold:
            hit = Outcome("weak", bound=bound, reason=(
                f"equal at all {passed} points drawn, but the error bound reached only "
                f"{bound:.1e} > {threshold:.0e} within the point budget"))
        else:
            hit = Outcome("same", bound=bound, reason=f"{passed}")
        shared[key] = hit
    return hit


def _draw_field(d: Derivation, sizes: Sequence[int], rng: random.Random, bits: int,
                groups: list) -> FieldPoint:
    """A point of F_p (a fresh prime, uniform parameters, the assumptions solved) where every
    denominator of u, y, δ is non-zero (redrawn otherwise), with both sides of ``groups``."""
    biases = [l.bias for l in d.network.layers]
    for _ in range(REDRAWS):
        domain = ModularDomain(rng, bits)
        try:
            params = solve_assumptions(d, sizes, domain, FieldParams(domain, sizes, biases))
            return FieldPoint(d, sizes, domain, params, groups)
        except ZeroDivisionError:
            continue
    raise ZeroDivisionError("denominators kept vanishing at random points")


def _draw_exact(d: Derivation, sizes: Sequence[int], keys: Mapping[tuple, str], rng: random.Random,
                bits: int, make: Callable[[random.Random, int], Any] = FormalDomain
                ) -> tuple[ClosedForms, Reference, Any]:
    """A point where every denominator met is non-zero (redrawn otherwise)."""
    for _ in range(REDRAWS):
        domain = make(rng, bits)
        params = {k: domain.draw() for k in keys}
        try:
            params = solve_assumptions(d, sizes, domain, params)
            cf, ref = _gradients(d, sizes, domain, params)
            for e in _all_quantities(d, sizes):  # touch every δ, u, y once: raise here, not later
                try:
                    cf.lookup(*e)
                except (OutOfRange, Unreadable, TypeError):
                    pass
            return cf, ref, domain
        except ZeroDivisionError:
            continue
    raise ZeroDivisionError("denominators kept vanishing at random points")


def _all_quantities(d: Derivation, sizes: Sequence[int]) -> list[tuple[str, int, Key]]:
    out = []
    for n in range(len(sizes) - 1, 0, -1):
        out += [(kind, n, (a,)) for kind in ("u", "y", "delta") for a in range(1, sizes[n] + 1)]
    return out


# ── the reals ────────────────────────────────────────────────────────────
def random_rationals(keys: Mapping[tuple, str], rng: random.Random) -> dict[tuple, Fraction]:
    """Rationals p/q, q ∈ [50, 150]: targets in (0, 1), the rest in [−2, 2] \\ {0}."""
    point: dict[tuple, Fraction] = {}
    for k in keys:
        q = rng.randint(50, 150)
        lo, hi = (1, q - 1) if k[0] == "t" else (-2 * q, 2 * q)
        p = 0
        while p == 0:
            p = rng.randint(lo, hi)
        point[k] = Fraction(p, q)
    return point


def _rational_assumptions(d: Derivation, sizes: Sequence[int], point: dict[tuple, Fraction]
                          ) -> dict[tuple, Fraction]:
    """The point with the assumptions solved exactly (rational targets)."""
    domain = FormalDomain(random.Random(0))
    values = solve_assumptions(d, sizes, domain, {k: Formal(v) for k, v in point.items()})
    return {k: v.q for k, v in values.items()}


def real_gradients(d: Derivation, sizes: Sequence[int], point: Mapping[tuple, Fraction]
                   ) -> tuple[ClosedForms, Reference]:
    """Both sides with the real functions at a rational point, at mpmath's precision."""
    domain = RealDomain()
    return _gradients(d, sizes, domain, {k: domain.const(v) for k, v in point.items()})


def real_comparison(d: Derivation, sizes: Sequence[int], entries: Sequence[EntryKey], points: int,
                    seed: int, digits: int) -> list[Outcome]:
    """"same" (agreement at ``points`` points, bound 1: no proof), "differs" (with the point and
    both values), or "error", per entry, with ``digits`` digits."""
    rng = random.Random(seed)
    keys = parameter_keys(d, sizes)
    agree = [0] * len(entries)
    done: dict[int, Outcome] = {}
    with mpmath.workdps(digits):
        for _ in range(points * REDRAWS):
            if len(done) == len(entries) or min(agree[j] for j in range(len(entries))
                                                if j not in done) >= points:
                break
            point = _rational_assumptions(d, sizes, random_rationals(keys, rng))
            try:
                cf, ref = real_gradients(d, sizes, point)
                pairs = {}
                for j, e in enumerate(entries):
                    if j not in done:
                        try:
                            pairs[j] = _pair(cf, ref, e)
                        except (OutOfRange, Unreadable, TypeError) as exc:
                            done[j] = Outcome("error", reason=str(exc))
            except (Degenerate, ZeroDivisionError):
                continue
            for j, (lhs, rhs) in pairs.items():
                if not close(lhs, rhs):
                    named = {keys[k]: v for k, v in point.items()}
                    done[j] = Outcome("differs", point=named, lhs=lhs, rhs=rhs)
                else:
                    agree[j] += 1
    return [done.get(j) or (Outcome("same", reason=f"{agree[j]}") if agree[j] else
                            Outcome("error", reason="no regular evaluation point found"))
            for j in range(len(entries))]


def close(a: Any, b: Any) -> bool:
    """|a − b| ≤ 10^{15−dps} · max(1, |a|, |b|)."""
    scale = max(mpmath.mpf(1), abs(a), abs(b))
    return abs(a - b) <= scale * mpmath.mpf(10) ** (-(mpmath.mp.dps - 15))


# ── SymPy's own substitution, for re-checking witnesses ──────────────────
#: SymPy's function names → the real functions (one table: :data:`.formal.REAL`).
_SYMPY_REAL: dict[str, Callable[[Any], Any]] = {sym: REAL[name] for sym, name in FUNCTION_NAMES.items()}


def sympy_value(e: sp.Expr, values: Mapping[sp.Symbol, Any], memo: Optional[dict] = None) -> Any:
    """The value of a SymPy expression (real functions) at ``values``: substitution straight
    into the closed form as SymPy holds it."""
    memo = {} if memo is None else memo
    if e in memo:
        return memo[e]
    if isinstance(e, sp.Symbol):
        out = values[e]
    elif isinstance(e, sp.Rational):
        out = mpmath.mpf(int(e.p)) / int(e.q)
    elif e is sp.E:
        out = mpmath.e
    elif isinstance(e, sp.Add):
        out = mpmath.fsum(sympy_value(a, values, memo) for a in e.args)
    elif isinstance(e, sp.Mul):
        out = mpmath.fprod(sympy_value(a, values, memo) for a in e.args)
    elif isinstance(e, sp.Pow):
        base = sympy_value(e.base, values, memo)
        out = base ** (int(e.exp) if e.exp.is_Integer else sympy_value(e.exp, values, memo))
    elif isinstance(e, sp.Function) and type(e).__name__ in _SYMPY_REAL:
        out = _SYMPY_REAL[type(e).__name__](sympy_value(e.args[0], values, memo))
    else:
        raise Unreadable(f"cannot evaluate {type(e).__name__}: {e}")
    memo[e] = out
    return out
