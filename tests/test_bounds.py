"""Every reproduction of the "bounded resources" issue: a one-line message and a documented
exit code, within 10 s and 2 GB — time and peak memory measured here, in the harness, for the
whole process tree of each command (``os.wait4``), not by a timed unit test."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "derivations" / "regression.toml"  # symbolic widths l, m, n
SECONDS, BYTES = 10.0, 2 * 1024 ** 3
TRACEBACK = "Traceback (most recent call last)"


@dataclass
class Run:
    code: int
    out: str
    err: str
    seconds: float
    peak_bytes: int


#: runs a command and writes the peak RSS of its whole process tree (RUSAGE_CHILDREN of this
#: fresh wrapper: every reaped descendant's peak is merged into it) to the file argv[1]
_WRAPPER = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[2:]); "
            "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)); "
            "sys.exit(r.returncode)")


def cli(*argv: str, cwd: Path = ROOT, limit: float = 60.0) -> Run:
    """``python -m symbackprop ARGV`` with its wall time and the peak RSS of it and its children."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    peak_file = Path(cwd if cwd != ROOT else "/tmp") / f".peak-{os.getpid()}-{time.monotonic_ns()}"
    start = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-c", _WRAPPER, str(peak_file), sys.executable, "-m",
                             "symbackprop", *argv], cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL,
                            start_new_session=True)  # its own process group: a time-out kills it all
    try:
        out, err = proc.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail(f"{argv}: still running after {limit} s")
    seconds = time.monotonic() - start
    peak = int(peak_file.read_text()) * 1024 if peak_file.exists() else 0  # Linux: kB
    peak_file.unlink(missing_ok=True)
    return Run(proc.returncode, out, err, seconds, peak)


def assert_bounded(r: Run, code: int, *words: str) -> None:
    """Exit ``code``, no traceback, one line on stderr naming ``words``, within the bounds."""
    assert TRACEBACK not in r.err, r.err[-2000:]
    assert r.code == code, (r.code, r.err[-500:], r.out[-500:])
    if code in (2, 4):
        lines = [ln for ln in r.err.splitlines() if ln.strip()]
        assert len(lines) == 1, r.err
        for w in words:
            assert w in lines[0], lines[0]
    assert r.seconds < SECONDS, r.seconds
    assert r.peak_bytes < BYTES, r.peak_bytes


# ── parsing: depth and numbers ─────────────────────────────────────────────
def test_deep_brackets_in_a_claim():
    assert_bounded(cli("prove", "--claim", "(" * 100 + "x" + ")" * 100 + " = x"), 2, "nested too deeply")


@pytest.mark.parametrize("claim", [r"10^{10^{10}} = 1", r"2^{2^{2^{2^{2^{2}}}}} = 0"])
def test_numbers_are_never_evaluated_past_a_bound(claim):
    assert_bounded(cli("prove", "--claim", claim), 2, "number too large")


def test_a_huge_argument_is_inconclusive_or_refused_not_a_crash():
    r = cli("prove", "--claim", r"\sigma(10^{100000}) = 1", "--timeout", "5")
    assert_bounded(r, r.code if r.code in (2, 3) else -1)


def test_deep_fractions_in_a_document(tmp_path):
    doc = tmp_path / "deep.md"
    doc.write_text("$$" + r"\frac{1}{" * 80 + "x" + "}" * 80 + " = x$$\n", encoding="utf-8")
    r = cli("check", str(doc))
    assert_bounded(r, 3)
    assert "nested too deeply" in r.out


