"""``check --format sarif|github|text``, ``--errata-only`` and the pre-commit hook
(symbackprop/check_formats.py, .pre-commit-hooks.yaml)."""

from __future__ import annotations

import io
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import symbackprop
import contextlib

from symbackprop import cli
from symbackprop.cli.check import FORMATS
from symbackprop.cli.check import arguments as add_check_arguments
from symbackprop.check_formats import (STREAMED, WRITERS, document_path, document_uri, erratum_message,
                                       github_data, github_property)
from symbackprop.checker.index_rules import INDEX_RULES

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "tests" / "data" / "sarif-schema-2.1.0.json"
HOOKS = ROOT / ".pre-commit-hooks.yaml"

# wrong: σ′ = σ(1 − σ), not σ (a witness).
BAD = "Intro.\n\n$$\\sigma'(x) = \\sigma(x)$$\n"
# wrong: b_k belongs to another unit (index discipline, no witness).
STRAY = next(r for r in INDEX_RULES if r.name == "stray-free-index").example
STRAY_STATEMENT = "u_{j} = b_{k} + \\sum_{i=1}^{n_{i}} x_{i} w_{ij}"
FILES = {
    "bad.md": BAD,
    "sub/stray.md": STRAY,
    "ok.md": "$$\\sigma'(x) = \\sigma(x)(1-\\sigma(x))$$\n",
    "open.md": "$$\\frac{\\partial E}{\\partial y} = y - t$$\n",
    "none.md": "No formulas here.\n",
    "notes, v2:draft.md": BAD,   # a name whose , and : must be escaped in a workflow command
}


