"""Closed forms against the independent gradients at points: exactly, and in the reals.

*Prime-field identity test* (:func:`modular_test`, the default route).  Both sides over
:class:`.modular.ModularDomain` in bulk (:mod:`.field_test`, :mod:`.field_route`: the
compiled closed forms against the layered reverse mode): at each point a fresh random prime
p of ``PRIME_BITS`` bits and uniform field elements for every parameter and atom.  Equality at
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
from fractions import Fraction
from typing import Any, Callable, Mapping, Optional, Sequence

import mpmath
import sympy as sp

from ..derive import Derivation
from .closed import ClosedForms, OutOfRange, Unreadable
from .definitions import function, function_name
from ..rules.forms import Degenerate
from .formal import Formal, FormalDomain, RealDomain, difference_bound
from .field_arrays import gc_paused
from .field_test import field_test
from .points import AssumptionError, Outcome, parameter_keys, solve_assumptions  # noqa: F401 (AssumptionError: re-exported)
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
        return field_test(d, sizes, entries, random.Random(seed), PRIME_BITS if bits is None else bits,
                          MAX_POINTS if max_points is None else max_points,
                          PROOF_THRESHOLD if threshold is None else threshold, REDRAWS)


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
    elif isinstance(e, sp.Function) and function_name(e) is not None:
        out = function(str(function_name(e))).real(sympy_value(e.args[0], values, memo))
    else:
        raise Unreadable(f"cannot evaluate {type(e).__name__}: {e}")
    memo[e] = out
    return out