def test_deeply_nested_toml(tmp_path):
    spec = tmp_path / "deep.toml"
    spec.write_text("title = " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    assert_bounded(cli("derive", str(spec)), 2, "nested")


# ── sizes, checked before work ─────────────────────────────────────────────
def test_a_billion_wide_layer_is_refused_before_it_is_built(tmp_path):
    spec = tmp_path / "big.toml"
    spec.write_text(SPEC.read_text(encoding="utf-8").replace('size = "m"', "size = 1000000000"), encoding="utf-8")
    assert_bounded(cli("verify", str(spec)), 2, "entries to check", "the bound is")


@pytest.mark.parametrize("sizes", ["100000,100000,100000", "3000,3000,3"])
def test_verify_sizes_that_cannot_fit(sizes):
    assert_bounded(cli("verify", str(SPEC), "--sizes", sizes), 2, "entries to check")


def test_verify_sizes_that_cannot_finish_within_the_timeout():
    assert_bounded(cli("verify", str(SPEC), "--sizes", "100000,2,2", "--timeout", "2"), 2,
                   "about 3 s to check", "--timeout of 2 s")


def test_a_report_of_a_huge_width_says_why_it_was_not_verified(tmp_path):
    spec = tmp_path / "big.toml"
    spec.write_text(SPEC.read_text(encoding="utf-8").replace('size = "m"', "size = 1000000000"), encoding="utf-8")
    r = cli("report", str(spec), "--format", "md", "--lang", "en", "-o", str(tmp_path / "out"))
    assert_bounded(r, 0)
    assert "too large to check entry by entry" in (tmp_path / "out" / "big.en.md").read_text(encoding="utf-8")


# ── options ────────────────────────────────────────────────────────────────
@pytest.mark.parametrize("value", ["inf", "nan", "0", "-1"])
@pytest.mark.parametrize("command", ["verify", "prove", "check"])
def test_timeouts_must_be_positive_and_finite(tmp_path, command, value):
    target = {"verify": [str(SPEC)], "prove": ["--claim", "x = x"], "check": [str(ROOT / "README.md")]}[command]
    assert_bounded(cli(command, *target, "--timeout", value), 2, "--timeout")


def test_a_closed_pipe_is_not_a_traceback():
    proc = subprocess.run(f"{sys.executable} -m symbackprop derive {SPEC} --format json | head -c 10",
                          shell=True, cwd=ROOT, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert TRACEBACK not in proc.stderr and proc.stderr.strip() == ""


def test_report_into_an_existing_file_is_refused(tmp_path):
    existing = tmp_path / "existing.tex"
    existing.write_text("keep", encoding="utf-8")
    assert_bounded(cli("report", str(SPEC), "-o", str(existing)), 2, "is a file")
    assert existing.read_text(encoding="utf-8") == "keep"


def test_missing_template_folder_is_refused(tmp_path):
    assert_bounded(cli("report", str(SPEC), "--templates", str(tmp_path / "none"), "-o", str(tmp_path)),
                   2, "no such folder")


@pytest.mark.parametrize("command,make_input", [
    ("check", lambda d: d / "victim.md"), ("codegen", lambda d: d / "victim.toml")])
def test_output_over_an_input_is_refused(tmp_path, command, make_input):
    victim = make_input(tmp_path)
    text = SPEC.read_text(encoding="utf-8") if victim.suffix == ".toml" else "$$x = x$$\n"
    victim.write_text(text, encoding="utf-8")
    assert_bounded(cli(command, str(victim), "-o", str(victim)), 2, "is an input")
    assert victim.read_text(encoding="utf-8") == text


def test_a_folder_is_walked(tmp_path):
    (tmp_path / "a.md").write_text("$$x + x = 2x$$\n", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.tex").write_text(r"\[ y + y = 3y \]" + "\n", encoding="utf-8")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "c.md").write_text("$$z = z + 1$$\n", encoding="utf-8")
    r = cli("check", str(tmp_path))
    assert_bounded(r, 1)
    assert "a.md" in r.out and "b.tex" in r.out and "c.md" not in r.out


def test_a_folder_without_documents_is_refused(tmp_path):
    assert_bounded(cli("check", str(tmp_path)), 2, "no document")


def test_a_spec_with_a_bom_loads(tmp_path):
    spec = tmp_path / "bom.toml"
    spec.write_bytes(b"\xef\xbb\xbf" + SPEC.read_bytes())
    assert_bounded(cli("derive", str(spec)), 0)


# ── documents: a budget ────────────────────────────────────────────────────
def _many_equations(path: Path, n: int) -> None:
    path.write_text("".join(f"Eq {i}: $$ y_{{{i % 7 + 1}}} = {i} + x $$\n" for i in range(n)), encoding="utf-8")


def test_a_document_over_the_size_limit_needs_a_budget(tmp_path, monkeypatch):
    doc = tmp_path / "big.md"
    _many_equations(doc, 150_000)  # ≈ 5 MB
    assert_bounded(cli("check", str(doc)), 2, "--budget")


def test_the_budget_reports_what_it_did_not_reach(tmp_path):
    doc = tmp_path / "many.md"
    _many_equations(doc, 20_000)
    r = cli("check", str(doc), "--budget", "2")
    assert_bounded(r, 3)
    assert "not reached: the budget of 2 s was spent" in r.out
    assert "fragments not reached" in r.out


# ── internal errors: exit 4, one line; the traceback only with --debug ─────
def test_an_internal_error_is_one_line_and_exit_4(capsys, monkeypatch):
    from symbackprop import cli as cli_module
    from symbackprop.cli import derive

    def broken(args):
        raise KeyError("a bug")

    monkeypatch.setattr(derive, "run", broken)
    assert cli_module.main(["derive", str(SPEC)]) == 4
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "internal error: KeyError" in err and "--debug" in err
    with pytest.raises(KeyError):
        cli_module.main(["--debug", "derive", str(SPEC)])


def test_a_resource_failure_is_an_error_not_a_bug(capsys, monkeypatch):
    from symbackprop import cli as cli_module
    from symbackprop.cli import derive

    def deep(args):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(derive, "run", deep)
    assert cli_module.main(["derive", str(SPEC)]) == 2
    assert "nested too deeply" in capsys.readouterr().err
