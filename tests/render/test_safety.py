"""Nothing from a spec, a document or a template folder reaches a report raw or runs code."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from symbackprop.derive import derive
from symbackprop.errors import SpecError
from symbackprop.render.environments import TemplateRefused, md_code
from symbackprop.pipeline import write_reports
from symbackprop.spec import loads

SPEC = """title = "{title}"
loss = "sse"
[[layers]]
size = 2
index = "i"
[[layers]]
size = 2
index = "j"
activation = "sigmoid"
"""
HOSTILE_NOTATION = [r"\\input{/etc/hostname}", "<script>alert(1)</script>", "$x$", r"w}\\def\\x{", "a b",
                    r"\\write18{rm -rf /}", "w_{<b>}"]


@pytest.mark.parametrize("value", HOSTILE_NOTATION)
@pytest.mark.parametrize("key", ["weight", "activation", "delta", "loss"])
def test_hostile_notation_is_refused_at_load(key, value):
    with pytest.raises(SpecError, match=f"notation.{key}: .* is not a symbol"):
        loads(SPEC.format(title="t") + f'[notation]\n{key} = "{value}"\n', "spec.toml")


@pytest.mark.parametrize("value", ["w", "W", "net", "ω", r"\\xi", r"\\mathbf{W}", r"\\hat{y}", "h_1", "y'"])
def test_symbols_load(value):
    net = loads(SPEC.format(title="t") + f'[notation]\nweight = "{value}"\n', "spec.toml")
    assert net.notation.weight == value.replace("\\\\", "\\")


@pytest.mark.parametrize("fmt,raw", [
    ("md", ["<script>", r"$x$", "**b**"]), ("html", ["<script>", "<b>"]), ("tex", [r"\input{", "$x$"])])
def test_a_hostile_title_is_escaped_in_every_format(tmp_path, fmt, raw):
    spec = tmp_path / "t.toml"
    spec.write_text(SPEC.format(title=r"<script>alert(1)</script> \\input{/etc/hostname} $x$ **b** <b>"),
                    encoding="utf-8")
    write_reports([str(spec)], tmp_path / "out", (fmt,), ("en",), verify=False)
    text = (tmp_path / "out" / f"t.en.{fmt}").read_text(encoding="utf-8")
    for r in raw:
        assert r not in text, (fmt, r)


def _report(tmp_path: Path, folder: Path) -> None:
    spec = tmp_path / "t.toml"
    spec.write_text(SPEC.format(title="t"), encoding="utf-8")
    write_reports([str(spec)], tmp_path / "out", ("md",), ("en",), templates=folder, verify=False)


def test_templates_run_in_a_sandbox(tmp_path):
    folder = tmp_path / "tpl"
    folder.mkdir()
    (folder / "derivation.md.j2").write_text('{{ "".__class__.__mro__ }}', encoding="utf-8")
    with pytest.raises(TemplateRefused, match="sandbox"):
        _report(tmp_path, folder)


def test_a_template_linked_out_of_its_folder_is_refused(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("do not copy", encoding="utf-8")
    folder = tmp_path / "tpl"
    folder.mkdir()
    os.symlink(secret, folder / "derivation.md.j2")
    with pytest.raises(TemplateRefused, match="link out of the templates folder"):
        _report(tmp_path, folder)
    assert not any("do not copy" in p.read_text(encoding="utf-8") for p in (tmp_path / "out").glob("*")) \
        if (tmp_path / "out").exists() else True


def test_a_template_syntax_error_names_file_and_line(tmp_path):
    folder = tmp_path / "tpl"
    folder.mkdir()
    (folder / "derivation.md.j2").write_text("ok\n{% if %}\n", encoding="utf-8")
    with pytest.raises(TemplateRefused, match=r"derivation.md.j2:2: template syntax error"):
        _report(tmp_path, folder)


@pytest.mark.parametrize("text", ["a", "a`b", "``x``", "`", "x ` <script>alert(1)</script> `", ""])
def test_a_code_span_cannot_be_closed_from_inside(text):
    """GFM: a code span ends at a backtick run as long as its opening fence."""
    span = md_code(text)
    fence = len(span) - len(span.lstrip("`"))
    inner = span[fence:len(span) - fence]
    assert "`" * fence not in inner
    assert inner.strip() == text.strip() or not text.strip()


@pytest.mark.parametrize("value", HOSTILE_NOTATION)
def test_a_notation_built_in_python_is_checked_too(value):
    """The library route (Notation(...)) refuses what the spec loader refuses."""
    from symbackprop.errors import ModelError
    from symbackprop.model import Notation

    with pytest.raises(ModelError, match="is not a symbol"):
        Notation(weight=value.replace("\\\\", "\\"))
