"""Property tests of the LaTeX reader: ``parse_math`` gives a Parsed or a ParseError and
``extract`` a list of fragments or a ParseError, whatever the text — never another exception.
A failing seed reproduces the input: ``tests.fuzz.latex_fragment(random.Random(SEED))``."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tests.fuzz as F
from symbackprop.errors import ParseError
from symbackprop.latex.errors import TOO_DEEP
from symbackprop.latex.parse import parse_expr, parse_math

FAST = settings(max_examples=150, deadline=None, print_blob=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SEEDS = st.integers(0, 2**32 - 1)


@FAST
@given(SEEDS)
def test_generated_fragments(seed):
    problem = F.latex_problem(F.latex_fragment(random.Random(seed)))
    assert problem is None, f"seed {seed}: {problem}"


@FAST
@given(st.lists(st.sampled_from(F.TOKENS), max_size=40).map("".join))
def test_token_soup(text):
    assert F.latex_problem(text) is None


@FAST
@given(st.text(max_size=200))
def test_arbitrary_text(text):
    assert F.latex_problem(text) is None


@FAST
@given(SEEDS, st.sampled_from(F.KINDS))
def test_generated_documents_extract(seed, kind):
    rng = random.Random(seed)
    problem = F.extract_problem(F.document(rng, kind), kind)
    assert problem is None, f"seed {seed}, kind {kind}: {problem}"


@FAST
@given(st.text(max_size=300), st.sampled_from(F.KINDS))
def test_arbitrary_documents_extract(text, kind):
    assert F.extract_problem(text, kind) is None


@pytest.mark.parametrize("source", F.HARD + F.HUGE_SUMS)
def test_hard_cases(source):
    assert F.latex_problem(source) is None


# ── the crash the campaign found: deep nesting reached Python's recursion limit ──
@pytest.mark.parametrize("source", [
    "(" * 200 + "x" + ")" * 200 + " = x",
    r"\frac{" * 80 + "x" + "}{2}" * 80 + " = x",
    "{" * 1000 + "x" + "}" * 1000,
    r"\sqrt{" * 100 + "x" + "}" * 100,
    "x" + "^{x" * 150 + "}" * 150 + " = 1",
    r"a_k = b_k \quad (" + "(" * 300 + "k" + ")" * 300 + r" \ne j)",  # inside a condition
])
def test_deep_nesting_is_a_parse_error(source):
    with pytest.raises(ParseError) as info:
        parse_math(source)
    assert "\n" not in info.value.reason
    if "quad" not in source:
        assert TOO_DEEP in info.value.reason


@pytest.mark.parametrize("n", [1, 10, 25])
def test_ordinary_nesting_still_reads(n):
    assert parse_expr("(" * n + "x + 1" + ")" * n) is not None
    assert parse_expr(r"\frac{" * n + "x" + "}{2}" * n) is not None


# ── the hang the campaign found: the mention pattern backtracked exponentially on primes ──
# (26 primes: about 13 s before the fix, doubling with each prime; 1 ms after)
@pytest.mark.parametrize("source", ["x" + "'" * 26 + "$", r"\sigma" + "'" * 26 + r"\le"])
def test_many_primes_read_quickly(source):
    import time

    from symbackprop.latex.mentions import is_mention

    start = time.perf_counter()
    assert is_mention(source, lambda rest: False) is False
    assert F.latex_problem(source) is None
    assert time.perf_counter() - start < 2


def test_primed_names_are_still_mentions():
    from symbackprop.latex.mentions import is_mention

    assert is_mention("\\sigma'", lambda rest: False)
    assert is_mention("f_L''", lambda rest: False)
    assert is_mention("f ' '", lambda rest: False)
