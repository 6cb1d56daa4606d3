"""Small modules with one job: no module of the document checker or the LaTeX reader
grows past ~400 lines (a little slack, 420, so a docstring line does not fail the build)."""

from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "symbackprop"
LIMIT = 420


@pytest.mark.parametrize("module", sorted(str(p.relative_to(PACKAGE)) for sub in ("checker", "latex", "prover")
                                          for p in (PACKAGE / sub).glob("*.py")))
def test_module_is_small(module):
    lines = len((PACKAGE / module).read_text(encoding="utf-8").splitlines())
    assert lines <= LIMIT, f"{module}: {lines} lines; split it by job"
