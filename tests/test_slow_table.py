"""The slow table in tests/conftest.py names tests that exist: a renamed test would otherwise
silently leave the slow run (or the fast cross-section) without anyone noticing."""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

from tests import conftest

ROOT = Path(__file__).resolve().parent.parent


@functools.cache
def _functions(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}


@pytest.mark.parametrize("name", sorted(set(conftest.SLOW_TESTS) | set(conftest.SAMPLED_SWEEPS)))
def test_every_listed_test_exists(name: str) -> None:
    path, function = name.split("::", 1)
    assert (ROOT / path).is_file(), f"{path} does not exist"
    assert function in _functions(ROOT / path), f"{name} names no test function"


@pytest.mark.parametrize("prefix", conftest.SLOW_MODULES)
def test_every_listed_module_exists(prefix: str) -> None:
    assert (ROOT / prefix).exists(), f"{prefix} does not exist"


def test_a_sweep_keeps_every_kth_case_fast() -> None:
    name = next(iter(conftest.SAMPLED_SWEEPS))
    every = conftest.SAMPLED_SWEEPS[name]
    seen: dict[str, int] = {}
    left_out = [conftest._left_out_of_the_cross_section(name, seen) for _ in range(2 * every)]
    assert left_out.count(False) == 2 and not left_out[0] and not left_out[every]
    assert not conftest._left_out_of_the_cross_section("tests/nowhere.py::test_x", seen)
