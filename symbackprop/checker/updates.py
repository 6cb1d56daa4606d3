r"""Update rules of gradient descent: ``p ← p − η G`` claims that ``G`` is ``∂E/∂p``.

A document ends its derivation with the step it trains by — ``w \leftarrow w - \eta
\frac{\partial E}{\partial w}``, then the same for each layer with the gradient put in
(``v_j ← v_j − η (y − t) h_j``).  Such a row is an assignment, but it says two things that can
be checked: that it *descends* (the learning rate η, positive as a learning rate is, is
subtracted times the gradient), and that the gradient it uses is the gradient of the
document's loss by that very parameter.

* The rule's own form ``p ← p ∓ η ∂E/∂p``: with ``−`` it is the gradient-descent step
  (proved by its form); with ``+`` it climbs the loss (gradient ascent), refuted with that
  reason — to first order the loss grows by ``η (∂E/∂p)²`` wherever the gradient is not 0.
* Otherwise ``p ← p − η G`` is the claim ``∂E/∂p = G`` (``+ η G``: ``∂E/∂p = −G``), decided
  like any claim of the document, with ``E`` the one loss the document defines (a quantity
  defined and used by no other definition).  No loss, no rate, or a form that is not
  ``p + (rate)·G``: the row stays an unchecked assignment, as before.
* The same rule written as an equation — ``p(t+1) = p(t) − η G``, ``p^{(t+1)}``, ``p_{t+1}``,
  ``p^{new} = p^{old} − …``, ``Δp = −η G`` (:mod:`.update_forms`) — is read so at its first
  step; each later step ``p(t) − η A = p(t) − η B`` is the claim ``A = B``.  Every claim of an
  update rule goes through :mod:`.batches` (sums over the examples of a batch, read per example).
* A matrix rule (``W(t+1) = W(t) − \frac{η}{N} Yᵀ Δ``) is checked here by its form only: read as
  numbers its products would commute.  Its first step is then read in written order
  (:mod:`.matrix_updates`): the claim ``∂E/∂W = \frac{1}{N} Yᵀ Δ``, entry by entry.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Callable, Optional

import sympy as sp

from .batches import Batches
from .guards import Outcome, open_
from .names import key, keys, tex
from .update_forms import read_update

if TYPE_CHECKING:
    from .scan import DocumentScan
    from .table import SymbolTable

#: Names a document gives its learning rate.
MATRIX = ("a matrix update rule: only its form is checked; the gradient it puts in is not read entry by "
          "entry (its batch matrices hold one example per row)")
RATES = frozenset({"eta", "alpha", "epsilon", "varepsilon", "lambda", "gamma", "mu", "rho", "lr"})


def _rate(rest: sp.Expr) -> Optional[sp.Symbol]:
    """The learning rate among the factors of ``rest`` (one plain symbol named like one)."""
    rates = [f for f in sp.Mul.make_args(rest) if isinstance(f, sp.Symbol) and f.name.lstrip("\\") in RATES]
    return rates[0] if len(rates) == 1 else None


def loss_of(table: "SymbolTable") -> Optional[sp.Symbol]:
    """The document's loss: the one plain symbol it defines that no other definition uses."""
    defs = table.history()
    used = set().union(*(keys(sp.sympify(d.rhs)) for d in defs)) if defs else set()
    tops = {d.lhs for d in defs if isinstance(d.lhs, sp.Symbol) and key(d.lhs) not in used
            and d.rhs.free_symbols}
    return next(iter(tops)) if len(tops) == 1 else None


