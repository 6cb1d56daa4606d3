"""Shared fixtures: the specs of derivations/, derived once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SPECS = sorted((ROOT / "derivations").glob("*.toml"))
REPORTS = ROOT / "reports"


@pytest.fixture(scope="session")
def derivations():
    """{spec stem: Derivation} for every spec in derivations/."""
    from symbackprop.derive import derive
    from symbackprop.spec import load

    return {p.stem: derive(load(p)) for p in SPECS}
