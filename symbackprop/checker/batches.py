r"""Mini-batch sums in update rules, read example by example.

A mini-batch update writes the loss of a batch as the mean (or the sum) of its examples'
losses, ``E = \frac{1}{N}\sum_{n=1}^{N} E_n``, and its gradient as a sum over the examples of
per-example quantities, written with the example's index as an extra index:
``w_{jk}(τ+1) = w_{jk}(τ) − \frac{η}{N} \sum_{n=1}^{N} δ_{kn} y_{jn}``, where the document also
writes ``δ_k`` and ``y_j`` for one example.  Such a ``δ_{kn}`` is the error signal of example
``n``, never the Kronecker delta: ``n`` is the index of the sum over the batch.

The rule that decides a step between two such sums (:func:`per_example_claim`):

    c_L Σ_{n=1}^{N} f(x_n) = c_R Σ_{n=1}^{N} g(x_n)   for every batch x_1 … x_N
    ⟺   c_L f(x) = c_R g(x)   for every example x and every N,

where ``f``, ``g`` are the same quantities for every example (the parameters are shared).
⟸: term by term.  ⟹: a batch of ``N`` equal examples gives ``N c_L f(x) = N c_R g(x)``.  So
the step is decided as the claim for one example (``δ_{kn} → δ_k``, ``y_{jn} → y_j``,
``E_n → E``), with the factors kept: a ``1/N`` lost or added is refuted with ``N`` in the
witness (a batch of ``N`` equal examples).  ``∂E/∂p`` of the batch loss is
``c Σ_n ∂E_n/∂p`` by its definition — written in the document (``E = \frac{1}{N}\sum_n E_n``) or
stated by an update chain (``η ∂E/∂w = η ∂/∂w(\frac{1}{N}\sum_n E_n)``, recorded by
:meth:`Batches.stated`) — and a derivative of a finite sum is the sum of the derivatives.

Guards: a sum is over the batch only if its letter is no layer's letter, its bound is no
layer's width, and its term holds a per-example quantity (a name the document also writes with
one index less); every ``n`` of the term must go with that reading.  ``E_n → E`` reads ``E``
as the loss of one example: a document that writes ``E = \frac{1}{N}\sum_n E_n`` (E on both
sides) states its batch loss, which is kept here, apart from the symbol table, where ``E``
stays the loss of one example (:meth:`Batches.defined`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Optional

import sympy as sp

from .guards import Outcome, open_
from .names import key, tex

if TYPE_CHECKING:
    from .scan import DocumentScan
    from .table import SymbolTable

Claim = Callable[[sp.Expr, sp.Expr], Outcome]
DELTA = sp.IndexedBase(sp.Symbol("delta"))


@dataclass(frozen=True)
class BatchLoss:
    """``name = factor · Σ_{index=1}^{size} term``, stated at ``line`` (``term``: ``E_n``, the loss of
    example n, mostly the name itself with the example's index)."""

    name: sp.Symbol
    factor: sp.Expr
    index: sp.Symbol
    size: sp.Expr
    line: int
    term: sp.Expr
    within: bool = False  # read at one example (examples.py): the factor is in the loss's own definition

    def words(self) -> str:
        kind = "the mean" if self.factor == 1 / self.size else "the sum" if self.factor == 1 else "a multiple"
        return f"{tex(self.name)} = {tex(self.factor * self.total())}, {kind} of the examples' losses"

    def total(self) -> sp.Expr:
        return sp.Sum(self.term, (self.index, 1, self.size))


def batch_total(name: sp.Basic, value: sp.Basic, line: int = 0) -> Optional[BatchLoss]:
    """``value`` is ``c · Σ_{n=1}^{N} X_n`` (c free of n; ``X`` a name, often ``name`` itself): the
    batch loss it states."""
    if not (isinstance(name, sp.Symbol) and isinstance(value, sp.Expr)):
        return None
    sums = [f for f in sp.Mul.make_args(value) if isinstance(f, sp.Sum)]
    if len(sums) != 1 or len(sums[0].limits) != 1:
        return None
    (s,) = sums
    n, lo, hi = s.limits[0]
    term = s.function
    if lo != 1 or not (isinstance(term, sp.Indexed) and term.indices == (n,)):
        return None
    factor = value / s
    return None if factor.has(n) else BatchLoss(name, factor, n, hi, line, term)


def per_example(term: sp.Expr, n: sp.Symbol, scan: "DocumentScan") -> Optional[sp.Expr]:
    """The term of a batch sum for one example: ``n`` dropped from every quantity it is the last
    index of, where the document writes that name with one index less (``y_{jn} → y_j``,
    ``E_n → E``); ``δ_{kn}`` (read as a Kronecker delta) is ``δ_k``.  None where some ``n``
    is not such an example index, or where nothing in the term is one example's."""
    ranks = getattr(scan, "ranks", {})

    def example_delta(e: sp.KroneckerDelta) -> sp.Expr:
        others = [x for x in e.args if x != n]
        return DELTA[others[0]] if len(others) == 1 and _example_delta(others[0], n, scan) else e

    def one_example(e: sp.Indexed) -> sp.Expr:
        name, idx = str(e.base.label), e.indices
        if idx[-1] != n or (len(idx) - 1) not in ranks.get(name, ()):
            return e
        return e.base[idx[:-1]] if len(idx) > 1 else sp.Symbol(name)

    out = term.replace(lambda e: isinstance(e, sp.KroneckerDelta) and n in e.args, example_delta)
    out = out.replace(lambda e: isinstance(e, sp.Indexed) and e.indices[-1] == n, one_example)
    return None if out.has(n) or out == term else out


def _example_delta(k: sp.Basic, n: sp.Symbol, scan: "DocumentScan") -> bool:
    """``δ_{kn}`` (k a unit, n an example) is one example's error signal ``δ_k`` only where the
    document writes δ with one index and ``k`` does not run over the range ``n`` runs over
    (``Σ_{n=1}^{N} δ_{kn} y_n`` with ``k ≤ N`` too is the Kronecker delta, sifting ``y_k``)."""
    bounds = scan.letter_bounds.get(getattr(k, "name", "").rstrip("'"), set())
    return 1 in getattr(scan, "ranks", {}).get("delta", ()) and not (bounds & scan.letter_bounds.get(n.name, set()))


def example_deltas(e: sp.Basic, scan: "DocumentScan") -> sp.Basic:
    """Every ``δ_{kn}`` the reader took for a Kronecker delta inside a sum over the examples of a
    batch (``Σ_{n=1}^{N} δ_{kn} y_{jn}``) written back as the quantity ``δ_{kn}`` of example n."""
    if not isinstance(e, sp.Basic) or not e.has(sp.KroneckerDelta):
        return e

    def written(s: sp.Sum) -> sp.Sum:
        if not _is_batch_sum(s, scan):
            return s
        n = s.limits[0][0]
        body = s.function.replace(lambda d: isinstance(d, sp.KroneckerDelta) and n in d.args and len(
            [x for x in d.args if x != n]) == 1 and _example_delta([x for x in d.args if x != n][0], n, scan),
            lambda d: DELTA[[x for x in d.args if x != n][0], n])
        return sp.Sum(body, *s.limits)
    return e.replace(lambda x: isinstance(x, sp.Sum), written)


def _is_batch_sum(s: sp.Sum, scan: "DocumentScan") -> bool:
    """One letter, from 1, no layer's letter or width, and a term that holds one example's quantities."""
    if len(s.limits) != 1:
        return False
    n, lo, hi = s.limits[0]
    widths = set().union(*(scan.letter_bounds.get(x, set()) for x in scan.layer_letters))
    return (lo == 1 and n.name.rstrip("'") not in scan.layer_letters and hi not in widths
            and per_example(s.function, n, scan) is not None)


def split(side: sp.Expr, scan: "DocumentScan") -> Optional[tuple]:
    """``side = c · Σ_{n=1}^{N} T(n)`` with one batch sum and ``c`` free of ``n``: (c, n, N, T)."""
    sums = [f for f in sp.Mul.make_args(side) if isinstance(f, sp.Sum)]
    if len(sums) != 1 or not _is_batch_sum(sums[0], scan):
        return None
    n, _lo, hi = sums[0].limits[0]
    c = side / sums[0]
    return None if c.has(n) else (c, n, hi, sums[0].function)


class Batches:
    """The batch loss in force for update rules, and steps between batch sums decided per example."""

    def __init__(self, table: "SymbolTable", scan: "DocumentScan") -> None:
        self.table, self.scan = table, scan
        self.stated_loss: Optional[BatchLoss] = None  # stated by an update chain (∂E/∂w = ∂/∂w(1/N Σ E_n))

    def loss(self, name: sp.Basic) -> Optional[BatchLoss]:
        """The batch definition of ``name``: the document's own (in the table), else one an update stated."""
        d = self.table.lookup(name) if isinstance(name, sp.Symbol) else None
        found = batch_total(name, d.rhs, d.line) if d is not None else None
        if found is None and self.stated_loss is not None and self.stated_loss.name == name:
            return self.stated_loss
        return found

    def stated(self, lhs: sp.Expr, rhs: sp.Expr, line: int) -> Optional[Outcome]:
        """``∂E/∂p = ∂/∂p (c Σ_n E_n)`` with no batch loss in force: the document says here what
        the loss of a batch is; recorded for the update rules that follow."""
        for d, e in ((lhs, rhs), (rhs, lhs)):
            if not (isinstance(d, sp.Derivative) and isinstance(e, sp.Derivative) and d.variables == e.variables):
                continue
            found = batch_total(d.expr, e.expr, line)
            if found is not None and self.loss(d.expr) is None and key(found.term) == d.expr.name:
                self.stated_loss = found
                return open_("definition", f"the loss of a batch: {found.words()}; used by the update "
                                           "rules that follow")
        return None

    def defined(self, a: sp.Basic, b: sp.Basic, line: int) -> Optional[Outcome]:
        """``E = c Σ_n E_n``, the document's loss of a batch written with the name of one example's
        loss (read elsewhere as notation, E on both sides): recorded for the update rules."""
        found = batch_total(a, b, line)
        if found is None or key(found.term) != a.name:
            return None
        self.stated_loss = found
        return open_("definition", f"the loss of a batch: {found.words()}; used by the update rules "
                                   f"that follow ({tex(a)} of one example is its term)")

    def expanded(self, side: sp.Expr) -> sp.Expr:
        """``∂E/∂p`` of a batch loss as ``c Σ_n ∂E_n/∂p``, and ``∂/∂p (c Σ_n X_n)`` as ``c Σ_n ∂X_n/∂p``
        (a finite sum, its bound free of p: linearity)."""
        def inside(d: sp.Derivative) -> sp.Expr:
            if len(d.variables) != 1:
                return d
            found = self.loss(d.expr)
            body = found.factor * found.total() if found is not None else d.expr
            parts = split(body, self.scan) if isinstance(body, sp.Expr) else None
            if parts is None:
                return d
            c, n, size, term = parts
            return c * sp.Sum(sp.Derivative(term, *d.variables), (n, 1, size))
        return side.replace(lambda e: isinstance(e, sp.Derivative), inside)

    def decide(self, lhs: sp.Expr, rhs: sp.Expr, line: int, claim: Claim) -> Outcome:
        """A step of an update rule: the batch loss stated, a step between batch sums decided for one
        example (:func:`per_example_claim`), anything else as the claim it is."""
        stated = self.stated(lhs, rhs, line)
        if stated is not None:
            return stated
        lhs_b, rhs_b = self.expanded(lhs), self.expanded(rhs)
        parts = [split(s, self.scan) for s in (lhs_b, rhs_b)]
        batch = [any(_is_batch_sum(s, self.scan) for s in e.atoms(sp.Sum)) for e in (lhs_b, rhs_b)]
        if not any(batch):
            return claim(lhs, rhs)
        if None in parts and any(isinstance(d, sp.Derivative) and isinstance(d.expr, sp.Symbol)
                                 for d in (lhs_b, rhs_b)):
            return open_("batch", "the loss of a batch (the mean or the sum of its examples' losses) is not "
                                  "stated: a gradient of it cannot be compared with a sum over the examples")
        if None in parts:
            return open_("batch", "a sum over the examples of the batch that is not the whole side "
                                  "(c Σ_n …), or one side sums over the batch and the other does not")
        return per_example_claim(parts[0], parts[1], self, claim)


def per_example_claim(left: tuple, right: tuple, batches: Batches, claim: Claim) -> Outcome:
    """``c_L Σ_n f_n = c_R Σ_n g_n`` (over the same batch) decided as ``c_L f = c_R g`` for one
    example (see the module docstring: equal examples make it necessary, terms make it sufficient)."""
    (c_l, n_l, size_l, t_l), (c_r, n_r, size_r, t_r) = left, right
    if size_l != size_r:
        return open_("batch", f"sums over batches of {tex(size_l)} and {tex(size_r)} examples")
    f, g = per_example(t_l, n_l, batches.scan), per_example(t_r, n_r, batches.scan)
    count = {size_l: sp.Symbol(size_l.name, integer=True, positive=True)} if isinstance(size_l, sp.Symbol) else {}
    one = f"{tex(c_l * f)} = {tex(c_r * g)}"
    out = claim((c_l * f).xreplace(count), (c_r * g).xreplace(count))  # N: a number of examples
    how = f"the batch sums read example by example (each term is the claim {one} for one example)"
    if out.status == "proved":
        return Outcome("proved", "", out.reason, f"{out.method}; {how}")
    if out.status == "refuted":
        return Outcome("refuted", "", f"{out.reason}; with every example of the batch alike, each sum is "
                                      f"{tex(size_l)} times its term, and {one} fails for one example",
                       f"{out.method}; {how}", out.witness, None)
    return Outcome(out.status, out.category, f"{out.reason}; {how}" if out.reason else how, out.method)
