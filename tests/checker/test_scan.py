"""What the document scan reads before any claim (checker/scan.py)."""

from symbackprop.checker import check_text


def test_a_size_given_a_value_later_defines_nothing_later():
    """'Sizes checked: n = 3' at the end (our reports write it) is a case, like the walk reads
    it; were it a later definition, the wrong step above could not be refuted."""
    doc = ("$$E = \\sum_{k=1}^{n} y_k^2$$\n\n"
           "$$\\frac{\\partial E}{\\partial y_k} = y_k$$\n\n"
           "Sizes checked: $n = 3$\n")
    (c,) = [c for c in check_text(doc, timeout=5.0).claims if c.line == 3]
    assert c.status == "refuted", c.reason


def test_an_iverson_bracket_beside_an_error_signal_is_no_ambiguous_delta():
    """δ_k is the error signal and [k = k'] the Kronecker delta: only a written δ with two
    indices beside δ with one is ambiguous."""
    doc = ("$$\\delta_k = y_k - t_k$$\n\n"
           "$$\\sum_{k'=1}^{n} a_{k'} [k = k'] = 2 a_k$$\n")
    (c,) = [c for c in check_text(doc, timeout=5.0).claims if c.line == 3]
    assert c.status == "refuted", c.reason


def test_a_written_two_index_delta_beside_the_error_signal_stays_ambiguous():
    doc = ("$$\\delta_k = y_k - t_k$$\n\n"
           "$$\\sum_{k'=1}^{n} a_{k'} \\delta_{kk'} = 2 a_k$$\n")
    (c,) = [c for c in check_text(doc, timeout=5.0).claims if c.line == 3]
    assert c.status != "refuted"
