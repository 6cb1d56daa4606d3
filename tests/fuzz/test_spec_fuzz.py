"""Property tests of the spec loader: any TOML text, structure or file bytes gives a Network or
one one-line SpecError — never another exception.  A failing seed reproduces the input:
``tests.fuzz.spec_text(random.Random(SEED))``."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tests.fuzz as F
from symbackprop.errors import SpecError
from symbackprop.spec import MAX_NESTING, load, loads

FAST = settings(max_examples=150, deadline=None, print_blob=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SEEDS = st.integers(0, 2**32 - 1)

toml_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=30))
toml_values = st.recursive(toml_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)), max_leaves=20)


@FAST
@given(SEEDS)
def test_generated_spec_text(seed):
    problem = F.spec_problem(F.spec_text(random.Random(seed)), "text")
    assert problem is None, f"seed {seed}: {problem}"


@FAST
@given(SEEDS)
def test_generated_spec_structure(seed):
    problem = F.spec_problem(F.spec_dict(random.Random(seed)), "dict")
    assert problem is None, f"seed {seed}: {problem}"


@settings(FAST, max_examples=60)
@given(SEEDS)
def test_generated_spec_file_bytes(seed):
    problem = F.spec_problem(F.spec_bytes(random.Random(seed)), "bytes")
    assert problem is None, f"seed {seed}: {problem}"


@FAST
@given(st.text(max_size=300))
def test_arbitrary_text(text):
    assert F.spec_problem(text, "text") is None


@FAST
@given(st.dictionaries(st.sampled_from(["title", "loss", "layers", "notation", "x"]), toml_values))
def test_arbitrary_structure(data):
    assert F.spec_problem(data, "dict") is None


@settings(FAST, max_examples=60)
@given(st.binary(max_size=300))
def test_arbitrary_bytes(data):
    assert F.spec_problem(data, "bytes") is None


# ── the crash the campaign found: deep nesting reached tomllib's recursion ──
@pytest.mark.parametrize("text", [
    "layers = " + "[" * 1000 + "]" * 1000,
    "a = " + "{b = " * 600 + "1" + "}" * 600,
    "a = [" + "[" * 5000,  # unclosed
])
def test_deep_nesting_is_one_spec_error(text):
    with pytest.raises(SpecError, match=f"nested more than {MAX_NESTING} deep"):
        loads(text, "deep.toml")


def test_nesting_inside_strings_and_comments_is_no_nesting():
    text = 'title = "' + "[" * 100 + '"\n# ' + "{" * 100 + "\nloss = 'sse'\n" + """
[[layers]]
size = 2
index = "i"
[[layers]]
size = 1
index = "k"
activation = "identity"
"""
    assert loads(text).loss == "sse"


def test_bom_and_non_utf8_file(tmp_path):
    p = tmp_path / "s.toml"
    p.write_bytes(b"\xff\xfeloss = 1")
    with pytest.raises(SpecError, match="not UTF-8"):
        load(p)
    spec = F.ROOT / "derivations" / "regression.toml"
    p.write_bytes(b"\xef\xbb\xbf" + spec.read_bytes())
    assert load(p).loss == load(spec).loss  # a byte order mark is read past
