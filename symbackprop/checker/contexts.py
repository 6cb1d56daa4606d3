"""What each fragment is read with: the order of the walk, and the settings a document holds.

Two rules, both about the context a relation is read in (docs/architecture.md, ``contexts.py``):

* **A heading's claim is read with its section.**  A formula written in a heading states what
  the section shows (``## $\\partial u_k/\\partial w_{jk} = y_j$``, then the definition of
  ``u_k`` and the proof): it is read after the last fragment of its section, with the
  section's definitions, not before them — read first, its ``y_j`` became the name of
  ``∂u_k/∂w_{jk}`` and its ``u`` was "defined only later".  A heading that defines
  (``## The loss $E = \\frac12 \\sum_k (y_k - t_k)^2$``: a bare name on the left) stays where
  it stands: what the section uses is defined there.
* **A collection of settings is read setting by setting.**  A catalogue of lemmas (our
  identities report; a sheet of exercises) gives each section its own setting: sibling
  sections define one name differently (``E`` the cross-entropy in one, half the sum of
  squares in the next; ``y_k`` the softmax, then ``σ(u_k)``) and each section introduces
  what its claims use (in its definitions, on either side, or declared: ``u \\in \\mathbb{R}``).
  Such sections are read each on its own (after the text above them that belongs to no
  sibling): the letters of one lemma (``y_j`` beside ``y_i``) do not name layers because
  another lemma wrote ``u_k := Σ_j y_j w_{jk} + b_k``, and that lemma's ``u`` is not a later
  definition of the ``u`` of the first.  A connected derivation is not such a collection: its
  later sections use what earlier ones define (the loss, the forward pass), so some section is
  not closed and the document is read as one setting.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import sympy as sp

from ..prover.claim import bound_symbols
from .names import definable, key, keys, shorthand
from .read import Reading
from .scan import DEFINING_OPS, declares_real
from .scopes import within


@dataclass(frozen=True)
class Setting:
    """The readings one walk reads (indices, in order) and those whose claims it reports."""

    walk: tuple
    own: frozenset


def heading_claims_last(readings: Sequence[Reading]) -> list[Reading]:
    """``readings`` in the order the walk reads them: a heading's claims after its section (a
    section's fragments are consecutive: its end is found walking forward, not searched for)."""
    paths = [tuple(r.fragment.section or ()) for r in readings]
    order = []
    for i, r in enumerate(readings):
        if getattr(r.fragment, "heading", False) and r.parsed is not None and _relations(r) and not _defines(r):
            last = i
            while last + 1 < len(paths) and within(paths[last + 1], paths[i]):
                last += 1
            order.append(((last, 1, i), r))
        else:
            order.append(((i, 0, i), r))
    return [r for _k, r in sorted(order, key=lambda x: x[0])]


def settings(readings: Sequence[Reading]) -> Optional[list[Setting]]:
    """The settings of a collection of lemmas (module docstring), or None for one setting.
    The first setting is the text that belongs to no sibling section (a title, a preamble)."""
    paths = [tuple(r.fragment.section or ()) for r in readings]
    for depth in range(1, max((len(p) for p in paths), default=0) + 1):
        groups: dict = {}  # parent → {sibling section → indices}, in document order
        for i, p in enumerate(paths):
            if len(p) >= depth:
                groups.setdefault(p[:depth - 1], {}).setdefault(p[:depth], []).append(i)
        if len(groups) != 1:
            continue  # siblings beside another branch of the document: parts of one whole
        (parent, siblings), = groups.items()
        common = [i for i, p in enumerate(paths) if len(p) < depth]
        if len(siblings) < 2 or any(not within(parent, paths[i]) for i in common):
            continue
        members = list(siblings.values())
        chosen = [[readings[i] for i in m] for m in members]
        if _redefined(chosen) and _closed(chosen, [readings[i] for i in common]):
            first = Setting(tuple(common), frozenset(common))
            return [first] + [Setting(tuple(sorted(set(m) | {i for i in common if i < m[0]})), frozenset(m))
                              for m in members]
    return None


