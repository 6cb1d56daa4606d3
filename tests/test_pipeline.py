"""The two flows (symbackprop.pipeline) and the rule that render takes objects."""

from __future__ import annotations

import ast
from pathlib import Path

import symbackprop as sb
from symbackprop.checker import DocumentResult

ROOT = Path(__file__).resolve().parents[1]


def test_render_never_loads_derives_or_verifies():
    """render/ imports neither the spec loader, the verifier nor the identity catalog: the
    pipeline gives it objects."""
    forbidden = {"spec", "verify", "identities", "verifier"}
    for path in (ROOT / "symbackprop" / "render").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level >= 2 and node.module:
                assert node.module.split(".")[0] not in forbidden, f"{path.name} imports ..{node.module}"


def test_the_report_flow_writes_every_report(tmp_path):
    written = sb.write_reports([ROOT / "derivations" / "perceptron.toml"], tmp_path, ("md",), ("en", "ja"))
    assert sorted(p.name for p in written) == ["perceptron.en.md", "perceptron.ja.md"]
    assert "proved" in written[0].read_text(encoding="utf-8")


def test_render_is_in_the_public_face_and_still_a_package():
    import symbackprop.render.reports as reports

    d = sb.derive(sb.load(ROOT / "derivations" / "perceptron.toml"))
    text = sb.render(d, "md", "ja")
    assert text.startswith("<!-- symbackprop が") and "Python で与えたネットワーク" in text
    assert callable(reports.write)


def test_check_is_in_the_public_face(tmp_path):
    doc = tmp_path / "a.md"
    doc.write_text("$$\\frac{d}{dx} x^2 = 3x$$\n", encoding="utf-8")
    r = sb.check(doc, timeout=5)
    assert isinstance(r, DocumentResult) and [c.status for c in r.claims] == ["refuted"]
    assert "refuted" in sb.render(r, "html")
