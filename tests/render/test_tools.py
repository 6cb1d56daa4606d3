"""The real tools: every generated .tex compiles with LuaLaTeX (English and Japanese), a PDF
page becomes a PNG with pdftoppm, and headless Chromium renders an HTML report.

Locally these skip with the reason when a tool is missing; with CI=true they fail instead.
Compiles run two at a time in one session fixture; each file is its own test.
"""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from .conftest import REPORTS, SPECS
from .tools import need, need_module, pdf_page_png, png_stats, screenshot

TEX_FILES = sorted(p.name for p in REPORTS.glob("*.tex"))
NASTY_TITLE = r"50% & co_op #1 $x$ {a} ~^\ 分類：日本語"


def _nasty_tex(folder: Path) -> list[Path]:
    """Reports whose title holds every TeX special character and Japanese, in both languages."""
    from symbackprop.derive import derive
    from symbackprop.render.context import LANGS
    from symbackprop.render.derivation_context import derivation_context
    from symbackprop.render.reports import render
    from symbackprop.spec import loads

    text = re.sub(r'(?m)^title = ".*"$', lambda _: "title = " + json.dumps(NASTY_TITLE),
                  SPECS[0].read_text(encoding="utf-8"))
    d = derive(loads(text, "nasty.toml"))
    out = []
    for lang in LANGS:
        path = folder / f"nasty.{lang}.tex"
        path.write_text(render("derivation", "tex", derivation_context(d, lang, None, "not_requested")),
                        encoding="utf-8")
        out.append(path)
    return out


@pytest.fixture(scope="session")
def compiled(tmp_path_factory):
    """{file name: Compiled or the exception} for every reports/*.tex and the special-title reports."""
    need("lualatex", "latexmk")
    from symbackprop.render.pdf import compile_tex

    folder = tmp_path_factory.mktemp("pdf")
    jobs = [(REPORTS / name, folder / Path(name).with_suffix(".pdf").name) for name in TEX_FILES]
    jobs += [(p, p.with_suffix(".pdf")) for p in _nasty_tex(tmp_path_factory.mktemp("nasty"))]

    def run(job):
        try:  # one LuaLaTeX pass finds every error; latexmk itself runs in the PNG test
            return job[0].name, compile_tex(*job, single_pass=True)
        except Exception as exc:  # reported by the test of that file
            return job[0].name, exc

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(run, jobs))


def _assert_compiled(compiled, name):
    result = compiled[name]
    if isinstance(result, Exception):
        pytest.fail(f"{name} does not compile:\n{result}")
    assert result.pdf.stat().st_size > 10_000
    assert not result.missing_characters(), f"{name}: glyphs missing: {result.missing_characters()[:5]}"
    return result


def test_reports_have_tex_in_both_languages():
    assert any(n.endswith(".en.tex") for n in TEX_FILES) and any(n.endswith(".ja.tex") for n in TEX_FILES)


@pytest.mark.parametrize("name", TEX_FILES)
def test_report_compiles_with_lualatex(compiled, name):
    _assert_compiled(compiled, name)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_special_characters_compile(compiled, lang):
    _assert_compiled(compiled, f"nasty.{lang}.tex")


def test_latexmk_pdf_page_to_png_shows_the_formulas(compiled, tmp_path):
    need("lualatex", "latexmk", "pdftoppm")
    from symbackprop.render.pdf import compile_tex

    _assert_compiled(compiled, "classification.ja.tex")
    pdf = compile_tex(REPORTS / "classification.ja.tex", tmp_path / "classification.ja.pdf").pdf
    png = pdf_page_png(pdf, tmp_path / "page", page=2)
    width, height, ink = png_stats(png)
    assert width > 300 and height > 400
    assert ink > 0.005, f"page 2 of {pdf.name} looks blank ({ink:.4f} of the pixels are dark)"


def test_html_report_renders_in_chromium(tmp_path):
    need("chromium")
    need_module("latex2mathml")
    html = REPORTS / "classification.ja.html"
    assert html.exists(), "reports/classification.ja.html is missing"
    png = tmp_path / "html.png"
    screenshot(html, png, size="1000,1300")
    assert png.stat().st_size > 20_000
    width, height, ink = png_stats(png)
    assert (width, height) == (1000, 1300)
    assert ink > 0.005, f"the screenshot looks blank ({ink:.4f} of the pixels are dark)"