def _relations(r: Reading) -> list:
    return [[shorthand(e) for e in c.exprs] for c in r.parsed.chains if c.ops] if r.parsed is not None else []


def _is_definition(c) -> bool:
    """A chain that may define: a bare name first, then ``=``, ``:=`` or ``\\equiv``."""
    return bool(c.ops) and c.ops[0] in DEFINING_OPS and isinstance(c.exprs[1], sp.Basic) \
        and definable(shorthand(c.exprs[0])) in ("symbol", "indexed", "function")


def _defining(r: Reading) -> list:
    """The (left, right) of every definition ``r`` writes."""
    return [(shorthand(c.exprs[0]), shorthand(c.exprs[1]))
            for c in (r.parsed.chains if r.parsed is not None else ()) if _is_definition(c)]


def _defines(r: Reading) -> bool:
    return bool(_defining(r))


def _name(lhs: sp.Basic) -> tuple:
    """What a definition defines: the name with its index letters (``δ_k`` and ``δ_j`` of two
    layers are two quantities, not one defined twice), a function by its name."""
    if isinstance(lhs, sp.Function):
        return (lhs.func.__name__,)
    return (key(lhs),) + tuple(str(i) for i in getattr(lhs, "indices", ()))


def _canonical(lhs: sp.Basic, rhs: sp.Basic) -> sp.Basic:
    """``rhs`` with its summation letters renamed in order of appearance: ``Σ_{k'} e^{u_{k'}}``
    and ``Σ_{k''} e^{u_{k''}}`` are one sum (a function's arguments are renamed too)."""
    free = list(lhs.args) if isinstance(lhs, sp.Function) else []
    bound = sorted(bound_symbols(rhs), key=lambda v: str(rhs).find(str(v)))
    names = {v: sp.Symbol(f"_letter{n}") for n, v in enumerate(x for x in free + bound if isinstance(x, sp.Symbol))}
    return rhs.xreplace(names)


def _redefined(members) -> bool:
    """Two sibling sections define one name differently."""
    seen: dict = {}
    for m in members:
        here = {}
        for r in m:
            for a, b in _defining(r):
                here.setdefault(_name(a), _canonical(a, b))
        for k, v in here.items():
            if k in seen and seen[k] != v:
                return True
            seen.setdefault(k, v)
    return False


def _uses(member: Sequence[Reading], common: Sequence[Reading]) -> tuple[set, set, set]:
    """What a section introduces (its definitions, on either side; its declarations; the text
    above that belongs to no sibling), what its claims use, and the names it defines."""
    introduced: set = set()
    used: set = set()
    defined: set = set()
    above = {id(r) for r in common}
    for r in list(member) + list(common):
        for c in (r.parsed.chains if r.parsed else ()):
            exprs = [shorthand(e) for e in c.exprs if isinstance(e, sp.Basic)]
            names = set().union(*(keys(e) for e in exprs)) if exprs else set()
            if id(r) in above or declares_real(c):
                introduced |= names
            elif _is_definition(c):  # the defined name and what it is defined from; the rest is claimed
                introduced |= keys(exprs[0]) | keys(exprs[1])
                defined |= keys(exprs[0])
                used |= set().union(*(keys(e) for e in exprs[2:]))
            elif c.ops:
                used |= names
    return introduced, used, defined


def _closed(members: Sequence[Sequence[Reading]], common: Sequence[Reading]) -> bool:
    """Every section introduces what its claims use, or uses it as a name no sibling defines
    (``H(u)`` of a lemma that never says what ``H`` is): none relies on a sibling's definitions."""
    facts = [_uses(m, common) for m in members]
    for n, (introduced, used, _defined) in enumerate(facts):
        others = set().union(*(f[2] for k, f in enumerate(facts) if k != n))
        if (used - introduced) & others:
            return False
    return True
