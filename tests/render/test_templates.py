"""Every template renders for every spec in both languages; fixed texts exist in both;
a user template folder overrides the built-in templates; the CLI's errors are clear."""

from __future__ import annotations

import json
import re
from types import SimpleNamespace

import pytest

from symbackprop import cli
from symbackprop.render.context import LANGS, messages
from symbackprop.render.derivation_context import derivation_context
from symbackprop.render.proofs_context import proofs_context
from symbackprop.render.reports import render

from .conftest import SPECS

KINDS = ("tex", "md", "html")

# A verification with every status, to exercise the whole section.
FAKE_VERIFICATION = {
    "title": "fake", "sizes": [3, 2, 3],
    "checks": [
        {"layer": 2, "quantity": "delta", "entry": "δ^(2)[1]", "status": "proved", "reason": "",
         "method": "exact symbolic (expand) at sizes (3, 2, 3)", "witness": None, "expected": None},
        {"layer": 2, "quantity": "weight", "entry": "∂E/∂w^(2)[1,1]", "status": "refuted",
         "reason": "differs", "method": "numeric", "expected": "y_j δ_k",
         "witness": {"values": {"u_1": "0.5"}, "lhs": "1", "rhs": "2", "difference": "1"}},
        {"layer": 1, "quantity": "bias", "entry": "∂E/∂b^(1)[2]", "status": "inconclusive",
         "reason": "timed out after 5 s (50% done, a_b #1)", "method": "numeric",
         "witness": None, "expected": None},
    ],
    "summary": {"proved": 1, "refuted": 1, "inconclusive": 1, "total": 3, "status": "refuted"},
}


def _check_output(kind: str, out: str) -> None:
    assert "\\VAR{" not in out and "\\BLOCK{" not in out and "{{" not in out and "{%" not in out
    if kind == "tex":
        assert out.count(r"\begin{document}") == 1 and out.rstrip().endswith(r"\end{document}")
        assert out.count(r"\begin{align*}") == out.count(r"\end{align*}")
    elif kind == "md":
        assert sum(line.strip() == "$$" for line in out.splitlines()) % 2 == 0
    else:
        assert out.startswith("<!DOCTYPE html>") and "<script" not in out and "http" not in \
            out.replace("http://www.w3.org/1998/Math/MathML", "")
        assert out.count("<math") == out.count("</math>") > 0


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("spec", [p.stem for p in SPECS])
def test_derivation_template_renders(derivations, spec, kind, lang):
    if kind == "html":
        pytest.importorskip("latex2mathml", reason="latex2mathml is not installed")
    d = derivations[spec]
    ctx = derivation_context(d, lang, FAKE_VERIFICATION, source=f"{spec}.toml")
    out = render("derivation", kind, ctx)
    _check_output(kind, out)
    m = messages(lang)
    for heading in (m["derivation"]["forward"], m["derivation"]["summary"],
                    m["verification"]["heading"], m["status"]["refuted"]):
        assert heading in out
    if lang == "ja":
        assert "連鎖律" in out and "出力層" in out
    else:
        assert "chain rule" in out and "output layer" in out
    # every layer's closed forms reach the page
    for layer in ctx["layers"]:
        assert layer["heading"] in out
    if kind != "html":
        for layer in ctx["layers"]:
            for row in layer["summary"]["index"] + layer["summary"]["matrix"]:
                assert row["rhs"] in out


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", KINDS)
def test_derivation_without_verification_says_why(derivations, kind, lang):
    if kind == "html":
        pytest.importorskip("latex2mathml", reason="latex2mathml is not installed")
    ctx = derivation_context(derivations["regression"], lang, None, "not_requested")
    out = render("derivation", kind, ctx)
    assert "--no-verify" in out


def _fake_catalog():
    step = SimpleNamespace(latex=r"\sigma(u) \left(1 - \sigma(u)\right)", rule="algebra",
                           note=r"\sigma' = \sigma(1 - \sigma)")
    ident = SimpleNamespace(
        title="derivative of the sigmoid: 50% & more", statement_latex=r"\sigma'(u) = \sigma(u)(1 - \sigma(u))",
        lhs=None, rhs=None, assumptions_latex=(r"u \neq 0",), steps=(step,),
        facts=(SimpleNamespace(title=r"\sigma(0) = \tfrac{1}{2}"),),
        premises=("multivariate chain rule: a = b",))
    verdict = SimpleNamespace(status=SimpleNamespace(value="proved"), method="exact", reason="")
    return {"fake_identity": ident}, {"fake_identity": verdict}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", KINDS)
