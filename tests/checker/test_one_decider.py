"""One decider: every claim gets the same verdict from ``check``, ``prove --claim`` and ``prove()``.

The table holds true, false, kinked and undefined claims.  The rows marked ``KNOWN`` still
disagree (the document checker reads them with a document's benefit of the doubt that the
bare prover does not give yet); they are xfail so the table shows them, not hides them.
"""

import contextlib
import io

import pytest

from symbackprop import cli
from symbackprop.checker import PARSE_OPTIONS, check_claim
from symbackprop.latex.parse import parse_math
from symbackprop.prove import prove

CLAIMS = [
 # true
 r"\frac{d}{dx} x^2 = 2x",
 r"\frac{d}{dx} \sigma(x) = \sigma(x)(1-\sigma(x))",
 r"\frac{d}{dx} \tanh(x) = 1 - \tanh^2(x)",
 r"\frac{\partial}{\partial y} \frac{1}{2}(y-t)^2 = y - t",
 r"\frac{d}{dx} e^{2x} = 2 e^{2x}",
 r"\frac{d}{dx} \log x = \frac{1}{x}",
 r"(a+b)^2 = a^2 + 2ab + b^2",
 r"\frac{\partial}{\partial w} (w x + b) = x",
 r"\frac{\partial}{\partial b} \sigma(w x + b) = \sigma(w x + b)(1 - \sigma(w x + b))",
 r"\sum_{k=1}^{n} (a_k + b_k) = \sum_{k=1}^{n} a_k + \sum_{k=1}^{n} b_k",
 r"\frac{\partial}{\partial y_j} \frac{1}{2}\sum_{k=1}^{n}(y_k - t_k)^2 = y_j - t_j",
 r"\sum_{k=1}^{n} \delta_{jk} a_k = a_j",
 r"\frac{d}{dx} \frac{1}{1+e^{-x}} = \frac{e^{-x}}{(1+e^{-x})^2}",
 r"\frac{1}{2}(2a - 2b) = a - b",
 r"3 \times 11 + 2 = 35",
 r"\frac{d}{dx} \sin(x) \cos(x) = \cos^2(x) - \sin^2(x)",
 r"\frac{\partial}{\partial u} \log(1 + e^{u}) = \sigma(u)",
 r"\frac{d}{dx}\left(a|x|\right) = a \operatorname{sign}(x) + 0",
 # false
 r"\frac{d}{dx} x^2 = x",
 r"\frac{d}{dx} \sigma(x) = \sigma(x)(1+\sigma(x))",
 r"\frac{d}{dx} \tanh(x) = 1 + \tanh^2(x)",
 r"\frac{\partial}{\partial y} \frac{1}{2}(y-t)^2 = t - y",
 r"\frac{1}{2}(2a - 2b) = \frac{1}{2}(a - b)",
 r"(a+b)^2 = a^2 + b^2",
 r"\frac{d}{dx} \log x = x",
 r"\frac{\partial}{\partial w} (w x + b) = w",
 r"\sum_{k=1}^{n} a_k b_k = \sum_{k=1}^{n} a_k \sum_{k=1}^{n} b_k",
 r"3 \times 11 + 2 = 33",
 r"\frac{d}{dx} e^{2x} = e^{2x}",
 r"\frac{\partial}{\partial y_j} \frac{1}{2}\sum_{k=1}^{n}(y_k - t_k)^2 = y_j + t_j",
 r"2 + 2 = 5",
 r"\frac{d}{dx} \sin(x) = -\cos(x)",
 # kinked
 r"\frac{\partial}{\partial x}\left(a|x|\right)=a\operatorname{sign}(x)",
 r"\frac{d}{dx} |x| = \operatorname{sign}(x)",
 r"\frac{d}{dx} \max(0, x) = \operatorname{H}(x)",
 r"\frac{d}{dx} |x| = 1",
 r"\frac{d}{dx} |x - 1| = \operatorname{sign}(x - 1)",
 # undefined dependence
 r"\frac{\partial E}{\partial w} = 0",
 r"\frac{\partial E}{\partial w} = \frac{\partial E}{\partial w}",
 r"\frac{\partial E}{\partial y} \frac{\partial y}{\partial w} = \frac{\partial E}{\partial w}",
 r"\frac{\partial E^2}{\partial w} = 0",
 r"\frac{\partial}{\partial w} (E + 1) = \frac{\partial E}{\partial w}",
]

KNOWN: dict = {}  # every row agrees


def by_check(latex):
    (r,) = check_claim(latex, timeout=5.0)
    return r.status


def by_cli(latex):
    with contextlib.redirect_stdout(io.StringIO()):
        code = cli.main(["prove", "--claim", latex, "--format", "json", "--timeout", "5"])
    return {0: "proved", 1: "refuted", 3: "inconclusive"}[code]


def by_prove(latex):
    chain = parse_math(latex, PARSE_OPTIONS).chains[0]
    return prove(chain.exprs[0], chain.exprs[1], timeout=5.0).status.value


def test_the_table_is_large_and_mixed():
    assert len(CLAIMS) >= 40


@pytest.mark.parametrize("latex", [pytest.param(c, marks=pytest.mark.xfail(reason=KNOWN[c], strict=True))
                                   if c in KNOWN else c for c in CLAIMS])
def test_every_route_gives_the_same_verdict(latex):
    a, b, c = by_check(latex), by_cli(latex), by_prove(latex)
    assert a == b == c, (a, b, c)
