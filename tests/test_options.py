"""The option guards (symbackprop.cli.options): each refuses what its docstring says, and only that."""

from __future__ import annotations

import argparse

import pytest

from symbackprop.cli.options import (GUARDS, check_options, documents_in, output_folder_is_a_folder,
                                 output_is_not_an_input, seconds, templates_exist, timeout_is_a_bound)


def ns(**kw) -> argparse.Namespace:
    return argparse.Namespace(**kw)


@pytest.mark.parametrize("value", [float("inf"), float("nan"), 0.0, -5.0])
def test_timeout_must_bound(value):
    assert timeout_is_a_bound(ns(timeout=value))


@pytest.mark.parametrize("value", [None, 0.5, 30.0])
def test_timeout_accepted(value):
    assert timeout_is_a_bound(ns(timeout=value)) is None


@pytest.mark.parametrize("text", ["inf", "nan", "0", "-1", "x"])
def test_seconds_type_refuses(text):
    with pytest.raises(argparse.ArgumentTypeError):
        seconds(text)


def test_output_over_input_refused_even_through_another_spelling(tmp_path):
    doc = tmp_path / "a.md"
    doc.write_text("x", encoding="utf-8")
    assert output_is_not_an_input(ns(documents=[str(doc)], output=str(tmp_path / "." / "a.md")))
    assert output_is_not_an_input(ns(spec=str(doc), output=str(doc)))
    assert output_is_not_an_input(ns(documents=[str(doc)], output=str(tmp_path / "b.md"))) is None
    assert output_is_not_an_input(ns(spec=str(doc), output="-")) is None


def test_report_output_must_be_a_folder(tmp_path):
    f = tmp_path / "f"
    f.write_text("x", encoding="utf-8")
    assert output_folder_is_a_folder(ns(command="report", output=str(f)))
    assert output_folder_is_a_folder(ns(command="report", output=str(tmp_path))) is None
    assert output_folder_is_a_folder(ns(command="check", output=str(f))) is None


def test_templates_folder_must_exist(tmp_path):
    assert templates_exist(ns(templates=str(tmp_path / "none")))
    assert templates_exist(ns(templates=str(tmp_path))) is None


def test_every_guard_states_its_rule():
    assert all(len((g.__doc__ or "").strip()) > 40 for g in GUARDS)
    assert check_options(ns()) is None


def test_documents_in_walks_folders(tmp_path):
    (tmp_path / "x.md").write_text("", encoding="utf-8")
    (tmp_path / "y.bin").write_text("", encoding="utf-8")
    files, problem = documents_in([str(tmp_path)])
    assert problem is None and [f.endswith("x.md") for f in files] == [True]
    assert documents_in([str(tmp_path / "none.md")])[1]


@pytest.mark.parametrize("value", [float("inf"), float("nan"), 0.0, -5.0])
def test_budget_must_bound(value):
    from symbackprop.cli.options import budget_is_a_bound

    assert "--budget" in budget_is_a_bound(ns(budget=value))
    assert budget_is_a_bound(ns(budget=60.0)) is None and budget_is_a_bound(ns()) is None