def test_proofs_template_renders(kind, lang):
    if kind == "html":
        pytest.importorskip("latex2mathml", reason="latex2mathml is not installed")
    catalog, verdicts = _fake_catalog()
    out = render("proofs", kind, proofs_context(lang, catalog, verdicts))
    _check_output(kind, out)
    m = messages(lang)
    assert m["proofs"]["heading"] in out and m["status"]["proved"] in out
    assert ("50\\% \\& more" if kind == "tex" else "50% &amp; more" if kind == "html" else "50% & more") in out
    missing = render("proofs", kind, proofs_context(lang, None, None, "missing_module"))
    assert m["proofs"]["missing_module"] in missing


@pytest.mark.parametrize("kind", KINDS)
def test_real_catalog_renders(kind):
    identities = pytest.importorskip("symbackprop.identities", reason="symbackprop.identities not landed yet")
    if kind == "html":
        pytest.importorskip("latex2mathml", reason="latex2mathml is not installed")
    for lang in LANGS:
        out = render("proofs", kind, proofs_context(lang, identities.IDENTITIES, {}))
        _check_output(kind, out)


@pytest.mark.parametrize("name, declared", [
    ("sigmoid_derivative", [r"u \in \mathbb{R}"]), ("relu_derivative", [r"u \in \mathbb{R}"]),
    ("softmax_jacobian", []), ("preactivation_weight", []),  # u_k, y_i: the base of an entry is no variable
])
def test_an_identity_declares_its_plain_real_variables(name, declared):
    """σ′(u)'s u is declared a real number in its section of the proof report: the next identity
    writes u_k for a layer's vector, and the checker reads u there as a number only so."""
    identities = pytest.importorskip("symbackprop.identities", reason="symbackprop.identities not landed yet")
    (item,) = proofs_context("en", {name: identities.identity(name)}, {})["items"]
    assert [a for a in item["assumptions"] if "mathbb" in a] == declared


# ── escaping through the whole report ─────────────────────────────────────
NASTY_TITLE = r"50% & co_op #1 $x$ {a} ~^\ 分類"


@pytest.fixture(scope="module")
def nasty():
    from symbackprop.derive import derive
    from symbackprop.spec import loads

    spec = (SPECS[0].read_text(encoding="utf-8"))
    spec = re.sub(r'(?m)^title = ".*"$', lambda _: "title = " + json.dumps(NASTY_TITLE), spec)
    return derive(loads(spec, "nasty.toml"))


@pytest.mark.parametrize("kind, expected", [
    ("tex", r"50\% \& co\_op \#1 \$x\$ \{a\} \textasciitilde{}\textasciicircum{}\textbackslash{} 分類"),
    ("md", r"50% & co\_op \#1 \$x\$ {a} \~^\\ 分類"),
    ("html", r"50% &amp; co_op #1 $x$ {a} ~^\ 分類"),
])
def test_special_characters_in_titles(nasty, kind, expected):
    if kind == "html":
        pytest.importorskip("latex2mathml", reason="latex2mathml is not installed")
    for lang in LANGS:
        out = render("derivation", kind, derivation_context(nasty, lang, None, "not_requested"))
        assert expected in out


# ── fixed texts ────────────────────────────────────────────────────────────
def _keys(d, prefix=""):
    out = set()
    for k, v in d.items():
        out |= _keys(v, f"{prefix}{k}.") if isinstance(v, dict) else {prefix + k}
    return out


def test_messages_exist_in_both_languages():
    en, ja = messages("en"), messages("ja")
    en.pop("translations"), ja.pop("translations")  # a table per language (tests/render/test_japanese.py)
    assert _keys(en) == _keys(ja)
    for key in _keys(ja):
        assert _lookup(ja, key).strip(), key


def _lookup(d, dotted):
    for part in dotted.split("."):
        d = d[part]
    return d


