"""Sections in the checker: which definitions are in force where (checker/scopes.py), a shape
stated at a shifted general label (shape_facts.ShapeFacts.stated), a name declared a real number
in one section (scan.DocumentScan.scalar_in)."""

from __future__ import annotations

import pytest
import sympy as sp

from symbackprop.checker import check_text
from symbackprop.checker.labels import general_label
from symbackprop.checker.scopes import in_force
from symbackprop.checker.table import Definition

E, Y, T = sp.symbols("E y t")
NET, LOSS, GRADIENT, ASIDE = ("Net",), ("Net", "Loss"), ("Net", "Gradient"), ("Net", "Loss", "Example")


def _d(rhs: sp.Expr, line: int, section: tuple, shape: str = "symbol") -> tuple:
    return (("symbol", "E"), Definition(E, rhs, line, shape, (), section))


HISTORY = [_d((Y - T) ** 2 / 2, 3, LOSS), _d(Y ** 3, 7, ASIDE)]


@pytest.mark.parametrize("history, section, rhs", [
    ([_d((Y - T) ** 2 / 2, 3, LOSS)], GRADIENT, (Y - T) ** 2 / 2),  # the loss of a sibling section
    (HISTORY, ASIDE, Y ** 3),                                          # the aside's own E there
    (HISTORY, GRADIENT, None),                                         # after the aside: neither is sure
    (HISTORY, LOSS, None),
    (HISTORY + [_d(-T * sp.log(Y), 9, ("Net", "Classification"))], GRADIENT, -T * sp.log(Y)),  # a later section's
    ([_d((Y - T) ** 2, 3, LOSS), _d(Y ** 3, 5, NET)], GRADIENT, Y ** 3),  # one from above replaces it
    ([_d((Y - T) ** 2, 3, ()), _d(Y ** 3, 5, ())], (), Y ** 3),        # no headings: document order
])
def test_a_definition_holds_in_later_sections_and_an_asides_redefinition_in_its_subsection(history, section, rhs):
    """A definition holds from where it is stated on, in later sections too, until the name is
    defined again; a redefinition in a deeper section holds there only, and after it the name
    is defined nowhere (the aside's meaning would leak, the old one may be stale)."""
    d = in_force(history, section).get(("symbol", "E"))
    assert (d.rhs if d is not None else None) == rhs


SIBLINGS = r"""# Net

## Loss

$$E = \frac{1}{2} (y - t)^{2}$$

## Gradient

$$\frac{\partial E}{\partial y} = y - t$$

### Example

$$E = y^{3}$$

$$\frac{\partial E}{\partial y} = 3 y^{2}$$

## Output

$$\frac{\partial E}{\partial y} = y - t$$
"""


def test_a_loss_defined_in_one_section_is_the_loss_of_the_sections_after_it():
    """Kept in its own section (the first design), E was undefined under "Gradient" (23 of the
    106 claims of nn-backprop-ja.md); an aside's E = y³ holds in its subsection, and does not
    leak into "Output" (read in document order, ∂E/∂y = y − t was refuted there by E = y³)."""
    claims = [c for c in check_text(SIBLINGS).claims if c.category not in ("definition", "redefinition")]
    assert [(c.line, c.status) for c in claims] == [(9, "proved"), (15, "proved"), (19, "inconclusive")], \
        [(c.line, c.status, c.reason) for c in claims]


@pytest.mark.parametrize("name, general", [
    ("W^{l}", True), ("W^{l+1}", True), ("W^{(l-1)}", True), ("W^{2}", False), ("W^{L}", False),
    ("W^{l+m}", False), ("W", False),
])
def test_a_general_label_may_be_shifted(name: str, general: bool):
    assert general_label(name) is general


SHIFTED_STATEMENT = r"""# Layers

## Setup

$$u^{l}_{k} = \sum_{j=1}^{n_{l-1}} y^{l-1}_{j} w^{l}_{jk}$$

## Vectors

For $l \neq L$ let $W^{l+1} = (w^{l+1}_{ij})_{ij}$ be the weight matrix.

$$\bm{u}^{l} = W^{l}\bm{y}^{l-1}$$

# Batches

## Forward

Here $W^{l} = (w^{l}_{ij})_{ij}$ again.
"""


def test_a_shape_stated_at_a_shifted_general_label_holds_at_every_label():
    r"""``W^{l+1} = (w^{l+1}_{ij})_{ij}`` (for every l) orients ``W^{l}`` in its section: the
    erratum ``u^{l} = W^{l} y^{l-1}`` (it is ``(W^{l})^{T} y^{l-1}``) is refuted by its shapes.
    Read only at its own label, W^{l} had no statement in force there once the later part's
    was scoped to its own section, and nn-backprop-ja.md's copy of this erratum was proved."""
    (c,) = [c for c in check_text(SHIFTED_STATEMENT).claims if c.line == 11]
    assert c.status == "refuted", (c.status, c.reason)


LATER_PART = r"""# Part 1

## Setup

$$u^{l}_{k} = \sum_{j=1}^{n_{l-1}} y^{l-1}_{j} w^{l}_{jk}$$

## Vectors

Let $W^{l} = (w^{l}_{ij})_{ij}$ be the weight matrix.

# Part 2

## Forward

$$\bm{u}^{l} = W^{l}\bm{y}^{l-1}$$
"""


def test_a_statement_of_a_matrixs_entries_holds_in_the_later_parts_of_the_document():
    r"""``W^{l} = (w^{l}_{ij})_{ij}`` made under "Part 1" still says what W^{l}'s entries are
    under "Part 2": a matrix's entries are a layer's quantities (``scopes.LASTING``).  Kept in
    its own part, the erratum ``u^{l} = W^{l} y^{l-1}`` below was left open (nn-backprop-ja.md's
    fully connected section lost its statement the same way)."""
    (c,) = [c for c in check_text(LATER_PART).claims if c.line == 15]
    assert c.status == "refuted", (c.status, c.reason)
