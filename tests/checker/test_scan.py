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


def _layered(defs):
    import sympy as sp
    from symbackprop.checker.scan import _returns_with_other_letters
    y, u, w, b = (sp.IndexedBase(n) for n in "yuwb")
    j, k, m = sp.symbols("j k m", integer=True)
    table = {"u_k": (u[k], b[k] + sp.Sum(w[j, k] * y[j], (j, 1, m))), "y_k": (y[k], u[k]),
             "u_k same letter": (u[k], b[k] + sp.Sum(w[k, k] * y[k], (k, 1, m)))}
    return _returns_with_other_letters([table[d] for d in defs])


def test_definitions_that_return_with_another_letter_name_layers():
    """y_k := u_k, u_k := Σ_j y_j w_jk + b_k: the output y is computed from the hidden y."""
    assert _layered(["u_k", "y_k"])
    assert not _layered(["u_k"]) and not _layered(["y_k"])


def test_an_implied_definition_makes_a_letter_layered_document():
    doc = ("$$\\frac{\\partial u_k}{\\partial w_{jk}} = \\frac{\\partial}{\\partial w_{jk}}"
           "\\left(\\sum_{q=1}^{m} y_q w_{qk} + b_k\\right)$$\n\n"
           "$$\\frac{\\partial y_k}{\\partial u_k} = \\frac{\\partial u_k}{\\partial u_k}$$\n\n"
           "$$b_k + \\sum_{j=1}^{m} w_{jk} y_j = y_k$$\n")
    (c,) = [c for c in check_text(doc, timeout=5.0).claims if c.line == 5]
    assert c.status == "proved", c.reason     # without letters: "the definitions keep expanding"
