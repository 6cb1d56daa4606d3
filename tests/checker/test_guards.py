"""Every false-alarm guard and doubt rule shows the false alarm it prevents.

Each rule carries an ``example`` document: with the rule switched off, a claim of it is
refuted (the false alarm); with the rule on, none is.  A rule whose example no longer
shows this is either dead or its example is stale — both are failures.
"""

import pytest

from symbackprop.checker import DOUBT_RULES, GUARDS, RULE_NAMES, check_text
from symbackprop.checker.index_rules import INDEX_RULES

RULES = list(GUARDS) + list(DOUBT_RULES)


def statuses(text, disabled=()):
    return [c.status for c in check_text(text, timeout=5.0, disabled=disabled).claims]


@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_rule_prevents_the_false_alarm_of_its_example(rule):
    assert "refuted" in statuses(rule.example, disabled=[rule.name])
    assert "refuted" not in statuses(rule.example)


@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_rule_states_its_rationale(rule):
    assert len(rule.rationale.split()) >= 12


def test_rule_names_are_unique_and_known():
    names = [r.name for r in RULES] + [r.name for r in INDEX_RULES]
    assert len(names) == len(set(names)) == len(RULE_NAMES)


def test_an_unknown_rule_name_is_an_error():
    with pytest.raises(ValueError, match="unknown rule"):
        check_text("$$x = x$$", disabled=["no-such-rule"])


def test_sums_without_bounds_refuted_over_one_common_range_name_it():
    from symbackprop.checker import check_text
    (c,) = check_text(r"$$\sum_i a_i + \sum_j b_j = 2 \sum_i (a_i + b_i)$$", timeout=5.0).claims
    assert c.status == "refuted"
    sizes = {k: v for k, v in c.witness["values"].items() if k.startswith("n_")}
    assert len(sizes) == 2 and len(set(sizes.values())) == 1   # one common range
    assert "every sum without bounds over" in c.method


def test_a_common_range_holds_for_the_stated_relations_too():
    """Read over one common range, Σ_k t_k = 1 (stated) is about that range as well: with the
    relation left over n_k, Σ_j t_j = 1 'failed' at n = 1, n_k = 2 — a false alarm."""
    from symbackprop.checker import check_text
    doc = "Targets: $$\\sum_k t_k = 1$$\n\n$$\\sum_j t_j + \\sum_k a_k = 1 + \\sum_k a_k$$\n"
    (c,) = [c for c in check_text(doc, timeout=5.0, disabled=["one-hot-targets"]).claims if c.line == 3]
    assert c.status == "inconclusive" and c.category == "bounds"
