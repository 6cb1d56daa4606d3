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
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Optional

import sympy as sp

from .guards import Outcome, open_
from .names import key, keys, tex

if TYPE_CHECKING:
    from .table import SymbolTable

#: Names a document gives its learning rate.
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


def update_rule(a: sp.Basic, b: sp.Basic, table: "SymbolTable",
                claim: Callable[[sp.Expr, sp.Expr], Outcome]) -> Optional[Outcome]:
    """The update ``a ← b`` checked (see the module docstring), or None (not of that form)."""
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
    loss = loss_of(table)
    if loss is None:
        return open_("update rule", "an update rule (←): the loss it descends is not one quantity of the document")
    says = f"the update rule says {tex(sp.Derivative(loss, a))} = {tex(step)}"
    out = claim(sp.Derivative(loss, a), step)
    if out.status == "inconclusive":
        return Outcome(out.status, out.category, f"{out.reason}; {says}" if out.reason else says, out.method)
    expected = f"{tex(a)} - {tex(eta)} \\left({out.expected}\\right)" if out.expected else None
    return Outcome(out.status, out.category, out.reason, f"{out.method}; {says}", out.witness, expected)
