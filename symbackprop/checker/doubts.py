"""Doubts: what the document leaves open for one step, and what that forbids.

A doubt is ``(category, text, blocks_proof)``.  Any doubt forbids a refutation (the
document may have meant something under which the step holds); a doubt that blocks
proof forbids a proof too (the step as read is not the step as meant).  A reading that is
an *instance* of the claim (vectors at width one, :mod:`.width_one`) forbids a proof only:
what fails in an instance fails in the claim (a proof of the instance proves the claim only
where the reading itself allowed one: entrywise, without products of vectors).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Optional

import sympy as sp

from .results import CATEGORIES

if TYPE_CHECKING:
    from .scan import DocumentScan
    from .table import SymbolTable


@dataclass
class Doubts:
    """What the document leaves open for one step, and what it forbids (a proof, a refutation)."""

    items: list = field(default_factory=list)  # (category, text, blocks_proof)
    assumed: list = field(default_factory=list)  # what the verdict rests on beyond the document
    instance: list = field(default_factory=list)  # doubts of a reading that is an instance of the step
    instance_note: str = ""  # what a refutation in that instance says it rests on

    def add(self, category: str, text: str, blocks_proof: bool = False) -> None:
        if (category, text, blocks_proof) not in self.items:
            self.items.append((category, text, blocks_proof))

    def undefined_names(self) -> list[str]:
        """The quantities used but defined nowhere (``E``), not those defined only later."""
        return [t for c, t, b in self.items if c == "undefined" and not b and "(" not in t]

    @property
    def blocks_refutation(self) -> bool:
        return bool(self.items)

    @property
    def blocks_proof(self) -> bool:
        return any(b for _c, _t, b in self.items + self.instance)

    def _all(self) -> list:
        return self.items + self.instance

    def category(self) -> str:
        """The most telling category; one that forbids a proof first."""
        order = {c: n for n, c in enumerate(CATEGORIES)}
        items = [i for i in self._all() if i[2]] or self.items
        return min((c for c, _t, _b in items), key=lambda c: order.get(c, 99))

    def notes(self, refuted: bool = False) -> str:
        """What a verdict rests on beyond the document, as ``; …`` clauses for its method (a
        refutation also names the instance it was found in)."""
        return "".join(f"; {x}" for x in [*self.assumed, *([self.instance_note] if refuted and self.instance else [])])

    def reason(self) -> str:
        undefined = [t for c, t, _b in self.items if c == "undefined"]
        parts = []
        if undefined:
            parts.append("depends on " + ", ".join(dict.fromkeys(undefined)) + ", not defined")
        order = {c: n for n, c in enumerate(CATEGORIES)}
        rest = sorted(((c, t, b) for c, t, b in self._all() if c != "undefined"),
                      key=lambda ctb: (not ctb[2], order.get(ctb[0], 99)))
        rest = [(c, t) for c, t, _b in rest]
        parts += list(dict.fromkeys(t for _c, t in rest))
        return "; ".join(parts[:3])


@dataclass(frozen=True)
class Step:
    """One step as the doubt rules see it: as written (``a``, ``b``), with the definitions in
    force put in (``lhs``, ``rhs``), in its display (``source``) and document."""

    a: sp.Expr
    b: sp.Expr
    lhs: sp.Expr
    rhs: sp.Expr
    source: str
    scan: "DocumentScan"
    table: "SymbolTable"
    defined_later: Callable[[str], Optional[int]]
    function_letters: frozenset