def test_messages_name_every_rule_of_the_registries():
    from symbackprop.rules import ACTIVATIONS, LOSSES
    from symbackprop.rules.steps import STEP_RULES

    for lang in LANGS:
        m = messages(lang)
        assert set(ACTIVATIONS) <= set(m["activations"])
        assert set(LOSSES) <= set(m["losses"])
        for act in ACTIVATIONS.values():
            assert act.derivative_rule.__name__ in m["details"], act.name
        for loss in LOSSES.values():
            for assumption in getattr(loss, "assumptions", ()):
                assert assumption.__name__ in m["details"], assumption.__name__
        for rule in STEP_RULES.values():
            assert rule.name(lang)


# ── user templates ─────────────────────────────────────────────────────────
def test_user_template_folder_overrides_the_derivation_template(tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "derivation.tex.j2").write_text(
        "% my own template\n\\VAR{title}: \\BLOCK{for layer in layers}\\VAR{layer.layer} \\BLOCK{endfor}\n",
        encoding="utf-8")
    (templates / "_steps.md.j2").write_text("STEP {{ b.lhs|math }}\n", encoding="utf-8")
    out = tmp_path / "out"
    spec = next(p for p in SPECS if p.stem == "classification")
    code = cli.main(["report", str(spec), "--format", "tex,md", "--lang", "en", "-o", str(out),
                            "--templates", str(templates), "--no-verify"])
    assert code == 0
    assert (out / "classification.en.tex").read_text(encoding="utf-8") == \
        "% my own template\nClassification: softmax + cross-entropy: 2 1 "
    md = (out / "classification.en.md").read_text(encoding="utf-8")
    assert "STEP $\\delta_{k}$" in md and "## Forward pass" in md  # a partial overridden, the rest built in


# ── the command line ──────────────────────────────────────────────────────
def test_cli_needs_a_spec_or_proofs(capsys):
    assert cli.main(["report"]) == 2
    assert "SPEC" in capsys.readouterr().err


def test_cli_rejects_unknown_format(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["report", str(SPECS[0]), "--format", "docx"])
    assert exc.value.code == 2
    assert "tex,pdf,md,html" in capsys.readouterr().err.replace(", ", ",")


def test_cli_pdf_without_tex_engine_is_a_clear_error(tmp_path, monkeypatch, capsys):
    import symbackprop.render.pdf as pdf

    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    code = cli.main(["report", str(SPECS[0]), "--format", "pdf", "-o", str(tmp_path), "--no-verify"])
    assert code == 2
    err = capsys.readouterr().err
    assert "lualatex not found" in err and "texlive-luatex" in err
    assert not list(tmp_path.iterdir())


def test_cli_default_formats_note_missing_tex_engine(tmp_path, monkeypatch, capsys):
    import symbackprop.render.pdf as pdf

    pytest.importorskip("latex2mathml", reason="latex2mathml is not installed")
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    spec = next(p for p in SPECS if p.stem == "perceptron")
    code = cli.main(["report", str(spec), "-o", str(tmp_path), "--no-verify", "--lang", "ja"])
    assert code == 0
    assert "no PDF" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "perceptron.ja.html", "perceptron.ja.md", "perceptron.ja.tex"]


@pytest.mark.parametrize("kind", KINDS)
def test_an_identity_states_its_setting_before_its_statement(kind):
    """Each identity is its own setting: the reader — and the checker, which reads a document in
    order — meets ``y_k := σ(u_k)`` before the statement and the steps that use it, written ``:=``
    (it says what the name means here; the identity before defined ``y_k`` as softmax), and an
    assumption that is no definition (``Σ_k t_k = 1``) as stated."""
    identities = pytest.importorskip("symbackprop.identities", reason="symbackprop.identities not landed yet")
    if kind == "html":
        pytest.importorskip("latex2mathml", reason="latex2mathml is not installed")
    catalog = {n: identities.IDENTITIES[n] for n in ("softmax_cross_entropy", "sigmoid_binary_cross_entropy")}
    out = render("proofs", kind, proofs_context("en", catalog, {}))
    statement = messages("en")["proofs"]["statement"]
    first_statement = out.index(statement)
    second_statement = out.index(statement, first_statement + 1)
    assert out.index("E :=") < first_statement                       # softmax + cross-entropy
    assert first_statement < out.index(r"y_{k} := \sigma") < second_statement  # sigmoid + BCE
    assert r"\sum_{k'=1}^{n} t_{k'} = 1" in out
