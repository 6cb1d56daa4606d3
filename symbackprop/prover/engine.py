"""The prover: a chain of named passes, each bounded in time, that never guesses.

    prepare      definitions, elementary form, derivatives carried out, kinks found
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

from ..verdict import Status, Verdict, inconclusive, proved
from .claim import Claim, UnsupportedClaim, make_claim
from .passes import concrete_pass, nonsmooth_pass, witness_pass
from .prepare import Prepared, prepare
from .runner import Runner, forked
from .symbolic import canonical_pass, index_aware_pass

PassFn = Callable[[Claim, Prepared, float], Optional[Verdict]]


def _always(claim: Claim, prepared: Prepared) -> bool:
    return True


def _has_kinks(claim: Claim, prepared: Prepared) -> bool:
    return bool(prepared.open_kinks)


def _has_instances(claim: Claim, prepared: Prepared) -> bool:
    return bool(claim.sizes or claim.free_indices)


#: (name, pass, share of the remaining time, applies?) in the order they run.
PASSES: tuple[tuple[str, PassFn, float, Callable[[Claim, Prepared], bool]], ...] = (
    ("nonsmooth", nonsmooth_pass, 0.3, _has_kinks),
    ("canonical", canonical_pass, 0.3, _always),
    ("index_aware", index_aware_pass, 0.6, _always),
    ("concrete", concrete_pass, 0.6, _has_instances),
    ("witness", witness_pass, 1.0, _always),
)

#: Passes whose only possible verdict is a refutation (skipped when ``refute=False``).
REFUTING_ONLY = frozenset({"witness"})


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


def unstated_dependence(expr: sp.Expr) -> set[str]:
    """Derivatives ∂E/∂w of a bare symbol E by another variable: E's dependence on w is unknown.

    SymPy evaluates such a derivative to 0, which would "prove" ∂E/∂w = 0 for an E the
    claim never defines; the prover refuses to decide instead.  ∂y_{k'}/∂y_k (the same
    indexed quantity) is a Kronecker delta and stays decidable.
    """
    out: set[str] = set()
    for d in expr.atoms(sp.Derivative):
        f = d.expr
        for var, _ in d.variable_count:
            if isinstance(f, sp.Symbol) and f != var:
                out.add(f"{f} depends on {var}")
            elif isinstance(f, sp.Indexed) and not (isinstance(var, sp.Indexed) and var.base == f.base):
                out.add(f"{f} depends on {var}")
    return out


def prove(lhs: Any, rhs: Any, *, assumptions: Iterable[Any] = (), ranges: Optional[Mapping] = None,
          timeout: float = 5.0, sizes: tuple[int, ...] = (1, 2, 3), refute: bool = True,
          runner: Runner = forked) -> Verdict:
    """Decide lhs = rhs: ``proved`` (saying how), ``refuted`` (with a checked witness) or ``inconclusive``.

    ``assumptions``: ``Eq(y[k], f(k))`` definitions, ``Eq(Sum(t[k], (k, 1, n)), 1)``
    constraints, ``Ne(u, 0)`` exclusions (also ``(lhs, rhs)`` pairs).  ``ranges`` maps
    index symbols to (lo, hi); missing ones are inferred.  ``timeout`` bounds the whole
    claim in seconds; ``sizes`` are the concrete sizes tried for symbolic ones.
    ``refute=False`` skips the passes that can only refute (a caller that could not use
    a counterexample).  ``runner`` runs each bounded piece (:mod:`.runner`: ``forked``
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
    unstated = unstated_dependence(claim.lhs0) | unstated_dependence(claim.rhs0)
    if unstated:
        return _finish(inconclusive(
            "how " + ", ".join(sorted(unstated)) + " is not stated (a derivative of a bare "
            "symbol is not taken to be 0)", method="none"), clock, log, claim)

    out = runner(prepare, claim, seconds=max(0.05, 0.3 * clock.remaining()))
    log.append(("prepare", "timed out" if out.timed_out else (out.error or "ok"), round(clock.elapsed(), 3)))
    if not out.ok:
        why = "timed out while preparing (differentiating)" if out.timed_out else f"preparation failed: {out.error}"
        return _finish(inconclusive(why, method="none"), clock, log, claim)
    prepared: Prepared = out.value

    notes: list[str] = []
    blocker = ""  # an undecided kink: later passes may refute, but not prove
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
