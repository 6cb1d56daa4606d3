"""Independent verification of the closed forms at concrete widths.

Every entry of every closed form — δ^ℓ_a, ∂E/∂w^ℓ_{pa}, ∂E/∂b^ℓ_a, ∂E/∂y^{ℓ−1}_p — is
compared with the derivative of E written out from the network's *description*
(widths, activation names, bias flags, loss name) by the verifier's own definitions
(:mod:`symbackprop.verifier`); it calls ``derive`` only to obtain the claims.

Deciding lhs = rhs:

1. *symbolic* (``symbolic=True``): SymEngine expansion with freed atoms, one bounded call
   per (layer, quantity) group (:mod:`symbackprop.verifier.symbolic`) — a deterministic
   proof at these sizes, affordable at small widths.
2. *randomized exact* (always, for what is not yet proved): both sides evaluated on the
   shared graph in exact rational arithmetic at random points with every atom f(v) an
   independent indeterminate (:mod:`symbackprop.verifier.randomized`); equality at every
   point is reported as proved *with its error bound* (Schwartz–Zippel), a difference as a
   formal difference.  Cost ≈ Σ n_{ℓ−1} n_ℓ per point.
3. *real functions*: formal differences, and everything when the exact stage timed out,
   are evaluated with the real functions at rational points (50 digits).  A difference is
   refuted with its witness, re-checked by SymPy substitution into the closed form and
   the reference at 60 digits; agreement alone is only ever inconclusive.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Optional, Sequence, Union

import mpmath
import sympy as sp

from .bounded import bounded
from .derive import Derivation, derive
from .instantiate import assumptions_at, concrete_sizes, instantiate, instantiate_entry
from .model import Network
from .verdict import Status, Verdict, Witness, exit_code, inconclusive, proved, refuted
from .verifier.definitions import unsupported
from .verifier.randomized import (RANDOM_BITS, Outcome, close, identity_test,
                                  parameter_keys, real_comparison, real_gradients, sympy_value)

QUANTITIES = ("delta", "weight", "bias", "input")
DIGITS = 50              # real-function comparison
RECHECK_DIGITS = 60      # witness re-check
NUMERIC_POINTS = 5       # points when the exact check timed out
CONFIRM_POINTS = 3       # points to confirm a formal difference
EXPECTED_SECONDS = 5.0   # writing out the expected form of a refuted entry
EXPECTED_WIDTH = 4       # expected forms are written out up to this width (they grow fast)
SUBSTITUTED = 2          # refuted entries per group re-checked by SymPy substitution (the rest
                         # by the graph evaluators at 60 digits) and given an expected form


# ── entries and groups ─────────────────────────────────────────────────────
@dataclass(frozen=True)
class Entry:
    """One scalar entry to check: its place, its readable name."""

    layer: int
    quantity: str
    key: tuple[int, ...]

    @property
    def name(self) -> str:
        n, k = self.layer, ",".join(map(str, self.key))
        if self.quantity == "delta":
            return f"δ^({n})[{k}]"
        if self.quantity == "weight":
            return f"∂E/∂w^({n})[{k}]"
        if self.quantity == "bias":
            return f"∂E/∂b^({n})[{k}]"
        return f"∂E/∂x[{k}]" if n == 1 else f"∂E/∂y^({n - 1})[{k}]"


def entries_of(net: Network, sizes: Sequence[int]) -> list[list[Entry]]:
    """The groups (layer, quantity), output layer first; inside, entries in index order."""
    groups = []
    for n in range(len(sizes) - 1, 0, -1):
        shapes = {"delta": [(a,) for a in range(1, sizes[n] + 1)],
                  "weight": [(p, a) for p in range(1, sizes[n - 1] + 1) for a in range(1, sizes[n] + 1)],
                  "bias": [(a,) for a in range(1, sizes[n] + 1)] if net.layers[n].bias else [],
                  "input": [(p,) for p in range(1, sizes[n - 1] + 1)]}
        for q in QUANTITIES:
            if shapes[q]:
                groups.append([Entry(n, q, k) for k in shapes[q]])
    return groups



# ── the report ─────────────────────────────────────────────────────────────
@dataclass(frozen=True)
class EntryCheck:
    """The verdict on one scalar entry of one quantity of one layer."""

    layer: int
    quantity: str   # "delta" | "weight" | "bias" | "input"
    entry: str      # readable, e.g. "∂E/∂w^(2)[1,3]" (internal order: [below, above])
    verdict: Verdict

    def to_json(self) -> dict[str, Any]:
        return {"layer": self.layer, "quantity": self.quantity, "entry": self.entry,
                **self.verdict.to_json()}


@dataclass(frozen=True)
class VerificationReport:
    """Every entry checked at concrete sizes, and the time it took."""

    title: str
    sizes: tuple[int, ...]
    checks: tuple[EntryCheck, ...]
    seconds: float

    @property
    def verdict(self) -> Verdict:
        """Refuted if any entry is; inconclusive if any is; else proved."""
        bad = [c for c in self.checks if c.verdict.refuted]
        if bad:
            v = bad[0].verdict
            return refuted(v.witness, v.method, reason=f"{len(bad)} entries refuted, first {bad[0].entry}: "
                           f"{v.reason}", expected=v.expected)
        open_ = [c for c in self.checks if c.verdict.status is Status.INCONCLUSIVE]
        if open_:
            return inconclusive(f"{len(open_)} of {len(self.checks)} entries inconclusive, first "
                                f"{open_[0].entry}: {open_[0].verdict.reason}")
        methods = sorted({c.verdict.method for c in self.checks})
        return proved("; ".join(methods) or f"no entries at sizes {self.sizes}")

    def exit_code(self) -> int:
        return exit_code([c.verdict for c in self.checks])

    def to_json(self) -> dict[str, Any]:
        counts = {s.value: sum(c.verdict.status is s for c in self.checks) for s in Status}
        return {"title": self.title, "sizes": list(self.sizes),
                "checks": [c.to_json() for c in self.checks],
                "summary": {**counts, "total": len(self.checks), "status": self.verdict.status.value,
                            "exit_code": self.exit_code(), "seconds": round(self.seconds, 3)}}

    def table(self) -> str:
        """layer | quantity | entries | method | verdict, then one line per non-proved entry."""
        rows, groups = [("layer", "quantity", "entries", "method", "verdict")], {}
        for c in self.checks:
            groups.setdefault((c.layer, c.quantity), []).append(c)
        for (n, q), cs in groups.items():
            statuses = [c.verdict.status for c in cs]
            worst = next(s for s in (Status.REFUTED, Status.INCONCLUSIVE, Status.PROVED) if s in statuses)
            verdict = worst.value if all(s is worst for s in statuses) else \
                f"{worst.value} ({statuses.count(worst)} of {len(cs)})"
            methods = "; ".join(sorted({c.verdict.method for c in cs}))
            rows.append((str(n), q, str(len(cs)), methods, verdict))
        widths = [max(len(r[i]) for r in rows) for i in range(5)]
        lines = [" | ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() for r in rows]
        lines.insert(1, "-+-".join("-" * w for w in widths))
        for c in self.checks:
            if not c.verdict.proved:
                said = c.verdict.reason if c.verdict.reason.startswith(c.entry) else f"{c.entry}: {c.verdict.reason}"
                lines.append(f"{c.verdict.status.value}: {said}")
        lines.append(f"{self.verdict.status.value} — {len(self.checks)} entries at sizes "
                     f"{self.sizes} in {self.seconds:.1f} s")
        return "\n".join(lines)


# ── the pipeline ───────────────────────────────────────────────────────────
def default_sizes(net: Network) -> tuple[int, ...]:
    """Concrete widths kept; symbolic widths get 3, 2, 3, 2, … from the input up."""
    chosen: dict[sp.Symbol, int] = {}
    out = []
    for n, layer in enumerate(net.layers):
        if isinstance(layer.size, sp.Symbol):
            out.append(chosen.setdefault(layer.size, 3 if n % 2 == 0 else 2))
        else:
            out.append(int(layer.size))
    return tuple(out)



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
    from .verifier.symbolic import expected

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


def _settle(d: Derivation, sizes: tuple[int, ...], entries: list[Entry], kind: str, timeout: float,
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


def _symbolic(d: Derivation, sizes: tuple[int, ...], groups: list[list[Entry]], timeout: float
              ) -> dict[Entry, Verdict]:
    """Entries proved by SymEngine expansion (each group bounded; a timeout skips the rest)."""
    from .verifier.symbolic import compare

    made = bounded(instantiate, d, sizes, seconds=timeout)
    if not made.ok:
        return {}
    out: dict[Entry, Verdict] = {}
    for g in groups:
        res = bounded(compare, made.value, [(e.layer, e.quantity, e.key) for e in g], seconds=timeout)
        if not res.ok:
            break  # groups grow more complex going down
        out.update({e: proved(f"exact symbolic (expand) at sizes {sizes}")
                    for e, (kind, _) in zip(g, res.value) if kind == "same"})
    return out


def _randomized_method(sizes: tuple[int, ...], bound: float) -> str:
    """Randomized exact: points from [0, 2^64), atoms as variables; P(error) ≤ bound."""
    return f"randomized exact at sizes {sizes}, error ≤ {bound:.1e} (Schwartz–Zippel, 2^{RANDOM_BITS})"


def verify(derivation_or_network: Union[Derivation, Network], sizes: Optional[Sequence[int]] = None,
           *, timeout: float = 30.0, symbolic: bool = False, seed: int = 1000) -> VerificationReport:
    """Check every δ, ∂E/∂w, ∂E/∂b, ∂E/∂y entry at concrete sizes; ``timeout`` per bounded call.

    ``symbolic`` first tries a deterministic proof by SymEngine expansion (slow beyond small
    widths); every entry it does not prove goes through the randomized exact test."""
    start = time.perf_counter()
    d = derivation_or_network if isinstance(derivation_or_network, Derivation) \
        else derive(derivation_or_network)
    net = d.network
    sizes = concrete_sizes(net, sizes if sizes is not None else default_sizes(net))
    groups = entries_of(net, sizes)
    flat = [e for g in groups for e in g]

    def report(verdicts: dict[Entry, Verdict]) -> VerificationReport:
        checks = tuple(EntryCheck(e.layer, e.quantity, e.name, verdicts[e]) for e in flat)
        return VerificationReport(net.title, sizes, checks, time.perf_counter() - start)

    missing = unsupported([l.activation for l in net.layers[1:]], net.loss)
    if missing:
        return report({e: inconclusive(missing) for e in flat})
    verdicts = _symbolic(d, sizes, groups, timeout) if symbolic else {}
    todo = [e for e in flat if e not in verdicts]
    at = f"at sizes {sizes}"
    res = bounded(identity_test, d, sizes, [(e.layer, e.quantity, e.key) for e in todo], seed,
                  seconds=timeout)
    if res.ok:
        same = [r.bound for r in res.value if r.kind == "same"]
        method = _randomized_method(sizes, max(same, default=0.0))
        for e, r in zip(todo, res.value):
            if r.kind == "same":
                verdicts[e] = proved(method)
            elif r.kind == "error":
                verdicts[e] = inconclusive(f"cannot compare: {r.reason}", method=f"randomized exact {at}")
        formal = [e for e, r in zip(todo, res.value) if r.kind == "differs"]
        kind = "formal"
    elif res.timed_out:
        formal, kind = todo, "timed"
    else:  # the test could not run at all (an assumption it cannot solve, say)
        verdicts.update({e: inconclusive(f"cannot compare: {res.error}", method=f"randomized exact {at}")
                         for e in todo})
        formal = []
    if formal:
        verdicts.update(zip(formal, _settle(d, sizes, formal, kind, timeout, seed + 1)))
    return report(verdicts)
