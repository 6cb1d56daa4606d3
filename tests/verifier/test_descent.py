"""The update rules against one gradient-descent step on the verifier's own route
(symbackprop/verifier/descent.py): the derived rules are proved, wrong ones are refuted."""

from __future__ import annotations

import dataclasses

import pytest
import sympy as sp

from symbackprop.derive import Step, derive
from symbackprop.spec import load
from symbackprop.verifier.descent import check_updates
from symbackprop.verify import verify

from ..test_codegen import ROOT

SPEC = ROOT / "derivations" / "minibatch_classifier.toml"


@pytest.fixture(scope="module")
def d():
    return derive(load(SPEC))


def _statuses(results, layer: int = 2, quantity: str = "weight_update") -> set[str]:
    return {v.status.value for (n, q, _), v in results if n == layer and q == quantity}


def test_the_derived_rules_are_proved(d) -> None:
    results = check_updates(d, (3, 2, 3), seed=1)
    assert len(results) == 6 + 3 + 6 + 2
    assert all(v.proved for _, v in results), [v for _, v in results if not v.proved][:1]
    assert "error ≤" in results[0][1].method


def test_verify_reports_the_update_rules(d) -> None:
    report = verify(d)
    quantities = {c.quantity for c in report.checks}
    assert {"weight_update", "bias_update"} <= quantities and report.verdict.proved


def _last_step(d, change):
    """The derivation with the output layer's weight rule replaced by ``change(rule)``."""
    top = d.updates[0]
    last = top.weight.steps[-1]
    weight = dataclasses.replace(top.weight, steps=top.weight.steps[:-1] + (Step(change(last.expr), last.rule),))
    return dataclasses.replace(d, updates=(dataclasses.replace(top, weight=weight),) + d.updates[1:])


WRONG = {
    "sign flipped": lambda e, tr: sp.Add(e.args[0], -e.args[1], evaluate=False),
    "sum for the mean": lambda e, tr: e.xreplace({tr.batch: sp.Integer(1)}),
    "rate left out": lambda e, tr: e.xreplace({tr.rate: sp.Integer(1)}),
}


@pytest.mark.parametrize("name", WRONG)
def test_a_wrong_index_form_is_refuted_with_a_witness(d, name: str) -> None:
    tr = d.network.training
    results = check_updates(_last_step(d, lambda e: WRONG[name](e, tr)), (3, 2, 3), seed=2)
    assert _statuses(results) == {"refuted"}
    bad = next(v for (n, q, _), v in results if v.refuted)
    assert bad.witness.values and "index form" in bad.reason
    assert _statuses(results, 1) == {"proved"}  # the other layer is untouched


@pytest.mark.parametrize("sizes, how", [((3, 2, 3), "shapes"), ((2, 2, 2), "real functions")])
def test_a_transposed_batch_form_is_refuted(d, sizes, how: str) -> None:
    top = d.updates[0]
    wrong = dataclasses.replace(top.matrix[0], factors=(("D", True), ("Yb", False)))
    changed = dataclasses.replace(d, updates=(dataclasses.replace(top, matrix=(wrong,) + top.matrix[1:]),)
                                  + d.updates[1:])
    results = check_updates(changed, sizes, seed=3)
    refuted = [v for (n, q, _), v in results if v.refuted]
    assert refuted and all(how in v.method for v in refuted)
    assert _statuses(results, 2, "bias_update") == {"proved"}
