"""Property tests of ``check``: ``check_text`` in-process and ``symbackprop check FILE`` in a
subprocess.  Never a traceback, never past the time bound, exit codes 0/1/2/3 only (2 with one
line on stderr for bad input), valid JSON with ``--format json``.  A failing seed reproduces the
input: ``tests.fuzz.document(random.Random(SEED), KIND)`` or ``document_bytes(random.Random(SEED))``."""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tests.fuzz as F
from symbackprop.checker import check_text

TIMEOUT = 1.0
FAST = settings(max_examples=60, deadline=None, print_blob=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SEEDS = st.integers(0, 2**32 - 1)


def _ok(problem, seconds, bound, what):
    assert problem is None, f"{what}: {problem}"
    assert seconds <= bound, f"{what}: took {seconds:.1f} s, past the bound {bound:.0f} s"


@FAST
@given(SEEDS, st.sampled_from(F.KINDS))
def test_generated_documents(seed, kind):
    doc = F.document(random.Random(seed), kind)
    _ok(*F.check_problem(doc, kind, TIMEOUT), f"seed {seed}, kind {kind}")


@settings(FAST, max_examples=40)
@given(st.text(max_size=200), st.sampled_from(F.KINDS))
def test_arbitrary_text(text, kind):
    _ok(*F.check_problem(text, kind, TIMEOUT), f"kind {kind}, text {text!r}")


@pytest.mark.parametrize("source", F.HARD, ids=range(len(F.HARD)))
def test_hard_cases(source):
    _ok(*F.check_problem(f"$${source}$$", "markdown", TIMEOUT), source[:60])


@pytest.mark.parametrize("text", [
    "{", "[]", "42", "null", '{"cells": "x"}', '{"cells": [1, null, "a"]}',
    '{"cells": [{"cell_type": "markdown", "source": 7}]}',
    '{"cells": [{"cell_type": "markdown", "source": [1, 2]}]}',
    '{"cells": [{"cell_type": "markdown", "source": {"a": 1}}]}',
    '{"cells": [{"cell_type": 3, "source": "$$x = 1$$"}]}',
    '{"cells": [{"source": "$$x=y$$"}]}', '{"cells": {"0": []}}', "\ufeff{}",
])
def test_invalid_notebooks(text):
    _ok(*F.check_problem(text, "ipynb", TIMEOUT), text)


def test_real_backprop_document_is_checked():
    r = check_text("\n\n".join(f"$${s}$$" for s in F.REAL[:8]), timeout=2)
    data = json.loads(json.dumps(r.to_json()))
    assert data["summary"]["claims"] >= 3


# ── the command line, in a subprocess ──────────────────────────────────────
@settings(FAST, max_examples=6)
@given(SEEDS)
def test_cli_generated_files(seed):
    suffix, data = F.document_bytes(random.Random(seed))
    _ok(*F.cli_problem(suffix, data, TIMEOUT), f"seed {seed}, suffix {suffix!r}")


@pytest.mark.parametrize("suffix,data", [
    (".md", b"$$" + r"\frac{".encode() * 80 + b"x" + b"}{2}" * 80 + b" = x$$"),
    (".md", b"$$x = 10^{10^{10}}$$\n\n$$2^{2^{2^{2^{2}}}} = y$$"),
    (".ipynb", b'{"cells": [{"cell_type": "markdown", "source": '),
    (".ipynb", b'{"cells": 5}'),
    (".md", bytes(range(256)) * 4),
    (".tex", b"\xef\xbb\xbf\\[ \\delta_k = y_k - t_k \\]"),
])
def test_cli_hard_files(suffix, data):
    _ok(*F.cli_problem(suffix, data, TIMEOUT), f"{suffix} {data[:60]!r}")


@pytest.mark.parametrize("source", F.HUGE_SUMS)
def test_cli_huge_sums(source):
    """Written out term by term by prover/sums.py (reported); bounded here by --timeout and,
    should the timer not stop it, by the child's memory cap."""
    data = f"$${source}$$".encode()
    suffix = ".md"
    _ok(*F.cli_problem(suffix, data, TIMEOUT), f"{suffix} {data[:60]!r}")
