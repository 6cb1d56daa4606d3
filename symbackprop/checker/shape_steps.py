"""Vector and matrix steps the scalar reading leaves open, refuted by the shapes of their named
vectors and matrices (:mod:`.shape_algebra`, with what the document says: :mod:`.shape_facts`).

One slip, one report: a step whose left side is the previous step's broken right side is
judged from the chain's start; a slip already reported (the same kind of product, sum or side
with the same shapes) refers to its first report.
"""

from __future__ import annotations

from typing import Callable, Optional, Sequence

import sympy as sp

from .component_facts import DocumentComponents
from .order import defined_twice, entrywise_offsets
from .entry_claims import ENTRIES, SHAPES_OF_ORIENTATION, decide_by_entries
from .guards import Outcome, open_
from .names import tex
from .matrix_updates import gradient_claim
from .shape_facts import ShapeFacts
from .update_forms import read_update
from .vector_definitions import of_another_line
from .updates import Updates

#: Open steps that may still be refuted by the shapes of their named vectors and matrices (a step
#: whose scalar reading ran out of time too: the shapes do not depend on it).
SHAPE_CATEGORIES = frozenset({"vector", "definition", "timed out"})
#: Open steps read entry by entry as well (their scalar reading stopped at a name, not at a vector).
ENTRY_CATEGORIES = SHAPE_CATEGORIES | {"undefined", "dependence", "loose", "update rule"}  # a matrix rule's gradient
SAME_COLUMNS = "column n of both sides through the written batch matrices, products in written order"
SHAPES_OF_NAMES = "shapes of the named vectors and matrices (widths of different layers may differ)"
COLUMNS = ("column n of both sides through the written batch matrices, read at width one (every vector "
           "and matrix with one entry), an instance of the claim")


def written_order(out: Outcome) -> bool:
    """Was ``out`` decided on the step read with its products in written order?"""
    return any(m in (out.method or "") for m in (SHAPES_OF_NAMES, COLUMNS, SAME_COLUMNS, ENTRIES, SHAPES_OF_ORIENTATION))


