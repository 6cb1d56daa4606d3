"""Differences the exact stage found, settled in the real numbers: a witness or a reason.

A formal difference (or an entry whose exact check timed out) is evaluated with the real
functions at rational points (``DIGITS`` digits); a difference found there is re-checked at
``RECHECK_DIGITS`` digits — by SymPy substitution into the closed form for the first
``SUBSTITUTED`` entries of a group (which also get their expected form), on the graph for
the rest — and only then refuted.  Agreement alone is only ever inconclusive.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Any, Optional

import mpmath
import sympy as sp

from ..bounded import bounded
from ..derive import Derivation
from ..instantiate import assumptions_at, instantiate_entry
from ..verdict import Verdict, Witness, inconclusive, refuted
from .randomized import Outcome, close, parameter_keys, real_comparison, real_gradients, sympy_value

if TYPE_CHECKING:
    from ..verify import Entry

DIGITS = 50              # real-function comparison
RECHECK_DIGITS = 60      # witness re-check
NUMERIC_POINTS = 5       # points when the exact check timed out
CONFIRM_POINTS = 3       # points to confirm a formal difference
EXPECTED_SECONDS = 5.0   # writing out the expected form of a refuted entry
EXPECTED_WIDTH = 4       # expected forms are written out up to this width (they grow fast)
SUBSTITUTED = 2          # refuted entries per group re-checked by SymPy substitution (the rest
                         # by the graph evaluators at 60 digits) and given an expected form


def _show(v: Any) -> str:
    return mpmath.nstr(v, 20)


def _recheck(d: Derivation, sizes: tuple[int, ...], entry: Entry, point: dict[str, str]
             ) -> tuple[str, str, str, bool]:
    """Both sides at a witness again, at 60 digits: the closed form by SymPy substitution into
    its instantiation, the reference by its own evaluation.  (lhs, rhs, difference, differs)."""
    names = parameter_keys(d, sizes)
    exact = {k: Fraction(point[name]) for k, name in names.items()}
    closed = instantiate_entry(d, sizes, entry.layer, entry.quantity, entry.key)
    with mpmath.workdps(RECHECK_DIGITS):
        values = {sp.Symbol(names[k]): mpmath.mpf(v.numerator) / v.denominator for k, v in exact.items()}
        a = sympy_value(closed, values)
        _, ref = real_gradients(d, sizes, exact)
        b = ref.entry(entry.layer, entry.quantity, entry.key)
        return _show(a), _show(b), _show(a - b), not close(a, b)


def _expected(d: Derivation, sizes: tuple[int, ...], entry: Entry) -> Optional[str]:
    from .symbolic import expected

    solved = assumptions_at(d, sizes) if d.assumptions else {}
    return expected(d.network, sizes, (entry.layer, entry.quantity, entry.key), solved)


def _recheck_on_graph(d: Derivation, sizes: tuple[int, ...], found: list[tuple[Entry, dict[str, str]]]
                      ) -> list[tuple[str, str, str, bool]]:
    """Both sides at each witness again, at 60 digits, by the graph evaluators (one
    evaluation per distinct point)."""
    names = parameter_keys(d, sizes)
    cache: dict[tuple, Any] = {}
    out = []
    with mpmath.workdps(RECHECK_DIGITS):
        for entry, point in found:
            key = tuple(sorted(point.items()))
            if key not in cache:
                cache[key] = real_gradients(d, sizes, {k: Fraction(point[n]) for k, n in names.items()})
            cf, ref = cache[key]
            a = cf.entry(entry.layer, entry.quantity, entry.key)
            b = ref.entry(entry.layer, entry.quantity, entry.key)
            out.append((_show(a), _show(b), _show(a - b), not close(a, b)))
    return out


def _witness(d: Derivation, sizes: tuple[int, ...], entry: Entry, point: dict[str, str],
             checked: Any, at: str, timeout: float, substituted: bool) -> Verdict:
    """Refuted, with the witness re-checked (``checked``: the outcome of the re-check);
    inconclusive if it does not survive."""
    if not checked.ok:
        return inconclusive(f"a difference was found but its re-check failed: "
                            f"{'timed out' if checked.timed_out else checked.error}", method=f"numeric {at}")
    lhs, rhs, diff, differs = checked.value
    if not differs:
        return inconclusive(f"a difference was found at {DIGITS} digits but not at {RECHECK_DIGITS}",
                            method=f"numeric {at}")
    shown = bounded(_expected, d, sizes, entry, seconds=min(timeout, EXPECTED_SECONDS)) \
        if substituted and max(sizes) <= EXPECTED_WIDTH else None
    how = "SymPy substitution into the closed form" if substituted else "the graph evaluators"
    return refuted(Witness(point, lhs, rhs, diff),
                   method=f"real functions at a rational point {at} ({DIGITS} digits), "
                          f"re-checked at {RECHECK_DIGITS} digits",
                   reason=f"{entry.name}: the closed form gives {lhs}, independent "
                          f"differentiation gives {rhs} (re-checked by {how})",
                   expected=(shown.value if shown is not None and shown.ok else None) or None)


def _witnesses(d: Derivation, sizes: tuple[int, ...], found: dict[int, tuple[Entry, Outcome]],
               timeout: float, at: str) -> dict[int, Verdict]:
    """Re-check every difference: the first ``SUBSTITUTED`` of each group by SymPy substitution
    into the closed form, the rest on the graph in one bounded call."""
    seen: dict[tuple[int, str], int] = {}
    first, rest = [], []
    for j, (e, r) in found.items():
        n = seen[e.layer, e.quantity] = seen.get((e.layer, e.quantity), 0) + 1
        (first if n <= SUBSTITUTED else rest).append(j)
    points = {j: {k: str(v) for k, v in found[j][1].point.items()} for j in found}
    out = {}
    for j in first:
        e = found[j][0]
        checked = bounded(_recheck, d, sizes, e, points[j], seconds=timeout)
        out[j] = _witness(d, sizes, e, points[j], checked, at, timeout, True)
    if rest:
        batch = bounded(_recheck_on_graph, d, sizes, [(found[j][0], points[j]) for j in rest],
                        seconds=timeout)
        for i, j in enumerate(rest):
            one = type(batch)(value=batch.value[i]) if batch.ok else batch
            out[j] = _witness(d, sizes, found[j][0], points[j], one, at, timeout, False)
    return out


def settle(d: Derivation, sizes: tuple[int, ...], entries: list[Entry], kind: str, timeout: float,
            seed: int) -> list[Verdict]:
    """Real functions at rational points, for entries that differ formally (``kind`` =
    "formal") or whose exact check timed out (``kind`` = "timed")."""
    at = f"at sizes {sizes}"
    points = CONFIRM_POINTS if kind == "formal" else NUMERIC_POINTS
    keys = [(e.layer, e.quantity, e.key) for e in entries]
    res = bounded(real_comparison, d, sizes, keys, points, seed, DIGITS, seconds=timeout)
    found = {j: (e, res.value[j]) for j, e in enumerate(entries) if res.ok and res.value[j].kind == "differs"}
    witnesses = _witnesses(d, sizes, found, timeout, at)
    out = []
    for j, e in enumerate(entries):
        r = res.value[j] if res.ok else None
        if r is None:
            out.append(inconclusive("the exact and numeric checks timed out" if kind == "timed" else
                                    "differs as a formal expression; the numeric confirmation "
                                    + ("timed out" if res.timed_out else f"failed: {res.error}"),
                                    method=f"numeric {at}"))
        elif r.kind == "differs":
            out.append(witnesses[j])
        elif r.kind == "error":
            out.append(inconclusive(f"evaluation failed: {r.reason}", method=f"numeric {at}"))
        elif kind == "formal":
            out.append(inconclusive(
                f"differs only as a formal expression (opaque atoms taken as independent); "
                f"the real functions agree at {r.reason} points ({DIGITS} digits)",
                method=f"randomized exact {at}"))
        else:
            out.append(inconclusive(
                f"numerically consistent at {r.reason} points ({DIGITS} digits); exact check timed out",
                method=f"numeric (mpmath, {DIGITS} digits) {at}"))
    return out
