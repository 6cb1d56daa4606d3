r"""Update rules written as equations: ``w_{jk}(t+1) = w_{jk}(t) - \eta \frac{\partial E}{\partial w_{jk}}``.

Notes write one step of gradient descent in several ways besides ``w \leftarrow w - \eta g``; each
is read as the update ``p ← p + (rest)`` of one parameter ``p`` (:mod:`.updates`).  The step
letter (t, τ, k, s, …) is recognised only from the update's own shape — the same quantity on
both sides, at ``t + 1`` on the left and at ``t`` as one term of the right — never from a list
of letters:

* ``p(t+1) = p(t) + …`` (the reader gives the products ``(t+1)·p`` and ``t·p``): *argument*;
* ``p^{(t+1)} = p^{(t)} + …`` (names ``p^{(t+1)}``, ``p^{(t)}``): *superscript* — not where
  the letter labels another quantity of the document too, as a layer (``a^{(l+1)} = a^{(l)} + …``
  beside ``z^{(l)}`` relates two layers);
* ``p_{t+1} = p_{t} + …`` (one index): *subscript*;
* ``p^{new} = p^{old} + …``: *new/old*;
* ``\Delta p = …`` (the product Δ·p): *increment*, ``p ← p + …``.

Later steps of such a chain rewrite the right side: each side is again the old value plus a
rest, and the step ``p(t) − η A = p(t) − η B`` is the claim ``A = B`` (the rate is not 0).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Optional

import sympy as sp

from .generic import layer_letters
from .labels import split
from .names import plain_symbols


@dataclass(frozen=True)
class UpdateForm:
    """One parameter's update as written: ``param`` (``w_{jk}``), ``old`` (how its current value
    is written: ``τ·w_{jk}``, ``w^{(t)}``, ``w^{old}``, ``w_t``; 0 for ``Δp``), ``kind``."""

    param: sp.Expr
    old: sp.Expr
    kind: str
    step: Optional[sp.Symbol] = None  # the step letter, where the form names one

    def rest(self, side: sp.Expr) -> Optional[sp.Expr]:
        """``side − old`` when ``old`` is one term of ``side`` and the rest does not hold the step
        letter (nor, for a written old value, the old value again); None otherwise."""
        if self.old == 0:
            return side
        terms = sp.Add.make_args(side)
        if self.old not in terms:
            return None
        rest = sp.Add(*[t for t in terms if t != self.old])
        if self.kind == "argument" and self.step in plain_symbols(rest):  # t_k (a target) is no step
            return None
        return rest.xreplace({self.old: self.param})  # ∂E/∂w^{(t)}: the gradient at the current value

    def read_in(self, source: str) -> str:
        """``source`` without the step arguments ``(t)``, ``\\left(t + 1\\right)`` this form has read
        (the doubt that ``p(t)`` may be an application is answered: it is ``p`` at step t)."""
        if self.kind != "argument":
            return source
        t = r"\\?" + re.escape(self.step.name) + r"(?![A-Za-z])\s*(?:\+\s*1\s*)?"
        return re.sub(r"\\left\(\s*" + t + r"\\right\)|\(\s*" + t + r"\)", "", source)

    def value(self, side: sp.Expr) -> Optional[sp.Expr]:
        """The new value ``p + rest`` of the update, or None (``side`` is not the old value plus a rest)."""
        rest = self.rest(side)
        return None if rest is None else self.param + rest


def _quantity(e: sp.Basic) -> bool:
    return isinstance(e, (sp.Symbol, sp.Indexed)) and not e.is_number


def step_argument(a: sp.Basic, b: sp.Basic, _labels: frozenset) -> Optional[UpdateForm]:
    """``p(t+1) = p(t) + …``: the left side is exactly ``(t+1)·p`` and ``t·p`` is a term of the right."""
    if not (isinstance(a, sp.Mul) and len(a.args) == 2):
        return None
    for shifted, p in (a.args, a.args[::-1]):
        if not (_quantity(p) and isinstance(shifted, sp.Add) and len(shifted.args) == 2 and 1 in shifted.args):
            continue
        (t,) = [x for x in shifted.args if x != 1]
        if isinstance(t, sp.Symbol) and t not in plain_symbols(p) and t * p in sp.Add.make_args(b):
            return UpdateForm(p, t * p, "argument", t)
    return None


_SHIFTED = re.compile(r"^(?P<base>[A-Za-z\\]+)\^\{(?P<open>\(?)\s*(?P<t>\\?[A-Za-z]+)\s*\+\s*1\s*\)?\}$")


def _renamed(e: sp.Basic, name: str) -> sp.Basic:
    if isinstance(e, sp.Symbol):
        return sp.Symbol(name)
    return sp.IndexedBase(sp.Symbol(name))[e.indices]


def _name(e: sp.Basic) -> str:
    return e.name if isinstance(e, sp.Symbol) else str(e.base.label)


def step_superscript(a: sp.Basic, b: sp.Basic, labelled: frozenset) -> Optional[UpdateForm]:
    """``p^{(t+1)} = p^{(t)} + …`` (also ``p^{t+1}``), the letter labelling no other name of the
    document (``labelled``: its names with a label)."""
    if not _quantity(a):
        return None
    m = _SHIFTED.match(_name(a))
    if m is None:
        return None
    others = layer_letters(n for n in labelled if split(n) is not None and split(n)[0] != m.group("base"))
    if m.group("t").lstrip("\\") in others:
        return None
    t = m.group("t")
    old = _renamed(a, f"{m.group('base')}^{{{'(' + t + ')' if m.group('open') else t}}}")
    if old not in sp.Add.make_args(b):
        return None
    return UpdateForm(_renamed(a, m.group("base")), old, "superscript")


def step_subscript(a: sp.Basic, b: sp.Basic, _labels: frozenset) -> Optional[UpdateForm]:
    """``p_{t+1} = p_{t} + …``: a one-index name at ``t + 1`` and ``t``; the parameter is the bare name."""
    if not (isinstance(a, sp.Indexed) and len(a.indices) == 1 and isinstance(a.indices[0], sp.Add)):
        return None
    shifted = a.indices[0]
    if not (len(shifted.args) == 2 and 1 in shifted.args):
        return None
    (t,) = [x for x in shifted.args if x != 1]
    old = a.base[t]
    if not isinstance(t, sp.Symbol) or old not in sp.Add.make_args(b):
        return None
    return UpdateForm(sp.Symbol(str(a.base.label)), old, "subscript")


def new_old(a: sp.Basic, b: sp.Basic, _labels: frozenset) -> Optional[UpdateForm]:
    """``p^{new} = p^{old} + …`` (``\\text{new}`` reads the same)."""
    if not _quantity(a) or not _name(a).endswith("^{new}"):
        return None
    base = _name(a)[: -len("^{new}")]
    old = _renamed(a, base + "^{old}")
    if old not in sp.Add.make_args(b):
        return None
    return UpdateForm(_renamed(a, base), old, "new/old")


def increment(a: sp.Basic, _b: sp.Basic, _labels: frozenset) -> Optional[UpdateForm]:
    """``Δp = …`` (the product Δ·p, or the name ``\\Delta p`` a whole side makes of it,
    :func:`.names.shorthand`): the change of ``p`` in one step."""
    if isinstance(a, sp.Mul) and len(a.args) == 2 and sp.Symbol("Delta") in a.args:
        (p,) = [x for x in a.args if x != sp.Symbol("Delta")]
        return UpdateForm(p, sp.Integer(0), "increment") if _quantity(p) else None
    if _quantity(a) and _name(a).startswith("\\Delta ") and len(_name(a)) > len("\\Delta "):
        return UpdateForm(_renamed(a, _name(a)[len("\\Delta "):]), sp.Integer(0), "increment")
    return None


#: The written forms of an update, tried in order.
READERS: tuple[Callable[[sp.Basic, sp.Basic, frozenset], Optional[UpdateForm]], ...] = (
    step_argument, step_superscript, step_subscript, new_old, increment)


def read_update(a: sp.Basic, b: sp.Basic, labelled: frozenset = frozenset()) -> Optional[UpdateForm]:
    """The update the first step ``a = b`` of a chain writes, or None; ``labelled``: the document's
    names with a label (a letter labelling another quantity is a layer's, never a step's)."""
    if not (isinstance(a, sp.Basic) and isinstance(b, sp.Expr)):
        return None
    for reader in READERS:
        form = reader(a, b, labelled)
        if form is not None:
            return form
    return None
