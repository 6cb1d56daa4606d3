"""Functions a document names in its prose (checker/named_functions.py), and the exclusions it
states (``u \\neq 0``: checker/relations.py ``stated_exclusion``)."""

from __future__ import annotations

import pytest

from symbackprop.checker import check_text
from symbackprop.checker.named_functions import declared
from symbackprop.latex.extract import extract

RELU = "$$\\frac{d}{du} \\operatorname{ReLU}(u) = H(u)$$\n"


@pytest.mark.parametrize("prose", [
    "Let $u \\neq 0$, where $H$ is the Heaviside step function.",
    "Let $u \\neq 0$. The Heaviside step function $H(u)$ is its derivative.",
    "Let $u \\neq 0$. We write $H$ for the unit step.",
    "$u \\neq 0$ とし、$H$ はヘヴィサイドの階段関数とする。",
])
def test_a_letter_named_the_heaviside_step_in_prose_is_that_function(prose):
    assert declared(extract(prose + "\n\n" + RELU, "markdown")) == (("H", "heaviside"),)
    (c,) = [c for c in check_text(prose + "\n\n" + RELU).claims if c.line == 3]
    assert c.status == "proved", (c.status, c.reason)


@pytest.mark.parametrize("prose", [
    "Let $u \\neq 0$, where $H$ is a step function.",  # which step? (the perceptron's is ±1)
    "Let $u \\neq 0$. The Heaviside step function is named after Oliver Heaviside. Write $H$ for the entropy.",
    "Let $u \\neq 0$.",
])
def test_without_a_sentence_naming_the_function_h_of_u_stays_a_possible_product(prose):
    assert declared(extract(prose + "\n\n" + RELU, "markdown")) == ()
    (c,) = [c for c in check_text(prose + "\n\n" + RELU).claims if c.line == 3]
    assert c.status == "inconclusive" and "function application" in c.reason, (c.status, c.reason)


def test_a_greek_letter_may_be_named_too():
    doc = "Let $u \\neq 0$ and $\\theta$ the Heaviside function.\n\n$$\\frac{d}{du} \\max(0, u) = \\theta(u)$$\n"
    assert declared(extract(doc, "markdown")) == (("theta", "heaviside"),)
    assert check_text(doc).claims[-1].status == "proved"


def test_a_wrong_derivative_through_the_named_function_is_refuted():
    doc = "Let $u \\neq 0$, where $H$ is the Heaviside step function.\n\n" \
          "$$\\frac{d}{du} \\operatorname{ReLU}(u) = H(-u)$$\n"
    assert check_text(doc).claims[-1].status == "refuted"


def test_the_step_at_zero_is_not_read():
    """H(0) is 0, ½ or 1 by the text's convention: no value to decide with."""
    r = check_text("$$H(0) = 0$$ where $H$ is the Heaviside step function.")
    assert not [c for c in r.claims if c.status != "inconclusive"]
    assert any("convention" in u["reason"] for u in r.unparsed), r.unparsed


def test_a_stated_exclusion_holds_in_its_section_only():
    """``u ≠ 0`` stated in a section removes the kink of ReLU′ for its claims; in a sibling
    section the derivative at u = 0 does not exist, and the claim says so."""
    doc = ("$H$ is the Heaviside step function.\n\n## Off the kink\n\nAssuming: $u \\neq 0$\n\n" + RELU
           + "\n## Elsewhere\n\n" + RELU)
    claims = [c for c in check_text(doc).claims if "ReLU" in c.statement]
    assert [c.status for c in claims] == ["proved", "inconclusive"], [(c.status, c.reason) for c in claims]
    assert "kink" in claims[1].reason


@pytest.mark.parametrize("setting", ["", "Assuming: $u \\neq 0$\n\n"])
def test_a_step_that_holds_only_for_one_value_at_zero_is_not_proved(setting):
    """H(u) + H(−u) = 1 holds for H(0) = ½ (SymPy's value) and fails for 0 or 1, which other
    texts take: it was proved.  Re-proved at 0 and at 1 (relations.at_every_convention), it is
    not; a step true under every convention still is."""
    doc = "$H$ is the Heaviside step function.\n\n" + setting
    wrong = check_text(doc + "$$H(u) + H(-u) = 1$$\n").claims[-1]
    assert wrong.status == "inconclusive" and "convention" in wrong.reason, (wrong.status, wrong.reason)
    assert check_text(doc + "$$H(u) w = w H(u)$$\n").claims[-1].status == "proved"
