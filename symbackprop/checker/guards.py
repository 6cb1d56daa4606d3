"""Guards against false alarms: a refutation stands only if it survives what the document
may have meant.

Each guard is a named function ``guard(r: Refutation) -> Optional[Outcome | Decision]``:

* ``None`` — the refutation stands as far as this guard is concerned;
* an :class:`Outcome` — the step is *inconclusive*, with the guard's category and reason;
* a :class:`Decision` — the refutation stands, with this (better) witness instead.

They run in the order of :data:`GUARDS`; the first that answers with an outcome wins.
Every guard carries an ``example``: a small document whose one claim is refuted when the
guard is disabled and is not refuted with it (``tests/checker/test_guards.py`` runs
them all), so each guard shows the false alarm it prevents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Callable, Optional, Union

import sympy as sp
from sympy.core.function import AppliedUndef

from ..prover.runner import inline
from .decide import Decision, decide
from .generic import at_argument_layer
from .names import tex
from .realify import implicit_sizes

_TARGET = re.compile(r"^t($|[_^'])")
_DECIMAL = re.compile(r"(?<![\d.])(\d*)\.(\d+)(?![\d.])")


@dataclass
class Outcome:
    """What a step comes to: a status with its category, reason, method, witness, expected."""

    status: str
    category: str = ""
    reason: str = ""
    method: str = ""
    witness: Optional[dict] = None
    expected: Optional[str] = None


def open_(category: str, reason: str, method: str = "") -> Outcome:
    """An inconclusive outcome."""
    return Outcome("inconclusive", category, reason, method)


@dataclass(frozen=True)
class Refutation:
    """A refuted step and what the guards may need: the statement as written, the budget."""

    decision: Decision
    source: str
    seconds: float


@dataclass(frozen=True)
class Guard:
    name: str
    category: str
    fn: Callable[[Refutation], Union[None, Outcome, Decision]]
    example: str = field(repr=False)

    @property
    def rationale(self) -> str:
        return (self.fn.__doc__ or "").strip()


def target_sums(lhs: sp.Expr, rhs: sp.Expr) -> list[sp.Expr]:
    """Σ_k t_k over every range a sum of targets t runs over in the step."""
    out = []
    for s in (lhs - rhs).atoms(sp.Sum):
        for d, lo, hi in s.limits:
            for a in s.function.atoms(sp.Indexed):
                if _TARGET.match(str(a.base.label)) and a.indices == (d,):
                    total = sp.Sum(a.base[d], (d, lo, hi))
                    if total not in out:
                        out.append(total)
    return out


def one_hot_targets(r: Refutation) -> Optional[Outcome]:
    """Softmax with cross-entropy gives δ_k = y_k − t_k only when Σ_k t_k = 1 (one-hot or
    probability targets), which documents often leave to the prose.  A step that holds with
    Σ_k t_k = 1 is not an erratum; it says what it needs."""
    d = r.decision
    stated = {sp.sympify(a) - sp.sympify(b) for a, b in d.pairs if not isinstance(a, sp.Ne)} \
        if all(isinstance(p, tuple) for p in d.pairs) else set()
    for t_sum in target_sums(d.lhs, d.rhs):
        if t_sum - 1 in stated:  # refuted with Σ t = 1 already assumed: nothing to excuse
            continue
        # refute=True: a counterexample with Σ t = 1 (found fast, at random points) shows the step
        # needs more than one-hot targets, so the refutation stands without a long hunt for a proof
        again = decide(d.lhs, d.rhs, list(d.pairs) + [(t_sum, sp.Integer(1))], r.seconds, refute=True)
        if again.verdict.proved:
            return open_("needs Σ t = 1", f"holds only if {tex(t_sum)} = 1 (one-hot targets), which the "
                                          "document does not state in math before this line",
                         again.verdict.method)
        if not again.verdict.refuted:  # not known whether one-hot targets excuse it: no refutation
            return open_("needs Σ t = 1", f"may hold if {tex(t_sum)} = 1 (one-hot targets); {again.verdict.reason}")
    return None


#: Common ranges tried first for the sums without bounds, and the time for each.
COMMON_SIZES = (1, 2)
COMMON_SECONDS = 1.5


def unbounded_sums(r: Refutation) -> Union[Outcome, Decision, None]:
    """``Σ_k`` without bounds runs over a range the document does not give (read ``n_{k}``);
    two such sums over different letters may well run over the same range.  A refutation
    must survive reading every such sum over one common range: first one common size ``n``
    (the engine's first look tries n = 1 and 2 at once), then, where that ran out of time,
    1 and 2 terms each on their own."""
    d = r.decision
    sizes = implicit_sizes([d.lhs, d.rhs])
    if len({s.name for s in sizes}) < 2:
        return None
    common = sp.Symbol("n", integer=True, positive=True)
    if common in (d.lhs.free_symbols | d.rhs.free_symbols):
        common = sp.Dummy("n", integer=True, positive=True)
    again = _sized(r, sizes, common, r.seconds, "one common range")
    if again.verdict.refuted:
        return again
    for n in COMMON_SIZES if not again.verdict.proved else ():
        again = _sized(r, sizes, sp.Integer(n), min(r.seconds, COMMON_SECONDS), f"{n} term{'s' * (n > 1)}")
        if again.verdict.refuted:
            return again
    return open_("bounds", "refuted only when the sums without bounds "
                           f"({', '.join(sorted(s.name for s in sizes))}) run over different ranges; "
                           "the document does not say", d.verdict.method)


def _sized(r: Refutation, sizes: set, n: sp.Expr, seconds: float, what: str) -> Decision:
    """The refuted step decided again with every size in ``sizes`` read as ``n`` (the stated
    relations too); a witness names each of those sizes at the value ``n`` took."""
    d = r.decision
    at = {s: n for s in sizes}
    again = decide(d.lhs.xreplace(at), d.rhs.xreplace(at), _at(d.pairs, at), seconds, refute=True)
    if not again.verdict.refuted:
        return again
    w = again.verdict.witness
    values = dict(w.values) if w is not None else {}
    value = str(n) if n.is_Integer else values.pop(str(n), None)
    values = {**({s.name: value for s in sorted(sizes, key=str)} if value is not None else {}), **values}
    v = replace(again.verdict, witness=replace(w, values=values) if w is not None else None,
                method=f"{again.verdict.method}; every sum without bounds over {what}")
    return Decision(v, d.lhs, d.rhs, d.pairs)


def _at(pairs, mapping: dict) -> list:
    """The stated relations (``Σ_k t_k = 1``) with the same sizes put in as the claim."""
    return [p.xreplace(mapping) if isinstance(p, sp.Basic) else tuple(sp.sympify(x).xreplace(mapping) for x in p)
            for p in pairs]


def _places(source: str) -> int:
    """The fewest decimal places among the decimal numbers written (0 if none)."""
    found = [len(m.group(2)) for m in _DECIMAL.finditer(source)]
    return min(found) if found else 0


def rounding(r: Refutation) -> Optional[Outcome]:
    """An author who writes ``10/3 = 3.3`` or ``σ(1) = 0.73`` rounds: the two sides are
    compared at the number of decimal places written, and agree when they round alike (or
    differ by less than one unit in the last place written)."""
    places = _places(r.source)
    d = r.decision
    if not places or (d.lhs.free_symbols | d.rhs.free_symbols):
        return None
    try:
        a, b = (sp.N(x, 30) for x in (d.lhs, d.rhs))
        diff = abs(Fraction(str(a)) - Fraction(str(b)))
    except (TypeError, ValueError, ArithmeticError):
        return None
    if diff <= Fraction(1, 10 ** places):
        return open_("rounding", f"the two sides agree to the {places} decimal place"
                                 f"{'s' if places > 1 else ''} written ({sp.N(d.lhs, places + 3)} vs "
                                 f"{sp.N(d.rhs, places + 3)}): rounded, not wrong", "numeric, at the precision written")
    return None


def activation_by_argument(r: Refutation) -> Optional[Outcome]:
    """Notes write ``φ'_i(z^{N}_n)`` for the output layer N, meaning the activation of the layer
    of its argument (φ_N), with the label of the general derivation left on the function (a
    function naming another layer outright, ``f_{L-1}'(u^{L})``, is not excused).  A step
    that holds once every activation is read as that of its argument's layer is a slip of
    notation, not of mathematics: it is not refuted, and the reason says which reading it needs."""
    d = r.decision
    (lhs, renamed_l), (rhs, renamed_r) = at_argument_layer(d.lhs), at_argument_layer(d.rhs)
    renamed = {**renamed_l, **renamed_r}
    if not renamed:
        return None
    again = decide(lhs, rhs, d.pairs, r.seconds, refute=True)  # a counterexample so read: no excuse
    if not again.verdict.proved:  # (a renamed f_L is a made-up function: undecided is no excuse)
        return None
    reading = ", ".join(f"{a} → {b}" for a, b in sorted(renamed.items()))
    return open_("notation", f"holds when each activation is that of its argument's layer ({reading}); "
                             "as written the labels disagree", again.verdict.method)


#: Activations a document may mean when it names one function ``f_L`` for a layer and then
#: writes a property of it (``f_L'(u) = f_L(u)(1 − f_L(u))``).
NAMED_ACTIVATIONS = (("the sigmoid", lambda x: 1 / (1 + sp.exp(-x))), ("tanh", sp.tanh))


def named_activation(r: Refutation) -> Optional[Outcome]:
    """A layer's activation left unnamed (``f_L``) may be one the author has in mind for this
    step: a step about one such function that holds for the sigmoid or tanh is a property of
    that activation ("for the sigmoid, f'_L = f_L(1 − f_L)"), not an erratum.  Only one
    function: a step that mixes two layers' activations (``f'_l`` for ``f'_{l+1}``) is not
    excused by making them equal."""
    d = r.decision
    names = {f.func for e in (d.lhs, d.rhs) for f in e.atoms(AppliedUndef)}
    if len(names) != 1:
        return None
    (f,) = names
    # its arguments as free values (a proof for every value holds at the written ones)
    args = {a.args[0] for e in (d.lhs, d.rhs) for a in e.atoms(AppliedUndef) if len(a.args) == 1}
    args |= {p for e in (d.lhs, d.rhs) for x in e.atoms(sp.Subs) for p in x.point}
    # — but not an argument a derivative of the step acts through (∂f(u_i)/∂u_j would become 0)
    by = {v.base if isinstance(v, sp.Indexed) else v
          for e in (d.lhs, d.rhs) for x in e.atoms(sp.Derivative) for v in x.variables}  # u_i: an entry of u_j's u
    free = {a: sp.Dummy("v") for a in args if not a.is_Symbol and not isinstance(a, sp.Dummy)
            and not any(a.has(v) for v in by)}
    sides = [e.xreplace(free) for e in (d.lhs, d.rhs)]
    for what, g in NAMED_ACTIVATIONS:
        x = sp.Dummy("x")
        lam = sp.Lambda(x, g(x))
        # the derivatives are left to the prover (carried out under its time bound)
        put = inline(lambda: [e.replace(lambda a: isinstance(a, AppliedUndef) and a.func == f,
                                        lambda a: lam(*a.args)) for e in sides], seconds=r.seconds)
        if not put.ok:  # not known whether it holds for this activation: no refutation
            return open_("timed out", f"timed out while putting in {what} for {f}")
        # refute=True: a counterexample for this activation (fast, at random points) settles it
        again = decide(put.value[0], put.value[1], d.pairs, r.seconds, refute=True)
        if again.verdict.proved:
            return open_("function", f"holds if {f} is {what}, which the document may mean here; "
                                     f"{f} is not specified", again.verdict.method)
        if not again.verdict.refuted:  # not known whether it holds for this activation: no refutation
            return open_("function", f"may hold if {f} is {what}; {again.verdict.reason}")
    return None


#: The guards, in the order they run (the first that makes the step inconclusive wins).
GUARDS: tuple[Guard, ...] = (
    Guard("one-hot-targets", "needs Σ t = 1", one_hot_targets,
          "$$\\sum_{k=1}^{n} t_k y_j - t_j = y_j - t_j$$\n"),
    Guard("unbounded-sums", "bounds", unbounded_sums,
          "$$\\sum_i a_i + \\sum_j b_j = \\sum_i (a_i + b_i)$$\n"),
    Guard("rounding", "rounding", rounding,
          "$$\\frac{10}{3} = 3.3$$\n"),
    Guard("named-activation", "function", named_activation,
          "$$z^{L}_j = \\sum_k w^{L}_{jk} a^{L-1}_k$$\n\n$$a^{L}_j = f_L(z^{L}_j)$$\n\n"
          "For the sigmoid output,\n\n$$f_L'(z^{L}_j) = f_L(z^{L}_j)(1 - f_L(z^{L}_j))$$\n"),
    Guard("activation-by-argument", "notation", activation_by_argument,
          "$$z^{l}_j = \\sum_k w^{l}_{jk} a^{l-1}_k$$\n\n$$a^{l}_j = f_l(z^{l}_j)$$\n\n"
          "$$\\frac{\\partial a^{L}_j}{\\partial z^{L}_j} = f_l'(z^{L}_j)$$\n"),
)

GUARD_NAMES = frozenset(g.name for g in GUARDS)


def confirm(r: Refutation, disabled: frozenset = frozenset()) -> Union[Outcome, Decision]:
    """The refutation as it stands after every guard not ``disabled``: an inconclusive
    outcome, or the decision (possibly with a better witness) that stands."""
    current = r
    for g in GUARDS:
        if g.name in disabled:
            continue
        out = g.fn(current)
        if isinstance(out, Outcome):
            return out
        if isinstance(out, Decision):
            current = Refutation(out, r.source, r.seconds)
    return current.decision
