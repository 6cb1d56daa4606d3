"""The documentation is kept true: every module, constant and file it cites exists, and the
README's example commands run as pasted."""

from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = sorted((ROOT / "docs").glob("*.md")) + [ROOT / "README.md"]
#: `symbackprop/x.py`, `verifier/randomized.py`, `checker/`, `derivations/examples/…json`
_PATH = re.compile(r"`((?:symbackprop/|tests/|benchmarks/|derivations/|docs/|[a-z_]+/)?[\w/]+\.(?:py|md|json|toml|j2|lark|ipynb))`")
#: `verifier/randomized.PROOF_THRESHOLD`, `instantiate.MAX_ENTRIES`, `spec_names.notation_problem`
_ATTRIBUTE = re.compile(r"`((?:[a-z_]+/)?[a-z_]+)\.(?!(?:py|md|json|toml|j2|lark|ipynb|html|tex|txt|rst|yaml)`)"
                        r"([A-Za-z_][A-Za-z0-9_]*)`")
_PACKAGES = ("", "symbackprop/", "symbackprop/checker/", "symbackprop/latex/", "symbackprop/prover/",
             "symbackprop/verifier/", "symbackprop/render/", "symbackprop/rules/", "symbackprop/cli/")


def _cited(pattern: re.Pattern[str]) -> list[tuple[str, tuple[str, ...]]]:
    found = []
    for doc in DOCS:
        for m in pattern.finditer(doc.read_text(encoding="utf-8")):
            found.append((doc.name, m.groups()))
    return found


def _exists(path: str) -> bool:
    return any((ROOT / prefix / path).exists() for prefix in _PACKAGES)


@pytest.mark.parametrize("doc,groups", [(d, g) for d, g in _cited(_PATH) if not g[0].startswith(("tmp/", "reports/"))],
                         ids=lambda v: v if isinstance(v, str) else v[0])
def test_every_cited_file_exists(doc, groups):
    (path,) = groups
    assert _exists(path), f"{doc} cites {path}, which does not exist"


def _module(name: str):
    dotted = name.replace("/", ".")
    for prefix in ("symbackprop.", "symbackprop.checker.", "symbackprop.latex.", "symbackprop.prover.",
                   "symbackprop.verifier.", "symbackprop.render.", "symbackprop.rules.", "symbackprop.cli."):
        try:
            return importlib.import_module(prefix + dotted)
        except ModuleNotFoundError:
            continue
    return None


def _cited_names() -> list:
    """Cited ``module.NAME`` pairs whose module is one of the package's (``sympy.Sum`` or a
    file name is not)."""
    return [(doc, g) for doc, g in _cited(_ATTRIBUTE) if _module(g[0]) is not None]


@pytest.mark.parametrize("doc,groups", _cited_names(), ids=lambda v: v if isinstance(v, str) else ".".join(v))
def test_every_cited_name_exists(doc, groups):
    module_name, attribute = groups
    assert hasattr(_module(module_name), attribute), f"{doc} cites {module_name}.{attribute}, which does not exist"


def test_docstrings_point_into_the_repository():
    """Docstrings name documents the repository carries, not the planning notes outside it."""
    stale = [str(p.relative_to(ROOT)) for p in (ROOT / "symbackprop").rglob("*.py")
             if "DESIGN.md" in p.read_text(encoding="utf-8")]
    assert not stale, stale


def _readme_commands() -> list[str]:
    """The `symbackprop …` commands of README code spans that name a file of the repository."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return [c for c in re.findall(r"^\s*(symbackprop (?:derive|prove --claim|eval) .+?)\s*(?:#.*)?$", text, re.M)]


@pytest.mark.parametrize("command", _readme_commands())
def test_readme_example_commands_run_as_pasted(command):
    """Pasted into a POSIX shell (``symbackprop`` replaced by ``python -m symbackprop``)."""
    shell = command.replace("symbackprop ", f"{sys.executable} -m symbackprop ", 1)
    proc = subprocess.run(["bash", "-c", shell], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert "Traceback" not in proc.stderr and proc.returncode in (0, 1, 3), (command, proc.stderr[-500:])


def test_the_readme_has_pasteable_examples():
    assert len(_readme_commands()) >= 2
