"""The claim corpus: no route proves a false claim or refutes a true one.

``claim_corpus.py`` holds 300+ claims (sums and index ranges, Kronecker deltas, kinks,
notation of known functions, loss derivatives, algebra), roughly half true and half false,
many of them near-misses, each with an independent numeric evaluator that decides its
truth.  Here:

* the evaluator itself is checked on claims whose truth is known by hand, and must decide
  every claim of the corpus, as its author intended;
* every claim goes through ``prove()``, the CLI ``prove --claim`` and ``check_claim``: a
  verdict *proved* on a false claim or *refuted* on a true one fails (inconclusive is
  allowed).  Claims with a wrong verdict today are in ``KNOWN`` (xfail, strict).

The default run takes a fixed subset (every fourth claim and the KNOWN ones, about 30 s);
the rest is marked ``slow`` (``-m 'not slow'`` deselects it).  ``benchmarks/claims.py``
prints the whole table: verdict counts per route, inconclusive share, disagreements.
"""

from __future__ import annotations

import decimal
import random
from collections import Counter
from decimal import Decimal

import pytest

from . import claim_corpus as cc

FAST = {c.latex for c in cc.fast_subset()}


def test_the_corpus_is_large_and_mixed():
    assert len(cc.CLAIMS) >= 200
    assert len(cc.BY_LATEX) == len(cc.CLAIMS), "duplicate claims"
    share = sum(c.want for c in cc.CLAIMS) / len(cc.CLAIMS)
    assert 0.4 <= share <= 0.6, share
    by_topic = Counter((c.topic, c.want) for c in cc.CLAIMS)
    for topic in {c.topic for c in cc.CLAIMS}:
        assert by_topic[(topic, True)] >= 10 and by_topic[(topic, False)] >= 10, topic
    assert set(cc.KNOWN) <= set(cc.BY_LATEX)
    assert 0.2 <= len(FAST) / len(cc.CLAIMS) <= 0.4


# ---------------------------------------------------------------- the evaluator

def test_the_evaluator_helpers():
    with decimal.localcontext(cc.CONTEXT):
        assert cc.S(3, 1, lambda k: 1) == 0 and cc.S(1, 0, lambda k: 1) == 0
        assert cc.S(2, 4, lambda k: k) == 9
        for bad in (lambda: cc.log(-2), lambda: cc.log(0), lambda: cc.artanh(1),
                    lambda: cc.logit(Decimal(2)), lambda: cc.sqrt(-1), lambda: cc.heaviside(0)):
            with pytest.raises(cc.Undefined):
                bad()
        assert abs(cc.sigma(0) - cc.HALF) < Decimal("1e-70")
        assert abs(cc.tanh(Decimal("0.5")) - (2 * cc.sigma(1) - 1)) < Decimal("1e-70")
        assert abs(cc.softplus(0) - Decimal(2).ln()) < Decimal("1e-70")
        assert abs(cc.artanh(cc.tanh(Decimal("0.3"))) - Decimal("0.3")) < Decimal("1e-70")
        claim = cc.C(True, "x", lambda e: 0, lambda e: 0)
        e = cc.Env(claim, random.Random(0), {"n": 3, "m": 2})
        at0 = e.shifted("x", Decimal(0))
        with pytest.raises(cc.Undefined):          # a kink: no derivative
            cc.d(at0, lambda e: abs(e.x), "x")
        assert abs(cc.d(at0, lambda e: e.x * abs(e.x), "x")) < Decimal("1e-20")  # differentiable there
        assert abs(cc.d(e.shifted("x", Decimal(1)), lambda e: e.x ** 3, "x") - 3) < Decimal("1e-40")


@pytest.mark.parametrize("claim, want", cc._selftest_claims(), ids=lambda x: getattr(x, "latex", None))
def test_the_evaluator_on_claims_known_by_hand(claim, want):
    got = cc.truth(claim)
    assert got.value is want, got


def test_the_evaluator_decides_every_claim_as_its_author_intended():
    wrong = []
    for c in cc.CLAIMS:
        t = cc.truth(c)
        if t.value is not c.want:
            wrong.append((c.latex, c.want, t))
    assert not wrong, wrong


# ---------------------------------------------------------------- the three routes

def _param(c: cc.Claim):
    marks = []
    if c.latex in cc.KNOWN:
        marks.append(pytest.mark.xfail(reason=cc.KNOWN[c.latex], strict=True, raises=AssertionError))
    if c.latex not in FAST:
        marks.append(pytest.mark.slow)
    return pytest.param(c, marks=marks, id=c.latex)


@pytest.mark.parametrize("claim", [_param(c) for c in cc.CLAIMS])
def test_no_route_proves_a_false_claim_or_refutes_a_true_one(claim):
    true = cc.truth(claim).value
    assert true is not None
    verdicts = cc.run_routes(claim.latex)
    for route, v in verdicts.items():
        assert not v.startswith("error"), (route, v)
    wrong = {route: cc.wrong(v, true) for route, v in verdicts.items() if cc.wrong(v, true)}
    assert not wrong, (f"truth {true}", verdicts, wrong)
