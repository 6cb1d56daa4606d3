"""The command line as a user meets it: output, exit codes, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from symbackprop.cli import main

ROOT = Path(__file__).resolve().parents[1]
SPECS = sorted((ROOT / "derivations").glob("*.toml"))


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_derive_classification_shows_textbook_forms(capsys):
    code, out, _ = run(capsys, "derive", str(ROOT / "derivations/classification.toml"))
    assert code == 0
    for line in ("δ_k = y_k − t_k", "∂E/∂w_jk = y_j δ_k", "∂E/∂b_k = δ_k",
                 "δ_j = σ(u_j)(1 − σ(u_j)) Σ_{k=1}^{n} δ_k w_jk"):
        assert line in out
    assert "[chain rule]" in out and "[assumption: targets_sum_to_one]" in out


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_derive_json_for_every_spec(capsys, spec):
    code, out, _ = run(capsys, "derive", str(spec), "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["layers"][0]["output"] is True
    assert all(r["steps"] for layer in data["layers"] for r in layer["results"])


def test_derive_latex(capsys):
    code, out, _ = run(capsys, "derive", str(ROOT / "derivations/regression.toml"), "--format", "latex")
    assert code == 0 and r"\begin{align*}" in out and r"\delta_{k} &= " in out


@pytest.mark.parametrize("text,fragment", [
    ("loss = 'sse'\n[[layers]]\nsize = 2\nindex = 'i'\n[[layers]]\nsize = 2\nindex = 'j'\nactivation = 'gelu'\n",
     "layers[1].activation"),
    ("loss = 'hinge'\n", "loss"),
    ("loss = 'sse\n", "(syntax)"),
])
def test_bad_spec_exits_2_with_one_line(tmp_path, capsys, text, fragment):
    spec = tmp_path / "bad.toml"
    spec.write_text(text, encoding="utf-8")
    code, out, err = run(capsys, "derive", str(spec))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and fragment in err and "Traceback" not in err


def test_missing_file_exits_2(capsys):
    code, _, err = run(capsys, "derive", "no/such/spec.toml")
    assert code == 2 and "not found" in err


def test_version_and_help_do_not_import_sympy():
    for flag in ("--version", "--help"):
        proc = subprocess.run(
            [sys.executable, "-c",
             f"import sys; from symbackprop.cli import main\n"
             f"try:\n    main(['{flag}'])\nexcept SystemExit:\n    pass\n"
             f"print('sympy' in sys.modules)"],
            capture_output=True, text=True, cwd=ROOT, check=True)
        assert proc.stdout.strip().endswith("False"), proc.stdout


#: Packages other commands use that ``derive`` (any format) must not import: each costs start-up time.
DERIVE_NEEDS_NONE_OF = ("numpy", "jinja2", "symengine", "lark", "latex2mathml", "markupsafe", "scipy",
                        "torch", "difflib", "symbackprop.matrix", "symbackprop.verify",
                        "symbackprop.check", "symbackprop.render")


@pytest.mark.parametrize("fmt", ["text", "latex"])
def test_derive_imports_nothing_it_does_not_need(fmt):
    """A fresh process runs ``derive`` and lists the heavy modules that got imported: none."""
    script = ("import io, sys, contextlib\nfrom symbackprop.cli import main\n"
              "with contextlib.redirect_stdout(io.StringIO()):\n"
              f"    code = main(['derive', 'derivations/perceptron.toml', '--format', '{fmt}'])\n"
              f"print(code, sorted(m for m in {DERIVE_NEEDS_NONE_OF!r} if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT,
                          check=True)
    assert proc.stdout.split() == ["0", "[]"], proc.stdout + proc.stderr


def test_program_exit_code_passes_through(tmp_path):
    """``python -m symbackprop`` (``cli.run``) exits with main's code: 0, or 2 for a bad spec."""
    ok = subprocess.run([sys.executable, "-m", "symbackprop", "derive", "derivations/perceptron.toml"],
                        capture_output=True, text=True, cwd=ROOT)
    bad = subprocess.run([sys.executable, "-m", "symbackprop", "derive", str(tmp_path / "none.toml")],
                         capture_output=True, text=True, cwd=ROOT)
    assert (ok.returncode, bad.returncode) == (0, 2)
    assert ok.stdout.startswith("Single-layer perceptron") and "not found" in bad.stderr


def test_verify_every_spec_exits_0(capsys):
    code, out, _ = run(capsys, "verify", *map(str, SPECS))
    assert code == 0
    assert out.count("proved —") == len(SPECS)


def test_verify_names_the_entry_a_broken_rule_breaks(capsys, monkeypatch):
    """A wrong rule in the registry (σ′ = σ) is caught by the independent route: exit 1."""
    import dataclasses

    from symbackprop.rules import activations as acts

    def wrong_sigmoid_derivative(u):
        """σ′(u) = σ(u) — deliberately wrong."""
        return acts.sigmoid(u)

    broken = dataclasses.replace(acts.ACTIVATIONS["sigmoid"], derivative=wrong_sigmoid_derivative)
    monkeypatch.setitem(acts.ACTIVATIONS, "sigmoid", broken)
    code, out, _ = run(capsys, "verify", str(ROOT / "derivations/regression.toml"), "--format", "json")
    data = json.loads(out)
    assert code == 1
    refuted = [c for c in data["checks"] if c["status"] == "refuted"]
    assert refuted and all(c["layer"] == 1 for c in refuted)
    assert {c["quantity"] for c in refuted} >= {"delta"}
    assert all(c["witness"] for c in refuted)
    assert "δ^(1)" in " ".join(c["entry"] for c in refuted)


