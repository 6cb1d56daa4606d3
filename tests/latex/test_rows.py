r"""Row-by-row reading of blocks (symbackprop.latex.parse): one bad row does not
sink a block; gaps, missing left sides, conditions, ``\circ``, lines.

Expected values are built by hand with SymPy constructors (never by re-parsing).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sympy as sp
from sympy import Derivative, Eq, Function, Ge, Gt, IndexedBase, KroneckerDelta, Le, Ne, Symbol

from symbackprop.errors import ParseError
from symbackprop.latex.parse import (Chain, ParseOptions, Parsed, RowError, normalise,
                                     parse_expr, parse_math, split_rows)
from symbackprop.rules.functions import sigmoid

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
KRON = ParseOptions(kronecker=True)


def S(name: str) -> Symbol:
    return Symbol(name)


def I(name: str) -> Symbol:  # noqa: E743 - index symbol
    return Symbol(name, integer=True)


def B(name: str) -> IndexedBase:
    return IndexedBase(name)


i, j, k, n = (I(c) for c in "ijkn")
a, b, c, d, x, y, z = (S(v) for v in "abcdxyz")
H = Function("hadamard")


def shape(parsed: Parsed) -> list:
    return [(c.exprs, c.ops, set(c.gaps)) for c in parsed.chains]


# ------------------------------------------------------------------ one bad row

BAD_ROW_CASES = [
    # a failing continuation row: the chain stays open, the step across it is a gap
    ("\\begin{aligned}\n a &= b \\\\\n &= \\foo c \\\\\n &= d\n\\end{aligned}",
     [((a, b, d), ("=", "="), {2})],
     [(2, "&= \\foo c", "unsupported command \\foo")]),
    # a failing row with its own left side ends the chain; a row with a left side starts anew
    ("\\begin{aligned}\n a &= b \\\\\n x &= \\foo \\\\\n c &= d\n\\end{aligned}",
     [((a, b), ("=",), set()), ((c, d), ("=",), set())],
     [(2, "x &= \\foo", "unsupported command \\foo")]),
    # ... and a continuation after it continued the lost row: missing left side, gap at step 1
    ("\\begin{aligned}\n a &= b \\\\\n x &= \\foo \\\\\n &= d\n\\end{aligned}",
     [((a, b), ("=",), set()), ((None, d), ("=",), {1})],
     [(2, "x &= \\foo", "unsupported command \\foo")]),
    # two failing continuation rows in a row: one gap
    ("a &= b \\\\ &= (c)) \\\\ &= \\foo \\\\ &= d",
     [((a, b, d), ("=", "="), {2})],
     [(0, "&= (c))", "unmatched closing delimiter"), (0, "&= \\foo", "unsupported command \\foo")]),
    # the first row fails, a continuation follows: left side missing, step 1 a gap
    ("\\begin{aligned}\n a &= \\foo \\\\\n &= c \\\\\n &= d\n\\end{aligned}",
     [((None, c, d), ("=", "="), {1})],
     [(1, "a &= \\foo", "unsupported command \\foo")]),
    # the last row fails: nothing lost before it
    ("a &= b \\\\\n &= c \\\\\n &= \\frac{d}",
     [((a, b, c), ("=", "="), set())],
     [(2, "&= \\frac{d}", "missing operand")]),
    # a semantic failure (Builder) is a row error too
    ("a &= b \\\\\n &= x_i_j \\\\\n &= c",
     [((a, b, c), ("=", "="), {2})],
     [(1, "&= x_i_j", "double subscript")]),
]


@pytest.mark.parametrize("source, chains, errors", BAD_ROW_CASES,
                         ids=[s[:50] for s, _, _ in BAD_ROW_CASES])
def test_bad_row_keeps_the_others(source, chains, errors):
    parsed = parse_math(source)
    assert shape(parsed) == chains
    assert len(parsed.unparsed) == len(errors)
    for got, (line, text, phrase) in zip(parsed.unparsed, errors):
        assert isinstance(got, RowError)
        assert (got.line, got.source) == (line, text)
        assert got.reason.startswith(phrase), got.reason
        assert "\n" not in got.reason


def test_row_error_fields_exactly():
    parsed = parse_math("a = b \\\\\n &= (c + d) \\\\\n x &= y)")
    assert parsed.unparsed == (RowError(2, "x &= y)", "unmatched closing delimiter: unexpected "
                                        "')'; expected end of row, ',', '=', a relation, a separator"),)
    assert parsed.chains[0].exprs == (a, b, c + d)


def test_row_source_keeps_the_whole_closing_command():
    src = ("\\begin{aligned}\n a &= b \\\\\n &= \\begin{bmatrix} 1 & \\cdots \\end{bmatrix}\\\\\n"
           " &= c\n\\end{aligned}")
    (err,) = parse_math(src).unparsed
    assert err.source == "&= \\begin{bmatrix} 1 & \\cdots \\end{bmatrix}"
    assert err.line == 2


def test_every_row_failing_raises_the_first_rows_error():
    with pytest.raises(ParseError) as info:
        parse_math("a &= \\foo \\\\\n &= (b")
    assert (info.value.line, info.value.column) == (1, 6)
    assert "unsupported command \\foo" in str(info.value)


def test_parse_expr_still_needs_every_row():
    with pytest.raises(ParseError, match="unsupported command"):
        parse_expr("a \\\\ \\foo")


@pytest.mark.skipif(not (SHARED / "corpus" / "nn-backprop-ja.md").exists(),
                    reason="corpus not available")
def test_corpus_block_with_a_symbolic_matrix_row():
    """nn-backprop-ja.md, ∂E/∂W^l: the \\cdots-matrix row whose last ``&`` is missing
    (``\\cdots \\bm{y}_N^{l-1}``) is read as it renders, so no row is lost."""
    from symbackprop.latex.extract import extract_file

    frags = [f for f in extract_file(SHARED / "corpus" / "nn-backprop-ja.md")
             if f.source.startswith("\\begin{align*}\n\\frac{\\partial E}{\\partial W^{l}}\n&= "
                                    "\\frac{1}{N}")]
    (frag,) = frags
    parsed = parse_math(frag.source, KRON)
    (chain,) = parsed.chains
    assert chain.ops == ("=", "=", "=", "=") and not chain.gaps and not parsed.unparsed
    assert chain.exprs[0] == Derivative(S("E"), S("W^{l}"), evaluate=False)
    assert chain.lines == (1, 1, 3, 4, 14)


# ------------------------------------------------------------------ a display starting with '='

CONTINUES_CASES = [
    ("= 0", (None, 0), ("=",)),
    ("&= b", (None, b), ("=",)),
    ("\\approx 1", (None, 1), ("\\approx",)),
    ("& = & x \\nonumber", (None, x), ("=",)),
    ("\\begin{aligned} &= a \\\\ &= b \\end{aligned}", (None, a, b), ("=", "=")),
]


@pytest.mark.parametrize("source, exprs, ops", CONTINUES_CASES,
                         ids=[s for s, _, _ in CONTINUES_CASES])
def test_display_starting_with_a_relation(source, exprs, ops):
    (chain,) = parse_math(source).chains
    assert chain.continues_previous is True
    assert (chain.exprs, chain.ops) == (exprs, ops)
    assert chain.lines[0] is None and chain.gaps == frozenset()


def test_ordinary_chain_does_not_continue_previous():
    (chain,) = parse_math("a = b").chains
    assert chain.continues_previous is False and chain.lines == (0, 0)
    assert chain.conditions == ((),)


def test_first_row_failing_then_continuation_is_a_gap_not_continues_previous():
    (chain,) = parse_math("a &= \\foo \\\\ &= c").chains
    assert chain.continues_previous is False and chain.gaps == frozenset({1})
    (chain,) = parse_math("&= \\foo \\\\ &= c").chains
    assert chain.continues_previous is True and chain.gaps == frozenset({1})


# ------------------------------------------------------------------ conditions

yi, uj = B("y")[i], B("u")[j]
DYU = Derivative(yi, uj, evaluate=False)

CONDITION_CASES = [
    (r"\frac{\partial y_i}{\partial u_j} = y_i(1 - y_i) \text{ if } i = j",
     (DYU, yi * (1 - yi)), ((Eq(i, j),),)),
    (r"\text{If } i=j, \quad \frac{\partial y_i}{\partial u_j} = y_i(1-y_i)",
     (DYU, yi * (1 - yi)), ((Eq(i, j),),)),
    (r"\text{If } i=j, \frac{\partial y_i}{\partial u_j} = y_i(1-y_i)",
     (DYU, yi * (1 - yi)), ((Eq(i, j),),)),
    (r"\frac{\partial y_i}{\partial u_j} = -y_i y_j \quad (i \neq j)",
     (DYU, -yi * B("y")[j]), ((Ne(i, j),),)),
    (r"a_k = b_k \quad (k = 1,\dots,n)", (B("a")[k], B("b")[k]), ((Ge(k, 1), Le(k, n)),)),
    (r"a_k = b_k \ (k = 1, 2, \ldots, K)", (B("a")[k], B("b")[k]), ((Ge(k, 1), Le(k, S("K"))),)),
    (r"a_i = 0 \quad (i = N-1, N-2, \dots, 1)", (B("a")[i], 0), ((Ge(i, 1), Le(i, S("N") - 1)),)),
    (r"y_i = f(x_i) \ (i = 1, 2, \ldots)", (yi, Function("f")(B("x")[i])), ((Ge(i, 1),),)),
    (r"a_k = 0 \text{ for } k \ne j", (B("a")[k], 0), ((Ne(k, j),),)),
    (r"a_j = b_j \text{ where } i = j", (B("a")[j], B("b")[j]), ((Eq(i, j),),)),
    (r"\delta_{ij} = 1 \quad (i = j)", (KroneckerDelta(i, j), 1), ((Eq(i, j),),)),
    ("a_i = b_j （i=j のとき）", (B("a")[i], B("b")[j]), ((Eq(i, j),),)),
    ("i \\neq j のとき、a_i = b_j", (B("a")[i], B("b")[j]), ((Ne(i, j),),)),
    (r"a_i = b_j \quad (\text{if } i = j)", (B("a")[i], B("b")[j]), ((Eq(i, j),),)),
    (r"f'(x) = 1 \text{ when } x > 0", (Derivative(Function("f")(x), x, evaluate=False), 1),
     ((Gt(x, 0),),)),
    (r"a_i = b_i \text{ for all } i", (B("a")[i], B("b")[i]), ((),)),
    (r"\forall k: a_k = b_k", (B("a")[k], B("b")[k]), ((),)),
    (r"a_i = b_i \text{ if } 0 < i \le n", (B("a")[i], B("b")[i]),
     ((sp.Lt(0, i), Le(i, n)),)),
    (r"a_i = b_k \text{ if } i = j \text{ and } k \ne j", (B("a")[i], B("b")[k]),
     ((Eq(i, j), Ne(k, j)),)),
    (r"\text{If } i=j \text{ and } k \ne j, a_i = b_k", (B("a")[i], B("b")[k]),
     ((Eq(i, j), Ne(k, j)),)),
    (r"a_i = b_k \quad (i \neq j, k \ne j)", (B("a")[i], B("b")[k]), ((Ne(i, j), Ne(k, j)),)),
]


@pytest.mark.parametrize("source, exprs, conditions", CONDITION_CASES,
                         ids=[s[:50] for s, _, _ in CONDITION_CASES])
def test_conditions_become_relationals(source, exprs, conditions):
    (chain,) = parse_math(source, KRON).chains
    assert chain.exprs == exprs
    assert chain.conditions == conditions
    names = {s.name for e in chain.exprs for s in e.free_symbols}
    assert not names & {"If", "if", "for", "where", "when", "text"}
    for step in chain.conditions:
        for rel in step:
            assert all(s.is_integer for s in rel.free_symbols if s.name in "ijkn")


def test_condition_index_symbols_are_the_builders():
    (chain,) = parse_math(r"a_i = b_j \quad (i \neq j)").chains
    (rel,), = chain.conditions
    assert rel == Ne(Symbol("i", integer=True), Symbol("j", integer=True))
    assert rel != Ne(Symbol("i"), Symbol("j"))


def test_conditions_per_step():
    """First row's conditions: every step; a continuation row's: its own steps."""
    src = ("\\begin{aligned}\n a_i &= b_i \\quad (i \\ne j) \\\\\n &= c_i \\text{ if } i = k"
           " \\\\\n &= d\n\\end{aligned}")
    (chain,) = parse_math(src).chains
    assert chain.exprs == (B("a")[i], B("b")[i], B("c")[i], d)
    assert chain.conditions == ((Ne(i, j),), (Ne(i, j), Eq(i, k)), (Ne(i, j),))
    assert chain.lines == (1, 1, 2, 3)


def test_row_of_only_a_condition_applies_to_the_row_before():
    src = "\\begin{aligned} a &= b \\\\ &= c \\\\ &\\quad (i \\ne j) \\\\ &= d \\end{aligned}"
    (chain,) = parse_math(src).chains
    assert chain.conditions == ((), (Ne(i, j),), ())


def test_range_on_its_own_is_read_and_is_no_claim():
    parsed = parse_math(r"i=1,2,\cdots,N")
    assert parsed.chains == () and parsed.unparsed == ()


NOT_CONDITION_CASES = [
    # a where clause that is a definition stays a statement of its own (as before)
    (r"y = \sigma(z) \text{ where } z = w x + b",
     [((y, sigmoid(z)), ("=",), set()), ((z, S("b") + S("w") * x), ("=",), set())]),
    (r"z = w x \text{ where } z = 1", [((z, S("w") * x), ("=",), set()), ((z, 1), ("=",), set())]),
    # 'and' between statements stays a separator
    (r"a = b \text{ and } c = d", [((a, b), ("=",), set()), ((c, d), ("=",), set())]),
]


@pytest.mark.parametrize("source, chains", NOT_CONDITION_CASES,
                         ids=[s for s, _ in NOT_CONDITION_CASES])
def test_where_definitions_stay_statements(source, chains):
    parsed = parse_math(source)
    assert shape(parsed) == chains
    assert all(c.conditions == ((),) for c in parsed.chains)


UNCLEAR_CASES = [
    (r"(a_i = b_i)", "only indices and bounds"),       # an equation in parentheses, alone
    (r"y_k = p(y=k)", ""),  # an argument, not a condition (the Builder rejects it)
    (r"a = b \text{ if } c", "a condition must be one relation"),
    (r"a = b \text{ if } \sigma(x) > 0", "a condition must relate indices"),
    (r"a_k = 1 \quad (k = 1, 2)", "without '\\dots' is not a range"),
]


@pytest.mark.parametrize("source, phrase", UNCLEAR_CASES, ids=[s for s, _ in UNCLEAR_CASES])
def test_unclear_conditions_are_not_guessed(source, phrase):
    with pytest.raises(ParseError) as info:
        parse_math(source)
    assert phrase in str(info.value)


# ------------------------------------------------------------------ common unparsable bits

CIRC_CASES = [
    (r"a \circ b", H(a, b)),
    (r"\nabla_a C \circ \sigma'(z^L)",
     H(Derivative(S("C"), a, evaluate=False),
       Derivative(sigmoid(S("z^{L}")), S("z^{L}"), evaluate=False))),
    (r"(a^L - y) \circ \sigma'(z^L)",
     H(S("a^{L}") - y, Derivative(sigmoid(S("z^{L}")), S("z^{L}"), evaluate=False))),
    ("a ∘ b", H(a, b)),
    (r"x^{} + 1", x + 1),
    (r"a_{ } + b", a + b),
]


@pytest.mark.parametrize("source, expected", CIRC_CASES, ids=[s for s, _ in CIRC_CASES])
def test_circ_and_empty_scripts(source, expected):
    assert parse_expr(source) == expected


@pytest.mark.parametrize("source", [r"f \circ g", r"90^\circ", r"(f \circ g)(x)", r"w^{}l"])
def test_circ_that_is_not_a_hadamard_product_and_unclear_empty_scripts_stay_unread(source):
    with pytest.raises(ParseError):
        parse_math(source)


def test_circ_in_a_block_reads_like_odot():
    src = (r"\begin{aligned} \delta^L &= \nabla_a C \circ \sigma'(z^L) \\ "
           r"&= (a^L - y) \odot \sigma'(z^L) \end{aligned}")
    (chain,) = parse_math(src).chains
    assert all(isinstance(e, Function("hadamard")) for e in chain.exprs[1:])


# ------------------------------------------------------------------ lines

def test_lines_of_a_multi_line_aligned_block():
    src = ("\\begin{aligned}\n"           # line 0
           "E &= x \\\\\n"                # line 1
           "  &= y\n"                     # line 2
           "     + z \\\\\n"              # line 3 (joined to line 2)
           "F &= a \\\\\n"                # line 4
           "  &= b\n"                     # line 5
           "\\end{aligned}")
    parsed = parse_math(src)
    first, second = parsed.chains
    assert first.exprs == (S("E"), x, y + z) and first.lines == (1, 1, 2)
    assert second.exprs == (S("F"), a, b) and second.lines == (4, 4, 5)
    assert first.row_texts == ("E &= x", "&= y\n     + z")
    assert isinstance(first, Chain) and len(first.conditions) == len(first.ops)


def test_public_names_still_exported():
    text = normalise(r"a = b \\ &= c")
    assert [r.text.strip() for r in split_rows(text)] == ["a = b", "= c"]


# ------------------------------------------------------------------ robustness

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_TOKENS = ["a", "i", "j", "k", "N", "1", "=", r"\neq", "<", ",", r"\dots", "(", ")", "{", "}",
           r"\text{if }", r"\text{If}", r"\text{for all}", r"\text{where}", r"\forall", "のとき",
           "（", "）", "、", r"\quad", r"\\", "&", r"\circ", "^{}", "_", "+", ":", r"\frac",
           r"\sum", r"\foo", r"\begin{cases}", r"\end{cases}", r"\left.", r"\right|"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_TOKENS), max_size=16))
def test_garbage_with_conditions_raises_only_parse_error(tokens):
    try:
        parsed = parse_math(" ".join(tokens))
    except ParseError:
        return
    for chain in parsed.chains:
        assert len(chain.exprs) == len(chain.ops) + 1 == len(chain.lines)
        assert len(chain.conditions) == len(chain.ops)
        assert all(1 <= s <= len(chain.ops) for s in chain.gaps)
        assert all(isinstance(r, sp.Basic) for step in chain.conditions for r in step)


# ── annotations and Iverson brackets (latex/normalise.py) ──
def test_an_annotation_column_is_prose_not_part_of_the_row():
    """``&& \\text{(chain rule)}`` (math inside it too) annotates the step; the row ends before it."""
    from symbackprop.latex.parse import ParseOptions, parse_math
    src = (r"\begin{aligned} a &= b + c && \text{(}\text{definition}\text{)} \\"
           r" &= c + b && \text{(}\text{identity: }x = y\text{)} \end{aligned}")
    (chain,) = parse_math(src, ParseOptions()).chains
    assert [str(e) for e in chain.exprs] == ["a", "b + c", "b + c"]


def test_two_equations_side_by_side_are_not_an_annotation():
    from symbackprop.latex.normalise import normalise
    assert "c" in normalise(r"\begin{aligned} a &= b && c &= d \end{aligned}").text


def test_an_iverson_bracket_of_two_indices_is_the_kronecker_delta():
    import sympy as sp
    from symbackprop.latex.parse import ParseOptions, parse_math
    (chain,) = parse_math(r"y_{k'} \left([k = k'] - y_{k}\right) = z", ParseOptions(kronecker=True)).chains
    assert chain.exprs[0].has(sp.KroneckerDelta)


@pytest.mark.parametrize("source,expected", [
    # our own reports write a sum of negative terms this way: Σ over −t/y …
    (r"\sum_{k=1}^{n} - x_{k}", sp.Sum(-IndexedBase("x")[I("k")], (I("k"), 1, S("n")))),
    (r"a - \sum_{k=1}^{n} - x_{k} + 1",
     S("a") - sp.Sum(-IndexedBase("x")[I("k")], (I("k"), 1, S("n"))) + 1),
    (r"2 \sum_{k=1}^{n} + x_{k} y", 2 * sp.Sum(IndexedBase("x")[I("k")] * S("y"), (I("k"), 1, S("n")))),
    # a sign after a summand ends the sum's operand, as before
    (r"\sum_{k=1}^{n} x_{k} - y", sp.Sum(IndexedBase("x")[I("k")], (I("k"), 1, S("n"))) - S("y")),
])
def test_a_big_operator_takes_the_signed_term_after_it(source, expected):
    (value,) = parse_math(source, KRON).chains[0].exprs
    assert sp.simplify(value - expected) == 0 and value.atoms(sp.Sum)
