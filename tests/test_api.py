"""The public face: names resolve to functions even after their submodules are imported."""

from __future__ import annotations

import importlib
from pathlib import Path

import symbackprop as sb

ROOT = Path(__file__).resolve().parents[1]


def test_public_names_are_callables_after_submodule_imports():
    for mod in ("derive", "evaluate", "spec", "verdict"):
        importlib.import_module(f"symbackprop.{mod}")
    for name in ("load", "derive", "evaluate", "gradcheck", "latex"):
        assert callable(getattr(sb, name)), name
    assert not isinstance(sb.derive, type(importlib))


def test_library_example_of_the_readme():
    net = sb.load(ROOT / "derivations/classification.toml")
    d = sb.derive(net)
    assert sb.latex(d.layer(2).delta.rhs, net) == "y_{k} - t_{k}"
    params = sb.random_params(d, seed=3)
    assert sb.gradcheck(d, params).ok
    assert set(sb.evaluate(d, params)) >= {"loss", "y", "delta", "dW", "db", "dx"}
