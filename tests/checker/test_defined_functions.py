"""A function the document defines (``f(x) = tanh(x)``, after a forward pass written with a
general ``f``) is one function in every part of a claim's expansion: in the definitions put in
alike on both sides at another layer's label (``SymbolTable.deepen``: ``y^{(L-1)}_i`` →
``f(u^{(L-1)}_i)``) as everywhere else.  With ``f`` left unknown there and ``tanh`` elsewhere, a
witness chose a polynomial for ``f`` and refuted the correct ``∂E/∂w^{(l)}_{ij} = δ^{(l)}_j
y^{(l-1)}_i`` at ``l = L`` (a mini-batch derivation that fixes its activation late)."""

from types import SimpleNamespace

import pytest
import sympy as sp
from sympy.core.function import AppliedUndef

from symbackprop.checker import check_text, walk
from symbackprop.checker.doubt_rules import related_unknowns

#: A general layer with a generic activation f, a loss at the output layer L, then f fixed.
NETWORK = (
    "$$u^{(l)}_{j} = \\sum_i y^{(l-1)}_{i} w^{(l)}_{ij} + b^{(l)}_j$$\n\n"           # line 1
    "$$y^{(l)}_{j} = f(u^{(l)}_{j})$$\n\n"                                            # line 3
    "$$E = \\frac{1}{2} \\sum_k (y^{(L)}_{k} - t_{k})^2$$\n\n"                         # line 5
    "The error is $\\delta^{(l)}_{j} = \\frac{\\partial E}{\\partial u^{(l)}_{j}}$.\n\n"  # line 7
    "$$f(x) = \\tanh(x)$$\n\n"                                                         # line 9
)
AT_THE_TOP = "$$\\frac{\\partial E}{\\partial w^{(L)}_{ij}} = y^{(L-1)}_{i} \\delta^{(L)}_{j}$$\n"  # line 11


def _functions(e: sp.Basic) -> set:
    return {x.func.__name__ for x in e.atoms(AppliedUndef)}


def test_no_decided_step_keeps_the_function_the_document_defines(monkeypatch):
    """Every step handed to the prover sees tanh wherever f stood (it had kept f(u^{(L-1)}_i),
    put in by deepen inside u^{(L)}, beside tanh(u^{(L)}) — and was refuted with f a cubic)."""
    decided = []
    original = walk.Checker._decide

    def recording(self, lhs, rhs, *args):
        decided.append((lhs, rhs))
        return original(self, lhs, rhs, *args)

    monkeypatch.setattr(walk.Checker, "_decide", recording)
    (claim,) = [c for c in check_text(NETWORK + AT_THE_TOP, timeout=2.0).claims if c.line == 11]
    assert decided, "the step was never decided"
    assert not [s for s in decided if "f" in _functions(s[0]) | _functions(s[1])]
    assert claim.status != "refuted", (claim.reason, claim.witness)


def test_a_defined_function_left_in_a_step_forbids_a_refutation():
    """The invariant behind the fix: a prepared step that still applies a function of the
    definitions in force (a path that put a body in without it) is not refuted — a witness
    would give f a value of its own."""
    from symbackprop.checker.table import SymbolTable

    x, u = sp.Symbol("x"), sp.Symbol("u")
    f = sp.Function("f")
    table = SymbolTable()
    table.define(f(x), sp.tanh(x), 9)
    step = SimpleNamespace(lhs=f(u) + sp.tanh(u), rhs=2 * sp.tanh(u), table=table)
    doubts = list(related_unknowns(step))
    assert doubts and doubts[0][0] == "function" and doubts[0][2] is False  # blocks the refutation only
    assert not list(related_unknowns(SimpleNamespace(lhs=sp.tanh(u), rhs=sp.tanh(u), table=table)))
    assert not list(related_unknowns(SimpleNamespace(lhs=sp.Function("g")(u), rhs=u, table=table)))


@pytest.mark.slow
def test_a_wrong_layer_in_the_general_gradient_is_still_refuted():
    claim = check_text(NETWORK + "$$\\frac{\\partial E}{\\partial w^{(l)}_{ij}} = y^{(l)}_{i} \\delta^{(l)}_{j}$$\n",
                       timeout=5.0).claims[-1]
    assert claim.status == "refuted", claim.reason
    assert "f" not in claim.witness["values"], claim.witness


@pytest.mark.slow
def test_the_mini_batch_gradient_with_f_fixed_late_is_not_refuted():
    """The document the slip was found in, cut down: rows are samples (index n), read at one
    example; the correct gradient reached the output layer L with f half put in.  Refuted
    only with a generous bound (a faster machine), so checked with one."""
    doc = (
        "$$u^{(l)}_{nj} = \\sum_i y^{(l-1)}_{ni} w^{(l)}_{ij} + b^{(l)}_j$$\n\n"
        "$$y^{(l)}_{nj} = f(u^{(l)}_{nj})$$\n\n"
        "$$E = \\frac{1}{2} \\sum_{n=1}^{N} \\sum_k (y^{(L)}_{nk} - t_{nk})^2$$\n\n"
        "The error is $\\delta^{(l)}_{nj} = \\frac{\\partial E}{\\partial u^{(l)}_{nj}}$.\n\n"
        "$$f(x) = \\tanh(x)$$\n\n"
        "$$\\frac{\\partial E}{\\partial w^{(l)}_{ij}} = \\sum_{n=1}^{N} y^{(l-1)}_{ni} \\delta^{(l)}_{nj}$$\n")
    claim = check_text(doc, timeout=30.0).claims[-1]
    assert claim.status != "refuted", (claim.reason, claim.witness)
