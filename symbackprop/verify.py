"""Independent verification of the closed forms at concrete widths.

Every entry of every closed form — δ^ℓ_a, ∂E/∂w^ℓ_{pa}, ∂E/∂b^ℓ_a, ∂E/∂y^{ℓ−1}_p — is
compared with the derivative of E written out from the network's *description*
(widths, activation names, bias flags, loss name) by the verifier's own definitions
(:mod:`symbackprop.verifier`); it calls ``derive`` only to obtain the claims.

Deciding lhs = rhs:

1. *symbolic* (``symbolic=True``): SymEngine expansion with freed atoms, one bounded call
   per (layer, quantity) group (:mod:`symbackprop.verifier.symbolic`) — a deterministic
   proof at these sizes, affordable at small widths.
2. *randomized exact in a prime field* (always, for what is not yet proved): both sides
   evaluated on the shared graph modulo a random prime of ``PRIME_BITS`` bits at random
   points with every atom f(v) an independent indeterminate
   (:mod:`symbackprop.verifier.modular`, :func:`~symbackprop.verifier.randomized.modular_test`);
   equality at every point is reported as proved *with its error bound* — only when that
   bound is at most ``PROOF_THRESHOLD`` (1e-30); otherwise more points are drawn, and past
   the point budget the entry is inconclusive with the bound reached.  A difference is a
   formal difference.  Cost ≈ Σ n_{ℓ−1} n_ℓ integer operations per point.  At small sizes
   (max width ≤ ``SECOND_OPINION_WIDTH``) the same test in exact rationals
   (:func:`~symbackprop.verifier.randomized.identity_test`) gives a second opinion; where
   the two routes disagree, the entry goes to the real functions (3.).
3. *real functions*: formal differences, and everything when the exact stage timed out,
   are evaluated with the real functions at rational points (50 digits).  A difference is
   refuted with its witness, re-checked by SymPy substitution into the closed form and
   the reference at 60 digits; agreement alone is only ever inconclusive.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Optional, Sequence, Union

import sympy as sp

from .bounded import bounded
from .derive import Derivation, derive
from .errors import SizeError
from .instantiate import concrete_sizes, entry_count, instantiate
from .model import Network
from .verdict import Status, Verdict, exit_code, inconclusive, proved, refuted, report_latex, report_repr
from .verifier.definitions import unsupported
from .verifier.field_arrays import gc_paused
from .verifier.witnesses import settle
from .verifier.randomized import PRIME_BITS, PROOF_THRESHOLD, Outcome, identity_test, modular_test

QUANTITIES = ("delta", "weight", "bias", "input")
#: the quantities of a spec with ``[training]``: each entry of the update rules after one step
UPDATE_QUANTITIES = ("weight_update", "bias_update")
SECONDS_PER_ENTRY = 1e-5  # the exact stage's cost per entry (estimated_seconds)
SECOND_OPINION_WIDTH = 4  # the rational route re-decides every entry up to this width


# ── entries and groups ─────────────────────────────────────────────────────
@dataclass(frozen=True)
class Entry:
    """One scalar entry to check: its place, its readable name."""

    layer: int
    quantity: str
    key: tuple[int, ...]

    @property
    def name(self) -> str:
        return entry_names(self.layer, self.quantity, [self.key])[0]


def entry_groups(net: Network, sizes: Sequence[int]) -> list[tuple[int, str, list[tuple[int, ...]]]]:
    """The groups (layer, quantity, keys), output layer first; inside, keys in index order
    (weights row-major over (p, a))."""
    groups = []
    for n in range(len(sizes) - 1, 0, -1):
        shapes = {"delta": [(a,) for a in range(1, sizes[n] + 1)],
                  "weight": [(p, a) for p in range(1, sizes[n - 1] + 1) for a in range(1, sizes[n] + 1)],
                  "bias": [(a,) for a in range(1, sizes[n] + 1)] if net.layers[n].bias else [],
                  "input": [(p,) for p in range(1, sizes[n - 1] + 1)]}
        groups += [(n, q, shapes[q]) for q in QUANTITIES if shapes[q]]
    return groups


def entries_of(net: Network, sizes: Sequence[int]) -> list[list[Entry]]:
    """The groups (layer, quantity), output layer first; inside, entries in index order."""
    return [[Entry(n, q, k) for k in keys] for n, q, keys in entry_groups(net, sizes)]


def entry_names(layer: int, quantity: str, keys: Sequence[tuple[int, ...]]) -> list[str]:
    """:attr:`Entry.name` of every key of one group, at once."""
    n = layer
    if quantity == "weight":  # one concatenation per entry: the row's head and the column's tail
        heads = {p: f"∂E/∂w^({n})[{p}," for p in {k[0] for k in keys}}
        tails = {a: f"{a}]" for a in {k[1] for k in keys}}
        return [heads[p] + tails[a] for p, a in keys]
    head = {"delta": f"δ^({n})", "bias": f"∂E/∂b^({n})",
            "input": "∂E/∂x" if n == 1 else f"∂E/∂y^({n - 1})"}[quantity]
    return [f"{head}[{','.join(map(str, k))}]" for k in keys]



# ── the report ─────────────────────────────────────────────────────────────
@dataclass(frozen=True)
class EntryCheck:
    """The verdict on one scalar entry of one quantity of one layer."""

    layer: int
    quantity: str   # "delta" | "weight" | "bias" | "input" (| "weight_update" | "bias_update")
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

    def __repr__(self) -> str:
        return report_repr(self)

    def _repr_latex_(self) -> str:
        return report_latex(self)

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



def _symbolic(d: Derivation, sizes: tuple[int, ...], groups: list[tuple[int, str, list]], timeout: float
              ) -> dict[tuple, Verdict]:
    """Entries (layer, quantity, key) proved by SymEngine expansion (each group bounded; a
    timeout skips the rest)."""
    from .verifier.symbolic import compare

    made = bounded(instantiate, d, sizes, seconds=timeout)
    if not made.ok:
        return {}
    out: dict[tuple, Verdict] = {}
    for n, q, keys in groups:
        g = [(n, q, k) for k in keys]
        res = bounded(compare, made.value, g, seconds=timeout)
        if not res.ok:
            break  # groups grow more complex going down
        out.update({e: proved(f"exact symbolic (expand) at sizes {sizes}")
                    for e, (kind, _) in zip(g, res.value) if kind == "same"})
    return out


def _randomized_method(sizes: tuple[int, ...], bound: float, second: bool) -> str:
    """Randomized exact in F_p, p a random prime of PRIME_BITS bits; P(error) ≤ bound."""
    return (f"randomized exact mod {PRIME_BITS}-bit primes at sizes {sizes}, error ≤ {bound:.0e}"
            + ("; ℚ agrees" if second else ""))


def _same(r: Outcome) -> bool:
    return r.kind in ("same", "weak")


def _second_opinion(d: Derivation, sizes: tuple[int, ...], todo: list[tuple], field: list[Outcome],
                    seed: int, timeout: float) -> Optional[list[bool]]:
    """Per entry, whether the rational route agrees with the field route on "equal at every
    point" vs "differs" (None when the sizes are too large or it did not finish)."""
    if max(sizes) > SECOND_OPINION_WIDTH:
        return None
    res = bounded(identity_test, d, sizes, todo, seed, seconds=timeout)
    if not res.ok:
        return None
    return [r.kind == "error" or q.kind == "error" or _same(r) == _same(q) for r, q in zip(field, res.value)]