def update_rule(a: sp.Basic, b: sp.Basic, table: "SymbolTable", claim: Callable[[sp.Expr, sp.Expr], Outcome],
                loss: Optional[sp.Symbol] = None, entries: bool = True) -> Optional[Outcome]:
    """The update ``a ← b`` checked (see the module docstring), or None (not of that form);
    ``loss``: the loss it descends (else the document's one loss); ``entries``: False for a
    matrix rule, whose gradient is not checked."""
    if not isinstance(a, (sp.Symbol, sp.Indexed)) or not isinstance(b, sp.Expr) or not b.has(a):
        return None
    rest = sp.factor_terms(b - a)
    outside = rest.replace(lambda x: isinstance(x, sp.Derivative), lambda x: sp.Integer(1))
    if rest == 0 or outside.has(a):  # w ← w − η(G + λw): weight decay, not the loss's gradient alone
        return None
    eta = _rate(rest)
    if eta is None:
        return None
    step = -rest / eta  # p ← p − η·step (no simplify: it would take ∂E/∂w of a symbol E as 0)
    grads = [d for d in step.atoms(sp.Derivative) if d.variables == (a,)]
    if len(grads) == 1 and sp.expand(step - grads[0]) == 0:
        return Outcome("proved", "", "", f"the gradient-descent step: {tex(a)} moves against "
                                         f"{tex(grads[0])} by the learning rate {tex(eta)}")
    if len(grads) == 1 and sp.expand(step + grads[0]) == 0:
        return Outcome("refuted", "", f"{tex(a)} moves along {tex(grads[0])} (gradient ascent): to first order "
                                      f"the loss grows by {tex(eta)} ({tex(grads[0])})^2",
                       f"the form of a descent step: {tex(a)} - {tex(eta)} {tex(grads[0])}",
                       expected=tex(a - eta * grads[0]))
    if not entries:
        return open_("update rule", MATRIX)
    loss = loss or loss_of(table)
    if loss is None:
        return open_("update rule", "an update rule (←): the loss it descends is not one quantity of the document")
    says = f"the update rule says {tex(sp.Derivative(loss, a))} = {tex(step)}"
    out = claim(sp.Derivative(loss, a), step)
    if out.status == "inconclusive":
        return Outcome(out.status, out.category, f"{out.reason}; {says}" if out.reason else says, out.method)
    expected = f"{tex(a)} - {tex(eta)} \\left({out.expected}\\right)" if out.expected else None
    return Outcome(out.status, out.category, out.reason, f"{out.method}; {says}", out.witness, expected)


def _matrix_like(p: sp.Basic, rest: sp.Expr, scan: "DocumentScan") -> bool:
    """A parameter or step of matrix notation: a plain upper-case or vector name, a transpose."""
    names = {s.name for s in rest.free_symbols if isinstance(s, sp.Symbol)}
    return isinstance(p, sp.Symbol) and (p.name[:1].isupper() or p.name in scan.vectors or bool(
        names & scan.vectors) or any(f.func.__name__ == "transpose" for f in rest.atoms(sp.Function)))


class Updates:
    """The update rules of a document (``←`` and the equation forms), with the batch loss in force."""

    def __init__(self, table: "SymbolTable", scan: "DocumentScan") -> None:
        self.table, self.scan = table, scan
        self.batches = Batches(table, scan)

    def step(self, si: int, a: sp.Basic, op: str, b: sp.Basic, chain, frag,
             claim: Callable[[object, sp.Expr, sp.Expr], Outcome]) -> Optional[Outcome]:
        """The step ``a op b`` (step ``si`` of ``chain``, in the fragment ``frag``) as part of an
        update rule, or None; ``claim(frag, x, y)`` decides a claim of the document."""
        form = read_update(chain[0], chain[1], self.scan.labelled) \
            if op == "=" and len(chain) > 1 and chain[1] is not None else None
        if form is not None:
            frag = replace(frag, source=form.read_in(frag.source))

        def batch_claim(x: sp.Expr, y: sp.Expr) -> Outcome:
            return self.batches.decide(x, y, frag.line, lambda u, v: claim(frag, u, v))
        if si == 1 and op in ("=", ":=") and isinstance(a, sp.Symbol):  # E = (1/N) Σ_n E_n
            stated = self.batches.defined(a, b, frag.line)
            if stated is not None:
                return stated
        if op == r"\leftarrow":
            return self._rule(a, b, batch_claim) if isinstance(b, sp.Expr) else None
        if form is None:
            return None
        if si == 1 or a == chain[0]:  # the first step, or the chain's start against a later side
            value = form.value(b)
            return None if value is None else self._rule(form.param, value, batch_claim)
        rest_a, rest_b = form.rest(a), form.rest(b)
        if rest_a is None or rest_b is None:
            return None
        if _matrix_like(form.param, rest_a + rest_b, self.scan):
            return open_("update rule", MATRIX)
        eta = _rate(sp.factor_terms(rest_a))
        if eta is not None and eta == _rate(sp.factor_terms(rest_b)):  # p − η A = p − η B: the claim A = B
            rest_a, rest_b = -sp.factor_terms(rest_a) / eta, -sp.factor_terms(rest_b) / eta
        return batch_claim(rest_a, rest_b)

    def loss(self) -> Optional[sp.Symbol]:
        """The loss the rules descend: the batch loss an update chain states, else the one loss."""
        return self.batches.stated_loss.name if self.batches.stated_loss is not None else loss_of(self.table)

    def _rule(self, p: sp.Basic, value: sp.Expr, claim: Callable[[sp.Expr, sp.Expr], Outcome]) -> Optional[Outcome]:
        return update_rule(p, value, self.table, claim, self.loss(),
                           entries=not _matrix_like(p, value - p, self.scan))
