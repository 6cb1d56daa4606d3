"""Deciding a step entry by entry under the orientations a document leaves open
(checker/entry_claims.py): the rule for a step that fits only some of them."""

from __future__ import annotations

import pytest
import sympy as sp

from symbackprop.checker.entry_claims import Reading, _self_oriented
from symbackprop.checker.guards import Outcome

X, Y = sp.symbols("x y")


def _refuted(_a, _b) -> Outcome:
    return Outcome("refuted", "", "the two sides differ at the witness", "exact", {"values": {}})


@pytest.mark.parametrize("labels, tied, status", [
    (False, False, "refuted"),       # the other orientation does not fit: wrong either way
    (True, False, "refuted"),        # it does not fit through two layers of different widths
    (True, True, "inconclusive"),    # … which an activation layer ties: it may fit, and hold
])
def test_a_step_failing_where_it_fits_is_refuted_only_where_the_others_surely_do_not_fit(labels, tied, status):
    fits = Reading(X, Y, (), True)
    misfit = Reading(None, None, (), True, "the shapes do not fit", labels=labels)
    assert _self_oriented([fits], [fits, misfit], _refuted, tied).status == status


def test_a_step_read_through_a_convention_is_never_refuted_so():
    fits = Reading(X, Y, (), False)   # an upper-case matrix with its lower-case letter's entries
    misfit = Reading(None, None, (), True, "the shapes do not fit")
    assert _self_oriented([fits], [fits, misfit], _refuted, False).status == "inconclusive"