def _field_verdict(r: Outcome, shown: Verdict, at: str) -> Optional[Verdict]:
    """The verdict of one field-route outcome: ``shown`` (proved) only when its bound is at most
    PROOF_THRESHOLD (the guard: never a weaker proof), inconclusive when equal at every point
    but weaker or not comparable, None for a difference (the real functions decide)."""
    if r.kind == "same" and r.bound <= PROOF_THRESHOLD:
        return shown
    if r.kind in ("same", "weak"):
        return inconclusive(r.reason or f"error bound {r.bound:.1e} > {PROOF_THRESHOLD:.0e}",
                            method=f"randomized exact mod {PRIME_BITS}-bit primes {at}")
    if r.kind == "error":
        return inconclusive(f"cannot compare: {r.reason}", method=f"randomized exact {at}")
    return None


def estimated_seconds(sizes: Sequence[int]) -> float:
    """The cost of the exact stage at these sizes: :data:`SECONDS_PER_ENTRY` per entry (measured
    on a 2-core machine, the whole of verify at widths 128–1024 and 100000,2,2: 3.4–4.0 µs;
    over doubled for a loaded machine and rounded up)."""
    return entry_count(sizes) * SECONDS_PER_ENTRY


def refuse_beyond_the_bound(sizes: Sequence[int], timeout: float) -> None:
    """Sizes whose exact stage cannot finish within ``timeout`` are refused before any work
    (a :class:`SizeError` with the estimate and the bound), instead of timing out twice."""
    estimate = estimated_seconds(sizes)
    if estimate > timeout:
        raise SizeError(f"sizes {','.join(map(str, sizes))}: {entry_count(sizes):,} entries, about "
                        f"{estimate:.0f} s to check, over the --timeout of {timeout:g} s: raise --timeout "
                        f"or choose smaller sizes")


