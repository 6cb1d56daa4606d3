"""Inequalities (checker/inequalities.py): proved by sign rules, never refuted."""

from __future__ import annotations

import pytest

from symbackprop.checker import check_text

SETTING = "Let $u \\in \\mathbb{R}$.\n\n"


def _status(formula: str) -> tuple[str, str]:
    c = check_text(SETTING + f"$${formula}$$\n").claims[-1]
    return c.status, c.reason


@pytest.mark.parametrize("formula", [
    r"\left(\sigma(u) - \frac{1}{2}\right)^{2} \ge 0",  # the vanishing-gradient remark's fact
    r"0 \le e^{u}",
    r"\left(\sigma(u) - \frac{1}{2}\right)^{2} + 1 \geq 1",
])
def test_an_inequality_the_sign_rules_show_is_proved(formula):
    assert _status(formula)[0] == "proved"


@pytest.mark.parametrize("formula", [
    r"\left(\sigma(u) - \frac{1}{2}\right)^{2} \le 0",  # false
    r"\sigma(u) \le 0",                                 # false
    r"\sigma(u) (1 - \sigma(u)) \le \frac{1}{4}",      # true, beyond the sign rules
])
def test_an_inequality_they_do_not_show_is_left_open_never_refuted(formula):
    """The sign decider's counterexamples give σ(u) a free value: no witness is trusted."""
    status, reason = _status(formula)
    assert status == "inconclusive" and "sign rules" in reason, (status, reason)


def test_a_strict_inequality_is_not_checked():
    assert _status(r"e^{u} > 0") == ("inconclusive", "an inequality is not checked")


def test_the_definitions_in_force_are_put_in():
    doc = SETTING + "$$v = \\left(\\sigma(u) - \\frac{1}{2}\\right)^{2}$$\n\n$$v \\ge 0$$\n\n$$w \\ge 0$$\n"
    claims = check_text(doc).claims
    assert [c.status for c in claims[-2:]] == ["proved", "inconclusive"]


def test_a_sum_of_squares_over_a_layer_is_nonnegative():
    """SymPy's sign rules do not look inside a Sum: ``E ≥ 0`` for ``E = ½ Σ_k (y_k − t_k)²`` was open."""
    doc = "$$E = \\frac{1}{2} \\sum_{k=1}^{n} (y_{k} - t_{k})^{2}$$\n\n$$E \\ge 0$$\n\n$$-E \\ge 0$$\n"
    assert [c.status for c in check_text(doc).claims[1:]] == ["proved", "inconclusive"]


def test_a_sum_over_a_reversed_range_is_not_taken_for_nonnegative():
    """Σ_{k=3}^{1} y_k² is −y_2² (Karr's convention, as SymPy sums): not ≥ 0."""
    assert _status(r"\sum_{k=3}^{1} y_{k}^{2} \ge 0")[0] == "inconclusive"


def test_a_proof_that_rests_on_a_logarithm_being_real_says_so():
    """log(y) + y ≥ log(y) is shown for y > 0 only (where log y is real), as an equality's proof says."""
    c = check_text("$$\\log(y) + y \\ge \\log(y)$$\n").claims[-1]
    assert c.status == "proved" and "for y > 0, where the logarithms are real" in c.method, c.method