@pytest.fixture()
def docs(tmp_path, monkeypatch):
    """The documents, with the working folder at their root (paths given relative, as in CI)."""
    for name, text in FILES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run_cli(*argv: str) -> tuple[int, str, str]:
    """``symbackprop check ARGV`` in-process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main(["check", *(argv[1:] if argv[:1] == ("check",) else argv)])
        except SystemExit as exc:  # argparse's usage errors
            code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


# ── the table of formats ───────────────────────────────────────────────────
def test_every_format_has_a_writer_and_is_offered_by_the_cli():
    assert set(FORMATS) == set(WRITERS) >= {"text", "json", "md", "html", "sarif", "github"}
    (fmt,) = [a for a in add_check_arguments(__import__("argparse").ArgumentParser())._actions
              if a.dest == "format"]
    assert tuple(fmt.choices) == FORMATS and STREAMED <= set(FORMATS) and "sarif" not in STREAMED


# ── SARIF ──────────────────────────────────────────────────────────────────
def sarif_validator():
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is in the test extra (pip install -e '.[test]')")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def assert_valid_sarif(log: dict) -> None:
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in sarif_validator().iter_errors(log)]
    assert not errors, errors[:5]


def test_the_schema_is_the_published_sarif_2_1_0_schema():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert schema["id"].endswith("/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json")
    assert schema["properties"]["version"]["enum"] == ["2.1.0"]


def test_sarif_reports_each_erratum_as_an_error_result_valid_against_the_schema(docs):
    code, out, err = run_cli("bad.md", "sub/stray.md", "ok.md", "open.md", "--format", "sarif")
    assert code == 1 and err == ""
    log = json.loads(out)
    assert_valid_sarif(log)
    assert log["version"] == "2.1.0" and len(log["runs"]) == 1
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "symbackprop" and driver["version"] == symbackprop.__version__
    ids = [rule["id"] for rule in driver["rules"]]
    assert len(ids) == len(set(ids)) and ids == ["refuted"] + [f"index-discipline/{r.name}" for r in INDEX_RULES]
    for rule in driver["rules"]:
        assert rule["shortDescription"]["text"] and rule["help"]["text"]
        assert rule["defaultConfiguration"]["level"] == "error"
    # the artifacts: every document checked, as given, with its summary
    assert [a["location"]["uri"] for a in run["artifacts"]] == ["bad.md", "sub/stray.md", "ok.md", "open.md"]
    assert [a["properties"]["summary"]["refuted"] for a in run["artifacts"]] == [1, 1, 0, 0]
    # the results: the two errata, nothing for the proved or inconclusive claims
    results = run["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [("refuted", "error"),
                                                          ("index-discipline/stray-free-index", "error")]
    for r in results:
        assert driver["rules"][r["ruleIndex"]]["id"] == r["ruleId"]
        (loc,) = r["locations"]
        art = loc["physicalLocation"]["artifactLocation"]
        assert run["artifacts"][art["index"]]["location"]["uri"] == art["uri"]
    witness, stray = results
    region = witness["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["endLine"]) == (3, 3) and region["snippet"]["text"] == "\\sigma'(x) = \\sigma(x)"
    text = witness["message"]["text"].splitlines()
    assert text[0].startswith("refuted: ") and text[1].startswith("witness: x = ")
    assert text[2] == "the right side should be: \\sigma\\left(x\\right) \\left(1 - \\sigma\\left(x\\right)\\right)"
    assert text[3].startswith("method: ") and witness["properties"]["witness"]["values"]
    assert stray["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "sub/stray.md"
    assert stray["locations"][0]["physicalLocation"]["region"]["startLine"] == 3
    assert stray["message"]["text"].splitlines() == [
        f"refuted: {STRAY_STATEMENT}",
        "why: the index k is free on the right side but not on the left (u_{j} has only j)",
        "method: index discipline (stray-free-index)"]
    assert stray["properties"]["witness"] is None


def test_sarif_without_errata_has_no_results_and_goes_to_the_output_file(docs):
    code, out, _ = run_cli("ok.md", "open.md", "none.md", "--format", "sarif", "-o", "report.sarif")
    assert code == 0 and out == ""
    log = json.loads((docs / "report.sarif").read_text(encoding="utf-8"))
    assert_valid_sarif(log)
    assert log["runs"][0]["results"] == [] and len(log["runs"][0]["artifacts"]) == 3


def test_document_paths_and_uris(docs):
    assert document_path(str(docs / "sub" / "stray.md")) == "sub/stray.md"  # in the working folder
    assert document_uri("sub/stray.md") == "sub/stray.md"
    assert document_uri("notes, v2:draft.md") == "notes%2C%20v2%3Adraft.md"
    outside = docs.parent / "elsewhere.md"
    assert document_uri(str(outside)) == outside.as_uri()


# ── GitHub Actions workflow commands ───────────────────────────────────────
COMMAND = re.compile(r"^::error file=(?P<file>[^,]*),line=(?P<line>\d+),endLine=(?P<end>\d+),"
                     r"title=(?P<title>[^,:]*)::(?P<message>.*)$")


def unescape(text: str) -> str:
    for code, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(code, char)
    return text


def test_github_escaping_follows_the_workflow_command_rules():
    assert github_data("100% sure\r\nnext: a, b") == "100%25 sure%0D%0Anext: a, b"
    assert github_property("100% a:b,c\n") == "100%25 a%3Ab%2Cc%0A"
    assert github_data("%0A") == "%250A"  # a literal %0A stays literal


def test_github_format_one_error_command_per_erratum_and_a_summary_per_document(docs):
    code, out, err = run_cli("bad.md", "sub/stray.md", "ok.md", "notes, v2:draft.md", "--format", "github")
    assert code == 1 and err == ""
    lines = out.splitlines()
    commands = [COMMAND.match(l) for l in lines if l.startswith("::")]
    assert all(commands) and len(commands) == 3
    assert [(m["file"], m["line"], m["end"]) for m in commands] == [
        ("bad.md", "3", "3"), ("sub/stray.md", "3", "3"), ("notes%2C v2%3Adraft.md", "3", "3")]
    assert [unescape(m["title"]) for m in commands] == [
        "symbackprop: refuted", "symbackprop: index discipline (stray-free-index)", "symbackprop: refuted"]
    assert all("\n" not in l and "\r" not in l for l in lines)
    message = unescape(commands[1]["message"])
    assert message == (f"refuted: {STRAY_STATEMENT}\nwhy: the index k is free on the right side but not on the "
                       "left (u_{j} has only j)\nmethod: index discipline (stray-free-index)")
    assert unescape(commands[0]["message"]).splitlines()[1].startswith("witness: x = ")
    # the rest are plain log lines: one summary per document, starting with its name
    plain = [l for l in lines if not l.startswith("::")]
    assert [l.split(": ")[0] for l in plain] == ["bad.md", "sub/stray.md", "ok.md", "notes, v2:draft.md"]
    assert all("fragments found" in l for l in plain)


def test_github_format_without_errata_prints_no_command(docs):
    code, out, _ = run_cli("ok.md", "open.md", "--format", "github")
    assert code == 0 and "::" not in out and len(out.splitlines()) == 2


# ── text: errata as compiler diagnostics ───────────────────────────────────
def test_text_errata_are_compiler_diagnostics_and_the_summary_names_the_file(docs):
    code, out, _ = run_cli("sub/stray.md", "open.md")
    assert code == 1
    lines = out.splitlines()
    at = lines.index(f"sub/stray.md:3: refuted: {STRAY_STATEMENT}")
    assert lines[at + 1:at + 3] == [
        "    why:      the index k is free on the right side but not on the left (u_{j} has only j)",
        "    method:   index discipline (stray-free-index)"]
    assert "line 1, step 1.1: inconclusive  u_{k} = b_{k} + \\sum_{j=1}^{n_{j}} y_{j} w_{jk}" in lines
    assert "line 1, step 1.1: inconclusive  \\frac{\\partial E}{\\partial y} = y - t" in lines
    summaries = [l for l in lines if "fragments found" in l]
    assert [s.split(": ")[0] for s in summaries] == ["sub/stray.md", "open.md"]
    # the erratum text of the other formats is the same
    from symbackprop.checker import check_document

    (c,) = [c for c in check_document("sub/stray.md").claims if c.status == "refuted"]
    assert erratum_message(c).splitlines()[0] == f"refuted: {STRAY_STATEMENT}"


# ── --errata-only ──────────────────────────────────────────────────────────
@pytest.mark.parametrize("files,plain,errata_only", [
    (["open.md"], 3, 0),          # inconclusive only
    (["none.md"], 3, 0),          # no formula at all
    (["ok.md"], 0, 0),
    (["bad.md", "none.md"], 1, 1),
])
def test_errata_only_fails_on_errata_alone(docs, files, plain, errata_only):
    assert run_cli(*files)[0] == plain
    assert run_cli(*files, "--errata-only")[0] == errata_only
    assert run_cli("missing.md", "--errata-only")[0] == 2


# ── the pre-commit hook ────────────────────────────────────────────────────
def _scalar(text: str):
    text = text.strip()
    if text.startswith("[") and text.endswith("]"):
        return [_scalar(x) for x in text[1:-1].split(",") if x.strip()]
    if text.startswith("'") and text.endswith("'"):
        return text[1:-1].replace("''", "'")
    return {"true": True, "false": False}.get(text, text)


def load_hooks(text: str) -> list[dict]:
    """The hook manifest: a list of flat mappings (the subset of YAML it is written in)."""
    hooks: list[dict] = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line.startswith("- "):
            hooks.append({})
            line = line[2:]
        key, _, value = line.strip().partition(": ")
        hooks[-1][key] = _scalar(value)
    return hooks


def test_the_hook_manifest():
    hooks = load_hooks(HOOKS.read_text(encoding="utf-8"))
    try:
        import yaml
    except ImportError:
        pass
    else:
        assert yaml.safe_load(HOOKS.read_text(encoding="utf-8")) == hooks
    (hook,) = hooks
    assert hook["id"] == "symbackprop-check" and hook["language"] == "python" and hook["pass_filenames"] is True
    assert shlex.split(hook["entry"])[:2] == ["symbackprop", "check"] and hook["args"] == ["--format", "text"]
    assert "--errata-only" in hook["entry"]  # in the entry: a user's own args must not drop it
    files = re.compile(hook["files"])
    for name in ("post.md", "a/b.markdown", "paper.tex", "x.rst", "nb.ipynb", "p.html", "p.htm"):
        assert files.search(name), name
    for name in ("notes.txt", "x.py", "md", "post.md.bak", "page.htmlx"):
        assert not files.search(name), name
    # every option the hook passes is one `check` accepts
    add_check_arguments(__import__("argparse").ArgumentParser()).parse_args(
        shlex.split(hook["entry"])[2:] + hook["args"] + ["post.md"])


def _symbackprop() -> list[str]:
    script = Path(sys.executable).parent / "symbackprop"
    return [str(script)] if script.exists() else [sys.executable, "-m", "symbackprop"]


def _git(repo: Path, *argv: str) -> str:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    return subprocess.run(["git", *argv], cwd=repo, env=env, check=True, capture_output=True, text=True).stdout


def run_hook_as_pre_commit_would(repo: Path) -> subprocess.CompletedProcess:
    """``pre-commit run`` for the one local hook of ``repo``'s config: the staged files
    (``git diff --staged --name-only --diff-filter=ACMRTUXB``) that ``files`` matches
    (``re.search``), appended to entry + args, run from the repository's root.  pre-commit
    puts up to 4 files in one call, so these few give one process and its exit code."""
    (config,) = json.loads((repo / ".pre-commit-config.yaml").read_text(encoding="utf-8"))["repos"]
    (hook,) = config["hooks"]
    staged = _git(repo, "diff", "--staged", "--name-only", "--no-ext-diff", "-z", "--diff-filter=ACMRTUXB")
    files = [f for f in staged.split("\0") if f and re.search(hook["files"], f)]
    assert hook["pass_filenames"] and files
    argv = shlex.split(hook["entry"])
    argv = _symbackprop() + argv[1:] + hook["args"] + files
    return subprocess.run(argv, cwd=repo, capture_output=True, text=True, timeout=300)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_the_hook_fails_a_commit_with_an_erratum_and_passes_a_correct_one(tmp_path):
    """Simulated: pre-commit itself is not installed (it brings virtualenv, and a real run of a
    ``language: python`` hook installs this package into a fresh environment)."""
    (hook,) = load_hooks(HOOKS.read_text(encoding="utf-8"))
    repo = tmp_path / "blog"
    repo.mkdir()
    _git(repo, "init", "-q")
    # a blog's config: the same hook as a local one (JSON is YAML, so pre-commit reads this too)
    local = {**hook, "language": "system"}
    (repo / ".pre-commit-config.yaml").write_text(json.dumps({"repos": [{"repo": "local", "hooks": [local]}]}),
                                                  encoding="utf-8")
    (repo / "posts").mkdir()
    (repo / "posts" / "sigmoid.md").write_text(FILES["ok.md"], encoding="utf-8")
    (repo / "posts" / "about.md").write_text("No formula in this post.\n", encoding="utf-8")
    (repo / "notes.txt").write_text("$$2a + a = 4a$$\n", encoding="utf-8")  # an erratum, not matched by `files`
    _git(repo, "add", "-A")
    ok = run_hook_as_pre_commit_would(repo)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "posts/sigmoid.md: 1 fragments found" in ok.stdout and "posts/about.md: 0 fragments" in ok.stdout
    assert "notes.txt" not in ok.stdout
    (repo / "posts" / "backprop.md").write_text(BAD, encoding="utf-8")
    _git(repo, "add", "posts/backprop.md")
    bad = run_hook_as_pre_commit_would(repo)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "posts/backprop.md:3: refuted: " in bad.stdout and bad.stderr == ""
