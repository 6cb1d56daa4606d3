"""The prover: a chain of named passes, each bounded in time, that never guesses.

    prepare      definitions, elementary form, derivatives carried out, kinks found
    first_look   two random points at one common size, 1 then 2         → refuted
    nonsmooth    a derivative at a kink that is not excluded            → refuted
    canonical    cheap exact canonicalisation                           → proved
    index_aware  Σ-linearity, Kronecker collapse, stated equalities     → proved (all sizes)
    concrete     exact at sizes 1..k and every index value               → proved only for fixed sizes
    witness      random rationals, 50 digits, confirmed at 100           → refuted

A pass that times out or fails adds a note; if no pass decides, the verdict is
``inconclusive`` with the notes as its reason.  Numeric agreement is never ``proved``.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any, Callable, Iterable, Mapping, Optional

import sympy as sp
from sympy.core.function import AppliedUndef

from ..verdict import Status, Verdict, inconclusive, proved
from .claim import Claim, UnsupportedClaim, make_claim
from .passes import concrete_pass, first_look_pass, nonsmooth_pass, witness_pass
from .prepare import Prepared, prepare
from .runner import Runner, forked
from .symbolic import canonical_dummies, canonical_pass, index_aware_pass

PassFn = Callable[[Claim, Prepared, float], Optional[Verdict]]


def _always(claim: Claim, prepared: Prepared) -> bool:
    return True


def _has_kinks(claim: Claim, prepared: Prepared) -> bool:
    return bool(prepared.open_kinks)


def _smooth(claim: Claim, prepared: Prepared) -> bool:
    """No kink left open (a point there is the nonsmooth pass's to judge)."""
    return not prepared.open_kinks


def _has_instances(claim: Claim, prepared: Prepared) -> bool:
    return bool(claim.sizes or claim.free_indices)


#: (name, pass, share of the remaining time, applies?) in the order they run.
PASSES: tuple[tuple[str, PassFn, float, Callable[[Claim, Prepared], bool]], ...] = (
    ("first_look", first_look_pass, 0.3, _smooth),
    ("nonsmooth", nonsmooth_pass, 0.3, _has_kinks),
    ("canonical", canonical_pass, 0.3, _always),
    ("index_aware", index_aware_pass, 0.6, _always),
    ("concrete", concrete_pass, 0.6, _has_instances),
    ("witness", witness_pass, 1.0, _always),
)

#: Passes whose only possible verdict is a refutation (skipped when ``refute=False``).
REFUTING_ONLY = frozenset({"first_look", "witness"})


class _Clock:
    """A deadline shared by the passes of one claim."""

    def __init__(self, seconds: float) -> None:
        self.start = time.monotonic()
        self.end = self.start + seconds

    def remaining(self) -> float:
        return max(0.0, self.end - time.monotonic())

    def elapsed(self) -> float:
        return time.monotonic() - self.start


def _finish(v: Verdict, clock: _Clock, log: list, claim: Optional[Claim]) -> Verdict:
    details = dict(v.details)
    details.update(seconds=round(clock.elapsed(), 3), passes=log)
    if claim is not None:
        details.setdefault("ranges", dict(claim.ranges))
    return dataclasses.replace(v, details=details)


def _mentions(f: sp.Basic, var: sp.Basic) -> bool:
    """Does ``f`` mention ``var`` (y_{k'} mentions y_k: the same indexed quantity)?"""
    if f.has(var):
        return True
    return isinstance(var, sp.Indexed) and any(a.base == var.base for a in f.atoms(sp.Indexed))


def _open_quantities(d: sp.Derivative) -> set:
    """The quantities of ``∂f/∂x`` whose dependence on ``x`` the claim leaves open: all of
    ``f``'s symbols when ``f`` is a bare quantity other than ``x`` or does not mention ``x``
    at all (nobody differentiates ``E²`` by ``w`` unless ``E`` depends on ``w``)."""
    f = d.expr
    if isinstance(f, sp.Indexed):
        bare = not any(isinstance(v, sp.Indexed) and v.base == f.base for v in d.variables)
        return {f} if bare else set()
    if isinstance(f, sp.Symbol):
        return {f} if f not in d.variables else set()
    if any(_mentions(f, v) for v in d.variables):
        return set()
    return {a for a in f.atoms(sp.Symbol, sp.Indexed) if not isinstance(a, sp.Idx)
            and not (isinstance(a, sp.Symbol) and a.is_integer)} - f.atoms(sp.Dummy)


def unstated_dependence(expr: sp.Expr) -> set[str]:
    """Derivatives ∂E/∂w (or ∂E²/∂w) of quantities whose dependence on w the claim leaves open.

    SymPy evaluates such a derivative to 0, which would "prove" ∂E/∂w = 0 (or ∂E²/∂w = 0)
    for an E the claim never defines.  ∂y_{k'}/∂y_k (the same indexed quantity) is a
    Kronecker delta and stays decidable.
    """
    out: set[str] = set()
    for d in expr.atoms(sp.Derivative):
        for q in _open_quantities(d):
            out.add(f"{q} depends on {', '.join(str(v) for v in d.variables)}")
    return out


def generic_dependence(lhs: sp.Expr, rhs: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    """Both sides with each quantity of an open dependence made an unknown function of the
    variables it is differentiated by (``E`` → ``E(w)`` wherever it stands, never as a
    derivative's variable), derivatives carried out: ``∂(E²)/∂w`` → ``2 E(w) E′(w)``."""
    deps: dict = {}
    for d in lhs.atoms(sp.Derivative) | rhs.atoms(sp.Derivative):
        for q in _open_quantities(d):
            deps.setdefault(q, [])
            deps[q] += [v for v in d.variables if v not in deps[q]]
    fns = {q: sp.Function(str(q))(*vs) for q, vs in deps.items()}

    def sub(e: sp.Basic) -> sp.Basic:
        if isinstance(e, sp.Derivative):
            return sp.Derivative(sub(e.expr), *e.variable_count)
        if e in fns:
            return fns[e]
        return e.func(*(sub(a) for a in e.args)) if e.args else e

    return sub(lhs).doit(), sub(rhs).doit()


def _equal_for_every_dependence(lhs: sp.Expr, rhs: sp.Expr) -> bool:
    """Equal with every open dependence an unknown function — unless a quantity left open is
    itself (an entry of) a variable some derivative is taken by: made a function of another
    variable, ``a_j`` would no longer be the ``a_n`` of ``∂/∂a_n`` at j = n, and the "proof"
    would rest on two meanings of one quantity."""
    variables = {v for d in lhs.atoms(sp.Derivative) | rhs.atoms(sp.Derivative) for v in d.variables}
    bases = {v.base for v in variables if isinstance(v, sp.Indexed)}
    for d in lhs.atoms(sp.Derivative) | rhs.atoms(sp.Derivative):
        for q in _open_quantities(d):
            if q in variables or (isinstance(q, sp.Indexed) and q.base in bases) or q in bases:
                return False
    a, b = generic_dependence(lhs, rhs)
    return sp.expand(a - b) == 0


def one_sided_functions(claim: Claim) -> list[str]:
    """Unknown functions (f, H, φ) that occur on one side of the claim only (and in no
    assumption): the claim may be their definition, so no value given to them refutes it."""
    def funcs(e: sp.Basic) -> set:
        return {a.func for a in sp.sympify(e).atoms(AppliedUndef)}
    given = list(claim.constraint_pairs()) + list(claim.assumptions.definitions)  # y_j = φ(u_j): given
    stated = set().union(*(funcs(a) | funcs(b) for a, b in given), set())
    return sorted(str(f) for f in (funcs(claim.lhs0) ^ funcs(claim.rhs0)) - stated)


def prove(lhs: Any, rhs: Any, *, assumptions: Iterable[Any] = (), ranges: Optional[Mapping] = None,
          timeout: float = 5.0, sizes: tuple[int, ...] = (1, 2, 3), refute: bool = True,
          runner: Runner = forked, generic_functions: Iterable[str] = ()) -> Verdict:
    """Decide lhs = rhs: ``proved`` (saying how), ``refuted`` (with a checked witness) or ``inconclusive``.

    ``assumptions``: ``Eq(y[k], f(k))`` definitions, ``Eq(Sum(t[k], (k, 1, n)), 1)``
    constraints, ``Ne(u, 0)`` exclusions (also ``(lhs, rhs)`` pairs).  ``ranges`` maps
    index symbols to (lo, hi); missing ones are inferred.  ``timeout`` bounds the whole
    claim in seconds; ``sizes`` are the concrete sizes tried for symbolic ones.
    ``refute=False`` skips the passes that can only refute (a caller that could not use
    a counterexample).  ``generic_functions`` names unknown functions the caller knows to be
    arbitrary (a document's activation ``φ_l`` of every layer): a claim holding one of them on
    one side only does not define it, so a choice of it may refute the claim.  ``runner`` runs each bounded piece (:mod:`.runner`: ``forked``
    or ``inline``); the pass loop, and so the verdict, is the same for both.
    """
    clock = _Clock(float(timeout if timeout is not None else 5.0))
    log: list = []
    try:
        claim = make_claim(lhs, rhs, assumptions, ranges, tuple(sizes))
    except (UnsupportedClaim, sp.SympifyError, TypeError, ValueError) as exc:
        return _finish(inconclusive(f"unsupported claim: {exc}", method="none"), clock, log, None)
    if claim.lhs0 == claim.rhs0:  # identical as written: equal whatever any quantity depends on
        return _finish(proved("exact symbolic proof (both sides identical after definitions)"), clock, log, claim)
    if canonical_dummies(claim.lhs0) == canonical_dummies(claim.rhs0):  # Σ_{k'} … = Σ_{k''} …: α-conversion
        return _finish(proved("exact symbolic proof (both sides identical after definitions, up to the names "
                              "of their summation indices)"), clock, log, claim)
    unstated = unstated_dependence(claim.lhs0) | unstated_dependence(claim.rhs0)
    if unstated:
        how = ", ".join(sorted(unstated))
        out = runner(_equal_for_every_dependence, claim.lhs0, claim.rhs0,
                     seconds=max(0.05, 0.5 * clock.remaining()))
        if out.ok and out.value:
            return _finish(proved(f"exact symbolic proof for every dependence ({how}: left open)"),
                           clock, log, claim)
        return _finish(inconclusive(
            f"how {how} is not stated (a derivative of a quantity is not taken to be 0)",
            method="none"), clock, log, claim)

    out = runner(prepare, claim, seconds=max(0.05, 0.3 * clock.remaining()))
    log.append(("prepare", "timed out" if out.timed_out else (out.error or "ok"), round(clock.elapsed(), 3)))
    if not out.ok:
        why = "timed out while preparing (differentiating)" if out.timed_out else f"preparation failed: {out.error}"
        return _finish(inconclusive(why, method="none"), clock, log, claim)
    prepared: Prepared = out.value

    notes: list[str] = []
    blocker = ""  # an undecided kink: later passes may refute, but not prove
    one_sided = [f for f in one_sided_functions(claim) if f not in set(generic_functions)]
    passes = [p for p in PASSES if refute or p[0] not in REFUTING_ONLY]
    for name, fn, share, applies in passes:
        if not applies(claim, prepared):
            continue
        if name == "concrete" and not refute and claim.symbolic_sizes:
            continue  # for symbolic sizes it can only find a counterexample
        remaining = clock.remaining()
        if remaining < 0.05:
            notes.append(f"time limit reached before the {name} pass")
            break
        seconds = remaining if name == passes[-1][0] else max(0.05, share * remaining)
        res = runner(fn, claim, prepared, seconds, seconds=seconds)
        if res.timed_out or res.error:
            log.append((name, "timed out" if res.timed_out else "error", round(clock.elapsed(), 3)))
            notes.append(f"{name} pass timed out after {seconds:.1f} s" if res.timed_out
                         else f"{name} pass failed ({res.error.splitlines()[0][:160]})")
            blocker = blocker or (notes[-1] if name == "nonsmooth" else "")
            continue
        v = res.value
        log.append((name, v.status.value if v else "no verdict", round(clock.elapsed(), 3)))
        if v is None:
            continue
        if v.refuted and not refute:  # fixed sizes: the concrete pass decides either way
            notes.append("a counterexample to the step as read refutes nothing here (what it leaves open "
                         "may take other values)")
            break
        if v.refuted and one_sided:  # d max(0, x)/dx = H(x): the claim may be what defines H
            notes.append(f"{', '.join(one_sided)} appear(s) on one side only, so the claim may define "
                         "it; a made-up function is no counterexample")
            break
        if v.status is Status.INCONCLUSIVE:
            notes.append(v.reason)
            blocker = blocker or (v.reason if name == "nonsmooth" else "")
            if name == "concrete" and v.reason.startswith("exact at"):
                break  # exact at every concrete size checked: a random search could only agree
            continue
        if v.proved and blocker:
            notes.append(f"away from the kink: {v.method}")
            break
        return _finish(v, clock, log, claim)
    reason = "; ".join(notes) if notes else "no pass could decide the claim"
    return _finish(inconclusive(reason, method="no proof found"), clock, log, claim)