def verify(derivation_or_network: Union[Derivation, Network], sizes: Optional[Sequence[int]] = None,
           *, timeout: float = 30.0, symbolic: bool = False, seed: int = 1000) -> VerificationReport:
    """Check every δ, ∂E/∂w, ∂E/∂b, ∂E/∂y entry at concrete sizes; ``timeout`` per bounded call.

    ``symbolic`` first tries a deterministic proof by SymEngine expansion (slow beyond small
    widths); every entry it does not prove goes through the randomized exact test in a
    prime field (with the rational test as a second opinion at small sizes).  An entry is
    proved only with a stated error bound ≤ ``PROOF_THRESHOLD``."""
    start = time.perf_counter()
    d = derivation_or_network if isinstance(derivation_or_network, Derivation) \
        else derive(derivation_or_network)
    net = d.network
    sizes = concrete_sizes(net, sizes if sizes is not None else default_sizes(net))
    refuse_beyond_the_bound(sizes, timeout)
    with gc_paused():  # millions of entries and verdicts: no collector passes over them meanwhile
        return _verify(d, sizes, timeout, symbolic, seed, start)


def _updates(d: Derivation, sizes: tuple[int, ...], seed: int, timeout: float, missing: Optional[str]
             ) -> list[EntryCheck]:
    """The update rules of a spec with ``[training]`` against one gradient-descent step taken on
    the verifier's own route (:mod:`symbackprop.verifier.descent`), one bounded call."""
    if not d.updates:
        return []
    from .verifier.descent import check_updates, entry_name, update_keys

    keys = update_keys(d, sizes)
    if missing:
        return [EntryCheck(n, q, entry_name((n, q, k)), inconclusive(missing)) for n, q, k in keys]
    res = bounded(check_updates, d, sizes, seed, seconds=timeout)
    if res.ok:
        return [EntryCheck(n, q, entry_name((n, q, k)), v) for (n, q, k), v in res.value]
    why = "timed out" if res.timed_out else f"could not run: {res.error}"
    return [EntryCheck(n, q, entry_name((n, q, k)), inconclusive(f"the check of the update rules {why}"))
            for n, q, k in keys]


def _verify(d: Derivation, sizes: tuple[int, ...], timeout: float, symbolic: bool, seed: int,
            start: float) -> VerificationReport:
    net = d.network
    groups = entry_groups(net, sizes)
    flat = [(n, q, k) for n, q, keys in groups for k in keys]
    verdicts: list[Optional[Verdict]] = [None] * len(flat)

    def report() -> VerificationReport:
        flat.clear()  # the keys are no longer needed: their memory goes to the checks
        checks: list[EntryCheck] = []
        at = 0
        for n, q, keys in groups:
            checks += map(EntryCheck, [n] * len(keys), [q] * len(keys), entry_names(n, q, keys),
                          verdicts[at:at + len(keys)])
            at += len(keys)
        return VerificationReport(net.title, sizes, tuple(checks + updates), time.perf_counter() - start)

    missing = unsupported([l.activation for l in net.layers[1:]], net.loss)
    updates = _updates(d, sizes, seed, timeout, missing)
    if missing:
        verdicts[:] = [inconclusive(missing)] * len(flat)
        return report()
    if symbolic:
        done = _symbolic(d, sizes, groups, timeout)
        verdicts[:] = [done.get(e) for e in flat]
    todo = [j for j, v in enumerate(verdicts) if v is None]
    keys = [flat[j] for j in todo] if len(todo) < len(flat) else flat
    at = f"at sizes {sizes}"
    res = bounded(modular_test, d, sizes, keys, seed, seconds=timeout)
    if res.ok:
        agree = _second_opinion(d, sizes, keys, res.value, seed, timeout)
        distinct = {id(r): r for r in res.value}  # the field route shares equal outcomes
        same = [r.bound for r in distinct.values() if r.kind == "same" and r.bound <= PROOF_THRESHOLD]
        method = _randomized_method(sizes, max(same, default=0.0), agree is not None)
        shown = proved(method)  # one verdict object for every entry it proves
        table = {i: _field_verdict(r, shown, at) for i, r in distinct.items()}
        decided = [table[id(r)] for r in res.value]  # None: for the real functions to decide
        if agree is not None:  # where the two routes disagree, the real functions decide
            decided = [v if ok else None for v, ok in zip(decided, agree)]
        formal = [j for j, v in zip(todo, decided) if v is None]
        for j, v in zip(todo, decided):
            verdicts[j] = v
        kind = "formal"
    elif res.timed_out:
        formal, kind = todo, "timed"
    else:  # the test could not run at all (an assumption it cannot solve, say)
        for j in todo:
            verdicts[j] = inconclusive(f"cannot compare: {res.error}", method=f"randomized exact {at}")
        formal = []
    if formal:
        settled = settle(d, sizes, [Entry(*flat[j]) for j in formal], kind, timeout, seed + 1)
        for j, v in zip(formal, settled):
            verdicts[j] = v
    return report()
