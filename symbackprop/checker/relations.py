"""A step's two sides before they are decided: is a matrix in them, the row's conditions, is it
a stated assumption."""

from __future__ import annotations

from typing import Callable, Optional, Sequence

import sympy as sp

from ..latex.patterns import MatrixProduct, PatternMatrix
from .derivatives import NONSMOOTH
from .guards import open_
from .names import tex
from .scopes import within


def has_matrix(e: sp.Basic) -> bool:
    """True if a vector or matrix occurs in ``e``: such a step is never decided as if its factors commuted."""
    return bool(getattr(e, "is_Matrix", False) or e.atoms(sp.MatrixBase, sp.MatrixSymbol)
                or e.has(PatternMatrix, MatrixProduct)
                or any(getattr(a, "is_Matrix", False) for a in sp.preorder_traversal(e)))


def conditioned(a: sp.Expr, b: sp.Expr, conditions: Sequence) -> tuple[sp.Expr, sp.Expr, list]:
    """A condition of the row: ``i = j`` between index symbols is put in (j → i); ``i ≠ j`` and
    others become exclusions for the prover."""
    pairs = []
    for c in conditions:
        if isinstance(c, sp.Eq) and all(isinstance(s, sp.Symbol) for s in c.args):
            a, b = a.xreplace({c.rhs: c.lhs}), b.xreplace({c.rhs: c.lhs})
        elif isinstance(c, sp.Ne):
            pairs.append(c)
    return a, b, pairs


class StatedExclusions:
    """``u \\neq 0`` written on its own (a one-step chain: "Assuming: $u \\neq 0$"): a quantity
    excluded from a number.  The claims of the section it is stated in (and of the sections that
    section holds) are about the other values — the kink of ReLU′ at 0 is then no obstacle to a
    proof.  A relation of two quantities (``i \\neq j``) is a row's case, not this."""

    def __init__(self) -> None:
        self.items: list = []  # (Ne, section, line)

    def state(self, a, op: str, b, alone: bool, section: tuple, line: int):
        """Record ``a ≠ b`` if it is such an exclusion: the outcome of its step, else None."""
        if not (op == r"\neq" and alone and isinstance(a, (sp.Symbol, sp.Indexed)) and isinstance(b, sp.Expr)
                and b.is_number):
            return None
        self.items.append((sp.Ne(a, b), tuple(section), line))
        return open_("condition", f"{tex(a)} ≠ {tex(b)} is taken as a condition of the claims of this section")

    def of(self, section: tuple, expr: sp.Basic) -> list:
        """The exclusions in force in ``section`` about a quantity of ``expr``."""
        return [ne for ne, s, _line in self.items if within(tuple(section), s)
                and ne.lhs.free_symbols & expr.free_symbols]


def _kinked(e: sp.Expr) -> bool:
    """Does ``e`` hold a function with a kink (max, |·|, ReLU): its derivative holds the step."""
    return e.has(*NONSMOOTH) or any(
        type(f).__name__.lower() == "relu" for f in e.atoms(sp.Function))


def at_every_convention(lhs: sp.Expr, rhs: sp.Expr, proved: Callable[[sp.Expr, sp.Expr], bool]) -> Optional[str]:
    """A step proved with the step function in it, re-proved with its value at 0 taken as 0
    and as 1 (SymPy takes ½): the texts do not share one convention, so a proof that rests on
    one (``H(u) + H(−u) = 1`` holds only for ½) is no proof of what the document says.  None
    when it holds under each; else why not.  Witnesses are taken away from 0 and stand under
    every convention: refutations are not affected."""
    def kinks_out(e: sp.Expr) -> sp.Expr:  # ∂/∂u max(0, u), ReLU′: carried out, the step appears
        return e.replace(lambda d: isinstance(d, sp.Derivative) and _kinked(d.expr), lambda d: d.doit())

    lhs, rhs = kinks_out(lhs), kinks_out(rhs)
    steps = {h for e in (lhs, rhs) for h in e.atoms(sp.Heaviside)}
    for value in (0, 1) if steps else ():
        at = {h: sp.Heaviside(h.args[0], value) for h in steps}
        if not proved(lhs.xreplace(at), rhs.xreplace(at)):
            return (f"holds only for some values of the step function at 0, not for {value} (0, 1/2 or 1 "
                    "by convention: the document does not say which)")
    return None


def renamed(expr: sp.Basic, frozen: frozenset) -> sp.Basic:
    """``expr`` with every quantity named in ``frozen`` replaced by a fresh one of its shape
    (``a^{l}_j`` → ``a^{l}°_j``): equal to ``expr`` exactly when ``expr`` does not involve them."""
    from .names import key

    mapping: dict = {}
    for e in expr.atoms(sp.Indexed):
        if key(e) in frozen:
            mapping[e.base] = sp.IndexedBase(f"{e.base.label}°")
    for e in expr.atoms(sp.Symbol):
        if key(e) in frozen:
            mapping[e] = sp.Symbol(f"{e.name}°", **e.assumptions0)
    return expr.xreplace(mapping) if mapping else expr


def related(constraints: list, lhs: sp.Expr, rhs: sp.Expr) -> list:
    """The stated assumptions (``Σ_k t_k = 1``) that share a quantity with the step: one about
    quantities the step never names cannot change whether it holds (they vary independently of
    it), but its sums and sizes would enter the decision (``n_k`` of ``Σ_k t_k`` beside a softmax
    Jacobian over ``n^{(L)}``, whose instances the search then takes out of range)."""
    from .names import keys

    named = keys(lhs) | keys(rhs)
    return [(c, d) for c, d in constraints if (keys(c) | keys(d)) & named]


def assumption_shape(lhs: sp.Expr, rhs: sp.Expr, defined: set, written: tuple = ()) -> bool:
    """``Σ_k t_k = 1`` (a one-step chain): a relation between unknowns and a number, no
    derivatives, no ``defined`` name — an assumption the document states, not a claim.  So it
    must be as ``written`` too: ``∂y_k/∂u_j = 0`` with the softmax put in has no derivative left,
    but is a claim about a defined quantity (taken as an assumption, a wrong one would be used)."""
    from .names import definable, keys, unknowns

    if any(e.has(sp.Derivative) or set(keys(e)) & defined for e in written):
        return False
    for side, other in ((lhs, rhs), (rhs, lhs)):
        if other.is_number and not side.has(sp.Derivative) and unknowns(side) \
                and not (set(keys(side)) & defined) and definable(side) is None:
            return True
    return False
