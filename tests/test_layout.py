"""Small modules with one job: no module of the package grows past ~400 lines (a little
slack, 420, so a docstring line does not fail the build)."""

from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "symbackprop"
LIMIT = 420
#: Modules still over the limit, each with the reason it is allowed for now (e.g.
#: ``"text_printer.py": "split in progress"``); none today.
OVER: dict[str, str] = {}


@pytest.mark.parametrize("module", sorted(str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")
                                          if str(p.relative_to(PACKAGE)) not in OVER))
def test_module_is_small(module):
    lines = len((PACKAGE / module).read_text(encoding="utf-8").splitlines())
    assert lines <= LIMIT, f"{module}: {lines} lines; split it by job"


def test_every_listed_exception_is_still_over():
    """An exception is removed from ``OVER`` once its module is split (or gone)."""
    for module in OVER:
        path = PACKAGE / module
        assert path.exists() and len(path.read_text(encoding="utf-8").splitlines()) > LIMIT, \
            f"{module} is split: remove it from OVER in tests/test_layout.py"
