"""LaTeX → MathML: every construct our printer writes converts to well-formed MathML Core."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

pytest.importorskip("latex2mathml", reason="latex2mathml is not installed (pip install latex2mathml)")

from symbackprop.render.mathml import MathMLError, to_mathml  # noqa: E402

NS = "{http://www.w3.org/1998/Math/MathML}"

# (LaTeX, an element or text the MathML must contain)
CASES = [
    (r"\frac{\partial E}{\partial w_{jk}}", "mfrac"),
    (r"\sum_{k=1}^{n} \delta_{k} w_{jk}", "munderover"),
    (r"\left(- \sum_{k'=1}^{n} t_{k'}\right)", "munderover"),  # limits stay under/over inside fences
    (r"\left(\frac{a}{b}\right)", 'stretchy="true"'),
    (r"\sigma\left(u_{j}\right)", 'stretchy="false"'),  # nothing tall: plain parentheses
    (r"A \odot B", "\u2299"),
    (r"\operatorname{ReLU}\left(u_{k}\right)", "<mi>ReLU</mi>"),
    (r"{\Delta^{(1)}}^{\top} \mathbf{1}", "\U0001D7CF"),  # bold 1 as a character
    (r"{Y^{(2)}}^{\top} {\Delta^{(3)}}", "\u22a4"),
    (r"y_{k'} \left([k = k'] - y_{k}\right)", "<mi>k</mi><mi>\u2032</mi>"),  # flat prime
    (r"e^{u_{k''}}", "\u2033"),
    (r"\sum_{k'=1}^{n} t_{k'} [k = k']", '<mo stretchy="false">[</mo>'),  # Iverson bracket
    (r"\tanh^{2}{\left(u_{j} \right)}", "tanh"),
    (r"t_{k} \log y_{k}", "mspace"),  # thin space after log
    (r"\mathrm{id}", "mathvariant"),
    (r"{\Delta^{(1)}} {W^{(1)}}^{\top}", 'mathvariant="normal">\u0394'),  # capital Greek upright
    (r"1 - \tanh^{2}{\left(u_{j} \right)}", "<msup><mi>tanh</mi>"),
]

ARITY = {"msup": 2, "msub": 2, "mfrac": 2, "munder": 2, "mover": 2, "msubsup": 3, "munderover": 3}


@pytest.mark.parametrize("latex, needle", CASES)
def test_converts(latex, needle):
    out = to_mathml(latex)
    root = ET.fromstring(out)
    assert root.tag == NS + "math"
    assert root.get("displaystyle") == "true"
    assert needle in out
    for el in root.iter():  # the passes keep every script element's arity
        tag = el.tag.replace(NS, "")
        assert len(el) == ARITY.get(tag, len(el)), (tag, out)


def test_display_formula_is_a_block():
    root = ET.fromstring(to_mathml(r"E = \frac{1}{2} \sum_{k} (y_{k} - t_{k})^{2}", display=True))
    assert root.get("display") == "block"


def test_unsupported_latex_is_a_clear_error():
    with pytest.raises(MathMLError, match="MathML"):
        to_mathml(r"\begin{aligned} a &= b \end{aligned}")