def test_eval_cli_json_in_json_out(tmp_path, capsys):
    from symbackprop.derive import derive
    from symbackprop.evaluate import random_params
    from symbackprop.spec import load

    spec = ROOT / "derivations/classification.toml"
    params = tmp_path / "p.json"
    params.write_text(json.dumps(random_params(derive(load(spec)), seed=5)), encoding="utf-8")
    code, out, _ = run(capsys, "eval", str(spec), "--params", str(params))
    data = json.loads(out)
    assert code == 0 and set(data) >= {"loss", "y", "delta", "dW", "db", "dx"}


def test_eval_cli_bad_params_exit_2(tmp_path, capsys):
    params = tmp_path / "p.json"
    params.write_text("{not json", encoding="utf-8")
    code, _, err = run(capsys, "eval", str(ROOT / "derivations/classification.toml"), "--params", str(params))
    assert code == 2 and "invalid JSON" in err and err.count("\n") == 1


@pytest.mark.parametrize("claim,code,status", [
    (r"\sigma'(x) = \sigma(x)(1-\sigma(x))", 0, "proved"),
    (r"\sigma'(x) = \sigma(x)", 1, "refuted"),  # σ′ = σ is false: σ′(0) = 1/4, σ(0) = 1/2
])
def test_prove_claim(capsys, claim, code, status):
    got, out, _ = run(capsys, "prove", "--claim", claim, "--format", "json")
    data = json.loads(out)
    assert got == code and [c["status"] for c in data] == [status]
    if status == "refuted":
        assert data[0]["witness"]["values"]


def test_check_seed_004_reports_the_erratum(capsys):
    """Seed 004 writes ½Σ(2A − 2Y) = ½Σ(A − Y): the right side drops a factor 2."""
    seed = ROOT.parent / "shared" / "seeds" / "004_1a0fd6a722884e4f.txt"
    if not seed.exists():
        pytest.skip(f"shared test material {seed} is absent")
    code, out, _ = run(capsys, "check", str(seed), "--format", "json")
    data = json.loads(out)
    refuted = [c for c in data["claims"] if c["status"] == "refuted"]
    assert code == 1 and len(refuted) == 1
    assert refuted[0]["line"] == 73 and refuted[0]["witness"] and refuted[0]["expected"]
    assert set(data) >= {"file", "claims", "summary"}


# ── specs are unambiguous or rejected (issue 13, item 2) ───────────────────
CLASHING = ("loss = 'sse'\n[[layers]]\nsize = 'l'\nindex = 'i'\n"
            "[[layers]]\nsize = 'n'\nindex = 'k'\nactivation = 'sigmoid'\n[notation]\nactivation = 'u'\n")


@pytest.mark.parametrize("command", [["derive"], ["verify"], ["eval", "--params", "p.json"],
                                     ["report", "--format", "md", "--no-verify", "-o", "out"]],
                         ids=lambda c: c[0])
def test_clashing_names_exit_2_with_one_line(tmp_path, capsys, monkeypatch, command):
    """notation.activation = "u" would print the forward pass u_k = σ(u_k): every command refuses it."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "spec.toml").write_text(CLASHING, encoding="utf-8")
    code, out, err = run(capsys, command[0], "spec.toml", *command[1:])
    assert code == 2 and out == "" and "Traceback" not in err
    assert err.count("\n") == 1
    assert ('spec.toml: notation.activation = "u" clashes with notation.preactivation = "u"; '
            "choose different symbols") in err
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


SIGMOID_CE = ("title = 'sigmoid + cross-entropy'\nloss = 'cross_entropy'\n"
              "[[layers]]\nsize = 'm'\nindex = 'j'\n"
              "[[layers]]\nsize = 'n'\nindex = 'k'\nactivation = 'sigmoid'\n")


def test_assumption_printed_only_where_a_step_uses_it(tmp_path, capsys):
    """Cross-entropy states Σ_k t_k = 1; softmax output uses it (δ_k = y_k − t_k), sigmoid output
    does not (δ_k = t_k(y_k − 1) holds for any t), so only the softmax derivation prints it."""
    spec = tmp_path / "sigmoid_ce.toml"
    spec.write_text(SIGMOID_CE, encoding="utf-8")
    code, out, _ = run(capsys, "derive", str(spec))
    assert code == 0 and "assumption" not in out and "t_k = 1" not in out
    code, out, _ = run(capsys, "derive", str(spec), "--format", "json")
    assert code == 0 and json.loads(out)["assumptions"] == []
    code, out, _ = run(capsys, "report", str(spec), "--format", "md", "--lang", "en", "--no-verify",
                       "-o", str(tmp_path / "out"))
    page = (tmp_path / "out" / "sigmoid_ce.en.md").read_text(encoding="utf-8")
    assert code == 0 and "Assumed" not in page and "assumption" not in page

    code, out, _ = run(capsys, "derive", str(ROOT / "derivations/classification.toml"))
    assert code == 0 and "assumption: Σ_{k=1}^{n} t_k = 1" in out
    code, out, _ = run(capsys, "derive", str(ROOT / "derivations/classification.toml"), "--format", "json")
    assert [a["rule"] for a in json.loads(out)["assumptions"]] == ["targets_sum_to_one"]