class ShapeSteps:
    """Shape refutations of one document's steps, each slip reported once."""

    def __init__(self, readings: Sequence, examples=None, updates: Optional[Updates] = None) -> None:
        self.readings, self.updates = readings, updates  # the update rules: their forms, their loss
        self.examples = examples  # the examples of a batch, where every quantity carries their index
        self._facts: Optional[ShapeFacts] = None
        self._components: Optional[DocumentComponents] = None
        self._slips: dict = {}  # (kind, shapes) → the line it was first refuted at

    @property
    def facts(self) -> ShapeFacts:
        """Read when a vector step first needs them."""
        if self._facts is None:
            self._facts = ShapeFacts(self.readings, self.examples)
        return self._facts

    @property
    def components(self) -> DocumentComponents:
        """Read when a vector step first needs them."""
        if self._components is None:
            self._components = DocumentComponents(self.readings, self.facts, self.examples)
        return self._components

    def decide(self, reading, chain: int, step: int, table,
               claim: Callable[[sp.Expr, sp.Expr], Optional[Outcome]], category: str = "vector") -> Optional[Outcome]:
        """Step ``step`` of chain ``chain`` (0-based) refuted by its shapes, or by one column at
        width one (decided by ``claim``, the walk's scalar decider), or None."""
        # the scalar reading's open steps (a vector, a definition, out of time) may fail by their
        # shapes; steps open for another reason (a dependence, an undefined name) are read entry by
        # entry only, where two layer labels tied by an activation layer are one width
        if category == "update rule":
            return self._update_rule(reading, chain, step, table, claim)
        why = self.facts.refutation(reading, chain, step, table) if category in SHAPE_CATEGORIES else None
        if category == "definition":  # its entries are claims only where another line defines them
            claim = of_another_line(claim, table, reading.fragment.line)
        if why is None:
            out = self._by_entries(reading, chain, step, table, claim)
            if out is not None and out.status != "inconclusive":
                return out
            return self._by_column(reading, chain, step, table, claim) or out
        reason = why.reason
        if step > 1 and why.reason.startswith("the left side has"):  # the previous step's right side
            why = self.facts.refutation(reading, chain, step, table, first=0)
            if why is None:
                return open_("follows", "refuted only through the step before: its left side is that "
                                        "step's right side, whose shapes do not fit", SHAPES_OF_NAMES)
            reason = f"from the chain's start: {why.reason}"
        line = reading.line_of(reading.parsed.chains[chain], step)
        seen = self._slips.setdefault(why.slip, line)
        if seen != line:
            return open_("follows", f"the same slip as at line {seen}: {reason}", SHAPES_OF_NAMES)
        return Outcome("refuted", "", reason, SHAPES_OF_NAMES)

    def after_erratum(self, reading, chain: int, step: int, table, out: Outcome, erratum: int) -> Optional[Outcome]:
        """A step refuted by the shapes of its names after an erratum of its chain, whose right
        side does not conflict in shape with the chain's start (``A = B = C`` with ``B`` the slip:
        ``B = C`` fails only because ``B`` does): one slip, one report.  None otherwise."""
        if out.method != SHAPES_OF_NAMES or self.facts.refutation(reading, chain, step, table, first=0):
            return None
        return open_("follows", f"refuted only through the erratum at line {erratum}: from the chain's start, "
                                "the shapes of its right side do not conflict", SHAPES_OF_NAMES)

    def _update_rule(self, reading, chain: int, step: int, table, claim: Callable) -> Optional[Outcome]:
        """A matrix update rule's first step ``W(τ+1) = W(τ) − \frac{η}{N} Yᵀ Δ``: the claim
        ``∂E/∂W = \frac{1}{N} Yᵀ Δ`` it makes, read entry by entry (:mod:`.matrix_updates`), or None."""
        exprs = reading.parsed.chains[chain].exprs if reading.parsed is not None else ()
        if self.updates is None or step != 1 or len(exprs) < 2:
            return None
        form, loss = read_update(exprs[0], exprs[1], self.updates.scan.labelled), self.updates.loss()
        parsed = self.facts.ordered(reading, form.read_in(reading.fragment.source)) if form and loss else None
        sides = parsed.chains[chain].exprs[:2] if parsed is not None and chain < len(parsed.chains) else ()
        claimed = gradient_claim(*sides, loss) if len(sides) == 2 and None not in sides else None
        out = self._by_entries(reading, chain, step, table, claim, claimed) if claimed else None
        if out is None or out.status == "inconclusive":
            return None
        says = f"the update rule says {tex(claimed[0])} = {tex(claimed[1])}"
        return Outcome(out.status, out.category, f"{says}: {out.reason}", out.method, out.witness)

    def _by_entries(self, reading, chain: int, step: int, table, claim: Callable,
                    sides: Optional[tuple] = None) -> Optional[Outcome]:
        """The step (or the claim ``sides`` it makes) read entry by entry in index notation
        (:mod:`.components`): decided, or None."""
        sides = sides or self.facts.sides(reading, chain, step)
        if sides is None or self.facts.states_entries(*sides):
            return None  # W = (w_{ij}): what the entries of W are, not a claim about them
        section = tuple(getattr(reading.fragment, "section", ()) or ())
        comps = self.components
        out = decide_by_entries(*sides, comps.resolver(section, table), claim, comps.vectors,
                                comps.allowed(section, table, reading), comps.batch, bool(entrywise_offsets(table, section)))
        twice = defined_twice(table) if out is not None and out.status == "refuted" and \
            out.method.endswith(ENTRIES) else {}
        resolve = comps.resolver(section, table)
        named = {s.name for e in sides for s in e.free_symbols} | {
            str(c.base.label) for e in sides for s in e.free_symbols for c in [resolve(s)] if c is not None}
        twice = {k: v for k, v in twice.items() if k in named}
        if twice:  # an entry refuted through a definition the document gives twice at one label
            names = ", ".join(tex(sp.Symbol(k)) for k in sorted(twice))
            lines = ", ".join(str(x) for k in sorted(twice) for x in twice[k])
            return open_("redefinition", f"{out.reason}; but the document defines {names} more than once at one "
                                         f"label (lines {lines}): which one the step means is not known")
        return out

    def _by_column(self, reading, chain: int, step: int, table, claim: Callable) -> Optional[Outcome]:
        if self.facts.same_columns(reading, chain, step, table):
            return Outcome("proved", "", "column n of both sides is one expression (products in written order)",
                           SAME_COLUMNS)
        sides = self.facts.columns(reading, chain, step, table)
        out = claim(*sides) if sides is not None else None
        if out is None or out.status != "refuted":
            return None
        return Outcome("refuted", out.category, f"column n of both sides: {out.reason}",
                       f"{out.method}; {COLUMNS}", out.witness, None)
