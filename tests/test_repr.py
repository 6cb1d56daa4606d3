"""Every public result type has a one-line ``repr`` and a ``_repr_latex_`` for Jupyter."""

from __future__ import annotations

from pathlib import Path

import pytest

from symbackprop.checker.results import ClaimResult, DocumentResult
from symbackprop.derive import derive
from symbackprop.model import Layer
from symbackprop.spec import load
from symbackprop.verdict import (Witness, inconclusive, latex_text, one_line, proved,
                                 refuted, report_latex, report_repr)

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def derivation():
    return derive(load(ROOT / "derivations/classification.toml"))


def _one_line(r: str, limit: int = 160) -> None:
    assert "\n" not in r and len(r) <= limit, r


def _latex(s: str) -> None:
    assert s.startswith("$") and s.endswith("$") and s.count("{") == s.count("}"), s


def test_network_and_layer(derivation) -> None:
    net = derivation.network
    assert repr(net) == ("Network('Classification: softmax + cross-entropy', l→m→n, sigmoid→softmax, "
                         "loss=cross_entropy)")
    _latex(net._repr_latex_())
    assert r"\delta" not in net._repr_latex_() and "E &= - \\sum_{k=1}^{n}" in net._repr_latex_()
    assert repr(net.layers[0]) == "<Layer i: l units, input>"
    assert repr(Layer(1, "k", "sigmoid", bias=False)) == "<Layer k: 1 unit, sigmoid, no bias>"
    for layer in net.layers:
        _latex(layer._repr_latex_())
    assert r"\sigma" in net.layers[1]._repr_latex_()


def test_derivation_types(derivation) -> None:
    d = derivation
    assert repr(d) == ("<Derivation 'Classification: softmax + cross-entropy': 2 layers, "
                       "loss=cross_entropy; δ_k = y_k − t_k>")
    ld = d.layer(2)
    assert repr(ld) == "<LayerDerivation layer 2: delta, weight, bias, input; 5 lemmas>"
    assert repr(ld.delta) == "<Result delta, layer 2: δ⁽²⁾_k = y⁽²⁾_k − t_k (6 steps)>"
    assert repr(ld.delta.steps[-1]) == "<Step assumption: targets_sum_to_one: y⁽²⁾_k − t_k>"
    assert repr(d.assumptions[0]) == "<Assumption targets_sum_to_one: Σ_{k=1}^{n} t_k = 1>"
    for obj in (d, ld, ld.delta, ld.delta.steps[1], d.assumptions[0]):
        _one_line(repr(obj))
        _latex(obj._repr_latex_())
    assert r"\text{(chain rule" in ld.delta._repr_latex_()
    assert ld.delta._repr_latex_().count("&=") == len(ld.delta.steps)


def test_verdicts() -> None:
    assert repr(proved("randomized exact, error ≤ 1e-30")) == "<Verdict proved: randomized exact, error ≤ 1e-30>"
    w = Witness({"t": "2", "y": "-15/2"}, "-19/2", "-11/2")
    v = refuted(w, "symbolic", reason="the sides differ", expected="y - t")
    assert repr(v) == "<Verdict refuted: the sides differ; witness t=2, y=-15/2>"
    assert repr(w) == "<Witness t=2, y=-15/2: lhs -19/2 ≠ rhs -11/2>"
    assert repr(inconclusive("timed out after 5 s")) == "<Verdict inconclusive: timed out after 5 s>"
    long = inconclusive("x" * 300)
    _one_line(repr(long), 110)
    for verdict in (v, long, proved("exact")):
        _latex(verdict._repr_latex_())
    assert r"\textbf{refuted}" in v._repr_latex_() and "expected: y - t" in v._repr_latex_()
    assert latex_text("a_b & 50% {x}") == r"\text{a\_b \& 50\% \{x\}}"
    assert one_line("a\n  b", 10) == "a b" and one_line("abcdefghijk", 5) == "abcd…"


def test_check_results() -> None:
    c = ClaimResult(line=12, end_line=12, source=r"\sigma'(u) = \sigma(u)", chain=0, step=0,
                    relation="=", statement=r"\frac{d}{du} \sigma(u) = \sigma(u)", status="refuted",
                    reason="the two sides differ", witness={"values": {"u": "0"}}, expected="σ(1 − σ)")
    assert repr(c) == r"<ClaimResult line 12 refuted (the two sides differ): \sigma'(u) = \sigma(u)>"
    _latex(c._repr_latex_())
    assert "witness: u = 0" in c._repr_latex_()
    doc = DocumentResult("notes.md", fragments=2, parsed=2, claims=(c,))
    assert repr(doc) == "<DocumentResult 'notes.md': 1 claims, 0 proved, 1 refuted, 0 inconclusive; 2 fragments>"
    _latex(doc._repr_latex_())


def test_report_helpers(derivation) -> None:
    """report_repr / report_latex take any object shaped like verify's VerificationReport."""
    from types import SimpleNamespace

    checks = (SimpleNamespace(layer=2, quantity="delta", verdict=proved("exact")),
              SimpleNamespace(layer=2, quantity="delta", verdict=proved("exact")))
    report = SimpleNamespace(title="Regression", sizes=(3, 2, 3), checks=checks, seconds=1.23,
                             verdict=proved("exact"))
    assert report_repr(report) == "<SimpleNamespace 'Regression': proved, 2 entries at sizes (3, 2, 3) in 1.2 s>"
    _latex(report_latex(report))
    assert r"2 & \text{delta} & 2 & \text{proved}" in report_latex(report)


def test_a_verification_report_is_short_and_typesets():
    import symbackprop as sb

    r = sb.verify(sb.load(Path(__file__).resolve().parents[1] / "derivations" / "perceptron.toml"))
    assert repr(r).startswith("<VerificationReport ") and "proved" in repr(r) and "\n" not in repr(r)
    assert r._repr_latex_().startswith("$") and "layer" in r._repr_latex_()
